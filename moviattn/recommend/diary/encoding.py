"""Sentence features from any encoder the app loads: mean-pooled hidden states of every layer, cached.

``embed`` in ``moviattn.models`` pools the last layer only. Emotion is spread over the depth of the
encoder (lower layers keep the wording — "ㅋㅋ", "짜증" —, upper ones the meaning), and concatenating
several layers' mean pools lifted the frozen-encoder probe on validation (numbers in ``emotions.py``), so
the features here keep every layer: ``[texts, layers + 1, hidden]`` (index 0 is the embedding output).
Texts go in with the e5 ``query: `` prefix, are truncated to ``MAX_TOKENS`` (the 99th percentile of a
KOTE comment is 240 characters, well under it) and are batched by length to waste no padding on CPU.
Arrays are cached under ``cache_dir("diary", "features")`` keyed by model name and text content, so a
corpus is encoded once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from ...models import LoadedModel, is_e5
from ...paths import cache_dir

#: Tokens kept per text (diaries longer than this are cut; the tab says so).
MAX_TOKENS = 256
log = logging.getLogger(__name__)


def prefixed(model: LoadedModel, texts: Sequence[str]) -> list[str]:
    """The texts as the encoder reads them (``query: `` before each for e5 models)."""
    prefix = "query: " if is_e5(model) else ""
    return [prefix + t for t in texts]


def token_count(model: LoadedModel, text: str) -> int:
    """Tokens of ``text`` as encoded (prefix and special tokens included), before truncation."""
    return len(model.tokenizer(prefixed(model, [text])[0])["input_ids"])


@torch.inference_mode()
def pooled_layers(model: LoadedModel, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Mean-pooled hidden states of every layer, ``float32 [len(texts), layers + 1, hidden]``."""
    config = model.model.config
    out = np.zeros((len(texts), config.num_hidden_layers + 1, config.hidden_size), dtype=np.float32)
    inputs = prefixed(model, texts)
    order = np.argsort([len(t) for t in inputs], kind="stable")
    limit = min(MAX_TOKENS, model.max_length)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        batch = model.tokenizer([inputs[i] for i in rows], padding=True, truncation=True, max_length=limit, return_tensors="pt")
        mask = batch["attention_mask"].to(model.device)
        result = model.model(input_ids=batch["input_ids"].to(model.device), attention_mask=mask, output_hidden_states=True)
        hidden = torch.stack(result.hidden_states, dim=1).float()  # [batch, layers + 1, tokens, hidden]
        weights = mask[:, None, :, None].float()
        out[rows] = ((hidden * weights).sum(2) / weights.sum(2).clamp(min=1)).cpu().numpy()
    return out


def features_key(model: LoadedModel, texts: Sequence[str]) -> str:
    """A content key: the model's name, the truncation and every text."""
    digest = hashlib.sha256(f"{model.name}\0{MAX_TOKENS}\0".encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


def cached_pooled_layers(model: LoadedModel, texts: Sequence[str], directory: Path | None = None) -> np.ndarray:
    """``pooled_layers`` computed once per (model, texts) and kept on disk in float16."""
    directory = directory or cache_dir("diary", "features")
    path = directory / f"{features_key(model, texts)}.npy"
    if path.exists():
        return np.load(path).astype(np.float32)
    log.info("encoding %d texts with %s (cached in %s)", len(texts), model.name, path)
    features = pooled_layers(model, texts).astype(np.float16)  # what a later call reads back
    directory.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, features)
    tmp.replace(path)
    return features.astype(np.float32)
