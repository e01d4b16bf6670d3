"""What the aggregate view shows, as data: the JSON summary (``python -m moviattn aggregate --json``, the
app's download) and the per-word CSV rows; an empty group says so instead of zeros."""

from __future__ import annotations

from typing import Any

from ...data import POLARITIES
from .changes import difference, time_view
from .groups import EMPTY_GROUP, EmptyGroup
from .scores import DEFAULT_SCORE, FieldScore, WordScore, field_scores, standing_out, top_words, word_scores
from .shares import SEGMENTS, Shares, reference_reviews
from .words import DEFAULT_WORDS, NOTHING_STANDS_OUT


def summary(aggregate: Shares, k: int = 10, *, score: str = DEFAULT_SCORE, which: str = DEFAULT_WORDS) -> dict[str, Any]:
    """What the aggregate view shows, as JSON: groups, fields with intervals, the plot words that stand
    out (or a note that none does) and the top info items, the positive − negative difference and the
    time view; an empty group says so instead of zeros."""
    has_lift = aggregate.plot_reference is not None and aggregate.info_reference is not None
    score = score if has_lift else "share"

    def word_json(score: WordScore) -> dict[str, Any]:
        out = {"word": score.word.text, "lemma": score.word.lemma, "tag": score.word.tag, "field": score.word.field,
               "positions": list(score.word.positions), "share": score.share, "lift": score.lift}
        return out | ({"lift_low": score.low, "lift_high": score.high} if score.low is not None else {})

    def field_json(score: FieldScore) -> dict[str, Any]:
        return {"field": score.name, "units": score.units, "share": score.share, "per_unit": score.per_unit, "lift": score.lift,
                **{f"{name}_interval": list(bounds) for name, bounds in score.intervals.items()}}

    groups: dict[str, Any] = {}
    for polarity in (None, *POLARITIES):
        group = aggregate.group(polarity)
        item = group.to_json()
        if not group.empty:
            item["fields"] = [field_json(f) for f in field_scores(aggregate, group)]
            if score == "lift":
                item["plot_words"] = [word_json(s) for s in standing_out(aggregate, "plot", k, which=which, group=group)]
                if not item["plot_words"]:
                    item["plot_note"] = NOTHING_STANDS_OUT
            else:
                item["plot_words"] = [word_json(s) for s in top_words(aggregate, "plot", k, group=group, score=score, which=which)]
            item["info_words"] = [word_json(s) for s in top_words(aggregate, "info", k, group=group, score=score)]
        groups[polarity or "all"] = item
    try:
        changes: Any = [
            {"word": d.word.text, "tag": d.word.tag, "positive": d.positive, "negative": d.negative,
             "difference": d.difference, "low": d.low, "high": d.high}
            for d in difference(aggregate, "plot", k, score=score, which=which)
        ]
    except EmptyGroup as exc:
        changes = {"note": EMPTY_GROUP, "group": exc.label}
    periods, trends = time_view(aggregate, "plot", k, score=score, which=which)
    return {
        "movie_id": aggregate.movie_id, "score": score, "words": which,
        "reference_reviews": len(reference_reviews()) if has_lift else 0,
        "groups": groups,
        "difference": changes,
        "periods": [{**p.group.to_json(), "fields": [field_json(f) for f in p.fields]} for p in periods],
        "trends": [{"word": t.word.text, "tag": t.word.tag, "first": t.first, "last": t.last, "change": t.change} for t in trends],
    }


def word_rows(aggregate: Shares, *, which: str = DEFAULT_WORDS) -> list[dict[str, Any]]:
    """Every word of both segments (plot lemmas, info items) with its share and lift over all, positive
    and negative reviews (the CSV export; an empty group's columns are left blank, never 0)."""
    rows: list[dict[str, Any]] = []
    for segment in SEGMENTS:
        words = aggregate.words(segment, which)
        columns = {}
        for polarity in (None, *POLARITIES):
            group = aggregate.group(polarity)
            columns[polarity or "all"] = None if group.empty else word_scores(aggregate, segment, group, which)
        for j, word in enumerate(words):
            row: dict[str, Any] = {"segment": segment, "word": word.text, "lemma": word.lemma, "tag": word.tag,
                                   "field": word.field or "", "positions": " ".join(map(str, word.positions))}
            for name, scores in columns.items():
                row[f"share_{name}"] = scores[j].share if scores is not None else None
                row[f"lift_{name}"] = scores[j].lift if scores is not None else None
            rows.append(row)
    return rows
