"""Reading review→info and review→plot attention out of an encoder (the extractors).

Two extractors give the same numbers (tested to 1e-5):

* ``eager``: the usual way, ``output_attentions=True`` with eager attention,
  every layer's full L×L map per head, then the needed block sliced out;
* ``qk``: a fast (SDPA) forward pass that captures each needed layer's queries
  and keys with hooks, takes the softmax only for the rows that are needed (the
  whole batch at once) and stops after the last needed layer.

A third, ``cached_context``, is an opt-in approximation for whole movies: each window's
movie part is encoded once without the review and only the review's tokens run per
review (``context_cache``); its distance from the exact path is measured in
``benchmarks/bench_attention.py``. Precision modes live in ``precision``; the head and
layer reductions applied to the maps in ``reduce``.

Two map measures (``MAP_MEASURES``), both per layer, head, query row and key:

* ``attention``: the probability α_ij;
* ``norm``: norm-based attention (Kobayashi et al. 2020, "Attention is not only a weight"),
  ‖α_ij f_h(x_j)‖ with f_h(x) = (x W_V^h + b_V^h) W_O^h, the value vector mapped through the head's
  slice of the output projection (its bias b_O is shared by all heads and keys, so it is left out).
  Because α_ij ≥ 0, ‖α_ij f_h(x_j)‖ = α_ij ‖f_h(x_j)‖: only one norm per head and key is needed, the
  probabilities are scaled key-wise, and no [rows, keys, hidden] tensor is ever built. The norm is
  taken as sqrt(vᵀ G_h v) with G_h = W_O^hᵀ W_O^h ([head dim]², once per layer), so the extra cost
  per layer is one [tokens, head dim]² product per head (tested against the naive definition);
  measured +9 % per review on the offline model (1.33 s vs 1.22 s, 1 thread, loaded machine).
  The values come from hooks on the value projections; the cached-context path keeps no last-layer
  values, so ``norm`` always runs the exact ``qk`` pass.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from ...models import LoadedModel
from ...registry import choose
from .context_cache import CONTEXTS, embed, run_layers
from .precision import prepare
from .sequence import Window

log = logging.getLogger(__name__)

#: A window's attention: [layers, heads, query rows, keys] (float32, CPU); without the heads axis
#: when a head reduction was applied during extraction.
Maps = torch.Tensor
#: A head reduction applied inside the forward pass: [batch, heads, rows, keys] -> [batch, rows, keys].
HeadReduce = Callable[[torch.Tensor], torch.Tensor]

#: What a map holds per (layer, head, row, key): the attention probability, or its norm-weighted form.
MAP_MEASURES = ("attention", "norm")

_model_locks: dict[int, threading.Lock] = {}


def model_lock(model: LoadedModel) -> threading.Lock:
    """One lock per encoder: extraction swaps its attention implementation and hooks for a pass."""
    return _model_locks.setdefault(id(model.model), threading.Lock())


# ---------------------------------------------------------------- batches


def _batches(windows: Sequence[Window], batch_size: int) -> Iterator[list[int]]:
    """Indices of windows grouped into batches of similar length (less padding)."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def model_inputs(model: LoadedModel, windows: Sequence[Window]) -> dict[str, torch.Tensor]:
    """Right-padded ids, attention mask and all-zero token types for a batch of windows."""
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
    """What to extract: which rows (review or all), which layers, an optional head reduction, and
    whether the probabilities are weighted by the value norms (``norm``)."""

    full: bool
    layers: range
    head_reduce: HeadReduce | None
    norm: bool = False


def _finish(probs: torch.Tensor, request: _Request, norms: torch.Tensor | None = None) -> torch.Tensor:
    """[batch, heads, rows, keys] -> the same, scaled by the keys' value norms [batch, heads, keys] if
    given, head-reduced if asked."""
    if norms is not None:
        probs = probs * norms[:, :, None, :]
    return request.head_reduce(probs) if request.head_reduce is not None else probs


def _probabilities(
    query: torch.Tensor, key: torch.Tensor, scale: float, padding: torch.Tensor, request: _Request, norms: torch.Tensor | None = None
) -> torch.Tensor:
    """Softmax of the rows' scores [batch, heads, rows, keys] in float32 (whatever precision the model ran
    in), padded keys masked, norm-weighted and head-reduced if asked."""
    with torch.autocast(query.device.type, enabled=False):
        scores = (query.float() @ key.float().transpose(-1, -2)) * scale
        return _finish(torch.softmax(scores.masked_fill_(padding, float("-inf")), dim=-1), request, norms)


def _float_weight(linear: torch.nn.Module) -> torch.Tensor:
    """A Linear's weight in float32 (whatever dtype the model holds it in)."""
    return linear.weight.detach().float()


def output_projections(net: torch.nn.Module) -> list[torch.nn.Module]:
    """Each self-attention module's output projection W_O, in layer order (BERT/RoBERTa/XLM-R:
    ``attention.self`` beside ``attention.output.dense``)."""
    by_module = {
        id(parent.self): parent.output.dense
        for parent in net.modules()
        if isinstance(getattr(parent, "self", None), torch.nn.Module) and hasattr(getattr(parent, "output", None), "dense")
    }
    modules = self_attention_modules(net)
    if not all(id(m) in by_module for m in modules):
        raise ValueError(
            f"norm-based attention needs each layer's output projection (attention.output.dense beside "
            f"attention.self); {type(net).__name__} has none: use the 'attention' measure"
        )
    return [by_module[id(m)] for m in modules]


def value_norms(value: torch.Tensor, projection: torch.nn.Module, heads: int) -> torch.Tensor:
    """‖f_h(x_j)‖ = ‖(x_j W_V^h + b_V^h) W_O^h‖ per head and key: [batch, heads, keys] in float32.

    ``value`` is the value projection's output [batch, keys, heads × head dim] (bias included);
    the norm is sqrt(vᵀ G_h v) with the head's Gram matrix G_h = W_O^hᵀ W_O^h."""
    with torch.autocast(value.device.type, enabled=False):
        batch, keys, _ = value.shape
        v = value.float().view(batch, keys, heads, -1)  # [batch, keys, heads, d]
        weight = _float_weight(projection)  # [hidden, heads × d]: x W_O^h is weight[:, h·d:(h+1)·d] applied
        per_head = weight.view(weight.shape[0], heads, -1).transpose(0, 1)  # [heads, hidden, d]
        gram = per_head.transpose(1, 2) @ per_head  # [heads, d, d]
        squared = torch.einsum("bkhd,hde,bkhe->bhk", v, gram, v)
        return squared.clamp_min_(0).sqrt_()


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
    net, context = prepare(model, precision)
    modules = self_attention_modules(net)
    values: dict[int, torch.Tensor] = {}
    handles = [
        modules[i].value.register_forward_hook(lambda _m, _i, out, i=i: values.__setitem__(i, out)) for i in request.layers
    ] if request.norm else []
    previous = net.config._attn_implementation
    net.set_attn_implementation("eager")
    try:
        with context:
            attentions = net(**model_inputs(model, windows), output_attentions=True).attentions
    finally:
        net.set_attn_implementation(previous)
        for handle in handles:
            handle.remove()
    projections = output_projections(net) if request.norm else []

    def layer_maps(i: int) -> torch.Tensor:
        norms = value_norms(values[i], projections[i], modules[i].num_attention_heads) if request.norm else None
        return _finish(attentions[i].float(), request, norms)

    stacked = torch.stack([layer_maps(i) for i in request.layers], dim=1)
    return _per_window(stacked, windows, request, row_offset=False)


def self_attention_modules(model: LoadedModel | torch.nn.Module) -> list[torch.nn.Module]:
    """Each layer's self-attention module (BERT/RoBERTa family: ``query``/``key`` projections)."""
    net = model.model if isinstance(model, LoadedModel) else model
    return [m for m in net.modules() if hasattr(m, "query") and hasattr(m, "key") and hasattr(m, "attention_head_size")]


class _StopForward(Exception):
    """Raised from the last needed layer's hook: later computation would be thrown away."""


def _extract_qk(model: LoadedModel, windows: list[Window], request: _Request, precision: str) -> list[Maps]:
    """Fast path: SDPA forward; each needed layer's scores only for the needed rows, whole batch at once.

    Layers before the last needed one are read from hooks on their query/key (and, for ``norm``,
    value) projections, called in that order by the BERT-family attention; at the last needed layer
    a pre-hook projects only the needed rows' queries, takes the softmax and stops the forward pass
    (its attention output, FFN and all later layers are skipped; its values only for ``norm``).
    """
    net, context = prepare(model, precision)
    modules = self_attention_modules(net)
    projections = output_projections(net) if request.norm else []
    inputs = model_inputs(model, windows)
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
    captured: dict[int, list[torch.Tensor]] = {}
    projected = (lambda m: (m.query, m.key, m.value)) if request.norm else (lambda m: (m.query, m.key))

    def probabilities(index: int, query_rows: torch.Tensor, key: torch.Tensor, value: torch.Tensor | None = None) -> None:
        module = modules[index]
        heads, size = module.num_attention_heads, module.attention_head_size
        q = query_rows.view(batch, -1, heads, size).transpose(1, 2)
        k = key.view(batch, length, heads, size).transpose(1, 2)
        norms = value_norms(value, projections[index], heads) if value is not None else None
        results.append(_probabilities(q, k, getattr(module, "scaling", size**-0.5), padding, request, norms))

    def gather(states: torch.Tensor) -> torch.Tensor:
        return states if request.full else states.gather(1, row_index[:, :, None].expand(-1, -1, states.shape[-1]))

    def capture(index: int, output: torch.Tensor) -> None:
        parts = captured.setdefault(index, [])
        parts.append(output)
        if len(parts) == len(projected(modules[index])):  # query, key (, value) of this layer all seen
            query, key, *value = captured.pop(index)
            probabilities(index, gather(query), key, *value)

    last = request.layers[-1]
    handles = [
        projection.register_forward_hook(lambda _m, _i, out, i=index: capture(i, out))
        for index in request.layers[:-1]
        for projection in projected(modules[index])
    ]

    def at_last_layer(module: torch.nn.Module, args: tuple, kwargs: dict) -> None:
        hidden = args[0] if args else kwargs["hidden_states"]
        probabilities(last, module.query(gather(hidden)), *(p(hidden) for p in projected(module)[1:]))
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
    then only the review tokens run through the layers. Rollout needs every row and ``norm`` the last
    layer's values, which the cache does not keep: both computed exactly."""
    if request.full or request.norm:
        return _extract_qk(model, windows, request, precision)
    net, context_manager = prepare(model, precision)
    last = request.layers[-1]
    by_prefix: dict[tuple[int, ...], list[int]] = {}
    for index, window in enumerate(windows):
        by_prefix.setdefault(window.input_ids[: window.review.start], []).append(index)
    maps: list[Maps | None] = [None] * len(windows)
    with context_manager:
        embedded = embed(net, model_inputs(model, windows)["input_ids"])
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
    measure: str = "attention",
) -> Iterator[tuple[int, Maps]]:
    """(window index, maps) batch by batch, so callers can reduce each batch before the next.

    ``layers`` (a contiguous ascending range; default all) selects the layers returned and the
    forward pass stops after the last of them; ``head_reduce`` drops the heads axis early;
    ``measure`` is one of ``MAP_MEASURES``.
    """
    extractor = choose("extraction method", method, EXTRACTORS)
    norm = choose("map measure", measure, MAP_MEASURES) == "norm"
    prepare(model, precision)  # fail on an unknown precision before any work
    chosen = range(model.num_layers) if layers is None else range(layers[0], layers[-1] + 1)
    if layers is not None and list(chosen) != list(layers):
        raise ValueError(f"layers must be a contiguous ascending range, got {list(layers)}")
    request = _Request(full, chosen, head_reduce, norm)
    with model_lock(model), torch.inference_mode():
        for batch in _batches(windows, batch_size):
            yield from zip(batch, extractor(model, [windows[i] for i in batch], request, precision))


def extract_attention(model: LoadedModel, windows: Sequence[Window], **options: Any) -> list[Maps]:
    """Attention maps [layers, heads, rows, keys] per window, in input order.

    Rows are the review tokens, or every token with ``full=True`` (rollout
    needs whole maps). Windows are batched by length. ``options`` are those of
    ``iter_attention`` (``method``, ``full``, ``precision``, ``batch_size``,
    ``layers``, ``head_reduce``, ``measure``).
    """
    results: list[Maps | None] = [None] * len(windows)
    for index, maps in iter_attention(model, windows, **options):
        results[index] = maps
    return results  # type: ignore[return-value]
