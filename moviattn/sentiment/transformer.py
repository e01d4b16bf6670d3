"""Why the accuracy table has no transformer row: the speed of fine-tuning the offline encoder
(multilingual-e5-small, ``moviattn.models.load_model("offline")``) with a linear head on NSMC.

Measured here (shared 2-core CPU, see docs/sentiment.md), one training step is far too slow to fine-tune on
a useful share of the 135,000 training reviews, so no training loop is kept and no weights are shipped;
``measure_speed`` (``python -m moviattn sentiment transformer-speed``) measures it again on any machine.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..models import load_model

#: Reviews are at most 147 characters; 64 subword pieces cover nearly all of them.
MAX_PIECES = 64


class EncoderClassifier(nn.Module):
    """Encoder → mean of the last hidden states over real tokens → dropout → linear (2 classes)."""

    def __init__(self, encoder: nn.Module, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, 2))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(states.dtype)
        return self.head((states * mask).sum(1) / mask.sum(1).clamp(min=1))


def build_classifier(device: str = "cpu") -> tuple[EncoderClassifier, object]:
    """A fresh classifier around a copy of the offline encoder (the cached one stays untouched), and its tokenizer."""
    loaded = load_model("offline")
    encoder = copy.deepcopy(loaded.model).train()
    return EncoderClassifier(encoder, encoder.config.hidden_size).to(device), loaded.tokenizer


def _batch(tokenizer: object, texts: Sequence[str], device: str) -> dict[str, torch.Tensor]:
    # e5 expects a "query: " prefix; kept for classification as in the model card's examples
    encoded = tokenizer([f"query: {t}" for t in texts], padding=True, truncation=True, max_length=MAX_PIECES, return_tensors="pt")  # type: ignore[operator]
    return {k: v.to(device) for k, v in encoded.items() if k in ("input_ids", "attention_mask")}


def measure_speed(texts: Sequence[str] | None = None, batch_size: int = 16, steps: int = 5, device: str = "cpu") -> dict[str, float]:
    """Examples per second of one training step (forward + backward + AdamW), after one warm-up step."""
    texts = list(texts or ["배우들 연기는 좋았는데 스토리가 너무 지루했다 시간 아깝다 정말 최악의 영화"] * batch_size)
    model, tokenizer = build_classifier(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=5e-5)
    batch = _batch(tokenizer, texts[:batch_size], device)
    labels = torch.zeros(len(batch["input_ids"]), dtype=torch.long, device=device)
    timings = []
    for _ in range(steps + 1):
        start = time.perf_counter()
        loss = nn.functional.cross_entropy(model(**batch), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        timings.append(time.perf_counter() - start)
    seconds = float(np.mean(timings[1:]))
    return {"batch_size": batch_size, "pieces": int(batch["input_ids"].shape[1]), "seconds_per_step": round(seconds, 3),
            "examples_per_second": round(batch_size / seconds, 2), "threads": torch.get_num_threads()}
