"""AxClient: the Service API, method by method (fast: Sobol or a cheap GP, few trials)."""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from ax.benchmark import branin
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import (
    DataRequiredError,
    JSONDecodeError,
    JSONEncodeError,
    NoDataError,
    TrialStatusError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient

pytestmark = pytest.mark.timeout(120)

PARAMETERS: List[Dict[str, Any]] = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]
CHEAP_GP = {"num_restarts": 2, "raw_samples": 32}
HAS_PLOTS = all(
    importlib.util.find_spec(name) is not None
    for name in ("ax.plot.contour", "ax.plot.trace", "ax.plot.feature_importances")
)
needs_plots = pytest.mark.skipif(not HAS_PLOTS, reason="ax.plot is not there yet")


def evaluate(parameters: TParameterization) -> Dict[str, Any]:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return {"branin": (branin(x1, x2), 0.0), "l2norm": (math.hypot(x1, x2), 0.0)}


def sobol_only(seed: int = 0, **step_kwargs: Any) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed}, **step_kwargs)]
    )


def sobol_then_gp(num_sobol: int = 4, seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL,
                num_trials=num_sobol,
                min_trials_observed=2,
                model_kwargs={"seed": seed},
            ),
            GenerationStep(
                Models.GPEI,
                num_trials=-1,
                max_parallelism=3,
                model_kwargs={"seed": seed, "options": CHEAP_GP},
            ),
        ]
    )


def make_client(
    generation_strategy: Optional[GenerationStrategy] = None, **create_kwargs: Any
) -> AxClient:
    client = AxClient(
        generation_strategy=generation_strategy or sobol_only(), verbose_logging=False
    )
    kwargs: Dict[str, Any] = {
        "name": "branin",
        "parameters": PARAMETERS,
        "objective_name": "branin",
        "minimize": True,
        "outcome_constraints": ["l2norm <= 12"],
    }
    kwargs.update(create_kwargs)
    client.create_experiment(**kwargs)
    return client


def run_trials(client: AxClient, n: int) -> List[TParameterization]:
    arms = []
    for _ in range(n):
        parameters, index = client.get_next_trial()
        client.complete_trial(index, evaluate(parameters))
        arms.append(parameters)
    return arms


# ---------------------------------------------------------------------------- construction


def test_db_settings_must_be_db_settings() -> None:
    with pytest.raises(UnsupportedError, match=r"db_settings must be .*DBSettings.*got dict"):
        AxClient(db_settings={"url": "sqlite://"})


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"random_seed": -1}, UserInputError, "random_seed must be >= 0, got random_seed=-1"),
        ({"random_seed": 1.5}, UserInputTypeError, "random_seed must be an int or None, got 1.5"),
        ({"random_seed": True}, UserInputTypeError, "random_seed must be an int or None"),
        ({"verbose_logging": "yes"}, UserInputTypeError, "verbose_logging must be a bool"),
        (
            {"enforce_sequential_optimization": 1},
            UserInputTypeError,
            "enforce_sequential_optimization must be a bool, got 1",
        ),
        ({"generation_strategy": "GPEI"}, UserInputTypeError, "generation_strategy must be"),
    ],
)
def test_bad_settings_raise(kwargs: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        AxClient(**kwargs)


def test_seed_with_explicit_strategy_warns() -> None:
    with pytest.warns(UserWarning, match="random_seed seeds only the default"):
        AxClient(generation_strategy=sobol_only(), random_seed=3)


# ---------------------------------------------------------------------------- order of calls


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_next_trial(),
        lambda c: c.get_next_trials(2),
        lambda c: c.complete_trial(0, 1.0),
        lambda c: c.update_trial_data(0, 1.0),
        lambda c: c.log_trial_failure(0),
        lambda c: c.abandon_trial(0),
        lambda c: c.attach_trial({"x1": 0.0, "x2": 0.0}),
        lambda c: c.get_trial_parameters(0),
        lambda c: c.get_best_parameters(),
        lambda c: c.get_trials_data_frame(),
        lambda c: c.get_model_predictions(),
        lambda c: c.get_optimization_trace(),
        lambda c: c.get_contour_plot(),
        lambda c: c.get_feature_importances(),
        lambda c: c.to_json_snapshot(),
        lambda c: c.save_to_json_file("x.json"),
        lambda c: c.experiment,
        lambda c: c.objective_name,
    ],
)
def test_methods_before_create_experiment_say_what_to_call(call: Any) -> None:
    with pytest.raises(UserInputError, match="call create_experiment first"):
        call(AxClient())


def test_generation_strategy_before_create_experiment() -> None:
    with pytest.raises(UserInputError, match="call create_experiment first"):
        AxClient().generation_strategy  # noqa: B018
    with pytest.raises(UserInputError, match="call create_experiment first"):
        AxClient().get_max_parallelism()
    assert AxClient(generation_strategy=sobol_only()).get_max_parallelism() == [(-1, -1)]


def test_second_create_experiment_needs_overwrite() -> None:
    client = make_client()
    run_trials(client, 2)
    with pytest.raises(UserInputError, match="already has experiment 'branin'.*overwrite"):
        client.create_experiment(parameters=PARAMETERS, name="other")
    client.create_experiment(
        parameters=PARAMETERS, name="other", overwrite_existing_experiment=True
    )
    assert client.experiment.name == "other" and client.experiment.num_trials == 0
    # The strategy starts over: Sobol gives the same first point as in a fresh client.
    first, _ = client.get_next_trial()
    assert first == make_client().get_next_trial()[0]


# ---------------------------------------------------------------------------- create_experiment


def test_create_experiment_builds_metrics_and_default_strategy() -> None:
    client = AxClient(random_seed=7)
    client.create_experiment(
        name="exp",
        parameters=PARAMETERS,
        objective_name="branin",
        minimize=True,
        parameter_constraints=["x1 + x2 <= 10"],
        outcome_constraints=["l2norm <= 12"],
        tracking_metric_names=["runtime"],
        experiment_type="demo",
    )
    experiment = client.experiment
    assert type(experiment).__name__ == "Experiment"
    assert set(experiment.metrics) == {"branin", "l2norm", "runtime"}
    assert [m.name for m in experiment.tracking_metrics] == ["runtime"]
    assert client.objective_name == "branin"
    assert experiment.metrics["branin"].lower_is_better is True
    assert experiment.experiment_type == "demo"
    assert len(experiment.search_space.parameter_constraints) == 1
    strategy = client.generation_strategy
    assert strategy.name == "Sobol+GPEI"
    # The one seed reaches every step: Sobol and the GP.
    assert [s.model_kwargs["seed"] for s in strategy.steps] == [7, 7]  # type: ignore[index]
    assert client.get_max_parallelism() == [(5, 5), (-1, 3)]


def test_max_parallelism_hartmann6_defaults() -> None:
    client = AxClient()
    client.create_experiment(
        parameters=[{"name": f"x{i}", "type": "range", "bounds": [0.0, 1.0]} for i in range(6)]
    )
    assert client.get_max_parallelism() == [(6, 6), (-1, 3)]


def test_choose_generation_strategy_kwargs_override_client_settings() -> None:
    client = AxClient(random_seed=1, enforce_sequential_optimization=True)
    client.create_experiment(
        parameters=PARAMETERS,
        choose_generation_strategy_kwargs={
            "random_seed": 2,
            "enforce_sequential_optimization": False,
            "num_initialization_trials": 3,
        },
    )
    steps = client.generation_strategy.steps
    assert steps[0].num_trials == 3 and steps[0].enforce_num_trials is False
    assert steps[0].model_kwargs == {"deduplicate": True, "seed": 2, "center_first": True}
    assert client.get_max_parallelism() == [(3, 3), (-1, -1)]


def test_choose_generation_strategy_kwargs_are_checked() -> None:
    with pytest.raises(UserInputError, match=r"unknown key\(s\) \['num_trails'\]"):
        AxClient().create_experiment(
            parameters=PARAMETERS, choose_generation_strategy_kwargs={"num_trails": 3}
        )
    with pytest.raises(UserInputError, match="have no effect, since a generation_strategy"):
        AxClient(generation_strategy=sobol_only()).create_experiment(
            parameters=PARAMETERS, choose_generation_strategy_kwargs={"num_trials": 3}
        )


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"tracking_metric_names": "m"}, UserInputTypeError, "tracking_metric_names must be"),
        ({"tracking_metric_names": ["m", "m"]}, UserInputError, "names 'm' twice"),
        ({"tracking_metric_names": [""]}, UserInputError, "non-empty strings, got ''"),
        ({"parameter_constraints": ["x1 + x3 <= 1"]}, UserInputError, "unknown parameter 'x3'"),
        ({"outcome_constraints": ["l2norm < 1"]}, UserInputError, "'l2norm < 1'"),
        ({"overwrite_existing_experiment": "no"}, UserInputTypeError, "overwrite_existing"),
    ],
)
def test_create_experiment_bad_input(kwargs: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        AxClient().create_experiment(parameters=PARAMETERS, **kwargs)


# ---------------------------------------------------------------------------- trials


def test_get_next_trial_marks_running_and_passes_pending_points() -> None:
    client = make_client()
    first, i0 = client.get_next_trial()
    second, i1 = client.get_next_trial()
    assert (i0, i1) == (0, 1) and first != second
    trial = client.experiment.trials[0]
    assert trial.status is TrialStatus.RUNNING
    assert client.get_trial_parameters(0) == first
    assert client.verify_trial_parameterization(0, first)
    assert not client.verify_trial_parameterization(0, second)
    assert client.experiment.search_space.check_membership(first)


@pytest.mark.parametrize(
    "raw_data, expected",
    [
        (
            {"branin": (1.5, 0.1), "l2norm": (2.0, 0.0)},
            {"branin": (1.5, 0.1), "l2norm": (2.0, 0.0)},
        ),
        ({"branin": 1.5}, {"branin": (1.5, math.nan)}),
        ((1.5, 0.2), {"branin": (1.5, 0.2)}),
        (1.5, {"branin": (1.5, math.nan)}),
        (3, {"branin": (3.0, math.nan)}),
        ([({"fid": 1.0}, {"branin": (1.5, 0.1)})], {"branin": (1.5, 0.1)}),
    ],
)
def test_complete_trial_raw_data_forms(raw_data: Any, expected: Dict[str, Any]) -> None:
    client = make_client()
    _, index = client.get_next_trial()
    client.complete_trial(index, raw_data, metadata={"host": "a"}, sample_size=10)
    trial = client.experiment.trials[index]
    assert trial.status is TrialStatus.COMPLETED
    assert trial.run_metadata == {"host": "a"}
    columns = trial.lookup_data().columns
    got = {
        m: (mean, sem)
        for m, mean, sem in zip(columns["metric_name"], columns["mean"], columns["sem"])
    }
    assert set(got) == set(expected)
    for metric, (mean, sem) in expected.items():
        assert got[metric][0] == mean
        assert (math.isnan(got[metric][1]) and math.isnan(sem)) or got[metric][1] == sem
    assert list(columns["n"]) == [10] * len(expected)


def test_complete_trial_unknown_metric_raises_and_changes_nothing() -> None:
    client = make_client(tracking_metric_names=["runtime"])
    _, index = client.get_next_trial()
    with pytest.raises(
        UserInputError,
        match=r"unknown metric\(s\) \['brainin'\]; the experiment's metrics are "
        r"\['branin', 'l2norm', 'runtime'\]",
    ):
        client.complete_trial(index, {"branin": 1.0, "brainin": 2.0})
    trial = client.experiment.trials[index]
    assert trial.status is TrialStatus.RUNNING and len(trial.lookup_data()) == 0
    client.complete_trial(index, {"branin": 1.0, "runtime": 3.0})
    assert client.experiment.trials[index].status is TrialStatus.COMPLETED


@pytest.mark.parametrize(
    "raw_data, match",
    [
        (math.nan, "non-finite mean nan"),
        ({"branin": (math.inf, 0.1)}, "non-finite mean inf"),
        ({"branin": (1.0, math.inf)}, "the sem must be finite, got sem=inf"),
        ({"branin": (1.0, math.nan)}, "the sem must be finite, got sem=nan"),
        ({"branin": (1.0, -0.1)}, "the sem must be >= 0, got sem=-0.1"),
        ({"branin": "high"}, "the mean must be a number, got 'high'"),
        ({"branin": {"mean": 1.0}}, "maps to a dict"),
        ({"l2norm": 1.0}, "must include the objective 'branin'"),
        ({}, "reports no metric"),
        ("1.0", "expected a number, a \\(mean, sem\\) tuple"),
        ([({"fid": 1.0}, {"branin": (math.nan, 0.1)})], "the mean must be finite, got mean=nan"),
    ],
)
def test_complete_trial_bad_data_raises_and_leaves_trial_running(raw_data: Any, match: str) -> None:
    client = make_client()
    _, index = client.get_next_trial()
    with pytest.raises(UserInputError, match=match):
        client.complete_trial(index, raw_data)
    trial = client.experiment.trials[index]
    assert trial.status is TrialStatus.RUNNING and len(trial.lookup_data()) == 0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"metadata": ["a"]}, UserInputTypeError, "metadata must be a dict with str keys"),
        ({"sample_size": 1.5}, UserInputTypeError, "sample_size must be an int or None, got 1.5"),
        ({"sample_size": -1}, UserInputError, "sample_size must be >= 0, got -1"),
    ],
)
def test_complete_trial_bad_arguments(kwargs: Dict[str, Any], error: type, match: str) -> None:
    client = make_client()
    _, index = client.get_next_trial()
    with pytest.raises(error, match=match):
        client.complete_trial(index, 1.0, **kwargs)
    assert client.experiment.trials[index].status is TrialStatus.RUNNING


def test_complete_trial_status_and_index_errors() -> None:
    client = make_client()
    with pytest.raises(UserInputError, match="trial 0 does not exist.*has no trials yet.*get_next"):
        client.complete_trial(0, 1.0)
    _, index = client.get_next_trial()
    with pytest.raises(UserInputError, match=r"trial 5 does not exist.*trials are 0..0"):
        client.complete_trial(5, 1.0)
    with pytest.raises(UserInputTypeError, match="trial_index must be an int, got '0'"):
        client.complete_trial("0", 1.0)  # type: ignore[arg-type]
    client.complete_trial(index, 1.0)
    with pytest.raises(TrialStatusError, match="status is COMPLETED.*call update_trial_data"):
        client.complete_trial(index, 2.0)
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, reason="out of memory")
    with pytest.raises(TrialStatusError, match=r"status is FAILED; it failed \(out of memory\)"):
        client.complete_trial(failed, 2.0)


def test_batch_trials_are_not_supported() -> None:
    client = make_client()
    client.experiment.new_batch_trial()
    with pytest.raises(UnsupportedError, match="trial 0 is a BatchTrial; AxClient handles one-arm"):
        client.complete_trial(0, 1.0)


def test_complete_trial_start_and_end_times_go_into_the_data() -> None:
    client = make_client()
    _, index = client.get_next_trial()
    client.complete_trial(index, 1.0, metadata={"start_time": 1_000, "end_time": 2_000})
    columns = client.experiment.trials[index].lookup_data().columns
    assert "start_time" in columns and "end_time" in columns


def test_update_trial_data_adds_a_version() -> None:
    client = make_client()
    _, index = client.get_next_trial()
    with pytest.raises(TrialStatusError, match="status is RUNNING; it is still running; call "):
        client.update_trial_data(index, 1.0)
    client.complete_trial(index, {"branin": 1.0, "l2norm": 2.0}, metadata={"a": 1})
    client.update_trial_data(index, {"l2norm": 3.0}, metadata={"b": 2})
    trial = client.experiment.trials[index]
    data = trial.lookup_data()
    means = dict(zip(data.columns["metric_name"], data.columns["mean"]))
    assert means == {"branin": 1.0, "l2norm": 3.0}
    assert len(client.experiment.data_by_trial[index]) == 2
    assert trial.run_metadata == {"a": 1, "b": 2}
    with pytest.raises(UserInputError, match=r"unknown metric\(s\) \['cost'\]"):
        client.update_trial_data(index, {"cost": 1.0})


def test_log_trial_failure_and_abandon_trial() -> None:
    client = make_client()
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, metadata={"exit_code": 137}, reason="killed")
    trial = client.experiment.trials[failed]
    assert trial.status is TrialStatus.FAILED
    assert trial.failed_reason == "killed" and trial.run_metadata == {"exit_code": 137}
    with pytest.raises(TrialStatusError, match="must be RUNNING or STAGED, but its status is FAIL"):
        client.log_trial_failure(failed)

    _, abandoned = client.get_next_trial()
    client.abandon_trial(abandoned, reason="no longer needed")
    assert client.experiment.trials[abandoned].status is TrialStatus.ABANDONED
    assert client.experiment.trials[abandoned].abandoned_reason == "no longer needed"
    with pytest.raises(TrialStatusError, match="status is ABANDONED; it was abandoned"):
        client.abandon_trial(abandoned)
    _, done = client.get_next_trial()
    client.complete_trial(done, 1.0)
    with pytest.raises(TrialStatusError, match="status is COMPLETED"):
        client.abandon_trial(done)
    with pytest.raises(UserInputTypeError, match="reason must be a str or None, got 3"):
        client.log_trial_failure(client.get_next_trial()[1], reason=3)  # type: ignore[arg-type]


def test_attach_trial() -> None:
    client = make_client(parameter_constraints=["x1 + x2 <= 10"])
    parameters, index = client.attach_trial({"x1": 1, "x2": 2.5})
    assert parameters == {"x1": 1.0, "x2": 2.5} and type(parameters["x1"]) is float
    trial = client.experiment.trials[index]
    assert trial.status is TrialStatus.RUNNING
    assert trial.generator_runs[0].generator_run_type == "MANUAL"
    client.complete_trial(index, 4.0)
    # The same parameters again share the arm's name.
    _, again = client.attach_trial({"x1": 1.0, "x2": 2.5})
    assert client.experiment.trials[again].arms[0].name == trial.arms[0].name


@pytest.mark.parametrize(
    "parameters, error, match",
    [
        ({"x1": 11.0, "x2": 0.0}, UserInputError, "value 11.0 of parameter 'x1' is out of the"),
        ({"x1": 0.0}, UserInputError, r"missing parameter\(s\) \['x2'\]"),
        ({"x1": 0.0, "x2": 0.0, "x3": 1.0}, UserInputError, r"unknown parameter\(s\) \['x3'\]"),
        ({"x1": "a", "x2": 0.0}, UserInputTypeError, "value 'a' of parameter 'x1' has type str"),
        ({"x1": 6.0, "x2": 6.0}, UserInputError, "violates constraint.*x1=6.0, x2=6.0"),
        ([1.0, 2.0], UserInputTypeError, "parameters must be a dict"),
    ],
)
def test_attach_trial_outside_the_search_space(parameters: Any, error: type, match: str) -> None:
    client = make_client(parameter_constraints=["x1 + x2 <= 10"])
    with pytest.raises(error, match="AxClient.attach_trial: .*" + match):
        client.attach_trial(parameters)
    assert client.experiment.num_trials == 0


# ---------------------------------------------------------------------------- get_next_trials


def test_get_next_trials_returns_n_without_reason() -> None:
    client = make_client()
    trials, reason = client.get_next_trials(3)
    assert list(trials) == [0, 1, 2] and reason is None
    assert len({json.dumps(p, sort_keys=True) for p in trials.values()}) == 3
    for index, parameters in trials.items():
        assert client.get_trial_parameters(index) == parameters


def test_get_next_trials_stops_at_max_parallelism() -> None:
    client = make_client(sobol_only(max_parallelism=2))
    trials, reason = client.get_next_trials(5)
    assert len(trials) == 2
    assert reason is not None and reason.startswith("max parallelism reached after 2 of 5")
    client.complete_trial(0, 1.0)
    trials, reason = client.get_next_trials(1)
    assert list(trials) == [2] and reason is None


def test_get_next_trials_stops_when_data_is_required() -> None:
    strategy = GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=2, min_trials_observed=2),
            GenerationStep(Models.UNIFORM, num_trials=-1),
        ]
    )
    client = make_client(strategy)
    trials, reason = client.get_next_trials(4)
    assert len(trials) == 2
    assert reason is not None and reason.startswith("data required after 2 of 4 trials")
    assert "complete more trials" in reason
    with pytest.raises(DataRequiredError):
        client.get_next_trial()


def test_get_next_trials_stops_when_the_strategy_is_complete() -> None:
    client = make_client(GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=2)]))
    run_trials(client, 2)
    trials, reason = client.get_next_trials(2)
    assert trials == {}
    assert reason is not None and reason.startswith("generation strategy completed after 0 of 2")


def test_get_next_trials_returns_what_was_made_before_an_unexpected_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_client()
    original = client.get_next_trial
    calls = {"n": 0}

    def flaky() -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original()

    monkeypatch.setattr(client, "get_next_trial", flaky)
    trials, reason = client.get_next_trials(3)
    assert list(trials) == [0]
    assert reason == "generated 1 of 3 trials, then failed with RuntimeError: disk full"
    calls["n"] = 1
    with pytest.raises(RuntimeError, match="disk full"):
        client.get_next_trials(3)


def test_get_next_trials_checks_n() -> None:
    client = make_client()
    with pytest.raises(UserInputError, match="n must be >= 1, got n=0"):
        client.get_next_trials(0)
    with pytest.raises(UserInputTypeError, match="n must be an int, got 2.0"):
        client.get_next_trials(2.0)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- results


def test_best_parameters_and_data_frame_with_sobol() -> None:
    client = make_client(tracking_metric_names=["runtime"])
    assert client.get_best_parameters() is None
    arms = run_trials(client, 4)
    _, running = client.get_next_trial()
    best = client.get_best_parameters()
    assert best is not None
    parameters, (means, covariances) = best
    values = [evaluate(p)["branin"][0] for p in arms]
    assert parameters == arms[values.index(min(values))]
    assert means["branin"] == min(values) and covariances is not None

    df = client.get_trials_data_frame()
    assert list(df.columns) == [
        "trial_index", "arm_name", "trial_status", "x1", "x2", "branin", "runtime", "l2norm"
    ]  # fmt: skip
    assert list(df["trial_index"]) == [0, 1, 2, 3, 4]
    assert list(df["trial_status"]) == ["COMPLETED"] * 4 + ["RUNNING"]
    assert list(df["branin"][:4]) == values
    assert math.isnan(df["branin"][running]) and df["runtime"].isna().all()
    assert list(df["x1"][:4]) == [p["x1"] for p in arms]


def test_model_predictions_and_feature_importances_need_a_model() -> None:
    client = make_client()
    with pytest.raises(UserInputError, match="no model has been fitted yet.*get_next_trial first"):
        client.get_model_predictions()
    run_trials(client, 2)
    with pytest.raises(
        UnsupportedError, match=r"current model Sobol \(RandomModelBridge\) makes no"
    ):
        client.get_model_predictions()
    with pytest.raises(
        UnsupportedError, match=r"Sobol \(RandomModelBridge\) does not give feature"
    ):
        client.get_feature_importances()
    with pytest.raises(UserInputError, match="unknown metric 'cost'; the experiment's metrics"):
        client.get_feature_importances("cost")


def test_model_predictions_with_the_gp_refit_on_new_data() -> None:
    client = make_client(sobol_then_gp(num_sobol=3))
    run_trials(client, 4)  # the 4th trial comes from the GP
    assert client.generation_strategy.model is not None
    predictions = client.get_model_predictions()
    assert set(predictions) == {0, 1, 2, 3}
    # The GP's model was fit before trial 3 completed, so the client refit it on all data.
    refit = client._refit
    assert refit is not None and refit[2] is not client.generation_strategy.model
    for index in range(4):
        observed = evaluate(client.get_trial_parameters(index))
        mean, sem = predictions[index]["branin"]
        assert sem >= 0 and abs(mean - observed["branin"][0]) < 1.0
    # Asking again reuses the refit model; an unknown metric raises.
    assert client.get_model_predictions(["l2norm"]).keys() == predictions.keys()
    assert client._refit is refit
    with pytest.raises(UserInputError, match="unknown metric 'cost'"):
        client.get_model_predictions(["cost"])
    # A reloaded client has no fitted model: it refits the one of the last generator run.
    restored = AxClient.from_json_snapshot(client.to_json_snapshot())
    assert restored.generation_strategy.model is None
    again = restored.get_model_predictions()
    for index in range(4):
        assert again[index]["branin"] == pytest.approx(predictions[index]["branin"], rel=1e-6)
    with pytest.raises(UserInputTypeError, match="metric_names must be a list of str or None"):
        restored.get_model_predictions("branin")  # type: ignore[arg-type]
    # Right after a gen, the strategy's model is used as it is.
    client.get_next_trial()
    assert client._fitted_model("test") is client.generation_strategy.model
    # The GP's importances come from its inverse lengthscales, scaled to sum to 1.
    importances = client.get_feature_importances()
    assert set(importances) == {"x1", "x2"}
    assert sum(importances.values()) == pytest.approx(1.0)
    assert all(v > 0 for v in importances.values())


def test_feature_importances_from_a_bridge_that_gives_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = make_client(sobol_then_gp(num_sobol=3))
    run_trials(client, 3)
    client.get_next_trial()
    bridge = client.generation_strategy.model
    assert bridge is not None
    monkeypatch.setattr(bridge, "feature_importances", lambda metric: {"x1": 3.0, "x2": 1.0})
    assert client.get_feature_importances() == {"x1": 0.75, "x2": 0.25}
    assert client.get_feature_importances(relative=False) == {"x1": 3.0, "x2": 1.0}
    if HAS_PLOTS:
        figure = client.get_feature_importances_plot()
        assert list(figure.data[0].y) == ["x2", "x1"]


def test_optimization_trace_needs_completed_trials() -> None:
    client = make_client()
    client.get_next_trial()
    with pytest.raises(NoDataError, match="no completed trial has data for objective 'branin'"):
        client.get_optimization_trace()


@needs_plots
def test_optimization_trace() -> None:
    client = make_client(sobol_then_gp(num_sobol=3))
    arms = run_trials(client, 4)
    figure = client.get_optimization_trace(objective_optimum=0.397887)
    values = [evaluate(p)["branin"][0] for p in arms]
    best = [min(values[: i + 1]) for i in range(4)]
    trace = figure.data[0]
    assert list(trace.y) == pytest.approx(best)
    assert figure.layout.title.text == "Model performance vs. # of iterations"
    assert figure.layout.yaxis.title.text == "Branin"


def test_contour_plot_argument_errors() -> None:
    client = make_client(
        parameters=PARAMETERS + [{"name": "c", "type": "choice", "values": ["a", "b"]}]
    )
    with pytest.raises(UserInputError, match="give both param_x and param_y or neither"):
        client.get_contour_plot(param_x="x1")
    with pytest.raises(UserInputError, match=r"param_y='c' is not a range parameter.*\['x1', 'x2'"):
        client.get_contour_plot(param_x="x1", param_y="c")
    with pytest.raises(UserInputError, match="param_x and param_y are both 'x1'"):
        client.get_contour_plot(param_x="x1", param_y="x1")
    with pytest.raises(UserInputError, match="unknown metric 'cost'"):
        client.get_contour_plot(metric_name="cost")
    with pytest.raises(UserInputError, match="no model has been fitted yet"):
        client.get_contour_plot()
    run_trials(client, 2)
    with pytest.raises(UnsupportedError, match="Sobol.*makes no predictions.*get_next_trial"):
        client.get_contour_plot()
    one = make_client(parameters=PARAMETERS[:1])
    with pytest.raises(UnsupportedError, match=r"two range parameters.*\['x1'\]"):
        one.get_contour_plot()


@needs_plots
def test_contour_plot() -> None:
    client = make_client(sobol_then_gp(num_sobol=3))
    run_trials(client, 3)
    client.get_next_trial()
    figure = client.get_contour_plot()
    assert len(figure.data) >= 2
    figure = client.get_contour_plot("x2", "x1", metric_name="l2norm")
    assert figure is not None


# ---------------------------------------------------------------------------- snapshots


def test_snapshot_round_trip_keeps_everything() -> None:
    client = make_client(tracking_metric_names=["runtime"])
    run_trials(client, 2)
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, metadata={"why": "oom"}, reason="oom")
    _, abandoned = client.get_next_trial()
    client.abandon_trial(abandoned, reason="slow")
    _, running = client.get_next_trial()
    client.update_trial_data(0, {"runtime": 5.0})

    snapshot = client.to_json_snapshot()
    text = json.dumps(snapshot, allow_nan=False)
    assert set(snapshot) == {"format_version", "experiment", "generation_strategy", "ax_client"}
    # The experiment is stored once: the strategy's part holds no experiment.
    assert text.count('"__type":"Experiment"') + text.count('"__type": "Experiment"') == 1
    assert "Experiment" not in json.dumps(snapshot["generation_strategy"])

    restored = AxClient.from_json_snapshot(json.loads(text))
    assert restored.experiment == client.experiment
    statuses = {i: t.status for i, t in restored.experiment.trials.items()}
    assert statuses == {
        0: TrialStatus.COMPLETED,
        1: TrialStatus.COMPLETED,
        failed: TrialStatus.FAILED,
        abandoned: TrialStatus.ABANDONED,
        running: TrialStatus.RUNNING,
    }
    assert restored.experiment.trials[failed].failed_reason == "oom"
    assert restored.experiment.trials[failed].run_metadata == {"why": "oom"}
    assert len(restored.experiment.data_by_trial[0]) == 2
    strategy = restored.generation_strategy
    assert strategy.steps == client.generation_strategy.steps
    assert strategy.current_step_index == client.generation_strategy.current_step_index
    assert (restored.random_seed, restored.verbose_logging) == (None, False)
    # The running trial can be completed after the reload, and generation continues exactly.
    restored.complete_trial(running, evaluate(restored.get_trial_parameters(running)))
    client.complete_trial(running, evaluate(client.get_trial_parameters(running)))
    assert restored.get_next_trial() == client.get_next_trial()


def test_snapshot_settings_and_overrides() -> None:
    client = AxClient(random_seed=4, enforce_sequential_optimization=False, verbose_logging=False)
    client.create_experiment(parameters=PARAMETERS)
    snapshot = client.to_json_snapshot()
    assert snapshot["ax_client"] == {
        "__type": "AxClient",
        "enforce_sequential_optimization": False,
        "random_seed": 4,
        "verbose_logging": False,
    }
    restored = AxClient.from_json_snapshot(snapshot, verbose_logging=True)
    assert (restored.random_seed, restored.enforce_sequential_optimization) == (4, False)
    assert restored.verbose_logging is True
    with pytest.raises(UserInputError, match=r"unknown keyword argument\(s\) \['db_settings'\]"):
        AxClient.from_json_snapshot(snapshot, db_settings="sqlite://")


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda s: [], "a snapshot must be a dict"),
        (lambda s: {k: v for k, v in s.items() if k != "ax_client"}, r"missing \['ax_client'\]"),
        (lambda s: {**s, "extra": 1}, r"unexpected \['extra'\]"),
        (lambda s: {**s, "ax_client": {**s["ax_client"], "__type": "X"}}, "of type 'AxClient'"),
        (lambda s: {**s, "ax_client": {"__type": "AxClient"}}, "ax_client must have the fields"),
        (
            lambda s: {**s, "ax_client": {**s["ax_client"], "random_seed": -2}},
            "random_seed must be an int >= 0 or null, got -2",
        ),
        (
            lambda s: {**s, "ax_client": {**s["ax_client"], "verbose_logging": 1}},
            "verbose_logging must be a bool, got 1",
        ),
        (lambda s: {**s, "format_version": 99}, "newer format_version 99"),
        (lambda s: {**s, "generation_strategy": {}}, "generation_strategy: expected an object"),
        (lambda s: {**s, "experiment": {"__type": "Arm"}}, "experiment: must be an object"),
    ],
)
def test_malformed_snapshots_raise(mutate: Any, match: str) -> None:
    client = make_client()
    run_trials(client, 1)
    with pytest.raises(JSONDecodeError, match=match):
        AxClient.from_json_snapshot(mutate(client.to_json_snapshot()))


def test_save_and_load_json_file(tmp_path: Path) -> None:
    client = make_client()
    run_trials(client, 3)
    path = tmp_path / "client.json"
    client.save_to_json_file(path)
    restored = AxClient.load_from_json_file(path)
    assert restored.experiment == client.experiment
    assert restored.get_next_trial() == client.get_next_trial()
    with pytest.raises(UserInputError, match="filepath must end in '.json'"):
        client.save_to_json_file(tmp_path / "client.txt")
    with pytest.raises(FileNotFoundError):
        AxClient.load_from_json_file(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text('{"format_version": 1}')
    with pytest.raises(JSONDecodeError, match=r"load_from_json_file .*bad.json.*missing"):
        AxClient.load_from_json_file(tmp_path / "bad.json")


def test_default_filepath(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    client = make_client()
    client.save_to_json_file()
    assert (tmp_path / "ax_client_snapshot.json").exists()
    assert AxClient.load_from_json_file().experiment == client.experiment


def test_strategy_with_a_factory_step_cannot_be_saved() -> None:
    def get_sobol(search_space: Any) -> Any:
        return Models.SOBOL(search_space=search_space, seed=0)

    client = make_client(GenerationStrategy([GenerationStep(get_sobol, num_trials=-1)]))
    run_trials(client, 1)
    with pytest.raises(JSONEncodeError, match="factory function"):
        client.to_json_snapshot()


def test_sql_and_removed_methods_raise() -> None:
    client = AxClient()
    with pytest.raises(UnsupportedError, match="'exp'.*this client has no db_settings"):
        client.load_experiment_from_database("exp")
    with pytest.raises(UnsupportedError, match="call get_max_parallelism"):
        client.get_recommended_max_parallelism()
    for call in (lambda: client.load_experiment("e"), client.load, client.save):
        with pytest.raises(UnsupportedError, match="json_file"):
            call()


# ---------------------------------------------------------------------------- seeds, logs


def _seeded_run(seed: int) -> List[TParameterization]:
    client = AxClient(random_seed=seed, verbose_logging=False)
    client.create_experiment(
        parameters=PARAMETERS,
        objective_name="branin",
        minimize=True,
        outcome_constraints=["l2norm <= 12"],
    )
    return run_trials(client, 8)


@pytest.mark.slow
def test_one_random_seed_makes_the_run_reproducible() -> None:
    """Sobol AND the GP steps are seeded: 5 Sobol + 3 GPEI trials, twice, same arms."""
    first = _seeded_run(11)
    assert first == _seeded_run(11)
    assert first[5:] != _seeded_run(12)[5:]


def test_verbose_logging(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="ax")
    client = make_client()
    client._verbose_logging = True
    _, index = client.get_next_trial()
    client.complete_trial(index, 1.0)
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("Generated new trial 0" in m for m in infos)
    assert any("Completed trial 0" in m for m in infos)
    caplog.clear()
    client._verbose_logging = False
    client.get_next_trial()
    assert not [r for r in caplog.records if r.levelno >= logging.INFO]
    assert any("Generated new trial 1" in r.getMessage() for r in caplog.records)


def test_import_is_light() -> None:
    code = (
        "import sys; import ax.service.ax_client; "
        "print(sorted(m for m in ('torch', 'pandas', 'plotly', 'botorch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_repr() -> None:
    assert repr(AxClient()) == "AxClient(experiment=None, generation_strategy=None)"
    assert "experiment='branin'" in repr(make_client())
