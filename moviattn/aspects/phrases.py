"""Per review, the phrases that talk about an aspect, with their polarity (seed 003: "영화평 당 관련 구문 추출").

A review is cut into clauses at punctuation and at connective endings and particles (좋았고 / 좋은데 /
별로지만 / 지루해서: the places where Korean reviews turn from one thing to the next), so "스토리는
별로지만 배우 연기는 최고" gives two phrases with opposite polarities. A clause that holds a word of
the inventory is a phrase of that word's aspect; its polarity is the shipped Bi-LSTM + attention
classifier's verdict on the clause alone (it reads negation: "연기가 안 좋았다" 0.18, "그래픽이 좋지
않았다" 0.06, "연기가 좋았다" 0.93). Where the classifier is unsure of a clause (P(positive) within
:data:`UNSURE` of 0.5, e.g. a bare "연기") and the review has a rating of 1-4 or 9-10, the rating
decides. Measured on the labelled set: docs/aspects.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..sentiment.data import tokenise
from ..sentiment.explain import predict_positive_tokens
from ..text import has_words
from .inventory import ASPECT_TAGS, Inventory, shipped_inventory, split_token

#: Tokens looked up in the inventory: its nouns, and adjectives/verbs that begin with one (재밌게, 재미없다).
MATCHED_TAGS = ASPECT_TAGS | {"Adjective", "Verb"}

#: Particles after which a review turns to another clause ("별로지만", "좋은데").
CLAUSE_PARTICLES = frozenset({"지만", "는데", "인데", "은데", "데", "고", "며", "면서"})
#: Endings of verbs and adjectives that close a clause ("좋았고", "좋았는데", "지루해서").
CLAUSE_ENDINGS = ("고", "는데", "은데", "지만", "서", "며", "면서", "니까", "던데", "나", "라")
#: How close to 0.5 the clause's P(positive) must be for the review's rating to decide instead.
UNSURE = 0.3
POLARITIES = ("positive", "negative")


@dataclass(frozen=True)
class AspectPhrase:
    """One clause of a review about one aspect: where it is, its polarity and what decided it."""

    aspect: str
    word: str
    text: str
    start: int
    end: int
    polarity: str
    positive_probability: float
    decided_by: str  # "clause" (the classifier on the clause) or "rating"

    @property
    def sign(self) -> int:
        return 1 if self.polarity == "positive" else -1


def _closes_clause(word: str, tag: str) -> bool:
    if tag == "Punctuation":
        return True
    if tag == "Josa":
        return word in CLAUSE_PARTICLES
    return tag in ("Adjective", "Verb") and len(word) > 1 and word.endswith(CLAUSE_ENDINGS)


def clauses(tokens: Sequence[str]) -> list[range]:
    """Token ranges of the clauses of one tokenised review (punctuation-only ranges left out)."""
    out, begin = [], 0
    for i, token in enumerate(tokens):
        if _closes_clause(*split_token(token)) or i == len(tokens) - 1:
            part = range(begin, i + 1)
            if any(split_token(tokens[j])[1] != "Punctuation" for j in part):
                out.append(part)
            begin = i + 1
    return out


def rating_polarity(rating: int | None) -> str | None:
    """NSMC's convention: 9-10 positive, 1-4 negative, else None."""
    if rating is None:
        return None
    return "positive" if rating >= 9 else "negative" if rating <= 4 else None


def extract_many(
    reviews: Iterable[tuple[str, int | None]], inventory: Inventory | None = None, model: str = "bilstm_attention"
) -> list[list[AspectPhrase]]:
    """The aspect phrases of each ``(text, rating)``, the classifier run once over every clause of all of them."""
    inventory = inventory or shipped_inventory()
    found: list[list[tuple[str, str, int, int, str, int | None, list[str]]]] = []
    for text, rating in reviews:
        per_review = []
        tokenised = tokenise(text) if text and has_words(text) else None
        tokens = tokenised.tokens if tokenised else []
        for part in clauses(tokens):
            words = [split_token(tokens[j]) for j in part]
            seen: set[str] = set()
            for word, tag in words:
                aspect = inventory.aspect_of(word) if tag in MATCHED_TAGS else None
                if aspect and aspect not in seen:
                    seen.add(aspect)
                    start, end = tokenised.spans[part[0]][0], tokenised.spans[part[-1]][1]
                    per_review.append((aspect, word, start, end, text[start:end], rating, [tokens[j] for j in part]))
        found.append(per_review)
    flat = [f for per_review in found for f in per_review]
    probabilities = iter(predict_positive_tokens([f[-1] for f in flat], model)) if flat else iter(())
    out = []
    for per_review in found:
        phrases = []
        for aspect, word, start, end, clause, rating, _ in per_review:
            p = next(probabilities) or 0.5
            by_rating = rating_polarity(rating) if abs(p - 0.5) < UNSURE else None
            polarity = by_rating or ("positive" if p >= 0.5 else "negative")
            phrases.append(AspectPhrase(aspect, word, clause, start, end, polarity, round(p, 3), "rating" if by_rating else "clause"))
        out.append(phrases)
    return out


def extract_phrases(text: str, rating: int | None = None, inventory: Inventory | None = None) -> list[AspectPhrase]:
    """The aspect phrases of one review (see the module docstring)."""
    return extract_many([(text, rating)], inventory)[0]


def review_aspects(phrases: Sequence[AspectPhrase], rating_polarity: str | None) -> dict[str, str]:
    """One review's verdict per aspect: the polarity most of its phrases about it have (ties: the rating, else positive)."""
    votes: dict[str, Counter] = {}
    for phrase in phrases:
        votes.setdefault(phrase.aspect, Counter())[phrase.polarity] += 1
    out = {}
    for aspect, count in votes.items():
        if count["positive"] != count["negative"]:
            out[aspect] = "positive" if count["positive"] > count["negative"] else "negative"
        else:
            out[aspect] = rating_polarity or "positive"
    return out
