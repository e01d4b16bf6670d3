"""End-to-end reproduction of every shipped artefact, and the evaluation report.

``train_all`` runs, in order: tokenise (cached), split a validation set off train, build
the vocabulary, train Target2Vec, train the three classifiers (input embeddings initialised
from the Target2Vec vectors and fine-tuned), measure test
accuracy and deletion faithfulness, build the lexicons and the Target2Vec example queries,
and writes it all under ``weights/`` (``metrics.json`` is rewritten after every stage).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from .artifacts import (
    METRICS_FILE,
    SEED003_FILE,
    TARGET2VEC3_STEM,
    TARGET2VEC_STEM,
    VOCAB_FILE,
    WEIGHTS_DIR,
    read_model,
    save_model,
)
from .data import DEFAULT_DATA_DIR, TOKENISER_VERSION, Corpus, Encoded, Vocab, cache_dir, load_split, token_ids, train_valid_indices
from .explain import ERASER_REVIEWS, EXPLAINERS, MODEL_EXPLAINERS, deletion_faithfulness, eraser_faithfulness
from .lexicon import gradcam_lexicon, lexicon_path, logodds_lexicon, tfidf_lexicon
from .models import build_model
from .target2vec import LABEL_TOKENS, Target2Vec, Target2VecConfig, train_target2vec
from .training import TrainConfig, accuracy, encode_all, seed_everything, train_classifier

SEED = 13
VALID_FRACTION = 0.1
MIN_FREQ = 3
#: Subword grams (syllable uni-/bigrams, tags) seen at least this often in train get a vector.
GRAM_MIN_COUNT = 5
LEXICON_MIN_COUNT = 20
#: Words of each polarity a shipped lexicon keeps.
LEXICON_ROWS = 500
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

#: Target2Vec example queries reported in docs/sentiment.md: ("similar", word) or ("analogy", a, b, c) for a : b = c : ?.
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
    write_lexicons(splits.vocab, test_x, splits.test.labels, models["textcnn"], out_dir)
    checkpoint()
    return metrics


def write_lexicons(vocab: Vocab, test_x: Sequence[Encoded], labels: np.ndarray, textcnn: torch.nn.Module, out_dir: Path) -> list[Path]:
    """The three lexicons over the encoded test set, the top ``LEXICON_ROWS`` words of each polarity, as CSVs."""
    paths = []
    for method, frame in (
        ("tfidf", tfidf_lexicon(vocab, test_x, labels, LEXICON_MIN_COUNT)),
        ("logodds", logodds_lexicon(vocab, test_x, labels, LEXICON_MIN_COUNT)),
        ("gradcam", gradcam_lexicon(vocab, textcnn, test_x, LEXICON_MIN_COUNT)),
    ):
        paths.append(lexicon_path(method, out_dir))
        frame.groupby("polarity").head(LEXICON_ROWS).to_csv(paths[-1], index=False)
    return paths


def rebuild_lexicons(data_dir: Path = DEFAULT_DATA_DIR, weights_dir: Path = WEIGHTS_DIR) -> list[Path]:
    """The lexicons of ``weights_dir`` written again from its vocabulary and TextCNN over ``test.tsv`` (what
    ``train_all`` writes last, without training anything): after a change to how lexicons are built."""
    weights_dir = Path(weights_dir)
    vocab = Vocab.load(weights_dir / VOCAB_FILE)
    test = load_split(Path(data_dir) / "test.tsv")
    test_x = encode_all(vocab, test.tokens, TrainConfig(seed=SEED).max_tokens)
    return write_lexicons(vocab, test_x, test.labels, read_model("textcnn", len(vocab), weights_dir), weights_dir)


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


def eraser_shipped(
    data_dir: Path = DEFAULT_DATA_DIR, weights_dir: Path = WEIGHTS_DIR, reviews: int = ERASER_REVIEWS,
) -> dict[str, dict[str, dict[str, tuple[float, float, float]]]]:
    """The field's faithfulness measures of both shipped explanations and their baselines, on the first
    ``reviews`` reviews of ``test.tsv`` (hash order): ``{method: {ranking: {measure: (mean, low, high)}}}``."""
    vocab = Vocab.load(Path(weights_dir) / VOCAB_FILE)
    test = load_split(Path(data_dir) / "test.tsv")
    test_x = encode_all(vocab, test.tokens[:reviews], TrainConfig(seed=SEED).max_tokens)
    return {
        method: eraser_faithfulness(read_model(name, len(vocab), weights_dir), EXPLAINERS[method], test_x, seed=SEED)
        for name, method in MODEL_EXPLAINERS.items()
    }


def format_eraser(table: dict[str, dict[str, dict[str, tuple[float, float, float]]]]) -> str:
    """Markdown: one row per explanation and ranking, each measure with its 95 % interval."""
    lines = ["| explanation | ranking | aopc_compr ↑ | aopc_suff ↓ | taucorr_loo ↑ |", "|---|---|---|---|---|"]
    for method, rankings in table.items():
        for ranking, measures in rankings.items():
            cells = [f"{m:.3f} ({lo:.3f}, {hi:.3f})" for m, lo, hi in measures.values()]
            lines.append(f"| {method} | {ranking} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- seed 003 in full: three labels, the gensim comparison, analogy / purity, mislabelled, neutral words ---

#: Target2Vec on the three-label corpus (seed 003's E(t) = {부정, 긍정, 중립}): the binary model's settings
#: (1 epoch, vs gensim's 5: a 2-epoch run took over 15 minutes per half epoch on the loaded shared CPU).
TARGET2VEC3_CONFIG = Target2VecConfig(seed=SEED)
#: Words seen fewer times than this are left out of the shipped three-label vectors (size).
SHIP_MIN_COUNT = 20
#: The seed's own query words for the comparison table; the pair words are added to them.
SEED_QUERY_WORDS = ("최악", "뻔한", "이야기", "스토리", "노잼", "연기", "감독", "결말")
#: The seed's three quizzes (a : 부정 = ? : 긍정) and the answers the seed gives.
SEED_QUIZZES = {"최악": ("최고", "베스트"), "노잼": ("찼다", "레전드"), "뻔한": ("반전",)}
MISLABELLED_SHIPPED = 100
NEUTRAL_SHIPPED = 200


@dataclass
class ThreeLabelCorpus:
    """The train part of train.tsv (validation split off as for the classifiers) plus neutral_train.tsv."""

    train: Corpus
    valid: Corpus
    test: Corpus


def prepare_three_label(data_dir: Path = DEFAULT_DATA_DIR) -> ThreeLabelCorpus:
    """Load (cached tokens) and join the binary train part with the mid-rated reviews (label 2)."""
    full_train = load_split(Path(data_dir) / "train.tsv")
    train_idx, valid_idx = train_valid_indices(len(full_train), VALID_FRACTION, SEED)
    binary, neutral = full_train.subset(train_idx), load_split(Path(data_dir) / "neutral_train.tsv")
    train = Corpus(binary.texts + neutral.texts, binary.tokens + neutral.tokens, np.concatenate([binary.labels, neutral.labels]))
    return ThreeLabelCorpus(train, full_train.subset(valid_idx), load_split(Path(data_dir) / "test.tsv"))


def quiz_rows(spaces: dict[str, Target2Vec], k: int = 5) -> list[dict[str, object]]:
    """The seed's quizzes under every model with both label vectors: top ``k`` and the rank of the seed's answers."""
    rows = []
    for word, answers in SEED_QUIZZES.items():
        for name, space in spaces.items():
            if not {"<부정>", "<긍정>"} <= set(space.labels) or not space.knows(word):
                continue
            ranked = [(w, s) for w, s in space.analogy("부정", word, "긍정", k=len(space.words)) if w not in LABEL_TOKENS]
            order = [w for w, _ in ranked]
            ranks = {a: order.index(space.resolve(a)) + 1 if space.knows(a) and space.resolve(a) in order else None for a in answers}
            rows.append({"quiz": f"{word} : 부정 = ? : 긍정", "model": name,
                         "top": [[w, round(s, 3)] for w, s in ranked[:k]], "seed_answer_ranks": ranks})
    return rows


def _cached_space(name: str, settings: object, train: Callable[[], tuple[Target2Vec, float]]) -> tuple[Target2Vec, float]:
    """A trained model from the cache (keyed by name, settings and corpus), else trained and cached.

    Lets the gensim models and Target2Vec train in separate processes (``train_spaces(names=...)``) on a
    shared machine; the training seconds are cached with the model, so the report stays true."""
    key = hashlib.sha1(f"{name}|{settings!r}|{TOKENISER_VERSION}".encode()).hexdigest()[:12]
    path = cache_dir() / f"space-{name}-{key}.pkl"
    if path.exists():
        with path.open("rb") as fh:
            return pickle.load(fh)
    result = train()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return result


def train_spaces(
    corpus: ThreeLabelCorpus, names: Sequence[str] | None = None, log: Callable[[str], None] = print
) -> tuple[dict[str, Target2Vec], dict[str, float]]:
    """The comparison's models (gensim ones, then ``target2vec``) on the three-label corpus, cached; and their seconds."""
    from .vectors import GENSIM_MODELS, GensimSettings, train_gensim

    names = list(names or [*GENSIM_MODELS, "target2vec"])
    settings = GensimSettings(seed=SEED)
    spaces, seconds = {}, {}
    for name in names:
        log(f"training {name}")
        if name == "target2vec":
            vocab = Vocab.build(corpus.train.tokens, min_freq=settings.min_count)
            ids = [vocab.encode(doc) for doc in corpus.train.tokens]
            result = _cached_space(name, (TARGET2VEC3_CONFIG, settings.min_count, len(corpus.train)), lambda: train_target2vec(
                vocab, ids, corpus.train.labels, TARGET2VEC3_CONFIG, log, keep_contexts=True))
        else:
            result = _cached_space(name, (settings, len(corpus.train)), lambda: train_gensim(name, corpus.train.tokens, corpus.train.labels, settings))
        spaces[name], seconds[name] = result[0], round(result[1], 1)
        log(f"{name}: {seconds[name]:.0f}s")
    return spaces, seconds


def train_vectors(data_dir: Path = DEFAULT_DATA_DIR, out_dir: Path = WEIGHTS_DIR, log: Callable[[str], None] = print) -> dict[str, object]:
    """Reproduce the seed-003 artefacts: ``target2vec3.*`` and ``seed003.json`` (fixed seeds; the gensim models
    use one worker and a stable hash, so they are deterministic too)."""
    from .polarity import analogy_accuracy, label_scores, load_pairs, mislabelled, neighbourhood_purity, neutral_words
    from .vectors import GensimSettings, comparison

    out_dir = Path(out_dir)
    start = time.perf_counter()
    corpus = prepare_three_label(data_dir)
    counts = np.bincount(corpus.train.labels, minlength=3).tolist()
    log(f"three-label corpus: {counts} (neg, pos, neutral), {time.perf_counter() - start:.0f}s")
    spaces, seconds = train_spaces(corpus, log=log)
    t2v = spaces["target2vec"]
    shipped = t2v.pruned(SHIP_MIN_COUNT)
    shipped.save(out_dir / TARGET2VEC3_STEM)
    settings = GensimSettings(seed=SEED)
    binary = Target2Vec.load(out_dir / TARGET2VEC_STEM) if (out_dir / f"{TARGET2VEC_STEM}.npy").exists() else None

    pairs = load_pairs()
    measured = {**spaces, **({"target2vec_binary_shipped": binary} if binary else {})}
    words = list(dict.fromkeys([*SEED_QUERY_WORDS, *(w for p in pairs for w in (p.negative, p.positive))]))
    keys = [t2v.resolve(w) for w in words if t2v.knows(w)]
    scores = label_scores(t2v, corpus.test.tokens)
    flagged = mislabelled(scores, corpus.test.labels)
    valid_scores = label_scores(t2v, corpus.valid.tokens)
    metrics: dict[str, object] = {
        "corpus": {"negative": counts[0], "positive": counts[1], "neutral": counts[2], "vocab": len(t2v.words),
                   "shipped_words": len(shipped.words), "valid": len(corpus.valid), "test": len(corpus.test)},
        "target2vec_config": asdict(TARGET2VEC3_CONFIG), "gensim_settings": asdict(settings), "seconds": seconds,
        "pairs": len(pairs),
        "analogy": {name: analogy_accuracy(space, pairs) for name, space in measured.items()},
        "purity": {name: neighbourhood_purity(space, pairs) for name, space in measured.items()},
        "quizzes": quiz_rows(measured),
        # Target2Vec as a nearest-label classifier (neg vs pos): a check that the label vectors mean something
        "label_rule_accuracy": {"valid": float((valid_scores.argmax(1) == corpus.valid.labels).mean()),
                                "test": float((scores.argmax(1) == corpus.test.labels).mean())},
        "mislabelled_count": len(flagged),
        "mislabelled": [{"row": int(r.index), "text": corpus.test.texts[r.index], "label": int(r.label), "margin": round(float(r.margin), 4)}
                        for r in flagged.head(MISLABELLED_SHIPPED).itertuples()],
        "neutral_words": neutral_words(t2v, corpus.train.tokens, corpus.train.labels).head(NEUTRAL_SHIPPED).round(4).to_dict("records"),
        "comparison": comparison(spaces, keys),
    }
    metrics["total_seconds"] = round(time.perf_counter() - start, 1)
    (out_dir / SEED003_FILE).write_text(json.dumps(metrics, ensure_ascii=False, indent=1), encoding="utf-8")
    return metrics


def _cell(row: dict[str, float], key: str) -> str:
    return f"{100 * row[key]:.1f}" if key in row else "-"


def format_seed003(metrics: dict[str, object], query: str | None = None, k: int = 10) -> str:
    """Markdown tables of the seed-003 results: analogy accuracy and purity, the quizzes, and the comparison
    of one query word (``query``; the first stored word when None)."""
    lines = ["| model | pairs | neg→pos hit@1 | hit@5 | pos→neg hit@1 | hit@5 | purity words@5 | purity labels@5 |",
             "|---|---|---|---|---|---|---|---|"]
    for name, result in metrics["analogy"].items():  # type: ignore[union-attr]
        forward, backward = result["negative→positive"], result["positive→negative"]
        purity = metrics["purity"][name]  # type: ignore[index]
        lines.append(f"| {name} | {forward['n']} | {_cell(forward, 'hit@1')} | {_cell(forward, 'hit@5')} | "
                     f"{_cell(backward, 'hit@1')} | {_cell(backward, 'hit@5')} | {_cell(purity, 'words@5')} | {_cell(purity, 'labels@5')} |")
    lines += ["", "| quiz | model | top 5 | rank of the seed's answers |", "|---|---|---|---|"]
    for row in metrics["quizzes"]:  # type: ignore[union-attr]
        top = ", ".join(w for w, _ in row["top"])
        ranks = ", ".join(f"{a} #{r}" if r else f"{a} -" for a, r in row["seed_answer_ranks"].items())
        lines.append(f"| {row['quiz']} | {row['model']} | {top} | {ranks} |")
    table = metrics["comparison"]  # type: ignore[assignment]
    word = query if query is not None else next(iter(table))
    if word in table:
        lines += ["", comparison_markdown(word, table[word], k)]
    return "\n".join(lines)


def comparison_markdown(word: str, row: dict[str, dict[str, list]], k: int = 10) -> str:
    """One query word's nearest words, then its context words, under every model side by side."""
    names = list(row)
    lines = []
    for kind, title in (("similar", "nearest words"), ("context", "context words")):
        lines += [f"**{word}**: {title}", "", "| # | " + " | ".join(names) + " |", "|---" * (1 + len(names)) + "|"]
        for i in range(k):
            cells = [row[n][kind][i][0] if i < len(row[n][kind]) else "" for n in names]
            lines.append(f"| {i + 1} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines).rstrip()
