"""Tab "일기로 영화 추천 (diary)": a diary entry → four emotions → genres → three movies, with the reasons.

The handler is a plain function over ``state.dataset`` (the catalogue); the encoder and the shipped
heads load on the first request (``recommend.diary.shipped_recommender``), and the catalogue's review
emotions are computed once per dataset (review features cached on disk under ``cache_dir("diary")``).
"""

from __future__ import annotations

import dataclasses
import html
from typing import Any

import gradio as gr

from ...recommend import diary
from .. import feedback
from ..common import by_component, explorer_link, shows_errors, status_html, warning_html

TITLE = "일기로 영화 추천 (diary)"
#: Movies shown per diary (the slate the feedback policy picks from every movie's score).
SHOWN = 3
KEEP_TEXT = "일기 원문 저장에 동의 (keep my diary's text for research; otherwise only its four emotion scores are kept)"
EXAMPLE = "오늘은 정말 힘든 하루였다. 회의에서 내 의견이 무시당해서 화가 났고, 집에 오는 길에는 괜히 눈물이 났다. 내일은 좀 나아지겠지."
MODE_LABELS = {"a": "a: 장르 (seed: genres)", "b": "b: 감정 프로필 (H1: review emotions)", "c": "c: 혼합 (blend)"}
NOTE = (
    "**읽는 법:** 감정은 KOTE(한국어 댓글 44감정)로 학습한 모델의 확률입니다(여러 감정이 동시에 높을 수 있음). "
    "모드 a는 일기→감정→장르 확률을 영화 장르와, 모드 b는 일기 감정을 그 영화 리뷰들의 평균 감정과 비교합니다. "
    "아래 평가는 NSMC 리뷰 하나를 일기처럼 넣고 그 영화를 맞히는지 잰 값입니다 (hit@3, 무작위와 비교)."
)


def _profile(values: dict[str, float]) -> str:
    return " · ".join(f"{diary.EMOTIONS_KR[e]} {v:.2f}" for e, v in values.items())


def picks_html(result: diary.Recommendation) -> str:
    """One card per movie: link to its attention view, genres, emotion profile, the two closest reviews."""
    cards = []
    for rank, pick in enumerate(result.picks, start=1):
        reviews = "".join(f"<li>{html.escape(text)} <small>({_profile(emotions)})</small></li>" for text, emotions in pick.reviews)
        cards.append(
            f'<div class="ma-card"><h3>{rank}. {explorer_link(pick.movie_id, pick.title)} '
            f"<small>점수 (score) {pick.score:.3f}</small></h3>"
            f"<table><tr><th>장르 (genres)</th><td>{html.escape(', '.join(pick.genres) or '—')}</td></tr>"
            f"<tr><th>리뷰 평균 감정 (reviews' emotions)</th><td>{_profile(pick.profile)}</td></tr></table>"
            f"<div>일기와 감정이 가장 가까운 리뷰 (closest reviews):<ul>{reviews or '<li>리뷰 없음 (no reviews)</li>'}</ul></div></div>"
        )
    return "".join(cards)


def evaluation_html(mode: str, model2: str) -> str:
    """The shipped evaluation of this way of recommending vs random; a warning where it does not beat random."""
    try:
        ranking = diary.shipped_metrics()["nsmc"]["ranking"]
    except (OSError, KeyError):
        return ""
    key = "b (emotions, H1)" if mode == "b" else f"{mode} ({model2})"
    row, random = ranking.get(key), ranking["random (exact expectation)"]
    if row is None:
        return ""
    line = (f"평가 (NSMC 리뷰를 일기처럼: pseudo-diaries): hit@3 {row['hit@3']:.3f} vs 무작위 (random) {random['hit@3']:.3f}, "
            f"MRR {row['mrr']:.3f} vs {random['mrr']:.3f}")
    if row["hit@3"] <= random["hit@3"]:
        return warning_html(f"이 방식은 평가에서 무작위보다 낫지 않았습니다 (does not beat random). {line}")
    return status_html(line)


@shows_errors("notices", blank={"cards": "", "evaluation": ""})
def recommend_view(state: Any, text: str, mode: str, model2: str, session_hash: str | None = None, keep_text: bool = False) -> dict[str, Any]:
    """Notices (HTML), emotion bars, genre probabilities, movie cards, the evaluation (HTML) and the logged
    slate (``shown``), by output name: every movie is scored, the feedback policy picks the three shown."""
    result = diary.shipped_recommender().recommend(text, state.dataset, mode, model2, k=len(state.dataset.movies))
    profile = result.analysis.emotion_dict()
    shown = feedback.present(session_hash, "diary", max(profile, key=profile.get), {p.movie_id: p.score for p in result.picks}, SHOWN,
                             emotions=profile, diary_text=text if keep_text else None)
    by_id = {p.movie_id: p for p in result.picks}
    result = dataclasses.replace(result, picks=tuple(by_id[m] for m in shown.movie_ids))
    emotions = {f"{diary.EMOTIONS_KR[e]} ({e})": v for e, v in result.analysis.emotion_dict().items()}
    labels = result.analysis.top_labels(5)
    lines = list(result.notices)
    if labels:
        lines.append("KOTE 감정 상위 5 (top KOTE labels): " + ", ".join(f"{name} {p:.2f}" for name, p in labels))
    return {
        "notices": status_html(*lines), "emotions": emotions, "genres": result.genre_probabilities, "cards": picks_html(result),
        "evaluation": evaluation_html(result.mode, result.model2), "shown": shown,
    }


def build(state: Any) -> None:
    """The tab's components and events, inside the caller's ``gr.Tab``; nothing is loaded here."""
    text = gr.Textbox(label="오늘의 일기 (diary, Korean)", lines=5, max_length=diary.MAX_CHARS, value=EXAMPLE)
    with gr.Row():
        mode = gr.Radio([(label, m) for m, label in MODE_LABELS.items()], value=diary.DEFAULT_MODE, label="추천 방식 (way of recommending)")
        model2 = gr.Dropdown(list(diary.VARIANTS), value=diary.DEFAULT_VARIANT, label="model2 (감정 → 장르, modes a and c)")
    button = gr.Button("영화 추천 (recommend three movies)", variant="primary")
    outputs = {"notices": gr.HTML()}
    with gr.Row():
        outputs["emotions"] = gr.Label(label="감정 (emotions, model1)", num_top_classes=4)
        outputs["genres"] = gr.Label(label="장르 확률 (genre probabilities, model2)", num_top_classes=6)
    keep_text = gr.Checkbox(False, label=KEEP_TEXT)
    outputs["cards"] = gr.HTML(elem_id="diary-cards")
    box = feedback.FeedbackBox(SHOWN, {i: m.label for i, m in state.dataset.movies.items()}, "diary-feedback")
    outputs["evaluation"] = gr.HTML()
    gr.Markdown(NOTE)

    def recommend(text: str, mode: str, model2: str, keep: bool, request: gr.Request) -> list[Any]:
        values = recommend_view(state, text, mode, model2, request.session_hash if request else None, keep)
        shown = values.pop("shown", None)
        return [*by_component(outputs, values).values(), *box.update(shown)]

    gr.on([button.click, text.submit], recommend, [text, mode, model2, keep_text], [*outputs.values(), *box.outputs],
          api_name="diary_recommend", concurrency_id="diary", concurrency_limit=1)
