"""The result cache: stable keys, disk round trip, corrupt entries treated as missing."""

from __future__ import annotations

from moviattn.explorer._run.cache import ResultCache, cache_key


def test_keys_are_stable_and_sensitive():
    assert cache_key("m", {"a": 1, "b": 2}, "리뷰") == cache_key("m", {"b": 2, "a": 1}, "리뷰")
    assert cache_key("m", {"a": 1}, "리뷰") != cache_key("m", {"a": 1}, "리뷰!")


def test_disk_round_trip_survives_a_new_process(tmp_path):
    ResultCache(tmp_path).put("review", "abc123", {"x": [1, 2], "t": "한글"})
    fresh = ResultCache(tmp_path)  # empty memory: reads the file
    assert fresh.get("review", "abc123") == {"x": [1, 2], "t": "한글"}
    assert fresh.get("review", "missing") is None


def test_corrupt_entry_is_a_miss(tmp_path):
    cache = ResultCache(tmp_path)
    cache.put("movie", "k1", {"ok": True})
    path = next(tmp_path.rglob("k1.json.gz"))
    path.write_bytes(b"not gzip")
    assert ResultCache(tmp_path).get("movie", "k1") is None


def test_memory_front_is_bounded_by_size(tmp_path):
    """The in-memory front holds at most its budget of JSON text, newest first."""
    cache = ResultCache(tmp_path, memory_bytes=4000)
    for i in range(20):
        cache.put("review", f"k{i:02d}", {"x": "가" * 500})
    assert cache._held <= 4000 and 1 <= len(cache._memory) < 20
    assert "review/k19" in cache._memory and "review/k00" not in cache._memory
    assert cache.get("review", "k00") == {"x": "가" * 500}  # evicted from memory, still on disk
    cache.put("movie", "huge", {"x": "가" * 3000})  # over a quarter of the budget: disk only
    assert "movie/huge" not in cache._memory and cache.get("movie", "huge")["x"] == "가" * 3000
