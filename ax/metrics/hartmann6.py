"""Hartmann6Metric: the 6-D Hartmann function of six parameters."""

from __future__ import annotations

from typing import ClassVar, Optional

import numpy as np
import numpy.typing as npt

from ax.metrics.noisy_function import NoisyFunctionMetric
from ax.utils.measurement.synthetic_functions import hartmann6


class Hartmann6Metric(NoisyFunctionMetric):
    """The Hartmann6 function of six parameters (minimum ``-3.32237``), plus optional noise.

    See :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> metric = Hartmann6Metric("hartmann6", param_names=[f"x{i}" for i in range(1, 7)])
        >>> metric.f(np.array(hartmann6.minimums[0])) < -3.3
        True
    """

    required_dimensionality: ClassVar[Optional[int]] = 6

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``hartmann6(x)`` for ``x`` of shape ``(6,)``."""
        return float(hartmann6(x))


__all__ = ["Hartmann6Metric", "hartmann6"]
