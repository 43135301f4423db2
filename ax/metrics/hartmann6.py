"""Hartmann6 metrics: the 6-D Hartmann function of six parameters, and the augmented
Hartmann6 of six parameters and a fidelity."""

from __future__ import annotations

from typing import ClassVar, Optional

import numpy as np
import numpy.typing as npt

from ax.benchmark.synthetic_functions import aug_hartmann6, hartmann6
from ax.metrics.noisy_function import NoisyFunctionMetric


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


class AugmentedHartmann6Metric(NoisyFunctionMetric):
    """Augmented Hartmann6 of six parameters and a fidelity ``s`` in ``[0, 1]`` (last).

    Equals Hartmann6 at ``s = 1`` (minimum ``-3.32237``); lower fidelities are cheaper
    approximations for multi-fidelity optimisation. See
    :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> names = [f"x{i}" for i in range(1, 7)] + ["s"]
        >>> metric = AugmentedHartmann6Metric("aug_hartmann6", param_names=names)
        >>> metric.f(np.array(hartmann6.minimums[0] + (1.0,))) < -3.3
        True
    """

    required_dimensionality: ClassVar[Optional[int]] = 7

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``aug_hartmann6(x)`` for ``x`` of shape ``(7,)`` (fidelity last)."""
        return float(aug_hartmann6(x))


__all__ = ["AugmentedHartmann6Metric", "Hartmann6Metric", "hartmann6"]
