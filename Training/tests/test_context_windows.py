"""The re-cached training view of a switch: window frames before it carry the new prompt, the sink keeps the old
one, and blocks generated under the old prompt are not trained against the relabelled context."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from context_windows import BLOCK, SINK, WINDOW, recache_view, valid_blocks  # noqa: E402


class RecacheViewTests(unittest.TestCase):
    def test_switch_relabels_the_window_and_keeps_the_sink(self):
        pos = list(range(SINK)) + list(range(30, 48))
        prompts = ["A"] * 3 + ["A"] * 9 + ["B"] * 9            # the switch starts latent frame 39, block 13
        relabelled, excluded = recache_view(pos, prompts)
        by_pos = dict(zip(pos, relabelled))
        self.assertEqual([by_pos[p] for p in range(SINK)], ["A"] * SINK)
        self.assertEqual([by_pos[p] for p in range(30, 33)], ["A"] * 3, "outside the window: untouched")
        self.assertEqual([by_pos[p] for p in range(33, 39)], ["B"] * (WINDOW - BLOCK), "the window: new prompt")
        self.assertEqual(excluded, {11, 12})
        self.assertEqual(prompts[11], "A", "the input list is not modified")

    def test_no_switch_changes_nothing(self):
        pos = list(range(SINK)) + list(range(30, 48))
        prompts = ["A"] * len(pos)
        self.assertEqual(recache_view(pos, prompts), (prompts, set()))

    def test_switch_right_after_the_sink_keeps_the_sink(self):
        pos = list(range(SINK + 18))
        prompts = ["A"] * 6 + ["B"] * (len(pos) - 6)            # switch into block 2
        relabelled, excluded = recache_view(pos, prompts)
        self.assertEqual(relabelled[:SINK], ["A"] * SINK)
        self.assertEqual(relabelled[SINK:6], ["B"] * 3)
        self.assertEqual(excluded, {0, 1})
        self.assertTrue(set(valid_blocks(pos)) - excluded, "blocks remain to train")


if __name__ == "__main__":
    unittest.main()
