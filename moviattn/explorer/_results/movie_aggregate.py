"""Per-movie aggregates: which info fields and plot words the reviews attend to, and how that differs.

Each review contributes the share of its attention that every unit receives
(the unit's column total over the segment's total, so a review's shares sum to
1); the movie aggregate is the plain mean over reviews, each weighted equally,
also by group: rating (9-10 positive, 1-4 negative) and review period.

Views read **words, not positions**: plot units with the same lemma, tag and
field (``word_key``; 하는/한다 → 하다) are one word whose share is the sum of its
units' (the positions stay for the shaded synopsis), and an info item (one name,
genre, country, the title: ``words.info_items``) is one word. By default only the
words that may lead the view (``words.LEADING_CLASSES``), and a word is shown
as what reviews look at only when its interval over the movie's reviews is above
the reference (``standing_out``). Beside the raw share each word
has a **lift**: its share over the share it receives from a fixed reference
set of generic reviews placed in the same movie context (``reference_reviews``,
the explorer attaches their mean as ``*_reference``). What any review attends
to there — the synopsis's first and last units, separators, words every review
looks at — has a lift near 1; a position-only effect cancels exactly. Fields
get the same two corrections (per unit: the share over the field's share of
items, so a field of three names is compared with three names' worth; lift: over
the reference's field share), since a field's raw share mostly tracks its length
(Spearman 0.93 over the NSMC movies; docs/evaluation.md), each with a bootstrap interval over reviews.

Why generic sentences and not a sample of other movies' reviews: a review of
another movie still mentions its own people and plot, which may match words of
this movie (형사, 가족) and cancel real signal; generic sentences name nothing,
work for a single user-supplied movie, and are the same for every dataset.

Groups say when they are empty (``EmptyGroup``: "no reviews in this group",
never zeros) and are *thin* below ``THIN_GROUP`` reviews. The difference view
(positive minus negative) gives each word a seeded bootstrap interval over
reviews (each group resampled with replacement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from ...data import POLARITIES, POLARITY_LABELS, Review, polarity_of
from ...morphology import Unit
from ...registry import choose
from ...text import NormalizedText
from .._compute.sequence import INFO_FIELDS
from .._compute.settings import Settings
from .._stats.words import (
    DEFAULT_WORDS,
    LEADING_CLASSES,
    NOTHING_STANDS_OUT,
    RESAMPLES,
    SEED,
    WORD_SETS,
    coarse_tag,
    info_items,
    label,
    lift,
    lift_intervals,
    resampled_means,
    surface_form,
    unit_lemmas,
    word_class,
)
from .review import ReviewAttention, text_from_json, text_to_json, units_from_json, units_to_json

SEGMENTS = ("info", "plot")
#: What a word is ranked by (a score, not a ``reduce.MEASURES`` measure: that says what a cell holds): its raw share, or its share over the reference reviews' share.
SCORES = ("share", "lift")
#: The default ranking of the aggregate views, chosen by ``evaluate --aggregate`` (docs/evaluation.md).
DEFAULT_SCORE = "lift"
#: Groups with fewer reviews than this are marked thin.
THIN_GROUP = 5
EMPTY_GROUP = "no reviews in this group"
EMPTY_GROUP_KR = "이 그룹에는 리뷰가 없습니다"
#: Equal-count bins of the time view where reviews span too few (or too many) years to use years.
TIME_BINS = 4
MIN_YEARS, MAX_YEARS = 3, 8
REFERENCE_RESOURCE = "reference_reviews.txt"


class EmptyGroup(ValueError):
    """A polarity or period with no reviews: the views say so instead of showing zeros."""

    def __init__(self, label: str):
        super().__init__(f"{label}: {EMPTY_GROUP_KR} ({EMPTY_GROUP})")
        self.label = label


def attention_share(matrix: np.ndarray) -> np.ndarray:
    """A review's share of attention per target unit: column totals over the grand total."""
    totals = matrix.sum(axis=0)
    grand = totals.sum()
    return totals / grand if grand > 0 else np.zeros_like(totals)


@lru_cache(maxsize=1)
def reference_reviews() -> tuple[Review, ...]:
    """The fixed reference set of the lift (``resources/reference_reviews.txt``)."""
    text = (resources.files("moviattn.explorer") / "resources" / REFERENCE_RESOURCE).read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(Review(f"reference-{i}", line) for i, line in enumerate(lines))


# ---------------------------------------------------------------- words


def word_key(unit: Unit, lemma: str) -> tuple[str, str, str | None]:
    """Units of one word: normalised lemma, first tag (compounds by their head, Kiwi's irregular marks
    dropped) and field."""
    return surface_form(lemma), coarse_tag(unit.tag), unit.field


@dataclass(frozen=True)
class Word:
    """One word of a segment: its label (lemma and most frequent surface), tag, field, unit positions,
    and its class for the leading rule (``words.word_class``)."""

    text: str
    tag: str
    content: bool
    field: str | None
    positions: tuple[int, ...]
    lemma: str = ""
    word_class: str = ""


def group_words(
    units: list[Unit], which: str = "content", lemmas: list[str] | None = None, leading: frozenset[str] = LEADING_CLASSES,
) -> list[Word]:
    """Units grouped by ``word_key`` (lemmas where given, else surfaces) in order of first appearance,
    keeping the ``which`` of ``words.WORD_SETS``: words of a ``leading`` class, content words, or all."""
    choose("words", which, WORD_SETS)
    lemmas = lemmas if lemmas is not None else [u.text for u in units]
    groups: dict[tuple[str, str, str | None], list[int]] = {}
    for i, unit in enumerate(units):
        groups.setdefault(word_key(unit, lemmas[i]), []).append(i)
    words = []
    for positions in groups.values():
        first = units[positions[0]]
        name = word_class(lemmas[positions[0]], first.tag, first.content)
        if which == "all" or (first.content and (which == "content" or name in leading)):
            words.append(Word(label(lemmas[positions[0]], [units[p].text for p in positions]), first.tag, first.content,
                              first.field, tuple(positions), lemmas[positions[0]], name))
    return words


def info_words(units: list[Unit]) -> list[Word]:
    """The info segment's words: its items (each name, genre, country, the title, the year)."""
    return [Word(item.text, item.field, True, item.field, item.members, item.text, "item") for item in info_items(units)]


def word_matrix(words: list[Word], n_units: int) -> np.ndarray:
    """[units, words] membership: a unit-level vector times it gives each word the sum over its units."""
    matrix = np.zeros((n_units, len(words)))
    for j, word in enumerate(words):
        matrix[list(word.positions), j] = 1.0
    return matrix


@dataclass(frozen=True)
class WordScore:
    """A word's mean share over a group's reviews, the reference's share and their ratio (with its 95 %
    bootstrap interval over the group's reviews where asked for: ``standing_out``)."""

    word: Word
    share: float
    reference: float | None
    lift: float | None
    low: float | None = None
    high: float | None = None

    def value(self, score: str) -> float:
        """The number a view ranks by (``SCORES``)."""
        value = self.share if score == "share" else self.lift
        if value is None:
            raise ValueError("this aggregate has no reference reviews, so no lift; use score 'share'")
        return value


@dataclass(frozen=True)
class FieldScore:
    """An info field's raw share, its share per item (over its share of the info items) and its lift,
    each with a 95 % bootstrap interval over the group's reviews (``intervals``: name → (low, high))."""

    name: str
    units: int
    share: float
    per_unit: float
    lift: float | None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """Reviews of one polarity or period: their rows in the aggregate, and whether there are too few."""

    label: str
    rows: np.ndarray

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def empty(self) -> bool:
        return self.count == 0

    @property
    def thin(self) -> bool:
        return 0 < self.count < THIN_GROUP

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "count": self.count, "thin": self.thin}
        if self.empty:
            out["note"] = EMPTY_GROUP
        return out


@dataclass(frozen=True)
class WordDifference:
    """Positive minus negative value of one word, with a bootstrap 95 % interval."""

    word: Word
    positive: float
    negative: float
    difference: float
    low: float
    high: float


@dataclass(frozen=True)
class Period:
    """One review period of the time view: the group and its field shares."""

    group: Group
    fields: list[FieldScore]


@dataclass(frozen=True)
class WordTrend:
    """A word's value in the first and the last non-empty period."""

    word: Word
    first: float
    last: float

    @property
    def change(self) -> float:
        return self.last - self.first


# ---------------------------------------------------------------- the aggregate


@dataclass
class MovieAggregate:
    """Per-review attention shares of one movie's info and plot units, their means and group views."""

    movie_id: str
    info_units: list[Unit]
    plot_units: list[Unit]
    review_ids: list[str]
    ratings: list[int | None]
    info_per_review: np.ndarray  # [reviews, info units]
    plot_per_review: np.ndarray  # [reviews, plot units]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: The synopsis as analysed (what the shaded-plot view marks units in).
    plot_text: NormalizedText | None = None
    #: Review dates (ISO ``YYYY-MM-DD`` or None), in review order; empty where none were given.
    dates: list[str | None] = field(default_factory=list)
    #: Mean shares of the reference reviews in this movie's context (``reference_reviews``), attached by the explorer.
    info_reference: np.ndarray | None = None
    plot_reference: np.ndarray | None = None
    #: As ``ReviewAttention.notices``, and the settings actually used: attached by the explorer, not cached.
    notices: tuple[str, ...] = ()
    settings: Settings | None = None
    #: Word classes that may lead the views (``words.LEADING_CLASSES``; the evaluation passes each fold's).
    leading: frozenset[str] = LEADING_CLASSES
    _memo: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    # ------------------------------------------------------------ groups

    def group(self, polarity: str | None = None) -> Group:
        """All reviews, or those of one polarity."""
        if polarity is None:
            return Group("전체 (all)", np.arange(len(self.review_ids)))
        choose("polarity", polarity, POLARITIES)
        rows = np.array([i for i, r in enumerate(self.ratings) if polarity_of(r) == polarity], dtype=int)
        return Group(POLARITY_LABELS[polarity], rows)

    def count(self, polarity: str | None = None) -> int:
        return self.group(polarity).count

    def units(self, segment: str) -> list[Unit]:
        choose("segment", segment, SEGMENTS)
        return self.info_units if segment == "info" else self.plot_units

    def per_review(self, segment: str) -> np.ndarray:
        choose("segment", segment, SEGMENTS)
        return self.info_per_review if segment == "info" else self.plot_per_review

    def reference(self, segment: str) -> np.ndarray | None:
        """The reference reviews' mean share per unit, or None where not attached."""
        choose("segment", segment, SEGMENTS)
        return self.info_reference if segment == "info" else self.plot_reference

    def shares(self, segment: str, group: Group) -> np.ndarray:
        """Mean share per unit over a group's reviews (``EmptyGroup`` when it has none)."""
        if group.empty:
            raise EmptyGroup(group.label)
        return self.per_review(segment)[group.rows].mean(axis=0)

    def info_share(self, polarity: str | None = None) -> np.ndarray:
        return self.shares("info", self.group(polarity))

    def plot_share(self, polarity: str | None = None) -> np.ndarray:
        return self.shares("plot", self.group(polarity))

    # ------------------------------------------------------------ fields and units

    def _field_names(self) -> list[str]:
        return [name for name, _ in INFO_FIELDS if any(u.field == name for u in self.info_units)]

    def field_share(self, polarity: str | None = None) -> dict[str, float]:
        """Info share summed per field (over its items), in info order."""
        return {f.name: f.share for f in self.field_scores(self.group(polarity), resamples=0)}

    def field_scores(self, group: Group, *, resamples: int = RESAMPLES, seed: int = SEED) -> list[FieldScore]:
        """Per field: raw share, per-item share (1 = as much as its number of items predicts) and lift,
        each with a 95 % percentile interval from resampling the group's reviews (none with 0 resamples)."""
        if group.empty:
            raise EmptyGroup(group.label)
        items = self.words("info")
        names = self._field_names()
        membership = np.array([[w.field == name for name in names] for w in items], dtype=float).reshape(len(items), len(names))
        values = self.per_review("info")[group.rows] @ word_matrix(items, len(self.info_units)) @ membership  # [reviews, fields]
        counts = membership.sum(axis=0)
        expected = counts / max(counts.sum(), 1.0)
        reference = self.info_reference @ word_matrix(items, len(self.info_units)) @ membership if self.info_reference is not None else None
        boot = resampled_means(values, resamples, np.random.default_rng(seed)) if resamples else None
        out = []
        for j, name in enumerate(names):
            share = float(values[:, j].mean())
            ref = float(reference[j]) if reference is not None else 0.0
            intervals: dict[str, tuple[float, float]] = {}
            if boot is not None:
                low, high = (float(v) for v in np.percentile(boot[:, j], [2.5, 97.5]))
                intervals = {"share": (low, high), "per_unit": (low / expected[j], high / expected[j])}
                if ref:
                    intervals["lift"] = (low / ref, high / ref)
            out.append(FieldScore(name, int(counts[j]), share, share / expected[j], share / ref if ref else None, intervals))
        return out

    def top_units(self, segment: str, k: int = 10, polarity: str | None = None) -> list[tuple[Unit, float]]:
        """The k units of 'info' or 'plot' that receive the largest mean share (positions, not words)."""
        share = self.shares(segment, self.group(polarity))
        order = np.argsort(-share, kind="stable")[:k]
        return [(self.units(segment)[i], float(share[i])) for i in order]

    # ------------------------------------------------------------ words

    def lemmas(self) -> list[str]:
        """Each plot unit's lemma by the analyser the aggregate was made with (surfaces where unknown)."""
        if "lemmas" not in self._memo:
            analyser = self.settings.analyser if self.settings is not None and self.settings.granularity == "morpheme" else None
            text = self.plot_text.text if self.plot_text is not None else ""
            self._memo["lemmas"] = unit_lemmas(self.plot_units, text, analyser)
        return self._memo["lemmas"]

    def words(self, segment: str, which: str = DEFAULT_WORDS) -> list[Word]:
        """The plot's words (lemmas; ``which`` of ``words.WORD_SETS``) or the info's items."""
        choose("segment", segment, SEGMENTS)
        key = f"{segment}/{which}"
        if key not in self._memo:
            self._memo[key] = (
                info_words(self.info_units) if segment == "info"
                else group_words(self.plot_units, which, self.lemmas(), self.leading)
            )
        return self._memo[key]

    def word_values(self, segment: str, rows: np.ndarray, words: list[Word], score: str) -> np.ndarray:
        """[rows, words]: each review's share of every word, or its lift (over the reference's word share)."""
        choose("score", score, SCORES)
        matrix = word_matrix(words, len(self.units(segment)))
        values = self.per_review(segment)[rows] @ matrix
        if score == "share":
            return values
        reference = self.reference(segment)
        if reference is None:
            raise ValueError("this aggregate has no reference reviews, so no lift; use score 'share'")
        return lift(values, reference @ matrix)

    def word_scores(self, segment: str, group: Group, which: str = DEFAULT_WORDS) -> list[WordScore]:
        """Every word's mean share over the group, its reference share and lift (in word order)."""
        if group.empty:
            raise EmptyGroup(group.label)
        words = self.words(segment, which)
        matrix = word_matrix(words, len(self.units(segment)))
        share = self.per_review(segment)[group.rows].mean(axis=0) @ matrix
        reference = self.reference(segment)
        ref = reference @ matrix if reference is not None else None
        ratios = lift(share, ref) if ref is not None else None
        return [
            WordScore(w, float(share[j]), float(ref[j]) if ref is not None else None, float(ratios[j]) if ratios is not None else None)
            for j, w in enumerate(words)
        ]

    def top_words(
        self, segment: str, k: int = 10, polarity: str | None = None, *, score: str = DEFAULT_SCORE,
        which: str = DEFAULT_WORDS, group: Group | None = None,
    ) -> list[WordScore]:
        """The k words ranked by ``score``, ties by share then first position (a ranking, noise included:
        what reviews look at is ``standing_out``)."""
        choose("score", score, SCORES)
        scores = self.word_scores(segment, group or self.group(polarity), which)
        return sorted(scores, key=lambda s: (-s.value(score), -s.share, s.word.positions[0]))[:k]

    def standing_out(
        self, segment: str, k: int = 10, *, which: str = DEFAULT_WORDS, group: Group | None = None,
        resamples: int = RESAMPLES, seed: int = SEED,
    ) -> list[WordScore]:
        """Up to k words whose lift's 95 % interval (resampling the group's reviews, seeded) is above 1,
        ranked by lift: what reviews look at more than any review would. Empty when nothing stands out
        (the views then say ``NOTHING_STANDS_OUT``); ``ValueError`` without reference reviews."""
        group = group or self.group()
        if group.empty:
            raise EmptyGroup(group.label)
        reference = self.reference(segment)
        if reference is None:
            raise ValueError("this aggregate has no reference reviews, so nothing can stand out from them")
        words = self.words(segment, which)
        matrix = word_matrix(words, len(self.units(segment)))
        values = self.per_review(segment)[group.rows] @ matrix
        ref = reference @ matrix
        mean, low, high = lift_intervals(values, ref, resamples=resamples, seed=seed)
        picked = sorted((j for j in range(len(words)) if low[j] > 1.0), key=lambda j: (-mean[j], words[j].positions[0]))[:k]
        return [WordScore(words[j], float(values[:, j].mean()), float(ref[j]), float(mean[j]), float(low[j]), float(high[j])) for j in picked]

    # ------------------------------------------------------------ difference and time

    def difference(
        self, segment: str = "plot", k: int = 10, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS,
        resamples: int = RESAMPLES, seed: int = SEED,
    ) -> list[WordDifference]:
        """The k words whose mean value differs most between positive and negative reviews, with a 95 %
        percentile interval from resampling each group's reviews with replacement (seeded)."""
        positive, negative = self.group("positive"), self.group("negative")
        for group in (positive, negative):
            if group.empty:
                raise EmptyGroup(group.label)
        words = self.words(segment, which)
        pos = self.word_values(segment, positive.rows, words, score)
        neg = self.word_values(segment, negative.rows, words, score)
        rng = np.random.default_rng(seed)
        boot = resampled_means(pos, resamples, rng) - resampled_means(neg, resamples, rng)
        low, high = np.percentile(boot, [2.5, 97.5], axis=0)
        diff = pos.mean(axis=0) - neg.mean(axis=0)
        order = np.argsort(-np.abs(diff), kind="stable")[:k]
        return [
            WordDifference(words[j], float(pos[:, j].mean()), float(neg[:, j].mean()), float(diff[j]), float(low[j]), float(high[j]))
            for j in order
        ]

    def periods(self) -> list[Group]:
        """Review periods: calendar years (empty ones included, so gaps show) where the dated reviews span
        ``MIN_YEARS``..``MAX_YEARS`` years, else ``TIME_BINS`` equal-count bins by date. Undated reviews are
        left out; no dated review: no periods."""
        dated = [(dt.date.fromisoformat(d), i) for i, d in enumerate(self.dates) if d]
        if not dated:
            return []
        first, last = min(d.year for d, _ in dated), max(d.year for d, _ in dated)
        if MIN_YEARS <= last - first + 1 <= MAX_YEARS:
            return [Group(str(y), np.array([i for d, i in dated if d.year == y], dtype=int)) for y in range(first, last + 1)]
        ordered = sorted(dated)
        bins = np.array_split(np.arange(len(ordered)), min(TIME_BINS, len(ordered)))
        return [
            Group(f"{ordered[b[0]][0].isoformat()} – {ordered[b[-1]][0].isoformat()}", np.array(sorted(ordered[j][1] for j in b), dtype=int))
            for b in bins
        ]

    def time_view(self, segment: str = "plot", k: int = 5, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS) -> tuple[list[Period], list[WordTrend]]:
        """Field shares per period, and the k words that rise most and the k that fall most from the
        first to the last non-empty period (rising first, then falling)."""
        periods = [Period(g, [] if g.empty else self.field_scores(g, resamples=0)) for g in self.periods()]
        filled = [p.group for p in periods if not p.group.empty]
        if len(filled) < 2:
            return periods, []
        words = self.words(segment, which)
        first = self.word_values(segment, filled[0].rows, words, score).mean(axis=0)
        last = self.word_values(segment, filled[-1].rows, words, score).mean(axis=0)
        change = last - first
        order = np.argsort(-change, kind="stable")
        picked = [j for j in order[:k] if change[j] > 0] + [j for j in order[::-1][:k] if change[j] < 0]
        return periods, [WordTrend(words[j], float(first[j]), float(last[j])) for j in picked]

    # ------------------------------------------------------------ export

    def summary(self, k: int = 10, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS) -> dict[str, Any]:
        """What the aggregate view shows, as JSON: groups, fields with intervals, the plot words that stand
        out (or a note that none does) and the top info items, the positive − negative difference and the
        time view; an empty group says so instead of zeros."""
        has_lift = self.plot_reference is not None and self.info_reference is not None
        score = score if has_lift else "share"

        def word_json(score: WordScore) -> dict[str, Any]:
            out = {"word": score.word.text, "lemma": score.word.lemma, "tag": score.word.tag, "field": score.word.field,
                   "positions": list(score.word.positions), "share": score.share, "lift": score.lift}
            return out | ({"lift_low": score.low, "lift_high": score.high} if score.low is not None else {})

        def field_json(score: FieldScore) -> dict[str, Any]:
            return {"field": score.name, "units": score.units, "share": score.share, "per_unit": score.per_unit, "lift": score.lift,
                    **{f"{name}_interval": list(bounds) for name, bounds in score.intervals.items()}}

        groups: dict[str, Any] = {}
        for polarity in (None, *POLARITIES):
            group = self.group(polarity)
            item = group.to_json()
            if not group.empty:
                item["fields"] = [field_json(f) for f in self.field_scores(group)]
                if score == "lift":
                    item["plot_words"] = [word_json(s) for s in self.standing_out("plot", k, which=which, group=group)]
                    if not item["plot_words"]:
                        item["plot_note"] = NOTHING_STANDS_OUT
                else:
                    item["plot_words"] = [word_json(s) for s in self.top_words("plot", k, group=group, score=score, which=which)]
                item["info_words"] = [word_json(s) for s in self.top_words("info", k, group=group, score=score)]
            groups[polarity or "all"] = item
        try:
            difference: Any = [
                {"word": d.word.text, "tag": d.word.tag, "positive": d.positive, "negative": d.negative,
                 "difference": d.difference, "low": d.low, "high": d.high}
                for d in self.difference("plot", k, score=score, which=which)
            ]
        except EmptyGroup as exc:
            difference = {"note": EMPTY_GROUP, "group": exc.label}
        periods, trends = self.time_view("plot", k, score=score, which=which)
        return {
            "movie_id": self.movie_id, "score": score, "words": which,
            "reference_reviews": len(reference_reviews()) if has_lift else 0,
            "groups": groups,
            "difference": difference,
            "periods": [{**p.group.to_json(), "fields": [field_json(f) for f in p.fields]} for p in periods],
            "trends": [{"word": t.word.text, "tag": t.word.tag, "first": t.first, "last": t.last, "change": t.change} for t in trends],
        }

    def word_rows(self, *, which: str = DEFAULT_WORDS) -> list[dict[str, Any]]:
        """Every word of both segments (plot lemmas, info items) with its share and lift over all, positive
        and negative reviews (the CSV export; an empty group's columns are left blank, never 0)."""
        rows: list[dict[str, Any]] = []
        for segment in SEGMENTS:
            words = self.words(segment, which)
            columns = {}
            for polarity in (None, *POLARITIES):
                group = self.group(polarity)
                columns[polarity or "all"] = None if group.empty else self.word_scores(segment, group, which)
            for j, word in enumerate(words):
                row: dict[str, Any] = {"segment": segment, "word": word.text, "lemma": word.lemma, "tag": word.tag,
                                       "field": word.field or "", "positions": " ".join(map(str, word.positions))}
                for name, scores in columns.items():
                    row[f"share_{name}"] = scores[j].share if scores is not None else None
                    row[f"lift_{name}"] = scores[j].lift if scores is not None else None
                rows.append(row)
        return rows

    def to_json(self) -> dict[str, Any]:
        return {
            "movie_id": self.movie_id,
            "info_units": units_to_json(self.info_units),
            "plot_units": units_to_json(self.plot_units),
            "review_ids": self.review_ids,
            "ratings": self.ratings,
            "dates": self.dates,
            "info_per_review": self.info_per_review.tolist(),
            "plot_per_review": self.plot_per_review.tolist(),
            "skipped": [list(s) for s in self.skipped],
            "plot_text": text_to_json(self.plot_text) if self.plot_text is not None else None,
            "info_reference": self.info_reference.tolist() if self.info_reference is not None else None,
            "plot_reference": self.plot_reference.tolist() if self.plot_reference is not None else None,
        }

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> "MovieAggregate":
        info_units, plot_units = units_from_json(item["info_units"]), units_from_json(item["plot_units"])
        n = len(item["review_ids"])

        def optional(key: str) -> np.ndarray | None:
            return np.array(item[key], dtype=np.float64) if item.get(key) is not None else None

        return cls(
            movie_id=item["movie_id"],
            info_units=info_units,
            plot_units=plot_units,
            review_ids=item["review_ids"],
            ratings=item["ratings"],
            info_per_review=np.array(item["info_per_review"], dtype=np.float64).reshape(n, len(info_units)),
            plot_per_review=np.array(item["plot_per_review"], dtype=np.float64).reshape(n, len(plot_units)),
            skipped=[tuple(s) for s in item["skipped"]],
            plot_text=text_from_json(item["plot_text"]) if item.get("plot_text") else None,
            dates=list(item.get("dates") or []),
            info_reference=optional("info_reference"),
            plot_reference=optional("plot_reference"),
        )


def aggregate_reviews(
    movie_id: str,
    results: list[ReviewAttention],
    review_ids: list[str],
    ratings: list[int | None],
    skipped: list[tuple[str, str]] | None = None,
    dates: list[dt.date | None] | None = None,
) -> MovieAggregate:
    """Stack each review's attention shares; all results must share the movie's units."""
    if not results:
        raise ValueError("no review could be analysed for this movie")
    info_units, plot_units = results[0].info_units, results[0].plot_units
    for result in results:
        if result.info_units != info_units or result.plot_units != plot_units:
            raise ValueError("reviews of one movie must share the movie's info and plot units")
    return MovieAggregate(
        movie_id=movie_id,
        info_units=info_units,
        plot_units=plot_units,
        review_ids=list(review_ids),
        ratings=list(ratings),
        info_per_review=np.stack([attention_share(r.info) for r in results]),
        plot_per_review=np.stack([attention_share(r.plot) for r in results]),
        skipped=list(skipped or []),
        plot_text=results[0].plot_text,
        dates=[d.isoformat() if d else None for d in dates] if dates is not None else [],
    )
