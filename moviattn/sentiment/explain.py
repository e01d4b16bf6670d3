"""Word-level explanations (attention weights, Grad-CAM) and their faithfulness checks.

An explainer maps a padded batch to (positive probability, per-token importance), so the
single-text API, the faithfulness checks and the Grad-CAM lexicon all share one code path.
Two checks: this project's deletion test (top-k vs k random words) and the field's measures
(``moviattn.faithfulness``: ERASER's AOPC comprehensiveness and sufficiency, Kendall τ against
leave-one-out) beside a random and a reading-order ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..faithfulness import HIGHER_IS_BETTER, faithfulness, mean_interval
from ..registry import choose
from ..text import has_words
from .artifacts import shipped_model, shipped_vocab
from .data import Encoded, length_bucketed_batches, pad_batch, tokenise
from .models import BiLSTMAttention, TextCNN, length_mask
from .training import predict_proba

Explainer = Callable[[nn.Module, torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


@torch.no_grad()
def attention_importance(
    model: BiLSTMAttention, ids: torch.Tensor, lengths: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Positive probability and attention weights alpha_t ``(batch, time)``, zero at padding."""
    model.eval()
    logits, alpha = model.forward_with_weights(ids, lengths)
    return torch.softmax(logits, dim=1)[:, 1], alpha


def gradcam_importance(
    model: TextCNN, ids: torch.Tensor, lengths: torch.Tensor, target: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Positive probability and Grad-CAM token importance ``(batch, time)`` toward class ``target`` (default: predicted).

    Per filter width h: alpha_k^c = mean over valid positions of dy^c/dA^k, map = ReLU(sum_k alpha_k^c A^k),
    where y^c is the class logit. A window at position p covers tokens p..p+h-1 and hands each an equal
    share map[p]/h; the shares of all widths are summed per token.
    """
    model.eval()
    with torch.enable_grad():
        maps = model.feature_maps(ids, lengths)
        logits = model.classify(maps)
        classes = logits.argmax(dim=1) if target is None else torch.full((len(ids),), target)
        score = logits.gather(1, classes.view(-1, 1)).sum()  # rows are independent, so one backward serves all
        grads = torch.autograd.grad(score, maps)
    width = maps[0].shape[2] + model.filter_sizes[0] - 1  # the (possibly padded) input length
    tokens = torch.zeros(ids.shape[0], width)
    for h, activation, grad in zip(model.filter_sizes, maps, grads):
        n_windows = (lengths - h + 1).clamp(min=1).to(grad.dtype)
        alpha = grad.sum(dim=2) / n_windows[:, None]
        cam = torch.relu((alpha[:, :, None] * activation).sum(dim=1)).detach()
        tokens += nn.functional.conv_transpose1d(cam[:, None, :], torch.full((1, 1, h), 1.0 / h)).squeeze(1)
    tokens = tokens[:, : ids.shape[1]] * length_mask(lengths, ids.shape[1])
    return torch.softmax(logits.detach(), dim=1)[:, 1], tokens


EXPLAINERS: dict[str, Explainer] = {"attention": attention_importance, "gradcam": gradcam_importance}

#: Which explainer explains which shipped model.
MODEL_EXPLAINERS: dict[str, str] = {"bilstm_attention": "attention", "textcnn": "gradcam"}


def batch_importance(
    model: nn.Module, explainer: Explainer, sequences: Sequence[Encoded], batch_size: int = 512
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Positive probability and per-token importance of every id sequence, in input order."""
    probs = np.empty(len(sequences))
    importance: list[np.ndarray] = [np.empty(0)] * len(sequences)
    for batch in length_bucketed_batches([len(s) for s in sequences], batch_size):
        ids, lengths = pad_batch([sequences[i] for i in batch], getattr(model, "min_length", 1))
        p, imp = explainer(model, ids, lengths)
        probs[batch] = p.double().numpy()
        for row, i in enumerate(batch):
            importance[i] = imp[row, : len(sequences[i])].double().numpy()
    return probs, importance


@dataclass
class SentimentExplanation:
    """One model's verdict on one text, with a per-unit importance to shade the text by."""

    model: str
    positive_probability: float
    tokens: list[str]
    spans: list[tuple[int, int]]
    importance: list[float]

    @property
    def label(self) -> str:
        """``"positive"`` or ``"negative"`` at the 0.5 threshold."""
        return "positive" if self.positive_probability >= 0.5 else "negative"


def explain_sentiment(text: str, model: str = "bilstm_attention") -> SentimentExplanation:
    """Verdict and normalised (max 1) word importance of a shipped model on ``text``."""
    choose("model", model, MODEL_EXPLAINERS)
    if not isinstance(text, str) or not text.strip():
        raise ValueError("리뷰가 비어 있습니다 / the review is empty")
    tokenised = tokenise(text) if has_words(text) else None
    if tokenised is None or not tokenised.tokens:  # as the explorer: punctuation alone is no review
        raise ValueError("분석할 단어가 없습니다 / the review has no words to analyse (emoji, symbols or punctuation only)")
    classifier = shipped_model(model)
    ids, lengths = pad_batch([shipped_vocab().encode_with_grams(tokenised.tokens)], getattr(classifier, "min_length", 1))
    probability, importance = EXPLAINERS[MODEL_EXPLAINERS[model]](classifier, ids, lengths)
    scores = importance[0, : len(tokenised.tokens)].double()
    peak = float(scores.max())
    normalised = (scores / peak if peak > 0 else scores).tolist()
    return SentimentExplanation(model, float(probability[0]), tokenised.tokens, tokenised.spans, normalised)


def predict_positive(texts: Sequence[str], model: str = "bilstm_attention") -> list[float | None]:
    """P(positive) of each text in one batched pass; None for a text with no words (empty, emoji or punctuation only)."""
    return predict_positive_tokens([tokenise(t).tokens if t and has_words(t) else [] for t in texts], model)


def predict_positive_tokens(tokens: Sequence[Sequence[str]], model: str = "bilstm_attention") -> list[float | None]:
    """P(positive) of already tokenised texts (``word/POS`` lists, e.g. clauses cut from one review); None for an empty one."""
    choose("model", model, MODEL_EXPLAINERS)
    kept = [i for i, t in enumerate(tokens) if t]
    out: list[float | None] = [None] * len(tokens)
    if kept:
        vocab = shipped_vocab()
        probs, _ = batch_importance(
            shipped_model(model), EXPLAINERS[MODEL_EXPLAINERS[model]], [vocab.encode_with_grams(tokens[i]) for i in kept]
        )
        for i, p in zip(kept, probs):
            out[i] = float(p)
    return out


def _delete(sequence: Encoded, positions: np.ndarray) -> np.ndarray:
    return np.delete(np.asarray(sequence), positions, axis=0)


def _mean_drop(model: nn.Module, variants: list[np.ndarray], base: np.ndarray, positive: np.ndarray) -> float:
    """Mean drop of the originally predicted class's probability from ``base`` to the variants'."""
    p = predict_proba(model, variants)
    return float(np.mean(np.where(positive, base - p, p - base)))


def deletion_faithfulness(
    model: nn.Module,
    explainer: Explainer,
    sequences: Sequence[Encoded],
    ks: Sequence[int] = (1, 3),
    seed: int = 13,
) -> list[dict[str, float]]:
    """Mean drop in predicted-class probability after deleting the top-k words by the explanation vs k random words.

    Only sequences longer than k take part (something must remain). A faithful explanation
    drops the probability more than random deletion does.
    """
    rng = np.random.default_rng(seed)
    probs, importance = batch_importance(model, explainer, sequences)
    predicted_positive = probs >= 0.5
    rows = []
    for k in ks:
        chosen = [i for i, s in enumerate(sequences) if len(s) > k]
        top = [_delete(sequences[i], np.argsort(-importance[i], kind="stable")[:k]) for i in chosen]
        rand = [_delete(sequences[i], rng.choice(len(sequences[i]), size=k, replace=False)) for i in chosen]
        positive, base = predicted_positive[chosen], probs[chosen]
        rows.append({
            "k": k, "n": len(chosen),
            "explanation_drop": _mean_drop(model, top, base, positive),
            "random_drop": _mean_drop(model, rand, base, positive),
        })
    return rows


#: Test reviews the field's measures are computed on by default (each needs about 2 + n forward passes per ranking).
ERASER_REVIEWS = 2_000
#: Rankings an explanation must beat on the field's measures: a seeded random score per word, and reading order.
BASELINE_RANKINGS: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "random": lambda n, rng: rng.random(n),
    "position": lambda n, rng: np.arange(n, 0, -1, dtype=np.float64),
}


def eraser_faithfulness(
    model: nn.Module, explainer: Explainer, sequences: Sequence[Encoded], seed: int = 13,
) -> dict[str, dict[str, tuple[float, float, float]]]:
    """Per ranking (``explanation`` and each of ``BASELINE_RANKINGS``), per measure (``aopc_compr``, ``aopc_suff``,
    ``taucorr_loo``): the mean over the sequences of two or more words and its 95 % bootstrap interval.

    The target class is the one the model predicts on the whole review; words are removed from the id
    sequence (not masked), as ferret's ``remove_tokens`` does.
    """
    sequences = [np.asarray(s) for s in sequences if len(s) >= 2]
    probs, importance = batch_importance(model, explainer, sequences)
    predicted_positive = probs >= 0.5

    def target_probability(requests: Sequence[tuple[int, np.ndarray]]) -> np.ndarray:
        p = predict_proba(model, [sequences[i][kept] for i, kept in requests])
        return np.where(predicted_positive[[i for i, _ in requests]], p, 1.0 - p)

    rng = np.random.default_rng(seed)
    rankings = {"explanation": importance} | {
        name: [rank(len(s), rng) for s in sequences] for name, rank in BASELINE_RANKINGS.items()
    }
    table = {}
    for name, scores in rankings.items():
        measured = faithfulness(scores, target_probability)
        table[name] = {m: mean_interval([getattr(f, m) for f in measured], seed=seed) for m in HIGHER_IS_BETTER}
    return table
