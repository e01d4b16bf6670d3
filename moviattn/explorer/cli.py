"""``moviattn movies|show|precompute|aggregate|evaluate|report``: the attention explorer from the command line.

Registered by the root CLI (``moviattn.cli``) with ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

from ..data import Dataset, Movie, Review
from ..defaults import DEFAULTS
from ..errors import DataError
from ..fetch import open_data
from ..paths import refuse_to_overwrite, starts_with, write_atomically
from ._compute.choices import DEFAULT_LEADING_RULE, LEADING_RULES, method_choices, precision_choices, setting_choices
from ._compute.settings import Settings


def _add_data_argument(parser: argparse.ArgumentParser) -> None:
    """``--data``, the same for every command that reads a dataset."""
    parser.add_argument("--data", default=DEFAULTS.data, help="dataset: a folder, 'sample' or 'nsmc' (fetched on first use) ($MOVIATTN_DATA)")


def _add_colour_arguments(parser: argparse.ArgumentParser) -> None:
    """``--scale`` and ``--cmap``, the same for every command that draws heatmaps."""
    from ._draw.plotting import COLOR_SCALES

    parser.add_argument("--scale", choices=list(COLOR_SCALES), default=DEFAULTS.scale, help="colour scale")
    parser.add_argument("--cmap", default=DEFAULTS.cmap, help="a Plotly colour scale (viridis, magma, cividis, YlOrRd, Blues, Greys, ...)")


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    defaults, choices = Settings(), {name: list(table) for name, table in setting_choices().items()}
    group = parser.add_argument_group("attention settings")
    group.add_argument("--measure", choices=choices["measure"], default=defaults.measure, help="what a cell scores")
    group.add_argument("--layer-agg", choices=choices["layer_agg"], default=defaults.layer_agg)
    group.add_argument("--layer", type=int, default=defaults.layer, help="layer for 'single'; last layer rolled out by 'rollout'")
    group.add_argument("--last-k", type=int, default=defaults.last_k)
    group.add_argument("--head-agg", choices=choices["head_agg"], default=defaults.head_agg)
    group.add_argument("--head", type=int, default=defaults.head, help="head for 'single'")
    group.add_argument("--normalization", choices=choices["normalization"], default=defaults.normalization)
    group.add_argument("--granularity", choices=choices["granularity"], default=defaults.granularity)
    group.add_argument("--analyser", choices=choices["analyser"], default=defaults.analyser)
    group.add_argument("--content-only", action="store_true", help="drop particles, endings and punctuation")
    model = parser.add_argument_group("model")
    model.add_argument("--model", default=DEFAULTS.model, help="hub id, local path or 'offline' ($MOVIATTN_MODEL)")
    model.add_argument(
        "--precision", default=DEFAULTS.precision, choices=precision_choices(),
        help="float32: exact (default); auto: bfloat16 where the CPU/GPU runs it natively, else float32 (docs/performance.md)",
    )
    model.add_argument(
        "--method", default=DEFAULTS.method, choices=method_choices(),
        help="qk: exact fast path; eager: the usual way; cached_context: approximate, each movie part encoded once "
        "without the review (many times faster on whole movies; docs/performance.md)",
    )
    model.add_argument("--batch-size", type=int, default=8, help="reviews computed together")
    model.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")


#: The bulk engines: this process (the reference), or Ray Data workers (``bulk_ray``, the ``scale`` extra).
ENGINES = ("local", "ray")


def _add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("engine")
    group.add_argument(
        "--engine", choices=ENGINES, default="local",
        help="local: this process; ray: Ray Data workers, same outputs (pip install -e '.[scale]'; docs/performance.md)",
    )
    group.add_argument("--address", help="with --engine ray: a running Ray cluster ('auto', 'ray://host:10001'); default: a local Ray for the run")
    group.add_argument("--workers", type=int, help="with --engine ray: model workers (default: one per GPU, else one per CPU)")


def _check_engine(args: argparse.Namespace) -> None:
    if args.engine != "ray" and (args.address or args.workers):
        raise ValueError("--address and --workers choose where the Ray engine runs; add --engine ray")


def _run_on_ray(args: argparse.Namespace, explorer, jobs) -> None:
    """``--engine ray``: every review of ``jobs`` (``bulk_ray.Job``) computed on Ray into the result cache first;
    the command then reads them as the local engine would have computed them."""
    from ._run.bulk_ray import compute_on_ray

    run = compute_on_ray(explorer, jobs, address=args.address, workers=args.workers)
    print(f"ray: {run.sent} reviews on {run.workers} workers in {run.seconds:.1f} s; {run.cached} were cached", file=sys.stderr)


def _jobs(movies: list[Movie], settings: Settings, reviews: Callable[[Movie], list[Review]], reference: bool) -> list:
    """One ``bulk_ray.Job`` per movie: its reviews, and with ``reference`` the reference reviews of the lift."""
    from ._run.bulk_ray import Job
    from ._stats.shares import reference_reviews

    extra = list(reference_reviews()) if reference else []
    return [Job(movie, settings, [*reviews(movie), *extra]) for movie in movies]


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(**{f.name: getattr(args, f.name) for f in fields(Settings)})


def _explorer(args: argparse.Namespace):
    from ..models import default_device, load_model
    from ._run.cache import ResultCache
    from ._run.pipeline import Explorer

    model = load_model(args.model, default_device())
    if model.notice:
        print(f"notice: {model.notice}", file=sys.stderr)
    cache = None if args.no_cache else ResultCache()
    if cache is None and getattr(args, "engine", "local") == "ray":  # the Ray engine hands its results over in a cache
        folder = tempfile.mkdtemp(prefix="moviattn-ray-")
        atexit.register(shutil.rmtree, folder, True)
        cache = ResultCache(folder)
    return Explorer(model, cache, method=args.method, precision=args.precision, batch_size=args.batch_size)


def _usable_settings(explorer, args: argparse.Namespace) -> Settings:
    """For commands that record the settings before computing (precompute's resumable header, evaluate)."""
    settings, notice = explorer.usable_settings(_settings(args))
    _print_notices([notice])
    return settings


def _print_notices(notices) -> None:
    for notice in notices:
        if notice:
            print(f"notice: {notice}", file=sys.stderr)


def _dataset(name: str) -> Dataset:
    """A folder, 'sample' or 'nsmc' (fetched on first use)."""
    return open_data(name)[0]


# ---------------------------------------------------------------- commands


def cmd_movies(args: argparse.Namespace) -> None:
    dataset = _dataset(args.data)
    for movie in dataset.movies.values():
        print(f"{movie.id}\t{movie.label}\t{len(dataset.reviews_of(movie.id))} reviews")


def cmd_show(args: argparse.Namespace) -> None:
    from ._draw.plotting import review_info_heatmap, review_plot_heatmap, save_png

    dataset = _dataset(args.data)
    movie = dataset.movie(args.movie)
    if args.text is not None:
        text = args.text
    else:
        reviews = dataset.reviews_of(movie.id)
        if not 0 <= args.review < len(reviews):
            raise DataError(args.data, f"movie {movie.id} has {len(reviews)} reviews; --review must be 0..{len(reviews) - 1}")
        text = reviews[args.review].text
    stem = Path(args.out_dir) / f"{movie.id}_{args.review if args.text is None else 'text'}"
    targets = [stem.with_name(f"{stem.name}_{part}.png") for part in ("info", "plot")]
    for target in targets:
        refuse_to_overwrite(target, args.force, lambda p: starts_with(p, PNG_SIGNATURE), "a PNG (a previous 'show' output)")
    explorer = _explorer(args)
    result = explorer.review_attention(movie, text, _settings(args))
    _print_notices(result.notices)
    info_png = save_png(review_info_heatmap(result, scale=args.scale, cmap=args.cmap), targets[0])
    plot_png = save_png(review_plot_heatmap(result, scale=args.scale, cmap=args.cmap), targets[1])
    print(f"{movie.label}: {text!r}")
    print(f"model: {result.model_name}; windows: {result.n_windows}")
    names, by_field = result.by_field()
    for name, value in zip(names, by_field.mean(axis=0)):
        print(f"  {name:9s} {value:.3f}")
    print(f"wrote {info_png} and {plot_png}")


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    write_atomically(path, json.dumps(payload, ensure_ascii=False))


#: The keys of a ``precompute`` output: what tells it apart from any other JSON at ``--out``.
PRECOMPUTE_KEYS = frozenset({"model", "settings", "method", "precision", "movies"})
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVALUATION_HEADER = b"model,setting"


def _precompute_output(path: Path) -> dict[str, Any] | None:
    """The previous ``precompute`` output at ``path``, or None (absent, unreadable, or something else)."""
    if not path.is_file() or not starts_with(path, b"{"):
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) and PRECOMPUTE_KEYS <= payload.keys() and isinstance(payload["movies"], dict) else None


def cmd_precompute(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from ._run.precompute_file import precompute_entry

    dataset = _dataset(args.data)
    movie_ids = args.movies.split(",") if args.movies else list(dataset.movies)
    movies = [dataset.movie(m) for m in movie_ids]
    out = Path(args.out)
    refuse_to_overwrite(out, args.force, lambda p: _precompute_output(p) is not None, "a previous 'precompute' output")
    _check_engine(args)
    explorer = _explorer(args)
    settings = _usable_settings(explorer, args)
    header = {"model": explorer.model.name, "settings": asdict(settings), "method": explorer.method, "precision": explorer.precision}
    payload: dict[str, Any] = {**header, "movies": {}}
    previous = None if args.restart else _precompute_output(out)
    if previous is not None and all(previous.get(k) == v for k, v in header.items()):  # resume under the same header
        payload["movies"] = previous["movies"]
    todo = [m for m in movies if m.id not in payload["movies"]]
    if len(todo) < len(movies):
        print(f"resuming: {len(movies) - len(todo)} movies already in {out}", file=sys.stderr)
    started, review_count = time.perf_counter(), 0
    if args.engine == "ray":
        _run_on_ray(args, explorer, _jobs(todo, settings, lambda m: dataset.reviews_of(m.id), reference=False))
    with tqdm(total=sum(len(dataset.reviews_of(m.id)) for m in todo), unit="review", desc="precompute") as bar:
        for movie in todo:
            reviews = dataset.reviews_of(movie.id)
            bar.set_postfix_str(movie.label)
            shown = [0]

            def advance(done: int, _total: int, shown: list[int] = shown) -> None:
                bar.update(done - shown[0])
                shown[0] = done

            aggregate, results = explorer.aggregate_and_results(movie, reviews, settings, progress=advance)
            bar.update(len(reviews) - shown[0])
            payload["movies"][movie.id] = precompute_entry(movie, aggregate, results)
            review_count += len(reviews)
            _write_json_atomically(out, payload)
    seconds = time.perf_counter() - started
    rate = review_count / seconds if seconds > 0 else 0.0
    print(f"wrote {out}: {len(payload['movies'])} movies; {review_count} reviews in {seconds:.1f} s ({rate:.1f} reviews/s)")


def format_aggregate(aggregate, k: int, score: str, which: str) -> str:
    """The aggregate view as text: per group the fields (share, per item, lift, with intervals), the plot
    words that stand out (by lift; the top k by share) and the top info items, then positive − negative
    and the time view."""
    from ..data import POLARITIES
    from ._stats.groups import EMPTY_GROUP, EMPTY_GROUP_KR, EmptyGroup
    from ._stats.shares import reference_reviews
    from ._stats.words import NOTHING_STANDS_OUT, NOTHING_STANDS_OUT_KR

    def lift_text(value: float | None) -> str:
        return f"{value:6.2f}" if value is not None else "     -"

    lines = [f"movie {aggregate.movie_id}: {aggregate.count()} reviews; words ranked by {score}"
             f" ({which} words); lift = share / share from {len(reference_reviews())} reference reviews"]
    for polarity in (None, *POLARITIES):
        group = aggregate.group(polarity)
        thin = " — thin: fewer than 5 reviews" if group.thin else ""
        lines.append(f"\n[{group.label}] {group.count} reviews{thin}")
        if group.empty:
            lines.append(f"  {EMPTY_GROUP_KR} ({EMPTY_GROUP})")
            continue
        lines.append("  field        items   share  per-item    lift  (lift 95% interval)")
        lines += [f"  {f.name:12s} {f.units:5d}  {f.share:6.3f}    {f.per_unit:6.2f}  {lift_text(f.lift)}"
                  + (" ({:.2f}, {:.2f})".format(*f.intervals["lift"]) if "lift" in f.intervals else "")
                  for f in aggregate.field_scores(group)]
        standing_out = score == "lift" and aggregate.plot_reference is not None
        plot_words = (aggregate.standing_out("plot", k, which=which, group=group) if standing_out
                      else aggregate.top_words("plot", k, group=group, score=score, which=which))
        lines.append("  plot words that stand out    share    lift  (95% interval)" if standing_out else "  top plot words        share    lift")
        lines += [f"  {s.word.text:18s} {s.share:6.3f}  {lift_text(s.lift)}" + (f"  ({s.low:.2f}, {s.high:.2f})" if s.low is not None else "")
                  for s in plot_words]
        if standing_out and not plot_words:
            lines.append(f"  {NOTHING_STANDS_OUT_KR} ({NOTHING_STANDS_OUT})")
        lines.append("  top info items        share    lift")
        lines += [f"  {s.word.text:18s} {s.share:6.3f}  {lift_text(s.lift)}" for s in aggregate.top_words("info", k, group=group, score=score)]
    lines.append("\npositive − negative (plot words that differ most; 95% bootstrap interval over reviews)")
    try:
        lines += [f"  {d.word.text:18s} {d.difference:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"
                  for d in aggregate.difference("plot", k, score=score, which=which)]
    except EmptyGroup as exc:
        lines.append(f"  {exc}")
    periods, trends = aggregate.time_view("plot", k, score=score, which=which)
    lines.append("\nby period" + ("" if periods else ": no dated reviews"))
    for period in periods:
        group = period.group
        state = f"{EMPTY_GROUP_KR} ({EMPTY_GROUP})" if group.empty else ", ".join(f"{f.name} {f.share:.2f}" for f in period.fields)
        lines.append(f"  {group.label:25s} {group.count:4d} reviews{' (thin)' if group.thin else ''}  {state}")
    if trends:
        lines.append("  words that rise (+) and fall (−) from the first to the last period")
        lines += [f"  {t.word.text:18s} {t.first:.4f} → {t.last:.4f} ({t.change:+.4f})" for t in trends]
    return "\n".join(lines)


def _aggregate_export(path: Path) -> bool:
    """Whether ``path`` holds an earlier ``aggregate --json`` or ``--csv`` export."""
    return starts_with(path, b'{"movie_id"') or starts_with(path, b"segment,")


def cmd_aggregate(args: argparse.Namespace) -> None:
    import pandas as pd

    dataset = _dataset(args.data)
    movie = dataset.movie(args.movie)
    targets = [Path(t) for t in (args.json, args.csv) if t]
    for target in targets:
        refuse_to_overwrite(target, args.force, _aggregate_export, "a previous 'aggregate' export")
    _check_engine(args)
    explorer = _explorer(args)
    if args.engine == "ray":
        settings, _ = explorer.usable_settings(_settings(args))  # its notice is the aggregate's
        _run_on_ray(args, explorer, _jobs([movie], settings, lambda m: dataset.reviews_of(m.id), reference=True))
    aggregate = explorer.movie_aggregate(movie, dataset.reviews_of(movie.id), _settings(args))
    _print_notices(aggregate.notices)
    print(format_aggregate(aggregate, args.k, args.score, args.words))
    if args.json:
        _write_json_atomically(Path(args.json), aggregate.summary(args.k, score=args.score, which=args.words))
        print(f"wrote {args.json}")
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(aggregate.word_rows(which=args.words)).to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")


def cmd_report(args: argparse.Namespace) -> None:
    from plotly.colors import named_colorscales
    from tqdm import tqdm

    from ..registry import choose
    from ._draw.html_report import collect, is_report, write_report, write_site

    choose("colormap", args.cmap.lower().removesuffix("_r"), named_colorscales())  # before anything is computed
    dataset = _dataset(args.data)
    data = Path(args.data).resolve().name
    if args.site is None:
        movie = dataset.movie(args.movie)
        refuse_to_overwrite(Path(args.out), args.force, is_report, "a previous 'report'")
    explorer = _explorer(args)
    settings = _usable_settings(explorer, args)
    started = time.perf_counter()
    with tqdm(unit="review", desc="report") as bar:
        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        if args.site is not None:
            entries = write_site(explorer, dataset, Path(args.site), settings, data=data, scale=args.scale, cmap=args.cmap,
                                 force=args.force, progress=advance)
            written = [e for e in entries if e.report is not None]
            summary = f"wrote {Path(args.site) / 'index.html'} and {len(written)} reports ({sum(e.size for e in written) / 1e6:.1f} MB)"
        else:
            report = collect(explorer, movie, dataset.reviews_of(movie.id), settings, data=data, progress=advance)
            size = write_report(report, Path(args.out), scale=args.scale, cmap=args.cmap)
            summary = f"wrote {args.out}: {movie.label}, {len(report.reviews)} reviews, {size / 1e6:.2f} MB"
    print(f"{summary} in {time.perf_counter() - started:.0f} s")


def cmd_evaluate(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from ._evaluation.evaluation import evaluate
    from ._evaluation.grid_report import report, write_csv, write_quality_resource

    dataset = _dataset(args.data)
    movie_ids = [dataset.movie(m).id for m in args.movies.split(",")] if args.movies else None
    for target in filter(None, (args.out, args.quality_out)):
        refuse_to_overwrite(Path(target), args.force, lambda p: starts_with(p, EVALUATION_HEADER), "a previous 'evaluate' table")
    _check_engine(args)
    if args.engine == "ray" and not args.aggregate:
        raise ValueError(
            "--engine ray runs 'evaluate --aggregate'; the settings grid reads every review's full attention maps "
            "(too large to stream) and runs on the local engine"
        )
    explorer = _explorer(args)
    settings = _usable_settings(explorer, args)
    started = time.perf_counter()
    if args.engine == "ray":  # every candidate measure's reviews in one run
        movies = [dataset.movie(m) for m in (movie_ids or list(dataset.movies))]
        first_reviews = lambda m: dataset.reviews_of(m.id)[: args.limit_reviews]
        candidates = [explorer.usable_settings(s)[0] for _, s in _measure_candidates(settings, args.measures)]
        _run_on_ray(args, explorer, [job for s in candidates for job in _jobs(movies, s, first_reviews, reference=True)])
    if args.faithfulness:
        _evaluate_faithfulness(args, explorer, dataset, movie_ids, settings)
        return
    with tqdm(unit="review", desc="evaluate") as bar:
        def advance(done: int, label: str) -> None:
            bar.update(done - bar.n)
            bar.set_postfix_str(label)

        if args.aggregate:
            _evaluate_aggregate(args, explorer, dataset, movie_ids, settings, advance, started)
            return
        result = evaluate(
            explorer, dataset, movie_ids, base=settings,
            limit_reviews=args.limit_reviews, mentions_only=not args.all_reviews, deletion=not args.no_deletion,
            progress=advance,
        )
    text, rows, _ = report(result)
    print(text)
    write_csv(rows, args.out)
    if args.quality_out:
        write_quality_resource(rows, args.quality_out)
    print(f"wrote {args.out}; {result.n_reviews} reviews in {time.perf_counter() - started:.0f} s")


def _evaluate_faithfulness(args: argparse.Namespace, explorer, dataset: Dataset, movie_ids, settings: Settings) -> None:
    from ._evaluation import faithfulness
    from ._evaluation.grid_report import write_csv

    measures = args.measures.split(",") if args.measures else faithfulness.MEASURES
    result = faithfulness.run(explorer, dataset, movie_ids, measures=measures, n_reviews=args.faithfulness, base=settings,
                              progress=lambda label, seconds: print(f"{seconds:.0f} s {label}", file=sys.stderr))
    print(faithfulness.report(result, measures))
    if args.quality_out:
        write_csv(faithfulness.quality_rows(result, measures, explorer.model.name), args.quality_out)


def _measure_candidates(settings: Settings, names: str | None) -> list[tuple[str, Settings]]:
    """(name, settings) per measure to score: today's attention, or the named measures of the registry."""
    if not names:
        return [(settings.measure, settings)]
    return [(name, replace(settings, measure=name).validate()) for name in names.split(",")]


def _evaluate_aggregate(args: argparse.Namespace, explorer, dataset: Dataset, movie_ids, settings: Settings, advance, started: float) -> None:
    from ._evaluation.evaluation_aggregate import collect, cross_validate, format_report, report_rows
    from ._evaluation.grid_report import write_csv
    from ._evaluation.quality import AGGREGATE_COLUMNS

    rows: list[dict[str, Any]] = []
    n_reviews = 0
    for measure, candidate in _measure_candidates(settings, args.measures):
        evidence = collect(explorer, dataset, movie_ids, candidate, limit_reviews=args.limit_reviews,
                           deletion=not args.no_deletion, progress=advance)
        result = cross_validate(evidence, rule=args.rule)
        n_reviews = result.n_reviews
        print(f"[{measure}]\n{format_report(result, explorer.model.name)}\n")
        rows += [{**row, "setting": f"{measure}/{row['setting']}", "default": row["default"] and candidate.measure == Settings().measure}
                 for row in report_rows(result, explorer.model.name)]
    write_csv(rows, args.out)
    if args.quality_out:
        write_csv([{k: r.get(k, "") for k in AGGREGATE_COLUMNS} for r in rows if r["scope"] == "all"], args.quality_out)
    print(f"wrote {args.out}; {n_reviews} reviews per measure in {time.perf_counter() - started:.0f} s")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the explorer's commands to the root parser."""
    movies = subparsers.add_parser("movies", help="list the movies of a dataset folder")
    _add_data_argument(movies)
    movies.set_defaults(run=cmd_movies)

    show = subparsers.add_parser("show", help="render one review's two heatmaps to PNG")
    _add_data_argument(show)
    show.add_argument("--movie", required=True, help="movie id (see 'movies')")
    which = show.add_mutually_exclusive_group()
    which.add_argument("--review", type=int, default=0, help="index of the movie's review (0 = newest)")
    which.add_argument("--text", help="your own review text instead")
    show.add_argument("--out-dir", default="heatmaps")
    _add_colour_arguments(show)
    show.add_argument("--force", action="store_true", help="overwrite files at the output paths that are not earlier heatmaps")
    _add_settings_arguments(show)
    show.set_defaults(run=cmd_show)

    precompute = subparsers.add_parser("precompute", help="per-movie and per-review attention of a dataset as JSON")
    _add_data_argument(precompute)
    precompute.add_argument("--out", required=True)
    precompute.add_argument("--movies", help="comma-separated movie ids (default: all)")
    precompute.add_argument("--restart", action="store_true", help="ignore movies already in --out")
    precompute.add_argument("--force", action="store_true", help="overwrite --out even if it is not an earlier precompute output")
    _add_settings_arguments(precompute)
    _add_engine_arguments(precompute)
    precompute.set_defaults(run=cmd_precompute)

    from ._stats.scores import DEFAULT_SCORE, SCORES
    from ._stats.words import DEFAULT_WORDS, WORD_SETS

    aggregate = subparsers.add_parser("aggregate", help="a movie's aggregate over all its reviews: fields, words, groups, time")
    _add_data_argument(aggregate)
    aggregate.add_argument("--movie", required=True, help="movie id (see 'movies')")
    aggregate.add_argument("--k", type=int, default=10, help="words per list")
    aggregate.add_argument("--score", choices=SCORES, default=DEFAULT_SCORE, help="rank words by raw share or by lift")
    aggregate.add_argument(
        "--words", choices=WORD_SETS, default=DEFAULT_WORDS,
        help="plot words ranked: those that may lead the view (nouns, Latin-script words: docs/evaluation.md), every content word, or all",
    )
    aggregate.add_argument("--json", help="write what is printed as JSON here")
    aggregate.add_argument("--csv", help="write every word's share and lift per group as CSV here")
    aggregate.add_argument("--force", action="store_true", help="overwrite --json / --csv even if they are not earlier exports")
    _add_settings_arguments(aggregate)
    _add_engine_arguments(aggregate)
    aggregate.set_defaults(run=cmd_aggregate)

    report = subparsers.add_parser(
        "report", help="a movie's report as one self-contained HTML file (interactive heatmaps, no server, no network); "
        "--site: one per movie and an index",
    )
    _add_data_argument(report)
    what = report.add_mutually_exclusive_group(required=True)
    what.add_argument("--movie", help="movie id (see 'movies')")
    what.add_argument("--site", metavar="DIR", help="write DIR/index.html and one report per movie of the dataset")
    report.add_argument("--out", default="report.html", help="the report of --movie")
    _add_colour_arguments(report)
    report.add_argument("--force", action="store_true", help="overwrite files that are not earlier reports")
    _add_settings_arguments(report)
    report.set_defaults(run=cmd_report)

    evaluate = subparsers.add_parser("evaluate", help="score every attention setting against review mentions (explanation quality)")
    _add_data_argument(evaluate)
    evaluate.add_argument("--movies", help="comma-separated movie ids (default: all)")
    evaluate.add_argument("--out", default="evaluation.csv", help="CSV table of every setting")
    evaluate.add_argument("--limit-reviews", type=int, help="at most N reviews per movie")
    evaluate.add_argument("--all-reviews", action="store_true", help="also reviews without any mention (default: skip them)")
    evaluate.add_argument("--no-deletion", action="store_true", help="skip the deletion (embedding) test")
    evaluate.add_argument("--quality-out", help="also write the app's quality-note table here")
    evaluate.add_argument(
        "--aggregate", action="store_true",
        help="score the movie aggregate's views (positions or words, share or lift) on every review of each movie",
    )
    evaluate.add_argument("--rule", choices=LEADING_RULES, default=DEFAULT_LEADING_RULE,
                          help="with --aggregate: the app's leading words (shipped) or learnt on each fold (learned)")
    evaluate.add_argument("--faithfulness", type=int, metavar="N",
                          help="ERASER comprehensiveness, sufficiency and tau against leave-one-out on N reviews per movie (sha256 order)")
    evaluate.add_argument("--measures", help="with --aggregate: comma-separated measures of the registry (default: the settings' own)")
    evaluate.add_argument("--force", action="store_true", help="overwrite --out / --quality-out even if they are not earlier tables")
    _add_settings_arguments(evaluate)
    _add_engine_arguments(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)
