"""Builders of experiments used only by tests (the ones users need, and the storage
conformance suite uses, are in :mod:`ax.utils.testing.core_stubs`)."""

from __future__ import annotations

from ax.benchmark import AUG_BRANIN
from ax.core.experiment import Experiment
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.metrics.branin import AugmentedBraninMetric
from ax.runners.synthetic import SyntheticRunner


def get_augmented_branin_experiment(name: str = "aug_branin") -> Experiment:
    """Multi-fidelity Branin (:data:`ax.benchmark.AUG_BRANIN`): ``x1`` in [-5, 10], ``x2``
    in [0, 15] and a fidelity ``s`` in [0, 1] (target 1); objective ``f`` (minimised) by
    ``AugmentedBraninMetric``, with a :class:`SyntheticRunner`, and no trials."""
    (x1, x2, s) = AUG_BRANIN.bounds
    space = SearchSpace(
        [
            RangeParameter("x1", ParameterType.FLOAT, *x1),
            RangeParameter("x2", ParameterType.FLOAT, *x2),
            RangeParameter("s", ParameterType.FLOAT, *s, is_fidelity=True, target_value=1.0),
        ]
    )
    metric = AugmentedBraninMetric(
        "f", param_names=list(AUG_BRANIN.param_names), lower_is_better=True
    )
    return Experiment(
        space,
        name=name,
        optimization_config=OptimizationConfig(Objective(metric, minimize=True)),
        runner=SyntheticRunner(),
    )
