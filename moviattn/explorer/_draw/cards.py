"""What the explorer shows, without Gradio: the movie card, review previews and the aggregate view.

The app's tabs (``moviattn.ui``) and the HTML report (``report``) draw from these same functions, so a
report shows what the page shows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...data import Movie
from .._results.movie_aggregate import MovieAggregate
from .._results.review import ReviewAttention
from .._stats.scores import DEFAULT_SCORE
from .._stats.words import lift
from . import aggregate_charts, interactive

PREVIEW_CHARS = 40
NOTE_CAVEAT = (
    "주의(attention ≠ explanation): 어텐션은 모델이 *어디를 보는지*를 보여줄 뿐, *왜* 그렇게 판단했는지의 증거는 아닙니다 "
    "(Jain & Wallace 2019, *Attention is not Explanation*; Wiegreffe & Pinter 2019, *Attention is not not Explanation*)."
)
#: How to read the review heatmaps and the aggregate (Markdown: bold and italics only).
NOTES = {
    "review": "**읽는 법 (how to read):** 행 = 리뷰의 단위(형태소 등), 열 = 영화 정보(감독·장르·출연 …로 묶음) 또는 줄거리 단위. "
              "칸이 밝을수록 그 리뷰 단위가 그 열을 더 많이 봅니다. 마우스를 올리면 두 단위와 값이 보입니다; "
              "드래그 = 확대, 더블클릭 = 원래대로, 아래 슬라이더 = 가로 스크롤. " + NOTE_CAVEAT,
    "aggregate": "**읽는 법:** 같은 단어는 위치가 달라도 하나로 합칩니다 (조사·어미·문장부호 제외). **점유율** = 리뷰마다 "
                 "합이 1인 몫의 평균; **lift** = 그 점유율 ÷ 이 영화 정보·줄거리 옆에 놓은 일반 리뷰 20개(참조)가 주는 몫 — "
                 "×1이면 어떤 리뷰든 보는 만큼(첫·끝 단어, 구분자 같은 위치 효과는 여기서 사라짐), 클수록 이 영화 리뷰들이 특히 보는 단어. "
                 "필드: 점유율, 길이 보정(필드 단위 수 대비), lift. **긍정 − 부정**: 차이가 큰 단어와 95% 구간(리뷰 재표집); "
                 "**기간별**: 리뷰 기간(연도 또는 같은 개수 구간)마다 필드 점유율과 오르내린 단어. 리뷰가 없는 그룹은 그렇다고 쓰고, "
                 "5개 미만은 '적음(thin)'으로 표시합니다. " + NOTE_CAVEAT,
}


def preview(text: str, length: int = PREVIEW_CHARS) -> str:
    """The text on one line, cut to ``length`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def movie_card_html(movie: Movie) -> str:
    """The movie's info card (every value escaped)."""
    rows = [
        ("감독 (director)", ", ".join(movie.director)), ("장르 (genres)", ", ".join(movie.genres)),
        ("출연 (cast)", ", ".join(movie.cast)), ("국가 (country)", ", ".join(movie.country)),
        ("개봉 (year)", str(movie.year or "")),
    ]
    title = html.escape(movie.title_kr) + (f" <small>({html.escape(movie.title_en)})</small>" if movie.title_en else "")
    cells = "".join(f"<tr><th>{name}</th><td>{html.escape(value) or '—'}</td></tr>" for name, value in rows)
    synopsis = interactive.escape_keep_lines(movie.synopsis) or "—"
    return (
        f'<div class="ma-card"><h3>{title}</h3><table>{cells}</table>'
        f'<details open><summary>줄거리 (synopsis)</summary><p>{synopsis}</p></details></div>'
    )


@dataclass
class AggregateView:
    """The aggregate view: shaded synopsis, info fields, top plot words (share and lift), the time view
    (small multiples and the words that rise and fall), reviews × plot, and on request positive − negative."""

    html: str
    fields: Any
    words: Any
    time: Any
    trends: Any
    matrix: Any
    difference: Any | None


def aggregate_views(
    aggregate: MovieAggregate, *, split: bool, scale: str, cmap: str, review_labels: dict[str, str] | None = None,
    score: str = DEFAULT_SCORE,
) -> AggregateView:
    """All reviews' view; with ``split`` also the difference of positive and negative reviews (one chart
    of what differs, with intervals, instead of two near-identical ones). Words are lemmas of the
    classes that may lead (``words.LEADING_CLASSES``), by lift only those that stand out; the synopsis is
    shaded by the same score per position of those words (other units blank)."""
    has_lift = aggregate.plot_reference is not None
    score = score if has_lift else "share"
    plot_text = aggregate.plot_text.text if aggregate.plot_text is not None else ""
    share = aggregate.plot_share()
    values = lift(share, aggregate.plot_reference) if score == "lift" else share
    content = np.zeros(len(aggregate.plot_units), dtype=bool)
    for word in aggregate.words("plot"):
        content[list(word.positions)] = True
    group = aggregate.group()
    title = f"{interactive.POLARITY_LABELS[None]} · 리뷰 {group.count}개 (reviews) · {'lift (참조 리뷰 대비)' if score == 'lift' else '점유율 (share)'}"
    return AggregateView(
        html=interactive.shaded_text_html(plot_text, aggregate.plot_units, np.where(content, values, 0.0), scale=scale, title=title),
        fields=aggregate_charts.fields_figure(aggregate),
        words=aggregate_charts.words_figure(aggregate, score=score),
        time=aggregate_charts.time_figure(aggregate),
        trends=aggregate_charts.trends_table(aggregate, score=score),
        matrix=interactive.reviews_plot_figure(aggregate, review_labels=review_labels, scale=scale, cmap=cmap),
        difference=aggregate_charts.difference_figure(aggregate, score=score) if split else None,
    )


# ---------------------------------------------------------------- drawings kept by the app (its view store)


def review_drawing(result: ReviewAttention, *, scale: str, cmap: str) -> dict[str, Any]:
    """A review's two heatmaps as the Plotly JSON the browser draws, with its notices and the settings used
    (what its status line says): JSON throughout, so the app can keep it on disk."""
    return {
        "notices": list(result.notices), "settings": result.settings.to_json() if result.settings else None,
        "model": result.model_name,
        "info": interactive.review_info_figure(result, scale=scale, cmap=cmap).to_json(),
        "plot": interactive.review_plot_figure(result, scale=scale, cmap=cmap).to_json(),
    }


def aggregate_drawing(
    aggregate: MovieAggregate, *, split: bool, scale: str, cmap: str, review_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``aggregate_views`` as JSON (figures as Plotly JSON, the trends table as records), with the aggregate's
    notices, settings and review count."""
    view = aggregate_views(aggregate, split=split, scale=scale, cmap=cmap, review_labels=review_labels)
    figures = {name: getattr(view, name) for name in ("fields", "words", "time", "matrix", "difference")}
    return {
        "notices": list(aggregate.notices), "settings": aggregate.settings.to_json() if aggregate.settings else None,
        "reviews": len(aggregate.review_ids), "html": view.html, "trends": view.trends.to_dict("split"),
        **{name: figure.to_json() if figure is not None else None for name, figure in figures.items()},
    }
