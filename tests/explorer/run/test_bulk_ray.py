"""The Ray engine against the local one: same outputs from the bulk commands, resume, a dead actor, no Ray.

One local Ray for the session (``ray_local``): starting it costs seconds on a 2-core machine.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from moviattn import cli
from moviattn.data import load_dataset
from moviattn.errors import EngineUnavailable
from moviattn.explorer._compute.settings import Settings
from moviattn.explorer._run.bulk_ray import Job, compute_on_ray, import_ray
from moviattn.explorer._run.cache import ResultCache
from moviattn.explorer._run.pipeline import Explorer
from moviattn.explorer._run.preparation import ReviewPreparer

#: Ray starts a local cluster (tens of seconds).
pytestmark = pytest.mark.slow

DATA = load_dataset()
SETTINGS = Settings(last_k=2, granularity="eojeol")


@pytest.fixture(scope="session")
def ray_local():
    try:
        ray = import_ray()  # as the engine imports it: beside the JVM of earlier tests' Okt
    except EngineUnavailable:
        pytest.skip("ray[data] is not installed")
    ray.init(num_cpus=2, include_dashboard=False)
    yield ray
    ray.shutdown()


@pytest.fixture
def tiny_cli(tiny_bert, monkeypatch):
    monkeypatch.setattr("moviattn.models.load_model", lambda *a, **k: tiny_bert)
    return tiny_bert


def _run(args: list[str], cache, monkeypatch) -> None:
    monkeypatch.setenv("MOVIATTN_CACHE", str(cache))
    assert cli.main(args) == 0


def _close(ours, theirs, atol: float, path: str = "") -> None:
    """Equal JSON-like values, floats within ``atol``."""
    if isinstance(ours, dict):
        assert ours.keys() == theirs.keys(), path
        for key in ours:
            _close(ours[key], theirs[key], atol, f"{path}.{key}")
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), path
        for i, (a, b) in enumerate(zip(ours, theirs)):
            _close(a, b, atol, f"{path}[{i}]")
    elif isinstance(ours, float):
        assert ours == pytest.approx(theirs, abs=atol, nan_ok=True), path
    else:
        assert ours == theirs, path


def _same_reviews(ray_cache: Path, local_cache: Path) -> int:
    """Every review result the workers computed equals the local engine's: units, and matrices within 1e-6."""
    found = sorted((ray_cache / "results" / "review").rglob("*.json.gz"))
    for path in found:
        ours, theirs = (ResultCache(c / "results").get("review", path.name[: -len(".json.gz")]) for c in (ray_cache, local_cache))
        for name in ("info", "plot"):
            np.testing.assert_allclose(ours.pop(name), theirs.pop(name), atol=1e-6, rtol=0)
        assert ours == theirs
    return len(found)


@pytest.mark.parametrize("command", ["precompute", "aggregate", "evaluate"])
def test_ray_engine_writes_what_the_local_engine_writes(ray_local, tiny_cli, command, tmp_path, monkeypatch, capsys):
    """Okt morphemes (a JVM in every worker): the driver only reads the cache, the workers computed everything.

    float32: in bfloat16 a review's numbers move by ~1e-7 with the reviews batched beside it (padding), on either engine."""
    settings = ["--granularity", "morpheme", "--analyser", "okt", "--last-k", "2", "--precision", "float32"]
    if command == "precompute":
        args, outputs = ["precompute", "--movies", "s001,s004", "--out", "{out}/all.json"], ["all.json"]
    elif command == "aggregate":
        args, outputs = ["aggregate", "--movie", "s003", "--json", "{out}/agg.json", "--csv", "{out}/agg.csv"], ["agg.json", "agg.csv"]
    else:
        args = ["evaluate", "--aggregate", "--movies", "s001,s002", "--limit-reviews", "6", "--measures", "attention,norm", "--out", "{out}/eval.csv"]
        outputs = ["eval.csv"]
    for engine in ("local", "ray"):
        (tmp_path / engine).mkdir()
        filled = [a.format(out=tmp_path / engine) for a in args]
        if engine == "ray":  # every review must come from the workers
            monkeypatch.setattr(Explorer, "_compute", lambda *a: pytest.fail("the driver computed a review"))
        _run([*filled, *settings, "--engine", engine], tmp_path / f"cache-{engine}", monkeypatch)
    assert "ray: " in capsys.readouterr().err
    assert _same_reviews(tmp_path / "cache-ray", tmp_path / "cache-local") >= 20
    # The outputs round to 5 decimals; results equal to 1e-6 (float rounding of other batches) may round one unit apart
    for name in outputs:
        local, ray = tmp_path / "local" / name, tmp_path / "ray" / name
        if name.endswith(".csv"):
            pd.testing.assert_frame_equal(pd.read_csv(ray), pd.read_csv(local), check_exact=False, atol=1e-5, rtol=0)
        else:
            _close(json.loads(ray.read_text(encoding="utf-8")), json.loads(local.read_text(encoding="utf-8")), atol=1e-5)


def test_interrupted_run_resumes_and_matches(ray_local, tiny_bert, tmp_path):
    movie, reviews = DATA.movie("s002"), DATA.reviews_of("s002")
    jobs = [Job(movie, SETTINGS, reviews)]
    cache = ResultCache(tmp_path / "cache")
    explorer = Explorer(tiny_bert, cache, batch_size=4)
    real_put, written = cache.put_encoded, []

    def interrupted_after_five(kind, key, data):
        if len(written) == 5:
            raise KeyboardInterrupt  # Ctrl-C while results stream in
        written.append(key)
        real_put(kind, key, data)

    cache.put_encoded = interrupted_after_five
    with pytest.raises(KeyboardInterrupt):
        compute_on_ray(explorer, jobs, progress=False)
    cache.put_encoded = real_put
    run = compute_on_ray(explorer, jobs, progress=False)
    assert (run.cached, run.sent) == (5, len(reviews) - 5)
    assert compute_on_ray(explorer, jobs, progress=False).sent == 0
    ours = explorer.movie_aggregate(movie, reviews, SETTINGS, reference=False)
    local = Explorer(tiny_bert).movie_aggregate(movie, reviews, SETTINGS, reference=False)
    np.testing.assert_allclose(ours.plot_per_review, local.plot_per_review, atol=1e-6)
    np.testing.assert_allclose(ours.info_per_review, local.info_per_review, atol=1e-6)


class _DyingPreparer:
    """The explorer's preparer, except that it kills its process the first time any worker prepares a review."""

    def __init__(self, preparer: ReviewPreparer, marker: str):
        self.preparer, self.marker = preparer, marker

    def key(self, *args) -> str:
        return self.preparer.key(*args)

    def prepare(self, *args):
        if not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return self.preparer.prepare(*args)


def test_a_dead_actor_is_replaced_without_losing_or_repeating_reviews(ray_local, tiny_bert, tmp_path):
    """On a CPU-only cluster the preparing stage runs inside the model actors: a crash there kills an actor."""
    from ray import cloudpickle  # Ray's own copy pickles what Ray Data sends to its workers

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the dying preparer travels to the workers
    movie, reviews = DATA.movie("s005"), DATA.reviews_of("s005")
    cache = ResultCache(tmp_path / "cache")
    explorer = Explorer(tiny_bert, cache, batch_size=4)
    explorer.preparer = _DyingPreparer(explorer.preparer, str(tmp_path / "died"))
    run = compute_on_ray(explorer, [Job(movie, SETTINGS, reviews)], workers=1, progress=False)
    assert (tmp_path / "died").exists()
    assert run.sent == len(reviews) and run.skipped == 0
    keys = [Explorer(tiny_bert).preparer.key(Explorer(tiny_bert).context(movie, SETTINGS), r.text, SETTINGS) for r in reviews]
    assert all(cache.has("review", key) for key in keys)
    ours = Explorer(tiny_bert, cache).movie_aggregate(movie, reviews, SETTINGS, reference=False)
    local = Explorer(tiny_bert).movie_aggregate(movie, reviews, SETTINGS, reference=False)
    np.testing.assert_allclose(ours.plot_per_review, local.plot_per_review, atol=1e-6)


def test_a_model_that_returned_attentions_computes_the_same_on_the_workers(ray_local, tiny_bert, tmp_path):
    """``--method eager`` on the workers: a model that has returned attentions carries hooks that do not
    pickle, and an unpickled one returns no attentions in a fresh process; the workers rebuild it instead."""
    model = copy.deepcopy(tiny_bert)
    ids = model.tokenizer("영화 리뷰", return_tensors="pt")["input_ids"]
    model.model(input_ids=ids, output_attentions=True)  # transformers installs its capture hooks now
    movie, reviews = DATA.movie("s003"), DATA.reviews_of("s003")[:6]
    cache = ResultCache(tmp_path / "cache")
    run = compute_on_ray(Explorer(model, cache, method="eager", batch_size=4), [Job(movie, SETTINGS, reviews)], progress=False)
    assert run.sent == len(reviews) and run.skipped == 0
    ours = Explorer(model, cache, method="eager").movie_aggregate(movie, reviews, SETTINGS, reference=False)
    local = Explorer(tiny_bert, method="eager").movie_aggregate(movie, reviews, SETTINGS, reference=False)
    np.testing.assert_allclose(ours.plot_per_review, local.plot_per_review, atol=1e-6)
    np.testing.assert_allclose(ours.info_per_review, local.info_per_review, atol=1e-6)


def test_without_ray_the_engine_says_how_to_install_it(tiny_cli, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as where it is not installed
    monkeypatch.setenv("MOVIATTN_CACHE", str(tmp_path / "cache"))
    assert cli.main(["precompute", "--movies", "s001", "--out", str(tmp_path / "all.json"), "--granularity", "eojeol", "--engine", "ray"]) == 2
    assert '.[scale]' in capsys.readouterr().err
    assert cli.main(["aggregate", "--movie", "s001", "--address", "auto"]) == 2  # --address without --engine ray
    assert cli.main(["evaluate", "--engine", "ray", "--out", str(tmp_path / "grid.csv")]) == 2  # the grid runs locally
    assert "evaluate --aggregate" in capsys.readouterr().err
