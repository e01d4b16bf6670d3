"""Session-based next-movie recommendation on MovieLens: GRU4Rec, SASRec and strong baselines.

Rating logs (ML-1M, ML-100K, RecBole atomic files, any CSV) become time-ordered sessions and
splits fixed in advance (leave-one-out as RecBole, or a global time split); models rank all items
and are scored with the shared metrics (conservative ties). Torch loads only with a neural model.
See docs/session.md for the protocol, the results and how to get the data.
"""

from __future__ import annotations

from .data import FORMATS, ItemInfo, RatingLog, load_items, load_log
from .evaluation import evaluate
from .models import BASELINES, MODELS, NEURAL, Recommender, create
from .pipeline import CHOSEN, prepare, recommend, resolve_items
from .sessions import TIE_BREAKS, statistics
from .splits import SPLITS, Protocol, Queries, Split, make_split

__all__ = [
    "BASELINES",
    "CHOSEN",
    "FORMATS",
    "MODELS",
    "NEURAL",
    "SPLITS",
    "TIE_BREAKS",
    "ItemInfo",
    "Protocol",
    "Queries",
    "RatingLog",
    "Recommender",
    "Split",
    "create",
    "evaluate",
    "load_items",
    "load_log",
    "make_split",
    "prepare",
    "recommend",
    "resolve_items",
    "statistics",
]
