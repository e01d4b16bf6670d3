"""Tab "어떤 점이? (which part?)": the seed-003 conversation — a movie and how it was → its aspects → movies
praised for what was missed.

The handler is a plain function over ``state.dataset``: one ``aspects.chat_for(dataset).respond`` per
message. The profiles are computed once in the background at start (``page._prepare``), so a turn
only reads them; the attention line (seed 000 §7.4) appears where the explorer's aggregate of that
movie is already stored (``Explorer.stored_aggregate``: no model work). Every text shown is escaped
here, so a visitor's ``<b>`` stays text. Each turn's recommendations also go to ``recommended`` (a list
of ``{movie_id, title, score}``), for feedback buttons to hang on.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import gradio as gr

from ... import aspects
from ...aspects.conversation import MAX_MESSAGE
from ..common import by_name

TITLE = "어떤 점이? (which part?)"
GREETING = "어떤 영화를 봤어요? 제목과 어땠는지 말해 주세요. 예: '프리퀀시 지루했어', '레옹 최고였어'"
EXAMPLES = ["프리퀀시 지루했어", "레옹 최고였어", "1", "스토리", "배우 말고 스토리", "더 가벼운 거", "처음"]
NOTE = (
    "**읽는 법:** 측면(스토리, 연기, 음악 …)은 NSMC 리뷰에서 평가받는 명사를 Target2Vec 벡터로 묶어 배운 것이고, "
    "리뷰마다 그 측면을 말한 구절과 그 구절의 긍정/부정을 찾습니다. 추천은 그 측면을 칭찬한 리뷰가 많은 영화입니다 "
    "(평가: docs/aspects.md)."
)


def _stored_aggregate(state: Any, movie_id: str) -> object | None:
    """The explorer's stored aggregate of a movie, or None (never computed here)."""
    try:
        movie = state.dataset.movie(movie_id)
        return state.explorer().stored_aggregate(movie, state.dataset.reviews_of(movie_id))
    except Exception:  # a missing model or store only hides the optional attention line
        return None


def converse_view(state: Any, dialogue: aspects.DialogueState | None, history: list[dict] | None, message: str) -> dict[str, Any]:
    """One message: the chat with both messages appended (escaped), the new dialogue state, the turn's picks."""
    chat = aspects.chat_for(state.dataset, partial(_stored_aggregate, state))
    turn = chat.respond(dialogue or aspects.DialogueState(), message or "")
    shown = (message or "").strip()[:MAX_MESSAGE] or "(빈 메시지)"
    history = [*(history or []), {"role": "user", "content": html.escape(shown)},
               {"role": "assistant", "content": html.escape(turn.reply).replace("\n", "<br>")}]
    picks = [{"movie_id": r.movie_id, "title": r.title, "score": r.score} for r in turn.recommendations]
    return {"chat": history, "dialogue": turn.state, "message": "", "recommended": picks}


def reset_view() -> dict[str, Any]:
    """A fresh conversation."""
    return {"chat": [{"role": "assistant", "content": html.escape(GREETING)}], "dialogue": aspects.DialogueState(),
            "message": "", "recommended": []}


def build(state: Any) -> None:
    """The tab's components and events, inside the caller's ``gr.Tab``; nothing is loaded here."""
    outputs = {
        "chat": gr.Chatbot(value=reset_view()["chat"], label="어떤 점이? (which part?)", height=460, elem_id="aspects-chat",
                           render_markdown=False, sanitize_html=True),
        "dialogue": gr.State(aspects.DialogueState()),
        "recommended": gr.State([]),
    }
    with gr.Row():
        outputs["message"] = gr.Textbox(label="메시지 (message)", placeholder=GREETING, scale=5, max_length=10_000,
                                        elem_id="aspects-message")
        send = gr.Button("보내기 (send)", variant="primary", scale=1)
        reset = gr.Button("처음부터 (reset)", scale=1)
    gr.Examples(EXAMPLES, inputs=outputs["message"], label="예시 (examples)")
    gr.Markdown(NOTE)
    inputs = [outputs["dialogue"], outputs["chat"], outputs["message"]]
    gr.on([send.click, outputs["message"].submit], by_name(partial(converse_view, state), outputs), inputs, list(outputs.values()),
          api_name="aspects_converse", concurrency_id="aspects", concurrency_limit=2)
    reset.click(by_name(reset_view, outputs), None, list(outputs.values()), api_name="aspects_reset")
