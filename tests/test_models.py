"""Loading models: one copy of the offline model's weights however it is asked for, hooks kept apart."""

from __future__ import annotations

import threading

import pytest
import torch

from moviattn import models
from moviattn.models import sharing_weights


class _Stop(Exception):
    pass


def test_a_weight_sharing_copy_holds_no_weights_of_its_own_and_no_hooks_of_the_other(tiny_bert):
    net = tiny_bert.model
    twin = sharing_weights(net)
    assert twin is not net
    for (name, ours), (_, theirs) in zip(twin.state_dict().items(), net.state_dict().items()):
        assert ours.data_ptr() == theirs.data_ptr(), name  # the same tensors, not copies
    ids = tiny_bert.tokenizer("영화 리뷰 좋다", return_tensors="pt")["input_ids"]
    with torch.inference_mode():
        expected = net(input_ids=ids).last_hidden_state

    def stop(*_):  # what the explorer's last-layer hook does to the forward it was registered for
        raise _Stop

    handle = net.encoder.layer[-1].register_forward_pre_hook(stop)
    try:
        with pytest.raises(_Stop):
            net(input_ids=ids)
        with torch.inference_mode():
            torch.testing.assert_close(twin(input_ids=ids).last_hidden_state, expected, rtol=0, atol=0)
    finally:
        handle.remove()


def test_every_way_of_asking_for_the_offline_model_shares_its_weights(monkeypatch, tiny_bert):
    calls = []

    def load_once():
        calls.append(1)
        return tiny_bert.model, tiny_bert.tokenizer

    monkeypatch.setattr(models, "load_offline_model", load_once)
    models._offline_weights.cache_clear()
    models.load_model.cache_clear()
    try:
        by_name = models.load_model("offline", "cpu")
        for_the_diary = models.load_model("offline", allow_fallback=False)
        fallback = models.load_model("/no/such/model", "cpu", allow_fallback=True)
        assert len(calls) == 1
        assert fallback.notice and not by_name.notice
        nets = [m.model for m in (by_name, for_the_diary, fallback)]
        assert len({id(n) for n in nets}) == 3
        assert len({next(n.parameters()).data_ptr() for n in nets}) == 1
        errors = []

        def forward(net):  # parallel forwards on the shared weights, each on its own modules
            try:
                with torch.inference_mode():
                    net(input_ids=torch.tensor([[2, 5, 7, 3]]))
            except Exception as exc:  # pragma: no cover - the assertion below reports it
                errors.append(exc)

        threads = [threading.Thread(target=forward, args=(n,)) for n in nets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
    finally:
        models._offline_weights.cache_clear()
        models.load_model.cache_clear()
