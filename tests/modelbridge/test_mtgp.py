"""get_MTGP: a multi-task GP over batch trials (each trial a task), as in Ax 0.1.13."""

from __future__ import annotations

from typing import Dict, List

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.observation import ObservationFeatures
from ax.exceptions import UserInputError
from ax.modelbridge import factory
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from tests.modelbridge.test_registry import _xy_experiment

CHEAP = {"num_restarts": 2, "raw_samples": 32}
LEVELS = [0.0, 3.0, -2.0]
"""The function's level in each trial (a batch run at another time, say)."""


def _f(x: float, y: float, trial: int) -> float:
    return (x - 0.3) ** 2 + (y - 0.6) ** 2 + LEVELS[trial]


def _batch_experiment(n_trials: int = 3, arms_per_trial: int = 5) -> Experiment:
    exp = _xy_experiment("mtgp")
    sobol = factory.get_sobol(exp.search_space, seed=0)
    for t in range(n_trials):
        trial = exp.new_batch_trial(generator_run=sobol.gen(arms_per_trial))
        trial.mark_running(no_runner_required=True)
        rows: Dict[str, List[object]] = {
            k: [] for k in ("arm_name", "metric_name", "mean", "sem", "trial_index")
        }
        for arm in trial.arms:
            p = arm.parameters
            rows["arm_name"].append(arm.name)
            rows["metric_name"].append("m")
            rows["mean"].append(_f(p["x"], p["y"], t))  # type: ignore[arg-type]
            rows["sem"].append(0.0)
            rows["trial_index"].append(t)
        exp.attach_data(_data(rows))
        trial.mark_completed()
    return exp


def _data(rows: Dict[str, List[object]]) -> Data:
    import pandas as pd

    return Data(df=pd.DataFrame(rows))


def test_get_mtgp_generates_in_design_and_predicts_each_trial() -> None:
    exp = _batch_experiment()
    bridge = factory.get_MTGP(exp, exp.fetch_data(), seed=0, **CHEAP)
    run = bridge.gen(2)
    assert run.model_key == "BO" and len(run.arms) == 2
    for arm in run.arms:
        assert exp.search_space.check_membership(arm.parameters)
    # Predictions for a trial's arms, in that trial's task, are close to what was observed.
    for t, trial in exp.trials.items():
        features = [ObservationFeatures(dict(a.parameters), trial_index=t) for a in trial.arms]
        means, _ = bridge.predict(features)
        observed = [_f(a.parameters["x"], a.parameters["y"], t) for a in trial.arms]  # type: ignore[arg-type]
        assert np.allclose(means["m"], observed, atol=0.1), (t, means["m"], observed)


def test_trial_index_selects_the_task() -> None:
    exp = _batch_experiment()
    data = exp.fetch_data()
    point = {"x": 0.5, "y": 0.5}
    means = {}
    for t in range(3):
        bridge = factory.get_MTGP(exp, data, trial_index=t, seed=0, **CHEAP)
        # Features without a trial index are predicted in the target trial's task.
        mean, _ = bridge.predict([ObservationFeatures(dict(point))])
        means[t] = mean["m"][0]
        run = bridge.gen(1)
        assert exp.search_space.check_membership(run.arms[0].parameters)
    expected = {t: _f(0.5, 0.5, t) for t in range(3)}
    for t in range(3):
        assert means[t] == pytest.approx(expected[t], abs=0.3)
    # The default is the latest trial with data.
    default = factory.get_MTGP(exp, data, seed=0, **CHEAP)
    mean, _ = default.predict([ObservationFeatures(dict(point))])
    assert mean["m"][0] == pytest.approx(means[2], abs=1e-6)


def test_get_mtgp_errors() -> None:
    exp = _batch_experiment(n_trials=2, arms_per_trial=3)
    with pytest.raises(ValueError, match="trial_index=5"):
        factory.get_MTGP(exp, exp.fetch_data(), trial_index=5)
    empty = _batch_experiment(n_trials=0)
    empty.new_batch_trial().add_arm(Arm({"x": 0.1, "y": 0.2}))
    with pytest.raises(UserInputError, match="non-empty data"):
        factory.get_MTGP(empty, empty.fetch_data())
    one = _batch_experiment(n_trials=1, arms_per_trial=3)
    with pytest.raises(UserInputError, match="at least 2 batch trials"):
        factory.get_MTGP(one, one.fetch_data())
    with pytest.raises(UserInputError, match="no trials"):
        factory.get_MTGP(_batch_experiment(n_trials=0), Data())
    single = _batch_experiment(n_trials=0)
    single.new_trial().add_arm(Arm({"x": 0.1, "y": 0.2}))
    with pytest.raises(ValueError, match=r"batch trial.*trials \[0\] are not"):
        factory.get_MTGP(single, single.fetch_data())


def test_get_mtgp_as_a_generation_step() -> None:
    exp = _batch_experiment(n_trials=2, arms_per_trial=4)
    strategy = GenerationStrategy(
        [GenerationStep(model=factory.get_MTGP, num_trials=-1, model_kwargs={"seed": 0, **CHEAP})]
    )
    run = strategy.gen(exp, n=2)
    assert run.model_key == "BO" and len(run.arms) == 2
    for arm in run.arms:
        assert exp.search_space.check_membership(arm.parameters)


def test_get_mtgp_generator_run_rebuilds_the_model() -> None:
    from ax.modelbridge.registry import get_model_from_generator_run

    exp = _batch_experiment(n_trials=2, arms_per_trial=4)
    run = factory.get_MTGP(exp, exp.fetch_data(), trial_index=0, seed=0, **CHEAP).gen(1)
    exp.new_batch_trial(generator_run=run)
    rebuilt = get_model_from_generator_run(run, exp, exp.fetch_data())
    assert rebuilt.transforms["TrialAsTask"].target_trial == 0  # type: ignore[attr-defined]
    assert exp.search_space.check_membership(rebuilt.gen(1).arms[0].parameters)


def test_get_mtgp_is_exported_lazily_from_ax_modelbridge() -> None:
    from ax.modelbridge import get_MTGP

    assert get_MTGP is factory.get_MTGP
