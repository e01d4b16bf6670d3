"""Static heatmaps and charts (matplotlib, Korean font) for reviews and movie aggregates.

Each function takes results in and gives a matplotlib Figure out (bertviz-style:
data + labels in, view out); ``save_png`` writes one. Korean text needs a Korean
font: ``korean_font()`` finds one (system Nanum/Noto CJK/Malgun/AppleGothic, or
the NanumGothic that the ``koreanize-matplotlib`` package ships) and says how
to install one otherwise, so boxes are never drawn silently.
"""

from __future__ import annotations

import logging
import textwrap
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import colors, font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ...registry import UnknownChoice  # noqa: E402
from .._compute.reduce import MEASURES  # noqa: E402
from .._compute.sequence import FIELD_LABELS  # noqa: E402
from .._results.movie_aggregate import MovieAggregate  # noqa: E402
from .._results.review import ReviewAttention  # noqa: E402
from .._stats.groups import EmptyGroup  # noqa: E402
from .._stats.scores import DEFAULT_SCORE  # noqa: E402
from .._stats.words import NOTHING_STANDS_OUT, NOTHING_STANDS_OUT_KR  # noqa: E402

log = logging.getLogger(__name__)

KOREAN_FONT_FAMILIES = ("NanumGothic", "NanumBarunGothic", "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "AppleGothic")
KOREAN_FONT_HELP = (
    "한글 글꼴이 없어 글자가 네모로 보일 수 있습니다. 설치: `apt-get install fonts-nanum` 또는 "
    "`pip install koreanize-matplotlib`. No Korean font found: install fonts-nanum or koreanize-matplotlib."
)
#: Fonts with Han characters for Chinese reviews' labels, each glyph falling back to the first that has it
#: (NanumGothic has no Han: packages.txt installs WenQuanYi Micro Hei, 5 MB, not Noto CJK's 91 MB).
HAN_FONT_FAMILIES = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans CJK KR")
COLOR_SCALES = ("linear", "log", "percentile")
#: Largest static figure side, in inches.
MAX_FIGURE_INCHES = 48.0
#: Columns per panel of a static heatmap before it folds into another panel.
WRAP_COLUMNS = 60


@lru_cache(maxsize=1)
def korean_font() -> str | None:
    """Family name of an installed Korean font (registered with matplotlib), or None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in KOREAN_FONT_FAMILIES:
        if family in installed:
            return family
    try:
        import koreanize_matplotlib  # noqa: F401  (ships NanumGothic; importing registers it)

        font_path = Path(koreanize_matplotlib.__file__).parent / "fonts" / "NanumGothic.ttf"
        font_manager.fontManager.addfont(str(font_path))
        return font_manager.FontProperties(fname=str(font_path)).get_name()
    except (ImportError, OSError):
        log.warning(KOREAN_FONT_HELP)
        return None


def _style() -> dict:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    han = [family for family in HAN_FONT_FAMILIES if family in installed][:1]
    families = [family for family in (korean_font(), *han) if family]
    return {"font.family": [*families, "DejaVu Sans"], "axes.unicode_minus": False}


def color_norm(values: np.ndarray, scale: str = "linear") -> colors.Normalize:
    """Colour normalisation: linear, log, or linear clipped at the 1st/99th percentile."""
    finite = values[np.isfinite(values)] if values.size else np.array([0.0, 1.0])
    if scale == "linear":
        return colors.Normalize(vmin=0.0, vmax=max(float(finite.max(initial=0.0)), 1e-12))
    if scale == "log":
        positive = finite[finite > 0]
        low = float(positive.min()) if positive.size else 1e-6
        return colors.LogNorm(vmin=max(low, 1e-6), vmax=max(float(finite.max(initial=0.0)), low * 10, 1e-5), clip=True)
    if scale == "percentile":
        low, high = np.percentile(finite, [1, 99]) if finite.size else (0.0, 1.0)
        return colors.Normalize(vmin=float(low), vmax=float(max(high, low + 1e-12)), clip=True)
    raise UnknownChoice("colour scale", scale, COLOR_SCALES)


def heatmap(
    matrix: np.ndarray,
    row_labels: list[str],
    column_labels: list[str],
    *,
    title: str = "",
    groups: list[tuple[str, int, int]] | None = None,
    scale: str = "linear",
    cmap: str = "viridis",
    wrap: int = WRAP_COLUMNS,
) -> Figure:
    """A labelled heatmap; ``groups`` = (label, first column, end column) draws field brackets on top.

    More than ``wrap`` columns are folded into stacked panels that share one
    colour scale, so a long synopsis stays readable in a static image.
    """
    with plt.rc_context(_style()):
        n_rows, n_cols = matrix.shape
        panels = [(s, min(s + wrap, n_cols)) for s in range(0, max(n_cols, 1), wrap)]
        panel_cols = panels[0][1] - panels[0][0]
        width = min(max(6.0, 1.8 + 0.24 * panel_cols), MAX_FIGURE_INCHES)
        panel_height = 1.4 + 0.28 * n_rows
        height = min(max(3.0, 0.8 + panel_height * len(panels)), MAX_FIGURE_INCHES)
        fig = plt.figure(figsize=(width, height), dpi=110, layout="constrained")
        axes = fig.subplots(len(panels), 1, squeeze=False)[:, 0]
        norm = color_norm(matrix, scale)
        for ax, (first, last) in zip(axes, panels):
            image = ax.imshow(matrix[:, first:last], aspect="auto", cmap=cmap, norm=norm, interpolation="nearest",
                              extent=(first - 0.5, last - 0.5, n_rows - 0.5, -0.5))
            ax.set_xticks(range(first, last), column_labels[first:last], rotation=90, fontsize=8.5)
            ax.set_yticks(range(n_rows), row_labels, fontsize=9)
            ax.set_ylabel("리뷰 (review)")
        headline, _, detail = title.partition("\n")
        wrapped = textwrap.fill(detail, int(width * 11)) if detail else ""
        # the title above the whole layout (constrained layout keeps the field labels below it; an axes
        # title at a fixed pad was covered by rotated field labels)
        fig.suptitle(f"{headline}\n{wrapped}".strip(), fontsize=10, x=0.01, ha="left")
        if groups:
            ax = axes[0]
            for _, start, _ in groups:
                if start > 0:
                    ax.axvline(start - 0.5, color="white", linewidth=1.5)
            top = ax.secondary_xaxis("top")
            # narrow fields (국가, 개봉: one or two columns) would collide side by side: only their labels stand
            # upright, the wider fields' labels stay level and readable
            top.set_xticks([(s + e - 1) / 2 for _, s, e in groups], [g for g, _, _ in groups], fontsize=9)
            for label, (_, s, e) in zip(top.get_xticklabels(), groups):
                label.set_rotation(90 if e - s <= 2 else 0)
            top.tick_params(length=0)
        fig.colorbar(image, ax=list(axes), fraction=0.03, pad=0.01, label="attention")
        return fig


def field_groups(result: ReviewAttention) -> list[tuple[str, int, int]]:
    """(field label, first info column, end column) for each run of info units of one field."""
    groups: list[tuple[str, int, int]] = []
    for i, unit in enumerate(result.info_units):
        label = FIELD_LABELS.get(unit.field or "", unit.field or "")
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1], i + 1)
        else:
            groups.append((label, i, i + 1))
    return groups


def setting_line(result: ReviewAttention) -> str:
    """The model and settings behind a result, as a figure subtitle."""
    s = result.settings
    layer = {"single": f"layer {s.layer}", "mean": "layer mean", "last_k": f"last {s.last_k} layers", "rollout": f"rollout to layer {s.layer}"}[s.layer_agg]
    head = f"head {s.head}" if s.head_agg == "single" else f"head {s.head_agg}"
    if MEASURES[s.measure].maps is None:  # a gradient measure reads no layer or head
        return f"{result.model_name} · {s.measure} · {s.normalization} · {s.granularity}"
    measure = "" if s.measure == "attention" else f"{s.measure} · "
    return f"{result.model_name} · {measure}{layer} · {head} · {s.normalization} · {s.granularity}"


def review_info_heatmap(result: ReviewAttention, *, scale: str = "linear", cmap: str = "viridis") -> Figure:
    """Heatmap 1: review units (y) × movie-info items (x: each name, genre, country whole), grouped by field."""
    result = result.by_item()
    return heatmap(
        result.info, [u.text for u in result.review_units], [u.text for u in result.info_units],
        title=f"리뷰 × 영화 정보 (review × movie info)\n{setting_line(result)}",
        groups=field_groups(result), scale=scale, cmap=cmap,
    )


def review_plot_heatmap(result: ReviewAttention, *, scale: str = "linear", cmap: str = "viridis") -> Figure:
    """Heatmap 2: review units (y) × plot units (x)."""
    windows = f" · {result.n_windows} windows" if result.n_windows > 1 else ""
    return heatmap(
        result.plot, [u.text for u in result.review_units], [u.text for u in result.plot_units],
        title=f"리뷰 × 줄거리 (review × plot)\n{setting_line(result)}{windows}", scale=scale, cmap=cmap,
    )


def aggregate_bars(
    aggregate: MovieAggregate, *, k: int = 15, polarity: str | None = None, title: str = "", score: str = DEFAULT_SCORE,
) -> Figure:
    """The aggregate as the dashboard shows it: info fields (raw share, per item, lift, with 95 % intervals)
    over the plot words (raw share and lift side by side): by lift only those that stand out (interval
    above the reference; else a note that nothing does), by share the top k; an empty group says so."""
    group = aggregate.group(polarity)
    with plt.rc_context(_style()):
        if group.empty:
            fig = plt.figure(figsize=(8, 1.6), dpi=110)
            fig.text(0.5, 0.5, str(EmptyGroup(group.label)), ha="center", va="center", fontsize=12)
            return fig
        fields = aggregate.field_scores(group)
        score = score if aggregate.plot_reference is not None else "share"
        top = aggregate.standing_out("plot", k, group=group) if score == "lift" else aggregate.top_words("plot", k, group=group, score=score)
        fig, axes = plt.subplots(
            2, 3, figsize=(13, 0.33 * (k + len(fields)) + 3), dpi=110, layout="constrained",
            gridspec_kw={"height_ratios": [max(len(fields), 1), max(k, 1)]},
        )
        names = [FIELD_LABELS.get(f.name, f.name) for f in fields][::-1]
        for ax, name, label, color in zip(
            axes[0], ("share", "per_unit", "lift"),
            ("필드 점유율 (raw share)", "항목당 (per item)", "lift (참조 대비)"), ("#4c72b0", "#55a868", "#c44e52"),
        ):
            values = [float(getattr(f, name) or 0.0) for f in fields][::-1]
            bounds = [f.intervals.get(name) for f in fields][::-1]
            errors = [[v - b[0] for v, b in zip(values, bounds)], [b[1] - v for v, b in zip(values, bounds)]] if all(bounds) else None
            ax.barh(names, values, color=color, xerr=errors, ecolor="#333")
            ax.set_title(label)
        words = [s.word.text for s in top][::-1]
        heading = f"눈에 띄는 줄거리 단어 {len(top)}개 (lift 95% 구간 > 1)" if score == "lift" else f"줄거리 단어 상위 {len(top)} (share 순)"
        axes[1, 0].barh(words, [s.share for s in top][::-1], color="#dd8452")
        axes[1, 0].set_title(f"{heading}: 점유율 (share)")
        lifts = [s.lift or 0.0 for s in top][::-1]
        errors = [[v - s.low for v, s in zip(lifts, top[::-1])], [s.high - v for v, s in zip(lifts, top[::-1])]] if score == "lift" else None
        axes[1, 1].barh(words, lifts, color="#c44e52", xerr=errors, ecolor="#333")
        axes[1, 1].set_title("lift (×1 = 어떤 리뷰든 보는 만큼)")
        if not top:
            axes[1, 0].text(0.5, 0.5, f"{NOTHING_STANDS_OUT_KR}\n({NOTHING_STANDS_OUT})", ha="center", va="center",
                            transform=axes[1, 0].transAxes, fontsize=10, wrap=True)
        for ax in (axes[0, 1], axes[0, 2], axes[1, 1]):
            ax.axvline(1.0, color="#666", linestyle=":")
        axes[1, 2].axis("off")
        thin = " · 적음 (thin)" if group.thin else ""
        fig.suptitle(title or f"{group.label} · 리뷰 {group.count}개의 평균 (mean over {group.count} reviews){thin}", fontsize=11)
        return fig


def save_png(fig: Figure, path: str | Path) -> Path:
    """Write a figure to PNG and release it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
