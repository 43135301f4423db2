"""plot_fitted, plot_bandit_rollout and plot_marginal_effects on a small bandit."""

from __future__ import annotations

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError
from ax.metrics.factorial import FactorialMetric
from ax.modelbridge.registry import Models
from ax.plot.bandit_rollout import plot_bandit_rollout
from ax.plot.marginal_effects import plot_marginal_effects
from ax.plot.scatter import plot_fitted

COEFFICIENTS = {"f1": {"a": 0.0, "b": 0.5}, "f2": {"c": 0.0, "d": 0.4}}


def _bandit() -> tuple:
    space = SearchSpace(
        [ChoiceParameter(f, ParameterType.STRING, list(lv)) for f, lv in COEFFICIENTS.items()]
    )
    metric = FactorialMetric("m", COEFFICIENTS, batch_size=4000, seed=0)
    exp = Experiment(
        space,
        name="bandit",
        optimization_config=OptimizationConfig(Objective(metric, minimize=False)),
        status_quo=Arm({"f1": "a", "f2": "c"}),
    )
    trial = exp.new_batch_trial().add_generator_run(Models.FACTORIAL(search_space=space).gen(-1))
    trial.mark_running(no_runner_required=True)
    model = Models.EMPIRICAL_BAYES_THOMPSON(experiment=exp, data=exp.fetch_data(), seed=0)
    return exp, model


def test_plot_fitted_absolute_and_relative() -> None:
    exp, model = _bandit()
    fig = plot_fitted(model, metric="m", rel=False)
    observed, modelled = fig.data
    assert observed.name == "observed" and modelled.name == "model"
    best = [a.name for a in exp.arms_by_name.values() if a.parameters == {"f1": "b", "f2": "d"}]
    assert list(observed.x)[0] == best[0]  # best estimate first
    assert set(observed.x) == set(exp.arms_by_name)
    rel = plot_fitted(model, metric="m", rel=True, custom_arm_order=["status_quo", best[0]])
    assert list(rel.data[0].x) == ["status_quo", best[0]]
    assert rel.data[0].y[0] == pytest.approx(0.0)
    assert rel.data[0].y[1] > 0.0
    with pytest.raises(UserInputError, match="custom_arm_order names arms \\['nope'\\]"):
        plot_fitted(model, metric="m", custom_arm_order=["nope"])
    with pytest.raises(UserInputError, match="unknown metric_name='x'"):
        plot_fitted(model, metric="x")


def test_plot_bandit_rollout_and_marginal_effects() -> None:
    exp, model = _bandit()
    rollout = plot_bandit_rollout(exp)
    assert len(rollout.data) == 4
    assert sum(bar.y[0] for bar in rollout.data) == pytest.approx(100.0)
    effects = plot_marginal_effects(model, "m")
    f1, f2 = effects.data
    assert list(f1.x) == ["a", "b"] and f1.y[0] < 0 < f1.y[1]
    assert list(f2.x) == ["c", "d"] and f2.y[0] < 0 < f2.y[1]
    with pytest.raises(UserInputTypeError, match="must be an Experiment"):
        plot_bandit_rollout("exp")  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="no batch trial with arms"):
        plot_bandit_rollout(Experiment(exp.search_space, name="empty"))


def test_plot_fitted_shows_out_of_design_arms_of_a_bandit() -> None:
    exp, _ = _bandit()
    baseline = Arm({"f1": "z", "f2": "c"}, name="baseline")  # "z" is not a level of f1
    trial = exp.new_batch_trial().add_arm(baseline).add_arm(Arm({"f1": "b", "f2": "d"}))
    trial.mark_running(no_runner_required=True)
    from ax.core.data import Data

    exp.attach_data(
        Data.from_evaluations(
            {"baseline": {"m": (0.4, 0.01)}, trial.arms[1].name: {"m": (0.7, 0.01)}},
            trial_index=trial.index,
        )
    )
    data = exp.lookup_data(trial_indices=[trial.index])
    model = Models.THOMPSON(experiment=exp, data=data, seed=0)  # trains on it too
    observed, modelled = plot_fitted(model, metric="m", rel=False).data
    assert "baseline (out of design)" in list(observed.x)
    assert "baseline (out of design)" in list(modelled.x)
