"""``python -m moviattn feedback evaluate|simulate|export|stats [--db URL]``."""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

from .store import FeedbackStore


def _evaluate(args: argparse.Namespace) -> None:
    from .estimators import ESTIMATORS, estimate
    from .policies import POLICIES
    from .simulation import policy_inclusion

    store = FeedbackStore(args.db)
    logged = list(store.logged_slates())
    print(f"{len(logged)} logged slates; hits per slate (95% bootstrap interval)")
    print("surface | logged by | evaluated | " + " | ".join(ESTIMATORS))
    for surface in sorted({s.surface for s in logged}):
        for policy in sorted({s.policy for s in logged if s.surface == surface}):
            part = [s for s in logged if s.surface == surface and s.policy == policy]
            for target in POLICIES:
                found = estimate(part, policy_inclusion(part, target))
                print(f"{surface} | {policy} | {target} | " + " | ".join(str(found[name]) for name in ESTIMATORS))


def _simulate(args: argparse.Namespace) -> None:
    from .estimators import ESTIMATORS
    from .simulation import estimator_bias, simulate

    started = time.perf_counter()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'simulation.sqlite3'}"
    print(f"{args.visitors} simulated visitors per policy, log in {url}; hit rate = hits / shown; estimates: hits per slate / 3")
    print("| logged by | online hit rate | evaluated | " + " | ".join(ESTIMATORS) + " |")
    print("|---|---|---|" + "---|" * len(ESTIMATORS))
    for row in simulate(args.visitors, url, args.seed):
        cells = " | ".join(f"{row[n].value / 3:.3f} [{row[n].low / 3:.3f}, {row[n].high / 3:.3f}]" for n in ESTIMATORS)
        print(f"| {row['logged by']} | {row['online hit rate']:.3f} | {row['evaluated']} | {cells} |")
    bias = estimator_bias(seed=args.seed)
    print(f"estimator bias on a synthetic problem (true hits per slate {bias['true']:.3f}): "
          + ", ".join(f"{n} {bias[n]:+.4f}" for n in ESTIMATORS))
    print(f"run time {time.perf_counter() - started:.1f} s")


def _export(args: argparse.Namespace) -> None:
    import pandas as pd

    store = FeedbackStore(args.db)
    out = Path(args.out)
    for table in ("slates", "slate_items", "reactions"):
        frame = pd.DataFrame(store.table(table))
        path = out.with_name(f"{out.stem}.{table}{out.suffix}")
        if args.format == "csv":
            frame.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL)
        else:
            try:
                frame.to_parquet(path, index=False)
            except ImportError as exc:
                raise ValueError(f"parquet needs pyarrow (pip install pyarrow), or use --format csv: {exc}") from exc
        print(f"{table}: {len(frame)} rows → {path}")


def _stats(args: argparse.Namespace) -> None:
    for name, value in FeedbackStore(args.db).stats().items():
        print(f"{name}: {value}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``feedback`` command and its sub-commands to a parent CLI."""
    parser = subparsers.add_parser("feedback", help="the feedback database: off-policy evaluation, simulation, export, stats")
    commands = parser.add_subparsers(dest="feedback_command", required=True)

    def command(name: str, help: str, run) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help)
        sub.add_argument("--db", help="database URL (default: $MOVIATTN_DATABASE_URL, else SQLite in the cache folder)")
        sub.set_defaults(run=run)
        return sub

    command("evaluate", "IPS, SNIPS and DR estimates of each policy from the log, side by side", _evaluate)
    simulate = command("simulate", "simulated visitors through the app's path: bandit vs static, online and off-policy", _simulate)
    simulate.add_argument("--visitors", type=int, default=300)
    simulate.add_argument("--seed", type=int, default=0)
    export = command("export", "the three tables as CSV or Parquet (FILE.slates.csv, ...)", _export)
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    export.add_argument("--out", required=True)
    command("stats", "rows, visitors, slates per surface and policy, reactions by kind", _stats)
