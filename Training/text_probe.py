"""How much of a held-out paraphrase's meaning MiniLM itself recovers: a ceiling for any denoiser that reads it.

The denoiser sees a prompt only through all-MiniLM-L6-v2 states. If those states do not place "crimson" near
"red", no amount of denoiser training on the training vocabularies can make a crimson prompt draw red. Two
measures, per attribute (colour, shape, motion), on the held-out words only:

  word  nearest neighbour: the held-out phrase alone ("crimson") against every training phrase of the train
        and extra vocabularies ("red", "ruby", "cherry red", ...), by cosine of the mean-pooled states;
        correct when the closest training phrase names the same attribute value.
  token a linear read-out of in-sentence token states: ridge regression from each token's state to the
        attribute of the word it belongs to (or "none"), fitted on prompts of the training vocabularies and
        applied to held-out prompts; the prompt's answer is the class of its most confident token.

    python3 Training/text_probe.py [--json out.json]
"""
from __future__ import annotations

import argparse
import json

import numpy as np

import world
from textenc import TextEncoder

ATTRS = ("colour", "shape", "motion")
TRAIN_SPLITS = ("train", "extra")


def unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def pooled(te: TextEncoder, phrases: list[str]) -> np.ndarray:
    return unit(np.stack([h[1:-1].mean(0) for h in te.encode_many(phrases)]))


def word_neighbour_accuracy(te: TextEncoder, attr: str) -> tuple[float, list[str]]:
    anchors = [(value, p) for s in TRAIN_SPLITS for value, ps in world.VOCAB[s][attr].items() for p in ps]
    a = pooled(te, [p for _, p in anchors])
    held = [(value, p) for value, ps in world.VOCAB["heldout"][attr].items() for p in ps]
    sims = pooled(te, [p for _, p in held]) @ a.T
    wrong = []
    for (value, p), s in zip(held, sims):
        guess = anchors[int(np.argmax(s))][0]
        if guess != value:
            wrong.append(f"{p} -> {guess}")
    return 1.0 - len(wrong) / len(held), wrong


def labelled_tokens(te: TextEncoder, split: str, n: int, rng: np.random.Generator):
    """Token states of n single-object prompts, each token labelled with the attribute value of its word."""
    v = world.VOCAB[split]
    prompts, truth, spans = [], [], []
    for _ in range(n):
        o = world._new_obj(rng)
        bg = world.BACKGROUND_NAMES[int(rng.integers(len(world.BACKGROUND_NAMES)))]
        w = {k: world._pick(rng, v[k][getattr(o, k)]) for k in ("size",) + ATTRS}
        text = world._pick(rng, v["templates"]).format(bg=world._pick(rng, v["background"][bg]), **w)
        # locate each attribute phrase after the article that precedes it, so "a red ..." finds "red"
        sp = {}
        for k in ATTRS:
            at = text.find(" " + w[k]) + 1
            sp[k] = (at, at + len(w[k]))
        prompts.append(text)
        truth.append({k: getattr(o, k) for k in ATTRS})
        spans.append(sp)
    enc = te.tok(prompts, return_offsets_mapping=True)["offset_mapping"]
    states = te.encode_many(prompts)
    rows = []
    for j, h in enumerate(states):
        for t, (a, b) in enumerate(enc[j]):
            lab = {k: (truth[j][k] if b > a and spans[j][k][0] <= a and b <= spans[j][k][1] else None)
                   for k in ATTRS}
            rows.append((j, h[t], lab))
    return rows, truth


def token_readout_accuracy(te: TextEncoder, attr: str, rng: np.random.Generator, lam: float = 1.0) -> float:
    fit = [r for s in TRAIN_SPLITS for r in labelled_tokens(te, s, 600, rng)[0]]
    classes = sorted({lab[attr] for _, _, lab in fit if lab[attr]}) + ["none"]
    x = np.c_[unit(np.stack([h for _, h, _ in fit])), np.ones(len(fit))]
    y = np.array([[1.0 if (lab[attr] or "none") == c else 0.0 for c in classes] for _, _, lab in fit])
    w = np.linalg.solve(x.T @ x + lam * np.eye(x.shape[1]), x.T @ y)
    rows, truth = labelled_tokens(te, "heldout", 300, rng)
    ids = np.array([j for j, _, _ in rows])
    scores = np.c_[unit(np.stack([h for _, h, _ in rows])), np.ones(len(rows))] @ w
    hits = 0
    for j, t in enumerate(truth):
        s = scores[ids == j][:, :-1]          # drop "none": the answer is the most confident attribute token
        hits += classes[np.unravel_index(int(np.argmax(s)), s.shape)[1]] == t[attr]
    return hits / len(truth)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    te = TextEncoder()
    rng = np.random.default_rng(0)
    out = {}
    for attr in ATTRS:
        word, wrong = word_neighbour_accuracy(te, attr)
        token = token_readout_accuracy(te, attr, rng)
        chance = 1.0 / len(world.VOCAB["train"][attr])
        out[attr] = dict(word_neighbour=round(word, 3), token_readout=round(token, 3), chance=round(chance, 3),
                         word_misses=wrong)
        print(f"{attr:7s} word neighbour {word:.1%}  token read-out {token:.1%}  chance {chance:.1%}")
        print("        misses: " + ", ".join(wrong))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
