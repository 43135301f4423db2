from __future__ import annotations

import math

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.parameter import ChoiceParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError
from ax.metrics.factorial import FactorialMetric, evaluation_function

COEFFICIENTS = {"f1": {"a": 0.1, "b": 0.5}, "f2": {"c": 0.0, "d": 1.0}}


def _experiment() -> Experiment:
    space = SearchSpace(
        [
            ChoiceParameter(f, ParameterType.STRING, list(levels))
            for f, levels in COEFFICIENTS.items()
        ]
    )
    return Experiment(space, name="factorial")


def test_probability_is_logistic_of_summed_coefficients() -> None:
    metric = FactorialMetric("m", COEFFICIENTS)
    assert metric.probability({"f1": "b", "f2": "d"}) == pytest.approx(1 / (1 + math.exp(-1.5)))
    assert metric.lower_is_better is False
    with pytest.raises(UserInputError, match="level 'z' of factor 'f1'"):
        metric.probability({"f1": "z", "f2": "d"})
    with pytest.raises(UserInputError, match="factor 'f3' of arm"):
        metric.probability({"f3": "a"})


def test_fetch_trial_data_simulates_batch_by_weight() -> None:
    exp = _experiment()
    metric = FactorialMetric("m", COEFFICIENTS, batch_size=20000, seed=1)
    batch = exp.new_batch_trial()
    batch.add_arms_and_weights(
        [Arm({"f1": "a", "f2": "c"}), Arm({"f1": "b", "f2": "d"})], [1.0, 3.0]
    )
    with pytest.raises(UserInputError, match="CANDIDATE"):
        metric.fetch_trial_data(batch)
    batch.mark_running(no_runner_required=True)
    data = metric.fetch_trial_data(batch)
    df = data.df.set_index("arm_name")
    assert list(df.index) == ["0_0", "0_1"]
    assert df.loc["0_0", "n"] == pytest.approx(5000, rel=0.05)
    assert df.loc["0_1", "n"] == pytest.approx(15000, rel=0.05)
    for name, p in (("0_0", 1 / (1 + math.exp(-0.1))), ("0_1", 1 / (1 + math.exp(-1.5)))):
        assert abs(df.loc[name, "mean"] - p) < 4 * df.loc[name, "sem"]
        assert df.loc[name, "frac_nonnull"] == df.loc[name, "mean"]
    # Seeded: fetching again gives the same values.
    assert metric.fetch_trial_data(batch).df.equals(data.df)
    single = exp.new_trial().add_arm(Arm({"f1": "a", "f2": "d"}))
    with pytest.raises(UserInputError, match="only fetch data for batch trials"):
        metric.fetch_trial_data(single)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"coefficients": {}}, UserInputError, "non-empty dict"),
        ({"coefficients": {"f": {}}}, UserInputError, r"coefficients\['f'\]"),
        ({"coefficients": {"f": {"a": "x"}}}, UserInputTypeError, "must be a number"),
        ({"coefficients": {"f": {"a": math.inf}}}, UserInputError, "must be finite"),
        ({"batch_size": 0}, UserInputError, "batch_size must be >= 1"),
        ({"noise_var": -1.0}, UserInputError, "noise_var must be finite and >= 0"),
        ({"seed": -2}, UserInputError, "seed must be >= 0"),
    ],
)
def test_bad_arguments(kwargs: dict, error: type, match: str) -> None:
    args = {"name": "m", "coefficients": COEFFICIENTS, **kwargs}
    with pytest.raises(error, match=match):
        FactorialMetric(**args)


def test_clone_and_evaluation_function() -> None:
    metric = FactorialMetric("m", COEFFICIENTS, batch_size=100, noise_var=0.5, seed=3)
    clone = metric.clone()
    assert clone == metric and clone.coefficients == COEFFICIENTS and clone.noise_var == 0.5
    mean, sem = evaluation_function({"f1": "b", "f2": "d"}, COEFFICIENTS, weight=0.5, seed=0)
    assert 0.0 <= mean <= 1.0 and sem > 0.0
    assert evaluation_function({"f1": "b", "f2": "d"}, COEFFICIENTS, weight=0.0) == (0.0, 0.0)
