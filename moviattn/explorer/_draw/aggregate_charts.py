"""Bar charts of a movie aggregate for the dashboard (Plotly): the info fields, the plot words and info
items, positive − negative, and the time view with its table of rising and falling words."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .._compute.sequence import FIELD_LABELS
from .._results.movie_aggregate import MovieAggregate
from .._stats.groups import EmptyGroup, Group
from .._stats.scores import DEFAULT_SCORE
from .._stats.words import DEFAULT_WORDS, NOTHING_STANDS_OUT, NOTHING_STANDS_OUT_KR
from .interactive import FONT_FAMILY, escape, message_figure, tick_label


def _bar(fig: go.Figure, labels: list[str], values: list[float], column: int, color: str, errors: tuple[list[float], list[float]] | None = None) -> None:
    positions = list(range(len(labels)))
    error = {"type": "data", "symmetric": False, "array": errors[1], "arrayminus": errors[0], "color": "#333"} if errors else None
    fig.add_trace(
        go.Bar(
            x=values, y=positions, orientation="h", marker_color=color, showlegend=False, error_x=error,
            hovertext=[escape(label) for label in labels], hovertemplate="%{hovertext}: %{x:.4f}<extra></extra>",
        ),
        row=1, col=column,
    )
    fig.update_yaxes(
        tickmode="array", tickvals=positions, ticktext=[tick_label(label) for label in labels],
        autorange="reversed", row=1, col=column,
    )


def _group_title(group: Group) -> str:
    return f"{group.label} · 리뷰 {group.count}개" + (" · 적음 (thin: fewer than 5 reviews)" if group.thin else "")


def _layout(fig: go.Figure, title: str, rows: int) -> go.Figure:
    fig.update_layout(
        title={"text": escape(title), "x": 0, "font": {"size": 14}}, height=int(max(300, 26 * rows + 130)),
        margin={"l": 10, "r": 10, "t": 90, "b": 10}, font={"family": FONT_FAMILY}, plot_bgcolor="white",
    )
    return fig


def fields_figure(aggregate: MovieAggregate, group: Group | None = None) -> go.Figure:
    """Info fields: raw share, share per item (1 = as much as the field's number of names predicts) and
    lift, each with its 95 % interval over reviews."""
    group = group or aggregate.group()
    if group.empty:
        return message_figure(str(EmptyGroup(group.label)), "영화 정보 필드 (info fields)")
    scores = aggregate.field_scores(group)
    labels = [FIELD_LABELS.get(f.name, f.name) for f in scores]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.1, subplot_titles=(
        "점유율 (share)", "항목당 (per item)", "lift (참조 대비)"))
    for column, (name, color) in enumerate((("share", "#4c72b0"), ("per_unit", "#55a868"), ("lift", "#c44e52")), start=1):
        if any(getattr(f, name) is None for f in scores):
            continue
        values = [float(getattr(f, name)) for f in scores]
        errors = ([v - f.intervals[name][0] for v, f in zip(values, scores)], [f.intervals[name][1] - v for v, f in zip(values, scores)]) \
            if all(name in f.intervals for f in scores) else None
        _bar(fig, labels, values, column, color, errors)
    for column in (2, 3):
        fig.add_vline(x=1.0, line_dash="dot", line_color="#666", row=1, col=column)
    return _layout(fig, f"영화 정보 필드 (info fields) · {_group_title(group)}", len(scores))


def words_figure(
    aggregate: MovieAggregate, *, segment: str = "plot", k: int = 15, score: str = DEFAULT_SCORE, group: Group | None = None,
    which: str = DEFAULT_WORDS,
) -> go.Figure:
    """The words of a segment (a lemma at several positions summed; info items whole) with raw share and
    lift side by side: by lift, only the plot words whose interval is above the reference (else a note
    that nothing stands out); by share, the top k."""
    group = group or aggregate.group()
    if group.empty:
        return message_figure(str(EmptyGroup(group.label)), "줄거리 단어 (plot words)")
    has_lift = aggregate.reference(segment) is not None
    score = score if has_lift else "share"
    standing_out = score == "lift" and segment == "plot"
    top = (aggregate.standing_out(segment, k, which=which, group=group) if standing_out
           else aggregate.top_words(segment, k, group=group, score=score, which=which))
    if standing_out and not top:
        return message_figure(f"{NOTHING_STANDS_OUT_KR} ({NOTHING_STANDS_OUT})", "줄거리 단어 (plot words)", muted=True)
    labels = [s.word.text for s in top]
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16, subplot_titles=(
        "점유율 (share)", "lift (×1 = 어떤 리뷰든 보는 만큼)"))
    _bar(fig, labels, [s.share for s in top], 1, "#dd8452")
    if has_lift:
        lifts = [float(s.lift or 0.0) for s in top]
        errors = ([v - float(s.low) for v, s in zip(lifts, top)], [float(s.high) - v for v, s in zip(lifts, top)]) if standing_out else None
        _bar(fig, labels, lifts, 2, "#c44e52", errors)
        fig.add_vline(x=1.0, line_dash="dot", line_color="#666", row=1, col=2)
    what = "줄거리" if segment == "plot" else "영화 정보"
    heading = f"눈에 띄는 {what} 단어 {len(top)}개 (lift 95% 구간 > 1)" if standing_out else f"{what} 단어 상위 {len(top)} ({score} 순)"
    return _layout(fig, f"{heading} · {_group_title(group)}", len(top))


def difference_figure(aggregate: MovieAggregate, *, k: int = 15, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS) -> go.Figure:
    """Positive minus negative reviews: the k plot words that differ most, with 95 % bootstrap intervals."""
    title = f"긍정 − 부정 (positive − negative) · {score} · 95% 구간 (bootstrap over reviews)"
    try:
        top = aggregate.difference("plot", k, score=score, which=which)
    except EmptyGroup as exc:
        return message_figure(str(exc), title)
    fig = make_subplots(rows=1, cols=1)
    labels = [d.word.text for d in top]
    _bar(fig, labels, [d.difference for d in top], 1, "#8172b3", ([d.difference - d.low for d in top], [d.high - d.difference for d in top]))
    fig.add_vline(x=0.0, line_color="#666")
    pos, neg = aggregate.group("positive"), aggregate.group("negative")
    fig.update_xaxes(title_text=f"← 부정에서 더 ({neg.count}개{', 적음' if neg.thin else ''}) · 긍정에서 더 ({pos.count}개{', 적음' if pos.thin else ''}) →")
    return _layout(fig, title, len(top))


def time_figure(aggregate: MovieAggregate) -> go.Figure:
    """Small multiples: the info fields' shares in each review period (empty periods say so)."""
    title = "기간별 필드 점유율 (field shares by review period)"
    periods, _ = aggregate.time_view()
    if not periods:
        return message_figure("날짜가 있는 리뷰가 없습니다 (no dated reviews)", title)
    fig = make_subplots(rows=1, cols=len(periods), shared_yaxes=True, horizontal_spacing=0.02,
                        subplot_titles=[f"{p.group.label}<br>{p.group.count}개{' (적음 thin)' if p.group.thin else ''}" for p in periods])
    names = aggregate.field_scores(aggregate.group())
    labels = [FIELD_LABELS.get(f.name, f.name) for f in names]
    top = max((f.share for p in periods for f in p.fields), default=1.0)
    for column, period in enumerate(periods, start=1):
        if period.group.empty:
            fig.add_annotation(text="리뷰 없음<br>(no reviews)", x=0.5 * top, y=len(labels) / 2 - 0.5, showarrow=False, row=1, col=column, font={"color": "#663c00"})
            fig.add_trace(go.Bar(x=[0] * len(labels), y=list(range(len(labels))), orientation="h", showlegend=False), row=1, col=column)
        else:
            fig.add_trace(go.Bar(
                x=[f.share for f in period.fields], y=list(range(len(labels))), orientation="h", showlegend=False,
                marker_color="#4c72b0" if not period.group.thin else "#a6b8d8",
                hovertext=labels, hovertemplate="%{hovertext}: %{x:.3f}<extra></extra>",
            ), row=1, col=column)
        fig.update_xaxes(range=[0, top * 1.1], row=1, col=column)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(labels))), ticktext=labels, autorange="reversed", row=1, col=1)
    fig.update_annotations(font_size=11)
    return _layout(fig, title, len(labels))


#: Columns of ``trends_table``.
TRENDS_COLUMNS = ["단어 (word)", "처음 (first)", "마지막 (last)", "변화 (change)", ""]


def trends_table(aggregate: MovieAggregate, *, k: int = 5, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS) -> pd.DataFrame:
    """The words that rise and fall most from the first to the last review period."""
    _, trends = aggregate.time_view("plot", k, score=score, which=which)
    return pd.DataFrame(
        [{"단어 (word)": t.word.text, "처음 (first)": round(t.first, 4), "마지막 (last)": round(t.last, 4),
          "변화 (change)": f"{t.change:+.4f}", "": "↑" if t.change > 0 else "↓"} for t in trends],
        columns=TRENDS_COLUMNS,
    )
