"""Discrete generators: full factorial designs and (empirical-Bayes) Thompson sampling."""

from __future__ import annotations

import json
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.models.discrete.base import DiscreteModel
from ax.models.discrete.eb_thompson import (
    EmpiricalBayesThompsonSampler,
    positive_part_james_stein,
)
from ax.models.discrete.full_factorial import FullFactorialGenerator
from ax.models.discrete.thompson import ThompsonSampler

W1 = np.array([1.0])


# ------------------------------------------------------------------------- full factorial
def test_full_factorial_all_combinations_in_order() -> None:
    points, weights, metadata = FullFactorialGenerator().gen(-1, [[1, 2], ["a", "b", "c"]])
    assert points == [[1, "a"], [1, "b"], [1, "c"], [2, "a"], [2, "b"], [2, "c"]]
    assert weights == [1.0] * 6
    assert metadata == {}


def test_full_factorial_respects_fixed_features() -> None:
    points, _, _ = FullFactorialGenerator().gen(
        -1, [[1, 2], ["a", "b"], [True]], fixed_features={0: 2}
    )
    assert points == [[2, "a", True], [2, "b", True]]


def test_full_factorial_n_at_least_cardinality_returns_all_once() -> None:
    points, weights, _ = FullFactorialGenerator().gen(10, [[1, 2], [3, 4]])
    assert len(points) == 4 and len(weights) == 4


@pytest.mark.parametrize("n", [1, 3, 0, -2])
def test_full_factorial_n_too_small_raises(n: int) -> None:
    with pytest.raises(
        UserInputError,
        match=rf"n must be -1 \(all\) or at least the number of combinations \(4\), got n={n}",
    ):
        FullFactorialGenerator().gen(n, [[1, 2], [3, 4]])


def test_full_factorial_cardinality_check() -> None:
    values: List[List[Any]] = [list(range(10)), list(range(11))]
    with pytest.raises(
        UserInputError, match=r"has 110 combinations, more than max_cardinality=100"
    ):
        FullFactorialGenerator().gen(-1, values)
    points, _, _ = FullFactorialGenerator(check_cardinality=False).gen(-1, values)
    assert len(points) == 110
    points, _, _ = FullFactorialGenerator(max_cardinality=110).gen(-1, values)
    assert len(points) == 110


def test_full_factorial_errors() -> None:
    g = FullFactorialGenerator()
    with pytest.raises(UserInputError, match=r"parameter_values\[1\] has no values"):
        g.gen(-1, [[1], []])
    with pytest.raises(
        UserInputError, match=r"fixed_features key must be a parameter index < 2, got 2"
    ):
        g.gen(-1, [[1], [2]], fixed_features={2: 1})
    with pytest.raises(UserInputError, match=r"n must be an integer, got 'all'"):
        g.gen("all", [[1]])  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match=r"unknown model_gen_options \['x'\]"):
        g.gen(-1, [[1]], model_gen_options={"x": 1})
    with pytest.raises(
        UserInputError, match=r"max_cardinality must be >= 1, got max_cardinality=0"
    ):
        FullFactorialGenerator(max_cardinality=0)
    with pytest.raises(UnsupportedError, match="FullFactorialGenerator does not support predict"):
        g.predict([[1]])


def test_full_factorial_state_round_trip() -> None:
    g = FullFactorialGenerator(max_cardinality=7, check_cardinality=False)
    state = g.get_state()
    assert state == {"max_cardinality": 7, "check_cardinality": False}
    assert FullFactorialGenerator(**state).get_state() == state


def test_full_factorial_fit_is_accepted_and_ignored() -> None:
    g = FullFactorialGenerator()
    g.fit([[[1]]], [[0.0]], [[0.0]], [[1, 2]], ["y"])
    assert g.gen(-1, [[1, 2]])[0] == [[1], [2]]


# ------------------------------------------------------------------------- Thompson
def fitted(
    means: List[float],
    variances: List[float] | None = None,
    cls: type[ThompsonSampler] = ThompsonSampler,
    **kwargs: Any,
) -> ThompsonSampler:
    """A sampler fitted on one outcome with arms [0], [1], ... ."""
    k = len(means)
    sampler = cls(**{"seed": 0, "num_samples": 4000, **kwargs})
    sampler.fit(
        Xs=[[[j] for j in range(k)]],
        Ys=[means],
        Yvars=[variances if variances is not None else [0.1] * k],
        parameter_values=[list(range(k))],
        outcome_names=["y"],
    )
    return sampler


def test_thompson_clear_winner_gets_weight_one() -> None:
    sampler = fitted([0.0, 1.0, 10.0, 2.0], num_samples=10000)
    points, weights, metadata = sampler.gen(0, [[0, 1, 2, 3]], objective_weights=W1)
    assert points == [[2]]
    assert weights == [1.0]
    assert metadata["win_probabilities"][0] > 0.999


def test_thompson_two_arms_default_min_weight_never_drops_the_best() -> None:
    # The reference's default (2 / k = 1.0 for two arms) could never be exceeded.
    points, weights, _ = fitted([0.0, 5.0]).gen(1, [[0, 1]], objective_weights=W1)
    assert points == [[1]] and weights == [1.0]
    points, _, _ = fitted([3.0]).gen(1, [[0]], objective_weights=W1)
    assert points == [[0]]


def test_thompson_win_probabilities_of_a_tie() -> None:
    sampler = fitted([0.0, 0.0], [1.0, 1.0], min_weight=0.0, num_samples=20000)
    points, weights, metadata = sampler.gen(0, [[0, 1]], objective_weights=W1)
    assert {p[0] for p in points} == {0, 1}
    assert all(abs(w - 0.5) < 0.02 for w in weights)
    assert abs(sum(metadata["win_probabilities"]) - 1.0) < 1e-12


def test_thompson_min_weight_filters_and_top_n() -> None:
    # Arms 0 and 1 are close; arms 2 and 3 are far behind.
    sampler = fitted([1.0, 1.05, -5.0, -6.0], min_weight=0.1)
    points, weights, metadata = sampler.gen(0, [[0, 1, 2, 3]], objective_weights=W1)
    assert {p[0] for p in points} == {0, 1}
    assert points[0] == [1]  # best first
    assert weights[0] >= weights[1] and abs(sum(weights) - 1.0) < 1e-12
    assert metadata["min_weight"] == 0.1
    top, top_weights, _ = sampler.gen(1, [[0, 1, 2, 3]], objective_weights=W1)
    assert top == [[1]] and top_weights == [1.0]


def test_thompson_uniform_weights() -> None:
    sampler = fitted([1.0, 1.05, -5.0], min_weight=0.05, uniform_weights=True)
    _, weights, _ = sampler.gen(0, [[0, 1, 2]], objective_weights=W1)
    assert weights == [0.5, 0.5]


def test_thompson_min_weight_too_high_raises() -> None:
    sampler = fitted([0.0, 0.0, 0.0], [1.0] * 3, min_weight=0.9)
    with pytest.raises(
        UnsupportedError, match=r"no arm has a win probability above min_weight=0.9"
    ):
        sampler.gen(0, [[0, 1, 2]], objective_weights=W1)


def test_thompson_negative_objective_weight_minimises() -> None:
    points, _, _ = fitted([0.0, 1.0, 10.0]).gen(1, [[0, 1, 2]], objective_weights=-W1)
    assert points == [[0]]


def two_outcome_sampler(**kwargs: Any) -> ThompsonSampler:
    """Arms [0..3]; outcome 0 (objective) best at arm 3, outcome 1 large at arm 3."""
    sampler = ThompsonSampler(seed=1, num_samples=4000, **kwargs)
    arms = [[j] for j in range(4)]
    sampler.fit(
        Xs=[arms, list(reversed(arms))],  # outcomes may list arms in any order
        Ys=[[0.0, 1.0, 2.0, 10.0], [10.0, 0.0, 0.0, 0.0]],  # outcome 1 reversed: arm 3 = 10
        Yvars=[[0.01] * 4, [0.01] * 4],
        parameter_values=[[0, 1, 2, 3]],
        outcome_names=["objective", "cost"],
    )
    return sampler


def test_thompson_outcome_constraints_remove_infeasible_winner() -> None:
    sampler = two_outcome_sampler()
    w = np.array([1.0, 0.0])
    assert sampler.gen(1, [[0, 1, 2, 3]], objective_weights=w)[0] == [[3]]
    constraint = (np.array([[0.0, 1.0]]), np.array([[5.0]]))  # cost <= 5
    points, _, metadata = sampler.gen(1, [[0, 1, 2, 3]], w, outcome_constraints=constraint)
    assert points == [[2]]
    assert metadata["fraction_infeasible"] == 0.0


def test_thompson_infeasible_constraints_raise() -> None:
    sampler = two_outcome_sampler()
    constraint = (np.array([[0.0, 1.0]]), np.array([[-5.0]]))  # cost <= -5: nobody
    with pytest.raises(UserInputError, match=r"outcome constraints are infeasible for 100.0%"):
        sampler.gen(1, [[0, 1, 2, 3]], np.array([1.0, 0.0]), outcome_constraints=constraint)


def test_thompson_is_seeded_and_reproducible() -> None:
    def weights(seed: int) -> List[float]:
        sampler = fitted([0.0, 0.1, 0.2], [1.0] * 3, min_weight=0.0, seed=seed, num_samples=500)
        return sampler.gen(0, [[0, 1, 2]], objective_weights=W1)[1]

    assert weights(3) == weights(3)
    assert weights(3) != weights(4)


def test_thompson_state_round_trip() -> None:
    sampler = fitted([0.0, 0.1, 0.2], [1.0] * 3, min_weight=0.0, num_samples=500, seed=None)
    state = sampler.get_state()
    assert set(state) == {"num_samples", "min_weight", "uniform_weights", "seed"}
    assert isinstance(state["seed"], int)
    assert json.loads(json.dumps(state)) == state
    rebuilt = fitted([0.0, 0.1, 0.2], [1.0] * 3, **state)
    assert rebuilt.gen(0, [[0, 1, 2]], W1) == sampler.gen(0, [[0, 1, 2]], W1)


def test_thompson_fixed_features_restrict_arms() -> None:
    sampler = ThompsonSampler(seed=0, num_samples=1000)
    arms = [[0, "a"], [0, "b"], [1, "a"], [1, "b"]]
    sampler.fit([arms], [[0.0, 1.0, 2.0, 3.0]], [[0.01] * 4], [[0, 1], ["a", "b"]], ["y"])
    points, _, _ = sampler.gen(1, [[0, 1], ["a", "b"]], W1, fixed_features={1: "a"})
    assert points == [[1, "a"]]
    with pytest.raises(UserInputError, match=r"no fitted arm has the fixed features \{1: 'c'\}"):
        sampler.gen(1, [[0, 1], ["a", "b"]], W1, fixed_features={1: "c"})


def test_thompson_predict() -> None:
    sampler = two_outcome_sampler()
    mean, cov = sampler.predict([[3], [0]])
    np.testing.assert_array_equal(mean, [[10.0, 10.0], [0.0, 0.0]])
    assert cov.shape == (2, 2, 2)
    np.testing.assert_array_equal(cov[0], np.diag([0.01, 0.01]))
    with pytest.raises(UserInputError, match=r"X\[0\] = \[7\] is not a fitted arm"):
        sampler.predict([[7]])


def test_thompson_gen_and_predict_before_fit_raise() -> None:
    with pytest.raises(
        DataRequiredError, match=r"ThompsonSampler.gen: ThompsonSampler has not been fitted"
    ):
        ThompsonSampler().gen(1, [[0]], W1)
    with pytest.raises(DataRequiredError, match=r"has not been fitted"):
        EmpiricalBayesThompsonSampler().predict([[0]])


@pytest.mark.parametrize(
    ("fit_kwargs", "match"),
    [
        ({"Ys": [[0.0]]}, r"outcome 0 \('y'\) has 2 points, 1 Ys and 2 Yvars"),
        ({"Ys": [[0.0, float("nan")]]}, r"Ys\[0\]\[1\] \(outcome 0 'y'\) must be finite, got nan"),
        ({"Ys": [[float("inf"), 0.0]]}, r"Ys\[0\]\[0\] \(outcome 0 'y'\) must be finite, got inf"),
        ({"Yvars": [[0.1, -1.0]]}, r"Yvars\[0\]\[1\] \(outcome 0 'y'\) must be >= 0, got -1.0"),
        ({"Ys": [[0.0, "x"]]}, r"Ys\[0\]\[1\] \(outcome 0 'y'\) must be a real number, got 'x'"),
        ({"outcome_names": ["y", "z"]}, r"one entry per outcome, got lengths"),
        ({"Xs": [[[0], [1, 2]]]}, r"Xs\[0\]\[1\] \(outcome 0\): must be a list of 1 parameter"),
        ({"Xs": [[[0], [[1]]]]}, r"Xs\[0\]\[1\] \(outcome 0\): values must be hashable"),
        ({"Xs": [[[0], [0]]]}, r"Xs\[0\]\[1\] \(outcome 0\) repeats arm \[0\]"),
    ],
)
def test_thompson_fit_validates(fit_kwargs: Dict[str, Any], match: str) -> None:
    kwargs: Dict[str, Any] = {
        "Xs": [[[0], [1]]],
        "Ys": [[0.0, 1.0]],
        "Yvars": [[0.1, 0.1]],
        "parameter_values": [[0, 1]],
        "outcome_names": ["y"],
        **fit_kwargs,
    }
    with pytest.raises(UserInputError, match=match):
        ThompsonSampler().fit(**kwargs)


def test_thompson_fit_requires_same_arms_for_every_outcome() -> None:
    with pytest.raises(UserInputError, match=r"outcome 1 \('z'\) does not observe arms \[\[1\]\]"):
        ThompsonSampler().fit(
            [[[0], [1]], [[0]]], [[0.0, 1.0], [0.0]], [[0.1, 0.1], [0.1]], [[0, 1]], ["y", "z"]
        )
    with pytest.raises(UserInputError, match=r"Xs\[1\]\[0\] \(outcome 1\) is arm \[5\]"):
        ThompsonSampler().fit([[[0]], [[5]]], [[0.0], [0.0]], [[0.1], [0.1]], [[0, 5]], ["y", "z"])


@pytest.mark.parametrize(
    ("gen_kwargs", "match"),
    [
        ({"objective_weights": None}, r"objective_weights are required, got None"),
        ({"objective_weights": np.array([1.0, 2.0])}, r"objective_weights must be 1 finite"),
        ({"objective_weights": np.array([0.0])}, r"objective_weights must not all be zero"),
        (
            {"outcome_constraints": (np.ones((1, 2)), np.ones((1, 1)))},
            r"outcome_constraints A must be k x m with m=1, got shape \(1, 2\)",
        ),
        ({"n": 1.5}, r"n must be an integer, got 1.5"),
        ({"model_gen_options": {"num_samples": 3}}, r"unknown model_gen_options \['num_samples'\]"),
    ],
)
def test_thompson_gen_validates(gen_kwargs: Dict[str, Any], match: str) -> None:
    kwargs: Dict[str, Any] = {"n": 1, "parameter_values": [[0, 1]], "objective_weights": W1}
    with pytest.raises(UserInputError, match=match):
        fitted([0.0, 1.0]).gen(**{**kwargs, **gen_kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"num_samples": 0}, r"num_samples must be >= 1, got num_samples=0"),
        ({"min_weight": 1.0}, r"min_weight must be in \[0, 1\), got 1.0"),
        ({"uniform_weights": "no"}, r"uniform_weights must be a bool, got 'no'"),
        ({"seed": "x"}, r"seed must be an integer, got 'x'"),
    ],
)
def test_thompson_constructor_validates(kwargs: Dict[str, Any], match: str) -> None:
    with pytest.raises(UserInputError, match=rf"ThompsonSampler: {match}"):
        ThompsonSampler(**kwargs)


# ------------------------------------------------------------------------- empirical Bayes
def test_james_stein_moves_means_toward_grand_mean() -> None:
    y = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    s2 = np.array([1.0, 1.0, 4.0, 1.0, 0.0])
    shrunk, shrunk_var = positive_part_james_stein(y, s2)
    ybar = y.mean()
    assert np.all(np.abs(shrunk - ybar) <= np.abs(y - ybar) + 1e-12)
    assert np.all(np.abs(shrunk[:4] - ybar) < np.abs(y[:4] - ybar))
    assert shrunk[4] == y[4]  # no noise, no shrinkage
    assert np.all(shrunk_var >= 0)
    # The formula, checked on one arm.
    spread = np.sum((y - ybar) ** 2)
    phi = min(1.0, s2[0] * 2 / spread)
    assert shrunk[0] == pytest.approx(ybar + (1 - phi) * (y[0] - ybar))
    expected_var = (1 - phi) * s2[0] + phi * s2[0] / 5 + 2 * phi**2 * (y[0] - ybar) ** 2 / 2
    assert shrunk_var[0] == pytest.approx(expected_var)


def test_james_stein_shrinks_noisier_arms_more() -> None:
    y = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    shrunk, _ = positive_part_james_stein(y, np.array([1.0, 1.0, 1.0, 1.0, 4.0]))
    assert 0.0 < shrunk[4] < -shrunk[0]  # same distance from the mean, four times the variance


def test_james_stein_leaves_three_arms_or_fewer_and_handles_equal_means() -> None:
    y, s2 = np.array([0.0, 5.0, 9.0]), np.ones(3)
    shrunk, shrunk_var = positive_part_james_stein(y, s2)
    np.testing.assert_array_equal(shrunk, y)
    np.testing.assert_array_equal(shrunk_var, s2)
    shrunk, shrunk_var = positive_part_james_stein(np.full(4, 2.0), np.ones(4))
    np.testing.assert_array_equal(shrunk, np.full(4, 2.0))
    np.testing.assert_allclose(shrunk_var, np.full(4, 0.25))


def test_eb_thompson_predicts_and_samples_shrunk_means() -> None:
    means = [0.0, 1.0, 2.0, 3.0, 4.0]
    eb = fitted(means, [4.0] * 5, cls=EmpiricalBayesThompsonSampler, min_weight=0.0)
    plain = fitted(means, [4.0] * 5, min_weight=0.0)
    eb_mean, _ = eb.predict([[j] for j in range(5)])
    assert np.all(np.abs(eb_mean[:, 0] - 2.0) <= np.abs(np.array(means) - 2.0))
    assert eb_mean[4, 0] < 4.0 and eb_mean[0, 0] > 0.0
    eb_best = eb.gen(1, [list(range(5))], W1)[2]["win_probabilities"][0]
    plain_best = plain.gen(1, [list(range(5))], W1)[2]["win_probabilities"][0]
    assert eb_best < plain_best  # shrinkage makes the leader less certain
    assert EmpiricalBayesThompsonSampler(**eb.get_state()).get_state() == eb.get_state()


def test_discrete_models_are_discrete_models() -> None:
    for model in (FullFactorialGenerator(), ThompsonSampler(), EmpiricalBayesThompsonSampler()):
        assert isinstance(model, DiscreteModel)
