"""Small builders shared by the core lifecycle tests."""

from __future__ import annotations

import pytest

from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType


def make_search_space() -> SearchSpace:
    return SearchSpace(
        parameters=[
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.INT, 0, 10),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b", "c"]),
            FixedParameter("f", ParameterType.BOOL, True),
        ],
        parameter_constraints=[ParameterConstraint({"x": 1.0, "y": 0.1}, bound=1.5)],
    )


def make_config() -> OptimizationConfig:
    return OptimizationConfig(
        objective=Objective(Metric("m1"), minimize=True),
        outcome_constraints=[
            OutcomeConstraint(Metric("m2"), ComparisonOp.LEQ, 3.0, relative=False)
        ],
    )


def params(x: float = 0.5, y: int = 3, c: str = "a") -> dict:
    return {"x": x, "y": y, "c": c, "f": True}


@pytest.fixture
def search_space() -> SearchSpace:
    return make_search_space()


@pytest.fixture
def experiment() -> Experiment:
    return Experiment(
        search_space=make_search_space(), name="exp", optimization_config=make_config()
    )
