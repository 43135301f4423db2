"""The RabbitMQ executor's pull mode against a real broker: idle capacity from the workers'
signed announcements, the wake-up when one arrives, results kept on the broker until
recorded, and Polaris's parallel mode keeping every worker busy."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, List, Tuple

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def exp_key() -> str:
    return f"pl{uuid.uuid4().hex[:10]}"


def test_idle_capacity_counts_signed_announcements_and_refuses_forged_ones(
    rabbitmq_url: str, exp_key: str
) -> None:
    import pika

    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.protocol import (
        KIND_REQUEST,
        connection_parameters,
        properties,
        queues,
    )
    from ax.service.rabbitmq.signing import signing_key

    push = RabbitMQExecutor(rabbitmq_url, f"{exp_key}p")
    try:
        assert push.idle_capacity() is None and push.capacity_future() is None
    finally:
        push.shutdown()
    executor = RabbitMQExecutor(rabbitmq_url, exp_key, announced=True)
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()
    names = queues(exp_key)
    try:
        assert executor.idle_capacity() == 0
        woken = executor.capacity_future()
        assert woken is not None and not woken.done()
        forged = pika.BasicProperties(correlation_id="w", headers={"ax-kind": KIND_REQUEST})
        channel.basic_publish("", names.requests, b"", forged)
        key = signing_key(rabbitmq_url)
        for worker in ("w1", "w2"):
            props = properties(key, KIND_REQUEST, exp_key, worker, 1, None, b"")
            channel.basic_publish("", names.requests, b"", props)
        woken.result(timeout=30)
        deadline = time.monotonic() + 30
        while executor.idle_capacity() != 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert executor.idle_capacity() == 2  # the forged request was not counted
        executor.submit(int, "1")
        assert executor.idle_capacity() == 1  # a job takes one idle worker at once
        assert executor.capacity_future().done()  # type: ignore[union-attr]
    finally:
        connection.close()
        executor.shutdown(cancel_futures=True)


def test_a_result_stays_on_the_broker_until_the_scheduler_recorded_it(
    rabbitmq_url: str, exp_key: str
) -> None:
    """A pull-mode client killed between receiving a result and recording it: the result
    goes to the next client (here: an executor detached, then a new one expecting it)."""
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.worker import run_worker

    first = RabbitMQExecutor(rabbitmq_url, exp_key, announced=True)
    future = first.submit(pow, 2, 10)
    assert future.published.wait(30)
    stats = run_worker(rabbitmq_url, exp_key, max_jobs=1)
    assert stats.jobs_run == 1
    assert future.result(timeout=30) == 1024  # received, never acknowledged
    first.detach()  # the client dies without recording it
    second = RabbitMQExecutor(rabbitmq_url, exp_key, announced=True)
    try:
        again = second.expect(future.correlation_id)
        assert again.result(timeout=30) == 1024
        again.acknowledge()
    finally:
        second.shutdown()


def test_polaris_parallel_mode_keeps_every_worker_busy(
    rabbitmq_url: str, exp_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polaris import STATUS_SUCCESS, Bounds, Polaris, Trials
    from tests.polaris.test_parallel import finish, kill_all, start_workers

    log = tmp_path / "spans"

    def fn(params: Any, exp_info: Any) -> Any:
        import os
        import time

        start = time.time()
        time.sleep(0.4)
        with open(log, "a") as out:
            out.write(f"{os.getpid()} {start} {time.time()}\n")
        return {"loss": params["x"] ** 2, "status": STATUS_SUCCESS}

    monkeypatch.setenv("RABBITMQ_URL", rabbitmq_url)
    workers = start_workers(rabbitmq_url, exp_key, 2, tmp_path)
    try:
        polaris = Polaris(
            fn,
            [Bounds("x", -1.0, 1.0)],
            "random",
            Trials(),
            8,
            exp_key=exp_key,
            seed=0,
            checkpoint_dir=str(tmp_path),
        )
        polaris.run_parallel()
        assert finish(workers) == [0, 0]
    finally:
        kill_all(workers)
    spans: List[Tuple[str, float, float]] = []
    for line in log.read_text().splitlines():
        pid, start, end = line.split()
        spans.append((pid, float(start), float(end)))
    assert len(spans) == 8 and len({pid for pid, _, _ in spans}) == 2  # both worked
    # Both workers ran at the same time: the client handed a job to each idle worker
    # without waiting for the other's result (the bench measures the throughput).
    assert any(
        start < o_end and o_start < end
        for pid, start, end in spans
        for p, o_start, o_end in spans
        if p != pid
    )
