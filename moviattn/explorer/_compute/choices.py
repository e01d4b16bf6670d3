"""The one table of setting choices, and the one name of a setting.

``setting_choices()`` maps each ``Settings`` field that is chosen by name to its registry (read live, so an
entry added to ``reduce.HEAD_AGGREGATORS`` is offered everywhere at once): ``Settings.validate``, the CLI's
``choices=``, the app's panel and page, the evaluation grid (``pooled_heads``) and the quality note
(``settings.setting_name``, the one function that names a setting, "L3/max") all read it. The leading-word
rules of ``evaluate --aggregate --rule`` (``LEADING_RULES``, read by ``words.leading_classes_for``) are here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ...morphology import ANALYSER_FACTORIES
from .attention import EXTRACTORS
from .precision import PRECISIONS
from .reduce import HEAD_AGGREGATORS, LAYER_AGGREGATORS, MEASURES, NORMALIZATIONS

GRANULARITIES = ("morpheme", "eojeol", "subword")
#: The head aggregation that reads one head (``Settings.head``) rather than pooling them all.
ONE_HEAD = "single"
#: How an evaluation picks the leading classes: the app's own (``LEADING_CLASSES``, the default on any
#: dataset, so a user scores what the app shows) or learnt from the movies it is given.
LEADING_RULES = ("shipped", "learned")
DEFAULT_LEADING_RULE = "shipped"


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
