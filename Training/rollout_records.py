"""Rollout records (Schemas/rollout.proto, written by flowrun's rollout.writer) read with the protobuf package.

A rollout file is length-delimited records (a varint byte count, then the message): one RolloutFileHeader, then one
RolloutGroup per block. Damage is a RecordError naming the file, the record index and the byte offset of its
length prefix; nothing here needs torch (CI tests it with numpy alone).

    header, groups = read_rollouts("out/rollouts.pb")
    groups[0].rollouts[0].states            # numpy [steps, F, C, H, W] f32, normalised latents
"""
from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "protos"))
import rollout_pb2  # noqa: E402
import tensor_pb2  # noqa: E402
from google.protobuf.message import DecodeError  # noqa: E402

FORMAT = "flowrun-rollouts"
VERSION = 1
MAX_RECORD_BYTES = 1 << 30


class RecordError(Exception):
    def __init__(self, path, record, offset, detail):
        self.path, self.record, self.offset, self.detail = path, record, offset, detail
        super().__init__(f"{path}: record {record} at byte {offset}: {detail}")


def _varint(data: bytes, pos: int):
    """(value, next position), or None when the bytes end first; ValueError for an overlong varint."""
    value, shift = 0, 0
    while True:
        if pos >= len(data):
            return None
        b = data[pos]
        if shift == 63 and b > 1:
            raise ValueError("the length prefix is not a varint of at most 64 bits")
        value |= (b & 0x7F) << shift
        pos += 1
        if not b & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("the length prefix is not a varint of at most 64 bits")


def iter_records(data: bytes, path: str = "<memory>", max_record_bytes: int = MAX_RECORD_BYTES):
    """Yields (index, offset, body bytes) of every record; raises RecordError at the first damage."""
    pos, index = 0, 0
    while pos < len(data):
        try:
            got = _varint(data, pos)
        except ValueError as e:
            raise RecordError(path, index, pos, str(e)) from None
        if got is None:
            raise RecordError(path, index, pos, f"the file ends inside the record's length prefix ({len(data) - pos} byte(s) left)")
        length, body = got
        if length > max_record_bytes:
            raise RecordError(path, index, pos, f"the record claims {length} bytes, more than the {max_record_bytes} allowed")
        if length > len(data) - body:
            raise RecordError(path, index, pos, f"the record claims {length} bytes but the file has {len(data) - body} after its prefix")
        yield index, pos, data[body:body + length]
        pos, index = body + length, index + 1


def write_records(path: str, messages) -> None:
    """Writes protobuf messages as length-delimited records (tests, and tools that make rollout files)."""
    with open(path, "wb") as f:
        for m in messages:
            body = m.SerializeToString()
            n, prefix = len(body), bytearray()
            while True:
                low = n & 0x7F
                n >>= 7
                prefix.append(low | (0x80 if n else 0))
                if not n:
                    break
            f.write(bytes(prefix) + body)


def tensor(h: "tensor_pb2.TensorHeader", what: str) -> np.ndarray:
    if h.dtype != tensor_pb2.DTYPE_F32:
        raise ValueError(f"{what}: dtype {h.dtype}, expected f32")
    shape = tuple(int(d) for d in h.shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"{what}: negative dimension in shape {list(shape)}")
    n = math.prod(shape)
    if len(h.data) != 4 * n:
        raise ValueError(f"{what}: shape {list(shape)} needs {4 * n} bytes of f32, the record has {len(h.data)}")
    return np.frombuffer(h.data, dtype="<f4").reshape(shape).copy()


def tensor_header(a: np.ndarray, name: str) -> "tensor_pb2.TensorHeader":
    a = np.ascontiguousarray(a, dtype="<f4")
    return tensor_pb2.TensorHeader(name=name, dtype=tensor_pb2.DTYPE_F32, shape=list(a.shape), data=a.tobytes())


@dataclass
class Rollout:
    index: int
    states: np.ndarray          # [steps, F, C, H, W]: x fed to each step (states[0] the initial noise)
    predictions: np.ndarray     # [steps, F, C, H, W]: x0 predicted at each step
    log_probs: np.ndarray       # [steps - 1]: log p(states[i+1] | states[i]) under the sampling model
    sigmas: np.ndarray          # [steps]
    visible_positions: list
    reward: float
    advantage: float
    kept: bool


@dataclass
class Group:
    block: int
    prompt: str
    prompt_generation: int
    text_states: np.ndarray     # [T, 384]
    rollouts: list = field(default_factory=list)
    reward_mean: float = 0.0
    reward_std: float = 0.0


def _header(body: bytes):
    h = rollout_pb2.RolloutFileHeader()
    h.ParseFromString(body)
    if h.format != FORMAT:
        raise ValueError(f"format '{h.format[:40]}', expected '{FORMAT}' (is this a rollout file?)")
    if h.version != VERSION:
        raise ValueError(f"version {h.version}; this reader reads version {VERSION}")
    if h.group_size < 1 or len(h.sigmas) < 1 or h.block_frames < 1:
        raise ValueError("group_size, sigmas and block_frames must each be at least 1")
    return h


def _group(body: bytes, header) -> Group:
    m = rollout_pb2.RolloutGroup()
    m.ParseFromString(body)
    if len(m.rollouts) != header.group_size:
        raise ValueError(f"block {m.block}: {len(m.rollouts)} rollouts, the header says groups of {header.group_size}")
    steps = len(header.sigmas)
    g = Group(m.block, m.prompt, m.prompt_generation, tensor(m.text_states, f"block {m.block} text_states"),
              reward_mean=m.reward_mean, reward_std=m.reward_std)
    for i, r in enumerate(m.rollouts):
        what = f"block {m.block} rollout {i}"
        states, preds = tensor(r.states, what + " states"), tensor(r.predictions, what + " predictions")
        if states.ndim != 5 or states.shape[0] != steps or preds.shape != states.shape or states.shape[1] != header.block_frames:
            raise ValueError(f"{what}: states {list(states.shape)} and predictions {list(preds.shape)}; "
                             f"expected [{steps}, {header.block_frames}, C, H, W] both")
        if len(r.transitions) != steps - 1:
            raise ValueError(f"{what}: {len(r.transitions)} transitions, expected {steps - 1}")
        g.rollouts.append(Rollout(r.index, states, preds, np.array([t.log_prob for t in r.transitions]),
                                  np.array(header.sigmas, dtype=np.float32), list(r.visible_positions),
                                  r.reward, r.advantage, r.kept))
    return g


def read_rollouts(path: str):
    """(header message, [Group]) of a rollout file; RecordError at the first damage."""
    with open(path, "rb") as f:
        data = f.read()
    return parse_rollouts(data, path)


def parse_rollouts(data: bytes, path: str = "<memory>"):
    header, groups = None, []
    for index, offset, body in iter_records(data, path):
        try:
            if header is None:
                header = _header(body)
            else:
                groups.append(_group(body, header))
        except (DecodeError, ValueError) as e:
            raise RecordError(path, index, offset, str(e) or "not a valid protobuf message") from None
    if header is None:
        raise RecordError(path, 0, 0, "empty file: no header record")
    return header, groups


def transition_log_prob(next_state: np.ndarray, prediction: np.ndarray, sigma_next: float) -> float:
    """log N(next_state; (1 - s') prediction, s'^2 I): the sampler's re-noising step (GaussianTransition.swift)."""
    s = float(sigma_next)
    eps = (next_state.astype(np.float64) - (1 - s) * prediction.astype(np.float64)) / s
    d = eps.size
    return float(-0.5 * np.sum(eps * eps) - d * math.log(s) - 0.5 * d * math.log(2 * math.pi))
