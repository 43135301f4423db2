"""Tests of the SQL store beyond the conformance suite: schema and migrations, the
process-wide engine, errors, incremental writes, crash safety and concurrent writers."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any, Dict, List

import pytest
from sqlalchemy import Engine, event, inspect

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.exceptions import StorageError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.storage.json_store.load import loads
from ax.storage.json_store.save import dumps
from ax.storage.sqa_store import db
from ax.storage.sqa_store.db import (
    create_all_tables,
    create_engine_for_url,
    get_engine,
    init_engine_and_session_factory,
    session_scope,
)
from ax.storage.sqa_store.encode import ExperimentEncoder
from ax.storage.sqa_store.load import (
    ExperimentNotFoundError,
    list_experiment_names,
    load_experiment,
    load_generation_strategy_by_experiment_name,
)
from ax.storage.sqa_store.migrations.runner import current_revision, head_revision, stamp
from ax.storage.sqa_store.save import (
    save_experiment,
    save_generation_strategy,
    save_new_trials,
    save_or_update_trial,
)
from ax.storage.sqa_store.schema import TABLE_NAMES
from ax.storage.sqa_store.structs import DBSettings
from ax.utils.testing.core_stubs import get_experiment_with_trials


class Writes:
    """Counts the rows written per table (INSERT/UPDATE/DELETE) by an engine."""

    def __init__(self, engine: Engine) -> None:
        self.rows: Dict[str, int] = {}
        self.statements: List[str] = []
        event.listen(engine, "before_cursor_execute", self._record)
        self._engine = engine

    def _record(
        self, conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool
    ) -> None:
        self.statements.append(statement)
        words = statement.split()
        verb = words[0].upper() if words else ""
        if verb not in ("INSERT", "UPDATE", "DELETE"):
            return
        table = words[2] if verb in ("INSERT", "DELETE") else words[1]
        count = len(params) if many else 1
        self.rows[table] = self.rows.get(table, 0) + count

    def reset(self) -> None:
        self.rows.clear()
        self.statements.clear()

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._record)


def _complete(experiment: Experiment, index: int, value: float) -> None:
    trial = experiment.trials[index]
    arm = trial.arms[0]
    assert arm is not None
    if trial.status == TrialStatus.CANDIDATE:
        trial.mark_running(no_runner_required=True)
    experiment.attach_data(Data.from_evaluations({arm.name: {"m": (value, 0.1)}}, index))
    if trial.status == TrialStatus.RUNNING:
        trial.mark_completed()


def _new_trial(experiment: Experiment, value: float) -> int:
    trial = experiment.new_trial().add_arm(Arm({f"x{i}": value for i in range(6)}))
    return trial.index


# ---------------------------------------------------------------------------- schema
def test_create_all_tables_makes_the_schema_at_the_head_revision(tmp_path: Path) -> None:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(engine) is None
    create_all_tables(engine)
    assert set(TABLE_NAMES) <= set(inspect(engine).get_table_names())
    assert current_revision(engine) == head_revision() == "0003"
    engine.dispose()


def test_create_all_tables_twice_is_a_no_op(engine: Engine) -> None:
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment, engine=engine)
    create_all_tables(engine)
    assert current_revision(engine) == head_revision()
    assert load_experiment(experiment.name, engine=engine) == experiment


def test_an_older_schema_is_upgraded(tmp_path: Path) -> None:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'old.db'}")
    stamp(engine, "base")
    assert current_revision(engine) is None
    assert "experiment" not in inspect(engine).get_table_names()
    create_all_tables(engine)
    assert current_revision(engine) == head_revision()
    experiment = get_experiment_with_trials(1)
    save_experiment(experiment, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 10_000


class _LockedCursor:
    """A SQLite cursor whose journal-mode change finds the database locked ``locked`` times."""

    def __init__(self, locked: int, error: str = "database is locked") -> None:
        import sqlite3

        self.connection = sqlite3.connect(":memory:")
        self.locked, self.error, self.changes = locked, error, 0

    def execute(self, sql: str) -> Any:
        import sqlite3

        if sql == "PRAGMA journal_mode=WAL":
            if self.locked:
                self.locked -= 1
                raise sqlite3.OperationalError(self.error)
            self.changes += 1
            return self.connection.execute("SELECT 'wal'")
        return self.connection.execute("SELECT 'delete'")


def test_wal_mode_is_retried_while_another_process_holds_the_new_database() -> None:
    import sqlite3

    cursor = _LockedCursor(locked=3)
    db.enable_wal(cursor, timeout_s=5.0)
    assert cursor.changes == 1 and cursor.locked == 0
    # Still locked when the lock timeout runs out: the error reaches the caller.
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        db.enable_wal(_LockedCursor(locked=10**6), timeout_s=0.05)
    # Any other error is not retried.
    other = _LockedCursor(locked=2, error="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        db.enable_wal(other, timeout_s=5.0)
    assert other.locked == 1


def test_a_database_already_in_wal_mode_is_left_as_it_is(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "wal.db"
    first = sqlite3.connect(path)
    db.enable_wal(first.cursor(), timeout_s=1.0)
    assert first.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    statements: List[str] = []
    second = sqlite3.connect(path)
    second.set_trace_callback(statements.append)
    db.enable_wal(second.cursor(), timeout_s=1.0)
    assert statements == ["PRAGMA journal_mode"]  # read, not changed again
    first.close()
    second.close()


def test_in_memory_sqlite_works() -> None:
    engine = create_engine_for_url("sqlite://")
    create_all_tables(engine)
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment


def test_tables_missing_gives_a_storage_error_with_a_hint(tmp_path: Path) -> None:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StorageError, match="save_experiment: the database operation failed"):
        save_experiment(get_experiment_with_trials(1), engine=engine)
    try:
        load_experiment("x", engine=engine)
    except StorageError as err:
        assert "create_all_tables" in err.hint
    engine.dispose()


# ---------------------------------------------------------------------------- engines
@pytest.fixture
def no_global_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "_ENGINE", None)
    monkeypatch.setattr(db, "_SESSION_FACTORY", None)


@pytest.mark.usefixtures("no_global_engine")
def test_process_wide_engine_is_used_by_default(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"call init_engine_and_session_factory\(url=...\)"):
        get_engine()
    with pytest.raises(UserInputError, match="give url= or engine="):
        init_engine_and_session_factory()
    engine = init_engine_and_session_factory(url=f"sqlite:///{tmp_path / 'global.db'}")
    assert get_engine() is engine
    assert init_engine_and_session_factory(url="sqlite://") is engine  # the first one is kept
    create_all_tables()
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment)
    assert load_experiment(experiment.name) == experiment
    assert list_experiment_names() == [experiment.name]
    with session_scope() as session:
        assert session.bind is engine
    engine.dispose()


def test_bad_urls_and_settings_are_rejected() -> None:
    with pytest.raises(UserInputError, match="cannot use url 'nonsense://x'"):
        create_engine_for_url("nonsense://x")
    with pytest.raises(UserInputTypeError, match="url must be a str"):
        create_engine_for_url(3)  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="DBSettings: url must be a str.*int 5"):
        DBSettings(url=5)  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match="DBSettings: url must not be empty"):
        DBSettings(url=" ")


# ---------------------------------------------------------------------------- errors
def test_unknown_name_raises_a_storage_error_naming_it(engine: Engine) -> None:
    for i in range(7):
        experiment = get_experiment_with_trials(0)
        experiment.name = f"e{i}"
        save_experiment(experiment, engine=engine)
    with pytest.raises(ExperimentNotFoundError, match=r"no experiment named 'nope'.*7 exp.*2 more"):
        load_experiment("nope", engine=engine)
    with pytest.raises(StorageError, match="no experiment named 'nope'"):
        load_generation_strategy_by_experiment_name("nope", engine=engine)
    with pytest.raises(UserInputTypeError, match="experiment_name must be a str, got int 3"):
        load_experiment(3, engine=engine)  # type: ignore[arg-type]


def test_experiment_names_are_unique(engine: Engine) -> None:
    first = get_experiment_with_trials(1)
    save_experiment(first, engine=engine)
    second = get_experiment_with_trials(2)
    second.name = first.name
    with pytest.raises(StorageError, match=rf"another experiment named '{first.name}'.*unique"):
        save_experiment(second, engine=engine)
    assert load_experiment(first.name, engine=engine) == first


def test_unnamed_experiment_cannot_be_saved(engine: Engine) -> None:
    experiment = get_experiment_with_trials(0)
    experiment._name = None
    with pytest.raises(StorageError, match="has no name"):
        save_experiment(experiment, engine=engine)


def test_save_or_update_trial_rejects_a_foreign_trial(engine: Engine) -> None:
    experiment, other = get_experiment_with_trials(1), get_experiment_with_trials(1)
    with pytest.raises(UserInputError, match="trial 0 does not belong to experiment"):
        save_or_update_trial(experiment, other.trials[0], engine=engine)


def test_strategy_without_experiment_is_refused(engine: Engine) -> None:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    with pytest.raises(UserInputError, match="has no experiment"):
        save_generation_strategy(strategy, engine=engine)
    experiment = get_experiment_with_trials(1)
    save_experiment(experiment, engine=engine)
    with pytest.raises(StorageError, match="has no stored generation strategy"):
        load_generation_strategy_by_experiment_name(experiment.name, engine=engine)


def test_save_generation_strategy_saves_its_new_experiment(engine: Engine) -> None:
    experiment = get_experiment_with_trials(1)
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    strategy.experiment = experiment
    save_generation_strategy(strategy, engine=engine)
    loaded = load_generation_strategy_by_experiment_name(experiment.name, engine=engine)
    assert loaded.experiment == experiment and loaded.name == strategy.name
    bound = load_generation_strategy_by_experiment_name(
        experiment.name, experiment=experiment, engine=engine
    )
    assert bound.experiment is experiment


# ---------------------------------------------------------------------------- incremental
def test_saving_unchanged_experiment_writes_nothing(engine: Engine) -> None:
    experiment = get_experiment_with_trials(20)
    save_experiment(experiment, engine=engine)
    writes = Writes(engine)
    save_experiment(experiment, engine=engine)
    writes.close()
    assert writes.rows == {}


def test_save_experiment_writes_only_the_changed_trial_and_its_new_data(engine: Engine) -> None:
    experiment = get_experiment_with_trials(20)
    save_experiment(experiment, engine=engine)
    writes = Writes(engine)
    _complete(experiment, 7, 3.0)
    experiment.trials[7].update_run_metadata({"note": "re-measured"})
    save_experiment(experiment, engine=engine)
    writes.close()
    assert writes.rows == {"trial": 1, "data_version": 1, "experiment": 1}
    assert load_experiment(experiment.name, engine=engine) == experiment


def test_save_or_update_trial_cost_does_not_grow_with_trials(engine: Engine) -> None:
    counts = []
    for n in (5, 300):
        experiment = get_experiment_with_trials(n)
        experiment.name = f"n{n}"
        save_experiment(experiment, engine=engine)
        index = _new_trial(experiment, 0.5)
        writes = Writes(engine)
        save_new_trials(experiment, [experiment.trials[index]], engine=engine)
        _complete(experiment, index, 1.0)
        save_or_update_trial(experiment, experiment.trials[index], engine=engine)
        writes.close()
        counts.append((len(writes.statements), writes.rows))
        assert load_experiment(experiment.name, engine=engine) == experiment
    assert counts[0] == counts[1]
    assert counts[0][1] == {"trial": 2, "data_version": 1, "experiment": 2}


def test_save_or_update_trial_also_saves_unsaved_earlier_trials(engine: Engine) -> None:
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment, engine=engine)
    _new_trial(experiment, 0.2)
    last = _new_trial(experiment, 0.3)
    save_or_update_trial(experiment, experiment.trials[last], engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment


def test_changed_settings_rewrite_trials_that_referred_to_them(engine: Engine) -> None:
    experiment = get_experiment_with_trials(3)
    save_experiment(experiment, engine=engine)
    # The trials' generator runs hold the experiment's own search space (stored as a
    # reference); after a change of the experiment's settings they are stored in full.
    experiment.description = "changed"
    index = _new_trial(experiment, 0.9)
    save_or_update_trial(experiment, experiment.trials[index], engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment


def test_replaced_data_versions_are_removed(engine: Engine) -> None:
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment, engine=engine)
    arm = experiment.trials[1].arms[0]
    experiment.attach_data(
        Data.from_evaluations({arm.name: {"extra": (1.0, 0.0)}}, 1), combine_with_last_data=True
    )
    save_or_update_trial(experiment, experiment.trials[1], engine=engine)
    loaded = load_experiment(experiment.name, engine=engine)
    assert loaded == experiment
    assert list(loaded._data_by_trial[1]) == list(experiment._data_by_trial[1])


# ---------------------------------------------------------------------------- crash safety
def test_a_save_failing_midway_leaves_the_last_committed_state(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = get_experiment_with_trials(4)
    save_experiment(experiment, engine=engine)
    committed = dumps(experiment)
    _complete(experiment, 2, 9.0)
    _new_trial(experiment, 0.4)
    experiment.description = "changed"

    def crash(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("simulated crash while encoding data")

    monkeypatch.setattr(ExperimentEncoder, "data_version", staticmethod(crash))
    with pytest.raises(RuntimeError, match="simulated crash"):
        save_experiment(experiment, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == loads(committed)
    monkeypatch.undo()
    save_experiment(experiment, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment


# ---------------------------------------------------------------------------- concurrency
def _worker(url: str, name: str, index: int, rounds: int) -> None:
    engine = create_engine_for_url(url)
    experiment = load_experiment(name, engine=engine)
    trial = experiment.trials[index]
    trial.mark_running(no_runner_required=True)
    save_or_update_trial(experiment, trial, engine=engine)
    arm = trial.arms[0]
    for r in range(rounds):
        experiment.attach_data(Data.from_evaluations({arm.name: {"m": (index + r, 0.0)}}, index))
        save_or_update_trial(experiment, trial, engine=engine)
    trial.mark_completed()
    save_or_update_trial(experiment, trial, engine=engine)
    engine.dispose()


def test_processes_writing_different_trials_lose_nothing(shared_url: str) -> None:
    workers, rounds = 4, 5
    engine = create_engine_for_url(shared_url)
    create_all_tables(engine)
    experiment = get_experiment_with_trials(0)
    experiment.name = "shared"
    for i in range(workers):
        _new_trial(experiment, i / 10)
    save_experiment(experiment, engine=engine)
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(shared_url, "shared", i, rounds))
        for i in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=100)
    assert [p.exitcode for p in processes] == [0] * workers
    loaded = load_experiment("shared", engine=engine)
    engine.dispose()
    for i in range(workers):
        assert loaded.trials[i].status == TrialStatus.COMPLETED
        versions = loaded._data_by_trial[i]
        assert len(versions) == rounds
        means = [float(v.columns["mean"][0]) for v in versions.values()]
        assert means == [float(i + r) for r in range(rounds)]
    assert loaded._last_data_ts == max(ts for v in loaded._data_by_trial.values() for ts in v)


def test_extra_arms_made_by_one_trial_are_saved_incrementally(engine: Engine) -> None:
    experiment = get_experiment_with_trials(3)
    save_experiment(experiment, engine=engine)
    batch = experiment.new_batch_trial()
    batch.add_arm(Arm({f"x{i}": 0.1 for i in range(6)}))
    save_or_update_trial(experiment, batch, engine=engine)
    batch.set_status_quo_with_weight(Arm({f"x{i}": 0.9 for i in range(6)}, name="sq"), 2.0)
    save_or_update_trial(experiment, batch, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == experiment
    batch.unset_status_quo()  # the arm stays registered: an "extra" arm now
    save_or_update_trial(experiment, batch, engine=engine)
    loaded = load_experiment(experiment.name, engine=engine)
    assert loaded == experiment
    assert "sq" in loaded._arms_by_name
