"""Polarity lexicons (seed 003's table): top positive / negative words by TF-IDF, log-odds and Grad-CAM.

* ``tfidf``: per-document TF-IDF summed over the documents of each true label (the seed's
  baseline; frequent words rank high for both polarities).
* ``logodds``: log-odds ratio with an informative Dirichlet prior, as a z-score
  (Monroe et al. 2008); discriminative by construction.
* ``gradcam``: TextCNN Grad-CAM toward a class, averaged over every occurrence of the word.

All three are computed over the same documents (the test set) with the same minimum
frequency, and list content words only (``data.CONTENT_TAGS``): with particles, endings and
punctuation in, TF-IDF's top words were 의/Josa, 이/Josa, 가/Josa for both polarities (the most
frequent words score high in any label) and log-odds had 의/Josa third among the positive words.
``rebuild_lexicons`` writes them again from the shipped vocabulary and TextCNN.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from ..registry import choose
from .artifacts import WEIGHTS_DIR
from .data import CONTENT_TAGS, UNK_ID, Encoded, Vocab, token_ids
from .explain import batch_importance, gradcam_importance
from .models import TextCNN

METHODS = ("tfidf", "logodds", "gradcam")
POLARITIES = ("positive", "negative")


def _term_matrix(vocab: Vocab, sequences: Sequence[Encoded]) -> sparse.csr_matrix:
    rows = np.repeat(np.arange(len(sequences)), [len(s) for s in sequences])
    cols = np.concatenate([token_ids(s) for s in sequences])
    return sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(sequences), len(vocab)))


def _eligible(vocab: Vocab, counts: np.ndarray, min_count: int) -> np.ndarray:
    tags = np.array([t.rsplit("/", 1)[-1] for t in vocab.itos])
    ok = (counts >= min_count) & np.isin(tags, list(CONTENT_TAGS))
    ok[: UNK_ID + 1] = False
    return ok


def _table(vocab: Vocab, scores: dict[str, np.ndarray], counts: np.ndarray, ok: np.ndarray, method: str) -> pd.DataFrame:
    frames = []
    for polarity, score in scores.items():
        ids = np.flatnonzero(ok)
        ids = ids[np.lexsort((ids, -score[ids]))]  # by score, ties by vocabulary rank
        frames.append(pd.DataFrame({
            "method": method, "polarity": polarity, "rank": np.arange(1, len(ids) + 1),
            "word": [vocab.itos[i] for i in ids], "score": score[ids], "count": counts[ids].astype(int),
        }))
    return pd.concat(frames, ignore_index=True)


def tfidf_lexicon(vocab: Vocab, sequences: Sequence[Encoded], labels: np.ndarray, min_count: int = 20) -> pd.DataFrame:
    """Words ranked by the summed TF-IDF (tf = share of the document, idf = log(N/df)) within each label."""
    counts_matrix = _term_matrix(vocab, sequences)
    counts = np.asarray(counts_matrix.sum(axis=0)).ravel()
    df = np.asarray((counts_matrix > 0).sum(axis=0)).ravel()
    idf = np.log(len(sequences) / np.maximum(df, 1))
    tf = sparse.diags(1 / np.maximum(np.asarray(counts_matrix.sum(axis=1)).ravel(), 1)) @ counts_matrix
    tfidf = sparse.csr_matrix(tf.multiply(idf[None, :]))
    scores = {
        "positive": np.asarray(tfidf[labels == 1].sum(axis=0)).ravel(),
        "negative": np.asarray(tfidf[labels == 0].sum(axis=0)).ravel(),
    }
    return _table(vocab, scores, counts, _eligible(vocab, counts, min_count), "tfidf")


def logodds_lexicon(vocab: Vocab, sequences: Sequence[Encoded], labels: np.ndarray, min_count: int = 20) -> pd.DataFrame:
    """Words ranked by the z-scored log-odds ratio between labels, prior = the pooled counts."""
    matrix = _term_matrix(vocab, sequences)
    pos = np.asarray(matrix[labels == 1].sum(axis=0)).ravel()
    neg = np.asarray(matrix[labels == 0].sum(axis=0)).ravel()
    prior = pos + neg + 0.01
    a0 = prior.sum()

    def log_odds(y: np.ndarray) -> np.ndarray:
        return np.log(y + prior) - np.log(y.sum() + a0 - y - prior)

    z = (log_odds(pos) - log_odds(neg)) / np.sqrt(1 / (pos + prior) + 1 / (neg + prior))
    return _table(vocab, {"positive": z, "negative": -z}, pos + neg, _eligible(vocab, pos + neg, min_count), "logodds")


def gradcam_lexicon(vocab: Vocab, model: TextCNN, sequences: Sequence[Encoded], min_count: int = 20) -> pd.DataFrame:
    """Words ranked by their mean raw Grad-CAM toward each class over all their occurrences."""
    ids = np.concatenate([token_ids(s) for s in sequences])
    counts = np.bincount(ids, minlength=len(vocab)).astype(np.float64)
    scores = {}
    for polarity, target in (("positive", 1), ("negative", 0)):
        _, importance = batch_importance(model, partial(gradcam_importance, target=target), sequences)
        total = np.bincount(ids, weights=np.concatenate(importance), minlength=len(vocab))
        scores[polarity] = total / np.maximum(counts, 1)
    return _table(vocab, scores, counts, _eligible(vocab, counts, min_count), "gradcam")


def lexicon_path(method: str, directory: Path = WEIGHTS_DIR) -> Path:
    """Where the CSV of a lexicon method lives (the shipped one by default)."""
    return Path(directory) / f"lexicon_{method}.csv"


def lexicon_table(method: str, polarity: str, k: int = 15) -> pd.DataFrame:
    """The top ``k`` words of a shipped lexicon: columns rank, word, score, count."""
    choose("lexicon method", method, METHODS)
    choose("polarity", polarity, POLARITIES)
    frame = pd.read_csv(lexicon_path(method))
    top = frame[frame["polarity"] == polarity].sort_values("rank").head(k)
    return top[["rank", "word", "score", "count"]].reset_index(drop=True)
