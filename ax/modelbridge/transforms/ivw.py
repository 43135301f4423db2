"""Merge repeated measurements of a metric: :class:`IVW` (inverse-variance weighting)."""

from __future__ import annotations

import warnings
from typing import List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import Transform, config_choice


def ivw_metric_merge(obsd: ObservationData, conflicting_noiseless: str = "warn") -> ObservationData:
    """Merge the repeated metrics of one ObservationData by inverse-variance weighting.

    For each metric measured several times, the merged mean is ``sum_j w_j y_j`` with
    ``w_j = (1 / var_j) / sum_k (1 / var_k)``. A zero variance takes all the weight (the
    first such measurement); a NaN variance anywhere in the group gives equal weights.
    Covariances are propagated: with ``W`` the `k' x k` weight matrix, the merged
    covariance is ``W C W^T``.

    Args:
        obsd: The data; returned unchanged when no metric repeats.
        conflicting_noiseless: What to do when noiseless measurements of a metric
            disagree: ``"warn"``, ``"ignore"`` or ``"raise"``.

    Returns:
        Data with each metric once, metric names sorted.

    Raises:
        UserInputError: Conflicting noiseless measurements with ``"raise"``.
    """
    names = obsd.metric_names
    if len(set(names)) == len(names):
        return obsd
    merged_names = sorted(set(names))
    weights = np.zeros((len(merged_names), len(names)))
    variances = np.diag(obsd.covariance)
    unknown = np.zeros(len(merged_names), dtype=bool)
    for row, metric in enumerate(merged_names):
        idx = np.array([j for j, name in enumerate(names) if name == metric])
        var = variances[idx]
        if np.isnan(var).any():
            weights[row, idx] = 1.0 / len(idx)
            unknown[row] = True
            continue
        zero = idx[var == 0]
        if len(zero):
            means = obsd.means[zero]
            if not np.all(means == means[0]):
                message = (
                    f"IVW: noiseless measurements of metric {metric!r} conflict: "
                    f"{means.tolist()}; keeping the first"
                )
                if conflicting_noiseless == "raise":
                    raise UserInputError(message)
                if conflicting_noiseless == "warn":
                    warnings.warn(message, UserWarning, stacklevel=3)
            weights[row, zero[0]] = 1.0
            continue
        inverse = 1.0 / var
        weights[row, idx] = inverse / inverse.sum()
    means = weights @ obsd.means
    covariance = weights @ np.nan_to_num(obsd.covariance, nan=0.0) @ weights.T
    covariance[unknown, :] = np.nan
    covariance[:, unknown] = np.nan
    return ObservationData(merged_names, means, covariance)


class IVW(Transform):
    """Merges repeated measurements of a metric in each ObservationData.

    See :func:`ivw_metric_merge`. The untransform is the identity (the merge cannot be
    undone, and model predictions have one value per metric anyway).

    Config keys: ``conflicting_noiseless`` (``"warn"``, the default, ``"ignore"`` or
    ``"raise"``).

    Example:
        >>> obsd = ObservationData(["m", "m"], [1.0, 3.0], [[1.0, 0.0], [0.0, 1.0]])
        >>> IVW(space, [], []).transform_observation_data([obsd], [])[0].means
        array([2.])
    """

    config_keys = frozenset({"conflicting_noiseless"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.conflicting_noiseless = config_choice(
            "IVW", self.config, "conflicting_noiseless", "warn", ["warn", "ignore", "raise"]
        )

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        return [ivw_metric_merge(obsd, self.conflicting_noiseless) for obsd in observation_data]


__all__ = ["IVW", "ivw_metric_merge"]
