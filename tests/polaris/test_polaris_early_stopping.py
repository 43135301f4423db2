"""Polaris: fn reports through exp_info["reporter"] when the user opts in with a rule."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from ax.core.types import TrialStatus
from ax.early_stopping import EarlyStoppingOptions, MedianRule, ThresholdRule
from ax.exceptions import UserInputError, UserInputTypeError
from polaris import STATUS_SUCCESS, Bounds, Polaris, Trials
from tests.polaris.test_polaris import strategy


def train(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
    final = (params["x"] - 0.3) ** 2
    loss = final
    for epoch in range(1, 11):
        loss = final + 1.0 / epoch
        exp_info["reporter"].report(epoch, {"loss": loss})
        if exp_info["reporter"].should_stop():
            break
    return {"loss": loss, "status": STATUS_SUCCESS}


def test_polaris_fn_reports_through_exp_info_and_is_stopped(tmp_path: Any) -> None:
    rule = ThresholdRule(-1.0, EarlyStoppingOptions(min_progression=3, min_curves=0))
    polaris = Polaris(
        train, [Bounds("x", -1.0, 1.0)], "random", Trials(), max_evals=3,
        checkpoint_dir=str(tmp_path), generation_strategy=strategy("random"),
        stopping_rule=rule,
    )  # fmt: skip
    polaris.run()
    experiment = polaris.experiment
    assert [t.status for t in experiment.trials.values()] == [TrialStatus.EARLY_STOPPED] * 3
    assert all(experiment.progression_data.curve(i, "loss")[0][-1] == 3.0 for i in range(3))
    assert len(polaris.trials) == 3


def test_polaris_rule_is_checked(tmp_path: Any) -> None:
    with pytest.raises(UserInputTypeError, match="stopping_rule"):
        Polaris(train, [Bounds("x", -1.0, 1.0)], "random", Trials(), checkpoint_dir=None,
                stopping_rule="median")  # fmt: skip
    with pytest.raises(UserInputError, match="not an objective"):
        Polaris(train, [Bounds("x", -1.0, 1.0)], "random", Trials(), checkpoint_dir=None,
                stopping_rule=MedianRule(EarlyStoppingOptions(metric_name="acc")))  # fmt: skip
