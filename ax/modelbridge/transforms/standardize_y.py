"""Standardise each metric to mean 0 and standard deviation 1: :class:`StandardizeY`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.transforms.base import Transform

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

MIN_STD = 1e-8
"""A standard deviation below this is replaced by 1 (a constant metric is only centred)."""


class StandardizeY(Transform):
    """Each metric's means become ``(y - mean) / std`` over the training data.

    ``mean`` and ``std`` (ddof 0) are computed per metric from the training means; a
    ``std`` below :data:`MIN_STD` is replaced by 1. Covariances are divided by
    ``std_i * std_j``, and outcome-constraint bounds are standardised like the means.

    Raises:
        DataRequiredError: There is no training data, or a constrained metric has none.
        UserInputError: An outcome constraint is relative (apply Derelativize first).

    Example:
        >>> # training means of "m": [1.0, 3.0] -> mean 2, std 1
        >>> t.transform_observation_data([ObservationData(["m"], [3.0], [[4.0]])], [])[0]
        ObservationData(metric_names=['m'], means=array([1.]), covariance=array([[4.]]))
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        if not observation_data:
            raise DataRequiredError(
                "StandardizeY: cannot standardise without training data, got 0 observations",
                hint="attach data first, or use a model that needs none (e.g. Sobol)",
            )
        values: Dict[str, List[float]] = {}
        for obsd in observation_data:
            for name, mean in zip(obsd.metric_names, obsd.means):
                values.setdefault(name, []).append(float(mean))
        self.Ymean: Dict[str, float] = {}
        self.Ystd: Dict[str, float] = {}
        for name, ys in values.items():
            array = np.asarray(ys)
            std = float(np.std(array))
            self.Ymean[name] = float(np.mean(array))
            self.Ystd[name] = std if std >= MIN_STD else 1.0

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            standardize(obsd, *self._stats(obsd.metric_names))
        return observation_data

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            unstandardize(obsd, *self._stats(obsd.metric_names))
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        new_constraints = []
        for constraint in optimization_config.outcome_constraints:
            if constraint.relative:
                raise UserInputError(
                    f"StandardizeY: outcome constraint {constraint!r} is relative; it must be "
                    "made absolute before standardisation",
                    hint="put Derelativize before StandardizeY in the transforms",
                )
            name = constraint.metric.name
            if name not in self.Ymean:
                raise DataRequiredError(
                    f"StandardizeY: no training data for metric {name!r} of outcome "
                    f"constraint {constraint!r}"
                )
            standardised = constraint.clone()
            standardised.bound = (constraint.bound - self.Ymean[name]) / self.Ystd[name]
            new_constraints.append(standardised)
        optimization_config.outcome_constraints = new_constraints
        return optimization_config

    def _stats(self, metric_names: List[str]) -> tuple[np.ndarray, np.ndarray]:
        try:
            means = np.array([self.Ymean[name] for name in metric_names])
            stds = np.array([self.Ystd[name] for name in metric_names])
        except KeyError as err:
            raise DataRequiredError(
                f"StandardizeY: metric {err.args[0]!r} had no training data; known metrics "
                f"are {sorted(self.Ymean)}"
            ) from None
        return means, stds


def standardize(obsd: ObservationData, means: np.ndarray, stds: np.ndarray) -> None:
    """``obsd`` in place: means ``(y - means) / stds``, covariance over ``stds stds'``.

    Args:
        obsd: `k` metrics.
        means: `k` means to subtract.
        stds: `k` standard deviations to divide by.
    """
    obsd.means = (obsd.means - means) / stds
    obsd.covariance = obsd.covariance / np.outer(stds, stds)


def unstandardize(obsd: ObservationData, means: np.ndarray, stds: np.ndarray) -> None:
    """The inverse of :func:`standardize`, in place."""
    obsd.means = obsd.means * stds + means
    obsd.covariance = obsd.covariance * np.outer(stds, stds)


__all__ = ["MIN_STD", "StandardizeY", "standardize", "unstandardize"]
