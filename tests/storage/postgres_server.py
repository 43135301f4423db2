"""A real, throwaway PostgreSQL server for tests and benchmarks.

The server comes from Debian's ``postgresql`` package (``/usr/lib/postgresql/<v>/bin``;
``scripts/setup.sh`` installs it). It listens on ``127.0.0.1`` on a free port, keeps its
data directory and its Unix socket in a fresh temporary directory, and is stopped by PID
(SIGINT, PostgreSQL's "fast" shutdown), after which the directory is removed.

``initdb`` and ``postgres`` refuse to run as root, so when this process is root they run
as the ``postgres`` system user (the package creates it): the postmaster is started with
``subprocess.Popen(user=..., group=...)``, which drops privileges in the child just before
``exec``, so the PID we hold is the postmaster's own (a ``runuser``/``su`` wrapper would
stand in between). As a normal user the binaries run directly.

Two ways in:

* :func:`start_postgres` / :func:`stop_postgres` (or the :func:`postgres_server` context
  manager): plain functions, used by ``bench/bench_sql_storage.py``. They raise
  :class:`PostgresUnavailable` when the binaries are absent and cannot be installed.
* the session-scoped pytest fixture :func:`postgres_url`, imported by
  ``tests/storage/conftest.py``: one server for the test session, yielding a SQLAlchemy URL
  ``postgresql+psycopg://postgres@127.0.0.1:<port>/ax_test`` (psycopg 3). It skips only
  when the binaries are absent and this process cannot install them (not root, or no
  apt-get); when it is root it installs Debian's ``postgresql`` with apt-get first.

Example:
    >>> with postgres_server() as server:  # doctest: +SKIP
    ...     engine = sqlalchemy.create_engine(server.url)
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

PG_USER = "postgres"  # the system user Debian's package creates; also the superuser role
DATABASE = "ax_test"
BINDIR_ENV = "AX_POSTGRES_BINDIR"  # optional override of the binaries' directory
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 30.0


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL binaries are absent and cannot be installed here (the reason says why)."""


@dataclass
class PostgresServer:
    """A running throwaway server (see :func:`start_postgres`).

    Attributes:
        url: SQLAlchemy URL of the created database, ``postgresql+psycopg://...``.
        host: Always ``127.0.0.1``.
        port: The TCP port it listens on.
        database: Name of the created database.
        root: The temporary directory holding ``data/``, the socket and ``postgres.log``.
        bindir: Directory of the PostgreSQL binaries used.
        process: The postmaster process (its PID is the server's).
    """

    url: str
    host: str
    port: int
    database: str
    root: Path
    bindir: Path
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """PID of the postmaster."""
        return self.process.pid

    @property
    def data_dir(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.root / "postgres.log"


# ---------------------------------------------------------------------------- binaries


def _version_key(bindir: str) -> List[int]:
    version = Path(bindir).parent.name
    return [int(part) if part.isdigit() else -1 for part in version.split(".")]


def find_postgres_bindir() -> Optional[Path]:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``postgres``, if any.

    ``$AX_POSTGRES_BINDIR`` takes precedence when set.

    Returns:
        The directory, or None when no PostgreSQL server binaries are installed.
    """
    override = os.environ.get(BINDIR_ENV)
    candidates = [override] if override else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for candidate in candidates:
        path = Path(candidate)
        if all(os.access(path / name, os.X_OK) for name in ("initdb", "postgres", "pg_isready")):
            return path
    return None


def _is_root() -> bool:
    return os.geteuid() == 0


def ensure_postgres_bindir() -> Path:
    """The binaries' directory, installing Debian's ``postgresql`` first when root.

    Returns:
        The directory of ``initdb``, ``postgres`` and ``pg_isready``.

    Raises:
        PostgresUnavailable: The binaries are absent and this process is not root or has no
            apt-get, so they cannot be installed.
        RuntimeError: apt-get ran but did not produce the binaries.
    """
    bindir = find_postgres_bindir()
    if bindir is not None:
        return bindir
    if not _is_root():
        raise PostgresUnavailable(
            "PostgreSQL server binaries are not installed (no /usr/lib/postgresql/*/bin) and "
            "this is not root, so they cannot be installed; run scripts/setup.sh as root or "
            "`sudo apt-get install postgresql`"
        )
    if shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries are not installed and there is no apt-get to install "
            "Debian's postgresql package"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "postgresql"],
    ):
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} failed with exit status {done.returncode}: "
                f"{done.stderr.strip()[-2000:]}"
            )
    bindir = find_postgres_bindir()
    if bindir is None:
        raise RuntimeError(
            "apt-get install postgresql succeeded but no /usr/lib/postgresql/*/bin has "
            "initdb, postgres and pg_isready"
        )
    return bindir


# ---------------------------------------------------------------------------- start / stop


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _traversable_by_others(path: Path) -> bool:
    """Whether every directory from ``/`` down to ``path`` has the others-execute bit."""
    return all(os.stat(directory).st_mode & stat.S_IXOTH for directory in [path, *path.parents])


def _make_root_dir(as_user: Optional[pwd.struct_passwd]) -> Path:
    """A fresh 0700 directory, owned by ``as_user`` when given and reachable by it."""
    base = Path(tempfile.gettempdir()).resolve()
    if as_user is not None and not _traversable_by_others(base):
        base = Path("/tmp")  # the server user must be able to reach its data directory
    root = Path(tempfile.mkdtemp(prefix="ax-pg-", dir=base))
    if as_user is not None:
        os.chown(root, as_user.pw_uid, as_user.pw_gid)
    os.chmod(root, 0o700)
    return root


def _ids(as_user: Optional[pwd.struct_passwd]) -> Tuple[Optional[int], Optional[int]]:
    """``(uid, gid)`` to run a child as ``as_user`` (root only), or ``(None, None)``."""
    if as_user is None:
        return None, None
    return as_user.pw_uid, as_user.pw_gid


def _child_env(as_user: Optional[pwd.struct_passwd]) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    if as_user is not None:
        env.update(HOME=as_user.pw_dir, USER=as_user.pw_name, LOGNAME=as_user.pw_name)
    return env


def _log_tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "<no log>"


def _wait_ready(server: PostgresServer, deadline: float) -> bool:
    """Poll ``pg_isready`` until the server accepts connections or the postmaster exits."""
    command = [str(server.bindir / "pg_isready"), "-q", "-h", server.host, "-p", str(server.port)]
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        if subprocess.run(command, check=False, capture_output=True).returncode == 0:
            return True
        time.sleep(0.02)
    return False


def start_postgres(database: str = DATABASE, durable: bool = False) -> PostgresServer:
    """Start a throwaway PostgreSQL server on 127.0.0.1 and create ``database`` in it.

    ``initdb`` (trust authentication for the ``postgres`` role) writes a cluster into a new
    temporary directory; the postmaster runs in the foreground of its own session as a
    child of this process, with its Unix socket in that directory too. When this process
    is root, both run as the ``postgres`` system user. Call :func:`stop_postgres` (or use
    :func:`postgres_server`); an ``atexit`` hook stops it too if the caller forgets.

    Args:
        database: Name of the database to create.
        durable: Keep PostgreSQL's crash-safety settings (fsync, synchronous commit, full
            page writes). Off by default: tests need speed, not durability.

    Returns:
        The running server; ``server.url`` is its SQLAlchemy URL (psycopg 3 driver).

    Raises:
        PostgresUnavailable: No binaries, and they cannot be installed here.
        RuntimeError: initdb, the server or createdb failed (the message has the log tail).
    """
    bindir = ensure_postgres_bindir()
    as_user = pwd.getpwnam(PG_USER) if _is_root() else None
    root = _make_root_dir(as_user)
    uid, gid = _ids(as_user)
    try:
        env = _child_env(as_user)
        initdb = subprocess.run(
            [str(bindir / "initdb"), "-D", str(root / "data"), "-U", PG_USER, "-A", "trust",
             "-E", "UTF8", "--no-locale", "--no-sync"],
            env=env, cwd=root, capture_output=True, text=True, check=False,
            user=uid, group=gid, extra_groups=[] if as_user else None,
        )  # fmt: skip
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed ({initdb.returncode}): {initdb.stderr.strip()}")
        last_error = ""
        for _attempt in range(5):  # the free port may be taken before the server binds it
            server = _launch(bindir, root, as_user, env, database, durable)
            if _wait_ready(server, time.monotonic() + START_TIMEOUT_S):
                _create_database(server, env)
                atexit.register(_stop_quietly, server)
                return server
            last_error = _log_tail(server.log_path)
            _terminate(server.process)
            if "could not bind" not in last_error and "in use" not in last_error:
                break
        raise RuntimeError(f"PostgreSQL did not start; log tail:\n{last_error}")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _launch(
    bindir: Path,
    root: Path,
    as_user: Optional[pwd.struct_passwd],
    env: Dict[str, str],
    database: str,
    durable: bool,
) -> PostgresServer:
    port = free_port()
    options = [
        "-c", "listen_addresses=127.0.0.1",
        "-c", f"unix_socket_directories={root}",
        "-c", "logging_collector=off",
    ]  # fmt: skip
    if not durable:
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    uid, gid = _ids(as_user)
    log_path = root / "postgres.log"
    with open(log_path, "ab") as log:
        if as_user is not None:
            os.chown(log_path, as_user.pw_uid, as_user.pw_gid)
        process = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(root / "data"), "-p", str(port), *options],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root,
            start_new_session=True,  # a Ctrl-C at the terminal is ours to handle, not its
            user=uid, group=gid, extra_groups=[] if as_user else None,
        )  # fmt: skip
    url = f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}/{database}"
    return PostgresServer(url, "127.0.0.1", port, database, root, bindir, process)


def _create_database(server: PostgresServer, env: Dict[str, str]) -> None:
    command = [
        str(server.bindir / "createdb"), "-h", server.host, "-p", str(server.port),
        "-U", PG_USER, server.database,
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        _terminate(server.process)
        raise RuntimeError(f"createdb {server.database} failed: {done.stderr.strip()}")


def _terminate(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT), then immediate (SIGQUIT), then SIGKILL, by PID."""
    for sig, wait_s in ((signal.SIGINT, STOP_TIMEOUT_S), (signal.SIGQUIT, 5.0)):
        if process.poll() is not None:
            return
        try:
            process.send_signal(sig)
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.kill()
        process.wait()


def stop_postgres(server: PostgresServer) -> None:
    """Stop the server by its PID and delete its temporary directory; idempotent.

    Args:
        server: A server from :func:`start_postgres`.
    """
    _terminate(server.process)
    shutil.rmtree(server.root, ignore_errors=True)


def _stop_quietly(server: PostgresServer) -> None:
    with contextlib.suppress(Exception):  # best effort at interpreter exit
        stop_postgres(server)


@contextmanager
def postgres_server(database: str = DATABASE, durable: bool = False) -> Iterator[PostgresServer]:
    """:func:`start_postgres` for the ``with`` block, then :func:`stop_postgres`.

    Args:
        database: Name of the database to create.
        durable: Keep PostgreSQL's crash-safety settings (see :func:`start_postgres`).

    Yields:
        The running server.
    """
    server = start_postgres(database=database, durable=durable)
    try:
        yield server
    finally:
        stop_postgres(server)


# ---------------------------------------------------------------------------- fixture


@pytest.fixture(scope="session")
def postgres_server_session() -> Iterator[PostgresServer]:
    """One throwaway server for the whole test session (see the module docstring).

    Skips only when the binaries are absent and cannot be installed (not root).
    """
    try:
        server = start_postgres()
    except PostgresUnavailable as err:
        pytest.skip(str(err))
    try:
        yield server
    finally:
        stop_postgres(server)


@pytest.fixture(scope="session")
def postgres_url(postgres_server_session: PostgresServer) -> str:
    """SQLAlchemy URL ``postgresql+psycopg://postgres@127.0.0.1:<port>/ax_test`` of the
    session's throwaway PostgreSQL server (psycopg 3 driver)."""
    return postgres_server_session.url
