"""Outcomes replaced by their percentile among the training data: :class:`PercentileY`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

import numpy as np
import numpy.typing as npt

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.transforms.base import Transform, config_metrics, map_constraint_bounds
from ax.utils.validation import check_bool

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge


class PercentileY(Transform):
    """Each mean becomes the fraction of the metric's training means that are ``<=`` it.

    A robust, rank-based view of heavy-tailed outcomes (as in Ax, the "weak" percentile
    of the empirical CDF). With ``winsorize`` the result is squeezed from ``[0, 1]`` into
    ``[1 / (2n), 1 - 1 / (2n)]`` (``n`` training values), so that
    :class:`~ax.modelbridge.transforms.inverse_gaussian_cdf_y.InverseGaussianCdfY` can
    follow. The noise is not carried over: covariances become NaN (unknown). The
    untransform maps a percentile back to a value by interpolating the training values
    (exact for the training values themselves); covariances stay NaN. Outcome-constraint
    bounds become their percentile.

    Config keys: ``metrics`` (default: every metric), ``winsorize`` (bool, default False).

    Raises:
        DataRequiredError: A transformed metric has no training data.
        UserInputError: An outcome constraint on a transformed metric is relative.
    """

    config_keys = frozenset({"metrics", "winsorize"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        wanted = config_metrics("PercentileY", self.config)
        self.winsorize = check_bool(
            "PercentileY",
            "config['winsorize']",
            self.config.get("winsorize", False),
            type_error=UserInputError,
        )
        values: Dict[str, List[float]] = {}
        for obsd in observation_data:
            for name, mean in zip(obsd.metric_names, obsd.means):
                if wanted is None or name in wanted:
                    values.setdefault(name, []).append(float(mean))
        missing = sorted(set(wanted or []) - set(values))
        if missing or not values:
            raise DataRequiredError(
                f"PercentileY: no training data for metric(s) {missing or 'any'}; "
                "percentiles need observations"
            )
        self.sorted_values: Dict[str, npt.NDArray[np.float64]] = {
            name: np.sort(np.asarray(v)) for name, v in values.items()
        }

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            changed = False
            for i, name in enumerate(obsd.metric_names):
                if name in self.sorted_values:
                    obsd.means[i] = self._percentile(name, float(obsd.means[i]))
                    changed = True
            if changed:
                obsd.covariance = np.full_like(obsd.covariance, np.nan, dtype=np.float64)
        return observation_data

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            for i, name in enumerate(obsd.metric_names):
                if name in self.sorted_values:
                    obsd.means[i] = self._value(name, float(obsd.means[i]))
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        return map_constraint_bounds(
            "PercentileY",
            optimization_config,
            lambda name: name in self.sorted_values,
            lambda c: self._percentile(c.metric.name, float(c.bound)),
        )

    def _positions(self, name: str) -> npt.NDArray[np.float64]:
        """The percentile of each sorted training value (ties share the highest)."""
        values = self.sorted_values[name]
        return self._squeeze(np.searchsorted(values, values, side="right") / len(values), name)

    def _squeeze(self, p: npt.NDArray[np.float64], name: str) -> npt.NDArray[np.float64]:
        if not self.winsorize:
            return p
        n = len(self.sorted_values[name])
        return 1.0 / (2 * n) + p * (1.0 - 1.0 / n)

    def _percentile(self, name: str, value: float) -> float:
        values = self.sorted_values[name]
        p = np.searchsorted(values, value, side="right") / len(values)
        return float(self._squeeze(np.asarray([p]), name)[0])

    def _value(self, name: str, percentile: float) -> float:
        positions = self._positions(name)
        values = self.sorted_values[name]
        unique, first = np.unique(positions, return_index=True)
        return float(np.interp(percentile, unique, values[first]))


__all__ = ["PercentileY"]
