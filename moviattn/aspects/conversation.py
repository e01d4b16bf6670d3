"""The "어떤 점이? (which part?)" conversation of seed 003, as a pure-Python state machine (no Gradio).

    [용가리] 영화 [재미 없었어] → 어떤 부분이? [킬링타임, 그래픽, 아쉬움] → [그래픽] → [시나리오, 연출] 호평이 많은 AA

Stages: ``movie`` (waiting for a movie and how it was) → ``aspect`` (the 2-4 aspects the movie's reviews
of the same polarity talk about most were offered, each with a real phrase) → ``refine`` (movies were
recommended; "배우 말고 스토리", "더 가벼운 거", "다른 거", a number, or another movie). "처음"/"reset" starts
over from any stage. :meth:`AspectChat.respond` takes the state and one message and returns a
:class:`Turn` holding the reply, the new state and the turn's :class:`~.recommend.Recommendation` list.

What the visitor missed (``recommend.missed``): after a complaint about aspect *a* of movie X, *a*
(weight 1) and the other aspects X's negative reviews blame (weight 0.25, the complement of what X
did well; 0.5 let them outweigh the chosen aspect); after praise, *a* alone (more of what they liked).
A refinement (``recommend.critiqued``) adds what it names at weight 1 to what came before; "X 말고 Y"
drops X and the main aspects before adding Y. A word that is not in the inventory is
read through Target2Vec: the aspect whose words' mean vector is nearest (cosine ≥ :data:`NEAR`), so
"가벼운" reaches 요소 (웃음, 코미디, 개그) and "ost" reaches 음악. Replies are plain text; the tab
escapes them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from ..data import Dataset
from ..sentiment.artifacts import shipped_target2vec3
from ..sentiment.data import tokenise
from ..sentiment.explain import predict_positive_tokens
from ..sentiment.target2vec import Target2Vec
from ..text import has_words
from .inventory import Inventory, shipped_inventory, split_token
from .phrases import MATCHED_TAGS
from .profiles import AttentionLink, MovieProfile, attention_link
from .recommend import Recommendation, critiqued, missed, recommend

MAX_MESSAGE = 500
#: Cosine of a word's Target2Vec vector to an aspect's mean vector above which the word stands for the aspect.
NEAR = 0.45
RESET_WORDS = frozenset({"처음", "처음부터", "다시", "리셋", "reset", "restart", "새로"})
OTHER_WORDS = ("다른", "딴거", "딴 거", "말고 다른")
NOT_WORDS = ("말고", "빼고", "말구", "아니고", "아니라")
#: P(positive) of a message's opinion below/above which it reads as a complaint/praise; between: ask.
COMPLAINT, PRAISE = 0.4, 0.6
#: A secondary aspect is named among the reasons where at least this share of the movie's reviews praise it.
SHOWN_SHARE = 0.05
HELP = "영화 제목과 어땠는지 말해 주세요. 예: '레옹은 지루했어', '쇼생크 탈출 최고였어' (처음: 다시 시작)"


@dataclass(frozen=True)
class DialogueState:
    """Where the conversation is; immutable, so a UI can keep it per visitor."""

    stage: str = "movie"
    movie_id: str | None = None
    feeling: str | None = None  # "positive" / "negative"
    offered: tuple[str, ...] = ()
    wanted: tuple[tuple[str, float], ...] = ()
    shown: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # movie ids of a pick list
    hidden: tuple[str, ...] = ()  # movies the visitor marked 👎 / 관심 없음 (feedback): never recommended


@dataclass(frozen=True)
class Turn:
    """One exchange: what the visitor wrote, the reply, the state after it and what was recommended."""

    message: str
    reply: str
    state: DialogueState
    recommendations: tuple[Recommendation, ...] = ()
    offered: tuple[str, ...] = ()


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


@dataclass
class AspectChat:
    """The conversation over one dataset's movies and their aspect profiles (computed ahead: ``dataset_profiles``)."""

    dataset: Dataset
    profiles: Mapping[str, MovieProfile]
    inventory: Inventory = field(default_factory=shipped_inventory)
    #: movie id → its stored explorer aggregate or None (seed 000 §7.4; optional: no model work here).
    aggregate_of: Callable[[str], object | None] | None = None

    @cached_property
    def titles(self) -> dict[str, str]:
        return {m: movie.title_kr for m, movie in self.dataset.movies.items() if m in self.profiles}

    @cached_property
    def _centroids(self) -> tuple[list[str], np.ndarray, Target2Vec]:
        """Aspect names, the unit mean vectors of their words, and the space they live in."""
        space = shipped_target2vec3()
        names, rows = [], []
        for aspect in self.inventory.aspects:
            known = [space.vector(w) for w in aspect.words if space.knows(w)]
            if known:
                names.append(aspect.name)
                rows.append(np.mean(known, axis=0))
        table = np.stack(rows)
        return names, table / np.linalg.norm(table, axis=1, keepdims=True), space

    # ------------------------------------------------------------ reading the message

    def find_movies(self, text: str) -> list[str]:
        """Movies the text names: titles (or their part before ':' / '-') inside it, else close spellings of its start."""
        key = _key(text)
        inside = []
        for movie_id, title in self.titles.items():
            forms = {_key(title), _key(re.split(r"[:\-]", title)[0])}
            english = self.dataset.movies[movie_id].title_en
            if english:
                forms.add(_key(english))
            longest = max((len(f) for f in forms if len(f) >= 2 and f in key), default=0)
            if longest:
                inside.append((longest, movie_id))
        if inside:
            best = max(n for n, _ in inside)
            return [m for n, m in sorted(inside, key=lambda t: (-t[0], self.titles[t[1]])) if n == best]
        words = text.split()
        close = []
        for n in range(min(4, len(words)), 0, -1):
            head = _key(" ".join(words[:n]))
            for movie_id, title in self.titles.items():
                ratio = difflib.SequenceMatcher(None, head, _key(title)).ratio()
                if ratio >= 0.75:
                    close.append((ratio, movie_id))
        best: dict[str, float] = {}
        for ratio, movie_id in close:
            best[movie_id] = max(ratio, best.get(movie_id, 0.0))
        return sorted(best, key=lambda m: (-best[m], self.titles[m]))[:5]

    def find_aspects(self, text: str) -> list[tuple[str, int, str]]:
        """(aspect, character position, word) of each aspect the text names: inventory words, else near words."""
        tokenised = tokenise(text)
        found, seen = [], set()
        for token, (start, _) in zip(tokenised.tokens, tokenised.spans):
            word, tag = split_token(token)
            if tag not in MATCHED_TAGS | {"Alpha"}:
                continue
            aspect = self.inventory.aspect_of(word) or self._near_aspect(token)
            if aspect and aspect not in seen:
                seen.add(aspect)
                found.append((aspect, start, word))
        return found

    def _near_aspect(self, token: str) -> str | None:
        names, table, space = self._centroids
        word, tag = split_token(token)
        if len(word) < 2 or not space.knows(f"{word}/{tag}"):
            return None
        scores = table @ space.vector(f"{word}/{tag}")
        best = int(np.argmax(scores))
        return names[best] if scores[best] >= NEAR else None

    def _without_title(self, text: str, movie_id: str) -> str:
        """The message with the movie's title (or its part before ':' / '-') taken out, for reading the opinion alone."""
        title = self.titles[movie_id]
        for form in (title, re.split(r"[:\-]", title)[0].strip(), title.replace(" ", "")):
            if form and form in text:
                return text.replace(form, " ")
        return text.split(maxsplit=1)[1] if " " in text else ""

    def feeling_of(self, text: str) -> str | None:
        """"negative" / "positive" from the shipped classifier on the opinion, or None when it is unsure or absent."""
        if not has_words(text):
            return None
        tokens = [t for t in tokenise(text).tokens if split_token(t)[1] not in ("Josa", "Punctuation", "Foreign")]
        p = predict_positive_tokens([tokens])[0]
        if p is None:
            return None
        return "negative" if p < COMPLAINT else "positive" if p > PRAISE else None

    # ------------------------------------------------------------ the turns

    def respond(self, state: DialogueState, message: str) -> Turn:
        """The reply to one message in ``state`` (never raises on the visitor's input)."""
        text = (message or "").strip()
        if not text:
            return Turn(message, f"빈 메시지예요. {HELP}", state)
        if len(text) > MAX_MESSAGE:
            return Turn(message, f"메시지가 너무 깁니다 ({len(text):,}자). {MAX_MESSAGE}자 이내로 써 주세요. {HELP}", state)
        if not has_words(text):
            return Turn(message, f"글자가 없는 메시지예요 (이모지나 기호만). {HELP}", state)
        if _key(text) in RESET_WORDS:
            return Turn(message, f"처음부터 다시 해요. {HELP}", DialogueState())
        if text.isdigit() and state.choices:
            return self._picked(state, message, int(text))
        if state.stage in ("aspect", "refine"):
            turn = self._about_aspects(state, message, text)
            if turn is not None:
                return turn
        return self._about_movie(state, message, text)

    def _picked(self, state: DialogueState, message: str, number: int) -> Turn:
        if not 1 <= number <= len(state.choices):
            return Turn(message, f"1부터 {len(state.choices)} 사이의 번호를 골라 주세요.", state)
        chosen = state.choices[number - 1]
        if state.stage == "aspect":
            return self._recommend(state, message, chosen)
        return self._aspects_of(replace(state, movie_id=chosen, choices=()), message)

    def _about_movie(self, state: DialogueState, message: str, text: str) -> Turn:
        movies = self.find_movies(text)
        if not movies and state.stage == "movie" and state.movie_id and (feeling := self.feeling_of(text)):
            return self._aspects_of(replace(state, feeling=feeling), message)  # the answer to "어땠어요?"
        if not movies:
            if not re.search(r"[가-힣]", text):
                return Turn(message, f"한국어로 말씀해 주세요 (please write in Korean). {HELP}", state)
            examples = ", ".join(sorted(self.titles.values())[:5])
            return Turn(message, f"이 데이터에 없는 영화예요. 이런 영화가 있어요: {examples} … {HELP}", state)
        feeling = self.feeling_of(self._without_title(text, movies[0]))
        new = DialogueState("movie", feeling=feeling)
        if len(movies) > 1:
            listing = " ".join(f"{i}) {self.titles[m]}" for i, m in enumerate(movies, 1))
            return Turn(message, f"어느 영화인가요? 번호로 골라 주세요: {listing}", replace(new, choices=tuple(movies)))
        return self._aspects_of(replace(new, movie_id=movies[0]), message)

    def _aspects_of(self, state: DialogueState, message: str) -> Turn:
        title, profile = self.titles[state.movie_id], self.profiles[state.movie_id]
        if state.feeling is None:
            return Turn(message, f"'{title}'은(는) 어땠어요? 좋았는지 별로였는지 한마디로 말해 주세요 (예: '{title} 지루했어').",
                        replace(state, stage="movie"))
        verdict = "별로였군요" if state.feeling == "negative" else "좋았군요"
        stats = profile.talked_about(state.feeling, 4)
        if len(stats) < 2:
            stats = profile.talked_about(None, 4)
        if not stats:
            return Turn(message, f"'{title}'의 리뷰에서 찾은 측면이 없어요. 다른 영화를 말해 주세요.", DialogueState())
        lines = [f"'{title}'이(가) {verdict}. 어떤 점이? 이 영화를 {'낮게' if state.feeling == 'negative' else '높게'} 본 리뷰들이 가장 많이 말한 것:"]
        for i, s in enumerate(stats, 1):
            count = len(s.review_ids.get(state.feeling, ())) or s.mentions
            quote = s.quote(state.feeling) or s.quote()
            lines.append(f"{i}) {s.aspect} — 리뷰 {count}개{f': “{quote.text}”' if quote else ''}")
        lines.append("번호나 말로 골라 주세요 (예: '1', '스토리', '다른 거').")
        offered = tuple(s.aspect for s in stats)
        return Turn(message, "\n".join(lines), replace(state, stage="aspect", offered=offered, choices=offered), offered=offered)

    def _about_aspects(self, state: DialogueState, message: str, text: str) -> Turn | None:
        if any(w in text for w in OTHER_WORDS) and not self.find_aspects(text.replace("다른", "")):
            if state.stage == "aspect":
                return self._other_aspects(state, message)
            return self._recommend(state, message, None, dict(state.wanted), exclude_shown=True)
        named = self.find_aspects(text)
        if not named:
            return None
        cut = min((text.find(w) for w in NOT_WORDS if w in text), default=-1)
        avoided = {a for a, pos, _ in named if cut >= 0 and pos < cut}
        added = [a for a, _, _ in named if a not in avoided]
        if state.stage == "aspect" and added:
            return self._recommend(state, message, added[0])
        wanted = critiqued(dict(state.wanted), added, avoided, replace=cut >= 0)
        if not any(w >= 1.0 for w in wanted.values()):
            return Turn(message, "무엇을 더 원하시는지 알려 주세요 (예: '스토리', '음악 좋은 거').", state)
        return self._recommend(state, message, None, wanted)

    def _other_aspects(self, state: DialogueState, message: str) -> Turn:
        profile = self.profiles[state.movie_id]
        rest = [s for s in profile.talked_about(None, 12) if s.aspect not in state.offered][:4]
        if not rest:
            return Turn(message, "다른 측면은 리뷰에 거의 없어요. 위에서 골라 주세요.", state)
        lines = ["다른 측면들:"] + [f"{i}) {s.aspect} — 리뷰 {s.mentions}개{f': “{s.quote().text}”' if s.quote() else ''}"
                                    for i, s in enumerate(rest, 1)]
        offered = tuple(s.aspect for s in rest)
        return Turn(message, "\n".join(lines), replace(state, offered=offered, choices=offered), offered=offered)

    def _recommend(self, state: DialogueState, message: str, aspect: str | None,
                   wanted: dict[str, float] | None = None, exclude_shown: bool = False) -> Turn:
        wanted = wanted if wanted is not None else missed(self.profiles[state.movie_id], aspect, state.feeling)
        exclude = {state.movie_id, *state.hidden, *(state.shown if exclude_shown else ())}
        picks = recommend(self.profiles, self.titles, wanted, exclude)
        new = replace(state, stage="refine", wanted=tuple(wanted.items()), shown=tuple(dict.fromkeys([*state.shown, *(p.movie_id for p in picks)])),
                      choices=())
        if not picks:
            return Turn(message, "그 측면으로 호평받은 다른 영화를 찾지 못했어요. 다른 측면을 말해 주세요.", new)
        main = ", ".join(a for a, w in wanted.items() if w >= 1.0)
        lines = [f"그랬구나. [{main}] 호평이 많은 영화는 어때요?" if aspect else f"[{main}] 쪽으로 다시 찾았어요:"]
        for i, pick in enumerate(picks, 1):
            shown = sorted((r for r in pick.reasons if wanted[r.aspect] >= 1.0 or r.share >= SHOWN_SHARE), key=lambda r: -wanted[r.aspect])
            why = "; ".join(f"{r.aspect} 칭찬 {r.praising}/{r.reviews} 리뷰 ({r.share:.0%})" for r in shown)
            quote = next((r.quote for r in shown if r.quote), None)
            lines.append(f"{i}) {pick.title} — {why}{f' · “{quote.text}”' if quote else ''}")
            link = self._attention_line(pick.movie_id, pick.reasons[0].aspect if pick.reasons else None)
            if link:
                lines.append(f"   {link}")
        lines.append("더 좁혀 볼까요? 예: '배우 말고 스토리', '더 가벼운 거', '다른 거', 또는 '처음'.")
        return Turn(message, "\n".join(lines), new, tuple(picks))

    def _attention_line(self, movie_id: str, aspect: str | None) -> str | None:
        """Seed 000 §7.4, where a stored aggregate exists: what the aspect's praising reviews look at."""
        if aspect is None or self.aggregate_of is None:
            return None
        aggregate = self.aggregate_of(movie_id)
        stat = self.profiles[movie_id].stat(aspect)
        link: AttentionLink | None = attention_link(aggregate, aspect, stat.review_ids.get("positive", ())) if aggregate and stat else None
        if link is None or not link.items:
            return None
        item, field_name, lift = link.items[0]
        return f"(이 리뷰들이 영화 정보에서 눈여겨본 것: {field_name} '{item}', 전체 리뷰의 {lift:.1f}배)"
