"""The stopping rules on synthetic learning curves."""

from __future__ import annotations

from typing import List, Optional

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ParameterType, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp
from ax.early_stopping import (
    EarlyStoppingOptions,
    HyperbandRule,
    MedianRule,
    PercentileRule,
    SuccessiveHalvingRule,
    ThresholdRule,
)
from ax.exceptions import UserInputError, UserInputTypeError


def curves_experiment(
    finals: List[float], steps: int = 5, minimize: bool = True, mem: Optional[List[float]] = None
) -> Experiment:
    """One trial per final value; trial i reports ``finals[i] * (1 + 1/step)`` (or its
    negation-free mirror when maximising), ``mem`` a constraint metric if given."""
    space = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    config = OptimizationConfig(
        Objective(Metric("score"), minimize=minimize),
        outcome_constraints=[
            OutcomeConstraint(Metric("mem"), ComparisonOp.LEQ, 1.0, relative=False)
        ],
    )
    experiment = Experiment(search_space=space, name="rules", optimization_config=config)
    for i, final in enumerate(finals):
        trial = experiment.new_trial()
        trial.add_arm(Arm({"x": i / 100}))
        trial.mark_running(no_runner_required=True)
        for step in range(1, steps + 1):
            value = final * (1 + 1 / step) if minimize else final * (1 - 1 / (step + 1))
            values = {"score": value}
            if mem is not None:
                values["mem"] = mem[i]
            experiment.progression_data.append(experiment, i, step, values)
    return experiment


@pytest.mark.parametrize("minimize", [True, False])
def test_median_rule_stops_the_worst_and_keeps_the_best(minimize: bool) -> None:
    finals = [1.0, 2.0, 3.0, 4.0, 5.0]
    experiment = curves_experiment(finals, minimize=minimize)
    rule = MedianRule(EarlyStoppingOptions(min_curves=3))
    worst, best = (4, 0) if minimize else (0, 4)
    decision = rule.should_stop(experiment, worst)
    assert decision.stop and "MedianRule" in decision.reason and decision.progression == 5
    assert "worse than the 50th-percentile cut" in decision.reason
    assert not rule.should_stop(experiment, best).stop


def test_min_progression_min_curves_and_patience() -> None:
    experiment = curves_experiment([1.0, 2.0, 3.0, 4.0, 5.0])
    early = MedianRule(EarlyStoppingOptions(min_progression=6, min_curves=1))
    assert "min_progression" in early.should_stop(experiment, 4).reason
    many = MedianRule(EarlyStoppingOptions(min_curves=5))
    decision = many.should_stop(experiment, 4)
    assert not decision.stop and "too few curves" in decision.reason
    patient = PercentileRule(50, EarlyStoppingOptions(min_curves=3, patience=2))
    decision = patient.should_stop(experiment, 4)
    assert decision.stop and "3 reports in a row" in decision.reason
    impatient = PercentileRule(50, EarlyStoppingOptions(min_curves=3, patience=9))
    assert "patience" in impatient.should_stop(experiment, 4).reason


def test_threshold_rule_both_directions() -> None:
    experiment = curves_experiment([1.0, 3.0])
    rule = ThresholdRule(2.5)
    assert rule.should_stop(experiment, 1).stop
    assert not rule.should_stop(experiment, 0).stop
    up = curves_experiment([1.0, 3.0], minimize=False)
    assert ThresholdRule(2.0).should_stop(up, 0).stop
    assert not ThresholdRule(2.0).should_stop(up, 1).stop


def test_successive_halving_keeps_the_top_third_at_a_rung() -> None:
    experiment = curves_experiment([float(v) for v in range(1, 10)], steps=3)
    rule = SuccessiveHalvingRule(min_resource=1, reduction_factor=3)
    stopped = [i for i in range(9) if rule.should_stop(experiment, i).stop]
    assert stopped == [3, 4, 5, 6, 7, 8]
    assert "rung 1 (step 3)" in rule.should_stop(experiment, 8).reason


def test_hyperband_compares_within_a_bracket() -> None:
    experiment = curves_experiment([float(v) for v in range(1, 13)], steps=9)
    rule = HyperbandRule(min_resource=1, max_resource=9, reduction_factor=3)
    assert rule.n_brackets == 3
    assert [rule.bracket(i) for i in range(4)] == [0, 1, 2, 0]
    decisions = {i: rule.should_stop(experiment, i) for i in range(12)}
    assert not decisions[0].stop and decisions[9].stop
    assert "of bracket 0" in decisions[9].reason


def test_outcome_constraint_violation_stops() -> None:
    experiment = curves_experiment([1.0, 2.0, 3.0, 4.0], mem=[2.0, 0.5, 0.5, 0.5])
    decision = MedianRule().should_stop(experiment, 0)
    assert decision.stop and "violates the outcome constraint mem <= 1" in decision.reason
    relaxed = MedianRule(EarlyStoppingOptions(respect_constraints=False))
    assert not relaxed.should_stop(experiment, 0).stop


def test_a_rule_on_a_metric_that_is_not_an_objective_is_refused() -> None:
    experiment = curves_experiment([1.0, 2.0], mem=[0.1, 0.1])
    with pytest.raises(UserInputError, match="'mem' is not an objective"):
        MedianRule(EarlyStoppingOptions(metric_name="mem")).validate(experiment)
    assert MedianRule(EarlyStoppingOptions(metric_name="score")).validate(experiment) == "score"


@pytest.mark.parametrize(
    "build, error, match",
    [
        (lambda: EarlyStoppingOptions(min_curves=-1), UserInputError, "min_curves must be >= 0"),
        (lambda: EarlyStoppingOptions(patience=1.5), UserInputTypeError, "patience must be an int"),
        (lambda: EarlyStoppingOptions(min_progression=-2), UserInputError, "min_progression"),
        (lambda: PercentileRule(100), UserInputError, "percentile must be"),
        (lambda: SuccessiveHalvingRule(reduction_factor=1), UserInputError, "reduction_factor"),
        (lambda: HyperbandRule(min_resource=5, max_resource=1), UserInputError, "max_resource"),
        (lambda: ThresholdRule(float("nan")), UserInputError, "threshold must be finite"),
        (lambda: MedianRule({"patience": 1}), UserInputTypeError, "EarlyStoppingOptions"),
    ],
)
def test_bad_options_are_refused(build, error: type, match: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        build()
