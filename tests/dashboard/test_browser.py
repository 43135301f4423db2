"""The dashboard in a real headless browser: Debian's Chromium, driven by Playwright.

Each test starts the dashboard itself (uvicorn in a thread, on a free loopback port) and
stops it. Covered: the list and an experiment page; a new trial appearing while a run
writes to SQLite; sorting and filtering the trials table; hostile text rendered as text;
the optional Pareto / learning-curve sections appearing only when the experiment has
them; and a non-loopback bind without a token refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator, List
from urllib.parse import quote

import pytest

from ax.dashboard.options import DashboardOptions
from ax.dashboard.server import RunningDashboard, start_in_thread
from tests.dashboard import HOSTILE_REASON, HOSTILE_VALUE, NAME, new_client, run_trials
from tests.integration.test_report_browser import CHROMIUM_ARGS, _chromium

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Watched:
    """A page with its console errors, page errors and dialogs recorded."""

    def __init__(self, browser: Any) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: List[str] = []
        self.dialogs: List[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def rows(self) -> int:
        return int(self.page.locator("#ax-trials tbody tr").count())

    def close(self) -> None:
        self.page.close()


def _serve(store: str, **kwargs: Any) -> RunningDashboard:
    return start_in_thread(DashboardOptions(store=store, port=0, **kwargs))


def test_list_then_experiment(browser: Any, sqlite_url: str) -> None:
    with _serve(sqlite_url) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(server.url)
        page.wait_for_selector("#ax-experiments tbody tr")
        row = page.locator("#ax-experiments tbody tr").first
        assert row.locator("td").nth(0).inner_text() == NAME
        assert row.locator("td").nth(1).inner_text() == "running"
        assert row.locator("td").nth(2).inner_text().startswith("6 (")
        row.locator("a").click()
        page.wait_for_selector("#ax-trace .main-svg", timeout=30_000)
        page.wait_for_selector("#ax-contour .main-svg", timeout=60_000)
        assert page.title() == f"Experiment {NAME}"
        assert page.locator("#ax-title").inner_text() == f"Experiment {NAME}"
        assert watched.rows() == 6
        assert page.locator("#ax-parameters .main-svg").count() >= 1
        assert page.locator("#ax-importances .main-svg").count() >= 1
        strategy = page.locator("#ax-strategy tbody tr")
        assert strategy.count() == 2
        assert "current" in (strategy.nth(0).get_attribute("class") or "")
        # Optional views are absent for an experiment without them.
        assert page.locator("#pareto").is_hidden()
        assert page.locator("#curves").is_hidden()
        assert watched.errors == []  # includes Content-Security-Policy violations
        watched.close()


def test_hostile_text_renders_as_text(browser: Any, sqlite_url: str) -> None:
    with _serve(sqlite_url) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(f"{server.url}experiment?name={quote(NAME)}")
        page.wait_for_selector("#ax-trials tbody tr")
        cells = page.locator("#ax-trials td").all_inner_texts()
        assert HOSTILE_VALUE in cells  # the parameter value, shown as text
        assert HOSTILE_REASON in cells  # the failure reason, shown as text
        assert page.evaluate("() => window.__axPwned === undefined")
        assert page.locator("#ax-trials script, #ax-trials img").count() == 0
        assert watched.dialogs == []
        assert watched.errors == []
        watched.close()


def test_sort_and_filter_trials(browser: Any, sqlite_url: str) -> None:
    with _serve(sqlite_url) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(f"{server.url}experiment?name={quote(NAME)}")
        page.wait_for_selector("#ax-trials tbody tr")
        header = page.locator('#ax-trials th[data-key="m:branin"]')
        column = int(
            page.evaluate(
                "() => [...document.querySelectorAll('#ax-trials th')]"
                ".findIndex(th => th.dataset.key === 'm:branin')"
            )
        )

        def values() -> List[str]:
            return [
                page.locator("#ax-trials tbody tr").nth(i).locator("td").nth(column).inner_text()
                for i in range(watched.rows())
            ]

        header.click()
        ascending = values()
        numbers = [float(v) for v in ascending if v]
        assert numbers == sorted(numbers) and len(numbers) == 4
        assert ascending[-2:] == ["", ""]  # no value (failed, running): last
        assert header.get_attribute("aria-sort") == "ascending"
        header.click()
        descending = [float(v) for v in values() if v]
        assert descending == sorted(numbers, reverse=True)
        page.select_option("#ax-status-filter", "FAILED")
        assert watched.rows() == 1
        assert page.locator("#ax-trials-count").inner_text() == "1 of 6 arm(s)"
        page.select_option("#ax-status-filter", "")
        assert watched.rows() == 6
        assert watched.errors == []
        watched.close()


def test_new_trials_appear_while_a_run_writes(browser: Any, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    client = new_client(url, name="live run")
    run_trials(client, 2, failed=False, running=False)
    with _serve(url, poll_interval_s=0.3) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(f"{server.url}experiment?name=live%20run")
        page.wait_for_selector("#ax-trials tbody tr")
        assert watched.rows() == 2
        errors: List[BaseException] = []

        def run() -> None:  # the run: writes to the store while the page is open
            try:
                run_trials(client, 3, failed=False, running=False)
            except BaseException as err:  # noqa: BLE001 - reported below
                errors.append(err)

        writer = threading.Thread(target=run)
        writer.start()
        page.wait_for_function(
            "() => document.querySelectorAll('#ax-trials tbody tr').length === 5",
            timeout=60_000,
        )
        writer.join(60)
        assert not errors
        assert "5 (5 completed)" in page.locator("#ax-summary").inner_text()
        assert page.locator("#ax-live").inner_text().startswith("live")
        assert watched.errors == []
        watched.close()


def test_pareto_views_appear_for_a_multi_objective_experiment(browser: Any, tmp_path: Path) -> None:
    from tests.dashboard import MOO_NAME, moo_sqlite_store

    with _serve(moo_sqlite_store(tmp_path)) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(f"{server.url}experiment?name={quote(MOO_NAME)}")
        page.wait_for_selector("#ax-pareto .main-svg", timeout=30_000)
        page.wait_for_selector("#ax-hypervolume .main-svg", timeout=30_000)
        assert page.locator("#pareto").is_visible()
        assert page.locator("#hypervolume").is_visible()
        assert not page.locator("#curves").is_visible()
        summary = page.locator("#ax-summary").inner_text()
        assert "acc (maximize), latency (minimize)" in summary
        assert "Pareto frontier" in summary and "hypervolume" in summary
        assert watched.errors == []
        watched.close()


def test_learning_curves_view_appears_when_the_experiment_has_them(
    browser: Any, tmp_path: Path
) -> None:
    from tests.dashboard import CURVES_NAME, curves_sqlite_store

    with _serve(curves_sqlite_store(tmp_path)) as server:
        watched = Watched(browser)
        page = watched.page
        page.goto(f"{server.url}experiment?name={quote(CURVES_NAME)}")
        page.wait_for_selector("#ax-curves .main-svg", timeout=30_000)
        assert page.locator("#curves").is_visible()
        assert not page.locator("#pareto").is_visible()
        assert "trial(s) stopped" in page.locator("#ax-summary").inner_text()
        assert watched.errors == []
        watched.close()


def test_non_loopback_bind_without_token_is_refused(sqlite_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("AX_DASHBOARD_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "ax", "dashboard", sqlite_url, "--host", "0.0.0.0", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert "refusing to bind '0.0.0.0' without a token" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
