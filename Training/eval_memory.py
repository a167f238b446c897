"""Issue 15 through the flowrun binary: long-video memory (LongLive infinity mode, EMA-sink, LongLive-RAG retrieval)
measured with the analyzer on scripts no training or evaluation has seen.

    # 1. long: one prompt, one object, for an hour; the analyzer at the 1, 10 and 60 minute marks
    nice -n 10 python3 Training/eval_memory.py long --minutes 60 --n 4 --out out/memory_long.json
    # 2. return: prompt A, then B, then A again; does the object that comes back match its first appearance?
    nice -n 10 python3 Training/eval_memory.py return --segment_s 20 --n 20 --out out/memory_return.json
    # 3. recall: retrieval quality from the retriever's memory_log (rag configs), plus the model's descriptor
    #    on the world's true clips (numpy VAE encoder + descriptor, no flowrun: --configs none)
    nice -n 10 python3 Training/eval_memory.py recall --n 20 --out out/memory_recall.json
    python3 Training/eval_memory.py --table out/memory_long.json          # reprint the tables of a saved run

Configurations (--configs, comma-separated; `none` for no flowrun runs):

    absolute       Graphs/lib/generate-video.yaml      positions absolute, sink_update keep
    infinity       Graphs/lib/generate-video.yaml      positions infinity, sink_update keep
    rag            Graphs/lib/generate-video-rag.yaml  positions infinity, sink_update keep (+ memory_log)
    absolute-ema, infinity-ema, rag-ema                the same with sink_update ema (Reward Forcing's EMA-sink)

Every config runs through a wrapper graph (Training/eval_flowrun.py's: prompt.source timeline -> text.encoder ->
include the library) with the library's params model, frames, seed and out set by the harness (and memory_log for
the rag library).  --param NAME=VALUE goes to every selected config whose library declares NAME (an error if none
does); --param CONFIG:NAME=VALUE to that config only.  A config param that its library does not declare is an
error, except `positions: absolute` on a library without `positions` (a library from before infinity mode is
absolute-only): it is left out and the JSON's `notes` say so.  --lib_plain / --lib_rag point at other libraries.

Seed ranges (script seeds; the noise seed is separate, --noise_seeds): issue 15 chooses its settings on scripts
50,000,000+ (the selection suite, --seed0 50000000) and reports figures on 51,000,000+ (the default).  Taken
elsewhere: training draws seeds below 1,000,000 (train_vae's PSNR check 10M+, the analyzer's validation 5M+), the
VAE evaluation 12M / 13M, eval_world 30M / 31M, issue 14 40M / 41M.  The three measurements build different kinds
of script from the same seeds (long: one segment; return: A, B, A'; recall: return or switch scripts).

Video: `long` writes MP4 (video.encoder picks the format from the extension; a PNG sequence of 57,600 frames is too
heavy) and decodes only the windows it scores with ffmpeg (-ss to a second before the window, -copyts and a select
on the timestamps, rgb24 as eval_flowrun.decode_frames converts).  The MP4 is x264 at the encoder's defaults
(crf 23, yuv420p), so colours at object edges are slightly off; the analyzer tolerates it (its colour distances
have wide margins: 12 true 30 s clips read through x264 this way scored as the lossless frames, but for 0.2% of the
per-frame identity readings) but the figures are of the MP4 as a user sees it, not of the decoder's exact frames.
`return` and `recall` write lossless PNG sequences (--video overrides either).

Cost: through the release build on this machine's two busy cores a 1-minute run took ~13 s (~75 frames/s), so one
60-minute run is ~13 minutes: six configs x 4 scripts is ~5 hours at --jobs 1.

Measurements and what each number means (all rates pool windows, frames or blocks over the scripts):

long      Scripts: world.make_script(seed, frames, n_switches=0, two_objects=False): one segment, one object.
          --minutes (default 60 = 57,600 frames).  First appearance: over frames [12, --ref_s * 16) (the first
          10 s, skipping the first block as the analyzer does), the object = the colour that is most often the
          largest detected object; its shape = the majority of its per-frame shapes; its area = the median of its
          per-frame areas.  At each mark of --marks (minutes; 1, 10, 60; only marks <= the run length) the
          --window_s (30) seconds before the mark are read as consecutive 32-frame analyzer windows, and:
            colour, shape, motion, all   analyzer.judge_window against the truth (colour: the truth colour in >= 50%
                                         of a window's frames; shape: its majority shape; motion: the track's
                                         class; all: those and the background)
            present                      frames where any object is detected (the object has not vanished)
            persistence                  frames where the truth colour is detected (analyzer.score_video's)
            identity                     windows that match the first appearance: its colour in >= 50% of the
                                         frames, their majority shape = its shape, and their median area within a
                                         factor --area_tol (1.5) of its area (small and large differ by 3.2x in
                                         area, so 1.5 is about "the same size class")
            id frames                    the same per frame (colour detected, shape equal, area within the factor)
            area ratio                   median over frames of (area of the first appearance's colour / its area)
          A run whose first appearance finds no object counts every identity as failed (`no_ref` in the JSON).
return    Scripts A, B, A' (--segment_s each, whole blocks; default 20 s = 312 frames): segment A = one object
          (colour, shape, size, motion; never grow/shrink, so the size class is stable) on a background; B
          (--b_kind object, the default) replaces it by an object of another colour, another shape and the other
          size, on the same background; --b_kind colour recolours the same object instead (the world's colour
          switch); A' = A's attributes again, with A's exact prompt (prompt A, then B, then A again; --rephrase
          phrases A' anew with world.phrase).  In object mode A' starts at A's start position; in colour mode it
          continues from B's.  First appearance of A and of A' as in `long` (the first --ref_s seconds of each
          segment after its first block).  Per script:
            match                        A' object's colour = A's, shape = A's, area within --area_tol of A's
            colour, shape, size          each of those alone; size class = small / large read from the area
                                         (log-midpoint of the two nominal areas of the seen shape)
          and the plain analyzer windows of each segment (every 32-frame window after its first block) with the
          switch delays into B and into A' (within one block = 12 frames).
recall    rag configs (default rag, rag-ema) with a memory_log: one JSON line per block {"block": b,
          "query_position": p, "retrieved": [latent positions], "scores": [cosines]}.  Latent frame p covers video
          frames 4p..4p+3; its segment is the script segment holding video frame 4p.  Per block with >= 1 frame
          retrieved:
            recall@k                     fraction of the retrieved frames in the query frame's segment
            top-1                        whether the highest-scoring retrieved frame is in it
            chance                       the same fraction over the candidates: non-sink frames evicted before
                                         block b, minus the exclude_recent (the config's param, else the library's
                                         default, 5) most recently evicted, assuming the bank holds all of them (an
                                         approximation: a byte budget evicts some).  With --sink 3 and --window 9
                                         latent frames (the model's) that is [3, 3b - 6 - 5), widened to cover
                                         every frame the log retrieved
            ideal                        a perfect retriever's recall@k: min(retrieved, candidates in the segment)
                                         / retrieved (below 100% early in a segment, with fewer than k of its frames
                                         banked)
            scene                        the same with "same scene" = the same segment content (background, objects'
                                         colour, shape, size, motion): A and A' of a return script are one scene
          Figures are over "mixed" blocks, whose candidates hold both same- and other-segment (scene) frames; all
          blocks (trivially 1 while only one segment exists) are in the JSON.  Suite: --suite return (default; the
          return scripts) or switches (world.make_script with --n_switches switches over --seconds).  --true_clips
          (default on) also measures retrieval quality alone: the world's true frames of each script, encoded with
          the shipped VAE (Training/reference.py's numpy VAERef), normalised with config.json's latent_mean /
          latent_std, described by descriptor_forward (the model's descriptor) and, as a baseline, by the average-
          pooled normalised latent; the same block schedule (query = the newest latent frame before each block,
          candidates as above with --exclude_recent, top --k by cosine) gives the same figures.  rag runs in `return` report recall too.

Output: --out JSON holds the args, the resolved configs (library and params), notes, every per-run record (the
wrapper graph, the command, wall seconds, exit status, the tail of flowrun's log, the metrics) and the summaries;
it is rewritten after every run, so an interrupted measurement can be continued with --resume (runs already in the
file without an error are skipped) and printed with --table.  Markdown tables are printed at the end.  --jobs J
runs J flowrun processes at once (they share the cores: compare wall seconds only at --jobs 1).  The binary is
--flowrun, default $FLOWRUN or .build/release/flowrun.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import analyzer  # noqa: E402
import eval_flowrun as ef  # noqa: E402
import world  # noqa: E402

SELECTION_SEED0 = 50_000_000      # issue 15: settings are chosen on these scripts
SEED0 = 51_000_000                # issue 15: reported figures
LIB_PLAIN = os.path.join(REPO, "Graphs", "lib", "generate-video.yaml")
LIB_RAG = os.path.join(REPO, "Graphs", "lib", "generate-video-rag.yaml")
DEFAULT_FLOWRUN = os.environ.get("FLOWRUN") or ef.DEFAULT_FLOWRUN
HARNESS_PARAMS = ("model", "frames", "seed", "out", "memory_log")     # set by the harness, not by --param
FPS = world.FPS
LATENT = world.FRAMES_PER_LATENT
BLOCK_LATENTS = world.LATENTS_PER_BLOCK
SINK, WINDOW, EXCLUDE_RECENT, K = 3, 9, 5, 3        # world-tiny's cache; the rag library's defaults
STABLE_MOTIONS = [m for m in world.MOTIONS if m not in ("grow", "shrink")]
# options that change what a run measures: --resume refuses a file measured with others
RESUME_KEYS = ("minutes", "marks", "window_s", "segment_s", "b_kind", "rephrase", "suite", "seconds", "n_switches",
               "vocab", "ref_s", "area_tol", "model", "video", "param", "lib_plain", "lib_rag", "flowrun_args")

# name -> (library kind, params); kind plain = --lib_plain, rag = --lib_rag
CONFIGS = {
    "absolute": ("plain", {"positions": "absolute", "sink_update": "keep"}),
    "infinity": ("plain", {"positions": "infinity", "sink_update": "keep"}),
    "rag": ("rag", {"positions": "infinity", "sink_update": "keep"}),
    "absolute-ema": ("plain", {"positions": "absolute", "sink_update": "ema"}),
    "infinity-ema": ("plain", {"positions": "infinity", "sink_update": "ema"}),
    "rag-ema": ("rag", {"positions": "infinity", "sink_update": "ema"}),
}
DEFAULT_CONFIGS = {"long": list(CONFIGS), "return": list(CONFIGS), "recall": ["rag", "rag-ema"]}
# what a library that does not declare the param does anyway: such a param may be left out
IMPLICIT = {"positions": "absolute"}


# ---------------------------------------------------------------- configs and params

def show_path(path: str) -> str:
    """A path relative to the repository when it is inside it."""
    rel = os.path.relpath(path, REPO)
    return path if rel.startswith("..") else rel


def lib_params(path: str) -> dict:
    """The params a library declares -> their defaults (None where it has none).  ${...} substitutions are not
    YAML inside flow mappings; they are blanked before parsing (only the params section is read)."""
    with open(path) as f:
        g = yaml.safe_load(re.sub(r"\$\{[^}]*\}", "_", f.read())) or {}
    return {k: (v.get("default") if isinstance(v, dict) else v) for k, v in (g.get("params") or {}).items()}


def parse_overrides(pairs: list[str]) -> list[tuple[str | None, str, object]]:
    """--param [CONFIG:]NAME=VALUE -> [(config or None, name, value typed as YAML reads it)]."""
    out = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        scope, colon, name = key.strip().rpartition(":")
        scope = scope.strip() if colon else None
        if not sep or not name.strip():
            raise ValueError(f"--param {pair!r}: expected [CONFIG:]NAME=VALUE")
        name = name.strip()
        if name in HARNESS_PARAMS:
            raise ValueError(f"--param {name}: the harness sets {', '.join(HARNESS_PARAMS)} itself")
        if scope is not None and scope not in CONFIGS:
            raise ValueError(f"--param {pair!r}: unknown config {scope!r} (known: {', '.join(CONFIGS)})")
        (value,) = ef.parse_params([f"{name}={text}"]).values()
        out.append((scope, name, value))
    return out


def resolve_configs(names: list[str], libs: dict, overrides: list, declared: dict) -> tuple[dict, list[str]]:
    """The selected configs -> {name: dict(lib, kind, params)} and notes.  libs: kind -> library path; declared:
    library path -> {param: default}.  Raises ValueError for an unknown config, a missing library, a param the
    library does not declare, or an override no selected config takes."""
    resolved, notes = {}, []
    for name in names:
        if name not in CONFIGS:
            raise ValueError(f"unknown config {name!r} (known: {', '.join(CONFIGS)})")
        kind, params = CONFIGS[name]
        lib = libs[kind]
        if lib not in declared:
            raise ValueError(f"config {name}: library {lib} not found")
        decl = declared[lib]
        params = dict(params)
        for scope, key, value in overrides:
            if (scope is None and key in decl) or scope == name:
                params[key] = value
        for key in list(params):
            if key in decl:
                continue
            if IMPLICIT.get(key) == params[key]:
                del params[key]
                notes.append(f"{name}: {show_path(lib)} does not declare `{key}`; left out "
                             f"(the library is {key} {IMPLICIT[key]} anyway)")
            else:
                raise ValueError(f"config {name}: {show_path(lib)} does not declare param `{key}` "
                                 f"(it declares {', '.join(decl)})")
        resolved[name] = dict(lib=lib, kind=kind, params=params)
    for scope, key, _ in overrides:
        if scope is None and not any(key in declared[c["lib"]] for c in resolved.values()):
            raise ValueError(f"--param {key}: no selected config's library declares it")
    return resolved, notes


# ---------------------------------------------------------------- scripts

def seconds_to_frames(seconds: float) -> int:
    """Whole blocks of 12 frames (the denoiser rounds a partial block up)."""
    return ef.clip_frames(seconds)


def long_script(seed: int, frames: int, split: str = "train") -> world.Script:
    """One segment, one object, the world's own choice of colour, shape, size, motion and background."""
    return world.make_script(seed, frames, n_switches=0, two_objects=False, split=split)


def switch_script(seed: int, frames: int, n_switches: int, split: str = "train") -> world.Script:
    return world.make_script(seed, frames, n_switches=n_switches, split=split)


def return_script(seed: int, seg_frames: int, b_kind: str = "object", split: str = "train",
                  rephrase: bool = False) -> world.Script:
    """Segments A, B, A' of seg_frames each (rounded down to whole blocks).  A: one object that neither grows nor
    shrinks; B (object): another colour, another shape and the other size, at its own position; B (colour): A's
    object where A left it, another colour; A': A's attributes (and prompt, unless rephrase)."""
    seg = max(world.BLOCK_FRAMES, seg_frames - seg_frames % world.BLOCK_FRAMES)
    rng = np.random.default_rng(seed)
    bg = world._pick(rng, world.BACKGROUND_NAMES)
    a = world._new_obj(rng, motion=world._pick(rng, STABLE_MOTIONS))
    if b_kind == "object":
        b = world._new_obj(rng, avoid_colours=(a.colour,), motion=world._pick(rng, STABLE_MOTIONS))
        b.shape = world._pick(rng, [s for s in world.SHAPES if s != a.shape])
        b.size = "small" if a.size == "large" else "large"
        b.r0 = world.SIZES[b.size]
        a2 = world.Obj(a.colour, a.shape, a.size, a.motion, a.x0, a.y0, a.r0)
    elif b_kind == "colour":
        b = world._state_at_end(a, seg)
        b.colour = world._pick(rng, [c for c in world.COLOUR_NAMES if c != a.colour])
        a2 = world._state_at_end(b, seg)
        a2.colour = a.colour
    else:
        raise ValueError(f"b_kind {b_kind!r}: object or colour")
    segs = [world.Segment(0, bg, [a], "start"), world.Segment(seg, bg, [b], "colour"),
            world.Segment(2 * seg, bg, [a2], "colour")]
    prng = np.random.default_rng(seed * 7919 + (1 if split == "train" else 2))
    for s in segs[:2]:
        s.prompt = world.phrase(s, prng, split)
    segs[2].prompt = world.phrase(segs[2], prng, split) if rephrase else segs[0].prompt
    return world.Script(seed, 3 * seg, segs)


def scene_key(seg: world.Segment) -> tuple:
    """What a segment shows (not where it starts or how it is phrased)."""
    return (seg.bg,) + tuple((o.colour, o.shape, o.size, o.motion) for o in seg.objs)


def latent_segment(script: world.Script, p: int) -> int:
    """The segment of latent frame p, which covers video frames 4p..4p+3: the one holding video frame 4p."""
    return script.segment_at(LATENT * int(p))


# ---------------------------------------------------------------- reading the analyzer

def main_colour(frame_an: dict) -> str | None:
    """The colour of the largest object detected in one analysed frame."""
    objs = frame_an["objs"]
    return max(objs, key=lambda c: objs[c]["area"]) if objs else None


SIZE_EDGE = math.sqrt(world.SIZES["small"] * world.SIZES["large"])    # radius at the log-midpoint


def size_class(area: float, shape: str) -> str:
    """small or large from an area: the radius the shape's template implies, against the log-midpoint of the two
    nominal radii."""
    r = math.sqrt(max(area, 0.0) / analyzer._AREA[shape](1.0))
    return "large" if r >= SIZE_EDGE else "small"


def first_appearance(an: list[dict], f0: int, f1: int) -> dict | None:
    """The object in frames [f0, f1) of an analysis: the colour most often the largest, its majority shape, its
    median area.  None when no object is detected there."""
    f1 = min(f1, len(an))
    cols = Counter(c for c in (main_colour(an[f]) for f in range(f0, f1)) if c is not None)
    if not cols:
        return None
    colour = cols.most_common(1)[0][0]
    seen = [an[f]["objs"][colour] for f in range(f0, f1) if colour in an[f]["objs"]]
    shape = Counter(p["shape"] for p in seen).most_common(1)[0][0]
    area = float(np.median([p["area"] for p in seen]))
    return dict(colour=colour, shape=shape, area=area, size=size_class(area, shape), frames=len(seen),
                of=f1 - f0)


def area_within(area, ref_area, tol: float) -> bool:
    return bool(area and ref_area and area > 0 and ref_area > 0 and max(area / ref_area, ref_area / area) <= tol)


def identity_window(win: list[dict], ref: dict | None, tol: float) -> dict:
    """Does a window of analysed frames show the first appearance: its colour in >= 50% of the frames, their
    majority shape its shape, their median area within a factor tol of its area."""
    if ref is None or not win:
        return dict(colour=False, shape=False, size=False, all=False, area_ratio=None)
    seen = [a["objs"][ref["colour"]] for a in win if ref["colour"] in a["objs"]]
    colour = len(seen) >= 0.5 * len(win)
    shape = bool(seen) and Counter(p["shape"] for p in seen).most_common(1)[0][0] == ref["shape"]
    ratio = float(np.median([p["area"] for p in seen])) / ref["area"] if seen else None
    size = ratio is not None and area_within(ratio, 1.0, tol)
    return dict(colour=colour, shape=shape, size=size, all=colour and shape and size, area_ratio=ratio)


def identity_frame(frame_an: dict, ref: dict | None, tol: float) -> bool:
    if ref is None or ref["colour"] not in frame_an["objs"]:
        return False
    p = frame_an["objs"][ref["colour"]]
    return p["shape"] == ref["shape"] and area_within(p["area"], ref["area"], tol)


def local_truth(seg_truth: dict, span0: int, w0: int) -> dict:
    """A segment's truth for judge_window on an analysis that starts at video frame span0 (window start w0,
    absolute).  A segment that started before the span gets start 0 and the motion expected at w0 (a finished
    grow / shrink is still), since judge_window indexes the analysis from the segment start."""
    if seg_truth["start"] >= span0:
        return dict(seg_truth, start=seg_truth["start"] - span0)
    objs = [dict(o, motion=analyzer.expected_motion(o, w0 - seg_truth["start"])) for o in seg_truth["objs"]]
    return dict(seg_truth, start=0, objs=objs)


def mark_metrics(an: list[dict], span0: int, seg_truth: dict, ref: dict | None, tol: float,
                 win_len: int = analyzer.EVAL_LEN) -> dict:
    """The analysis of frames [span0, span0 + len(an)) of a one-segment video, judged in consecutive windows of
    win_len frames -> counts (so that runs pool): windows and their colour / shape / motion / all / identity, frames
    and their present / persistence / identity, and the median area ratio to the first appearance."""
    c = Counter()
    for l0 in range(0, len(an) - win_len + 1, win_len):
        j = analyzer.judge_window(an, l0, l0 + win_len, local_truth(seg_truth, span0, span0 + l0))
        o = j["objs"][0]
        c["windows"] += 1
        c["colour"] += bool(o["colour"])
        c["shape"] += bool(o["shape"])
        c["motion"] += bool(o["motion"])
        c["all"] += bool(o["all"])
        c["identity"] += identity_window(an[l0:l0 + win_len], ref, tol)["all"]
    colours = [o["colour"] for o in seg_truth["objs"]]
    ratios = []
    for a in an:
        c["frames"] += 1
        c["present"] += bool(a["objs"])
        c["persistence"] += all(col in a["objs"] for col in colours)
        c["id_frames"] += identity_frame(a, ref, tol)
        if ref is not None and ref["colour"] in a["objs"]:
            ratios.append(a["objs"][ref["colour"]]["area"] / ref["area"])
    out = dict(c)
    out["area_ratio"] = float(np.median(ratios)) if ratios else None
    return out


# ---------------------------------------------------------------- decoding windows

def decode_window(path: str, f0: int, n: int, fps: int = FPS) -> np.ndarray:
    """Frames f0 .. f0+n-1 of a video file or PNG sequence -> uint8 [n, 64, 64, 3] RGB, decoding only around them.
    A file: input seek to a second before, timestamps kept (-copyts) and selected from f0 on, so the frames are
    exactly those of a whole decode (frame k has pts k / fps in video.encoder's files)."""
    w, h = ef.video_size(path)
    if (w, h) != (world.W, world.H):
        raise ValueError(f"{path}: {w}x{h} frames, expected {world.W}x{world.H}")
    if "%" in path:
        first = next((i for i in range(5) if os.path.exists(path % i)), 0)
        args = ["-f", "image2", "-start_number", str(first + f0), "-i", path]
    else:
        t0 = f0 / fps
        args = ["-ss", f"{max(0.0, t0 - 1.0):.6f}", "-i", path, "-copyts",
                "-vf", f"select=gte(t\\,{t0 - 0.5 / fps:.6f})", "-fps_mode", "passthrough"]
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", *args, "-frames:v", str(n),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True)
    if out.returncode != 0:
        raise RuntimeError(f"ffmpeg cannot decode {path} at frame {f0}: "
                           f"{out.stderr.decode(errors='replace').strip()}")
    fb = world.H * world.W * 3
    if len(out.stdout) != n * fb:
        raise RuntimeError(f"{path}: frames {f0}..{f0 + n - 1} asked, {len(out.stdout) / fb:g} decoded")
    return np.frombuffer(out.stdout, np.uint8).reshape(n, world.H, world.W, 3)


# ---------------------------------------------------------------- retrieval

def parse_memory_log(text: str) -> tuple[list[dict], int]:
    """memory_log lines -> (entries, lines that were not an entry)."""
    entries, bad = [], 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            int(e["block"]), int(e["query_position"]), list(e["retrieved"])
        except (ValueError, KeyError, TypeError):
            bad += 1
            continue
        entries.append(e)
    return entries, bad


def candidate_range(block: int, sink: int = SINK, window: int = WINDOW, exclude_recent: int = EXCLUDE_RECENT,
                    block_latents: int = BLOCK_LATENTS) -> tuple[int, int]:
    """Latent positions [lo, hi) a retriever may return for block b if its bank holds everything evicted: before
    block b the cache holds the sink and the newest window - block_latents frames, so [sink, b*3 - 6) were evicted;
    less the exclude_recent most recent."""
    hi = block * block_latents - (window - block_latents) - exclude_recent
    return sink, max(sink, hi)


RECALL_KEYS = ("recall", "top1", "chance", "ideal")


def recall_stats(entries: list[dict], script: world.Script, sink: int = SINK, window: int = WINDOW,
                 exclude_recent: int = EXCLUDE_RECENT) -> dict:
    """Retrieval figures of one run as pooled sums: {group: {key: [sum, count]}}.  Groups: `segment` (same segment
    as the query frame) and `scene` (same content), each over all blocks with a retrieval (`..._all`) and over mixed
    blocks, whose candidates hold both kinds; `block` (the generated block's segment, all blocks).  Keys: recall
    (fraction of retrieved frames), top1 (the best-scoring one), chance (fraction of candidates), ideal (what a
    perfect retriever reaches: min(retrieved, same candidates) / retrieved)."""
    seg_of = lambda p: latent_segment(script, p)                       # noqa: E731
    keys = [scene_key(s) for s in script.segments]
    scene_of = lambda p: keys[seg_of(p)]                               # noqa: E731
    out = {g: {k: [0.0, 0] for k in RECALL_KEYS} for g in ("segment", "segment_all", "scene", "scene_all", "block")}
    counts = Counter()
    for e in entries:
        r = [int(p) for p in e["retrieved"]]
        counts["entries"] += 1
        if not r:
            counts["empty"] += 1
            continue
        counts["retrieved"] += len(r)
        b, q = int(e["block"]), int(e["query_position"])
        scores = e.get("scores") or []
        best = r[int(np.argmax(scores))] if len(scores) == len(r) else r[0]
        lo, hi = candidate_range(b, sink, window, exclude_recent)
        hi = max(hi, max(r) + 1)
        lo = min(lo, min(r))
        cands = range(lo, hi)
        bseg = seg_of(b * BLOCK_LATENTS)
        for g, key_of, target in (("segment", seg_of, seg_of(q)), ("scene", scene_of, scene_of(q)),
                                  ("block", seg_of, bseg)):
            same = [key_of(p) == target for p in cands]
            vals = dict(recall=float(np.mean([key_of(p) == target for p in r])), top1=float(key_of(best) == target),
                        chance=float(np.mean(same)), ideal=min(len(r), sum(same)) / len(r))
            groups = [g + "_all", g] if g != "block" else ["block"]
            if g != "block" and not (any(same) and not all(same)):
                groups = [g + "_all"]
            for gg in groups:
                for k, v in vals.items():
                    out[gg][k][0] += v
                    out[gg][k][1] += 1
    out["counts"] = dict(counts)
    return out


def merge_recall(stats: list[dict]) -> dict:
    """Pooled rates of several runs' recall_stats: {group: {key: rate, 'blocks': n}} plus the summed counts."""
    out, counts = {}, Counter()
    for s in stats:
        counts.update(s.get("counts", {}))
        for g, d in s.items():
            if g == "counts":
                continue
            o = out.setdefault(g, {k: [0.0, 0] for k in RECALL_KEYS})
            for k, (sm, n) in d.items():
                o[k][0] += sm
                o[k][1] += n
    rates = {g: dict({k: (sm / n if n else None) for k, (sm, n) in d.items()}, blocks=d["recall"][1])
             for g, d in out.items()}
    rates["counts"] = dict(counts)
    return rates


def simulate_retrieval(desc: np.ndarray, k: int = K, sink: int = SINK, window: int = WINDOW,
                       exclude_recent: int = EXCLUDE_RECENT) -> list[dict]:
    """memory_log entries that a retriever with these descriptors [N, D] (L2-normalised, one per latent frame)
    would write: per block b >= 1, query = the newest latent frame before it (3b - 1), top k of the candidates by
    cosine, best first."""
    entries = []
    for b in range(1, len(desc) // BLOCK_LATENTS + 1):
        q = b * BLOCK_LATENTS - 1
        if q >= len(desc):
            break
        lo, hi = candidate_range(b, sink, window, exclude_recent)
        hi = min(hi, len(desc))
        if hi <= lo:
            entries.append(dict(block=b, query_position=q, retrieved=[], scores=[]))
            continue
        cos = desc[lo:hi] @ desc[q]
        top = np.argsort(-cos, kind="stable")[:k]
        entries.append(dict(block=b, query_position=q, retrieved=[int(lo + i) for i in top],
                            scores=[float(cos[i]) for i in top]))
    return entries


class TrueClipDescriptors:
    """The world's true frames -> normalised latents (numpy VAE encoder) -> descriptors: `model` (the shipped
    descriptor) and `avgpool` (the mean of each normalised latent channel, L2-normalised)."""

    def __init__(self, model_dir: str):
        import reference as R
        self.R = R
        cfg = json.load(open(os.path.join(model_dir, "config.json")))
        P = R.load_safetensors(os.path.join(model_dir, cfg["vae"]["file"]))
        self.vae = R.VAERef({k: v.astype(np.float32) for k, v in P.items()}, cfg["vae"])
        self.mean = np.asarray(cfg["denoiser"]["latent_mean"], np.float64)[None, :, None, None]
        self.std = np.asarray(cfg["denoiser"]["latent_std"], np.float64)[None, :, None, None]
        self.desc = None
        if cfg.get("descriptor") and not cfg["descriptor"].get("missing"):
            self.desc = R.load_safetensors(os.path.join(model_dir, cfg["descriptor"]["file"]))

    def latents(self, frames: np.ndarray, chunk: int = 12) -> np.ndarray:
        """uint8 [T, 64, 64, 3] (T a multiple of 4) -> normalised latents [T/4, 16, 8, 8], encoded in chunks of
        `chunk` latent frames with the causal cache carried."""
        video = (frames.astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2)
        zs, cache = [], None
        for i in range(0, len(video) - len(video) % LATENT, chunk * LATENT):
            z, cache = self.vae.encode(video[i:i + chunk * LATENT], cache)
            zs.append(z)
        return (np.concatenate(zs).astype(np.float64) - self.mean) / self.std

    def describe(self, zn: np.ndarray) -> dict:
        out = {}
        if self.desc is not None:
            out["model"] = self.R.descriptor_forward(self.desc, zn)
        out["avgpool"] = self.R.l2n(zn.mean(axis=(2, 3)))
        return out


# ---------------------------------------------------------------- scoring runs

def score_long(script: world.Script, video: str, a) -> dict:
    truth = world.truth(script)[0]
    ref_end = min(script.frames, int(round(a.ref_s * FPS)))
    ref_an = analyzer.analyze(decode_window(video, 0, ref_end))
    ref = first_appearance(ref_an, analyzer.EVAL_SKIP, ref_end)
    win_f = max(analyzer.EVAL_LEN, int(a.window_s * FPS) // analyzer.EVAL_LEN * analyzer.EVAL_LEN)
    marks = {}
    for m in a.mark_list:
        mf = int(round(m * 60 * FPS))
        if mf > script.frames:
            continue
        span0 = max(analyzer.EVAL_SKIP, mf - win_f)     # the first block is never judged, as in the analyzer
        an = analyzer.analyze(decode_window(video, span0, mf - span0))
        marks[f"{m:g}"] = dict(mark_frame=mf, span=[span0, mf], **mark_metrics(an, span0, truth, ref, a.area_tol))
    return dict(truth=truth["objs"][0], bg=truth["bg"], ref=ref, no_ref=ref is None, marks=marks)


def score_return(script: world.Script, video: str, a) -> dict:
    frames = decode_window(video, 0, script.frames)
    an = analyzer.analyze(frames)
    truth = world.truth(script)
    ref_f = int(round(a.ref_s * FPS))
    starts = [s.start for s in script.segments] + [script.frames]
    first = [first_appearance(an, starts[i] + analyzer.EVAL_SKIP, min(starts[i + 1], starts[i] + ref_f))
             for i in range(3)]
    ref, back = first[0], first[2]
    if ref is None or back is None:
        match = dict(colour=False, shape=False, size=False, size_class=False, all=False, area_ratio=None)
    else:
        ratio = back["area"] / ref["area"]
        match = dict(colour=back["colour"] == ref["colour"], shape=back["shape"] == ref["shape"],
                     size=area_within(ratio, 1.0, a.area_tol), size_class=back["size"] == ref["size"],
                     area_ratio=ratio)
        match["all"] = match["colour"] and match["shape"] and match["size"]
    o = truth[0]["objs"][0]
    true_a = dict(colour=ref is not None and ref["colour"] == o["colour"],
                  shape=ref is not None and ref["shape"] == o["shape"], size=ref is not None and ref["size"] == o["size"])
    true_back = dict(colour=back is not None and back["colour"] == o["colour"],
                     shape=back is not None and back["shape"] == o["shape"],
                     size=back is not None and back["size"] == o["size"])
    rep = analyzer.score_video(frames, truth, window_every=analyzer.EVAL_LEN)
    segs = []
    for si in range(3):
        ws = [w["objs"][0] for w in rep["windows"] if w["seg"] == si]
        segs.append(dict(windows=len(ws), **{k: sum(bool(w[k]) for w in ws) for k in ("colour", "shape", "motion", "all")}))
    return dict(truth=[t["objs"][0] for t in truth], bg=truth[0]["bg"], first=first, match=match,
                truth_a=true_a, truth_back=true_back, segments=segs, delays=rep["delays"],
                persistence=rep["persistence"])


def score_plain(script: world.Script, video: str, a) -> dict:
    """recall runs: the analyzer's usual report alongside the retrieval figures."""
    frames = decode_window(video, 0, script.frames)
    rep = analyzer.score_video(frames, world.truth(script))
    return dict(summary=analyzer.summarize([rep]))


SCORERS = {"long": score_long, "return": score_return, "recall": score_plain}


# ---------------------------------------------------------------- running

def make_scripts(a) -> list[world.Script]:
    split = lambda i: ef.script_vocab(a.vocab, i)                      # noqa: E731
    if a.measurement == "long":
        frames = seconds_to_frames(a.minutes * 60)
        return [long_script(a.seed0 + i, frames, split(i)) for i in range(a.n)]
    if a.measurement == "return" or a.suite == "return":
        seg = int(a.segment_s * FPS)
        return [return_script(a.seed0 + i, seg, a.b_kind, split(i), a.rephrase) for i in range(a.n)]
    return [switch_script(a.seed0 + i, seconds_to_frames(a.seconds), a.n_switches, split(i)) for i in range(a.n)]


def run_key(rec: dict) -> tuple:
    return (rec["config"], rec["seed"], rec["noise_seed"])


def run_one(a, cfg_name: str, cfg: dict, script: world.Script, noise_seed: int, run_dir: str) -> dict:
    """Wrapper graph, flowrun, scoring -> the run's record (an `error` key instead of metrics when it failed)."""
    name = f"{cfg_name}_s{script.seed}_n{noise_seed}"
    out = ef.video_path(run_dir, name, a.video)
    params = dict(model=a.model, frames=script.frames, seed=noise_seed, out=out, **cfg["params"])
    mem_log = None
    if cfg["kind"] == "rag":
        mem_log = params["memory_log"] = os.path.join(run_dir, name + ".memory.jsonl")
    graph_text = ef.wrapper_graph(script.prompts(), cfg["lib"], params)
    graph = os.path.join(run_dir, name + ".yaml")
    with open(graph, "w") as f:
        f.write(graph_text)
    extra = shlex.split(a.flowrun_args)
    rc, log, wall = ef.run_flowrun(a.flowrun, graph, extra)
    rec = dict(measurement=a.measurement, config=cfg_name, seed=script.seed, noise_seed=noise_seed,
               frames=script.frames, prompts=[[at, p] for at, p in script.prompts()], graph=graph_text,
               command=shlex.join([a.flowrun, graph, *extra]), wall_s=round(wall, 3), rc=rc, log_tail=ef.log_tail(log))
    if a.keep:
        with open(os.path.join(run_dir, name + ".log"), "w") as f:
            f.write(log)
    try:
        if rc != 0:
            raise RuntimeError(f"flowrun exited {rc}")
        rec.update(SCORERS[a.measurement](script, out, a))
        if mem_log is not None:
            text = open(mem_log).read() if os.path.exists(mem_log) else ""
            entries, bad = parse_memory_log(text)
            rec["memory_log"] = dict(lines=len(entries), bad_lines=bad)
            if not entries:
                raise RuntimeError(f"the retriever wrote no memory_log lines to {mem_log}")
            rec["recall"] = recall_stats(entries, script, a.sink, a.window, cfg_exclude_recent(cfg))
    except Exception as e:          # noqa: BLE001 - one failed run must not lose an hour of others
        rec["error"] = f"{type(e).__name__}: {e}"
    finally:
        if not a.keep:
            for p in (graph, mem_log):
                if p and os.path.exists(p):
                    os.remove(p)
            if "%" in out:
                shutil.rmtree(os.path.dirname(out), ignore_errors=True)
            elif os.path.exists(out):
                os.remove(out)
    return rec


def cfg_exclude_recent(cfg: dict) -> int:
    return int(cfg["params"].get("exclude_recent", cfg.get("defaults", {}).get("exclude_recent") or EXCLUDE_RECENT))


def save(a, result: dict, lock: threading.Lock):
    if not a.out:
        return
    with lock:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        tmp = a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=1)
        os.replace(tmp, a.out)


def run_measurement(a, configs: dict, scripts: list[world.Script], result: dict) -> list[dict]:
    done = {run_key(r): r for r in result["runs"] if "error" not in r}
    jobs = [(name, sc, ns) for sc in scripts for name in configs for ns in a.noise_seed_list
            if (name, sc.seed, ns) not in done]
    if not jobs:
        return result["runs"]
    lock = threading.Lock()
    result["runs"] = [r for r in result["runs"] if "error" not in r]
    run_dir = tempfile.mkdtemp(prefix="eval_memory_")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = {pool.submit(run_one, a, name, configs[name], sc, ns, run_dir): (name, sc.seed, ns)
                   for name, sc, ns in jobs}
        for i, fut in enumerate(concurrent.futures.as_completed(futures), 1):
            rec = fut.result()
            with lock:
                result["runs"].append(rec)
            state = f"ERROR {rec['error']}" if "error" in rec else "ok"
            print(f"[{i}/{len(jobs)}] {rec['config']} script {rec['seed']} noise {rec['noise_seed']}: "
                  f"{rec['wall_s']:.1f} s, {state}" + (f"\n{rec['log_tail']}" if "error" in rec else ""),
                  file=sys.stderr, flush=True)
            save(a, result, lock)
    if a.keep:
        print(f"wrappers, clips and logs kept in {run_dir}", file=sys.stderr)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    order = {k: i for i, k in enumerate((n, sc.seed, ns) for sc in scripts for n in configs for ns in a.noise_seed_list)}
    result["runs"].sort(key=lambda r: order.get(run_key(r), len(order)))
    return result["runs"]


def true_clip_recall(a, scripts: list[world.Script]) -> dict:
    """Descriptor recall on the world's true frames of every script: {descriptor name: recall_stats per script}."""
    tc = TrueClipDescriptors(a.model)
    out = {}
    for sc in scripts:
        zn = tc.latents(world.render(sc, 0, sc.frames))
        for name, desc in tc.describe(zn).items():
            entries = simulate_retrieval(desc, a.k, a.sink, a.window, a.exclude_recent)
            out.setdefault(name, []).append(recall_stats(entries, sc, a.sink, a.window, a.exclude_recent))
    return out


# ---------------------------------------------------------------- summaries and tables

def _rate(num, den):
    return num / den if den else None


def summarize(result: dict) -> dict:
    """Pooled figures per config (and mark) from the records; failed runs are counted, not scored."""
    m = result["measurement"]
    runs = [r for r in result["runs"] if "error" not in r]
    configs = list(result.get("configs") or dict.fromkeys(r["config"] for r in runs))
    out = dict(failed=sum("error" in r for r in result["runs"]))
    if m == "long":
        rows = []
        marks = sorted({k for r in runs for k in r["marks"]}, key=float)
        for c in configs:
            for mk in marks:
                recs = [r for r in runs if r["config"] == c and mk in r["marks"]]
                if not recs:
                    continue
                tot = Counter()
                for r in recs:
                    tot.update({k: v for k, v in r["marks"][mk].items() if isinstance(v, (int, float)) and k not in
                                ("mark_frame", "area_ratio")})
                ratios = [r["marks"][mk]["area_ratio"] for r in recs if r["marks"][mk]["area_ratio"] is not None]
                rows.append(dict(config=c, mark=mk, scripts=len(recs), windows=tot["windows"], frames=tot["frames"],
                                 no_ref=sum(r["no_ref"] for r in recs),
                                 **{k: _rate(tot[k], tot["windows"]) for k in ("colour", "shape", "motion", "all", "identity")},
                                 **{k: _rate(tot[k], tot["frames"]) for k in ("present", "persistence", "id_frames")},
                                 area_ratio=float(np.median(ratios)) if ratios else None,
                                 wall_s=float(np.mean([r["wall_s"] for r in recs]))))
        out["rows"] = rows
    elif m == "return":
        rows = []
        for c in configs:
            recs = [r for r in runs if r["config"] == c]
            if not recs:
                continue
            n = len(recs)
            row = dict(config=c, scripts=n, **{k: sum(bool(r["match"][k]) for r in recs) / n
                                               for k in ("all", "colour", "shape", "size", "size_class")})
            ratios = [r["match"]["area_ratio"] for r in recs if r["match"]["area_ratio"] is not None]
            row["area_ratio"] = float(np.median(ratios)) if ratios else None
            row["truth_a"] = sum(all(r["truth_a"].values()) for r in recs) / n
            row["truth_back"] = sum(all(r["truth_back"].values()) for r in recs) / n
            for si, role in enumerate(("A", "B", "A'")):
                tot = Counter()
                for r in recs:
                    tot.update(r["segments"][si])
                row[role] = {k: _rate(tot[k], tot["windows"]) for k in ("colour", "shape", "motion", "all")}
                row[role]["windows"] = tot["windows"]
            for si, role in ((0, "B"), (1, "A'")):
                ds = [r["delays"][si]["delay"] for r in recs if len(r["delays"]) > si]
                row["switch_" + role] = _rate(sum(d is not None and d <= world.BLOCK_FRAMES for d in ds), len(ds))
            row["persistence"] = float(np.mean([r["persistence"] for r in recs]))
            row["wall_s"] = float(np.mean([r["wall_s"] for r in recs]))
            rows.append(row)
        out["rows"] = rows
    recall_rows = []
    for c in (configs if m != "long" else []):       # one segment: every retrieval is trivially right
        recs = [r for r in runs if r["config"] == c and "recall" in r]
        if recs:
            recall_rows.append(dict(source=c, runs=len(recs), **merge_recall([r["recall"] for r in recs])))
    for name, stats in (result.get("true_clips") or {}).items():
        recall_rows.append(dict(source=f"true clips, {name} descriptor", runs=len(stats), **merge_recall(stats)))
    if recall_rows:
        out["recall"] = recall_rows
    return out


def _p(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _x(x) -> str:
    return "-" if x is None else f"{x:.2f}"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def format_tables(result: dict, summary: dict | None = None) -> str:
    """The markdown tables of a result (summarised from its records when summary is None)."""
    s = summary or summarize(result)
    m = result["measurement"]
    parts = [f"**{m}**: {result.get('description', '')}".rstrip(": ")]
    for note in result.get("notes", []):
        parts.append(f"- note: {note}")
    if s.get("failed"):
        parts.append(f"- {s['failed']} run(s) failed (see `error` in the JSON); not scored")
    if m == "long":
        parts.append(md_table(
            ["config", "mark", "scripts", "windows", "colour", "shape", "motion", "all", "present", "persistence",
             "identity", "id frames", "area ratio"],
            [[r["config"], f"{r['mark']} min", r["scripts"], r["windows"], _p(r["colour"]), _p(r["shape"]),
              _p(r["motion"]), _p(r["all"]), _p(r["present"]), _p(r["persistence"]), _p(r["identity"]),
              _p(r["id_frames"]), _x(r["area_ratio"])] for r in s.get("rows", [])]))
    elif m == "return":
        rows = s.get("rows", [])
        parts.append("Does A' match A's first appearance (per script):")
        parts.append(md_table(
            ["config", "scripts", "match", "colour", "shape", "size (area)", "size class", "area ratio",
             "A right", "A' right"],
            [[r["config"], r["scripts"], _p(r["all"]), _p(r["colour"]), _p(r["shape"]), _p(r["size"]),
              _p(r["size_class"]), _x(r["area_ratio"]), _p(r["truth_a"]), _p(r["truth_back"])] for r in rows]))
        parts.append("Analyzer windows per segment (all = colour, shape, motion and background right), switches "
                     "within one block:")
        parts.append(md_table(
            ["config", "A all", "B all", "A' all", "A' colour", "A' shape", "A' motion", "switch to B",
             "switch to A'", "persistence"],
            [[r["config"], _p(r["A"]["all"]), _p(r["B"]["all"]), _p(r["A'"]["all"]), _p(r["A'"]["colour"]),
              _p(r["A'"]["shape"]), _p(r["A'"]["motion"]), _p(r["switch_B"]), _p(r["switch_A'"]),
              _p(r["persistence"])] for r in rows]))
    if s.get("recall"):
        parts.append("Retrieval (mixed blocks: the candidates hold frames of both kinds; chance = the candidates' "
                     "fraction, assuming the bank holds every evicted frame; ideal = a perfect retriever's recall@k, "
                     "below 100% where fewer than k candidates qualify):")
        parts.append(md_table(
            ["source", "runs", "blocks", "recall@k", "chance", "ideal", "top-1", "scene blocks", "scene recall@k",
             "scene chance", "scene ideal", "scene top-1", "all blocks recall@k"],
            [[r["source"], r["runs"], r["segment"]["blocks"], _p(r["segment"]["recall"]), _p(r["segment"]["chance"]),
              _p(r["segment"]["ideal"]), _p(r["segment"]["top1"]), r["scene"]["blocks"], _p(r["scene"]["recall"]),
              _p(r["scene"]["chance"]), _p(r["scene"]["ideal"]), _p(r["scene"]["top1"]),
              _p(r["segment_all"]["recall"])] for r in s["recall"]]))
    if result.get("video") == "mp4":
        parts.append("- frames read from MP4 (x264 crf 23, yuv420p): colours at object edges are slightly off; "
                     "the analyzer tolerates it")
    return "\n\n".join(parts)


# ---------------------------------------------------------------- command line

def parse_args(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--configs", default=None,
                        help=f"comma-separated, of {', '.join(CONFIGS)}; `none` runs no flowrun "
                             "(default: all six; recall: rag,rag-ema)")
    common.add_argument("--param", action="append", default=[], metavar="[CONFIG:]NAME=VALUE",
                        help="a library param, typed as YAML reads it, for every config whose library declares "
                             "it, or for CONFIG only (repeatable)")
    common.add_argument("--lib_plain", default=LIB_PLAIN, help="library of absolute / infinity configs")
    common.add_argument("--lib_rag", default=LIB_RAG, help="library of rag configs")
    common.add_argument("--model", default=ef.DEFAULT_MODEL, help="world-tiny folder")
    common.add_argument("--flowrun", default=DEFAULT_FLOWRUN, help="flowrun binary (default $FLOWRUN or "
                        ".build/release/flowrun)")
    common.add_argument("--flowrun_args", default="", help="extra flowrun flags, one string: --flowrun_args=--stats")
    common.add_argument("--n", type=int, default=None, help="scripts (default: long 4, return 20, recall 20)")
    common.add_argument("--seed0", type=int, default=SEED0,
                        help=f"first script seed: {SEED0:,} reported, {SELECTION_SEED0:,} for choosing settings")
    common.add_argument("--noise_seeds", default="0", help="comma-separated noise seeds, each run on every script")
    common.add_argument("--vocab", default="train", choices=["train", "extra", "both"], help="prompt vocabulary")
    common.add_argument("--video", default=None, choices=["png", "mp4"], help="long: mp4; return, recall: png")
    common.add_argument("--ref_s", type=float, default=10.0, help="seconds of a segment's first appearance")
    common.add_argument("--area_tol", type=float, default=1.5, help="identity: area within this factor")
    common.add_argument("--sink", type=int, default=SINK, help="sink latent frames (chance estimate)")
    common.add_argument("--window", type=int, default=WINDOW, help="window latent frames incl. the block")
    common.add_argument("--jobs", type=int, default=1, help="flowrun processes at once")
    common.add_argument("--keep", action="store_true", help="keep wrappers, clips, logs and memory logs")
    common.add_argument("--resume", action="store_true", help="skip runs already in --out without an error")
    common.add_argument("--out", default=None, help="JSON: args, configs, notes, per-run records, summaries")

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Reprint tables: eval_memory.py --table OUT.json")
    sub = ap.add_subparsers(dest="measurement", required=True)
    p = sub.add_parser("long", parents=[common], help="one prompt for --minutes; analyzer at the marks")
    p.add_argument("--minutes", type=float, default=60.0, help="video length (57,600 frames at 60)")
    p.add_argument("--marks", default="1,10,60", help="minutes; marks beyond the length are skipped")
    p.add_argument("--window_s", type=float, default=30.0, help="seconds before each mark that are judged")
    p = sub.add_parser("return", parents=[common], help="prompt A, B, A again")
    p.add_argument("--segment_s", type=float, default=20.0, help="seconds per segment (whole blocks)")
    p.add_argument("--b_kind", default="object", choices=["object", "colour"], help="what B changes")
    p.add_argument("--rephrase", action="store_true", help="phrase A' anew instead of repeating A's prompt")
    p = sub.add_parser("recall", parents=[common], help="retrieval quality from memory logs and on true clips")
    p.add_argument("--suite", default="return", choices=["return", "switches"])
    p.add_argument("--segment_s", type=float, default=20.0, help="return suite: seconds per segment")
    p.add_argument("--b_kind", default="object", choices=["object", "colour"])
    p.add_argument("--rephrase", action="store_true")
    p.add_argument("--seconds", type=float, default=60.0, help="switches suite: clip length")
    p.add_argument("--n_switches", type=int, default=4, help="switches suite: switches per script")
    p.add_argument("--true_clips", default="on", choices=["on", "off"],
                   help="descriptor recall on the true frames (numpy VAE, no flowrun)")
    p.add_argument("--k", type=int, default=K, help="true clips: frames retrieved per block")
    p.add_argument("--exclude_recent", type=int, default=EXCLUDE_RECENT, help="true clips: newest evicted left out")
    a = ap.parse_args(argv)
    a.model, a.flowrun, a.lib_plain, a.lib_rag = (os.path.abspath(x) for x in (a.model, a.flowrun, a.lib_plain, a.lib_rag))
    if a.n is None:
        a.n = {"long": 4, "return": 20, "recall": 20}[a.measurement]
    if a.video is None:
        a.video = "mp4" if a.measurement == "long" else "png"
    if a.configs is None:
        a.config_list = DEFAULT_CONFIGS[a.measurement]
    else:
        a.config_list = [c.strip() for c in a.configs.split(",") if c.strip() and c.strip() != "none"]
    a.noise_seed_list = [int(x) for x in a.noise_seeds.split(",") if x.strip()]
    a.mark_list = [float(x) for x in a.marks.split(",") if x.strip()] if a.measurement == "long" else []
    for attr, default in (("suite", "return"), ("b_kind", "object"), ("rephrase", False)):
        if not hasattr(a, attr):
            setattr(a, attr, default)
    return a


def describe(a) -> str:
    if a.measurement == "long":
        return (f"{a.n} one-object scripts from {a.seed0}, {a.minutes:g} min, marks {a.marks} min, "
                f"{a.window_s:g} s before each, identity area factor {a.area_tol:g}")
    if a.measurement == "return" or a.suite == "return":
        return (f"{a.n} return scripts (A, B, A') from {a.seed0}, {a.segment_s:g} s segments, B changes the "
                f"{a.b_kind}, A' {'rephrased' if a.rephrase else 'is A’s prompt'}")
    return f"{a.n} scripts with {a.n_switches} switches from {a.seed0}, {a.seconds:g} s"


def print_table_file(path: str):
    with open(path) as f:
        result = json.load(f)
    print(format_tables(result))


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--table"]:
        if len(argv) != 2:
            raise SystemExit("usage: eval_memory.py --table OUT.json")
        print_table_file(argv[1])
        return None
    a = parse_args(argv)
    try:
        overrides = parse_overrides(a.param)
        libs = dict(plain=a.lib_plain, rag=a.lib_rag)
        needed = {libs[CONFIGS[c][0]] for c in a.config_list if c in CONFIGS}
        declared = {lib: lib_params(lib) for lib in needed if os.path.exists(lib)}
        configs, notes = resolve_configs(a.config_list, libs, overrides, declared)
    except (ValueError, yaml.YAMLError) as e:
        raise SystemExit(f"error: {e}")
    for c in configs.values():
        c["defaults"] = declared[c["lib"]]
    if configs and not os.path.exists(a.flowrun):
        raise SystemExit(f"--flowrun {a.flowrun}: no such file")
    if not os.path.isdir(a.model):
        raise SystemExit(f"--model {a.model}: no such folder")
    if any(m > a.minutes for m in a.mark_list):
        notes.append(f"marks beyond {a.minutes:g} min skipped: {[m for m in a.mark_list if m > a.minutes]}")
    scripts = make_scripts(a)
    result = dict(measurement=a.measurement, description=describe(a), args=vars(a), video=a.video,
                  configs={n: dict(lib=show_path(c["lib"]), params=c["params"]) for n, c in configs.items()},
                  notes=notes, runs=[])
    if a.resume and a.out and os.path.exists(a.out):
        with open(a.out) as f:
            old = json.load(f)
        if old.get("measurement") != a.measurement:
            raise SystemExit(f"--resume: {a.out} holds a {old.get('measurement')} measurement")
        changed = [k for k in RESUME_KEYS if k in old.get("args", {}) and old["args"][k] != result["args"].get(k)]
        if changed:
            raise SystemExit(f"--resume: {a.out} was measured with other {', '.join('--' + k for k in changed)}")
        result["runs"] = old.get("runs", [])
        if old.get("true_clips"):
            result["true_clips"] = old["true_clips"]
    t0 = time.time()
    if configs:
        run_measurement(a, configs, scripts, result)
    if a.measurement == "recall" and a.true_clips == "on" and not result.get("true_clips"):
        t1 = time.time()
        result["true_clips"] = true_clip_recall(a, scripts)
        print(f"true-clip descriptors: {time.time() - t1:.1f} s", file=sys.stderr)
    result["elapsed_s"] = round(time.time() - t0, 1)
    result["summary"] = summarize(result)
    save(a, result, threading.Lock())
    print(format_tables(result, result["summary"]))
    return result


if __name__ == "__main__":
    main()
