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
