"""Building ``[CLS] info [SEP] plot [SEP] review [SEP]`` by hand, with segment spans.

Each segment is tokenised on its own (with character offsets) and the ids are
concatenated, so every position is known to belong to one segment. Movie info is
linearised from its fields with each field's value span kept addressable. A plot
too long to fit beside the info and the review is covered by overlapping windows;
a review too long to fit is refused, never truncated silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase

from ...data import Movie
from ...text import NormalizedText, normalize

#: (field name, Korean label) in the order they are linearised.
INFO_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "제목"),
    ("director", "감독"),
    ("genres", "장르"),
    ("cast", "출연"),
    ("country", "국가"),
    ("year", "개봉"),
)
FIELD_LABELS = dict(INFO_FIELDS)
_FIELD_SEPARATOR = " / "

#: Fewest plot tokens a window must hold beside the info and the review.
MIN_PLOT_TOKENS = 64


class ReviewTooLong(ValueError):
    """The review does not fit beside the movie info and a minimal plot window."""


@dataclass(frozen=True)
class InfoField:
    """One field of the linearised info: its value's span in the info text."""

    name: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class InfoText:
    text: str
    fields: tuple[InfoField, ...]

    def field_at(self, start: int, end: int) -> InfoField | None:
        """The field whose value contains the span, if any (labels and separators belong to none)."""
        return next((f for f in self.fields if f.start <= start and end <= f.end), None)


def _field_values(movie: Movie) -> dict[str, str]:
    title = movie.title_kr + (f" ({movie.title_en})" if movie.title_en else "")
    return {
        "title": title,
        "director": ", ".join(movie.director),
        "genres": ", ".join(movie.genres),
        "cast": ", ".join(movie.cast),
        "country": ", ".join(movie.country),
        "year": str(movie.year) if movie.year else "",
    }


def linearize_info(movie: Movie) -> InfoText:
    """``제목: … / 감독: … / 장르: …`` with each value's span recorded; empty fields are left out."""
    text, fields = "", []
    for name, value in _field_values(movie).items():
        value = normalize(value).text
        if not value:
            continue
        if text:
            text += _FIELD_SEPARATOR
        text += f"{FIELD_LABELS[name]}: "
        fields.append(InfoField(name, FIELD_LABELS[name], len(text), len(text) + len(value)))
        text += value
    return InfoText(text, tuple(fields))


def identity_normalized(text: str) -> NormalizedText:
    """A NormalizedText for text that is already normal (built by us, e.g. the linearised info)."""
    return NormalizedText(text, text, tuple((i, i + 1) for i in range(len(text))))


@dataclass(frozen=True)
class Segment:
    """One tokenised part of the sequence: ids and their character offsets in ``text.text``."""

    name: str
    text: NormalizedText
    token_ids: tuple[int, ...]
    offsets: tuple[tuple[int, int], ...]

    def __len__(self) -> int:
        return len(self.token_ids)


def tokenize_segment(tokenizer: PreTrainedTokenizerBase, name: str, text: NormalizedText) -> Segment:
    """Tokenise one segment without special tokens, keeping character offsets."""
    if not text.text:
        return Segment(name, text, (), ())
    encoding = tokenizer(
        text.text, add_special_tokens=False, return_offsets_mapping=True, truncation=False, verbose=False
    )
    return Segment(name, text, tuple(encoding["input_ids"]), tuple(map(tuple, encoding["offset_mapping"])))


@dataclass(frozen=True)
class Window:
    """One model input: positions of each segment, and the first plot token it covers."""

    input_ids: tuple[int, ...]
    info: slice
    plot: slice
    review: slice
    plot_start: int

    @property
    def plot_tokens(self) -> range:
        """Indices into the plot segment's tokens that this window holds."""
        return range(self.plot_start, self.plot_start + self.plot.stop - self.plot.start)


@dataclass(frozen=True)
class EncodedReview:
    info: Segment
    plot: Segment
    review: Segment
    windows: tuple[Window, ...]


def _window(info: Segment, plot_ids: tuple[int, ...], plot_start: int, review: Segment, cls_id: int, sep_id: int) -> Window:
    ids = (cls_id, *info.token_ids, sep_id, *plot_ids, sep_id, *review.token_ids, sep_id)
    info_slice = slice(1, 1 + len(info))
    plot_slice = slice(info_slice.stop + 1, info_slice.stop + 1 + len(plot_ids))
    review_slice = slice(plot_slice.stop + 1, plot_slice.stop + 1 + len(review))
    return Window(ids, info_slice, plot_slice, review_slice, plot_start)


def plot_window_starts(plot_length: int, room: int, overlap: float = 0.5) -> list[int]:
    """Start offsets of windows of ``room`` tokens that cover the plot with the given overlap."""
    if plot_length <= room:
        return [0]
    stride = max(1, room - int(room * overlap))
    starts = list(range(0, plot_length - room, stride))
    return starts + [plot_length - room]


def encode(
    info: Segment, plot: Segment, review: Segment, *, cls_id: int, sep_id: int, max_length: int, overlap: float = 0.5
) -> EncodedReview:
    """Lay the segments out in one or more windows of at most ``max_length`` positions."""
    fixed = 4 + len(info) + len(review)
    room = max_length - fixed
    if room < min(len(plot), MIN_PLOT_TOKENS):
        allowed = max_length - 4 - len(info) - min(len(plot), MIN_PLOT_TOKENS)
        raise ReviewTooLong(
            f"리뷰가 너무 깁니다: {len(review)} 토큰 (이 영화에서는 최대 {max(allowed, 0)} 토큰). "
            f"Review too long: {len(review)} tokens, at most {max(allowed, 0)} fit beside this movie's info "
            f"({len(info)} tokens) and a {MIN_PLOT_TOKENS}-token plot window in {max_length} positions."
        )
    windows = tuple(
        _window(info, plot.token_ids[start : start + room], start, review, cls_id, sep_id)
        for start in plot_window_starts(len(plot), room, overlap)
    )
    return EncodedReview(info, plot, review, windows)
