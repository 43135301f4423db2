"""Statistics helpers used by bandit experiments, at Ax 0.1's import path.

Example:
    >>> from ax.utils.stats.statstools import agresti_coull_sem
    >>> round(agresti_coull_sem(50, 100), 4)
    0.05
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, NamedTuple, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ax.exceptions import UserInputError

TNumeric = Union[int, float, npt.NDArray[np.float64]]


def agresti_coull_sem(
    n_numer: TNumeric,
    n_denom: TNumeric,
    prior_successes: int = 2,
    prior_failures: int = 2,
) -> Union[float, npt.NDArray[np.float64]]:
    """The standard error of a success rate, with Agresti-Coull's pseudo-counts.

    ``p = (successes + prior_successes) / (trials + prior_successes + prior_failures)`` and
    ``sem = sqrt(p (1 - p) / trials)``, as in Ax: unlike the plain binomial SEM it is never
    0, not even at 0 or all successes.

    Args:
        n_numer: Number of successes (a number or an array of `n` counts).
        n_denom: Number of trials (same shape as ``n_numer``).
        prior_successes: Pseudo-successes added (2 for the usual 95 % interval).
        prior_failures: Pseudo-failures added.

    Returns:
        The standard error: a float for scalar inputs, else an array of shape `n`.

    Raises:
        UserInputError: A count is negative, there are more successes than trials, or no
            trials.
    """
    numer = np.asarray(n_numer, dtype=np.float64)
    denom = np.asarray(n_denom, dtype=np.float64)
    if np.any(numer < 0) or np.any(denom <= 0) or np.any(numer > denom):
        raise UserInputError(
            "agresti_coull_sem: need 0 <= n_numer <= n_denom and n_denom > 0, got "
            f"n_numer={n_numer!r}, n_denom={n_denom!r}"
        )
    if prior_successes < 0 or prior_failures < 0 or prior_successes + prior_failures == 0:
        raise UserInputError(
            "agresti_coull_sem: prior_successes and prior_failures must be >= 0 with a "
            f"positive sum, got {prior_successes} and {prior_failures}"
        )
    total = denom + prior_successes + prior_failures
    p = (numer + prior_successes) / total
    sem = np.sqrt(p * (1.0 - p) / denom)
    if sem.ndim == 0:
        return float(sem)
    return sem


class TMarginalEffect(NamedTuple):
    """One level's marginal effect: its arms' mean relative to the mean of all arms."""

    factor: str
    level: Any
    effect: float
    """``100 * (mean of the level's arms - mean of all arms) / |mean of all arms|``."""
    sem: float
    """Standard error of ``effect`` (from the arms' SEMs; NaN when one is unknown)."""
    num_arms: int


def marginal_effects(
    parameterizations: Sequence[Mapping[str, Any]],
    means: Sequence[float],
    sems: Sequence[float],
) -> List[TMarginalEffect]:
    """The marginal effect of every level of every factor, in percent of the overall mean.

    For factor ``f`` and level ``l``: the average of the means of the arms with ``f = l``,
    compared with the average over all arms. The SEM combines the arms' SEMs (the
    overall mean's own uncertainty is ignored).

    Args:
        parameterizations: `n` arms, ``{factor: level}`` each.
        means: `n` means.
        sems: `n` standard errors (NaN when unknown).

    Returns:
        Effects grouped by factor (in order of first appearance), levels sorted by their
        text.

    Raises:
        UserInputError: The lengths differ, there are no arms, or the overall mean is 0.
    """
    n = len(parameterizations)
    if n == 0 or len(means) != n or len(sems) != n:
        raise UserInputError(
            "marginal_effects: need as many means and sems as parameterizations (at least "
            f"one), got {n}, {len(means)} and {len(sems)}"
        )
    overall = float(np.mean(np.asarray(means, dtype=np.float64)))
    if overall == 0.0 or not np.isfinite(overall):
        raise UserInputError(
            f"marginal_effects: the mean of all arms is {overall}, so relative effects are "
            "undefined"
        )
    groups: Dict[Tuple[str, Any], List[int]] = {}
    for i, parameters in enumerate(parameterizations):
        for factor, level in parameters.items():
            groups.setdefault((factor, level), []).append(i)
    factors = list(dict.fromkeys(factor for factor, _ in groups))
    effects: List[TMarginalEffect] = []
    for factor in factors:
        levels = sorted((lv for f, lv in groups if f == factor), key=str)
        for level in levels:
            rows = groups[(factor, level)]
            level_mean = float(np.mean([means[i] for i in rows]))
            level_sem = float(np.sqrt(np.sum([sems[i] ** 2 for i in rows]))) / len(rows)
            effects.append(
                TMarginalEffect(
                    factor=factor,
                    level=level,
                    effect=100.0 * (level_mean - overall) / abs(overall),
                    sem=100.0 * level_sem / abs(overall),
                    num_arms=len(rows),
                )
            )
    return effects


__all__ = ["TMarginalEffect", "agresti_coull_sem", "marginal_effects"]
