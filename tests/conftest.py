"""Shared fixtures: tiny real models built in-process, the sample data and the shared NSMC data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast, RobertaConfig, RobertaModel

from moviattn.data import SAMPLE_DATA_DIR
from moviattn.models import LoadedModel

REPO = Path(__file__).resolve().parents[1]
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
