"""An AxClient with SQLite storage is killed mid-run; a new process reloads it and finishes.

A child Python process runs the ask-tell loop on Branin with ``db_settings`` pointing at
a SQLite file (the client saves after every change), and SIGKILLs itself: no ``atexit``,
no ``finally``, no flush; whatever reached the database before the signal is all there
is. Two places are checked:

* ``after_complete``: right after ``complete_trial`` of trial ``KILL_AT`` returned;
* ``mid_trial``: right after ``get_next_trial`` of trial ``KILL_AT + 1``, before it was
  evaluated, so the database holds a trial that was generated but never completed.

A second child process loads the experiment by name
(``AxClient(db_settings=...).load_experiment_from_database``), completes any trial left
open with its stored parameters, and continues to ``TOTAL`` trials. The parent then
loads the database itself and checks that every trial is COMPLETED, the indices are
exactly ``0..TOTAL-1`` (so no trial was lost or made twice), each trial has exactly one
data version holding one objective row equal to Branin at its parameters, and the trials
after the kill came from the Bayesian step of the stored generation strategy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.benchmark.synthetic_functions import branin

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

REPO_ROOT = Path(__file__).resolve().parents[2]
NAME = "kill_resume_branin"
TOTAL = 8  # trials in all
SOBOL_TRIALS = 4  # then the GP
KILL_AT = 5  # the child dies after completing this trial (a GP trial)
CHILD_TIMEOUT_S = 240

# Shared by both children: the problem, a cheap strategy and one evaluation step.
CHILD_PRELUDE = """
import json, os, signal, sys
import numpy as np
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.sqa_store.structs import DBSettings
from ax.benchmark.synthetic_functions import branin

url, name, total, sobol, kill_at, mode, marker = sys.argv[1:8]
total, sobol, kill_at = int(total), int(sobol), int(kill_at)
CHEAP = {"num_restarts": 2, "raw_samples": 32}

def evaluate(parameters):
    return float(branin(np.array([parameters["x1"], parameters["x2"]], dtype=float)))

def report(**fields):
    print("CHILD " + json.dumps(fields), flush=True)
"""

FIRST_CHILD = """
strategy = GenerationStrategy([
    GenerationStep(Models.SOBOL, num_trials=sobol, min_trials_observed=sobol,
                   model_kwargs={"seed": 0}),
    GenerationStep(Models.GPEI, num_trials=-1, model_kwargs={"seed": 0, "options": CHEAP}),
])
client = AxClient(generation_strategy=strategy, db_settings=DBSettings(url=url),
                  verbose_logging=False)
client.create_experiment(
    name=name,
    parameters=[{"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
                {"name": "x2", "type": "range", "bounds": [0.0, 15.0]}],
    minimize=True,
)
for _ in range(total):
    parameters, index = client.get_next_trial()
    if mode == "mid_trial" and index == kill_at + 1:
        open(marker, "w").write(str(index))
        os.kill(os.getpid(), signal.SIGKILL)
    client.complete_trial(index, raw_data=evaluate(parameters))
    if mode == "after_complete" and index == kill_at:
        open(marker, "w").write(str(index))
        os.kill(os.getpid(), signal.SIGKILL)
report(error="the first child was not killed")
"""

SECOND_CHILD = """
client = AxClient(db_settings=DBSettings(url=url), verbose_logging=False)
client.load_experiment_from_database(name)
experiment = client.experiment
loaded = {i: t.status.name for i, t in experiment.trials.items()}
resumed_open = []
for index, trial in sorted(experiment.trials.items()):
    if not trial.status.is_terminal:  # generated before the kill, never evaluated
        parameters = client.get_trial_parameters(index)
        client.complete_trial(index, raw_data=evaluate(parameters))
        resumed_open.append(index)
generated = []
while len(experiment.trials) < total:
    parameters, index = client.get_next_trial()
    client.complete_trial(index, raw_data=evaluate(parameters))
    generated.append(index)
report(loaded=loaded, resumed_open=resumed_open, generated=generated)
"""


def _sqa_store_missing() -> str:
    """Why the test cannot run yet ("" when the SQL store and AxClient's use of it exist)."""
    for module in ("ax.storage.sqa_store.structs", "ax.storage.sqa_store.load"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            return f"the SQL store is not written yet ({module} does not exist)"
    from ax.exceptions import UnsupportedError
    from ax.service.ax_client import AxClient
    from ax.storage.sqa_store.structs import DBSettings

    try:
        AxClient(db_settings=DBSettings(url="sqlite://"))
    except UnsupportedError as err:
        return f"AxClient does not accept db_settings yet ({err})"
    return ""


def _run_child(body: str, args: List[str], expect_kill: bool) -> Dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("OMP_NUM_THREADS", "1")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CHILD_PRELUDE) + textwrap.dedent(body), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
        check=False,
    )
    output = f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
    if expect_kill:
        assert done.returncode == -signal.SIGKILL, f"exit status {done.returncode}\n{output}"
        return {}
    assert done.returncode == 0, f"exit status {done.returncode}\n{output}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("CHILD ")]
    assert lines, output
    report: Dict[str, Any] = json.loads(lines[-1][len("CHILD ") :])
    assert "error" not in report, output
    return report


def _raw_rows(db_path: Path) -> Dict[str, List[Any]]:
    """Trial indices and data versions per trial, straight from the SQLite file."""
    with sqlite3.connect(db_path) as conn:
        trials = [row[0] for row in conn.execute("SELECT trial_index FROM trial")]
        versions = [row[0] for row in conn.execute("SELECT trial_index FROM data_version")]
    return {"trials": trials, "versions": versions}


@pytest.mark.parametrize("mode", ["after_complete", "mid_trial"])
def test_killed_client_resumes_from_sqlite(tmp_path: Path, mode: str) -> None:
    reason = _sqa_store_missing()
    if reason:
        pytest.skip(reason)
    from ax.core.types import TrialStatus
    from ax.storage.sqa_store.db import create_engine_for_url
    from ax.storage.sqa_store.load import (
        load_experiment,
        load_generation_strategy_by_experiment_name,
    )

    db_path = tmp_path / "ax.db"
    url = f"sqlite:///{db_path}"
    marker = tmp_path / "killed"
    args = [url, NAME, str(TOTAL), str(SOBOL_TRIALS), str(KILL_AT), mode, str(marker)]

    # 1. The first process dies by SIGKILL at the chosen point.
    _run_child(FIRST_CHILD, args, expect_kill=True)
    killed_at = int(marker.read_text())
    assert killed_at == (KILL_AT if mode == "after_complete" else KILL_AT + 1)

    # 2. A fresh process loads the experiment by name and finishes it.
    report = _run_child(SECOND_CHILD, args, expect_kill=False)
    loaded = {int(i): status for i, status in report["loaded"].items()}
    completed_before = list(range(KILL_AT + 1))
    assert all(loaded[i] == "COMPLETED" for i in completed_before), loaded
    if mode == "after_complete":
        assert sorted(loaded) == completed_before  # every completed trial survived the kill
        assert report["resumed_open"] == []
    else:
        # The trial generated just before the kill survived too, not completed.
        assert sorted(loaded) == [*completed_before, KILL_AT + 1]
        assert loaded[KILL_AT + 1] != "COMPLETED"
        assert report["resumed_open"] == [KILL_AT + 1]
    first_new = max(loaded) + 1
    assert report["generated"] == list(range(first_new, TOTAL))

    # 3. The parent reads the database: every trial present once, completed, data once.
    engine = create_engine_for_url(url)
    try:
        experiment = load_experiment(NAME, engine=engine)
        strategy = load_generation_strategy_by_experiment_name(NAME, engine=engine)
    finally:
        engine.dispose()
    assert sorted(experiment.trials) == list(range(TOTAL))
    assert all(t.status == TrialStatus.COMPLETED for t in experiment.trials.values())
    data_by_trial = experiment.data_by_trial
    assert sorted(data_by_trial) == list(range(TOTAL))
    for index, trial in experiment.trials.items():
        versions = data_by_trial[index]
        assert len(versions) == 1, f"trial {index} has {len(versions)} data versions"
        df = next(iter(versions.values())).df
        assert len(df) == 1 and list(df["metric_name"]) == ["objective"], df
        assert list(df["trial_index"]) == [index]
        arm = trial.arm  # type: ignore[attr-defined]
        expected = float(branin(np.array([arm.parameters["x1"], arm.parameters["x2"]])))
        assert float(df["mean"].iloc[0]) == pytest.approx(expected, rel=1e-12)
    model_keys = [
        t.generator_run.model_key  # type: ignore[attr-defined]
        for t in experiment.trials.values()
    ]
    assert model_keys[:SOBOL_TRIALS] == ["Sobol"] * SOBOL_TRIALS
    assert all(key == "GPEI" for key in model_keys[SOBOL_TRIALS:]), model_keys
    # The stored strategy (its generator runs live in the trials) ended in the GP step.
    assert strategy.current_step_index == 1 and strategy.experiment is not None

    rows = _raw_rows(db_path)
    assert sorted(rows["trials"]) == list(range(TOTAL))  # one row per trial, none twice
    assert sorted(rows["versions"]) == list(range(TOTAL))  # one data version per trial
