"""Outcomes in ``(0, 1)`` mapped to the real line: :class:`InverseGaussianCdfY`."""

from __future__ import annotations

from statistics import NormalDist
from typing import TYPE_CHECKING, List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    config_metrics,
    map_constraint_bounds,
    metric_indices,
)

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

CLIP = 1e-9
"""Means are clipped into ``[CLIP, 1 - CLIP]`` before the quantile (keeps it finite)."""

_STANDARD_NORMAL = NormalDist()


class InverseGaussianCdfY(Transform):
    """Each mean ``p`` in ``[0, 1]`` becomes ``Phi^-1(p)``; variances by the delta method.

    Models uniform-like outcomes (e.g. after
    :class:`~ax.modelbridge.transforms.percentile_y.PercentileY`) as Gaussian ones. A
    covariance ``S_ij`` becomes ``S_ij / (phi(z_i) phi(z_j))`` with ``z = Phi^-1(p)``;
    the untransform ``p = Phi(z)``, ``S_ij = S'_ij phi(z_i) phi(z_j)`` is the exact
    inverse for means inside ``[CLIP, 1 - CLIP]``. Outcome-constraint bounds are mapped
    the same way.

    Config keys: ``metrics`` (default: every metric).

    Raises:
        UserInputError: A transformed mean or constraint bound is outside ``[0, 1]``, or
            a constraint on a transformed metric is relative.
    """

    config_keys = frozenset({"metrics"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.metric_names: Optional[List[str]] = config_metrics("InverseGaussianCdfY", self.config)

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            idx = self._indices(obsd)
            if not idx:
                continue
            p = obsd.means[idx]
            if np.any(~((p >= 0.0) & (p <= 1.0))):
                bad = {obsd.metric_names[i]: float(obsd.means[i]) for i in idx}
                raise UserInputError(
                    f"InverseGaussianCdfY: means must be in [0, 1] (probabilities), got {bad}"
                )
            z = np.array([_STANDARD_NORMAL.inv_cdf(x) for x in np.clip(p, CLIP, 1 - CLIP)])
            obsd.covariance = obsd.covariance / np.outer(*[self._scale(obsd, idx, z)] * 2)
            obsd.means[idx] = z
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
            z = obsd.means[idx].copy()
            obsd.covariance = obsd.covariance * np.outer(*[self._scale(obsd, idx, z)] * 2)
            obsd.means[idx] = np.array([_STANDARD_NORMAL.cdf(x) for x in z])
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        def quantile(constraint: OutcomeConstraint) -> float:
            if not 0.0 <= constraint.bound <= 1.0:
                raise UserInputError(
                    f"InverseGaussianCdfY: outcome constraint {constraint!r} needs a bound in "
                    f"[0, 1], got {constraint.bound!r}"
                )
            return _STANDARD_NORMAL.inv_cdf(min(max(constraint.bound, CLIP), 1 - CLIP))

        return map_constraint_bounds(
            "InverseGaussianCdfY", optimization_config, self._applies, quantile
        )

    def _applies(self, name: str) -> bool:
        return self.metric_names is None or name in self.metric_names

    def _indices(self, obsd: ObservationData) -> List[int]:
        return metric_indices(obsd, self._applies)

    @staticmethod
    def _scale(obsd: ObservationData, idx: List[int], z: np.ndarray) -> np.ndarray:
        """Per metric, ``phi(z)`` for transformed ones and 1 for the others."""
        scale = np.ones(len(obsd.means))
        scale[idx] = [_STANDARD_NORMAL.pdf(x) for x in z]
        return scale


__all__ = ["CLIP", "InverseGaussianCdfY"]
