"""Early stopping on real ``ax worker`` processes through a throwaway RabbitMQ broker:
signed reports travel back, signed stops travel out, a stopped worker takes the next job;
forged reports are refused unread."""

from __future__ import annotations

import json
from typing import Any, Iterator, List

import pytest

from ax.core.types import TrialStatus
from ax.early_stopping import EarlyStoppingOptions, ThresholdRule
from tests.service.test_early_stopping import STEPS, train, train_ignoring
from tests.service.test_rabbitmq import exp_key, make_scheduler, start_workers, stop_workers

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
