from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.metric import Metric
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import TrialStatus
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from tests.core.conftest import make_search_space, params


def _exp(fn: Any, **kwargs: Any) -> SimpleExperiment:
    return SimpleExperiment(make_search_space(), name="simple", evaluation_function=fn, **kwargs)


@pytest.mark.parametrize(
    "result, expected",
    [
        (
            {"objective": (1.0, 0.1), "other": (2.0, 0.0)},
            {"objective": (1.0, 0.1), "other": (2.0, 0.0)},
        ),
        ((3.0, 0.5), {"objective": (3.0, 0.5)}),
        (4.0, {"objective": (4.0, None)}),
        (5, {"objective": (5.0, None)}),
        (np.float32(6.0), {"objective": (6.0, None)}),
        (np.int64(7), {"objective": (7.0, None)}),
        ({"objective": 8.0}, {"objective": (8.0, None)}),
    ],
)
def test_every_return_form(result: Any, expected: dict) -> None:
    exp = _exp(lambda p: result)
    exp.new_trial().add_arm(Arm(params()))
    data = exp.eval()
    got = {
        m: (mean, None if np.isnan(sem) else sem)
        for m, mean, sem in zip(
            data.columns["metric_name"], data.columns["mean"], data.columns["sem"]
        )
    }
    assert got == expected
    assert exp.trials[0].status is TrialStatus.COMPLETED


def test_fidelity_return_form() -> None:
    exp = _exp(
        lambda p: [({"x": 0.5}, {"objective": (1.0, 0.0)}), ({"x": 0.7}, {"objective": (2.0, 0.0)})]
    )
    exp.new_trial().add_arm(Arm(params()))
    data = exp.eval()
    assert data.columns["mean"].tolist() == [1.0, 2.0]
    assert "fidelities" in data.column_names


def test_weight_argument_gets_normalized_batch_weights() -> None:
    seen: list = []

    def fn(p: dict, weight: Optional[float]) -> float:
        seen.append(weight)
        return p["x"]

    exp = _exp(fn)
    exp.new_batch_trial().add_arms_and_weights([Arm(params(0.1)), Arm(params(0.2))], [1.0, 3.0])
    exp.new_trial().add_arm(Arm(params(0.3)))
    exp.eval()
    assert seen == [0.25, 0.75, None]


def test_eval_is_cached_and_skips_abandoned_and_failed() -> None:
    calls: list = []

    def fn(p: dict) -> float:
        calls.append(p["x"])
        return p["x"]

    exp = _exp(fn)
    exp.new_trial().add_arm(Arm(params(0.1)))
    exp.new_trial().add_arm(Arm(params(0.2))).mark_abandoned()
    exp.eval()
    exp.eval()
    exp.fetch_data()
    assert calls == [0.1]
    assert exp.trials[1].status is TrialStatus.ABANDONED  # not resurrected


def test_raising_function_marks_trial_failed() -> None:
    def fn(p: dict) -> float:
        raise RuntimeError("simulation diverged")

    exp = _exp(fn)
    trial = exp.new_trial().add_arm(Arm(params()))
    with pytest.raises(RuntimeError, match="diverged"):
        exp.eval()
    assert trial.status is TrialStatus.FAILED
    assert trial.failed_reason is not None and "diverged" in trial.failed_reason
    assert len(exp.eval()) == 0


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_result_marks_trial_failed(bad: float) -> None:
    exp = _exp(lambda p: bad)
    trial = exp.new_trial().add_arm(Arm(params()))
    with pytest.raises(UserInputError, match="mean"):
        exp.eval()
    assert trial.status is TrialStatus.FAILED
    assert exp.data_by_trial == {}


@pytest.mark.parametrize("bad", ["text", True, None, {"objective": "x"}])
def test_unsupported_return_values(bad: Any) -> None:
    exp = _exp(lambda p: bad)
    exp.new_trial().add_arm(Arm(params()))
    with pytest.raises(UserInputTypeError, match="evaluat"):
        exp.eval()


def test_evaluation_function_checks() -> None:
    with pytest.raises(UserInputError, match="got 3 positional parameters"):
        _exp(lambda a, b, c: 0.0)
    with pytest.raises(UserInputTypeError, match="must be callable"):
        _exp(3.0)
    exp = SimpleExperiment(make_search_space(), name="s")
    assert not exp.has_evaluation_function
    exp.new_trial().add_arm(Arm(params()))
    with pytest.raises(UserInputError, match="no evaluation_function is set"):
        exp.eval()
    exp.evaluation_function = lambda p: 1.0
    assert exp.has_evaluation_function
    assert len(exp.eval()) == 1


def test_config_and_tracking_metrics() -> None:
    exp = _exp(lambda p: 1.0, objective_name="loss", minimize=True)
    config = exp.optimization_config
    assert config is not None
    assert config.objective.metric.name == "loss" and config.objective.minimize
    assert exp.is_simple_experiment
    with pytest.raises(UnsupportedError, match="tracking metrics are not supported"):
        exp.add_tracking_metric(Metric("t"))
    with pytest.raises(UnsupportedError):
        exp.update_tracking_metric(Metric("t"))


def test_trial_fetch_data_evaluates() -> None:
    exp = _exp(lambda p: p["x"] * 2)
    trial = exp.new_trial().add_arm(Arm(params(0.25)))
    assert trial.fetch_data().columns["mean"].tolist() == [0.5]
    assert trial.objective_mean == 0.5
    with pytest.raises(UnsupportedError, match="take no runner"):
        trial.runner = None
