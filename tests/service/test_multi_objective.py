"""Several objectives through the front doors: AxClient, optimize/OptimizationLoop and the
Scheduler, from ``create_experiment(objectives=...)`` to the Pareto frontier, the report,
saving, loading and continuing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict

import pytest

import ax
from ax.core.objective import MultiObjective
from ax.core.observation import ObservationFeatures
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.types import ComparisonOp, TParameterization, TrialStatus
from ax.exceptions import (
    DataRequiredError,
    OptimizationAbortedError,
    UnsupportedError,
    UserInputError,
)
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.plot.report import PARETO_DIV_ID, TRADEOFF_TABLE_ID, experiment_report_html, save_report
from ax.service.ax_client import AxClient, ObjectiveProperties
from ax.service.managed_loop import OptimizationLoop, optimize
from ax.service.scheduler import Scheduler
from ax.utils.testing.multi_objective_stubs import multi_objective_values

PARAMETERS = [
    {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "y", "type": "range", "bounds": [0.0, 1.0]},
]
OBJECTIVES = {
    "acc": ObjectiveProperties(minimize=False, threshold=0.2),
    "latency": ObjectiveProperties(minimize=True, threshold=1.5),
}


def evaluate(parameters: TParameterization) -> Dict[str, Any]:
    return multi_objective_values(float(parameters["x"]), float(parameters["y"]))  # type: ignore[arg-type]


def _sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


def _client(strategy: GenerationStrategy, **kwargs: Any) -> AxClient:
    client = AxClient(generation_strategy=strategy, verbose_logging=False)
    client.create_experiment(
        name="moo",
        parameters=PARAMETERS,
        objectives=kwargs.pop("objectives", OBJECTIVES),
        outcome_constraints=kwargs.pop("outcome_constraints", ["cost <= 0.9"]),
        **kwargs,
    )
    return client


def _run(client: AxClient, n: int) -> None:
    for _ in range(n):
        parameters, index = client.get_next_trial()
        client.complete_trial(index, raw_data=evaluate(parameters))


# ------------------------------------------------------------------ creation
def test_create_experiment_with_objectives_builds_the_multi_objective_config() -> None:
    client = _client(_sobol())
    config = client.experiment.optimization_config
    assert isinstance(config, MultiObjectiveOptimizationConfig)
    assert isinstance(config.objective, MultiObjective)
    assert [(o.metric.name, o.minimize) for o in config.objective.objectives] == [
        ("acc", False),
        ("latency", True),
    ]
    thresholds = config.objective_thresholds_by_metric
    assert thresholds["acc"].op is ComparisonOp.GEQ and thresholds["acc"].bound == 0.2
    assert thresholds["latency"].op is ComparisonOp.LEQ and not thresholds["latency"].relative
    assert [c.metric.name for c in config.outcome_constraints] == ["cost"]
    assert client.experiment.metrics["latency"].lower_is_better is True


def test_objective_properties_is_importable_from_ax_and_ax_client() -> None:
    from ax import ObjectiveProperties as from_ax
    from ax.service.utils.objective_properties import ObjectiveProperties as defined

    assert from_ax is defined is ObjectiveProperties
    assert "ObjectiveProperties" not in ax.__all__ and len(ax.__all__) == 27
    for name in ("MultiObjective", "ScalarizedObjective", "ObjectiveThreshold"):
        assert getattr(ax, name).__module__.startswith("ax.core")
    assert ax.MultiObjectiveOptimizationConfig is MultiObjectiveOptimizationConfig


def test_single_objective_form_keeps_working() -> None:
    client = AxClient(generation_strategy=_sobol(), verbose_logging=False)
    client.create_experiment(parameters=PARAMETERS, objective_name="acc", minimize=False)
    parameters, index = client.get_next_trial()
    client.complete_trial(index, raw_data=0.5)
    assert client.get_best_parameters() is not None
    with pytest.raises(UnsupportedError, match="single objective.*Pareto frontier needs"):
        client.get_pareto_optimal_parameters()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"objective_name": "acc"}, "either objective_name/minimize .* or objectives"),
        ({"minimize": True}, "either objective_name/minimize .* or objectives"),
        (
            {"objectives": {"acc": ObjectiveProperties(minimize=False)}},
            r"objectives has 1 entry \['acc'\].*single objective is not a multi-objective",
        ),
        ({"objectives": ["acc", "latency"]}, "objectives must be a dict"),
        (
            {"objectives": {"acc": {"minimize": False, "bound": 1}, "b": {"minimize": True}}},
            r"objectives\['acc'\]: a dict needs the key 'minimize'",
        ),
        (
            {"objectives": {**OBJECTIVES}, "outcome_constraints": ["latency <= 3"]},
            "metric 'latency' is the objective",
        ),
    ],
)
def test_create_experiment_bad_input(kwargs: Dict[str, Any], match: str) -> None:
    client = AxClient(generation_strategy=_sobol(), verbose_logging=False)
    kwargs.setdefault("objectives", OBJECTIVES)
    with pytest.raises(UserInputError, match=match):
        client.create_experiment(parameters=PARAMETERS, **kwargs)


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"minimize": "yes"}, "minimize must be a bool"),
        ({"minimize": True, "threshold": float("nan")}, "threshold must be a finite number"),
        ({"minimize": True, "threshold": "1"}, "threshold must be a finite number"),
    ],
)
def test_objective_properties_validate(bad: Dict[str, Any], match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        ObjectiveProperties(**bad)


# ------------------------------------------------------------------ results
def test_results_must_name_every_objective() -> None:
    client = _client(_sobol())
    _, index = client.get_next_trial()
    with pytest.raises(UserInputError, match=r"several objectives \['acc', 'latency'\]"):
        client.complete_trial(index, raw_data=0.5)
    with pytest.raises(UserInputError, match=r"every objective.*missing \['latency'\]"):
        client.complete_trial(index, raw_data={"acc": 0.5, "cost": 0.1})
    client.complete_trial(index, raw_data={"acc": 0.5, "latency": 1.0, "cost": 0.1})
    assert client.experiment.trials[index].status is TrialStatus.COMPLETED


def test_observed_pareto_frontier_and_hypervolume() -> None:
    client = _client(_sobol())
    assert client.get_pareto_optimal_parameters() == {}
    _run(client, 10)
    frontier = client.get_pareto_optimal_parameters(use_model_predictions=False)
    assert frontier
    for index, (parameters, (means, covariances)) in frontier.items():
        assert parameters == client.experiment.trials[index].arm.parameters  # type: ignore[union-attr]
        expected = evaluate(parameters)
        assert means["acc"] == expected["acc"][0] and means["latency"] == expected["latency"][0]
        assert covariances["acc"]["acc"] == 0.0
        assert means["cost"] <= 0.9 and means["acc"] >= 0.2 and means["latency"] <= 1.5
    # No returned point is dominated by a completed feasible point.
    values = [evaluate(t.arm.parameters) for t in client.experiment.trials.values()]  # type: ignore[union-attr]
    for _, (_, (means, _)) in frontier.items():
        assert not any(
            v["acc"][0] >= means["acc"]
            and v["latency"][0] <= means["latency"]
            and (v["acc"][0] > means["acc"] or v["latency"][0] < means["latency"])
            and v["cost"][0] <= 0.9
            for v in values
        )
    assert client.get_hypervolume() > 0.0
    with pytest.raises(UnsupportedError, match="get_pareto_optimal_parameters"):
        client.get_best_parameters()


def test_model_predicted_pareto_frontier() -> None:
    from ax.service.utils.pareto import get_pareto_optimal_parameters

    client = _client(_sobol())
    _run(client, 8)
    experiment = client.experiment
    # Any fitted bridge that predicts every metric will do: a GP fitted on the data.
    model = Models.GPEI(
        experiment=experiment, data=experiment.lookup_data(), num_restarts=2, raw_samples=16
    )
    observed = get_pareto_optimal_parameters(experiment, model, use_model_predictions=False)
    predicted = get_pareto_optimal_parameters(experiment, model, use_model_predictions=True)
    assert predicted and set(predicted) <= set(experiment.trials)
    means_by_arm, covs_by_arm = model.predict(
        [ObservationFeatures(dict(parameters)) for parameters, _ in predicted.values()]
    )
    for k, (_, (means, covariances)) in enumerate(predicted.values()):
        assert set(means) == {"acc", "latency", "cost"}
        assert means["acc"] == pytest.approx(means_by_arm["acc"][k])  # the model's, not data
        assert covariances["latency"]["latency"] == pytest.approx(
            covs_by_arm["latency"]["latency"][k]
        )
    assert observed  # and the observed frontier is still there without predictions
    # Without a model (Sobol only so far) the client falls back to the observations.
    assert client.get_pareto_optimal_parameters(use_model_predictions=True) == observed


def test_every_trial_infeasible_means_no_frontier() -> None:
    client = _client(_sobol(), outcome_constraints=["cost <= -1"])
    _run(client, 4)
    with pytest.raises(DataRequiredError, match="every completed trial .* infeasible.*4 break"):
        client.get_pareto_optimal_parameters()
    # Likewise when every arm misses the thresholds.
    strict = {
        "acc": ObjectiveProperties(minimize=False, threshold=5.0),
        "latency": ObjectiveProperties(minimize=True, threshold=0.0),
    }
    client = _client(_sobol(), objectives=strict)
    _run(client, 3)
    with pytest.raises(DataRequiredError, match="miss the objective thresholds"):
        client.get_pareto_optimal_parameters(use_model_predictions=False)


# ------------------------------------------------------------------ report, save, load, continue
def test_user_goes_from_objectives_to_report_saves_loads_and_continues(tmp_path: Path) -> None:
    client = _client(_sobol(seed=3))
    _run(client, 6)
    report = tmp_path / "report.html"
    save_report(client.experiment, str(report))
    text = report.read_text()
    assert f'id="{PARETO_DIV_ID}"' in text and f'id="{TRADEOFF_TABLE_ID}"' in text
    snapshot = tmp_path / "client.json"
    client.save_to_json_file(str(snapshot))
    loaded = AxClient.load_from_json_file(str(snapshot), verbose_logging=False)
    assert loaded.experiment.optimization_config == client.experiment.optimization_config
    assert loaded.get_pareto_optimal_parameters(False) == client.get_pareto_optimal_parameters(
        False
    )
    _run(loaded, 2)
    assert len(loaded.experiment.trials) == 8
    assert loaded.get_hypervolume() >= client.get_hypervolume()


def test_default_strategy_with_a_constraint_saves_loads_and_continues(tmp_path: Path) -> None:
    # The default multi-objective step power-transforms the constraint metric (issue 13);
    # that choice is stored with the strategy and still made after a reload.
    client = AxClient(random_seed=4, verbose_logging=False)
    client.create_experiment(
        name="moo_default",
        parameters=PARAMETERS,
        objectives=OBJECTIVES,
        outcome_constraints=["cost <= 0.9"],
        choose_generation_strategy_kwargs={"num_initialization_trials": 3},
    )
    step = client.generation_strategy.steps[-1]
    assert step.model_kwargs["transform_configs"] == {"PowerTransformY": {"metrics": ["cost"]}}
    _run(client, 4)
    last = client.experiment.trials[3].generator_runs[0]
    assert "PowerTransformY" in last.bridge_kwargs["transforms"]
    snapshot = tmp_path / "client.json"
    client.save_to_json_file(str(snapshot))
    loaded = AxClient.load_from_json_file(str(snapshot), verbose_logging=False)
    assert loaded.generation_strategy.steps[-1].model_kwargs == step.model_kwargs
    _run(loaded, 1)
    run = loaded.experiment.trials[4].generator_runs[0]
    assert run.bridge_kwargs["transforms"] == last.bridge_kwargs["transforms"]
    assert run.bridge_kwargs["transform_configs"] == {"PowerTransformY": {"metrics": ["cost"]}}


def test_sql_store_round_trip_and_continue(tmp_path: Path) -> None:
    from ax.storage.sqa_store.db import engine_for_url
    from ax.storage.sqa_store.structs import DBSettings

    settings = DBSettings(url=f"sqlite:///{tmp_path / 'moo.db'}")
    try:
        client = AxClient(db_settings=settings, random_seed=1, verbose_logging=False)
        client.create_experiment(
            name="moo_db",
            parameters=PARAMETERS,
            objectives=OBJECTIVES,
            tracking_metric_names=["cost"],
        )
        _run(client, 3)
        again = AxClient(db_settings=settings, verbose_logging=False)
        again.load_experiment_from_database("moo_db")
        assert again.experiment.optimization_config == client.experiment.optimization_config
        _run(again, 1)
        assert len(again.experiment.trials) == 4
        assert again.get_pareto_optimal_parameters(False)
    finally:
        engine_for_url(settings.url).dispose()


# ------------------------------------------------------------------ loop and scheduler
def test_optimize_with_objectives_returns_the_frontier() -> None:
    pareto, frontier, experiment, _ = optimize(
        parameters=PARAMETERS,
        evaluation_function=evaluate,
        objectives=OBJECTIVES,
        outcome_constraints=["cost <= 0.9"],
        total_trials=6,
        generation_strategy=_sobol(seed=2),
    )
    assert isinstance(experiment.optimization_config, MultiObjectiveOptimizationConfig)
    assert len(experiment.trials) == 6 and pareto
    assert frontier.hypervolume > 0 and len(frontier.trace) == 6
    assert {p.trial_index for p in frontier.pareto_points} == set(pareto)
    text = experiment_report_html(experiment)
    assert f'id="{PARETO_DIV_ID}"' in text and f'id="{TRADEOFF_TABLE_ID}"' in text


def test_optimization_loop_with_objectives_on_an_executor() -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        loop = OptimizationLoop.with_evaluation_function(
            parameters=PARAMETERS,
            evaluation_function=evaluate,
            objectives=OBJECTIVES,
            total_trials=5,
            generation_strategy=_sobol(seed=4),
            max_workers=2,
            executor=pool,
        ).full_run()
    assert len(loop.experiment.trials) == 5
    assert loop.get_pareto_optimal_parameters()
    with pytest.raises(UnsupportedError, match="several objectives"):
        loop.get_best_point()


def test_loop_evaluation_missing_an_objective_fails_the_trial() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        loop = OptimizationLoop.with_evaluation_function(
            parameters=PARAMETERS,
            evaluation_function=lambda p: {"acc": 0.5},
            objectives=OBJECTIVES,
            total_trials=1,
            generation_strategy=_sobol(),
            max_consecutive_failures=1,
            executor=pool,
        )
        with pytest.raises(OptimizationAbortedError, match=r"objective\(s\) \['latency'\]"):
            loop.full_run()


def test_scheduler_runs_a_multi_objective_experiment_unchanged() -> None:
    experiment = ax.Experiment(
        ax.SearchSpace(
            [
                ax.RangeParameter("x", ax.ParameterType.FLOAT, 0.0, 1.0),
                ax.RangeParameter("y", ax.ParameterType.FLOAT, 0.0, 1.0),
            ]
        ),
        name="sched_moo",
    )
    from ax.service.utils.objective_properties import make_multi_objective_config

    experiment.optimization_config = make_multi_objective_config(OBJECTIVES)
    with Scheduler(experiment, _sobol(seed=5), evaluate) as scheduler:
        scheduler.run_n_trials(4)
    completed = experiment.trial_indices_by_status[TrialStatus.COMPLETED]
    assert len(completed) == 4
    assert set(experiment.lookup_data().metric_names) >= {"acc", "latency"}


def test_best_raw_point_of_a_scalarized_objective_is_the_best_weighted_sum() -> None:
    from ax.service.utils.best_point import get_best_raw_objective_point
    from ax.utils.testing.multi_objective_stubs import get_multi_objective_experiment

    experiment = get_multi_objective_experiment(6, scalarized=True)  # acc - 0.5 * latency
    parameters, values = get_best_raw_objective_point(experiment)
    scores = [
        evaluate(t.arm.parameters)  # type: ignore[union-attr]
        for t in experiment.trials.values()
    ]
    best = max(v["acc"][0] - 0.5 * v["latency"][0] for v in scores)
    assert values["acc"][0] - 0.5 * values["latency"][0] == pytest.approx(best)
    moo = get_multi_objective_experiment(3)
    with pytest.raises(UnsupportedError, match="several objectives.*no single best point"):
        get_best_raw_objective_point(moo)


def test_objective_names() -> None:
    client = _client(_sobol())
    assert client.objective_names == ["acc", "latency"]
    with pytest.raises(UnsupportedError, match=r"several objectives \['acc', 'latency'\]"):
        client.objective_name  # noqa: B018


@pytest.mark.slow
def test_default_strategy_runs_the_multi_objective_model_end_to_end(tmp_path: Path) -> None:
    """Sobol, then the hypervolume model; the model's inferred reference point reaches the
    frontier; the run is saved, loaded and continued on the same strategy."""
    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(
        name="moo_default",
        parameters=PARAMETERS,
        objectives={
            "acc": ObjectiveProperties(minimize=False, threshold=0.2),
            "latency": ObjectiveProperties(minimize=True),  # inferred reference point
        },
        outcome_constraints=["cost <= 0.9"],
        choose_generation_strategy_kwargs={"num_initialization_trials": 4},
    )
    assert [s.model for s in client.generation_strategy.steps] == [Models.SOBOL, Models.MOO]
    _run(client, 6)
    last = client.experiment.trials[5].generator_runs[0]
    assert last.model_key == "MOO"
    from ax.plot.pareto import REFERENCE_FROM_MODEL, observed_frontier

    frontier = observed_frontier(client.experiment)
    assert frontier is not None
    assert frontier.reference_source == {"acc": "threshold", "latency": REFERENCE_FROM_MODEL}
    predicted = client.get_pareto_optimal_parameters(use_model_predictions=True)
    assert predicted and all(set(m) >= {"acc", "latency"} for _, (m, _) in predicted.values())
    path = tmp_path / "moo.json"
    client.save_to_json_file(str(path))
    loaded = AxClient.load_from_json_file(str(path), verbose_logging=False)
    _run(loaded, 1)
    assert loaded.experiment.trials[6].generator_runs[0].model_key == "MOO"


def test_mixed_space_is_searched_on_its_values_by_the_multi_objective_model() -> None:
    """Ints and an unordered choice with several objectives: the model proposes valid
    values, searching the categories (its metadata says so) instead of rounding a
    relaxation of them."""
    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(
        name="moo_mixed",
        parameters=[
            *PARAMETERS,
            {"name": "n", "type": "range", "bounds": [1, 20], "value_type": "int"},
            {"name": "opt", "type": "choice", "values": ["sgd", "adam", "rms"]},
        ],
        objectives=OBJECTIVES,
        choose_generation_strategy_kwargs={"num_initialization_trials": 5},
    )
    assert [s.model for s in client.generation_strategy.steps] == [Models.SOBOL, Models.MOO]
    for _ in range(7):
        parameters, index = client.get_next_trial()
        assert isinstance(parameters["n"], int) and 1 <= parameters["n"] <= 20
        assert parameters["opt"] in ("sgd", "adam", "rms")
        values = evaluate(parameters)
        penalty = (0.0 if parameters["opt"] == "adam" else 0.2) + 0.01 * abs(parameters["n"] - 7)
        client.complete_trial(
            index, {"acc": (values["acc"][0] - penalty, 0.0), "latency": values["latency"]}
        )
    run = client.experiment.trials[6].generator_runs[0]
    assert run.model_key == "MOO"
    # The categories are searched; the integer is relaxed and rounded (search_lattices).
    assert run.gen_metadata["discrete_search"]["one_hot_groups"] == 1
    assert run.gen_metadata["discrete_search"]["lattice_dims"] == 0
