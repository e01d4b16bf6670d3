"""The movie aggregate scored by leave-movies-out cross-validation (``evaluate --aggregate``).

Every review of each movie is computed through the explorer as the app does (its fast paths and
cache), once; everything after that is arithmetic on the stored shares (``MovieEvidence``):

* **Views.** A view reads a review's whole plot attention as words grouped by surface or by lemma,
  keeps every content word or only the words of a leading class (``words.learn_leading_classes``,
  relearnt on each fold's training movies), ranks by raw share or lift, and shows either its top 10
  or only the words that stand out (interval above the reference: ``MovieAggregate.standing_out``).
* **Tests.** Review-level plot recall@5: the plot words a review mentions (``evaluation.find_mentions``)
  ranked among the view's candidates by the review's own scores; a mentioned word the view cannot
  show ranks after every word it can (a miss, never dropped from the count). Info recall@5 ranks the
  mentioned items (names, genres: ``words.info_items``). Deletion: the plot block the view scores
  highest (the sum of its units' share or lift over the units of the words the view can show, as the
  aggregate's earlier evaluation did), deleted, should lower the review–plot similarity more than the mean block (95 % t interval
  over reviews). Top-10 check: a movie passes when what the view shows holds no filler
  (``words.is_filler``: particles, endings, punctuation, numerals, one-syllable words, light verbs)
  and no lemma twice.
* **Folds.** 5 folds of the movies by the sha256 of their ids; on each, the leading classes are the
  app's (``rule="shipped"``, the default) or learnt (``"learned"``, ``words.leading_classes_for``) and the view is chosen on the training movies (the best recall@5 among views that meet every target
  there; else the best among those whose top 10 is clean) and scored on the held-out movies. Reported:
  each fold, and mean ± standard deviation (and minimum) over folds.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ...data import Dataset, Movie
from .._compute.choices import DEFAULT_LEADING_RULE
from .._compute.settings import Settings
from .._results.movie_aggregate import MovieAggregate, aggregate_reviews
from .._run.pipeline import Explorer
from .._stats.segment_words import Word, group_words, word_matrix
from .._stats.words import LEADING_CLASSES, is_filler, leading_classes_for, lift, surface_form, word_class
from .evaluation import _best_block, _blocks, block_drops, gain_interval
from .mentions import KS, common_words, find_mentions, pair_metrics, random_metrics

FOLDS = 5
TOP_CHECK = 10
#: Targets a default must meet on every fold.
TARGET_RECALL = 0.60


@dataclass(frozen=True)
class View:
    """One way to read the aggregate: word grouping, which words, the score and what is shown."""

    grouping: str  # "surface" | "lemma"
    words: str  # "content" | "leading"
    score: str  # "share" | "lift"
    display: str  # "top" (the k best) | "standing_out" (interval above the reference)

    @property
    def name(self) -> str:
        return f"{self.grouping}·{self.words}·{self.score}·{self.display}"


#: What the app shows (``aggregate.DEFAULT_SCORE``, ``words.DEFAULT_WORDS``, ``MovieAggregate.standing_out``).
APP_DEFAULT = View("lemma", "leading", "lift", "standing_out")
#: The aggregate before lemmas, items and the leading rule.
PREVIOUS_DEFAULT = View("surface", "content", "lift", "top")
#: The views compared. Showing only what stands out changes what is shown, not the recall or deletion of
#: a ranking, so on a tie it comes first and is chosen (it shows less noise).
VIEWS = (
    APP_DEFAULT,
    View("lemma", "leading", "lift", "top"),
    View("lemma", "leading", "share", "top"),
    View("lemma", "content", "lift", "top"),
    PREVIOUS_DEFAULT,
    View("surface", "content", "share", "top"),
)


def app_view(score: str) -> View:
    """The view the app shows when it ranks by ``score`` (its quality line quotes that view's row)."""
    return APP_DEFAULT if score == "lift" else View("lemma", "leading", "share", "top")
BASELINES = ("random", "string")


@dataclass
class MovieEvidence:
    """One movie's aggregate (with reference), each review's mentioned plot and info units, and the
    similarity drop of each review when each plot block is deleted."""

    movie: Movie
    aggregate: MovieAggregate
    plot_gold: list[list[int]]
    info_gold: list[list[int]]
    drops: np.ndarray | None  # [reviews, blocks]; None without a synopsis
    seconds: float


def collect(
    explorer: Explorer, dataset: Dataset, movie_ids: Sequence[str] | None = None, settings: Settings = Settings(), *,
    limit_reviews: int | None = None, deletion: bool = True, progress: Callable[[int, str], None] | None = None,
) -> list[MovieEvidence]:
    """Every movie's evidence (the only model work of the evaluation: attention and deletion embeddings)."""
    settings, _ = explorer.usable_settings(settings)
    common = common_words([explorer.context(m, settings).plot_units for m in dataset.movies.values()])
    out, done = [], 0
    for movie_id in movie_ids or list(dataset.movies):
        started = time.perf_counter()
        movie = dataset.movie(movie_id)
        context = explorer.context(movie, settings)
        kept, results, skipped = explorer.review_attentions(movie, dataset.reviews_of(movie.id)[:limit_reviews], settings)
        if not results:
            continue
        aggregate = explorer.with_reference(
            movie, aggregate_reviews(movie.id, results, [r.id for r in kept], [r.rating for r in kept], skipped), settings
        )
        aggregate = replace(aggregate, settings=settings)
        mentions = [find_mentions(r.review_units, context.info_units, context.plot_units, common) for r in results]
        gold = {
            segment: [sorted({t for m in found if m.segment == segment for t in m.targets}) for found in mentions]
            for segment in ("plot", "info")
        }
        drops = block_drops(explorer.model, context, [r.text for r in kept]) if deletion and context.plot_units else None
        out.append(MovieEvidence(movie, aggregate, gold["plot"], gold["info"], drops, time.perf_counter() - started))
        done += len(kept)
        if progress:
            progress(done, movie.label)
    return out


# ---------------------------------------------------------------- scoring one view on one movie


@dataclass
class MovieScore:
    """A view's sums on one movie: plot and info recall pairs, deletion gains per review, the top-10 check."""

    plot: np.ndarray = field(default_factory=lambda: np.zeros(len(KS) + 2))  # [pairs, r@1, r@5, rr] sums
    info: np.ndarray = field(default_factory=lambda: np.zeros(len(KS) + 2))
    gains: list[float] = field(default_factory=list)
    clean: bool | None = None
    shown: list[str] = field(default_factory=list)


def _add(sums: np.ndarray, metrics: np.ndarray) -> None:
    sums[0] += len(metrics)
    sums[1:] += metrics.sum(axis=0)


def _class_inputs(aggregate: MovieAggregate) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(class per lemma content word, reviews' mean share, reference share): what the rule learns from."""
    words = aggregate.words("plot", "content")
    matrix = word_matrix(words, len(aggregate.plot_units))
    return [w.word_class for w in words], aggregate.plot_share() @ matrix, aggregate.plot_reference @ matrix


def score_view(evidence: MovieEvidence, view: View | str, leading: frozenset[str] = LEADING_CLASSES) -> MovieScore:
    """One view (or baseline ``random``/``string``) on one movie, with the given leading classes."""
    aggregate = replace(evidence.aggregate, leading=leading)
    out = MovieScore()
    n_units = len(aggregate.plot_units)
    if view == "random":
        words = group_words(aggregate.plot_units, "content", aggregate.lemmas(), leading)
        word_of_unit = word_owners(words, n_units)
    if isinstance(view, View):
        words, allowed, matrix = view_words(aggregate, view, leading)
        scores = np.where(allowed, word_scores(aggregate.plot_per_review, view, matrix, aggregate.plot_reference), -np.inf)
        unit_allowed = matrix[:, allowed].sum(axis=1) > 0
        unit_scores = aggregate.plot_per_review if view.score == "share" else lift(aggregate.plot_per_review, aggregate.plot_reference)
        unit_scores = unit_scores * unit_allowed
        items = aggregate.words("info")
        item_values = aggregate.info_per_review @ word_matrix(items, len(aggregate.info_units))
        if view.score == "lift":
            item_values = lift(item_values, aggregate.info_reference @ word_matrix(items, len(aggregate.info_units)))
        out.shown, out.clean = _shown(aggregate, view, words, allowed, matrix)
        word_of_unit, item_of_unit = word_owners(words, n_units), word_owners(items, len(aggregate.info_units))
    for row in range(len(aggregate.review_ids)):
        plot_gold, info_gold = evidence.plot_gold[row], evidence.info_gold[row]
        if isinstance(view, View):
            gold_words = sorted({word_of_unit[u] for u in plot_gold} - {-1})
            if gold_words:
                _add(out.plot, pair_metrics(scores[row], gold_words))
            gold_items = sorted({item_of_unit[u] for u in info_gold} - {-1})
            if gold_items:
                _add(out.info, pair_metrics(item_values[row], gold_items))
            choice = _best_block(unit_scores[row], _blocks(n_units))
        else:
            if plot_gold and view == "random":  # a random order of the lemma content words
                gold_words = {word_of_unit[u] for u in plot_gold} - {-1}
                if gold_words:
                    _add(out.plot, random_metrics(len(words), len(gold_words)))
            elif plot_gold:
                _add(out.plot, pair_metrics(np.isin(np.arange(n_units), plot_gold).astype(float), plot_gold))
            blocks = _blocks(n_units)
            choice = (np.full(len(blocks), 1.0 / len(blocks)) if view == "random"
                      else _best_block(np.isin(np.arange(n_units), plot_gold).astype(float), blocks))
        if evidence.drops is not None:
            drop = evidence.drops[row]
            out.gains.append(float(choice @ drop - drop.mean()))
    return out


def word_owners(words: Sequence[Word], n_units: int) -> np.ndarray:
    """The word index of each unit (-1 where no word holds it)."""
    owner = np.full(n_units, -1)
    for j, word in enumerate(words):
        owner[list(word.positions)] = j
    return owner


def view_words(aggregate: MovieAggregate, view: View, leading: frozenset[str] = LEADING_CLASSES) -> tuple[list[Word], np.ndarray, np.ndarray]:
    """The plot's content words as ``view`` groups them, which of them it can show (its ``words``: every
    content word or the ``leading`` classes'), and the [units, words] membership."""
    lemmas = aggregate.lemmas() if view.grouping == "lemma" else None
    words = group_words(aggregate.plot_units, "content", lemmas, leading)
    allowed = np.array([view.words == "content" or w.word_class in leading for w in words], dtype=bool)
    return words, allowed, word_matrix(words, len(aggregate.plot_units))


def word_scores(unit_shares: np.ndarray, view: View, matrix: np.ndarray, unit_reference: np.ndarray | None) -> np.ndarray:
    """Unit shares (a review per row, or one mean) as the view's word scores: the words' shares or their lift."""
    shares = unit_shares @ matrix
    return shares if view.score == "share" else lift(shares, unit_reference @ matrix)


def _shown(aggregate: MovieAggregate, view: View, words: list[Word], allowed: np.ndarray, matrix: np.ndarray) -> tuple[list[str], bool]:
    """What the view shows for the movie (over all its reviews) and whether it passes the top-10 check."""
    if view.display == "standing_out":
        shown = [s.word for s in aggregate.standing_out("plot", TOP_CHECK, which=view.words)]
    else:
        share = aggregate.plot_share() @ matrix
        values = np.where(allowed, word_scores(aggregate.plot_share(), view, matrix, aggregate.plot_reference), -np.inf)
        order = sorted(range(len(words)), key=lambda j: (-values[j], -share[j], words[j].positions[0]))
        shown = [words[j] for j in order[:TOP_CHECK] if allowed[j]]
    return [w.text for w in shown], passes_top_check(shown)


def passes_top_check(shown: Sequence[Word]) -> bool:
    """No filler (``words.is_filler``, judged on the word itself whatever rule chose it) and no lemma twice."""
    keys = [surface_form(w.lemma or w.text) for w in shown]
    fillers = [w for w in shown if is_filler(word_class(w.lemma or w.text, w.tag, w.content))]
    return not fillers and len(set(keys)) == len(keys)


# ---------------------------------------------------------------- folds


def folds(movie_ids: Sequence[str], n: int = FOLDS) -> list[list[str]]:
    """Up to ``n`` disjoint, non-empty folds covering the movies, by the sha256 of their ids (reproducible,
    no movie twice; fewer folds than ``n`` for fewer movies)."""
    order = sorted(movie_ids, key=lambda m: hashlib.sha256(m.encode("utf-8")).hexdigest())
    return [sorted(order[i::n]) for i in range(min(n, len(order)))]


@dataclass(frozen=True)
class Summary:
    """A view (or baseline) over a set of movies."""

    name: str
    movies: int
    plot_pairs: int
    plot_r5: float
    plot_mrr: float
    info_r5: float
    gain: float
    gain_low: float
    gain_high: float
    clean: int | None  # movies passing the top-10 check

    def meets_targets(self) -> bool:
        return self.plot_r5 >= TARGET_RECALL and self.gain_low > 0 and self.clean == self.movies


def summarise(name: str, scores: Sequence[MovieScore]) -> Summary:
    empty = np.zeros(len(KS) + 2)  # no movies: a fold with one movie has no training movies
    plot = np.sum([s.plot for s in scores], axis=0) if scores else empty
    info = np.sum([s.info for s in scores], axis=0) if scores else empty
    gains = np.array([g for s in scores for g in s.gains])[:, None]
    gain = gain_interval(gains, ["m"] * len(gains), None)[0] if len(gains) >= 2 else np.full(3, np.nan)
    checks = [s.clean for s in scores if s.clean is not None]
    k5 = 1 + KS.index(5)
    return Summary(
        name, len(scores), int(plot[0]), plot[k5] / plot[0] if plot[0] else np.nan, plot[-1] / plot[0] if plot[0] else np.nan,
        info[k5] / info[0] if info[0] else np.nan, *(float(v) for v in gain), sum(checks) if checks else None,
    )


@dataclass
class FoldResult:
    """One fold: its held-out movies, the classes and the view chosen on the others, and held-out scores."""

    index: int
    test_movies: list[str]
    leading: frozenset[str]
    chosen: View
    train: dict[str, Summary]
    test: dict[str, Summary]


@dataclass
class CrossValidation:
    """Every fold, every view over all movies (with the classes learnt on all), and run times."""

    folds: list[FoldResult]
    overall: dict[str, Summary]
    leading: frozenset[str]
    seconds: float
    n_reviews: int
    shown: dict[str, dict[str, list[str]]]  # view name → movie id → words shown
    rule: str  # how the leading classes were taken (choices.LEADING_RULES)


def choose_view(summaries: dict[str, Summary]) -> View:
    """The view with the best recall@5 among those meeting every target; else among those whose top 10
    is clean; else the best recall@5."""
    views = [v for v in VIEWS if v.name in summaries]
    for keep in (lambda s: s.meets_targets(), lambda s: s.clean == s.movies, lambda s: True):
        fitting = [v for v in views if keep(summaries[v.name])]
        if fitting:
            return max(fitting, key=lambda v: np.nan_to_num(summaries[v.name].plot_r5, nan=-1.0))
    raise ValueError("no view to choose from")


def _scores(evidence: Sequence[MovieEvidence], leading: frozenset[str]) -> dict[str, list[MovieScore]]:
    return {
        (v.name if isinstance(v, View) else v): [score_view(e, v, leading) for e in evidence]
        for v in (*VIEWS, *BASELINES)
    }


def cross_validate(evidence: Sequence[MovieEvidence], n_folds: int = FOLDS, rule: str = DEFAULT_LEADING_RULE) -> CrossValidation:
    """Take the leading classes by ``rule`` and choose the view on each fold's training movies, score on its held-out ones."""
    started = time.perf_counter()
    by_id = {e.movie.id: e for e in evidence}
    results = []
    for index, test_ids in enumerate(folds(list(by_id), n_folds)):
        train = [e for m, e in by_id.items() if m not in test_ids]
        test = [by_id[m] for m in test_ids]
        leading = leading_classes_for(rule, [_class_inputs(e.aggregate) for e in train])
        train_scores, test_scores = _scores(train, leading), _scores(test, leading)
        train_summary = {n: summarise(n, s) for n, s in train_scores.items()}
        results.append(FoldResult(index, test_ids, leading, choose_view(train_summary), train_summary,
                                  {n: summarise(n, s) for n, s in test_scores.items()}))
    leading = leading_classes_for(rule, [_class_inputs(e.aggregate) for e in evidence])
    overall_scores = _scores(evidence, leading)
    shown = {n: {e.movie.id: s.shown for e, s in zip(evidence, scores)} for n, scores in overall_scores.items()}
    return CrossValidation(
        results, {n: summarise(n, s) for n, s in overall_scores.items()}, leading,
        sum(e.seconds for e in evidence) + time.perf_counter() - started, sum(len(e.aggregate.review_ids) for e in evidence),
        shown, rule,
    )
