"""The settings that decide what a heatmap shows, validated in one place."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from ...morphology import DEFAULT_ANALYSER, analysers_used
from ...registry import choose
from .choices import GRANULARITIES, ONE_HEAD, setting_choices
from .reduce import MEASURES

__all__ = ["GRANULARITIES", "Settings", "setting_name"]


@dataclass(frozen=True)
class Settings:
    """Measure, attention aggregation, normalisation and unit choices.

    The names each field may take are ``choices.setting_choices()``.
    ``measure`` (``reduce.MEASURES``) says what a cell scores: the attention probability, its
    norm-based form, or a gradient attribution (which reads no layer or head setting); under any
    measure but ``attention`` the ``raw`` normalisation keeps the measure's own magnitude, not a
    probability mass, and ``segment`` still makes each row sum to 1.
    ``layer`` is used by the ``single`` layer aggregation and is the last layer
    rolled out by ``rollout``; ``head`` is used by the ``single`` head
    aggregation; ``last_k`` by ``last_k``. Layer and head indices are 0-based and
    may be negative (counted from the end). The defaults (mean over layers of
    the per-layer maximum over heads) are the best layer- and head-index-free
    setting of ``python -m moviattn evaluate`` on the NSMC movies (docs/evaluation.md).
    """

    measure: str = "attention"
    layer_agg: str = "mean"
    layer: int = -1
    last_k: int = 4
    head_agg: str = "max"
    head: int = 0
    normalization: str = "segment"
    granularity: str = "morpheme"
    analyser: str = DEFAULT_ANALYSER
    content_only: bool = False

    def validate(self, num_layers: int | None = None, num_heads: int | None = None) -> "Settings":
        """Raise ValueError with the valid choices for any unknown name or out-of-range index."""
        for name, allowed in setting_choices().items():  # the one table (``choices``)
            choose(name, getattr(self, name), allowed)
        for name, count in (("layer", num_layers), ("head", num_heads)):
            index = getattr(self, name)
            if count is not None and not -count <= index < count:
                raise ValueError(f"{name} {index} is out of range for a model with {count} {name}s")
        if self.layer_agg == "last_k" and num_layers is not None and not 1 <= self.last_k <= num_layers:
            raise ValueError(f"last_k {self.last_k} must be between 1 and {num_layers}")
        return self

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def key_json(self, texts: Iterable[str]) -> str:
        """``to_json`` as cache keys hold it: ``auto`` named by the analysers its texts resolve to
        (``morphology.analysers_used``), so Korean results stored under ``okt`` are found under the
        ``auto`` default and a mixed-language result never under a one-analyser key."""
        return json.dumps({**asdict(self), "analyser": analysers_used(self.analyser, texts)}, sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "Settings":
        """Build from a dict, ignoring keys that are not settings."""
        names = {f.name for f in fields(cls)}
        return replace(cls(), **{k: v for k, v in values.items() if k in names})


def setting_name(settings: Settings, num_layers: int, num_heads: int, with_measure: bool = True) -> str:
    """A setting's name ("L3/max", "last4/mean", "rollout/h2"; fields that do not change the ranking ignored),
    prefixed ``measure:`` for a map measure other than attention (``with_measure``); a gradient measure is its own name."""
    if with_measure and MEASURES[settings.measure].maps is None:
        return settings.measure
    prefix = "" if not with_measure or settings.measure == "attention" else f"{settings.measure}:"
    head = f"h{settings.head % num_heads}" if settings.head_agg == ONE_HEAD else settings.head_agg
    if settings.layer_agg == "single":
        return f"{prefix}L{settings.layer % num_layers}/{head}"
    if settings.layer_agg == "last_k":
        return f"{prefix}last{settings.last_k}/{head}"
    if settings.layer_agg == "rollout" and settings.layer % num_layers != num_layers - 1:
        return f"{prefix}rollout{settings.layer % num_layers}/{head}"
    return f"{prefix}{settings.layer_agg}/{head}"
