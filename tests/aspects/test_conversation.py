"""The dialogue's states on a five-movie world: unknown movie, pick by number, free-text aspect, refine, reset, bad input."""

from __future__ import annotations

import pytest

from moviattn.aspects.conversation import AspectChat, DialogueState


@pytest.fixture
def chat(small_world, small_inventory) -> AspectChat:
    dataset, profiles = small_world
    return AspectChat(dataset, profiles, small_inventory)


def _talk(chat: AspectChat, *messages: str):
    state, turns = DialogueState(), []
    for message in messages:
        turns.append(chat.respond(state, message))
        state = turns[-1].state
    return turns


def test_complaint_offers_the_aspects_its_critics_talk_about(chat):
    (turn,) = _talk(chat, "지루한 영화 지루했어")
    assert turn.state.stage == "aspect" and turn.state.feeling == "negative"
    assert turn.offered == ("재미", "스토리")  # what its negative reviews blame, most first
    assert "재미 별로 m1" in turn.reply  # a real phrase of those reviews as evidence


def test_free_text_aspect_recommends_movies_praised_for_it(chat):
    *_, turn = _talk(chat, "지루한 영화 지루했어", "스토리가 문제였어")
    assert turn.state.stage == "refine"
    assert [r.movie_id for r in turn.recommendations][0] == "m2"
    assert turn.recommendations[0].reasons[0].aspect == "스토리" and "m1" not in {r.movie_id for r in turn.recommendations}


def test_pick_by_number_then_refine_and_reset(chat):
    turns = _talk(chat, "지루한 영화 별로였어", "1", "재미 말고 음악", "처음")
    assert turns[1].recommendations[0].movie_id in {"m4", "m5"}  # 재미 was offered first
    assert turns[2].recommendations[0].movie_id == "m3"
    assert dict(turns[2].state.wanted).get("재미") is None
    assert turns[3].state == DialogueState()


def test_near_words_reach_an_aspect(chat):
    *_, turn = _talk(chat, "지루한 영화 별로였어", "1", "ost 좋은 거")  # ost is not in the inventory: Target2Vec reads it as 음악
    assert turn.recommendations[0].movie_id == "m3"


def test_two_titles_alike_give_a_pick_list(chat):
    first, second = _talk(chat, "웃긴 영화 최고", "2")
    assert first.state.choices == ("m4", "m5") and "1) 웃긴 영화 1" in first.reply
    assert second.state.movie_id == "m5" and second.state.stage == "aspect"


def test_a_title_alone_asks_how_it_was(chat):
    first, second = _talk(chat, "이야기 명작", "정말 좋았어")
    assert first.state.stage == "movie" and first.state.movie_id == "m2" and "어땠어요" in first.reply
    assert second.state.stage == "aspect" and second.state.feeling == "positive"


@pytest.mark.parametrize("message, expected", [
    ("", "빈 메시지"), ("   ", "빈 메시지"), ("😀🎬👍", "글자가 없는"), ("It was boring", "한국어로"),
    ("x" * 10_000, "너무 깁니다"), ("아바타 재밌었어", "없는 영화"),
])
def test_bad_input_gets_a_clear_reply(chat, message, expected):
    (turn,) = _talk(chat, message)
    assert expected in turn.reply and turn.state.stage == "movie"
