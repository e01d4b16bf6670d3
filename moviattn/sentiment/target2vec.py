"""Target2Vec (seed 003): skip-gram word vectors where the document's label also predicts each context word.

Objective per centre word w_t of a document with label E:
``sum_j log p(w_{t+j} | w_t) + log p(w_{t+j} | E)``, each term trained with negative
sampling. Words and the labels (``<부정>``, ``<긍정>`` and, on the three-label corpus of
seed 003's E(t) = {0, 1, 2}, ``<중립>``) share one input-vector space, so
``최악 : 부정 = ? : 긍정`` is answered by ``v(최악) - v(<부정>) + v(<긍정>)``.

Why an own trainer: gensim's closest objective, PV-DBOW with ``dbow_words=1`` and the label as
the document tag, lets the tag predict every word of the document once per epoch, on its own
negatives; here the label predicts the context word of every (centre, context) skip-gram pair,
with the same negatives as the word term, as the seed's formula reads. The gensim models of the
comparison (``vectors.py``) are loaded into this same class, so every model answers the same
queries: ``similar`` (input vectors), ``context_words`` (input vs output vectors, i.e. the
words the model predicts around a word) and ``analogy``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .data import UNK_ID, Vocab

#: The label tokens, indexed by label id (0 negative, 1 positive, 2 neutral = rated 5-8).
LABEL_TOKENS = ("<부정>", "<긍정>", "<중립>")
LABEL_ALIASES = {
    "부정": "<부정>", "negative": "<부정>", "긍정": "<긍정>", "positive": "<긍정>", "중립": "<중립>", "neutral": "<중립>",
}


@dataclass(frozen=True)
class Target2VecConfig:
    """Skip-gram settings (word2vec defaults, smaller for a 2-core CPU)."""

    dim: int = 100
    window: int = 5
    negatives: int = 5
    epochs: int = 1
    batch_size: int = 8192
    lr: float = 0.01
    subsample: float = 1e-4
    seed: int = 13


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-8)


class Target2Vec:
    """Unit-normalised word and label vectors with similarity, context-word and analogy queries.

    ``contexts`` are the output (context) vectors, one row per word and none for the labels
    (labels only predict); without them :meth:`context_words` is unavailable.
    """

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray,
        counts: Sequence[int],
        min_count: int = 10,
        contexts: np.ndarray | None = None,
    ) -> None:
        if len(words) != len(vectors) or len(words) != len(counts):
            raise ValueError("words, vectors and counts must have the same length")
        self.words = list(words)
        self.index = {w: i for i, w in enumerate(self.words)}
        self.vectors = _unit(vectors)
        self.contexts = None if contexts is None else _unit(contexts)
        self.counts = np.asarray(counts)
        self.min_count = min_count
        # answers are drawn from frequent words and the labels only: rare words have noisy vectors
        self._candidates = (self.counts >= min_count) | np.isin(np.arange(len(self.words)), self._label_ids())
        by_surface: dict[str, tuple[int, str]] = {}
        for word, count in zip(self.words, self.counts):
            surface = word.rsplit("/", 1)[0]
            if "/" in word and count > by_surface.get(surface, (-1, ""))[0]:
                by_surface[surface] = (int(count), word)
        self._by_surface = {s: w for s, (_, w) in by_surface.items()}

    def _label_ids(self) -> list[int]:
        return [self.index[t] for t in LABEL_TOKENS if t in self.index]

    @property
    def labels(self) -> list[str]:
        """The label tokens this model has (two for the binary corpus, three with neutral)."""
        return [t for t in LABEL_TOKENS if t in self.index]

    @property
    def candidate_mask(self) -> np.ndarray:
        """Which rows may be answers: words seen at least ``min_count`` times, and the labels."""
        return self._candidates

    def knows(self, word: str) -> bool:
        """Whether ``word`` resolves to a candidate (a frequent word or a label)."""
        try:
            return bool(self._candidates[self.index[self.resolve(word)]])
        except ValueError:
            return False

    def vector(self, word: str) -> np.ndarray:
        """The unit input vector of a word or label (resolved as in :meth:`resolve`)."""
        return self.vectors[self.index[self.resolve(word)]]

    def resolve(self, word: str) -> str:
        """The stored key: ``최악/Noun`` as is, bare ``최악`` by its most frequent tag, ``부정``/``긍정`` as labels."""
        word = word.strip()
        if word in LABEL_ALIASES:
            return LABEL_ALIASES[word]
        if word in self.index and word not in ("<pad>", "<unk>"):
            return word
        if word in self._by_surface:
            return self._by_surface[word]
        raise ValueError(f"모르는 단어입니다 / unknown word: {word!r} (try 'word/POS', e.g. '최악/Noun', or 부정/긍정)")

    def _nearest(
        self, query: np.ndarray, exclude: set[int], k: int, table: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        table = self.vectors if table is None else table
        scores = np.full(len(self.words), -np.inf, dtype=np.float32)
        scores[: len(table)] = table @ (query / max(float(np.linalg.norm(query)), 1e-8))
        scores[~self._candidates] = -np.inf
        scores[list(exclude)] = -np.inf
        top = np.argsort(-scores, kind="stable")[:k]
        return [(self.words[i], float(scores[i])) for i in top if np.isfinite(scores[i])]

    def similar(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` words (or labels) with the highest cosine similarity to ``word``."""
        i = self.index[self.resolve(word)]
        return self._nearest(self.vectors[i], {i}, k)

    def context_words(self, word: str, k: int = 10) -> list[tuple[str, float]]:
        """The ``k`` words the model most expects around ``word`` (cosine of its input vector with their output vectors)."""
        if self.contexts is None:
            raise ValueError("이 모델에는 맥락 벡터가 없습니다 / this model has no context (output) vectors")
        i = self.index[self.resolve(word)]
        return self._nearest(self.vectors[i], {i} if i < len(self.contexts) else set(), k, self.contexts)

    def analogy(self, a: str, b: str, c: str, k: int = 5) -> list[tuple[str, float]]:
        """``a : b = c : ?`` answered by the words nearest to ``b - a + c`` (3CosAdd), query words excluded."""
        ia, ib, ic = (self.index[self.resolve(w)] for w in (a, b, c))
        return self._nearest(self.vectors[ib] - self.vectors[ia] + self.vectors[ic], {ia, ib, ic}, k)

    def save(self, path: Path) -> None:
        """Vectors as float16 ``.npy`` next to a JSON file of words and counts (``path`` without suffix);
        context vectors, where present, in ``<path>.contexts.npy``."""
        path = Path(path)
        np.save(path.with_suffix(".npy"), self.vectors.astype(np.float16))
        if self.contexts is not None:
            np.save(path.with_suffix(".contexts.npy"), self.contexts.astype(np.float16))
        meta = {"words": self.words, "counts": self.counts.tolist(), "min_count": self.min_count}
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Target2Vec:
        """Read what :meth:`save` wrote."""
        path = Path(path)
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        contexts = path.with_suffix(".contexts.npy")
        return cls(
            meta["words"], np.load(path.with_suffix(".npy")), meta["counts"], meta["min_count"],
            np.load(contexts) if contexts.exists() else None,
        )

    def pruned(self, min_count: int) -> Target2Vec:
        """Only the words seen at least ``min_count`` times, and the labels (smaller to ship)."""
        keep = np.flatnonzero((self.counts >= min_count) | np.isin(np.arange(len(self.words)), self._label_ids()))
        contexts = None
        if self.contexts is not None:
            contexts = self.contexts[keep[keep < len(self.contexts)]]
        # labels sit after the words, so the kept context rows still line up with the kept words
        return Target2Vec([self.words[i] for i in keep], self.vectors[keep], self.counts[keep], self.min_count, contexts)


class _SkipGram(nn.Module):
    def __init__(self, n_inputs: int, n_outputs: int, dim: int) -> None:
        super().__init__()
        self.inputs = nn.Embedding(n_inputs, dim, sparse=True)
        self.outputs = nn.Embedding(n_outputs, dim, sparse=True)
        nn.init.uniform_(self.inputs.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.outputs.weight)

    def loss(self, sources: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """Negative-sampling loss of ``log p(context | source)``, averaged over pairs."""
        v = self.inputs(sources)
        positive = nn.functional.logsigmoid((v * self.outputs(contexts)).sum(-1))
        negative = nn.functional.logsigmoid(-(self.outputs(negatives) @ v.unsqueeze(-1)).squeeze(-1)).sum(-1)
        return -(positive + negative).mean()


def _pairs(
    docs: Sequence[Sequence[int]], labels: np.ndarray, keep: np.ndarray, window: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centre, context, document label) of every pair within a sampled window (word2vec's shrinking window)."""
    tokens = np.concatenate([np.asarray(d, dtype=np.int64) for d in docs])
    doc_of = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
    kept = keep[tokens] > rng.random(len(tokens))
    tokens, doc_of = tokens[kept], doc_of[kept]
    reach = rng.integers(1, window + 1, size=len(tokens))
    centres, contexts = [], []
    for offset in range(1, window + 1):
        for sign in (-1, 1):
            src = np.arange(max(0, -sign * offset), len(tokens) - max(0, sign * offset))
            dst = src + sign * offset
            ok = (doc_of[src] == doc_of[dst]) & (reach[src] >= offset)
            centres.append(src[ok])
            contexts.append(dst[ok])
    c, o = np.concatenate(centres), np.concatenate(contexts)
    return tokens[c], tokens[o], labels[doc_of[c]]


def train_target2vec(
    vocab: Vocab,
    docs: Sequence[Sequence[int]],
    labels: np.ndarray,
    config: Target2VecConfig = Target2VecConfig(),
    log: Callable[[str], None] = print,
    keep_contexts: bool = False,
) -> tuple[Target2Vec, float]:
    """Train Target2Vec on id sequences with label ids (0/1, or 0/1/2 with neutral); returns the model and the seconds.

    One label vector per label id up to the largest present, so the binary corpus trains exactly as before.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    counts = np.bincount(np.concatenate([np.asarray(d) for d in docs]), minlength=len(vocab)).astype(np.float64)
    counts[:UNK_ID + 1] = 0  # never learn from padding / unknown tokens
    freq = counts / counts.sum()
    keep = np.minimum(1.0, np.sqrt(config.subsample / np.maximum(freq, 1e-12)) + config.subsample / np.maximum(freq, 1e-12))
    noise = torch.as_tensor(counts**0.75 / (counts**0.75).sum())
    label_offset = len(vocab)  # label inputs sit after the words in the input table
    label_tokens = LABEL_TOKENS[: int(np.max(labels)) + 1]
    model = _SkipGram(len(vocab) + len(label_tokens), len(vocab), config.dim)
    optimiser = torch.optim.SparseAdam(model.parameters(), lr=config.lr)
    for epoch in range(1, config.epochs + 1):
        centres, contexts, doc_labels = _pairs(docs, labels, keep, config.window, rng)
        order = rng.permutation(len(centres))
        total = 0.0
        for step, begin in enumerate(range(0, len(order), config.batch_size), start=1):
            batch = order[begin : begin + config.batch_size]
            ctx = torch.as_tensor(contexts[batch])
            neg = torch.multinomial(noise, len(batch) * config.negatives, replacement=True).view(len(batch), -1)
            sources = torch.cat([torch.as_tensor(centres[batch]), torch.as_tensor(doc_labels[batch] + label_offset)])
            optimiser.zero_grad()
            loss = model.loss(sources, ctx.repeat(2), neg.repeat(2, 1))
            loss.backward()
            optimiser.step()
            total += loss.detach().item()
            if step % 500 == 0:
                log(f"target2vec epoch {epoch}: step {step} of {-(-len(order) // config.batch_size)}, loss {total / step:.4f}")
        log(f"target2vec epoch {epoch}: {len(order):,} pairs, loss {total / step:.4f} ({time.perf_counter() - start:.0f}s)")
    vectors = model.inputs.weight.detach().numpy()
    words = [*vocab.itos, *label_tokens]
    label_counts = np.bincount(labels, minlength=len(label_tokens))
    contexts = model.outputs.weight.detach().numpy() if keep_contexts else None
    t2v = Target2Vec(words, vectors, [*counts.astype(np.int64), *label_counts], contexts=contexts)
    return t2v, time.perf_counter() - start
