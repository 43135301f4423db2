"""Best points: model recommendations first, then the best feasible COMPLETED observation."""

from __future__ import annotations

import logging
import math
from typing import Dict, List, Optional, Tuple

import pytest

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.optimization_config import OptimizationConfig
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import NoDataError, UserInputError
from ax.service.utils.best_point import (
    get_best_from_model_predictions,
    get_best_parameters,
    get_best_raw_objective_point,
)
from ax.service.utils.instantiation import make_experiment, make_optimization_config

TValues = Dict[str, Tuple[float, Optional[float]]]


def _experiment(
    minimize: bool = True,
    outcome_constraints: Optional[List[str]] = None,
    status_quo: Optional[TParameterization] = None,
) -> Experiment:
    return make_experiment(
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 10.0]}],
        name="exp",
        objective_name="f",
        minimize=minimize,
        outcome_constraints=outcome_constraints,
        status_quo=status_quo,
    )


def _trial(
    experiment: Experiment,
    x: float,
    values: TValues,
    status: TrialStatus = TrialStatus.COMPLETED,
    generator_run: Optional[GeneratorRun] = None,
) -> BaseTrial:
    trial = experiment.new_trial(generator_run or GeneratorRun([Arm({"x": x})]))
    trial.mark_running(no_runner_required=True)
    assert trial.arm is not None
    if values:
        experiment.attach_data(Data.from_evaluations({trial.arm.name: values}, trial.index))
    if status is TrialStatus.COMPLETED:
        trial.mark_completed()
    elif status is TrialStatus.FAILED:
        trial.mark_failed(reason="boom")
    return trial


@pytest.mark.parametrize("minimize, best_x", [(True, 2.0), (False, 3.0)])
def test_raw_best_follows_the_direction(minimize: bool, best_x: float) -> None:
    experiment = _experiment(minimize=minimize)
    _trial(experiment, 1.0, {"f": (5.0, 0.1)})
    _trial(experiment, 2.0, {"f": (1.0, 0.2)})
    _trial(experiment, 3.0, {"f": (9.0, None)})
    parameters, values = get_best_raw_objective_point(experiment)
    assert parameters == {"x": best_x}
    assert set(values) == {"f"}


def test_failed_and_running_trials_are_never_the_best() -> None:
    experiment = _experiment(minimize=True)
    _trial(experiment, 1.0, {"f": (5.0, 0.1)})
    _trial(experiment, 2.0, {"f": (-100.0, 0.1)}, status=TrialStatus.FAILED)
    _trial(experiment, 3.0, {"f": (-50.0, 0.1)}, status=TrialStatus.RUNNING)
    assert get_best_raw_objective_point(experiment)[0] == {"x": 1.0}


def test_feasible_arms_are_preferred() -> None:
    experiment = _experiment(minimize=True, outcome_constraints=["c <= 1"])
    _trial(experiment, 1.0, {"f": (0.0, 0.1), "c": (2.0, 0.1)})  # best but infeasible
    _trial(experiment, 2.0, {"f": (3.0, 0.1), "c": (0.5, 0.1)})
    _trial(experiment, 3.0, {"f": (-1.0, 0.1)})  # constraint metric missing: not feasible
    parameters, values = get_best_raw_objective_point(experiment)
    assert parameters == {"x": 2.0}
    assert values == {"f": (3.0, 0.1), "c": (0.5, 0.1)}


def test_best_infeasible_arm_when_none_is_feasible(caplog: pytest.LogCaptureFixture) -> None:
    experiment = _experiment(minimize=True, outcome_constraints=["c >= 10"])
    _trial(experiment, 1.0, {"f": (4.0, 0.1), "c": (2.0, 0.1)})
    _trial(experiment, 2.0, {"f": (3.0, 0.1), "c": (0.5, 0.1)})
    with caplog.at_level(logging.WARNING, logger="ax.service.utils.best_point"):
        parameters, _ = get_best_raw_objective_point(experiment)
    assert parameters == {"x": 2.0}
    assert "satisfies the outcome constraints" in caplog.text


def test_relative_constraints_compare_with_the_status_quo_of_the_trial() -> None:
    experiment = _experiment(minimize=True, outcome_constraints=["c <= 10%"], status_quo={"x": 5.0})
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm({"x": 1.0}), Arm({"x": 2.0})])
    batch.mark_running(no_runner_required=True)
    names = [a.name for a in batch.arms]
    experiment.attach_data(
        Data.from_evaluations(
            {
                names[0]: {"f": (0.0, 0.1), "c": (12.0, 0.1)},  # +20 %: infeasible
                names[1]: {"f": (1.0, 0.1), "c": (10.5, 0.1)},  # +5 %: feasible
                "status_quo": {"f": (2.0, 0.1), "c": (10.0, 0.1)},
            },
            batch.index,
        )
    )
    batch.mark_completed()
    assert get_best_raw_objective_point(experiment)[0] == {"x": 2.0}


def test_raw_best_errors() -> None:
    experiment = _experiment()
    with pytest.raises(NoDataError, match=r"experiment 'exp' has no completed trial .*'f'"):
        get_best_raw_objective_point(experiment)
    _trial(experiment, 1.0, {"g": (1.0, 0.1)})
    with pytest.raises(NoDataError, match=r"'f'"):
        get_best_raw_objective_point(experiment)
    bare = Experiment(search_space=experiment.search_space, name="bare")
    with pytest.raises(UserInputError, match=r"experiment 'bare' has no optimization config"):
        get_best_raw_objective_point(bare)


def test_raw_best_with_another_config() -> None:
    experiment = _experiment(minimize=True)
    _trial(experiment, 1.0, {"f": (1.0, 0.1)})
    _trial(experiment, 2.0, {"f": (2.0, 0.1)})
    config: OptimizationConfig = make_optimization_config("f", minimize=False)
    assert get_best_raw_objective_point(experiment, config)[0] == {"x": 2.0}


def _model_run(x: float, best_x: float, mean: float) -> GeneratorRun:
    best = Arm({"x": best_x})
    return GeneratorRun(
        [Arm({"x": x})],
        best_arm_predictions=(best, ({"f": mean}, {"f": {"f": 0.25}})),
        model_key="GPEI",
    )


def test_model_predictions_come_first_newest_run_wins() -> None:
    experiment = _experiment(minimize=True)
    _trial(experiment, 1.0, {"f": (-100.0, 0.1)})
    _trial(experiment, 2.0, {"f": (1.0, 0.1)}, generator_run=_model_run(2.0, 1.0, -99.0))
    _trial(experiment, 3.0, {"f": (0.5, 0.1)}, generator_run=_model_run(3.0, 3.0, 0.4))
    _trial(experiment, 4.0, {"f": (0.7, 0.1)})  # no model run: skipped
    assert get_best_from_model_predictions(experiment) == (
        {"x": 3.0},
        ({"f": 0.4}, {"f": {"f": 0.25}}),
    )
    assert get_best_parameters(experiment) == ({"x": 3.0}, ({"f": 0.4}, {"f": {"f": 0.25}}))


def test_get_best_parameters_falls_back_to_observations() -> None:
    experiment = _experiment(minimize=True)
    assert get_best_parameters(experiment) is None
    assert get_best_from_model_predictions(experiment) is None
    _trial(experiment, 1.0, {"f": (2.0, 0.5), "g": (7.0, None)})
    parameters, (means, covariances) = get_best_parameters(experiment)  # type: ignore[misc]
    assert parameters == {"x": 1.0}
    assert means == {"f": 2.0, "g": 7.0}
    assert covariances is not None
    assert covariances["f"] == {"f": 0.25}
    assert math.isnan(covariances["g"]["g"])
