from __future__ import annotations

import math

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.utils.stats.statstools import agresti_coull_sem, marginal_effects


def test_agresti_coull_sem_scalar_and_array() -> None:
    assert agresti_coull_sem(50, 100) == pytest.approx(0.05)
    # Never 0, even with no successes: the pseudo-counts pull p away from 0.
    p = 2 / 104
    assert agresti_coull_sem(0, 100) == pytest.approx(math.sqrt(p * (1 - p) / 100))
    out = agresti_coull_sem(np.array([0, 50]), np.array([100, 100]))
    assert isinstance(out, np.ndarray) and out.shape == (2,)
    assert out[1] == pytest.approx(0.05)


@pytest.mark.parametrize("numer, denom", [(-1, 10), (11, 10), (0, 0)])
def test_agresti_coull_sem_rejects_bad_counts(numer: int, denom: int) -> None:
    with pytest.raises(UserInputError, match="agresti_coull_sem: need 0 <= n_numer <= n_denom"):
        agresti_coull_sem(numer, denom)


def test_marginal_effects() -> None:
    arms = [{"a": "x", "b": 1}, {"a": "y", "b": 1}, {"a": "x", "b": 2}, {"a": "y", "b": 2}]
    effects = marginal_effects(arms, [1.0, 3.0, 1.0, 3.0], [0.1, 0.1, 0.1, 0.1])
    by_key = {(e.factor, e.level): e for e in effects}
    assert by_key[("a", "x")].effect == pytest.approx(-50.0)
    assert by_key[("a", "y")].effect == pytest.approx(50.0)
    assert by_key[("b", 1)].effect == pytest.approx(0.0)
    assert by_key[("a", "x")].sem == pytest.approx(100 * math.sqrt(0.02) / 2 / 2)
    assert by_key[("a", "x")].num_arms == 2
    with pytest.raises(UserInputError, match="mean of all arms is 0.0"):
        marginal_effects(arms, [1.0, -1.0, 1.0, -1.0], [0.1] * 4)
    with pytest.raises(UserInputError, match="as many means and sems"):
        marginal_effects(arms, [1.0], [0.1])
