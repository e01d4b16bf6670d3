"""The cores a server may use and the request concurrency set from them."""

from __future__ import annotations

import os

import pytest

from moviattn import machine

AFFINITY = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


@pytest.mark.parametrize(
    "cpu_max, expected",
    [("max 100000\n", AFFINITY), ("100000 100000\n", 1), ("150000 100000\n", min(AFFINITY, 2)), ("50000 100000", 1),
     ("garbage", AFFINITY), (None, AFFINITY)],
)
def test_usable_cores_follow_affinity_and_a_container_quota(tmp_path, cpu_max, expected):
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    assert machine.usable_cores(path) == expected


def test_concurrency_leaves_a_core_to_the_model():
    assert [machine.cpu_slots(cores) for cores in (1, 2, 4, 16)] == [1, 1, 3, 15]
    assert machine.review_concurrency(8, 2) == 9 and machine.review_concurrency(8, 16) == 23
    assert machine.cpu_slots() == max(1, machine.usable_cores() - 1)
