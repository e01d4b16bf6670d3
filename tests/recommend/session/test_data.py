"""Loaders on small hand-written files in every format, and their errors."""

from __future__ import annotations

import pytest

from moviattn.errors import DataError
from moviattn.recommend.session.data import detect_format, load_items, load_log, parse_columns
from moviattn.registry import UnknownChoice


def write(path, text, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_ml1m(tmp_path):
    write(tmp_path / "ratings.dat", "1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n")
    write(tmp_path / "movies.dat", "10::Toy Story (1995)::Animation|Children's|Comedy\n20::Misérables, Les (1995)::Drama\n", "latin-1")
    log = load_log(tmp_path)
    assert detect_format(tmp_path) == "ml-1m"
    assert log.events[["user", "item"]].values.tolist() == [["1", "10"], ["1", "20"], ["2", "10"]]
    assert log.events["time"].tolist() == [978300760, 978302109, 978301968]
    assert log.events["order"].tolist() == [0, 1, 2]
    assert log.items["20"].title == "Misérables, Les" and log.items["20"].year == 1995
    assert log.items["10"].genres == ("Animation", "Children's", "Comedy")
    assert log.items["10"].label == "Toy Story (1995)"


def test_ml100k(tmp_path):
    write(tmp_path / "u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n")
    flags = ["0"] * 19
    flags[1] = flags[16] = "1"  # Action, Thriller
    write(tmp_path / "u.item", f"242|Kolya (1996)|24-Jan-1997||http://x|{'|'.join(flags)}\n", "latin-1")
    log = load_log(tmp_path)
    assert log.events["rating"].tolist() == [3.0, 3.0]
    assert log.items["242"].title == "Kolya" and log.items["242"].genres == ("Action", "Thriller")
    assert load_items(tmp_path) == dict(log.items)


def test_atomic(tmp_path):
    write(tmp_path / "x.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n1\t5\t4\t100\n1\t6\t2\t100.0\n")
    write(tmp_path / "x.item", "item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq\n5\tHeat\t1995\tAction Crime\n")
    log = load_log(tmp_path)
    assert detect_format(tmp_path) == "atomic"
    assert log.events["item"].tolist() == ["5", "6"] and log.events["time"].tolist() == [100, 100]
    assert log.items["5"].genres == ("Action", "Crime") and log.items["5"].year == 1995


def test_csv_with_named_columns(tmp_path):
    path = write(tmp_path / "log.csv", "movie,uid,rate,ts\nm1,u1,4.5,10\nm2,u1,3,20\n")
    log = load_log(path, columns=parse_columns("user=uid,item=movie,rating=rate,time=ts"))
    assert log.events[["user", "item", "rating", "time"]].values.tolist() == [["u1", "m1", 4.5, 10], ["u1", "m2", 3.0, 20]]
    with pytest.raises(DataError, match="header lacks user=user"):
        load_log(path)
    with pytest.raises(UnknownChoice, match="unknown column 'usr'"):
        parse_columns("usr=uid")


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("ratings.dat", "1::10::5::978300760\n1::20::five::978302109\n", r"ratings.dat, record 2, field 'rating'"),
        ("ratings.dat", "1::10::5::978300760\n\n1::20::4\n", r"ratings.dat, record 3, field 'timestamp'.*at least 4 fields"),
        ("ratings.dat", "1::::5::9\n", r"record 1, field 'item'.*cannot read ''"),
        ("ratings.dat", "1::10::nan::9\n", r"record 1, field 'rating'"),
    ],
)
def test_malformed_lines_name_file_line_and_field(tmp_path, name, text, where):
    write(tmp_path / name, text)
    write(tmp_path / "movies.dat", "10::A (1990)::Drama\n")
    with pytest.raises(DataError, match=where):
        load_log(tmp_path)


def test_malformed_csv_and_catalogue(tmp_path):
    path = write(tmp_path / "log.csv", "user,item,rating,time\nu1,m1,4,10\nu1,m2,4,yesterday\n")
    with pytest.raises(DataError, match=r"log.csv, record 3, field 'time'"):
        load_log(path)
    write(tmp_path / "ml" / "u.data", "1\t2\t3\t4\n")
    write(tmp_path / "ml" / "u.item", "2|A (1990)|||x|" + "|".join(["0"] * 18) + "|yes\n")
    with pytest.raises(DataError, match=r"u.item, record 1, field 'Western'"):
        load_log(tmp_path / "ml")


def test_folders_without_the_expected_files(tmp_path):
    with pytest.raises(DataError, match="no rating files here"):
        load_log(tmp_path)
    write(tmp_path / "ratings.dat", "1::10::5::978300760\n")
    with pytest.raises(DataError, match="missing movies.dat"):
        load_log(tmp_path)
    with pytest.raises(DataError, match="no such file or folder"):
        load_log(tmp_path / "nowhere")
    with pytest.raises(UnknownChoice, match="unknown data format 'ml-20m'"):
        load_log(tmp_path, format="ml-20m")
    write(tmp_path / "empty" / "e.inter", "user_id:token\titem_id:token\trating:float\ttimestamp:float\n")
    with pytest.raises(DataError, match="no rating events"):
        load_log(tmp_path / "empty")
