"""model1: Korean text → the four seed emotions (joy, optimism, anger, sadness), optionally KOTE's 44.

A head on a frozen encoder: each text's hidden states are mean-pooled per layer (``encoding.py``, the
e5 ``query: `` prefix), the chosen layers are L2-normalised and concatenated, and a small MLP
(``training.MLP``) gives 4 logits, or 4 + 44 where KOTE's 44 labels are auxiliary targets.

Measured on the KOTE validation split (macro ROC-AUC of the four emotions; ``reproduce.py`` and
docs/diary.md): linear probe on the last layer 0.825, MLP on the last layer 0.836, MLP on all 13 layer
pools 0.849, + the 44 labels as auxiliary targets 0.854, 3 seeds x 128 hidden units merged 0.855 (the
shipped shape). Tried and not kept: 5 seeds 0.857 (+0.002 for 65 % more weights); a logistic regression
on the same features 0.844 alone and at most 0.857 in a rank average with the 5-seed MLP. The shipped
head is the 3-seed shape refitted on train + validation for an epoch count chosen by inner CV
(``reproduce.refit_head``; ``HeadSpec.trained_on``). Soft targets are not possible: the KOTE files keep
only the union of the five raters' labels, not who chose what.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from ...languages import has_hangul
from ...models import LoadedModel
from ...text import normalize
from .encoding import MAX_TOKENS, pooled_layers, token_count
from .kote import EMOTIONS, LABELS
from .training import MLP, FitConfig

#: Longest diary accepted (characters); the encoder reads the first ``MAX_TOKENS`` tokens of it.
MAX_CHARS = 5000


@dataclass(frozen=True)
class HeadSpec:
    """What rebuilds an emotion head: the encoder it was trained on, its layers and its shape."""

    encoder: str
    hidden_size: int
    layers: tuple[int, ...]
    fit: FitConfig = field(default_factory=FitConfig)
    #: True: 4 + 44 outputs (KOTE's labels as auxiliary targets); False: the 4 emotions only.
    with_labels: bool = True
    #: Heads trained with seeds ``fit.seed .. fit.seed + seeds - 1``, merged into one (``training.merge_heads``).
    seeds: int = 1
    #: Rows the head was fitted on: ``train`` (early stopping on validation) or ``train+val`` (refit).
    trained_on: str = "train"

    @property
    def n_in(self) -> int:
        return self.hidden_size * len(self.layers)

    @property
    def hidden(self) -> int:
        return self.fit.hidden * self.seeds

    @property
    def n_out(self) -> int:
        return len(EMOTIONS) + (len(LABELS) if self.with_labels else 0)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> HeadSpec:
        raw = json.loads(text)
        return cls(raw["encoder"], raw["hidden_size"], tuple(raw["layers"]), FitConfig(**raw["fit"]), raw["with_labels"], raw["seeds"],
                   raw.get("trained_on", "train"))


def layer_features(pooled: np.ndarray, layers: Sequence[int]) -> np.ndarray:
    """``[n, layers + 1, hidden]`` pools → the chosen layers, each L2-normalised, concatenated."""
    chosen = pooled[:, list(layers), :].astype(np.float32)
    chosen /= np.linalg.norm(chosen, axis=-1, keepdims=True).clip(min=1e-8)
    return chosen.reshape(len(pooled), -1)


@dataclass(frozen=True)
class DiaryText:
    """A checked diary: the text as the model reads it and what the user should know about it."""

    text: str
    notices: tuple[str, ...] = ()


def check_diary(text: str | None, model: LoadedModel | None = None) -> DiaryText:
    """Refuse what cannot be read as a diary (ValueError with a Korean + English message), note the rest."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text:
        raise ValueError("일기를 입력해 주세요 (the diary is empty).")
    if len(text) > MAX_CHARS:
        raise ValueError(f"일기가 너무 깁니다: {len(text):,}자 (최대 {MAX_CHARS:,}자) — the diary is too long; paste one day's entry.")
    letters = [c for c in normalize(text).text if c.isalnum()]
    if not letters:
        raise ValueError("글자가 없습니다: 이모지나 기호만으로는 감정을 읽을 수 없습니다 (emoji or symbols only; write a few words).")
    if len(letters) < 2:
        raise ValueError("한 글자로는 감정을 읽을 수 없습니다 (one character is too short; write a sentence or two).")
    notices = []
    if not has_hangul(text):
        notices.append("한글이 없습니다: 감정 모델은 한국어 댓글(KOTE)로 학습되었습니다. 다국어 인코더라 점수는 나오지만 믿기 어렵습니다 "
                       "(no Korean: the encoder is multilingual, but the emotion head was trained on Korean only).")
    if model is not None and token_count(model, text) > MAX_TOKENS:
        notices.append(f"일기가 길어 앞부분 {MAX_TOKENS}토큰만 읽었습니다 (only the first {MAX_TOKENS} tokens were read).")
    return DiaryText(text, tuple(notices))


class EmotionModel:
    """An encoder and an emotion head trained on its pooled layers."""

    def __init__(self, encoder: LoadedModel, head: MLP, spec: HeadSpec):
        config = encoder.model.config
        if config.hidden_size != spec.hidden_size or config.num_hidden_layers < max(spec.layers):
            raise ValueError(
                f"the emotion head was trained on {spec.encoder} (hidden {spec.hidden_size}, layers {list(spec.layers)}); "
                f"{encoder.name} does not fit it — train one with `python -m moviattn diary train --model ...`"
            )
        self.encoder, self.head, self.spec = encoder, head.eval(), spec

    def features(self, texts: Sequence[str]) -> np.ndarray:
        return layer_features(pooled_layers(self.encoder, texts), self.spec.layers)

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        """Probabilities ``[n, 4 (+ 44)]`` in [0, 1] from ``layer_features`` output."""
        return self.head.probabilities(features)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The four emotion probabilities ``[n, 4]`` (columns in ``EMOTIONS`` order)."""
        return self.predict_features(self.features(texts))[:, : len(EMOTIONS)]


def save_head(head: MLP, spec: HeadSpec, stem: Path) -> None:
    """``<stem>.pt`` (float16 weights) and ``<stem>.json`` (the spec)."""
    state = {k: v.detach().half() for k, v in head.state_dict().items()}
    torch.save(state, stem.with_suffix(".pt"))
    stem.with_suffix(".json").write_text(spec.to_json(), encoding="utf-8")


def load_head(stem: Path) -> tuple[MLP, HeadSpec]:
    """The head and spec written by ``save_head``, in float32."""
    spec = HeadSpec.from_json(stem.with_suffix(".json").read_text(encoding="utf-8"))
    head = MLP(spec.n_in, spec.n_out, spec.hidden, spec.fit.dropout)
    state = torch.load(stem.with_suffix(".pt"), map_location="cpu", weights_only=True)
    head.load_state_dict({k: v.float() for k, v in state.items()})
    return head.eval(), spec
