"""The app under load, from outside: a real server (``app.py``) on loopback, driven by gradio_client.

Two measurements, each bounded (a fixed number of requests, a deadline, loopback only) and printed
as a table; the server is started here and stopped at the end:

- ``memory``: server RSS over N mixed requests over every tab (dataset reviews under changing settings,
  new reviews, movie and upload aggregates, movie pages, sentiment explanations, lexicons and similar
  words, the diary, the next movie), sampled every ``--every`` requests; ``--data DIR`` serves another
  data folder (the real set: ``../shared/data/nsmc``);
- ``users``: U concurrent users each asking for R dataset reviews (p50/p95 latency, whether every
  response names its own review, the CPU time the server and the clients used), then a cached
  request while two maximum-size reviews run;
- ``store``: the real set (``--data nsmc``) once the background fill has stored every shipped answer: how
  long the fill took, then U users clicking reviews and (one in ten) movie aggregates;
- ``bound`` (no server): the model's own time for the same U × R reviews in this process, in the best
  batches, and the mean latency that it alone forces on U waiting users (Little's law);
- ``steps`` (no server): where one custom review's time goes inside the handler, step by step (analysis,
  encoder, reduce, figures with their JSON), wall and CPU seconds per review, one review at a time.

``--gradio-profile`` serves with Gradio's own profiler on (``GRADIO_PROFILING=1``, Gradio ≥ 6.10) and ends
``users`` and ``memory`` with its per-endpoint table from ``/gradio_api/profiling/traces``: p50/p95 of the
queue wait, preprocess, the function, postprocess and the total, in ms.

    python benchmarks/bench_load.py memory --requests 500 [--data ../shared/data/nsmc]
    python benchmarks/bench_load.py users --users 20 --reviews 5
    python benchmarks/bench_load.py bound --users 20 --reviews 5          # the floor under the 'users' numbers
    python benchmarks/bench_load.py users --gradio-profile               # and Gradio's phases per endpoint
    python benchmarks/bench_load.py steps --reviews 20                   # a custom review's steps, in process
    python benchmarks/bench_load.py users --method cached_context        # the server's approximate mode
    python benchmarks/bench_load.py memory --repo /path/to/other/checkout   # compare another version
    python benchmarks/bench_load.py store --nsmc-source DIR --cache-dir DIR  # the real set once the store is filled

It is a script, not a timed test: run it alone on a quiet machine for numbers worth quoting.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import torch
from gradio_client import Client, handle_file

from moviattn.data import Dataset, Review, load_dataset
from moviattn.explorer import preview
from moviattn.sentiment import LEXICON_METHODS
from moviattn.ui.panel import api_values

REPO = Path(__file__).resolve().parents[1]
#: The settings panel's default values (settings and colours), in the order the API takes them.
CONTROLS = api_values()
DATASET, CUSTOM = "데이터셋 영화 (dataset movie)", "직접 입력 (my own movie)"
#: What Gradio prints once its start-up probe of the page passed (printed by app.py, which is not quiet).
READY = "* To create a public link"
MOVIES = ("s001", "s002", "s003", "s004", "s005", "s006")
WORDS = "송강호 연기 미쳤다 마지막 장면 소름 스토리 지루했다 음악 최고 배우 감독 결말 반전 눈물 웃음".split()


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(
    repo: Path, model: str, concurrency: int, method: str = "qk", start_timeout: float = 600,
    extra: tuple[str, ...] = ("--no-fill",), cache: str | None = None, env_extra: dict[str, str] | None = None,
    profile: bool = False,
):
    """``python app.py`` of ``repo`` on a free loopback port with a fresh result cache (or ``cache``), without the
    background store fill unless ``extra`` says otherwise, and Gradio's profiler on with ``profile``; yields
    (url, pid). Its log is ``<cache>/server.log``."""
    port = _free_port()
    cache = cache or tempfile.mkdtemp(prefix="bench-load-cache-")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONPATH": str(repo),
           "GRADIO_PROFILING": "1" if profile else "", **(env_extra or {})}
    command = [sys.executable, str(repo / "app.py"), "--host", "127.0.0.1", "--port", str(port), "--model", model,
               "--cache-dir", cache, "--concurrency", str(concurrency), "--method", method, *extra]
    Path(cache).mkdir(parents=True, exist_ok=True)
    log = Path(cache) / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        started, deadline = time.monotonic(), time.monotonic() + start_timeout
        while True:
            try:  # ready once Gradio's own start-up probe passed (the app starts again when it times out)
                if READY in log.read_text(errors="replace"):
                    Client(url, verbose=False)
                    break
            except Exception:  # not answering yet
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
                raise SystemExit(f"the server did not start ({' '.join(command)}); its log ends:\n{tail}")
            time.sleep(1)
        print(f"server up in {time.monotonic() - started:.0f} s, RSS {rss_mib(process.pid):.0f} MiB ({repo})", flush=True)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


#: Gradio's phases of a request, as its profiler names them (``<phase>_ms`` in each trace).
GRADIO_PHASES = ("queue_wait", "preprocess", "fn_call", "postprocess", "total")


def gradio_profile(url: str) -> None:
    """Print Gradio's profiler traces of the server as a table: per endpoint, p50 / p95 ms of each phase."""
    import urllib.request
    from collections import defaultdict

    with urllib.request.urlopen(f"{url.rstrip('/')}/gradio_api/profiling/traces", timeout=60) as response:
        traces = json.loads(response.read())
    by_endpoint: dict[str, list[dict]] = defaultdict(list)
    for trace in traces:
        if trace.get("fn_name") != "gradio_file_upload":  # an upload's trace times the upload only
            by_endpoint[trace.get("fn_name") or "?"].append(trace)
    print(f"\nGradio's profiler: p50 / p95 ms per phase\n| endpoint | requests | {' | '.join(GRADIO_PHASES)} |\n|---|---|"
          + "---|" * len(GRADIO_PHASES))
    for name, rows in sorted(by_endpoint.items(), key=lambda item: -len(item[1])):
        cells = [f"{_percentile([r[f'{p}_ms'] for r in rows], 50):.0f} / {_percentile([r[f'{p}_ms'] for r in rows], 95):.0f}"
                 for p in GRADIO_PHASES]
        print(f"| {name} | {len(rows)} | {' | '.join(cells)} |", flush=True)


def _review_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


DIARY = ("오늘은 하루 종일 비가 와서 마음이 울적했다", "친구와 웃으며 맛있는 저녁을 먹어서 행복했다", "시험을 망쳐서 화가 나고 불안하다")


def mixed_requests(client: Client, rng: random.Random, upload_dir: Path, data: Dataset) -> list[tuple[str, Callable[[], object]]]:
    """One round of the mixed load over every tab, as (label, call) pairs in a fixed proportion."""
    movie = rng.choice(list(data.movies)[: len(MOVIES)])
    review = rng.choice(data.reviews_of(movie)[:20]).id
    settings = api_values(layer_agg="single", layer=rng.randint(0, 11), head=rng.choice(["mean", "max", str(rng.randint(0, 11))]),
                          granularity=rng.choice(["morpheme", "eojeol"]))
    upload = upload_dir / f"upload_{rng.randint(0, 10**9)}.csv"
    upload.write_text("review,rating\n" + "".join(f"{_review_text(rng, 8)},{rng.randint(1, 10)}\n" for _ in range(10)), encoding="utf-8")
    return [
        ("review (dataset, new settings)", lambda: client.predict(movie, review, *settings, api_name="/review_heatmaps")),
        ("review (dataset, default)", lambda: client.predict(movie, review, *CONTROLS, api_name="/review_heatmaps")),
        ("review (new text)", lambda: client.predict(DATASET, movie, *[""] * 7, _review_text(rng, 12), *CONTROLS, api_name="/custom_review")),
        ("review (new text)", lambda: client.predict(DATASET, movie, *[""] * 7, _review_text(rng, 30), *CONTROLS, api_name="/custom_review")),
        ("sentiment", lambda: client.predict(_review_text(rng, 10), api_name="/explain_sentiment")),
        ("movie page", lambda: client.predict(movie, "평점 높은순 (rating ↓)", api_name="/select_movie")),
        ("movie aggregate", lambda: client.predict(movie, rng.random() < 0.5, *settings, api_name="/movie_aggregate")),
        ("upload aggregate", lambda: client.predict(DATASET, movie, *[""] * 7, handle_file(str(upload)), False, *CONTROLS, api_name="/upload_aggregate")),
        ("diary", lambda: client.predict(rng.choice(DIARY) + " " + _review_text(rng, 5), api_name="/diary_recommend")),
        ("sentiment lexicon", lambda: client.predict(rng.choice(LEXICON_METHODS), api_name="/lexicon")),
        ("similar words", lambda: client.predict(rng.choice(WORDS), api_name="/similar_words")),
        ("next movie", lambda: client.predict([], api_name="/next_movies")),
    ]


def run_memory(args: argparse.Namespace) -> None:
    rng = random.Random(14)
    upload_dir = Path(tempfile.mkdtemp(prefix="bench-load-uploads-"))
    data = load_dataset(args.data) if args.data else load_dataset()
    extra = ("--no-fill", "--data", str(args.data)) if args.data else ("--no-fill",)
    with server(args.repo, args.model, args.concurrency, args.method, extra=extra, profile=args.gradio_profile) as (url, pid):
        client = Client(url, verbose=False)
        print(f"\n| requests | server RSS MiB | seconds |\n|---|---|---|\n| 0 | {rss_mib(pid):.0f} | 0 |")
        started, done, errors, peak = time.monotonic(), 0, 0, 0.0
        while done < args.requests and time.monotonic() - started < args.deadline:
            for _, call in mixed_requests(client, rng, upload_dir, data):
                try:
                    call()
                except Exception:  # a refused request still counts as load
                    errors += 1
                done += 1
                peak = max(peak, rss_mib(pid))
                if done % args.every == 0 or done == args.requests:
                    print(f"| {done} | {rss_mib(pid):.0f} | {time.monotonic() - started:.0f} |", flush=True)
                if done >= args.requests:
                    break
        print(f"\n{done} requests ({errors} errors) in {time.monotonic() - started:.0f} s; peak RSS {peak:.0f} MiB")
        if args.gradio_profile:
            gradio_profile(url)


def _client(url: str, tries: int = 5) -> Client:
    """A client of the server (its config fetch can time out on a loaded machine: tried again)."""
    for _ in range(tries - 1):
        try:
            return Client(url, verbose=False)
        except Exception:
            time.sleep(2)
    return Client(url, verbose=False)


def answers_own_review(status: str, text: str) -> bool:
    """Whether a status names its own review, or (for a review with no letters, e.g. emoji only: the
    sample has such reviews on purpose) refuses it with the empty-review message."""
    shown = html.unescape(status)
    if not any(ch.isalnum() for ch in text):
        return "ma-warning" in shown and "분석할 글자가 없습니다" in shown
    return "ma-warning" not in shown and preview(text, 30)[:-1] in shown


def _ask(url: str, movie: str, review: Review, controls: tuple = CONTROLS) -> tuple[float, bool]:
    """Seconds for one dataset review, and whether the answer is that review's."""
    client = _client(url)
    started = time.monotonic()
    status, *_ = client.predict(movie, review.id, *controls, api_name="/review_heatmaps")
    return time.monotonic() - started, answers_own_review(status, review.text)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _jobs(data: Dataset, rng: random.Random) -> list[tuple[str, Review]]:
    """Every (movie, review) of the benchmark's movies, in the users' order."""
    jobs = [(m, r) for m in MOVIES for r in data.reviews_of(m)]
    rng.shuffle(jobs)
    return jobs


def run_bound(args: argparse.Namespace) -> None:
    """The model's own time for the users' reviews, in this process, nothing else running: the floor of any server.

    With U users each waiting for their answer before asking again, a server that answers X requests per
    second keeps a mean latency of U / X (Little's law); one that does nothing but the encoder's work, in
    its best batches, answers at most 1 / (seconds per review) requests per second."""
    from collections import defaultdict

    from moviattn.explorer import Explorer, Settings
    from moviattn.models import load_model

    data = load_dataset()
    explorer = Explorer(load_model(args.model), method=args.method)
    settings, _ = explorer.usable_settings(Settings())
    requests = []
    for movie, review in _jobs(data, random.Random(14))[: args.users * args.reviews]:
        try:
            requests.append(explorer.review_request(data.movie(movie), review.text, settings))
        except ValueError:  # an emoji-only review: answered with a message, no model work
            pass
    explorer.review_results(requests[:1])  # warm-up; not cached (no result cache here)
    windows = [len(r.prepared.encoded.windows) for r in requests]
    tokens = [len(w.input_ids) for r in requests for w in r.prepared.encoded.windows]
    groups: dict = defaultdict(list)
    for request in requests:
        groups[request.group].append(request)
    started = time.perf_counter()
    for group in groups.values():
        for start in range(0, len(group), 8):
            explorer.review_results(group[start : start + 8])
    per_review = (time.perf_counter() - started) / len(requests)
    print(f"{len(requests)} reviews needing the model, {statistics.mean(windows):.2f} windows of {statistics.mean(tokens):.0f} tokens each on "
          f"average; method {args.method}, {torch.get_num_threads()} torch threads, batches of up to 8 per movie: {per_review:.3f} s per review")
    print(f"=> {args.users} waiting users: mean latency at least {args.users * per_review:.1f} s on this machine, whatever the server does")


class StepClock:
    """Wall and CPU seconds (this process, every thread: torch's too) spent in named steps."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu

    def timed(self, name: str, function: Callable) -> Callable:
        """``function`` with its calls counted under ``name``."""

        def run(*args, **kwargs):
            with self.step(name):
                return function(*args, **kwargs)

        return run

    def timed_iterator(self, name: str, function: Callable) -> Callable:
        """A generator ``function`` whose every step (``next``) is counted under ``name``."""

        def run(*args, **kwargs):
            items = function(*args, **kwargs)
            while True:
                with self.step(name):
                    item = next(items, StopIteration)
                if item is StopIteration:
                    return
                yield item

        return run


def run_steps(args: argparse.Namespace) -> None:
    """A custom review's handler, step by step, in this process (no server, no result cache, one at a time):
    analysis (normalise, tokenise, morphological units: ``review_request``), encoder (the forward passes),
    reduce (layers, heads, windows, units: the rest of the model work), figures (both heatmaps and their JSON,
    which Gradio sends)."""
    import importlib

    from moviattn.explorer import Explorer, Settings, review_info_figure, review_plot_figure, window_attention
    from moviattn.models import load_model
    from moviattn.morphology import warm_up

    data, rng, clock = load_dataset(), random.Random(14), StepClock()
    explorer = Explorer(load_model(args.model), method=args.method)
    settings, _ = explorer.usable_settings(Settings())
    warm_up(r.text for m in MOVIES for r in data.reviews_of(m))  # as the server does at start
    for movie in MOVIES:
        explorer.context(data.movie(movie), settings)  # as the server's warm-up thread does
    warm = explorer.review_attention(data.movie(MOVIES[0]), _review_text(rng, 12), settings)  # kernels warm
    for figure in (review_info_figure(warm), review_plot_figure(warm)):
        figure.to_json()  # Plotly's templates and validators loaded
    reduce = importlib.import_module(window_attention.__module__)  # the one instrument: the encoder's loop, timed where the reductions call it
    reduce.iter_attention = clock.timed_iterator("encoder", reduce.iter_attention)
    for _ in range(args.reviews):
        movie = data.movie(rng.choice(MOVIES))
        with clock.step("analysis"):
            request = explorer.review_request(movie, _review_text(rng, rng.choice([12, 30])), settings)
        with clock.step("encoder + reduce"):
            (result,) = explorer.review_results([request])
        with clock.step("figures"):
            for figure in (review_info_figure(result), review_plot_figure(result)):
                figure.to_json()
    clock.wall["reduce"] = clock.wall.pop("encoder + reduce") - clock.wall["encoder"]
    clock.cpu["reduce"] = clock.cpu.pop("encoder + reduce") - clock.cpu["encoder"]
    print(f"\n{args.reviews} custom reviews, one at a time; method {args.method}, {torch.get_num_threads()} torch threads\n"
          "| step | wall s per review | CPU s per review |\n|---|---|---|")
    for name in ("analysis", "encoder", "reduce", "figures"):
        print(f"| {name} | {clock.wall[name] / args.reviews:.3f} | {clock.cpu[name] / args.reviews:.3f} |")
    outside = sum(clock.cpu[n] for n in ("analysis", "reduce", "figures")) / args.reviews
    print(f"CPU outside the encoder: {outside:.3f} s per review (target: at most 0.15)")


def run_users(args: argparse.Namespace) -> None:
    rng = random.Random(14)
    with server(args.repo, args.model, args.concurrency, args.method, profile=args.gradio_profile) as (url, pid):
        data = load_dataset()
        jobs = _jobs(data, rng)
        own: list[bool] = []
        wrong: list[str] = []
        latencies: list[float] = []

        clients = [_client(url) for _ in range(args.users)]  # made first: their set-up is not a request

        def user(index: int) -> None:
            client = clients[index]
            for movie, review in jobs[index * args.reviews:(index + 1) * args.reviews]:
                started = time.monotonic()
                try:
                    status, *_ = client.predict(movie, review.id, *CONTROLS, api_name="/review_heatmaps")
                except Exception as exc:  # counted as a wrong answer, the others go on
                    status = f"error: {exc}"
                latencies.append(time.monotonic() - started)
                own.append(answers_own_review(status, review.text))
                if not own[-1]:
                    wrong.append(f"{movie}/{review.id}: {html.unescape(status)[:300]}")

        started, server_cpu, client_cpu = time.monotonic(), cpu_seconds(pid), time.process_time()
        with ThreadPoolExecutor(args.users) as pool:
            list(pool.map(user, range(args.users)))
        wall = time.monotonic() - started
        server_cpu, client_cpu = cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
        print("\n| users × reviews | p50 s | p95 s | max s | own review | wall s | server RSS MiB |\n|---|---|---|---|---|---|---|")
        print(f"| {args.users} × {args.reviews} | {_percentile(latencies, 50):.1f} | {_percentile(latencies, 95):.1f} | "
              f"{max(latencies):.1f} | {sum(own)}/{len(own)} | {wall:.0f} | {rss_mib(pid):.0f} |", flush=True)
        print(f"CPU over those {wall:.0f} s on {os.cpu_count()} CPUs: server {server_cpu:.0f} s, "
              f"these {args.users} clients {client_cpu:.0f} s", flush=True)
        for line in wrong:  # what a response that is not its own review said instead
            print(f"not own review: {line}", flush=True)

        # a cached request (answered above) while two maximum-size single reviews run: the user's own movie
        # with a 5,000-character plot (the limit) and an 800-character review (374 tokens with the offline
        # model: the plot is then covered by ~44 windows; a 5,000-character review would be refused at once)
        movie, review = jobs[0]
        synopsis = ("주인공은 작은 마을에서 태어나 큰 도시로 떠난다. " * 300)[:5000]
        long_review = ("배우들 연기가 정말 좋았고 " * 100)[:800]

        long_clients = [_client(url) for _ in range(2)]

        def long_request(seed: int) -> tuple[float, bool]:
            client = long_clients[seed - 1]
            begun = time.monotonic()
            status, *_ = client.predict(CUSTOM, movie, f"영화 {seed}", "", "", "", "", "", synopsis, long_review, *CONTROLS,
                                        api_name="/custom_review")
            return time.monotonic() - begun, "ma-warning" not in status

        with ThreadPoolExecutor(2) as pool:
            longs = [pool.submit(long_request, seed) for seed in (1, 2)]
            time.sleep(3)  # both are being computed
            cached, ok = _ask(url, movie, review)
            running = not any(f.done() for f in longs)
            long_results = [f.result() for f in longs]
        print(f"\ncached request during two maximum-size reviews: {cached:.2f} s (own review: {ok}; the long ones still "
              f"running: {running}); the long ones: {', '.join(f'{s:.1f} s (computed: {done})' for s, done in long_results)}")
        if args.gradio_profile:
            gradio_profile(url)


def _wait_for_fill(log: Path, deadline: float) -> float:
    """Seconds from now until the server's log says the store is filled (its own figure, from the log line)."""
    import re

    while time.monotonic() < deadline:
        found = re.search(r"store: filled .* in (\d+) s", log.read_text(errors="replace"))
        if found:
            return float(found.group(1))
        time.sleep(5)
    raise SystemExit(f"the store was not filled before the deadline; see {log}")


def run_store(args: argparse.Namespace) -> None:
    """The shipped movies once the store is filled: U users each clicking R reviews of the real set, one in ten
    a movie aggregate instead (default settings, as a visitor who opens the page). The server is started with
    ``--data nsmc`` (``--nsmc-source``: a local copy of e9t/nsmc) and the result cache ``--cache-dir``: run it a
    second time on the same folder to time a restart over a filled store."""
    from moviattn.fetch import open_data

    root = Path(args.cache_dir or tempfile.mkdtemp(prefix="bench-store-cache-"))
    env = {"MOVIATTN_NSMC_SOURCE": str(args.nsmc_source)} if args.nsmc_source else {}
    env["MOVIATTN_CACHE"] = str(root)  # the fetched data and the diary's features; results under <root>/results
    started = time.monotonic()
    results = root / "results"
    with server(args.repo, args.model, args.concurrency, args.method, extra=("--data", "nsmc"), cache=str(results), env_extra=env,
                profile=args.gradio_profile) as (url, pid):
        fill = _wait_for_fill(results / "server.log", started + args.deadline)
        print(f"store filled: {fill:.0f} s after start-up (the server's log); RSS {rss_mib(pid):.0f} MiB", flush=True)
        os.environ["MOVIATTN_CACHE"] = str(root)
        data = open_data("nsmc")[0]
        rng = random.Random(23)
        movies = list(data.movies)
        clients = [_client(url) for _ in range(args.users)]
        latencies: dict[str, list[float]] = {"review click": [], "movie aggregate": []}
        own: list[bool] = []

        def user(index: int) -> None:
            client, local = clients[index], random.Random(index)
            for _ in range(args.reviews):
                movie = local.choice(movies)
                begun = time.monotonic()
                if local.random() < 0.1:
                    client.predict(movie, False, *CONTROLS, api_name="/movie_aggregate")
                    latencies["movie aggregate"].append(time.monotonic() - begun)
                else:
                    review = local.choice(data.reviews_of(movie))
                    status, *_ = client.predict(movie, review.id, *CONTROLS, api_name="/review_heatmaps")
                    latencies["review click"].append(time.monotonic() - begun)
                    own.append(answers_own_review(status, review.text))

        rng.shuffle(movies)
        begun, server_cpu, client_cpu = time.monotonic(), cpu_seconds(pid), time.process_time()
        with ThreadPoolExecutor(args.users) as pool:
            list(pool.map(user, range(args.users)))
        wall, server_cpu, client_cpu = time.monotonic() - begun, cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
        everything = [t for values in latencies.values() for t in values]
        print(f"\n| {args.users} users × {args.reviews} requests | n | p50 s | p95 s | max s |\n|---|---|---|---|---|")
        for kind, values in [*latencies.items(), ("all", everything)]:
            if values:
                print(f"| {kind} | {len(values)} | {_percentile(values, 50):.2f} | {_percentile(values, 95):.2f} | {max(values):.2f} |")
        print(f"own review: {sum(own)}/{len(own)}; wall {wall:.1f} s; CPU: server {server_cpu:.1f} s, these {args.users} clients "
              f"{client_cpu:.1f} s (on the same {os.cpu_count()} CPUs); RSS {rss_mib(pid):.0f} MiB", flush=True)
        if args.gradio_profile:
            gradio_profile(url)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("scenario", choices=["memory", "users", "bound", "steps", "store"])
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose app.py is served")
    parser.add_argument("--model", default="offline")
    parser.add_argument("--concurrency", type=int, default=2, help="the server's --concurrency")
    parser.add_argument("--method", default="qk", help="the server's --method (qk: exact; cached_context: approximate)")
    parser.add_argument("--requests", type=int, default=500, help="memory: mixed requests")
    parser.add_argument("--data", type=Path, help="memory: the data folder the server serves (default: the shipped sample)")
    parser.add_argument("--every", type=int, default=50, help="memory: RSS sampled every N requests")
    parser.add_argument("--deadline", type=float, default=900, help="memory: stop after this many seconds")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--reviews", type=int, default=5, help="users, store: requests per user; steps: custom reviews")
    parser.add_argument("--gradio-profile", action="store_true", help="users, memory, store: Gradio's profiler, per endpoint")
    parser.add_argument("--cache-dir", type=Path, help="store: the server's cache (a filled one is reused)")
    parser.add_argument("--nsmc-source", type=Path, help="store: a local copy of e9t/nsmc (default: the pinned commit online)")
    args = parser.parse_args(argv)
    {"memory": run_memory, "users": run_users, "bound": run_bound, "steps": run_steps, "store": run_store}[args.scenario](args)


if __name__ == "__main__":
    main()
