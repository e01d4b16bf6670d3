"""The shipped seed-003 artefacts, the library calls on them and the sentiment tab's new handlers."""

from __future__ import annotations

import pytest

from moviattn.sentiment.artifacts import SEED003_FILE, TARGET2VEC3_STEM, WEIGHTS_DIR

pytestmark = pytest.mark.skipif(
    not (WEIGHTS_DIR / SEED003_FILE).exists() or not (WEIGHTS_DIR / f"{TARGET2VEC3_STEM}.npy").exists(),
    reason="seed-003 artefacts not shipped",
)

MODELS = ["doc2vec", "doc2vec_negative", "doc2vec_positive", "word2vec", "target2vec"]


@pytest.mark.slow
def test_shipped_three_label_vectors_and_results() -> None:
    from moviattn.sentiment import shipped_seed003
    from moviattn.sentiment.artifacts import shipped_target2vec3

    t2v = shipped_target2vec3()
    assert t2v.labels == ["<부정>", "<긍정>", "<중립>"] and t2v.contexts is not None
    assert sum((WEIGHTS_DIR / f"{TARGET2VEC3_STEM}{s}").stat().st_size for s in (".npy", ".contexts.npy", ".json")) < 8e6
    results = shipped_seed003()
    assert list(results["comparison"]["최악/Noun"]) == MODELS
    assert set(results["analogy"]) >= set(MODELS) and results["pairs"] >= 40
    margins = [row["margin"] for row in results["mislabelled"]]
    assert margins == sorted(margins, reverse=True) and all(m > 0 for m in margins)


def test_compare_words_and_phrase_chain() -> None:
    from moviattn.sentiment import compare_words, phrase_chain

    key, row = compare_words("최악")
    assert key == "최악/Noun" and list(row) == MODELS
    with pytest.raises(ValueError, match="no stored comparison"):
        compare_words("없는단어xyz")
    chain = phrase_chain("스토리가 부자연스럽고 억지스러워서 지루했다")
    assert chain.label == "negative" and chain.links and "→ 부정" in chain.text()


def test_tab_handlers() -> None:
    pytest.importorskip("gradio")
    from moviattn.ui.tabs import sentiment

    shown = sentiment.comparison_view("최악")
    near, context, message = shown["near"], shown["context"], shown["note"]
    assert message == "" and list(near.columns) == list(context.columns) and len(near) == 10
    assert "ma-warning" in sentiment.comparison_view("없는단어xyz")["note"]
    shown = sentiment.chain_view("스토리가 부자연스럽고 억지스러워서 지루했다", "textcnn")
    markdown, message = shown["chain"], shown["note"]
    assert message == "" and "→" in markdown
    assert "ma-warning" in sentiment.chain_view("😀", "bilstm_attention")["note"]
    assert len(sentiment.mislabelled_table(30)) == 30 and len(sentiment.neutral_table(20)) <= 20
