"""Store readers: read-only, consistent snapshots cached by the change marker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ax.dashboard.store import (
    DashboardStoreError,
    ExperimentMissingError,
    JSONFileReader,
    SQLStoreReader,
    open_store,
)
from tests.dashboard import NAME, new_client, run_trials


def test_sql_reader_lists_and_snapshots(sqlite_url: str) -> None:
    reader = open_store(sqlite_url)
    assert isinstance(reader, SQLStoreReader)
    assert reader.names() == [NAME]
    snapshot = reader.snapshot(NAME)
    assert snapshot.name == NAME
    assert len(snapshot.experiment.trials) == 6  # 4 completed, 1 failed, 1 running
    assert snapshot.generation_strategy is not None
    assert snapshot.updated_at is not None


def test_snapshot_is_decoded_again_only_when_the_store_changes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    client = new_client(url)
    run_trials(client, 2, failed=False, running=False)
    reader = open_store(url)
    first = reader.snapshot(NAME)
    assert reader.snapshot(NAME) is first  # unchanged: the cached object
    run_trials(client, 1, failed=False, running=False)  # the run writes one more trial
    second = reader.snapshot(NAME)
    assert second is not first
    assert second.marker != first.marker
    assert len(second.experiment.trials) == 3


def test_sqlite_reader_is_read_only(sqlite_url: str) -> None:
    reader = open_store(sqlite_url)
    assert isinstance(reader, SQLStoreReader)
    assert reader.writable_engine is None
    with reader.engine.connect() as conn, pytest.raises(Exception, match="readonly"):
        conn.exec_driver_sql("DELETE FROM trial")


def test_json_reader(json_path: Path) -> None:
    reader = open_store(str(json_path))
    assert isinstance(reader, JSONFileReader)
    assert reader.names() == [NAME]
    snapshot = reader.snapshot(NAME)
    assert len(snapshot.experiment.trials) == 6
    assert snapshot.generation_strategy is not None
    assert reader.snapshot(NAME) is snapshot
    # The writer replaces the file: a new marker, a new snapshot.
    text = json_path.read_bytes()
    json_path.write_bytes(text)
    os.utime(json_path, ns=(1, 1))
    assert reader.snapshot(NAME) is not snapshot


def test_missing_experiment(sqlite_url: str, json_path: Path) -> None:
    for spec in (sqlite_url, str(json_path)):
        with pytest.raises(ExperimentMissingError, match="no experiment named 'nope'"):
            open_store(spec).snapshot("nope")


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("sqlite:///{tmp}/absent.db", "no such database file"),
        ("sqlite://", "in-memory database"),
        ("bogus://host/db", "cannot use the store URL"),
        ("{tmp}/absent.json", "no such file"),
        ("{tmp}", "is a directory"),
        ("{tmp}/garbage.json", "not a readable saved experiment: not valid JSON"),
        ("sqlite:///{tmp}/garbage.json", "cannot read the database"),
    ],
)
def test_bad_stores_are_clear_errors(tmp_path: Path, spec: str, fragment: str) -> None:
    (tmp_path / "garbage.json").write_text("not json at all " * 20)
    with pytest.raises(DashboardStoreError, match=fragment):
        open_store(spec.format(tmp=tmp_path))


def test_a_file_that_disappears_is_a_clear_error(json_path: Path) -> None:
    reader = open_store(str(json_path))
    json_path.unlink()
    with pytest.raises(DashboardStoreError, match="cannot read the file"):
        reader.snapshot(NAME)


def _view_state(reader: SQLStoreReader) -> tuple:
    """What the pages show of the store's experiment: table, summary and strategy."""
    from ax.dashboard.views import rows_of, strategy_view, summary, trials_table

    with reader.reading(NAME) as snapshot:
        table = trials_table(snapshot.experiment, rows_of(snapshot), snapshot)
        overview = {k: v for k, v in summary(snapshot).items() if k != "marker"}
        return table, overview, strategy_view(snapshot.generation_strategy), snapshot.changed


def test_a_sql_store_is_followed_incrementally_and_matches_a_whole_read(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'follow.db'}"
    client = new_client(url)
    run_trials(client, 3, failed=False, running=True)
    reader = open_store(url)
    assert isinstance(reader, SQLStoreReader)
    first = reader.snapshot(NAME)
    assert first.changed is None  # the first read is whole
    _view_state(reader)  # builds the per-trial caches carried into the next snapshot
    experiment = first.experiment

    # The run completes the running trial, adds data, fails one and starts another.
    client.complete_trial(3, raw_data={"branin": (7.5, 0.0)})
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, reason="out of memory")
    _, running = client.get_next_trial()

    table, overview, strategy, changed = _view_state(reader)
    assert changed == frozenset({3, failed, running})
    assert reader.snapshot(NAME).experiment is experiment  # updated in place, not re-read
    assert {t: tr.status.name for t, tr in experiment.trials.items()} == {
        0: "COMPLETED",
        1: "COMPLETED",
        2: "COMPLETED",
        3: "COMPLETED",
        failed: "FAILED",
        running: "RUNNING",
    }
    fresh = open_store(url)  # a reader that reads everything once
    assert _view_state(fresh)[:3] == (table, overview, strategy)
    assert fresh.snapshot(NAME).changed is None
    assert strategy is not None and sum(s["trials"] for s in strategy["steps"]) == 6
    rows = {row[0]: row for row in table["rows"]}
    assert rows[3][table_column(table, "m:branin")] == 7.5
    assert rows[failed][table_column(table, "reason")] == "out of memory"


def table_column(table: dict, key: str) -> int:
    return [c["key"] for c in table["columns"]].index(key)


def test_a_settings_change_makes_the_reader_read_whole(tmp_path: Path) -> None:
    from ax.storage.sqa_store.save import save_experiment

    url = f"sqlite:///{tmp_path / 'settings.db'}"
    client = new_client(url)
    run_trials(client, 2, failed=False, running=False)
    reader = open_store(url)
    first = reader.snapshot(NAME)
    client.experiment.description = "now with a description"
    save_experiment(client.experiment, engine=client_engine(url))
    second = reader.snapshot(NAME)
    assert second.changed is None
    assert second.experiment is not first.experiment
    assert second.experiment.description == "now with a description"


def client_engine(url: str):  # type: ignore[no-untyped-def]
    from ax.storage.sqa_store.db import create_engine_for_url

    return create_engine_for_url(url)


def test_a_json_file_is_followed_by_decoding_only_what_changed(tmp_path: Path) -> None:
    from ax.dashboard.views import rows_of, strategy_view, summary, trials_table
    from ax.storage.json_store.generation_strategy import (
        save_experiment_and_generation_strategy,
    )

    client = new_client()
    run_trials(client, 3, failed=False, running=True)
    path = tmp_path / "run.json"

    def save() -> None:
        save_experiment_and_generation_strategy(client.experiment, client.generation_strategy, path)

    def state(reader: JSONFileReader) -> tuple:
        with reader.reading(NAME) as snapshot:
            table = trials_table(snapshot.experiment, rows_of(snapshot), snapshot)
            overview = {k: v for k, v in summary(snapshot).items() if k != "marker"}
            return table, overview, strategy_view(snapshot.generation_strategy)

    save()
    reader = open_store(str(path))
    assert isinstance(reader, JSONFileReader)
    first = reader.snapshot(NAME)
    state(reader)
    client.complete_trial(3, raw_data={"branin": (7.5, 0.0)})
    _, failed = client.get_next_trial()
    client.log_trial_failure(failed, reason="out of memory")
    save()
    second = reader.snapshot(NAME)
    assert second.changed == frozenset({3, failed})
    assert second.experiment is first.experiment
    followed = state(reader)
    assert followed == state(open_store(str(path)))
    assert followed[2] is not None and sum(s["trials"] for s in followed[2]["steps"]) == 5

    client.experiment.description = "changed settings"  # not followed: decoded whole
    save()
    third = reader.snapshot(NAME)
    assert third.changed is None and third.experiment is not first.experiment
    assert third.experiment.description == "changed settings"
