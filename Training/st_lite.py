"""A minimal safetensors reader/writer (numpy), used only where the `safetensors` package is not installed (e.g. a
GPU machine with nothing but torch).  Same file format: u64 little-endian header length, a JSON header
{name: {dtype, shape, data_offsets}, "__metadata__": {str: str}} padded with spaces to a multiple of 8, then the data.

    from st_lite import save_file, load_file        # or: st_lite.safetensors_numpy() for whichever is available
"""
from __future__ import annotations

import json
import struct

import numpy as np

_DT = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "I16": np.int16,
       "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
_NAME = {np.dtype(v): k for k, v in _DT.items()}


def save_file(tensors: dict, path: str, metadata: dict | None = None):
    # the safetensors library orders the data by dtype size (largest first), then name; so does this
    names = sorted(tensors, key=lambda k: (-np.dtype(tensors[k].dtype).itemsize, k))
    header, off, blobs = {}, 0, []
    for k in names:
        a = np.ascontiguousarray(tensors[k])
        if a.dtype not in _NAME:
            raise TypeError(f"{k}: dtype {a.dtype} not supported")
        b = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[k] = dict(dtype=_NAME[a.dtype], shape=list(a.shape), data_offsets=[off, off + len(b)])
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_file(path: str) -> dict:
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        dt = np.dtype(_DT[v["dtype"]]).newbyteorder("<")
        out[k] = np.frombuffer(data[base + s:base + e], dtype=dt).reshape(v["shape"]).copy()
    return out


def load_metadata(path: str) -> dict:
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)).get("__metadata__", {})


def safetensors_numpy():
    """(save_file, load_file): the safetensors package's numpy functions when installed, else these."""
    try:
        from safetensors.numpy import load_file as lf, save_file as sf
        return sf, lf
    except ImportError:
        return save_file, load_file
