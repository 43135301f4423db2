"""Skewed outcomes made closer to normal by a fitted power transform: :class:`PowerTransformY`."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    config_metrics,
    map_constraint_bounds,
    metric_indices,
)
from ax.utils.validation import check_float

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

LAMBDA_BOUNDS = (-2.0, 4.0)
"""Default range searched for each metric's Yeo-Johnson exponent (0 is a log, 1 the
identity, 2 a reflected log)."""

MIN_POINTS = 4
"""Fewer distinct training values than this: the metric is left as it is (lambda = 1)."""

_EDGE = 1e-9
"""How far inside the inverse's domain an out-of-range model value is clipped to."""


@dataclass(frozen=True)
class YeoJohnson:
    """One metric's fitted map ``y -> yj((y - loc) / scale, lam)``.

    Attributes:
        loc: Mean of the training values.
        scale: Their standard deviation (ddof 0), 1 for a constant metric.
        lam: The Yeo-Johnson exponent (1: the map is only a standardisation).
    """

    loc: float
    scale: float
    lam: float

    def forward(self, y: np.ndarray) -> np.ndarray:
        """`n` transformed values of `n` values ``y``."""
        return yeo_johnson((np.asarray(y, dtype=float) - self.loc) / self.scale, self.lam)

    def derivative(self, y: np.ndarray) -> np.ndarray:
        """`n` derivatives of :meth:`forward` at `n` values ``y`` (all > 0)."""
        z = (np.asarray(y, dtype=float) - self.loc) / self.scale
        return yeo_johnson_derivative(z, self.lam) / self.scale

    def inverse(self, t: np.ndarray) -> np.ndarray:
        """`n` values whose transforms are ``t`` (clipped into the map's range first)."""
        return self.loc + self.scale * yeo_johnson_inverse(np.asarray(t, dtype=float), self.lam)


def yeo_johnson(z: np.ndarray, lam: float) -> np.ndarray:
    """The Yeo-Johnson (2000) power transform of ``z`` (any shape) with exponent ``lam``."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    if abs(lam) < 1e-12:
        out[pos] = np.log1p(z[pos])
    else:
        out[pos] = np.expm1(lam * np.log1p(z[pos])) / lam
    if abs(lam - 2.0) < 1e-12:
        out[~pos] = -np.log1p(-z[~pos])
    else:
        out[~pos] = -np.expm1((2.0 - lam) * np.log1p(-z[~pos])) / (2.0 - lam)
    return out


def yeo_johnson_derivative(z: np.ndarray, lam: float) -> np.ndarray:
    """``d yeo_johnson(z, lam) / dz`` (any shape): ``(1 + |z|) ** (+-(lam - 1))``."""
    z = np.asarray(z, dtype=float)
    power = np.where(z >= 0, lam - 1.0, 1.0 - lam)
    return np.exp(power * np.log1p(np.abs(z)))


def yeo_johnson_inverse(t: np.ndarray, lam: float) -> np.ndarray:
    """The inverse of :func:`yeo_johnson` (any shape). With ``lam < 0`` the transform is
    bounded above by ``-1 / lam``, with ``lam > 2`` below by ``-1 / (lam - 2)``; values
    beyond are clipped just inside (a model's prediction can stray there)."""
    t = np.asarray(t, dtype=float).copy()
    if lam < 0:
        t = np.minimum(t, -1.0 / lam - _EDGE)
    if lam > 2:
        t = np.maximum(t, -1.0 / (lam - 2.0) + _EDGE)
    out = np.empty_like(t)
    pos = t >= 0
    if abs(lam) < 1e-12:
        out[pos] = np.expm1(t[pos])
    else:
        out[pos] = np.expm1(np.log1p(lam * t[pos]) / lam)
    if abs(lam - 2.0) < 1e-12:
        out[~pos] = -np.expm1(-t[~pos])
    else:
        out[~pos] = -np.expm1(np.log1p(-(2.0 - lam) * t[~pos]) / (2.0 - lam))
    return out


def fit_yeo_johnson(values: np.ndarray, bounds: tuple[float, float] = LAMBDA_BOUNDS) -> YeoJohnson:
    """The exponent in ``bounds`` that makes the standardised ``values`` most nearly normal
    (maximum likelihood, as :func:`scipy.stats.yeojohnson_normmax`, but bounded).

    Args:
        values: `n` finite training values.
        bounds: The range searched for the exponent.

    Returns:
        The fitted map; the identity exponent 1 with fewer than :data:`MIN_POINTS`
        distinct values.
    """
    from scipy.optimize import minimize_scalar  # lazy: scipy is heavy to import

    values = np.asarray(values, dtype=float)
    loc = float(np.mean(values))
    std = float(np.std(values))
    scale = std if std > 1e-8 * max(1.0, abs(loc)) else 1.0
    if np.unique(values).size < MIN_POINTS:
        return YeoJohnson(loc, scale, 1.0)
    z = (values - loc) / scale
    log_jac = np.sign(z) * np.log1p(np.abs(z))  # sum over points gives the Jacobian term

    # scipy.stats.yeojohnson_llf computes the same, but its argument handling costs 2.3 ms
    # a fit (30 values) against 0.27 ms here, on every suggestion and metric.
    def negative_log_likelihood(lam: float) -> float:
        t = yeo_johnson(z, lam)
        var = float(np.var(t))
        if not var > 0 or not math.isfinite(var):
            return math.inf
        return 0.5 * z.size * math.log(var) - (lam - 1.0) * float(np.sum(log_jac))

    result = minimize_scalar(
        negative_log_likelihood, bounds=bounds, method="bounded", options={"xatol": 1e-4}
    )
    lam = float(result.x) if math.isfinite(float(result.fun)) else 1.0
    return YeoJohnson(loc, scale, lam)


class PowerTransformY(Transform):
    """Each metric's means through a fitted Yeo-Johnson power transform.

    Skewed outcomes (a loss that spans orders of magnitude, a rate near its bound) make a
    GP on their standardised values follow the few large ones. Per metric, the training
    means are standardised and the Yeo-Johnson exponent in ``lambda_bounds`` that makes
    them most nearly normal is fitted by maximum likelihood (Yeo and Johnson, 2000); the
    map is monotone increasing, so objectives keep their direction. Covariances follow
    by the delta method; the untransform is the exact inverse for the means (a model's
    value beyond the map's range is clipped into it) and the delta method for the
    covariances. Outcome-constraint bounds and objective thresholds are mapped like the
    means. Put :class:`~ax.modelbridge.transforms.standardize_y.StandardizeY` after it.

    Config keys: ``metrics`` (the metric names to transform; default every metric with
    training data), ``lambda_bounds`` (a ``(low, high)`` pair; default
    :data:`LAMBDA_BOUNDS`).

    Raises:
        DataRequiredError: There is no training data, or a named metric has none.
        UserInputError: A malformed ``metrics`` or ``lambda_bounds``; a relative outcome
            constraint on a transformed metric (apply Derelativize first).

    Example:
        >>> t = PowerTransformY(space, features, data, config={"metrics": ["loss"]})
        >>> t.maps["loss"].lam  # below 1 for a right-skewed loss
    """

    config_keys = frozenset({"metrics", "lambda_bounds"})

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
                "PowerTransformY: cannot fit a power transform without training data, got 0 "
                "observations",
                hint="attach data first, or use a model that needs none (e.g. Sobol)",
            )
        bounds = _lambda_bounds(self.config.get("lambda_bounds", LAMBDA_BOUNDS))
        values: Dict[str, List[float]] = {}
        for obsd in observation_data:
            for name, mean in zip(obsd.metric_names, obsd.means):
                values.setdefault(name, []).append(float(mean))
        named = config_metrics("PowerTransformY", self.config)
        if named is not None:
            missing = sorted(set(named) - set(values))
            if missing:
                raise DataRequiredError(
                    f"PowerTransformY: no training data for metric(s) {missing}; metrics with "
                    f"data are {sorted(values)}"
                )
        names = named if named is not None else sorted(values)
        self.maps: Dict[str, YeoJohnson] = {
            name: fit_yeo_johnson(np.asarray(values[name]), bounds) for name in names
        }

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            self._map(obsd, inverse=False)
        return observation_data

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            self._map(obsd, inverse=True)
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        def mapped_bound(constraint: OutcomeConstraint) -> float:
            return float(self.maps[constraint.metric.name].forward(np.array([constraint.bound]))[0])

        return map_constraint_bounds(
            "PowerTransformY", optimization_config, self.maps.__contains__, mapped_bound
        )

    def _map(self, obsd: ObservationData, inverse: bool) -> None:
        """``obsd`` in place: its transformed metrics' means through the maps (or their
        inverses), its covariance scaled by their derivatives (delta method)."""
        idx = metric_indices(obsd, self.maps.__contains__)
        if not idx:
            return
        scale = np.ones(len(obsd.means))
        means = obsd.means.copy()
        for i in idx:
            yj = self.maps[obsd.metric_names[i]]
            value = obsd.means[i : i + 1]
            if inverse:
                y = yj.inverse(value)
                means[i], scale[i] = float(y[0]), 1.0 / float(yj.derivative(y)[0])
            else:
                means[i] = float(yj.forward(value)[0])
                scale[i] = float(yj.derivative(value)[0])
        obsd.means = means
        obsd.covariance = obsd.covariance * np.outer(scale, scale)


def _lambda_bounds(value: object) -> tuple[float, float]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise UserInputError(
            f"PowerTransformY: config['lambda_bounds'] must be a (low, high) pair, got {value!r}"
        )
    low = check_float("PowerTransformY", "lambda_bounds[0]", value[0], type_error=UserInputError)
    high = check_float("PowerTransformY", "lambda_bounds[1]", value[1], type_error=UserInputError)
    if not low < high:
        raise UserInputError(
            f"PowerTransformY: config['lambda_bounds'] must have low < high, got {value!r}"
        )
    return low, high


__all__ = [
    "LAMBDA_BOUNDS",
    "PowerTransformY",
    "YeoJohnson",
    "fit_yeo_johnson",
    "yeo_johnson",
    "yeo_johnson_inverse",
]
