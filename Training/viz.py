"""Tiny PNG writer (no PIL) to look at frames: python3 Training/viz.py in.npy out.png [every]"""
import struct
import sys
import zlib

import numpy as np


def write_png(path, img):          # img uint8 [H, W, 3]
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def grid(frames, cols=8, scale=2):
    n = len(frames)
    rows = (n + cols - 1) // cols
    H, W = frames.shape[1:3]
    g = np.zeros((rows * (H + 2), cols * (W + 2), 3), np.uint8)
    for i, f in enumerate(frames):
        r, c = divmod(i, cols)
        g[r * (H + 2):r * (H + 2) + H, c * (W + 2):c * (W + 2) + W] = f
    return g.repeat(scale, 0).repeat(scale, 1)


if __name__ == "__main__":
    fr = np.load(sys.argv[1])
    every = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    write_png(sys.argv[2], grid(fr[::every]))
