"""Fixtures for the rule-based verifier (`reward.verifier`, Nodes/Reward): world clips and what analyzer.py reads.

    python3 Training/make_verifier_fixtures.py               # -> Tests/ModelFixtures/verifier_clips.{json,rle}
    python3 Training/make_verifier_fixtures.py --validation 100 --out /tmp/verifier_validation
                                                             # analyzer-validation scripts for a manual Swift run

The committed fixture holds four ground-truth clips of 24 frames (scripts of seeds 6,000,000 and up, chosen so
that one has two objects of different shapes, a circle bounces, one grows or shrinks and one moves diagonally) and one perturbed clip per
script (its script with one attribute changed: colour, shape, motion or background), rendered by world.render.
For every frame it records analyzer.analyze_frame (background; per colour area, centroid and shape), which the
Swift port (FrameAnalysis) must reproduce. For every clip it records the truth, the prompt phrased in both
training vocabularies, prompts that contradict the clip in one attribute, and a held-out phrasing; the file also
carries world.VOCAB's train and extra vocabularies, so a Swift test sees every phrase the verifier must read.

Frames are stored run-length encoded (they are mostly flat colour): per frame, runs of identical pixels in
row-major order, each run a little-endian uint16 length followed by R, G, B; a frame ends after 64*64 pixels.
Nothing here is random beyond the world's own seeds, so running it again writes the same bytes.

--validation writes the same format for analyzer.validate's scripts (seeds 5,000,000 and up, with prompt
switches) without analysis; RewardTests' VerifierValidationTests reads it when VERIFIER_VALIDATION names the
folder, and prints how often the verifier's checks hold on the truth (not committed, not run by default).
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import struct

import numpy as np

import analyzer
import world

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIX = os.path.join(REPO, "Tests", "ModelFixtures")
FRAMES = 24
SEED0 = 6_000_000


def rle(frames: np.ndarray) -> bytes:
    """uint8 [T, H, W, 3] -> runs of identical pixels per frame: (uint16 count, r, g, b)."""
    out = bytearray()
    for f in frames:
        px = f.reshape(-1, 3)
        start = 0
        for i in range(1, len(px) + 1):
            if i == len(px) or i - start == 65535 or not np.array_equal(px[i], px[start]):
                out += struct.pack("<H3B", i - start, *(int(v) for v in px[start]))
                start = i
    return bytes(out)


def analysis(frames: np.ndarray) -> list[dict]:
    rows = []
    for f in frames:
        a = analyzer.analyze_frame(f)
        rows.append(dict(bg=a["bg"], objs={c: dict(area=round(o["area"], 4), x=round(o["x"], 4), y=round(o["y"], 4),
                                                   shape=o["shape"]) for c, o in a["objs"].items()}))
    return rows


def phrasing(seg: world.Segment, seed: int, split: str, salt: int) -> str:
    return world.phrase(seg, np.random.default_rng(seed * 7919 + salt), split)


def changed(script: world.Script, what: str) -> world.Script:
    """The script with one attribute of its first object (or the background) changed, visibly."""
    s = copy.deepcopy(script)
    seg = s.segments[0]
    o = seg.objs[0]
    if what == "colour":
        used = {x.colour for x in seg.objs}
        o.colour = next(c for c in world.COLOUR_NAMES if c not in used)
    elif what == "shape":
        o.shape = world.SHAPES[(world.SHAPES.index(o.shape) + 1) % len(world.SHAPES)]
    elif what == "motion":
        o.motion = {"bounce": "right", "grow": "left", "shrink": "right", "still": "down"}.get(o.motion, world.REVERSE[o.motion])
        o.r0 = world.SIZES[o.size]
    elif what == "background":
        seg.bg = world.BACKGROUND_NAMES[(world.BACKGROUND_NAMES.index(seg.bg) + 2) % len(world.BACKGROUND_NAMES)]
    else:
        raise ValueError(what)
    return s


def truth(script: world.Script) -> dict:
    t = world.truth(script)
    assert len(t) == 1
    return dict(bg=t[0]["bg"], objs=t[0]["objs"])


def choose_scripts() -> list[tuple[str, world.Script]]:
    """The first seeds from SEED0 that give each wanted kind of clip, in a fixed order."""
    wanted = [
        ("two objects", dict(two_objects=True), lambda s: len({o.shape for o in s.segments[0].objs}) == 2),
        ("bounce", dict(two_objects=False), lambda s: (s.segments[0].objs[0].motion, s.segments[0].objs[0].shape) == ("bounce", "circle")),
        ("grow or shrink", dict(two_objects=False), lambda s: s.segments[0].objs[0].motion in ("grow", "shrink")),
        ("diagonal", dict(two_objects=False), lambda s: "-" in s.segments[0].objs[0].motion),
    ]
    chosen, seed = [], SEED0
    for name, kw, ok in wanted:
        while True:
            s = world.make_script(seed, FRAMES, n_switches=0, **kw)
            seed += 1
            if ok(s):
                chosen.append((name, s))
                break
    return chosen


def contradicting_prompts(script: world.Script) -> list[dict]:
    """Prompts (train vocabulary) that differ from the clip's truth in one attribute of the first object."""
    out = []
    for what in ("colour", "shape", "motion", "background"):
        other = changed(script, what)
        out.append(dict(change=what, truth=truth(other), prompt=phrasing(other.segments[0], script.seed, "train", 1)))
    return out


def main_fixture(folder: str) -> None:
    clips, blob = [], bytearray()
    perturbations = ["colour", "shape", "motion", "background"]
    for (name, script), what in zip(choose_scripts(), perturbations):
        seg = script.segments[0]
        for kind, s in (("true", script), ("perturbed", changed(script, what))):
            frames = world.render(s, 0, FRAMES)
            clips.append(dict(
                name=f"{name} ({kind}{'' if kind == 'true' else ': ' + what})", seed=script.seed, kind=kind,
                perturbation=None if kind == "true" else what, frames=FRAMES, offset=len(blob),
                truth=truth(s),
                # what the clip was meant to show: the true script's prompts, also for the perturbed clip
                prompts=dict(train=phrasing(seg, script.seed, "train", 1), extra=phrasing(seg, script.seed, "extra", 3),
                             heldout=phrasing(seg, script.seed, "heldout", 2)),
                contradicting=contradicting_prompts(script) if kind == "true" else [],
                analysis=analysis(frames)))
            blob += rle(frames)
    vocab = {split: {k: world.VOCAB[split][k] for k in ("colour", "shape", "size", "motion", "background")}
             for split in ("train", "extra")}
    doc = dict(made_by="python3 Training/make_verifier_fixtures.py", width=world.W, height=world.H,
               frames_file="verifier_clips.rle", vocab=vocab, clips=clips)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "verifier_clips.rle"), "wb") as f:
        f.write(bytes(blob))
    with open(os.path.join(folder, "verifier_clips.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    for c in clips:
        print(c["name"], "seed", c["seed"], "|", c["prompts"]["train"], "|", c["truth"])
    print(f"{len(clips)} clips, {len(blob)} bytes of frames -> {folder}")


def main_validation(n: int, frames: int, folder: str) -> None:
    """analyzer.validate's scripts with their truth per segment and prompts in both training vocabularies."""
    clips, blob = [], bytearray()
    for i in range(n):
        seed = 5_000_000 + i
        script = world.make_script(seed, frames)
        fr = world.render(script, 0, frames)
        extra = world.make_script(seed, frames, split="extra")
        segs = []
        for s, t, e in zip(script.segments, world.truth(script), extra.segments):
            segs.append(dict(start=s.start, truth=dict(bg=t["bg"], objs=t["objs"]),
                             prompts=dict(train=s.prompt, extra=e.prompt)))
        clips.append(dict(seed=seed, frames=frames, offset=len(blob), segments=segs))
        blob += rle(fr)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "verifier_validation.rle"), "wb") as f:
        f.write(bytes(blob))
    with open(os.path.join(folder, "verifier_validation.json"), "w") as f:
        json.dump(dict(made_by=f"python3 Training/make_verifier_fixtures.py --validation {n} --frames {frames}",
                       width=world.W, height=world.H, frames_file="verifier_validation.rle", clips=clips), f)
    print(f"{n} scripts of {frames} frames, {len(blob)} bytes of frames -> {folder}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=FIX)
    ap.add_argument("--validation", type=int, default=0, help="write N analyzer-validation scripts instead")
    ap.add_argument("--frames", type=int, default=192, help="frames per validation script")
    a = ap.parse_args()
    if a.validation:
        main_validation(a.validation, a.frames, a.out)
    else:
        main_fixture(a.out)


if __name__ == "__main__":
    main()
