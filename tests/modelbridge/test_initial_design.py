"""The default initial design: the centre of the search space, then Sobol points."""

from __future__ import annotations

import math

import pytest

from ax.core.experiment import Experiment
from ax.core.parameter import RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from tests.modelbridge import make_config, mixed_search_space


def _experiment(space: SearchSpace) -> Experiment:
    return Experiment(space, name="initial_design", optimization_config=make_config())


def _next_arm_parameters(gs: object, experiment: Experiment) -> dict:
    run = gs.gen(experiment=experiment, n=1)  # type: ignore[attr-defined]
    trial = experiment.new_trial(generator_run=run)
    assert trial.arm is not None
    return dict(trial.arm.parameters)


def test_the_first_trial_is_the_centre_of_a_mixed_space() -> None:
    space = mixed_search_space()
    experiment = _experiment(space)
    gs = choose_generation_strategy(space, random_seed=0)
    first = _next_arm_parameters(gs, experiment)
    assert first["x"] == pytest.approx(1.0)  # midpoint of [-1, 3]
    assert first["n"] in (5, 6)  # midpoint 5.5 of [1, 10], on the lattice
    assert math.log10(first["lr"]) == pytest.approx((math.log10(1e-4) + math.log10(0.3)) / 2)
    assert first["k"] in (31, 32)  # log midpoint of [1, 1000] is 31.6
    assert first["size"] == 16  # the middle of the ordered values [8, 16, 32]
    assert first["opt"] in ("sgd", "adam", "rms") and first["mode"] == "fast"
    assert space.check_membership(first)
    second = _next_arm_parameters(gs, experiment)
    assert second != first and space.check_membership(second)


def test_a_centre_that_breaks_a_parameter_constraint_is_skipped() -> None:
    x1 = RangeParameter("x1", ParameterType.FLOAT, 0.0, 1.0)
    x2 = RangeParameter("x2", ParameterType.FLOAT, 0.0, 1.0)
    space = SearchSpace([x1, x2], [ParameterConstraint({"x1": 1.0, "x2": 1.0}, bound=0.8)])
    experiment = _experiment(space)
    gs = choose_generation_strategy(space, random_seed=0)
    points = [_next_arm_parameters(gs, experiment) for _ in range(3)]
    assert all(p["x1"] + p["x2"] <= 0.8 + 1e-9 for p in points)
    assert {"x1": 0.5, "x2": 0.5} not in points


def test_a_resumed_strategy_does_not_repeat_the_centre() -> None:
    space = mixed_search_space(constrained=False)
    experiment = _experiment(space)
    first = _next_arm_parameters(choose_generation_strategy(space, random_seed=0), experiment)
    # A new strategy on the same experiment picks up the first step's stored state.
    resumed = choose_generation_strategy(space, random_seed=0)
    assert _next_arm_parameters(resumed, experiment) != first


def test_quasi_random_only_strategies_have_no_centre() -> None:
    space = mixed_search_space(constrained=False)
    gs = choose_generation_strategy(space, random_seed=0, no_bayesian_optimization=True)
    assert "center_first" not in (gs.steps[0].model_kwargs or {})
    bo = choose_generation_strategy(space, random_seed=0)
    assert bo.steps[0].model_kwargs["center_first"] is True


@pytest.mark.parametrize(("d", "expected"), [(2, 5), (5, 5), (6, 6), (10, 6), (20, 6)])
def test_the_default_number_of_initial_trials_is_capped_in_high_dimensions(
    d: int, expected: int
) -> None:
    space = SearchSpace([RangeParameter(f"x{i}", ParameterType.FLOAT, 0.0, 1.0) for i in range(d)])
    gs = choose_generation_strategy(space, random_seed=0)
    assert gs.steps[0].num_trials == expected
    assert gs.steps[0].min_trials_observed == math.ceil(expected / 2)
    explicit = choose_generation_strategy(space, random_seed=0, num_initialization_trials=12)
    assert explicit.steps[0].num_trials == 12
