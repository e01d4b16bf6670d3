"""In headless Chromium: a 👎 under a movie of the diary tab, the same diary again, and that movie is gone."""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS

from moviattn.data import load_dataset
from moviattn.recommend.diary.artifacts import WEIGHTS_DIR

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not shutil.which(CHROMIUM), reason="chromium is not installed"),
              pytest.mark.skipif(not (WEIGHTS_DIR / "metrics.json").exists(), reason="no shipped weights")]
CARD_TITLES = "Array.from(document.querySelectorAll('#diary-cards .ma-card h3 a')).map(a => a.innerText)"


def test_a_disliked_movie_is_gone_on_the_same_request():
    import gradio as gr

    from moviattn.ui.tabs import diary as tab

    with gr.Blocks() as demo:
        with gr.Tab(tab.TITLE):
            tab.build(SimpleNamespace(dataset=load_dataset()))
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1")
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 1600})
            page.set_default_timeout(120_000)
            page.goto(demo.local_url)
            page.get_by_role("button", name="영화 추천 (recommend three movies)").click()
            page.wait_for_function(f"{CARD_TITLES}.length == 3")
            first = page.evaluate(CARD_TITLES)
            page.click("#diary-feedback-0-dislike")
            page.wait_for_function("document.body.innerText.includes('내 반응 (your reactions)')")
            page.get_by_role("button", name="영화 추천 (recommend three movies)").click()
            page.wait_for_function(f"(gone) => {CARD_TITLES}.length == 3 && !{CARD_TITLES}.includes(gone)", arg=first[0])
            assert "추천 정책 (policy)" in page.inner_text("body")
            if os.environ.get("MOVIATTN_SCREENSHOT"):
                page.screenshot(path=os.environ["MOVIATTN_SCREENSHOT"], full_page=True)
            browser.close()
    finally:
        demo.close()
