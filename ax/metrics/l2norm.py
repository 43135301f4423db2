"""L2NormMetric: the Euclidean norm of some parameters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ax.metrics.noisy_function import NoisyFunctionMetric


class L2NormMetric(NoisyFunctionMetric):
    """``sqrt(sum(x ** 2))`` over any number of parameters, plus optional noise.

    Often used as an outcome constraint next to Hartmann6 (``l2norm <= 1.25``). See
    :class:`~ax.metrics.noisy_function.NoisyFunctionMetric` for the arguments.

    Example:
        >>> L2NormMetric("l2norm", param_names=["x", "y"]).f(np.array([3.0, 4.0]))
        5.0
    """

    def f(self, x: npt.NDArray[np.float64]) -> float:
        """The Euclidean norm of ``x`` (shape ``(d,)``)."""
        return float(np.sqrt(np.sum(np.square(x))))


__all__ = ["L2NormMetric"]
