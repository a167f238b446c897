"""The synthetic world: coloured shapes moving over solid backgrounds, 64x64 RGB at 16 fps.

Everything is deterministic from a seed.  A *script* is a list of segments; each segment starts at a frame
(multiple of the block length, 12 frames = 3 latent frames) and carries a full-description prompt.  The
motion of every object is a closed-form function of time, so any frame of any script can be rendered
directly (no simulation), which lets the trainers sample arbitrary windows of long videos cheaply.

The plane wraps around (a torus): an object that leaves on the right re-enters on the left.  That keeps
"moves right" true for a whole minute without walls.  "bounces" means bouncing up and down in place.

Prompts:  training phrasings use the TRAIN vocabulary, or the EXTRA one (a second set of synonyms and
templates, also for training); held-out paraphrases use the HELDOUT vocabulary (synonyms such as crimson for
red, disc for circle, "heads east" for moves right) and held-out templates that never appear in training.
Training/tests/test_world.py checks that no held-out word is in the extra vocabulary.

    python3 Training/world.py --demo out.npy      # render a demo script and print its prompts
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field

import numpy as np

H = W = 64
FPS = 16
FRAMES_PER_LATENT = 4          # VAE temporal compression
LATENTS_PER_BLOCK = 3
BLOCK_FRAMES = FRAMES_PER_LATENT * LATENTS_PER_BLOCK   # 12 video frames per denoiser block

# ---------------------------------------------------------------- palette
COLOURS = {
    "red": (220, 40, 40),
    "green": (50, 200, 60),
    "blue": (60, 110, 255),
    "yellow": (240, 220, 40),
    "purple": (170, 60, 220),
    "orange": (255, 140, 20),
    "cyan": (40, 220, 230),
    "white": (245, 245, 245),
}
COLOUR_NAMES = list(COLOURS)
BACKGROUNDS = {
    "black": (10, 10, 10),
    "dark blue": (20, 30, 90),
    "dark green": (20, 70, 30),
    "gray": (90, 90, 90),
}
BACKGROUND_NAMES = list(BACKGROUNDS)
SHAPES = ["circle", "square", "triangle"]
SIZES = {"small": 5.0, "large": 9.0}          # "radius" in pixels (half side for squares)
SIZE_NAMES = list(SIZES)
MOTIONS = ["right", "left", "up", "down", "up-right", "up-left", "down-right", "down-left",
           "still", "bounce", "grow", "shrink"]
DIRECTION_VEC = {  # pixels per frame, y grows downwards
    "right": (1.0, 0.0), "left": (-1.0, 0.0), "up": (0.0, -1.0), "down": (0.0, 1.0),
    "up-right": (0.75, -0.75), "up-left": (-0.75, -0.75),
    "down-right": (0.75, 0.75), "down-left": (-0.75, 0.75),
}
BOUNCE_PERIOD = 16.0      # frames per bounce
BOUNCE_HEIGHT = 10.0      # pixels
GROW_FRAMES = 24.0        # frames to go between sizes
R_MIN, R_MAX = 4.0, 10.0

# ---------------------------------------------------------------- vocabulary (train vs held-out)
VOCAB = {
    "train": {
        "colour": {c: [c] for c in COLOUR_NAMES},
        "shape": {"circle": ["circle", "ball"], "square": ["square"], "triangle": ["triangle"]},
        "size": {"small": ["small"], "large": ["large", "big"]},
        "motion": {
            "right": ["moves right", "drifts right", "slides to the right"],
            "left": ["moves left", "drifts left", "slides to the left"],
            "up": ["moves up", "drifts upward"],
            "down": ["moves down", "drifts downward"],
            "up-right": ["moves up and to the right"],
            "up-left": ["moves up and to the left"],
            "down-right": ["moves down and to the right"],
            "down-left": ["moves down and to the left"],
            "still": ["stays still", "does not move"],
            "bounce": ["bounces", "bounces up and down"],
            "grow": ["grows", "gets bigger"],
            "shrink": ["shrinks", "gets smaller"],
        },
        "background": {"black": ["a black background"], "dark blue": ["a dark blue background"],
                       "dark green": ["a dark green background"], "gray": ["a gray background"]},
        "templates": [
            "a {size} {colour} {shape} {motion} on {bg}",
            "a {size} {colour} {shape} {motion} over {bg}",
            "on {bg}, a {size} {colour} {shape} {motion}",
        ],
        "templates2": [
            "a {size} {colour} {shape} {motion} and a {size2} {colour2} {shape2} {motion2} on {bg}",
            "on {bg}, a {size} {colour} {shape} {motion} while a {size2} {colour2} {shape2} {motion2}",
        ],
    },
    # A second training vocabulary, disjoint from both others.  Training on two phrasings of every attribute
    # makes the denoiser read what MiniLM says a word means rather than which token it is; no word or
    # template of the held-out split appears here (Training/tests/test_world.py checks that).
    "extra": {
        "colour": {"red": ["ruby", "cherry red"], "green": ["jade", "grass green"], "blue": ["sapphire", "royal blue"],
                   "yellow": ["canary yellow", "sunflower yellow"], "purple": ["plum", "amethyst"],
                   "orange": ["pumpkin", "apricot"], "cyan": ["teal", "light blue-green"],
                   "white": ["pearl white", "milk white"]},
        "shape": {"circle": ["orb", "sphere"], "square": ["cube", "tile"], "triangle": ["triangular shape", "trigon"]},
        "size": {"small": ["miniature", "petite"], "large": ["massive", "enormous"]},
        "motion": {
            "right": ["glides right", "goes to the right"],
            "left": ["glides left", "goes to the left"],
            "up": ["ascends", "goes up"],
            "down": ["descends", "goes down"],
            "up-right": ["goes diagonally up and right"],
            "up-left": ["goes diagonally up and left"],
            "down-right": ["goes diagonally down and right"],
            "down-left": ["goes diagonally down and left"],
            "still": ["remains stationary", "holds its position"],
            "bounce": ["jumps up and down", "keeps jumping"],
            "grow": ["enlarges", "becomes larger"],
            "shrink": ["diminishes", "becomes smaller"],
        },
        "background": {"black": ["an inky black canvas"], "dark blue": ["a deep blue canvas"],
                       "dark green": ["a deep green canvas"], "gray": ["an ash gray canvas"]},
        "templates": [
            "a {size} {colour} {shape} {motion} in front of {bg}",
            "with {bg} behind it, a {size} {colour} {shape} {motion}",
            "we see a {size} {colour} {shape} which {motion}, on {bg}",
        ],
        "templates2": [
            "a {size} {colour} {shape} {motion} and a {size2} {colour2} {shape2} {motion2} in front of {bg}",
            "with {bg} behind them, a {size} {colour} {shape} {motion} next to a {size2} {colour2} {shape2} which {motion2}",
        ],
    },
    "heldout": {
        "colour": {"red": ["crimson", "scarlet"], "green": ["emerald", "lime"], "blue": ["azure", "cobalt"],
                   "yellow": ["golden", "lemon"], "purple": ["violet", "lilac"], "orange": ["tangerine", "amber"],
                   "cyan": ["turquoise", "aqua"], "white": ["snowy", "ivory"]},
        "shape": {"circle": ["disc", "round dot"], "square": ["box", "block"], "triangle": ["wedge", "pyramid"]},
        "size": {"small": ["tiny", "little"], "large": ["huge", "giant"]},
        "motion": {
            "right": ["heads east", "travels rightward"],
            "left": ["heads west", "travels leftward"],
            "up": ["rises", "climbs"],
            "down": ["sinks", "falls"],
            "up-right": ["heads northeast"],
            "up-left": ["heads northwest"],
            "down-right": ["heads southeast"],
            "down-left": ["heads southwest"],
            "still": ["stays put", "rests motionless"],
            "bounce": ["hops", "bobs up and down"],
            "grow": ["expands", "swells"],
            "shrink": ["contracts", "dwindles"],
        },
        "background": {"black": ["a pitch-black backdrop"], "dark blue": ["a navy backdrop"],
                       "dark green": ["a forest green backdrop"], "gray": ["a slate grey backdrop"]},
        "templates": [
            "against {bg} there is a {size} {colour} {shape} that {motion}",
            "the {size} {colour} {shape} {motion} across {bg}",
        ],
        "templates2": [
            "against {bg} a {size} {colour} {shape} {motion} beside a {size2} {colour2} {shape2} that {motion2}",
        ],
    },
}


@dataclass
class Obj:
    """One object's state for a segment.  Position at the segment start is (x0, y0) (pixel centre)."""
    colour: str
    shape: str
    size: str
    motion: str
    x0: float = 32.0
    y0: float = 32.0
    r0: float = 5.0


@dataclass
class Segment:
    start: int                     # first frame (multiple of BLOCK_FRAMES)
    bg: str
    objs: list[Obj]
    kind: str = "start"            # start | colour | motion | enter | reverse
    prompt: str = ""               # filled by phrase()


@dataclass
class Script:
    seed: int
    frames: int
    segments: list[Segment] = field(default_factory=list)

    def segment_at(self, f: int) -> int:
        i = 0
        for k, s in enumerate(self.segments):
            if s.start <= f:
                i = k
        return i

    def prompts(self) -> list[tuple[int, str]]:
        return [(s.start, s.prompt) for s in self.segments]


# ---------------------------------------------------------------- motion (closed form)

def obj_state(o: Obj, tau: np.ndarray):
    """Position (x, y) and radius after tau frames into the segment.  tau: array of frame offsets."""
    tau = np.asarray(tau, dtype=np.float64)
    x = np.full_like(tau, o.x0)
    y = np.full_like(tau, o.y0)
    r = np.full_like(tau, o.r0)
    if o.motion in DIRECTION_VEC:
        dx, dy = DIRECTION_VEC[o.motion]
        x = o.x0 + dx * tau
        y = o.y0 + dy * tau
    elif o.motion == "bounce":
        y = o.y0 - BOUNCE_HEIGHT * np.abs(np.sin(np.pi * tau / BOUNCE_PERIOD))
    elif o.motion == "grow":
        r = np.minimum(R_MAX, o.r0 + (R_MAX - R_MIN) * tau / GROW_FRAMES)
    elif o.motion == "shrink":
        r = np.maximum(R_MIN, o.r0 - (R_MAX - R_MIN) * tau / GROW_FRAMES)
    return np.mod(x, W), np.mod(y, H), r


# ---------------------------------------------------------------- rendering

_YY, _XX = np.meshgrid(np.arange(H, dtype=np.float32) + 0.5, np.arange(W, dtype=np.float32) + 0.5, indexing="ij")


def _coverage(shape: str, cx, cy, r):
    """Anti-aliased coverage in [0,1] for frames: cx, cy, r arrays [T] -> [T,H,W] (wrap-around)."""
    cx = np.asarray(cx, np.float32)[:, None, None]
    cy = np.asarray(cy, np.float32)[:, None, None]
    r = np.asarray(r, np.float32)[:, None, None]
    dx = np.mod(_XX[None] - cx + W / 2, W) - W / 2
    dy = np.mod(_YY[None] - cy + H / 2, H) - H / 2
    if shape == "circle":
        sd = np.sqrt(dx * dx + dy * dy) - r
    elif shape == "square":
        sd = np.maximum(np.abs(dx), np.abs(dy)) - r * 0.9
    elif shape == "triangle":
        # upward-pointing isosceles triangle: apex (0,-1.1r), base corners (+-1.1r, 0.88r)
        rr = r * 1.1

        def side(px, py, qx, qy):  # signed distance to the edge p->q, negative inside (clockwise order)
            ex, ey = qx - px, qy - py
            ln = np.sqrt(ex * ex + ey * ey)
            return ((dx - px) * ey - (dy - py) * ex) / ln

        s1 = side(0.0, -rr, rr, 0.8 * rr)
        s2 = side(rr, 0.8 * rr, -rr, 0.8 * rr)
        s3 = side(-rr, 0.8 * rr, 0.0, -rr)
        sd = np.maximum(np.maximum(s1, s2), s3)
    else:
        raise ValueError(shape)
    return np.clip(0.5 - sd, 0.0, 1.0)


def render(script: Script, f0: int, n: int, with_masks: bool = False):
    """Frames f0..f0+n-1 as uint8 [n,H,W,3]; optionally the per-object coverage masks [n, nobj_max=2, H, W]."""
    frames = np.arange(f0, f0 + n)
    out = np.zeros((n, H, W, 3), np.float32)
    masks = np.zeros((n, 2, H, W), np.float32)
    seg_idx = np.array([script.segment_at(int(f)) for f in frames])
    for si in np.unique(seg_idx):
        sel = np.nonzero(seg_idx == si)[0]
        seg = script.segments[si]
        img = np.empty((len(sel), H, W, 3), np.float32)
        img[:] = np.array(BACKGROUNDS[seg.bg], np.float32) / 255.0
        tau = frames[sel] - seg.start
        for k, o in enumerate(seg.objs):
            x, y, r = obj_state(o, tau)
            cov = _coverage(o.shape, x, y, r)
            col = np.array(COLOURS[o.colour], np.float32) / 255.0
            img = img * (1 - cov[..., None]) + col * cov[..., None]
            masks[sel, k] = cov
        out[sel] = img
    u8 = np.clip(np.round(out * 255.0), 0, 255).astype(np.uint8)
    return (u8, masks) if with_masks else u8


# ---------------------------------------------------------------- phrasing

def _pick(rng, xs):
    return xs[int(rng.integers(len(xs)))]


def phrase(seg: Segment, rng: np.random.Generator, split: str = "train") -> str:
    v = VOCAB[split]
    o = seg.objs[0]
    d = dict(size=_pick(rng, v["size"][o.size]), colour=_pick(rng, v["colour"][o.colour]),
             shape=_pick(rng, v["shape"][o.shape]), motion=_pick(rng, v["motion"][o.motion]),
             bg=_pick(rng, v["background"][seg.bg]))
    if len(seg.objs) == 1:
        return _pick(rng, v["templates"]).format(**d)
    o2 = seg.objs[1]
    d.update(size2=_pick(rng, v["size"][o2.size]), colour2=_pick(rng, v["colour"][o2.colour]),
             shape2=_pick(rng, v["shape"][o2.shape]), motion2=_pick(rng, v["motion"][o2.motion]))
    return _pick(rng, v["templates2"]).format(**d)


# ---------------------------------------------------------------- scripts

def _state_at_end(o: Obj, tau: float) -> Obj:
    x, y, r = obj_state(o, np.array([tau]))
    y0 = o.y0 if o.motion == "bounce" else float(y[0])
    return Obj(o.colour, o.shape, o.size, o.motion, float(x[0]), y0, float(r[0]))


def _new_obj(rng, avoid_colours=(), motion=None) -> Obj:
    colour = _pick(rng, [c for c in COLOUR_NAMES if c not in avoid_colours])
    shape = _pick(rng, SHAPES)
    motion = motion or _pick(rng, MOTIONS)
    size = _pick(rng, SIZE_NAMES)
    if motion == "grow":
        size = "large"      # ends large
    if motion == "shrink":
        size = "small"
    r0 = SIZES[size]
    if motion == "grow":
        r0 = R_MIN
    elif motion == "shrink":
        r0 = R_MAX
    x0 = float(rng.uniform(12, 52))
    y0 = float(rng.uniform(16, 52)) if motion != "bounce" else float(rng.uniform(28, 52))
    return Obj(colour, shape, size, motion, x0, y0, r0)


def _allowed_motions(o: Obj) -> list[str]:
    """grow only from a small radius, shrink only from a large one (so the change is visible)."""
    ms = [m for m in MOTIONS if m not in ("grow", "shrink")]
    if o.r0 <= 6.0:
        ms.append("grow")
    if o.r0 >= 8.0:
        ms.append("shrink")
    return ms


def _retarget(o: Obj, motion: str) -> Obj:
    """Same object (position/radius kept), new motion."""
    o = Obj(o.colour, o.shape, o.size, motion, o.x0, o.y0, o.r0)
    if motion == "grow":
        o.size = "large"          # keeps its current (small) radius and grows to R_MAX
    elif motion == "shrink":
        o.size = "small"
    else:
        o.size = "large" if o.r0 >= (R_MIN + R_MAX) / 2 else "small"
        o.r0 = SIZES[o.size]
    if motion == "bounce":
        o.y0 = float(np.clip(o.y0, 28, 52))
    return o


REVERSE = {"right": "left", "left": "right", "up": "down", "down": "up", "up-right": "down-left",
           "down-left": "up-right", "up-left": "down-right", "down-right": "up-left", "grow": "shrink",
           "shrink": "grow", "still": "bounce", "bounce": "still"}


def make_script(seed: int, frames: int = 96, n_switches: int | None = None, two_objects: bool | None = None,
                split: str = "train", min_seg_blocks: int = 2) -> Script:
    """A deterministic script.  Switch times are multiples of BLOCK_FRAMES."""
    rng = np.random.default_rng(seed)
    nblocks = max(1, frames // BLOCK_FRAMES)
    if two_objects is None:
        two_objects = rng.random() < 0.25
    if n_switches is None:
        n_switches = int(rng.integers(0, 3)) if nblocks >= 2 * min_seg_blocks else 0
    bg = _pick(rng, BACKGROUND_NAMES)
    objs = [_new_obj(rng)]
    if two_objects:
        objs.append(_new_obj(rng, avoid_colours=(objs[0].colour,)))
    segs = [Segment(0, bg, objs, "start")]
    starts = []
    if n_switches > 0:
        cand = list(range(min_seg_blocks, nblocks - min_seg_blocks + 1))
        if cand:
            k = min(n_switches, len(cand))
            starts = sorted(int(c) for c in rng.choice(cand, size=k, replace=False))
            # enforce spacing
            sp = []
            for s in starts:
                if not sp or s - sp[-1] >= min_seg_blocks:
                    sp.append(s)
            starts = sp
    for sb in starts:
        f = sb * BLOCK_FRAMES
        prev = segs[-1]
        cur = [_state_at_end(o, f - prev.start) for o in prev.objs]
        for k, o in enumerate(cur):     # a finished grow / shrink is, from now on, a still object
            if (o.motion == "grow" and o.r0 >= R_MAX - 0.5) or (o.motion == "shrink" and o.r0 <= R_MIN + 0.5):
                cur[k] = _retarget(o, "still")
        kinds = ["colour", "motion", "reverse"] + (["enter"] if len(cur) == 1 else [])
        kind = _pick(rng, kinds)
        if kind == "colour":
            i = int(rng.integers(len(cur)))
            others = [o.colour for o in cur]
            cur[i].colour = _pick(rng, [c for c in COLOUR_NAMES if c not in others])
            cur[i] = _retarget(cur[i], cur[i].motion if cur[i].motion not in ("grow", "shrink") else "still")
        elif kind == "motion":
            i = int(rng.integers(len(cur)))
            cur[i] = _retarget(cur[i], _pick(rng, [m for m in _allowed_motions(cur[i]) if m != cur[i].motion]))
        elif kind == "reverse":
            i = int(rng.integers(len(cur)))
            m = REVERSE[cur[i].motion]
            if m not in _allowed_motions(cur[i]):
                m = "still"
            cur[i] = _retarget(cur[i], m)
        else:  # enter: a second object appears
            cur = [_retarget(cur[0], cur[0].motion if cur[0].motion not in ("grow", "shrink") else "still")]
            cur.append(_new_obj(rng, avoid_colours=(cur[0].colour,)))
        segs.append(Segment(f, bg, cur, kind))
    prng = np.random.default_rng(seed * 7919 + (1 if split == "train" else 2))
    for s in segs:
        s.prompt = phrase(s, prng, split)
    return Script(seed, frames, segs)


def truth(script: Script) -> list[dict]:
    """Ground-truth attributes per segment, for the analyzer and the metrics."""
    out = []
    for s in script.segments:
        out.append(dict(start=s.start, bg=s.bg, kind=s.kind,
                        objs=[dict(colour=o.colour, shape=o.shape, size=o.size, motion=o.motion) for o in s.objs]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frames", type=int, default=160)
    ap.add_argument("--split", default="train")
    ap.add_argument("--demo", default=None, help="write frames [T,64,64,3] uint8 to this .npy")
    a = ap.parse_args()
    s = make_script(a.seed, a.frames, split=a.split)
    for st, p in s.prompts():
        print(st, p)
    fr = render(s, 0, a.frames)
    if a.demo:
        np.save(a.demo, fr)


if __name__ == "__main__":
    main()
