"""The app as a Space runs it (``SPACE_ID`` set): the fetched real set by default, the sample with a notice
where the fetch fails; the entry point's own ``create_app`` and ``launch``, over a tiny model."""

from __future__ import annotations

import pytest
from app_helpers import api_values, free_port
from gradio_client import Client

from moviattn import fetch
from moviattn.ui import page
from moviattn.ui import state as state_module

pytestmark = pytest.mark.server


@pytest.fixture
def space(tiny_bert, tiny_nsmc, tmp_path, monkeypatch):
    """A Space's environment: SPACE_ID, a fresh cache, NSMC's source a local folder (the tiny copy), the tiny model."""
    source, manifest = tiny_nsmc
    monkeypatch.setenv("SPACE_ID", "someone/moviattn")
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("MOVIATTN_NSMC_SOURCE", str(source))
    monkeypatch.delenv("MOVIATTN_DATA", raising=False)
    monkeypatch.setattr(fetch, "load_manifest", lambda path=fetch.MANIFEST: manifest)
    monkeypatch.setattr(state_module, "load_model", lambda *args, **kwargs: tiny_bert)
    return source


def _serve(argv: list[str]):
    args = page.parse_args([*argv, "--no-fill", "--port", str(free_port()), "--host", "127.0.0.1"])
    demo = page.create_app(args)
    _, url, _ = page.launch(demo, args, prevent_thread_lock=True, quiet=True)
    return demo, args, Client(url, verbose=False)


def test_a_space_serves_the_fetched_real_set(space):
    assert page.parse_args([]).data == "nsmc"
    demo, args, client = _serve([])
    try:
        card, table, review = client.predict("22", "평점 높은순 (rating ↓)", api_name="/select_movie")
        assert "나" in card and len(table["data"]) == 3
        assert args.data.endswith("nsmc")  # the fetched folder is the one served (and blocked from downloads)
        controls = api_values(layer_agg="last_k", last_k=3, head="mean", granularity="eojeol")
        status, *_ = client.predict("22", "222", *controls, api_name="/review_heatmaps")
        assert "리뷰 2" in status and "ma-warning" not in status
    finally:
        demo.close()


def test_a_failed_fetch_falls_back_to_the_sample_with_a_notice(space, monkeypatch, tmp_path):
    monkeypatch.setenv("MOVIATTN_NSMC_SOURCE", str(tmp_path / "unreachable"))
    demo, args, client = _serve([])
    try:
        card, *_ = client.predict("s001", "평점 높은순 (rating ↓)", api_name="/select_movie")
        assert "살인의 추억" in card
        banners = [str(c.get("props", {}).get("value", "")) for c in demo.config["components"]]
        assert any("내려받지 못해" in b and "예시 영화" in b for b in banners)  # the notice, and what is shown instead
    finally:
        demo.close()
