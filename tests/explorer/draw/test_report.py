"""``moviattn report``: one self-contained HTML file per movie (escaped, compact, under its size limit),
a site of them whose index links all resolve, and the command's refusals."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest

from moviattn import cli
from moviattn.data import load_dataset
from moviattn.defaults import DEFAULTS
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw.html_report import INDEX, collect, is_report, report_filename, report_html, write_report
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer
from moviattn.explorer._stats.shares import reference_reviews

from .report_helpers import SCRIPT_REVIEW, SCRIPT_TITLE, embedded_data, reviews, write_dataset

#: The issue's size limit for a 100-review movie.
MAX_BYTES = 5_000_000


@pytest.fixture(scope="module")
def explorer(tiny_bert, tmp_path_factory):
    return Explorer(tiny_bert, ResultCache(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return load_dataset(write_dataset(tmp_path_factory.mktemp("data"), {"m1": reviews(12)}))


@pytest.fixture(scope="module")
def report(explorer, dataset):
    movie = dataset.movie("m1")
    return collect(explorer, movie, dataset.reviews_of("m1"), Settings(last_k=2), data="data", created="2026-01-02 03:04 UTC")


def test_report_records_what_it_was_made_from_and_escapes_every_text(report):
    text = report_html(report)
    assert text.startswith("<!DOCTYPE html>\n<!-- moviattn report")
    for made in ("tiny-bert", "qk · float32", "layer_agg=mean", "last_k=2", f"scale={DEFAULTS.scale}", f"cmap={DEFAULTS.cmap}", "2026-01-02 03:04 UTC"):
        assert made in text
    assert "<script>alert" not in text and "<img src=x" not in text and "<b>굵게" not in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "괴물&lt;b&gt;굵게&lt;/b&gt;" in text
    data = embedded_data(text)
    labels = [label for labels in data["labels"] for label in labels]
    assert "&lt;" in labels and not any("<" in label or ">" in label for label in labels)


def test_the_plotting_library_is_embedded_once_and_nothing_is_fetched(report):
    text = report_html(report)
    assert text.count('<script id="ma-plotly"') == 1
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)  # no resource is loaded from anywhere
    data = embedded_data(text)
    assert set(data["figures"]) == {"fields", "words", "difference", "time", "matrix"}
    assert len(data["reviews"]) == len(report.reviews) == 12


def test_heatmaps_keep_every_value_and_no_cell_array(report):
    """Each review heatmap is the app's figure without its cells; the cells come back within half a step."""
    data = embedded_data(report_html(report))
    for stored, result in zip(data["reviews"], report.results):
        for segment, matrix in (("info", result.by_item().info), ("plot", result.plot)):  # info: one column per name
            spec = stored[segment]
            trace = spec["figure"]["data"][0]
            assert trace["type"] == "heatmap" and not {"z", "hovertext", "text", "customdata"} & set(trace)
            cells = data["cells"][spec["cells"]]
            values = np.array(cells["q"]).reshape(cells["shape"]) * cells["step"]
            np.testing.assert_allclose(values, matrix, atol=cells["step"] / 2 + 1e-12)
            assert cells["step"] <= matrix.max() / 10**3  # 4 significant digits of the largest value
            assert len(data["labels"][spec["rows"]]) == matrix.shape[0] and len(data["labels"][spec["cols"]]) == matrix.shape[1]
    assert data["reviews"][0]["plot"]["cols"] == data["reviews"][1]["plot"]["cols"]  # a movie's columns are stored once


def test_log_scale_stores_the_colour_range_the_app_levels_by(report):
    data = embedded_data(report_html(report, scale="log", cmap="magma"))
    spec = data["reviews"][0]["info"]
    trace = spec["figure"]["data"][0]
    levels = spec["levels"]  # the browser maps log10(max(value, 10 ** low)) from [low, high] to the app's levels
    assert levels["log"] and levels["low"] < levels["high"] <= 0 and (trace["zmin"], trace["zmax"]) == (0, levels["count"])
    cells = data["cells"][spec["cells"]]
    assert cells["step"] <= max(cells["q"]) * cells["step"] / 10**5  # 6 significant digits: colours down to a millionth


@pytest.mark.slow
def test_a_hundred_reviews_fit_in_five_megabytes(explorer, tmp_path):
    """The synthetic movie (sample-sized synopsis); the real NSMC worst case is measured below."""
    folder = write_dataset(tmp_path / "data", {"big": reviews(100)})
    data = load_dataset(folder)
    report = collect(explorer, data.movie("big"), data.reviews_of("big"), Settings(last_k=2), data="data")
    size = write_report(report, tmp_path / "big.html")
    assert len(report.reviews) == 100 and size == (tmp_path / "big.html").stat().st_size < MAX_BYTES


@pytest.mark.slow
def test_the_longest_nsmc_synopsis_fits_in_five_megabytes(tiny_bert, shared_nsmc, tmp_path):
    """24452 매트릭스 (1,086-character synopsis, 100 reviews): the largest heatmaps of the 40 movies. Units are
    Okt morphemes whatever the encoder, so a tiny model gives the real model's matrix shapes."""
    data = load_dataset(shared_nsmc)
    movie = max(data.movies.values(), key=lambda m: len(m.synopsis))
    explorer = Explorer(tiny_bert, ResultCache(tmp_path / "cache"))
    report = collect(explorer, movie, data.reviews_of(movie.id), Settings(last_k=2), data="nsmc")
    size = write_report(report, tmp_path / "report.html")
    assert len(report.reviews) >= 99 and size < MAX_BYTES, f"{movie.id}: {size:,} bytes"


def test_report_filenames_are_safe():
    assert report_filename("s001") == "s001.html"
    odd = report_filename("../etc/passwd")
    assert re.fullmatch(r"movie-[0-9a-f]{12}\.html", odd) and odd != report_filename("..\\etc")


@pytest.fixture
def tiny_cli(tiny_bert, monkeypatch, tmp_path):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    return tiny_bert


def _links(index: Path) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', index.read_text(encoding="utf-8"))


def test_site_writes_an_index_whose_links_all_resolve(tiny_cli, tmp_path, capsys):
    folder = write_dataset(tmp_path / "data", {"m1": reviews(6), "m.2": reviews(4), "none": []})
    site = tmp_path / "site"
    site.mkdir()
    (site / "README.md").write_text("---\nsdk: static\n---\n", encoding="utf-8")  # a static Space's card stays
    args = ["report", "--data", str(folder), "--site", str(site), "--last-k", "2", "--granularity", "eojeol"]
    assert cli.main(args) == 0
    assert "2 reports" in capsys.readouterr().out
    links = _links(site / INDEX)
    assert len(links) == 2 and (site / "README.md").exists()
    for link in links:
        target = site / unquote(link)
        assert target.parent == site and is_report(target)
    index = (site / INDEX).read_text(encoding="utf-8")
    assert "리뷰 없음 (no reviews)" in index and "괴물&lt;b&gt;굵게&lt;/b&gt;" in index and SCRIPT_TITLE not in index
    assert cli.main(args) == 0  # its own files are replaced on a second run
    (site / INDEX).write_text("my notes", encoding="utf-8")
    assert cli.main(args) == 2 and "not overwriting" in capsys.readouterr().err
    assert (site / INDEX).read_text(encoding="utf-8") == "my notes"


def test_report_command_writes_one_file_and_refuses_others(tiny_cli, tmp_path, capsys):
    folder = write_dataset(tmp_path / "data", {"m1": reviews(3)})
    out = tmp_path / "out" / "m1.html"
    args = ["report", "--data", str(folder), "--movie", "m1", "--out", str(out), "--last-k", "2", "--granularity", "eojeol"]
    assert cli.main(args) == 0 and is_report(out)
    assert "3 reviews" in capsys.readouterr().out
    assert SCRIPT_REVIEW not in out.read_text(encoding="utf-8")
    notes = tmp_path / "notes.html"
    notes.write_text("<!DOCTYPE html><p>mine</p>", encoding="utf-8")
    assert cli.main([*args[:5], "--out", str(notes), *args[7:]]) == 2
    assert "not overwriting" in capsys.readouterr().err
    assert cli.main(["report", "--data", str(folder), "--movie", "nope"]) == 2
    assert "unknown movie id" in capsys.readouterr().err
    assert cli.main([*args, "--cmap", "rainbowish"]) == 2
    assert "colormap" in capsys.readouterr().err


def test_without_a_result_cache_no_review_is_computed_twice(tiny_bert, dataset, monkeypatch):
    explorer = Explorer(tiny_bert)
    computed = []
    compute = Explorer._compute

    def counting(self, context, prepared, settings):
        computed.extend(prepared)
        return compute(self, context, prepared, settings)

    monkeypatch.setattr(Explorer, "_compute", counting)
    report = collect(explorer, dataset.movie("m1"), dataset.reviews_of("m1"), Settings(last_k=2), data="data")
    assert len(computed) == len(report.reviews) + len(reference_reviews()) and explorer.cache is None
