"""The aspects tab's handlers without a server: messages appended in Gradio's messages format, HTML escaped, picks listed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from moviattn.data import load_dataset
from moviattn.ui.tabs import aspects as tab


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path))
    return SimpleNamespace(dataset=load_dataset())  # no explorer: the attention line is simply left out


def test_a_conversation_through_the_handler(state):
    out = tab.converse_view(state, None, tab.reset_view()["chat"], "인터스텔라 정말 최고였어")
    assert [m["role"] for m in out["chat"]] == ["assistant", "user", "assistant"]
    assert "좋았군요" in out["chat"][-1]["content"] and out["message"] == ""
    out = tab.converse_view(state, out["dialogue"], out["chat"], "1", "visitor-a")
    shown = out["shown"]
    assert shown is not None and shown.slate.policy == "static" and 1 <= len(shown.movie_ids) <= tab.SHOWN
    assert all(f"{i}) {state.dataset.movie(m).title_kr}" in out["chat"][-1]["content"] for i, m in enumerate(shown.movie_ids, 1))


def test_a_movie_marked_not_interested_is_never_recommended_again(state):
    from moviattn.ui import feedback

    first = tab.converse_view(state, None, [], "인터스텔라 정말 최고였어", "visitor-b")
    first = tab.converse_view(state, first["dialogue"], first["chat"], "1", "visitor-b")
    hidden = first["shown"].movie_ids[0]
    feedback.react("visitor-b", first["shown"], 0, "관심 없음", {})
    again = tab.converse_view(state, None, [], "인터스텔라 정말 최고였어", "visitor-b")
    again = tab.converse_view(state, again["dialogue"], again["chat"], "1", "visitor-b")
    assert hidden not in again["shown"].movie_ids and state.dataset.movie(hidden).title_kr not in again["chat"][-1]["content"]
    other = tab.converse_view(state, None, [], "인터스텔라 정말 최고였어", "visitor-c")  # another visitor still gets it
    assert hidden in tab.converse_view(state, other["dialogue"], other["chat"], "1", "visitor-c")["shown"].movie_ids


def test_html_in_a_message_is_escaped(state):
    out = tab.converse_view(state, None, [], "<img src=x onerror=alert(1)>명량 별로")
    assert out["chat"][0]["content"].startswith("&lt;img") and "<img" not in "".join(m["content"] for m in out["chat"])
