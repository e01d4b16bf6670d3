"""Session-parallel batching by hand, losses, GRU4Rec and SASRec on a Markov source, save/load."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from moviattn.recommend.session.evaluation import evaluate
from moviattn.recommend.session.gru4rec import GRU4RecNet
from moviattn.recommend.session.models import MODELS, create
from moviattn.recommend.session.store import find, load, load_or_fit, model_dir, save
from moviattn.recommend.session.training import sampled_loss, session_parallel_batches

FAST_GRU = {"embedding": 16, "hidden": 32, "batch_size": 16, "lr": 0.01, "epochs": 6, "patience": 6}
FAST_SAS = {"dim": 16, "heads": 1, "layers": 1, "max_len": 10, "batch_size": 32, "lr": 0.005, "epochs": 12, "patience": 12, "dropout": 0.1}


def test_session_parallel_batches_by_hand():
    sessions = [np.array([1, 2, 3]), np.array([4, 5]), np.array([10]), np.array([6, 7, 8, 9])]
    steps = [(s.lanes.tolist(), s.inputs.tolist(), s.targets.tolist(), s.reset.tolist()) for s in session_parallel_batches(sessions, 2)]
    assert steps == [
        ([0, 1], [1, 4], [2, 5], [True, True]),  # both lanes start a session
        ([0, 1], [2, 6], [3, 7], [False, True]),  # lane 1 finished [4, 5] and took [6, 7, 8, 9]
        ([1], [7], [8], [False]),  # lane 0 finished with nothing left ([10] has no pair)
        ([1], [8], [9], [False]),
    ]
    assert list(session_parallel_batches([np.array([1])], 4)) == []


def test_losses():
    logits = torch.tensor([[3.0, 0.0, 0.0], [0.0, 3.0, float("-inf")]])
    columns = torch.tensor([0, 1])
    assert sampled_loss(logits, columns, "ce") < sampled_loss(logits, torch.tensor([1, 0]), "ce")
    good, bad = sampled_loss(logits, columns, "bpr-max", 0.0), sampled_loss(logits, torch.tensor([1, 0]), "bpr-max", 0.0)
    assert torch.isfinite(good) and good < bad
    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        sampled_loss(logits, columns, "mse")


@pytest.fixture(scope="module")
def gru(split):
    return create("gru4rec", **FAST_GRU).fit(split)


def test_gru4rec_learns_a_markov_source_well_above_popularity(split, gru):
    pop = evaluate(create("pop").fit(split), split.test)
    ours = evaluate(gru, split.test)
    assert ours["mrr@20"] > 0.4 > 3 * pop["mrr@20"]
    assert ours["recall@20"] > 0.9
    assert gru.history.best_epoch >= 0 and len(gru.history.valid) == len(gru.history.losses)


@pytest.mark.parametrize(
    "params",
    [
        {"n_sample": 8},
        {"n_sample": 8, "loss": "bpr-max"},
        {"tied": True, "hidden": 16},
        {"embedding": 0, "embedding_dropout": 0.2},
        {"sequence_aware": True, "layers": 2, "dropout": 0.1},
    ],
)
@pytest.mark.slow
def test_gru4rec_variants_learn(split, params):
    model = create("gru4rec", **{**FAST_GRU, **params, "epochs": 4}).fit(split)
    assert evaluate(model, split.test)["mrr@20"] > 0.25


def test_one_hot_input_equals_a_gru_fed_one_hot_vectors():
    torch.manual_seed(0)
    net = GRU4RecNet(n_items=7, embedding=0, hidden=4, layers=1, dropout=0.0, embedding_dropout=0.0, tied=False)
    reference = torch.nn.GRU(7, 4)
    with torch.no_grad():
        reference.weight_ih_l0.copy_(net.embedding.weight.T)  # one-hot x → the item's column
        for name in ("weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(reference, name).copy_(getattr(net.gru, name))
    items = [np.array([3, 1, 6, 1]), np.array([2])]
    _, expected = reference(torch.nn.utils.rnn.pack_sequence([torch.eye(7)[i] for i in items], enforce_sorted=False))
    torch.testing.assert_close(net.encode(items), expected[-1])
    assert not net.gru.weight_ih_l0.requires_grad


def test_gru4rec_is_deterministic(split, gru):
    again = create("gru4rec", **FAST_GRU).fit(split)
    for name, tensor in gru.state().items():
        assert torch.equal(tensor, again.state()[name]), name


def test_sasrec_learns_a_markov_source(split):
    model = create("sasrec", **FAST_SAS).fit(split)
    assert evaluate(model, split.test)["mrr@20"] > 0.3
    empty = model.scores([np.array([], dtype=int)], np.array([-1]))
    assert np.isfinite(empty).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_save_load_round_trip(split, tmp_path, name):
    params = FAST_GRU if name == "gru4rec" else FAST_SAS if name == "sasrec" else {}
    model = create(name, **{**params, "epochs": 1} if params else {}).fit(split)
    save(model, split, tmp_path / name)
    loaded, settings = load(tmp_path / name, split)
    contexts = split.test.contexts()[:5]
    assert np.allclose(model.scores(contexts, split.test.users[:5]), loaded.scores(contexts, split.test.users[:5]))
    assert settings["data_fingerprint"] == split.fingerprint and settings["params"] == model.params


def test_load_or_fit_reloads_instead_of_retraining(split, cache):
    params = {**FAST_GRU, "epochs": 1}
    first, settings = load_or_fit("gru4rec", params, split)
    folder = model_dir("gru4rec", first.params, split)
    assert find("gru4rec", split) == folder and settings["epochs"] == 1
    marker = json.loads((folder / "settings.json").read_text())
    marker["fit_seconds"] = -1.0
    (folder / "settings.json").write_text(json.dumps(marker))
    again, settings = load_or_fit("gru4rec", params, split)
    assert settings["fit_seconds"] == -1.0  # reloaded, not retrained
    assert np.allclose(
        first.scores(split.test.contexts()[:3], split.test.users[:3]), again.scores(split.test.contexts()[:3], split.test.users[:3])
    )


def test_find_prefers_the_given_settings_to_the_latest_model(split, cache):
    chosen = {**FAST_GRU, "epochs": 1}
    load_or_fit("gru4rec", chosen, split)
    time.sleep(0.01)
    load_or_fit("gru4rec", {**chosen, "seed": 7}, split)  # saved later, e.g. a seed check
    chosen_dir = model_dir("gru4rec", create("gru4rec", **chosen).params, split)
    assert find("gru4rec", split, chosen) == chosen_dir
    assert find("gru4rec", split) != chosen_dir  # without settings: the latest
    assert find("gru4rec", split, {**chosen, "hidden": 8}) == find("gru4rec", split)  # not saved: the latest


def test_load_checks_the_data(split, log, tmp_path):
    from moviattn.errors import ModelLoadError
    from moviattn.recommend.session.splits import Protocol, make_split

    save(create("pop").fit(split), split, tmp_path / "pop")
    with pytest.raises(ModelLoadError, match="trained on other data"):
        load(tmp_path / "pop", make_split(log, Protocol(tie_break="random")))
    with pytest.raises(ModelLoadError):
        load(tmp_path / "missing")
