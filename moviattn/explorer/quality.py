"""The app's one-line quality note: how well a setting finds what reviews mention, as measured.

``python -m moviattn evaluate --quality-out moviattn/explorer/resources/quality_offline.csv``
writes the table (a few columns of the evaluation, per model and setting); the note only reads it,
so the app never imports the research harness (``evaluation``).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources

from .settings import Settings

QUALITY_RESOURCE = "quality_offline.csv"
QUALITY_COLUMNS = ("model", "setting", "unit_plot_pairs", "unit_plot_r5", "unit_plot_mrr", "unit_info_pairs", "unit_info_r5", "unit_info_mrr")


def setting_key(settings: Settings, num_layers: int, num_heads: int) -> str:
    """The name of a setting in ``settings_grid`` (fields that do not change the ranking ignored)."""
    head = {"mean": "mean", "max": "max", "single": f"h{settings.head % num_heads}"}[settings.head_agg]
    if settings.layer_agg == "single":
        return f"L{settings.layer % num_layers}/{head}"
    if settings.layer_agg == "last_k":
        return f"last{settings.last_k}/{head}"
    if settings.layer_agg == "rollout" and settings.layer % num_layers != num_layers - 1:
        return f"rollout{settings.layer % num_layers}/{head}"
    return f"{settings.layer_agg}/{head}"


@lru_cache(maxsize=1)
def _quality_table() -> dict[tuple[str, str], dict[str, str]]:
    path = resources.files(__package__) / "resources" / QUALITY_RESOURCE
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {(r["model"], r["setting"]): r for r in csv.DictReader(handle)}


def quality_note(settings: Settings, model_name: str, num_layers: int = 12, num_heads: int = 12) -> str | None:
    """One line on how well this setting finds mentioned plot words (top 5), or None where not measured."""
    if settings.granularity != "morpheme":
        return None
    table = _quality_table()
    row = table.get((model_name, setting_key(settings, num_layers, num_heads)))
    random = table.get((model_name, "random"))
    if row is None or random is None:
        return None
    found, chance = float(row["unit_plot_r5"]) * 100, float(random["unit_plot_r5"]) * 100
    return (
        f"이 설정은 리뷰가 언급한 줄거리 단어를 {found:.0f}%의 경우 상위 5위 안에 찾습니다 (무작위 {chance:.0f}%). "
        f"This setting ranks a plot word the review mentions in the top 5 for {found:.0f}% of mentions (random: {chance:.0f}%)."
    )
