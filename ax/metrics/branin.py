"""Branin metrics: the Branin function of two parameters (and its negative), and the
augmented Branin of two parameters and a fidelity."""

from __future__ import annotations

from typing import ClassVar, Optional

import numpy as np
import numpy.typing as npt

from ax.benchmark.synthetic_functions import aug_branin, branin
from ax.metrics.noisy_function import NoisyFunctionMetric


class BraninMetric(NoisyFunctionMetric):
    """The Branin function of two parameters (minimum ``0.397887``), plus optional noise.

    See :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> metric = BraninMetric("branin", param_names=["x1", "x2"], lower_is_better=True)
        >>> round(metric.f(np.array([np.pi, 2.275])), 6)
        0.397887
    """

    required_dimensionality: ClassVar[Optional[int]] = 2

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``branin(x)`` for ``x`` of shape ``(2,)``."""
        return float(branin(x))


class NegativeBraninMetric(BraninMetric):
    """Minus the Branin function (maximum ``-0.397887``), for maximisation examples.

    Example:
        >>> metric = NegativeBraninMetric("neg_branin", param_names=["x1", "x2"])
        >>> metric.f(np.array([np.pi, 2.275])) < 0
        True
    """

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``-branin(x)`` for ``x`` of shape ``(2,)``."""
        return -float(branin(x))


class AugmentedBraninMetric(NoisyFunctionMetric):
    """Augmented Branin of ``x1, x2`` and a fidelity ``s`` in ``[0, 1]`` (last parameter).

    Equals Branin at ``s = 1`` (minimum ``0.397887``); lower fidelities are cheaper
    approximations for multi-fidelity optimisation. See
    :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> metric = AugmentedBraninMetric("aug_branin", param_names=["x1", "x2", "s"])
        >>> round(metric.f(np.array([np.pi, 2.275, 1.0])), 6)
        0.397887
    """

    required_dimensionality: ClassVar[Optional[int]] = 3

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """``aug_branin(x)`` for ``x`` of shape ``(3,)`` (fidelity last)."""
        return float(aug_branin(x))


__all__ = ["AugmentedBraninMetric", "BraninMetric", "NegativeBraninMetric", "branin"]
