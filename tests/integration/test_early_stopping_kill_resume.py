"""A Scheduler with early stopping is SIGKILLed mid-run; a new process resumes it; no
intermediate report is lost (JSON file and SQLite stores).

The child process runs the Scheduler inline with a median rule. Its evaluation function
reports a learning curve and, after each ``report`` returned (the Scheduler records and
saves a report before ``report`` returns, inline), appends the report to a side log. On
trial ``KILL_TRIAL`` at step ``KILL_STEP`` it SIGKILLs its own process: no ``finally``, no
flush. Earlier trials are COMPLETED or EARLY_STOPPED, the last one RUNNING.

The parent loads the store: every logged report is there (the store may hold one more,
made between the save and the log line), with the trials' statuses and stop reasons. A
second child resumes (the running trial becomes ABANDONED, keeping its curve) and runs to
``TOTAL`` trials; the final store still holds every report of the first run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

REPO_ROOT = Path(__file__).resolve().parents[2]
TOTAL = 8
KILL_TRIAL = 5
KILL_STEP = 2
STEPS = 8


def curve(parameters: Dict[str, Any], reporter: Any) -> float:
    """``final + 1 / step``; logs each recorded report; may kill its own process."""
    log = os.environ["AX_TEST_REPORT_LOG"]
    final = (float(parameters["x1"]) - 0.3) ** 2 + (float(parameters["x2"]) - 0.7) ** 2
    for step in range(1, STEPS + 1):
        reporter.report(step, {"y": final + 1.0 / step})
        with open(log, "a") as handle:
            handle.write(json.dumps([reporter.trial_index, step, final + 1.0 / step]) + "\n")
        if os.environ.get("AX_TEST_KILL") == "1" and (reporter.trial_index, step) == (
            KILL_TRIAL,
            KILL_STEP,
        ):
            os.kill(os.getpid(), signal.SIGKILL)
        if reporter.should_stop():
            break
    return final


def run(store: str, total: int) -> None:
    """The child: a Scheduler over a new or stored experiment (see the module doc)."""
    from ax.early_stopping import EarlyStoppingOptions, MedianRule
    from ax.service.executors import InlineExecutor
    from ax.service.scheduler import Scheduler, SchedulerOptions

    experiment, strategy = load(store)
    persistence: Any = store
    if store.startswith("sqlite"):
        from ax.storage.sqa_store.structs import DBSettings

        persistence = DBSettings(url=store)
    if experiment is None:
        from tests.service.test_scheduler import experiment as new_experiment
        from tests.service.test_scheduler import sobol

        experiment, strategy = new_experiment(), sobol()
        if store.startswith("sqlite"):
            from ax.storage.sqa_store.db import create_engine_for_url
            from ax.storage.sqa_store.save import save_experiment

            save_experiment(experiment, engine=create_engine_for_url(store))
    rule = MedianRule(EarlyStoppingOptions(min_progression=2, min_curves=2))
    options = SchedulerOptions(max_parallelism=1, total_trials=total, persistence=persistence)
    Scheduler(
        experiment, strategy, curve, InlineExecutor(), options, stopping_rule=rule
    ).run_all_trials()


def load(store: str) -> Tuple[Any, Any]:
    if store.startswith("sqlite"):
        from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
        from ax.storage.sqa_store.load import (
            ExperimentNotFoundError,
            load_experiment_and_generation_strategy,
        )

        engine = create_engine_for_url(store)
        create_all_tables(engine)
        try:
            return load_experiment_and_generation_strategy("sched", engine=engine)
        except ExperimentNotFoundError:
            return None, None
    from ax.storage.json_store.generation_strategy import load_experiment_and_generation_strategy

    if not os.path.exists(store):
        return None, None
    return load_experiment_and_generation_strategy(store)


def child(store: str, total: int, log: Path, kill: bool) -> subprocess.CompletedProcess[str]:
    code = (
        "from tests.integration.test_early_stopping_kill_resume import run; "
        f"run({store!r}, {total})"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), AX_TEST_REPORT_LOG=str(log))
    env["AX_TEST_KILL"] = "1" if kill else "0"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=240,
    )  # fmt: skip


def logged(log: Path) -> List[Tuple[int, float, float]]:
    return [tuple(json.loads(line)) for line in log.read_text().splitlines()]  # type: ignore[misc]


@pytest.mark.parametrize("kind", ["json", "sqlite"])
def test_kill_and_resume_loses_no_intermediate_data(kind: str, tmp_path: Path) -> None:
    from ax.core.types import TrialStatus

    store = str(tmp_path / "run.json") if kind == "json" else f"sqlite:///{tmp_path / 'run.db'}"
    log = tmp_path / "reports.jsonl"
    first = child(store, TOTAL, log, kill=True)
    assert first.returncode == -signal.SIGKILL, first.stderr[-3000:]
    experiment, _ = load(store)
    before = logged(log)
    assert tuple(before[-1][:2]) == (KILL_TRIAL, KILL_STEP)  # killed right there
    data = experiment.progression_data
    for index, step, value in before:
        steps, values = data.curve(index, "y")
        assert step in steps and values[steps.index(step)] == value
    assert len(data) in (len(before), len(before) + 1)
    statuses = {t.index: t.status for t in experiment.trials.values()}
    assert statuses[KILL_TRIAL] is TrialStatus.RUNNING
    stopped = [t for t in experiment.trials.values() if t.status is TrialStatus.EARLY_STOPPED]
    assert stopped and all("MedianRule" in (t.early_stopped_reason or "") for t in stopped)
    snapshot = {i: data.curve(i, "y") for i in data.trial_indices}

    second = child(store, TOTAL + 1, log, kill=False)  # the abandoned trial does not count
    assert second.returncode == 0, second.stderr[-3000:]
    final, _ = load(store)
    assert final.trials[KILL_TRIAL].status is TrialStatus.ABANDONED
    for index, (steps, values) in snapshot.items():
        assert final.progression_data.curve(index, "y") == (steps, values)
    for trial in stopped:
        assert final.trials[trial.index].status is TrialStatus.EARLY_STOPPED
    assert len(final.trials) == TOTAL + 2
    after = logged(log)
    for index, _step, value in after:
        assert value in final.progression_data.curve(index, "y")[1]
