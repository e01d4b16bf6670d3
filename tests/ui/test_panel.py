"""The settings panel (``moviattn.ui.panel``): controls by name, read into a ``PanelChoice`` in one place."""

from __future__ import annotations

import gradio as gr
import pytest
from app_helpers import KNOWN_MODEL, api_values, tiny_dashboard

from moviattn.explorer import HEAD_AGGREGATORS, Settings
from moviattn.ui import explorer_outputs, page, panel
from moviattn.ui.panel import CONTROLS, Control, control_order, head_choices, head_value, read_choice

#: The heatmap endpoints: every one takes the panel's controls after its own inputs.
HEATMAP_ENDPOINTS = {"review_heatmaps": 3, "movie_aggregate": 3, "movie_report": 2, "custom_review": 11, "upload_aggregate": 12}


def test_read_choice_maps_the_controls_by_name():
    controls = {"layer_agg": "last_k", "last_k": 3, "head": "mean", "granularity": "eojeol", "scale": "log", "cmap": "magma"}
    view = read_choice(controls)
    assert view.settings == Settings(layer_agg="last_k", last_k=3, head_agg="mean", granularity="eojeol")
    assert (view.scale, view.cmap) == ("log", "magma")
    single = read_choice({"layer_agg": "single", "layer": 2.0, "head": "3", "content_only": 1}).settings
    assert (single.layer, single.head_agg, single.head, single.content_only) == (2, "single", 3, True)
    assert read_choice({}).settings == Settings()  # a control left out keeps its default
    with pytest.raises(ValueError, match="unknown controls colour"):
        read_choice({"colour": "red"})
    with pytest.raises(ValueError, match="unknown colormap"):
        read_choice({"cmap": "rainbow"})


def test_head_choices_come_from_the_registry_and_unlabelled_names_show_as_themselves(monkeypatch):
    assert [value for _, value in head_choices(2)] == ["mean", "max", "0", "1"]
    assert head_value(Settings(head_agg="max")) == "max" and head_value(Settings(head_agg="single", head=2)) == "2"
    monkeypatch.setitem(HEAD_AGGREGATORS, "median", HEAD_AGGREGATORS["mean"])  # a newly registered aggregator
    assert ("median", "median") in head_choices(1)
    assert panel.labelled(panel.LAYER_AGG_LABELS, ["mean", "new_agg"]) == [("모든 층 평균 (mean)", "mean"), ("new_agg", "new_agg")]


def _endpoint(demo: gr.Blocks, api_name: str):
    return next(fn for fn in demo.fns.values() if fn.api_name == api_name)


def test_a_control_added_in_one_place_reaches_every_heatmap_handler(tiny_bert, monkeypatch):
    """Adding a control is one entry of ``CONTROLS``: the panel lays it out, every heatmap endpoint takes it
    after its own inputs, and the handlers read it, by name, into their settings. Here ``content_only`` is
    taken out (as before it existed) and added back with that one entry."""
    dash = tiny_dashboard(tiny_bert)
    monkeypatch.delitem(CONTROLS, "content_only")
    without = page.build_demo(dash)
    monkeypatch.setitem(CONTROLS, "content_only", Control("units", lambda model: gr.Checkbox(True, label="content words only")))
    demo = page.build_demo(dash)

    for api_name, own_inputs in HEATMAP_ENDPOINTS.items():
        before, after = _endpoint(without, api_name).inputs, _endpoint(demo, api_name).inputs
        assert len(after) == len(before) + 1 == own_inputs + len(CONTROLS), api_name
        assert "content words only" in [control.label for control in after[-len(CONTROLS):]]

    assert api_values(content_only=True)[control_order().index("content_only")] is True  # API callers' values follow

    read = []
    monkeypatch.setattr(explorer_outputs, "read_choice", lambda controls: read.append(read_choice(controls)) or read[-1])
    endpoint = _endpoint(demo, "review_heatmaps")
    values = [component.value for component in endpoint.inputs]
    values[2] = dash.dataset.reviews_of(values[1])[0].id  # the review list is empty until a movie is chosen
    status = endpoint.fn(*values)[endpoint.outputs[0]]
    assert "ma-warning" not in status and KNOWN_MODEL in status
    assert read[-1].settings == Settings(content_only=True, last_k=min(Settings().last_k, tiny_bert.num_layers))
