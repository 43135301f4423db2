"""The throwaway PostgreSQL server of ``tests/storage/postgres_server.py``.

The session fixture gives a URL that SQLAlchemy (psycopg 3) connects to, in which a table
can be created and a row round-tripped; a server started by the plain functions listens
on loopback as the ``postgres`` user (when root), and after it is stopped its PID is gone,
its port refuses connections and its temporary directory is deleted.
"""

from __future__ import annotations

import os
import pwd
import socket
from pathlib import Path

import pytest

from tests.storage.postgres_server import (
    DATABASE,
    PostgresServer,
    PostgresUnavailable,
    find_postgres_bindir,
    postgres_server,
)

sqlalchemy = pytest.importorskip("sqlalchemy")

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _accepts(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_url_names_psycopg3_loopback_and_database(postgres_url: str) -> None:
    url = sqlalchemy.engine.make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    assert url.database == DATABASE
    assert url.port is not None and _accepts(url.port)


def test_round_trip_a_row(postgres_url: str) -> None:
    engine = sqlalchemy.create_engine(postgres_url)
    try:
        metadata = sqlalchemy.MetaData()
        table = sqlalchemy.Table(
            "fixture_check",
            metadata,
            sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
            sqlalchemy.Column("name", sqlalchemy.String(64), nullable=False),
            sqlalchemy.Column("value", sqlalchemy.Float),
        )
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": 1, "name": "branin é", "value": 0.397887}])
        with engine.connect() as conn:
            rows = conn.execute(sqlalchemy.select(table)).all()
            server_version = conn.execute(sqlalchemy.text("SHOW server_version")).scalar_one()
        assert [tuple(row) for row in rows] == [(1, "branin é", 0.397887)]
        assert int(str(server_version).split(".")[0]) >= 12
        metadata.drop_all(engine)
    finally:
        engine.dispose()


def test_server_stops_and_cleans_up() -> None:
    try:
        context = postgres_server(database="stop_check")
        server: PostgresServer = context.__enter__()
    except PostgresUnavailable as err:
        pytest.skip(str(err))
    try:
        pid, port, root = server.pid, server.port, server.root
        assert _pid_alive(pid) and _accepts(port)
        assert server.data_dir.is_dir() and server.log_path.is_file()
        assert find_postgres_bindir() == server.bindir
        if os.geteuid() == 0:  # initdb and postgres refuse root: they run as `postgres`
            assert os.stat(server.data_dir).st_uid == pwd.getpwnam("postgres").pw_uid
        engine = sqlalchemy.create_engine(server.url)
        with engine.connect() as conn:
            backend_pid = conn.execute(sqlalchemy.text("SELECT pg_backend_pid()")).scalar_one()
            assert conn.execute(sqlalchemy.text("SELECT current_database()")).scalar_one() == (
                "stop_check"
            )
        engine.dispose()
        assert backend_pid != pid  # a backend forked by the postmaster we hold
    finally:
        context.__exit__(None, None, None)
    assert not _pid_alive(pid)
    assert server.process.returncode == 0  # a clean "fast" shutdown, not a kill
    assert not _accepts(port)
    assert not Path(root).exists()


def test_absent_binaries_without_root_are_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.storage import postgres_server as module

    monkeypatch.setattr(module, "find_postgres_bindir", lambda: None)
    monkeypatch.setattr(module, "_is_root", lambda: False)
    with pytest.raises(PostgresUnavailable, match=r"not installed .*this is not root"):
        module.ensure_postgres_bindir()
