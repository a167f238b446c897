"""Side-by-side quality of models measured through flowrun (Training/eval_flowrun.py's JSON), against issue 16's
targets: single-object windows (colour, direction, shape, all four, switch within one block, object present) and
two-object windows (both objects present).

    python3 Training/quality_table.py "v1=docs/measurements/world-tiny-v2/report/v1_10s.json" \
        "v2=docs/measurements/world-tiny-v2/report/v2_10s.json"
"""
from __future__ import annotations

import json
import sys

TARGETS = dict(colour=0.95, motion=0.85, shape=0.80, switch_within_block=0.80, persistence=0.95, two_persistence=0.80)


def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"


def row(label: str, r: dict) -> str:
    s1, s2 = r["summary"]["single"], r["summary"]["two"]
    a = r["args"]
    params = ", ".join(a.get("param", []))
    what = f"{a['seconds']:.0f} s, n = {a['n']}" + (f", {params}" if params else "")
    return (f"| {label} ({what}) | {pct(s1['colour'])} | {pct(s1['motion'])} | {pct(s1['shape'])} | {pct(s1['all'])} | "
            f"{pct(s1['switch_within_block'])} ({s1['switches']}) | {pct(s1['persistence'])} | {pct(s2['persistence'])} | "
            f"{s1['n_windows']} / {s2['n_windows']} |")


def table(pairs: list[tuple[str, dict]]) -> str:
    t = TARGETS
    lines = ["| model (clips) | colour | direction | shape | all four | switch <= 1 block (switches) | object present | "
             "two objects: both present | windows (single / two) |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| target | >= {pct(t['colour'])} | >= {pct(t['motion'])} | >= {pct(t['shape'])} | | "
             f">= {pct(t['switch_within_block'])} | >= {pct(t['persistence'])} (60 s) | >= {pct(t['two_persistence'])} | |"]
    lines += [row(label, r) for label, r in pairs]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    pairs = []
    for arg in argv:
        label, _, path = arg.partition("=")
        with open(path) as f:
            pairs.append((label, json.load(f)))
    if not pairs:
        sys.exit(__doc__)
    seeds = sorted({(r["args"]["seed0"], r["args"]["vocab"]) for _, r in pairs})
    print(f"Scripts from {', '.join(f'{s:,}' for s, _ in seeds)} (vocabulary {', '.join(sorted({v for _, v in seeds}))}), "
          f"noise seed 0, through flowrun (Graphs/lib/generate-video.yaml), judged by Training/analyzer.py.\n")
    print(table(pairs))


if __name__ == "__main__":
    main(sys.argv[1:])
