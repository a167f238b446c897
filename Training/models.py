"""world-tiny model family (torch).  Only ops the Swift side reproduces: linear, layernorm, rmsnorm,
GELU(tanh), SiLU, softmax, RoPE, SDPA with masks, conv2d, causal conv3d, group norm, nearest upsample.

Tensor names are the state_dict names; Training/MODEL_FORMAT.md documents every one.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

GN_GROUPS = 8
GN_EPS = 1e-6


# =============================================================================== VAE
class ResBlock2d(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(GN_GROUPS, c, eps=GN_EPS)
        self.conv1 = nn.Conv2d(c, c, 3, padding=1)
        self.norm2 = nn.GroupNorm(GN_GROUPS, c, eps=GN_EPS)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):                      # x [N, C, H, W]
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class CausalConv3d(nn.Module):
    """kernel (kt, 3, 3); time padded with kt-1 zeros in front (or the streaming cache), space padded 1."""

    def __init__(self, cin: int, cout: int, kt: int = 3):
        super().__init__()
        self.kt = kt
        self.conv = nn.Conv3d(cin, cout, (kt, 3, 3), padding=0)

    def forward(self, x, cache=None):          # x [B, C, T, H, W]; cache [B, C, kt-1, H, W] or None
        if cache is None:
            cache = x.new_zeros(x.shape[0], x.shape[1], self.kt - 1, x.shape[3], x.shape[4])
        xx = torch.cat([cache, x], dim=2)
        new_cache = xx[:, :, -(self.kt - 1):]
        xx = F.pad(xx, (1, 1, 1, 1, 0, 0))
        return self.conv(xx), new_cache


def group_norm_per_frame(norm: nn.GroupNorm, x):      # x [B, C, T, H, W] -> per-frame statistics
    B, C, T, H, Wd = x.shape
    y = norm(x.permute(0, 2, 1, 3, 4).reshape(B * T, C, H, Wd))
    return y.reshape(B, T, C, H, Wd).permute(0, 2, 1, 3, 4)


class CausalResBlock3d(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(GN_GROUPS, c, eps=GN_EPS)
        self.conv1 = CausalConv3d(c, c)
        self.norm2 = nn.GroupNorm(GN_GROUPS, c, eps=GN_EPS)
        self.conv2 = CausalConv3d(c, c)

    def forward(self, x, cache=None):          # x [B, C, T, H, W]; cache: tuple(c1, c2) or None
        c1, c2 = cache if cache is not None else (None, None)
        h, n1 = self.conv1(F.silu(group_norm_per_frame(self.norm1, x)), c1)
        h, n2 = self.conv2(F.silu(group_norm_per_frame(self.norm2, h)), c2)
        return x + h, (n1, n2)


def _frames_to_2d(x):   # [B, C, T, H, W] -> [B*T, C, H, W]
    B, C, T, H, W = x.shape
    return x.permute(0, 2, 1, 3, 4).reshape(B * T, C, H, W), (B, T)


def _2d_to_frames(x, bt):
    B, T = bt
    N, C, H, W = x.shape
    return x.reshape(B, T, C, H, W).permute(0, 2, 1, 3, 4)


class Encoder(nn.Module):
    def __init__(self, ft: int, ch: tuple, zc: int):
        super().__init__()
        c0, c1, c2 = ch
        self.ft = ft
        self.conv_in = nn.Conv2d(3 * ft, c0, 3, padding=1)
        self.res0 = ResBlock2d(c0)
        self.down0 = nn.Conv2d(c0, c1, 3, stride=2, padding=1)
        self.res1 = ResBlock2d(c1)
        self.down1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.res2 = ResBlock2d(c2)
        self.down2 = nn.Conv2d(c2, c2, 3, stride=2, padding=1)
        self.mid = CausalResBlock3d(c2)
        self.norm_out = nn.GroupNorm(GN_GROUPS, c2, eps=GN_EPS)
        self.conv_out = nn.Conv2d(c2, zc, 3, padding=1)

    def forward(self, video, cache=None):
        """video [B, T, 3, H, W] in [-1, 1], T multiple of ft -> z [B, T/ft, zc, H/8, W/8]."""
        B, T, _, H, W = video.shape
        n = T // self.ft
        x = video.reshape(B * n, self.ft * 3, H, W)           # channel = frame_in_group*3 + rgb
        x = self.conv_in(x)
        x = self.down0(self.res0(x))
        x = self.down1(self.res1(x))
        x = self.down2(self.res2(x))
        x = x.reshape(B, n, *x.shape[1:]).permute(0, 2, 1, 3, 4)  # [B, C, n, h, w]
        x, new_cache = self.mid(x, cache)
        x, bt = _frames_to_2d(x)
        x = self.conv_out(F.silu(self.norm_out(x)))
        return x.reshape(B, n, *x.shape[1:]), new_cache


class Decoder(nn.Module):
    def __init__(self, ft: int, ch: tuple, zc: int):
        super().__init__()
        c0, c1, c2 = ch
        self.ft = ft
        self.conv_in = nn.Conv2d(zc, c2, 3, padding=1)
        self.mid = CausalResBlock3d(c2)
        self.res0 = ResBlock2d(c2)
        self.up0 = nn.Conv2d(c2, c2, 3, padding=1)
        self.res1 = ResBlock2d(c2)
        self.up1 = nn.Conv2d(c2, c1, 3, padding=1)
        self.res2 = ResBlock2d(c1)
        self.up2 = nn.Conv2d(c1, c0, 3, padding=1)
        self.res3 = ResBlock2d(c0)
        self.norm_out = nn.GroupNorm(GN_GROUPS, c0, eps=GN_EPS)
        self.conv_out = nn.Conv2d(c0, 3 * ft, 3, padding=1)

    def forward(self, z, cache=None):
        """z [B, n, zc, h, w] -> video [B, n*ft, 3, 8h, 8w] (unclamped, ~[-1, 1])."""
        B, n = z.shape[:2]
        x = self.conv_in(z.reshape(B * n, *z.shape[2:]))
        x = x.reshape(B, n, *x.shape[1:]).permute(0, 2, 1, 3, 4)
        x, new_cache = self.mid(x, cache)
        x, _ = _frames_to_2d(x)
        x = self.up0(F.interpolate(self.res0(x), scale_factor=2, mode="nearest"))
        x = self.up1(F.interpolate(self.res1(x), scale_factor=2, mode="nearest"))
        x = self.up2(F.interpolate(self.res2(x), scale_factor=2, mode="nearest"))
        x = self.conv_out(F.silu(self.norm_out(self.res3(x))))
        H, W = x.shape[-2:]
        return x.reshape(B, n * self.ft, 3, H, W), new_cache


class VAE(nn.Module):
    def __init__(self, ft: int = 4, ch=(32, 64, 128), zc: int = 16):
        super().__init__()
        self.cfg = dict(frames_per_latent=ft, channels=list(ch), latent_channels=zc, spatial_factor=8,
                        gn_groups=GN_GROUPS, gn_eps=GN_EPS)
        self.encoder = Encoder(ft, ch, zc)
        self.decoder = Decoder(ft, ch, zc)


# =============================================================================== shared transformer pieces
def rope_freqs(dim: int, theta: float = 10000.0, device=None):
    """inv freqs for one axis with `dim` channels (dim even): theta^(-2i/dim), i < dim/2."""
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float64, device=device) / dim))


def rope_3d_cos_sin(pos, axes_dims, theta=10000.0):
    """pos [L, 3] (t, y, x) float -> cos, sin [L, head_dim/2] (float32), on pos's device.
    head_dim channels are split into axes_dims (t, y, x) parts; each part rotates pairs (2i, 2i+1)."""
    parts = []
    for a, d in enumerate(axes_dims):
        f = rope_freqs(d, theta, device=pos.device)
        parts.append(pos[:, a:a + 1].double() * f[None])
    ang = torch.cat(parts, dim=1)
    dt = torch.get_default_dtype()          # float32 in training; float64 when reference.py --check --f64 runs
    return torch.cos(ang).to(dt), torch.sin(ang).to(dt)


def apply_rope(x, cos, sin):
    """x [B, heads, L, hd]; pairs (2i, 2i+1) rotated by angle i: (a, b) -> (a cos - b sin, a sin + b cos)."""
    a = x[..., 0::2]
    b = x[..., 1::2]
    ra = a * cos - b * sin
    rb = a * sin + b * cos
    return torch.stack([ra, rb], dim=-1).flatten(-2)


def timestep_embedding(t, dim: int = 256, max_period: float = 10000.0):
    """t [N] in [0, 1000] -> [N, dim]: cat(cos(t*f), sin(t*f)), f_i = max_period^(-i/(dim/2)); on t's device."""
    half = dim // 2
    dt = torch.get_default_dtype()
    f = torch.exp(-math.log(max_period) * torch.arange(half, dtype=dt, device=t.device) / half)
    a = t.to(dt)[:, None] * f[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


def gelu(x):
    return F.gelu(x, approximate="tanh")


# =============================================================================== denoiser (block-causal DiT)
class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def layer_norm(x, eps=1e-6):
    return F.layer_norm(x, x.shape[-1:], eps=eps)


class DiTBlock(nn.Module):
    def __init__(self, d: int, heads: int, mlp: int):
        super().__init__()
        self.heads = heads
        self.ada = nn.Linear(d, 6 * d)                 # from SiLU(temb): shift1 scale1 gate1 shift2 scale2 gate2
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.norm_q = RMSNorm(d)
        self.norm_k = RMSNorm(d)
        self.o = nn.Linear(d, d)
        self.norm_ca = nn.LayerNorm(d, eps=1e-6)
        self.ca_q = nn.Linear(d, d)
        self.ca_k = nn.Linear(d, d)
        self.ca_v = nn.Linear(d, d)
        self.ca_norm_q = RMSNorm(d)
        self.ca_norm_k = RMSNorm(d)
        self.ca_o = nn.Linear(d, d)
        self.fc1 = nn.Linear(d, mlp)
        self.fc2 = nn.Linear(mlp, d)

    def _heads(self, x):   # [B, L, D] -> [B, h, L, hd]
        B, L, D = x.shape
        return x.view(B, L, self.heads, D // self.heads).transpose(1, 2)

    def forward(self, x, mod, cos, sin, prefix_kv, attn_mask, ctx, ctx_mask):
        """x [B, N, D]; mod [B, N, 6D] (per token, = per frame expanded); cos/sin [N, hd/2];
        prefix_kv: (K, V) [B, h, P, hd] post-RoPE cached keys/values or None;
        attn_mask: bool [B or 1, 1, N, P+N] (True = may attend) or None;
        ctx [B, Lc, D] projected text; ctx_mask bool [B, 1, N, Lc] or None.
        Returns x, (k, v) of these tokens (post-RoPE) for the cache."""
        B, N, D = x.shape
        sh1, sc1, g1, sh2, sc2, g2 = mod.chunk(6, dim=-1)
        h = layer_norm(x) * (1 + sc1) + sh1
        q = self._heads(self.norm_q(self.q(h)))
        k = self._heads(self.norm_k(self.k(h)))
        v = self._heads(self.v(h))
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        new_kv = (k, v)
        if prefix_kv is not None:
            k = torch.cat([prefix_kv[0], k], dim=2)
            v = torch.cat([prefix_kv[1], v], dim=2)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        x = x + g1 * self.o(a.transpose(1, 2).reshape(B, N, D))
        # cross-attention to text
        h = self.norm_ca(x)
        q = self._heads(self.ca_norm_q(self.ca_q(h)))
        k = self._heads(self.ca_norm_k(self.ca_k(ctx)))
        v = self._heads(self.ca_v(ctx))
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=ctx_mask)
        x = x + self.ca_o(a.transpose(1, 2).reshape(B, N, D))
        h = layer_norm(x) * (1 + sc2) + sh2
        x = x + g2 * self.fc2(gelu(self.fc1(h)))
        return x, new_kv


class Denoiser(nn.Module):
    """Block-causal DiT over latent frames [zc, 8, 8], patch 2x2 -> 16 tokens per latent frame."""

    def __init__(self, dim=256, depth=8, heads=4, mlp_ratio=4, zc=16, latent_hw=8, patch=2, text_dim=384,
                 freq_dim=256, rope_axes=None, rope_theta=10000.0, pooled_text=False):
        super().__init__()
        hd = dim // heads
        if rope_axes is None:
            s = 2 * (hd // 6)
            rope_axes = [hd - 2 * s, s, s]
        self.cfg = dict(dim=dim, depth=depth, heads=heads, head_dim=hd, mlp_dim=mlp_ratio * dim,
                        latent_channels=zc, latent_hw=latent_hw, patch=patch, text_dim=text_dim, freq_dim=freq_dim,
                        rope_axes=list(rope_axes), rope_theta=rope_theta,
                        tokens_per_frame=(latent_hw // patch) ** 2, patch_dim=zc * patch * patch,
                        pooled_text=bool(pooled_text))
        self.pooled_text = bool(pooled_text)
        self.patch = patch
        self.grid = latent_hw // patch
        pd = zc * patch * patch
        self.patch_in = nn.Linear(pd, dim)
        self.t_fc1 = nn.Linear(freq_dim, dim)
        self.t_fc2 = nn.Linear(dim, dim)
        self.txt_fc1 = nn.Linear(text_dim, dim)
        self.txt_fc2 = nn.Linear(dim, dim)
        if self.pooled_text:
            # the prompt's sentence vector joins the timestep in adaLN; pool_fc2 starts at zero so a model
            # fine-tuned from weights without it starts out computing exactly what they did
            self.pool_fc1 = nn.Linear(text_dim, dim)
            self.pool_fc2 = nn.Linear(dim, dim)
            nn.init.zeros_(self.pool_fc2.weight)
            nn.init.zeros_(self.pool_fc2.bias)
        self.blocks = nn.ModuleList([DiTBlock(dim, heads, mlp_ratio * dim) for _ in range(depth)])
        self.final_ada = nn.Linear(dim, 2 * dim)
        self.patch_out = nn.Linear(dim, pd)
        nn.init.zeros_(self.patch_out.weight)
        nn.init.zeros_(self.patch_out.bias)
        for b in self.blocks:
            nn.init.zeros_(b.ada.weight)
            nn.init.zeros_(b.ada.bias)
        nn.init.zeros_(self.final_ada.weight)
        nn.init.zeros_(self.final_ada.bias)

    # ---- patchify: latent frame [zc, H, W] -> tokens [(H/p)*(W/p), zc*p*p]; token (gy, gx) row-major,
    #      feature index = c*p*p + dy*p + dx
    def patchify(self, z):            # z [B, F, zc, H, W] -> [B, F*T, pd]
        B, Fr, C, H, W = z.shape
        p = self.patch
        z = z.reshape(B, Fr, C, H // p, p, W // p, p).permute(0, 1, 3, 5, 2, 4, 6)
        return z.reshape(B, Fr * (H // p) * (W // p), C * p * p)

    def unpatchify(self, x, Fr):
        B = x.shape[0]
        p, g = self.patch, self.grid
        C = x.shape[-1] // (p * p)
        x = x.reshape(B, Fr, g, g, C, p, p).permute(0, 1, 4, 2, 5, 3, 6)
        return x.reshape(B, Fr, C, g * p, g * p)

    def rope(self, frame_pos, device=None):
        """frame_pos: absolute latent-frame positions [F] (or [B, F]) -> cos, sin [F*T, hd/2] (or [B, 1, F*T, hd/2]).
        Token (f, gy, gx) has position (frame_pos[f], gy, gx).  The tables are made on `device` (default: frame_pos's
        device when it is a tensor, else the CPU); forward passes the input's device."""
        g = self.grid
        if device is None and isinstance(frame_pos, torch.Tensor):
            device = frame_pos.device
        fp = torch.as_tensor(frame_pos, dtype=torch.float64, device=device)
        batched = fp.dim() == 2
        fp2 = fp if batched else fp[None]
        ar = torch.arange(g, dtype=torch.float64, device=fp.device)
        ys, xs = torch.meshgrid(ar, ar, indexing="ij")
        Bn, Fr = fp2.shape
        pos = torch.stack([fp2[:, :, None].expand(-1, -1, g * g),
                           ys.reshape(1, 1, -1).expand(Bn, Fr, -1),
                           xs.reshape(1, 1, -1).expand(Bn, Fr, -1)], dim=-1).reshape(-1, 3)
        cos, sin = rope_3d_cos_sin(pos, self.cfg["rope_axes"], self.cfg["rope_theta"])
        if batched:
            return cos.reshape(Bn, 1, Fr * g * g, -1), sin.reshape(Bn, 1, Fr * g * g, -1)
        return cos, sin

    def text(self, txt):              # [B, L, 384] -> [B, L, D]
        return self.txt_fc2(gelu(self.txt_fc1(txt)))

    def temb(self, t):                # t [B, F] timesteps in [0, 1000] -> [B, F, D]
        B, Fr = t.shape
        e = timestep_embedding(t.reshape(-1), self.cfg["freq_dim"])
        e = self.t_fc2(F.silu(self.t_fc1(e)))
        return e.reshape(B, Fr, -1)

    def pool_emb(self, pooled):       # [B, F, 384] sentence vectors -> [B, F, D]
        return self.pool_fc2(F.silu(self.pool_fc1(pooled)))

    def forward(self, z, t, frame_pos, txt, attn_mask=None, ctx_mask=None, prefix=None, return_kv=False, pooled=None):
        """z [B, F, zc, 8, 8] (noisy latents, normalised); t [B, F]; frame_pos [F];
        txt [B, L, 384] MiniLM states; prefix: list over layers of (K, V) or None;
        pooled [B, F, 384]: each frame's prompt's sentence vector (textenc.pooled), only with pooled_text.
        Returns the flow prediction v [B, F, zc, 8, 8] (x0 = z - sigma * v) and optionally per-layer (K, V)."""
        B, Fr = z.shape[:2]
        T = self.grid * self.grid
        if self.pooled_text != (pooled is not None):
            raise ValueError("pooled_text model needs pooled [B, F, 384]" if self.pooled_text else
                             "this model has no pooled conditioning (pooled_text is off); pass pooled=None")
        x = self.patch_in(self.patchify(z))
        e = self.temb(t)                                          # [B, F, D]
        if self.pooled_text:
            e = e + self.pool_emb(pooled)
        se = F.silu(e)
        cos, sin = self.rope(frame_pos, device=z.device)
        ctx = self.text(txt)
        kvs = []
        for i, blk in enumerate(self.blocks):
            mod = blk.ada(se).repeat_interleave(T, dim=1)             # [B, N, 6D]
            x, kv = blk(x, mod, cos, sin, prefix[i] if prefix is not None else None, attn_mask, ctx, ctx_mask)
            kvs.append(kv)
        shift, scale = self.final_ada(se).repeat_interleave(T, dim=1).chunk(2, dim=-1)
        x = self.patch_out(layer_norm(x) * (1 + scale) + shift)
        out = self.unpatchify(x, Fr)
        return (out, kvs) if return_kv else out


def sigma_shift(sig, shift):
    return shift * sig / (1 + (shift - 1) * sig)


# =============================================================================== retrieval descriptor
def l2_normalize(x, eps=1e-6):
    return x / torch.sqrt((x * x).sum(-1, keepdim=True) + eps)


class Descriptor(nn.Module):
    """Latent frame [zc, 8, 8] (normalised, as the denoiser sees it) -> L2-normalised descriptor [out_dim]."""

    def __init__(self, zc=16, ch=64, out_dim=256):
        super().__init__()
        self.cfg = dict(latent_channels=zc, channels=ch, out_dim=out_dim, norm_eps=1e-6)
        self.conv1 = nn.Conv2d(zc, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)       # 8 -> 4
        self.conv3 = nn.Conv2d(ch, 2 * ch, 3, stride=2, padding=1)   # 4 -> 2
        self.fc = nn.Linear(2 * ch * 4, out_dim)
        # training-only reconstruction head (not exported)
        self.dec_fc = nn.Linear(out_dim, 2 * ch * 4)
        self.dec_conv1 = nn.Conv2d(2 * ch, ch, 3, padding=1)
        self.dec_conv2 = nn.Conv2d(ch, zc, 3, padding=1)

    def forward(self, z):             # z [N, zc, 8, 8] -> [N, out_dim]
        h = F.silu(self.conv1(z))
        h = F.silu(self.conv2(h))
        h = F.silu(self.conv3(h))
        return l2_normalize(self.fc(h.flatten(1)), self.cfg["norm_eps"])

    def reconstruct(self, e):
        h = self.dec_fc(e).view(e.shape[0], -1, 2, 2)
        h = F.interpolate(F.silu(h), scale_factor=4, mode="nearest")
        return self.dec_conv2(F.silu(self.dec_conv1(h)))


# =============================================================================== reward model
class Reward(nn.Module):
    """score(4 video frames, prompt) -> logit; sigmoid(logit) = calibrated P(frames match prompt).
    frames [N, 4, 3, 64, 64] in [-1, 1]; txt [N, L, 384] MiniLM states with mask [N, L]."""

    def __init__(self, ft=4, ch=(32, 64, 64, 128), dim=256, text_dim=384):
        super().__init__()
        self.cfg = dict(frames=ft, channels=list(ch), dim=dim, text_dim=text_dim, norm_eps=1e-6)
        c0, c1, c2, c3 = ch
        self.conv1 = nn.Conv2d(3 * ft, c0, 3, stride=2, padding=1)   # 32
        self.conv2 = nn.Conv2d(c0, c1, 3, stride=2, padding=1)       # 16
        self.conv3 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)       # 8
        self.conv4 = nn.Conv2d(c2, c3, 3, stride=2, padding=1)       # 4
        self.img_fc = nn.Linear(c3 * 16, dim)
        self.txt_fc1 = nn.Linear(text_dim, dim)
        self.txt_fc2 = nn.Linear(dim, dim)
        self.logit_scale = nn.Parameter(torch.tensor(10.0))
        self.logit_bias = nn.Parameter(torch.tensor(-5.0))

    def image_embed(self, frames):
        N = frames.shape[0]
        h = frames.reshape(N, -1, *frames.shape[-2:])                # channel = frame*3 + rgb
        h = F.silu(self.conv1(h))
        h = F.silu(self.conv2(h))
        h = F.silu(self.conv3(h))
        h = F.silu(self.conv4(h))
        return l2_normalize(self.img_fc(h.flatten(1)), self.cfg["norm_eps"])

    def text_embed(self, txt, mask=None):
        if mask is None:
            pooled = txt.mean(1)
        else:
            m = mask.float()[..., None]
            pooled = (txt * m).sum(1) / m.sum(1).clamp(min=1)
        return l2_normalize(self.txt_fc2(gelu(self.txt_fc1(pooled))), self.cfg["norm_eps"])

    def forward(self, frames, txt, mask=None):
        return self.logit_scale * (self.image_embed(frames) * self.text_embed(txt, mask)).sum(-1) + self.logit_bias
