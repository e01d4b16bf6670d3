"""``moviattn sentiment ...``: train, explain, lexicon, similar, analogy, evaluate.

Registered by the main CLI with ``sentiment.cli.register(subparsers)``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .data import DEFAULT_DATA_DIR
from .training import TrainConfig


def _train(args: argparse.Namespace) -> None:
    from .pipeline import format_report, train_all

    metrics = train_all(Path(args.data), Path(args.out), TrainConfig(seed=args.seed, max_epochs=args.max_epochs))
    print(format_report(metrics))


def _explain(args: argparse.Namespace) -> None:
    from .explain import MODEL_EXPLAINERS, explain_sentiment

    for name in args.model or list(MODEL_EXPLAINERS):
        result = explain_sentiment(args.text, name)
        print(f"{name}: {result.label} (P(positive) = {result.positive_probability:.3f})")
        for token, score in zip(result.tokens, result.importance):
            print(f"  {token:<20} {'#' * round(20 * score):<20} {score:.2f}")


def _lexicon(args: argparse.Namespace) -> None:
    import pandas as pd

    from .lexicon import lexicon_table

    for polarity in ("positive", "negative"):
        tables = {m: lexicon_table(m, polarity, args.k)["word"] for m in args.method}
        print(f"\n{polarity}\n" + pd.DataFrame(tables).to_string())


def _similar(args: argparse.Namespace) -> None:
    from . import similar_words

    for word, score in similar_words(args.word, args.k):
        print(f"{word}\t{score:.3f}")


def _analogy(args: argparse.Namespace) -> None:
    from . import analogy

    for word, score in analogy(args.a, args.b, args.c, args.k):
        print(f"{word}\t{score:.3f}")


def _evaluate(args: argparse.Namespace) -> None:
    from .pipeline import evaluate_shipped, format_report

    print(format_report(evaluate_shipped(Path(args.data))))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sentiment`` command and its sub-commands to a parent CLI."""
    from .artifacts import WEIGHTS_DIR
    from .lexicon import METHODS

    parser = subparsers.add_parser("sentiment", help="Bi-LSTM attention / TextCNN Grad-CAM sentiment explainers")
    commands = parser.add_subparsers(dest="sentiment_command", required=True)

    train = commands.add_parser("train", help="reproduce every shipped artefact (weights, vocab, lexicons, Target2Vec)")
    train.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="folder with train.tsv and test.tsv")
    train.add_argument("--out", default=str(WEIGHTS_DIR), help="where to write the artefacts")
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--max-epochs", type=int, default=TrainConfig.max_epochs)
    train.set_defaults(run=_train)

    explain = commands.add_parser("explain", help="both models' verdicts and word importances for a review")
    explain.add_argument("text")
    explain.add_argument("--model", action="append", choices=["bilstm_attention", "textcnn"])
    explain.set_defaults(run=_explain)

    lexicon = commands.add_parser("lexicon", help="top positive / negative words side by side")
    lexicon.add_argument("--method", nargs="+", default=list(METHODS), choices=METHODS)
    lexicon.add_argument("-k", type=int, default=15)
    lexicon.set_defaults(run=_lexicon)

    similar = commands.add_parser("similar", help="Target2Vec nearest words")
    similar.add_argument("word")
    similar.add_argument("-k", type=int, default=10)
    similar.set_defaults(run=_similar)

    analogy = commands.add_parser("analogy", help="Target2Vec analogy a : b = c : ?")
    for name in ("a", "b", "c"):
        analogy.add_argument(name)
    analogy.add_argument("-k", type=int, default=5)
    analogy.set_defaults(run=_analogy)

    evaluate = commands.add_parser("evaluate", help="test accuracy and faithfulness of the shipped weights")
    evaluate.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    evaluate.set_defaults(run=_evaluate)
