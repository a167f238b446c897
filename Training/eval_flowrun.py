"""Measure a generation graph through the flowrun binary: run it on held-out world scripts, decode what it wrote,
and score the frames with the analyzer against the world's truth (quality), timing every run (speed).

    nice -n 5 python3 Training/eval_flowrun.py --n 40 --out out/eval_flowrun.json
    nice -n 5 python3 Training/eval_flowrun.py --lib Graphs/lib/my-search.yaml --param N=4 --param beams=2 \
        --capture 'accepted|beam' --seed0 40000000 --n 20

For every script (and every --noise_seeds value) a wrapper graph includes the library under test (--lib, default
Graphs/lib/generate-video.yaml; any library with input `text` and params model, frames, seed, out works, extra
params go in with --param) behind a prompt.source timeline and a text.encoder:

    prompts (timeline of the script's prompts, `at:` = video frame) -> text -> gen (include: --lib)

Scripts are made as Training/eval_world.py's run_suite makes its 10 s suite: world.make_script with switches
and 25% two-object scripts, frames = whole blocks of 12 (10 s = 156 frames), phrased with a training vocabulary
(--vocab train, extra, or both alternating per script).  The analyzer's summaries are eval_world's: single-object
windows, two-object windows, all.

Output: by default the library's `out` is a PNG sequence (video.encoder picks the format from the extension and
writes RGB losslessly), so the analyzer sees exactly the frames the VAE decoded; the libraries do not expose the
encoder's crf / pix_fmt, and an MP4 at its defaults (x264 crf 23, yuv420p) changes colours at object edges.
--video mp4 measures the MP4 instead, as a user of the graph would see it.

Speed: wall seconds of each flowrun process (model loading included); fps = generated frames / summed wall
seconds.  With --jobs J > 1 the processes share the cores, so per-clip times grow; compare speeds at --jobs 1.

Seed ranges (script seeds; the noise seed is separate): issue 14 (test-time scaling and speculative decoding)
chooses its settings on scripts 40,000,000+ (the selection suite) and reports figures on 41,000,000+ (the
default --seed0).  Training/eval_world.py uses 30,000,000+ / 31,000,000+, the VAE evaluation 12,000,000+ /
13,000,000+, and training draws lower seeds; none of these overlap.  One neighbour: the reward model's Platt
calibration (train_aux.py calibrate) draws 256 scripts from 40,000,000..40,999,999, the lowest 40,005,036, so a
selection suite of fewer than 5,000 scripts shares none of them (and a monotone rescaling ranks candidates alike).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import analyzer  # noqa: E402
import world  # noqa: E402

SELECTION_SEED0 = 40_000_000      # issue 14: settings are chosen on these scripts
SEED0 = 41_000_000                # issue 14: reported figures
DEFAULT_LIB = os.path.join(REPO, "Graphs", "lib", "generate-video.yaml")
DEFAULT_MODEL = os.path.join(REPO, "Models", "world-tiny")
DEFAULT_FLOWRUN = os.path.join(REPO, ".build", "release", "flowrun")
WRAPPER_PARAMS = ("model", "frames", "seed", "out")      # set by the wrapper itself, not by --param
LOG_TAIL_LINES = 30


# ---------------------------------------------------------------- scripts

def clip_frames(seconds: float) -> int:
    """Whole blocks only, as eval_world's run_suite: the denoiser rounds a partial block up, and the figures
    should compare with eval_world's."""
    frames = int(seconds * world.FPS)
    return frames - frames % world.BLOCK_FRAMES


def script_vocab(vocab: str, index: int) -> str:
    """The training vocabulary that phrases script number `index`: train, extra, or both alternating."""
    if vocab == "both":
        return ("train", "extra")[index % 2]
    return vocab


def make_scripts(n: int, seed0: int, frames: int, vocab: str) -> list[world.Script]:
    """Scripts seed0 .. seed0+n-1 with the world's default switches and 25% two-object scenes (eval_world's
    10 s suite); the vocabulary only changes the wording, not what happens."""
    return [world.make_script(seed0 + i, frames, split=script_vocab(vocab, i)) for i in range(n)]


# ---------------------------------------------------------------- the wrapper graph

def parse_params(pairs: list[str]) -> dict:
    """--param k=v values, typed as YAML reads them (4 is an int, int8 a string, [1, 2] a list)."""
    params = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"--param {pair!r}: expected NAME=VALUE")
        if key in WRAPPER_PARAMS:
            raise ValueError(f"--param {key}: the wrapper sets {', '.join(WRAPPER_PARAMS)} itself "
                             f"(use --model, --seconds, --noise_seeds)")
        params[key] = yaml.safe_load(text) if text.strip() else ""
    return params


def yaml_value(value) -> str:
    """A value as YAML flow text.  JSON is valid YAML, and json.dumps quotes and escapes strings, so a prompt
    with quotes, colons or commas stays one scalar."""
    return json.dumps(value)


def wrapper_graph(timeline: list[tuple[int, str]], lib: str, params: dict) -> str:
    """The graph that runs library `lib` (included by its absolute path) on one prompt timeline.
    timeline: [(video frame, prompt)], the first at frame 0.  params: model, frames, seed, out and extras."""
    entries = ", ".join(f"{{ at: {int(at)}, text: {yaml_value(text)} }}" for at, text in timeline)
    gen_params = ", ".join(f"{k}: {yaml_value(v)}" for k, v in params.items())
    return (
        "version: 1\n"
        "name: eval\n"
        "nodes:\n"
        # terminal off: the timeline is the whole input, even if flowrun's stdin were a terminal
        f'  prompts: {{ type: prompt.source, terminal: "off", timeline: [ {entries} ] }}\n'
        "  text: { type: text.encoder, inputs: { prompt: prompts.prompt } }\n"
        "  gen:\n"
        f"    include: {yaml_value(os.path.abspath(lib))}\n"
        f"    params: {{ {gen_params} }}\n"
        "    inputs: { text: text.embedding }\n")


def video_path(run_dir: str, name: str, video: str) -> str:
    """Where the library writes the clip: a PNG sequence (lossless RGB) or an MP4 at the encoder's defaults."""
    if video == "png":
        return os.path.join(run_dir, name, "frame_%05d.png")
    return os.path.join(run_dir, name + ".mp4")


# ---------------------------------------------------------------- running and decoding

def run_flowrun(flowrun: str, graph: str, extra_args: list[str]) -> tuple[int, str, float]:
    """Runs one graph; returns (exit status, stdout+stderr, wall seconds).  stdin is /dev/null so the prompt
    source never waits for typed input."""
    t0 = time.perf_counter()
    proc = subprocess.run([flowrun, graph, *extra_args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, cwd=REPO)
    wall = time.perf_counter() - t0
    return proc.returncode, proc.stdout.decode("utf-8", errors="replace"), wall


def _input_args(path: str) -> list[str]:
    # A name with a counter (frame_%05d.png) is an image sequence; say so rather than rely on detection.
    return (["-f", "image2"] if "%" in path else []) + ["-i", path]


def video_size(path: str) -> tuple[int, int]:
    """(width, height) of the first video stream, from ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", *_input_args(path), "-select_streams", "v:0",
                          "-show_entries", "stream=width,height", "-of", "csv=p=0"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if out.returncode != 0 or "," not in out.stdout:
        raise RuntimeError(f"ffprobe cannot read {path}: {out.stderr.strip()}")
    w, h = out.stdout.strip().splitlines()[0].split(",")[:2]
    return int(w), int(h)


def decode_frames(path: str, height: int = world.H, width: int = world.W) -> np.ndarray:
    """A video file or image sequence -> uint8 [T, height, width, 3] RGB, through the ffmpeg CLI.  A clip of
    another size is an error, not something to rescale: the analyzer's geometry is the world's."""
    w, h = video_size(path)
    if (w, h) != (width, height):
        raise ValueError(f"{path}: {w}x{h} frames, expected {width}x{height}")
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", *_input_args(path),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True)
    if out.returncode != 0:
        raise RuntimeError(f"ffmpeg cannot decode {path}: {out.stderr.decode(errors='replace').strip()}")
    frame_bytes = height * width * 3
    if len(out.stdout) % frame_bytes:
        raise RuntimeError(f"{path}: {len(out.stdout)} bytes of RGB is not a whole number of frames")
    return np.frombuffer(out.stdout, np.uint8).reshape(-1, height, width, 3)


def capture_lines(log: str, patterns: list[str]) -> list[str]:
    """Every log line that one of the patterns finds (re.search)."""
    regexes = [re.compile(p) for p in patterns]
    return [line for line in log.splitlines() if any(r.search(line) for r in regexes)]


def log_tail(log: str, n: int = LOG_TAIL_LINES) -> str:
    return "\n".join(log.splitlines()[-n:])


# ---------------------------------------------------------------- one run

def evaluate_run(script: world.Script, vocab: str, noise_seed: int, a, run_dir: str, extra_params: dict) -> dict:
    """Writes the wrapper, runs flowrun, decodes and scores the clip -> the run's record."""
    name = f"s{script.seed}_n{noise_seed}"
    out = video_path(run_dir, name, a.video)
    timeline = script.prompts()
    params = dict(model=os.path.abspath(a.model), frames=script.frames, seed=noise_seed, out=out, **extra_params)
    graph = os.path.join(run_dir, name + ".yaml")
    with open(graph, "w") as f:
        f.write(wrapper_graph(timeline, a.lib, params))
    rc, log, wall = run_flowrun(a.flowrun, graph, shlex.split(a.flowrun_args))
    if a.keep:
        with open(os.path.join(run_dir, name + ".log"), "w") as f:
            f.write(log)
    if rc != 0:
        raise RuntimeError(f"flowrun exited {rc} on script seed {script.seed} (noise seed {noise_seed}); "
                           f"graph {graph}; last lines of its log:\n{log_tail(log)}")
    frames = decode_frames(out)
    if len(frames) < script.frames:
        raise RuntimeError(f"script seed {script.seed} (noise seed {noise_seed}): {out} has {len(frames)} frames, "
                           f"asked for {script.frames}; last lines of the log:\n{log_tail(log)}")
    # A library may round up to whole blocks; judge the frames that were asked for, as for every library.
    report = analyzer.score_video(frames[:script.frames], world.truth(script))
    return dict(seed=script.seed, noise_seed=noise_seed, vocab=vocab, prompts=[[at, p] for at, p in timeline],
                wall_s=round(wall, 3), frames=len(frames), report=report, captured=capture_lines(log, a.capture))


def run_all(jobs: list[tuple], a, run_dir: str, extra_params: dict) -> list[dict]:
    """Runs (script, vocab, noise seed) jobs, --jobs at a time; the first failure stops the rest.
    Records come back in job order whatever order they finish in."""
    records = [None] * len(jobs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        futures = {pool.submit(evaluate_run, sc, vocab, ns, a, run_dir, extra_params): i
                   for i, (sc, vocab, ns) in enumerate(jobs)}
        try:
            for done, fut in enumerate(concurrent.futures.as_completed(futures), 1):
                rec = fut.result()
                records[futures[fut]] = rec
                print(f"[{done}/{len(jobs)}] script {rec['seed']} noise {rec['noise_seed']}: {rec['wall_s']:.1f} s"
                      + "".join(f"\n    {line}" for line in rec["captured"]), file=sys.stderr, flush=True)
        except BaseException:
            for f in futures:
                f.cancel()
            raise
    return records


# ---------------------------------------------------------------- summaries

def summarize_runs(records: list[dict]) -> dict:
    """eval_world's summaries (single-object, two-object, all) plus the speed through flowrun."""
    reports = [r["report"] for r in records]
    frames = sum(r["frames"] for r in records)
    wall = sum(r["wall_s"] for r in records)
    return dict(single=analyzer.summarize(reports, 1), two=analyzer.summarize(reports, 2),
                all=analyzer.summarize(reports), n_runs=len(records), frames=frames,
                wall_s=round(wall, 2), fps=frames / wall if wall > 0 else None,
                s_per_clip=wall / len(records) if records else None)


def _pct(x) -> str:
    return "   -  " if x is None else f"{100 * x:5.1f}%"


def format_table(s: dict) -> str:
    """The compact table: single-object adherence, switches, persistence; two-object presence and
    all-correct; speed."""
    one, two = s["single"], s["two"]
    fps = "-" if s["fps"] is None else f"{s['fps']:.1f}"
    per_clip = "-" if s["s_per_clip"] is None else f"{s['s_per_clip']:.2f}"
    return "\n".join([
        "                colour  shape   motion  all     switch<=block  persistence",
        f"single object   {_pct(one['colour'])}  {_pct(one['shape'])}  {_pct(one['motion'])}  {_pct(one['all'])}"
        f"  {_pct(one['switch_within_block'])}         {_pct(one['persistence'])}"
        f"     ({one['n_windows']} windows, {one['n_clips']} clips, {one['switches']} switches)",
        f"two objects     both present {_pct(two['persistence'])}   all correct {_pct(two['all'])}"
        f"     ({two['n_windows']} windows, {two['n_clips']} clips)",
        f"speed           {fps} frames/s through flowrun (model loading included), {per_clip} s per clip,"
        f" {s['n_runs']} runs",
    ])


# ---------------------------------------------------------------- command line

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", default=DEFAULT_LIB, help="graph library to measure (input text; params model, "
                    "frames, seed, out)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="extra param of the library, typed as YAML reads it (repeatable)")
    ap.add_argument("--model", default=DEFAULT_MODEL, help="world-tiny folder")
    ap.add_argument("--flowrun", default=DEFAULT_FLOWRUN, help="flowrun binary")
    ap.add_argument("--flowrun_args", default="", help="extra flowrun flags, one string; write it with = since it starts with a dash: --flowrun_args=--stats")
    ap.add_argument("--n", type=int, default=40, help="scripts")
    ap.add_argument("--seed0", type=int, default=SEED0,
                    help=f"first script seed: {SEED0:,} reported, {SELECTION_SEED0:,} for choosing settings")
    ap.add_argument("--seconds", type=float, default=10.0, help="clip length (whole blocks: 10 s = 156 frames)")
    ap.add_argument("--vocab", default="train", choices=["train", "extra", "both"],
                    help="training vocabulary of the prompts; both alternates per script")
    ap.add_argument("--noise_seeds", default="0", help="comma-separated noise seeds, each run on every script")
    ap.add_argument("--video", default="png", choices=["png", "mp4"],
                    help="png: lossless frames (default); mp4: the encoder's defaults, as a user sees them")
    ap.add_argument("--capture", action="append", default=[], metavar="REGEX",
                    help="keep the log lines this regex finds, per run (repeatable)")
    ap.add_argument("--jobs", type=int, default=1, help="flowrun processes at once")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (wrappers, clips, logs)")
    ap.add_argument("--out", default=None, help="JSON file: args, per-run records, summaries")
    a = ap.parse_args(argv)
    a.lib, a.model, a.flowrun = (os.path.abspath(p) for p in (a.lib, a.model, a.flowrun))
    return a


def main(argv=None):
    a = parse_args(argv)
    for path, what in ((a.lib, "--lib"), (a.model, "--model"), (a.flowrun, "--flowrun")):
        if not os.path.exists(path):
            raise SystemExit(f"{what} {path}: no such file")
    try:
        extra_params = parse_params(a.param)
        noise_seeds = [int(s) for s in a.noise_seeds.split(",") if s.strip()]
        for pattern in a.capture:       # a bad regex should fail here, not after the first run
            re.compile(pattern)
    except (ValueError, re.error) as e:
        raise SystemExit(f"error: {e}")
    frames = clip_frames(a.seconds)
    scripts = make_scripts(a.n, a.seed0, frames, a.vocab)
    jobs = [(sc, script_vocab(a.vocab, i), ns) for i, sc in enumerate(scripts) for ns in noise_seeds]
    run_dir = tempfile.mkdtemp(prefix="eval_flowrun_")
    t0 = time.time()
    try:
        records = run_all(jobs, a, run_dir, extra_params)
    except Exception as e:
        # the wrappers and logs are what one needs to reproduce a failure: keep them
        raise SystemExit(f"error: {e}\n(wrappers kept in {run_dir})")
    if a.keep:
        print(f"wrappers, clips and logs kept in {run_dir}", file=sys.stderr)
    else:
        shutil.rmtree(run_dir, ignore_errors=True)
    summary = summarize_runs(records)
    summary["elapsed_s"] = round(time.time() - t0, 1)
    lib = " ".join([os.path.relpath(a.lib, REPO), *a.param])
    print(f"{lib}: {a.n} scripts from {a.seed0}, {frames} frames, vocab {a.vocab}, noise seeds {noise_seeds}, "
          f"{a.video}")
    print(format_table(summary))
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(dict(args=vars(a), clip_frames=frames, summary=summary, runs=records), f, indent=1)
    return summary


if __name__ == "__main__":
    main()
