from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest

import ax
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import JSONDecodeError, JSONEncodeError
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.modelbridge.transforms.winsorize import Winsorize
from ax.storage.json_store.generation_strategy import (
    generation_strategy_from_json,
    generation_strategy_to_json,
    load_experiment_and_generation_strategy,
    save_experiment_and_generation_strategy,
)


def _experiment() -> Experiment:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.INT, 0, 20),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b", "c"]),
        ]
    )
    return Experiment(
        space,
        name="gs",
        optimization_config=OptimizationConfig(Objective(Metric("m"), minimize=True)),
    )


def _continuous_space() -> SearchSpace:
    return SearchSpace([RangeParameter(f"x{i}", ParameterType.FLOAT, 0.0, 1.0) for i in range(3)])


def _strategy() -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=3, model_kwargs={"seed": 5}),
            GenerationStep(Models.UNIFORM, num_trials=-1, model_kwargs={"seed": 9}),
        ]
    )


def _step(exp: Experiment, gs: GenerationStrategy) -> dict:
    trial = exp.new_trial(generator_run=gs.gen(exp))
    trial.mark_running(no_runner_required=True)
    arm = trial.arm
    exp.attach_data(
        Data.from_evaluations({arm.name: {"m": (float(arm.parameters["x"]), 0.0)}}, trial.index)
    )
    trial.mark_completed()
    return arm.parameters


def test_round_trip_equal() -> None:
    gs = _strategy()
    doc = generation_strategy_to_json(gs)
    json.dumps(doc, allow_nan=False)
    back = generation_strategy_from_json(doc)
    assert back == gs and back.steps == gs.steps and back.name == gs.name


def test_winsorize_transform_classes_round_trip() -> None:
    gs = choose_generation_strategy(
        _continuous_space(),
        winsorize_botorch_model=True,
        winsorization_limits=(0.1, 0.2),
        random_seed=1,
    )
    back = generation_strategy_from_json(json.loads(json.dumps(generation_strategy_to_json(gs))))
    assert back.steps[1].model_kwargs is not None
    assert back.steps[1].model_kwargs["transforms"][0] is Winsorize
    assert back == gs


def test_resume_continues_exactly(tmp_path: Path) -> None:
    # Uninterrupted run.
    exp_a, gs_a = _experiment(), _strategy()
    straight: List[dict] = [_step(exp_a, gs_a) for _ in range(6)]
    # Interrupted after 4 trials (one into the second step), saved and loaded.
    exp_b, gs_b = _experiment(), _strategy()
    first = [_step(exp_b, gs_b) for _ in range(4)]
    path = tmp_path / "run.json"
    save_experiment_and_generation_strategy(exp_b, gs_b, path)
    exp_c, gs_c = load_experiment_and_generation_strategy(path)
    assert gs_c is not None and gs_c.current_step_index == 1
    assert exp_c == exp_b
    rest = [_step(exp_c, gs_c) for _ in range(2)]
    assert first + rest == straight
    # ax.load still reads the experiment from such a file.
    assert ax.load(path) == exp_b


def test_file_without_strategy(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    ax.save(_experiment(), path)
    exp, gs = load_experiment_and_generation_strategy(path)
    assert gs is None and exp.name == "gs"


def test_factory_steps_cannot_be_saved() -> None:
    def get_sobol(search_space: Any) -> Any:
        return Models.SOBOL(search_space=search_space)

    gs = GenerationStrategy([GenerationStep(get_sobol, num_trials=-1)])
    with pytest.raises(JSONEncodeError, match="factory function, which cannot be saved"):
        generation_strategy_to_json(gs)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda d: d["steps"][0].update(model="os.system"), "unknown model 'os.system'"),
        (lambda d: d.update(curr_index=7), "curr_index"),
        (lambda d: d["steps"][0].update(num_trials=0), "num_trials"),
        (lambda d: d.update(extra=1), "fields must be"),
        (
            lambda d: d["steps"][1]["model_kwargs"].update(transforms=["Evil"]),
            "unknown transform 'Evil'",
        ),
    ],
)
def test_corrupt_documents_raise(mutate: Any, match: str) -> None:
    gs = choose_generation_strategy(
        _continuous_space(), winsorize_botorch_model=True, winsorization_limits=(0.1, 0.2)
    )
    doc = json.loads(json.dumps(generation_strategy_to_json(gs)))
    mutate(doc)
    with pytest.raises(JSONDecodeError, match=match):
        generation_strategy_from_json(doc)
