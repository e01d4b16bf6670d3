"""End-to-end reproduction of every shipped artefact, and the evaluation report.

``train_all`` runs, in order: tokenise (cached), split a validation set off train, build
the vocabulary, train Target2Vec, train the three classifiers (input embeddings initialised
from the Target2Vec vectors and fine-tuned), measure test
accuracy and deletion faithfulness, build the lexicons and the Target2Vec example queries,
and writes it all under ``weights/`` (``metrics.json`` is rewritten after every stage).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from .artifacts import METRICS_FILE, TARGET2VEC_STEM, VOCAB_FILE, WEIGHTS_DIR, read_model, save_model
from .data import DEFAULT_DATA_DIR, Corpus, Vocab, load_split, token_ids, train_valid_indices
from .explain import EXPLAINERS, MODEL_EXPLAINERS, deletion_faithfulness
from .lexicon import gradcam_lexicon, lexicon_path, logodds_lexicon, tfidf_lexicon
from .models import build_model
from .target2vec import Target2Vec, Target2VecConfig, train_target2vec
from .training import TrainConfig, accuracy, encode_all, seed_everything, train_classifier

SEED = 13
VALID_FRACTION = 0.1
MIN_FREQ = 3
#: Subword grams (syllable uni-/bigrams, tags) seen at least this often in train get a vector.
GRAM_MIN_COUNT = 5
LEXICON_MIN_COUNT = 20
#: Faithfulness is measured on the first reviews of test.tsv (its rows are in hash order, i.e. random).
FAITHFULNESS_REVIEWS = 10_000
#: Scale of the (unit-length) Target2Vec vectors that initialise the input embeddings: entries of about +-0.5.
EMBEDDING_SCALE = 5.0

#: Hyper-parameters of each classifier (the embedding size must match Target2Vec's), in training order.
CLASSIFIERS: dict[str, dict[str, object]] = {
    "bilstm_attention": {"embed_dim": 100, "hidden_dim": 128, "attention_dim": 128, "dropout": 0.5},
    "textcnn": {"embed_dim": 100, "filter_sizes": [3, 4, 5], "num_filters": 100, "dropout": 0.5},
    "bilstm": {"embed_dim": 100, "hidden_dim": 128, "dropout": 0.5},
}

#: Target2Vec example queries reported in the README: ("similar", word) or ("analogy", a, b, c) for a : b = c : ?.
TARGET2VEC_QUERIES: list[tuple[str, ...]] = [
    ("similar", "최악/Noun"),
    ("similar", "스토리/Noun"),
    ("similar", "부정"),
    ("similar", "긍정"),
    ("analogy", "부정", "최악/Noun", "긍정"),
    ("analogy", "부정", "노잼/Noun", "긍정"),
    ("analogy", "부정", "뻔한/Adjective", "긍정"),
    ("analogy", "긍정", "최고/Noun", "부정"),
]


@dataclass
class Splits:
    """Train / validation (from train.tsv) / test corpora and the train-only vocabulary."""

    train: Corpus
    valid: Corpus
    test: Corpus
    vocab: Vocab


def prepare(data_dir: Path = DEFAULT_DATA_DIR, vocab: Vocab | None = None) -> Splits:
    """Load and tokenise both TSVs, split validation off train; build the vocabulary from train unless given."""
    full_train = load_split(Path(data_dir) / "train.tsv")
    train_idx, valid_idx = train_valid_indices(len(full_train), VALID_FRACTION, SEED)
    train = full_train.subset(train_idx)
    vocab = vocab or Vocab.build(train.tokens, min_freq=MIN_FREQ, gram_min_count=GRAM_MIN_COUNT)
    return Splits(train, full_train.subset(valid_idx), load_split(Path(data_dir) / "test.tsv"), vocab)


def run_queries(t2v: Target2Vec, queries: list[tuple[str, ...]] = TARGET2VEC_QUERIES, k: int = 8) -> list[dict[str, object]]:
    """Answers to the example queries, as JSON-ready rows (an unknown word is reported, not raised)."""
    rows = []
    for kind, *words in queries:
        text = f"similar({words[0]})" if kind == "similar" else f"{words[0]} : {words[1]} = {words[2]} : ?"
        try:
            result = t2v.similar(words[0], k) if kind == "similar" else t2v.analogy(*words, k=k)
        except ValueError as exc:
            rows.append({"query": text, "error": str(exc)})
            continue
        rows.append({"query": text, "result": [[w, round(s, 3)] for w, s in result]})
    return rows


def _faithfulness(splits: Splits, models: dict[str, torch.nn.Module], config: TrainConfig) -> dict[str, list[dict[str, float]]]:
    test_x = encode_all(splits.vocab, splits.test.tokens[:FAITHFULNESS_REVIEWS], config.max_tokens)
    return {
        method: deletion_faithfulness(models[name], EXPLAINERS[method], test_x, seed=SEED)
        for name, method in MODEL_EXPLAINERS.items()
    }


def train_all(
    data_dir: Path = DEFAULT_DATA_DIR,
    out_dir: Path = WEIGHTS_DIR,
    config: TrainConfig = TrainConfig(seed=SEED),
    t2v_config: Target2VecConfig = Target2VecConfig(seed=SEED),
    log: Callable[[str], None] = print,
) -> dict[str, object]:
    """Reproduce every shipped artefact in ``out_dir``; returns (and writes) the metrics."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    splits = prepare(data_dir)
    log(f"data ready: {len(splits.train)} train / {len(splits.valid)} valid / {len(splits.test)} test, "
        f"vocab {len(splits.vocab)} ({time.perf_counter() - start:.0f}s)")
    splits.vocab.save(out_dir / VOCAB_FILE)
    train_x = encode_all(splits.vocab, splits.train.tokens, config.max_tokens)
    valid_x = encode_all(splits.vocab, splits.valid.tokens, config.max_tokens)
    test_x = encode_all(splits.vocab, splits.test.tokens, config.max_tokens)

    t2v, t2v_seconds = train_target2vec(splits.vocab, [token_ids(x) for x in train_x], splits.train.labels, t2v_config, log)
    t2v.save(out_dir / TARGET2VEC_STEM)
    pretrained = torch.as_tensor(t2v.vectors[: len(splits.vocab)]) * EMBEDDING_SCALE

    metrics: dict[str, object] = {
        "data": {
            "train": len(splits.train), "valid": len(splits.valid), "test": len(splits.test),
            "vocab": len(splits.vocab), "grams": len(splits.vocab.grams),
        },
        "train_config": asdict(config),
        "target2vec": {"config": asdict(t2v_config), "seconds": round(t2v_seconds, 1)},
        "models": {},
    }

    def checkpoint() -> None:
        metrics["total_seconds"] = round(time.perf_counter() - start, 1)
        (out_dir / METRICS_FILE).write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")

    metrics["target2vec_examples"] = run_queries(t2v)
    checkpoint()
    models = {}
    for name, hyper in CLASSIFIERS.items():
        log(f"training {name}")
        hyper = {**hyper, "n_grams": len(splits.vocab.grams)}
        seed_everything(config.seed)
        model = build_model(name, len(splits.vocab), **hyper)
        with torch.no_grad():
            model.embedding.tokens.weight.copy_(pretrained)
            model.embedding.tokens.weight[0].zero_()
        result = train_classifier(model, train_x, splits.train.labels, valid_x, splits.valid.labels, config, log)
        save_model(name, model, hyper, out_dir)
        models[name] = read_model(name, len(splits.vocab), out_dir)  # evaluate what is shipped (float16 round trip)
        test_acc = accuracy(models[name], test_x, splits.test.labels)
        log(f"{name}: test accuracy {test_acc:.4f}, {result.seconds:.0f}s")
        metrics["models"][name] = {  # type: ignore[index]
            "test_accuracy": test_acc, **result.to_dict(),
            "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        }
        checkpoint()
    metrics["faithfulness"] = _faithfulness(splits, models, config)
    checkpoint()
    for method, frame in (
        ("tfidf", tfidf_lexicon(splits.vocab, test_x, splits.test.labels, LEXICON_MIN_COUNT)),
        ("logodds", logodds_lexicon(splits.vocab, test_x, splits.test.labels, LEXICON_MIN_COUNT)),
        ("gradcam", gradcam_lexicon(splits.vocab, models["textcnn"], test_x, LEXICON_MIN_COUNT)),
    ):
        frame.groupby("polarity").head(500).to_csv(lexicon_path(method, out_dir), index=False)
    checkpoint()
    return metrics


def evaluate_shipped(data_dir: Path = DEFAULT_DATA_DIR, weights_dir: Path = WEIGHTS_DIR) -> dict[str, object]:
    """Test accuracy of every shipped classifier and the faithfulness of both explanations, recomputed."""
    vocab = Vocab.load(weights_dir / VOCAB_FILE)
    splits = prepare(data_dir, vocab)
    config = TrainConfig(seed=SEED)
    models = {name: read_model(name, len(vocab), weights_dir) for name in CLASSIFIERS}
    test_x = encode_all(vocab, splits.test.tokens, config.max_tokens)
    return {
        "models": {name: {"test_accuracy": accuracy(m, test_x, splits.test.labels)} for name, m in models.items()},
        "faithfulness": _faithfulness(splits, models, config),
    }


def format_report(metrics: dict[str, object]) -> str:
    """Markdown tables of accuracy (with training time where known) and faithfulness."""
    lines = ["| model | test accuracy | best epoch / run | training time |", "|---|---|---|---|"]
    for name, m in metrics["models"].items():  # type: ignore[union-attr]
        epochs = f"{m['best_epoch']} / {m['epochs_run']}" if "best_epoch" in m else "-"
        seconds = f"{m['seconds'] / 60:.1f} min" if "seconds" in m else "-"
        lines.append(f"| {name} | {100 * m['test_accuracy']:.2f}% | {epochs} | {seconds} |")
    lines += ["", "| explanation | k | reviews | drop, top-k deleted | drop, k random deleted |", "|---|---|---|---|---|"]
    for method, rows in metrics["faithfulness"].items():  # type: ignore[union-attr]
        for r in rows:
            lines.append(f"| {method} | {r['k']} | {r['n']} | {r['explanation_drop']:.4f} | {r['random_drop']:.4f} |")
    return "\n".join(lines)
