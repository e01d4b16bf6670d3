"""Tab "감성 분석 설명 (sentiment)": both sentiment explainers on one text, the lexicons, Target2Vec."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

from ...explorer import NOTE_CAVEAT, shaded_text_html
from ...limits import LIMITS, check, check_all
from ...morphology import Unit
from ..common import by_name, shows_errors, table_headers
from ..review_table import sentiment_api

TITLE = "감성 분석 설명 (sentiment)"
NOTE = "**읽는 법:** 진한 단어일수록 감성 모델의 판단에 더 중요했다고 설명 방법(어텐션 또는 Grad-CAM)이 말합니다. " + NOTE_CAVEAT
SENTIMENT_TITLES = {"bilstm_attention": "Bi-LSTM + 어텐션 (attention)", "textcnn": "TextCNN + Grad-CAM"}
LEXICON_LABELS = {"tfidf": "TF-IDF", "logodds": "로그 오즈 (log-odds, z)", "gradcam": "Grad-CAM (TextCNN)"}
LEXICON_COLUMNS = {"rank": "순위", "word": "단어 (word)", "score": "점수 (score)", "count": "빈도 (count)"}
NEIGHBOUR_COLUMNS = ["단어 (word)", "코사인 (cosine)"]


def verdict_line(result: Any) -> str:
    """``긍정 (positive) · P(positive) = 0.72``, marked and followed by the notice where the text is outside
    what the model was trained on (``SentimentExplanation``/``PhraseChain`` with a ``notice``: no Korean)."""
    verdict = "긍정 (positive)" if result.label == "positive" else "부정 (negative)"
    line = f"{verdict} · P(positive) = {result.positive_probability:.2f}"
    return f"{line} [학습 범위 밖 (outside training)] — ⚠️ {result.notice}" if result.notice else line


def sentiment_views(text: str) -> dict[str, str]:
    """Each shipped model's verdict, P(positive) and the text shaded by its explanation (HTML), by model name;
    ValueError on bad text."""
    api = sentiment_api()
    if api is None:
        raise ValueError("감성 분석 모델이 없습니다 (sentiment models are not available)")
    views = {}
    for model in api.MODEL_EXPLAINERS:
        result = api.explain_sentiment(text or "", model)
        units = [Unit(text[s:e], s, e, "", True) for s, e in result.spans]
        title = f"{SENTIMENT_TITLES.get(model, model)}: {verdict_line(result)}"
        views[model] = shaded_text_html(text, units, np.asarray(result.importance), title=title)
    return views


def lexicon_tables(method: str, k: int = 15) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Top ``k`` positive and top ``k`` negative words of a shipped lexicon, with Korean column names."""
    api = sentiment_api()
    if api is None:
        raise ValueError("감성 사전이 없습니다 (lexicons are not available)")
    tables = []
    for polarity in ("positive", "negative"):
        table = api.lexicon_table(method, polarity, k).round({"score": 3})
        tables.append(table.rename(columns=LEXICON_COLUMNS))
    return tables[0], tables[1]


def neighbour_table(rows: Sequence[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame([(w, round(s, 3)) for w, s in rows], columns=NEIGHBOUR_COLUMNS)


def similar_table(word: str, k: int = 10) -> pd.DataFrame:
    """Target2Vec neighbours of a word (``최악`` or ``최악/Noun``, labels ``부정``/``긍정``); ValueError on an unknown word."""
    api = sentiment_api()
    if api is None or not (word or "").strip():
        raise ValueError("단어를 입력하세요 (type a word)" if api else "Target2Vec을 쓸 수 없습니다 (not available)")
    return neighbour_table(api.similar_words(word, k))


def analogy_table(a: str, b: str, c: str, k: int = 10) -> pd.DataFrame:
    """``a : b = c : ?`` with Target2Vec, e.g. 부정 : 최악 = 긍정 : ?; ValueError on an empty or unknown word."""
    api = sentiment_api()
    if api is None or not all((w or "").strip() for w in (a, b, c)):
        raise ValueError("세 단어를 모두 입력하세요 (type all three words)" if api else "Target2Vec을 쓸 수 없습니다 (not available)")
    return neighbour_table(api.analogy(a, b, c, k))


@shows_errors(next(iter(SENTIMENT_TITLES)))
def explain_both(text: str) -> dict[str, str]:
    """Both sentiment models on one text, by model name (Bi-LSTM attention and TextCNN Grad-CAM HTML); a message
    in the first model's place on bad text."""
    check(sentiment_text=text)
    return sentiment_views(text)


@shows_errors("note")
def lexicon_view(method: str) -> dict[str, object]:
    """Top-15 positive and negative words of a lexicon method, and a note ('' when fine)."""
    check(choice=method)
    positive, negative = lexicon_tables(method, 15)
    return {"positive": positive, "negative": negative, "note": ""}


#: An empty neighbour table keeps its column names when a word is unknown.
_NO_NEIGHBOURS = {"table": neighbour_table([])}


@shows_errors("note", blank=_NO_NEIGHBOURS)
def similar_view(word: str) -> dict[str, object]:
    check(word=word)
    return {"table": similar_table(word), "note": ""}


@shows_errors("note", blank=_NO_NEIGHBOURS)
def analogy_view(a: str, b: str, c: str) -> dict[str, object]:
    check_all("word", [a, b, c])
    return {"table": analogy_table(a, b, c), "note": ""}


# --- seed 003 in full: the doc2vec comparison, mislabelled reviews, neutral words, phrase chains ---

#: Column titles of the comparison table, by model name.
COMPARISON_TITLES = {
    "doc2vec": "doc2vec", "doc2vec_negative": "doc2vec (부정 문서만)", "doc2vec_positive": "doc2vec (긍정 문서만)",
    "word2vec": "word2vec (skip-gram)", "target2vec": "Target2Vec (3 labels)",
}
MISLABELLED_COLUMNS = {"margin": "차이 (margin)", "label": "라벨 (label)", "text": "리뷰 (review)"}
NEUTRAL_COLUMNS = {"word": "단어 (word)", "count": "빈도 (count)", "negative": "부정 비율", "neutral": "중립 비율",
                   "positive": "긍정 비율", "vector_lean": "벡터 기울기 (긍정−부정)"}


def comparison_tables(word: str, k: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stored query word's nearest words and context words under every model (one column each)."""
    api = sentiment_api()
    if api is None or not (word or "").strip():
        raise ValueError("단어를 입력하세요 (type a word)" if api else "비교 결과가 없습니다 (not available)")
    _, row = api.compare_words(word)
    tables = []
    for kind in ("similar", "context"):
        columns = {COMPARISON_TITLES.get(m, m): [w for w, _ in found[kind][:k]] + [""] * (k - len(found[kind][:k])) for m, found in row.items()}
        tables.append(pd.DataFrame(columns))
    return tables[0], tables[1]


def mislabelled_table(k: int = 30) -> pd.DataFrame:
    """The test reviews whose vector lies closest to the other label's, largest margin first."""
    api = sentiment_api()
    rows = api.shipped_seed003()["mislabelled"][:k] if api else []
    frame = pd.DataFrame(rows, columns=["margin", "label", "text"])
    frame["label"] = frame["label"].map({0: "부정", 1: "긍정"})
    return frame.rename(columns=MISLABELLED_COLUMNS)


def neutral_table(k: int = 50) -> pd.DataFrame:
    """Words used in both polarities, with their shares of negative / neutral / positive documents."""
    api = sentiment_api()
    rows = api.shipped_seed003()["neutral_words"][:k] if api else []
    return pd.DataFrame(rows, columns=list(NEUTRAL_COLUMNS)).round(3).rename(columns=NEUTRAL_COLUMNS)


def chain_text(text: str, model: str = "bilstm_attention") -> str:
    """The review's phrase chain as Markdown: one line per verdict word (``스토리, 억지 → 지루 → 부정``)."""
    api = sentiment_api()
    if api is None:
        raise ValueError("감성 분석 모델이 없습니다 (sentiment models are not available)")
    chain = api.phrase_chain(text or "", model)
    lines = [f"**{SENTIMENT_TITLES.get(model, model)}**: {verdict_line(chain)}", ""]
    for link, line in zip(chain.links, chain.text().splitlines()):
        lean = "?" if link.lean is None else f"{link.lean:+.3f}"
        lines.append(f"- {line}  (중요도 {link.importance:.2f}, 기울기 {lean})")
    return "\n".join(lines)


@shows_errors("note")
def comparison_view(word: str) -> dict[str, object]:
    check(word=word)
    near, context = comparison_tables(word)
    return {"near": near, "context": context, "note": ""}


@shows_errors("note", blank={"chain": ""})
def chain_view(text: str, model: str) -> dict[str, str]:
    check(sentiment_text=text, choice=model)
    return {"chain": chain_text(text, model), "note": ""}


def _seed003_shipped() -> bool:
    """Whether the seed-003 artefacts (three-label Target2Vec, seed003.json) are shipped."""
    from ...sentiment.artifacts import SEED003_FILE, TARGET2VEC3_STEM, WEIGHTS_DIR

    return (WEIGHTS_DIR / SEED003_FILE).exists() and (WEIGHTS_DIR / f"{TARGET2VEC3_STEM}.npy").exists()


def build() -> None:
    api = sentiment_api()
    if api is None:
        gr.Markdown("감성 분석 설명은 아직 사용할 수 없습니다 (sentiment explanations are not available in this build).")
        return
    text = gr.Textbox(label="리뷰 (review)", lines=3, max_length=LIMITS["sentiment_text"].chars, value="배우들 연기는 좋았는데 스토리가 너무 지루했다")
    button = gr.Button("두 모델로 설명 (explain with both models)", variant="primary")
    with gr.Row():
        views = {model: gr.HTML(elem_id=f"sentiment-{model}") for model in api.MODEL_EXPLAINERS}
    gr.Markdown(NOTE)
    gr.on([button.click, text.submit], by_name(explain_both, views), text, list(views.values()), api_name="explain_sentiment")

    gr.Markdown("### 감성 사전 (polarity lexicons: top 15 words)")
    method = gr.Radio([(LEXICON_LABELS.get(m, m), m) for m in api.LEXICON_METHODS], value=api.LEXICON_METHODS[0], label="방법 (method)")
    first = lexicon_view(api.LEXICON_METHODS[0])
    lexicon = {"note": gr.HTML(first["note"])}
    with gr.Row():
        for polarity, name in (("positive", "긍정"), ("negative", "부정")):
            value = first[polarity]
            lexicon[polarity] = gr.Dataframe(
                value, label=f"{name} 상위 단어 (top {polarity})", interactive=False, max_height=620, **table_headers(value.columns),
            )
    method.change(by_name(lexicon_view, lexicon), method, [lexicon["positive"], lexicon["negative"], lexicon["note"]],
                  api_name="lexicon", concurrency_limit=None)

    gr.Markdown("### Target2Vec (단어 벡터: 문서 라벨을 아는 word2vec)")
    with gr.Row():
        with gr.Column():
            word = gr.Textbox(label="비슷한 단어 (similar words: 최악, 최악/Noun, 부정, 긍정)", value="최악", max_length=LIMITS["word"].chars)
            similar_button = gr.Button("찾기 (similar)")
            similar = {"note": gr.HTML(), "table": gr.Dataframe(label="이웃 단어 (neighbours)", interactive=False, max_height=300, **table_headers(NEIGHBOUR_COLUMNS))}
        with gr.Column():
            with gr.Row():
                a, b, c = (gr.Textbox(label=label, value=value, min_width=80, max_length=LIMITS["word"].chars) for label, value in (("A", "부정"), ("B", "최악"), ("C", "긍정")))
            analogy_button = gr.Button("A : B = C : ? (analogy)")
            analogy = {"note": gr.HTML(), "table": gr.Dataframe(
                label="답 후보 (answers: nearest to B − A + C)", interactive=False, max_height=300, **table_headers(NEIGHBOUR_COLUMNS),
            )}
    # the API's outputs in their earlier order: the table, then the note
    gr.on([similar_button.click, word.submit], by_name(similar_view, similar), word, [similar["table"], similar["note"]],
          api_name="similar_words", concurrency_limit=None)
    analogy_button.click(by_name(analogy_view, analogy), [a, b, c], [analogy["table"], analogy["note"]], api_name="analogy", concurrency_limit=None)

    if not _seed003_shipped():
        return
    gr.Markdown("### 비교 (seed 003): doc2vec · 부정/긍정 문서만의 doc2vec · word2vec · Target2Vec")
    query = gr.Textbox(label="단어 (query word: 최악, 뻔한, 이야기, 스토리, 노잼, 짝 목록의 단어)", value="최악", max_length=LIMITS["word"].chars)
    compare_button = gr.Button("비교 (compare)")
    compared = {"note": gr.HTML()}
    with gr.Row():
        compared["near"] = gr.Dataframe(label="가까운 단어 (nearest words)", interactive=False, max_height=420, **table_headers(COMPARISON_TITLES.values()))
        compared["context"] = gr.Dataframe(label="맥락 단어 (context words: what each model predicts around it)", interactive=False, max_height=420,
                                           **table_headers(COMPARISON_TITLES.values()))
    gr.on([compare_button.click, query.submit], by_name(comparison_view, compared), query, [compared["near"], compared["context"], compared["note"]],
          api_name="compare", concurrency_limit=None)

    gr.Markdown("### 구문 사슬 (phrase chain): 이 리뷰의 판단을 만든 단어와 그 단어가 가리키는 것")
    chain_input = gr.Textbox(label="리뷰 (review)", lines=2, max_length=LIMITS["sentiment_text"].chars, value="스토리가 부자연스럽고 억지스러워서 지루했다")
    chain_model = gr.Radio(
        [(SENTIMENT_TITLES.get(m, m), m) for m in api.MODEL_EXPLAINERS], value=next(iter(api.MODEL_EXPLAINERS)), label="모델 (model)",
    )
    chain_button = gr.Button("사슬 보기 (show the chain)")
    chained = {"chain": gr.Markdown(), "note": gr.HTML()}
    gr.on([chain_button.click, chain_input.submit], by_name(chain_view, chained), [chain_input, chain_model], list(chained.values()),
          api_name="phrase_chain", concurrency_limit=None)

    gr.Markdown("### 오분류 의심 (test.tsv reviews closer to the other label's Target2Vec vector, by margin)")
    mislabelled = mislabelled_table(30)
    gr.Dataframe(mislabelled, interactive=False, max_height=420, wrap=True, **table_headers(mislabelled.columns))
    gr.Markdown("### 중립 단어 (words used in both polarities: shares of documents and the vector lean)")
    neutral = neutral_table(50)
    gr.Dataframe(neutral, interactive=False, max_height=420, **table_headers(neutral.columns))
