"""The torch models are device-clean (nothing inside a forward pass is made on the CPU when the inputs live elsewhere),
checkpoints hold CPU tensors, and the helpers the GPU script relies on work.  A few seconds; skipped without torch.

The 'meta' device check is the cheap stand-in for CUDA: a meta tensor combined with a CPU tensor raises, so a forward
pass on meta inputs fails on any table (RoPE, timestep frequencies, masks) that was made on the CPU.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

try:
    import torch
except ImportError:          # CI without torch: the world tests still run
    torch = None


def _square(rng, k):         # module level, so a DataLoader worker can run it
    return int(rng.integers(1000)) * 0 + k * k


@unittest.skipIf(torch is None, "torch is not installed")
class DeviceCleanModels(unittest.TestCase):
    def setUp(self):
        import models
        self.m = models
        torch.manual_seed(0)

    def denoiser_inputs(self, dev, pooled=True, batched_pos=True):
        B, Fr = 2, 3
        z = torch.randn(B, Fr, 16, 8, 8, device=dev)
        t = torch.rand(B, Fr, device=dev) * 1000
        fp = torch.tensor([[0, 1, 2], [6, 7, 8]], dtype=torch.float64, device=dev) if batched_pos else [3, 4, 5]
        txt = torch.randn(B, 5, 384, device=dev)
        pv = torch.nn.functional.normalize(torch.randn(B, Fr, 384, device=dev), dim=-1) if pooled else None
        return z, t, fp, txt, pv

    def test_cpu_forward_with_device_argument(self):
        d = self.m.Denoiser(dim=64, depth=1, heads=2, pooled_text=True).to(torch.device("cpu"))
        z, t, fp, txt, pv = self.denoiser_inputs("cpu")
        out = d(z, t, fp, txt, pooled=pv)
        self.assertEqual(out.shape, z.shape)
        self.assertTrue(torch.isfinite(out).all())
        # the tables made on an explicit device equal the default ones
        c0, s0 = d.rope([3, 4, 5])
        c1, s1 = d.rope([3, 4, 5], device=torch.device("cpu"))
        self.assertTrue(torch.equal(c0, c1) and torch.equal(s0, s1))

    def test_meta_forward_denoiser(self):
        for pooled in (False, True):
            for batched in (False, True):
                d = self.m.Denoiser(dim=64, depth=1, heads=2, pooled_text=pooled).to("meta")
                z, t, fp, txt, pv = self.denoiser_inputs("meta", pooled, batched)
                mask = torch.ones(2, 1, 48, 48, dtype=torch.bool, device="meta")
                cmask = torch.ones(2, 1, 48, 5, dtype=torch.bool, device="meta")
                out = d(z, t, fp, txt, attn_mask=mask, ctx_mask=cmask, pooled=pv)
                self.assertEqual(out.device.type, "meta")
                self.assertEqual(tuple(out.shape), tuple(z.shape))

    def test_meta_forward_vae_descriptor_reward(self):
        vae = self.m.VAE().to("meta")
        z, cache = vae.encoder(torch.empty(1, 8, 3, 64, 64, device="meta"))
        rec, _ = vae.decoder(z)
        self.assertEqual((rec.device.type, tuple(rec.shape)), ("meta", (1, 8, 3, 64, 64)))
        rec2, _ = vae.decoder(z[:, :1], None)
        self.assertEqual(rec2.device.type, "meta")
        d = self.m.Descriptor().to("meta")
        self.assertEqual(d(torch.empty(3, 16, 8, 8, device="meta")).device.type, "meta")
        r = self.m.Reward().to("meta")
        out = r(torch.empty(2, 4, 3, 64, 64, device="meta"), torch.empty(2, 5, 384, device="meta"),
                torch.ones(2, 5, dtype=torch.bool, device="meta"))
        self.assertEqual(out.device.type, "meta")

    @unittest.skipIf(torch is None or not torch.cuda.is_available(), "no CUDA device")
    def test_cuda_matches_cpu(self):
        d = self.m.Denoiser(dim=64, depth=1, heads=2, pooled_text=True)
        for p in d.parameters():
            torch.nn.init.normal_(p, std=0.05)
        args = self.denoiser_inputs("cpu")
        ref = d(*args[:4], pooled=args[4])
        dc = d.to("cuda")
        got = dc(*[a.to("cuda") for a in args[:4]], pooled=args[4].to("cuda"))
        self.assertLess(float((got.cpu() - ref).abs().max()), 1e-2)


@unittest.skipIf(torch is None, "torch is not installed")
class Helpers(unittest.TestCase):
    def test_to_cpu_keeps_cpu_tensors_and_structure(self):
        import common
        a = torch.ones(2)
        st = dict(model={"w": a}, opt={"state": {0: {"step": torch.tensor(3.0)}}, "param_groups": [{"betas": (0.9, 0.99)}]})
        out = common.to_cpu(st)
        self.assertIs(out["model"]["w"], a)
        self.assertEqual(out["opt"]["param_groups"][0]["betas"], (0.9, 0.99))
        m = torch.empty(2, device="meta")
        with self.assertRaises(NotImplementedError):      # meta has no data to copy: proves .cpu() was called
            common.to_cpu({"x": m})

    def test_checkpoint_round_trip_is_cpu(self):
        import common
        with tempfile.TemporaryDirectory() as d:
            common.save_ckpt(d, common.to_cpu(dict(step=7, model={"w": torch.arange(3.0)})))
            st = common.load_latest(d)
            self.assertEqual(st["step"], 7)
            self.assertEqual(st["model"]["w"].device.type, "cpu")

    def test_deadline(self):
        import common
        self.assertFalse(common.Deadline(None).passed())
        self.assertTrue(common.Deadline(0).passed())
        self.assertFalse(common.Deadline(3600).passed())
        self.assertEqual(common.Deadline(None).fraction(), 0.0)

    def test_pick_device(self):
        import common
        self.assertEqual(common.pick_device("cpu").type, "cpu")
        self.assertEqual(common.pick_device("auto").type, "cuda" if torch.cuda.is_available() else "cpu")

    def test_worker_stream(self):
        import functools
        import common
        it = common.worker_stream(functools.partial(_square, k=3), 1, seed=0)
        self.assertEqual([int(next(it)) for _ in range(3)], [9, 9, 9])

    def test_st_lite_round_trip(self):
        import numpy as np
        import st_lite
        t = {"a": np.arange(6, dtype=np.float16).reshape(2, 3), "b": np.array([1.5], np.float32),
             "ids": np.array([3, 1], np.int64)}
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.safetensors")
            st_lite.save_file(t, p, metadata={"k": "v"})
            back = st_lite.load_file(p)
            self.assertEqual(st_lite.load_metadata(p), {"k": "v"})
            try:
                from safetensors.numpy import load_file
                back2 = load_file(p)        # the real library reads what st_lite writes
            except ImportError:
                back2 = back
            for k, v in t.items():
                self.assertTrue(np.array_equal(back[k], v) and back[k].dtype == v.dtype)
                self.assertTrue(np.array_equal(back2[k], v))

    def test_wordpiece_on_world_prompts(self):
        import minilm_lite
        voc = os.path.join(os.path.dirname(minilm_lite.default_path()), "vocab.txt")
        if not os.path.exists(voc):
            self.skipTest("no carried vocab.txt (python3 Training/gpu_prepare.py)")
        wp = minilm_lite.WordPiece(voc)
        ids = wp.ids("on a dark blue background, a small red circle moves right")
        self.assertEqual(ids[0], wp.vocab["[CLS]"])
        self.assertEqual(ids[-1], wp.vocab["[SEP]"])
        self.assertIn(wp.vocab[","], ids)
        self.assertEqual(wp.ids(""), [wp.vocab["[CLS]"], wp.vocab["[SEP]"]])


if __name__ == "__main__":
    unittest.main()
