"""The shared generator suite, for the generators that learn from data.

Every model-based generator (BoTorch GP, knowledge gradient, max-value entropy search, TPE)
must be reproducible with a seed, stay inside the bounds, respect linear constraints and
fixed features, and apply the rounding function; each is fitted on the same small data.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

import numpy as np
import pytest

from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.kg import KnowledgeGradient
from ax.models.torch.mes import MaxValueEntropySearch
from ax.models.tpe import TPEGenerator

D = 3
BOUNDS = [(0.0, 1.0)] * D
CHEAP: Dict[str, Any] = {"num_restarts": 2, "raw_samples": 32, "maxiter": 20}

FACTORIES: Dict[str, Callable[[int], Any]] = {
    "botorch": lambda seed: BotorchModel(seed=seed, **CHEAP),
    "kg": lambda seed: KnowledgeGradient(seed=seed, num_fantasies=4, **CHEAP),
    "mes": lambda seed: MaxValueEntropySearch(seed=seed, num_candidates=64, **CHEAP),
    "tpe": lambda seed: TPEGenerator(seed=seed, n_startup=4),
}


def _fitted(name: str, seed: int) -> Any:
    rng = np.random.default_rng(0)
    X = rng.random((12, D))
    y = ((X - 0.3) ** 2).sum(axis=1)
    y = (y - y.mean()) / y.std()
    model = FACTORIES[name](seed)
    model.fit(
        Xs=[X],
        Ys=[y],
        Yvars=[np.full(len(y), np.nan)],
        bounds=BOUNDS,
        feature_names=[f"x{i}" for i in range(D)],
        metric_names=["m"],
    )
    return model


def _gen(model: Any, n: int = 2, **kwargs: Any) -> np.ndarray:
    X = model.gen(n=n, bounds=BOUNDS, objective_weights=np.array([-1.0]), **kwargs)[0]
    return np.asarray(X)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_seeded_is_reproducible(name: str) -> None:
    a = _gen(_fitted(name, seed=3))
    b = _gen(_fitted(name, seed=3))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_stays_in_bounds(name: str) -> None:
    X = _gen(_fitted(name, seed=1), n=3)
    assert X.shape == (3, D)
    assert np.all(X >= 0.0) and np.all(X <= 1.0)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_respects_linear_constraints(name: str) -> None:
    A = np.array([[1.0, 1.0, 0.0]])
    b = np.array([[0.6]])
    X = _gen(_fitted(name, seed=2), n=2, linear_constraints=(A, b))
    assert np.all(b + 1e-6 >= X @ A.T)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_fixed_features_and_rounding(name: str) -> None:
    X = _gen(
        _fitted(name, seed=4),
        n=2,
        fixed_features={2: 0.25},
        rounding_func=lambda x: np.round(x, 1),
    )
    np.testing.assert_allclose(X[:, 2], 0.25)
    np.testing.assert_allclose(X[:, :2], np.round(X[:, :2], 1))
