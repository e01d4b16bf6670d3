"""What every tab shares: user errors shown as a message, links into the explorer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from app_helpers import tiny_dashboard

from moviattn.errors import DataError
from moviattn.ui.common import explorer_link, shows_errors
from moviattn.ui.tabs import per_movie


def test_a_user_error_becomes_a_message_in_its_output():
    @shows_errors(3, message_at=1, blank=("", None, []))
    def handler(value: int) -> tuple:
        if value < 0:
            raise DataError("input", "negative <b>value</b>")
        return "a", "b", [value]

    assert handler(1) == ("a", "b", [1])
    first, message, last = handler(-1)
    assert (first, last) == ("", []) and 'class="ma-warning"' in message and "&lt;b&gt;" in message
    assert shows_errors(1)(lambda: int("x"))().startswith('<div class="ma-warning">')


def test_bugs_keep_their_traceback_and_blanks_must_fit():
    with pytest.raises(ZeroDivisionError):
        shows_errors(2)(lambda: 1 / 0)()
    with pytest.raises(ValueError, match="blank has 1 values for 2 outputs"):
        shows_errors(2, blank=(None,))


def test_links_open_the_explorer_on_a_movie(tiny_bert):
    assert explorer_link("s001", "<살인의 추억>") == '<a href="?movie=s001" target="_self">&lt;살인의 추억&gt;</a>'
    state = tiny_dashboard(tiny_bert)
    assert per_movie.linked_movie(state, SimpleNamespace(query_params={"movie": "s002"}))["value"] == "s002"
    assert "value" not in per_movie.linked_movie(state, SimpleNamespace(query_params={"movie": "nope"}))
    assert "value" not in per_movie.linked_movie(state, SimpleNamespace(query_params={}))
