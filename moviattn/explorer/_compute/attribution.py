"""Gradient-based attribution of review–target relatedness to target tokens (the gradient measures).

Relatedness is read from the encoder's last hidden states h: for review token i and a target
segment T of the window (its info tokens, or its plot tokens),

    s_i^T = cos(h_i, mean_{j ∈ T} h_j),

how close the review token's final state is to the segment's mean state. It is attributed to
each target token j ∈ T at j's word embedding e_j (the position and token-type embeddings are the
same in every input compared and are not attributed):

* ``grad_input`` (gradient × input): a_ij = e_j · ∂s_i^T/∂e_j. One forward pass per window; the
  rows' gradients come from vectorised backward passes (``is_grads_batched``), one output per
  review token and segment, so the cost grows with 2 × the review's tokens.
* ``integrated_gradients`` (Sundararajan et al. 2017) with captum's ``LayerIntegratedGradients``
  on the word-embedding layer: a_ij = (e_j − e′_j) · ∫₀¹ ∂s_i^T/∂e_j(e′ + α(e − e′)) dα, the
  baseline e′ being the window with the segment's tokens replaced by the pad token (specials,
  positions and the review unchanged). Completeness: Σ_j a_ij = s_i^T(e) − s_i^T(e′) up to the
  quadrature error of ``IG_STEPS`` Gauss–Legendre steps (tested). Cost: ``IG_STEPS`` forward and
  backward passes per output, batched ``BATCH`` at a time.

A cell of the measure is the positive part max(a_ij, 0): how much the target token raises the
review token's relatedness. Shares of a review's attention must be non-negative to sum to 1; the
``*_signed`` functions keep the sign. Attributions are computed in float32 on the model itself
whatever the precision mode; the method (qk, cached context) does not apply.

Measured cost per review on the offline model (e5-small; 터미네이터 2 of the NSMC data, one
~265-token window, reviews of 10–13 tokens; 1 thread on a loaded 2-core machine, load average
11–14, so only the ratios carry over): ``attention`` 1.2 s, ``norm`` 1.3 s, ``grad_input`` 39 s
(median of 3: 26 backward passes of the whole window), ``integrated_gradients`` 651 s (one review,
8 steps: 208 forward and backward passes). The gradient measures are for single reviews and small
samples, not whole-movie aggregates on a CPU; a backward pass costs what it costs, and each row
needs its own (forward-mode would need one pass per target token instead).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

import torch

from ...models import LoadedModel
from .attention import model_inputs, model_lock
from .sequence import Window

#: Per-window review × key matrices [review rows, window length] for a model and its windows.
WindowAttribution = Callable[[LoadedModel, Sequence[Window]], list[torch.Tensor]]

#: Gauss–Legendre steps of integrated gradients (captum's default method).
IG_STEPS = 8
#: Outputs (review rows × segments) per vectorised backward pass, and captum's internal batch.
BATCH = 16


def relatedness(hidden: torch.Tensor, window: Window) -> torch.Tensor:
    """[batch, 2, review rows]: s_i^info and s_i^plot of every review token from last hidden states
    [batch, tokens, hidden] (zeros for a segment without tokens)."""
    rows = hidden[:, window.review]
    out = []
    for segment in (window.info, window.plot):
        if segment.stop > segment.start:
            centre = hidden[:, segment].mean(dim=1, keepdim=True)
            out.append(torch.nn.functional.cosine_similarity(rows, centre, dim=-1))
        else:
            out.append(rows.new_zeros(rows.shape[:2]))
    return torch.stack(out, dim=1)


@contextlib.contextmanager
def _gradients_on(model: LoadedModel) -> Iterator[None]:
    """Gradients enabled even inside an inference-mode caller, one user of the model at a time."""
    with model_lock(model), torch.inference_mode(False), torch.enable_grad():
        yield


@contextlib.contextmanager
def _embeddings_as_leaf(net: torch.nn.Module) -> Iterator[dict[str, torch.Tensor]]:
    """Make the word-embedding output a leaf that requires grad; yields a dict holding it as ``"e"``."""
    store: dict[str, torch.Tensor] = {}

    def hook(_module: torch.nn.Module, _inputs: tuple, output: torch.Tensor) -> torch.Tensor:
        store["e"] = output.detach().requires_grad_(True)
        return store["e"]

    handle = net.get_input_embeddings().register_forward_hook(hook)
    try:
        yield store
    finally:
        handle.remove()


def grad_input_signed(model: LoadedModel, window: Window) -> torch.Tensor:
    """[2 (info, plot), review rows, window tokens]: e_j · ∂s_i^T/∂e_j for every token j."""
    net = model.model
    with _gradients_on(model), _embeddings_as_leaf(net) as store:
        outputs = relatedness(net(**model_inputs(model, [window])).last_hidden_state, window)[0]  # [2, R]
        flat, embeddings = outputs.flatten(), store["e"]
        eye = torch.eye(len(flat), device=flat.device)
        grads = torch.cat([
            torch.autograd.grad(flat, embeddings, grad_outputs=eye[start : start + BATCH], is_grads_batched=True, retain_graph=True)[0]
            for start in range(0, len(flat), BATCH)
        ])  # [2R, 1, tokens, hidden]
        attributions = (grads[:, 0] * embeddings[0].detach()).sum(dim=-1)
    return attributions.view(*outputs.shape, -1).detach()


def baseline_ids(model: LoadedModel, window: Window) -> torch.Tensor:
    """[2, tokens]: the window's ids with the info tokens (row 0) or the plot tokens (row 1) padded."""
    ids = torch.tensor(window.input_ids, device=model.device).repeat(2, 1)
    ids[0, window.info] = model.pad_id
    ids[1, window.plot] = model.pad_id
    return ids


def integrated_gradients_signed(model: LoadedModel, window: Window, steps: int = IG_STEPS) -> torch.Tensor:
    """[2 (info, plot), review rows, window tokens]: integrated gradients of s_i^T over the word embeddings,
    from the padded-segment baseline (``baseline_ids``), with captum's ``LayerIntegratedGradients``."""
    from captum.attr import LayerIntegratedGradients

    net = model.model
    inputs = model_inputs(model, [window])
    rows = window.review.stop - window.review.start
    outputs = 2 * rows

    def forward(input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = net(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
        return relatedness(hidden, window).flatten(1)  # [batch, 2R]

    baselines = baseline_ids(model, window).repeat_interleave(rows, dim=0)  # output k = (segment, row) in that order
    integrated = LayerIntegratedGradients(forward, net.get_input_embeddings())
    parts = []
    with _gradients_on(model):
        for start in range(0, outputs, BATCH):  # BATCH outputs at a time: one interpolation step per captum batch
            chunk = range(start, min(start + BATCH, outputs))
            expanded = [inputs[name].expand(len(chunk), -1) for name in ("input_ids", "attention_mask", "token_type_ids")]
            parts.append(integrated.attribute(
                expanded[0], baselines=baselines[chunk.start : chunk.stop], target=list(chunk),
                additional_forward_args=tuple(expanded[1:]), n_steps=steps, internal_batch_size=len(chunk),
            ).sum(dim=-1).detach())
    return torch.cat(parts).view(2, rows, -1)


def _window_matrix(signed: torch.Tensor, window: Window) -> torch.Tensor:
    """[review rows, tokens]: info columns from the info relatedness, plot columns from the plot's,
    positive parts only; other columns (specials, the review) zero."""
    matrix = torch.zeros(signed.shape[1:], dtype=torch.float32)
    for index, segment in enumerate((window.info, window.plot)):
        matrix[:, segment] = signed[index, :, segment].float().clamp_min(0).cpu()
    return matrix


def grad_input_matrices(model: LoadedModel, windows: Sequence[Window]) -> list[torch.Tensor]:
    """The ``grad_input`` measure: each window's [review rows, tokens] matrix."""
    return [_window_matrix(grad_input_signed(model, w), w) for w in windows]


def integrated_gradients_matrices(model: LoadedModel, windows: Sequence[Window]) -> list[torch.Tensor]:
    """The ``integrated_gradients`` measure: each window's [review rows, tokens] matrix."""
    return [_window_matrix(integrated_gradients_signed(model, w), w) for w in windows]
