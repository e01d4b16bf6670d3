"""Attention for a whole movie: the usual way against the library's fast path, in one process.

The usual way is what a bertviz/inseq user writes: eager attention with
``output_attentions=True``, one review at a time, every layer's full L×L map for
every head, then the needed block sliced out. Both ways share the library's text
preparation (tokenisation, morphological units, merging), so the table compares
the attention computation end to end on the same inputs and outputs.

Run (the machine should be as quiet as you can make it; ratios are what to quote)::

    python benchmarks/bench_attention.py                      # offline model + KLUE-base-shaped model
    python benchmarks/bench_attention.py --models offline --repeats 3

Prints a table per model: reviews/s, speed-up over the usual way, peak memory
(RSS growth over the process's level before the run, sampled every 5 ms), the
largest difference of a heatmap against the usual way, the Spearman correlation
of the movie aggregate against float32, and a profile line (encoder GFLOP at the
achieved GFLOP/s beside a single Linear's GFLOP/s in each precision).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from moviattn.data import load_dataset
from moviattn.explorer import (
    CONTEXTS,
    LAYER_AGGREGATORS,
    NORMALIZATIONS,
    PRECISIONS,
    Explorer,
    ResultCache,
    ReviewAttention,
    Settings,
    aggregate_reviews,
    combine_windows,
    merge,
    window_attention,
)
from moviattn.models import LoadedModel, load_model
from moviattn.morphology import pos_tags
from moviattn.paths import SHARED_DATA_DIR

REPO = Path(__file__).resolve().parents[1]
NSMC = SHARED_DATA_DIR / "nsmc"


# ---------------------------------------------------------------- the usual way


def usual_way(explorer: Explorer, movie, reviews, settings: Settings) -> list[ReviewAttention]:
    """One review at a time, eager attention, output_attentions=True, full maps, then slice."""
    model = explorer.model.model
    model.set_attn_implementation("eager")
    context = explorer.context(movie, settings)
    full = LAYER_AGGREGATORS[settings.layer_agg].needs_full
    results = []
    try:
        for review in reviews:
            try:
                item = explorer._prepare(context, review.text, settings)
            except ValueError:
                continue
            per_window = []
            for window in item.encoded.windows:
                ids = torch.tensor([window.input_ids])
                with torch.no_grad():
                    out = model(input_ids=ids, token_type_ids=torch.zeros_like(ids), output_attentions=True)
                maps = torch.stack(out.attentions)[:, 0]  # [layers, heads, L, L]
                per_window.append(window_attention(maps if full else maps[:, :, window.review], window, settings))
            tokens = combine_windows(item.encoded, per_window)
            normalize_rows = NORMALIZATIONS[settings.normalization]
            results.append(ReviewAttention(
                item.encoded.review.text, context.plot.text, context.info_text.text, item.units,
                context.info_units, context.plot_units,
                normalize_rows(merge(tokens.info, item.weights, context.info_weights)),
                normalize_rows(merge(tokens.plot, item.weights, context.plot_weights)),
                tokens.n_windows, settings, explorer.model.name,
            ))
    finally:
        model.set_attn_implementation("sdpa")
    return results


def fast_way(explorer: Explorer, movie, reviews, settings: Settings) -> list[ReviewAttention]:
    """The library: Explorer without a cache (cold), batched by length."""
    context = explorer.context(movie, settings)
    prepared = []
    for review in reviews:
        try:
            prepared.append(explorer._prepare(context, review.text, settings))
        except ValueError:
            continue
    return explorer._cached_or_computed(context, prepared, settings)


# ---------------------------------------------------------------- measuring


class PeakRss:
    """Largest resident-set growth over the level at entry, sampled every 5 ms in a thread."""

    def __enter__(self) -> "PeakRss":
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand freed heap back, so each run starts from the same floor
        self.base = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.base) / 2**20


@dataclass
class Row:
    name: str
    seconds: list[float]
    peak_mib: float
    results: list[ReviewAttention]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def run(name: str, fn: Callable[[], list[ReviewAttention]], repeats: int, before: Callable[[], None]) -> Row:
    seconds, peak, results = [], 0.0, []
    for _ in range(repeats):
        before()
        with PeakRss() as memory:
            started = time.perf_counter()
            results = fn()
            seconds.append(time.perf_counter() - started)
        peak = max(peak, memory.growth_mib)
    return Row(name, seconds, peak, results)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return float(pd.Series(a).corr(pd.Series(b), method="spearman"))


def movie_vector(results: list[ReviewAttention]) -> np.ndarray:
    aggregate = aggregate_reviews("m", results, [str(i) for i in range(len(results))], [None] * len(results))
    return np.concatenate([aggregate.info_share(), aggregate.plot_share()])


def max_heatmap_diff(a: list[ReviewAttention], b: list[ReviewAttention]) -> float:
    return max(max(np.abs(x.info - y.info).max(), np.abs(x.plot - y.plot).max()) for x, y in zip(a, b))


def linear_gflops(hidden: int, ffn: int, precision: str, tokens: int = 2048) -> float:
    """Throughput of one FFN-sized Linear in a precision mode (what the encoder's FLOPs run at)."""
    layer = torch.nn.Sequential(torch.nn.Linear(hidden, ffn)).eval()
    net, context = PRECISIONS[precision](LoadedModel(layer, None, "probe"))  # type: ignore[arg-type]
    x = torch.randn(tokens, hidden)
    with torch.inference_mode(), context:
        net(x)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            net(x)
            times.append(time.perf_counter() - started)
    return 2 * tokens * hidden * ffn / statistics.median(times) / 1e9


def encoder_gflop(model: LoadedModel, lengths: list[int], layers: int) -> float:
    """Matmul FLOPs of running ``layers`` encoder layers over sequences of these lengths."""
    c = model.model.config
    h, f = c.hidden_size, c.intermediate_size
    return sum(layers * (2 * n * (4 * h * h + 2 * h * f) + 4 * n * n * h) for n in lengths) / 1e9


def cached_context_gflop(model: LoadedModel, windows: list, layers: int) -> float:
    """Matmul FLOPs of the cached-context path: each distinct movie part once, then per window only its
    review tokens (review + [SEP]) through the layers, attending to the whole window."""
    c = model.model.config
    h, f = c.hidden_size, c.intermediate_size
    prefixes = {w.input_ids[: w.review.start] for w in windows}
    movie_parts = encoder_gflop(model, [len(p) for p in prefixes], layers)
    reviews = sum(
        layers * (2 * (len(w.input_ids) - w.review.start) * (4 * h * h + 2 * h * f) + 4 * (len(w.input_ids) - w.review.start) * len(w.input_ids) * h)
        for w in windows
    ) / 1e9
    return movie_parts + reviews


# ---------------------------------------------------------------- models


def klue_shaped() -> LoadedModel:
    """A randomly initialised RoBERTa with klue/roberta-base's exact architecture (timing only),
    with a 32k WordPiece tokenizer trained here on the NSMC texts (KLUE's is a 32k WordPiece too)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaModel

    def texts():
        dataset = load_dataset(NSMC)
        for movie in dataset.movies.values():
            yield movie.synopsis
            yield from (r.text for r in dataset.reviews_of(movie.id))
        train = NSMC / "sentiment" / "train.tsv"
        if train.exists():
            yield from pd.read_csv(train, sep="\t", usecols=["document"])["document"].dropna().astype(str)

    specials = ["[CLS]", "[PAD]", "[SEP]", "[UNK]", "[MASK]"]
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.train_from_iterator(texts(), trainers.WordPieceTrainer(vocab_size=32000, special_tokens=specials))
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, cls_token="[CLS]", pad_token="[PAD]", sep_token="[SEP]", unk_token="[UNK]",
        mask_token="[MASK]", model_max_length=512,
    )
    torch.manual_seed(0)
    config = RobertaConfig(
        vocab_size=32000, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
        max_position_embeddings=514, type_vocab_size=1, pad_token_id=fast.pad_token_id, layer_norm_eps=1e-5,
    )
    model = RobertaModel(config, add_pooling_layer=False).eval()
    model.set_attn_implementation("sdpa")
    return LoadedModel(model, fast, "klue-roberta-base-shaped (random)")


# ---------------------------------------------------------------- the benchmark


def bench_model(
    model: LoadedModel, movie, reviews, args, precisions: list[str], cached_precisions: list[str], baseline_every: int
) -> None:
    settings = Settings()  # the library's defaults, whatever they are
    print(f"\n## {model.name}: {model.num_layers} layers x {model.num_heads} heads, hidden {model.model.config.hidden_size}, "
          f"FFN {model.model.config.intermediate_size}, vocab {model.model.config.vocab_size}")

    def cold() -> None:  # no result cache; morphology, movie context and cached movie parts recomputed
        pos_tags.cache_clear()
        CONTEXTS.clear()

    explorer = Explorer(model, None, batch_size=args.batch_size)
    windows = [w for r in reviews for w in fast_way_windows(explorer, movie, r, settings)]
    lengths = [len(w.input_ids) for w in windows]
    print(f"settings: {settings.to_json()}")
    print(f"movie {movie.id} ({movie.label}): {len(reviews)} reviews, {len(lengths)} windows, "
          f"tokens per window median {int(np.median(lengths))} (min {min(lengths)}, max {max(lengths)})")
    baseline_reviews = reviews[::baseline_every]
    fast_way(explorer, movie, reviews, settings)  # warm-up: kernels, and the JVM heap grown by the analyser
    usual = run("usual way (eager, output_attentions, 1 by 1)",
                lambda: usual_way(Explorer(model, None), movie, baseline_reviews, settings), args.repeats, cold)
    usual_rate = len(usual.results) / usual.median
    rows, modes = [], [("qk", p) for p in precisions] + [("cached_context", p) for p in cached_precisions]
    for method, precision in modes:
        make = lambda m=method, p=precision: Explorer(model, None, method=m, precision=p, batch_size=args.batch_size)  # noqa: E731
        # warm-up on a few reviews: warms the kernels (not a per-request cost)
        fast_way(make(), movie, reviews[:8], settings)
        name = f"fast path, {precision}" if method == "qk" else f"cached context (approx.), {precision}"
        rows.append(run(name, lambda mk=make: fast_way(mk(), movie, reviews, settings), args.repeats, cold))
    reference = rows[0].results  # float32 fast path
    kept = set(range(0, len(reviews), baseline_every))
    header = f"| {'method':44s} | reviews/s | speed-up | peak MiB | max abs diff vs usual way | Spearman vs fp32 |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    print(f"| {usual.name:44s} | {usual_rate:9.2f} | {1.0:7.2f}x | {usual.peak_mib:8.0f} | {'—':>25s} | {'—':>16s} |")
    for row in rows:
        rate = len(row.results) / row.median
        subset = [r for i, r in enumerate(row.results) if i in kept]
        diff = max_heatmap_diff(usual.results, subset) if args.compare else float("nan")
        rho = spearman(movie_vector(reference), movie_vector(row.results))
        print(f"| {row.name:44s} | {rate:9.2f} | {rate / usual_rate:7.2f}x | {row.peak_mib:8.0f} | {diff:25.2e} | {rho:16.5f} |")
    print(f"(medians of {args.repeats} run(s); usual way timed on {len(baseline_reviews)} of the {len(reviews)} reviews, every "
          f"{baseline_every}th; peak = RSS growth during the run)")
    # profile: where the time goes
    flop = encoder_gflop(model, lengths, model.num_layers)
    cached_flop = cached_context_gflop(model, windows, model.num_layers)
    config = model.model.config
    print(f"profile: encoder matmuls for the movie ≈ {flop:.0f} GFLOP (full forward of every window); "
          f"cached context ≈ {cached_flop:.0f} GFLOP ({flop / cached_flop:.1f}x fewer)")
    for row, (method, precision) in zip(rows, modes):
        work = flop if method == "qk" else cached_flop
        print(f"  {row.name:38s}: {row.median:6.1f} s end to end = {work / row.median:5.1f} GFLOP/s achieved; one Linear "
              f"({config.hidden_size}x{config.intermediate_size}) runs at {linear_gflops(config.hidden_size, config.intermediate_size, precision):5.1f} GFLOP/s")
    print(f"  usual way: {usual.median:6.1f} s for {len(baseline_reviews)} reviews = "
          f"{encoder_gflop(model, [len(w.input_ids) for r in baseline_reviews for w in fast_way_windows(explorer, movie, r, settings)], model.num_layers) / usual.median:5.1f} GFLOP/s achieved")
    warm(model, movie, reviews, settings, args, *modes[-1])


def fast_way_windows(explorer: Explorer, movie, review, settings):
    try:
        return explorer._prepare(explorer.context(movie, settings), review.text, settings).encoded.windows
    except ValueError:
        return ()


def warm(model: LoadedModel, movie, reviews, settings: Settings, args, method: str, precision: str) -> None:
    """The best mode's cold movie aggregate (with cache writes), then cached requests: the movie
    aggregate and one review's heatmaps, from memory and from disk."""
    pos_tags.cache_clear()
    CONTEXTS.clear()
    with tempfile.TemporaryDirectory() as folder:
        explorer = Explorer(model, ResultCache(folder), method=method, precision=precision, batch_size=args.batch_size)
        started = time.perf_counter()
        explorer.movie_aggregate(movie, reviews, settings)
        cold_seconds = time.perf_counter() - started
        timings = {}
        for label, make in (("memory", lambda: explorer),
                            ("disk", lambda: Explorer(model, ResultCache(folder), method=method, precision=precision))):
            for what, call in (("movie aggregate", lambda e: e.movie_aggregate(movie, reviews, settings)),
                               ("one review", lambda e: e.review_attention(movie, reviews[0].text, settings))):
                times = []
                for _ in range(5):
                    e = make()
                    started = time.perf_counter()
                    call(e)
                    times.append(time.perf_counter() - started)
                timings[f"{what}, {label}"] = statistics.median(times) * 1000
    print(f"{method}, {precision}: cold 100-review aggregate with cache writes {cold_seconds:.1f} s; cached requests: "
          + "; ".join(f"{k} {v:.0f} ms" for k, v in timings.items()))


def describe_machine() -> str:
    flags = open("/proc/cpuinfo").read().split("flags", 1)[1].split("\n", 1)[0].split()
    model_name = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    special = [f for f in ("avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8", "amx_tile", "avx512_fp16") if f in flags]
    load = os.getloadavg()
    return (f"CPU: {model_name}, {os.cpu_count()} cores, flags {' '.join(special)} (AMX: {'yes' if 'amx_tile' in flags else 'no'}); "
            f"torch {torch.__version__} ({torch.get_num_threads()} threads), {platform.python_implementation()} "
            f"{platform.python_version()}; load average at start {load[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(NSMC))
    parser.add_argument("--movie", default=None, help="movie id (default: the first movie)")
    parser.add_argument("--models", default="offline,klue", help="comma list of: offline, klue")
    parser.add_argument("--precisions", default="float32,bfloat16", help=f"comma list of {', '.join(PRECISIONS)}")
    parser.add_argument("--cached-precisions", default="float32,bfloat16",
                        help="precisions of the approximate cached-context rows (empty: none)")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=8, help="the library's default")
    parser.add_argument("--baseline-every", default="1,4", help="time the usual way on every Nth review, per model")
    parser.add_argument("--no-compare", dest="compare", action="store_false")
    args = parser.parse_args()
    dataset = load_dataset(args.data)
    movie = dataset.movie(args.movie or next(iter(dataset.movies)))
    reviews = dataset.reviews_of(movie.id)
    print(describe_machine())
    pos_tags("영화")  # start the JVM once, outside every timing
    everies = [int(x) for x in args.baseline_every.split(",")]
    for index, name in enumerate(args.models.split(",")):
        model = load_model("offline") if name == "offline" else klue_shaped()
        bench_model(model, movie, reviews, args, args.precisions.split(","), [p for p in args.cached_precisions.split(",") if p],
                    everies[min(index, len(everies) - 1)])


if __name__ == "__main__":
    main()
