"""Log-normal outcomes modelled as normal ones: :class:`LogY`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UnsupportedError, UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    config_metrics,
    map_constraint_bounds,
    metric_indices,
)

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge


class LogY(Transform):
    """Natural log of the means of some metrics, with the covariance carried over.

    An observation ``y`` of those metrics is treated as log-normal with mean ``mu`` and
    covariance ``S``; it becomes the normal ``log y`` with (exactly, not by a first-order
    approximation) ``S' = log(1 + S / (mu mu'))`` and ``mu' = log(mu) - diag(S') / 2``.
    Covariances with other metrics are scaled by ``1 / mu`` (delta method). The
    untransform is the exact inverse. Outcome-constraint bounds become ``log(bound)``.

    Config keys: ``metrics`` (required: the metric names to transform),
    ``match_ci_width`` (only False, Ax's default, is supported).

    Raises:
        UserInputError: No ``metrics`` in the config; a transformed mean is not > 0; a
            constraint on a transformed metric is relative or has a bound <= 0.
        UnsupportedError: ``match_ci_width=True``.

    Example:
        >>> t = LogY(space, [], [], config={"metrics": ["revenue"]})
        >>> t.transform_observation_data([ObservationData(["revenue"], [1.0], [[0.0]])], [])
        [ObservationData(metric_names=['revenue'], means=array([0.]), covariance=array([[0.]]))]
    """

    config_keys = frozenset({"metrics", "match_ci_width"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        metrics = config_metrics("LogY", self.config)
        if metrics is None:
            raise UserInputError(
                "LogY: config must name the metrics to log-transform, e.g. "
                "transform_configs={'LogY': {'metrics': ['revenue']}}"
            )
        self.metric_names: List[str] = metrics
        if self.config.get("match_ci_width", False):
            raise UnsupportedError(
                "LogY: match_ci_width=True is not supported (it has no exact inverse); the "
                "exact log-normal moments are used"
            )

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            idx = self._indices(obsd)
            if not idx:
                continue
            mu = obsd.means[idx]
            if np.any(~(mu > 0)):
                bad = {obsd.metric_names[i]: float(obsd.means[i]) for i in idx}
                raise UserInputError(f"LogY: means must be > 0 to take their log, got {bad}")
            scale = np.ones(len(obsd.means))
            scale[idx] = 1.0 / mu
            covariance = obsd.covariance * np.outer(scale, scale)  # delta method, cross terms
            block = np.log1p(obsd.covariance[np.ix_(idx, idx)] / np.outer(mu, mu))
            covariance[np.ix_(idx, idx)] = block
            obsd.means[idx] = np.log(mu) - 0.5 * np.diag(block)
            obsd.covariance = covariance
        return observation_data

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            idx = self._indices(obsd)
            if not idx:
                continue
            block = obsd.covariance[np.ix_(idx, idx)]
            b = obsd.means[idx] + 0.5 * np.diag(block)
            mu = np.exp(b)
            covariance = obsd.covariance.copy()
            scale = np.ones(len(obsd.means))
            scale[idx] = mu
            covariance = covariance * np.outer(scale, scale)
            covariance[np.ix_(idx, idx)] = np.expm1(block) * np.outer(mu, mu)
            obsd.means[idx] = mu
            obsd.covariance = covariance
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        def log_bound(constraint: OutcomeConstraint) -> float:
            if not constraint.bound > 0:
                raise UserInputError(
                    f"LogY: outcome constraint {constraint!r} has bound {constraint.bound!r}; "
                    "a log-transformed metric needs a bound > 0"
                )
            return math.log(constraint.bound)

        return map_constraint_bounds(
            "LogY", optimization_config, lambda name: name in self.metric_names, log_bound
        )

    def _indices(self, obsd: ObservationData) -> List[int]:
        return metric_indices(obsd, self.metric_names.__contains__)


__all__ = ["LogY"]
