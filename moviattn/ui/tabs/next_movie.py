"""The "다음에 볼 영화 (next movie)" tab: movies watched, in order → top-20 from GRU4Rec and the best baseline.

``build`` reads only the MovieLens catalogue from the cache (a few hundred kB); the split, the
saved GRU4Rec and the baseline load on the first request and stay in memory. Without MovieLens in
the cache the tab says which command fetches it and every handler answers with that message.
Recommended movies that also exist in the review dataset (same English title and year) link to the
attention explorer. Handlers are plain functions returning HTML, testable without a server.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from typing import Any

from ...recommend.session.fetch import DATASETS, dataset_dir
from ..common import explorer_link, shows_errors, status_html, warning_html

TITLE = "다음에 볼 영화 (next movie)"
TOP_K = 20
FETCH_HINT = (
    "MovieLens가 없습니다 (no MovieLens data in the cache). "
    "Run: python -m moviattn sessions fetch ml-100k --wheel PATH (PATH from: pip download recbole==1.2.1 --no-deps -d DIR), "
    "or python -m moviattn sessions fetch ml-1m where the machine is online."
)


def available_dataset() -> str | None:
    """The largest MovieLens set in the cache (ML-1M before ML-100K), or None."""
    return next((name for name in DATASETS if dataset_dir(name).is_dir()), None)


@dataclass
class Loaded:
    """Everything a request needs, loaded once per data set."""

    split: Any
    items: dict
    gru4rec: Any | None
    baseline_name: str
    baseline: Any
    results: list


_LOADED: dict[str, Loaded] = {}
_LOCK = threading.Lock()


def _load(dataset: str) -> Loaded:
    from ...recommend.session.models import BASELINES, create
    from ...recommend.session.pipeline import load_results, prepare, settings_for
    from ...recommend.session.store import find, load

    key = str(dataset_dir(dataset))  # the cache folder: tests switch caches
    with _LOCK:
        if key not in _LOADED:
            split, log = prepare(dataset)
            results = load_results(split)
            ranked = sorted((r for r in results if r["model"] in BASELINES), key=lambda r: -r["valid"]["recall@20"])
            baseline_name = ranked[0]["model"] if ranked else "iknn"
            folder = find("gru4rec", split, settings_for("gru4rec"))
            gru = load(folder, split)[0] if folder else None
            baseline = create(baseline_name, **settings_for(baseline_name)).fit(split)
            _LOADED[key] = Loaded(split, dict(log.items), gru, baseline_name, baseline, results)
        return _LOADED[key]


def _require_dataset() -> str:
    dataset = available_dataset()
    if dataset is None:
        raise ValueError(FETCH_HINT)
    return dataset


def movie_choices() -> list[str]:
    """``Title (year)`` of every movie in the cached catalogue, sorted; empty without data."""
    from ...recommend.session.data import load_items

    dataset = available_dataset()
    if dataset is None:
        return []
    return sorted({info.label for info in load_items(dataset_dir(dataset)).values()}, key=str.lower)


def review_links(state: Any) -> dict[tuple[str, int | None], str]:
    """(normalised English title, year) → review-dataset movie id, for links to the explorer."""
    from ...recommend.session.pipeline import title_key

    movies = getattr(getattr(state, "dataset", None), "movies", None) or {}
    return {title_key(m.title_en, m.year): movie_id for movie_id, m in movies.items() if m.title_en}


def _table(recommendations: list, links: dict) -> str:
    from ...recommend.session.pipeline import title_key

    rows = []
    for rank, rec in enumerate(recommendations, 1):
        movie_id = links.get(title_key(rec.info.title, rec.info.year))
        title = explorer_link(movie_id, rec.info.title) if movie_id else html.escape(rec.info.title)
        rows.append(
            f"<tr><td>{rank}</td><td>{title}</td><td>{rec.info.year or ''}</td>"
            f"<td>{html.escape(', '.join(rec.info.genres))}</td><td>{rec.score:.3f}</td></tr>"
        )
    head = "<tr><th>#</th><th>title</th><th>year</th><th>genres</th><th>score</th></tr>"
    return f'<table class="ma-table">{head}{"".join(rows)}</table>'


def next_movies(picked: list[str] | None, links: dict | None = None) -> tuple[str, str, str]:
    """Status, GRU4Rec's top-20 and the best baseline's top-20 (HTML) after ``picked``, in order."""
    from ...recommend.session.pipeline import recommend, resolve_items

    loaded = _load(_require_dataset())
    context = resolve_items(list(picked or []), loaded.split, loaded.items)
    links = links or {}
    baseline = _table(recommend(loaded.baseline, context, loaded.split, loaded.items, TOP_K), links)
    if loaded.gru4rec is None:
        gru, note = "", "GRU4Rec is not trained on this data yet; run: python -m moviattn sessions train --model gru4rec"
    else:
        gru, note = _table(recommend(loaded.gru4rec, context, loaded.split, loaded.items, TOP_K), links), None
    return status_html(f"{len(context)} movies in the session; baseline: {loaded.baseline_name}", note), gru, baseline


def evaluation_table() -> str:
    """The saved evaluation results for the tab's data (from ``sessions evaluate``)."""
    loaded = _load(_require_dataset())
    if not loaded.results:
        return status_html("No evaluation results yet; run: python -m moviattn sessions evaluate --test")
    metrics = ("recall@20", "mrr@20", "hit@10", "ndcg@10")
    parts = [p for p in ("valid", "test") if any(p in r for r in loaded.results)]
    head = "<tr><th>model</th>" + "".join(f"<th>{p} {m}</th>" for p in parts for m in metrics) + "</tr>"
    body = "".join(
        f"<tr><td>{html.escape(r['model'])}</td>"
        + "".join(f"<td>{r[p][m]:.4f}</td>" if p in r else "<td></td>" for p in parts for m in metrics)
        + "</tr>"
        for r in loaded.results
    )
    return f'<table class="ma-table">{head}{body}</table>'


def build(state: Any) -> None:
    """The tab's components, inside the caller's ``gr.Tab``; events ``/next_movies`` and ``/evaluation_table``."""
    import gradio as gr

    links = review_links(state)
    choices = movie_choices()
    gr.Markdown(
        "Pick movies you watched, **in order**; the models predict the next one "
        "(MovieLens, leave-one-out protocol: rating ≥ 3, 10-core). Seen movies are not recommended."
    )
    status = gr.HTML(warning_html(FETCH_HINT) if not choices else "")
    picked = gr.Dropdown(choices=choices, multiselect=True, filterable=True, label="본 영화 (watched, in order)")
    run = gr.Button("추천 (recommend)", variant="primary")
    with gr.Row():
        with gr.Column():
            gr.Markdown("**GRU4Rec**")
            gru = gr.HTML()
        with gr.Column():
            gr.Markdown("**best baseline**")
            baseline = gr.HTML()
    show = gr.Button("평가 결과 (evaluation results)")
    results = gr.HTML()

    handler = shows_errors(outputs=3, message_at=0)(lambda chosen: next_movies(chosen, links))
    run.click(handler, inputs=[picked], outputs=[status, gru, baseline], api_name="next_movies")
    show.click(shows_errors(outputs=1)(evaluation_table), outputs=[results], api_name="evaluation_table")
