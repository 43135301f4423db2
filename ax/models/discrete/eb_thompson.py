"""Thompson sampling after empirical-Bayes shrinkage: :class:`EmpiricalBayesThompsonSampler`."""

from __future__ import annotations

from typing import Tuple

import numpy as np

from ax.models.discrete.thompson import ThompsonSampler


def positive_part_james_stein(
    means: np.ndarray, variances: np.ndarray
) -> Tuple[np.ndarray, np.ndarray]:
    """Positive-part James-Stein shrinkage of arm means toward their grand mean.

    For ``K`` arms with observed means ``y_i`` and variances ``s_i^2``, with grand mean
    ``ybar = mean(y)`` and ``S = sum_i (y_i - ybar)^2``::

        phi_i     = min(1, s_i^2 (K - 3) / S)          (phi_i = 1 when S = 0)
        mu_i      = ybar + (1 - phi_i) (y_i - ybar)
        sigma_i^2 = (1 - phi_i) s_i^2 + phi_i s_i^2 / K + 2 phi_i^2 (y_i - ybar)^2 / (K - 3)

    ``phi_i`` is the shrinkage factor (0: the arm's own mean, 1: the grand mean); arms
    measured more noisily are shrunk more. The estimator needs ``K > 3``; with three
    arms or fewer the inputs are returned unchanged.

    Args:
        means: `K` observed means.
        variances: `K` variances of those means (>= 0).

    Returns:
        ``(shrunk means, their variances)``, `K` each (new arrays).
    """
    y = np.asarray(means, dtype=float)
    s2 = np.asarray(variances, dtype=float)
    K = len(y)
    if K <= 3:
        return y.copy(), s2.copy()
    ybar = y.mean()
    spread = float(np.sum((y - ybar) ** 2))
    phi = np.ones(K) if spread == 0.0 else np.minimum(1.0, s2 * (K - 3) / spread)
    shrunk = ybar + (1.0 - phi) * (y - ybar)
    shrunk_var = (1.0 - phi) * s2 + phi * s2 / K + 2.0 * phi**2 * (y - ybar) ** 2 / (K - 3)
    return shrunk, shrunk_var


class EmpiricalBayesThompsonSampler(ThompsonSampler):
    """:class:`ThompsonSampler` on means shrunk by :func:`positive_part_james_stein`.

    At ``fit``, each outcome's arm means are shrunk toward that outcome's grand mean
    (and their variances adjusted) before any sampling; ``predict`` returns the shrunk
    values. Everything else, arguments and state included, is as in
    :class:`ThompsonSampler`.

    Example:
        >>> eb = EmpiricalBayesThompsonSampler(seed=0)
        >>> eb.fit(Xs=[[[0], [1], [2], [3], [4]]], Ys=[[0.0, 1.0, 2.0, 3.0, 4.0]],
        ...        Yvars=[[1.0] * 5], parameter_values=[[0, 1, 2, 3, 4]], outcome_names=["y"])
        >>> mean, cov = eb.predict([[4]])
        >>> bool(2.0 < mean[0, 0] < 4.0)
        True
    """

    def _posterior(self, means: np.ndarray, variances: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        return positive_part_james_stein(means, variances)


__all__ = ["EmpiricalBayesThompsonSampler", "positive_part_james_stein"]
