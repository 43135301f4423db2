"""follow_document: a decoded experiment brought up to a newer version of its document."""

from __future__ import annotations

import copy
import json

import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ParameterType, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import TrialStatus
from ax.exceptions import JSONDecodeError
from ax.storage.json_store.follow import follow_document
from ax.storage.json_store.load import decode_document
from ax.storage.json_store.save import dumps


def unit_square_experiment(trials: int) -> Experiment:
    """``trials`` completed one-arm trials on the unit square, each with data."""
    experiment = Experiment(
        search_space=SearchSpace(
            [RangeParameter(n, ParameterType.FLOAT, 0.0, 1.0) for n in ("x", "y")]
        ),
        name="follow",
        optimization_config=OptimizationConfig(Objective(Metric("f"), minimize=True)),
    )
    for i in range(trials):
        add_completed_trial(experiment, i / 10)
    return experiment


def add_completed_trial(experiment: Experiment, x: float) -> None:
    trial = experiment.new_trial().add_arm(Arm({"x": x, "y": 0.5}))
    trial.mark_running(no_runner_required=True).mark_completed()
    experiment.attach_data(
        Data.from_evaluations({trial.arms[0].name: {"f": (x, 0.0)}}, trial.index)
    )


def _document(experiment: Experiment) -> dict:
    return json.loads(dumps(experiment))


def test_only_changed_trials_and_data_are_brought_in() -> None:
    experiment = unit_square_experiment(trials=3)
    before = _document(experiment)
    copy_ = decode_document(before)
    experiment.trials[1].run_metadata["note"] = "looked at"
    add_completed_trial(experiment, 0.9)
    running = experiment.new_trial().add_arm(Arm({"x": 0.2, "y": 0.2}))
    running.mark_running(no_runner_required=True)
    after = _document(experiment)
    assert follow_document(copy_, before, after) == {1, 3, 4}
    assert copy_.trials[1].run_metadata["note"] == "looked at"
    assert copy_.trials[4].status is TrialStatus.RUNNING
    assert copy_.lookup_data_for_trial(3)[0].df["mean"].tolist() == [0.9]
    assert _document(copy_) == after


def test_what_it_cannot_follow_is_none_and_leaves_the_copy() -> None:
    experiment = unit_square_experiment(trials=2)
    before = _document(experiment)
    copy_ = decode_document(before)
    fewer = copy.deepcopy(before)
    fewer["experiment"]["trials"].pop()
    assert follow_document(copy_, before, fewer) is None
    settings = copy.deepcopy(before)
    settings["experiment"]["description"] = "other"
    assert follow_document(copy_, before, settings) is None
    assert _document(copy_) == before


def test_a_malformed_changed_trial_is_a_clear_error() -> None:
    experiment = unit_square_experiment(trials=2)
    before = _document(experiment)
    broken = copy.deepcopy(before)
    broken["experiment"]["trials"][1]["status"] = "NOT_A_STATUS"
    with pytest.raises(JSONDecodeError, match="trials"):
        follow_document(decode_document(before), before, broken)


def test_new_data_versions_of_an_old_trial_are_brought_in() -> None:
    experiment = unit_square_experiment(trials=3)
    before = _document(experiment)
    copy_ = decode_document(before)
    experiment.attach_data(
        Data.from_evaluations({experiment.trials[0].arms[0].name: {"f": (0.25, 0.1)}}, 0)
    )
    after = _document(experiment)
    assert follow_document(copy_, before, after) == {0}
    assert copy_.lookup_data_for_trial(0)[0].df["mean"].tolist() == [0.25]
    assert len(copy_._data_by_trial[0]) == len(experiment._data_by_trial[0])
    assert _document(copy_) == after
