"""Grad-CAM on a hand-built TextCNN whose decisive token is known."""

from __future__ import annotations

import torch

from moviattn.sentiment.data import pad_batch
from moviattn.sentiment.explain import gradcam_importance
from moviattn.sentiment.models import TextCNN

GOOD, BAD, VOCAB = 5, 7, 10


def hand_built_cnn() -> TextCNN:
    """One-hot embeddings; width-3 filter 0 fires on GOOD anywhere in its window, filter 1 on BAD.

    Class 1 (positive) reads filter 0, class 0 (negative) reads filter 1.
    """
    model = TextCNN(VOCAB, embed_dim=VOCAB, filter_sizes=(3,), num_filters=2, dropout=0.0)
    with torch.no_grad():
        model.embedding.tokens.weight.copy_(torch.eye(VOCAB))
        model.convs[0].weight.zero_()
        model.convs[0].bias.zero_()
        model.convs[0].weight[0, GOOD, :] = 1.0
        model.convs[0].weight[1, BAD, :] = 1.0
        model.output.weight.copy_(torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
        model.output.bias.zero_()
    return model.eval()


def test_gradcam_points_at_the_decisive_token() -> None:
    model = hand_built_cnn()
    ids, lengths = pad_batch([[2, 3, GOOD, 4, 6, 8]], model.min_length)
    prob, importance = gradcam_importance(model, ids, lengths)
    assert prob[0] > 0.5
    assert int(importance[0].argmax()) == 2
    # windows 0..2 contain GOOD: token 2 gets three shares, its neighbours two, the next ones one
    torch.testing.assert_close(importance[0, :6] / importance[0, 2], torch.tensor([1 / 3, 2 / 3, 1, 2 / 3, 1 / 3, 0]))


def test_gradcam_toward_each_class() -> None:
    model = hand_built_cnn()
    ids, lengths = pad_batch([[BAD, 3, 4, 2, GOOD, 8, 9], [1, BAD, 2]], model.min_length)
    _, toward_positive = gradcam_importance(model, ids, lengths, target=1)
    _, toward_negative = gradcam_importance(model, ids, lengths, target=0)
    assert int(toward_positive[0].argmax()) == 4
    assert int(toward_negative[0].argmax()) == 0
    # a 3-token review is one window: its tokens share the map equally, padding gets nothing
    torch.testing.assert_close(toward_negative[1], torch.tensor([1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0]))


def test_eraser_measures_of_grad_cam_beat_random_and_reading_order_on_the_hand_built_model() -> None:
    from moviattn.sentiment.explain import EXPLAINERS, eraser_faithfulness

    rng = torch.Generator().manual_seed(0)
    reviews = []
    for _ in range(40):  # ten neutral tokens, one GOOD somewhere past the start
        ids = torch.randint(0, 5, (10,), generator=rng).tolist()
        ids.insert(int(torch.randint(3, 10, (1,), generator=rng)), GOOD)
        reviews.append(ids)
    table = eraser_faithfulness(hand_built_cnn(), EXPLAINERS["gradcam"], reviews)
    assert set(table) == {"explanation", "random", "position"}
    for baseline in ("random", "position"):
        assert table["explanation"]["aopc_compr"][0] > table[baseline]["aopc_compr"][0]
        assert table["explanation"]["aopc_suff"][0] < table[baseline]["aopc_suff"][0]
    mean, low, high = table["explanation"]["aopc_compr"]
    assert low <= mean <= high
