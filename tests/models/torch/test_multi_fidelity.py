"""Multi-fidelity BoTorch generators: the cost model, fidelity features, MF-KG, best point."""

from __future__ import annotations

import json
import math
from typing import Any, List

import numpy as np
import pytest
from botorch.models import SingleTaskMultiFidelityGP

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.fidelity import (
    FidelityCostModel,
    FidelityFeature,
    affine_cost,
    target_fidelities,
)
from ax.models.torch.kg import KnowledgeGradient
from ax.models.torch.options import KnowledgeGradientOptions

pytestmark = pytest.mark.timeout(60)

BOX = [(0.0, 1.0)] * 3
NAMES = ["x0", "x1", "s"]
FIDELITY = FidelityFeature(index=2, name="s", target=1.0, lower=0.0, upper=1.0)
CHEAP = {"num_fantasies": 4, "num_restarts": 1, "raw_samples": 16, "maxiter": 10}


def toy(X: np.ndarray) -> np.ndarray:
    """Maximised near (0.3, 0.7); lower fidelities are a shifted, biased version."""
    s = X[:, 2]
    return -((X[:, 0] - 0.3) ** 2 + (X[:, 1] - 0.7) ** 2) - 0.2 * (1 - s) * X[:, 0]


def data(n: int = 12, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((n, 3))


def fit(model: BotorchModel, X: np.ndarray, features: Any = (FIDELITY,)) -> BotorchModel:
    y = toy(X)
    model.fit(
        [X],
        [(y - y.mean()) / y.std()],
        [np.full(len(X), 1e-4)],
        BOX,
        NAMES,
        ["f"],
        fidelity_features=list(features),
    )
    return model


# ---------------------------------------------------------------------------- cost model
@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"fixed_cost": 0.0}, r"fixed_cost must be a finite number > 0, got 0\.0"),
        ({"fixed_cost": -2}, r"fixed_cost must be a finite number > 0, got -2"),
        ({"fixed_cost": math.nan}, r"fixed_cost must be a finite number > 0, got nan"),
        ({"fixed_cost": True}, r"fixed_cost must be a number > 0, got True"),
        ({"cost_per_unit": 0}, r"cost_per_unit must be a finite number > 0, got 0"),
        (
            {"cost_per_unit": {"s": -1.0}},
            r"cost_per_unit\['s'\] must be a finite number > 0, got -1\.0",
        ),
        ({"cost_per_unit": {}}, r"cost_per_unit must name at least one parameter"),
        ({"budget": 3}, r"budget"),
    ],
)
def test_cost_model_rejects_non_positive_costs_naming_field_and_value(
    kwargs: dict, match: str
) -> None:
    with pytest.raises(UserInputError, match=match):
        FidelityCostModel(**kwargs)


def test_cost_model_in_options_is_validated_and_stored_as_plain_data() -> None:
    with pytest.raises(UserInputError, match=r"cost_model.*fixed_cost.*got -1"):
        KnowledgeGradient(cost_model={"fixed_cost": -1})
    with pytest.raises(UserInputError, match=r"cost_intercept.*got 0"):
        KnowledgeGradient(cost_intercept=0)
    model = KnowledgeGradient(seed=1, cost_model=FidelityCostModel(fixed_cost=0.5, cost_per_unit=2))
    state = model.get_state()
    json.dumps(state)
    assert state["options"]["cost_model"] == {"fixed_cost": 0.5, "cost_per_unit": 2.0}
    rebuilt = KnowledgeGradient(**state)
    assert rebuilt.options == model.options
    ax_style = KnowledgeGradient(cost_intercept=0.01)
    assert isinstance(ax_style.options, KnowledgeGradientOptions)
    assert ax_style.options.effective_cost_model.fixed_cost == 0.01


def test_affine_cost_is_in_model_coordinates() -> None:
    # epochs in [10, 100] mapped to [0, 1]: cost = 2 + 0.5 * epochs = 7 + 45 z
    epochs = FidelityFeature(index=0, name="epochs", target=1.0, lower=10.0, upper=100.0)
    fixed, weights = affine_cost("KG", FidelityCostModel(fixed_cost=2, cost_per_unit=0.5), [epochs])
    assert fixed == pytest.approx(7.0) and weights == {0: pytest.approx(45.0)}
    assert target_fidelities([epochs]) == {0: 1.0}
    with pytest.raises(UserInputError, match=r"names \['other'\], which are not fidelity"):
        affine_cost("KG", FidelityCostModel(cost_per_unit={"other": 1.0}), [epochs])
    with pytest.raises(UserInputError, match="no cost for fidelity parameter 'c'"):
        affine_cost(
            "KG",
            FidelityCostModel(cost_per_unit={"epochs": 1.0}),
            [epochs, FidelityFeature(index=1, name="c", target=1.0, lower=0.0, upper=1.0)],
        )
    negative = FidelityFeature(index=0, name="t", target=1.0, lower=-10.0, upper=1.0)
    with pytest.raises(UserInputError, match=r"cost at the lowest fidelities \(t=-10.0\) is -9"):
        affine_cost("KG", FidelityCostModel(fixed_cost=1.0, cost_per_unit=1.0), [negative])
    log = FidelityFeature(index=0, name="t", target=1.0, lower=1.0, upper=10.0, log_scale=True)
    with pytest.raises(UnsupportedError, match="log scale"):
        affine_cost("KG", FidelityCostModel(), [log])


# ---------------------------------------------------------------------------- models
def test_fidelity_features_give_a_multi_fidelity_gp_and_are_checked() -> None:
    model = fit(KnowledgeGradient(seed=0, **CHEAP), data())
    assert isinstance(model.model, SingleTaskMultiFidelityGP)
    bad = FidelityFeature(index=2, name="s", target=2.0, lower=0.0, upper=1.0)
    with pytest.raises(UserInputError, match="target value of fidelity parameter 's'.*2.0"):
        fit(KnowledgeGradient(seed=0), data(), [bad])
    with pytest.raises(UserInputError, match="index 5"):
        fit(KnowledgeGradient(seed=0), data(), [FidelityFeature(5, "s", 1.0, 0.0, 1.0)])


@pytest.mark.slow
def test_mf_kg_picks_cheaper_fidelities_when_they_are_cheap() -> None:
    model = fit(
        KnowledgeGradient(seed=0, cost_model={"fixed_cost": 0.05, "cost_per_unit": 1.0}, **CHEAP),
        data(),
    )
    points, weights, meta, _ = model.gen(2, BOX, np.array([1.0]))
    assert points.shape == (2, 3) and np.all(np.isfinite(points))
    assert np.all((points >= 0.0) & (points <= 1.0))
    assert np.any(points[:, 2] < 1.0 - 1e-3), points
    assert meta["acquisition"] == ["qMFKG"] * 2
    assert meta["fidelity_cost"] == {"fixed_cost": 0.05, "weights": {"s": 1.0}}
    assert meta["target_fidelities"] == {"s": 1.0}
    assert math.isfinite(meta["current_value"])
    np.testing.assert_array_equal(weights, np.ones(2))
    json.dumps(meta)


@pytest.mark.slow
def test_mf_kg_is_reproducible_with_a_seed() -> None:
    first = fit(KnowledgeGradient(seed=3, **CHEAP), data()).gen(1, BOX, np.array([1.0]))[0]
    second = fit(KnowledgeGradient(seed=3, **CHEAP), data()).gen(1, BOX, np.array([1.0]))[0]
    np.testing.assert_array_equal(first, second)


def test_best_point_is_at_the_target_fidelity() -> None:
    X = data()
    X[:, 2] = np.minimum(X[:, 2], 0.5)  # every observation at a cheap fidelity
    kg = fit(KnowledgeGradient(seed=0, **CHEAP), X)
    best = kg.best_point(BOX, np.array([1.0]))
    assert best is not None and best[2] == 1.0
    gp = fit(BotorchModel(seed=0, num_restarts=2, raw_samples=32), X)
    best = gp.best_point(BOX, np.array([1.0]))
    assert best is not None and best[2] == 1.0
    # the in-sample best is an observed x, judged by the prediction at the target
    assert any(np.allclose(best[:2], x[:2]) for x in X)


def test_single_fidelity_models_propose_at_the_target() -> None:
    model = fit(BotorchModel(seed=0, num_restarts=2, raw_samples=32), data())
    points, _, meta, _ = model.gen(2, BOX, np.array([1.0]))
    np.testing.assert_array_equal(points[:, 2], [1.0, 1.0])
    assert meta["target_fidelities"] == {"s": 1.0}
    # a user's fixed feature on the fidelity wins
    points, _, _, _ = model.gen(1, BOX, np.array([1.0]), fixed_features={2: 0.25})
    assert points[0, 2] == 0.25


def test_update_and_cross_validate_keep_the_fidelity_features() -> None:
    X = data(14)
    model = fit(KnowledgeGradient(seed=0, **CHEAP), X[:10])
    y = toy(X)
    model.update([X], [(y - y.mean()) / y.std()], [np.full(14, 1e-4)])
    assert model.fidelity_features == [FIDELITY]
    assert isinstance(model.model, SingleTaskMultiFidelityGP)
    mean, cov = model.cross_validate([X[:8]], [y[:8]], [np.full(8, 1e-4)], X[8:])
    assert mean.shape == (6, 1) and cov.shape == (6, 1, 1)


@pytest.mark.slow
def test_two_fidelity_parameters() -> None:
    X = np.random.default_rng(1).random((12, 4))
    y = -((X[:, 0] - 0.3) ** 2) - 0.1 * (1 - X[:, 2]) - 0.1 * (1 - X[:, 3])
    features: List[FidelityFeature] = [
        FidelityFeature(index=2, name="a", target=1.0, lower=0.0, upper=1.0),
        FidelityFeature(index=3, name="b", target=1.0, lower=0.0, upper=1.0),
    ]
    model = KnowledgeGradient(seed=0, cost_model={"cost_per_unit": {"a": 1.0, "b": 2.0}}, **CHEAP)
    model.fit(
        [X],
        [(y - y.mean()) / y.std()],
        [np.full(12, 1e-4)],
        [(0.0, 1.0)] * 4,
        ["x", "y", "a", "b"],
        ["f"],
        fidelity_features=features,
    )
    points, _, meta, _ = model.gen(1, [(0.0, 1.0)] * 4, np.array([1.0]))
    assert np.all((points >= 0) & (points <= 1))
    assert meta["fidelity_cost"]["weights"] == {"a": 1.0, "b": 2.0}
    best = model.best_point([(0.0, 1.0)] * 4, np.array([1.0]))
    assert best is not None and best[2] == 1.0 and best[3] == 1.0
