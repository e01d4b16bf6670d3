"""``moviattn sentiment ...``: train, explain, lexicon, similar, analogy, evaluate, faithfulness, and seed 003's
train-vectors, compare, pairs-eval, mislabelled, neutral, chain, transformer-speed.

Registered by the main CLI with ``sentiment.cli.register(subparsers)``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import DataError
from ..paths import refuse_to_overwrite
from .data import DEFAULT_DATA_DIR
from .training import TrainConfig

#: The report each writing command leaves in its ``--out`` folder, and keys that mark it as its own.
TRAIN_REPORT = ("metrics.json", {"train_config", "models"})
VECTORS_REPORT = ("seed003.json", {"target2vec_config", "analogy"})


def _report_of(path: Path, keys: set[str]) -> bool:
    """Whether ``path`` is a JSON object with ``keys`` (a previous run's report)."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(value, dict) and keys <= value.keys()


def check_out_folder(out: Path, force: bool, reports: list[tuple[str, set[str]]], what: str) -> None:
    """Refuse an ``--out`` that is a file, or a non-empty folder holding none of ``reports`` (so not a previous
    output of the command, which it replaces), unless ``force``: a mistyped ``--out`` must not overwrite
    someone's files (``precompute`` does the same for its file)."""
    if force or not out.exists():
        return
    if not out.is_dir():
        raise DataError(str(out), "exists and is not a folder; not writing into it (choose another path, or add --force)")
    for name, keys in reports:
        if (out / name).exists():
            refuse_to_overwrite(out / name, force, lambda p, keys=keys: _report_of(p, keys), what)
            return
    if any(out.iterdir()):
        raise DataError(str(out), f"is not empty and holds no {what}; not writing into it (choose another folder, or add --force)")


def _train(args: argparse.Namespace) -> None:
    from .pipeline import format_report, train_all

    check_out_folder(Path(args.out), args.force, [TRAIN_REPORT], "previous 'sentiment train' output")
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

    if args.rebuild:
        from .pipeline import rebuild_lexicons

        for path in rebuild_lexicons(Path(args.data)):
            print(f"wrote {path}")
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


def _train_vectors(args: argparse.Namespace) -> None:
    from .pipeline import format_seed003, train_vectors

    check_out_folder(Path(args.out), args.force, [VECTORS_REPORT, TRAIN_REPORT], "previous 'sentiment train' or 'train-vectors' output")
    print(format_seed003(train_vectors(Path(args.data), Path(args.out))))


def _compare(args: argparse.Namespace) -> None:
    from .artifacts import shipped_seed003, shipped_target2vec3
    from .pipeline import comparison_markdown

    table = shipped_seed003()["comparison"]
    key = shipped_target2vec3().resolve(args.word) if shipped_target2vec3().knows(args.word) else args.word
    if key not in table:
        raise ValueError(f"no stored comparison for {args.word!r}; stored words: {', '.join(w.rsplit('/', 1)[0] for w in table)}")
    print(comparison_markdown(key, table[key], args.k))


def _pairs_eval(args: argparse.Namespace) -> None:
    from .artifacts import shipped_seed003, shipped_target2vec, shipped_target2vec3
    from .pipeline import format_seed003
    from .polarity import analogy_accuracy, load_pairs, neighbourhood_purity

    if args.pairs is None:
        print(format_seed003(shipped_seed003()).split("\n\n")[0])
        return
    pairs = load_pairs(Path(args.pairs))
    for name, space in (("target2vec", shipped_target2vec3()), ("target2vec_binary_shipped", shipped_target2vec())):
        print(name, analogy_accuracy(space, pairs), neighbourhood_purity(space, pairs))


def _mislabelled(args: argparse.Namespace) -> None:
    from .artifacts import shipped_seed003

    for rank, row in enumerate(shipped_seed003()["mislabelled"][: args.k], start=1):
        label = "긍정" if row["label"] == 1 else "부정"
        print(f"{rank:>3}  {row['margin']:.4f}  {label}  {row['text']}")


def _neutral(args: argparse.Namespace) -> None:
    import pandas as pd

    from .artifacts import shipped_seed003

    print(pd.DataFrame(shipped_seed003()["neutral_words"]).head(args.k).to_string())


def _chain(args: argparse.Namespace) -> None:
    from .chain import phrase_chain

    chain = phrase_chain(args.text, args.model)
    print(f"{chain.model}: {chain.label} (P(positive) = {chain.positive_probability:.3f})")
    print(chain.text())


def _transformer_speed(args: argparse.Namespace) -> None:
    from .transformer import measure_speed

    print(measure_speed(batch_size=args.batch_size, steps=args.steps))


def _faithfulness(args: argparse.Namespace) -> None:
    from .pipeline import eraser_shipped, format_eraser

    print(format_eraser(eraser_shipped(Path(args.data), reviews=args.reviews)))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``sentiment`` command and its sub-commands to a parent CLI."""
    from .artifacts import WEIGHTS_DIR
    from .explain import ERASER_REVIEWS, MODEL_EXPLAINERS
    from .lexicon import METHODS

    parser = subparsers.add_parser("sentiment", help="Bi-LSTM attention / TextCNN Grad-CAM sentiment explainers")
    commands = parser.add_subparsers(dest="sentiment_command", required=True)

    train = commands.add_parser("train", help="reproduce every shipped artefact (weights, vocab, lexicons, Target2Vec)")
    train.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="folder with train.tsv and test.tsv")
    train.add_argument("--out", default=str(WEIGHTS_DIR), help="where to write the artefacts")
    train.add_argument("--seed", type=int, default=13)
    train.add_argument("--max-epochs", type=int, default=TrainConfig.max_epochs)
    train.add_argument("--force", action="store_true", help="write into --out even if it is not an earlier output folder")
    train.set_defaults(run=_train)

    explain = commands.add_parser("explain", help="both models' verdicts and word importances for a review")
    explain.add_argument("text")
    explain.add_argument("--model", action="append", choices=list(MODEL_EXPLAINERS), help="default: every one")
    explain.set_defaults(run=_explain)

    lexicon = commands.add_parser("lexicon", help="top positive / negative words side by side")
    lexicon.add_argument("--method", nargs="+", default=list(METHODS), choices=METHODS)
    lexicon.add_argument("-k", type=int, default=15)
    lexicon.add_argument("--rebuild", action="store_true",
                         help="first write the shipped lexicons again from test.tsv (shipped vocabulary and TextCNN)")
    lexicon.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="folder with test.tsv (for --rebuild)")
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

    eraser = commands.add_parser("faithfulness", help="ERASER / ferret measures (AOPC comprehensiveness and sufficiency, "
                                 "Kendall tau against leave-one-out) of both explanations beside random and reading order")
    eraser.add_argument("--data", default=str(DEFAULT_DATA_DIR))
    eraser.add_argument("--reviews", type=int, default=ERASER_REVIEWS, help="the first N reviews of test.tsv (hash order)")
    eraser.set_defaults(run=_faithfulness)

    vectors = commands.add_parser("train-vectors", help="seed 003: three-label Target2Vec, gensim comparison, analogy, "
                                  "mislabelled, neutral words (rewrites weights/target2vec3.* and seed003.json)")
    vectors.add_argument("--data", default=str(DEFAULT_DATA_DIR), help="folder with train.tsv, neutral_train.tsv, test.tsv")
    vectors.add_argument("--out", default=str(WEIGHTS_DIR))
    vectors.add_argument("--force", action="store_true", help="write into --out even if it is not an earlier output folder")
    vectors.set_defaults(run=_train_vectors)

    compare = commands.add_parser("compare", help="doc2vec / doc2vec(N) / doc2vec(P) / word2vec / Target2Vec neighbours of a word")
    compare.add_argument("word")
    compare.add_argument("-k", type=int, default=10)
    compare.set_defaults(run=_compare)

    pairs = commands.add_parser("pairs-eval", help="analogy accuracy and purity on the polarity pair list")
    pairs.add_argument("--pairs", help="your own negative<TAB>positive list (scored on the shipped Target2Vec vectors)")
    pairs.set_defaults(run=_pairs_eval)

    mis = commands.add_parser("mislabelled", help="test reviews closer to the other label's vector, by margin")
    mis.add_argument("-k", type=int, default=30)
    mis.set_defaults(run=_mislabelled)

    neutral = commands.add_parser("neutral", help="words used in both polarities, with their shares")
    neutral.add_argument("-k", type=int, default=30)
    neutral.set_defaults(run=_neutral)

    chain = commands.add_parser("chain", help="which words carry a review's verdict and what they are about")
    chain.add_argument("text")
    chain.add_argument("--model", default=next(iter(MODEL_EXPLAINERS)), choices=list(MODEL_EXPLAINERS))
    chain.set_defaults(run=_chain)

    speed = commands.add_parser("transformer-speed", help="fine-tuning speed of the offline encoder (examples/s)")
    speed.add_argument("--batch-size", type=int, default=16)
    speed.add_argument("--steps", type=int, default=5)
    speed.set_defaults(run=_transformer_speed)
