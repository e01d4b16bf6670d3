"""model2: every variant trains on a tiny set, gives probabilities, round-trips through its files."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import RandomForestRegressor

from moviattn.recommend.diary.genres import VARIANTS, Forest, fit_genre_model, load_genre_model, save_genre_model, variant

GENRES = ("드라마", "코미디", "공포")


def _tiny(n: int = 120, d: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, d))
    y = np.stack([x[:, 0] > 0.5, x[:, 1] > 0.5, x[:, 0] + x[:, 1] < 0.6], axis=1).astype(float)
    return x, y


def test_registry_names():
    assert set(VARIANTS) == {"mlp_bce", "mlp_mse", "random_forest", "mlp_bce+embedding", "mlp_mse+embedding", "random_forest+embedding"}
    assert variant("random_forest+embedding").input == "embedding"
    with pytest.raises(ValueError, match="unknown model2 'svm'; choose one of mlp_bce, "):
        variant("svm")


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_trains_and_round_trips(name, tmp_path):
    x, y = _tiny(d=4 if "embedding" not in name else 8)
    model = fit_genre_model(name, x, y, GENRES)
    p = model.predict(x)
    assert p.shape == (len(x), 3) and (p >= 0).all() and (p <= 1).all()
    # it learnt something: higher probability where the genre is present
    assert all(p[y[:, j] == 1, j].mean() > p[y[:, j] == 0, j].mean() + 0.1 for j in range(2))
    save_genre_model(model, tmp_path / "g")
    loaded = load_genre_model(tmp_path / "g")
    assert loaded.genres == GENRES and loaded.variant == model.variant
    assert np.allclose(loaded.predict(x), p, atol=2e-2)


def test_forest_arrays_match_sklearn():
    x, y = _tiny()
    forest = RandomForestRegressor(n_estimators=7, min_samples_leaf=3, random_state=0).fit(x, y)
    assert np.allclose(Forest.from_sklearn(forest).probabilities(x), forest.predict(x))
