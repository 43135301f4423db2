"""Out-of-design arms: accepted by trials and batches (type-checked), with a logged note."""

from __future__ import annotations

import logging

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.exceptions import UserInputError, UserInputTypeError
from tests.core.conftest import params


@pytest.mark.parametrize(
    "outside",
    [
        params(x=2.0),  # out of bounds
        params(c="zzz"),  # not one of the choices
        params(x=1.0, y=10),  # violates x + 0.1 y <= 1.5
        {**params(), "f": False},  # not the fixed value
    ],
)
def test_trial_accepts_out_of_design_arm_with_a_note(
    experiment: Experiment, outside: dict, caplog: pytest.LogCaptureFixture
) -> None:
    assert not experiment.search_space.check_membership(outside)
    with caplog.at_level(logging.INFO, logger="ax.core.base_trial"):
        trial = experiment.new_trial().add_arm(Arm(outside))
    assert trial.arm is not None and trial.arm.parameters == outside
    assert trial.arm.name == "0_0"
    assert "is out of design" in caplog.text and "fit_out_of_design=True" in caplog.text


def test_batch_trial_accepts_out_of_design_arm(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm(params(0.1)), Arm(params(1.5), name="baseline")], [1.0, 2.0])
    assert [a.name for a in batch.arms] == ["0_0", "baseline"]
    assert batch.weights == [1.0, 2.0]
    assert experiment.arms_by_name["baseline"].parameters["x"] == 1.5


def test_out_of_design_arm_of_the_search_space(experiment: Experiment) -> None:
    arm = experiment.search_space.out_of_design_arm()
    assert set(arm.parameters) == set(experiment.search_space.parameters)
    assert all(v is None for v in arm.parameters.values())
    batch = experiment.new_batch_trial().add_arm(arm)
    assert batch.arms[0].name == "0_0"
    trial = experiment.new_trial().add_arm(experiment.search_space.out_of_design_arm())
    assert trial.arm is not None and trial.arm.name == "0_0"  # same signature, same name


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ({**params(), "x": "high"}, UserInputTypeError, "value 'high' of parameter 'x'"),
        ({**params(), "y": 2.5}, UserInputTypeError, "parameter 'y'"),
        ({"x": 1.5}, UserInputError, r"missing parameter\(s\)"),
        ({**params(), "z": 0.0}, UserInputError, r"unknown parameter\(s\) \['z'\]"),
    ],
)
def test_out_of_design_arms_are_still_type_checked(
    experiment: Experiment, bad: dict, error: type, match: str
) -> None:
    batch = experiment.new_batch_trial()
    with pytest.raises(error, match=match):
        batch.add_arm(Arm(bad))
    assert batch.arms == [] and experiment.arms_by_name == {}
