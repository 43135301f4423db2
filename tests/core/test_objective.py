"""Tests for ax.core.objective.Objective."""

from __future__ import annotations

import warnings
from typing import Any, Optional

import pytest

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.exceptions import UserInputError, UserInputTypeError


@pytest.mark.parametrize(
    "lower_is_better, minimize, expected",
    [
        (None, None, False),
        (True, None, True),
        (False, None, False),
        (None, True, True),
        (None, False, False),
        (True, True, True),
        (False, False, False),
    ],
)
def test_minimize_resolution(
    lower_is_better: Optional[bool], minimize: Optional[bool], expected: bool
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DeprecationWarning or any other warning
        objective = Objective(Metric("m", lower_is_better=lower_is_better), minimize)
    assert objective.minimize is expected


@pytest.mark.parametrize("lower_is_better, minimize", [(True, False), (False, True)])
def test_disagreement_with_lower_is_better_raises(lower_is_better: bool, minimize: bool) -> None:
    metric = Metric("m", lower_is_better=lower_is_better)
    pattern = (
        rf"Objective on metric 'm': minimize={minimize} disagrees with the metric's "
        rf"lower_is_better={lower_is_better}"
    )
    with pytest.raises(UserInputError, match=pattern):
        Objective(metric, minimize=minimize)


def test_minimize_setter_validates_and_keeps_value_on_failure() -> None:
    objective = Objective(Metric("m", lower_is_better=True))
    with pytest.raises(UserInputError, match="minimize=False disagrees"):
        objective.minimize = False
    assert objective.minimize is True
    with pytest.raises(UserInputTypeError, match="minimize=None"):
        objective.minimize = None  # type: ignore[assignment]
    free = Objective(Metric("n"))
    free.minimize = True
    assert free.minimize is True


@pytest.mark.parametrize("bad", ["m", None, 3])
def test_metric_must_be_metric(bad: Any) -> None:
    with pytest.raises(
        UserInputTypeError, match=rf"Objective: metric must be a Metric, got {bad!r}"
    ):
        Objective(bad)


@pytest.mark.parametrize("bad", ["yes", 1, 0])
def test_minimize_must_be_bool(bad: Any) -> None:
    with pytest.raises(UserInputTypeError, match=rf"metric 'm': minimize must be .*{bad!r}"):
        Objective(Metric("m"), minimize=bad)


def test_accessors_repr_clone() -> None:
    metric = Metric("m", lower_is_better=True)
    objective = Objective(metric)
    assert objective.metric is metric
    assert objective.metrics == [metric]
    assert repr(objective) == 'Objective(metric_name="m", minimize=True)'
    clone = objective.clone()
    assert clone == objective
    assert clone.metric is not metric and clone.metric == metric
    assert Objective(Metric("m"), minimize=True) != Objective(Metric("m"), minimize=False)
