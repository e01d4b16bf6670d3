"""What this machine gives a server: the cores the process may use, and the request concurrency set from them.

A server that lets many request threads analyse text and build figures at once, beside the thread that runs
the model, makes them all compete for the cores and for Python's one interpreter lock: with sixteen review
events at once on two cores, the encoder's own work stretched from 12 s alone to 33 s of a 61 s run
(profiled with py-spy; benchmarks/bench_load.py). So the number of request threads doing CPU work at once (``cpu_slots``) leaves one core
to the model thread, and the number of requests in their handlers (``review_concurrency``) is what fills a
model batch plus those slots: the others wait for the model, blocked, taking no core (and a cached request
never waits behind a computing one, since a computing one holds no slot while the model runs).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

#: cgroup v2's CPU quota of this process's container: "<quota> <period>" or "max <period>".
CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def _cgroup_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int | None:
    """The cores a container's CPU quota allows (rounded up), or None where there is no quota."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, math.ceil(int(quota) / int(period))) if quota != "max" else None
    except (OSError, ValueError):
        return None


def usable_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """Cores this process may run on: its CPU affinity (``taskset``, a scheduler's pinning), capped by a
    container's CPU quota (a 2-CPU Space can see all of the host's cores); at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity API (macOS, Windows)
        cores = os.cpu_count() or 1
    quota = _cgroup_cores(cpu_max)
    return max(1, min(cores, quota) if quota else cores)


def cpu_slots(cores: int | None = None) -> int:
    """Request threads that may do CPU work at once (analysis, figures): one core is left to the model thread."""
    return max(1, (cores or usable_cores()) - 1)


def review_concurrency(max_batch: int, cores: int | None = None) -> int:
    """Single-review requests in their handlers at once: a model batch's worth waiting for the model, plus
    the CPU slots (was a fixed 16: two batches of 8, whatever the machine)."""
    return max_batch + cpu_slots(cores)
