"""Which part? Aspects of Korean movie reviews, movie profiles by aspect, and the seed-003 conversation (issue 33).

An aspect inventory learned from NSMC (``inventory``: evaluated nouns grouped by their Target2Vec
vectors, shipped as ``inventory.json``); per review, the phrases about each aspect with their polarity
(``phrases``); per movie, how often and how positively its reviews talk about each aspect, with Wilson
intervals (``profiles``); recommendations of movies praised for what a visitor missed
(``recommend``); the conversation as a state machine (``conversation``); the labelled-set scores and
the simulated critiquing users (``labelled``, ``simulate``). Uses the sentiment wing (Okt tokens,
the shipped classifier, Target2Vec) and reads the explorer's stored aggregates; nothing below imports it.
"""

from __future__ import annotations

from collections.abc import Callable

from ..data import Dataset
from .conversation import AspectChat, DialogueState, Turn
from .inventory import Aspect, Inventory, LearnConfig, learn_inventory, shipped_inventory
from .phrases import AspectPhrase, extract_many, extract_phrases
from .profiles import AspectStat, MovieProfile, attention_link, dataset_profiles
from .recommend import Reason, Recommendation

_CHATS: dict[int, AspectChat] = {}


def chat_for(dataset: Dataset, aggregate_of: Callable[[str], object | None] | None = None) -> AspectChat:
    """The conversation over ``dataset``, its profiles computed (or read from the disk cache) once per process."""
    chat = _CHATS.get(id(dataset))
    if chat is None or chat.dataset is not dataset:
        chat = _CHATS[id(dataset)] = AspectChat(dataset, dataset_profiles(dataset))
    if aggregate_of is not None:
        chat.aggregate_of = aggregate_of
    return chat


__all__ = [
    "Aspect", "AspectChat", "AspectPhrase", "AspectStat", "DialogueState", "Inventory", "LearnConfig", "MovieProfile",
    "Reason", "Recommendation", "Turn", "attention_link", "chat_for", "dataset_profiles", "extract_many", "extract_phrases",
    "learn_inventory", "shipped_inventory",
]
