"""The defaults that the CLI, the app and the library share, in one table.

Order of precedence for every setting, highest first: a command-line option (or a control in the app),
then its environment variable where it has one (``moviattn.paths``: ``MOVIATTN_DATA``, ``MOVIATTN_MODEL``),
then this table. docs/configuration.md lists the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from .paths import default_data_dir, default_model


@dataclass(frozen=True)
class Defaults:
    """One value per setting that more than one front end offers."""

    #: Exact float32; ``auto`` (bfloat16 where the CPU runs it natively) is an opt-in speed-up, because the
    #: shipped quality tables and the stored answers are float32's.
    precision: str = "float32"
    #: How attention is read: ``qk`` exact; ``cached_context`` approximates the movie side for speed.
    method: str = "qk"
    #: The heatmaps' colour scale: the 1–99 % clip keeps a few large cells from darkening all others.
    scale: str = "percentile"
    #: The heatmaps' colormap (a Plotly/matplotlib name).
    cmap: str = "viridis"
    #: The colormaps the app offers (the CLI takes any Plotly name).
    colormaps: tuple[str, ...] = ("viridis", "magma", "cividis", "YlOrRd", "Blues", "Greys")

    @property
    def data(self) -> str:
        """The dataset: ``$MOVIATTN_DATA``, ``nsmc`` on a Space, else the shipped sample."""
        return default_data_dir()

    @property
    def model(self) -> str:
        """The encoder: ``$MOVIATTN_MODEL``, else ``paths.DEFAULT_MODEL``."""
        return default_model()


DEFAULTS = Defaults()
