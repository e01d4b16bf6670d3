"""Learning the inventory on a tiny corpus built in-process; the lookup of words (jamo prefixes); the shipped file."""

from __future__ import annotations

import numpy as np

from moviattn.aspects.inventory import Inventory, LearnConfig, evaluated_nouns, learn_inventory, shipped_inventory
from moviattn.sentiment.target2vec import Target2Vec


def _corpus() -> list[list[str]]:
    """Reviews where 스토리/전개 and 연기/배우 are the subjects of adjectives, and 영화 is everywhere."""
    docs = []
    for story, acting in (("스토리", "연기"), ("전개", "배우")):
        docs += [[f"{story}/Noun", "가/Josa", "좋다/Adjective"]] * 6
        docs += [[f"{acting}/Noun", "는/Josa", "정말/Adverb", "훌륭하다/Adjective"]] * 6
    docs += [["영화/Noun", "가/Josa", "좋다/Adjective"]] * 30  # in most reviews: the movie itself, not an aspect
    docs += [["정말/Noun", "좋다/Adjective"]] * 10  # no particle: an adverbial noun, never a target
    return docs


def _space() -> Target2Vec:
    words = ["스토리/Noun", "전개/Noun", "연기/Noun", "배우/Noun", "영화/Noun", "정말/Noun"]
    vectors = np.array([[1, 0.1, 0], [0.9, 0.2, 0], [0, 1, 0.1], [0.1, 0.9, 0], [0, 0, 1], [0.5, 0.5, 0.5]])
    return Target2Vec(words, vectors, [100] * len(words), min_count=1)


def test_evaluated_nouns_need_a_particle_and_an_adjective():
    targets, documents = evaluated_nouns(_corpus())
    assert targets["스토리"] == 6 and targets["배우"] == 6
    assert targets["정말"] == 0
    assert documents["영화"] == 30


def test_learning_groups_words_by_their_vectors_and_names_them_by_the_most_evaluated():
    config = LearnConfig(aspects=2, min_targets=3, max_document_share=0.3, min_aspect_targets=5)
    inventory = learn_inventory(_corpus(), _space(), config)
    groups = {a.name: set(a.words) for a in inventory.aspects}
    assert {frozenset(g) for g in groups.values()} == {frozenset({"스토리", "전개"}), frozenset({"연기", "배우"})}
    assert all(a.counts == tuple(sorted(a.counts, reverse=True)) and a.name == a.words[0] for a in inventory.aspects)
    assert learn_inventory(_corpus(), _space(), config) == inventory  # the seed fixes the result


def test_lookup_by_word_and_by_jamo_prefix(small_inventory, tmp_path):
    assert small_inventory.aspect_of("배우") == "연기"
    assert small_inventory.aspect_of("연기력") == "연기"
    assert small_inventory.aspect_of("재밌게") == "재미"  # 재밌 = 재미 + final ㅆ
    assert small_inventory.aspect_of("재미없다") == "재미"
    assert small_inventory.aspect_of("감독") is None
    small_inventory.save(tmp_path / "inventory.json")
    assert Inventory.load(tmp_path / "inventory.json") == small_inventory


def test_the_shipped_inventory_has_the_usual_aspects():
    inventory = shipped_inventory()
    assert 8 <= len(inventory.aspects) <= 24 and inventory.reviews == 30_000
    assert {"스토리", "연기", "음악"} <= set(inventory.names())
    assert inventory.aspect_of("배우") == "연기" and inventory.aspect_of("그래픽") == "음악"
