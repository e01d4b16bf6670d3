"""Shared fixtures: tiny real models built in-process, the sample data and the shared NSMC data."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast, RobertaConfig, RobertaModel

from moviattn.data import SAMPLE_DATA_DIR
from moviattn.fetch import Manifest, SourceFile
from moviattn.models import LoadedModel

REPO = Path(__file__).resolve().parents[1]
#: Tests that show recommendations log them in a throwaway feedback database, never the user's.
os.environ.setdefault("MOVIATTN_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='moviattn-feedback-')}/feedback.sqlite3")
os.environ.setdefault("MOVIATTN_FEEDBACK_SALT", "tests")
#: Debian's Chromium, driven by Playwright in the browser tests (the app's and the report's): no browser download.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHARED_NSMC = REPO.parent / "shared" / "data" / "nsmc"


def _training_texts() -> list[str]:
    movies = json.loads((SAMPLE_DATA_DIR / "movies.json").read_text(encoding="utf-8"))
    texts = [m["synopsis"] for m in movies] + [" ".join(m["cast"] or []) for m in movies]
    for path in sorted((SAMPLE_DATA_DIR / "reviews").glob("*.json")):
        texts += [r["review"] for r in json.loads(path.read_text(encoding="utf-8"))]
    return texts + ["제목 감독 장르 출연 국가 개봉 : / , ( )"]


def _wordpiece_tokenizer(specials: dict[str, str]) -> PreTrainedTokenizerFast:
    """A small WordPiece tokenizer (``##`` pieces, like KLUE's) trained on the sample data."""
    tokenizer = Tokenizer(models.WordPiece(unk_token=specials["unk"]))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=600, special_tokens=list(specials.values()))
    tokenizer.train_from_iterator(_training_texts(), trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        cls_token=specials["cls"], sep_token=specials["sep"], pad_token=specials["pad"], unk_token=specials["unk"],
        model_max_length=512,
    )


def _tiny_config(config_class, tokenizer, positions: int, **extra):
    return config_class(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=positions, attention_probs_dropout_prob=0.0,
        hidden_dropout_prob=0.0, pad_token_id=tokenizer.pad_token_id, **extra,
    )


@pytest.fixture(scope="session")
def tiny_bert() -> LoadedModel:
    """A randomly initialised 3-layer, 4-head BERT with 512 usable positions."""
    torch.manual_seed(0)
    tokenizer = _wordpiece_tokenizer({"pad": "[PAD]", "unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]"})
    config = _tiny_config(BertConfig, tokenizer, 512)
    model = BertModel(config, add_pooling_layer=False).eval()
    return LoadedModel(model, tokenizer, "tiny-bert")


@pytest.fixture(scope="session")
def tiny_roberta() -> LoadedModel:
    """A randomly initialised RoBERTa (positions offset by pad_token_id + 1, one token type)."""
    torch.manual_seed(1)
    tokenizer = _wordpiece_tokenizer({"cls": "[CLS]", "pad": "[PAD]", "sep": "[SEP]", "unk": "[UNK]"})
    config = _tiny_config(RobertaConfig, tokenizer, 514, type_vocab_size=1)
    model = RobertaModel(config, add_pooling_layer=False).eval()
    return LoadedModel(model, tokenizer, "tiny-roberta")


@pytest.fixture(scope="session")
def shared_nsmc() -> Path:
    """The real NSMC-derived data beside the repository; skips where it is absent."""
    if not (SHARED_NSMC / "movies.json").exists():
        pytest.skip("../shared/data/nsmc is not present")
    return SHARED_NSMC


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _review(movie_id: str, n: int) -> dict:
    return {"review": f"리뷰 {n} <b>좋다</b>", "date": "15.08.25", "rating": str(1 + n % 10), "author": "a****",
            "review_id": f"{movie_id}{n}", "movie_id": movie_id}


@pytest.fixture
def tiny_nsmc(tmp_path: Path) -> tuple[Path, Manifest]:
    """A two-movie copy of e9t/nsmc's layout (``synopses.json`` with a third, unused entry; ``raw/``) and its manifest."""
    source = tmp_path / "source"
    (source / "raw").mkdir(parents=True)
    synopses = [{"title_kr": "가", "title_en": "A, 2001", "rating": "9.1", "synopsis": "가의 줄거리\r\n  "},
                {"title_kr": "다", "title_en": "C, 2003", "rating": "8.0", "synopsis": "쓰지 않음"},
                {"title_kr": "나", "title_en": "B, 2002", "rating": "8.5", "synopsis": "나의 줄거리"}]
    (source / "synopses.json").write_text(json.dumps(synopses, ensure_ascii=False), encoding="utf-8")
    movies = []
    for movie_id, title, index in (("11", "가", 0), ("22", "나", 2)):
        data = json.dumps([_review(movie_id, n) for n in range(3)], ensure_ascii=False).encode()
        (source / "raw" / f"{movie_id}.json").write_bytes(data)
        movies.append({"movie_id": movie_id, "title_kr": title, "year": 2001, "director": ["감독"], "genres": ["드라마"],
                       "synopsis_index": index, "raw": {"path": f"raw/{movie_id}.json", "sha256": sha256_hex(data)}})
    manifest = Manifest("0" * 40, SourceFile("synopses.json", sha256_hex((source / "synopses.json").read_bytes())), tuple(movies), "digest-1")
    return source, manifest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that starts a server or a browser is slow too: ``-m "not slow"`` leaves it out."""
    for item in items:
        if item.get_closest_marker("server") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def tiny_default_model(tiny_bert, monkeypatch, tmp_path):
    """Route the CLI's model loading to the tiny model and the cache to a temp folder."""
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    return tiny_bert
