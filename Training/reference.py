"""numpy-only reference forward pass of every world-tiny model (no torch import), in float64.

This file is the executable form of Training/MODEL_FORMAT.md; the Swift nodes are tested against the fixtures
it writes:

    python3 Training/reference.py --fixtures        # writes Tests/ModelFixtures/*.safetensors from Models/world-tiny
    python3 Training/reference.py --check           # compares against torch (imports torch only in that mode)
    python3 Training/reference.py --check-pooled    # only the pooled_text (world-tiny v2) path, on a random model

Fixtures (inputs and expected outputs, f32, names documented in Tests/ModelFixtures/README.md):
  vae_decode.safetensors      latents -> video frames, streamed one latent frame at a time with the causal cache
  vae_encode.safetensors      video -> latents
  denoiser_stream.safetensors the full streaming loop: 5 blocks, given noises, a prompt switch with re-cache
  drafter_stream.safetensors  the same for the drafter
  descriptor.safetensors      latent frames -> descriptors
  reward.safetensors          frames + text -> logits
"""
from __future__ import annotations

import argparse
import json
import math
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MODEL_DIR = os.environ.get("WORLD_TINY_MODEL_DIR", os.path.join(REPO, "Models", "world-tiny"))
FIX_DIR = os.environ.get("WORLD_TINY_FIXTURE_DIR", os.path.join(REPO, "Tests", "ModelFixtures"))

# ============================================================================ safetensors (numpy only)
_DT = {"F16": np.float16, "F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8,
       "BF16": None}


def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        hdr = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in hdr.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        a = np.frombuffer(data[s:e], dtype=_DT[v["dtype"]]).reshape(v["shape"])
        out[k] = a.astype(np.float64) if a.dtype.kind == "f" else a.copy()
    return out


def save_safetensors(path, tensors: dict, metadata=None):
    hdr, blobs, off = {}, [], 0
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k])
        dt = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64", np.dtype(np.float16): "F16",
              np.dtype(np.int32): "I32"}[a.dtype]
        b = a.tobytes()
        hdr[k] = dict(dtype=dt, shape=list(a.shape), data_offsets=[off, off + len(b)])
        blobs.append(b)
        off += len(b)
    if metadata:
        hdr["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(hdr, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


# ============================================================================ ops
def silu(x):
    return x / (1.0 + np.exp(-x))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def linear(x, W, b=None):
    y = x @ W.T
    return y + b if b is not None else y


def layer_norm(x, w=None, b=None, eps=1e-6):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    if w is not None:
        y = y * w + b
    return y


def rms_norm(x, w, eps=1e-6):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * w


def group_norm(x, groups, w, b, eps=1e-6):
    """x [N, C, H, W]"""
    N, C = x.shape[:2]
    g = x.reshape(N, groups, -1)
    mu = g.mean(-1, keepdims=True)
    var = ((g - mu) ** 2).mean(-1, keepdims=True)
    y = ((g - mu) / np.sqrt(var + eps)).reshape(x.shape)
    return y * w[None, :, None, None] + b[None, :, None, None]


def conv2d(x, w, b, stride=1, pad=1):
    """x [N, C, H, W], w [O, C, kh, kw] -> [N, O, H', W'] (zero padding)."""
    N, C, H, W = x.shape
    O, _, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho = (H + 2 * pad - kh) // stride + 1
    Wo = (W + 2 * pad - kw) // stride + 1
    cols = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride][:, :, :Ho, :Wo]
    # cols [N, C, Ho, Wo, kh, kw]
    y = np.einsum("nchwij,ocij->nohw", cols, w, optimize=True)
    return y + b[None, :, None, None]


def causal_conv3d(x, w, b, cache):
    """x [C, T, H, W] (one stream), w [O, C, kt, 3, 3]; cache [C, kt-1, H, W] (zeros at stream start).
    Returns y [O, T, H, W] and the new cache (the last kt-1 input time slices)."""
    C, T, H, W = x.shape
    O, _, kt, kh, kw = w.shape
    xx = np.concatenate([cache, x], axis=1)
    new_cache = xx[:, -(kt - 1):].copy()
    xp = np.pad(xx, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.lib.stride_tricks.sliding_window_view(xp, (kt, kh, kw), axis=(1, 2, 3))   # [C, T, H, W, kt, kh, kw]
    y = np.einsum("cthwaij,ocaij->othw", cols, w, optimize=True)
    return y + b[:, None, None, None], new_cache


def upsample2(x):
    return x.repeat(2, axis=-2).repeat(2, axis=-1)


def softmax(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


def attention(q, k, v, mask=None):
    """q [h, N, d], k/v [h, M, d], mask bool [N, M] (True = attend) -> [h, N, d]"""
    s = q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = np.where(mask[None], s, -np.inf)
    return softmax(s) @ v


# ============================================================================ VAE
class VAERef:
    def __init__(self, P, cfg):
        self.P, self.cfg = P, cfg
        self.G, self.eps = cfg["gn_groups"], cfg["gn_eps"]
        self.ft = cfg["frames_per_latent"]

    def _res2d(self, pre, x):
        P = self.P
        h = conv2d(silu(group_norm(x, self.G, P[pre + ".norm1.weight"], P[pre + ".norm1.bias"], self.eps)),
                   P[pre + ".conv1.weight"], P[pre + ".conv1.bias"])
        h = conv2d(silu(group_norm(h, self.G, P[pre + ".norm2.weight"], P[pre + ".norm2.bias"], self.eps)),
                   P[pre + ".conv2.weight"], P[pre + ".conv2.bias"])
        return x + h

    def _res3d(self, pre, x, cache):
        """x [C, T, h, w]; cache (c1, c2) each [C, 2, h, w]"""
        P = self.P
        gn = lambda t, n: group_norm(t.transpose(1, 0, 2, 3), self.G, P[f"{pre}.{n}.weight"], P[f"{pre}.{n}.bias"],
                                     self.eps).transpose(1, 0, 2, 3)
        h, c1 = causal_conv3d(silu(gn(x, "norm1")), P[pre + ".conv1.conv.weight"], P[pre + ".conv1.conv.bias"], cache[0])
        h, c2 = causal_conv3d(silu(gn(h, "norm2")), P[pre + ".conv2.conv.weight"], P[pre + ".conv2.conv.bias"], cache[1])
        return x + h, (c1, c2)

    def new_cache(self, part):
        c = self.cfg["channels"][2]
        z = np.zeros((c, 2, 8, 8))
        return (z.copy(), z.copy())

    def encode(self, video, cache=None):
        """video [T, 3, 64, 64] in [-1, 1] (T multiple of 4) -> latents [T/4, zc, 8, 8], cache"""
        P = self.P
        n = video.shape[0] // self.ft
        x = video.reshape(n, self.ft * 3, *video.shape[-2:])
        x = conv2d(x, P["encoder.conv_in.weight"], P["encoder.conv_in.bias"])
        x = conv2d(self._res2d("encoder.res0", x), P["encoder.down0.weight"], P["encoder.down0.bias"], stride=2)
        x = conv2d(self._res2d("encoder.res1", x), P["encoder.down1.weight"], P["encoder.down1.bias"], stride=2)
        x = conv2d(self._res2d("encoder.res2", x), P["encoder.down2.weight"], P["encoder.down2.bias"], stride=2)
        x, cache = self._res3d("encoder.mid", x.transpose(1, 0, 2, 3), cache or self.new_cache("enc"))
        x = x.transpose(1, 0, 2, 3)
        x = conv2d(silu(group_norm(x, self.G, P["encoder.norm_out.weight"], P["encoder.norm_out.bias"], self.eps)),
                   P["encoder.conv_out.weight"], P["encoder.conv_out.bias"])
        return x, cache

    def decode(self, z, cache=None):
        """z [n, zc, 8, 8] -> video [4n, 3, 64, 64] (unclamped), cache"""
        P = self.P
        x = conv2d(z, P["decoder.conv_in.weight"], P["decoder.conv_in.bias"])
        x, cache = self._res3d("decoder.mid", x.transpose(1, 0, 2, 3), cache or self.new_cache("dec"))
        x = x.transpose(1, 0, 2, 3)
        x = conv2d(upsample2(self._res2d("decoder.res0", x)), P["decoder.up0.weight"], P["decoder.up0.bias"])
        x = conv2d(upsample2(self._res2d("decoder.res1", x)), P["decoder.up1.weight"], P["decoder.up1.bias"])
        x = conv2d(upsample2(self._res2d("decoder.res2", x)), P["decoder.up2.weight"], P["decoder.up2.bias"])
        x = self._res2d("decoder.res3", x)
        x = conv2d(silu(group_norm(x, self.G, P["decoder.norm_out.weight"], P["decoder.norm_out.bias"], self.eps)),
                   P["decoder.conv_out.weight"], P["decoder.conv_out.bias"])
        n = z.shape[0]
        return x.reshape(n * self.ft, 3, *x.shape[-2:]), cache


# ============================================================================ denoiser
def timestep_embedding(t, dim):
    half = dim // 2
    f = np.exp(-math.log(10000.0) * np.arange(half, dtype=np.float64) / half)
    # torch computes this in float32; mirror its rounding of the frequencies and angle
    f = f.astype(np.float32).astype(np.float64)
    a = (np.asarray(t, np.float64)[:, None] * f[None]).astype(np.float32).astype(np.float64)
    return np.concatenate([np.cos(a), np.sin(a)], axis=1)


def rope_cos_sin(frame_pos, grid, axes, theta):
    """tokens (f, gy, gx) row-major -> cos, sin [F*grid*grid, hd/2]"""
    ang = []
    for fp in frame_pos:
        for gy in range(grid):
            for gx in range(grid):
                parts = []
                for p, d in zip((fp, gy, gx), axes):
                    inv = 1.0 / theta ** (np.arange(0, d, 2, dtype=np.float64) / d)
                    parts.append(p * inv)
                ang.append(np.concatenate(parts))
    ang = np.array(ang)
    return np.cos(ang), np.sin(ang)


def apply_rope(x, cos, sin):
    """x [h, N, d]: pairs (2i, 2i+1) rotated by angle i."""
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = a * cos - b * sin
    out[..., 1::2] = a * sin + b * cos
    return out


class DenoiserRef:
    def __init__(self, P, cfg):
        self.P, self.c = P, cfg
        self.D, self.h, self.hd = cfg["dim"], cfg["heads"], cfg["head_dim"]
        self.p, self.g = cfg["patch"], cfg["latent_hw"] // cfg["patch"]
        self.T = self.g * self.g
        self.depth = cfg["depth"]
        self.pooled_text = bool(cfg.get("pooled_text", False))

    def patchify(self, z):          # [F, C, H, W] -> [F*T, C*p*p]
        Fr, C, H, W = z.shape
        p = self.p
        return z.reshape(Fr, C, H // p, p, W // p, p).transpose(0, 2, 4, 1, 3, 5).reshape(Fr * self.T, C * p * p)

    def unpatchify(self, x, Fr):
        p, g = self.p, self.g
        C = x.shape[-1] // (p * p)
        return x.reshape(Fr, g, g, C, p, p).transpose(0, 3, 1, 4, 2, 5).reshape(Fr, C, g * p, g * p)

    def heads(self, x):             # [N, D] -> [h, N, hd]
        return x.reshape(x.shape[0], self.h, self.hd).transpose(1, 0, 2)

    def forward(self, z, t, frame_pos, txt, prefix=None, mask=None, pooled=None, keys_rotated=True):
        """z [F, zc, 8, 8]; t [F] timesteps; frame_pos [F] (the RoPE positions: absolute frame positions, or
        slots in a position-free cache); txt [L, 384]; prefix: per layer (K, V) [h, P, hd] (post-RoPE) or None;
        mask bool [F*T, P+F*T] or None; pooled (pooled_text models only): the prompt's sentence vector [384] for
        every frame, or one per frame [F, 384].  keys_rotated=False returns K before RoPE (what a position-free
        cache keeps; attention still uses the rotated K).
        Returns v [F, zc, 8, 8], per-layer (K, V) of z."""
        P, D = self.P, self.D
        Fr = z.shape[0]
        if self.pooled_text != (pooled is not None):
            raise ValueError("pooled_text model needs the sentence vector" if self.pooled_text else
                             "this model has no pooled conditioning")
        x = linear(self.patchify(z), P["patch_in.weight"], P["patch_in.bias"])
        e = timestep_embedding(t, self.c["freq_dim"])
        e = linear(silu(linear(e, P["t_fc1.weight"], P["t_fc1.bias"])), P["t_fc2.weight"], P["t_fc2.bias"])
        if self.pooled_text:
            pv = np.broadcast_to(np.asarray(pooled, np.float64), (Fr, self.c["text_dim"]))
            e = e + linear(silu(linear(pv, P["pool_fc1.weight"], P["pool_fc1.bias"])), P["pool_fc2.weight"], P["pool_fc2.bias"])
        se = silu(e)                                                           # [F, D]
        cos, sin = rope_cos_sin(frame_pos, self.g, self.c["rope_axes"], self.c["rope_theta"])
        ctx = linear(gelu_tanh(linear(txt, P["txt_fc1.weight"], P["txt_fc1.bias"])), P["txt_fc2.weight"], P["txt_fc2.bias"])
        kvs = []
        for i in range(self.depth):
            b = f"blocks.{i}."
            mod = np.repeat(linear(se, P[b + "ada.weight"], P[b + "ada.bias"]), self.T, axis=0)   # [N, 6D]
            sh1, sc1, g1, sh2, sc2, g2 = np.split(mod, 6, axis=-1)
            hN = layer_norm(x) * (1 + sc1) + sh1
            q = self.heads(rms_norm(linear(hN, P[b + "q.weight"], P[b + "q.bias"]), P[b + "norm_q.weight"]))
            k = self.heads(rms_norm(linear(hN, P[b + "k.weight"], P[b + "k.bias"]), P[b + "norm_k.weight"]))
            v = self.heads(linear(hN, P[b + "v.weight"], P[b + "v.bias"]))
            k_free = k
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            kvs.append((k if keys_rotated else k_free, v))
            if prefix is not None:
                k = np.concatenate([prefix[i][0], k], axis=1)
                v = np.concatenate([prefix[i][1], v], axis=1)
            a = attention(q, k, v, mask).transpose(1, 0, 2).reshape(-1, D)
            x = x + g1 * linear(a, P[b + "o.weight"], P[b + "o.bias"])
            hN = layer_norm(x, P[b + "norm_ca.weight"], P[b + "norm_ca.bias"])
            q = self.heads(rms_norm(linear(hN, P[b + "ca_q.weight"], P[b + "ca_q.bias"]), P[b + "ca_norm_q.weight"]))
            kc = self.heads(rms_norm(linear(ctx, P[b + "ca_k.weight"], P[b + "ca_k.bias"]), P[b + "ca_norm_k.weight"]))
            vc = self.heads(linear(ctx, P[b + "ca_v.weight"], P[b + "ca_v.bias"]))
            a = attention(q, kc, vc).transpose(1, 0, 2).reshape(-1, D)
            x = x + linear(a, P[b + "ca_o.weight"], P[b + "ca_o.bias"])
            hN = layer_norm(x) * (1 + sc2) + sh2
            x = x + g2 * linear(gelu_tanh(linear(hN, P[b + "fc1.weight"], P[b + "fc1.bias"])), P[b + "fc2.weight"], P[b + "fc2.bias"])
        fm = np.repeat(linear(se, P["final_ada.weight"], P["final_ada.bias"]), self.T, axis=0)
        shift, scale = np.split(fm, 2, axis=-1)
        x = linear(layer_norm(x) * (1 + scale) + shift, P["patch_out.weight"], P["patch_out.bias"])
        return self.unpatchify(x, Fr), kvs


def sigma_shift(s, shift):
    return shift * s / (1 + (shift - 1) * s)


def sentence_vector(states):
    """MiniLM token states [L, 384] -> the sentence embedding sentence-transformers computes for
    all-MiniLM-L6-v2: mean over the tokens, then x / max(|x|, 1e-12) (textenc.pooled; the Swift
    TextEmbedding.sentence)."""
    m = np.asarray(states, np.float64).mean(axis=0)
    return m / max(float(np.sqrt((m * m).sum())), 1e-12)


class StreamRef:
    """The streaming loop (sample.Generator) in numpy: sink + window KV cache, 4 steps, t=0 cache pass, re-cache."""

    def __init__(self, den: DenoiserRef, sampler_cfg, guidance=1.0, null_text=None, null_sentence=None):
        self.m = den
        self.guidance, self.null_text, self.null_sentence = guidance, null_text, null_sentence
        s = sampler_cfg
        self.sink, self.window, self.block = s["sink_frames"], s["window_frames"], s["block_frames"]
        self.sigmas = [sigma_shift(x / 1000.0, s["shift"]) for x in s["steps"]]
        self.cache, self.lat = {}, {}

    def visible(self, b):
        lo = self.block * b - (self.window - self.block)
        return sorted(p for p in self.cache if p < self.sink or (lo <= p < self.block * b))

    def prefix(self, ps):
        if not ps:
            return None
        return [(np.concatenate([self.cache[p][l][0] for p in ps], 1), np.concatenate([self.cache[p][l][1] for p in ps], 1))
                for l in range(self.m.depth)]

    def store(self, kvs, pos):
        T = self.m.T
        for fi, p in enumerate(pos):
            self.cache[p] = [(k[:, fi * T:(fi + 1) * T], v[:, fi * T:(fi + 1) * T]) for (k, v) in kvs]

    def evict(self, b_next):
        lo = self.block * b_next - (self.window - self.block)
        for p in [p for p in self.cache if self.sink <= p < lo]:
            del self.cache[p]
            self.lat.pop(p, None)

    def recache(self, b, txt, pooled=None):
        lo = self.block * b - (self.window - self.block)
        ps = sorted(p for p in self.cache if p >= self.sink and p >= lo)
        if not ps:
            return
        sink_ps = sorted(p for p in self.cache if p < self.sink)
        T = self.m.T
        blk = np.array([p // self.block for p in ps])
        m = np.ones((len(ps), len(sink_ps) + len(ps)), bool)
        m[:, len(sink_ps):] = blk[:, None] >= blk[None, :]
        m = m.repeat(T, 0).repeat(T, 1)
        lat = np.stack([self.lat[p] for p in ps])
        pre, rope_pos = self.recache_inputs(sink_ps, ps)
        _, kvs = self.m.forward(lat, np.zeros(len(ps)), rope_pos, txt, prefix=pre, mask=m, pooled=pooled,
                                keys_rotated=self.keys_rotated)
        self.store(kvs, ps)

    keys_rotated = True     # the cache keeps K after RoPE at absolute positions

    def recache_inputs(self, sink_ps, ps):
        """The re-cache's prefix (the sink) and the window frames' RoPE positions."""
        return self.prefix(sink_ps), ps

    def denoise(self, noises, rope_pos, txt, pre, pooled):
        """The block's steps: x0 prediction and re-noising with fresh noise (guidance if set), against a fixed
        prefix.  Returns the clean x0 and the first call's v."""
        x = noises[0]
        v0 = None
        for i, s in enumerate(self.sigmas):
            v, _ = self.m.forward(x, np.full(self.block, 1000.0 * s), rope_pos, txt, prefix=pre, pooled=pooled)
            if self.guidance != 1.0:
                vu, _ = self.m.forward(x, np.full(self.block, 1000.0 * s), rope_pos, self.null_text, prefix=pre,
                                       pooled=self.null_sentence if pooled is not None else None)
                v = vu + self.guidance * (v - vu)
            if v0 is None:
                v0 = v
            x0 = x - s * v
            if i + 1 < len(self.sigmas):
                sn = self.sigmas[i + 1]
                x = (1 - sn) * x0 + sn * noises[i + 1]
        return x0, v0

    def block_step(self, b, txt, noises, switched=False, recache=True, pooled=None):
        """noises: [len(sigmas), 3, zc, 8, 8] (first = the initial x, others = re-noise draws); pooled: the
        prompt's sentence vector [384] (pooled_text models; guidance then uses null_sentence).
        Returns x0 [3, zc, 8, 8] and the first call's v (for debugging)."""
        if switched and recache and b > 1:
            self.recache(b, txt, pooled)
        pos = [self.block * b + i for i in range(self.block)]
        pre = self.prefix(self.visible(b))
        x0, v0 = self.denoise(noises, pos, txt, pre, pooled)
        _, kvs = self.m.forward(x0, np.zeros(self.block), pos, txt, prefix=pre, pooled=pooled)
        self.store(kvs, pos)
        for fi, p in enumerate(pos):
            self.lat[p] = x0[fi]
        self.evict(b + 1)
        return x0, v0


class InfinityStreamRef(StreamRef):
    """LongLive's position-free ("infinity") cache, optionally with LongLive-RAG retrieval (issue 15).

    The cache keeps K before RoPE.  Every call rotates by slot, not by absolute position: the sink frames take
    slots 0..S-1 (S = sink frames held), the window frames the next slots in position order, the block's frames
    the slots after the window; so a stream of any length never leaves the trained positions, and until the
    window first slides (block 3 with sink 3, window 9) the slots equal the absolute positions.  The re-cache
    of a switch rotates the sink by slot as prefix and the window frames by their slots; its block-causal mask
    still follows the absolute positions (block = p // block_frames).

    Retrieval (memory=dict(descriptor=P, k=.., exclude_recent=.., slot=..)): every frame evicted from the window
    goes to a bank (its pre-RoPE K/V and the descriptor of its clean latent), in eviction order.  Before each
    block the query is the descriptor of the newest window frame (the newest sink frame when the window is
    empty); the candidates are the bank without its `exclude_recent` most recent entries; the top k by cosine
    (ties: lower position first) join the attention prefix, rotated at the shared temporal slot `slot`, and
    never the cache."""

    def __init__(self, den, sampler_cfg, memory=None, **kw):
        super().__init__(den, sampler_cfg, **kw)
        self.memory = memory
        self.bank = []              # (position, descriptor, per-layer (K, V)) in eviction order
        self.retrieved = {}         # block -> retrieved positions

    def slots(self, ps_sink, ps_window):
        return list(range(len(ps_sink))), list(range(len(ps_sink), len(ps_sink) + len(ps_window)))

    def rotated_prefix(self, entries):
        """entries: [(slot, per-layer (K, V) pre-RoPE)] -> per-layer (K, V) rotated at their slots, or None."""
        if not entries:
            return None
        cos, sin = rope_cos_sin([sl for sl, _ in entries], self.m.g, self.m.c["rope_axes"], self.m.c["rope_theta"])
        out = []
        for l in range(self.m.depth):
            k = np.concatenate([kv[l][0] for _, kv in entries], 1)
            v = np.concatenate([kv[l][1] for _, kv in entries], 1)
            out.append((apply_rope(k, cos, sin), v))
        return out

    def evict(self, b_next):
        lo = self.block * b_next - (self.window - self.block)
        for p in sorted(p for p in self.cache if self.sink <= p < lo):
            if self.memory is not None:
                d = descriptor_forward(self.memory["descriptor"], self.lat[p][None])[0]
                self.bank.append((p, d, self.cache[p]))
            del self.cache[p]
            self.lat.pop(p, None)

    def retrieve(self, b):
        if self.memory is None:
            return []
        lo = self.block * b - (self.window - self.block)
        window = sorted(p for p in self.cache if p >= self.sink and p >= lo)
        sink = sorted(p for p in self.cache if p < self.sink)
        newest = (window or sink or [None])[-1]
        n = len(self.bank) - self.memory["exclude_recent"]
        if newest is None or n <= 0:
            self.retrieved[b] = []
            return []
        q = descriptor_forward(self.memory["descriptor"], self.lat[newest][None])[0]
        cands = self.bank[:n]
        order = sorted(range(n), key=lambda i: (-float(cands[i][1] @ q), cands[i][0]))[:self.memory["k"]]
        chosen = sorted((cands[i] for i in order), key=lambda e: e[0])
        self.retrieved[b] = [p for p, _, _ in chosen]
        return [(self.memory["slot"], kv) for _, _, kv in chosen]

    keys_rotated = False    # the cache keeps K before RoPE

    def recache_inputs(self, sink_ps, ps):
        sink_slots, win_slots = self.slots(sink_ps, ps)
        return self.rotated_prefix([(sl, self.cache[p]) for sl, p in zip(sink_slots, sink_ps)]), win_slots

    def block_step(self, b, txt, noises, switched=False, recache=True, pooled=None):
        if switched and recache and b > 1:
            self.recache(b, txt, pooled)
        lo = self.block * b - (self.window - self.block)
        window = sorted(p for p in self.cache if p >= self.sink and p >= lo)
        sink = sorted(p for p in self.cache if p < self.sink)
        sink_slots, win_slots = self.slots(sink, window)
        entries = [(sl, self.cache[p]) for sl, p in zip(sink_slots, sink)] + self.retrieve(b) \
            + [(sl, self.cache[p]) for sl, p in zip(win_slots, window)]
        pre = self.rotated_prefix(entries)
        first = len(sink) + len(window)
        slots = [first + i for i in range(self.block)]
        pos = [self.block * b + i for i in range(self.block)]
        x0, v0 = self.denoise(noises, slots, txt, pre, pooled)
        _, kvs = self.m.forward(x0, np.zeros(self.block), slots, txt, prefix=pre, pooled=pooled, keys_rotated=False)
        self.store(kvs, pos)
        for fi, p in enumerate(pos):
            self.lat[p] = x0[fi]
        self.evict(b + 1)
        return x0, v0


# ============================================================================ descriptor, reward
def l2n(x, eps=1e-6):
    return x / np.sqrt((x * x).sum(-1, keepdims=True) + eps)


def descriptor_forward(P, z):
    """z [N, zc, 8, 8] normalised latents -> [N, out_dim] L2-normalised."""
    h = silu(conv2d(z, P["conv1.weight"], P["conv1.bias"]))
    h = silu(conv2d(h, P["conv2.weight"], P["conv2.bias"], stride=2))
    h = silu(conv2d(h, P["conv3.weight"], P["conv3.bias"], stride=2))
    return l2n(linear(h.reshape(h.shape[0], -1), P["fc.weight"], P["fc.bias"]))


def reward_forward(P, frames, txt, mask=None):
    """frames [N, 4, 3, 64, 64] in [-1, 1]; txt [N, L, 384]; mask bool [N, L] -> logits [N]."""
    N = frames.shape[0]
    h = frames.reshape(N, -1, *frames.shape[-2:])
    for i in (1, 2, 3, 4):
        h = silu(conv2d(h, P[f"conv{i}.weight"], P[f"conv{i}.bias"], stride=2))
    img = l2n(linear(h.reshape(N, -1), P["img_fc.weight"], P["img_fc.bias"]))
    m = np.ones(txt.shape[:2], bool) if mask is None else mask
    pooled = (txt * m[..., None]).sum(1) / np.maximum(m.sum(1, keepdims=True), 1)
    t = l2n(linear(gelu_tanh(linear(pooled, P["txt_fc1.weight"], P["txt_fc1.bias"])), P["txt_fc2.weight"], P["txt_fc2.bias"]))
    return P["logit_scale"][0] * (img * t).sum(-1) + P["logit_bias"][0]


# ============================================================================ fixtures
def load_model(name):
    cfg = json.load(open(os.path.join(MODEL_DIR, "config.json")))
    c = cfg[name]
    if c.get("missing"):
        return None, None, cfg
    return load_safetensors(os.path.join(MODEL_DIR, c["file"])), c, cfg


def _f32(a):
    return np.ascontiguousarray(np.asarray(a, np.float64).astype(np.float32))


def stream_fixture(name, rng, text_a, text_b, n_blocks=5, switch_at=3):
    """The streaming loop without guidance; when the weights carry null_text, also with the model's guidance
    (or 3 when the model's is 1) on the same noises as `latents_guided`.  A pooled_text model also gets each
    prompt's sentence vector (`sentence_a`, `sentence_b`, pooled from the states; guidance uses null_sentence)."""
    P, c, cfg = load_model(name)
    if P is None:
        return None
    den = DenoiserRef(P, c)
    zc, hw = c["latent_channels"], c["latent_hw"]
    n_sig = len(c["sampler"]["steps"])
    noises = _f32(rng.standard_normal((n_blocks, n_sig, 3, zc, hw, hw)))
    sent = None
    if den.pooled_text:     # rounded to f32 as stored, so the fixture's inputs are exactly what the reference used
        sent = (_f32(sentence_vector(text_a)).astype(np.float64), _f32(sentence_vector(text_b)).astype(np.float64))

    def run(st):
        outs, v0s = [], []
        for b in range(n_blocks):
            txt = text_a if b < switch_at else text_b
            pooled = None if sent is None else sent[0 if b < switch_at else 1]
            x0, v0 = st.block_step(b, txt, noises[b].astype(np.float64), switched=(b == switch_at), pooled=pooled)
            outs.append(x0)
            v0s.append(v0)
        return outs, v0s

    outs, v0s = run(StreamRef(den, c["sampler"]))
    fx = {"noises": noises, "text_a": _f32(text_a), "text_b": _f32(text_b),
          "switch_block": np.array([switch_at], np.int64), "latents": _f32(np.stack(outs)),
          "first_call_v": _f32(np.stack(v0s))}
    if sent is not None:
        fx.update(sentence_a=_f32(sent[0]), sentence_b=_f32(sent[1]))
    if "null_text" in P:
        g = float(c["sampler"].get("guidance", 1.0))
        g = 3.0 if g == 1.0 else g
        outs, _ = run(StreamRef(den, c["sampler"], guidance=g, null_text=P["null_text"].astype(np.float64),
                                null_sentence=P["null_sentence"] if sent is not None else None))
        fx.update(latents_guided=_f32(np.stack(outs)), guidance=np.array([g], np.float32))
    return fx


def torch_stream_generator(P, c):
    """The torch denoiser with these weights (in torch's default dtype) and the training code's streaming sampler
    set up like the export's sampler config: what the reference is checked against."""
    import torch

    import models
    import sample
    m = models.Denoiser(dim=c["dim"], depth=c["depth"], heads=c["heads"], pooled_text=c.get("pooled_text", False))
    m.load_state_dict({k: torch.as_tensor(v.astype(np.float32), dtype=torch.get_default_dtype())
                       for k, v in P.items() if k not in ("null_text", "null_sentence")})
    m.eval()
    s = c["sampler"]
    stats = dict(mean=torch.tensor(c["latent_mean"]), std=torch.tensor(c["latent_std"]))
    g = sample.Generator(m, None, stats, None, sink=s["sink_frames"], window=s["window_frames"],
                         block=s["block_frames"], steps=s["steps"], shift=s["shift"], recache=True)
    return m, g


def torch_f32_guided_error(name, fx):
    """How far torch in float32 lands from this reference on the fixture's guided stream.  Guidance multiplies
    the difference of two calls by its scale at every step, so float32 rounding grows over the 20 calls of a
    stream, by an amount that depends on the trained weights; the Swift test accepts its own float32 error up to
    a small multiple of torch's on the very same inputs.  NaN when torch is not installed (the test then keeps
    its fixed bound)."""
    try:
        import torch
    except ImportError:
        return float("nan")
    P, c, _ = load_model(name)
    _, g = torch_stream_generator(P, c)
    g.cfg_scale = float(fx["guidance"][0])
    sw, nb = int(fx["switch_block"][0]), fx["noises"].shape[0]
    texts = {"a": fx["text_a"], "b": fx["text_b"], "": P["null_text"].astype(np.float32)}
    pooled = {"a": fx["sentence_a"], "b": fx["sentence_b"], "": P["null_sentence"].astype(np.float32)} \
        if "sentence_a" in fx else None
    with torch.no_grad():
        z = g.generate([(0, "a"), (sw, "b")], nb, noises=fx["noises"], texts=texts, normalised=True,
                       pooled=pooled).numpy()
    return float(np.abs(z - fx["latents_guided"].reshape(z.shape)).max())


def write_fixtures():
    os.makedirs(FIX_DIR, exist_ok=True)
    rng = np.random.default_rng(20261121)
    written = []
    # text conditioning: the MiniLM states of two real prompts (written by export.py into text_states.safetensors);
    # they are copied into each stream fixture so the denoiser test does not depend on the text encoder.
    tp = os.path.join(FIX_DIR, "text_states.safetensors")
    if os.path.exists(tp):
        ts = load_safetensors(tp)
        text_a, text_b = ts["text_a"], ts["text_b"]
    else:
        text_a = rng.standard_normal((12, 384)) * 0.3
        text_b = rng.standard_normal((10, 384)) * 0.3
    Pv, cv, cfg = load_model("vae")
    if Pv is not None:
        vae = VAERef(Pv, cv)
        z = _f32(rng.standard_normal((3, cv["latent_channels"], 8, 8)))
        # streamed decode: one latent frame at a time, carrying the cache
        cache, frames = None, []
        for i in range(z.shape[0]):
            fr, cache = vae.decode(z[i:i + 1].astype(np.float64), cache)
            frames.append(fr)
        video = np.concatenate(frames)
        save_safetensors(os.path.join(FIX_DIR, "vae_decode.safetensors"), {"latents": z, "video": _f32(video)})
        vid_in = _f32(np.clip(rng.standard_normal((8, 3, 64, 64)) * 0.5, -1, 1))
        zz, _ = vae.encode(vid_in.astype(np.float64))
        save_safetensors(os.path.join(FIX_DIR, "vae_encode.safetensors"), {"video": vid_in, "latents": _f32(zz)})
        written += ["vae_decode", "vae_encode"]
    for name in ("denoiser", "drafter"):
        fx = stream_fixture(name, rng, text_a, text_b)
        if fx is not None:
            if "latents_guided" in fx:
                fx["torch_f32_error_guided"] = np.array([torch_f32_guided_error(name, fx)], np.float32)
            save_safetensors(os.path.join(FIX_DIR, f"{name}_stream.safetensors"), fx)
            written.append(f"{name}_stream")
    Pd, cd, _ = load_model("descriptor")
    if Pd is not None:
        z = _f32(rng.standard_normal((4, cd["latent_channels"], 8, 8)))
        save_safetensors(os.path.join(FIX_DIR, "descriptor.safetensors"),
                         {"latents": z, "descriptors": _f32(descriptor_forward(Pd, z.astype(np.float64)))})
        written.append("descriptor")
    Pr, cr, _ = load_model("reward")
    if Pr is not None:
        fr = _f32(np.clip(rng.standard_normal((2, 4, 3, 64, 64)) * 0.5, -1, 1))
        txt = _f32(np.stack([text_a[:10], text_b[:10]]))
        save_safetensors(os.path.join(FIX_DIR, "reward.safetensors"),
                         {"frames": fr, "text": txt, "logits": _f32(reward_forward(Pr, fr.astype(np.float64), txt.astype(np.float64)))})
        written.append("reward")
    print("wrote", written, "to", FIX_DIR)


def memory_stream_fixture(n_blocks=8, switch_at=6, k=3, exclude_recent=5, slot=0):
    """Issue 15's fixture on the shipped denoiser and descriptor: the same noises through the absolute stream,
    the position-free (infinity) stream, and the infinity stream with retrieval; a prompt switch with re-cache
    at block `switch_at`.  With sink 3 and window 9 the window first slides after block 3, so blocks 0-3 of the
    three streams are the same (checked here); retrieval has candidates from block 5 on."""
    P, c, _ = load_model("denoiser")
    Pd, _, _ = load_model("descriptor")
    tp = os.path.join(FIX_DIR, "text_states.safetensors")
    if P is None or Pd is None or not os.path.exists(tp):
        return None
    ts = load_safetensors(tp)
    text_a, text_b = ts["text_a"].astype(np.float64), ts["text_b"].astype(np.float64)
    den = DenoiserRef(P, c)
    rng = np.random.default_rng(20261130)
    n_sig = len(c["sampler"]["steps"])
    noises = _f32(rng.standard_normal((n_blocks, n_sig, c["sampler"]["block_frames"],
                                       c["latent_channels"], c["latent_hw"], c["latent_hw"])))
    Pd64 = {k_: v.astype(np.float64) for k_, v in Pd.items()}

    # a pooled_text model (world-tiny v2) also takes each prompt's sentence vector, pooled from its states as the
    # text encoder pools them (the Swift tests pool the fixture's states the same way)
    pooled_text = bool(c.get("pooled_text", False))

    def run(st):
        out = []
        for b in range(n_blocks):
            txt = text_a if b < switch_at else text_b
            x0, _ = st.block_step(b, txt, noises[b].astype(np.float64), switched=(b == switch_at),
                                  pooled=sentence_vector(txt) if pooled_text else None)
            out.append(x0)
        return np.stack(out)

    absolute = run(StreamRef(den, c["sampler"]))
    infinity = run(InfinityStreamRef(den, c["sampler"]))
    rag_ref = InfinityStreamRef(den, c["sampler"], memory=dict(descriptor=Pd64, k=k, exclude_recent=exclude_recent, slot=slot))
    rag = run(rag_ref)
    slid = 4          # the first block whose slots differ from its positions
    assert np.abs(absolute[:slid] - infinity[:slid]).max() < 1e-9, "infinity must equal absolute before the window slides"
    assert np.abs(absolute[slid:] - infinity[slid:]).max() > 1e-3, "infinity must differ from absolute once it slides"
    retrieved = np.full((n_blocks, k), -1, np.int64)
    for b, ps in rag_ref.retrieved.items():
        retrieved[b, :len(ps)] = ps
    assert (retrieved >= 0).any(), "the fixture must retrieve something"
    return {"noises": noises, "text_a": _f32(text_a), "text_b": _f32(text_b),
            "switch_block": np.array([switch_at], np.int64), "k": np.array([k], np.int64),
            "exclude_recent": np.array([exclude_recent], np.int64), "slot": np.array([slot], np.int64),
            "latents_absolute": _f32(absolute), "latents_infinity": _f32(infinity), "latents_rag": _f32(rag),
            "retrieved": retrieved}


def write_memory_fixture():
    fx = memory_stream_fixture()
    if fx is None:
        print("memory fixture: needs Models/world-tiny (denoiser, descriptor) and Tests/ModelFixtures/text_states")
        return
    save_safetensors(os.path.join(FIX_DIR, "memory_stream.safetensors"), fx)
    print("wrote memory_stream to", FIX_DIR, "retrieved per block:", fx["retrieved"].tolist())


# ============================================================================ check against torch
def check_pooled_against_torch(seed=5):
    """The pooled_text path (world-tiny v2) on a random model, since no trained one exists yet: one call, the
    5-block stream with a switch and re-cache, and the same stream with guidance 3 (null_sentence for the
    unconditional call), torch (this process's default dtype) against this reference."""
    import torch

    import make_longlive_fixtures as mlf
    rng = np.random.default_rng(seed)
    P16, c = mlf.pooled_model(rng)
    P = {k: v.astype(np.float64) for k, v in P16.items()}
    m, g = torch_stream_generator(P, c)
    ta = (rng.standard_normal((9, 384)) * 0.3).astype(np.float32)
    tb = (rng.standard_normal((7, 384)) * 0.3).astype(np.float32)
    sa, sb = (sentence_vector(t).astype(np.float32) for t in (ta, tb))
    noises = rng.standard_normal((5, 4, 3, 16, 8, 8)).astype(np.float32)
    T = lambda a: torch.as_tensor(a, dtype=torch.get_default_dtype())
    worst = {}
    v1, _ = DenoiserRef(P, c).forward(noises[0, 0].astype(np.float64), np.full(3, 1000.0), [0, 1, 2], ta.astype(np.float64),
                                      pooled=sa.astype(np.float64))
    with torch.no_grad():
        v1t = m(T(noises[0, 0])[None], torch.full((1, 3), 1000.0), [0, 1, 2], T(ta)[None], pooled=T(sa).expand(1, 3, -1))
    worst["pooled_random_single_call"] = float(np.abs(v1 - v1t[0].numpy()).max())
    for scale in (1.0, 3.0):
        g.cfg_scale, g._lat = scale, {}
        null = P["null_text"].astype(np.float32)
        with torch.no_grad():
            zt = g.generate([(0, "a"), (3, "b")], 5, noises=noises, texts={"a": ta, "b": tb, "": null}, normalised=True,
                            pooled={"a": sa, "b": sb, "": P["null_sentence"].astype(np.float32)}).numpy()
        ref = StreamRef(DenoiserRef(P, c), c["sampler"], guidance=scale, null_text=P["null_text"],
                        null_sentence=P["null_sentence"])
        err = 0.0
        for b in range(5):
            txt, pv = (ta, sa) if b < 3 else (tb, sb)
            x0r, _ = ref.block_step(b, txt.astype(np.float64), noises[b].astype(np.float64), switched=(b == 3),
                                    pooled=pv.astype(np.float64))
            err = max(err, float(np.abs(zt[3 * b:3 * b + 3] - x0r).max()))
        worst["pooled_random_stream_5_blocks_with_recache" + ("" if scale == 1.0 else "_guidance_3")] = err
    return worst


def check_against_torch(f64=False):
    import torch  # only in this mode

    import models
    torch.set_num_threads(1)
    if f64:
        torch.set_default_dtype(torch.float64)     # torch in float64 too: what is left is the reference's own error

    def _T(a):
        return torch.as_tensor(a, dtype=torch.get_default_dtype())
    rng = np.random.default_rng(0)
    worst = {}
    Pv, cv, _ = load_model("vae")
    if Pv is not None:
        vae = models.VAE()
        vae.load_state_dict({k: _T(v.astype(np.float32)) for k, v in Pv.items()})
        vae.eval()
        z = rng.standard_normal((1, 3, 16, 8, 8)).astype(np.float32)
        with torch.no_grad():
            vt, _ = vae.decoder(_T(z))
        r = VAERef(Pv, cv)
        cache, outs = None, []
        for i in range(3):
            o, cache = r.decode(z[0, i:i + 1].astype(np.float64), cache)
            outs.append(o)
        worst["vae_decode_stream"] = float(np.abs(np.concatenate(outs) - vt[0].numpy()).max())
        vid = np.clip(rng.standard_normal((1, 8, 3, 64, 64)) * 0.5, -1, 1).astype(np.float32)
        with torch.no_grad():
            zt, _ = vae.encoder(_T(vid))
        zr, _ = r.encode(vid[0].astype(np.float64))
        worst["vae_encode"] = float(np.abs(zr - zt[0].numpy()).max())
    for name in ("denoiser", "drafter"):
        P, c, _ = load_model(name)
        if P is None:
            continue
        m, g = torch_stream_generator(P, c)
        pooled_text = bool(c.get("pooled_text", False))
        ref = StreamRef(DenoiserRef(P, c), c["sampler"])
        ta = (rng.standard_normal((9, 384)) * 0.3).astype(np.float32)
        tb = (rng.standard_normal((7, 384)) * 0.3).astype(np.float32)
        noises = rng.standard_normal((5, 4, 3, 16, 8, 8)).astype(np.float32)
        # a pooled_text model (world-tiny v2) also takes each prompt's sentence vector, pooled from its states
        sa, sb = (sentence_vector(ta).astype(np.float32), sentence_vector(tb).astype(np.float32)) if pooled_text \
            else (None, None)
        pooled = {"a": sa, "b": sb} if pooled_text else None
        with torch.no_grad():
            zt = g.generate([(0, "a"), (3, "b")], 5, noises=noises, texts={"a": ta, "b": tb}, normalised=True,
                            **({"pooled": pooled} if pooled_text else {})).numpy()
        # single call: the first block's first denoiser call
        v1, _ = DenoiserRef(P, c).forward(noises[0, 0].astype(np.float64), np.full(3, 1000.0), [0, 1, 2], ta.astype(np.float64),
                                          pooled=None if sa is None else sa.astype(np.float64))
        with torch.no_grad():
            v1t = m(_T(noises[0, 0])[None], torch.full((1, 3), 1000.0), [0, 1, 2], _T(ta)[None],
                    pooled=None if sa is None else _T(sa).expand(1, 3, -1))
        worst[f"{name}_single_call"] = float(np.abs(v1 - v1t[0].numpy()).max())
        def stream_err(ref, z):      # the reference's 5-block stream (switch at block 3) against torch's latents
            err = 0.0
            for b in range(5):
                pv = None if sa is None else (sa if b < 3 else sb).astype(np.float64)
                x0r, _ = ref.block_step(b, (ta if b < 3 else tb).astype(np.float64), noises[b].astype(np.float64),
                                        switched=(b == 3), **({"pooled": pv} if pooled_text else {}))
                err = max(err, float(np.abs(z[3 * b:3 * b + 3] - x0r).max()))
            return err

        worst[f"{name}_stream_5_blocks_with_recache"] = stream_err(ref, zt)
        if "null_text" in P:
            null = P["null_text"].astype(np.float32)
            g.cfg_scale = 3.0
            g._lat = {}
            pooled_g = dict(pooled, **{"": P["null_sentence"].astype(np.float32)}) if pooled_text else None
            with torch.no_grad():
                zg = g.generate([(0, "a"), (3, "b")], 5, noises=noises, texts={"a": ta, "b": tb, "": null},
                                normalised=True, **({"pooled": pooled_g} if pooled_text else {})).numpy()
            refg = StreamRef(DenoiserRef(P, c), c["sampler"], guidance=3.0, null_text=null.astype(np.float64),
                             **({"null_sentence": P["null_sentence"]} if pooled_text else {}))
            worst[f"{name}_stream_5_blocks_guidance_3"] = stream_err(refg, zg)
    Pd, cd, _ = load_model("descriptor")
    if Pd is not None:
        d = models.Descriptor()
        sd = d.state_dict()
        sd.update({k: _T(v.astype(np.float32)) for k, v in Pd.items()})
        d.load_state_dict(sd)
        z = rng.standard_normal((3, 16, 8, 8)).astype(np.float32)
        with torch.no_grad():
            worst["descriptor"] = float(np.abs(d(_T(z)).numpy() - descriptor_forward(Pd, z.astype(np.float64))).max())
    Pr, cr, _ = load_model("reward")
    if Pr is not None:
        rm = models.Reward()
        rm.load_state_dict({k: _T(v.astype(np.float32).reshape(rm.state_dict()[k].shape)) for k, v in Pr.items()})
        fr = np.clip(rng.standard_normal((2, 4, 3, 64, 64)) * 0.5, -1, 1).astype(np.float32)
        tx = (rng.standard_normal((2, 7, 384)) * 0.3).astype(np.float32)
        with torch.no_grad():
            lt = rm(_T(fr), _T(tx)).numpy()
        worst["reward_logit"] = float(np.abs(lt - reward_forward(Pr, fr.astype(np.float64), tx.astype(np.float64))).max())
    worst.update(check_pooled_against_torch())
    print(json.dumps(worst, indent=1))
    return worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", action="store_true")
    ap.add_argument("--memory-fixture", action="store_true",
                    help="only Tests/ModelFixtures/memory_stream (issue 15: infinity mode and retrieval)")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--f64", action="store_true", help="with --check: run torch in float64 as well")
    ap.add_argument("--check-pooled", action="store_true",
                    help="only the pooled_text check (a random model; --check runs it too)")
    a = ap.parse_args()
    if a.check_pooled:
        import torch
        torch.set_num_threads(1)
        if a.f64:
            torch.set_default_dtype(torch.float64)
        print(json.dumps(check_pooled_against_torch(), indent=1))
    if a.fixtures:
        write_fixtures()
    if a.fixtures or a.memory_fixture:
        write_memory_fixture()
    if a.check:
        check_against_torch(f64=a.f64)


if __name__ == "__main__":
    main()
