"""NSMC sentiment data: TSV loading, morpheme tokenising (cached on disk), vocabulary, batching.

Every text is normalised (``moviattn.text.normalize``) and split into Okt morphemes
through ``moviattn.morphology`` at training and at inference time alike, so a
token the models score can always be traced back to a span of the original text.

Okt keeps conjugated forms whole (``지루하고/Adjective``, ``지루함/Noun``) and NSMC is full
of misspellings, so many tokens are rare or unseen. Besides its id, every token therefore
carries the ids of its syllable uni- and bigrams and its tag (:func:`subword_grams`, fastText
style): the classifiers' input is a ``(tokens, 1 + grams)`` id array whose column 0 is the token.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import pickle
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..morphology import morpheme_units
from ..paths import SHARED_DATA_DIR
from ..paths import cache_dir as moviattn_cache_dir
from ..text import normalize

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
#: Label ids: the binary corpus uses 0/1; the mid-rated (5-8) reviews of ``neutral_*.tsv`` get 2 (seed 003's E(t)).
NEGATIVE, POSITIVE, NEUTRAL = 0, 1, 2
#: An encoded text: token ids, or a ``(tokens, 1 + grams)`` array from :meth:`Vocab.encode_with_grams`.
Encoded = Sequence[int] | np.ndarray

#: At most this many subword grams per token (the tag first, then unigrams, then bigrams).
MAX_GRAMS = 24
#: Memoised token -> gram ids entries kept before the memo starts afresh (a long-running app sees new tokens).
GRAM_MEMO_SIZE = 1 << 18

#: Bumped whenever tokenising changes, so stale caches are never reused.
TOKENISER_VERSION = "okt-surface-v1"

#: ``<repo>/../shared/data/nsmc/sentiment``: where the project's data lives when present.
DEFAULT_DATA_DIR = SHARED_DATA_DIR / "nsmc" / "sentiment"
#: Okt tags of content words: what can carry a verdict or be talked about (not particles, endings, punctuation).
CONTENT_TAGS = frozenset({"Noun", "Adjective", "Verb", "Adverb", "Alpha", "KoreanParticle", "Exclamation"})


def cache_dir() -> Path:
    """Where tokenised corpora are cached: outside the project, never committed."""
    return moviattn_cache_dir("sentiment")


@dataclass(frozen=True)
class TokenisedText:
    """A text's ``word/POS`` units with each unit's span in the original text."""

    original: str
    tokens: list[str]
    spans: list[tuple[int, int]]


def tokenise(text: str) -> TokenisedText:
    """Normalise, tag with Okt and keep the original span of every ``word/POS`` unit."""
    normalised = normalize(text)
    units = morpheme_units(normalised.text) if normalised.text else []
    return TokenisedText(
        original=text,
        tokens=[f"{u.text}/{u.tag}" for u in units],
        spans=[normalised.original_span(u.start, u.end) for u in units],
    )


def tokens_of(text: str) -> list[str]:
    """Just the ``word/POS`` units of a text (bulk tokenising)."""
    return tokenise(text).tokens


def read_tsv(path: Path) -> pd.DataFrame:
    """The NSMC TSV (``id``, ``document``, then ``label`` or, in the mid-rated files, ``rating``): unquoted,
    so read with ``quoting=3``. A file with ``rating`` (5-8) and no ``label`` gets ``label`` = :data:`NEUTRAL`."""
    frame = pd.read_csv(path, sep="\t", quoting=3, dtype={"id": str, "document": str})
    frame["document"] = frame["document"].fillna("")
    if "label" not in frame and "rating" in frame:
        frame["label"] = NEUTRAL
    frame["label"] = frame["label"].astype(int)
    return frame


def _file_key(path: Path) -> str:
    digest = hashlib.sha1(TOKENISER_VERSION.encode())
    digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def tokenise_all(texts: Sequence[str], workers: int = 2) -> list[list[str]]:
    """Tokenise many texts, in ``workers`` spawned processes (each starts its own JVM)."""
    if workers <= 1 or len(texts) < 2000:
        return [tokens_of(t) for t in texts]
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        return pool.map(tokens_of, texts, chunksize=500)


@dataclass
class Corpus:
    """One split: raw texts, their tokens and labels (0 negative, 1 positive, 2 neutral)."""

    texts: list[str]
    tokens: list[list[str]]
    labels: np.ndarray

    def subset(self, indices: Sequence[int]) -> Corpus:
        """The rows at ``indices``, in that order."""
        return Corpus([self.texts[i] for i in indices], [self.tokens[i] for i in indices], self.labels[list(indices)])

    def __len__(self) -> int:
        return len(self.labels)


def load_split(path: Path, workers: int = 2) -> Corpus:
    """A TSV split with its tokens, tokenised once and cached under :func:`cache_dir`."""
    path = Path(path)
    frame = read_tsv(path)
    cached = cache_dir() / f"{path.stem}-{_file_key(path)}.pkl"
    if cached.exists():
        with cached.open("rb") as fh:
            tokens = pickle.load(fh)
    else:
        tokens = tokenise_all(frame["document"].tolist(), workers)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(tokens, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cached)
    return Corpus(frame["document"].tolist(), tokens, frame["label"].to_numpy(dtype=np.int64))


def train_valid_indices(n: int, valid_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random split of ``range(n)`` into train and validation indices (validation from train only)."""
    order = np.random.default_rng(seed).permutation(n)
    n_valid = int(round(n * valid_fraction))
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


def subword_grams(token: str) -> list[str]:
    """The subword features of a ``word/POS`` token: ``#POS``, then syllable uni- and bigrams of ``<word>``.

    ``<``/``>`` mark the word's start and end, so ``재밌/Adjective`` gives
    ``#Adjective, 재, 밌, <재, 재밌, 밌>``.
    """
    word, _, tag = token.rpartition("/")
    marked = f"<{word}>"
    unigrams = list(word)
    bigrams = [marked[i : i + 2] for i in range(len(marked) - 1)]
    return [f"#{tag}", *unigrams, *bigrams]


def token_ids(sequence: Encoded) -> np.ndarray:
    """The token ids of an encoded text (column 0 of a ``(tokens, 1 + grams)`` array, or the ids themselves)."""
    array = np.asarray(sequence, dtype=np.int64)
    return array[:, 0] if array.ndim == 2 else array


class Vocab:
    """Token <-> id mapping plus the subword-gram table; id 0 is padding in both, token id 1 stands for unknown."""

    def __init__(self, itos: Sequence[str], grams: Sequence[str] = (PAD,)) -> None:
        if list(itos[:2]) != [PAD, UNK] or list(grams[:1]) != [PAD]:
            raise ValueError("a vocabulary must start with <pad>, <unk> and its gram table with <pad>")
        self.itos = list(itos)
        self.stoi = {token: i for i, token in enumerate(self.itos)}
        self.grams = list(grams)
        self.gram_ids = {gram: i for i, gram in enumerate(self.grams)}
        self._token_grams: dict[str, list[int]] = {}

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], min_freq: int = 2, gram_min_count: int | None = None) -> Vocab:
        """Tokens seen at least ``min_freq`` times, most frequent first (ties alphabetical, so deterministic);
        with ``gram_min_count``, also the subword grams seen at least that often (else no grams)."""
        counts = Counter(token for doc in docs for token in doc)
        ranked = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
        grams = [PAD]
        if gram_min_count is not None:
            gram_counts: Counter[str] = Counter()
            for token, count in counts.items():
                for gram in set(subword_grams(token)):
                    gram_counts[gram] += count
            grams += sorted((g for g, c in gram_counts.items() if c >= gram_min_count), key=lambda g: (-gram_counts[g], g))
        return cls([PAD, UNK, *ranked], grams)

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Token ids; an empty text becomes a single ``<unk>`` so every sequence has length >= 1."""
        return [self.stoi.get(t, UNK_ID) for t in tokens] or [UNK_ID]

    def grams_of(self, token: str) -> list[int]:
        """Ids of the token's known subword grams (at most :data:`MAX_GRAMS`), memoised."""
        ids = self._token_grams.get(token)
        if ids is None:
            if len(self._token_grams) >= GRAM_MEMO_SIZE:
                self._token_grams.clear()
            ids = [i for i in map(self.gram_ids.get, subword_grams(token)) if i][:MAX_GRAMS]
            self._token_grams[token] = ids
        return ids

    def encode_with_grams(self, tokens: Sequence[str]) -> np.ndarray:
        """The classifiers' input: ``(tokens, 1 + grams)`` ids, column 0 the token, then its grams (0-padded).

        An empty text becomes a single ``<unk>`` row, as in :meth:`encode`.
        """
        grams = [self.grams_of(t) for t in tokens] or [[]]
        rows = np.zeros((len(grams), 1 + max(map(len, grams))), dtype=np.int32)
        rows[:, 0] = self.encode(tokens)
        for row, ids in zip(rows, grams):
            row[1 : 1 + len(ids)] = ids
        return rows

    def save(self, path: Path) -> None:
        """Write the vocabulary and gram table as JSON."""
        Path(path).write_text(json.dumps({"tokens": self.itos, "grams": self.grams}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Vocab:
        """Read a vocabulary written by :meth:`save`."""
        saved = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(saved["tokens"], saved["grams"])


def pad_batch(sequences: Sequence[Encoded], min_length: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids and the true lengths: ``(batch, time)`` for id lists, ``(batch, time, 1 + grams)``
    for :meth:`Vocab.encode_with_grams` arrays."""
    arrays = [np.asarray(s, dtype=np.int64) for s in sequences]
    lengths = torch.tensor([len(a) for a in arrays], dtype=torch.long)
    width = max(int(lengths.max()), min_length)
    depth = (max(a.shape[1] for a in arrays),) if arrays[0].ndim == 2 else ()
    ids = torch.full((len(arrays), width, *depth), PAD_ID, dtype=torch.long)
    for row, array in enumerate(arrays):
        ids[row][tuple(slice(0, n) for n in array.shape)] = torch.from_numpy(array)
    return ids, lengths


def length_bucketed_batches(
    lengths: Sequence[int], batch_size: int, rng: np.random.Generator | None = None
) -> Iterator[np.ndarray]:
    """Index batches of similar lengths (little padding); shuffled when an ``rng`` is given."""
    lengths = np.asarray(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        yield from (order[i : i + batch_size] for i in range(0, len(order), batch_size))
        return
    # sort within random chunks of 50 batches, then shuffle the batches
    noisy = lengths + rng.uniform(0, 1, size=len(lengths))
    perm = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for start in range(0, len(perm), chunk):
        part = perm[start : start + chunk]
        part = part[np.argsort(noisy[part], kind="stable")]
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    for index in rng.permutation(len(batches)):
        yield batches[index]
