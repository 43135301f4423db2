"""The dashboard on a PostgreSQL store (a real, throwaway server started by the fixture)."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from ax.dashboard.app import create_app
from ax.dashboard.options import DashboardOptions
from ax.dashboard.store import SQLStoreReader, open_store
from tests.dashboard import HOSTILE_REASON, new_client, run_trials

pytestmark = [pytest.mark.integration]


def test_postgres_store_pages(postgres_url: str) -> None:
    name = f"pg dashboard {uuid.uuid4().hex[:8]}"
    run_trials(new_client(postgres_url, name=name), 3)
    reader = open_store(postgres_url)
    assert isinstance(reader, SQLStoreReader)
    assert name in reader.names()
    with (
        reader.engine.connect() as conn,
        pytest.raises(Exception, match="read-only"),
        conn.begin(),
    ):
        conn.exec_driver_sql("DELETE FROM trial")
    app = create_app(DashboardOptions(store=postgres_url), reader=reader)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        assert name in [e["name"] for e in client.get("/api/experiments").json()["experiments"]]
        view = client.get(f"/api/experiment?name={quote(name)}").json()
        assert view["summary"]["counts"] == {"COMPLETED": 3, "FAILED": 1, "RUNNING": 1}
        assert HOSTILE_REASON in {r[-2] for r in view["trials"]["rows"]}
        page = client.get(f"/experiment?name={quote(name)}")
        assert page.status_code == 200
        assert "<script>window" not in page.text
