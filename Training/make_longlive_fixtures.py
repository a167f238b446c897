"""Fixtures for the LongLive Swift nodes (vae.decoder, denoiser.block, cache.manager), made with reference.py.

    python3 Training/make_longlive_fixtures.py                 # small random model + fixtures -> Tests/FlowTestSupport/LongLiveFixtures/
    python3 Training/make_longlive_fixtures.py --full out/world-tiny-random   # full-size random model (no fixtures)
    python3 Training/make_longlive_fixtures.py --encoder       # only vae_encode + denoiser_v2v, from the existing fixture model
    python3 Training/make_longlive_fixtures.py --pooled        # only the pooled_text (world-tiny v2) model + its stream

Why a model of its own: the trained world-tiny is produced by another run and may not exist yet, and the parity
tests do not need its size. The weights here are random (every tensor non-zero, unlike a fresh torch init whose
adaLN and output layers start at zero, which would make a parity test vacuous), stored F16 like export.py does,
with a config.json of the same structure. The fixture model is small (dim 128, depth 2, VAE channels 8/16/32) so
the test bundle stays small; the full-size model has the shipped architecture, for graphs and benchmarks.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# LONGLIVE_FIXTURE_DIR: write elsewhere, e.g. to check that a change leaves the committed fixtures byte-identical
FIX = os.environ.get("LONGLIVE_FIXTURE_DIR", os.path.join(REPO, "Tests", "FlowTestSupport", "LongLiveFixtures"))


def vae_shapes(ch, zc=16):
    c0, c1, c2 = ch
    s = {}

    def res(p, c, k3=False):
        for n in ("norm1", "norm2"):
            s[f"{p}.{n}.weight"] = (c,)
            s[f"{p}.{n}.bias"] = (c,)
        for n in ("conv1", "conv2"):
            key = f"{p}.{n}.conv" if k3 else f"{p}.{n}"
            s[f"{key}.weight"] = (c, c, 3, 3, 3) if k3 else (c, c, 3, 3)
            s[f"{key}.bias"] = (c,)

    def conv(p, o, i):
        s[f"{p}.weight"] = (o, i, 3, 3)
        s[f"{p}.bias"] = (o,)

    conv("encoder.conv_in", c0, 12)
    res("encoder.res0", c0); conv("encoder.down0", c1, c0)
    res("encoder.res1", c1); conv("encoder.down1", c2, c1)
    res("encoder.res2", c2); conv("encoder.down2", c2, c2)
    res("encoder.mid", c2, True)
    s["encoder.norm_out.weight"] = (c2,); s["encoder.norm_out.bias"] = (c2,)
    conv("encoder.conv_out", zc, c2)
    conv("decoder.conv_in", c2, zc)
    res("decoder.mid", c2, True)
    res("decoder.res0", c2); conv("decoder.up0", c2, c2)
    res("decoder.res1", c2); conv("decoder.up1", c1, c2)
    res("decoder.res2", c1); conv("decoder.up2", c0, c1)
    res("decoder.res3", c0)
    s["decoder.norm_out.weight"] = (c0,); s["decoder.norm_out.bias"] = (c0,)
    conv("decoder.conv_out", 12, c0)
    return s


def denoiser_shapes(D, depth, pd=64, freq=256, text=384, pooled=False):
    s = {}

    def lin(p, o, i):
        s[f"{p}.weight"] = (o, i)
        s[f"{p}.bias"] = (o,)

    lin("patch_in", D, pd); lin("t_fc1", D, freq); lin("t_fc2", D, D); lin("txt_fc1", D, text); lin("txt_fc2", D, D)
    for l in range(depth):
        b = f"blocks.{l}"
        lin(f"{b}.ada", 6 * D, D)
        for n in ("q", "k", "v", "o", "ca_q", "ca_k", "ca_v", "ca_o"):
            lin(f"{b}.{n}", D, D)
        for n in ("norm_q", "norm_k", "ca_norm_q", "ca_norm_k"):
            s[f"{b}.{n}.weight"] = (D,)
        s[f"{b}.norm_ca.weight"] = (D,); s[f"{b}.norm_ca.bias"] = (D,)
        lin(f"{b}.fc1", 4 * D, D); lin(f"{b}.fc2", D, 4 * D)
    lin("final_ada", 2 * D, D); lin("patch_out", pd, D)
    if pooled:      # last, so the other tensors draw the same random numbers with or without it
        lin("pool_fc1", D, text); lin("pool_fc2", D, D)
    return s


def random_weights(shapes, rng):
    out = {}
    for k, shp in shapes.items():
        if len(shp) == 1:
            is_norm = "norm" in k and k.endswith("weight")
            a = (1.0 + 0.1 * rng.standard_normal(shp)) if is_norm else 0.05 * rng.standard_normal(shp)
        else:
            fan_in = int(np.prod(shp[1:]))
            a = rng.standard_normal(shp) / np.sqrt(fan_in)
        out[k] = np.ascontiguousarray(a.astype(np.float16))
    return out


def write_model(out_dir, rng, vae_ch, dim, depth, heads):
    sys.path.insert(0, HERE)
    import reference
    os.makedirs(out_dir, exist_ok=True)
    vae = random_weights(vae_shapes(vae_ch), rng)
    den = random_weights(denoiser_shapes(dim, depth), rng)
    reference.save_safetensors(os.path.join(out_dir, "vae.safetensors"), vae, {"producer": "make_longlive_fixtures.py (random)"})
    reference.save_safetensors(os.path.join(out_dir, "denoiser.safetensors"), den, {"producer": "make_longlive_fixtures.py (random)"})
    hd = dim // heads
    cfg = dict(format="flowrun-world-tiny", version=1, name="world-tiny-random",
               vae=dict(frames_per_latent=4, channels=list(vae_ch), latent_channels=16, spatial_factor=8, gn_groups=8,
                        gn_eps=1e-6, causal_time_kernel=3, file="vae.safetensors", dtype="F16"),
               denoiser=dict(dim=dim, depth=depth, heads=heads, head_dim=hd, mlp_dim=4 * dim, latent_channels=16,
                             latent_hw=8, patch=2, tokens_per_frame=16, patch_dim=64, text_dim=384, freq_dim=256,
                             rope_axes=[24, 20, 20], rope_theta=10000.0, norm_eps=1e-6, gelu="tanh",
                             prediction="flow", file="denoiser.safetensors", dtype="F16",
                             latent_mean=[float(x) for x in 0.2 * rng.standard_normal(16)],
                             latent_std=[float(x) for x in 0.5 + rng.random(16)],
                             sampler=dict(steps=[1000, 750, 500, 250], shift=5.0, sink_frames=3, window_frames=9,
                                          block_frames=3, cfg_scale=1.0, recache="on-switch", max_trained_position=300)),
               drafter=dict(missing=True), descriptor=dict(missing=True), reward=dict(missing=True))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    return cfg


def f32(a):
    return np.ascontiguousarray(np.asarray(a, np.float64).astype(np.float32))


def write_fixtures(model_dir, rng):
    os.environ["WORLD_TINY_MODEL_DIR"] = model_dir
    sys.path.insert(0, HERE)
    import reference
    reference.MODEL_DIR = model_dir
    Pv, cv, _ = reference.load_model("vae")
    vae = reference.VAERef(Pv, cv)
    z = f32(rng.standard_normal((4, 16, 8, 8)))
    cache, frames = None, []
    for i in range(4):
        fr, cache = vae.decode(z[i:i + 1].astype(np.float64), cache)
        frames.append(fr)
    whole, _ = vae.decode(z.astype(np.float64))
    reference.save_safetensors(os.path.join(FIX, "vae_decode.safetensors"),
                               {"latents": z, "video": f32(np.concatenate(frames)), "video_whole": f32(whole)})
    # one forward call with a cached prefix (sink-like), timestep per frame: isolates the DiT from the loop
    Pd, cd, _ = reference.load_model("denoiser")
    den = reference.DenoiserRef(Pd, cd)
    text_a = f32(0.5 * rng.standard_normal((7, 384)))
    text_b = f32(0.5 * rng.standard_normal((5, 384)))
    zp = f32(rng.standard_normal((3, 16, 8, 8)))
    _, kv_prefix = den.forward(zp.astype(np.float64), np.zeros(3), [0, 1, 2], text_a.astype(np.float64))
    zx = f32(rng.standard_normal((3, 16, 8, 8)))
    t = np.array([937.5, 937.5, 937.5])
    v, kvs = den.forward(zx.astype(np.float64), t, [6, 7, 8], text_a.astype(np.float64), prefix=kv_prefix)
    fx = {"prefix_latents": zp, "x": zx, "t": f32(t), "text": text_a, "v": f32(v),
          "k_layer0": f32(kvs[0][0]), "v_layer0": f32(kvs[0][1]), "k_last": f32(kvs[-1][0]), "v_last": f32(kvs[-1][1])}
    reference.save_safetensors(os.path.join(FIX, "denoiser_forward.safetensors"), fx)
    # the streaming loop: 5 blocks, switch with re-cache at block 3 (same as export.py's denoiser_stream)
    st = reference.stream_fixture("denoiser", rng, text_a.astype(np.float64), text_b.astype(np.float64))
    reference.save_safetensors(os.path.join(FIX, "denoiser_stream.safetensors"), st)
    print("wrote fixtures to", FIX)


def write_encoder_fixture(model_dir):
    """vae_encode: 12 video frames (3 latent frames) encoded 4 frames at a time with the cache, and whole.
    Its own rng, so adding it left the other fixtures byte-identical."""
    sys.path.insert(0, HERE)
    import reference
    reference.MODEL_DIR = model_dir
    Pv, cv, _ = reference.load_model("vae")
    vae = reference.VAERef(Pv, cv)
    rng = np.random.default_rng(20261122)
    # pixel values as video.source makes them: u8 / 127.5 - 1
    video = f32(rng.integers(0, 256, (12, 3, 64, 64)) / 127.5 - 1)
    cache, parts = None, []
    for k in range(3):
        z, cache = vae.encode(video[4 * k:4 * k + 4].astype(np.float64), cache)
        parts.append(z)
    whole, _ = vae.encode(video.astype(np.float64))
    reference.save_safetensors(os.path.join(FIX, "vae_encode.safetensors"),
                               {"video": video, "latents": f32(np.concatenate(parts)), "latents_whole": f32(whole)})
    print("wrote", os.path.join(FIX, "vae_encode.safetensors"))


def write_v2v_fixture(model_dir):
    """denoiser_v2v: one video-to-video block (StreamDiffusionV2 start): VAE latents z normalised, re-noised to
    start timestep 600, x = (1 - s0) zn + s0 n0, then the schedule's steps below 600 (500, 250), no prefix;
    x0 de-normalised. Noise draws are stored, so the test checks the arithmetic, not the Swift noise generator."""
    sys.path.insert(0, HERE)
    import reference
    reference.MODEL_DIR = model_dir
    Pd, cd, _ = reference.load_model("denoiser")
    den = reference.DenoiserRef(Pd, cd)
    rng = np.random.default_rng(20261123)
    start, steps = 600.0, [1000, 750, 500, 250]
    sampler = dict(cd["sampler"], steps=[start] + [s for s in steps if s < start])
    st = reference.StreamRef(den, sampler)
    mean = np.array(cd["latent_mean"])[None, :, None, None]
    std = np.array(cd["latent_std"])[None, :, None, None]
    z = f32(mean + std * rng.standard_normal((3, 16, 8, 8)))
    noises = f32(rng.standard_normal((len(st.sigmas), 3, 16, 8, 8))).astype(np.float64)
    text = f32(0.5 * rng.standard_normal((6, 384)))
    s0 = st.sigmas[0]
    x = noises.copy()
    x[0] = (1 - s0) * (z.astype(np.float64) - mean) / std + s0 * noises[0]
    x0, _ = st.block_step(0, text.astype(np.float64), x)
    reference.save_safetensors(os.path.join(FIX, "denoiser_v2v.safetensors"),
                               {"source": z, "noises": f32(noises), "text": text, "start": f32(np.array([start])),
                                "latents": f32(x0 * std + mean)})
    print("wrote", os.path.join(FIX, "denoiser_v2v.safetensors"))


def pooled_model(rng, dim=64, depth=2, heads=2):
    """A random pooled_text denoiser (world-tiny v2 layout): weights (F16, pool_fc1/pool_fc2 random like every other
    tensor so the parity test sees them, null_text and null_sentence for guidance) and its config.json section.
    dim 64 with two heads of 32 keeps it small (the fixture budget), and exercises rope axes other than the
    shipped [24, 20, 20]: the torch Denoiser's own split for that head size."""
    sys.path.insert(0, HERE)
    import reference
    den = random_weights(denoiser_shapes(dim, depth, pooled=True), rng)
    null = (0.5 * rng.standard_normal((2, 384))).astype(np.float16)          # [CLS] [SEP] of the empty prompt
    den["null_text"] = null
    den["null_sentence"] = reference.sentence_vector(null.astype(np.float64)).astype(np.float16)
    hd = dim // heads
    s = 2 * (hd // 6)
    cfg = dict(dim=dim, depth=depth, heads=heads, head_dim=hd, mlp_dim=4 * dim, latent_channels=16, latent_hw=8,
               patch=2, tokens_per_frame=16, patch_dim=64, text_dim=384, freq_dim=256, rope_axes=[hd - 2 * s, s, s],
               rope_theta=10000.0, norm_eps=1e-6, gelu="tanh", prediction="flow", pooled_text=True,
               file="denoiser.safetensors", dtype="F16",
               latent_mean=[float(x) for x in 0.2 * rng.standard_normal(16)],
               latent_std=[float(x) for x in 0.5 + rng.random(16)],
               sampler=dict(steps=[1000, 750, 500, 250], shift=5.0, sink_frames=3, window_frames=9, block_frames=3,
                            guidance=1.0, recache="on-switch", max_trained_position=300))
    return den, cfg


def write_pooled_fixtures():
    """model_pooled/ (config.json + denoiser.safetensors, no VAE) and denoiser_pooled_stream.safetensors: the
    streaming loop of 5 blocks with a switch and re-cache at block 3, plain and with guidance 3, each prompt with
    its sentence vector.  Its own rng and its own files: the other fixtures stay byte-identical."""
    sys.path.insert(0, HERE)
    import reference
    rng = np.random.default_rng(20261124)
    model_dir = os.path.join(FIX, "model_pooled")
    os.makedirs(model_dir, exist_ok=True)
    den, c = pooled_model(rng)
    reference.save_safetensors(os.path.join(model_dir, "denoiser.safetensors"), den,
                               {"producer": "make_longlive_fixtures.py --pooled (random)"})
    cfg = dict(format="flowrun-world-tiny", version=1, name="world-tiny-random-pooled", denoiser=c,
               vae=dict(missing=True), drafter=dict(missing=True), descriptor=dict(missing=True), reward=dict(missing=True))
    with open(os.path.join(model_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    reference.MODEL_DIR = model_dir
    text_a = f32(0.5 * rng.standard_normal((7, 384)))
    text_b = f32(0.5 * rng.standard_normal((5, 384)))
    fx = reference.stream_fixture("denoiser", rng, text_a.astype(np.float64), text_b.astype(np.float64))
    fx["torch_f32_error_guided"] = np.array([reference.torch_f32_guided_error("denoiser", fx)], np.float32)
    path = os.path.join(FIX, "denoiser_pooled_stream.safetensors")
    reference.save_safetensors(path, fx)
    print("wrote", model_dir, "and", path, "torch f32 guided error", float(fx["torch_f32_error_guided"][0]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--full", help="write a full-size random world-tiny to this folder instead")
    ap.add_argument("--encoder", action="store_true", help="only write the encoder fixture from the existing fixture model")
    ap.add_argument("--pooled", action="store_true", help="only write the pooled_text model and its stream fixture")
    a = ap.parse_args()
    if a.pooled:
        write_pooled_fixtures()
        return
    if a.encoder:
        write_encoder_fixture(os.path.join(FIX, "model"))
        write_v2v_fixture(os.path.join(FIX, "model"))
        return
    if a.full:
        write_model(a.full, np.random.default_rng(7), (32, 64, 128), 256, 8, 4)
        print("wrote", a.full)
        return
    rng = np.random.default_rng(20261121)
    model_dir = os.path.join(FIX, "model")
    write_model(model_dir, rng, (8, 16, 32), 128, 2, 2)
    write_fixtures(model_dir, rng)
    write_encoder_fixture(model_dir)
    write_v2v_fixture(model_dir)


if __name__ == "__main__":
    main()
