"""Tests for ax.core.outcome_constraint.OutcomeConstraint."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from ax.core.metric import Metric
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import ComparisonOp
from ax.exceptions import UserInputError, UserInputTypeError

GEQ, LEQ = ComparisonOp.GEQ, ComparisonOp.LEQ


def test_defaults_and_accessors() -> None:
    metric = Metric("m1")
    constraint = OutcomeConstraint(metric, LEQ, 3)
    assert constraint.metric is metric
    assert constraint.op is LEQ
    assert constraint.bound == 3.0 and isinstance(constraint.bound, float)
    assert constraint.relative is True  # the documented trap


def test_repr_relative_and_absolute() -> None:
    assert repr(OutcomeConstraint(Metric("m1"), LEQ, 3.0)) == "OutcomeConstraint(m1 <= 3.0%)"
    assert (
        repr(OutcomeConstraint(Metric("m1"), GEQ, -5, relative=False))
        == "OutcomeConstraint(m1 >= -5.0)"
    )


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, "3", None, True])
def test_bound_must_be_finite_number(bad: Any) -> None:
    with pytest.raises(
        UserInputError, match=rf"metric 'm': bound must be a finite number, got bound={bad!r}"
    ):
        OutcomeConstraint(Metric("m"), LEQ, bad)


def test_numpy_bound_is_accepted() -> None:
    constraint = OutcomeConstraint(Metric("m"), LEQ, np.float32(1.5))
    assert constraint.bound == 1.5 and type(constraint.bound) is float


def test_bound_setter_validates() -> None:
    constraint = OutcomeConstraint(Metric("m"), LEQ, 1.0)
    constraint.bound = 2
    assert constraint.bound == 2.0
    with pytest.raises(UserInputError, match="bound=nan"):
        constraint.bound = math.nan
    assert constraint.bound == 2.0


@pytest.mark.parametrize("bad", ["<=", 1, None])
def test_op_must_be_comparison_op(bad: Any) -> None:
    with pytest.raises(
        UserInputTypeError, match=rf"metric 'm': op must be a ComparisonOp.*op={bad!r}"
    ):
        OutcomeConstraint(Metric("m"), bad, 1.0)
    constraint = OutcomeConstraint(Metric("m"), LEQ, 1.0)
    with pytest.raises(UserInputTypeError, match="op must be a ComparisonOp"):
        constraint.op = bad
    assert constraint.op is LEQ


def test_metric_must_be_metric() -> None:
    with pytest.raises(
        UserInputTypeError, match="OutcomeConstraint: metric must be a Metric, got 'm'"
    ):
        OutcomeConstraint("m", LEQ, 1.0)  # type: ignore[arg-type]
    constraint = OutcomeConstraint(Metric("m"), LEQ, 1.0)
    with pytest.raises(UserInputTypeError, match="metric must be a Metric"):
        constraint.metric = "x"  # type: ignore[assignment]


def test_relative_must_be_bool() -> None:
    with pytest.raises(
        UserInputTypeError, match="metric 'm': relative must be a bool, got relative=1"
    ):
        OutcomeConstraint(Metric("m"), LEQ, 1.0, relative=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "lower_is_better, op, fragment",
    [
        (True, GEQ, "Lower bound on metric for which lower values are better."),
        (False, LEQ, "Upper bound on metric for which higher values are better."),
    ],
)
def test_direction_warning_points_at_caller(
    lower_is_better: bool, op: ComparisonOp, fragment: str
) -> None:
    with pytest.warns(
        UserWarning, match=rf"metric 'm': Specified constraint appears invalid: {fragment}"
    ) as record:
        OutcomeConstraint(Metric("m", lower_is_better=lower_is_better), op, 1.0)
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "lower_is_better, op", [(True, LEQ), (False, GEQ), (None, LEQ), (None, GEQ)]
)
def test_consistent_direction_does_not_warn(lower_is_better: Any, op: ComparisonOp) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        OutcomeConstraint(Metric("m", lower_is_better=lower_is_better), op, 1.0)


def test_setters_recheck_direction() -> None:
    constraint = OutcomeConstraint(Metric("m", lower_is_better=True), LEQ, 1.0)
    with pytest.warns(UserWarning, match="Lower bound") as record:
        constraint.op = GEQ
    assert record[0].filename == __file__
    assert constraint.op is GEQ
    with pytest.warns(UserWarning, match="Upper bound"):
        constraint.op = LEQ
        constraint.metric = Metric("m", lower_is_better=False)


def test_clone_shares_metric_and_does_not_rewarn() -> None:
    with pytest.warns(UserWarning):
        constraint = OutcomeConstraint(Metric("m", lower_is_better=True), GEQ, 1.0, relative=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clone = constraint.clone()
    assert clone is not constraint and clone == constraint
    assert clone.metric is constraint.metric
    clone.bound = 5.0
    assert constraint.bound == 1.0


def test_equality() -> None:
    m = Metric("m")
    assert OutcomeConstraint(m, LEQ, 1.0) == OutcomeConstraint(Metric("m"), LEQ, 1)
    assert OutcomeConstraint(m, LEQ, 1.0) != OutcomeConstraint(m, LEQ, 1.0, relative=False)
    assert OutcomeConstraint(m, LEQ, 1.0) != OutcomeConstraint(m, GEQ, 1.0)
