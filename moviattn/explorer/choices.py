"""The one table of setting choices, and the one name of a setting.

``setting_choices()`` maps each ``Settings`` field that is chosen by name to its registry (read live, so an
entry added to ``reduce.HEAD_AGGREGATORS`` is offered everywhere at once): ``Settings.validate``, the CLI's
``choices=``, the app's panel and page, the evaluation grid (``pooled_heads``) and the quality note
(``setting_name``) all read it. ``setting_name`` is the one function that names a setting ("L3/max").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..morphology import ANALYSER_FACTORIES
from .attention import EXTRACTORS
from .precision import PRECISIONS
from .reduce import HEAD_AGGREGATORS, LAYER_AGGREGATORS, MEASURES, NORMALIZATIONS

if TYPE_CHECKING:
    from .settings import Settings

GRANULARITIES = ("morpheme", "eojeol", "subword")
#: The head aggregation that reads one head (``Settings.head``) rather than pooling them all.
ONE_HEAD = "single"


def setting_choices() -> dict[str, Mapping[str, Any] | Iterable[str]]:
    """Each name-chosen ``Settings`` field → the table its value is one name of."""
    return {
        "measure": MEASURES,
        "layer_agg": LAYER_AGGREGATORS,
        "head_agg": HEAD_AGGREGATORS,
        "normalization": NORMALIZATIONS,
        "granularity": GRANULARITIES,
        "analyser": ANALYSER_FACTORIES,
    }


def pooled_heads() -> tuple[str, ...]:
    """The head aggregations over all heads (every entry but ``single``): the panel's and the grid's."""
    return tuple(name for name in HEAD_AGGREGATORS if name != ONE_HEAD)


def method_choices() -> list[str]:
    """``--method`` of the CLI and the app's page."""
    return list(EXTRACTORS)


def precision_choices() -> list[str]:
    """``--precision`` of the CLI and the app's page."""
    return ["auto", *PRECISIONS]


def setting_name(settings: "Settings", num_layers: int, num_heads: int, with_measure: bool = True) -> str:
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
