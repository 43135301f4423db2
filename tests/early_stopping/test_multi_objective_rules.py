"""Stopping rules on an experiment with several objectives (issue 13's configs)."""

from __future__ import annotations

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.parameter import ParameterType, RangeParameter
from ax.core.search_space import SearchSpace
from ax.early_stopping import EarlyStoppingOptions, MedianRule, PercentileRule
from ax.exceptions import UserInputError


def two_objective_experiment() -> Experiment:
    """Five trials reporting ``loss`` (minimised) and ``acc`` (maximised) for 5 steps;
    trial i has the i-th worst loss and the i-th best accuracy."""
    config = MultiObjectiveOptimizationConfig(
        MultiObjective(
            [Objective(Metric("loss"), minimize=True), Objective(Metric("acc"), minimize=False)]
        )
    )
    experiment = Experiment(
        search_space=SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]),
        name="two objectives",
        optimization_config=config,
    )
    for i in range(5):
        trial = experiment.new_trial().add_arm(Arm({"x": i / 10}))
        trial.mark_running(no_runner_required=True)
        for step in range(1, 6):
            values = {"loss": (i + 1) * (1 + 1 / step), "acc": (i + 1) * (1 - 1 / (step + 1))}
            experiment.progression_data.append(experiment, i, step, values)
    return experiment


def test_a_rule_needs_to_be_told_which_objective_to_watch() -> None:
    experiment = two_objective_experiment()
    with pytest.raises(UserInputError, match=r"choose the one to stop on.*metric_name"):
        MedianRule(EarlyStoppingOptions(min_curves=3)).validate(experiment)
    with pytest.raises(UserInputError, match="'latency' is not an objective"):
        MedianRule(EarlyStoppingOptions(metric_name="latency")).validate(experiment)


@pytest.mark.parametrize("metric, worst, best", [("loss", 4, 0), ("acc", 0, 4)])
def test_each_objective_is_judged_in_its_own_direction(metric: str, worst: int, best: int) -> None:
    experiment = two_objective_experiment()
    rule = PercentileRule(50.0, EarlyStoppingOptions(metric_name=metric, min_curves=3))
    assert rule.validate(experiment) == metric
    assert rule.should_stop(experiment, worst).stop
    assert not rule.should_stop(experiment, best).stop
