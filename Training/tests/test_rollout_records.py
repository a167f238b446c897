"""Rollout records with numpy and protobuf only: round trip, the recorded log-probabilities, and damage reported
with the record index and byte offset."""
import os
import random
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import rollout_records as rr  # noqa: E402
from protos import rollout_pb2  # noqa: E402

SIGMAS = [1.0, 0.9375, 0.8333, 0.625]


def make_file(path, groups=2, g=3, seed=0):
    """A rollout file whose transitions are real re-noising steps with known noise; returns the noise."""
    rng = np.random.default_rng(seed)
    header = rollout_pb2.RolloutFileHeader(format=rr.FORMAT, version=rr.VERSION, graph="record", model="m", weights="denoiser",
                                           seed=70_000_000, group_size=g, branching="noise", reward="reward.scorer",
                                           sigmas=SIGMAS, guidance=4, block_frames=3)
    msgs, noise = [header], []
    for b in range(groups):
        m = rollout_pb2.RolloutGroup(block=b, prompt="a red circle", text_states=rr.tensor_header(rng.normal(size=(5, 384)), "text_states"))
        for i in range(g):
            preds = rng.normal(size=(4, 3, 16, 8, 8)).astype(np.float32)
            states = [rng.normal(size=(3, 16, 8, 8)).astype(np.float32)]
            eps = rng.normal(size=(3, 3, 16, 8, 8)).astype(np.float32)
            noise.append(eps)
            for k in range(3):
                s = SIGMAS[k + 1]
                states.append(((1 - s) * preds[k] + s * eps[k]).astype(np.float32))
            states = np.stack(states)
            r = m.rollouts.add(index=i, states=rr.tensor_header(states, "states"), predictions=rr.tensor_header(preds, "predictions"),
                               visible_positions=[] if b == 0 else [0, 1, 2], reward=0.1 * i, advantage=i - 1.0, kept=i == 0)
            for k in range(3):
                r.transitions.add(step=k, sigma=SIGMAS[k], sigma_next=SIGMAS[k + 1],
                                  log_prob=rr.transition_log_prob(states[k + 1], preds[k], SIGMAS[k + 1]))
        msgs.append(m)
    rr.write_records(path, msgs)
    return noise


class RolloutRecordTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "rollouts.pb")

    def tearDown(self):
        self.dir.cleanup()

    def test_round_trip_and_exact_log_probabilities(self):
        noise = make_file(self.path)
        header, groups = rr.read_rollouts(self.path)
        self.assertEqual(header.group_size, 3)
        self.assertEqual([g.block for g in groups], [0, 1])
        r = groups[1].rollouts[2]
        self.assertEqual(r.states.shape, (4, 3, 16, 8, 8))
        self.assertEqual(r.visible_positions, [0, 1, 2])
        # log N(x'; (1-s') x0, s'^2) from the recorded states equals the density of the noise that made them.
        eps = noise[5]
        for k in range(3):
            d = eps[k].size
            expected = -0.5 * np.sum(eps[k].astype(np.float64) ** 2) - d * np.log(SIGMAS[k + 1]) - 0.5 * d * np.log(2 * np.pi)
            self.assertAlmostEqual(r.log_probs[k], expected, delta=1e-3 * abs(expected) * 1e-2)

    def test_reads_what_swift_writes(self):
        """fixtures/rollouts-swift.pb is RolloutFileFuzzTests.validFile(), written by Swift's protobuf-c encoder
        (RolloutTests checks the bytes): two groups of two rollouts, tensors [4, 3, 2, 2, 2]."""
        header, groups = rr.read_rollouts(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "rollouts-swift.pb"))
        self.assertEqual((header.graph, header.weights, header.group_size, header.block_frames), ("g", "denoiser", 2, 3))
        self.assertAlmostEqual(header.guidance, 4.0)
        self.assertEqual([g.block for g in groups], [0, 1])
        self.assertEqual(groups[0].text_states.shape, (2, 4))
        self.assertTrue(np.all(groups[0].text_states == 0.5))
        for g in groups:
            self.assertEqual([r.kept for r in g.rollouts], [True, False])
            self.assertEqual([r.advantage for r in g.rollouts], [-1.0, 1.0])
            self.assertEqual(g.rollouts[0].visible_positions, [] if g.block == 0 else [0, 1, 2])
            for r in g.rollouts:
                self.assertEqual(r.states.shape, (4, 3, 2, 2, 2))
                for k, lp in enumerate(r.log_probs):
                    # Swift's log-probability of each step, recomputed here from the states and predictions it recorded.
                    self.assertAlmostEqual(lp, rr.transition_log_prob(r.states[k + 1], r.predictions[k], r.sigmas[k + 1]), delta=1e-4)

    def test_truncation_names_record_and_offset(self):
        make_file(self.path)
        with open(self.path, "rb") as f:
            data = f.read()
        first = next(rr.iter_records(data))
        second_offset = first[1] + len(first[2]) + 1   # the header is under 128 bytes: one prefix byte
        with self.assertRaises(rr.RecordError) as cm:
            rr.parse_rollouts(data[:-100], "cut.pb")
        self.assertEqual(cm.exception.record, 2)
        self.assertIn("cut.pb: record 2 at byte", str(cm.exception))
        self.assertGreater(cm.exception.offset, second_offset)

    def test_fuzzed_files_raise_record_errors_only(self):
        make_file(self.path, groups=2, g=2)
        with open(self.path, "rb") as f:
            valid = f.read()
        rnd = random.Random(7)
        n = int(os.environ.get("FLOWRUN_FUZZ_ITERATIONS", "200"))
        errors = 0
        for _ in range(n):
            b = bytearray(valid)
            for _ in range(rnd.randint(1, 3)):
                op = rnd.randrange(4)
                if op == 0:
                    b = b[:rnd.randrange(len(b))]
                elif op == 1 and b:
                    b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
                elif op == 2 and b:
                    b[rnd.randrange(len(b))] = rnd.choice([0, 0x7F, 0x80, 0xFF])
                else:
                    b[rnd.randrange(len(b) + 1):0] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 12)))
            try:
                rr.parse_rollouts(bytes(b), "fuzz.pb")
            except rr.RecordError as e:
                errors += 1
                self.assertLess(e.offset, max(len(b), 1))
        self.assertGreater(errors, n // 10)


if __name__ == "__main__":
    unittest.main()
