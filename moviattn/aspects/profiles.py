"""Movie profiles by aspect: how often and how positively a movie's reviews talk about each aspect.

For each movie and aspect: the **share** of its reviews with a phrase about the aspect and the
**positivity** of those reviews (each review's verdict on the aspect: ``phrases.review_aspects``), each
with a 95 % Wilson interval (``metrics.wilson_interval``): 20 reviews say less than 100. The quoted
examples are the aspect's clauses the classifier was surest of, short enough to quote.

Profiles of a whole dataset are computed once (about 30 s for the 4,000 NSMC reviews on the shared
cores: Okt, then one batched classifier pass) and cached as JSON under ``cache_dir("aspects")``, keyed
by the reviews, the inventory and :data:`PROFILE_VERSION`; the app fills them in the background at
start, so a conversation's turns only read them.

Seed 000 §7.4 (what the reviews attend to): :func:`attention_link` reads a movie's stored explorer
aggregate (no model work) and says which info fields and items the reviews of one aspect look at more
than all of the movie's reviews do (the lift of their mean attention share), so "배우 연기가 좋았다"
can point at the cast item those reviews look at.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from ..data import Dataset, Review
from ..metrics import wilson_interval
from ..paths import cache_dir, write_atomically
from .inventory import Inventory, shipped_inventory
from .phrases import AspectPhrase, extract_many, review_aspects

#: Bumped whenever phrases or profiles change, so stale cached profiles are never read.
PROFILE_VERSION = "aspects-profile-v1"
EXAMPLES = 3
MAX_QUOTE = 80


@dataclass(frozen=True)
class Quote:
    """One real review phrase: the review it is from and the clause."""

    review_id: str
    text: str
    polarity: str


@dataclass(frozen=True)
class AspectStat:
    """One aspect of one movie: counts, the two proportions with their Wilson intervals, quotes."""

    aspect: str
    mentions: int
    reviews: int
    positive: int
    share: float
    share_interval: tuple[float, float]
    positivity: float
    positivity_interval: tuple[float, float]
    quotes: tuple[Quote, ...] = ()
    review_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)  # polarity -> ids of the reviews

    def quote(self, polarity: str | None = None) -> Quote | None:
        """The first quote of that polarity (any polarity with None)."""
        return next((q for q in self.quotes if polarity in (None, q.polarity)), None)

    @property
    def praise(self) -> float:
        """Share of all the movie's reviews that praise this aspect, at the lower Wilson bound (cautious with few reviews)."""
        return wilson_interval(self.positive, self.reviews)[0]


@dataclass(frozen=True)
class MovieProfile:
    """A movie's aspects, most talked about first."""

    movie_id: str
    reviews: int
    aspects: dict[str, AspectStat]

    def stat(self, aspect: str) -> AspectStat | None:
        return self.aspects.get(aspect)

    def talked_about(self, polarity: str | None = None, k: int = 4) -> list[AspectStat]:
        """The ``k`` aspects most reviews of that polarity talk about (all reviews with None)."""
        def count(s: AspectStat) -> int:
            return len(s.review_ids.get(polarity, ())) if polarity else s.mentions
        ranked = sorted((s for s in self.aspects.values() if count(s) > 0), key=lambda s: (-count(s), s.aspect))
        return ranked[:k]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> MovieProfile:
        aspects = {}
        for name, s in data["aspects"].items():
            s = dict(s, quotes=tuple(Quote(**q) for q in s["quotes"]), share_interval=tuple(s["share_interval"]),
                     positivity_interval=tuple(s["positivity_interval"]), review_ids={k: tuple(v) for k, v in s["review_ids"].items()})
            aspects[name] = AspectStat(**s)
        return cls(data["movie_id"], data["reviews"], aspects)


def _quotable(phrases: Sequence[AspectPhrase]) -> list[AspectPhrase]:
    short = [p for p in phrases if len(p.text) <= MAX_QUOTE and len(p.text.strip()) >= 4]
    return sorted(short, key=lambda p: (-abs(p.positive_probability - 0.5), len(p.text)))


def profile_movie(movie_id: str, reviews: Sequence[Review], phrases: Sequence[Sequence[AspectPhrase]]) -> MovieProfile:
    """The profile of one movie from its reviews and each review's phrases (``extract_many`` order)."""
    verdicts = [review_aspects(ph, r.polarity) for ph, r in zip(phrases, reviews)]
    by_aspect: dict[str, dict[str, list[str]]] = {}
    quotes: dict[str, list[tuple[str, AspectPhrase]]] = {}
    for review, verdict, review_phrases in zip(reviews, verdicts, phrases):
        for aspect, polarity in verdict.items():
            by_aspect.setdefault(aspect, {"positive": [], "negative": []})[polarity].append(review.id)
        for phrase in _quotable([p for p in review_phrases if p.polarity == verdict.get(p.aspect)]):
            quotes.setdefault(phrase.aspect, []).append((review.id, phrase))
    n = len(reviews)
    stats = {}
    for aspect, ids in by_aspect.items():
        positive, mentions = len(ids["positive"]), len(ids["positive"]) + len(ids["negative"])
        ranked = sorted(quotes.get(aspect, []), key=lambda rp: (-abs(rp[1].positive_probability - 0.5), len(rp[1].text)))
        chosen = [Quote(rid, p.text.strip(), p.polarity) for rid, p in ranked if p.polarity == "positive"][:EXAMPLES]
        chosen += [Quote(rid, p.text.strip(), p.polarity) for rid, p in ranked if p.polarity == "negative"][:EXAMPLES]
        stats[aspect] = AspectStat(
            aspect, mentions, n, positive, mentions / n if n else 0.0, wilson_interval(mentions, n),
            positive / mentions if mentions else 0.0, wilson_interval(positive, mentions), tuple(chosen),
            {k: tuple(v) for k, v in ids.items()},
        )
    return MovieProfile(movie_id, n, stats)


def _profiles_key(dataset: Dataset, inventory: Inventory) -> str:
    digest = hashlib.sha1(PROFILE_VERSION.encode())
    digest.update(json.dumps(inventory.to_json(), ensure_ascii=False, sort_keys=True).encode())
    for movie_id in sorted(dataset.movies):
        for r in dataset.reviews_of(movie_id):
            digest.update(f"{movie_id}\t{r.id}\t{r.rating}\t{r.text}\n".encode())
    return digest.hexdigest()[:20]


def dataset_profiles(dataset: Dataset, inventory: Inventory | None = None, use_cache: bool = True) -> dict[str, MovieProfile]:
    """Every movie's profile, computed once per dataset and inventory and cached on disk."""
    inventory = inventory or shipped_inventory()
    path = cache_dir("aspects") / f"profiles-{_profiles_key(dataset, inventory)}.json"
    if use_cache and path.exists():
        return {m: MovieProfile.from_json(p) for m, p in json.loads(path.read_text(encoding="utf-8")).items()}
    reviews = {m: dataset.reviews_of(m) for m in dataset.movies}
    flat = [(r.text, r.rating) for m in dataset.movies for r in reviews[m]]
    phrases = iter(extract_many(flat, inventory))
    profiles = {m: profile_movie(m, reviews[m], [next(phrases) for _ in reviews[m]]) for m in dataset.movies}
    if use_cache:
        write_atomically(path, json.dumps({m: p.to_json() for m, p in profiles.items()}, ensure_ascii=False))
    return profiles


# ---------------------------------------------------------------- seed 000 §7.4: what those reviews look at


@dataclass(frozen=True)
class AttentionLink:
    """What the reviews of one aspect look at in the movie's info, against all its reviews (lift = ratio of means)."""

    aspect: str
    reviews: int
    fields: tuple[tuple[str, float, float], ...]  # (field, mean share, lift), highest lift first
    items: tuple[tuple[str, str, float], ...]  # (info item text, field, lift), highest lift first


def attention_link(aggregate: object, aspect: str, review_ids: Sequence[str], k: int = 3) -> AttentionLink | None:
    """From a ``moviattn.explorer.MovieAggregate``: the info fields and items the aspect's reviews look at
    more than the movie's reviews overall; None where fewer than 3 of those reviews were analysed."""
    rows = [i for i, rid in enumerate(aggregate.review_ids) if rid in set(review_ids)]
    if len(rows) < 3:
        return None
    shares = aggregate.info_per_review
    overall, chosen = shares.mean(0), shares[rows].mean(0)
    fields = [u.field or "?" for u in aggregate.info_units]
    field_rows = []
    for name in dict.fromkeys(fields):
        mask = np.array([f == name for f in fields])
        base = float(overall[mask].sum())
        field_rows.append((name, float(chosen[mask].sum()), float(chosen[mask].sum()) / base if base > 0 else 0.0))
    units = [(i, u) for i, u in enumerate(aggregate.info_units) if u.content and overall[i] > 0]
    items = sorted(((u.text, u.field or "?", float(chosen[i] / overall[i])) for i, u in units), key=lambda t: -t[2])
    return AttentionLink(aspect, len(rows), tuple(sorted(field_rows, key=lambda t: -t[2])[:k]), tuple(items[:k]))
