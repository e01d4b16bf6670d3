"""The dashboard served on localhost and called through its API with gradio_client.

The model is per-session state (set by /switch_model), so the other endpoints take no model argument.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from app_helpers import KNOWN_MODEL, REPO, api_values, free_port, running_app, tiny_dashboard
from gradio_client import Client, handle_file

from moviattn.explorer import WAIT_S, is_report, preview
from moviattn.offline_model import offline_model_cache_dir

pytestmark = pytest.mark.server

CONTROLS = api_values(layer_agg="last_k", last_k=3, head="mean", granularity="eojeol")
DATASET = "데이터셋 영화 (dataset movie)"


@pytest.fixture(scope="module")
def served(tiny_bert, tmp_path_factory):
    """The app state and the URL it is served on."""
    dash = tiny_dashboard(tiny_bert, tmp_path_factory.mktemp("cache"))
    with running_app(dash) as url:
        yield dash, url


@pytest.fixture(scope="module")
def client(served):
    return Client(served[1], verbose=False)


def test_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/review_heatmaps", "/movie_aggregate", "/movie_report", "/custom_review", "/upload_aggregate", "/switch_model"} <= names


def test_review_heatmaps(client):
    status, info, plot = client.predict("s002", "s002r001", *CONTROLS, api_name="/review_heatmaps")
    assert "ma-warning" not in status and KNOWN_MODEL in status
    assert info and plot  # Plotly figures come back as serialised plots


def test_movie_aggregate_split(client):
    status, html, fields, words, difference, time_plot, trends, matrix = client.predict(
        "s001", True, *CONTROLS, api_name="/movie_aggregate"
    )
    assert "리뷰 20개" in status and "ma-shaded" in html and difference and time_plot and trends


def test_movie_report_returns_one_html_file(client):
    status, path = client.predict("s001", *CONTROLS, api_name="/movie_report")
    assert "ma-warning" not in status and is_report(Path(path)) and path.endswith("s001.html")


def test_bad_input_keeps_the_app_serving(client, tmp_path):
    for text in ["", "😀😀", "좋아요 " * 1000, "<script>alert(1)</script>"]:
        status, *_ = client.predict(DATASET, "s001", *[""] * 7, text, *CONTROLS, api_name="/custom_review")
        assert "<script>" not in status
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("comment,stars\n좋아요,10\n", encoding="utf-8")
    out = client.predict(DATASET, "s001", *[""] * 7, handle_file(str(wrong)), False, *CONTROLS, api_name="/upload_aggregate")
    assert "no review text" in out[0]
    banner, *_ = client.predict("no/such-model", api_name="/switch_model")
    assert "no/such-model" in banner and "ma-warning" in banner
    status, *_ = client.predict("s001", "s001r002", *CONTROLS, api_name="/review_heatmaps")
    assert "ma-warning" not in status  # still serving


def test_uploads_over_the_size_limit_are_refused(client, tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text("review,rating\n" + "아주 긴 리뷰 입니다,5\n" * 400_000, encoding="utf-8")  # ~ 10 MB > 5 MB limit
    with pytest.raises(Exception, match="(?i)size|large|exceed|413"):
        client.predict(DATASET, "s001", *[""] * 7, handle_file(str(huge)), False, *CONTROLS, api_name="/upload_aggregate")


@pytest.mark.skipif(not (offline_model_cache_dir()).exists(), reason="the offline model has not been converted here yet")
def test_python_app_py_launches_with_the_offline_model(tmp_path):
    """The real entry point: `python app.py --model offline` serves, names its model and answers a request."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "MOVIATTN_MODEL": "offline"}
    server = subprocess.Popen(
        [sys.executable, str(REPO / "app.py"), "--port", str(port), "--cache-dir", str(tmp_path / "cache")],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("app.py did not start")
                time.sleep(2)
        controls = api_values(layer_agg="last_k", head="mean", granularity="eojeol")
        status, *_ = client.predict("s001", "s001r001", *controls, api_name="/review_heatmaps")
        assert "multilingual-e5-small" in status and "ma-warning" not in status
    finally:
        server.terminate()
        server.wait(timeout=30)


# ---------------------------------------------------------------- hardening the public app

HUGE = "가" * 1_000_000


@pytest.mark.parametrize(
    "api_name, args, limit",
    [
        ("/custom_review", (DATASET, "s001", *[""] * 7, HUGE, *CONTROLS), "5,000"),
        ("/custom_review", ("직접 입력 (my own movie)", "s001", "괴물", "", "", "", "", "", HUGE, "좋다", *CONTROLS), "5,000"),
        ("/review_heatmaps", ("s001", HUGE, *CONTROLS), "200"),
        ("/switch_model", (HUGE,), "200"),
    ],
)
def test_limits_hold_for_api_callers(client, api_name, args, limit):
    """Defect 1: a browser enforces max_length, an API caller does not; the server refuses at once.
    (Dropdowns and radios without custom values are refused by Gradio itself, before the handler.)"""
    started = time.monotonic()
    first, *_ = client.predict(*args, api_name=api_name)
    assert time.monotonic() - started < 10
    assert "ma-warning" in first and "1,000,000" in first and limit in first


@pytest.mark.skipif(__import__("moviattn.ui.review_table", fromlist=["x"]).sentiment_api() is None, reason="sentiment weights not shipped")
def test_sentiment_text_limit_holds_for_api_callers(client):
    started = time.monotonic()
    message, _ = client.predict("좋다 " * 50_000, api_name="/explain_sentiment")
    assert time.monotonic() - started < 10 and "ma-warning" in message and "2,000" in message


def test_the_data_folder_is_not_served(client):
    """Defect 6: /gradio_api/file= serves what the app made for a user, never the dataset folder."""
    import urllib.error
    import urllib.request

    data = REPO / "movie_data" / "movies.json"
    for path in (data, data.parent / "reviews" / "s001.json", "/etc/passwd"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(f"{client.src.rstrip('/')}/gradio_api/file={path}", timeout=30)
        assert info.value.code in (403, 404)


def test_upload_errors_name_the_users_file_and_count_from_1(client, tmp_path):
    """Defect 8: the user's file name (not /tmp/gradio/<hash>/…), a plain reason, records from 1; deep JSON gets a message."""
    bad = tmp_path / "내리뷰.csv"
    bad.write_text("review,rating\n좋다,10\n별로,11\n", encoding="utf-8")
    status, *_ = client.predict(DATASET, "s001", *[""] * 7, handle_file(str(bad)), False, *CONTROLS, api_name="/upload_aggregate")
    assert "내리뷰.csv, record 2, field &#x27;rating&#x27;" in status and "/tmp" not in status and "gradio" not in status
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    status, *_ = client.predict(DATASET, "s001", *[""] * 7, handle_file(str(nested)), False, *CONTROLS, api_name="/upload_aggregate")
    assert "nested.json" in status and "nested too deeply" in status
    long = tmp_path / "long.json"
    long.write_text(json.dumps([{"review": "좋다"}, {"review": "가" * 6000}]), encoding="utf-8")
    status, *_ = client.predict(DATASET, "s001", *[""] * 7, handle_file(str(long)), False, *CONTROLS, api_name="/upload_aggregate")
    assert "long.json, record 2" in status and "5,000" in status


def test_switch_model_reveals_no_server_paths(client):
    """Defect 8: whether a path exists on the server is not observable through the public model switch."""
    answers = [client.predict(name, api_name="/switch_model")[0] for name in ("/etc/passwd", "/no/such/path", "../../etc")]
    assert all("ma-warning" in a and "not one of this server" in a for a in answers)
    assert answers[0].replace("/etc/passwd", "X") == answers[1].replace("/no/such/path", "X")
    assert not any(word in a for a in answers for word in ("JSON", "config", "exist"))


def test_concurrent_review_requests_are_batched_and_each_gets_its_own(served):
    """More users served: concurrent single-review requests enter together (not two at a time) and are
    computed as batches, yet every caller gets the review it asked for."""
    dash, url = served
    reviews = [r for r in dash.dataset.reviews_of("s004") if any(c.isalnum() for c in r.text)][:6]
    controls = api_values(layer_agg="last_k", last_k=2, granularity="eojeol", scale="linear", cmap="magma")  # computed by no other test
    clients = [Client(url, verbose=False) for _ in reviews]
    batcher = dash.batcher()
    batcher.wait_s, batcher.max_batch = 5.0, len(reviews)  # a loaded machine sends the six over a few hundred ms
    try:
        with ThreadPoolExecutor(len(reviews)) as pool:
            answers = list(pool.map(
                lambda job: job[0].predict("s004", job[1].id, *controls, api_name="/review_heatmaps")[0], zip(clients, reviews),
            ))
    finally:
        batcher.wait_s, batcher.max_batch = WAIT_S, dash.explorer().batch_size
    for review, status in zip(reviews, answers):
        assert "ma-warning" not in status and preview(review.text, 30)[:-1] in html.unescape(status)
    assert max(batcher.batch_sizes) > 2  # more than the two requests a concurrency limit of 2 would let in


# ---------------------------------------------------------------- load and concurrency


def _raw_call(url: str, api_name: str, data: list) -> str:
    """What a plain HTTP client gets back from ``/gradio_api/call/<api_name>`` (the server-sent events)."""
    import urllib.request

    request = urllib.request.Request(
        f"{url.rstrip('/')}/gradio_api/call/{api_name}", json.dumps({"data": data}).encode(), {"Content-Type": "application/json"},
    )
    event = json.loads(urllib.request.urlopen(request, timeout=60).read())["event_id"]
    return urllib.request.urlopen(f"{url.rstrip('/')}/gradio_api/call/{api_name}/{event}", timeout=120).read().decode()


def test_a_refused_server_path_answers_with_a_message(served, client):
    """Defect 5: Gradio refuses a raw server path before the handler and answered {"error": null}; now the
    caller is told why, and the message names nothing of the server (not its data folder)."""
    dash, url = served
    folder = str(dash.dataset.source)
    for path in ("/etc/passwd", str(REPO / "movie_data" / "movies.json")):
        upload = {"path": path, "meta": {"_type": "gradio.FileData"}}
        answer = _raw_call(url, "upload_aggregate", [DATASET, "s001", *[""] * 7, upload, False, *CONTROLS])
        assert "event: error" in answer and '"error": null' not in answer and "upload the file" in answer
        assert folder not in answer and "movie_data" not in answer
    with pytest.raises(Exception, match="malformed input"):  # a path sent as text, not as a file
        client.predict(DATASET, "s001", *[""] * 7, "/etc/passwd", False, *CONTROLS, api_name="/upload_aggregate")


def test_a_url_as_the_uploaded_file_is_named_and_never_fetched(served):
    """Issue 36's hostile call, over HTTP as a caller sends it: a FileData whose path is a URL (of this very
    server) answered ``{"error": null}`` with a traceback in the log; now the status names the fix."""
    import httpx

    url = served[1].rstrip("/")
    file_data = {"path": f"{url}/gradio_api/info", "meta": {"_type": "gradio.FileData"}}
    data = [DATASET, "s001", *[""] * 7, file_data, False, *CONTROLS]
    event = httpx.post(f"{url}/gradio_api/call/upload_aggregate", json={"data": data}, timeout=60).json()["event_id"]
    stream = httpx.get(f"{url}/gradio_api/call/upload_aggregate/{event}", timeout=120).text
    assert "event: complete" in stream and "a URL is not fetched" in stream
