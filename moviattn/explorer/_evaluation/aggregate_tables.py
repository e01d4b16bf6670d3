"""The tables of ``evaluate --aggregate``: one CSV row per view over all movies and per fold
(``report_rows``), and the printed report with the spread over folds (``format_report``)."""

from __future__ import annotations

import numpy as np

from .evaluation_aggregate import APP_DEFAULT, PREVIOUS_DEFAULT, CrossValidation, Summary


def _row(scope: str, summary: Summary, **extra: object) -> dict[str, object]:
    return {
        "scope": scope, "setting": summary.name, "movies": summary.movies, "review_plot_pairs": summary.plot_pairs,
        "review_plot_r5": round(summary.plot_r5, 4), "review_plot_mrr": round(summary.plot_mrr, 4),
        "review_info_r5": round(summary.info_r5, 4), "deletion_gain": round(summary.gain, 5),
        "deletion_lo": round(summary.gain_low, 5), "deletion_hi": round(summary.gain_high, 5),
        "top10_pass": f"{summary.clean}/{summary.movies}" if summary.clean is not None else "", **extra,
    }


def report_rows(cv: CrossValidation, model_name: str) -> list[dict[str, object]]:
    """One row per view over all movies (``default`` marks the app's view), then per fold the chosen view,
    the app's default and the previous default on the held-out movies."""
    rows = [_row("all", s, model=model_name, default=name == APP_DEFAULT.name, rule=cv.rule) for name, s in cv.overall.items()]
    for fold in cv.folds:
        for name in dict.fromkeys((fold.chosen.name, APP_DEFAULT.name, PREVIOUS_DEFAULT.name)):
            rows.append(_row(f"fold {fold.index + 1}", fold.test[name], model=model_name, default=name == APP_DEFAULT.name,
                             chosen=name == fold.chosen.name, rule=cv.rule, leading=" ".join(sorted(fold.leading)),
                             test_movies=" ".join(fold.test_movies)))
    return rows


def fold_spread(cv: CrossValidation, name: str) -> dict[str, tuple[float, float, float]]:
    """Mean, standard deviation and minimum over folds of a view's held-out recall@5 and deletion gain."""
    values = {
        "review_plot_r5": [f.test[name].plot_r5 for f in cv.folds],
        "deletion_gain": [f.test[name].gain for f in cv.folds],
        "deletion_lo": [f.test[name].gain_low for f in cv.folds],
    }
    return {k: (float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0, float(np.min(v))) for k, v in values.items()}


def format_report(cv: CrossValidation, model_name: str) -> str:
    """The printed report: views over all movies, each fold, and mean ± sd over folds."""
    lines = [f"model: {model_name}; {cv.overall[APP_DEFAULT.name].movies} movies, "
             f"{cv.n_reviews} reviews; {cv.seconds:.0f} s; leading rule {cv.rule}: {', '.join(sorted(cv.leading))} (all movies)", "",
             f"{'view':40s} {'pairs':>6s} {'r@5':>6s} {'MRR':>6s} {'info r@5':>8s} {'deletion ×10⁻³ (95% CI)':>26s} {'top10':>7s}"]
    for name, s in cv.overall.items():
        mark = " (default)" if name == APP_DEFAULT.name else ""
        lines.append(f"{(name + mark):40s} {s.plot_pairs:6d} {s.plot_r5:6.3f} {s.plot_mrr:6.3f} {s.info_r5:8.3f} "
                     f"{s.gain * 1e3:+8.2f} ({s.gain_low * 1e3:+.2f}, {s.gain_high * 1e3:+.2f}) "
                     f"{'' if s.clean is None else f'{s.clean}/{s.movies}':>7s}")
    lines += ["", "held-out folds (classes and view chosen on the other movies):"]
    for fold in cv.folds:
        for name in dict.fromkeys((fold.chosen.name, APP_DEFAULT.name, PREVIOUS_DEFAULT.name)):
            s = fold.test[name]
            tags = ",".join(t for t, on in (("chosen", name == fold.chosen.name), ("default", name == APP_DEFAULT.name),
                                            ("previous", name == PREVIOUS_DEFAULT.name)) if on)
            lines.append(f"fold {fold.index + 1} [{tags}] {name}: r@5 {s.plot_r5:.3f} ({s.plot_pairs} pairs), deletion "
                         f"{s.gain * 1e3:+.2f} ({s.gain_low * 1e3:+.2f}, {s.gain_high * 1e3:+.2f}), top10 {s.clean}/{s.movies}; "
                         f"leading {', '.join(sorted(fold.leading))}")
    for name in (APP_DEFAULT.name, PREVIOUS_DEFAULT.name):
        spread = fold_spread(cv, name)
        r5, gain = spread["review_plot_r5"], spread["deletion_gain"]
        lines.append(f"{name} over folds: r@5 {r5[0]:.3f} ± {r5[1]:.3f} (min {r5[2]:.3f}); deletion "
                     f"{gain[0] * 1e3:+.2f} ± {gain[1] * 1e3:.2f}; folds with interval above 0: "
                     f"{sum(f.test[name].gain_low > 0 for f in cv.folds)}/{len(cv.folds)}")
    return "\n".join(lines)
