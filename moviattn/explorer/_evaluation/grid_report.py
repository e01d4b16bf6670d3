"""The evaluation grid's tables: one row per setting, the choice of defaults, the files it writes.

``evaluation.evaluate`` scores; this module turns an ``EvaluationResult`` into the CSV, the app's
quality table (``quality``) and the printed tables of ``python -m moviattn evaluate`` (``grid_tables``; the
HTML report is ``_draw.html_report``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence

import numpy as np

from .evaluation import LEVELS, SEGMENTS, EvaluationResult, split_movies
from .quality import QUALITY_COLUMNS

# ---------------------------------------------------------------- table and choice

METRIC_NAMES = ("r1", "r5", "mrr")


def table_rows(result: EvaluationResult, halves: tuple[list[str], list[str]] | None = None) -> list[dict[str, object]]:
    """One row per setting and baseline: metrics on all movies, on each half, and the deletion gain."""
    scopes = {"": None}
    if halves is not None:
        scopes.update({"A_": halves[0], "B_": halves[1]})
    rows = []
    per_scope = {prefix: (result.metrics(movies), result.deletion(movies)) for prefix, movies in scopes.items()}
    for i, name in enumerate(result.names):
        settings = result.settings[i]
        row: dict[str, object] = {"model": result.model_name, "setting": name}
        if settings is not None:
            row.update(layer_agg=settings.layer_agg, layer=settings.layer, last_k=settings.last_k, head_agg=settings.head_agg, head=settings.head)
        for prefix, (metrics, gains) in per_scope.items():
            for l_index, level in enumerate(LEVELS):
                for s_index, segment in enumerate(SEGMENTS):
                    values = metrics[i, l_index, s_index]
                    if prefix == "":
                        row[f"{level}_{segment}_pairs"] = int(values[0])
                    for j, metric in enumerate(METRIC_NAMES):
                        row[f"{prefix}{level}_{segment}_{metric}"] = round(float(values[1 + j]), 4)
            measured = [v for v in (metrics[i, 0, 0, -1], metrics[i, 0, 1, -1]) if not np.isnan(v)]
            row[f"{prefix}score"] = round(float(np.mean(measured)), 4) if measured else float("nan")
            row[f"{prefix}deletion_gain"], row[f"{prefix}deletion_lo"], row[f"{prefix}deletion_hi"] = (round(float(v), 5) for v in gains[i])
        rows.append(row)
    return rows


def choose(rows: Sequence[dict[str, object]], prefix: str, eligible: Callable[[dict[str, object]], bool]) -> dict[str, object]:
    """The eligible row with the best ``{prefix}score`` (mean of unit-level info and plot MRR)."""
    return max((r for r in rows if eligible(r)), key=lambda r: np.nan_to_num(float(r[f"{prefix}score"]), nan=-np.inf))


def aggregated(row: dict[str, object]) -> bool:
    """Head mean or max (a single head's index means nothing in another model)."""
    return row.get("head_agg") in ("mean", "max")


def transferable(row: dict[str, object]) -> bool:
    """Eligible as the app's default: no head index and no layer index, so it is valid and means the
    same for any encoder (the app's default model, tiny test models) and not only the one evaluated."""
    return aggregated(row) and row.get("layer_agg") in ("mean", "last_k", "rollout")


def write_csv(rows: Sequence[dict[str, object]], path) -> None:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def write_quality_resource(rows: Sequence[dict[str, object]], path) -> None:
    """The few columns the app's quality note reads (``quality``), per model and setting."""
    write_csv([{k: r.get(k, "") for k in QUALITY_COLUMNS} for r in rows], path)


# ---------------------------------------------------------------- report (the CLI's output)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def format_table(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> str:
    widths = [max(len(c), *(len(_fmt(r.get(c, ""))) for r in rows)) for c in columns]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(_fmt(r.get(c, "")).rjust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join(lines)


def format_head_grid(result: EvaluationResult, rows: Sequence[dict[str, object]], column: str) -> str:
    """Layers × heads grid of one column of the single-head rows."""
    by_cell = {(int(r["layer"]), int(r["head"])): r for r in rows if r.get("layer_agg") == "single" and r.get("head_agg") == "single"}
    layers, heads = result.heads.shape[1:]
    lines = [f"{column} per layer (rows) and head (columns)", "     " + "".join(f"{h:>6d}" for h in range(heads))]
    for layer in range(layers):
        lines.append(f"L{layer:<3d} " + "".join(f"{float(by_cell[layer, h][column]):6.2f}" for h in range(heads)))
    return "\n".join(lines)


def format_diagnostics(result: EvaluationResult) -> str:
    """Per-head sink / neighbour / cross-segment mass, averaged over reviews."""
    mean = result.heads / max(result.n_reviews, 1)
    lines = []
    for index, label in enumerate(("sink mass ([CLS]/[SEP])", "self+neighbour mass", "info+plot mass")):
        lines.append(label)
        lines.append("     " + "".join(f"{h:>6d}" for h in range(mean.shape[2])))
        lines += [f"L{layer:<3d} " + "".join(f"{v:6.2f}" for v in mean[index, layer]) for layer in range(mean.shape[1])]
    return "\n".join(lines)


MAIN_COLUMNS = (
    "setting", "unit_plot_r1", "unit_plot_r5", "unit_plot_mrr", "unit_info_r1", "unit_info_r5", "unit_info_mrr",
    "review_plot_r5", "review_plot_mrr", "review_info_r5", "review_info_mrr", "deletion_gain", "deletion_lo", "deletion_hi",
)


def grid_tables(result: EvaluationResult) -> tuple[str, list[dict[str, object]], dict[str, dict[str, object]]]:
    """The printed report, the table rows (all settings, both halves) and the settings chosen on each half."""
    halves = split_movies(result.movie_ids)
    rows = table_rows(result, halves)
    shown = [r for r in rows if r.get("head_agg") != "single"]
    chosen = {"A": choose(rows, "A_", transferable), "B": choose(rows, "B_", transferable)}
    best_layer = {half: choose(rows, f"{half}_", aggregated) for half in "AB"}
    best_head = choose(rows, "", lambda r: r.get("head_agg") == "single")
    pairs = {k: rows[0][f"{k}_pairs"] for k in ("unit_plot", "unit_info", "review_plot", "review_info")}
    split_rows = [
        {"rule": rule, "chosen_on": half, "setting": row["setting"],
         **{f"{h}_{m}": row[f"{h}_{m}"] for h in "AB" for m in ("score", "unit_plot_r5", "unit_info_r5", "deletion_gain")}}
        for rule, picks in (("layer/head-free", chosen), ("any layer", best_layer)) for half, row in picks.items()
    ]
    parts = [
        f"model: {result.model_name}; {len(result.movie_ids)} movies, {result.n_reviews} reviews; pairs: {pairs}",
        "score = mean of unit-level plot MRR and info MRR; deletion_gain = similarity drop (attended block − mean block)",
        format_table(shown, MAIN_COLUMNS),
        format_head_grid(result, rows, "unit_plot_r5"),
        format_head_grid(result, rows, "unit_info_r5"),
        format_diagnostics(result),
        f"best single head: {best_head['setting']} (score {best_head['score']})",
        f"halves: A = {', '.join(halves[0])}; B = {', '.join(halves[1])}",
        format_table(split_rows, list(split_rows[0])),
    ]
    return "\n\n".join(parts), rows, chosen
