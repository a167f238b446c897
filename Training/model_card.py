"""Write Models/world-tiny/README.md (the model card) from config.json, eval.json and the training logs.

    python3 Training/model_card.py                                             # v2 (Models/world-tiny)
    WORLD_TINY_MODEL_DIR=Models/world-tiny-v1 python3 Training/model_card.py   # v1, as it shipped

A v2 export (pooled_text denoiser) takes its notes from card_notes_v2.txt and its measured quality from quality.md
next to the card (Training/quality_table.py writes the tables in it); v1 from card_notes_v1.txt and eval.json.

Every number in the card is read from a file written by a measurement; nothing is typed in by hand except the
"not done / known gaps" notes passed with --note.
"""
from __future__ import annotations

import argparse
import json
import os

import common

MD = os.environ.get("WORLD_TINY_MODEL_DIR", os.path.join(common.REPO, "Models", "world-tiny"))
RUNS = os.path.join(common.HERE, "runs")


def _log(name):
    p = os.path.join(RUNS, name, "log.jsonl")
    if not os.path.exists(p):
        return []
    out = []
    for line in open(p):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out


def _wall(log):
    """Wall-clock training time summed over (re)starts, in minutes."""
    tot, last, prev = 0.0, None, None
    for r in log:
        if r.get("event") == "start":
            prev = None
            continue
        t = r.get("time")
        if t is None:
            continue
        if prev is not None and t - prev < 3600:
            tot += t - prev
        prev = t
    return tot / 60


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def fmt_suite(s):
    if not s:
        return "not measured"
    rows = []
    for k in ("single", "two"):
        d = s.get(k)
        if not d or not d.get("n_windows"):
            continue
        rows.append(f"| {k}-object | {d['n_windows']} | {pct(d['background'])} | {pct(d['colour'])} | {pct(d['shape'])} | "
                    f"{pct(d['motion'])} | {pct(d['all'])} | {pct(d['persistence'])} | {pct(d['identity'])} |")
    sw = s.get("single", {})
    head = ("| prompts | windows | background | colour | shape | motion | all four | object present (frames) | identity |\n"
            "|---|---|---|---|---|---|---|---|---|\n")
    extra = ""
    if sw.get("switches"):
        extra = (f"\n\nPrompt switches: {sw['switches']}; took effect within one block (12 frames): "
                 f"{pct(sw['switch_within_block'])}; mean delay when detected: "
                 f"{'n/a' if sw['switch_mean_delay'] is None else round(sw['switch_mean_delay'], 1)} frames.")
    return head + "\n".join(rows) + extra


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--note", action="append", default=[])
    ap.add_argument("--notes_file", default=None,
                    help="one note per line (kept in Training/ so the next export can reuse it); default "
                         "card_notes_v2.txt for a v2 export, card_notes_v1.txt for v1")
    a = ap.parse_args()
    cfg = json.load(open(os.path.join(MD, "config.json")))
    v2 = bool(cfg.get("denoiser", {}).get("pooled_text"))
    notes_file = a.notes_file or os.path.join(common.HERE, "card_notes_v2.txt" if v2 else "card_notes_v1.txt")
    if os.path.exists(notes_file):
        a.note = [l.strip() for l in open(notes_file) if l.strip()] + a.note
    ev = json.load(open(os.path.join(MD, "eval.json"))) if os.path.exists(os.path.join(MD, "eval.json")) else {}
    av = os.path.join(RUNS, "analyzer_validation.json")
    aval = json.load(open(av)) if os.path.exists(av) else None
    vae_log, vdec_log = _log("vae"), _log("vae_dec")
    psnr = [r["eval_psnr"] for r in vae_log if "eval_psnr" in r]
    psnr_dec = [r["eval_psnr"] for r in vdec_log if "eval_psnr" in r]
    L = []
    L.append(f"# world-tiny{' v2' if v2 else ''} — model card\n")
    L.append("A small LongLive-style streaming video model family trained from scratch on flowrun's synthetic world "
             "(Training/world.py), so that a first run of flowrun makes real video and every output can be judged "
             "exactly by the analyzer (Training/analyzer.py). Formats: Training/MODEL_FORMAT.md.\n")
    if v2:
        L.append("This is v2 (issue 16). v1, the first release, is kept in `Models/world-tiny-v1` with its own card; "
                 "both are measured side by side through flowrun below (pass `model=Models/world-tiny-v1` to a graph "
                 "to run v1).\n")
    L.append("## Data\n")
    L.append("64x64 RGB at 16 fps, rendered on the fly and deterministically from a seed: 1-2 objects (circle, square, "
             "triangle; 8 colours; small/large) on one of 4 solid backgrounds; motions: 8 directions (1 px/frame, the "
             "plane wraps around), still, bounce (up and down in place), grow, shrink. Multi-prompt scripts switch at "
             "block boundaries: colour change, motion change, motion reversal, a second object enters. Every prompt is "
             "a full description. Training phrasings use two training vocabularies (the first, and an extra set of "
             "synonyms and templates such as ruby, orb, glides right); evaluation uses held-out "
             "paraphrases (crimson, disc, heads east, against a navy backdrop, ...) and templates never seen in "
             "training, and script seeds never used in training.\n")
    L.append("## Models\n")
    L.append("| model | file | parameters | bytes | trained steps |\n|---|---|---|---|---|")
    for k in ("vae", "denoiser", "drafter", "descriptor", "reward"):
        c = cfg.get(k, {})
        if c.get("missing"):
            L.append(f"| {k} | not exported yet | | | |")
        else:
            L.append(f"| {k} | {c.get('file')} | {c.get('parameters'):,} | {c.get('bytes'):,} | "
                     f"{c.get('training_step', c.get('source', ''))} |")
    L.append("")
    L.append("- **VAE**: deterministic causal video autoencoder, 8x spatial and 4x temporal compression, 16 latent "
             "channels (64x64x3 x 4 frames -> 8x8x16). 8x was kept (not 4x) because the denoiser's token count is what "
             "limits training on 2 CPU cores; causal 3D convolutions only at 8x8, so streaming decode carries "
             "4 small cache tensors." + (" v2: v1's VAE trained on (encoder and decoder) with an edge term, L1 on "
             "horizontal and vertical pixel differences weighted like the pixel loss, since sharp outlines cost little "
             "MSE; " + cfg.get("vae", {}).get("source", "") + "." if v2 else ""))
    d = cfg.get("denoiser", {})
    if not d.get("missing"):
        L.append(f"- **Denoiser**: block-causal DiT, dim {d['dim']}, depth {d['depth']}, {d['heads']} heads, patch 2x2 "
                 f"(16 tokens per latent frame), 3D RoPE, self-attention over [sink 3 | window 6 | current block 3] latent "
                 f"frames with a KV cache, cross-attention to MiniLM per-token states, adaLN timestep modulation, flow "
                 f"matching, 4 steps [1000, 750, 500, 250] with shift 5, x0 re-noised between steps, a t = 0 pass writes "
                 f"the cache. Trained by teacher forcing with exactly the streaming attention pattern (checked by "
                 f"Training/check_stream.py), noise on the context, context replaced by the model's own re-denoised "
                 f"estimate (self-rollout-lite) after step 1500, prompt switches from the scripts, 10% text dropout (the empty "
                 f"prompt's MiniLM states ship as `null_text` for classifier-free guidance; sampling default "
                 f"guidance {d.get('sampler', {}).get('guidance', 1.0)}).")
        if v2:
            L.append("  v2 adds the prompt's sentence vector (MiniLM mean-pooled, L2-normalised) as a second conditioning: "
                     "`temb(t) + pool_fc2(SiLU(pool_fc1(sentence)))` per frame (`pool_fc2` started at zero, so the "
                     "fine-tune began as exactly v1), and trains for the runtime's re-cache: when a switch falls in the "
                     "window, half the samples see the context as cache.manager re-caches it (window under the new "
                     "prompt, sink kept). Switches and two-object scenes are weighted up (no-switch 0.2, two objects "
                     "0.4), self-rollout from the start, both training vocabularies.")
    dr = cfg.get("drafter", {})
    if not dr.get("missing"):
        L.append(f"- **Drafter**: the same architecture at dim {dr['dim']}, depth {dr['depth']}.")
    L.append("- **Retrieval descriptor**: conv encoder of one latent frame -> 256-d L2-normalised, Window Temporal Delta loss.")
    L.append("- **Reward**: frames (4) and prompt -> logit, sigmoid = calibrated P(match); contrastive BCE against "
             "one-attribute-perturbed prompts.\n")
    L.append("## Training (commands: Training/README.md)\n")
    if v2:
        L.append("float32, on the same 2 CPU cores as every other job of the project (Swift builds, evaluations, "
                 "benchmarks), so seconds per step varied from ~1.3 (alone, 2 threads) to over 10. The denoiser and "
                 "drafter are fine-tunes (`--init`) of v1's; the VAE a continuation of v1's; the descriptor is trained "
                 "anew on the v2 latents; the reward is v1's, unchanged (it reads frames, not latents). No GPU was lent "
                 "to the sessions that trained it (Training/gpu_train_all.sh is the prepared one-command GPU run).\n")
    else:
        L.append("float32 throughout (bf16 autocast measured slower on this CPU: no AMX). The VAE, the drafter, the reward, "
                 "the descriptor and a first, larger denoiser (runs/denoiser: 256 wide, 8 deep) ran on 2 CPU cores shared with "
                 "Swift builds, one thread per run. The shipped denoiser (runs/denoiser192) then ran alone on both cores "
                 "(2 threads, about 1.15 s per step at batch 8).\n")
    L.append("Steps in each run's log when this card was written (the shipped checkpoints are the ones in the table "
             "above):\n")
    names = ("vae2", "denoiser_v2", "drafter_v2", "descriptor_v2") if v2 else \
        ("vae", "vae_dec", "denoiser", "denoiser192", "drafter", "reward", "descriptor")
    for name in names:
        lg = _log(name)
        steps = [r["step"] for r in lg if "step" in r and "event" not in r]
        if steps:
            L.append(f"- {name}: {max(steps)} steps, {_wall(lg):.0f} min wall clock")
    L.append("")
    L.append("## Measured quality\n")
    import re
    src = cfg.get("vae", {}).get("source", "")
    enc_step = re.search(r"vae_frozen.pt \(step (\d+)\)", src)
    dec_step = re.search(r"vae_dec \(step (\d+)\)", src)
    at = lambda log, s: [r["eval_psnr"] for r in log if "eval_psnr" in r and r["step"] == s]
    if psnr and not v2:
        e = at(vae_log, int(enc_step.group(1))) if enc_step else psnr[-1:]
        d_ = at(vdec_log, int(dec_step.group(1))) if dec_step else []
        line = "- VAE held-out reconstruction PSNR (16 held-out clips of 32 frames), shipped weights: "
        line += f"{d_[-1]:.2f} dB (frozen encoder + decoder fine-tuned {dec_step.group(1)} steps)" if d_ else \
            (f"{e[-1]:.2f} dB" if e else "n/a")
        if e and d_:
            line += f"; the joint VAE at the freeze measured {e[-1]:.2f} dB"
        if psnr_dec and psnr_dec[-1] != (d_[-1] if d_ else None):
            line += f"; the still-running decoder fine-tuning is at {psnr_dec[-1]:.2f} dB (not shipped yet)"
        L.append(line + " (target 30 dB).")
    r = cfg.get("reward", {}).get("heldout_eval")
    if r:
        if "acc" in r:
            r = {"heldout_paraphrases": r}
        for k, title in (("training_vocabulary_unseen_seeds", "training vocabulary, unseen scenes"),
                         ("heldout_paraphrases", "held-out paraphrases")):
            if k in r:
                e = r[k]
                L.append(f"- Reward, {title} (256 balanced pairs, negatives differ in one attribute): accuracy "
                         f"{pct(e['acc'])}, pairwise (true prompt scores above the perturbed one) {pct(e['pairwise'])}, "
                         f"ECE {e['ece']:.3f}.")
    if aval:
        s = aval["all"]
        L.append(f"- Analyzer on ground-truth clips ({aval.get('n', 300)} scripts of 12 s): background {pct(s['background'])}, "
                 f"colour {pct(s['colour'])}, shape {pct(s['shape'])}, motion {pct(s['motion'])}, all {pct(s['all'])}, "
                 f"switch detected within one block {pct(s['switch_within_block'])}, object present {pct(s['persistence'])}. "
                 f"Single-object motion {pct(aval['single']['motion'])}, two-object motion {pct(aval['two']['motion'])}.")
    if ev and not v2:
        L.append(f"\nGenerated clips (denoiser step {ev.get('step')}, {ev.get('weights')} weights, torch sampler, 4 steps, "
                 f"cfg {ev.get('cfg')}), judged by the analyzer:\n")
        for k, title in (("10s_train", "10 s clips, training phrasings"), ("10s_heldout", "10 s clips, held-out paraphrases"),
                         ("60s_train", "60 s clips, one training-phrasing prompt each (windows every 2 s)"),
                         ("60s_heldout", "60 s clips, one held-out prompt each (windows every 2 s)")):
            if k in ev:
                L.append(f"**{title}** ({ev[k]['n_clips']} clips)\n")
                L.append(fmt_suite(ev[k]))
                L.append("")
    elif not v2:
        L.append("\nGenerated-clip scores: not measured yet.\n")
    if v2:
        L.append("- Generated clips, switches, the re-cache ablation and the VAE's reconstructions, v1 beside v2: the section "
                 "\"Measured quality: v1 and v2 side by side\" below.\n")
    if not v2:
        L.append("Targets (issue 5, single-object held-out): colour >= 95%, direction >= 85%, shape >= 80%, switch within one "
             "block >= 80%, object present >= 95% of frames over 60 s.\n")
    if a.note:
        L.append("## Status and known gaps\n")
        for n in a.note:
            L.append(f"- {n}")
        L.append("")
    # Inference-time methods measured through flowrun (Training/tts_table.py writes it from the measurement JSON).
    # Sections measured through flowrun, kept as files next to the card so a re-export keeps them.
    for section in ("quality.md", "test-time-scaling.md", "memory.md", "grpo.md"):
        path = os.path.join(MD, section)
        if os.path.exists(path):
            L.append(open(path).read().rstrip() + "\n")
    with open(os.path.join(MD, "README.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    main()
