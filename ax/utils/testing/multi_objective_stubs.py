"""Builders of multi-objective core objects for tests: small and deterministic.

Example:
    >>> experiment = get_multi_objective_experiment(num_trials=4)
    >>> sorted(experiment.optimization_config.objective_thresholds_by_metric)
    ['acc', 'latency']
"""

from __future__ import annotations

from typing import Optional

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective, ScalarizedObjective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig, OptimizationConfig
from ax.core.outcome_constraint import ObjectiveThreshold, OutcomeConstraint
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType


def get_multi_objective_optimization_config(
    thresholds: bool = True, constraint: bool = True
) -> MultiObjectiveOptimizationConfig:
    """``acc`` (maximised, threshold ``>= 0.2``) and ``latency`` (minimised, threshold
    ``<= 1.5``), with an outcome constraint ``cost <= 0.9`` (absolute)."""
    return MultiObjectiveOptimizationConfig(
        objective=MultiObjective(
            [
                Objective(Metric("acc", lower_is_better=False), minimize=False),
                Objective(Metric("latency", lower_is_better=True), minimize=True),
            ]
        ),
        outcome_constraints=(
            [OutcomeConstraint(Metric("cost"), ComparisonOp.LEQ, 0.9, relative=False)]
            if constraint
            else None
        ),
        objective_thresholds=(
            [
                ObjectiveThreshold(Metric("acc", lower_is_better=False), 0.2),
                ObjectiveThreshold(Metric("latency", lower_is_better=True), 1.5),
            ]
            if thresholds
            else None
        ),
    )


def multi_objective_values(x: float, y: float) -> dict:
    """``acc``, ``latency`` and ``cost`` of a point of the unit square: acc and latency
    trade off along ``x``; cost grows with ``y``."""
    return {
        "acc": (x * (1.0 - 0.3 * y), 0.0),
        "latency": (0.5 + 1.5 * x**2 + 0.2 * y, 0.0),
        "cost": (y, 0.0),
    }


def get_multi_objective_experiment(
    num_trials: int = 0, name: str = "moo", seed: int = 0, scalarized: bool = False
) -> Experiment:
    """A two-parameter experiment (``x``, ``y`` in [0, 1]) with the config of
    :func:`get_multi_objective_optimization_config` (or, with ``scalarized``, a
    :class:`ScalarizedObjective` over ``acc`` and ``latency``) and ``num_trials``
    COMPLETED single-arm trials with data from :func:`multi_objective_values`."""
    import numpy as np

    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.FLOAT, 0.0, 1.0),
        ]
    )
    config: Optional[OptimizationConfig]
    if scalarized:
        config = OptimizationConfig(
            ScalarizedObjective([Metric("acc"), Metric("latency")], weights=[1.0, -0.5])
        )
    else:
        config = get_multi_objective_optimization_config()
    experiment = Experiment(space, name=name, optimization_config=config)
    rng = np.random.default_rng(seed)
    for x, y in rng.random((num_trials, 2)).tolist():
        arm = Arm({"x": x, "y": y})
        gr = GeneratorRun(arms=[arm], search_space=space, model_key="Sobol", gen_time=0.001)
        trial = experiment.new_trial(generator_run=gr)
        trial.mark_running(no_runner_required=True).mark_completed()
        experiment.attach_data(
            Data.from_evaluations({arm.name: multi_objective_values(x, y)}, trial.index)
        )
    return experiment


__all__ = [
    "get_multi_objective_experiment",
    "get_multi_objective_optimization_config",
    "multi_objective_values",
]
