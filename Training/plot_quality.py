"""Quality over time of long runs as an SVG line chart: Training/eval_memory.py's `long` JSON, one panel per
metric, one line per config, the x axis the marks in minutes (log scale, since marks are 1, 10, 60).

    python3 Training/plot_quality.py out/eval15/long60.json --out docs/quality-over-time.svg

Plain SVG written by hand: the machine has no plotting library, and the chart is a few polylines.
"""
from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict

METRICS = (("colour", "colour right", "windows"), ("shape", "shape right", "windows"),
           ("present", "object present", "frames"), ("id_frames", "same as first appearance", "frames"))
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
PANEL_W, PANEL_H, MARGIN = 260, 170, 44


def series(doc: dict) -> dict:
    """{config: {metric: [(minute, rate)]}}, pooled over the config's scripts at each mark."""
    pooled = defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0])))
    for run in doc["runs"]:
        if run.get("rc") != 0 or not run.get("marks"):
            continue
        for minute, m in run["marks"].items():
            for key, _, denominator in METRICS:
                cell = pooled[run["config"]][key][float(minute)]
                cell[0] += m[key]
                cell[1] += m[denominator]
    return {c: {k: sorted((t, n / d) for t, (n, d) in points.items() if d) for k, points in metrics.items()}
            for c, metrics in pooled.items()}


def svg(data: dict, title: str) -> str:
    configs = sorted(data)
    minutes = sorted({t for c in configs for pts in data[c].values() for t, _ in pts})
    lo, hi = math.log10(min(minutes)), math.log10(max(minutes))

    def x(t: float) -> float:
        return MARGIN + (PANEL_W - MARGIN - 30) * ((math.log10(t) - lo) / (hi - lo) if hi > lo else 0.5)

    def y(v: float) -> float:
        return 24 + (PANEL_H - 60) * (1 - v)

    width, height = PANEL_W * len(METRICS), PANEL_H + 24 + 18 * len(configs)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="8" y="14" font-size="13">{title}</text>']
    for p, (key, label, _) in enumerate(METRICS):
        ox = p * PANEL_W
        out.append(f'<g transform="translate({ox},14)">')
        out.append(f'<text x="{MARGIN}" y="16">{label}</text>')
        for v in (0, 0.5, 1):
            out.append(f'<line x1="{MARGIN}" x2="{PANEL_W - 10}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{MARGIN - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{int(v * 100)}%</text>')
        for t in minutes:
            out.append(f'<text x="{x(t):.1f}" y="{y(0) + 16:.1f}" text-anchor="middle">{t:g} min</text>')
        for i, c in enumerate(configs):
            pts = data[c].get(key, [])
            # Configs that agree would hide each other: nudge each line by a pixel.
            coords = " ".join(f"{x(t):.1f},{y(v) + 1.5 * i:.1f}" for t, v in pts)
            colour = COLOURS[i % len(COLOURS)]
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>')
            out += [f'<circle cx="{x(t):.1f}" cy="{y(v) + 1.5 * i:.1f}" r="3" fill="{colour}"/>' for t, v in pts]
        out.append("</g>")
    for i, c in enumerate(configs):
        ly = PANEL_H + 24 + 18 * i
        out.append(f'<rect x="{MARGIN}" y="{ly - 9}" width="14" height="4" fill="{COLOURS[i % len(COLOURS)]}"/>')
        out.append(f'<text x="{MARGIN + 20}" y="{ly - 4}">{c}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("json", nargs="+", help="eval_memory.py long JSON file(s); runs are pooled")
    ap.add_argument("--out", required=True, help="SVG file to write")
    ap.add_argument("--title", default="")
    a = ap.parse_args(argv)
    doc = {"runs": []}
    for path in a.json:
        doc["runs"] += json.load(open(path))["runs"]
    data = series(doc)
    if not data:
        raise SystemExit("no finished long runs with marks in " + ", ".join(a.json))
    scripts = len({(r["config"], r["seed"]) for r in doc["runs"]})
    title = a.title or f"Quality over time: {scripts} run(s) of one prompt, analyzer over the 30 s before each mark"
    open(a.out, "w").write(svg(data, title))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
