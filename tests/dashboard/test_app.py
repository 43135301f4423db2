"""The dashboard's routes through Starlette's TestClient: pages, API, escaping, token,
host check, the actions flag with CSRF, and clear error pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from ax.dashboard.app import create_app
from ax.dashboard.options import DashboardOptions
from ax.dashboard.security import CSRF_HEADER
from tests.dashboard import HOSTILE_REASON, HOSTILE_VALUE, NAME

BASE = "http://127.0.0.1:8080"
Q = quote(NAME)


def client_for(store: str, **kwargs: Any) -> TestClient:
    options = DashboardOptions(store=store, **kwargs)
    return TestClient(create_app(options), base_url=BASE, raise_server_exceptions=False)


def _no_raw_script(text: str) -> None:
    assert "<script>window" not in text
    assert "<img" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize("kind", ["sqlite", "json"])
def test_list_and_experiment_pages(kind: str, sqlite_url: str, json_path: Path) -> None:
    store = sqlite_url if kind == "sqlite" else str(json_path)
    with client_for(store) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "text/html" in page.headers["content-type"]
        assert "script-src 'self'" in page.headers["content-security-policy"]
        _no_raw_script(page.text)
        listed = client.get("/api/experiments").json()
        (summary,) = listed["experiments"]
        assert summary["name"] == NAME
        assert summary["trials"] == 6
        assert summary["counts"] == {"COMPLETED": 4, "FAILED": 1, "RUNNING": 1}
        assert summary["status"] == "running"
        trials = client.get(f"/api/experiment?name={Q}").json()["trials"]
        column = [c["key"] for c in trials["columns"]].index("m:branin")
        completed = [r[column] for r in trials["rows"] if r[1] == "COMPLETED"]
        assert summary["best"]["value"] == pytest.approx(min(completed))
        assert summary["updated_at"]

        page = client.get(f"/experiment?name={Q}")
        assert page.status_code == 200
        _no_raw_script(page.text)
        assert "\\u003cscript\\u003e" in page.text  # the data is in the page, escaped


def test_experiment_view_content(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        view = client.get(f"/api/experiment?name={Q}").json()
    columns = [c["key"] for c in view["trials"]["columns"]]
    assert columns[:4] == ["trial", "status", "arm", "generator"]
    assert {"p:x1", "p:x2", "p:c", "m:branin", "reason", "notes"} <= set(columns)
    rows = {r[0]: dict(zip(columns, r)) for r in view["trials"]["rows"]}
    failed = [r for r in rows.values() if r["status"] == "FAILED"]
    assert failed and failed[0]["reason"] == HOSTILE_REASON
    assert HOSTILE_VALUE in {r["p:c"] for r in rows.values()}
    assert view["figures"]["trace"]["data"]  # plotly JSON of the report's trace figure
    assert view["figures"]["parameters"]["data"]
    assert "pareto" not in view["figures"] and "curves" not in view["figures"]
    steps = view["strategy"]["steps"]
    assert [s["model"] for s in steps] == ["Sobol", "GPEI"]
    assert steps[view["strategy"]["current"]]["state"] == "current"
    assert view["actions"] is False


def test_api_json_escapes_angle_brackets(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        raw = client.get(f"/api/experiment?name={Q}").text
    assert "<" not in raw and ">" not in raw and "&" not in raw.replace("\\u0026", "")


def test_marker_endpoint_is_small_and_stable(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        first = client.get(f"/api/marker?name={Q}").json()
        assert first == client.get(f"/api/marker?name={Q}").json()
        assert set(client.get("/api/marker").json()) == {"marker"}


def test_model_endpoint(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        model = client.get(f"/api/model?name={Q}").json()
    assert model["fitted_on"] == 4
    assert model["figures"]["contour"]["data"]
    assert model["figures"]["slice"]["data"]
    assert model["figures"]["importances"]["data"]


@pytest.mark.parametrize(
    "path, status, fragment",
    [
        ("/experiment?name=nope", 404, "no experiment named"),
        ("/experiment", 400, "give the experiment as ?name=NAME"),
        ("/no/such/page", 404, "Not found"),
        ("/static/../../etc/passwd", 404, "Not found"),
    ],
)
def test_error_pages_are_clear(sqlite_url: str, path: str, status: int, fragment: str) -> None:
    with client_for(sqlite_url) as client:
        page = client.get(path)
    assert page.status_code == status
    assert fragment in page.text
    assert "Traceback" not in page.text


def test_api_errors_are_json(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        response = client.get("/api/experiment?name=nope")
    assert response.status_code == 404
    assert "no experiment named" in response.json()["message"]


def test_unreadable_store_after_start_gives_an_error_page(json_path: Path) -> None:
    with client_for(str(json_path)) as client:
        json_path.write_text("{ truncated")
        page = client.get(f"/experiment?name={Q}")
    assert page.status_code == 503
    assert "not valid JSON" in page.text
    assert "Traceback" not in page.text


@pytest.mark.parametrize(
    "headers, query, status",
    [
        ({}, "", 401),
        ({"X-Ax-Token": "wrong-token"}, "", 401),
        ({"X-Ax-Token": "right-token-123"}, "", 200),
        ({}, "?token=right-token-123", 200),
        ({}, "?token=right-token-12", 401),
    ],
)
def test_token_is_required_on_every_request(
    sqlite_url: str, headers: dict, query: str, status: int
) -> None:
    with client_for(sqlite_url, host="0.0.0.0", token="right-token-123") as client:
        for path in ("/", "/api/experiments", "/static/dashboard.js"):
            response = client.get(path + query, headers=headers)
            assert response.status_code == status, path
            if status == 401:
                assert "requires its token" in response.text
                assert NAME not in response.text


def test_foreign_host_header_is_refused_without_token(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        assert client.get("/", headers={"Host": "attacker.example"}).status_code == 403
        assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200


def _action(
    client: TestClient, body: dict, csrf: Optional[str], content_type: str = "application/json"
) -> Any:
    headers = {"Content-Type": content_type}
    if csrf is not None:
        headers[CSRF_HEADER] = csrf
    return client.post("/api/action", content=json.dumps(body), headers=headers)


def _running_trial(client: TestClient) -> int:
    rows = client.get(f"/api/experiment?name={Q}").json()["trials"]["rows"]
    return next(r[0] for r in rows if r[1] == "RUNNING")


def test_actions_are_off_by_default(sqlite_url: str) -> None:
    with client_for(sqlite_url) as client:
        trial = _running_trial(client)
        response = _action(client, {"action": "abandon", "name": NAME, "trial": trial}, "x")
        assert response.status_code == 403
        assert "--allow-actions" in response.json()["message"]
        assert _running_trial(client) == trial
        assert client.get("/api/action").status_code == 405


@pytest.mark.parametrize("kind", ["sqlite", "json"])
def test_actions_with_csrf(kind: str, sqlite_url: str, json_path: Path) -> None:
    store = sqlite_url if kind == "sqlite" else str(json_path)
    with client_for(store, allow_actions=True) as client:
        app_state = client.app.state.dashboard  # type: ignore[attr-defined]
        csrf = app_state.csrf
        page = client.get(f"/experiment?name={Q}")
        assert csrf in page.text  # the page carries the token for its own requests
        trial = _running_trial(client)
        body = {"action": "abandon", "name": NAME, "trial": trial, "reason": "<b>stop</b>"}
        assert _action(client, body, None).status_code == 403
        assert _action(client, body, "forged").status_code == 403
        assert _action(client, body, csrf, "text/plain").status_code == 415
        done = _action(client, body, csrf)
        assert done.status_code == 200, done.text
        note = {"action": "note", "name": NAME, "trial": trial, "text": "looked <i>odd</i>"}
        assert _action(client, note, csrf).status_code == 200
        view = client.get(f"/api/experiment?name={Q}").json()
        columns = [c["key"] for c in view["trials"]["columns"]]
        row = dict(zip(columns, next(r for r in view["trials"]["rows"] if r[0] == trial)))
        assert row["status"] == "ABANDONED"
        assert row["reason"] == "<b>stop</b>"
        assert row["notes"] == "looked <i>odd</i>"
        again = _action(client, body, csrf)
        assert again.status_code == 400
        assert "only a candidate, staged or running trial" in again.json()["message"]
        missing = _action(client, {**note, "trial": 999}, csrf)
        assert missing.status_code == 400
