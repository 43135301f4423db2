"""Serving the dashboard with uvicorn: in the foreground (``ax dashboard``) or in a thread.

Why Starlette + uvicorn: Starlette is a small, typed ASGI toolkit (routing, middleware,
a test client, streaming/server-sent events) with few dependencies; uvicorn is the
reference ASGI server. The socket is bound before the server starts, so a busy port is
reported at once and ``port=0`` picks a free port whose URL can be printed.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, TextIO
from urllib.parse import urlencode

from ax.dashboard.options import DashboardOptions
from ax.exceptions import UserInputError

if TYPE_CHECKING:  # pragma: no cover
    from starlette.applications import Starlette


def bind(options: DashboardOptions) -> socket.socket:
    """A listening TCP socket on ``options.host:options.port``.

    Raises:
        UserInputError: The address cannot be bound (in use, not local, not allowed).
    """
    try:
        infos = socket.getaddrinfo(options.host, options.port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as err:
        raise UserInputError(
            f"cannot listen on {options.host}:{options.port}: {err.strerror or err}"
        ) from err
    sock.set_inheritable(True)
    return sock


def url_of(options: DashboardOptions, port: int) -> str:
    """The URL to open (with the token as a query parameter when there is one)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    query = f"?{urlencode({'token': options.token})}" if options.token else ""
    return f"http://{host}:{port}/{query}"


def _server(app: Starlette) -> Any:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # URLs may carry the token
        lifespan="off",
        timeout_graceful_shutdown=2,
    )
    return uvicorn.Server(config)


def serve(options: DashboardOptions, out: TextIO) -> None:
    """Serve until interrupted (Ctrl-C), printing the URL to ``out`` once bound.

    Raises:
        DashboardStoreError: The store cannot be opened.
        UserInputError: The address cannot be bound.
    """
    from ax.dashboard.app import create_app

    app = create_app(options, limit_model_threads=True)
    sock = bind(options)
    port = sock.getsockname()[1]
    mode = "actions allowed" if options.allow_actions else "read-only"
    print(f"ax dashboard ({mode}) serving {options.store} at {url_of(options, port)}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)
    _server(app).run(sockets=[sock])


@dataclass
class RunningDashboard:
    """A dashboard served from a background thread (tests, benchmarks, notebooks).

    Attributes:
        url: The URL to open (token included).
        port: The bound port.
    """

    url: str
    port: int
    _server: Any
    _thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> RunningDashboard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(
    options: DashboardOptions, app: Optional[Starlette] = None, timeout: float = 30.0
) -> RunningDashboard:
    """Serve ``options`` (``port=0``: a free port) from a daemon thread; returns once the
    server accepts connections.

    Raises:
        DashboardStoreError: The store cannot be opened.
        UserInputError: The address cannot be bound.
        TimeoutError: The server did not start within ``timeout`` seconds.
    """
    from ax.dashboard.app import create_app

    app = app if app is not None else create_app(options)
    sock = bind(options)
    port = sock.getsockname()[1]
    server = _server(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="ax-dashboard", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"the dashboard did not start within {timeout} s")
        time.sleep(0.02)
    return RunningDashboard(url_of(options, port), port, server, thread)


__all__ = ["RunningDashboard", "bind", "serve", "start_in_thread", "url_of"]
