"""The field's faithfulness measures on the movie explorer (ERASER AOPC, Kendall τ against leave-one-out).

The quantity explained is the one the deletion test uses (``evaluation.block_drops``): the relatedness
of a review and the movie's plot, the cosine of their mean-pooled embeddings by the same model. An
explanation ranks the plot's units (the review's attention share over them, ``shares.attention_share``);
``moviattn.faithfulness`` (ferret's ``aopc_compr``, ``aopc_suff``, ``taucorr_loo``, defined once there)
removes or keeps the top 1, 5, 10, 20, 50 % of them and compares the relatedness with the full plot's.

* **Per-review settings**: each measure (``attention``, ``norm``; ``grad_input`` on request, it is
  slow) at the app's other settings, on ``SAMPLE_REVIEWS`` reviews per movie taken by the sha256 of
  their ids (fixed before any number was seen, to fit the shared CPUs).
* **Aggregate views**: positions · share (each measure: the mean of the sampled reviews' shares) and the
  word views of ``evaluate --aggregate`` at the base setting (``AGGREGATE_VIEWS``: lemma or surface words,
  leading or content classes, share or lift over the reference reviews; the app shows lemma · leading ·
  lift). A word's value goes to each of its units, units of no shown word score 0 (they never rank), so
  a bin removes whole words. Scored against the movie's mean review vector (the cosine is linear in it,
  so this is the mean relatedness over the sampled reviews).
* **Baselines**: ``random`` (seeded by the review id), ``uniform`` (every unit equal: the stable order
  is reading order, and τ is undefined), ``position`` (earlier first), ``length`` (characters) and
  ``string`` (the plot units the review mentions, ``mentions.find_mentions``; only those rank).

A plot variant is embedded once per movie whoever asks for it (leave-one-out variants are the same for
every review), so the cost is about ``plot units + 10 × rankings × reviews`` passages per movie.

**Choice rule (written before any number was computed).** A measure may be the default's evidence
only if, on every one of the 5 held-out folds of movies (``evaluation_aggregate.folds``), its mean
``aopc_compr`` is above every baseline's and its mean ``aopc_suff`` below every baseline's; of the
measures that pass, the one with the highest ``aopc_compr`` over all movies is the default. Nothing is
fitted, so the folds test stability across movies, not overfitting. Where no measure passes, the
default stays the recall-chosen one and the app's quality line says the measure does not beat its
baselines (``quality.faithfulness_note``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from ...data import Dataset, Movie, Review
from ...faithfulness import HIGHER_IS_BETTER, faithfulness, mean_interval
from ...models import LoadedModel, embed
from ...morphology import Unit
from .._compute.settings import Settings
from .._results.movie_aggregate import MovieAggregate, aggregate_reviews
from .._run.pipeline import Explorer
from .._run.preparation import MovieContext
from .._stats.shares import attention_share
from .._stats.words import LEADING_CLASSES
from .evaluation_aggregate import VIEWS, View, folds, view_words, word_scores
from .mentions import common_words, find_mentions

#: Reviews per movie, the first by the sha256 of their ids.
SAMPLE_REVIEWS = 4
MEASURES = ("attention", "norm")
BASELINES = ("random", "uniform", "position", "length", "string")
SCOPES = ("review", "aggregate")
#: The aggregate's word views as rankings: ``evaluate --aggregate``'s views without their display (what
#: stands out or the top 10 is the same ranking), in its order, the app's first.
AGGREGATE_VIEWS = tuple(dict.fromkeys(replace(v, display="top") for v in VIEWS))


def view_name(view: View) -> str:
    """``words:lemma·leading·lift``: the ranking's name in the tables (its display does not change it)."""
    return f"words:{view.grouping}·{view.words}·{view.score}"


def aggregate_quality_key(view: View) -> str:
    """The view's row in the quality resource (``quality_rows``; read by ``quality.aggregate_quality_note``)."""
    return f"aggregate/{view_name(view)}"


def view_unit_scores(aggregate: MovieAggregate, view: View, leading: frozenset[str] = LEADING_CLASSES) -> np.ndarray:
    """Each plot unit's value in ``view`` over the aggregate's reviews: its word's mean share or lift
    (0 where its word is not one the view can show)."""
    _, shown, matrix = view_words(aggregate, view, leading)
    return matrix @ np.where(shown, word_scores(aggregate.plot_share(), view, matrix, aggregate.plot_reference), 0.0)


def sampled_reviews(reviews: Sequence[Review], n: int = SAMPLE_REVIEWS) -> list[Review]:
    """All reviews in sha256 order of their ids, the first ``n`` to be tried (reproducible, no rating bias)."""
    return sorted(reviews, key=lambda r: hashlib.sha256(r.id.encode("utf-8")).hexdigest())[: n]


def kept_text(text: str, units: Sequence[Unit], kept: np.ndarray) -> str:
    """The plot with only the ``kept`` units, in reading order; the original text between two kept
    neighbours stays, a gap left by removed units becomes one space."""
    pieces: list[str] = []
    previous = None
    for index in sorted(int(i) for i in kept):
        if previous is not None:
            pieces.append(text[units[previous].end : units[index].start] if index == previous + 1 else " ")
        pieces.append(text[units[index].start : units[index].end])
        previous = index
    return "".join(pieces).strip()


class PlotRelatedness:
    """Cosine of given review vectors and the plot with some units kept; each variant embedded once."""

    def __init__(self, model: LoadedModel, plot_text: str, units: Sequence[Unit], review_vectors: np.ndarray) -> None:
        self.model, self.plot_text, self.units, self.review_vectors = model, plot_text, units, review_vectors
        self._vectors: dict[tuple[int, ...], np.ndarray] = {}

    def __call__(self, requests: Sequence[tuple[int, np.ndarray]]) -> np.ndarray:
        keys = [tuple(int(i) for i in kept) for _, kept in requests]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            with torch.inference_mode():
                vectors = embed(self.model, [kept_text(self.plot_text, self.units, np.array(k)) for k in missing], "passage")
            self._vectors.update(zip(missing, vectors))
        return np.array([float(self.review_vectors[i] @ self._vectors[k]) for (i, _), k in zip(requests, keys)])


def baseline_rankings(plot_units: Sequence[Unit], mentioned: Sequence[int], seed_text: str) -> dict[str, np.ndarray]:
    """The five baselines' scores over the plot units (all positive where they rank, as ``only_positive`` needs)."""
    n = len(plot_units)
    seed = int(hashlib.sha256(seed_text.encode("utf-8")).hexdigest()[:8], 16)
    return {
        "random": np.random.default_rng(seed).random(n) + 1e-9,
        "uniform": np.ones(n),
        "position": np.arange(n, 0, -1, dtype=np.float64),
        "length": np.array([len(u.text) for u in plot_units], dtype=np.float64),
        "string": np.isin(np.arange(n), list(mentioned)).astype(np.float64),
    }


@dataclass
class FaithfulnessRun:
    """Per (scope, ranking): movie id of each item and its three measures; and the run time."""

    items: dict[tuple[str, str], list[tuple[str, float, float, float]]]
    seconds: float
    n_reviews: int

    def table(self, movies: Sequence[str] | None = None) -> dict[tuple[str, str], dict[str, tuple[float, float, float]]]:
        """Mean and 95 % bootstrap interval of each measure per (scope, ranking), over the given movies' items."""
        out = {}
        for key, rows in self.items.items():
            kept = [r for r in rows if movies is None or r[0] in movies]
            out[key] = {m: mean_interval([r[1 + i] for r in kept]) for i, m in enumerate(HIGHER_IS_BETTER)}
        return out


def _movie_items(
    explorer: Explorer, movie: Movie, context: MovieContext, reviews: Sequence[Review], measures: Sequence[str],
    common: frozenset[str], base: Settings,
) -> dict[tuple[str, str], list]:
    plot_units = context.plot_units
    rankings: dict[str, list[np.ndarray]] = {name: [] for name in (*measures, *BASELINES)}
    kept: list[Review] = []
    at_base = []
    for review in reviews:
        try:
            item = explorer.prepared_review(movie, review.text, base)
        except ValueError:  # empty or too long: the app skips them too
            continue
        mentions = find_mentions(item.units, context.info_units, plot_units, common)
        results = {measure: explorer.review_attention(movie, review.text, replace(base, measure=measure)) for measure in measures}
        for measure, result in results.items():
            rankings[measure].append(attention_share(result.plot))
        at_base.append(results.get(base.measure) or explorer.review_attention(movie, review.text, base))
        for name, scores in baseline_rankings(plot_units, sorted({t for m in mentions if m.segment == "plot" for t in m.targets}), review.id).items():
            rankings[name].append(scores)
        kept.append(review)
    if not kept:
        return {}
    texts = [r.text for r in kept]
    aggregate = explorer.with_reference(movie, aggregate_reviews(movie.id, at_base, [r.id for r in kept], [r.rating for r in kept]), base)
    aggregate = replace(aggregate, settings=base)
    views = {view_name(v): view_unit_scores(aggregate, v) for v in AGGREGATE_VIEWS}
    with torch.inference_mode():
        review_vectors = embed(explorer.model, texts, "query")
    per_review = PlotRelatedness(explorer.model, context.plot.text.text, plot_units, review_vectors)
    movie_mean = PlotRelatedness(explorer.model, context.plot.text.text, plot_units, review_vectors.mean(0, keepdims=True))
    movie_mean._vectors = per_review._vectors  # the same plot variants: embed each once
    out: dict[tuple[str, str], list] = {}
    for name, scores in rankings.items():
        out[("review", name)] = [(movie.id, f.aopc_compr, f.aopc_suff, f.taucorr_loo) for f in faithfulness(scores, per_review)]
        views[name] = np.mean(scores, axis=0)
    for name, scores in views.items():
        (mean,) = faithfulness([scores], movie_mean)
        out[("aggregate", name)] = [(movie.id, mean.aopc_compr, mean.aopc_suff, mean.taucorr_loo)]
    return out


def run(
    explorer: Explorer, dataset: Dataset, movie_ids: Sequence[str] | None = None, *, measures: Sequence[str] = MEASURES,
    n_reviews: int = SAMPLE_REVIEWS, base: Settings = Settings(), progress=None,
) -> FaithfulnessRun:
    """The three measures for every ranking, per sampled review and per movie's aggregate."""
    started = time.perf_counter()
    movies = [dataset.movie(m) for m in (movie_ids or list(dataset.movies))]
    common = common_words([explorer.context(m, base).plot_units for m in dataset.movies.values()])
    items: dict[tuple[str, str], list] = {}
    count = 0
    for movie in movies:
        context = explorer.context(movie, base)
        if not context.plot_units:
            continue
        reviews = sampled_reviews(dataset.reviews_of(movie.id), n_reviews)
        for key, rows in _movie_items(explorer, movie, context, reviews, measures, common, base).items():
            items.setdefault(key, []).extend(rows)
        count += len(reviews)
        if progress:
            progress(movie.label, time.perf_counter() - started)
    return FaithfulnessRun(items, time.perf_counter() - started, count)


def fold_tables(result: FaithfulnessRun) -> list[tuple[list[str], dict]]:
    """Each held-out fold's movies and table (``evaluation_aggregate.folds``: 5 by sha256 of the ids)."""
    movie_ids = sorted({r[0] for rows in result.items.values() for r in rows})
    return [(fold, result.table(fold)) for fold in folds(movie_ids)]


def passes_choice_rule(measure: str, fold_results: Sequence[dict], scope: str = "review") -> bool:
    """The module's choice rule: on every fold, comprehensiveness above and sufficiency below every baseline."""
    for table in fold_results:
        compr, suff = table[(scope, measure)]["aopc_compr"][0], table[(scope, measure)]["aopc_suff"][0]
        for baseline in BASELINES:
            if not (compr > table[(scope, baseline)]["aopc_compr"][0] and suff < table[(scope, baseline)]["aopc_suff"][0]):
                return False
    return True


def chosen_measure(result: FaithfulnessRun, measures: Sequence[str], scope: str = "review") -> str | None:
    """The ranking the choice rule picks in ``scope`` (highest all-movie comprehensiveness among those
    that pass), or None."""
    tables = [t for _, t in fold_tables(result)]
    passing = [m for m in measures if passes_choice_rule(m, tables, scope)]
    overall = result.table()
    return max(passing, key=lambda m: overall[(scope, m)]["aopc_compr"][0]) if passing else None


def _cell(value: tuple[float, float, float]) -> str:
    mean, low, high = value
    return f"{mean:.4f} ({low:.4f}, {high:.4f})"


def format_table(table: dict, names: Sequence[str]) -> str:
    """A markdown table: scope × ranking rows, the three measures with 95 % intervals."""
    lines = ["| scope | ranking | aopc_compr ↑ | aopc_suff ↓ | taucorr_loo ↑ |", "|---|---|---|---|---|"]
    for scope in SCOPES:
        for name in names:
            if (scope, name) in table:
                row = table[(scope, name)]
                lines.append(f"| {scope} | {name} | " + " | ".join(_cell(row[m]) for m in HIGHER_IS_BETTER) + " |")
    return "\n".join(lines)


def _best_baseline(table: dict, measure_name: str, scope: str = "review") -> tuple[str, float]:
    pick = max if HIGHER_IS_BETTER[measure_name] else min
    name = pick(BASELINES, key=lambda b: table[(scope, b)][measure_name][0])
    return name, table[(scope, name)][measure_name][0]


def quality_rows(result: FaithfulnessRun, measures: Sequence[str], model_name: str) -> list[dict[str, object]]:
    """One row per measure (per-review heatmaps) and per aggregate word view (``aggregate/words:…``) for
    the app's quality lines (``quality.FAITHFULNESS_RESOURCE``): all-movie means, the best baseline of
    each measure and whether the choice rule passed."""
    overall, tables = result.table(), [t for _, t in fold_tables(result)]
    rows = []
    candidates = [("review", m, m) for m in measures] + [("aggregate", view_name(v), aggregate_quality_key(v)) for v in AGGREGATE_VIEWS]
    for scope, ranking, key in candidates:
        if (scope, ranking) not in result.items:
            continue
        row: dict[str, object] = {"model": model_name, "measure": key, "passes": passes_choice_rule(ranking, tables, scope),
                                  "movies": len({r[0] for r in result.items[(scope, ranking)]}), "reviews": result.n_reviews}
        for name in HIGHER_IS_BETTER:
            row[name] = overall[(scope, ranking)][name][0]
            row[f"{name}_baseline"], row[f"{name}_baseline_value"] = _best_baseline(overall, name, scope)
        rows.append(row)
    return rows


def report(result: FaithfulnessRun, measures: Sequence[str]) -> str:
    """All movies, each held-out fold, and the choice rule's outcome."""
    views = [view_name(v) for v in AGGREGATE_VIEWS]
    names = (*measures, *views, *BASELINES)
    movies = len({r[0] for rows in result.items.values() for r in rows})
    lines = [f"{movies} movies, {result.n_reviews} sampled reviews, {result.seconds:.0f} s", "", "all movies", format_table(result.table(), names)]
    for index, (fold, table) in enumerate(fold_tables(result)):
        lines += ["", f"fold {index + 1} (held out: {' '.join(fold)})", format_table(table, names)]
    lines.append("")
    for scope, candidates in (("review", measures), ("aggregate", (*measures, *views))):
        chosen = chosen_measure(result, candidates, scope)
        lines.append(f"choice rule ({scope}): {chosen} passes" if chosen else
                     f"choice rule ({scope}): no ranking beats every baseline on every fold")
    return "\n".join(lines)
