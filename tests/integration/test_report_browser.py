"""The HTML report in a real headless browser: Debian's Chromium, driven by Playwright.

The report is generated from a small experiment (with a model, so every kind of figure is
on the page), opened through ``file://`` and checked as a person would see it: it loads
without console errors or uncaught exceptions, requests nothing from the network, and
plotly has drawn the optimization trace (an SVG with data traces), the other figures
and the trials table.

Playwright drives the system browser (``/usr/bin/chromium``, installed by
``scripts/setup.sh`` from Debian's packages); it never downloads one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import List

import pytest

from ax.plot.report import CONTOUR_DIV_ID, PARAMETERS_DIV_ID, TABLE_ID, TRACE_DIV_ID, save_report
from tests.plot import POINTS, make_bridge, make_experiment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def _chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if path:
        return path
    if os.geteuid() != 0:
        pytest.skip(
            "Chromium is not installed and this is not root, so scripts/setup.sh could not "
            "install it (sudo apt-get install chromium)"
        )
    pytest.fail("Chromium is not installed: run scripts/setup.sh (it installs Debian's chromium)")


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    experiment = make_experiment(name="browser <check>")
    report = Path(save_report(experiment, tmp_path / "report.html", model=make_bridge(experiment)))

    console_errors: List[str] = []
    page_errors: List[str] = []
    requests: List[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on(
                "console",
                lambda m: console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            page.wait_for_selector(f"#{TRACE_DIV_ID} .main-svg", timeout=30_000)

            assert page.title() == "Experiment browser <check>"
            # The trace: plotly computed a point per completed trial for both traces
            # (best so far, trial values); calcdata is what it draws from.
            trace_points = page.evaluate(
                f"() => document.getElementById('{TRACE_DIV_ID}').calcdata.map(c => c.length)"
            )
            assert trace_points == [len(POINTS), len(POINTS)]
            drawn = page.locator(f"#{TRACE_DIV_ID} .scatterlayer .trace").count()
            assert drawn >= 2
            assert page.locator(f"#{TRACE_DIV_ID} .scatterlayer .point").count() >= len(POINTS)
            # Every figure was drawn, and the table has one row per arm.
            plots = page.locator(".js-plotly-plot")
            assert plots.count() == 3
            for div_id in (TRACE_DIV_ID, PARAMETERS_DIV_ID, CONTOUR_DIV_ID):
                assert page.locator(f"#{div_id}.js-plotly-plot svg.main-svg").count() >= 1
            assert page.locator(f"#{TABLE_ID} tbody tr").count() == len(POINTS)
            assert page.locator(f"#{TABLE_ID} tbody tr.best td").nth(2).inner_text() == "2_0"
        finally:
            browser.close()

    assert console_errors == []
    assert page_errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
