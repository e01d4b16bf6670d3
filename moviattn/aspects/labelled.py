"""Aspect-phrase quality on the project's own labelled set (``labels.tsv``: review ids + labels, no texts).

A review's predicted pairs are the aspects of its phrases, each with the polarity most of its phrases
have (ties: the review's rating, else positive). Scores over (review, aspect) pairs, micro-averaged:
precision / recall / F1 of **detection**; **polarity accuracy** on the pairs found and labelled; and
**end-to-end F1** over (review, aspect, polarity) triples, the measure of the NIKL 2022 anchor (F1 0.50
on product reviews; another domain and label set, for scale only). Baselines: keyword match on the
inventory's words (substring of the raw text, no analyser) with the dev split's majority polarity,
and this system's detection with that majority polarity. Intervals: 95 % bootstrap over reviews
(1,000 draws, seed 13).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data import Dataset
from ..errors import DataError
from .inventory import Inventory, shipped_inventory
from .phrases import extract_many, review_aspects

LABELS_FILE = Path(__file__).resolve().parent / "labels.tsv"
Pairs = dict[str, str]  # aspect -> "positive" / "negative"
SIGNS = {"+": "positive", "-": "negative"}


@dataclass(frozen=True)
class LabelledReview:
    """One labelled review: ids, split, and its gold aspect → polarity pairs."""

    review_id: str
    movie_id: str
    split: str
    gold: Pairs


def load_labels(path: Path = LABELS_FILE) -> list[LabelledReview]:
    """Read ``labels.tsv`` (``#`` comments, then a header); DataError names the line."""
    rows = [line for line in Path(path).read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    out = []
    for n, line in enumerate(rows[1:], 2):
        fields = line.split("\t")
        if len(fields) != 4 or fields[2] not in ("dev", "test"):
            raise DataError(str(path), "expected review_id, movie_id, split (dev/test), labels", record=f"row {n}")
        gold = {}
        for label in filter(None, fields[3].split(",")):
            if label[-1] not in SIGNS:
                raise DataError(str(path), f"label {label!r} must end in + or -", record=f"row {n}")
            gold[label[:-1]] = SIGNS[label[-1]]
        out.append(LabelledReview(fields[0], fields[1], fields[2], gold))
    return out


def keyword_pairs(text: str, inventory: Inventory, polarity: str) -> Pairs:
    """The baseline: every aspect one of whose words occurs in the raw text, with one fixed polarity."""
    return {a.name: polarity for a in inventory.aspects if any(w in text.lower() for w in a.words)}


def _counts(gold: Pairs, predicted: Pairs) -> np.ndarray:
    """[detected true, predicted, gold, polarity right among detected, triples right]."""
    found = gold.keys() & predicted.keys()
    right = sum(gold[a] == predicted[a] for a in found)
    return np.array([len(found), len(predicted), len(gold), right, right])


def _scores(c: np.ndarray) -> dict[str, float]:
    p = c[0] / c[1] if c[1] else 0.0
    r = c[0] / c[2] if c[2] else 0.0
    ep, er = (c[4] / c[1] if c[1] else 0.0), (c[4] / c[2] if c[2] else 0.0)
    return {
        "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "polarity_accuracy": c[3] / c[0] if c[0] else 0.0, "end_to_end_f1": 2 * ep * er / (ep + er) if ep + er else 0.0,
    }


def score(gold: Sequence[Pairs], predicted: Sequence[Pairs], draws: int = 1000, seed: int = 13) -> dict[str, dict[str, float]]:
    """Each measure with its 95 % bootstrap interval over reviews: ``{measure: {value, low, high}}``."""
    per_review = np.stack([_counts(g, p) for g, p in zip(gold, predicted)])
    point = _scores(per_review.sum(0))
    rng = np.random.default_rng(seed)
    samples = [_scores(per_review[rng.integers(0, len(per_review), len(per_review))].sum(0)) for _ in range(draws)]
    return {
        k: {"value": v, "low": float(np.percentile([s[k] for s in samples], 2.5)), "high": float(np.percentile([s[k] for s in samples], 97.5))}
        for k, v in point.items()
    }


def evaluate_labelled(dataset: Dataset, split: str = "test", inventory: Inventory | None = None,
                      labels: Sequence[LabelledReview] | None = None) -> dict[str, dict]:
    """The system and the baselines on one split: ``{method: {measure: {value, low, high}}, "n": ...}``."""
    inventory = inventory or shipped_inventory()
    labels = list(labels or load_labels())
    reviews = {r.id: r for rs in dataset.reviews.values() for r in rs}
    missing = [x.review_id for x in labels if x.review_id not in reviews]
    if missing:
        raise DataError(dataset.source, f"{len(missing)} labelled reviews are not in this dataset (e.g. {missing[0]}); use the NSMC set")
    dev = [x for x in labels if x.split == "dev"]
    majority = Counter(p for x in dev for p in x.gold.values()).most_common(1)[0][0]
    chosen = [x for x in labels if x.split == split]
    texts = [reviews[x.review_id] for x in chosen]
    phrases = extract_many([(r.text, r.rating) for r in texts], inventory)
    system = [review_aspects(ph, r.polarity) for ph, r in zip(phrases, texts)]
    methods: dict[str, Callable[[int], Pairs]] = {
        "phrases (Okt + inventory, clause classifier)": lambda i: system[i],
        "phrases, majority polarity": lambda i: dict.fromkeys(system[i], majority),
        "keyword match on the inventory's words, majority polarity": lambda i: keyword_pairs(texts[i].text, inventory, majority),
    }
    gold = [x.gold for x in chosen]
    out: dict[str, dict] = {name: score(gold, [pick(i) for i in range(len(chosen))]) for name, pick in methods.items()}
    out["n"] = {"reviews": len(chosen), "gold pairs": sum(len(g) for g in gold), "majority polarity (dev)": majority}
    return out
