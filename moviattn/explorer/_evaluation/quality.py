"""The app's one-line quality notes: how well a setting finds what reviews mention, as measured.

``python -m moviattn evaluate --quality-out moviattn/explorer/resources/quality_offline.csv``
writes the table (a few columns of the evaluation, per model and setting), and ``evaluate --aggregate
--quality-out moviattn/explorer/resources/quality_aggregate_offline.csv`` the aggregate's (per measure
and view); the notes only read them, so the app never imports the research harness (``evaluation``).
"""

from __future__ import annotations

import csv
from dataclasses import replace
from functools import lru_cache
from importlib import resources

from .._compute.settings import Settings, setting_name
from .evaluation_aggregate import app_view
from .faithfulness import aggregate_quality_key

QUALITY_RESOURCE = "quality_offline.csv"
QUALITY_COLUMNS = ("model", "setting", "unit_plot_pairs", "unit_plot_r5", "unit_plot_mrr", "unit_info_pairs", "unit_info_r5", "unit_info_mrr")
AGGREGATE_RESOURCE = "quality_aggregate_offline.csv"
#: The aggregate's rows the app quotes per score (``evaluation_aggregate.app_view``'s names).
AGGREGATE_VIEWS = {"lift": "lemma·leading·lift·standing_out", "share": "lemma·leading·share·top"}
AGGREGATE_COLUMNS = ("model", "setting", "review_plot_pairs", "review_plot_r5", "deletion_gain", "deletion_lo", "deletion_hi", "top10_pass")
#: ``evaluate --faithfulness N --quality-out`` writes it (``faithfulness.quality_rows``), one row per measure.
FAITHFULNESS_RESOURCE = "quality_faithfulness_offline.csv"


#: The name of a setting in ``evaluation.settings_grid`` and the quality table: ``settings.setting_name``.
setting_key = setting_name


@lru_cache(maxsize=3)
def _quality_table(name: str = QUALITY_RESOURCE, key: str = "setting") -> dict[tuple[str, str], dict[str, str]]:
    path = resources.files("moviattn.explorer") / "resources" / name
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {(r["model"], r[key]): r for r in csv.DictReader(handle)}


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
    recall = (
        f"이 설정은 리뷰가 언급한 줄거리 단어를 {found:.0f}%의 경우 상위 5위 안에 찾습니다 (무작위 {chance:.0f}%). "
        f"This setting ranks a plot word the review mentions in the top 5 for {found:.0f}% of mentions (random: {chance:.0f}%)."
    )
    return " ".join(filter(None, (recall, faithfulness_note(settings, model_name, num_layers, num_heads))))


def faithfulness_note(settings: Settings, model_name: str, num_layers: int = 12, num_heads: int = 12) -> str | None:
    """Half a line: the measure's ERASER comprehensiveness and τ against leave-one-out beside the best
    baseline, and, where it fails the choice rule, that it is not evidence of what the model uses.
    Measured at the default setting of each measure only, so other settings get None."""
    measured = replace(Settings(), measure=settings.measure, granularity=settings.granularity)
    row = _quality_table(FAITHFULNESS_RESOURCE, key="measure").get((model_name, settings.measure))
    if row is None or setting_key(settings, num_layers, num_heads) != setting_key(measured, num_layers, num_heads):
        return None
    return _eraser_line(row, f"ERASER ({row['movies']} movies, {row['reviews']} reviews)")


def _eraser_line(row: dict[str, str], title: str) -> str:
    """A measure's ERASER row as half a line, with the choice rule's verdict."""
    verdict = ("모든 폴드에서 기준선보다 충실함 (beats every baseline on every held-out fold)" if row["passes"] == "True"
               else "모든 폴드에서 기준선을 넘지는 못함: 모델이 쓰는 근거로 읽지 마세요 "
                    "(does not beat every baseline on every held-out fold: not evidence of what the model uses)")
    return (
        f"{title}: comprehensiveness {float(row['aopc_compr']):+.4f} "
        f"(best baseline {row['aopc_compr_baseline']} {float(row['aopc_compr_baseline_value']):+.4f}), "
        f"τ vs leave-one-out {float(row['taucorr_loo']):+.3f} ({row['taucorr_loo_baseline']} {float(row['taucorr_loo_baseline_value']):+.3f}); {verdict}."
    )


def aggregate_quality_note(settings: Settings, score: str, model_name: str) -> str | None:
    """One line on how well the aggregate's word ranking (``score``: share or lift) finds the plot words
    a review mentions (top 5 of that review's own attention) and whether deleting its top block matters."""
    if settings.granularity != "morpheme":
        return None
    table = _quality_table(AGGREGATE_RESOURCE)
    row = table.get((model_name, f"{settings.measure}/{AGGREGATE_VIEWS[score]}"))
    random = table.get((model_name, f"{settings.measure}/random"))
    if row is None or random is None:
        return None
    found, chance = float(row["review_plot_r5"]) * 100, float(random["review_plot_r5"]) * 100
    low, high = float(row["deletion_lo"]), float(row["deletion_hi"])
    deletion = "지우면 유사도가 떨어짐 (deleting it lowers similarity)" if low > 0 else "삭제 검사는 무작위와 구별되지 않음 (deletion test: not above random)"
    return (
        f"집계(단어·{score}, 영화 5겹 교차검증): 리뷰가 언급한 줄거리 단어가 그 리뷰의 상위 5위 안에 {found:.0f}% (무작위 {chance:.0f}%); "
        f"가장 높은 줄거리 구간은 {deletion}. "
        f"Aggregate (words · {score}, leave-movies-out): a plot word a review mentions is in that review's top 5 for {found:.0f}% "
        f"(random {chance:.0f}%); deletion gain 95% interval [{low:+.4f}, {high:+.4f}]."
    ) + _aggregate_eraser(settings, score, model_name)


def _aggregate_eraser(settings: Settings, score: str, model_name: str) -> str:
    """`` ERASER …`` for the aggregate word view the app shows (measured with the default measure only), or ''."""
    row = _quality_table(FAITHFULNESS_RESOURCE, key="measure").get((model_name, aggregate_quality_key(app_view(score))))
    if row is None or settings.measure != Settings().measure:
        return ""
    return " " + _eraser_line(row, f"ERASER (words view, {row['movies']} movies)")
