"""The aspect inventory (issue 33): what Korean movie reviews talk about, learned from NSMC, not typed in.

1. **Candidates** are the nouns reviews *evaluate*: a noun (two syllables or more) that is the subject
   or topic (이/가/은/는/도) of an adjective within :data:`TARGET_WINDOW` tokens, with only adverbs
   between ("연기가 좋다", "스토리는 정말 지루하다", "결말이 허무하다"). Without the particle the
   adverbial nouns Okt tags as nouns (정말 좋다, 진짜, 조금, 가장) made four of the sixteen aspects. A noun must be such a target at least
   ``min_targets`` times; a noun in more than ``max_document_share`` of the reviews is the movie
   itself (영화, 이영화), not one of its parts.
2. **Grouping**: the candidates' three-label Target2Vec vectors (shipped in the sentiment wing; their
   input vectors place words used alike close together) are clustered by spherical k-means
   (scikit-learn, unit vectors, fixed seed); each cluster becomes an aspect.
3. **Naming**: an aspect is named by its most typical word: the member most often evaluated.

Nothing is edited by hand: changing the corpus or the seed changes the table, and ``learn`` rewrites
it. Measured trade-offs (30,000-review sample, shared cores): see docs/aspects.md.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from ..paths import write_atomically
from ..sentiment.target2vec import Target2Vec

INVENTORY_FILE = Path(__file__).resolve().parent / "inventory.json"
#: The particles that make a noun the subject or topic of what follows ("연기가", "스토리는", "음악도").
SUBJECT_PARTICLES = frozenset((p, "Josa") for p in ("이", "가", "은", "는", "도"))
#: Tags allowed between the particle and the adjective ("연기가 정말 좋다").
BRIDGE_TAGS = frozenset({"Josa", "Adverb"})
TARGET_WINDOW = 2
#: Tags of words that can be aspects: nouns, and Latin words (ost, cg), lower-cased.
ASPECT_TAGS = frozenset({"Noun", "Alpha"})


@dataclass(frozen=True)
class LearnConfig:
    """Settings of :func:`learn_inventory` (the shipped inventory's are stored with it)."""

    aspects: int = 24
    min_targets: int = 6
    min_characters: int = 2
    max_document_share: float = 0.08
    words_per_aspect: int = 15
    min_aspect_targets: int = 100
    seed: int = 13


@dataclass(frozen=True)
class Aspect:
    """One aspect: its name (most typical word), member words with their target counts, total count."""

    name: str
    words: tuple[str, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return int(sum(self.counts))


@dataclass(frozen=True)
class Inventory:
    """The learned aspects and how they were learned; looks a noun up to its aspect."""

    aspects: tuple[Aspect, ...]
    config: LearnConfig = LearnConfig()
    reviews: int = 0
    word_index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    prefixes: list[tuple[str, str]] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.word_index.update({w: a.name for a in self.aspects for w in a.words})
        longest_first = sorted(self.word_index.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        self.prefixes.extend((unicodedata.normalize("NFD", w), a) for w, a in longest_first)

    def names(self) -> list[str]:
        return [a.name for a in self.aspects]

    def aspect(self, name: str) -> Aspect:
        return next(a for a in self.aspects if a.name == name)

    def aspect_of(self, word: str) -> str | None:
        """The aspect of a bare word: one of the inventory's words, or a word that begins with one of them letter
        by letter (jamo), the longest first: 연기력 → 연기, and 재밌게 → 재미 (재밌 is 재미 with a final ㅆ)."""
        if word in self.word_index:
            return self.word_index[word]
        letters = unicodedata.normalize("NFD", word)
        for prefix, aspect in self.prefixes:
            if letters.startswith(prefix):
                return aspect
        return None

    def to_json(self) -> dict:
        return {
            "config": asdict(self.config), "reviews": self.reviews,
            "aspects": [{"name": a.name, "words": list(a.words), "counts": list(a.counts)} for a in self.aspects],
        }

    @classmethod
    def from_json(cls, data: dict) -> Inventory:
        aspects = tuple(Aspect(a["name"], tuple(a["words"]), tuple(a["counts"])) for a in data["aspects"])
        return cls(aspects, LearnConfig(**data["config"]), data["reviews"])

    def save(self, path: Path = INVENTORY_FILE) -> Path:
        return write_atomically(Path(path), json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path = INVENTORY_FILE) -> Inventory:
        return cls.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@cache
def shipped_inventory() -> Inventory:
    """The committed inventory (``inventory.json``), loaded once."""
    return Inventory.load(INVENTORY_FILE)


def split_token(token: str) -> tuple[str, str]:
    """``연기/Noun`` → (``연기``, ``Noun``); Latin words lower-cased (``OST`` and ``ost`` are one word)."""
    word, _, tag = token.rpartition("/")
    return (word.lower() if tag == "Alpha" else word), tag


def evaluated_nouns(docs: Sequence[Sequence[str]], min_characters: int = 2) -> tuple[Counter, Counter]:
    """Per bare noun: how often it is the subject of an adjective (a target) and in how many reviews it occurs."""
    targets: Counter = Counter()
    documents: Counter = Counter()
    for tokens in docs:
        split = [split_token(t) for t in tokens]
        documents.update({w for w, tag in split if tag in ASPECT_TAGS})
        for i, (word, tag) in enumerate(split[:-1]):
            if tag not in ASPECT_TAGS or len(word) < min_characters or split[i + 1] not in SUBJECT_PARTICLES:
                continue
            for _, next_tag in split[i + 2 : i + 2 + TARGET_WINDOW]:
                if next_tag == "Adjective":
                    targets[word] += 1
                    break
                if next_tag not in BRIDGE_TAGS:
                    break
    return targets, documents


def learn_inventory(docs: Sequence[Sequence[str]], space: Target2Vec, config: LearnConfig = LearnConfig()) -> Inventory:
    """Candidates from ``docs`` (``word/POS`` tokens), grouped by ``space``'s vectors, named by their most evaluated word."""
    from sklearn.cluster import KMeans

    targets, documents = evaluated_nouns(docs, config.min_characters)
    limit = config.max_document_share * len(docs)
    candidates = [w for w, n in targets.most_common() if n >= config.min_targets and documents[w] <= limit and space.knows(w)]
    if len(candidates) < config.aspects:
        raise ValueError(f"only {len(candidates)} candidate nouns for {config.aspects} aspects; use a larger corpus or fewer aspects")
    vectors = np.stack([space.vector(w) for w in candidates])
    labels = KMeans(config.aspects, n_init=10, random_state=config.seed).fit_predict(vectors)
    aspects = []
    for cluster in range(config.aspects):
        members = sorted((w for w, c in zip(candidates, labels) if c == cluster), key=lambda w: (-targets[w], w))
        members = members[: config.words_per_aspect]
        counts = tuple(targets[w] for w in members)
        if sum(counts) >= config.min_aspect_targets:
            aspects.append(Aspect(members[0], tuple(members), counts))
    aspects.sort(key=lambda a: -a.total)
    return Inventory(tuple(aspects), config, len(docs))
