"""A real, throwaway RabbitMQ broker for the tests (the recipe of infra.md section a).

Our own foreground ``epmd`` on a private loopback port (its PID held) plus
``/usr/lib/rabbitmq/bin/rabbitmq-server`` (the real script, not the ``/usr/sbin`` wrapper
that ``su``s to the rabbitmq user), with HOME, config, mnesia and logs in a temporary
directory, listening on 127.0.0.1 on a free port. A vhost and a user with a random
password are created with ``rabbitmqctl`` (guest is never used). Stopped by PID: SIGTERM
to the server script (which stops beam gracefully), then epmd.

The session fixture :func:`rabbitmq_url` yields ``amqp://user:password@127.0.0.1:PORT/vhost``.
It skips only when the binaries are absent and cannot be installed (not root or no
apt-get); as root it installs Debian's ``rabbitmq-server`` first.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"
CTL = "/usr/lib/rabbitmq/bin/rabbitmqctl"
EPMD = "/usr/bin/epmd"
START_TIMEOUT_S = 60.0


class RabbitMQUnavailable(RuntimeError):
    """The broker binaries are absent and cannot be installed here."""


@dataclass
class Broker:
    """A running throwaway broker."""

    url: str
    port: int
    root: Path
    node: str
    env: Dict[str, str]
    epmd: subprocess.Popen[bytes]
    server: subprocess.Popen[bytes]

    def ctl(self, *args: str, timeout: float = 30.0) -> str:
        """Run rabbitmqctl against this node; its stdout."""
        done = subprocess.run(
            [CTL, "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )
        return done.stdout


def _free_port_pair() -> tuple[int, int]:
    """Two free loopback ports: AMQP (p, with p+1 free for distribution) and epmd."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port > 65000:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            epmd_port = s.getsockname()[1]
        if epmd_port not in (port, port + 1):
            return port, epmd_port
    raise RuntimeError("no free port pair on 127.0.0.1")


def ensure_binaries() -> None:
    """Install rabbitmq-server with apt-get when absent and root; else RabbitMQUnavailable."""
    if os.path.exists(SERVER) and os.path.exists(EPMD):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise RabbitMQUnavailable(
            f"{SERVER} is not installed and this is not root with apt-get "
            "(install it with: sudo apt-get install rabbitmq-server)"
        )
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "rabbitmq-server"], env=env, check=True, timeout=600
    )


PORT_ATTEMPTS = 3
"""Launches tried by :func:`start_broker` when another process takes a chosen port."""


class PortTaken(RuntimeError):
    """The server exited because a port chosen for it was taken in the meantime (ports are
    found free, then released for the server to bind: another process can get there
    first, e.g. an outgoing connection given that ephemeral port)."""


def _wait_amqp(port: int, server: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = (root / "log" / "server.out").read_text(errors="replace")[-2000:]
            message = f"rabbitmq-server exited with {server.returncode}:\n{log}"
            if "already_used" in log or "eaddrinuse" in log:
                raise PortTaken(message)
            raise RuntimeError(message)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"rabbitmq-server did not listen on {port} within {START_TIMEOUT_S} s")


def _launch_server(root: Path, env: Dict[str, str]) -> subprocess.Popen[bytes]:
    with open(root / "log" / "server.out", "ab") as server_log:
        return subprocess.Popen(
            [SERVER], stdout=server_log, stderr=subprocess.STDOUT, env=env, cwd=root
        )


def stop_server(broker: Broker) -> None:
    """Stop the server gracefully (SIGTERM: every connection is closed by the broker),
    keeping epmd and the data directory for :func:`start_server`."""
    if broker.server.poll() is None:
        broker.server.send_signal(signal.SIGTERM)
        try:
            broker.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            broker.server.kill()
            broker.server.wait(timeout=10)


def start_server(broker: Broker) -> None:
    """Start a server stopped by :func:`stop_server` again, on the same port with the same
    data: durable queues, persistent messages, users and vhosts survive, as on a real
    broker restart."""
    broker.server = _launch_server(broker.root, broker.env)
    _wait_amqp(broker.port, broker.server, broker.root)
    broker.ctl("await_startup", timeout=60)


def start_broker(advanced_config: str = "") -> Broker:
    """Start a broker with a fresh vhost and user (see the module docstring); a launch
    that loses a chosen port to another process is retried on fresh ports, up to
    :data:`PORT_ATTEMPTS` launches.

    Args:
        advanced_config: Erlang terms for ``advanced.config`` (e.g. a short
            ``consumer_timeout``); empty: none.
    """
    for attempt in range(1, PORT_ATTEMPTS + 1):
        try:
            return _start_broker_once(advanced_config)
        except PortTaken:
            if attempt == PORT_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _start_broker_once(advanced_config: str) -> Broker:
    ensure_binaries()
    root = Path(tempfile.mkdtemp(prefix="ax-rabbitmq-"))
    port, epmd_port = _free_port_pair()
    for sub in ("mnesia", "log", "home"):
        (root / sub).mkdir()
    (root / "enabled_plugins").write_text("[].\n")
    if advanced_config:
        (root / "advanced.config").write_text(advanced_config + "\n")
    (root / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{port}\n")
    node = f"rmq{port}@localhost"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
    env.update(
        HOME=str(root / "home"),
        RABBITMQ_CONF_ENV_FILE="/dev/null",
        RABBITMQ_CONFIG_FILE=str(root / "rabbitmq.conf"),
        RABBITMQ_ADVANCED_CONFIG_FILE=str(root / "advanced.config"),
        RABBITMQ_ENABLED_PLUGINS_FILE=str(root / "enabled_plugins"),
        RABBITMQ_NODENAME=node,
        RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
        RABBITMQ_NODE_PORT=str(port),
        RABBITMQ_DIST_PORT=str(port + 1),
        RABBITMQ_MNESIA_BASE=str(root / "mnesia"),
        RABBITMQ_LOG_BASE=str(root / "log"),
        RABBITMQ_PID_FILE=str(root / "rabbit.pid"),
        ERL_EPMD_PORT=str(epmd_port),
        ERL_EPMD_ADDRESS="127.0.0.1",
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false "
        "-kernel inet_dist_use_interface {127,0,0,1}",
    )
    with open(root / "log" / "epmd.out", "wb") as epmd_log:
        epmd = subprocess.Popen(
            [EPMD, "-port", str(epmd_port), "-address", "127.0.0.1"],
            stdout=epmd_log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    time.sleep(0.2)
    server = _launch_server(root, env)
    broker = Broker("", port, root, node, env, epmd, server)
    try:
        _wait_amqp(port, server, root)
        user, password, vhost = "ax_test", secrets.token_hex(12), "ax_test_vhost"
        broker.ctl("add_vhost", vhost)
        broker.ctl("add_user", user, password)
        broker.ctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        broker.url = f"amqp://{user}:{password}@127.0.0.1:{port}/{vhost}"
    except BaseException:
        stop_broker(broker)
        raise
    return broker


def stop_broker(broker: Broker) -> None:
    """SIGTERM the server script (graceful), wait, then epmd; remove the directory."""
    procs: List[subprocess.Popen[bytes]] = [broker.server, broker.epmd]
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    shutil.rmtree(broker.root, ignore_errors=True)


def serve_broker() -> Iterator[Broker]:
    """Start a broker (skip if RabbitMQ cannot be had here), yield it, stop it: the body
    of a fixture."""
    try:
        broker = start_broker()
    except RabbitMQUnavailable as err:
        pytest.skip(str(err))
    try:
        yield broker
    finally:
        stop_broker(broker)


@pytest.fixture(scope="session")
def rabbitmq_broker() -> Iterator[Broker]:
    """A broker for the test session (skips if RabbitMQ cannot be had here)."""
    yield from serve_broker()


@pytest.fixture(scope="session")
def rabbitmq_url(rabbitmq_broker: Broker) -> str:
    """``amqp://user:password@127.0.0.1:PORT/vhost`` of the session's broker."""
    return rabbitmq_broker.url


__all__ = [
    "Broker",
    "RabbitMQUnavailable",
    "rabbitmq_broker",
    "serve_broker",
    "rabbitmq_url",
    "start_broker",
    "start_server",
    "stop_server",
    "stop_broker",
]
