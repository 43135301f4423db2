"""Fixtures of the dashboard tests (skipped when the ``dashboard`` extra is missing).

The SQLite store is written once per session (an AxClient run takes seconds, mostly the
first SQLAlchemy/Alembic set-up) and copied for each test.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

pytest.importorskip("starlette")
# Starlette's TestClient runs on httpx2 (the dev extra installs it), or on httpx.
pytest.importorskip("starlette.testclient")

from tests.dashboard import json_store, sqlite_store  # noqa: E402


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dashboard-template")
    url = sqlite_store(directory)
    path = Path(url[len("sqlite:///") :])
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so a copy is whole
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    target = tmp_path / "runs.db"
    shutil.copyfile(_sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def json_path(tmp_path: Path) -> Path:
    return json_store(tmp_path)


from tests.storage.postgres_server import postgres_server_session, postgres_url  # noqa: E402

__all__ = ["postgres_server_session", "postgres_url"]
