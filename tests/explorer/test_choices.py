"""A setting's choices are one table (``choices.setting_choices``): a head aggregator registered in one entry is
offered by the CLI and the panel, accepted by ``Settings``, scored by the evaluation grid and named by the quality note."""

from __future__ import annotations

import pytest
import torch

from moviattn import cli
from moviattn.explorer import HEAD_AGGREGATORS, Settings, pooled_heads, quality_note, setting_name
from moviattn.explorer._evaluation.evaluation import settings_grid
from moviattn.ui.panel import head_choices, read_choice


@pytest.fixture
def median_heads(monkeypatch):
    """One entry: a median over heads (undone after the test by ``monkeypatch``)."""
    monkeypatch.setitem(HEAD_AGGREGATORS, "median", lambda maps, settings: maps.median(dim=1).values)
    yield "median"
    # monkeypatch restores the registry


def test_a_head_aggregator_registered_once_is_offered_scored_and_named(median_heads):
    assert median_heads in pooled_heads()
    args = cli.build_parser().parse_args(["show", "--movie", "s001", "--head-agg", "median"])  # the CLI offers it
    assert args.head_agg == "median"
    assert ("median", "median") in head_choices(2)  # the panel offers it
    assert read_choice({"head": "median"}).settings.head_agg == "median"
    assert Settings(head_agg="median").validate(12, 12).head_agg == "median"
    names = dict(settings_grid(3, 2))  # the evaluation grid scores it
    assert {"L0/median", "L2/median", "mean/median", "last2/median", "rollout/median"} <= set(names)
    assert names["mean/median"] == Settings(layer_agg="mean", head_agg="median")
    assert setting_name(Settings(head_agg="median"), 12, 12) == "mean/median"  # the quality note names it
    assert quality_note(Settings(head_agg="median"), "offline") is None  # not measured yet: no note, no error
    maps = torch.rand(2, 3, 4, 5)
    assert torch.equal(HEAD_AGGREGATORS["median"](maps, Settings()), maps.median(dim=1).values)


def test_the_registration_is_undone_and_the_grid_is_todays():
    assert "median" not in HEAD_AGGREGATORS
    names = [name for name, _ in settings_grid(2, 2)]
    assert names == ["L0/mean", "L0/max", "L0/h0", "L0/h1", "L1/mean", "L1/max", "L1/h0", "L1/h1",
                     "mean/mean", "last2/mean", "rollout/mean", "mean/max", "last2/max", "rollout/max"]
