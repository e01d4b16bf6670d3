"""The aspects tab in headless Chromium (the whole page, tiny model, sample data): Korean renders, HTML in a message stays text."""

from __future__ import annotations

import os
import shutil

import pytest
from app_helpers import running_app, tiny_dashboard
from conftest import CHROMIUM, CHROMIUM_ARGS

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.browser,
              pytest.mark.skipif(not shutil.which(CHROMIUM), reason="chromium is not installed")]
BOT = "() => document.querySelectorAll('#aspects-chat [data-testid=bot]').length"


@pytest.fixture(scope="module")
def page(tiny_bert, tmp_path_factory):
    os.environ["MOVIATTN_CACHE"], before = str(tmp_path_factory.mktemp("aspects-cache")), os.environ.get("MOVIATTN_CACHE")
    try:
        with running_app(tiny_dashboard(tiny_bert)) as url, sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(url)
            page.get_by_role("tab", name="어떤 점이? (which part?)").click()
            yield page
            browser.close()
    finally:
        os.environ.pop("MOVIATTN_CACHE") if before is None else os.environ.__setitem__("MOVIATTN_CACHE", before)


def _send(page, message: str) -> str:
    before = page.evaluate(BOT)
    box = page.locator("#aspects-message textarea")
    box.fill(message)
    box.press("Enter")
    page.wait_for_function(f"() => ({BOT})() > {before}")
    return page.locator("#aspects-chat [data-testid=bot]").last.inner_text()


def test_a_conversation_in_korean_with_html_kept_as_text(page):
    assert "좋았군요" in _send(page, "<b>인터스텔라</b> 정말 최고였어")
    chat = page.locator("#aspects-chat")
    assert "<b>인터스텔라</b>" in chat.inner_text()  # shown as typed
    assert chat.locator("b").count() == 0  # never made bold
    assert "호평" in _send(page, "1") or "찾지 못했어요" in page.locator("#aspects-chat").inner_text()
    assert "처음부터" in _send(page, "처음")
