"""The live dashboard: page times on a 5,000-trial experiment, and a run's speed with the
dashboard open against without.

1. Pages. An experiment of ``--trials`` completed single-arm trials (the experiment of
   ``bench_storage.py``: 6 parameters, two metrics) is written to a SQLite store and to a
   JSON file, and the dashboard is started on each (``ax dashboard`` in a subprocess, on a
   free loopback port). Each page is requested ``--repeats`` times two ways: *warm* (the
   store did not change: the cached view is served) and *cold* (the store changed just
   before: its change marker is moved, so the experiment is read, decoded and the view
   and figures rebuilt; what every request costs while a run writes). The time is the
   wall time of the request over loopback, i.e. the server's time plus a local round
   trip; the table gives the median.
2. A run with the dashboard open. ``--run-trials`` Sobol trials of Branin through
   ``AxClient`` with a SQLite store (a save after every trial), in a subprocess, with no
   dashboard and then with ``ax dashboard`` serving the store (opened once before the run
   starts, so its imports and first model fit are not counted) and a client polling it as
   the experiment page does (the change marker every ``--poll`` seconds; the whole view
   when it changed; the model figures at most every 30 s); with ``--browser``, a headless
   Chromium page (Debian's) holds the real experiment page open instead. The two are
   alternated ``--pairs`` times; printed: each run's time, the ratio of the medians and
   the ratio of the best times (less sensitive to other load on the machine).

Usage:
    .venv/bin/python bench/bench_dashboard.py [--trials 5000] [--repeats 7]
        [--run-trials 200] [--pairs 3] [--poll 2.0] [--browser]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

PYTHON = sys.executable
ENV = {
    **os.environ,
    "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
}

RUN_SCRIPT = """
import sys, time
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.sqa_store.structs import DBSettings
url, trials = sys.argv[1], int(sys.argv[2])
sobol = GenerationStep(Models.SOBOL, -1, model_kwargs={"seed": 0})
client = AxClient(generation_strategy=GenerationStrategy([sobol]),
    db_settings=DBSettings(url=url), verbose_logging=False)
client.create_experiment(name="run", parameters=[
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]}], objective_name="branin", minimize=True)
from ax.benchmark import branin
print("READY", flush=True)
sys.stdin.readline()  # wait until the dashboard watches the store
start = time.perf_counter()
cpu0 = time.process_time()
for _ in range(trials):
    p, i = client.get_next_trial()
    client.complete_trial(i, raw_data={"branin": (branin(p["x1"], p["x2"]), 0.0)})
cpu = time.process_time() - cpu0
print(f"SECONDS {time.perf_counter() - start:.4f} CPU {cpu:.4f}", flush=True)
"""


class Dashboard:
    """``ax dashboard STORE --port 0`` in a subprocess; the URL it prints."""

    def __init__(self, store: str) -> None:
        self.process = subprocess.Popen(
            [PYTHON, "-m", "ax", "dashboard", store, "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if "http://" not in line:
            self.process.kill()
            raise RuntimeError(
                f"the dashboard did not start: {line!r} {self.process.stderr.read()}"
            )
        self.url = line.split(" at ")[-1].strip()

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=120) as response:
            data: bytes = response.read()
            return data

    def cpu_seconds(self) -> float:
        """User + system CPU time the dashboard process has used so far (Linux)."""
        with open(f"/proc/{self.process.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def page_times(trials: int, repeats: int, workdir: Path) -> List[Dict[str, Any]]:
    import numpy as np
    from bench_storage import DIMENSION, add_trial, build_experiment

    from ax.storage.json_store.save import save
    from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
    from ax.storage.sqa_store.save import save_experiment

    experiment = build_experiment(trials)
    name = experiment.name
    db = workdir / "pages.db"
    engine = create_engine_for_url(f"sqlite:///{db}")
    create_all_tables(engine)
    save_experiment(experiment, engine=engine)
    path = workdir / "pages.json"
    save(experiment, str(path))
    rng = np.random.default_rng(0)

    def touch_sqlite() -> None:  # the run stores one more completed trial
        add_trial(experiment, rng.random(DIMENSION).tolist())
        save_experiment(experiment, engine=engine)

    def touch_json() -> None:  # the run stores one more completed trial (the file whole)
        add_trial(experiment, rng.random(DIMENSION).tolist())
        save(experiment, str(path))

    pages = {
        "list (/)": "/",
        "experiment page": f"/experiment?name={quote(name)}",
        "experiment JSON (live update)": f"/api/experiment?name={quote(name)}",
        "change marker (poll)": f"/api/marker?name={quote(name)}",
        "model figures": f"/api/model?name={quote(name)}",
    }
    results = []
    for backend, store, touch in (
        ("SQLite", f"sqlite:///{db}", touch_sqlite),
        ("JSON", str(path), touch_json),
    ):
        dashboard = Dashboard(store)
        try:
            dashboard.get(pages["experiment page"])  # imports, plotly warm-up
            dashboard.get(pages["model figures"])
            for label, page in pages.items():
                size = len(dashboard.get(page))
                warm = [timed(partial(dashboard.get, page)) for _ in range(repeats)]
                cold = []
                for _ in range(repeats):
                    touch()
                    cold.append(timed(partial(dashboard.get, page)))
                results.append(
                    {
                        "backend": backend,
                        "page": label,
                        "bytes": size,
                        "warm": statistics.median(warm),
                        "cold": statistics.median(cold),
                    }
                )
                print(
                    f"{backend:6} {label:32} warm {statistics.median(warm) * 1e3:8.1f} ms "
                    f"cold {statistics.median(cold) * 1e3:8.1f} ms ({size / 1e3:.0f} kB)",
                    flush=True,
                )
        finally:
            dashboard.stop()
    return results


class Poller(threading.Thread):
    """What an open experiment page does: poll the marker, fetch the view on change."""

    def __init__(self, dashboard: Dashboard, name: str, poll: float) -> None:
        super().__init__(daemon=True)
        self.dashboard, self.name, self.poll = dashboard, name, poll
        self.stop_event = threading.Event()
        self.views = 0
        self.errors = 0

    def run(self) -> None:
        marker: Optional[str] = None
        last_model = 0.0
        q = quote(self.name)
        while not self.stop_event.wait(self.poll):
            try:
                now = json.loads(self.dashboard.get(f"/api/marker?name={q}"))["marker"]
                if now != marker:
                    marker = now
                    self.dashboard.get(f"/api/experiment?name={q}")
                    self.views += 1
                    if time.monotonic() - last_model > 30:
                        last_model = time.monotonic()
                        self.dashboard.get(f"/api/model?name={q}")
            except Exception:  # noqa: BLE001 - the experiment may not exist yet
                self.errors += 1


def one_run(trials: int, workdir: Path, watch: str, poll: float) -> Timing:
    db = workdir / f"run-{time.perf_counter_ns()}.db"
    url = f"sqlite:///{db}"
    run = subprocess.Popen(
        [PYTHON, "-c", RUN_SCRIPT, url, str(trials)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert run.stdout is not None and run.stdin is not None
    assert run.stdout.readline().strip() == "READY"
    dashboard = poller = browser = None
    try:
        if watch != "none":
            dashboard = Dashboard(url)
            # Open the page once before the run starts (the dashboard's imports and first
            # model fit happen when a user opens it, not on every trial).
            dashboard.get("/experiment?name=run")
            dashboard.get("/api/model?name=run")
            if watch == "poller":
                poller = Poller(dashboard, "run", poll)
                poller.start()
            else:
                browser = BrowserPage(dashboard.url + "experiment?name=run")
            time.sleep(1.0)
        cpu_before = dashboard.cpu_seconds() if dashboard is not None else 0.0
        run.stdin.write("go\n")
        run.stdin.flush()
        out = run.stdout.read()
        run.wait(600)
        dashboard_cpu = dashboard.cpu_seconds() - cpu_before if dashboard is not None else 0.0
    finally:
        if poller is not None:
            poller.stop_event.set()
            poller.join(10)
        if browser is not None:
            browser.close()
        if dashboard is not None:
            dashboard.stop()
    fields = out.split("SECONDS")[-1].split()
    seconds, run_cpu = float(fields[0]), float(fields[2])
    extra = f", {poller.views} view refreshes" if poller is not None else ""
    if dashboard is not None:
        extra += f", dashboard CPU {dashboard_cpu:.2f} s"
    print(
        f"  run of {trials} trials, dashboard {watch:7}: {seconds:.2f} s (run CPU "
        f"{run_cpu:.2f} s{extra})",
        flush=True,
    )
    return Timing(seconds, run_cpu, dashboard_cpu)


@dataclass
class Timing:
    wall: float
    cpu: float
    dashboard_cpu: float


class BrowserPage:
    """The experiment page open in headless Chromium (Playwright, Debian's browser)."""

    def __init__(self, url: str) -> None:
        from playwright.sync_api import sync_playwright

        from tests.integration.test_report_browser import CHROMIUM_ARGS, _chromium

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(
            executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        self.page = self._browser.new_page()
        self.page.goto(url)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--run-trials", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--poll", type=float, default=2.0)
    parser.add_argument("--browser", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-run", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if not args.skip_pages:
            print(f"Pages of a {args.trials}-trial experiment (median of {args.repeats}):")
            page_times(args.trials, args.repeats, workdir)
        if not args.skip_run:
            watch = "browser" if args.browser else "poller"
            print(f"A run of {args.run_trials} Sobol trials with SQLite saves:")
            without: List[Timing] = []
            with_: List[Timing] = []
            for pair in range(args.pairs):  # alternate which goes first
                order = ("none", watch) if pair % 2 == 0 else (watch, "none")
                for mode in order:
                    timing = one_run(args.run_trials, workdir, mode, args.poll)
                    (without if mode == "none" else with_).append(timing)
            for label, key in (("wall", "wall"), ("run CPU", "cpu")):
                a = [getattr(t, key) for t in without]
                b = [getattr(t, key) for t in with_]
                ma, mb = statistics.median(a), statistics.median(b)
                print(
                    f"{label}: median without {ma:.2f} s, with {mb:.2f} s: ratio {mb / ma:.3f}; "
                    f"best of each {min(a):.2f} s, {min(b):.2f} s: ratio {min(b) / min(a):.3f}"
                )
            print(
                "dashboard CPU per run: median "
                f"{statistics.median(t.dashboard_cpu for t in with_):.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
