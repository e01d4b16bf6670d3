"""The app's banner: which model, device and computation are active, its fallback and font warnings, and
what the served reviews are (the real NSMC movies, the invented sample, or someone's folder)."""

from __future__ import annotations

from pathlib import Path

from ..data import Dataset
from ..defaults import DEFAULTS
from ..explorer import KOREAN_FONT_HELP, korean_font
from ..fetch import COMPLETE_MARKER
from ..models import LoadedModel
from ..paths import SAMPLE_DATA_DIR
from .common import notice_html, warning_html


def model_banner(model: LoadedModel, method: str = DEFAULTS.method, precision: str = DEFAULTS.precision) -> str:
    """Which model, device and computation are active, the fallback notice, and the font warning (HTML)."""
    parts = [notice_html(f"모델 (model): {model.describe()}")]
    if method == "cached_context":
        parts.append(notice_html(
            f"근사 계산 (approximate): 영화 정보·줄거리를 리뷰 없이 한 번만 계산합니다 — cached context, {precision}"
        ))
    elif precision != "float32":
        parts.append(notice_html(f"정밀도 (precision): {precision}"))
    if model.notice:
        parts.append(warning_html(f"오프라인 모델 사용 중 (offline fallback): {model.notice}"))
    if korean_font() is None:
        parts.append(warning_html(KOREAN_FONT_HELP))
    return "".join(parts)


def data_line(dataset: Dataset) -> str:
    """What the served reviews are: the real NSMC movies, the invented sample, or someone's folder."""
    movies, reviews = len(dataset.movies), sum(map(len, dataset.reviews.values()))
    source = Path(dataset.source)
    if (source / COMPLETE_MARKER).is_file():
        return f"NSMC 실제 영화 {movies}편, 리뷰 {reviews:,}개 (real Naver reviews, e9t/nsmc, CC0)"
    if source.resolve() == SAMPLE_DATA_DIR.resolve():
        return f"예시 영화 {movies}편, 지어낸 리뷰 {reviews}개 (invented sample; python app.py --data nsmc for the real movies)"
    return f"{source.name}: 영화 {movies}편, 리뷰 {reviews:,}개"


def server_banner(model: LoadedModel, method: str, precision: str, dataset: Dataset, data_notice: str | None) -> str:
    """The model banner with the server's computation mode, its data line and why the data is not what was asked for."""
    banner = model_banner(model, method, precision)
    return banner + notice_html(f"데이터 (data): {data_line(dataset)}") + (warning_html(data_notice) if data_notice else "")
