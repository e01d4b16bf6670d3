"""``moviattn evaluate``: the heatmap settings grid, ``--aggregate`` (the aggregate views by
cross-validation) or ``--faithfulness`` (ERASER measures), with their tables."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...data import Dataset
from ...paths import refuse_to_overwrite, starts_with
from .._compute.choices import DEFAULT_LEADING_RULE, LEADING_RULES
from .._compute.settings import Settings
from .arguments import (
    _add_data_argument,
    _add_run_arguments,
    _check_engine,
    _dataset,
    _explorer,
    _jobs,
    _run_on_ray,
    _usable_settings,
)

EVALUATION_HEADER = b"model,setting"


def cmd_evaluate(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from .._evaluation.evaluation import evaluate
    from .._evaluation.grid_report import grid_tables, write_csv, write_quality_resource

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
    text, rows, _ = grid_tables(result)
    print(text)
    write_csv(rows, args.out)
    if args.quality_out:
        write_quality_resource(rows, args.quality_out)
    print(f"wrote {args.out}; {result.n_reviews} reviews in {time.perf_counter() - started:.0f} s")


def _evaluate_faithfulness(args: argparse.Namespace, explorer, dataset: Dataset, movie_ids, settings: Settings) -> None:
    from .._evaluation import faithfulness
    from .._evaluation.grid_report import write_csv

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
    from .._evaluation.aggregate_tables import format_report, report_rows
    from .._evaluation.evaluation_aggregate import collect, cross_validate
    from .._evaluation.grid_report import write_csv
    from .._evaluation.quality import AGGREGATE_COLUMNS
    from .._evaluation.recall_breakdown import format_breakdown, pairs

    rows: list[dict[str, Any]] = []
    n_reviews = 0
    for measure, candidate in _measure_candidates(settings, args.measures):
        evidence = collect(explorer, dataset, movie_ids, candidate, limit_reviews=args.limit_reviews,
                           deletion=not args.no_deletion, progress=advance)
        result = cross_validate(evidence, rule=args.rule)
        n_reviews = result.n_reviews
        print(f"[{measure}]\n{format_report(result, explorer.model.name)}\n\n{format_breakdown(pairs(evidence, leading=result.leading))}\n")
        rows += [{**row, "setting": f"{measure}/{row['setting']}", "default": row["default"] and candidate.measure == Settings().measure}
                 for row in report_rows(result, explorer.model.name)]
    write_csv(rows, args.out)
    if args.quality_out:
        write_csv([{k: r.get(k, "") for k in AGGREGATE_COLUMNS} for r in rows if r["scope"] == "all"], args.quality_out)
    print(f"wrote {args.out}; {n_reviews} reviews per measure in {time.perf_counter() - started:.0f} s")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` to the root parser."""
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
    _add_run_arguments(evaluate)
    evaluate.set_defaults(run=cmd_evaluate)
