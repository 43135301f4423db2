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


__all__ = ["engine", "postgres_server_session", "postgres_url"]
