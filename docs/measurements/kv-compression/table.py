"""The README's tables from the eval_flowrun JSON files of this folder (or of the folder given):
    python3 docs/measurements/kv-compression/table.py [docs/measurements/kv-compression/extension]"""
import json
import os
import re
import sys

HERE = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
CONFIGS = [("none", "quantize none (baseline)"), ("int8", "quantize int8"), ("4bit", "quantize 4bit"),
           ("attention-keep0.5", "compress attention, keep 0.5"), ("attention-keep0.25", "compress attention, keep 0.25"),
           ("attention-keep0.5-int8", "compress attention, keep 0.5 + int8"),
           ("attention-keep1", "control: compress attention, keep 1")]
PEAK = re.compile(r"peak ([0-9.]+) MiB \(f32 would be ([0-9.]+) MiB\)")
# What the log says is saved against f32 (exact, where the MiB figures are rounded): the compression line's total,
# else the storage line's, else nothing.
SAVED = (re.compile(r"saves [0-9.]+% \(([0-9.]+)% against f32\)"), re.compile(r"storage saves ([0-9.]+)%"))


def saved(line):
    for r in SAVED:
        m = r.search(line)
        if m:
            return float(m.group(1))
    return 0.0


def pct(x):
    return "-" if x is None else f"{100 * x:.1f}%"


def main():
    rows = []
    for name, label in CONFIGS:
        path = os.path.join(HERE, name + ".json")
        if not os.path.exists(path):
            continue
        d = json.load(open(path))
        s = d["summary"]
        peaks = [tuple(map(float, PEAK.search(line).groups())) for r in d["runs"] for line in r["captured"] if PEAK.search(line)]
        peak = max(p for p, _ in peaks)
        saves = sorted({saved(line) for r in d["runs"] for line in r["captured"] if PEAK.search(line)})
        one, two = s["single"], s["two"]
        rows.append(f"| {label} | {pct(one['all'])} | {pct(one['colour'])} | {pct(one['shape'])} | {pct(one['motion'])} "
                    f"| {pct(one['persistence'])} | {pct(one['switch_within_block'])} ({one['switch_mean_delay']:.1f}) "
                    f"| {pct(two['all'])} | {peak:.2f} | {'/'.join(f'{x:.1f}%' for x in saves)} | {s['fps']:.1f} |")
        windows = (one["n_windows"], one["switches"], two["n_windows"])
    print("| configuration | single object: all four correct | colour | shape | motion | object present (frames) "
          "| switch <= 1 block (mean delay, frames) | two objects: all correct | peak K/V MiB | saved vs f32 "
          "| frames/s (shared machine) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nJudged: {windows[0]} single-object windows, {windows[1]} switches, {windows[2]} two-object windows.")


if __name__ == "__main__":
    main()
