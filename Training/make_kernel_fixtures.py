#!/usr/bin/env python3
"""Golden fixtures for FlowTensor's kernels (Tests/FlowTensorTests/Fixtures/*.safetensors).

numpy only. Inputs are float32; references are computed in float64 from those inputs and stored
as float32, so they carry no float32 rounding of their own. Each file holds the inputs and the
expected outputs of one kernel family; the Swift tests (KernelGoldenTests.swift) name the same
tensors and use the same hyper-parameters, which are written next to each function here.

Run from the repo root:  python3 Training/make_kernel_fixtures.py
"""
import json
import math
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "FlowTensorTests", "Fixtures")
rng = np.random.default_rng(20261121)


def randn(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float16): "F16", np.dtype(np.int8): "I8",
          np.dtype(np.uint8): "U8", np.dtype(np.int32): "I32"}


def save(name, tensors, bf16=()):
    """Writes a safetensors file. Names in `bf16` hold raw bf16 bits in a uint16 array."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        arr = np.ascontiguousarray(tensors[key])
        dtype = "BF16" if key in bf16 else DTYPES[arr.dtype]
        raw = arr.tobytes()
        header[key] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def f32(x):
    return np.asarray(x, dtype=np.float64).astype(np.float32)


def linear():
    # y = x @ w.T + b; x [5, 24] and x3 [2, 3, 24]; w [40, 24].
    x, x3, w, b = randn(5, 24), randn(2, 3, 24), randn(40, 24, scale=0.2), randn(40)
    d = lambda a: a.astype(np.float64)
    save("linear", {"x": x, "x3": x3, "w": w, "b": b,
                    "y": f32(d(x) @ d(w).T + d(b)), "y3": f32(d(x3) @ d(w).T + d(b)), "y_nobias": f32(d(x) @ d(w).T)})


def matmul():
    # a [3, 7, 9] @ b [3, 9, 5]; bt is b stored transposed [3, 5, 9]; m2 [9, 5] is shared.
    a, b, m2 = randn(3, 7, 9), randn(3, 9, 5), randn(9, 5)
    d = lambda t: t.astype(np.float64)
    save("matmul", {"a": a, "b": b, "bt": np.ascontiguousarray(np.swapaxes(b, 1, 2)), "m2": m2,
                    "y": f32(d(a) @ d(b)), "y_shared": f32(d(a) @ d(m2))})


def norms():
    # layer norm eps 1e-5, rms norm eps 1e-6 over the last dim of x [6, 40]; x has an offset so
    # mean subtraction matters. group norm: x [2, 6, 4, 5], 3 groups, eps 1e-5.
    x = randn(6, 40) + 3
    w, b = randn(40), randn(40)
    xd = x.astype(np.float64)
    mean, var = xd.mean(-1, keepdims=True), xd.var(-1, keepdims=True)
    ln = (xd - mean) / np.sqrt(var + 1e-5) * w + b
    rms = xd / np.sqrt((xd ** 2).mean(-1, keepdims=True) + 1e-6) * w
    g = randn(2, 6, 4, 5) * 2 + 1
    gw, gb = randn(6), randn(6)
    gd = g.astype(np.float64).reshape(2, 3, -1)
    gn = ((gd - gd.mean(-1, keepdims=True)) / np.sqrt(gd.var(-1, keepdims=True) + 1e-5)).reshape(2, 6, 4, 5)
    gn = gn * gw[None, :, None, None] + gb[None, :, None, None]
    save("norms", {"x": x, "w": w, "b": b, "layernorm": f32(ln), "rmsnorm": f32(rms),
                   "g": g, "gw": gw, "gb": gb, "groupnorm": f32(gn)})


def activations():
    # x covers [-12, 12] plus tiny values; softmax rows have large logits.
    x = np.concatenate([np.linspace(-12, 12, 301), randn(40, scale=1e-3)]).astype(np.float32)
    xd = x.astype(np.float64)
    erf = np.vectorize(math.erf)
    gelu_erf = 0.5 * xd * (1 + erf(xd / math.sqrt(2)))
    gelu_tanh = 0.5 * xd * (1 + np.tanh(math.sqrt(2 / math.pi) * (xd + 0.044715 * xd ** 3)))
    silu = xd / (1 + np.exp(-xd))
    s = randn(7, 33, scale=8)
    sd = s.astype(np.float64)
    e = np.exp(sd - sd.max(-1, keepdims=True))
    save("activations", {"x": x, "gelu_erf": f32(gelu_erf), "gelu_tanh": f32(gelu_tanh), "silu": f32(silu),
                         "s": s, "softmax": f32(e / e.sum(-1, keepdims=True))})


def rope_half(x, pos, base):
    """Rotate-half RoPE on the last dim of x [..., T, d] with positions pos [T]."""
    d = x.shape[-1]
    half = d // 2
    freqs = base ** (-2.0 * np.arange(half) / d)
    ang = pos[:, None].astype(np.float64) * freqs[None, :]
    c, s = np.cos(ang), np.sin(ang)
    a, b = x[..., :half], x[..., half:]
    return np.concatenate([a * c - b * s, b * c + a * s], axis=-1)


def rope():
    # 1D: x [2, 6, 16], positions [0, 1, 2, 7, 100, 1000], base 10000.
    # 3D: x [2, 12, 24], sections (t, h, w) = (8, 8, 8), positions pos3 [12, 3], base 10000.
    x = randn(2, 6, 16)
    pos = np.array([0, 1, 2, 7, 100, 1000], dtype=np.int32)
    y = rope_half(x.astype(np.float64), pos, 10000.0)
    x3 = randn(2, 12, 24)
    pos3 = np.array([[t, h, w] for t in range(3) for h in range(2) for w in range(2)], dtype=np.int32)
    xd = x3.astype(np.float64)
    y3 = np.concatenate([rope_half(xd[..., 0:8], pos3[:, 0], 10000.0),
                         rope_half(xd[..., 8:16], pos3[:, 1], 10000.0),
                         rope_half(xd[..., 16:24], pos3[:, 2], 10000.0)], axis=-1)
    save("rope", {"x": x, "pos": pos, "y": f32(y), "x3": x3, "pos3": pos3, "y3": f32(y3)})


def attention():
    # q [4, 10, 8] at positions 40..49; kv heads 2 (grouped: query head h uses kv head h // 2).
    # Segments (keys/values [2, n, 8]) and first positions: sink 3 @ 0, window 300 @ 5 (spans
    # several 256-key tiles), current 10 @ 40. Scale 1/sqrt(8). Masks: none, causal, blockCausal(5).
    q = randn(4, 10, 8)
    segs = [(3, 0), (300, 5), (10, 40)]
    tensors = {"q": q}
    keys, vals, kpos = [], [], []
    for i, (n, first) in enumerate(segs):
        k, v = randn(2, n, 8), randn(2, n, 8)
        tensors[f"k{i}"], tensors[f"v{i}"] = k, v
        keys.append(k); vals.append(v); kpos.append(np.arange(first, first + n))
    K = np.concatenate(keys, 1).astype(np.float64)
    V = np.concatenate(vals, 1).astype(np.float64)
    kp = np.concatenate(kpos)
    qp = np.arange(40, 50)
    masks = {"none": np.ones((10, len(kp)), bool), "causal": kp[None, :] <= qp[:, None],
             "block": (kp[None, :] // 5) <= (qp[:, None] // 5)}
    for name, m in masks.items():
        out = np.zeros((4, 10, 8))
        for h in range(4):
            s = q[h].astype(np.float64) @ K[h // 2].T / math.sqrt(8)
            s = np.where(m, s, -np.inf)
            p = np.exp(s - s.max(-1, keepdims=True))
            out[h] = (p / p.sum(-1, keepdims=True)) @ V[h // 2]
        tensors["y_" + name] = f32(out)
    save("attention", tensors)


def conv_ref(x, w, stride, pad, groups=1):
    """Cross-correlation for x [N, C, T, H, W], w [O, C/g, kt, kh, kw], valid in T, padded in H, W."""
    x = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    n, c, t, h, wd = x.shape
    o, cg, kt, kh, kw = w.shape
    og = o // groups
    to, ho, wo = (t - kt) // stride[0] + 1, (h - kh) // stride[1] + 1, (wd - kw) // stride[2] + 1
    y = np.zeros((n, o, to, ho, wo))
    for oc in range(o):
        g = oc // og
        for a in range(to):
            for b in range(ho):
                for cc in range(wo):
                    patch = x[:, g * cg:(g + 1) * cg, a * stride[0]:a * stride[0] + kt,
                              b * stride[1]:b * stride[1] + kh, cc * stride[2]:cc * stride[2] + kw]
                    y[:, oc, a, b, cc] = (patch * w[oc].astype(np.float64)).sum(axis=(1, 2, 3, 4))
    return y


def convolution():
    # conv2d: x [2, 4, 9, 8], w [6, 4, 3, 3], b [6], stride (2, 1), padding (1, 1) -> y.
    #         grouped: wg [6, 2, 3, 3], groups 2, stride 1, padding 1 -> yg. pointwise: w1 [5, 4, 1, 1] -> y1.
    # causal conv3d: x3 [1, 3, 5, 6, 6], w3 [4, 3, 3, 3, 3], b3 [4], padding (1, 1), two zero frames
    #         in front -> y3; with stride (1, 2, 2) -> y3s.
    x, w, b = randn(2, 4, 9, 8), randn(6, 4, 3, 3, scale=0.3), randn(6)
    wg, w1 = randn(6, 2, 3, 3, scale=0.3), randn(5, 4, 1, 1)
    x5 = x[:, :, None]
    y = conv_ref(x5, w[:, :, None], (1, 2, 1), (1, 1))[:, :, 0] + b[None, :, None, None]
    yg = conv_ref(x5, wg[:, :, None], (1, 1, 1), (1, 1), groups=2)[:, :, 0]
    y1 = conv_ref(x5, w1[:, :, None], (1, 1, 1), (0, 0))[:, :, 0]
    x3, w3, b3 = randn(1, 3, 5, 6, 6), randn(4, 3, 3, 3, 3, scale=0.2), randn(4)
    xp = np.concatenate([np.zeros((1, 3, 2, 6, 6), np.float32), x3], axis=2)
    y3 = conv_ref(xp, w3, (1, 1, 1), (1, 1)) + b3[None, :, None, None, None]
    y3s = conv_ref(xp, w3, (1, 2, 2), (1, 1)) + b3[None, :, None, None, None]
    save("convolution", {"x": x, "w": w, "b": b, "y": f32(y), "wg": wg, "yg": f32(yg), "w1": w1, "y1": f32(y1),
                         "x3": x3, "w3": w3, "b3": b3, "y3": f32(y3), "y3s": f32(y3s)})


def bilinear(x, oh, ow):
    """align_corners=False bilinear resize of the last two dims."""
    def taps(n_in, n_out):
        src = np.maximum((np.arange(n_out) + 0.5) * n_in / n_out - 0.5, 0)
        i0 = np.minimum(np.floor(src).astype(int), n_in - 1)
        return i0, np.minimum(i0 + 1, n_in - 1), src - i0
    y0, y1, fy = taps(x.shape[-2], oh)
    x0, x1, fx = taps(x.shape[-1], ow)
    xd = x.astype(np.float64)
    top = xd[..., y0, :][..., x0] * (1 - fx) + xd[..., y0, :][..., x1] * fx
    bot = xd[..., y1, :][..., x0] * (1 - fx) + xd[..., y1, :][..., x1] * fx
    return top * (1 - fy)[:, None] + bot * fy[:, None]


def resampling():
    # x [2, 3, 4, 5]: nearest x(2, 3) -> near; bilinear to (7, 9) -> up, to (3, 2) -> down.
    # pixel shuffle: p [2, 12, 3, 4], factor 2 -> shuf [2, 3, 6, 8].
    x = randn(2, 3, 4, 5)
    near = x.repeat(2, axis=-2).repeat(3, axis=-1)
    p = randn(2, 12, 3, 4)
    shuf = p.reshape(2, 3, 2, 2, 3, 4).transpose(0, 1, 4, 2, 5, 3).reshape(2, 3, 6, 8)
    save("resampling", {"x": x, "near": near, "up": f32(bilinear(x, 7, 9)), "down": f32(bilinear(x, 3, 2)),
                        "p": p, "shuf": shuf})


def quantization():
    # x [6, 64] (row 2 all zero). int8 per channel (axis 0) and per block of 16; int4 blocks of 32.
    # Arithmetic in float32 exactly as the Swift side: scale = absmax / 127 (or 7), q = rint(x / scale).
    x = randn(6, 64)
    x[2] = 0
    def scales_of(groups, qmax):
        amax = np.abs(groups).max(-1)
        return np.where(amax > 0, amax / np.float32(qmax), np.float32(1)).astype(np.float32)
    sc = scales_of(x, 127)
    qc = np.clip(np.rint(x / sc[:, None]), -127, 127).astype(np.int8)
    xb = x.reshape(6, 4, 16)
    sb = scales_of(xb, 127)
    qb = np.clip(np.rint(xb / sb[..., None]), -127, 127).astype(np.int8).reshape(6, 64)
    x4 = x.reshape(-1, 32)
    s4 = scales_of(x4, 7)
    q4 = (np.clip(np.rint(x4 / s4[:, None]), -8, 7).astype(np.int32) + 8).reshape(-1)
    packed = (q4[0::2] | (q4[1::2] << 4)).astype(np.uint8)
    deq4 = ((q4.reshape(-1, 32) - 8).astype(np.float32) * s4[:, None]).reshape(6, 64)
    save("quantization", {"x": x, "q_channel": qc, "s_channel": sc, "deq_channel": qc.astype(np.float32) * sc[:, None],
                          "q_block": qb, "s_block": sb.reshape(6, 4),
                          "q4": packed, "s4": s4, "deq4": deq4.astype(np.float32)})


def dtypes():
    # Values with exact ties and specials; their f16 (numpy) and bf16 (round-half-even on the bits).
    x = np.concatenate([randn(40, scale=100), np.array([1.0, -2.5, 65504, 1e-8, 3.0e38, np.inf, -np.inf], np.float32),
                        np.array([0x3F808000, 0x3F818000, 0x3F80FFFF], np.uint32).view(np.float32)]).astype(np.float32)
    bits = x.view(np.uint32).astype(np.uint64)
    bf = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    with np.errstate(over="ignore"):  # 3e38 overflows to inf in f16, which is what we test
        f16 = x.astype(np.float16)
    save("dtypes", {"x": x, "f16": f16, "bf16": bf,
                    "bf16_as_f32": (bf.astype(np.uint32) << 16).view(np.float32)}, bf16=("bf16",))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for make in (linear, matmul, norms, activations, rope, attention, convolution, resampling, quantization, dtypes):
        make()
    print("wrote fixtures to", os.path.normpath(OUT))
