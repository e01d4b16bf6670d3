"""Phrase extraction on hand-made sentences: praise, blame, negation, two aspects in one review (Okt + the shipped classifier)."""

from __future__ import annotations

from moviattn.aspects.phrases import clauses, extract_phrases, review_aspects


def _by_aspect(text: str, inventory, rating=None) -> dict[str, str]:
    return {p.aspect: p.polarity for p in extract_phrases(text, rating, inventory)}


def test_praise_and_blame(small_inventory):
    assert _by_aspect("배우들 연기가 정말 좋았다", small_inventory) == {"연기": "positive"}
    assert _by_aspect("스토리가 너무 지루했다", small_inventory) == {"스토리": "negative"}


def test_negation_flips(small_inventory):
    assert _by_aspect("연기가 안 좋았다", small_inventory) == {"연기": "negative"}
    assert _by_aspect("음악이 좋지 않았다", small_inventory) == {"음악": "negative"}


def test_two_aspects_in_one_review_get_their_own_clauses(small_inventory):
    phrases = extract_phrases("스토리는 별로지만 배우 연기는 최고", 9, small_inventory)
    assert [(p.aspect, p.polarity) for p in phrases] == [("스토리", "negative"), ("연기", "positive")]
    text = "스토리는 별로지만 배우 연기는 최고"
    assert [text[p.start:p.end] for p in phrases] == ["스토리는 별로지만", "배우 연기는 최고"]


def test_an_unsure_clause_is_decided_by_the_rating(small_inventory):
    (phrase,) = extract_phrases("연기", 1, small_inventory)
    assert phrase.decided_by == "rating" and phrase.polarity == "negative"


def test_nothing_to_find(small_inventory):
    assert extract_phrases("", None, small_inventory) == []
    assert extract_phrases("😀👍", 10, small_inventory) == []
    assert extract_phrases("감독 최고", 10, small_inventory) == []
    assert clauses(["./Punctuation"]) == []


def test_a_review_verdict_is_the_majority_of_its_phrases(small_inventory):
    phrases = extract_phrases("스토리 좋다. 전개가 별로. 내용은 최고", 10, small_inventory)
    assert review_aspects(phrases, "positive") == {"스토리": "positive"}
