"""Tests for ax.core.optimization_config.OptimizationConfig."""

from __future__ import annotations

from typing import List

import pytest

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import ComparisonOp
from ax.exceptions import UserInputError, UserInputTypeError

GEQ, LEQ = ComparisonOp.GEQ, ComparisonOp.LEQ


def oc(name: str, op: ComparisonOp, bound: float, relative: bool = False) -> OutcomeConstraint:
    return OutcomeConstraint(Metric(name), op, bound, relative=relative)


def objective(name: str = "obj") -> Objective:
    return Objective(Metric(name), minimize=True)


def test_basic_accessors() -> None:
    constraints = [oc("a", LEQ, 1.0), oc("b", GEQ, 0.0), oc("a", GEQ, -1.0)]
    config = OptimizationConfig(objective(), constraints)
    assert config.objective == objective()
    assert config.outcome_constraints == constraints
    assert list(config.metrics) == ["a", "b", "obj"]
    assert all(isinstance(m, Metric) for m in config.metrics.values())
    assert OptimizationConfig(objective()).outcome_constraints == []


def test_outcome_constraints_returns_a_copy() -> None:
    config = OptimizationConfig(objective(), [oc("a", LEQ, 1.0)])
    config.outcome_constraints.append(oc("b", LEQ, 1.0))
    assert len(config.outcome_constraints) == 1


def test_constraint_on_objective_metric_raises() -> None:
    pattern = (
        r"OptimizationConfig: outcome constraint on metric 'obj' constrains the objective "
        r"metric 'obj'"
    )
    with pytest.raises(UserInputError, match=pattern):
        OptimizationConfig(objective(), [oc("obj", LEQ, 1.0)])


def test_more_than_two_constraints_on_a_metric_raises() -> None:
    with pytest.raises(UserInputError, match=r"metric 'a' has 3 outcome constraints; at most 2"):
        OptimizationConfig(objective(), [oc("a", LEQ, 1.0), oc("a", GEQ, 0.0), oc("a", LEQ, 2.0)])


@pytest.mark.parametrize("op", [LEQ, GEQ])
def test_two_constraints_with_same_op_raise(op: ComparisonOp) -> None:
    with pytest.raises(
        UserInputError,
        match=rf"metric 'a' has two outcome constraints with the same op '{op.symbol}'",
    ):
        OptimizationConfig(objective(), [oc("a", op, 1.0), oc("a", op, 2.0)])


@pytest.mark.parametrize("lower, upper", [(2.0, 1.0), (1.0, 1.0)])
def test_lower_bound_not_below_upper_raises(lower: float, upper: float) -> None:
    with pytest.raises(
        UserInputError,
        match=rf"metric 'a': lower bound must be < upper bound, got lower={lower}, upper={upper}",
    ):
        OptimizationConfig(objective(), [oc("a", LEQ, upper), oc("a", GEQ, lower)])


def test_mixed_relative_and_absolute_bounds_are_not_compared() -> None:
    config = OptimizationConfig(
        objective(), [oc("a", GEQ, 10.0, relative=True), oc("a", LEQ, 1.0, relative=False)]
    )
    assert len(config.outcome_constraints) == 2


def test_type_errors() -> None:
    with pytest.raises(
        UserInputTypeError, match="OptimizationConfig: objective must be an Objective, got 'obj'"
    ):
        OptimizationConfig("obj")  # type: ignore[arg-type]
    with pytest.raises(
        UserInputTypeError, match=r"outcome_constraints\[1\] must be an OutcomeConstraint, got 'x'"
    ):
        OptimizationConfig(objective(), [oc("a", LEQ, 1.0), "x"])  # type: ignore[list-item]
    with pytest.raises(UserInputTypeError, match="got a single one"):
        OptimizationConfig(objective(), oc("a", LEQ, 1.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        [oc("obj", LEQ, 1.0)],
        [oc("a", LEQ, 1.0), oc("a", LEQ, 2.0)],
        [oc("a", LEQ, 1.0), oc("a", GEQ, 3.0)],
    ],
)
def test_failed_constraints_setter_leaves_config_unchanged(bad: List[OutcomeConstraint]) -> None:
    original = [oc("b", LEQ, 1.0)]
    config = OptimizationConfig(objective(), original)
    with pytest.raises(UserInputError, match="OptimizationConfig: "):
        config.outcome_constraints = bad
    assert config.outcome_constraints == original


def test_constraints_setter_accepts_valid() -> None:
    config = OptimizationConfig(objective())
    config.outcome_constraints = [oc("a", LEQ, 1.0)]
    assert [c.metric.name for c in config.outcome_constraints] == ["a"]
    config.outcome_constraints = None
    assert config.outcome_constraints == []


def test_objective_setter_validates_and_leaves_config_unchanged() -> None:
    config = OptimizationConfig(objective(), [oc("a", LEQ, 1.0)])
    with pytest.raises(UserInputError, match="constrains the objective metric 'a'"):
        config.objective = objective("a")
    assert config.objective.metric.name == "obj"
    with pytest.raises(UserInputTypeError, match="objective must be an Objective"):
        config.objective = None  # type: ignore[assignment]
    config.objective = objective("other")
    assert list(config.metrics) == ["a", "other"]


def test_clone_and_equality() -> None:
    config = OptimizationConfig(objective(), [oc("a", LEQ, 1.0), oc("a", GEQ, 0.0)])
    clone = config.clone()
    assert clone == config and clone is not config
    assert clone.objective is not config.objective
    assert clone.outcome_constraints[0] is not config.outcome_constraints[0]
    assert clone != OptimizationConfig(objective(), [oc("a", LEQ, 1.0)])


def test_repr() -> None:
    config = OptimizationConfig(objective(), [oc("a", LEQ, 1.0)])
    assert repr(config) == (
        'OptimizationConfig(objective=Objective(metric_name="obj", minimize=True), '
        "outcome_constraints=[OutcomeConstraint(a <= 1.0)])"
    )


def test_accepts_any_sequence() -> None:
    config = OptimizationConfig(objective(), (oc("a", LEQ, 1.0),))
    assert isinstance(config.outcome_constraints, list)
