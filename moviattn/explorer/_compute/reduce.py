"""Reducing attention maps to one review × target matrix: measures, heads, layers, rollout, windows, rows.

Small functions in registries selectable by name (``MEASURES``, ``HEAD_AGGREGATORS``,
``LAYER_AGGREGATORS``, ``NORMALIZATIONS``), so a new aggregation is one entry; ``Settings`` names
them and validates against these tables. ``window_matrices`` is the path the explorer uses: only
the settings' layers are extracted, heads are reduced inside the forward pass and each batch is
reduced before the next; ``combine_windows`` averages each plot token over the overlapping windows
that hold it.

A measure says what a cell scores: the map measures (``attention``, ``norm``: see ``attention``)
give per-layer, per-head maps that the head and layer registries reduce; the gradient measures
(``grad_input``, ``integrated_gradients``: see ``attribution``) give each window's review × token
matrix directly and read no layer or head. Every measure then goes through the same window
combining, unit merging and normalisation, so it can be used in every view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from ...models import LoadedModel
from .attention import Maps, iter_attention
from .attribution import WindowAttribution, grad_input_matrices, integrated_gradients_matrices
from .sequence import EncodedReview, Window


class ReduceSettings(Protocol):
    """What the reductions read of ``settings.Settings`` (which names these registries, so it sits above)."""

    measure: str
    layer_agg: str
    layer: int
    last_k: int
    head_agg: str
    head: int

    def validate(self, num_layers: int | None = None, num_heads: int | None = None) -> object: ...


def _head_mean(maps: Maps, settings: ReduceSettings) -> torch.Tensor:
    return maps.mean(dim=1)


def _head_max(maps: Maps, settings: ReduceSettings) -> torch.Tensor:
    return maps.amax(dim=1)


def _head_single(maps: Maps, settings: ReduceSettings) -> torch.Tensor:
    return maps[:, settings.head]


#: [layers, heads, rows, keys] -> [layers, rows, keys]
HEAD_AGGREGATORS: dict[str, Callable[[Maps, ReduceSettings], torch.Tensor]] = {
    "mean": _head_mean,
    "max": _head_max,
    "single": _head_single,
}


def _with_residual(layer_map: torch.Tensor) -> torch.Tensor:
    identity = torch.eye(layer_map.shape[-1], dtype=layer_map.dtype)
    with_residual = 0.5 * layer_map + 0.5 * identity
    return with_residual / with_residual.sum(dim=-1, keepdim=True)


def rollout(maps: torch.Tensor) -> torch.Tensor:
    """Attention rollout (Abnar & Zuidema 2020) of [layers, L, L] head-aggregated maps.

    Each layer's map gets the residual connection (0.5·A + 0.5·I, rows
    renormalised) and the layers are multiplied from the first up.
    """
    rolled = torch.eye(maps.shape[-1], dtype=maps.dtype)
    for layer_map in maps:
        rolled = _with_residual(layer_map) @ rolled
    return rolled


def rollout_rows(maps: torch.Tensor, rows: slice) -> torch.Tensor:
    """``rollout(maps)[rows]`` at a fraction of the cost: the product taken from the left,
    [rows, L] @ [L, L] per layer instead of [L, L] @ [L, L]."""
    rolled = torch.eye(maps.shape[-1], dtype=maps.dtype)[rows]
    for layer_map in maps.flip(0):
        rolled = rolled @ _with_residual(layer_map)
    return rolled


def _single_layer(settings: ReduceSettings, num_layers: int) -> range:
    return range(settings.layer % num_layers, settings.layer % num_layers + 1)


def _all_layers(settings: ReduceSettings, num_layers: int) -> range:
    return range(num_layers)


def _last_k_layers(settings: ReduceSettings, num_layers: int) -> range:
    return range(num_layers - settings.last_k, num_layers)


def _rollout_layers(settings: ReduceSettings, num_layers: int) -> range:
    return range(settings.layer % num_layers + 1)


def _layer_single(maps: torch.Tensor, window: Window, settings: ReduceSettings) -> torch.Tensor:
    return maps[0]


def _layer_mean(maps: torch.Tensor, window: Window, settings: ReduceSettings) -> torch.Tensor:
    return maps.mean(dim=0)


def _layer_rollout(maps: torch.Tensor, window: Window, settings: ReduceSettings) -> torch.Tensor:
    return rollout_rows(maps, window.review)


@dataclass(frozen=True)
class LayerAggregator:
    """Which layers a setting reads, and how it reduces them ([needed layers, rows, keys] -> [review rows, keys]).

    ``needs_full`` asks for every row of the maps (rollout), not only the review's.
    """

    layers: Callable[[ReduceSettings, int], range]
    reduce: Callable[[torch.Tensor, Window, ReduceSettings], torch.Tensor]
    needs_full: bool = False


LAYER_AGGREGATORS: dict[str, LayerAggregator] = {
    "single": LayerAggregator(_single_layer, _layer_single),
    "mean": LayerAggregator(_all_layers, _layer_mean),
    "last_k": LayerAggregator(_last_k_layers, _layer_mean),
    "rollout": LayerAggregator(_rollout_layers, _layer_rollout, needs_full=True),
}


@dataclass(frozen=True)
class Measure:
    """What a cell (review token, target token) scores: either a map measure of the extractors
    (``maps``, reduced by the head and layer registries) or a direct per-window ``attribute``."""

    label: str
    maps: str | None = None
    attribute: WindowAttribution | None = None


MEASURES: dict[str, Measure] = {
    "attention": Measure("attention probability α", maps="attention"),
    "norm": Measure("norm-based attention ‖α·f(x)‖ (Kobayashi et al. 2020)", maps="norm"),
    "grad_input": Measure("gradient × input of review–target relatedness (slow)", attribute=grad_input_matrices),
    "integrated_gradients": Measure("integrated gradients of review–target relatedness (slower)", attribute=integrated_gradients_matrices),
}


def _raw(block: np.ndarray) -> np.ndarray:
    return block


def _within_segment(block: np.ndarray) -> np.ndarray:
    totals = block.sum(axis=1, keepdims=True)
    return np.divide(block, totals, out=np.zeros_like(block), where=totals > 0)


#: Row normalisation of a review→segment unit block: raw probability mass, or renormalised over the
#: segment's units (structural tokens such as info field labels excluded), so each row sums to 1.
NORMALIZATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "raw": _raw,
    "segment": _within_segment,
}


@dataclass(frozen=True)
class TokenAttention:
    """Review tokens × info tokens and review tokens × plot tokens (raw mass), windows combined."""

    info: np.ndarray
    plot: np.ndarray
    n_windows: int


def window_attention(maps: Maps, window: Window, settings: ReduceSettings) -> torch.Tensor:
    """One window's [review rows, keys] matrix from all layers' maps [layers, heads, rows, keys]."""
    aggregator = LAYER_AGGREGATORS[settings.layer_agg]
    needed = aggregator.layers(settings, maps.shape[0])
    per_layer = HEAD_AGGREGATORS[settings.head_agg](maps[needed.start : needed.stop], settings)
    return aggregator.reduce(per_layer, window, settings)


def window_matrices(
    model: LoadedModel,
    windows: Sequence[Window],
    settings: ReduceSettings,
    *,
    method: str = "qk",
    precision: str = "float32",
    batch_size: int = 8,
) -> list[torch.Tensor]:
    """``window_attention`` for many windows without keeping whole maps: only the settings' layers
    are extracted (the forward pass stops after the last), heads are reduced inside the pass and
    each batch is reduced to [review rows, keys] before the next one runs. A gradient measure's
    matrices come from its attribution instead (float32 on the model itself, whatever the precision mode)."""
    measure = MEASURES[settings.measure]
    if measure.attribute is not None:
        return measure.attribute(model, windows)
    aggregator = LAYER_AGGREGATORS[settings.layer_agg]
    head_agg = HEAD_AGGREGATORS[settings.head_agg]
    results: list[torch.Tensor | None] = [None] * len(windows)
    for index, maps in iter_attention(
        model, windows, method=method, full=aggregator.needs_full, precision=precision, batch_size=batch_size,
        layers=aggregator.layers(settings, model.num_layers), head_reduce=lambda probs: head_agg(probs, settings),
        measure=measure.maps,
    ):
        results[index] = aggregator.reduce(maps, windows[index], settings)
    return results  # type: ignore[return-value]


def combine_windows(encoded: EncodedReview, per_window: Sequence[torch.Tensor]) -> TokenAttention:
    """Average each target token over the windows that hold it."""
    n_review = len(encoded.review)
    info = np.zeros((n_review, len(encoded.info)), dtype=np.float64)
    plot = np.zeros((n_review, len(encoded.plot)), dtype=np.float64)
    plot_counts = np.zeros(len(encoded.plot), dtype=np.float64)
    for window, matrix in zip(encoded.windows, per_window):
        matrix = matrix.double().numpy()
        info += matrix[:, window.info]
        plot[:, window.plot_start : window.plot_start + matrix[:, window.plot].shape[1]] += matrix[:, window.plot]
        plot_counts[window.plot_tokens.start : window.plot_tokens.stop] += 1
    info /= len(encoded.windows)
    plot = np.divide(plot, plot_counts, out=np.zeros_like(plot), where=plot_counts > 0)
    return TokenAttention(info, plot, len(encoded.windows))

