"""KnowledgeGradient and MaxValueEntropySearch: valid points, out-of-sample best point."""

from __future__ import annotations

import json
from typing import Any, Dict, Type

import numpy as np
import pytest
from botorch.models import ModelListGP

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.kg import KnowledgeGradient
from ax.models.torch.mes import MaxValueEntropySearch
from ax.models.torch.options import KnowledgeGradientOptions, MaxValueEntropyOptions

pytestmark = pytest.mark.timeout(60)

UNIT2 = [(0.0, 1.0), (0.0, 1.0)]
NAMES2 = ["x0", "x1"]
CHEAP: Dict[Type[BotorchModel], Dict[str, Any]] = {
    KnowledgeGradient: {"num_fantasies": 4, "num_restarts": 2, "raw_samples": 16, "maxiter": 10},
    MaxValueEntropySearch: {
        "num_candidates": 64,
        "num_restarts": 2,
        "raw_samples": 16,
        "maxiter": 10,
    },
}


def fitted(cls: Type[BotorchModel], **options: Any) -> BotorchModel:
    X = np.random.default_rng(0).random((10, 2))
    f = -((X - [0.3, 0.7]) ** 2).sum(1)
    f = (f - f.mean()) / f.std()
    model = cls(seed=0, **{**CHEAP[cls], **options})
    model.fit([X, X], [f, X[:, 0] - 0.5], [np.full(10, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
    return model


@pytest.mark.parametrize("cls", [KnowledgeGradient, MaxValueEntropySearch])
def test_generates_valid_distinct_points(cls: Type[BotorchModel]) -> None:
    model = fitted(cls)
    bounds = [(0.0, 1.0), (0.2, 0.6)]
    points, weights, meta, _ = model.gen(2, bounds, np.array([1.0, 0.0]))
    assert points.shape == (2, 2) and np.all(np.isfinite(points))
    assert np.all((points[:, 0] >= 0) & (points[:, 0] <= 1))
    assert np.all((points[:, 1] >= 0.2 - 1e-9) & (points[:, 1] <= 0.6 + 1e-9))
    assert np.linalg.norm(points[0] - points[1]) > 1e-4
    np.testing.assert_array_equal(weights, np.ones(2))
    json.dumps(meta)


def test_mes_variants_and_minimisation() -> None:
    model = fitted(MaxValueEntropySearch, lower_bound=False)
    _, _, meta, _ = model.gen(1, UNIT2, np.array([-1.0, 0.0]))
    assert meta["acquisition"] == ["qMaxValueEntropy"]
    _, _, meta, _ = fitted(MaxValueEntropySearch).gen(1, UNIT2, np.array([1.0, 0.0]))
    assert meta["acquisition"] == ["qLowerBoundMaxValueEntropy"]


@pytest.mark.parametrize("cls", [KnowledgeGradient, MaxValueEntropySearch])
def test_best_point_is_out_of_sample_maximiser_of_the_posterior_mean(
    cls: Type[BotorchModel],
) -> None:
    model = fitted(cls)
    best = model.best_point(UNIT2, np.array([1.0, 0.0]))
    assert best is not None and best.shape == (2,)
    assert np.linalg.norm(best - [0.3, 0.7]) < 0.25
    observed = model.data.all_X  # type: ignore[union-attr]
    assert np.min(np.linalg.norm(observed - best, axis=1)) > 1e-6  # not an observed point
    fixed = model.best_point(UNIT2, np.array([1.0, 0.0]), fixed_features={1: 0.1})
    assert fixed is not None and fixed[1] == 0.1


def test_kg_handles_outcome_constraints_and_uses_a_model_list() -> None:
    model = fitted(KnowledgeGradient)
    assert isinstance(model.model, ModelListGP)
    constraint = (np.array([[0.0, 1.0]]), np.array([[-0.3]]))  # x0 - 0.5 <= -0.3
    points, _, meta, _ = model.gen(1, UNIT2, np.array([1.0, 0.0]), outcome_constraints=constraint)
    assert meta["acquisition"] == ["qKG"] and np.all((points >= 0) & (points <= 1))
    best = model.best_point(UNIT2, np.array([1.0, 0.0]), outcome_constraints=constraint)
    assert best is not None and best[0] < 0.45


def test_mes_rejects_outcome_constraints_and_scalarised_objectives() -> None:
    model = fitted(MaxValueEntropySearch)
    with pytest.raises(
        UnsupportedError, match=r"outcome constraints are not supported .* got 1 constraint"
    ):
        model.gen(
            1,
            UNIT2,
            np.array([1.0, 0.0]),
            outcome_constraints=(np.array([[0.0, 1.0]]), np.array([[0.0]])),
        )
    with pytest.raises(
        UnsupportedError,
        match=r"needs an objective on one metric, got objective_weights \[1.0, 1.0\]",
    ):
        model.gen(1, UNIT2, np.array([1.0, 1.0]))


def test_options_are_typed_and_validated() -> None:
    options = KnowledgeGradient().options
    assert isinstance(options, KnowledgeGradientOptions) and options.num_fantasies == 16
    assert isinstance(MaxValueEntropySearch().options, MaxValueEntropyOptions)
    with pytest.raises(
        UserInputError, match=r"num_fantasies: Input should be greater than or equal to 1, got 0"
    ):
        KnowledgeGradient(num_fantasies=0)
    with pytest.raises(UserInputError, match=r"unknown keyword argument\(s\) \['num_fantasies'\]"):
        MaxValueEntropySearch(num_fantasies=3)


@pytest.mark.parametrize("cls", [KnowledgeGradient, MaxValueEntropySearch])
def test_state_round_trip_and_reproducibility(cls: Type[BotorchModel]) -> None:
    model = fitted(cls)
    first, _, _, _ = model.gen(1, UNIT2, np.array([1.0, 0.0]))
    again, _, _, _ = fitted(cls).gen(1, UNIT2, np.array([1.0, 0.0]))
    np.testing.assert_array_equal(first, again)
    state = json.loads(json.dumps(model.get_state()))
    resumed = cls(**state)
    assert type(resumed.options) is type(model.options) and resumed.options == model.options
    assert resumed.gen_count == 1
