"""Tests for ax/benchmark/suite.py: the problem-class suite (known optima, typed checks)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ax.benchmark.suite import CLASSES, SUITE, by_class, get_problem


def test_every_class_has_a_problem() -> None:
    assert {p.problem_class for p in SUITE.values()} == set(CLASSES)
    assert by_class("high_d") == ["hartmann6_d20", "levy10"]


@pytest.mark.parametrize(
    "name, point",
    [
        ("branin", {"x1": math.pi, "x2": 2.275}),
        ("levy10", {f"x{i}": 1.0 for i in range(1, 11)}),
        (
            "ackley_mixed",
            {**{f"x{i}": 0.3 for i in range(1, 6)}, **{f"c{i}": "c" for i in range(1, 6)}},
        ),
        ("gramacy", {"x1": 0.1954, "x2": 0.4044}),
    ],
)
def test_known_optima(name: str, point: dict) -> None:
    problem = get_problem(name)
    assert problem.score(point) == pytest.approx(problem.fmin, abs=1e-3)


def test_irrelevant_dimensions_do_not_change_the_value() -> None:
    p = SUITE["hartmann6_d20"]
    x = {f"x{i}": 0.5 for i in range(1, 21)}
    y = dict(x, x1=0.0, x3=1.0, x20=0.9)
    assert p.true_value(x) == p.true_value(y)


def test_noise_constraints_and_bad_input() -> None:
    noisy = SUITE["hartmann6_noisy"]
    x = {f"x{i}": 0.5 for i in range(1, 7)}
    y, cs = noisy.observe(x, np.random.default_rng(0))
    assert y != noisy.true_value(x) and cs == []
    gramacy = SUITE["gramacy"]
    assert gramacy.score({"x1": 0.0, "x2": 0.0}) == math.inf  # infeasible
    with pytest.raises(ValueError, match="not an integer"):
        SUITE["hartmann6_int"].true_value({f"k{i}": 1.5 for i in range(1, 7)})
    with pytest.raises(ValueError, match="not one of"):
        SUITE["ackley_mixed"].true_value({**x, **{f"c{i}": "z" for i in range(1, 6)}})
    assert get_problem("hartmann6_int").fmin > -3.32237
