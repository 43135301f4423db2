"""`mpirun -n 2 ax worker --mpi`: one two-rank worker against a real broker.

Both ranks run every trial with the same parameters (data-parallel training); rank 0
talks to the broker and its result is recorded once; a failure on rank 1 fails the
trial; when the experiment ends every rank exits and ``mpirun`` returns 0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.service.mpi_env import mpi_env, mpirun_command
from tests.service.test_rabbitmq import REPO, make_scheduler, quadratic

pytestmark = pytest.mark.integration


def record_rank(parameters: Dict[str, Any]) -> float:
    """Every rank appends (rank, parameters) to a file; rank 1 raises when x1 > 0.9."""
    rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
    folder = Path(os.environ["AX_TEST_RANK_DIR"])
    with open(folder / f"rank{rank}.jsonl", "a") as log:
        log.write(json.dumps({"x1": parameters["x1"], "x2": parameters["x2"]}) + "\n")
    if rank == 1 and float(parameters["x1"]) > 0.9:
        raise ValueError("rank 1 cannot do x1 > 0.9")
    return quadratic(parameters)


def _lines(path: Path) -> List[Dict[str, float]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_two_rank_worker_runs_each_trial_on_both_ranks_and_exits(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    from ax.core.types import TrialStatus
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    exp_key = f"mpi{uuid.uuid4().hex[:8]}"
    command = mpirun_command(
        2, sys.executable, "-m", "ax", "worker", "--mpi", "--exp-key", exp_key, "--quiet"
    )
    env = mpi_env(RABBITMQ_URL=rabbitmq_url, AX_TEST_RANK_DIR=str(tmp_path))
    proc = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        executor = RabbitMQExecutor(rabbitmq_url, exp_key, timeout_s=60)
        try:
            scheduler = make_scheduler(record_rank, executor, total=5)
            scheduler.run_all_trials()
        finally:
            executor.shutdown()  # deletes the queues: the worker's ranks leave
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    assert b"was deleted" in out
    trials = list(scheduler.experiment.trials.values())
    seen = [{"x1": t.arms[0].parameters["x1"], "x2": t.arms[0].parameters["x2"]} for t in trials]
    # One worker, one job at a time: both ranks ran every trial, in order, same parameters.
    assert _lines(tmp_path / "rank0.jsonl") == seen
    assert _lines(tmp_path / "rank1.jsonl") == seen
    for trial in trials:
        if float(trial.arms[0].parameters["x1"]) > 0.9:
            assert trial.status == TrialStatus.FAILED
            assert "MPI rank 1 failed: ValueError: rank 1 cannot do x1 > 0.9" in (
                trial.failed_reason or ""
            )
        else:
            assert trial.status == TrialStatus.COMPLETED
    data = scheduler.experiment.fetch_data().df
    completed = [t for t in trials if t.status == TrialStatus.COMPLETED]
    assert sorted(data["trial_index"]) == [t.index for t in completed]  # recorded once


def test_mpi_worker_with_a_missing_broker_fails_on_every_rank(tmp_path: Path) -> None:
    command = mpirun_command(
        2, sys.executable, "-m", "ax", "worker", "--mpi", "--exp-key", "k", "--quiet"
    )
    env = mpi_env(RABBITMQ_URL="amqp://u:p@127.0.0.1:9/v")
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, timeout=60)
    assert done.returncode != 0
    assert b"failed or was lost" in done.stderr
