"""The dashboard as a Starlette application: pages, a small JSON API and static files.

Routes (``NAME`` is an experiment's name, passed as a query parameter so that any name,
slashes included, works):

- ``GET /``: the list of experiments; ``GET /experiment?name=NAME``: one experiment;
- ``GET /api/experiments``, ``GET /api/experiment?name=NAME``: what the pages show, as
  JSON; ``GET /api/marker[?name=NAME]``: the change marker(s), polled by open pages
  (cheap: no decoding); ``GET /api/model?name=NAME``: the model's figures;
- ``POST /api/action``: abandon a trial or add a note (only with ``allow_actions``);
- ``GET /static/{dashboard.js,dashboard.css,plotly.min.js}``.

Store reads and figure building are synchronous; Starlette runs them in its thread pool,
so a slow decode never blocks the event loop.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ax.dashboard import actions, pages
from ax.dashboard.options import DashboardOptions
from ax.dashboard.security import (
    CSRF_HEADER,
    LOOPBACK_HOSTS,
    SECURITY_HEADERS,
    escape_json_text,
    host_allowed,
    new_secret,
    same_secret,
    token_of,
)
from ax.dashboard.store import (
    DashboardStoreError,
    ExperimentMissingError,
    StoreReader,
    open_store,
)
from ax.dashboard.views import ViewCache
from ax.exceptions import AxError, UserInputError

logger = logging.getLogger(__name__)

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")
_STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class DashboardState:
    """What the routes share: options, the store reader, the view cache, the CSRF secret."""

    def __init__(
        self, options: DashboardOptions, reader: StoreReader, limit_model_threads: bool = False
    ) -> None:
        self.options = options
        self.reader = reader
        self.views = ViewCache(model_threads=1 if limit_model_threads else None)
        self.csrf = new_secret()
        self._static: Dict[str, bytes] = {}

    def static(self, name: str) -> Optional[bytes]:
        """The bytes of a known static file (read once), or None."""
        if name not in self._static:
            if name == "plotly.min.js":
                import plotly

                path = os.path.join(os.path.dirname(plotly.__file__), "package_data", name)
            elif name in ("dashboard.js", "dashboard.css"):
                path = os.path.join(STATIC_DIR, name)
            else:
                return None
            with open(path, "rb") as handle:
                self._static[name] = handle.read()
        return self._static[name]


def create_app(
    options: DashboardOptions,
    reader: Optional[StoreReader] = None,
    allowed_hosts: Optional[frozenset[str]] = None,
    limit_model_threads: bool = False,
) -> Starlette:
    """The dashboard application for ``options.store``.

    Args:
        options: The validated options.
        reader: The store reader (default: :func:`~ax.dashboard.store.open_store`).
        allowed_hosts: ``Host`` names accepted without a token (default: the loopback
            names, plus the bound host).
        limit_model_threads: Fit models on one torch thread (set once for the process:
            ``ax dashboard`` does, so that the run it watches keeps the other cores).

    Raises:
        DashboardStoreError: The store cannot be opened (bad URL, missing or unreadable
            file, not a store).
    """
    if reader is None:
        reader = open_store(options.store, allow_actions=options.allow_actions)
    state = DashboardState(options, reader, limit_model_threads)
    hosts = allowed_hosts or (LOOPBACK_HOSTS | {options.host})

    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await _checked(request, call_next, state, hosts)
        for key, value in SECURITY_HEADERS.items():
            response.headers[key] = value
        if request.url.path.startswith("/api/") or response.headers.get(
            "content-type", ""
        ).startswith("text/html"):
            response.headers["cache-control"] = "no-store"
        return response

    async def run(function: Callable[..., Response], request: Request) -> Response:
        try:
            return await run_in_threadpool(function, request, state)
        except ExperimentMissingError as err:
            return _error(request, state, 404, "No such experiment", str(err))
        except DashboardStoreError as err:
            return _error(request, state, 503, "The store cannot be read", str(err))
        except UserInputError as err:
            return _error(request, state, 400, "Bad request", str(err))
        except AxError as err:
            return _error(request, state, 500, "The dashboard failed", str(err))
        except Exception as err:  # never a traceback in the browser
            logger.exception("dashboard: %s %s failed", request.method, request.url.path)
            return _error(
                request, state, 500, "The dashboard failed", f"{type(err).__name__}: {err}"
            )

    def route(function: Callable[..., Response]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if request.method == "POST":
                request.state.body = await request.body()
            return await run(function, request)

        return endpoint

    routes = [
        Route("/", route(_list_page)),
        Route("/experiment", route(_experiment_page)),
        Route("/api/experiments", route(_api_experiments)),
        Route("/api/experiment", route(_api_experiment)),
        Route("/api/marker", route(_api_marker)),
        Route("/api/model", route(_api_model)),
        Route("/api/action", route(_api_action), methods=["POST"]),
        Route("/static/{file}", route(_static)),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        status = int(getattr(exc, "status_code", 404))
        title = "Not found" if status == 404 else "Method not allowed"
        return _error(request, state, status, title, f"{request.method} {request.url.path}")

    app = Starlette(
        routes=routes,
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
        exception_handlers={404: not_found, 405: not_found},
    )
    app.state.dashboard = state
    return app


async def _checked(
    request: Request,
    call_next: Callable[[Request], Awaitable[Response]],
    state: DashboardState,
    hosts: frozenset[str],
) -> Response:
    token = state.options.token
    if token is not None:
        if not same_secret(token_of(request.headers, request.query_params), token):
            return _error(
                request,
                state,
                401,
                "Token required",
                "This dashboard requires its token: open the URL printed by `ax dashboard` "
                "(it ends in ?token=...), or send the header X-Ax-Token.",
                with_token=False,
            )
    elif not host_allowed(request.headers.get("host"), hosts):
        return _error(
            request,
            state,
            403,
            "Host not allowed",
            "This dashboard answers only requests addressed to the loopback interface "
            "(127.0.0.1 or localhost).",
            with_token=False,
        )
    return await call_next(request)


# ---------------------------------------------------------------------------- helpers


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(
    request: Request,
    state: DashboardState,
    status: int,
    title: str,
    message: str,
    with_token: bool = True,
) -> Response:
    if _wants_json(request):
        return _json_text(json.dumps({"error": title, "message": message}), status)
    token = state.options.token if with_token else None
    return HTMLResponse(pages.error_page(status, title, message, token), status_code=status)


def _json_text(text: str, status: int = 200) -> Response:
    return Response(escape_json_text(text), status_code=status, media_type="application/json")


def _name(request: Request) -> str:
    name = request.query_params.get("name")
    if name is None:
        raise UserInputError("give the experiment as ?name=NAME")
    return name


def _config(state: DashboardState, page: str, name: Optional[str] = None) -> Dict[str, Any]:
    options = state.options
    return {
        "page": page,
        "name": name,
        "store": state.reader.description,
        "poll_ms": int(options.poll_interval_s * 1000),
        "token": options.token,
        "csrf": state.csrf if options.allow_actions else None,
        "actions": options.allow_actions,
    }


def _experiments_json(state: DashboardState) -> str:
    reader = state.reader
    markers = reader.markers()
    listed = []
    for name in sorted(markers):
        try:
            with reader.reading(name) as snapshot:
                listed.append(state.views.summary(snapshot))
        except DashboardStoreError as err:  # one unreadable experiment: say so, show others
            listed.append({"name": name, "error": str(err), "marker": markers[name]})
    return json.dumps(
        {"experiments": listed, "store": reader.description, "marker": _joined(markers)},
        allow_nan=False,
    )


def _joined(markers: Dict[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(markers.items()))


# ---------------------------------------------------------------------------- endpoints


def _list_page(request: Request, state: DashboardState) -> Response:
    text = _experiments_json(state)
    return HTMLResponse(pages.list_page(_config(state, "list"), text, state.options.token))


def _experiment_page(request: Request, state: DashboardState) -> Response:
    name = _name(request)
    with state.reader.reading(name) as snapshot:
        text = state.views.experiment_json(snapshot, state.options.allow_actions)
    return HTMLResponse(
        pages.experiment_page(name, _config(state, "experiment", name), text, state.options.token)
    )


def _api_experiments(request: Request, state: DashboardState) -> Response:
    return _json_text(_experiments_json(state))


def _api_experiment(request: Request, state: DashboardState) -> Response:
    with state.reader.reading(_name(request)) as snapshot:
        text = state.views.experiment_json(snapshot, state.options.allow_actions)
    return _json_text(text)


def _api_marker(request: Request, state: DashboardState) -> Response:
    name = request.query_params.get("name")
    if name is None:
        return _json_text(json.dumps({"marker": _joined(state.reader.markers())}))
    return _json_text(json.dumps({"marker": state.reader.marker(name)}))


def _api_model(request: Request, state: DashboardState) -> Response:
    with state.reader.reading(_name(request)) as snapshot:
        text = state.views.model_json(snapshot)
    return _json_text(text)


def _api_action(request: Request, state: DashboardState) -> Response:
    if not state.options.allow_actions:
        return _error(
            request,
            state,
            403,
            "Read-only dashboard",
            "actions are off: start the dashboard with --allow-actions to abandon trials or "
            "add notes",
        )
    if not same_secret(request.headers.get(CSRF_HEADER), state.csrf):
        return _error(request, state, 403, "CSRF check failed", "missing or wrong X-Ax-CSRF")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _error(request, state, 415, "Bad request", "the body must be application/json")
    body = _body(request)
    kind, name, trial = body.get("action"), body.get("name"), body.get("trial")
    if not isinstance(name, str):
        raise UserInputError("name: must be the experiment's name (a string)")
    if kind == "abandon":
        done = actions.abandon_trial(state.reader, name, trial, body.get("reason", ""))
    elif kind == "note":
        done = actions.add_note(state.reader, name, trial, body.get("text", ""))
    else:
        raise UserInputError(f"action: must be 'abandon' or 'note', got {kind!r}")
    return _json_text(json.dumps({"ok": True, "message": done}))


def _body(request: Request) -> Dict[str, Any]:
    raw = request.state.body
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise UserInputError(f"the body is not valid JSON: {err}") from err
    if not isinstance(body, dict):
        raise UserInputError("the body must be a JSON object")
    return body


def _static(request: Request, state: DashboardState) -> Response:
    name = request.path_params["file"]
    data = state.static(name)
    if data is None:
        return _error(request, state, 404, "Not found", f"no static file {name!r}")
    media = _STATIC_TYPES[os.path.splitext(name)[1]]
    return Response(data, media_type=media, headers={"cache-control": "private, max-age=3600"})


__all__ = ["DashboardState", "create_app"]
