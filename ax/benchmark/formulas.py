"""The formulas of the test problems, on numpy arrays: the one place each is written.

This module imports numpy alone (nothing from ``ax``, not even :mod:`ax.exceptions`), so
that ``bench/`` can load it by its file path inside the peers' virtualenvs, where ``ax`` is
another package. The checked, user-facing objects built on it are in
:mod:`ax.benchmark.synthetic_functions` and :mod:`ax.benchmark.problems`.

Example:
    >>> import numpy as np
    >>> X = np.array([[np.pi, 2.275], [-5.0, 0.0]])
    >>> np.round(branin_values(X[:, 0], X[:, 1], np.full(2, BRANIN_B)), 4).tolist()
    [0.3979, 308.1291]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BRANIN_B = 5.1 / (4 * np.pi**2)
"""Branin's coefficient of ``x1^2`` (the augmented Branin lowers it at low fidelity)."""

H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
"""Hartmann6's weights of its four terms (shape ``(4,)``)."""

H6_A = np.array(
    [
        [10.0, 3.0, 17.0, 3.5, 1.7, 8.0],
        [0.05, 10.0, 17.0, 0.1, 8.0, 14.0],
        [3.0, 3.5, 1.7, 10.0, 17.0, 8.0],
        [17.0, 8.0, 0.05, 10.0, 0.1, 14.0],
    ]
)
"""Hartmann6's scales (shape ``4 x 6``)."""

H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
"""Hartmann6's centres (shape ``4 x 6``)."""


def branin_values(
    x1: npt.NDArray[np.float64], x2: npt.NDArray[np.float64], b: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Branin with the coefficient ``b`` of ``x1^2`` given per point.

    ``(x2 - b x1^2 + 5 x1 / pi - 6)^2 + 10 (1 - 1 / (8 pi)) cos(x1) + 10``.

    Args:
        x1: First inputs, shape ``(n,)``.
        x2: Second inputs, shape ``(n,)``.
        b: Coefficients of ``x1^2``, shape ``(n,)`` (:data:`BRANIN_B` for Branin itself).

    Returns:
        The values, shape ``(n,)``.
    """
    y = (x2 - b * x1**2 + 5 / np.pi * x1 - 6) ** 2
    y += 10 * (1 - 1 / (8 * np.pi)) * np.cos(x1) + 10
    return np.asarray(y, dtype=np.float64)


def hartmann6_values(
    X: npt.NDArray[np.float64], alpha: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Hartmann6 ``-sum_i alpha_i exp(-sum_j A_ij (x_j - P_ij)^2)`` at the rows of ``X``.

    Args:
        X: Points, shape ``n x 6``.
        alpha: Weights per row, shape ``n x 4`` (:data:`H6_ALPHA` broadcast for Hartmann6
            itself).

    Returns:
        The values, shape ``(n,)``.
    """
    inner = np.sum(H6_A[None, :, :] * (X[:, None, :] - H6_P[None, :, :]) ** 2, axis=2)
    return np.asarray(-np.sum(alpha * np.exp(-inner), axis=1), dtype=np.float64)


__all__ = ["BRANIN_B", "H6_A", "H6_ALPHA", "H6_P", "branin_values", "hartmann6_values"]
