from __future__ import annotations

from typing import Any, List

import pytest

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TrialStatus
from ax.exceptions import (
    DataRequiredError,
    GenerationStrategyCompleted,
    MaxParallelismReachedException,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.random import RandomModelBridge
from ax.modelbridge.registry import Models


def _space() -> SearchSpace:
    return SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.INT, 0, 10),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b", "c"]),
        ]
    )


def _experiment(name: str = "e") -> Experiment:
    return Experiment(
        _space(),
        name=name,
        optimization_config=OptimizationConfig(Objective(Metric("m"), minimize=True)),
    )


def _run_trial(exp: Experiment, gs: GenerationStrategy, complete: bool = True) -> Any:
    trial = exp.new_trial(generator_run=gs.gen(exp))
    trial.mark_running(no_runner_required=True)
    if complete:
        _complete(exp, trial)
    return trial


def _complete(exp: Experiment, trial: Any) -> None:
    arm = trial.arm
    exp.attach_data(
        Data.from_evaluations({arm.name: {"m": (float(arm.parameters["x"]), 0.0)}}, trial.index)
    )
    trial.mark_completed()


def _two_sobol_steps(**first: Any) -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=2, model_kwargs={"seed": 0}, **first),
            GenerationStep(Models.UNIFORM, num_trials=-1, model_kwargs={"seed": 1}),
        ]
    )


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"num_trials": 0}, UserInputError, "num_trials must be an int >= 1, or -1"),
        ({"num_trials": 2, "min_trials_observed": 3}, UserInputError, "cannot exceed num_trials"),
        ({"num_trials": 2, "min_trials_observed": -1}, UserInputError, "min_trials_observed"),
        ({"num_trials": 2, "max_parallelism": 0}, UserInputError, "max_parallelism"),
        ({"num_trials": 2, "model_kwargs": [1]}, UserInputTypeError, "model_kwargs must be a dict"),
        ({"num_trials": 2, "model_gen_kwargs": {"nope": 1}}, UserInputError, "nope"),
    ],
)
def test_step_validation(kwargs: dict, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        GenerationStep(Models.SOBOL, **kwargs)


def test_step_model_must_be_registry_member_or_callable() -> None:
    with pytest.raises(UserInputTypeError, match="model must be a Models member"):
        GenerationStep("Sobol", num_trials=1)  # type: ignore[arg-type]


def test_strategy_validation_and_repr() -> None:
    with pytest.raises(UserInputError, match="only the last step may have num_trials=-1"):
        GenerationStrategy(
            [
                GenerationStep(Models.SOBOL, num_trials=-1),
                GenerationStep(Models.GPEI, num_trials=-1),
            ]
        )
    with pytest.raises(UserInputError, match="non-empty list"):
        GenerationStrategy([])
    gs = _two_sobol_steps()
    assert gs.name == "Sobol+Uniform"
    assert repr(gs) == (
        "GenerationStrategy(name='Sobol+Uniform', steps=[Sobol for 2 trials, "
        "Uniform for subsequent trials])"
    )
    assert [s.index for s in gs.steps] == [0, 1]
    assert gs.model_transitions == [2]


def test_moves_to_next_step_after_enough_trials() -> None:
    exp, gs = _experiment(), _two_sobol_steps()
    t0 = _run_trial(exp, gs)
    assert gs.current_step_index == 0 and t0.generation_step_index == 0
    assert isinstance(gs.model, RandomModelBridge)
    _run_trial(exp, gs)
    t2 = _run_trial(exp, gs)
    assert gs.current_step_index == 1 and t2.generation_step_index == 1
    assert gs.trial_indices_by_step == {0: [0, 1], 1: [2]}
    df = gs.trials_as_df
    assert df is not None and df["Generation Model"].tolist() == ["Sobol", "Sobol", "Uniform"]


def test_data_required_before_next_step() -> None:
    exp, gs = _experiment(), _two_sobol_steps(min_trials_observed=2)
    t0 = _run_trial(exp, gs, complete=False)
    _run_trial(exp, gs, complete=False)
    with pytest.raises(DataRequiredError, match="only 0 of the 2 it needs are completed"):
        gs.gen(exp)
    _complete(exp, t0)
    with pytest.raises(DataRequiredError, match="only 1 of the 2"):
        gs.gen(exp)


def test_not_enforced_keeps_generating_from_current_step() -> None:
    exp = _experiment()
    gs = _two_sobol_steps(min_trials_observed=2, enforce_num_trials=False)
    for _ in range(3):
        _run_trial(exp, gs, complete=False)
    assert gs.current_step_index == 0


def test_failed_trials_do_not_count_towards_a_step() -> None:
    exp, gs = _experiment(), _two_sobol_steps()
    trial = _run_trial(exp, gs, complete=False)
    trial.mark_failed(reason="crash")
    _run_trial(exp, gs)
    _run_trial(exp, gs)
    assert gs.trial_indices_by_step[0] == [0, 1, 2]
    assert gs.current_step_index == 0


def test_max_parallelism() -> None:
    exp = _experiment()
    gs = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1, max_parallelism=2)])
    first = _run_trial(exp, gs, complete=False)
    _run_trial(exp, gs, complete=False)
    with pytest.raises(MaxParallelismReachedException, match="2 trials are running") as info:
        gs.gen(exp)
    assert info.value.retryable
    _complete(exp, first)
    _run_trial(exp, gs, complete=False)


def test_asking_for_more_trials_than_steps_allow() -> None:
    exp = _experiment()
    gs = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=2)])
    _run_trial(exp, gs)
    _run_trial(exp, gs)
    with pytest.raises(GenerationStrategyCompleted, match="all steps are done .*produced 2 trials"):
        gs.gen(exp)


def test_gen_argument_errors() -> None:
    exp, gs = _experiment(), _two_sobol_steps()
    with pytest.raises(UserInputError, match=r"unknown gen arguments \['bogus'\]"):
        gs.gen(exp, bogus=1)
    with pytest.raises(UserInputError, match="n must be an int >= 1, got 0"):
        gs.gen(exp, n=0)


def test_bound_to_one_experiment() -> None:
    gs = _two_sobol_steps()
    gs.gen(_experiment("a"))
    with pytest.raises(UserInputError, match="bound to experiment 'a'"):
        gs.gen(_experiment("b"))
    assert gs.clone_reset().experiment is None


def test_same_seed_same_candidates_and_resume_continues_stream() -> None:
    def params(gs: GenerationStrategy, exp: Experiment, k: int) -> List[dict]:
        return [_run_trial(exp, gs).arm.parameters for _ in range(k)]

    exp_a, gs_a = (
        _experiment(),
        GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 7})]),
    )
    exp_b, gs_b = (
        _experiment(),
        GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 7})]),
    )
    assert params(gs_a, exp_a, 4) == params(gs_b, exp_b, 4)
    # A fresh strategy on the same experiment continues from the last run's state.
    resumed = gs_b.clone_reset()
    assert params(resumed, exp_b, 2) == params(gs_a, exp_a, 2)


def test_generation_step_index_stamped_and_factory_steps() -> None:
    calls: list = []

    def get_sobol(search_space: SearchSpace, experiment: Experiment) -> Any:
        calls.append(experiment.name)
        return Models.SOBOL(search_space=search_space, seed=3)

    exp = _experiment()
    gs = GenerationStrategy([GenerationStep(get_sobol, num_trials=-1)])
    assert gs.name == "sobol" and gs.uses_non_registered_models
    gr = gs.gen(exp)
    assert gr.generation_step_index == 0 and calls == ["e"]
    assert gs.last_generator_run is gr


def test_trial_status_counts() -> None:
    exp, gs = _experiment(), _two_sobol_steps()
    trial = _run_trial(exp, gs, complete=False)
    assert gs.num_running_trials_for_current_step == 1
    trial.mark_abandoned()
    assert exp.trial_indices_by_status[TrialStatus.ABANDONED] == {0}
    assert gs.num_running_trials_for_current_step == 0
