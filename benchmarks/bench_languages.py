"""Other languages, measured: the segmenters against references and their own output, and cross-language mentions.

    python benchmarks/bench_languages.py [--data /path/to/nsmc] [--model offline]

1. **Segmentation, reference sentences.** Short Chinese and English sentences with their words written out by
   hand (written for this benchmark, not from a corpus): word precision / recall / F1 of the units.
2. **Segmentation, against the segmenter's own output.** The share of the segmenter's own non-space tokens that
   come out as units with the same span (what the offset alignment keeps), on the reference sentences and on
   the NSMC reviews; and how many Korean texts get exactly Okt's units under ``auto``.
3. **Cross-language mentions.** English and Chinese reviews (written for this benchmark) that each name one
   item of a movie's Korean info (a cast member, the director, the title): how often the item the review
   attends to most (mean over its rows of the share per info item) is the named one, against a random pick
   (mean of 1 / items) and the best fixed position (the item index that is right most often, an upper bound
   on any position rule); the item's mean rank; and, controlling for position, whether the review gives the
   named item more than the same movie's other test reviews (naming other items) give it (chance: 0.5).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np

from moviattn.data import load_dataset
from moviattn.explorer import Explorer, Settings
from moviattn.languages import CHINESE, detect_language, has_hangul
from moviattn.models import load_model
from moviattn.morphology import morpheme_units, pos_tags

SHARED_NSMC = Path(__file__).resolve().parents[2] / "shared" / "data" / "nsmc"

#: (sentence, its words) written for this benchmark; the words follow the PKU / plain English conventions.
REFERENCES = {
    "jieba": [
        ("这部电影太无聊了", ["这部", "电影", "太", "无聊", "了"]),
        ("演员的表演也很差", ["演员", "的", "表演", "也", "很", "差"]),
        ("我非常喜欢这个故事", ["我", "非常", "喜欢", "这个", "故事"]),
        ("导演拍得很好", ["导演", "拍", "得", "很", "好"]),
        ("结局让人感动", ["结局", "让", "人", "感动"]),
        ("音乐和画面都很美", ["音乐", "和", "画面", "都", "很", "美"]),
        ("浪费时间，不推荐。", ["浪费", "时间", "，", "不", "推荐", "。"]),
        ("这是我今年看过最好的电影", ["这", "是", "我", "今年", "看过", "最好", "的", "电影"]),
        ("剧情有点慢但是值得一看", ["剧情", "有点", "慢", "但是", "值得", "一", "看"]),
        ("特效非常震撼", ["特效", "非常", "震撼"]),
    ],
    "english": [
        ("The story was boring and way too long.", ["The", "story", "was", "boring", "and", "way", "too", "long", "."]),
        ("I didn't expect the ending!", ["I", "didn't", "expect", "the", "ending", "!"]),
        ("A must-see: 10/10.", ["A", "must-see", ":", "10", "/", "10", "."]),
        ("Great acting, weak script...", ["Great", "acting", ",", "weak", "script", "..."]),
        ("It's the best sci-fi film of 2014", ["It's", "the", "best", "sci-fi", "film", "of", "2014"]),
        ("Two hours well spent (mostly).", ["Two", "hours", "well", "spent", "(", "mostly", ")", "."]),
    ],
}

#: (movie id, review, the Korean info item it names), written for this benchmark (not real reviews).
MENTIONS = [
    ("24452", "Keanu Reeves was born to play Neo.", "키아누 리브스"),
    ("24452", "Laurence Fishburne steals every scene as Morpheus.", "로렌스 피시번"),
    ("24452", "Hugo Weaving makes a chilling Agent Smith.", "휴고 위빙"),
    ("17421", "Morgan Freeman's narration is the heart of the film.", "모건 프리먼"),
    ("17421", "Tim Robbins plays Andy with quiet strength.", "팀 로빈스"),
    ("17170", "Natalie Portman was amazing as a young girl.", "나탈리 포트만"),
    ("17170", "Gary Oldman is terrifying as the corrupt cop.", "게리 올드만"),
    ("17170", "Jean Reno gives Leon a gentle soul.", "장 르노"),
    ("10200", "Arnold Schwarzenegger is the perfect Terminator.", "아놀드 슈왈제네거"),
    ("10200", "Linda Hamilton is fierce as Sarah Connor.", "린다 해밀턴"),
    ("10200", "James Cameron directed the best action movie ever.", "제임스 카메론"),
    ("17159", "Tom Hanks is unforgettable as Forrest.", "톰 행크스"),
    ("17159", "Robert Zemeckis tells a whole century in one life.", "로버트 저메키스"),
    ("10048", "Robin Williams made me want to be a teacher.", "로빈 윌리엄스"),
    ("10048", "Ethan Hawke's shy student breaks my heart.", "에단 호크"),
    ("24452", "基努·里维斯的表演太精彩了", "키아누 리브스"),
    ("24452", "劳伦斯·菲什伯恩演的墨菲斯很有气场", "로렌스 피시번"),
    ("24452", "雨果·维文演的史密斯特工很可怕", "휴고 위빙"),
    ("17421", "摩根·弗里曼的旁白太好听了", "모건 프리먼"),
    ("17421", "蒂姆·罗宾斯演得很安静很有力量", "팀 로빈스"),
    ("17170", "娜塔莉·波特曼演的小女孩太可爱了", "나탈리 포트만"),
    ("17170", "加里·奥德曼演的坏警察很吓人", "게리 올드만"),
    ("17170", "让·雷诺演的杀手很温柔", "장 르노"),
    ("10200", "阿诺·施瓦辛格就是最好的终结者", "아놀드 슈왈제네거"),
    ("10200", "琳达·汉密尔顿演的莎拉很勇敢", "린다 해밀턴"),
    ("10200", "詹姆斯·卡梅隆拍出了最好的动作片", "제임스 카메론"),
    ("17159", "汤姆·汉克斯演的阿甘让人难忘", "톰 행크스"),
    ("17159", "罗伯特·泽米吉斯导演讲了一个世纪的故事", "로버트 저메키스"),
    ("10048", "罗宾·威廉姆斯让我想当老师", "로빈 윌리엄스"),
    ("10048", "伊桑·霍克演的学生让人心疼", "에단 호크"),
]


def _prf(predicted: list[tuple[int, int]], gold: list[tuple[int, int]]) -> tuple[int, int, int]:
    hits = len(set(predicted) & set(gold))
    return hits, len(predicted), len(gold)


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for word in words:
        start = text.index(word, cursor)
        spans.append((start, start + len(word)))
        cursor = start + len(word)
    return spans


def segmentation_tables(nsmc: Path | None) -> None:
    print("| segmenter | sentences | words | precision | recall | F1 | own tokens kept as units |")
    print("|---|---|---|---|---|---|---|")
    for analyser, pairs in REFERENCES.items():
        hits = predicted = gold = kept = own = 0
        for text, words in pairs:
            units = [(u.start, u.end) for u in morpheme_units(text, analyser)]
            h, p, g = _prf(units, _spans(text, words))
            hits, predicted, gold = hits + h, predicted + p, gold + g
            own_tokens = [surface for surface, _ in pos_tags(text, analyser)]
            own += len(own_tokens)
            kept += sum(1 for surface in own_tokens if any(text[s:e] == surface for s, e in units))
        precision, recall = hits / predicted, hits / gold
        print(f"| {analyser} | {len(pairs)} | {gold} | {precision:.3f} | {recall:.3f} | {2 * precision * recall / (precision + recall):.3f} | {kept}/{own} |")
    if nsmc is None or not nsmc.is_dir():
        return
    reviews = [r.text for rs in load_dataset(nsmc).reviews.values() for r in rs]
    korean = [t for t in reviews if has_hangul(t)]
    same = sum(morpheme_units(t) == morpheme_units(t, "okt") for t in korean)
    other = [t for t in reviews if not has_hangul(t)]
    spans_same = sum([(u.start, u.end) for u in morpheme_units(t)] == [(u.start, u.end) for u in morpheme_units(t, "okt")] for t in other)
    print(f"\nNSMC reviews with Hangul cut by auto exactly as by okt: {same}/{len(korean)}; "
          f"without Hangul ({Counter(map(detect_language, other))}): the same spans as okt's in {spans_same}/{len(other)}")


def mention_table(nsmc: Path, model_name: str) -> None:
    data = load_dataset(nsmc)
    model = load_model(model_name)
    explorer = Explorer(model)
    started = time.perf_counter()
    shares = {}
    for movie_id, review, _ in MENTIONS:
        result = explorer.review_attention(data.movie(movie_id), review, Settings()).by_item()
        shares[review] = dict(zip((u.text for u in result.info_units), result.info.mean(axis=0)))
    print(f"\ncross-language mentions, {model.name}, default settings ({time.perf_counter() - started:.1f} s for {len(MENTIONS)} reviews)")
    print("| reviews | n | named item first | random | best fixed position | its mean rank (random) | "
          "more on it than the movie's other reviews here (chance 0.5) |")
    print("|---|---|---|---|---|---|---|")
    for language in ("en", "zh"):
        rows = [m for m in MENTIONS if (detect_language(m[1]) == CHINESE) == (language == "zh")]
        first, random, position, ranks, rank_random, contrast = [], [], [], [], [], []
        for movie_id, review, target in rows:
            items = shares[review]
            ranked = sorted(items, key=items.get, reverse=True)
            first.append(ranked[0] == target)
            random.append(1 / len(items))
            position.append(list(items).index(target))
            ranks.append(ranked.index(target) + 1)
            rank_random.append((len(items) + 1) / 2)
            others = [shares[r][target] for m, r, t in rows if m == movie_id and t != target]
            contrast.append(items[target] > np.mean(others))
        best = Counter(position).most_common(1)[0][1] / len(rows)
        print(f"| {language} | {len(rows)} | {np.mean(first):.2f} | {np.mean(random):.2f} | {best:.2f} | "
              f"{np.mean(ranks):.1f} ({np.mean(rank_random):.1f}) | {np.mean(contrast):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED_NSMC, help="the NSMC folder (movies.json, reviews/)")
    parser.add_argument("--model", default="offline", help="the encoder (default: the offline multilingual model)")
    args = parser.parse_args()
    segmentation_tables(args.data)
    mention_table(args.data, args.model)


if __name__ == "__main__":
    main()
