"""``moviattn diary ...``: recommend (a diary → three movies), train (reproduce ``weights/``), evaluate.

Registered by the main CLI with ``recommend.diary.cli.register(subparsers)``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ...paths import default_data_dir
from .genres import DEFAULT_VARIANT, VARIANTS
from .recommend import DEFAULT_MODE, MODES


def _bar(value: float, width: int = 20) -> str:
    return "#" * round(width * value)


def _recommend(args: argparse.Namespace) -> None:
    from ...fetch import open_data
    from . import shipped_recommender
    from .kote import EMOTIONS_KR

    result = shipped_recommender(args.model).recommend(args.text, open_data(args.data)[0], args.mode, args.model2, args.k)
    for line in result.notices:
        print(f"note: {line}")
    print("emotions (model1):")
    for emotion, value in result.analysis.emotion_dict().items():
        print(f"  {emotion:<9}{EMOTIONS_KR[emotion]:<4}{_bar(value):<21}{value:.2f}")
    print(f"genres ({result.model2}):", ", ".join(f"{g} {p:.2f}" for g, p in sorted(result.genre_probabilities.items(), key=lambda kv: -kv[1])[:5]))
    print(f"top {len(result.picks)} (mode {result.mode}: {MODES[result.mode]}):")
    for rank, pick in enumerate(result.picks, start=1):
        profile = " ".join(f"{e} {v:.2f}" for e, v in pick.profile.items())
        print(f"{rank}. {pick.title} [{pick.movie_id}] score {pick.score:.3f}  genres: {', '.join(pick.genres) or '-'}")
        print(f"   reviews' mean emotions: {profile}")
        for text, _ in pick.reviews:
            print(f"   · {text}")


def _train(args: argparse.Namespace) -> None:
    from .reproduce import format_report, train_all

    print(format_report(train_all(Path(args.out), args.model, args.seed)))


def _evaluate(args: argparse.Namespace) -> None:
    from .reproduce import evaluate_shipped, format_report

    print(format_report(evaluate_shipped(args.model)))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diary`` command and its sub-commands to a parent CLI."""
    from .artifacts import WEIGHTS_DIR

    parser = subparsers.add_parser("diary", help="diary → emotions → genres → three movies (KOTE-trained, offline)")
    commands = parser.add_subparsers(dest="diary_command", required=True)

    recommend = commands.add_parser("recommend", help="three movies for a Korean diary entry, with the reasons")
    recommend.add_argument("text", help="the diary entry (Korean)")
    recommend.add_argument("--data", default=default_data_dir(), help="catalogue: a dataset folder (default: $MOVIATTN_DATA or the sample)")
    recommend.add_argument("--mode", default=DEFAULT_MODE, choices=list(MODES), help="a: genres (seed), b: emotion profiles (H1), c: blend")
    recommend.add_argument("--model2", default=DEFAULT_VARIANT, choices=list(VARIANTS), help="emotions → genres model (modes a and c)")
    recommend.add_argument("-k", type=int, default=3)
    recommend.add_argument("--model", default="offline", help="encoder the emotion head was trained on")
    recommend.set_defaults(run=_recommend)

    train = commands.add_parser("train", help="reproduce weights/ and metrics.json (needs ../shared/data/kote and nsmc)")
    train.add_argument("--out", default=str(WEIGHTS_DIR))
    train.add_argument("--seed", type=int, default=12)
    train.add_argument("--model", default="offline", help="the encoder to train the heads on")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="re-measure the shipped weights (KOTE test split, NSMC folds, diaries)")
    evaluate.add_argument("--model", default="offline")
    evaluate.set_defaults(run=_evaluate)
