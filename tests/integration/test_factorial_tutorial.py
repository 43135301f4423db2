"""The Ax 0.1 factorial tutorial ("Factorial design with empirical Bayes and Thompson
Sampling"), run as written, plus its FactorialMetric/batch-trial variant.

The first test follows the tutorial cell by cell. Two changes, both outside the library:
NumPy 2 no longer converts a 1-element array to a float, so the evaluation function
squeezes ``successes`` (a shape-(1,) array in the tutorial); and ``render`` records the
figures instead of opening a browser (no notebook here). The tutorial draws its data with
numpy's global random state and leaves the models unseeded, so the test seeds numpy and
fixes the seeds the models draw from the operating system, to be deterministic.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

import ax.models.utils as model_utils
from ax.core.data import Data

pytestmark = pytest.mark.integration


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """Rendered figures, recorded; model seeds drawn from a counter instead of the OS."""
    import plotly.io as pio

    import ax.plot.render
    import ax.utils.notebook.plotting

    shown: List[Any] = []
    monkeypatch.setattr(ax.plot.render, "render", shown.append)
    monkeypatch.setattr(ax.utils.notebook.plotting, "render", shown.append)
    monkeypatch.setattr(pio.renderers, "default", pio.renderers.default)
    counter = itertools.count(1)
    monkeypatch.setattr(model_utils.secrets, "randbits", lambda bits: next(counter))
    np.random.seed(0)
    return shown


def test_factorial_tutorial_runs_as_written(figures: List[Any]) -> None:
    # In[1]
    from typing import Optional, Tuple, Union

    import numpy as np
    import pandas as pd
    import sklearn as skl
    import sklearn.preprocessing  # noqa: F401  (the tutorial relies on an older lazy import)

    from ax import Arm, ChoiceParameter, Models, ParameterType, SearchSpace, SimpleExperiment
    from ax.plot.scatter import plot_fitted
    from ax.utils.notebook.plotting import init_notebook_plotting, render
    from ax.utils.stats.statstools import agresti_coull_sem

    # In[2]
    init_notebook_plotting()

    # In[3]: 1. Define the search space
    search_space = SearchSpace(
        parameters=[
            ChoiceParameter(
                name="factor1",
                parameter_type=ParameterType.STRING,
                values=["level11", "level12", "level13"],
            ),
            ChoiceParameter(
                name="factor2",
                parameter_type=ParameterType.STRING,
                values=["level21", "level22"],
            ),
            ChoiceParameter(
                name="factor3",
                parameter_type=ParameterType.STRING,
                values=["level31", "level32", "level33", "level34"],
            ),
        ]
    )

    # In[4]: 2. Define the evaluation function
    one_hot_encoder = skl.preprocessing.OneHotEncoder(
        categories=[par.values for par in search_space.parameters.values()],
    )

    def factorial_evaluation_function(
        parameterization: Dict[str, Optional[Union[str, bool, float]]],
        weight: Optional[float] = None,
    ) -> Dict[str, Tuple[float, float]]:
        batch_size = 10000
        noise_level = 0.0
        weight = weight if weight is not None else 1.0
        coefficients = np.array([0.1, 0.2, 0.3, 0.1, 0.2, 0.1, 0.2, 0.3, 0.4])
        features = np.array(list(parameterization.values())).reshape(1, -1)
        encoded_features = one_hot_encoder.fit_transform(features)
        z = coefficients @ encoded_features.T + np.sqrt(noise_level) * np.random.randn()
        p = np.exp(z) / (1 + np.exp(z))
        plays = np.random.binomial(batch_size, weight)
        successes = np.squeeze(np.random.binomial(plays, p))  # NumPy 2: was float(array)
        mean = float(successes) / plays
        sem = agresti_coull_sem(successes, plays)
        return {"success_metric": (mean, sem)}

    # In[5]: 3. Define the experiment
    exp = SimpleExperiment(
        name="my_factorial_closed_loop_experiment",
        search_space=search_space,
        evaluation_function=factorial_evaluation_function,
        objective_name="success_metric",
    )
    exp.status_quo = Arm(
        parameters={"factor1": "level11", "factor2": "level21", "factor3": "level31"}
    )

    # In[6]: 4. Run an exploratory batch
    factorial = Models.FACTORIAL(search_space=exp.search_space)
    factorial_run = factorial.gen(n=-1)
    assert len(factorial_run.arms) == 24

    # In[7]
    trial = exp.new_batch_trial().add_generator_run(factorial_run, multiplier=1)

    # In[8]
    trial.reweight_status_quo(4)
    assert trial.arm_weights[trial.status_quo] == 5.0
    assert trial.status_quo.parameters == exp.status_quo.parameters

    # In[9]: 5. Iterate using Thompson Sampling
    models = []
    for i in range(4):
        print("Running iteration {}...".format(i + 1))  # noqa: UP032 (as in the tutorial)
        data = exp.eval_trial(trial)
        thompson = Models.THOMPSON(experiment=exp, data=data, min_weight=0.01)
        models.append(thompson)
        thompson_run = thompson.gen(n=-1)
        trial = exp.new_batch_trial().add_generator_run(thompson_run)

    # In[10], In[11]: plots 1 and 2
    render(plot_fitted(models[0], metric="success_metric", rel=False))
    render(plot_fitted(models[-1], metric="success_metric", rel=False))

    # In[12]
    results = pd.DataFrame(
        [
            {"values": ",".join(arm.parameters.values()), "weight": weight}
            for arm, weight in trial.normalized_arm_weights().items()
        ]
    )

    # In[13]: plot 3
    from ax.plot.bandit_rollout import plot_bandit_rollout
    from ax.utils.notebook.plotting import render

    render(plot_bandit_rollout(exp))

    # In[14]: plot 4
    from ax.plot.marginal_effects import plot_marginal_effects

    render(plot_marginal_effects(models[0], "success_metric"))

    # What the tutorial's text says happens.
    assert len(exp.trials) == 5 and len(exp.trials[0].arms) == 24
    assert all(exp.trials[i].status.name == "COMPLETED" for i in range(4))
    assert len(trial.arms) < 24  # Thompson sampling narrowed the arms
    assert "level13,level22,level34" in set(results["values"])  # the best arm survives
    assert results["weight"].sum() == pytest.approx(1.0)
    assert results["weight"].max() == results.set_index("values")["weight"].max()
    first_fit, last_fit, rollout, effects = figures
    assert [t.name for t in first_fit.data] == ["observed", "model"]
    assert len(first_fit.data[0].x) == 24
    assert len(rollout.data) == len({a.name for t in exp.trials.values() for a in t.arms})
    assert [list(bar.x) for bar in rollout.data][0] == [f"trial {i}" for i in range(5)]
    # Higher levels do better: the marginal effects increase along each factor's levels.
    for bar in effects.data:
        assert list(bar.y) == sorted(bar.y)
    assert last_fit.data[0].x is not None


COEFFICIENTS: Dict[str, Dict[Any, float]] = {
    "factor1": {"level11": 0.1, "level12": 0.2, "level13": 0.3},
    "factor2": {"level21": 0.1, "level22": 0.2},
    "factor3": {"level31": 0.1, "level32": 0.2, "level33": 0.3, "level34": 0.4},
}


def _factorial_experiment() -> Any:
    from ax import (
        Arm,
        ChoiceParameter,
        Experiment,
        Objective,
        OptimizationConfig,
        ParameterType,
        SearchSpace,
    )
    from ax.metrics.factorial import FactorialMetric
    from ax.runners.synthetic import SyntheticRunner

    search_space = SearchSpace(
        parameters=[
            ChoiceParameter(name=f, parameter_type=ParameterType.STRING, values=list(levels))
            for f, levels in COEFFICIENTS.items()
        ]
    )
    exp = Experiment(
        name="factorial_metric_experiment",
        search_space=search_space,
        optimization_config=OptimizationConfig(
            objective=Objective(
                metric=FactorialMetric(
                    name="success_metric", coefficients=COEFFICIENTS, batch_size=int(1e4), seed=3
                ),
                minimize=False,
            )
        ),
        runner=SyntheticRunner(),
    )
    exp.status_quo = Arm(
        parameters={"factor1": "level11", "factor2": "level21", "factor3": "level31"}
    )
    return exp


@pytest.mark.parametrize("bandit", ["THOMPSON", "EMPIRICAL_BAYES_THOMPSON"])
def test_factorial_metric_with_batch_trials_and_bandit_rounds(
    bandit: str, figures: List[Any], tmp_path: Path
) -> None:
    from ax import Models
    from ax.storage.json_store.load import load
    from ax.storage.json_store.save import save
    from ax.storage.sqa_store.db import create_all_tables, engine_for_url
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment

    exp = _factorial_experiment()
    factorial_run = Models.FACTORIAL(search_space=exp.search_space).gen(n=-1)
    trial = exp.new_batch_trial(optimize_for_power=True).add_generator_run(
        factorial_run, multiplier=1
    )
    # optimize_for_power: the status quo weighs sqrt(sum of the other arms' weights).
    assert trial.arm_weights[trial.status_quo] == pytest.approx(np.sqrt(23.0))
    assert trial.is_factorial
    model_class = getattr(Models, bandit)
    for _ in range(3):
        trial.run()
        data = exp.fetch_data()
        model = model_class(experiment=exp, data=data, min_weight=0.01, seed=0)
        run = model.gen(n=-1)
        trial.mark_completed()
        trial = exp.new_batch_trial(optimize_for_power=True).add_generator_run(run)
    assert len(trial.arms) < 24
    sq = trial.status_quo.signature
    treatments = {a: w for a, w in trial.arm_weights.items() if a.signature != sq}
    # The status quo keeps its power weight, sqrt(sum of the treatment weights).
    assert trial.arm_weights[trial.status_quo] == pytest.approx(np.sqrt(sum(treatments.values())))
    best_arm = max(treatments.items(), key=lambda kv: kv[1])[0]
    assert best_arm.parameters == {"factor1": "level13", "factor2": "level22", "factor3": "level34"}
    first = exp.trials[0].fetch_data()
    assert isinstance(first, Data) and len(first) == 24
    assert first.df["n"].sum() == pytest.approx(1e4, rel=0.05)
    # Saved and loaded with its FactorialMetric (JSON and SQL).
    save(exp, tmp_path / "factorial.json")
    assert load(tmp_path / "factorial.json") == exp
    engine = engine_for_url(f"sqlite:///{tmp_path / 'factorial.db'}")
    create_all_tables(engine)
    save_experiment(exp, engine=engine)
    loaded = load_experiment(exp.name, engine=engine)
    assert loaded == exp
    assert loaded.metrics["success_metric"].coefficients == COEFFICIENTS


def test_factorial_over_too_many_combinations_is_refused() -> None:
    from ax import ChoiceParameter, Models, ParameterType, SearchSpace
    from ax.exceptions import UserInputError

    space = SearchSpace(
        parameters=[
            ChoiceParameter(f"f{i}", ParameterType.STRING, [f"l{i}{j}" for j in range(5)])
            for i in range(4)
        ]
    )
    with pytest.raises(UserInputError, match="625 combinations, more than max_cardinality=100"):
        Models.FACTORIAL(search_space=space).gen(n=-1)
    run = Models.FACTORIAL(search_space=space, max_cardinality=1000).gen(n=-1)
    assert len(run.arms) == 625
