"""Clip outlying means to percentiles: :class:`Winsorize`."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import Transform, config_number


class Winsorize(Transform):
    """Clips each metric's means to percentiles of its training means.

    With ``config["winsorization_lower"] = a`` and ``config["winsorization_upper"] = b``
    (fractions in ``[0, 1)``, default 0, with ``a + b < 1``), means below the ``a``
    quantile and above the ``1 - b`` quantile of the metric's training means are
    clipped to those quantiles (the lower cut-off is an observed value at or below the
    quantile, the upper one at or above it). Clipping cannot be undone: the untransform
    is the identity. Metrics without training data are left alone.

    Config keys: ``winsorization_lower``, ``winsorization_upper``.

    Raises:
        UserInputError: A config value is not a fraction in ``[0, 1)``, or they sum to
            1 or more.

    Example:
        >>> t = Winsorize(space, feats, data, config={"winsorization_upper": 0.2})
    """

    config_keys = frozenset({"winsorization_lower", "winsorization_upper"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        lower = config_number("Winsorize", self.config, "winsorization_lower", 0.0, 0.0, 1.0)
        upper = config_number("Winsorize", self.config, "winsorization_upper", 0.0, 0.0, 1.0)
        if lower + upper >= 1.0:
            raise UserInputError(
                "Winsorize: winsorization_lower + winsorization_upper must be < 1, got "
                f"winsorization_lower={lower}, winsorization_upper={upper}"
            )
        values: Dict[str, List[float]] = {}
        for obsd in observation_data:
            for name, mean in zip(obsd.metric_names, obsd.means):
                values.setdefault(name, []).append(float(mean))
        self.cutoffs: Dict[str, Tuple[float, float]] = {}
        for name, ys in values.items():
            array = np.asarray(ys)
            self.cutoffs[name] = (
                float(np.percentile(array, lower * 100, method="lower")),
                float(np.percentile(array, (1 - upper) * 100, method="higher")),
            )

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsd in observation_data:
            means = obsd.means.copy()
            for i, name in enumerate(obsd.metric_names):
                cutoff = self.cutoffs.get(name)
                if cutoff is not None:
                    means[i] = min(max(means[i], cutoff[0]), cutoff[1])
            obsd.means = means
        return observation_data


__all__ = ["Winsorize"]
