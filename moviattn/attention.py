"""Reading review→info and review→plot attention out of an encoder.

Two extractors give the same numbers (tested to 1e-5):

* ``eager``: the usual way, ``output_attentions=True`` with eager attention,
  every layer's full L×L map per head, then the needed block sliced out;
* ``qk``: a fast (SDPA) forward pass that captures each needed layer's queries
  and keys with hooks, takes the softmax only for the rows that are needed (the
  whole batch at once) and stops after the last needed layer.

A third, ``cached_context``, is an opt-in approximation for whole movies: each window's
movie part is encoded once without the review and only the review's tokens run per
review (``moviattn.context_cache``); its distance from the exact path is measured in
``benchmarks/bench_attention.py``.

``window_matrices`` is the path the explorer uses: only the settings' layers,
heads reduced inside the forward pass, each batch reduced before the next.
Precision modes (``PRECISIONS``): float32, bfloat16/float16 autocast, and int8
dynamic quantisation of the encoder's Linear layers (CPU).

Aggregators are small functions in registries selectable by name, so a new
head or layer aggregation is one entry.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .context_cache import CONTEXTS, embed, run_layers
from .models import LoadedModel
from .sequence import EncodedReview, Window
from .settings import Settings

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- extraction

#: A window's attention: [layers, heads, query rows, keys] (float32, CPU); without the heads axis
#: when a head reduction was applied during extraction.
Maps = torch.Tensor
#: A head reduction applied inside the forward pass: [batch, heads, rows, keys] -> [batch, rows, keys].
HeadReduce = Callable[[torch.Tensor], torch.Tensor]

_model_locks: dict[int, threading.Lock] = {}


def _lock_for(model: LoadedModel) -> threading.Lock:
    return _model_locks.setdefault(id(model.model), threading.Lock())


# ---------------------------------------------------------------- precision


def _autocast_to(dtype: torch.dtype) -> Callable[[LoadedModel], tuple[torch.nn.Module, contextlib.AbstractContextManager]]:
    def prepare(model: LoadedModel) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
        if dtype == torch.float16 and model.device.type == "cpu":
            log.info("float16 on a CPU without AVX512-FP16 runs slower than float32; bfloat16 is the CPU choice")
        return model.model, torch.autocast(device_type=model.device.type, dtype=dtype)

    return prepare


def cpu_supports_bfloat16() -> bool:
    """Whether this CPU has native bfloat16 matmuls (AVX512-BF16 or AMX); without them bf16 is emulated."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


class _Bfloat16Linear(torch.nn.Module):
    """A Linear run in bfloat16 (weights stored in bf16), float32 in and out."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        self.weight = torch.nn.Parameter(linear.weight.detach().to(torch.bfloat16), requires_grad=False)
        self.bias = None if linear.bias is None else torch.nn.Parameter(linear.bias.detach().to(torch.bfloat16), requires_grad=False)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(hidden.to(torch.bfloat16), self.weight, self.bias).float()


_quantized: weakref.WeakKeyDictionary[torch.nn.Module, torch.nn.Module] = weakref.WeakKeyDictionary()


def _int8_dynamic(model: LoadedModel) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
    """The encoder's Linear layers with int8 weights and per-batch int8 activations (CPU, VNNI).

    The FFN's output projections (fed by the GELU, whose outliers a per-tensor int8 scale
    crushes) run in bfloat16 where the CPU has it, else float32: quantising them too dropped the
    movie aggregate's Spearman against float32 from 0.995 to 0.96. Built once per model; the
    embeddings (most of the parameters of a large-vocabulary model) are shared, not copied.
    """
    if model.device.type != "cpu":
        raise ValueError("precision 'int8' (dynamic quantisation) runs on CPU only; use bfloat16 or float16 on GPU")
    if model.model not in _quantized:
        from torch.ao.quantization import default_dynamic_qconfig, quantize_dynamic

        shared = {id(p): p for module in model.model.modules() if isinstance(module, torch.nn.Embedding) for p in module.parameters()}
        copy_of = copy.deepcopy(model.model, memo=shared)
        ffn_size = copy_of.config.intermediate_size
        linears = {name: m for name, m in copy_of.named_modules() if isinstance(m, torch.nn.Linear)}
        after_gelu = {name for name, m in linears.items() if m.in_features == ffn_size}
        if cpu_supports_bfloat16():
            for name in after_gelu:
                parent, _, attribute = name.rpartition(".")
                setattr(copy_of.get_submodule(parent), attribute, _Bfloat16Linear(linears[name]))
        with warnings.catch_warnings():  # torch.ao's eager quantisation warns that it is moving to torchao
            warnings.simplefilter("ignore")
            spec = {name: default_dynamic_qconfig for name in linears if name not in after_gelu}
            _quantized[model.model] = quantize_dynamic(copy_of, spec, dtype=torch.qint8, inplace=True)
    return _quantized[model.model], contextlib.nullcontext()


#: Precision modes by name: each gives the module to run and the context to run it in.
PRECISIONS: dict[str, Callable[[LoadedModel], tuple[torch.nn.Module, contextlib.AbstractContextManager]]] = {
    "float32": lambda model: (model.model, contextlib.nullcontext()),
    "bfloat16": _autocast_to(torch.bfloat16),
    "float16": _autocast_to(torch.float16),
    "int8": _int8_dynamic,
}


def resolve_precision(precision: str, device: torch.device | str) -> str:
    """``auto``: bfloat16 where the hardware runs it natively (a CUDA GPU with bf16, a CPU with
    AVX512-BF16/AMX), else float32. Other names are returned as they are."""
    if precision != "auto":
        return precision
    device = torch.device(device)
    if device.type == "cuda":
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    return "bfloat16" if device.type == "cpu" and cpu_supports_bfloat16() else "float32"


def _runner(model: LoadedModel, precision: str) -> tuple[torch.nn.Module, contextlib.AbstractContextManager]:
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; choose one of {', '.join(PRECISIONS)}")
    return PRECISIONS[precision](model)


# ---------------------------------------------------------------- batches


def _batches(windows: Sequence[Window], batch_size: int) -> Iterator[list[int]]:
    """Indices of windows grouped into batches of similar length (less padding)."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def _model_inputs(model: LoadedModel, windows: list[Window]) -> dict[str, torch.Tensor]:
    length = max(len(w.input_ids) for w in windows)
    ids = torch.full((len(windows), length), model.pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), length), dtype=torch.long)
    for row, window in enumerate(windows):
        ids[row, : len(window.input_ids)] = torch.tensor(window.input_ids)
        mask[row, : len(window.input_ids)] = 1
    device = model.device
    return {
        "input_ids": ids.to(device),
        "attention_mask": mask.to(device),
        "token_type_ids": torch.zeros_like(ids, device=device),  # one token type for all three segments
    }


def _rows(window: Window, full: bool) -> slice:
    return slice(0, len(window.input_ids)) if full else window.review


@dataclass(frozen=True)
class _Request:
    """What to extract: which rows (review or all), which layers, and an optional head reduction."""

    full: bool
    layers: range
    head_reduce: HeadReduce | None


def _finish(probs: torch.Tensor, request: _Request) -> torch.Tensor:
    """[batch, heads, rows, keys] -> the same, head-reduced if asked."""
    return request.head_reduce(probs) if request.head_reduce is not None else probs


def _probabilities(query: torch.Tensor, key: torch.Tensor, scale: float, padding: torch.Tensor, request: _Request) -> torch.Tensor:
    """Softmax of the rows' scores [batch, heads, rows, keys] in float32 (whatever precision the model ran
    in), padded keys masked, head-reduced if asked."""
    with torch.autocast(query.device.type, enabled=False):
        scores = (query.float() @ key.float().transpose(-1, -2)) * scale
        return _finish(torch.softmax(scores.masked_fill_(padding, float("-inf")), dim=-1), request)


def _per_window(stacked: torch.Tensor, windows: list[Window], request: _Request, row_offset: bool) -> list[Maps]:
    """Split [batch, layers, (heads,) rows, keys] into each window's own rows and keys."""
    out = []
    for b, window in enumerate(windows):
        rows = _rows(window, request.full)
        kept = slice(0, rows.stop - rows.start) if row_offset else rows
        out.append(stacked[b, ..., kept, : len(window.input_ids)].float().cpu().clone())
    return out


def _extract_eager(model: LoadedModel, windows: list[Window], request: _Request, precision: str) -> list[Maps]:
    """Reference: ``output_attentions=True`` with eager attention, every full map, then the slice."""
    net, context = _runner(model, precision)
    previous = net.config._attn_implementation
    net.set_attn_implementation("eager")
    try:
        with context:
            attentions = net(**_model_inputs(model, windows), output_attentions=True).attentions
    finally:
        net.set_attn_implementation(previous)
    stacked = torch.stack([_finish(attentions[i].float(), request) for i in request.layers], dim=1)
    return _per_window(stacked, windows, request, row_offset=False)


def self_attention_modules(model: LoadedModel | torch.nn.Module) -> list[torch.nn.Module]:
    """Each layer's self-attention module (BERT/RoBERTa family: ``query``/``key`` projections)."""
    net = model.model if isinstance(model, LoadedModel) else model
    return [m for m in net.modules() if hasattr(m, "query") and hasattr(m, "key") and hasattr(m, "attention_head_size")]


class _StopForward(Exception):
    """Raised from the last needed layer's hook: later computation would be thrown away."""


def _extract_qk(model: LoadedModel, windows: list[Window], request: _Request, precision: str) -> list[Maps]:
    """Fast path: SDPA forward; each needed layer's scores only for the needed rows, whole batch at once.

    Layers before the last needed one are read from hooks on their query/key projections; at the
    last needed layer a pre-hook projects only the needed rows' queries, takes the softmax and
    stops the forward pass (its values, attention output, FFN and all later layers are skipped).
    """
    net, context = _runner(model, precision)
    modules = self_attention_modules(net)
    inputs = _model_inputs(model, windows)
    batch, length = inputs["input_ids"].shape
    device = inputs["input_ids"].device
    if request.full:
        row_index = torch.arange(length, device=device).expand(batch, length)
    else:
        starts = torch.tensor([w.review.start for w in windows], device=device)
        counts = torch.tensor([w.review.stop - w.review.start for w in windows], device=device)
        offsets = torch.arange(int(counts.max()), device=device)
        row_index = starts[:, None] + torch.minimum(offsets[None, :], counts[:, None] - 1)  # padded rows repeat the last
    padding = ~inputs["attention_mask"].bool()[:, None, None, :]  # [batch, 1, 1, keys]
    results: list[torch.Tensor] = []
    queries: dict[int, torch.Tensor] = {}

    def probabilities(module: torch.nn.Module, query_rows: torch.Tensor, key: torch.Tensor) -> None:
        heads, size = module.num_attention_heads, module.attention_head_size
        q = query_rows.view(batch, -1, heads, size).transpose(1, 2)
        k = key.view(batch, length, heads, size).transpose(1, 2)
        results.append(_probabilities(q, k, getattr(module, "scaling", size**-0.5), padding, request))

    def gather(states: torch.Tensor) -> torch.Tensor:
        return states if request.full else states.gather(1, row_index[:, :, None].expand(-1, -1, states.shape[-1]))

    last = request.layers[-1]
    handles = []
    for index in request.layers[:-1]:
        module = modules[index]
        handles.append(module.query.register_forward_hook(lambda _m, _i, out, i=index: queries.__setitem__(i, out)))
        handles.append(module.key.register_forward_hook(
            lambda _m, _i, out, i=index, m=module: probabilities(m, gather(queries.pop(i)), out)
        ))

    def at_last_layer(module: torch.nn.Module, args: tuple, kwargs: dict) -> None:
        hidden = args[0] if args else kwargs["hidden_states"]
        probabilities(module, module.query(gather(hidden)), module.key(hidden))
        raise _StopForward

    handles.append(modules[last].register_forward_pre_hook(at_last_layer, with_kwargs=True))
    try:
        with context:
            net(**inputs)
    except _StopForward:
        pass
    finally:
        for handle in handles:
            handle.remove()
    return _per_window(torch.stack(results, dim=1), windows, request, row_offset=True)


def _extract_cached_context(model: LoadedModel, windows: list[Window], request: _Request, precision: str) -> list[Maps]:
    """Approximate fast path: each window's movie part encoded once and cached (``context_cache``),
    then only the review tokens run through the layers. Rollout needs every row: computed exactly."""
    if request.full:
        return _extract_qk(model, windows, request, precision)
    net, context_manager = _runner(model, precision)
    last = request.layers[-1]
    by_prefix: dict[tuple[int, ...], list[int]] = {}
    for index, window in enumerate(windows):
        by_prefix.setdefault(window.input_ids[: window.review.start], []).append(index)
    maps: list[Maps | None] = [None] * len(windows)
    with context_manager:
        embedded = embed(net, _model_inputs(model, windows)["input_ids"])
        for prefix, members in by_prefix.items():
            start = len(prefix)
            context = CONTEXTS.get(
                net, (precision, prefix), last + 1,
                lambda: run_layers(net, embedded[members[0] : members[0] + 1, :start], None, None, last),
            )
            lengths = torch.tensor([len(windows[i].input_ids) - start for i in members], device=model.device)
            width = int(lengths.max())
            suffix_padding = torch.arange(width, device=model.device)[None, :] >= lengths[:, None]
            results: list[torch.Tensor] = []
            run_layers(
                net, embedded[members, start : start + width], suffix_padding, context, last,
                lambda _layer, probs: results.append(_finish(probs, request)), request.layers,
            )
            group = [windows[i] for i in members]
            for index, window_maps in zip(members, _per_window(torch.stack(results, dim=1), group, request, row_offset=True)):
                maps[index] = window_maps
    return maps  # type: ignore[return-value]


#: Extractors by name: (model, windows of one batch, request, precision) -> maps per window. ``qk`` and
#: ``eager`` are exact; ``cached_context`` is the approximate opt-in (see ``moviattn.context_cache``).
EXTRACTORS: dict[str, Callable[[LoadedModel, list[Window], _Request, str], list[Maps]]] = {
    "qk": _extract_qk,
    "eager": _extract_eager,
    "cached_context": _extract_cached_context,
}


def iter_attention(
    model: LoadedModel,
    windows: Sequence[Window],
    *,
    method: str = "qk",
    full: bool = False,
    precision: str = "float32",
    batch_size: int = 8,
    layers: Sequence[int] | None = None,
    head_reduce: HeadReduce | None = None,
) -> Iterator[tuple[int, Maps]]:
    """(window index, maps) batch by batch, so callers can reduce each batch before the next.

    ``layers`` (a contiguous ascending range; default all) selects the layers returned and the
    forward pass stops after the last of them; ``head_reduce`` drops the heads axis early.
    """
    if method not in EXTRACTORS:
        raise ValueError(f"unknown extraction method {method!r}; choose one of {', '.join(EXTRACTORS)}")
    _runner(model, precision)  # fail on an unknown precision before any work
    chosen = range(model.num_layers) if layers is None else range(layers[0], layers[-1] + 1)
    if layers is not None and list(chosen) != list(layers):
        raise ValueError(f"layers must be a contiguous ascending range, got {list(layers)}")
    request = _Request(full, chosen, head_reduce)
    with _lock_for(model), torch.inference_mode():
        for batch in _batches(windows, batch_size):
            yield from zip(batch, EXTRACTORS[method](model, [windows[i] for i in batch], request, precision))


def extract_attention(
    model: LoadedModel,
    windows: Sequence[Window],
    *,
    method: str = "qk",
    full: bool = False,
    precision: str = "float32",
    batch_size: int = 8,
    layers: Sequence[int] | None = None,
    head_reduce: HeadReduce | None = None,
) -> list[Maps]:
    """Attention maps [layers, heads, rows, keys] per window, in input order.

    Rows are the review tokens, or every token with ``full=True`` (rollout
    needs whole maps). Windows are batched by length. See ``iter_attention``
    for ``layers`` and ``head_reduce``.
    """
    results: list[Maps | None] = [None] * len(windows)
    for index, maps in iter_attention(
        model, windows, method=method, full=full, precision=precision, batch_size=batch_size,
        layers=layers, head_reduce=head_reduce,
    ):
        results[index] = maps
    return results  # type: ignore[return-value]


# ---------------------------------------------------------------- aggregation


def _head_mean(maps: Maps, settings: Settings) -> torch.Tensor:
    return maps.mean(dim=1)


def _head_max(maps: Maps, settings: Settings) -> torch.Tensor:
    return maps.amax(dim=1)


def _head_single(maps: Maps, settings: Settings) -> torch.Tensor:
    return maps[:, settings.head]


#: [layers, heads, rows, keys] -> [layers, rows, keys]
HEAD_AGGREGATORS: dict[str, Callable[[Maps, Settings], torch.Tensor]] = {
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


def _single_layer(settings: Settings, num_layers: int) -> range:
    return range(settings.layer % num_layers, settings.layer % num_layers + 1)


def _all_layers(settings: Settings, num_layers: int) -> range:
    return range(num_layers)


def _last_k_layers(settings: Settings, num_layers: int) -> range:
    return range(num_layers - settings.last_k, num_layers)


def _rollout_layers(settings: Settings, num_layers: int) -> range:
    return range(settings.layer % num_layers + 1)


def _layer_single(maps: torch.Tensor, window: Window, settings: Settings) -> torch.Tensor:
    return maps[0]


def _layer_mean(maps: torch.Tensor, window: Window, settings: Settings) -> torch.Tensor:
    return maps.mean(dim=0)


def _layer_rollout(maps: torch.Tensor, window: Window, settings: Settings) -> torch.Tensor:
    return rollout_rows(maps, window.review)


@dataclass(frozen=True)
class LayerAggregator:
    """Which layers a setting reads, and how it reduces them ([needed layers, rows, keys] -> [review rows, keys]).

    ``needs_full`` asks for every row of the maps (rollout), not only the review's.
    """

    layers: Callable[[Settings, int], range]
    reduce: Callable[[torch.Tensor, Window, Settings], torch.Tensor]
    needs_full: bool = False


LAYER_AGGREGATORS: dict[str, LayerAggregator] = {
    "single": LayerAggregator(_single_layer, _layer_single),
    "mean": LayerAggregator(_all_layers, _layer_mean),
    "last_k": LayerAggregator(_last_k_layers, _layer_mean),
    "rollout": LayerAggregator(_rollout_layers, _layer_rollout, needs_full=True),
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


def window_attention(maps: Maps, window: Window, settings: Settings) -> torch.Tensor:
    """One window's [review rows, keys] matrix from all layers' maps [layers, heads, rows, keys]."""
    aggregator = LAYER_AGGREGATORS[settings.layer_agg]
    needed = aggregator.layers(settings, maps.shape[0])
    per_layer = HEAD_AGGREGATORS[settings.head_agg](maps[needed.start : needed.stop], settings)
    return aggregator.reduce(per_layer, window, settings)


def window_matrices(
    model: LoadedModel,
    windows: Sequence[Window],
    settings: Settings,
    *,
    method: str = "qk",
    precision: str = "float32",
    batch_size: int = 8,
) -> list[torch.Tensor]:
    """``window_attention`` for many windows without keeping whole maps: only the settings' layers
    are extracted (the forward pass stops after the last), heads are reduced inside the pass and
    each batch is reduced to [review rows, keys] before the next one runs."""
    aggregator = LAYER_AGGREGATORS[settings.layer_agg]
    head_agg = HEAD_AGGREGATORS[settings.head_agg]
    results: list[torch.Tensor | None] = [None] * len(windows)
    for index, maps in iter_attention(
        model, windows, method=method, full=aggregator.needs_full, precision=precision, batch_size=batch_size,
        layers=aggregator.layers(settings, model.num_layers), head_reduce=lambda probs: head_agg(probs, settings),
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


def token_attention(
    model: LoadedModel,
    encoded: EncodedReview,
    settings: Settings,
    *,
    method: str = "qk",
    precision: str = "float32",
) -> TokenAttention:
    """Token-level review→info and review→plot attention for one encoded review."""
    settings.validate(model.num_layers, model.num_heads)
    return combine_windows(encoded, window_matrices(model, encoded.windows, settings, method=method, precision=precision))
