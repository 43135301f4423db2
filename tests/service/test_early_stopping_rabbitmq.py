"""Early stopping on real ``ax worker`` processes through a throwaway RabbitMQ broker:
signed reports travel back, signed stops travel out, a stopped worker takes the next job;
forged reports are refused unread."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from ax.core.types import TrialStatus
from ax.early_stopping import EarlyStoppingOptions, ThresholdRule
from tests.service.test_early_stopping import STEPS, train, train_ignoring
from tests.service.test_rabbitmq import (
    REPO,
    exp_key,
    make_scheduler,
    start_workers,
    stop_workers,
)

__all__ = ["exp_key"]  # a fixture


@pytest.fixture
def two_workers(rabbitmq_url: str, exp_key: str) -> Iterator[List[Any]]:
    procs = start_workers(rabbitmq_url, exp_key, 2)
    yield procs
    stop_workers(procs)


@pytest.mark.parametrize("function", [train, train_ignoring])
def test_reporting_trials_are_stopped_on_ax_workers(
    rabbitmq_url: str, exp_key: str, two_workers: List[Any], function: Any
) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    executor = RabbitMQExecutor(rabbitmq_url, exp_key, timeout_s=60)
    try:
        scheduler = make_scheduler(function, executor, total=4)
        scheduler.stopping_rule = ThresholdRule(
            -1.0, EarlyStoppingOptions(min_progression=2, min_curves=0)
        )
        scheduler.run_all_trials()
    finally:
        executor.shutdown()
    experiment = scheduler.experiment
    # 4 trials on 2 workers, all stopped: each worker took a job after its stopped one.
    assert [t.status for t in experiment.trials.values()] == [TrialStatus.EARLY_STOPPED] * 4
    for trial in experiment.trials.values():
        steps, _ = experiment.progression_data.curve(trial.index, "y")
        assert steps[:2] == [1.0, 2.0] and steps[-1] < STEPS
        assert "ThresholdRule" in (trial.early_stopped_reason or "")


def test_unsigned_and_tampered_reports_are_refused(rabbitmq_url: str, exp_key: str) -> None:
    import pika

    from ax.service.rabbitmq.protocol import connection_parameters
    from ax.service.rabbitmq.reports import (
        KIND_REPORT,
        RabbitMQReportChannel,
        bind_worker,
        reports_queue,
    )
    from ax.service.rabbitmq.signing import signing_key

    key = signing_key(rabbitmq_url)
    client = RabbitMQReportChannel(rabbitmq_url, exp_key, key)
    assert client.drain() == []  # declares the queue
    bind_worker(rabbitmq_url, exp_key, key)
    worker = RabbitMQReportChannel(None, exp_key, None)
    worker.send(0, 1.0, {"y": 0.5})
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()
    body = json.dumps({"t": 0, "p": 2.0, "v": {"y": 0.1}}).encode()
    channel.basic_publish("", reports_queue(exp_key), body)  # unsigned
    headers = {"ax-kind": KIND_REPORT, "ax-signature": "0" * 64}
    channel.basic_publish(
        "", reports_queue(exp_key), body,
        pika.BasicProperties(correlation_id="trial-0", headers=headers),
    )  # fmt: skip
    connection.close()
    import time

    time.sleep(0.2)
    assert client.drain() == [(0, 1.0, {"y": 0.5})]
    assert not worker.is_stopped(0)
    client.stop(0)
    time.sleep(0.2)
    assert worker.is_stopped(0)
    worker.close()
    client.close()


def train_on_ranks(parameters: Dict[str, Any], reporter: Any) -> float:
    """:func:`train` on every rank of an MPI group; each rank logs the steps it ran."""
    rank = int(os.environ["OMPI_COMM_WORLD_RANK"])
    try:
        return train(parameters, reporter)
    finally:  # also when report() raised TrialStopped
        folder = Path(os.environ["AX_TEST_RANK_DIR"])
        with open(folder / f"rank{rank}.txt", "a") as log:
            log.write(f"{reporter.trial_index} {reporter._last}\n")


@pytest.mark.integration
def test_reporting_trials_are_stopped_in_an_mpi_group(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from tests.service.mpi_env import mpi_env, mpirun_command

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
            scheduler = make_scheduler(train_on_ranks, executor, total=3)
            scheduler.stopping_rule = ThresholdRule(
                -1.0, EarlyStoppingOptions(min_progression=2, min_curves=0)
            )
            scheduler.run_all_trials()
        finally:
            executor.shutdown()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err.decode()
    experiment = scheduler.experiment
    assert [t.status for t in experiment.trials.values()] == [TrialStatus.EARLY_STOPPED] * 3
    assert not any("error_after_stop" in t.run_metadata for t in experiment.trials.values()), [
        t.run_metadata for t in experiment.trials.values()
    ]
    for trial in experiment.trials.values():
        steps, _ = experiment.progression_data.curve(trial.index, "y")
        assert steps[-1] < STEPS  # rank 0's reports only: no step reported twice
    # Both ranks heard every stop and went on to the next job.
    for rank in (0, 1):
        lines = (tmp_path / f"rank{rank}.txt").read_text().split()
        assert [int(i) for i in lines[0::2]] == [0, 1, 2]
        # None: the stop arrived before the rank's first report (it lagged behind rank 0)
        assert all(step == "None" or float(step) < STEPS for step in lines[1::2])
