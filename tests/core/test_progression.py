"""ProgressionData and the EARLY_STOPPED status."""

from __future__ import annotations

import math

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ParameterType, RangeParameter
from ax.core.progression import ProgressionData
from ax.core.search_space import SearchSpace
from ax.core.types import TrialStatus
from ax.exceptions import TrialStatusError, UserInputError, UserInputTypeError


def make_experiment(num_trials: int = 2) -> Experiment:
    space = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    experiment = Experiment(
        search_space=space,
        name="curves",
        optimization_config=OptimizationConfig(Objective(Metric("loss"), minimize=True)),
        tracking_metrics=[Metric("acc")],
    )
    for i in range(num_trials):
        trial = experiment.new_trial()
        trial.add_arm(Arm({"x": i / 10}))
        trial.mark_running(no_runner_required=True)
    return experiment


def test_append_and_read_curves() -> None:
    experiment = make_experiment()
    data = experiment.progression_data
    data.append(experiment, 0, 1, {"loss": 0.9, "acc": 0.1})
    data.append(experiment, 0, 2, {"loss": 0.7})
    data.append(experiment, 1, 1, {"loss": 0.5})
    assert data.curve(0, "loss") == ([1.0, 2.0], [0.9, 0.7])
    assert data.last(0, "acc") == (1.0, 0.1)
    assert data.last(1, "acc") is None
    assert sorted(data.curves("loss")) == [0, 1]
    assert data.num_rows_of(0) == 3
    assert data.rows_of(0, 2) == {
        "arm_name": ["0_0"],
        "metric_name": ["loss"],
        "progression": [2.0],
        "value": [0.7],
    }
    assert data.max_progression(0) == 2.0
    assert ProgressionData.from_columns(data.to_columns()) == data
    assert list(data.to_df().columns) == [
        "trial_index",
        "arm_name",
        "metric_name",
        "progression",
        "value",
    ]


@pytest.mark.parametrize(
    "step, values, error, match",
    [
        (1, {"loss": 0.1}, UserInputError, "went backwards"),
        (0.5, {"loss": 0.1}, UserInputError, "went backwards"),
        (3, {"nope": 0.1}, UserInputError, "unknown metric 'nope'"),
        (3, {"loss": math.nan}, UserInputError, "NaN"),
        (3, {"loss": math.inf}, UserInputError, "finite"),
        (3, {"loss": "x"}, UserInputTypeError, "must be a number"),
        (math.nan, {"loss": 0.1}, UserInputError, "finite"),
        (-1, {"loss": 0.1}, UserInputError, ">= 0"),
        (3, {}, UserInputError, "non-empty"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(
    step: float, values: dict, error: type, match: str
) -> None:
    experiment = make_experiment()
    data = experiment.progression_data
    data.append(experiment, 0, 1, {"loss": 0.9})
    with pytest.raises(error, match=match):
        data.append(experiment, 0, step, values)
    assert len(data) == 1


def test_unknown_trial_and_key() -> None:
    experiment = make_experiment()
    with pytest.raises(UserInputError, match="no trial with index 7"):
        experiment.progression_data.append(experiment, 7, 1, {"loss": 1.0})
    with pytest.raises(UserInputError, match="progression_key"):
        ProgressionData("fortnights")


def test_early_stopped_is_terminal_and_keeps_reason() -> None:
    experiment = make_experiment()
    trial = experiment.trials[0]
    trial.mark_early_stopped(reason="worse than the median", progression=3.0)
    assert trial.status is TrialStatus.EARLY_STOPPED
    assert trial.status.is_terminal and trial.status.expecting_data
    assert trial.early_stopped_reason == "worse than the median"
    assert trial.run_metadata["early_stopping"]["progression"] == 3.0
    assert experiment.trial_indices_by_status[TrialStatus.EARLY_STOPPED] == {0}
    with pytest.raises(TrialStatusError):
        trial.mark_completed()
    with pytest.raises(TrialStatusError):
        experiment.trials[1].mark_abandoned().mark_early_stopped(reason="x")
