"""The static review heatmap's text does not overlap: title above the field labels, narrow fields apart."""

from __future__ import annotations

from itertools import combinations

from moviattn.data import load_dataset
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._draw.plotting import review_info_heatmap
from moviattn.explorer._run.pipeline import Explorer


def test_title_and_field_labels_do_not_overlap(tiny_bert):
    data = load_dataset()
    result = Explorer(tiny_bert).review_attention(data.movie("s001"), data.reviews_of("s001")[0].text, Settings(granularity="eojeol", last_k=2))
    fig = review_info_heatmap(result)
    renderer = fig.canvas.get_renderer()
    fig.draw(renderer)
    fields = [label for ax in fig.axes for child in ax.child_axes for label in child.get_xticklabels() if label.get_text()]
    assert {"국가", "개봉"} <= {label.get_text().split()[0] for label in fields}
    boxes = [label.get_window_extent(renderer) for label in fields]
    assert fig.get_suptitle().startswith("리뷰 × 영화 정보")  # the title above the layout, not an axes title
    title = fig._suptitle.get_window_extent(renderer)
    assert not any(title.overlaps(box) for box in boxes)
    assert not any(a.overlaps(b) for a, b in combinations(boxes, 2))
