"""RabbitMQ workers against a real broker: signing, the executor, `ax worker` processes.

The broker comes from the session fixture ``rabbitmq_url`` (tests/service/rabbitmq_broker.py).
Evaluation functions are defined in this module (workers cloudpickle-load them); the
module's top imports stay light because every worker process imports it.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

from ax.exceptions import UserInputError
from ax.service.rabbitmq.signing import redact, sign, signing_key, url_credentials, verify

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
URL = "amqp://alice:s3cret@broker.example:5999/exp"


# --------------------------------------------------------------------- evaluation functions
def quadratic(parameters: Dict[str, Any]) -> float:
    return (float(parameters["x1"]) - 0.3) ** 2 + (float(parameters["x2"]) - 0.7) ** 2


def fails_on_large_x1(parameters: Dict[str, Any]) -> float:
    if float(parameters["x1"]) > 0.5:
        raise ValueError(f"boom at x1={parameters['x1']}")
    return quadratic(parameters)


def slow_once(parameters: Dict[str, Any]) -> float:
    """The first call anywhere records its PID and sleeps (to be killed); later ones return."""
    folder = Path(os.environ["AX_TEST_KILL_DIR"])
    with open(folder / "calls", "a") as log:
        log.write(f"{os.getpid()}\n")
    try:
        fd = os.open(folder / "first", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return quadratic(parameters)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    time.sleep(30)
    return quadratic(parameters)


def dies(x: int) -> int:
    os._exit(3)


def add(a: int, b: int) -> int:
    return a + b


class Canary:
    """Unpickling it creates a file: proof that a message was unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> Any:
        return (open, (self.path, "w"))


# --------------------------------------------------------------------- helpers
def start_workers(url: str, exp_key: str, n: int, *extra: str, **env: str) -> List[Any]:
    procs = []
    for _ in range(n):
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "ax", "worker", "--exp-key", exp_key, "--quiet", *extra],
                cwd=REPO,
                env=dict(os.environ, RABBITMQ_URL=url, **env),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    return procs


def stop_workers(procs: List[Any]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


@pytest.fixture
def exp_key() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def make_scheduler(function: Callable[..., Any], executor: Any, total: int) -> Any:
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.scheduler import Scheduler, SchedulerOptions
    from ax.service.utils.instantiation import make_experiment

    experiment = make_experiment(
        [
            {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
        ],
        name="rmq",
        objective_name="y",
        minimize=True,
    )
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    options = SchedulerOptions(
        max_parallelism=2, total_trials=total, poll_interval=0.02, max_consecutive_failures=99
    )
    return Scheduler(experiment, strategy, function, executor=executor, options=options)


# --------------------------------------------------------------------- signing (no broker)
def test_key_from_secret_else_from_url_credentials() -> None:
    from_url = signing_key(URL, environ={})
    assert len(from_url) == 32
    assert signing_key(URL, environ={}) == from_url
    assert signing_key("amqp://alice:other@broker.example:5999/exp", environ={}) != from_url
    assert signing_key("amqp://alice:s3cret@broker.example:5999/exp2", environ={}) != from_url
    secret = signing_key(URL, environ={"AX_WORKER_SECRET": "shared"})
    assert secret != from_url
    assert signing_key("amqp://bob:pw@h/v", environ={"AX_WORKER_SECRET": "shared"}) == secret


def test_credentials_never_default_to_guest() -> None:
    with pytest.raises(UserInputError, match="no credentials.*guest is never assumed"):
        signing_key("amqp://broker.example:5999/exp", environ={})
    env = {"RABBITMQ_USER": "u", "RABBITMQ_PASSWORD": "p"}
    assert url_credentials("amqp://h:1/vh", env) == ("u", "p", "vh")
    assert url_credentials("amqp://a%40b:p%2Fq@h/", {}) == ("a@b", "p/q", "/")
    with pytest.raises(UserInputError, match="scheme must be amqp or amqps, got 'http'"):
        url_credentials("http://u:p@h/", {})
    assert redact(URL) == "amqp://alice:***@broker.example:5999/exp"


@pytest.mark.parametrize(
    "change",
    ["body", "kind", "exp_key", "correlation_id", "attempt", "timeout", "key"],
)
def test_any_change_breaks_the_signature(change: str) -> None:
    key = signing_key(URL, environ={})
    fields: Dict[str, Any] = dict(
        kind="job", exp_key="k", correlation_id="c", attempt=1, timeout_s=None, body=b"x"
    )
    signature = sign(key, **fields)
    assert verify(key, signature=signature, **fields)
    other = {
        "body": b"y",
        "kind": "result",
        "exp_key": "k2",
        "correlation_id": "d",
        "attempt": 2,
        "timeout": 5.0,
    }
    if change == "key":
        key = signing_key(URL, environ={"AX_WORKER_SECRET": "x"})
    else:
        fields["timeout_s" if change == "timeout" else change] = other[change]
    assert not verify(key, signature=signature, **fields)
    assert not verify(key, signature=None, **fields)
    assert not verify(key, signature="zz", **fields)


def test_worker_command_rejects_a_missing_broker(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ax.cli import main

    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    assert main(["worker", "--exp-key", "k"]) == 2
    assert "no broker: give --broker URL or set RABBITMQ_URL" in capsys.readouterr().err


# --------------------------------------------------------------------- against the broker
def test_port_is_taken_from_the_url(rabbitmq_url: str, exp_key: str) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.protocol import BrokerConnectionError, connection_parameters

    port = int(rabbitmq_url.rsplit(":", 1)[1].split("/")[0])
    assert connection_parameters(rabbitmq_url).port == port
    assert port != 5672
    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    future = executor.submit(add, 1, 2)  # queued; no worker needed
    executor.shutdown(cancel_futures=True)
    assert future.cancelled()
    closed = rabbitmq_url.replace(f":{port}/", f":{port + 2}/")
    with pytest.raises(BrokerConnectionError, match=f"broker .*:{port + 2}/.* failed"):
        RabbitMQExecutor(closed, exp_key)


def test_unsigned_tampered_and_wrong_key_jobs_are_refused_unexecuted(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    import cloudpickle
    import pika

    from ax.service.rabbitmq.protocol import (
        KIND_JOB,
        connection_parameters,
        declare,
        properties,
        queues,
    )
    from ax.service.rabbitmq.worker import run_worker

    names = queues(exp_key)
    key = signing_key(rabbitmq_url)
    canary = tmp_path / "canary"
    evil = pickle.dumps(Canary(str(canary)))
    good = cloudpickle.dumps((add, (2, 3), {}))
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()
    declare(channel, names)

    def publish(body: bytes, props: Any) -> None:
        channel.basic_publish("", names.jobs, body, props)

    publish(evil, pika.BasicProperties(correlation_id="unsigned", headers={"ax-kind": "job"}))
    signed_good = properties(key, KIND_JOB, exp_key, "tampered", 1, None, good)
    publish(evil, signed_good)  # a valid signature of another body
    wrong = signing_key(rabbitmq_url, environ={"AX_WORKER_SECRET": "not the key"})
    publish(evil, properties(wrong, KIND_JOB, exp_key, "wrongkey", 1, None, evil))
    publish(good, properties(key, KIND_JOB, exp_key, "good", 1, None, good))
    stats = run_worker(rabbitmq_url, exp_key, max_jobs=1)
    assert (stats.refused, stats.jobs_run, stats.jobs_failed) == (3, 1, 0)
    assert not canary.exists()
    dead = channel.queue_declare(names.dead, passive=True).method.message_count
    assert dead == 3  # refused jobs are dead-lettered, never requeued
    # A forged result is refused by the executor too, never unpickled.
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    channel.basic_publish(
        "", names.results, evil, properties(wrong, "result", exp_key, "x", 1, None, evil)
    )
    time.sleep(0.5)
    assert not canary.exists()
    executor.shutdown()
    dead = channel.queue_declare(names.dead, passive=True).method.message_count
    assert dead == 3  # kept: it is not empty
    channel.queue_delete(names.dead)
    connection.close()


@pytest.fixture
def two_workers(rabbitmq_url: str, exp_key: str) -> Iterator[List[Any]]:
    procs = start_workers(rabbitmq_url, exp_key, 2)
    yield procs
    stop_workers(procs)


def test_scheduler_runs_six_trials_on_two_workers(
    rabbitmq_url: str, exp_key: str, two_workers: List[Any]
) -> None:
    from ax.core.types import TrialStatus
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    executor = RabbitMQExecutor(rabbitmq_url, exp_key, timeout_s=30)
    try:
        scheduler = make_scheduler(quadratic, executor, total=6)
        scheduler.run_all_trials()
    finally:
        executor.shutdown()
    trials = scheduler.experiment.trials.values()
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 6
    data = scheduler.experiment.fetch_data().df
    assert len(data) == 6
    for trial in trials:
        expected = quadratic(trial.arms[0].parameters)
        row = data[data["trial_index"] == trial.index]
        assert float(row["mean"].iloc[0]) == pytest.approx(expected)
    # The end of the experiment deletes the queues: the workers leave by themselves.
    for proc in two_workers:
        out, err = proc.communicate(timeout=15)
        assert proc.returncode == 0, err.decode()
        assert b"was deleted" in out


def test_raising_function_fails_trials_and_workers_survive(
    rabbitmq_url: str, exp_key: str, two_workers: List[Any]
) -> None:
    from ax.core.types import TrialStatus
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    try:
        scheduler = make_scheduler(fails_on_large_x1, executor, total=6)
        scheduler.run_all_trials()
        assert all(proc.poll() is None for proc in two_workers)
        assert executor.submit(add, 20, 22).result(timeout=20) == 42  # still serving
    finally:
        executor.shutdown()
    statuses = {}
    for trial in scheduler.experiment.trials.values():
        large = float(trial.arms[0].parameters["x1"]) > 0.5
        statuses[trial.index] = (large, trial.status)
        if large:
            assert "ValueError: boom at x1=" in (trial.failed_reason or "")
    assert {s for large, s in statuses.values() if large} <= {TrialStatus.FAILED}
    assert {s for large, s in statuses.values() if not large} <= {TrialStatus.COMPLETED}
    assert any(large for large, _ in statuses.values())


def test_killed_worker_job_is_redelivered_and_recorded_once(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    from ax.core.types import TrialStatus
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    procs = start_workers(rabbitmq_url, exp_key, 2, AX_TEST_KILL_DIR=str(tmp_path))
    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    try:
        scheduler = make_scheduler(slow_once, executor, total=3)
        runner = threading.Thread(target=scheduler.run_all_trials, daemon=True)
        runner.start()
        deadline = time.monotonic() + 30
        while not (tmp_path / "first").exists() or not (tmp_path / "first").read_text():
            assert time.monotonic() < deadline, "no worker started the slow trial"
            time.sleep(0.05)
        victim = int((tmp_path / "first").read_text())
        os.kill(victim, signal.SIGKILL)
        runner.join(timeout=30)
        assert not runner.is_alive()
    finally:
        executor.shutdown()
        stop_workers(procs)
    trials = list(scheduler.experiment.trials.values())
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 3
    data = scheduler.experiment.fetch_data().df
    assert sorted(data["trial_index"]) == [0, 1, 2]  # each trial recorded once
    calls = (tmp_path / "calls").read_text().split()
    assert len(calls) == 4 and calls.count(str(victim)) == 1  # the killed job ran again
    survivor = [p for p in procs if p.pid != victim][0]
    assert survivor.returncode in (0, -signal.SIGTERM)  # ended by us or by the queue deletion


def test_job_that_keeps_killing_workers_is_dead_lettered(rabbitmq_url: str, exp_key: str) -> None:
    import pika

    from ax.service.rabbitmq.executor import RabbitMQExecutor, RemoteJobError
    from ax.service.rabbitmq.protocol import connection_parameters, queues
    from ax.service.rabbitmq.worker import run_worker

    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    try:
        future = executor.submit(dies, 1)
        (proc,) = start_workers(rabbitmq_url, exp_key, 1, "--max-retries", "0")
        assert proc.wait(timeout=30) == 3  # the job killed it
        stats = run_worker(
            rabbitmq_url, exp_key, max_jobs=1, max_retries=0, stop=_stop_after(future)
        )
        assert stats.dead_lettered == 1 and stats.jobs_run == 0
        with pytest.raises(RemoteJobError, match="dead-lettered.*max_retries=0"):
            future.result(timeout=10)
        connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
        dead = queues(exp_key).dead
        assert connection.channel().queue_declare(dead, passive=True).method.message_count == 1
    finally:
        executor.shutdown()
    channel = connection.channel()
    channel.queue_delete(dead)
    connection.close()


def _stop_after(future: Any) -> threading.Event:
    stop = threading.Event()
    future.add_done_callback(lambda _: stop.set())
    return stop


USER_SCRIPT = """
import sys
from ax.service.rabbitmq.executor import RabbitMQExecutor

OFFSET = 100


def helper(x):
    return x * x


def evaluate(parameters):  # defined in the user's script, not importable by workers
    return helper(parameters["x"]) + OFFSET


executor = RabbitMQExecutor(sys.argv[1], sys.argv[2])
try:
    print(sorted(executor.submit(evaluate, {"x": x}).result(timeout=30) for x in (1, 2, 3)))
finally:
    executor.shutdown()
"""


def test_function_defined_in_the_users_script_runs_on_workers(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    script = tmp_path / "my_experiment.py"
    script.write_text(USER_SCRIPT)
    procs = start_workers(rabbitmq_url, exp_key, 1)
    try:
        done = subprocess.run(
            [sys.executable, str(script), rabbitmq_url, exp_key],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        stop_workers(procs)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[101, 104, 109]"


def test_job_past_its_timeout_fails_and_the_worker_goes_on(rabbitmq_url: str, exp_key: str) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor, RemoteJobError
    from ax.service.rabbitmq.worker import run_worker

    executor = RabbitMQExecutor(rabbitmq_url, exp_key, timeout_s=0.3)
    try:
        slow = executor.submit(time.sleep, 2.0)
        fast = executor.submit(add, 1, 1)
        stats = run_worker(rabbitmq_url, exp_key, max_jobs=2)
        assert (stats.jobs_run, stats.jobs_failed) == (2, 1)
        with pytest.raises(RemoteJobError, match="TimeoutError: job timed out after 0.3 s"):
            slow.result(timeout=10)
        assert fast.result(timeout=10) == 2
    finally:
        executor.shutdown()
