"""The large-N path of BotorchModel: hyperparameters fitted on a subset, subset conditioning."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ax.models.torch.botorch_model import BotorchModel, subset_training_data
from ax.models.torch.defaults import TrainingData
from ax.models.torch.fast import TRAIN_SHORTCUT_N, FastPosterior


def data(n: int, seed: int = 0) -> tuple:
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = np.sin(6 * X[:, 0]) + (X[:, 1] - 0.5) ** 2 + 0.05 * rng.standard_normal(n)
    return X, (y - y.mean()) / y.std()


def fitted(X: np.ndarray, y: np.ndarray, **options: Any) -> BotorchModel:
    model = BotorchModel(seed=0, num_restarts=4, raw_samples=128, **options)
    model.fit(
        [X],
        [y],
        [np.full(len(y), np.nan)],
        bounds=[(0.0, 1.0)] * 3,
        feature_names=["a", "b", "c"],
        metric_names=["m"],
    )
    return model


def test_large_n_path_agrees_with_the_exact_one_on_a_small_problem() -> None:
    X, y = data(120)
    exact = fitted(X, y)
    approx = fitted(X, y, fit_subset=60, max_conditioning_points=100)
    assert exact.large_n is None
    assert approx.large_n == {
        "observations": 120,
        "hyperparameters_fitted_on": 60,
        "conditioned_on": 100,
    }
    test = np.random.default_rng(5).random((200, 3))
    m_exact, _ = exact.predict(test)
    m_approx, _ = approx.predict(test)
    rmse = float(np.sqrt(np.mean((m_exact - m_approx) ** 2)))
    assert rmse < 0.15 * float(np.std(m_exact))
    # The candidates land close together, and the metadata says an approximation was used.
    p_exact, _, _, _ = exact.gen(1, [(0.0, 1.0)] * 3, np.array([1.0]))
    p_approx, _, meta, _ = approx.gen(1, [(0.0, 1.0)] * 3, np.array([1.0]))
    assert meta["large_n"]["conditioned_on"] == 100
    m_at = exact.predict(np.vstack([p_exact, p_approx]))[0].reshape(-1)
    assert m_at[1] >= m_at[0] - 0.25
    best = approx.best_point([(0.0, 1.0)] * 3, np.array([1.0]))
    assert best is not None and best.shape == (3,)


def test_subset_keeps_the_extremes_and_is_seeded() -> None:
    X, y = data(300)
    full = TrainingData([X], [y], [None], ["m"], ["a", "b", "c"], [(0.0, 1.0)] * 3)
    sub = subset_training_data(full, 40, seed=3)
    assert sub.Xs[0].shape == (40, 3)
    assert y.min() in sub.Ys[0] and y.max() in sub.Ys[0]
    again = subset_training_data(full, 40, seed=3)
    assert np.array_equal(sub.Xs[0], again.Xs[0])
    assert subset_training_data(full, 400, seed=3).Xs[0] is X


def test_training_point_shortcut_matches_the_general_posterior() -> None:
    X, y = data(TRAIN_SHORTCUT_N + 10, seed=1)
    model = fitted(X, y, max_conditioning_points=TRAIN_SHORTCUT_N)
    fast = FastPosterior.from_model(model.model)
    assert fast is not None
    Xt = fast.X.clone()
    assert Xt.shape[0] == TRAIN_SHORTCUT_N
    mean, var = fast.mean_var(Xt)
    k, v = fast.cross(Xt)
    ref_mean = fast.const + k @ fast.alpha
    ref_var = (1.0 - (v * v).sum(0)).clamp_min(1e-12)
    assert torch.allclose(mean, ref_mean, atol=1e-6)
    assert torch.allclose(var, ref_var, atol=1e-6)


def test_reference_check_refuses_a_model_with_other_hyperparameters() -> None:
    X, y = data(80)
    a = fitted(X, y)
    b = fitted(X[:40], y[:40])
    assert FastPosterior.from_model(a.model, reference=a.model) is not None
    assert FastPosterior.from_model(a.model, reference=b.model) is None
