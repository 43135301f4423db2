"""Fault injection with real processes, on SQLite and a real PostgreSQL.

- kill -9: a worker process runs the ask-tell loop (its AxClient saves every change) and
  is SIGKILLed at a different moment of its saves in each round; after each kill the
  store must load, hold contiguous trial indices and every result the worker had
  acknowledged, and a new worker must carry on from it.
- a lock held by another connection: a write waits at most ``lock_timeout_s``, fails
  with DatabaseLockedError naming the database, keeps nothing in memory that the store
  lacks, and succeeds once the lock is released.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import Dict, List

import pytest
from sqlalchemy import text

from ax.core.types import TrialStatus
from ax.exceptions import DatabaseLockedError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.sqa_store.db import create_engine_for_url, engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.structs import DBSettings
from tests.storage import REPO_ROOT
from tests.storage import UNIT_SQUARE as PARAMETERS

WORKER = textwrap.dedent(
    """
    import sys
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.ax_client import AxClient
    from ax.storage.sqa_store.structs import DBSettings

    url = sys.argv[1]
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    client = AxClient(generation_strategy=strategy, db_settings=DBSettings(url=url),
                      verbose_logging=False)
    client.create_experiment(
        name="faults", objective_name="obj", load_if_exists=True,
        parameters=[{"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
                    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]}],
    )
    for index, trial in client.experiment.trials.items():  # left RUNNING by a killed worker
        if trial.status.name == "RUNNING":
            client.abandon_trial(index, reason="its worker was killed")
    print("READY", flush=True)
    while True:
        parameters, index = client.get_next_trial()
        mean = parameters["x1"] + 10.0 * parameters["x2"]
        client.complete_trial(index, raw_data={"obj": (mean, 0.0)})
        print(f"ACK {index} {mean!r}", flush=True)
    """
)

# Seconds after the worker's 3rd acknowledgement at which it is killed: from "right
# away" (mid-save of the next trial) to a few saves later.
KILL_DELAYS = [0.0, 0.002, 0.007, 0.015, 0.03]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(400)
def test_kill_9_during_saves_loses_no_acknowledged_result(url: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    acknowledged: Dict[int, float] = {}
    for delay in KILL_DELAYS:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert worker.stdout is not None
        acks = 0
        lines: List[str] = []
        for line in worker.stdout:
            lines.append(line)
            if line.startswith("ACK"):
                _, index, mean = line.split()
                acknowledged[int(index)] = float(mean)
                acks += 1
                if acks == 3:
                    break
        assert acks == 3, "".join(lines)[-3000:]
        time.sleep(delay)
        worker.send_signal(signal.SIGKILL)
        for line in worker.stdout:  # acknowledgements printed before the kill landed
            if line.startswith("ACK"):
                _, index, mean = line.split()
                acknowledged[int(index)] = float(mean)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        engine = create_engine_for_url(url)
        stored = load_experiment("faults", engine=engine)  # loadable after every kill
        engine.dispose()
        assert sorted(stored.trials) == list(range(len(stored.trials)))
        for index, mean in acknowledged.items():
            assert stored.trials[index].status == TrialStatus.COMPLETED
            means = [float(m) for m in stored.lookup_data([index]).columns["mean"]]
            assert means == [mean]
        unfinished = [t.index for t in stored.trials.values() if not t.status.is_terminal]
        assert len(unfinished) <= 1  # at most the trial being evaluated when killed
    assert len(acknowledged) >= 3 * len(KILL_DELAYS)


def _client(url: str, lock_timeout_s: float) -> AxClient:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    settings = DBSettings(url=url, lock_timeout_s=lock_timeout_s)
    return AxClient(generation_strategy=strategy, db_settings=settings, verbose_logging=False)


@pytest.mark.integration
def test_a_lock_held_by_another_connection_fails_cleanly_then_passes(url: str) -> None:
    client = _client(url, lock_timeout_s=0.3)
    client.create_experiment(name="held", parameters=PARAMETERS, objective_name="obj")
    _, first = client.get_next_trial()
    holder = create_engine_for_url(url)
    conn = holder.connect()
    transaction = conn.begin()  # SQLite: BEGIN IMMEDIATE, the database's write lock
    if holder.dialect.name != "sqlite":
        conn.execute(text("SELECT id FROM experiment WHERE name = 'held' FOR UPDATE"))
    try:
        with pytest.raises(DatabaseLockedError, match=r"database .* stayed locked.*0.3 s"):
            client.get_next_trial()
        with pytest.raises(DatabaseLockedError):
            client.complete_trial(first, raw_data={"obj": (1.0, 0.0)})
    finally:
        transaction.rollback()
        conn.close()
        holder.dispose()
    assert sorted(client.experiment.trials) == [first]
    assert client.experiment.trials[first].status == TrialStatus.RUNNING
    client.complete_trial(first, raw_data={"obj": (1.0, 0.0)})
    _, second = client.get_next_trial()
    assert second == first + 1
    stored = load_experiment("held", engine=engine_for_url(url, lock_timeout_s=0.3))
    assert stored == client.experiment
