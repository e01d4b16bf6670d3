"""The reproduce command, end to end on a slice of the real corpus: every artefact, loadable and consistent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from moviattn.sentiment.artifacts import METRICS_FILE, VOCAB_FILE, WEIGHTS_DIR, read_model
from moviattn.sentiment.data import CONTENT_TAGS, Vocab
from moviattn.sentiment.lexicon import METHODS, lexicon_path
from moviattn.sentiment.pipeline import CLASSIFIERS, rebuild_lexicons, train_all
from moviattn.sentiment.target2vec import Target2Vec, Target2VecConfig
from moviattn.sentiment.training import TrainConfig


def _head(source: Path, target: Path, rows: int) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()[: rows + 1]  # header + rows
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_train_all_writes_every_artefact(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    data, out = tmp_path / "data", tmp_path / "weights"
    data.mkdir()
    _head(shared_data / "train.tsv", data / "train.tsv", 600)
    _head(shared_data / "test.tsv", data / "test.tsv", 200)
    metrics = train_all(data, out, TrainConfig(max_epochs=1, seed=13), Target2VecConfig(seed=13), log=lambda _: None)

    vocab = Vocab.load(out / VOCAB_FILE)
    assert metrics["data"] == {"train": 540, "valid": 60, "test": 200, "vocab": len(vocab), "grams": len(vocab.grams)}
    assert len(vocab.grams) > 100 and "#Noun" in vocab.grams
    assert json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))["models"].keys() == CLASSIFIERS.keys()
    for name in CLASSIFIERS:
        model = read_model(name, len(vocab), out)
        assert model.embedding.grams.num_embeddings == len(vocab.grams)
        assert 0.0 <= metrics["models"][name]["test_accuracy"] <= 1.0
    assert {r["k"] for r in metrics["faithfulness"]["gradcam"]} == {1, 3}
    assert all(lexicon_path(method, out).exists() for method in METHODS)
    assert "<긍정>" in Target2Vec.load(out / "target2vec").words


@pytest.mark.slow
def test_rebuild_lexicons_from_the_shipped_vocabulary_and_textcnn(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``sentiment lexicon --rebuild``: the three lexicons written again without training, content words only."""
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    data, weights = tmp_path / "data", tmp_path / "weights"
    data.mkdir()
    weights.mkdir()
    _head(shared_data / "test.tsv", data / "test.tsv", 400)
    for name in (VOCAB_FILE, "textcnn.pt", "textcnn.json"):
        shutil.copy(WEIGHTS_DIR / name, weights / name)
    paths = rebuild_lexicons(data, weights)
    assert paths == [lexicon_path(method, weights) for method in METHODS]
    for path in paths:
        frame = pd.read_csv(path)
        assert len(frame) > 0 and set(frame["word"].str.rsplit("/", n=1).str[-1]) <= CONTENT_TAGS
