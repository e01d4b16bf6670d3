"""``moviattn aggregate``: a movie's aggregate over all its reviews as text, JSON and CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from ...paths import refuse_to_overwrite, starts_with
from .arguments import (
    _add_data_argument,
    _add_run_arguments,
    _check_engine,
    _dataset,
    _explorer,
    _print_notices,
    _ray_first,
    _settings,
    _write_json_atomically,
)


def format_aggregate(aggregate, k: int, score: str, which: str) -> str:
    """The aggregate view as text: per group the fields (share, per item, lift, with intervals), the plot
    words that stand out (by lift; the top k by share) and the top info items, then positive − negative
    and the time view."""
    from ...data import POLARITIES
    from .._stats.groups import EMPTY_GROUP, EMPTY_GROUP_KR, EmptyGroup
    from .._stats.shares import reference_reviews
    from .._stats.words import NOTHING_STANDS_OUT, NOTHING_STANDS_OUT_KR

    def lift_text(value: float | None) -> str:
        return f"{value:6.2f}" if value is not None else "     -"

    lines = [f"movie {aggregate.movie_id}: {aggregate.count()} reviews; words ranked by {score}"
             f" ({which} words); lift = share / share from {len(reference_reviews())} reference reviews"]
    for polarity in (None, *POLARITIES):
        group = aggregate.group(polarity)
        thin = " — thin: fewer than 5 reviews" if group.thin else ""
        lines.append(f"\n[{group.label}] {group.count} reviews{thin}")
        if group.empty:
            lines.append(f"  {EMPTY_GROUP_KR} ({EMPTY_GROUP})")
            continue
        lines.append("  field        items   share  per-item    lift  (lift 95% interval)")
        lines += [f"  {f.name:12s} {f.units:5d}  {f.share:6.3f}    {f.per_unit:6.2f}  {lift_text(f.lift)}"
                  + (" ({:.2f}, {:.2f})".format(*f.intervals["lift"]) if "lift" in f.intervals else "")
                  for f in aggregate.field_scores(group)]
        standing_out = score == "lift" and aggregate.plot_reference is not None
        plot_words = (aggregate.standing_out("plot", k, which=which, group=group) if standing_out
                      else aggregate.top_words("plot", k, group=group, score=score, which=which))
        lines.append("  plot words that stand out    share    lift  (95% interval)" if standing_out else "  top plot words        share    lift")
        lines += [f"  {s.word.text:18s} {s.share:6.3f}  {lift_text(s.lift)}" + (f"  ({s.low:.2f}, {s.high:.2f})" if s.low is not None else "")
                  for s in plot_words]
        if standing_out and not plot_words:
            lines.append(f"  {NOTHING_STANDS_OUT_KR} ({NOTHING_STANDS_OUT})")
        lines.append("  top info items        share    lift")
        lines += [f"  {s.word.text:18s} {s.share:6.3f}  {lift_text(s.lift)}" for s in aggregate.top_words("info", k, group=group, score=score)]
    lines.append("\npositive − negative (plot words that differ most; 95% bootstrap interval over reviews)")
    try:
        lines += [f"  {d.word.text:18s} {d.difference:+.4f} [{d.low:+.4f}, {d.high:+.4f}]"
                  for d in aggregate.difference("plot", k, score=score, which=which)]
    except EmptyGroup as exc:
        lines.append(f"  {exc}")
    periods, trends = aggregate.time_view("plot", k, score=score, which=which)
    lines.append("\nby period" + ("" if periods else ": no dated reviews"))
    for period in periods:
        group = period.group
        state = f"{EMPTY_GROUP_KR} ({EMPTY_GROUP})" if group.empty else ", ".join(f"{f.name} {f.share:.2f}" for f in period.fields)
        lines.append(f"  {group.label:25s} {group.count:4d} reviews{' (thin)' if group.thin else ''}  {state}")
    if trends:
        lines.append("  words that rise (+) and fall (−) from the first to the last period")
        lines += [f"  {t.word.text:18s} {t.first:.4f} → {t.last:.4f} ({t.change:+.4f})" for t in trends]
    return "\n".join(lines)


def _aggregate_export(path: Path) -> bool:
    """Whether ``path`` holds an earlier ``aggregate --json`` or ``--csv`` export."""
    return starts_with(path, b'{"movie_id"') or starts_with(path, b"segment,")


def cmd_aggregate(args: argparse.Namespace) -> None:
    import pandas as pd

    dataset = _dataset(args.data)
    movie = dataset.movie(args.movie)
    targets = [Path(t) for t in (args.json, args.csv) if t]
    for target in targets:
        refuse_to_overwrite(target, args.force, _aggregate_export, "a previous 'aggregate' export")
    _check_engine(args)
    explorer = _explorer(args)
    if args.engine == "ray":
        settings, _ = explorer.usable_settings(_settings(args))  # its notice is the aggregate's
        _ray_first(args, explorer, [movie], settings, dataset, reference=True)
    aggregate = explorer.movie_aggregate(movie, dataset.reviews_of(movie.id), _settings(args))
    _print_notices(aggregate.notices)
    print(format_aggregate(aggregate, args.k, args.score, args.words))
    if args.json:
        _write_json_atomically(Path(args.json), aggregate.summary(args.k, score=args.score, which=args.words))
        print(f"wrote {args.json}")
    if args.csv:
        Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(aggregate.word_rows(which=args.words)).to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``aggregate`` to the root parser."""
    from .._stats.scores import DEFAULT_SCORE, SCORES
    from .._stats.words import DEFAULT_WORDS, WORD_SETS

    aggregate = subparsers.add_parser("aggregate", help="a movie's aggregate over all its reviews: fields, words, groups, time")
    _add_data_argument(aggregate)
    aggregate.add_argument("--movie", required=True, help="movie id (see 'movies')")
    aggregate.add_argument("--k", type=int, default=10, help="words per list")
    aggregate.add_argument("--score", choices=SCORES, default=DEFAULT_SCORE, help="rank words by raw share or by lift")
    aggregate.add_argument(
        "--words", choices=WORD_SETS, default=DEFAULT_WORDS,
        help="plot words ranked: those that may lead the view (nouns, Latin-script words: docs/evaluation.md), every content word, or all",
    )
    aggregate.add_argument("--json", help="write what is printed as JSON here")
    aggregate.add_argument("--csv", help="write every word's share and lift per group as CSV here")
    aggregate.add_argument("--force", action="store_true", help="overwrite --json / --csv even if they are not earlier exports")
    _add_run_arguments(aggregate)
    aggregate.set_defaults(run=cmd_aggregate)
