"""Measuring polarity in a vector space (seed 003, measured rather than anecdotal).

* :func:`load_pairs`: the shipped hand-written list of (negative, positive) word pairs
  (``polarity_pairs.tsv``, CC0), fixed before any model was trained.
* :func:`analogy_accuracy`: ``a : 부정 = ? : 긍정`` (and the reverse direction) by 3CosAdd over the
  model's candidate words (seen at least 10 times), the query word and every label excluded; hit@1 and hit@5 with exact ties
  (``moviattn.metrics``, ties counted at their expected rank).
* :func:`neighbourhood_purity`: among the pair words a model knows, the share of each word's
  k nearest pair words that have its polarity (0.5 = polarity does not organise the space,
  antonyms being close counts against it), and the share of each label vector's nearest pair
  words that have the label's polarity.
* :func:`mislabelled`: documents whose vector lies closer to another label's vector than to
  their own, ranked by the margin (seed 003's 오분류 slide).
* :func:`neutral_words`: words used in both polarities, from counts and from the vectors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..metrics import RankCounts, counts_against, metric
from .data import CONTENT_TAGS, NEGATIVE, NEUTRAL, POSITIVE
from .target2vec import LABEL_TOKENS, Target2Vec

PAIRS_FILE = Path(__file__).resolve().parent / "polarity_pairs.tsv"
#: Directions of the analogy test: (query label, answer label), named for the tables.
DIRECTIONS = {"negative→positive": (NEGATIVE, POSITIVE), "positive→negative": (POSITIVE, NEGATIVE)}


@dataclass(frozen=True)
class PolarityPair:
    """A negative word and its positive counterpart (bare surface forms)."""

    negative: str
    positive: str

    def word(self, label: int) -> str:
        return self.positive if label == POSITIVE else self.negative


def load_pairs(path: Path = PAIRS_FILE) -> list[PolarityPair]:
    """Read ``negative<TAB>positive`` lines after the header; ``#`` lines are comments. DataError names the line."""
    path = Path(path)
    rows = [(n, line.rstrip("\n")) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)]
    rows = [(n, line) for n, line in rows if line.strip() and not line.startswith("#")]
    if not rows or rows[0][1].split("\t") != ["negative", "positive"]:
        raise DataError(str(path), "the first line must be the header 'negative<TAB>positive'")
    pairs = []
    for n, line in rows[1:]:
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) != 2 or not all(fields):
            raise DataError(str(path), "expected two non-empty tab-separated words", record=f"line {n}")
        pairs.append(PolarityPair(*fields))
    return pairs


def analogy_accuracy(space: Target2Vec, pairs: Sequence[PolarityPair], ks: Sequence[int] = (1, 5)) -> dict[str, dict[str, float]]:
    """Per direction: ``n`` pairs the model can answer (both words known, both labels present) and hit@k."""
    out = {}
    candidates = np.flatnonzero(space.candidate_mask)
    label_ids = [space.index[t] for t in space.labels]  # labels are never answers
    for name, (source, target) in DIRECTIONS.items():
        labels = (LABEL_TOKENS[source], LABEL_TOKENS[target])
        usable = [p for p in pairs if all(t in space.index for t in labels) and space.knows(p.negative) and space.knows(p.positive)]
        counts_higher, counts_tied = [], []
        for pair in usable:
            query = [space.index[space.resolve(w)] for w in (pair.word(source), *labels)]
            vector = space.vectors[query[0]] - space.vectors[query[1]] + space.vectors[query[2]]
            scores = space.vectors[candidates] @ (vector / max(float(np.linalg.norm(vector)), 1e-8))
            answer = space.index[space.resolve(pair.word(target))]
            pool = (candidates != answer) & ~np.isin(candidates, query) & ~np.isin(candidates, label_ids)
            counts = counts_against([scores[candidates == answer][0]], scores[pool])
            counts_higher.append(counts.higher[0])
            counts_tied.append(counts.tied[0])
        row: dict[str, float] = {"n": len(usable)}
        if usable:
            counts = RankCounts(np.array(counts_higher), np.array(counts_tied))
            row.update({f"hit@{k}": float(metric("recall", counts, k).mean()) for k in ks})
            row["median_rank"] = float(np.median(counts.higher + 1))
        out[name] = row
    return out


def neighbourhood_purity(space: Target2Vec, pairs: Sequence[PolarityPair], k: int = 5) -> dict[str, float]:
    """``words@k``: mean share of same-polarity words among each pair word's k nearest pair words;
    ``labels@k``: the same for each label vector's k nearest pair words (where the model has label vectors)."""
    words = sorted({(space.resolve(p.word(label)), label) for p in pairs for label in (NEGATIVE, POSITIVE) if space.knows(p.word(label))})
    if len(words) <= k:
        return {"words": float(len(words))}
    ids = np.array([space.index[w] for w, _ in words])
    polarity = np.array([label for _, label in words])
    sims = space.vectors[ids] @ space.vectors[ids].T
    np.fill_diagonal(sims, -np.inf)
    nearest = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    out = {"words": float(len(words)), f"words@{k}": float((polarity[nearest] == polarity[:, None]).mean())}
    shares = []
    for label in (NEGATIVE, POSITIVE):
        if LABEL_TOKENS[label] in space.index:
            scores = space.vectors[ids] @ space.vector(LABEL_TOKENS[label])
            shares.append(float((polarity[np.argsort(-scores, kind="stable")[:k]] == label).mean()))
    if shares:
        out[f"labels@{k}"] = float(np.mean(shares))
    return out


def document_vectors(space: Target2Vec, docs: Sequence[Sequence[str]]) -> np.ndarray:
    """Mean unit output (context) vector of each document's known words: what the label vectors were trained to
    predict, so ``cos(label, doc)`` is the label's fit to the document. Zero for a document with no known word."""
    if space.contexts is None:
        raise ValueError("document vectors need context (output) vectors")
    out = np.zeros((len(docs), space.contexts.shape[1]), dtype=np.float32)
    for row, doc in enumerate(docs):
        ids = [i for i in (space.index.get(t, -1) for t in doc) if 0 <= i < len(space.contexts) and space.counts[i] > 0]
        if ids:
            out[row] = space.contexts[ids].mean(axis=0)
    return out


def label_scores(space: Target2Vec, docs: Sequence[Sequence[str]], labels: Sequence[int] = (NEGATIVE, POSITIVE)) -> np.ndarray:
    """``[documents, labels]`` cosine of each document vector with each label vector."""
    vectors = document_vectors(space, docs)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-8)
    return vectors @ np.stack([space.vector(LABEL_TOKENS[label]) for label in labels]).T


def mislabelled(scores: np.ndarray, gold: np.ndarray, labels: Sequence[int] = (NEGATIVE, POSITIVE)) -> pd.DataFrame:
    """Rows (by document index) whose best other label beats their own label, largest margin first.

    ``scores[i, j]`` is document i's fit to ``labels[j]``; margin = best other score - own score (> 0).
    Ties of margin keep document order.
    """
    column = {label: j for j, label in enumerate(labels)}
    own_col = np.array([column[int(g)] for g in gold])
    own = scores[np.arange(len(scores)), own_col]
    others = scores.copy()
    others[np.arange(len(scores)), own_col] = -np.inf
    best = others.argmax(axis=1)
    margin = others[np.arange(len(scores)), best] - own
    rows = np.flatnonzero(margin > 0)
    rows = rows[np.argsort(-margin[rows], kind="stable")]
    return pd.DataFrame({
        "index": rows, "label": np.asarray(gold)[rows], "closer_to": np.asarray(labels)[best[rows]], "margin": margin[rows],
    })


def neutral_words(
    space: Target2Vec,
    docs: Sequence[Sequence[str]],
    labels: np.ndarray,
    min_count: int = 100,
    max_count_lean: float = 0.1,
    max_vector_lean: float | None = None,
) -> pd.DataFrame:
    """Words used in both polarities: their share of occurrences in negative / neutral / positive documents,
    ``count_lean`` = positive share among the binary documents - 0.5 (the corpus is balanced), and
    ``vector_lean`` = cos(context vector, 긍정) - cos(context vector, 부정). Neutral where both leans are
    small: ``|count_lean| <= max_count_lean`` and ``|vector_lean| <= max_vector_lean`` (default: the median
    ``|vector_lean|`` of the eligible words, i.e. the less polar half by the vectors); sorted by count. Only content words (:data:`CONTENT_TAGS`) seen at least ``min_count`` times."""
    if space.contexts is None:
        raise ValueError("neutral words need context (output) vectors")
    per_label = {label: Counter(t for d, y in zip(docs, labels) if y == label for t in d) for label in (NEGATIVE, NEUTRAL, POSITIVE)}
    rows = []
    neg_vec, pos_vec = (space.vector(LABEL_TOKENS[label]) for label in (NEGATIVE, POSITIVE))
    for word, total in (per_label[NEGATIVE] + per_label[NEUTRAL] + per_label[POSITIVE]).items():
        i = space.index.get(word, -1)
        if total < min_count or word.rsplit("/", 1)[-1] not in CONTENT_TAGS or not 0 <= i < len(space.contexts):
            continue
        neg, neu, pos = (per_label[label][word] for label in (NEGATIVE, NEUTRAL, POSITIVE))
        count_lean = pos / max(pos + neg, 1) - 0.5
        vector_lean = float(space.contexts[i] @ pos_vec - space.contexts[i] @ neg_vec)
        rows.append((word, total, neg / total, neu / total, pos / total, count_lean, vector_lean))
    frame = pd.DataFrame(rows, columns=["word", "count", "negative", "neutral", "positive", "count_lean", "vector_lean"])
    if max_vector_lean is None:
        max_vector_lean = float(frame.vector_lean.abs().median()) if len(frame) else 0.0
    neutral = frame[(frame.count_lean.abs() <= max_count_lean) & (frame.vector_lean.abs() <= max_vector_lean)]
    return neutral.sort_values(["count", "word"], ascending=[False, True]).reset_index(drop=True)
