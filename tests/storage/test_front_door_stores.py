"""Every front door takes one ``store``: an ExperimentStore, or a JSON path or a database
URL as a shortcut, on JSON files, SQLite and PostgreSQL.

Each front door saves through the store protocol only, so what it saved is loaded back by
the same store (and, for a database, by another client of it).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from ax.core.types import TrialStatus
from ax.exceptions import JSONDecodeError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.service.executors import InlineExecutor
from ax.service.managed_loop import OptimizationLoop, optimize
from ax.service.scheduler import Scheduler
from ax.service.utils.instantiation import make_experiment
from ax.service.utils.scheduler_options import SchedulerOptions
from ax.storage.sqa_store.structs import DBSettings
from ax.storage.store import ExperimentStore, JSONFileStore, as_store
from polaris import STATUS_SUCCESS, Bounds, Polaris, Trials
from polaris.checkpoint import Checkpoint, records_document

PARAMETERS = [{"name": "x", "type": "range", "bounds": [0.0, 1.0]}]


def quadratic(parameters: Dict[str, Any]) -> float:
    return (float(parameters["x"]) - 0.3) ** 2


def polaris_fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
    return {"loss": (params["x"] - 0.3) ** 2, "status": STATUS_SUCCESS}


def sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


@pytest.fixture(params=["json", "sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store shortcut: a JSON directory, a SQLite URL, the session's PostgreSQL URL."""
    if request.param == "json":
        yield str(tmp_path / "experiments")
        return
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'front.db'}"
        return
    yield _postgres(request)


def _postgres(request: pytest.FixtureRequest) -> str:
    from ax.storage.sqa_store.db import create_engine_for_url
    from ax.storage.testing import reset_database

    url = request.getfixturevalue("postgres_url")
    engine = create_engine_for_url(url)
    reset_database(engine)
    engine.dispose()
    return str(url)


def _statuses(store: ExperimentStore, name: str) -> Dict[int, TrialStatus]:
    experiment, _ = store.load(name)
    return {i: t.status for i, t in experiment.trials.items()}


def test_optimize_saves_through_a_store_object(target: str) -> None:
    store = as_store(target)
    assert store is not None
    _, _, experiment, _ = optimize(
        parameters=PARAMETERS,
        evaluation_function=quadratic,
        experiment_name="quad",
        minimize=True,
        total_trials=4,
        random_seed=0,
        store=store,
    )
    loaded, strategy = store.load("quad")
    assert _statuses(store, "quad") == {i: TrialStatus.COMPLETED for i in range(4)}
    assert [t.arm.parameters for t in loaded.trials.values()] == [  # type: ignore[union-attr]
        t.arm.parameters
        for t in experiment.trials.values()  # type: ignore[union-attr]
    ]
    assert strategy is not None and strategy.experiment is loaded


def test_loop_takes_a_shortcut_and_resumes_from_its_store(target: str) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        parameters=PARAMETERS,
        evaluation_function=quadratic,
        experiment_name="loop",
        minimize=True,
        total_trials=3,
        random_seed=1,
        store=target,
    ).full_run()
    reference = [t.arm.parameters for t in loop.experiment.trials.values()]  # type: ignore[union-attr]
    experiment, strategy = as_store(target).load("loop")  # type: ignore[union-attr]
    experiment.evaluation_function = quadratic  # type: ignore[attr-defined]
    assert strategy is not None
    resumed = OptimizationLoop(
        experiment, total_trials=5, generation_strategy=strategy, store=target
    )
    resumed.full_run()
    statuses = _statuses(as_store(target), "loop")  # type: ignore[arg-type]
    assert statuses == {i: TrialStatus.COMPLETED for i in range(5)}
    assert [t.arm.parameters for t in experiment.trials.values()][:3] == reference  # type: ignore[union-attr]


def test_ax_client_saves_every_change_and_another_client_resumes(target: str) -> None:
    client = AxClient(generation_strategy=sobol(), store=target)
    client.create_experiment(name="ask", parameters=PARAMETERS, minimize=True)
    for _ in range(3):
        parameters, index = client.get_next_trial()
        client.complete_trial(index, raw_data=quadratic(parameters))
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, reason="no GPU")
    store = client.store
    assert store is not None
    assert _statuses(store, "ask") == {
        0: TrialStatus.COMPLETED,
        1: TrialStatus.COMPLETED,
        2: TrialStatus.COMPLETED,
        3: TrialStatus.FAILED,
    }
    resumed = AxClient(store=target)
    resumed.load_experiment_from_database("ask")
    assert resumed.experiment.trials[3].failed_reason == "no GPU"
    assert resumed.experiment.lookup_data().df.equals(client.experiment.lookup_data().df)
    _, index = resumed.get_next_trial()
    assert index == 4


def test_ax_client_run_trials_saves_through_the_store(target: str) -> None:
    client = AxClient(generation_strategy=sobol(3), store=target)
    client.create_experiment(name="run", parameters=PARAMETERS, minimize=True)
    with ThreadPoolExecutor(max_workers=2) as pool:
        client.run_trials(quadratic, 3, executor=pool, max_parallelism=2)
    store = client.store
    assert store is not None
    assert _statuses(store, "run") == {i: TrialStatus.COMPLETED for i in range(3)}


def test_scheduler_takes_a_store(target: str) -> None:
    experiment = make_experiment(parameters=PARAMETERS, name="sched", minimize=True)
    scheduler = Scheduler(
        experiment,
        sobol(),
        quadratic,
        InlineExecutor(),
        SchedulerOptions(max_parallelism=1, total_trials=3),
        store=target,
    )
    scheduler.run_all_trials()
    assert scheduler.store is not None
    assert _statuses(scheduler.store, "sched") == {i: TrialStatus.COMPLETED for i in range(3)}
    loaded, strategy = scheduler.store.load("sched")
    assert strategy is not None  # it continues the same Sobol sequence
    expected = scheduler.generation_strategy.gen(experiment).arms[0].parameters
    assert strategy.gen(loaded).arms[0].parameters == expected


def test_polaris_checkpoint_on_a_store_resumes_and_detects_edits(target: str) -> None:
    bounds = [Bounds("x", 0.0, 1.0)]
    first = Polaris(
        polaris_fn, bounds, "random", Trials(), max_evals=3, exp_key="pol", seed=0, store=target
    )
    assert first.checkpoint_file is None
    first.run()
    trials = Trials()
    second = Polaris(
        polaris_fn, bounds, "random", trials, max_evals=5, exp_key="pol", seed=0, store=target
    )
    assert len(trials) == 3  # resumed from the store
    second.run()
    store = as_store(target)
    assert store is not None
    records, experiment, strategy = Checkpoint(store, "pol").load()
    assert len(records) == 5 and len(experiment.trials) == 5
    edited = [dict(r) for r in records]
    edited[0]["loss"] = -1.0
    document = records_document(edited)
    experiment.description = document.replace(document.split('"trials_sha256":"')[1][:64], "0" * 64)
    store.save_experiment(experiment, strategy)
    with pytest.raises(JSONDecodeError, match="do not match their digest"):
        Checkpoint(store, "pol").load()


def test_polaris_checkpoint_dir_keeps_its_file(tmp_path: Path) -> None:
    bounds = [Bounds("x", 0.0, 1.0)]
    polaris = Polaris(
        polaris_fn,
        bounds,
        "random",
        Trials(),
        max_evals=2,
        exp_key="f",
        seed=0,
        checkpoint_dir=str(tmp_path),
    )
    polaris.run()
    assert polaris.checkpoint_file == str(tmp_path / "f" / "checkpoint.json")
    assert Path(polaris.checkpoint_file).exists()
    trials = Trials()
    Polaris(
        polaris_fn, bounds, "random", trials, max_evals=2, exp_key="f", checkpoint_dir=str(tmp_path)
    )
    assert len(trials) == 2


def test_json_store_keeps_the_strategy_when_only_trials_are_saved(tmp_path: Path) -> None:
    store = JSONFileStore(tmp_path / "one.json")
    experiment = make_experiment(parameters=PARAMETERS, name="one", minimize=True)
    scheduler = Scheduler(
        experiment,
        sobol(),
        quadratic,
        InlineExecutor(),
        SchedulerOptions(max_parallelism=1, total_trials=2, persistence=store),
    ).run_all_trials()
    loaded, strategy = JSONFileStore(tmp_path / "one.json").load("one")
    assert strategy is not None and len(loaded.trials) == 2
    expected = scheduler.generation_strategy.gen(experiment).arms[0].parameters
    assert strategy.gen(loaded).arms[0].parameters == expected


def _polaris(store: Any, **kwargs: Any) -> Any:
    return Polaris(polaris_fn, [Bounds("x", 0.0, 1.0)], "random", Trials(), store=store, **kwargs)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: AxClient(store=3), r"AxClient: store must be an ExperimentStore.*got int 3"),
        (
            lambda: optimize(PARAMETERS, quadratic, store=[1]),
            r"OptimizationLoop: store must be an ExperimentStore.*got list \[1\]",
        ),
        (
            lambda: Scheduler(
                make_experiment(parameters=PARAMETERS), sobol(), quadratic, store=2.5
            ),
            r"Scheduler: store must be an ExperimentStore.*got float 2.5",
        ),
        (lambda: _polaris(object), r"Polaris: store must be an ExperimentStore.*got type"),
    ],
)
def test_a_bad_store_is_named(make: Any, match: str) -> None:
    with pytest.raises(UserInputTypeError, match=match):
        make()


def test_conflicting_store_arguments_are_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(UserInputError, match="AxClient: give store=.* or db_settings=.*not both"):
        AxClient(store=str(tmp_path), db_settings=DBSettings(url=url))
    with pytest.raises(
        UserInputError, match="Scheduler: give store=.*options.persistence=.*not both"
    ):
        Scheduler(
            make_experiment(parameters=PARAMETERS),
            sobol(),
            quadratic,
            InlineExecutor(),
            SchedulerOptions(persistence=str(tmp_path / "a.json")),
            store=str(tmp_path / "b.json"),
        )
    with pytest.raises(UserInputError, match="shared=True needs a store several processes"):
        SchedulerOptions(shared=True, persistence=JSONFileStore(tmp_path))
    with pytest.raises(UserInputError, match="Polaris: give store=.*checkpoint_dir=.*not both"):
        _polaris(url, checkpoint_dir=str(tmp_path))
    with pytest.raises(UserInputError, match="store must not be an empty path"):
        as_store("")
    with pytest.raises(UserInputTypeError, match="single_file must be a bool or None, got 'yes'"):
        JSONFileStore(tmp_path, single_file="yes")  # type: ignore[arg-type]


def test_a_client_without_store_cannot_load(tmp_path: Path) -> None:
    from ax.exceptions import UnsupportedError

    with pytest.raises(UnsupportedError, match="'exp'.*no db_settings or store.*AxClient\\(store="):
        AxClient().load_experiment_from_database("exp")


def test_store_names_are_exported_lazily_from_ax_storage() -> None:
    import ax.storage

    assert ax.storage.JSONFileStore is JSONFileStore
    assert ax.storage.as_store is as_store
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        ax.storage.Nope  # noqa: B018


def test_a_shared_scheduler_takes_its_database_as_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    experiment = make_experiment(parameters=PARAMETERS, name="shared", minimize=True)
    options = SchedulerOptions(max_parallelism=1, total_trials=2, shared=True)
    Scheduler(experiment, sobol(), quadratic, InlineExecutor(), options, store=url).run_all_trials()
    assert _statuses(as_store(url), "shared") == {
        0: TrialStatus.COMPLETED,
        1: TrialStatus.COMPLETED,
    }  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="shared=True needs a store several processes"):
        Scheduler(experiment, sobol(), quadratic, InlineExecutor(), options)
    with pytest.raises(UserInputError, match="shared=True needs a store several processes"):
        Scheduler(experiment, sobol(), quadratic, InlineExecutor(), options, store=tmp_path)
