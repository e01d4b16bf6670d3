"""Tab "읽는 법 (about)": what the explorer computes and how to read it."""

from __future__ import annotations

import gradio as gr

from ...defaults import DEFAULTS
from ...explorer import NOTE_CAVEAT, Settings, pooled_heads
from ..panel import GRANULARITY_LABELS, HEAD_AGG_LABELS, LAYER_AGG_LABELS, SCALE_LABELS, label

TITLE = "읽는 법 (about)"


def defaults_line(settings: Settings = Settings()) -> str:
    """The defaults in words, read from ``Settings`` and the panel (so they cannot drift apart)."""
    head = label(HEAD_AGG_LABELS, settings.head_agg) if settings.head_agg in pooled_heads() else f"head {settings.head}"
    return (
        f"**기본값 (defaults):** 층 합치기 = {label(LAYER_AGG_LABELS, settings.layer_agg)}, 헤드 = {head}, "
        f"정규화 = `{settings.normalization}`, 단위 = {label(GRANULARITY_LABELS, settings.granularity)}, "
        f"색 스케일 = {label(SCALE_LABELS, DEFAULTS.scale)}."
    )


ABOUT = f"""
### 이 앱은 무엇을 보여 주나요? (what this shows)
입력은 `[CLS] 영화 정보 [SEP] 줄거리 [SEP] 리뷰 [SEP]` 한 줄입니다. 리뷰의 각 토큰이 영화 정보와 줄거리의 토큰에 주는
어텐션을 층·헤드에 걸쳐 합친 뒤, 토큰을 형태소(또는 어절·서브워드) 단위로 묶어 보여 줍니다
(받는 쪽은 합, 보내는 쪽은 평균). 긴 줄거리는 겹치는 창(window) 여러 개로 나누어 계산합니다.

- **층 합치기**: 모든 층 평균, 마지막 k개 층 평균, 한 층, 롤아웃(Abnar & Zuidema 2020); 헤드는 평균, 최댓값 또는 한 헤드.
- **정규화**: `segment` = 정보·줄거리 각각에서 행의 합이 1, `raw` = 원래 어텐션 값.
- **색 스케일**: 백분위 자르기는 몇 개의 아주 큰 값 때문에 나머지가 모두 어두워지는 것을 막습니다.

{defaults_line()}

{NOTE_CAVEAT}

### 데이터 (data)
Spaces와 `--data nsmc`에서는 **NSMC**(Naver sentiment movie corpus v1.0, Lucy Park, <https://github.com/e9t/nsmc>,
**CC0 1.0**)의 실제 영화 40편과 리뷰 4,000개를 보여 줍니다. 리뷰와 줄거리는 이 프로젝트에 들어 있지 않고, 실행할 때
고정된 커밋에서 내려받아 SHA-256으로 확인합니다. 이 프로젝트가 더한 것은 리뷰 파일 ↔ 줄거리의 **영화 연결**과
감독·장르·출연·국가·상영 시간 같은 **영화 정보**뿐입니다. 그 밖의 경우에는 지어낸 리뷰로 된 예시 영화 6편(CC0)을 씁니다.
*The real movies are NSMC's (CC0), downloaded at run time and checked; this project added only the movie ↔ synopsis
links and the movie facts.* 다음에 볼 영화 탭은 MovieLens(GroupLens; 연구용, 재배포 금지)를 씁니다.
"""


def build() -> None:
    gr.Markdown(ABOUT)
