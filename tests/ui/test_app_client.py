"""The dashboard served on localhost and called through its API with gradio_client.

The model is per-session state (set by /switch_model), so the other endpoints take no model argument.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from app_helpers import KNOWN_MODEL, REPO, free_port, running_app, tiny_dashboard
from gradio_client import Client, handle_file

from moviattn.offline_model import offline_model_cache_dir

CONTROLS = ("last_k", -1, 3, "mean", "segment", "eojeol", "okt", False, "percentile", "viridis")
DATASET = "데이터셋 영화 (dataset movie)"


@pytest.fixture(scope="module")
def client(tiny_bert, tmp_path_factory):
    with running_app(tiny_dashboard(tiny_bert, tmp_path_factory.mktemp("cache"))) as url:
        yield Client(url, verbose=False)


def test_endpoints_are_named(client):
    names = set(client.view_api(return_format="dict", print_info=False)["named_endpoints"])
    assert {"/review_heatmaps", "/movie_aggregate", "/custom_review", "/upload_aggregate", "/switch_model"} <= names


def test_review_heatmaps(client):
    status, info, plot = client.predict("s002", "s002r001", *CONTROLS, api_name="/review_heatmaps")
    assert "ma-warning" not in status and KNOWN_MODEL in status
    assert info and plot  # Plotly figures come back as serialised plots


def test_movie_aggregate_split(client):
    status, html_a, bars_a, matrix_a, html_b, bars_b, matrix_b = client.predict(
        "s001", True, *CONTROLS, api_name="/movie_aggregate"
    )
    assert "리뷰 20개" in status and "ma-shaded" in html_a and "ma-shaded" in html_b


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
        status, *_ = client.predict("s001", "s001r001", "last_k", -1, 4, "mean", "segment", "eojeol", "okt", False,
                                    "percentile", "viridis", api_name="/review_heatmaps")
        assert "multilingual-e5-small" in status and "ma-warning" not in status
    finally:
        server.terminate()
        server.wait(timeout=30)
