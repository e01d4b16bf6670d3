"""One table of defaults (``moviattn.defaults``) read by the command line, the app and the library, and every
environment variable read in ``moviattn.paths``."""

from __future__ import annotations

import inspect

from moviattn import cli, paths
from moviattn.defaults import DEFAULTS
from moviattn.explorer import Explorer, report_html
from moviattn.ui import page
from moviattn.ui.panel import CONTROLS


def test_the_front_ends_share_one_default_per_setting(tiny_bert):
    parser = cli.build_parser()
    show = parser.parse_args(["show", "--movie", "s001"])
    report = parser.parse_args(["report", "--movie", "s001"])
    app = page.parse_args([])
    assert show.precision == report.precision == app.precision == Explorer(tiny_bert).precision == DEFAULTS.precision
    assert show.method == app.method == DEFAULTS.method
    assert show.scale == report.scale == inspect.signature(report_html).parameters["scale"].default == DEFAULTS.scale
    assert show.cmap == report.cmap == DEFAULTS.cmap
    assert CONTROLS["scale"].make(tiny_bert).value == DEFAULTS.scale and CONTROLS["cmap"].make(tiny_bert).value == DEFAULTS.cmap
    assert show.data == app.data == DEFAULTS.data and show.model == app.model == DEFAULTS.model


def test_the_environment_is_read_in_paths(monkeypatch):
    for name in ("MOVIATTN_MALLOC_ARENAS", "GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT", "HF_HUB_OFFLINE", "HF_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    assert (paths.malloc_arenas(), paths.server_name(), paths.server_port()) == (2, None, 7860)
    assert not paths.hub_offline() and paths.hub_endpoint() == "https://huggingface.co"
    monkeypatch.setenv("MOVIATTN_MALLOC_ARENAS", "0")
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7870")
    monkeypatch.setenv("HF_HUB_OFFLINE", "True")
    assert (paths.malloc_arenas(), paths.server_name(), paths.server_port(), paths.hub_offline()) == (0, "0.0.0.0", 7870, True)
    assert (page.parse_args([]).host, page.parse_args([]).port) == ("0.0.0.0", 7870)
    monkeypatch.setenv("MOVIATTN_DATA", "nsmc")
    assert cli.build_parser().parse_args(["movies"]).data == "nsmc" == DEFAULTS.data
