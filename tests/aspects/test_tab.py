"""The tab's handlers without a server: messages appended in Gradio's messages format, HTML escaped, picks listed."""

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
    out = tab.converse_view(state, out["dialogue"], out["chat"], "1")
    assert out["recommended"] and {"movie_id", "title", "score"} == set(out["recommended"][0])


def test_html_in_a_message_is_escaped(state):
    out = tab.converse_view(state, None, [], "<img src=x onerror=alert(1)>명량 별로")
    assert out["chat"][0]["content"].startswith("&lt;img") and "<img" not in "".join(m["content"] for m in out["chat"])
