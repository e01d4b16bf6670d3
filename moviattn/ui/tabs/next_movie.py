"""The "다음에 볼 영화 (next movie)" tab: movies watched, in order → top-20 from GRU4Rec and the best baseline.

The session wing decides what serves (``recommend.session.service.NextMovieService``: which data, which
baseline, GRU4Rec loaded or trained in the background); this tab asks and shows. Its three states: no
data (the message names the command; on a Space, why the download failed) with the button disabled;
baselines only (GRU4Rec training, epochs shown); trained. While not final, a timer refreshes the status.
Recommended movies that also exist in the review dataset (same English title and year) link to the
attention explorer. Handlers are plain functions returning HTML, testable without a server.
"""

from __future__ import annotations

import html
from typing import Any

from ...recommend.session.service import NextMovieService, Status, movie_labels
from .. import feedback
from ..common import by_component, by_name, explorer_link, shows_errors, status_html, warning_html

TITLE = "다음에 볼 영화 (next movie)"
TOP_K = 20
#: Movies the feedback policy picks from the primary model's best ``CANDIDATES`` for the visitor to react to.
SHOWN = 3
CANDIDATES = 50
#: Seconds between two status refreshes while MovieLens is fetched or GRU4Rec trains.
REFRESH_SECONDS = 5.0


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


def status_message(status: Status) -> str:
    """The status line: a warning without data, a notice otherwise."""
    return warning_html(status.message) if status.state == "no data" else status_html(status.message)


@shows_errors("message")
def next_movies(service: NextMovieService, picked: list[str] | None, links: dict | None = None, session_hash: str | None = None) -> dict[str, Any]:
    """The status message, GRU4Rec's top-20 (empty while it trains), the best baseline's top-20 (HTML) after
    ``picked`` (movies the visitor hid in this visit left out), and the logged slate of three (``shown``) for
    reactions, picked by the feedback policy from the primary model's (GRU4Rec, else the baseline) best 50."""
    understood, gru, baseline = service.recommend(list(picked or []), CANDIDATES + TOP_K)
    links = links or {}
    primary = gru if gru is not None else baseline
    context = (list(picked or []) or ["-"])[-1]
    shown = feedback.present(session_hash, "next_movie", context, {r.item: r.score for r in primary[:CANDIDATES]}, SHOWN)
    gone = feedback.hidden(session_hash, "next_movie")
    gru, baseline = ([r for r in part if r.item not in gone][:TOP_K] if part is not None else None for part in (gru, baseline))
    note = None if gru is not None else service.status().message
    status = status_html(f"{understood} movies in the session; baseline: {service.baseline_name}", note)
    return {"message": status, "gru4rec": _table(gru, links) if gru is not None else "", "baseline": _table(baseline, links),
            "shown": shown, "titles": {r.item: r.info.title for r in primary}}


@shows_errors("results")
def evaluation_table(service: NextMovieService) -> dict[str, str]:
    """The saved evaluation results for the served data (from ``sessions evaluate``), as the output ``results``."""
    if not service.status().ready:
        raise ValueError(service.status().message)
    if not service.results:
        return {"results": status_html("No evaluation results yet; run: python -m moviattn sessions evaluate --test")}
    from ...recommend.session.pipeline import results_grid

    columns, values = results_grid(service.results)
    head = "<tr><th>model</th>" + "".join(f"<th>{part} {metric}</th>" for part, metric in columns) + "</tr>"
    body = "".join(
        f"<tr><td>{html.escape(r['model'])}</td>" + "".join(f"<td>{v:.4f}</td>" if v is not None else "<td></td>" for v in row) + "</tr>"
        for r, row in zip(service.results, values)
    )
    return {"results": f'<table class="ma-table">{head}{body}</table>'}


def build(state: Any, tab: Any = None) -> None:
    """The tab's components, inside the caller's ``gr.Tab`` (``tab``: its selection starts the service);
    events ``/next_movies`` and ``/evaluation_table``."""
    import gradio as gr

    service: NextMovieService = state.next_movie
    links = review_links(state)
    gr.Markdown(
        "Pick movies you watched, **in order**; the models predict the next one "
        "(MovieLens, leave-one-out protocol: rating ≥ 3, 10-core). Seen movies are not recommended."
    )
    status = service.start_if_cached()
    message = gr.HTML(status_message(status))
    picked = gr.Dropdown(choices=movie_labels(), multiselect=True, filterable=True, label="본 영화 (watched, in order)")
    run = gr.Button("추천 (recommend)", variant="primary", interactive=status.ready)
    with gr.Row():
        with gr.Column():
            gr.Markdown("**GRU4Rec**")
            recommended = {"message": message, "gru4rec": gr.HTML()}
        with gr.Column():
            gr.Markdown("**best baseline**")
            recommended["baseline"] = gr.HTML()
    gr.Markdown("**반응 (your reactions to three of them)**")
    box = feedback.FeedbackBox(SHOWN, {}, "next-feedback")
    show = gr.Button("평가 결과 (evaluation results)", interactive=status.ready)
    results = {"results": gr.HTML()}
    timer = gr.Timer(REFRESH_SECONDS, active=status.state in ("fetching", "baselines"))

    def refresh() -> tuple:
        now = service.start()
        final = now.state == "trained" or (now.state == "no data" and not service.allow_fetch)
        choices = movie_labels() if now.ready else []
        return (status_message(now), gr.update(interactive=now.ready), gr.update(interactive=now.ready),
                gr.update(choices=choices), gr.Timer(active=not final))

    outputs = [message, run, show, picked, timer]
    timer.tick(refresh, None, outputs, api_visibility="private", concurrency_limit=None)
    if tab is not None:
        tab.select(refresh, None, outputs, api_visibility="private", concurrency_limit=None)
    def recommend(chosen: list[str] | None, request: gr.Request) -> list[Any]:
        values = next_movies(service, chosen, links, request.session_hash if request else None)
        shown, titles = values.pop("shown", None), values.pop("titles", None)
        return [*by_component(recommended, values).values(), *box.update(shown, titles)]

    run.click(recommend, inputs=[picked], outputs=[*recommended.values(), *box.outputs], api_name="next_movies")
    show.click(by_name(lambda: evaluation_table(service), results), outputs=list(results.values()), api_name="evaluation_table")
