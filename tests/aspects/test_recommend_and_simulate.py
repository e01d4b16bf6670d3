"""Ranking by relative praise, and the simulated critiquing users on the five-movie world."""

from __future__ import annotations

import numpy as np

from moviattn.aspects.recommend import rank_movies, recommend
from moviattn.aspects.simulate import METHODS, SimulatedUser, draw_users, run_user, simulate


def test_relative_praise_ranks_and_excludes(small_world):
    _, profiles = small_world
    assert rank_movies(profiles, {"음악": 1.0})[0][0] == "m3"
    picks = recommend(profiles, {}, {"스토리": 1.0}, exclude={"m2"})
    assert "m2" not in {p.movie_id for p in picks} and all(p.score > 0 for p in picks)


def test_critiquing_reaches_a_target_that_the_first_turn_missed(small_world, small_inventory):
    _, profiles = small_world
    user = SimulatedUser("m3", "m1")  # m3 is praised for 음악 only, the first wanted aspect
    assert run_user(profiles, user, "critiquing", small_inventory, np.random.default_rng(0)) == 1
    assert run_user(profiles, SimulatedUser("m2", "m1"), "critiquing", small_inventory, np.random.default_rng(0)) == 1


def test_simulate_reports_every_method(small_world, small_inventory):
    _, profiles = small_world
    users = draw_users(profiles, 20, seed=3)
    assert all(u.target != u.start for u in users)
    result = simulate(profiles, 20, seed=3, inventory=small_inventory)
    assert set(METHODS) <= set(result) and result["n"]["movies"] == 5
    for method in METHODS:
        row = result[method]
        assert row["success@1"]["value"] <= row["success@3"]["value"] <= row["success@5"]["value"]
        assert 1 <= row["mean turns"]["value"] <= 5


def test_the_report_tables(small_world, small_inventory):
    from moviattn.aspects.cli import format_report

    _, profiles = small_world
    measure = {"value": 0.5, "low": 0.4, "high": 0.6}
    labelled = {"phrases": dict.fromkeys(("precision", "recall", "f1", "polarity_accuracy", "end_to_end_f1"), measure),
                "n": {"reviews": 3, "gold pairs": 4}, "seconds": 1.0}
    text = format_report({"labelled": labelled, "simulated (tiny)": simulate(profiles, 10, inventory=small_inventory)})
    assert "| phrases | 0.500 (0.40-0.60)" in text and "| critiquing |" in text and "| popularity |" in text
