"""Seed 003's comparison: gensim doc2vec (all / negative-only / positive-only documents), gensim
word2vec skip-gram and Target2Vec, trained on the same three-label corpus and asked the same queries.

Every model is turned into a :class:`~.target2vec.Target2Vec` (input vectors, output vectors for
"context words", counts), so nearest words, context words and analogies are computed by one
piece of code. Models with no label vector of their own get one per label: the centroid of
their unit document vectors (doc2vec: the trained document vectors; word2vec: the mean of a
document's unit word vectors). Target2Vec learns its label vectors.

All gensim models are PV-DM / skip-gram with negative sampling (5 noise words), window 5,
100 dimensions, words seen at least :data:`MIN_COUNT` times, one worker and a deterministic
hash so that a seed gives the same vectors on every run.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..registry import choose
from .data import NEGATIVE, POSITIVE
from .target2vec import LABEL_TOKENS, Target2Vec

MIN_COUNT = 5
EPOCHS = 5


def _stable_hash(text: str) -> int:
    """gensim seeds each word vector from ``hashfxn(word + seed)``; Python's own ``hash`` varies per process."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True)
class GensimSettings:
    """Shared gensim settings (also recorded in the metrics)."""

    dim: int = 100
    window: int = 5
    negative: int = 5
    min_count: int = MIN_COUNT
    sample: float = 1e-4
    epochs: int = EPOCHS
    seed: int = 13

    def common(self) -> dict[str, object]:
        return {
            "vector_size": self.dim, "window": self.window, "negative": self.negative, "hs": 0,
            "min_count": self.min_count, "sample": self.sample, "epochs": self.epochs, "seed": self.seed,
            "workers": 1, "hashfxn": _stable_hash,
        }


def _space(wv: object, contexts: np.ndarray, label_vectors: dict[int, np.ndarray]) -> Target2Vec:
    """A gensim ``KeyedVectors`` plus output vectors and label centroids, as a Target2Vec."""
    words = list(wv.index_to_key)  # type: ignore[attr-defined]
    counts = [wv.get_vecattr(w, "count") for w in words]  # type: ignore[attr-defined]
    labels = sorted(label_vectors)
    vectors = np.vstack([wv.vectors, *[label_vectors[i][None] for i in labels]])  # type: ignore[attr-defined]
    return Target2Vec([*words, *(LABEL_TOKENS[i] for i in labels)], vectors, [*counts, *[0] * len(labels)], contexts=contexts)


def _centroids(doc_vectors: np.ndarray, labels: np.ndarray) -> dict[int, np.ndarray]:
    unit = doc_vectors / np.maximum(np.linalg.norm(doc_vectors, axis=1, keepdims=True), 1e-8)
    return {int(label): unit[labels == label].mean(axis=0) for label in np.unique(labels)}


def train_doc2vec(docs: Sequence[Sequence[str]], labels: np.ndarray, settings: GensimSettings = GensimSettings()) -> Target2Vec:
    """gensim PV-DM (``dm=1``), one tag per document; label vectors = centroids of the document vectors."""
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    tagged = [TaggedDocument(list(d), [i]) for i, d in enumerate(docs)]
    model = Doc2Vec(tagged, dm=1, **settings.common())
    doc_vectors = np.vstack([model.dv[i] for i in range(len(tagged))])
    return _space(model.wv, model.syn1neg, _centroids(doc_vectors, np.asarray(labels)))


def train_word2vec(docs: Sequence[Sequence[str]], labels: np.ndarray, settings: GensimSettings = GensimSettings()) -> Target2Vec:
    """gensim skip-gram (``sg=1``); label vectors = centroids of the documents' mean unit word vectors."""
    from gensim.models import Word2Vec

    model = Word2Vec([list(d) for d in docs], sg=1, **settings.common())
    unit = model.wv.get_normed_vectors()
    doc_vectors = np.zeros((len(docs), settings.dim), dtype=np.float32)
    for row, doc in enumerate(docs):
        ids = [model.wv.key_to_index[w] for w in doc if w in model.wv.key_to_index]
        if ids:
            doc_vectors[row] = unit[ids].mean(axis=0)
    return _space(model.wv, model.syn1neg, _centroids(doc_vectors, np.asarray(labels)))


def _only(label: int) -> Callable[[Sequence[Sequence[str]], np.ndarray, GensimSettings], Target2Vec]:
    def train(docs: Sequence[Sequence[str]], labels: np.ndarray, settings: GensimSettings = GensimSettings()) -> Target2Vec:
        chosen = np.flatnonzero(np.asarray(labels) == label)
        return train_doc2vec([docs[i] for i in chosen], np.asarray(labels)[chosen], settings)

    train.__doc__ = f"gensim PV-DM on the documents labelled {label} only (seed 003's Doc2Vec(N) / Doc2Vec(P))."
    return train


#: The gensim models of the comparison, by name, in the table's column order (Target2Vec is added by the caller).
GENSIM_MODELS: dict[str, Callable[..., Target2Vec]] = {
    "doc2vec": train_doc2vec,
    "doc2vec_negative": _only(NEGATIVE),
    "doc2vec_positive": _only(POSITIVE),
    "word2vec": train_word2vec,
}


def train_gensim(
    name: str, docs: Sequence[Sequence[str]], labels: np.ndarray, settings: GensimSettings = GensimSettings()
) -> tuple[Target2Vec, float]:
    """Train one gensim model of :data:`GENSIM_MODELS` by name; returns it and the seconds it took."""
    trainer = choose("vector model", name, GENSIM_MODELS)
    start = time.perf_counter()
    space = trainer(docs, labels, settings)
    return space, time.perf_counter() - start


def neighbours_row(space: Target2Vec, word: str, k: int = 10) -> dict[str, list[list[object]]]:
    """Nearest words and context words of ``word`` in one model, labels left out (empty where the model lacks it)."""
    if not space.knows(word):
        return {"similar": [], "context": []}
    extra = len(space.labels)
    rows = {"similar": space.similar(word, k + extra), "context": space.context_words(word, k)}
    return {kind: [[w, round(s, 3)] for w, s in found if w not in LABEL_TOKENS][:k] for kind, found in rows.items()}


def comparison(spaces: dict[str, Target2Vec], words: Sequence[str], k: int = 10) -> dict[str, dict[str, dict[str, list]]]:
    """``{word: {model: {"similar": [[w, cos]...], "context": [...]}}}`` for every query word and model."""
    return {word: {name: neighbours_row(space, word, k) for name, space in spaces.items()} for word in words}
