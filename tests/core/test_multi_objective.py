"""Tests for MultiObjective, ScalarizedObjective, ObjectiveThreshold and
MultiObjectiveOptimizationConfig."""

from __future__ import annotations

import pytest

from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective, ScalarizedObjective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig, OptimizationConfig
from ax.core.outcome_constraint import ObjectiveThreshold, OutcomeConstraint
from ax.core.types import ComparisonOp
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError

GEQ, LEQ = ComparisonOp.GEQ, ComparisonOp.LEQ


def _multi() -> MultiObjective:
    return MultiObjective(
        [Objective(Metric("acc"), minimize=False), Objective(Metric("lat"), minimize=True)]
    )


# ------------------------------------------------------------------ MultiObjective
def test_multi_objective_from_objectives() -> None:
    mo = _multi()
    assert [m.name for m in mo.metrics] == ["acc", "lat"]
    assert mo.weights == [1.0, -1.0]
    assert [o.minimize for o in mo.objectives] == [False, True]
    assert mo.minimize is False
    assert mo.clone() == mo and mo.clone() is not mo
    assert repr(mo).startswith('MultiObjective(objectives=[Objective(metric_name="acc"')


def test_multi_objective_from_metrics_as_in_ax_0_1_13() -> None:
    mo = MultiObjective([Metric("a"), Metric("b", lower_is_better=True)])
    assert mo.weights == [1.0, -1.0]
    assert MultiObjective(metrics=[Metric("a"), Metric("b")]).weights == [1.0, 1.0]
    flipped = MultiObjective(metrics=[Metric("a"), Metric("b")], minimize=True)
    assert flipped.weights == [-1.0, -1.0]
    with pytest.raises(UserInputError, match="'b': minimize=False disagrees"):
        MultiObjective(metrics=[Metric("a"), Metric("b", lower_is_better=True)], minimize=True)


def test_multi_objective_metric_is_unsupported() -> None:
    with pytest.raises(UnsupportedError, match=r"\['acc', 'lat'\].*several metrics"):
        _multi().metric  # noqa: B018
    with pytest.raises(NotImplementedError):
        _multi().metric  # noqa: B018


def test_single_objective_passed_as_multi_objective_raises() -> None:
    with pytest.raises(UserInputError, match="at least two objectives, got 1.*single objective"):
        MultiObjective([Objective(Metric("a"))])
    with pytest.raises(UserInputError, match="at least two objectives, got 1"):
        MultiObjective(metrics=[Metric("a")])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one of objectives"),
        ({"objectives": [], "metrics": [Metric("a")]}, "exactly one of objectives"),
        ({"objectives": [Objective(Metric("a")), "b"]}, r"objectives\[1\] must be an Objective"),
        ({"objectives": "ab"}, "objectives must be a list"),
        (
            {"objectives": [Objective(Metric("a")), Objective(Metric("a"), minimize=True)]},
            "metric 'a' appears more than once",
        ),
        (
            {"objectives": [Objective(Metric("a")), Objective(Metric("b"))], "minimize": True},
            "minimize=True applies only to the metrics form",
        ),
        ({"metrics": [Metric("a"), 3]}, "metrics must be Metric objects, got 3"),
    ],
)
def test_multi_objective_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises((UserInputError, UserInputTypeError), match=match):
        MultiObjective(**kwargs)


def test_nested_multi_objective_raises() -> None:
    with pytest.raises(UserInputTypeError, match=r"objectives\[0\] must be a plain Objective"):
        MultiObjective([_multi(), Objective(Metric("c"))])


# ------------------------------------------------------------------ ScalarizedObjective
def test_scalarized_objective() -> None:
    so = ScalarizedObjective([Metric("a"), Metric("b")], weights=[1.0, 0.5], minimize=True)
    assert so.weights == [1.0, 0.5] and so.minimize is True
    assert [m.name for m in so.metrics] == ["a", "b"]
    assert (
        repr(so)
        == "ScalarizedObjective(metric_names=['a', 'b'], weights=[1.0, 0.5], minimize=True)"
    )
    assert so.clone() == so
    assert ScalarizedObjective([Metric("a"), Metric("b")]).weights == [1.0, 1.0]
    with pytest.raises(UnsupportedError):
        so.metric  # noqa: B018
    # One objective: a plain OptimizationConfig takes it.
    assert OptimizationConfig(so).objective is so


@pytest.mark.parametrize(
    "args, match",
    [
        (([Metric("a")], [1.0, 2.0]), r"one entry per metric \(1\), got 2"),
        (([Metric("a")], [float("nan")]), r"weights\[0\] must be a finite number"),
        (([],), "must not be empty"),
        (([Metric("a"), "b"],), r"metrics\[1\] must be a Metric"),
        (([Metric("a"), Metric("a")],), "metric 'a' appears more than once"),
    ],
)
def test_scalarized_objective_bad_input(args: tuple, match: str) -> None:
    with pytest.raises((UserInputError, UserInputTypeError), match=match):
        ScalarizedObjective(*args)


# ------------------------------------------------------------------ ObjectiveThreshold
def test_objective_threshold_infers_op_from_metric() -> None:
    t = ObjectiveThreshold(Metric("lat", lower_is_better=True), 50)
    assert t.op is LEQ and t.bound == 50.0 and t.relative is False
    assert repr(t) == "ObjectiveThreshold(lat <= 50.0)"
    assert ObjectiveThreshold(Metric("acc", lower_is_better=False), 0.9).op is GEQ
    assert ObjectiveThreshold(Metric("acc"), -5, relative=True, op=GEQ).relative
    assert isinstance(t, OutcomeConstraint)


def test_objective_threshold_bad_input() -> None:
    with pytest.raises(UserInputError, match="lower_is_better is not set"):
        ObjectiveThreshold(Metric("x"), 1.0)
    with pytest.raises(UserInputError, match="wrong direction.*lower_is_better=True"):
        ObjectiveThreshold(Metric("lat", lower_is_better=True), 50, op=GEQ)
    with pytest.raises(UserInputError, match="bound must be a finite number"):
        ObjectiveThreshold(Metric("x"), float("inf"), op=GEQ)
    with pytest.raises(UserInputTypeError, match="op must be a ComparisonOp"):
        ObjectiveThreshold(Metric("x"), 1.0, op=">=")  # type: ignore[arg-type]


# ------------------------------------------------------------------ the config
def _config(**kwargs: object) -> MultiObjectiveOptimizationConfig:
    return MultiObjectiveOptimizationConfig(
        _multi(),
        outcome_constraints=kwargs.get(
            "outcome_constraints",
            [OutcomeConstraint(Metric("cost"), LEQ, 3.0, relative=False)],
        ),  # type: ignore[arg-type]
        objective_thresholds=kwargs.get(
            "objective_thresholds",
            [ObjectiveThreshold(Metric("acc"), 0.9, op=GEQ)],
        ),  # type: ignore[arg-type]
    )


def test_config_accessors_and_clone() -> None:
    config = _config()
    assert sorted(config.metrics) == ["acc", "cost", "lat"]
    assert list(config.objective_thresholds_by_metric) == ["acc"]
    clone = config.clone()
    assert clone == config and type(clone) is MultiObjectiveOptimizationConfig
    assert "objective_thresholds=[ObjectiveThreshold(acc >= 0.9)]" in repr(config)


def test_threshold_on_a_metric_that_is_not_an_objective_raises() -> None:
    with pytest.raises(UserInputError, match="metric 'cost', which is not an objective"):
        _config(objective_thresholds=[ObjectiveThreshold(Metric("cost"), 1.0, op=LEQ)])


@pytest.mark.parametrize(
    "threshold, match",
    [
        (ObjectiveThreshold(Metric("acc"), 0.9, op=LEQ), "'acc' is maximised.*must be '>='"),
        (ObjectiveThreshold(Metric("lat"), 50.0, op=GEQ), "'lat' is minimised.*must be '<='"),
    ],
)
def test_threshold_in_the_wrong_direction_raises(threshold: ObjectiveThreshold, match: str) -> None:
    with pytest.raises(UserInputError, match="wrong direction"):
        _config(objective_thresholds=[threshold])
    with pytest.raises(UserInputError, match=match):
        _config(objective_thresholds=[threshold])


def test_two_thresholds_on_one_objective_raise() -> None:
    with pytest.raises(UserInputError, match="objective 'acc' has more than one threshold"):
        _config(
            objective_thresholds=[
                ObjectiveThreshold(Metric("acc"), 0.9, op=GEQ),
                ObjectiveThreshold(Metric("acc"), 0.8, op=GEQ),
            ]
        )


def test_metric_both_objective_and_constraint_raises() -> None:
    with pytest.raises(UserInputError, match="constrains the objective metric 'lat'"):
        _config(outcome_constraints=[OutcomeConstraint(Metric("lat"), LEQ, 3.0, relative=False)])
    with pytest.raises(UserInputTypeError, match="is an ObjectiveThreshold"):
        _config(outcome_constraints=[ObjectiveThreshold(Metric("cost"), 1.0, op=LEQ)])


def test_single_objective_config_raises() -> None:
    with pytest.raises(UserInputTypeError, match="single objective.*not a multi-objective"):
        MultiObjectiveOptimizationConfig(Objective(Metric("a")))  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="use MultiObjectiveOptimizationConfig"):
        OptimizationConfig(_multi())


def test_setters_validate_and_leave_the_config_unchanged() -> None:
    config = _config()
    with pytest.raises(UserInputError, match="not an objective"):
        config.objective_thresholds = [ObjectiveThreshold(Metric("zzz"), 1.0, op=LEQ)]
    assert [t.metric.name for t in config.objective_thresholds] == ["acc"]
    with pytest.raises(UserInputError, match="objective metric 'acc'"):
        config.outcome_constraints = [OutcomeConstraint(Metric("acc"), GEQ, 0.0, relative=False)]
    assert [c.metric.name for c in config.outcome_constraints] == ["cost"]
    with pytest.raises(UserInputError, match="not an objective"):
        config.objective = MultiObjective(
            [Objective(Metric("x")), Objective(Metric("lat"), minimize=True)]
        )
    assert config.objective == _multi()
    config.objective_thresholds = [ObjectiveThreshold(Metric("lat"), 40.0, op=LEQ)]
    assert config.objective_thresholds_by_metric["lat"].bound == 40.0
