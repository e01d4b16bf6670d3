"""What every tab shares: user errors shown as a message, links into the explorer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from app_helpers import tiny_dashboard

from moviattn.errors import DataError
from moviattn.ui.common import by_component, by_name, explorer_link, shows_errors
from moviattn.ui.tabs import per_movie


def test_a_user_error_becomes_a_message_in_its_output():
    @shows_errors("message", blank={"first": ""})
    def handler(value: int) -> dict:
        if value < 0:
            raise DataError("input", "negative <b>value</b>")
        return {"first": "a", "message": "b", "last": [value]}

    assert handler(1) == {"first": "a", "message": "b", "last": [1]}
    shown = handler(-1)
    assert shown["first"] == "" and "last" not in shown
    assert 'class="ma-warning"' in shown["message"] and "&lt;b&gt;" in shown["message"]


def test_bugs_keep_their_traceback():
    with pytest.raises(ZeroDivisionError):
        shows_errors()(lambda: 1 / 0)()


def test_outputs_by_name_meet_their_components_in_one_place():
    outputs = {"message": "message box", "table": "table", "last": "list"}
    listener = by_name(lambda value: {"message": "", "table": value}, outputs)
    assert listener(3) == {"message box": "", "table": 3, "list": None}  # an output left out is emptied
    with pytest.raises(KeyError, match="no output named tabel"):
        by_component(outputs, {"tabel": 1})


def test_links_open_the_explorer_on_a_movie(tiny_bert):
    assert explorer_link("s001", "<살인의 추억>") == '<a href="?movie=s001" target="_self">&lt;살인의 추억&gt;</a>'
    state = tiny_dashboard(tiny_bert)
    assert per_movie.linked_movie(state, SimpleNamespace(query_params={"movie": "s002"}))["value"] == "s002"
    assert "value" not in per_movie.linked_movie(state, SimpleNamespace(query_params={"movie": "nope"}))
    assert "value" not in per_movie.linked_movie(state, SimpleNamespace(query_params={}))
