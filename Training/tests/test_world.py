"""The world's vocabulary split and determinism (numpy only; scripts/test runs it)."""
from __future__ import annotations

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import numpy as np  # noqa: E402

import world  # noqa: E402


def words(split: str) -> set[str]:
    v = world.VOCAB[split]
    texts = list(v["templates"]) + list(v["templates2"])
    for key in ("colour", "shape", "size", "motion", "background"):
        for phrases in v[key].values():
            texts += phrases
    return {w for t in texts for w in re.findall(r"[a-z\-]+", re.sub(r"\{\w+\}", " ", t.lower()))}


class VocabularySplitTests(unittest.TestCase):
    def test_no_held_out_word_is_trained_on(self):
        # The words that only the held-out split has are what generalisation is measured on; the second
        # training vocabulary must not contain any of them.
        held_only = words("heldout") - words("train")
        self.assertGreater(len(held_only), 40)
        self.assertEqual(held_only & words("extra"), set())

    def test_every_attribute_value_has_a_phrase_in_every_split(self):
        for split in world.VOCAB:
            v = world.VOCAB[split]
            self.assertEqual(set(v["colour"]), set(world.COLOUR_NAMES), split)
            self.assertEqual(set(v["shape"]), set(world.SHAPES), split)
            self.assertEqual(set(v["motion"]), set(world.MOTIONS), split)
            self.assertEqual(set(v["background"]), set(world.BACKGROUND_NAMES), split)
            self.assertEqual(set(v["size"]), set(world.SIZE_NAMES), split)

    def test_a_phrased_prompt_uses_its_own_split_only(self):
        for split in ("train", "extra", "heldout"):
            others = set().union(*(words(s) for s in world.VOCAB if s != split)) - words(split)
            for seed in range(40):
                sc = world.make_script(seed, 240, split=split)
                for _, p in sc.prompts():
                    used = set(re.findall(r"[a-z\-]+", p))
                    self.assertEqual(used & others, set(), f"{split} seed {seed}: {p!r}")


class DeterminismTests(unittest.TestCase):
    def test_a_seed_gives_the_same_script_and_frames(self):
        a, b = world.make_script(7, 96), world.make_script(7, 96)
        self.assertEqual(a.prompts(), b.prompts())
        self.assertTrue(np.array_equal(world.render(a, 0, 24), world.render(b, 0, 24)))
        self.assertNotEqual(world.make_script(8, 96).prompts(), a.prompts())


if __name__ == "__main__":
    unittest.main()
