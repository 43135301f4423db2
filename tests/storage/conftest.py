"""Fixtures of the storage tests: a real, throwaway PostgreSQL server for the session,
and a fresh SQLite store per test."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import Engine

from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
from tests.storage.postgres_server import postgres_server_session, postgres_url


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite store in a fresh file, with the tables created."""
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'store.db'}")
    create_all_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty store, once a SQLite file and once the session's PostgreSQL
    (its tables dropped and created afresh)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    url = request.getfixturevalue("postgres_url")
    from ax.storage.testing import reset_database

    engine = create_engine_for_url(url)
    reset_database(engine)
    engine.dispose()
    yield url


@pytest.fixture
def url(shared_url: str) -> str:
    """An empty store: a SQLite file, then the session's PostgreSQL (reset)."""
    return shared_url


__all__ = ["engine", "postgres_server_session", "postgres_url", "shared_url", "url"]
