from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict

import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.runner import Runner
from ax.core.trial import Trial
from ax.core.types import TrialStatus
from ax.exceptions import (
    ImmutabilityError,
    NoDataError,
    TrialStatusError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from tests.core.conftest import params


class RecordingRunner(Runner):
    def __init__(self, staging: bool = False) -> None:
        self.staging = staging
        self.stopped: list = []

    def run(self, trial: Any) -> Dict[str, Any]:
        return {"name": f"deployed_{trial.index}"}

    def stop(self, trial: Any) -> None:
        self.stopped.append(trial.index)

    @property
    def staging_required(self) -> bool:
        return self.staging


class FailingRunner(Runner):
    def run(self, trial: Any) -> Dict[str, Any]:
        raise RuntimeError("cluster down")


def test_new_trial_indices_and_arm_names(experiment: Experiment) -> None:
    t0 = experiment.new_trial().add_arm(Arm(params(0.1)))
    t1 = experiment.new_trial(generator_run=GeneratorRun([Arm(params(0.2))]))
    assert (t0.index, t1.index) == (0, 1)
    assert t0.arm is not None and t0.arm.name == "0_0"
    assert t1.arm is not None and t1.arm.name == "1_0"
    assert experiment.arms_by_name["1_0"].parameters == params(0.2)
    assert t1.generator_run is not None and t1.generator_run.index == 0
    assert t0.generator_run is not None and t0.generator_run.generator_run_type == "MANUAL"


def test_same_parameters_reuse_existing_arm_name(experiment: Experiment) -> None:
    experiment.new_trial().add_arm(Arm(params(0.1)))
    t1 = experiment.new_trial().add_arm(Arm(params(0.1)))
    assert t1.arm is not None and t1.arm.name == "0_0"
    t2 = experiment.new_trial().add_arm(Arm(params(0.3)))
    assert t2.arm is not None and t2.arm.name == "2_0"


def test_conflicting_arm_name_rejected_and_nothing_changes(experiment: Experiment) -> None:
    experiment.new_trial().add_arm(Arm(params(0.1), name="base"))
    trial = experiment.new_trial()
    with pytest.raises(
        UserInputError, match="'other' has the same parameters as existing arm 'base'"
    ):
        trial.add_arm(Arm(params(0.1), name="other"))
    with pytest.raises(UserInputError, match="arm name 'base' is already used"):
        trial.add_arm(Arm(params(0.2), name="base"))
    assert trial.arm is None
    assert set(experiment.arms_by_name) == {"base"}


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"x": 0.5, "y": 3, "c": "a"}, "f"),  # missing parameter
        ({**params(), "z": 1.0}, "z"),  # extra parameter
        ({**params(), "x": "2.0"}, "x"),  # wrong type
        ({**params(), "c": 3}, "c"),  # wrong type
    ],
)
def test_arm_with_wrong_names_or_types_rejected_leaving_experiment_unchanged(
    experiment: Experiment, bad: dict, match: str
) -> None:
    # Out-of-design values are accepted (tests/core/test_out_of_design.py); names and types
    # are not.
    trial = experiment.new_trial()
    with pytest.raises((UserInputError, UserInputTypeError), match=match):
        trial.add_arm(Arm(bad))
    assert trial.arm is None
    assert experiment.arms_by_name == {}


def test_failed_constructor_does_not_register_trial(experiment: Experiment) -> None:
    with pytest.raises(UserInputError):
        experiment.new_trial(generator_run=GeneratorRun([Arm({"x": 5.0})]))
    assert experiment.num_trials == 0
    with pytest.raises(UserInputError, match="ttl_seconds must be a positive integer"):
        experiment.new_trial(ttl_seconds=0)
    with pytest.raises(UserInputError, match="trial_type 'other' is not supported"):
        experiment.new_trial(trial_type="other")
    assert experiment.num_trials == 0
    assert experiment.new_trial().index == 0


def test_one_arm_only(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    with pytest.raises(UserInputError, match="holds one arm, but the generator run has 2"):
        trial.add_generator_run(GeneratorRun([Arm(params(0.1)), Arm(params(0.2))]))
    trial.add_arm(Arm(params(0.1)))
    with pytest.raises(ImmutabilityError, match="already has a generator run"):
        trial.add_arm(Arm(params(0.2)))


def test_lifecycle_happy_path_sets_times(experiment: Experiment) -> None:
    trial = experiment.new_trial().add_arm(Arm(params()))
    assert trial.status is TrialStatus.CANDIDATE
    trial.mark_staged()
    assert trial.time_staged is not None
    trial.mark_running(no_runner_required=True)
    assert trial.time_run_started is not None
    assert trial.mark_completed() is trial
    assert trial.status.is_completed and trial.completed_successfully
    assert trial.time_completed is not None
    assert experiment.trial_indices_by_status[TrialStatus.COMPLETED] == {0}
    assert experiment.trial_indices_by_status[TrialStatus.RUNNING] == set()


@pytest.mark.parametrize(
    "path, bad_mark",
    [
        ([], "mark_completed"),
        ([], "mark_failed"),
        (["mark_abandoned"], "mark_completed"),  # completing an abandoned trial
        (["mark_abandoned"], "mark_running"),
        (["mark_running", "mark_completed"], "mark_abandoned"),
        (["mark_running", "mark_completed"], "mark_failed"),
        (["mark_running", "mark_failed"], "mark_completed"),
        (["mark_running"], "mark_staged"),
    ],
)
def test_disallowed_transitions_raise_and_change_nothing(
    experiment: Experiment, path: list, bad_mark: str
) -> None:
    trial = experiment.new_trial().add_arm(Arm(params()))
    for step in path:
        kwargs = {"no_runner_required": True} if step == "mark_running" else {}
        getattr(trial, step)(**kwargs)
    before = trial.status
    kwargs = {"no_runner_required": True} if bad_mark == "mark_running" else {}
    with pytest.raises(TrialStatusError, match=f"cannot move status from {before.name}"):
        getattr(trial, bad_mark)(**kwargs)
    assert trial.status is before
    assert experiment.trial_indices_by_status[before] == {0}


def test_status_cannot_be_set_directly(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    with pytest.raises(UnsupportedError, match="status cannot be set directly"):
        trial.status = TrialStatus.COMPLETED  # type: ignore[misc]


def test_mark_running_requires_runner(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    with pytest.raises(UserInputError, match="without a runner"):
        trial.mark_running()
    assert trial.status is TrialStatus.CANDIDATE


def test_run_with_runner_and_staging(experiment: Experiment) -> None:
    experiment.runner = RecordingRunner(staging=True)
    trial = experiment.new_trial().add_arm(Arm(params()))
    trial.run()
    assert trial.status is TrialStatus.STAGED
    assert trial.deployed_name == "deployed_0"
    trial.mark_running()
    trial.complete()
    assert trial.status is TrialStatus.COMPLETED
    assert experiment.runner.stopped == [0]  # type: ignore[union-attr]
    with pytest.raises(TrialStatusError, match="only a CANDIDATE trial can be run"):
        trial.run()


def test_staging_required_blocks_running_from_candidate(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    trial.runner = RecordingRunner(staging=True)
    with pytest.raises(TrialStatusError, match="requires staging"):
        trial.mark_running()


def test_run_without_runner_and_failing_runner(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    with pytest.raises(UserInputError, match="no runner set"):
        trial.run()
    trial.runner = FailingRunner()
    with pytest.raises(RuntimeError, match="cluster down"):
        trial.run()
    assert trial.status is TrialStatus.CANDIDATE
    assert trial.run_metadata == {}


def test_runner_and_type_immutable_once_run(experiment: Experiment) -> None:
    trial = experiment.new_trial()
    trial.runner = RecordingRunner()
    trial.run()
    with pytest.raises(ImmutabilityError, match="runner cannot be changed"):
        trial.runner = RecordingRunner()
    with pytest.raises(ImmutabilityError, match="trial_type cannot be changed"):
        trial.trial_type = None


def test_mark_as_and_reasons(experiment: Experiment) -> None:
    t0 = experiment.new_trial()
    t0.mark_as(TrialStatus.ABANDONED, reason="bad idea")
    assert t0.is_abandoned and t0.abandoned_reason == "bad idea" and t0.did_not_complete
    t1 = experiment.new_trial().add_arm(Arm(params()))
    t1.mark_as(TrialStatus.RUNNING, no_runner_required=True)
    t1.mark_as(TrialStatus.FAILED, reason="oom")
    assert t1.failed_reason == "oom"
    assert t0.abandoned_arms == [] and t1.abandoned_arms == []
    t2 = experiment.new_trial().add_arm(Arm(params(0.9)))
    t2.mark_abandoned()
    assert t2.abandoned_arms == t2.arms
    assert experiment.num_abandoned_arms == 1


def test_ttl_marks_running_trial_failed(experiment: Experiment) -> None:
    trial = experiment.new_trial(ttl_seconds=1).add_arm(Arm(params()))
    trial.mark_running(no_runner_required=True)
    assert trial.status is TrialStatus.RUNNING
    trial._time_run_started = datetime.now() - timedelta(seconds=5)
    assert experiment.trial_indices_by_status[TrialStatus.FAILED] == {0}
    assert trial.status is TrialStatus.FAILED
    assert trial.failed_reason is not None and "TTL" in trial.failed_reason


def test_objective_mean_and_metric_mean(experiment: Experiment) -> None:
    trial = experiment.new_trial().add_arm(Arm(params()))
    trial.mark_running(no_runner_required=True)
    with pytest.raises(NoDataError, match="no data for metric 'm1'"):
        _ = trial.objective_mean
    experiment.attach_data(
        Data.from_evaluations({"0_0": {"m1": (1.5, 0.1), "m2": (2.0, 0.0)}}, trial_index=0)
    )
    assert trial.objective_mean == 1.5
    assert trial.get_metric_mean("m2") == 2.0
    with pytest.raises(NoDataError, match="'nope'"):
        trial.get_metric_mean("nope")


def test_repr(experiment: Experiment) -> None:
    trial = experiment.new_trial().add_arm(Arm({"x": 0.5, "y": 1, "c": "a", "f": True}))
    assert repr(trial).startswith(
        "Trial(experiment_name='exp', index=0, status=TrialStatus.CANDIDATE, arm=Arm(name='0_0'"
    )
    assert isinstance(trial, Trial)
