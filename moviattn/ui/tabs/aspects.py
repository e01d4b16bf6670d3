"""Tab "어떤 점이? (which part?)": the seed-003 conversation — a movie and how it was → its aspects → movies
praised for what was missed.

The handler is a plain function over ``state.dataset``: one ``aspects.chat_for(dataset).respond`` per
message. The profiles are computed once in the background at start (``page._prepare``), so a turn
only reads them; the attention line (seed 000 §7.4) appears where the explorer's aggregate of that
movie is already stored (``Explorer.stored_aggregate``: no model work). Every text shown is escaped
here, so a visitor's ``<b>`` stays text. A turn's recommendations are logged as the surface's slate
(``ui.feedback``, the static policy: the reply names its movies in its own order) with reaction buttons
under the chat; a movie the visitor marked 👎 or 관심 없음 is never recommended to them again.
"""

from __future__ import annotations

import html
from dataclasses import replace
from functools import partial
from typing import Any

import gradio as gr

from ... import aspects
from ...aspects.conversation import MAX_MESSAGE
from .. import feedback
from ..common import by_component

TITLE = "어떤 점이? (which part?)"
#: The feedback surface of this tab, and the most movies one turn recommends.
SURFACE = "aspects"
SHOWN = 3
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


def converse_view(
    state: Any, dialogue: aspects.DialogueState | None, history: list[dict] | None, message: str, session_hash: str | None = None,
) -> dict[str, Any]:
    """One message: the chat with both messages appended (escaped), the new dialogue state, and the turn's
    recommendations as the visitor's logged slate (``shown``; None where the turn recommends nothing)."""
    chat = aspects.chat_for(state.dataset, partial(_stored_aggregate, state))
    dialogue = replace(dialogue or aspects.DialogueState(), hidden=tuple(sorted(feedback.hidden(session_hash, SURFACE))))
    turn = chat.respond(dialogue, message or "")
    shown = (message or "").strip()[:MAX_MESSAGE] or "(빈 메시지)"
    history = [*(history or []), {"role": "user", "content": html.escape(shown)},
               {"role": "assistant", "content": html.escape(turn.reply).replace("\n", "<br>")}]
    picks = turn.recommendations
    shown = feedback.present(session_hash, SURFACE, turn.state.movie_id or "", {r.movie_id: r.score for r in picks}, len(picks)) if picks else None
    return {"chat": history, "dialogue": turn.state, "message": "", "shown": shown}


def reset_view() -> dict[str, Any]:
    """A fresh conversation."""
    return {"chat": [{"role": "assistant", "content": html.escape(GREETING)}], "dialogue": aspects.DialogueState(),
            "message": "", "shown": None}


def build(state: Any) -> None:
    """The tab's components and events, inside the caller's ``gr.Tab``; nothing is loaded here."""
    outputs = {
        "chat": gr.Chatbot(value=reset_view()["chat"], label="어떤 점이? (which part?)", height=460, elem_id="aspects-chat",
                           render_markdown=False, sanitize_html=True),
        "dialogue": gr.State(aspects.DialogueState()),
    }
    with gr.Row():
        outputs["message"] = gr.Textbox(label="메시지 (message)", placeholder=GREETING, scale=5, max_length=10_000,
                                        elem_id="aspects-message")
        send = gr.Button("보내기 (send)", variant="primary", scale=1)
        reset = gr.Button("처음부터 (reset)", scale=1)
    gr.Examples(EXAMPLES, inputs=outputs["message"], label="예시 (examples)")
    box = feedback.FeedbackBox(SHOWN, {i: m.label for i, m in state.dataset.movies.items()}, "aspects-feedback")
    gr.Markdown(NOTE)

    def with_box(values: dict[str, Any]) -> list[Any]:
        shown = values.pop("shown")
        return [*by_component(outputs, values).values(), *box.update(shown)]

    def converse(dialogue: aspects.DialogueState, history: list[dict], message: str, request: gr.Request) -> list[Any]:
        return with_box(converse_view(state, dialogue, history, message, request.session_hash if request else None))

    inputs = [outputs["dialogue"], outputs["chat"], outputs["message"]]
    gr.on([send.click, outputs["message"].submit], converse, inputs, [*outputs.values(), *box.outputs],
          api_name="aspects_converse", concurrency_id="aspects", concurrency_limit=2)
    reset.click(lambda: with_box(reset_view()), None, [*outputs.values(), *box.outputs], api_name="aspects_reset")
