"""Morphological analysis aligned to character offsets: Korean (KoNLPy, Kiwi), Chinese (jieba), English.

Analysers are selectable by name from a small registry. Their output is aligned
to the analysed text by character offsets: a word whose morphemes do not spell
out its exact surface (Komoran's 했다 -> 하/VV 았/EP 다/EC, Kkma's splits of
loanwords) becomes one unit covering the whole eojeol instead of failing.

Kiwi (``kiwipiepy``, no Java) gives each morpheme's start and length in the text, so its
surfaces are cut from the text itself: morphemes that share characters become one span with
joined tags (했 = 하/VV + 었/EP, 였 = 이/VCP + 었/EP; 걸 of 걸어서 stays 걸, tagged 걷's VV-I), and
a word is never lost to the eojeol fallback for a rewritten surface. Measured against Okt
(100 NSMC reviews and one synopsis, and the mention test): see docs/evaluation.md (Analysers).

Other languages (docs/languages.md): ``jieba`` cuts Chinese (``rjieba``, the Rust jieba-rs with its
dictionary inside the wheel; spacy-pkuseg installs but fetches its only model from GitHub at first
use, which an offline machine cannot), ``english`` cuts words, numbers and punctuation by pattern
with simplemma's lemmas. ``auto`` (the default) picks one per text by ``languages.detect_language``:
Korean text goes to Okt, so every Korean number is what ``okt`` gives.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from .errors import AnalyserUnavailable
from .languages import CHINESE, ENGLISH, KOREAN, detect_language
from .registry import UnknownChoice, choose
from .text import eojeol_spans, has_words

AUTO = "auto"
DEFAULT_ANALYSER = AUTO
#: The analyser ``auto`` gives each language's text.
LANGUAGE_ANALYSERS = {KOREAN: "okt", CHINESE: "jieba", ENGLISH: "english"}

#: Sejong-style tags of content words (nouns, verbs, adjectives, adverbs, foreign words, numbers, roots).
_SEJONG_CONTENT = frozenset({"NNG", "NNP", "NR", "VV", "VA", "MAG", "SL", "SH", "SN", "XR"})

_CONTENT_TAGS: dict[str, frozenset[str]] = {
    "okt": frozenset({"Noun", "Verb", "Adjective", "Adverb", "Alpha", "Foreign", "Number"}),
    "kiwi": _SEJONG_CONTENT,
    "komoran": _SEJONG_CONTENT,
    "mecab": _SEJONG_CONTENT,
    "kkma": frozenset({"NNG", "NNP", "NR", "VV", "VA", "MAG", "OL", "ON", "OH", "XR"}),
    "hannanum": frozenset({"N", "P", "M", "F"}),
    "jieba": frozenset({"Noun", "Verb", "Adjective", "Adverb", "Alpha", "Foreign", "Number"}),
    "english": frozenset({"Word", "Foreign", "Number"}),
}

EOJEOL_TAG = "Eojeol"


@dataclass(frozen=True)
class Unit:
    """A span of a segment's normalised text shown as one row or column of a heatmap."""

    text: str
    start: int
    end: int
    tag: str
    content: bool
    field: str | None = None

    def shifted(self, offset: int, field: str | None = None) -> "Unit":
        """The same unit in a text that starts ``offset`` characters earlier."""
        return replace(self, start=self.start + offset, end=self.end + offset, field=field or self.field)


#: The JVM's heap starts small and is collected by the serial collector: with the defaults (an initial heap of
#: 1/64 of the machine's memory, G1) Okt's process held 415 MiB after analysing the 4,000 NSMC reviews and 200
#: synopses, with these 248 MiB, at the same speed (14.3 vs 15.2-16.2 s on a loaded machine). KoNLPy's maximum
#: heap (1 GiB) stays: Kkma needs more than 256 MiB.
JVM_OPTIONS = ("-Xrs", "-Xms16m", "-XX:+UseSerialGC")


def _configure_jvm() -> None:
    """Have KoNLPy start its JVM with ``JVM_OPTIONS`` and no signal handlers of its own (``-Xrs``, JPype's
    ``interrupt=False``).

    With the JVM's handlers (JPype's default in scripts), Ctrl-C and SIGTERM made the JVM shut itself
    down under running Python threads: a SIGSEGV banner and an ``hs_err_pid*.log``. Without
    them Ctrl-C is Python's KeyboardInterrupt, which the CLI turns into one line, and SIGTERM ends the
    process as it would without Java."""
    import jpype

    start = jpype.startJVM
    if jpype.isJVMStarted() or getattr(start, "configured_by_moviattn", False):
        return

    @functools.wraps(start)
    def start_configured(*args: object, **kwargs: object) -> object:
        return start(*args, *JVM_OPTIONS, **{**kwargs, "interrupt": False})

    start_configured.configured_by_moviattn = True  # type: ignore[attr-defined]
    jpype.startJVM = start_configured


def _konlpy_factory(class_name: str) -> Callable[[], object]:
    def build() -> object:
        _configure_jvm()
        from konlpy import tag

        return getattr(tag, class_name)()

    return build


class KiwiTagger:
    """Kiwi behind the taggers' ``pos(text)``: (surface, tag) pairs whose surfaces are the text's own
    characters at Kiwi's offsets; morphemes sharing characters are one span with tags joined by ``+``,
    a zero-length morpheme joins the span before it."""

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self._kiwi = Kiwi()

    def _spans(self, text: str) -> list[tuple[int, int, list[Any]]]:
        """(start, end, Kiwi's tokens) per span: tokens sharing characters, or of zero length, join the span before."""
        spans: list[tuple[int, int, list[Any]]] = []
        for token in self._kiwi.tokenize(text):
            start, end = token.start, token.start + token.len
            if spans and (start < spans[-1][1] or start == end):
                last_start, last_end, tokens = spans[-1]
                spans[-1] = (last_start, max(last_end, end), [*tokens, token])
            elif start < end:
                spans.append((start, end, [token]))
        return spans

    def pos(self, text: str) -> list[tuple[str, str]]:
        return [(text[start:end], "+".join(t.tag for t in tokens)) for start, end, tokens in self._spans(text)]

    def lemmas(self, text: str) -> dict[tuple[int, int], str]:
        """The spans ``pos`` gives, each named by its first morpheme's lemma (무너져 → 무너지다)."""
        return {(start, end): tokens[0].lemma for start, end, tokens in self._spans(text)}


#: jieba's tags (ICTCLAS) by first letter → the coarse Okt-style tag shown before jieba's own (``Noun-nr``),
#: so word classes and content flags read them as they read Okt's.
_JIEBA_COARSE = {
    "n": "Noun", "t": "Noun", "s": "Noun", "f": "Noun", "i": "Noun", "l": "Noun", "j": "Noun", "g": "Noun", "b": "Noun",
    "v": "Verb", "a": "Adjective", "z": "Adjective", "d": "Adverb", "m": "Number", "q": "Suffix",
    "r": "Pronoun", "p": "Preposition", "c": "Conjunction", "u": "Particle", "y": "Exclamation", "e": "Exclamation",
    "o": "Exclamation", "h": "Prefix", "k": "Suffix",
}


def _is_hangul_run(surface: str) -> bool:
    return surface.isalpha() and detect_language(surface) == KOREAN


class ChineseTagger:
    """jieba (``rjieba``) behind the taggers' ``pos(text)``: its words with jieba's tag after a coarse one
    (``Noun-nr``, ``Particle-uj``); Latin words are ``Alpha``, runs of Hangul (which jieba cuts into
    syllables) one ``Foreign`` unit, punctuation and symbols ``Punctuation``; whitespace is dropped."""

    def __init__(self) -> None:
        import rjieba

        self._tag = rjieba.tag

    def pos(self, text: str) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for surface, tag in self._tag(text):
            if surface.isspace():
                pairs.append((" ", ""))
            elif _is_hangul_run(surface) and pairs and _is_hangul_run(pairs[-1][0]):
                pairs[-1] = (pairs[-1][0] + surface, "Foreign")
            elif _is_hangul_run(surface):
                pairs.append((surface, "Foreign"))
            elif tag == "eng":
                pairs.append((surface, "Alpha"))
            elif not has_words(surface):
                pairs.append((surface, "Punctuation"))
            else:
                pairs.append((surface, f"{_JIEBA_COARSE.get(tag[:1], 'Noun')}-{tag}"))
        return [pair for pair in pairs if pair[1]]


#: English closed-class words (articles, pronouns, auxiliaries, prepositions, conjunctions): not content.
ENGLISH_FUNCTION_WORDS = frozenset("""
a an the this that these those i me my mine we us our you your he him his she her it its they them their
is am are was were be been being do does did have has had will would shall should can could may might must
of in on at by for with to from into onto about as than then so and or but nor if because while though
not no there here what which who whom whose when where why how all any some each every very just too also
""".split())

#: Words (letters with inner apostrophes or hyphens: don't, sci-fi), numbers (3.5, 1,000), other marks.
_ENGLISH_TOKEN = re.compile(r"(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)|(?P<number>\d+(?:[.,]\d+)*)|(?P<mark>[^\w\s]+|_+)")


class EnglishTagger:
    """Words, numbers and punctuation by pattern (``Word``, ``Function`` for closed-class words, ``Number``,
    ``Punctuation``; a run of another script, Hangul or Han, is one ``Foreign`` unit), with simplemma's
    English lemmas for lower-case words (a capitalised word is a name more often than not: simplemma
    makes Reeves 'reeve')."""

    def __init__(self) -> None:
        import simplemma

        self._lemmatize = functools.partial(simplemma.lemmatize, lang="en")

    @staticmethod
    def _spans(text: str) -> list[tuple[int, int, str]]:
        spans = []
        for match in _ENGLISH_TOKEN.finditer(text):
            surface, kind = match.group(), match.lastgroup
            if kind == "word":
                latin = detect_language(surface) == ENGLISH
                tag = "Foreign" if not latin else "Function" if surface.casefold() in ENGLISH_FUNCTION_WORDS else "Word"
            else:
                tag = "Number" if kind == "number" else "Punctuation"
            spans.append((match.start(), match.end(), tag))
        return spans

    def pos(self, text: str) -> list[tuple[str, str]]:
        return [(text[start:end], tag) for start, end, tag in self._spans(text)]

    def lemmas(self, text: str) -> dict[tuple[int, int], str]:
        """Each lower-case word's lemma (movies → movie, was → be); other units keep their surfaces."""
        return {
            (start, end): self._lemmatize(text[start:end])
            for start, end, tag in self._spans(text)
            if tag in ("Word", "Function") and text[start:end].islower()
        }


def _every_language_analyser() -> tuple[object, ...]:
    """What 'auto' needs: each language's analyser started (texts are resolved to one of them first)."""
    return tuple(_analyser(name) for name in LANGUAGE_ANALYSERS.values())


def resolve_analyser(analyser: str, text: str) -> str:
    """The analyser a text is cut with: ``auto`` becomes its language's (``LANGUAGE_ANALYSERS``), any other stays."""
    return LANGUAGE_ANALYSERS[detect_language(text)] if analyser == AUTO else analyser


def analysers_used(analyser: str, texts: Iterable[str]) -> str:
    """The analyser name a result made from ``texts`` is keyed by: ``auto`` becomes the one analyser its texts
    resolve to (all-Korean → ``okt``, so results stored under ``okt`` stay valid), or ``auto:jieba+okt`` for
    several (the texts are in the key, so which text got which follows from them)."""
    if analyser != AUTO:
        return analyser
    used = sorted({resolve_analyser(AUTO, text) for text in texts if text.strip()} or {LANGUAGE_ANALYSERS[KOREAN]})
    return used[0] if len(used) == 1 else f"{AUTO}:{'+'.join(used)}"


ANALYSER_FACTORIES: dict[str, Callable[[], object]] = {
    AUTO: _every_language_analyser,
    "okt": _konlpy_factory("Okt"),
    "kiwi": KiwiTagger,
    "komoran": _konlpy_factory("Komoran"),
    "kkma": _konlpy_factory("Kkma"),
    "hannanum": _konlpy_factory("Hannanum"),
    "mecab": _konlpy_factory("Mecab"),
    "jieba": ChineseTagger,
    "english": EnglishTagger,
}

_lock = threading.Lock()


@lru_cache(maxsize=None)
def _analyser(name: str) -> object:
    try:
        factory = choose("analyser", name, ANALYSER_FACTORIES)
    except UnknownChoice as exc:
        raise AnalyserUnavailable(str(exc)) from None
    try:
        return factory()
    except Exception as exc:  # JVM missing, Mecab not installed, ...: all mean "not here"
        hints = {"mecab": "install Mecab-ko", "kiwi": "pip install kiwipiepy", "jieba": "pip install rjieba", "english": "pip install simplemma"}
        hint = hints.get(name, "install a Java runtime (JDK 17), e.g. apt-get install default-jre")
        raise AnalyserUnavailable(f"analyser {name!r} cannot start ({type(exc).__name__}: {exc}); {hint}") from exc


def is_available(name: str) -> bool:
    """Whether the named analyser can be started on this machine."""
    try:
        _analyser(name)
        return True
    except AnalyserUnavailable:
        return False


#: Texts ``warm_up`` analyses: enough to leave the analyser's slow first calls behind.
WARM_UP_TEXTS = 60
#: Analyses kept by text (least recently used dropped): a shipped set's reviews and plots, and users' texts.
POS_CACHE_SIZE = 4096


@lru_cache(maxsize=POS_CACHE_SIZE)
def pos_tags(text: str, analyser: str = DEFAULT_ANALYSER) -> tuple[tuple[str, str], ...]:
    """(surface, tag) pairs from the named analyser (``auto``: the text's language's, the same cached tuple);
    cached, thread-safe."""
    if analyser == AUTO:
        return pos_tags(text, resolve_analyser(AUTO, text))
    tagger = _analyser(analyser)
    if not text.strip():
        return ()
    with _lock:  # the JVM taggers are not documented as thread-safe
        return tuple((surface, tag) for surface, tag in tagger.pos(text))


def _aligned_lemmas(text: str, plain: Sequence[tuple[str, str]], stemmed: Sequence[tuple[str, str]]) -> dict[tuple[int, int], str]:
    """Okt's morphemes found in the text in order, each named by its ``stem=True`` form (한다 → 하다)."""
    if len(plain) != len(stemmed):  # stemming rewrites morphemes one by one; if not, keep surfaces
        return {}
    spans, cursor = {}, 0
    for (surface, _), (lemma, _) in zip(plain, stemmed):
        start = text.find(surface, cursor)
        if start >= 0:
            spans[(start, start + len(surface))] = lemma
            cursor = start + len(surface)
    return spans


@lru_cache(maxsize=POS_CACHE_SIZE)
def lemma_spans(text: str, analyser: str = DEFAULT_ANALYSER) -> dict[tuple[int, int], str]:
    """(start, end) of each morpheme → its lemma, from the analyser's own stemming (Okt ``stem=True``,
    Kiwi's ``lemma``, simplemma for English); empty for analysers without one (their units keep their
    surfaces; Chinese words do not inflect)."""
    analyser = resolve_analyser(analyser, text)
    if analyser not in ("okt", "kiwi", "english") or not text.strip():
        return {}
    tagger = _analyser(analyser)
    if isinstance(tagger, (KiwiTagger, EnglishTagger)):
        with _lock:
            return tagger.lemmas(text)
    plain = pos_tags(text, analyser)  # the cached analysis the units were made from
    with _lock:
        stemmed = tagger.pos(text, stem=True)  # type: ignore[attr-defined]
    return _aligned_lemmas(text, plain, stemmed)


def warm_up(texts: Iterable[str], analyser: str = DEFAULT_ANALYSER, count: int = WARM_UP_TEXTS) -> int:
    """Start the analyser and analyse up to ``count`` of ``texts`` (kept in ``pos_tags``' cache), so that no
    user pays for its cold start: after the JVM started, Okt took 1.2 s for its first review, ~20 ms each
    for the next ten and 2-5 ms from about the fiftieth (measured on 2 loaded cores). The number analysed
    (0 where the analyser cannot start here: requests then fall back to eojeol units)."""
    try:
        _analyser(analyser)
    except AnalyserUnavailable:
        return 0
    done = 0
    for text in texts:
        if done >= count:
            break
        if text.strip():
            pos_tags(text, analyser)
            done += 1
    return done


def is_content_tag(tag: str, analyser: str) -> bool:
    """Whether a tag marks a content word (compound tags count by their first part, Mecab's ``VV+EP``
    and Kiwi's joined spans; Kiwi's irregular-conjugation marks ``VV-I``/``VA-R`` by their base tag)."""
    return tag.split("+")[0].split("-")[0] in _CONTENT_TAGS.get(analyser, ())


def eojeol_units(text: str) -> list[Unit]:
    """One unit per space-separated word."""
    return [Unit(text[s:e], s, e, EOJEOL_TAG, has_words(text[s:e])) for s, e in eojeol_spans(text)]


def morpheme_units(text: str, analyser: str = DEFAULT_ANALYSER) -> list[Unit]:
    """Morpheme units aligned by offsets; an eojeol whose morphemes rewrite its surface stays whole."""
    analyser = resolve_analyser(analyser, text)
    morphemes = pos_tags(text, analyser)
    units: list[Unit] = []
    next_morpheme = 0
    words = eojeol_spans(text)
    for word_index, (start, end) in enumerate(words):
        aligned: list[Unit] = []
        cursor, m = start, next_morpheme
        while cursor < end and m < len(morphemes):
            surface, tag = morphemes[m]
            if not surface or not text.startswith(surface, cursor) or cursor + len(surface) > end:
                break
            aligned.append(Unit(surface, cursor, cursor + len(surface), tag, is_content_tag(tag, analyser)))
            cursor += len(surface)
            m += 1
        if cursor == end:
            units.extend(aligned)
            next_morpheme = m
            continue
        # Rewritten surface: the word stays whole, tagged by analysing it alone, and the
        # whole-text morphemes resume at the first one that starts the next word.
        tags = [tag for _, tag in pos_tags(text[start:end], analyser)] or [EOJEOL_TAG]
        content = any(is_content_tag(t, analyser) for t in tags) and has_words(text[start:end])
        units.append(Unit(text[start:end], start, end, "+".join(tags), content))
        next_start = words[word_index + 1][0] if word_index + 1 < len(words) else len(text)
        next_morpheme = next(
            (i for i in range(m, len(morphemes)) if morphemes[i][0] and text.startswith(morphemes[i][0], next_start)),
            len(morphemes),
        )
    return units
