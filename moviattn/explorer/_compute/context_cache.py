"""Encoding a movie's part of a window once, then each review against it (approximate, opt-in).

Every review of a movie shares the window's movie part, ``[CLS] info [SEP] plot [SEP]``. In the
exact forward pass that part still depends on the review (attention is bidirectional), so the
whole window is recomputed per review and the review is only a tenth of its tokens. This module
runs the movie part once, alone, keeps each layer's keys and values, and then runs only the
review's tokens (``review [SEP]``) through the layers, attending to the cached keys/values plus
their own: per review the Linear layers see the review's few tokens instead of the whole window.

The approximation is that the movie's states no longer see the review. How far that moves the
results is measured, not assumed (``benchmarks/bench_attention.py``: Spearman of the movie
aggregate and the largest heatmap difference against exact float32). With the exact keys and
values of a full-window pass the suffix computation reproduces the exact review rows (tested),
so the only difference is that one.

BERT-family encoders (``encoder.layer[i]`` with ``attention.self.{query,key,value}``,
``attention.output``, ``intermediate``, ``output``: BERT, RoBERTa, XLM-R, ELECTRA).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

#: Called at each needed layer with (layer index, attention probabilities [batch, heads, tokens, keys] in float32).
LayerProbe = Callable[[int, torch.Tensor], None]

#: Movie parts kept per model (each: 2 × layers × tokens × hidden values).
CACHE_SIZE = 16


@dataclass(frozen=True)
class CachedContext:
    """One movie part's keys [heads, tokens, head dim] for layers 0..``layers``-1, and its values for the
    layers before the last (the last layer's values are never attended to)."""

    keys: tuple[torch.Tensor, ...]
    values: tuple[torch.Tensor, ...]

    @property
    def layers(self) -> int:
        return len(self.keys)


def encoder_layers(net: torch.nn.Module) -> Sequence[torch.nn.Module]:
    """The encoder's layers, checked to have the BERT-family structure this module drives."""
    layers = getattr(getattr(net, "encoder", None), "layer", None)
    needed = ("attention", "intermediate", "output")
    if layers is None or not all(all(hasattr(layer, n) for n in needed) for layer in layers):
        raise ValueError(
            f"context caching needs a BERT-family encoder (encoder.layer[i].attention/intermediate/output); "
            f"{type(net).__name__} is not one: use the exact 'qk' method"
        )
    return layers


def _heads(attention: torch.nn.Module, states: torch.Tensor) -> torch.Tensor:
    """[batch, tokens, hidden] -> [batch, heads, tokens, head dim]."""
    batch, tokens, _ = states.shape
    return states.view(batch, tokens, attention.num_attention_heads, attention.attention_head_size).transpose(1, 2)


def _scale(attention: torch.nn.Module) -> float:
    return float(getattr(attention, "scaling", attention.attention_head_size**-0.5))


def _by_head(states: torch.Tensor) -> torch.Tensor:
    """[batch, heads, tokens, x] -> [heads, batch * tokens, x], for one matmul per head against the context."""
    batch, heads, tokens, size = states.shape
    return states.permute(1, 0, 2, 3).reshape(heads, batch * tokens, size)


def _from_heads(states: torch.Tensor, batch: int) -> torch.Tensor:
    """Inverse of :func:`_by_head`."""
    heads, rows, size = states.shape
    return states.view(heads, batch, rows // batch, size).permute(1, 0, 2, 3)


def _probabilities(
    query: torch.Tensor, key: torch.Tensor, context_key: torch.Tensor | None, mask: torch.Tensor | None, scale: float
) -> torch.Tensor:
    """Softmax of the tokens' scores over [context keys, own keys] in float32: [batch, heads, tokens, P + tokens].

    The context's keys [heads, P, d] are shared by the batch: multiplied per head with all the
    batch's queries at once, never copied per review.
    """
    with torch.autocast(query.device.type, enabled=False):
        query = query.float()
        scores = query @ key.float().transpose(-1, -2)
        if context_key is not None:
            scores = torch.cat([_from_heads(_by_head(query) @ context_key.float().transpose(-1, -2), query.shape[0]), scores], dim=-1)
        scores = scores * scale
        if mask is not None:
            scores = scores + mask
        return torch.softmax(scores, dim=-1)


def _attended(probs: torch.Tensor, value: torch.Tensor, context_value: torch.Tensor | None) -> torch.Tensor:
    """The probabilities applied to [context values, own values]: [batch, heads, tokens, d], in the values' dtype."""
    prefix = probs.shape[-1] - value.shape[2]
    with torch.autocast(value.device.type, enabled=False):
        attended = probs[..., prefix:] @ value.float()
        if context_value is not None:
            attended = attended + _from_heads(_by_head(probs[..., :prefix]) @ context_value.float(), probs.shape[0])
    return attended.to(value.dtype)


def run_layers(
    net: torch.nn.Module,
    hidden: torch.Tensor,
    key_padding: torch.Tensor | None,
    context: CachedContext | None,
    last_layer: int,
    probe: LayerProbe | None = None,
    probe_layers: range = range(0),
) -> CachedContext:
    """Run ``hidden`` [batch, tokens, hidden] through layers 0..``last_layer`` after the cached context.

    Each layer attends over the context's keys and values (shared by the batch) followed by the
    tokens' own; ``key_padding`` [batch, tokens] marks padded tokens (never attended to).
    ``probe`` sees the attention probabilities of every layer in ``probe_layers``. The last layer
    stops once its probabilities are known (its values, output and FFN are never needed). Returns
    the tokens' own keys (layers 0..last) and values (layers 0..last-1), batch 0's: a context to cache.
    """
    layers = encoder_layers(net)
    batch = hidden.shape[0]
    mask = None
    if key_padding is not None and bool(key_padding.any()):
        prefix = torch.zeros((batch, context.keys[0].shape[1] if context else 0), device=hidden.device)
        own = torch.zeros(key_padding.shape, device=hidden.device).masked_fill_(key_padding, float("-inf"))
        mask = torch.cat([prefix, own], dim=1)[:, None, None, :]
    keys_out, values_out = [], []
    for index in range(last_layer + 1):
        layer = layers[index]
        attention = layer.attention.self
        query, key = _heads(attention, attention.query(hidden)), _heads(attention, attention.key(hidden))
        keys_out.append(key[0])
        probs = _probabilities(query, key, context and context.keys[index], mask, _scale(attention))
        if probe is not None and index in probe_layers:
            probe(index, probs)
        if index == last_layer:
            break
        value = _heads(attention, attention.value(hidden))
        values_out.append(value[0])
        attended = _attended(probs, value, context and context.values[index])
        attended = attended.transpose(1, 2).reshape(batch, hidden.shape[1], -1)
        attention_output = layer.attention.output(attended, hidden)
        hidden = layer.output(layer.intermediate(attention_output), attention_output)
    return CachedContext(tuple(keys_out), tuple(values_out))


def embed(net: torch.nn.Module, input_ids: torch.Tensor) -> torch.Tensor:
    """Input embeddings of whole (right-padded) windows, so every token gets its true position."""
    return net.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))


class ContextCache:
    """Cached contexts per model (weakly keyed) and movie part, least recently used dropped first."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._entries: weakref.WeakKeyDictionary[torch.nn.Module, OrderedDict] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, net: torch.nn.Module, key: tuple, layers: int, compute: Callable[[], CachedContext]) -> CachedContext:
        """The context for ``key`` with at least ``layers`` layers, computed on a miss."""
        with self._lock:
            entries = self._entries.setdefault(net, OrderedDict())
            found = entries.get(key)
            if found is not None and found.layers >= layers:
                entries.move_to_end(key)
                return found
        computed = compute()
        with self._lock:
            entries[key] = computed
            while len(entries) > self.size:
                entries.popitem(last=False)
        return computed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process-wide cache used by the ``cached_context`` extractor.
CONTEXTS = ContextCache()
