"""A report in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) with every request that
is not the file itself blocked: its figures draw, a review found by its text or rating opens its two heatmaps,
a hover shows a value, Korean renders, and HTML in a review is shown as text, never run."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS

from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw.html_report import collect, write_report
from moviattn.explorer._draw.interactive import review_info_figure, review_plot_figure
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer

from .report_helpers import SCRIPT_REVIEW, reviews, write_dataset

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not shutil.which(CHROMIUM), reason="chromium is not installed")]
TIMEOUT_MS = 60_000
#: Whether two Hangul syllables draw differently in the page's font (a missing font draws both as the same box).
HANGUL_DRAWN_JS = """() => {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 48;
  const context = canvas.getContext("2d");
  context.font = `36px ${getComputedStyle(document.body).fontFamily}`;
  const pixels = (text) => {
    context.clearRect(0, 0, 48, 48);
    context.fillText(text, 4, 40);
    return Array.from(context.getImageData(0, 0, 48, 48).data).join();
  };
  return pixels("감") !== pixels("독") && pixels("감") !== pixels("\\uE000");
}"""


@pytest.fixture(scope="module")
def made(tiny_bert, tmp_path_factory):
    """The report and its file."""
    folder = tmp_path_factory.mktemp("report")
    data = load_dataset(write_dataset(folder / "data", {"m1": reviews(8)}))
    explorer = Explorer(tiny_bert, ResultCache(folder / "cache"))
    report = collect(explorer, data.movie("m1"), data.reviews_of("m1"), Settings(last_k=2), data="data")
    write_report(report, folder / "m1.html", scale="linear")  # the figures below are drawn on the linear scale
    return report, folder / "m1.html"


@pytest.fixture(scope="module")
def report_file(made):
    return made[1]


@pytest.fixture(scope="module")
def page(report_file):
    """The report opened from disk; any request but the file itself is aborted and recorded."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.requested, page.blocked, page.problems = [], [], []

        def route(request_route):
            url = request_route.request.url
            page.requested.append(url)
            if url.startswith(("file:", "data:")):
                request_route.continue_()
            else:
                page.blocked.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.on("dialog", lambda dialog: (page.problems.append(f"dialog {dialog.message}"), dialog.dismiss()))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.goto(report_file.as_uri())
        page.wait_for_function("!document.getElementById('ma-loading')")
        yield page
        browser.close()


def test_report_draws_offline_with_nothing_requested(page, report_file):
    assert page.locator("[data-figure] .main-svg").count() >= 5  # fields, words, difference, time, reviews × plot
    assert page.locator(".ma-shaded .ma-unit").count() > 10
    assert page.blocked == [] and page.requested == [report_file.as_uri()]
    assert page.problems == [] and report_file.stat().st_size < 5_000_000


def test_korean_renders(page):
    assert page.evaluate(HANGUL_DRAWN_JS)
    assert "감독" in page.locator(".ma-card").inner_text()


def test_find_a_review_open_its_heatmaps_and_hover_a_value(page):
    page.fill("#ma-find-text", "CG가")
    shown = page.locator(".ma-review:not([hidden])")
    assert shown.count() == 2 and "2개" in page.inner_text("#ma-find-count")
    page.fill("#ma-find-text", "")
    page.select_option("#ma-find-rating", "10")
    assert page.locator(".ma-review:not([hidden])").count() == 1
    shown = page.locator(".ma-review:not([hidden])")
    shown.locator("summary").click()
    page.wait_for_function("document.querySelectorAll('.ma-review:not([hidden]) [data-heatmap] .hm').length === 2")
    drag = shown.locator("[data-heatmap=info] .nsewdrag")
    drag.scroll_into_view_if_needed()
    box = drag.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.move(box["x"] + 8, box["y"] + 8)
    page.wait_for_function("Array.from(document.querySelectorAll('.hoverlayer')).some(l => /→.*\\d\\.\\d{4}/.test(l.textContent))")
    hover = page.evaluate("Array.from(document.querySelectorAll('.hoverlayer')).map(l => l.textContent).join('')")
    assert "송강호 → " in hover  # the first review unit and the first info column


def test_the_cells_have_the_apps_colours(page, made):
    """The browser rebuilds each cell's colour level from the stored values: the app's own levels, give or
    take one level where the stored value's last digit rounds across a level's edge (a stored step of 1e-4
    against levels ~8e-4 wide for a largest value near 0.2: about one cell in eight or fewer)."""
    shown = page.locator(".ma-review:not([hidden])")
    drawn = page.evaluate("Array.from(document.querySelectorAll('.ma-review:not([hidden]) [data-heatmap]')).map(e => e.data[0].z)")
    index = int(shown.get_attribute("data-index"))
    result = made[0].results[index]
    for z, figure in zip(drawn, (review_info_figure(result), review_plot_figure(result))):
        expected = np.asarray(figure.data[0].z, dtype=int)
        assert np.abs(np.asarray(z, dtype=int) - expected).max() <= 1 and (np.asarray(z) == expected).mean() > 0.8


def test_html_in_a_review_is_text(page):
    assert SCRIPT_REVIEW in page.locator(".ma-review-text").first.inner_text()
    assert page.locator(".ma-review img, .ma-review-text script").count() == 0
    assert page.problems == []
