"""Builders shared by the plot, report, CLI and browser tests.

``QuadraticBridge`` is a real :class:`~ax.modelbridge.base.ModelBridge` (no transforms)
whose "model" predicts a known function, so figures can be checked value by value:
mean ``(x1 - 1)^2 + (x2 - 2)^2 + 0.1 * x3`` and variance ``0.01 * (1 + x1^2)`` for every
metric.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.modelbridge.base import ModelBridge

POINTS: List[Dict[str, Any]] = [
    {"x1": -4.0, "x2": 1.0, "x3": 2, "c": "a"},
    {"x1": 0.0, "x2": 14.0, "x3": 50, "c": "b"},
    {"x1": 1.0, "x2": 2.0, "x3": 10, "c": "a"},
    {"x1": 7.5, "x2": 9.0, "x3": 99, "c": "b"},
    {"x1": 3.0, "x2": 5.0, "x3": 5, "c": "a"},
]


def quadratic(parameters: Dict[str, Any]) -> float:
    """The function QuadraticBridge predicts (and the experiments record as data)."""
    return float(
        (parameters["x1"] - 1.0) ** 2 + (parameters["x2"] - 2.0) ** 2 + 0.1 * parameters["x3"]
    )


def variance(parameters: Dict[str, Any]) -> float:
    return 0.01 * (1.0 + float(parameters["x1"]) ** 2)


def make_search_space(log_x3: bool = True) -> SearchSpace:
    return SearchSpace(
        parameters=[
            RangeParameter("x1", ParameterType.FLOAT, -5.0, 10.0),
            RangeParameter("x2", ParameterType.FLOAT, 0.0, 15.0),
            RangeParameter("x3", ParameterType.INT, 1, 100, log_scale=log_x3),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b"]),
        ]
    )


def make_experiment(
    name: str = "plot_test",
    minimize: bool = True,
    points: Optional[List[Dict[str, Any]]] = None,
    metric: str = "m",
) -> Experiment:
    """An experiment with one completed 1-arm trial per point and data for ``metric``
    (the quadratic, SEM 0.1) and ``"other"`` (minus the quadratic)."""
    experiment = Experiment(
        search_space=make_search_space(),
        name=name,
        optimization_config=OptimizationConfig(
            objective=Objective(Metric(metric, lower_is_better=minimize), minimize=minimize)
        ),
        tracking_metrics=[Metric("other")],
    )
    for parameters in points if points is not None else POINTS:
        trial = experiment.new_trial().add_arm(Arm(parameters))
        trial.mark_running(no_runner_required=True)
        value = quadratic(parameters)
        experiment.attach_data(
            Data.from_evaluations(
                {trial.arm.name: {metric: (value, 0.1), "other": (-value, 0.2)}},  # type: ignore[union-attr]
                trial_index=trial.index,
            )
        )
        trial.mark_completed()
    return experiment


class QuadraticBridge(ModelBridge):
    """Predicts :func:`quadratic` with :func:`variance` for every training metric."""

    def _predict(self, observation_features: List[ObservationFeatures]) -> List[ObservationData]:
        names = sorted(self.metric_names)
        k = len(names)
        return [
            ObservationData(
                names,
                np.full(k, quadratic(f.parameters)),
                np.eye(k) * variance(f.parameters),
            )
            for f in observation_features
        ]


class NoPredictBridge(ModelBridge):
    """A bridge whose model makes no predictions (like a quasi-random generator's)."""


def make_bridge(experiment: Optional[Experiment] = None, cls: type = QuadraticBridge) -> Any:
    experiment = experiment or make_experiment()
    return cls(
        search_space=experiment.search_space,
        model=None,
        experiment=experiment,
        data=experiment.lookup_data(),
    )
