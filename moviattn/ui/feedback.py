"""Reaction buttons under recommended movies, a "your reactions" list with undo, the policy in small print.

A component any recommending tab attaches in a few lines (diary and next-movie do; the aspect
conversation can): the tab scores its candidates, calls ``present`` for the slate (re-ranked by the
surface's policy, the visit's 👎/관심 없음 movies removed, logged), shows the slate's movies and hands
the ``Shown`` to ``FeedbackBox.update``. Handlers are plain functions (tests call them without a server);
the visitor key is a salted hash of Gradio's session hash. Only the visitor's own reactions are listed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import gradio as gr

from ..feedback.data import REACTIONS
from ..feedback.service import FeedbackService, Shown
from ..feedback.store import FeedbackError
from .common import status_html, warning_html

#: Button labels: words beside the emoji, which a machine without an emoji font draws as boxes.
LABELS = {"👍": "👍 좋아요 (like)", "👎": "👎 별로 (dislike)", "봤어요": "봤어요 (seen it)", "관심 없음": "관심 없음 (not interested)"}


#: Surfaces that keep their recommender's own order (static policy): the aspect conversation's reply names
#: its movies and why, so its slate must be those movies; the others explore (Thompson sampling).
STATIC_SURFACES = {"aspects": "static"}


@lru_cache(maxsize=1)
def service() -> FeedbackService:
    """The app's feedback service on ``MOVIATTN_DATABASE_URL`` (opened once; unavailable: keeps nothing, says so)."""
    return FeedbackService.open(policies=STATIC_SURFACES)


def present(session_hash: str | None, surface: str, context: str, scores: Mapping[str, float], k: int, **logged: Any) -> Shown:
    """The slate of ``k`` movies for this visitor's request (``logged``: emotions, diary_text where agreed)."""
    chosen = service()
    return chosen.present(chosen.visitor(session_hash), surface, context, scores, k, **logged)


def hidden(session_hash: str | None, surface: str) -> set[str]:
    """The movies this visitor hid on ``surface`` in this visit (never shown again)."""
    chosen = service()
    return chosen.hidden(chosen.visitor(session_hash), surface)[0]


def policy_line(shown: Shown | None) -> str:
    """The policy in small print, and the notice where reactions are not kept."""
    if shown is None:
        return ""
    line = f"<small>추천 정책 (policy): {html.escape(shown.slate.policy)} v{html.escape(shown.slate.policy_version)}</small>"
    return line + (warning_html(shown.notice) if shown.notice else "")


def reactions_html(session_hash: str | None, titles: Mapping[str, str]) -> str:
    """This visitor's own reactions, newest first (nothing of anyone else's)."""
    chosen = service()
    if chosen.store is None:
        return ""
    try:
        rows = chosen.store.reactions_of(chosen.visitor(session_hash))
    except Exception:  # noqa: BLE001 - a database gone away must not break the page
        return ""
    label = {name: LABELS[button] for button, name in REACTIONS.items()}
    items = "".join(f"<li>{html.escape(titles.get(r['movie_id'], r['movie_id']))}: {label[r['reaction']]}</li>" for r in rows[:20])
    return f"<div><b>내 반응 (your reactions)</b><ul>{items}</ul></div>" if items else ""


def react(session_hash: str | None, shown: Shown | None, position: int, reaction: str | None, titles: Mapping[str, str]) -> tuple[str, str]:
    """Keep (``reaction``) or undo (None) the visitor's reaction to the movie at ``position``; (notice, list) HTML."""
    if shown is None or position >= len(shown.slate.items):
        return warning_html("먼저 추천을 받으세요 (recommend first)"), reactions_html(session_hash, titles)
    chosen = service()
    visitor, movie = chosen.visitor(session_hash), shown.slate.items[position].movie_id
    try:
        notice = chosen.undo(visitor, shown.slate, movie) if reaction is None else chosen.react(visitor, shown.slate, movie, reaction)
    except FeedbackError as exc:
        return warning_html(str(exc)), reactions_html(session_hash, titles)
    done = f"{titles.get(movie, movie)}: {'취소 (undone)' if reaction is None else LABELS.get(reaction, reaction)}"
    return (warning_html(notice) if notice else status_html(done)), reactions_html(session_hash, titles)


class FeedbackBox:
    """``k`` rows of buttons (👍 👎 봤어요 관심 없음 취소), the policy line and the reactions list, in the caller's Blocks."""

    def __init__(self, k: int, titles: Mapping[str, str], elem_prefix: str):
        self.titles = dict(titles)
        self.shown = gr.State(None)
        self.policy = gr.HTML()
        self.labels, self.buttons = [], []
        for position in range(k):
            with gr.Row(equal_height=True):
                self.labels.append(gr.Markdown(f"{position + 1}."))
                for reaction in [*REACTIONS, None]:
                    button = gr.Button(LABELS.get(reaction, "취소 (undo)"), size="sm", min_width=60, elem_id=f"{elem_prefix}-{position}-{REACTIONS.get(reaction, 'undo')}")
                    self.buttons.append((button, position, reaction))
        self.notice = gr.HTML()
        self.mine = gr.HTML()
        for button, position, reaction in self.buttons:
            button.click(self._listener(position, reaction), [self.shown], [self.notice, self.mine], api_visibility="private")

    def _listener(self, position: int, reaction: str | None) -> Any:
        def clicked(shown: Shown | None, request: gr.Request) -> tuple[str, str]:
            return react(request.session_hash if request else None, shown, position, reaction, self.titles)

        return clicked

    @property
    def outputs(self) -> list[Any]:
        """What ``update``'s values go to, in order: append to the tab's outputs."""
        return [self.shown, self.policy, *self.labels]

    def update(self, shown: Shown | None, titles: Mapping[str, str] | None = None) -> list[Any]:
        """The values of ``outputs`` for a new slate (None: nothing recommended); ``titles``: names of its movies
        not known when the box was built (movie titles only, nothing a visitor typed)."""
        self.titles.update(titles or {})
        names = [] if shown is None else [self.titles.get(m, m) for m in shown.movie_ids]
        return [shown, policy_line(shown), *[f"{i + 1}. {names[i]}" if i < len(names) else "" for i in range(len(self.labels))]]
