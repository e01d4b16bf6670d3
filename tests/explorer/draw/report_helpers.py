"""Shared by the report tests: a dataset whose texts hold HTML, and the data a report embeds."""

from __future__ import annotations

import base64
import gzip
import json
import re
from pathlib import Path
from typing import Any

#: Markup in a movie title and in reviews: a report must show it as text, never run it.
SCRIPT_REVIEW = "송강호 <img src=x onerror=alert(1)><script>alert(2)</script> 연기 최고"
SCRIPT_TITLE = "괴물<b>굵게</b>"
SYNOPSIS = "한강에 괴물이 나타나 딸을 잡아간다. 가족이 딸을 찾아 나선다. 송강호는 아버지 강두를 연기한다."


def write_dataset(folder: Path, movies: dict[str, list[dict[str, str]]]) -> Path:
    """A dataset folder with one movie per id (``SCRIPT_TITLE`` for the first) and the given reviews."""
    (folder / "reviews").mkdir(parents=True, exist_ok=True)
    records = []
    for number, (movie_id, reviews) in enumerate(movies.items()):
        records.append({"movie_id": movie_id, "title_kr": SCRIPT_TITLE if number == 0 else f"영화 {number}", "year": 2006,
                        "director": ["봉준호"], "genres": ["드라마"], "cast": ["송강호"], "country": ["한국"], "synopsis": SYNOPSIS})
        (folder / "reviews" / f"{movie_id}.json").write_text(json.dumps(reviews, ensure_ascii=False), encoding="utf-8")
    (folder / "movies.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return folder


def reviews(count: int) -> list[dict[str, str]]:
    """``count`` reviews: the one with markup first, then plain ones with ratings 1..10 and dates."""
    plain = ["가족 이야기 감동", "괴물 CG가 아쉬웠다", "송강호 연기 미쳤다", "딸을 찾는 아버지 눈물 난다", "지루하고 길다"]
    items = [{"review": SCRIPT_REVIEW, "rating": "10", "date": "06.07.27", "review_id": "0"}]
    items += [{"review": f"{plain[i % len(plain)]} {i}", "rating": str(i % 10 + 1), "date": f"{6 + i % 3:02d}.0{1 + i % 9}.1{i % 9}",
               "review_id": str(i)} for i in range(1, count)]
    return items


def embedded_data(text: str) -> dict[str, Any]:
    """The JSON a report carries (gzip'd, base64) in its ``ma-data`` script."""
    packed = re.search(r'<script id="ma-data" type="application/octet-stream">([^<]*)</script>', text).group(1)
    return json.loads(gzip.decompress(base64.b64decode(packed)))
