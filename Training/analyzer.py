"""Analyzer: reads frames only (uint8 [T, 64, 64, 3]) and measures what the world's truth says should be there.

Per frame:  background = nearest background palette colour to the per-channel median;  object pixels are
those nearer to an object palette colour than to the background (and within MAX_COLOUR_DIST of it); per
colour an alpha map (projection of the pixel on the background->colour segment) gives area and a
circular-mean centroid (the plane wraps);  shape = the template (circle / square / triangle, rendered by the
world's own rasteriser at the size implied by the area) with the smallest L1 error to the alpha map.
Per segment:  motion from the unwrapped centroid track (8 directions, still, bounce = vertical oscillation,
grow / shrink = area trend);  switch delay = frames from a switch until the new state is observed and holds.

    python3 Training/analyzer.py --validate 400      # error rates on ground-truth clips
"""
from __future__ import annotations

import argparse
import json
import math
from collections import Counter

import numpy as np

import world

OBJ_NAMES = world.COLOUR_NAMES
OBJ_RGB = np.array([world.COLOURS[c] for c in OBJ_NAMES], np.float32)
BG_NAMES = world.BACKGROUND_NAMES
BG_RGB = np.array([world.BACKGROUNDS[c] for c in BG_NAMES], np.float32)
MAX_COLOUR_DIST = 90.0
MIN_AREA = 12.0             # pixels (alpha sum) for an object to count
MOVE_SPEED = 0.35           # px/frame
EVAL_SKIP = 12              # frames skipped after a segment start before judging it (one block)
EVAL_LEN = 32               # frames judged per window


def analyze_frame(img: np.ndarray):
    """img uint8 [64, 64, 3] -> dict(bg=name, objs={colour: dict(area, x, y, shape)})"""
    px = img.reshape(-1, 3).astype(np.float32)
    med = np.median(px, axis=0)
    bgi = int(np.argmin(((BG_RGB - med) ** 2).sum(1)))
    bg = BG_RGB[bgi]
    d_obj = np.sqrt(((px[:, None, :] - OBJ_RGB[None]) ** 2).sum(-1))      # [P, 8]
    d_bg = np.sqrt(((px - bg) ** 2).sum(-1))
    lab = np.argmin(d_obj, 1)
    dmin = d_obj[np.arange(len(px)), lab]
    # alpha of each pixel against its nearest object colour
    seg = OBJ_RGB[lab] - bg
    alpha = np.clip(((px - bg) * seg).sum(1) / np.maximum((seg * seg).sum(1), 1e-6), 0, 1)
    # a pixel belongs to colour c if it lies near the bg->c segment (blend) and is not background
    proj = bg + alpha[:, None] * seg
    off_seg = np.sqrt(((px - proj) ** 2).sum(1))
    is_obj = (d_bg > 25.0) & (off_seg < 45.0) & ((dmin < MAX_COLOUR_DIST) | (alpha < 0.9))
    objs = {}
    for ci in np.unique(lab[is_obj]):
        sel = is_obj & (lab == ci)
        a = np.zeros(len(px), np.float32)
        a[sel] = alpha[sel]
        area = float(a.sum())
        if area < MIN_AREA or (a > 0.8).sum() < 4:
            continue
        amap = a.reshape(world.H, world.W)
        objs[OBJ_NAMES[ci]] = _shape_and_pos(amap, area)
    return dict(bg=BG_NAMES[bgi], objs=objs)


def _circ_mean(w, n):
    ang = (np.arange(n) + 0.5) / n * 2 * np.pi
    s, c = (w * np.sin(ang)).sum(), (w * np.cos(ang)).sum()
    m = math.atan2(s, c) % (2 * np.pi)
    return m / (2 * np.pi) * n


# template geometry: area(r) and centroid offset (dy) for each shape, matching world._coverage
_AREA = {"circle": lambda r: math.pi * r * r, "square": lambda r: (1.8 * r) ** 2,
         "triangle": lambda r: 0.5 * (2.2 * r) * (1.98 * r)}
_DY = {"circle": 0.0, "square": 0.0, "triangle": (-1.1 + 0.88 + 0.88) / 3.0}


def _shape_and_pos(amap, area):
    cx = _circ_mean(amap.sum(0), world.W) - 0.5
    cy = _circ_mean(amap.sum(1), world.H) - 0.5
    # roll so the object sits at the centre (handles wrap-around)
    sx, sy = int(round(32 - cx)), int(round(32 - cy))
    m = np.roll(np.roll(amap, sy, 0), sx, 1)
    ccx, ccy = cx + sx, cy + sy
    best, best_err = None, 1e9
    for sh in world.SHAPES:
        r = math.sqrt(area / (_AREA[sh](1.0)))
        ty = ccy + 0.5 - _DY[sh] * r
        cov = world._coverage(sh, [ccx + 0.5], [ty], [r])[0]
        err = float(np.abs(cov - m).sum())
        if err < best_err:
            best, best_err = sh, err
    return dict(area=area, x=float(cx) % world.W, y=float(cy) % world.H, shape=best, fit_err=best_err / area)


def analyze(frames: np.ndarray):
    return [analyze_frame(f) for f in frames]


def _unwrap(vals, n):
    vals = np.asarray(vals, np.float64)
    d = np.diff(vals)
    d = (d + n / 2) % n - n / 2
    return np.concatenate([[vals[0]], vals[0] + np.cumsum(d)])


def classify_motion(track, min_frac=0.5, area_ref=None):
    """track: list of (x, y, area) per frame (None where missing or occluded) -> motion label or None.
    area_ref: the object's area at the start of its segment (growth that happened before the window counts)."""
    idx = [i for i, p in enumerate(track) if p is not None]
    if len(idx) < max(6, int(len(track) * min_frac)):
        return None
    pts = [track[i] for i in idx]
    t = np.array(idx, np.float64)
    # unwrap using consecutive kept frames (objects move < 32 px between kept frames)
    xs = _unwrap([p[0] for p in pts], world.W)
    ys = _unwrap([p[1] for p in pts], world.H)
    ar = np.array([p[2] for p in pts])
    n = len(pts)
    q = max(2, n // 4)
    a0, a1 = np.median(ar[:q]), np.median(ar[-q:])
    if area_ref is not None:
        if a1 > 1.35 * a0 or a1 > 1.5 * area_ref:
            return "grow"
        if a1 < 0.74 * a0 or a1 < 0.6 * area_ref:
            return "shrink"
    if a1 > 1.35 * a0:
        return "grow"
    if a1 < 0.74 * a0:
        return "shrink"
    vx = np.polyfit(t, xs, 1)[0]
    vy = np.polyfit(t, ys, 1)[0]
    sp = math.hypot(vx, vy)
    if sp >= MOVE_SPEED:
        ang = math.degrees(math.atan2(-vy, vx)) % 360
        sector = int(((ang + 22.5) % 360) // 45)
        return ["right", "up-right", "up", "up-left", "left", "down-left", "down", "down-right"][sector]
    yr = ys - np.polyval(np.polyfit(t, ys, 1), t)
    if yr.std() > 1.8:
        return "bounce"
    return "still"


def _touching(p, objs, colour):
    ra = math.sqrt(p["area"] / math.pi)
    for c, q in objs.items():
        if c == colour:
            continue
        rb = math.sqrt(q["area"] / math.pi)
        dx = (p["x"] - q["x"] + world.W / 2) % world.W - world.W / 2
        dy = (p["y"] - q["y"] + world.H / 2) % world.H - world.H / 2
        if math.hypot(dx, dy) < 1.3 * (ra + rb) + 2:
            return True
    return False


def expected_motion(o, offset):
    """grow / shrink finish within GROW_FRAMES; a window that starts later should see a still object."""
    if o["motion"] in ("grow", "shrink") and offset >= world.GROW_FRAMES + EVAL_SKIP:
        return "still"
    return o["motion"]


def judge_window(an, f0, f1, seg_truth):
    """Adherence of frames [f0, f1) to one segment's truth -> dict of booleans per attribute."""
    win = an[f0:f1]
    s0 = seg_truth["start"]
    res = {}
    bgs = Counter(a["bg"] for a in win)
    res["background"] = bgs.most_common(1)[0][0] == seg_truth["bg"]
    objs = []
    for o in seg_truth["objs"]:
        c = o["colour"]
        present = [a["objs"].get(c) for a in win]
        frac = sum(p is not None for p in present) / max(1, len(win))
        r = dict(colour=frac >= 0.5, present_frac=frac)
        shapes = Counter(p["shape"] for p in present if p is not None)
        r["shape"] = bool(shapes) and shapes.most_common(1)[0][0] == o["shape"]
        # frames where another object touches this one (occlusion changes area and centroid) are left out of the
        # motion estimate unless that leaves too few frames
        clear = [p if p is not None and not _touching(p, a["objs"], c) else None for p, a in zip(present, win)]
        n_clear = sum(p is not None for p in clear)
        src_ = clear if n_clear >= 8 else present
        exp = expected_motion(o, f0 - s0)
        ref = None
        if exp in ("grow", "shrink"):
            a0 = [an[f]["objs"][c]["area"] for f in range(s0, min(s0 + 4, f0)) if c in an[f]["objs"]]
            ref = float(np.median(a0)) if a0 else None
        mot = classify_motion([(p["x"], p["y"], p["area"]) if p is not None else None for p in src_],
                              min_frac=0.25 if src_ is clear else 0.5, area_ref=ref)
        r["motion"] = mot == exp
        r["motion_seen"] = mot
        r["all"] = r["colour"] and r["shape"] and r["motion"] and res["background"]
        objs.append(r)
    res["objs"] = objs
    return res


def switch_delay(an, sw_frame, prev_truth, new_truth, max_delay=36, hold=8):
    """Frames after a switch until the new segment's distinguishing attribute is observed for `hold` frames."""
    kind = new_truth["kind"]
    T = len(an)

    def ok_at(f):
        a = an[f]
        if kind == "enter":
            return new_truth["objs"][-1]["colour"] in a["objs"]
        if kind == "colour":
            new_cols = {o["colour"] for o in new_truth["objs"]} - {o["colour"] for o in prev_truth["objs"]}
            old_cols = {o["colour"] for o in prev_truth["objs"]} - {o["colour"] for o in new_truth["objs"]}
            return all(c in a["objs"] for c in new_cols) and not any(c in a["objs"] for c in old_cols)
        return None

    if kind in ("enter", "colour"):
        for d in range(0, max_delay + 1):
            f = sw_frame + d
            if f + hold > T:
                return None
            if all(ok_at(f + k) for k in range(hold)):
                return d
        return None
    # motion / reverse: the changed object's motion over a sliding window of 16 frames
    changed = None
    for o_new, o_old in zip(new_truth["objs"], prev_truth["objs"]):
        if o_new["motion"] != o_old["motion"]:
            changed = o_new
    if changed is None:
        return 0
    c = changed["colour"]
    L = 16
    for d in range(0, max_delay + 1):
        f = sw_frame + d
        if f + L > T:
            return None
        tr = []
        for a in an[f:f + L]:
            p = a["objs"].get(c)
            tr.append((p["x"], p["y"], p["area"]) if p is not None else None)
        if classify_motion(tr) == changed["motion"]:
            return d
    return None


def score_video(frames, truth_segments, window_every=None):
    """Full report for one generated (or true) video against the script's truth."""
    an = analyze(frames)
    T = len(frames)
    windows = []
    for si, s in enumerate(truth_segments):
        end = truth_segments[si + 1]["start"] if si + 1 < len(truth_segments) else T
        f0 = s["start"] + EVAL_SKIP
        starts = [f0] if window_every is None else list(range(f0, end - EVAL_LEN + 1, window_every))
        for w0 in starts:
            w1 = min(end, w0 + EVAL_LEN)
            if w1 - w0 >= 16:
                windows.append(dict(seg=si, n_objs=len(s["objs"]), **judge_window(an, w0, w1, s)))
    delays = []
    for si in range(1, len(truth_segments)):
        d = switch_delay(an, truth_segments[si]["start"], truth_segments[si - 1], truth_segments[si])
        delays.append(dict(kind=truth_segments[si]["kind"], delay=d))
    # persistence: per frame, are all truth objects' colours detected
    pers = []
    for f in range(T):
        si = max(i for i, s in enumerate(truth_segments) if s["start"] <= f)
        if f - truth_segments[si]["start"] < EVAL_SKIP and si > 0:
            continue
        pers.append(all(o["colour"] in an[f]["objs"] for o in truth_segments[si]["objs"]))
    # smoothness: mean |second difference| of centroids of matched objects
    acc = []
    for f in range(2, T):
        for c, p in an[f]["objs"].items():
            p1, p0 = an[f - 1]["objs"].get(c), an[f - 2]["objs"].get(c)
            if p1 and p0:
                ax = ((p["x"] - 2 * p1["x"] + p0["x"]) + 32) % 64 - 32
                ay = ((p["y"] - 2 * p1["y"] + p0["y"]) + 32) % 64 - 32
                acc.append(math.hypot(ax, ay))
    # identity: fraction of frames where a truth object's per-frame shape equals its majority shape
    ident = []
    for si, s in enumerate(truth_segments):
        end = truth_segments[si + 1]["start"] if si + 1 < len(truth_segments) else T
        for o in s["objs"]:
            sh = [an[f]["objs"][o["colour"]]["shape"] for f in range(s["start"], end) if o["colour"] in an[f]["objs"]]
            if sh:
                ident.append(Counter(sh).most_common(1)[0][1] / len(sh))
    return dict(windows=windows, delays=delays, persistence=float(np.mean(pers)) if pers else 0.0,
                jitter=float(np.mean(acc)) if acc else float("nan"),
                identity=float(np.mean(ident)) if ident else 0.0)


def summarize(reports, n_objs=None):
    """Aggregate scores over many videos (optionally only windows with n_objs objects)."""
    keys = ["background", "colour", "shape", "motion", "all"]
    cnt = Counter()
    tot = Counter()
    for r in reports:
        for w in r["windows"]:
            if n_objs is not None and w["n_objs"] != n_objs:
                continue
            tot["background"] += 1
            cnt["background"] += w["background"]
            for o in w["objs"]:
                for k in ["colour", "shape", "motion", "all"]:
                    tot[k] += 1
                    cnt[k] += bool(o[k])
    out = {k: (cnt[k] / tot[k] if tot[k] else None) for k in keys}
    out["n_windows"] = tot["background"]
    # clip-level numbers (switches, persistence, identity, jitter) only from clips whose every judged window has
    # n_objs objects, so the single- and two-object summaries do not repeat each other
    if n_objs is not None:
        reports = [r for r in reports if r["windows"] and all(w["n_objs"] == n_objs for w in r["windows"])]
    out["n_clips"] = len(reports)
    ds = [d["delay"] for r in reports for d in r["delays"]]
    out["switches"] = len(ds)
    out["switch_within_block"] = (sum(d is not None and d <= world.BLOCK_FRAMES for d in ds) / len(ds)) if ds else None
    out["switch_mean_delay"] = float(np.mean([d for d in ds if d is not None])) if any(d is not None for d in ds) else None
    out["persistence"] = float(np.mean([r["persistence"] for r in reports])) if reports else None
    out["identity"] = float(np.mean([r["identity"] for r in reports])) if reports else None
    out["jitter"] = float(np.nanmean([r["jitter"] for r in reports])) if reports else None
    return out


def validate(n: int, frames: int = 192, seed0: int = 5_000_000):
    reps1, reps = [], []
    for i in range(n):
        sc = world.make_script(seed0 + i, frames)
        fr = world.render(sc, 0, frames)
        reps.append(score_video(fr, world.truth(sc)))
    return dict(n=n, frames=frames, single=summarize(reps, 1), two=summarize(reps, 2), all=summarize(reps))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--validate", type=int, default=200)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    res = validate(a.validate)
    print(json.dumps(res, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
