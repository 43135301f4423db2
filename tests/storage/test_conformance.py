"""One suite over every storage backend: JSON files, SQLite and PostgreSQL.

Whatever one backend round-trips, the others must too (custom metrics and runners
through the same registries). The suite itself ships in the package
(:class:`ax.storage.testing.StoreConformance`); this module runs it on every backend.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from ax.storage.sqa_store.db import create_engine_for_url
from ax.storage.testing import Backend, JSONBackend, SQLBackend, StoreConformance, reset_database

BACKENDS = ["json", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "json":
        yield JSONBackend(tmp_path)
        return
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        try:
            url = request.getfixturevalue("postgres_url")
        except pytest.FixtureLookupError:
            pytest.skip("no postgres_url fixture (tests/storage/postgres_server.py) available")
    engine = create_engine_for_url(url)
    reset_database(engine)
    try:
        yield SQLBackend(request.param, engine)
    finally:
        engine.dispose()


class TestStoreConformance(StoreConformance):
    """Every test of the shipped suite, on JSON files, SQLite and PostgreSQL."""
