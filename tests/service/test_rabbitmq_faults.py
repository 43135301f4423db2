"""Fault tolerance with real processes: a client killed midway, and the broker going away.

(Workers killed mid-trial, raising functions and tampered messages are covered in
test_rabbitmq.py; the Polaris client's counterparts in tests/polaris/test_parallel.py.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.service.rabbitmq_broker import RabbitMQUnavailable, start_broker, stop_broker
from tests.service.test_rabbitmq import REPO, start_workers, stop_workers

pytestmark = pytest.mark.integration

CLIENT = """
import sys, time
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.rabbitmq.executor import RabbitMQExecutor
from ax.service.scheduler import Scheduler, SchedulerOptions
from ax.service.utils.instantiation import make_experiment
from ax.storage.json_store.generation_strategy import load_experiment_and_generation_strategy
import os

def evaluate(parameters):
    time.sleep(0.3)
    return (parameters["x1"] - 0.3) ** 2 + parameters["x2"] ** 2

if __name__ == "__main__":
    url, key, path, total = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if os.path.exists(path):
        experiment, strategy = load_experiment_and_generation_strategy(path)
    else:
        experiment = make_experiment(
            [{"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
             {"name": "x2", "type": "range", "bounds": [0.0, 1.0]}],
            name="resumable", objective_name="y", minimize=True)
        strategy = GenerationStrategy(
            [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})])
    executor = RabbitMQExecutor(url, key)
    options = SchedulerOptions(max_parallelism=2, total_trials=total, persistence=path)
    try:
        Scheduler(experiment, strategy, evaluate, executor, options).run_all_trials()
    finally:
        executor.shutdown()
    print("DONE", flush=True)
"""


def _saved_trials(path: Path) -> Dict[int, str]:
    """{trial index: status name} of the saved experiment (empty before the first save)."""
    from ax.storage.json_store.load import load

    if not path.exists():
        return {}
    experiment = load(str(path))
    return {i: t.status.name for i, t in experiment.trials.items()}


def _saved_means(path: Path) -> Dict[int, float]:
    from ax.storage.json_store.load import load

    df = load(str(path)).lookup_data().df
    return {int(i): float(m) for i, m in zip(df["trial_index"], df["mean"])}


def test_killed_scheduler_client_resumes_losing_no_completed_trial(
    rabbitmq_url: str, tmp_path: Path
) -> None:
    key = f"r{uuid.uuid4().hex[:10]}"
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(CLIENT))
    saved = tmp_path / "run.json"
    command = [sys.executable, str(script), rabbitmq_url, key, str(saved), "10"]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    workers = start_workers(rabbitmq_url, key, 2)
    try:
        first = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if list(_saved_trials(saved).values()).count("COMPLETED") >= 3:
                break
            time.sleep(0.05)
        first.kill()
        first.communicate()
        before = _saved_trials(saved)
        before_means = _saved_means(saved)
        done_before = [i for i, s in before.items() if s == "COMPLETED"]
        assert len(done_before) >= 3
        second = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, timeout=120)
        assert second.returncode == 0, second.stderr.decode()
    finally:
        stop_workers(workers)
    after = _saved_trials(saved)
    after_means = _saved_means(saved)
    for index in done_before:  # nothing completed was lost or changed
        assert after[index] == "COMPLETED"
        assert after_means[index] == before_means[index]
    statuses = list(after.values())
    assert statuses.count("COMPLETED") == 10
    assert "RUNNING" not in statuses  # those in flight at the kill: ABANDONED, then replaced
    assert set(statuses) <= {"COMPLETED", "ABANDONED"}
    assert sorted(after_means) == sorted(i for i, s in after.items() if s == "COMPLETED")


def slow_quadratic(parameters: Dict[str, Any]) -> float:
    time.sleep(0.5)
    return (float(parameters["x1"]) - 0.3) ** 2 + float(parameters["x2"]) ** 2


POLARIS_CLIENT = """
import sys, time
from polaris import Polaris, STATUS_SUCCESS, Trials, Bounds

def fn(params, exp_info):
    time.sleep(0.5)
    return {"loss": params["x"] ** 2, "status": STATUS_SUCCESS}

if __name__ == "__main__":
    Polaris(fn, [Bounds("x", -1.0, 1.0)], "random", Trials(), max_evals=100,
            exp_key=sys.argv[1]).run_parallel()
"""


def test_broker_going_away_ends_clients_and_workers_with_a_clear_error(tmp_path: Path) -> None:
    """Scheduler + RabbitMQExecutor, a Polaris client and their workers, on a broker that
    stops midway: each ends within a timeout with an error naming the broker."""
    from ax.core.types import TrialStatus
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.protocol import BrokerConnectionError
    from tests.service.test_rabbitmq import make_scheduler

    try:
        broker = start_broker()
    except RabbitMQUnavailable as err:
        pytest.skip(str(err))
    key, polaris_key = f"g{uuid.uuid4().hex[:8]}", f"pg{uuid.uuid4().hex[:8]}"
    procs: List[Any] = []
    try:
        procs += start_workers(broker.url, key, 1)
        polaris_worker = str(Path(sys.executable).with_name("polaris-worker"))
        env = dict(os.environ, RABBITMQ_URL=broker.url, PYTHONPATH=str(REPO))
        procs.append(
            subprocess.Popen(
                [polaris_worker, "--exp-key", polaris_key],
                env=env,
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
        (tmp_path / "polaris_client.py").write_text(textwrap.dedent(POLARIS_CLIENT))
        polaris_client = subprocess.Popen(
            [sys.executable, "polaris_client.py", polaris_key],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        executor = RabbitMQExecutor(broker.url, key)
        scheduler = make_scheduler(slow_quadratic, executor, total=100)
        outcome: List[BaseException] = []

        def run() -> None:
            try:
                scheduler.run_all_trials()
            except BaseException as err:
                outcome.append(err)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        polaris_checkpoint = tmp_path / polaris_key / "checkpoint.json"

        def polaris_recorded() -> int:
            try:
                return len(json.loads(polaris_checkpoint.read_text())["trials"])
            except (OSError, ValueError, KeyError):
                return 0

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if scheduler.num_trials_finished >= 2 and polaris_recorded() >= 1:
                break
            time.sleep(0.05)
        assert scheduler.num_trials_finished >= 2 and polaris_recorded() >= 1
        stop_broker(broker)  # graceful stop: every connection is closed by the broker

        thread.join(timeout=60)
        assert not thread.is_alive(), "the Scheduler hung after the broker went away"
        assert len(outcome) == 1 and isinstance(outcome[0], BrokerConnectionError)
        assert "failed or was lost" in str(outcome[0]) and f":{broker.port}/" in str(outcome[0])
        statuses = [t.status for t in scheduler.experiment.trials.values()]
        assert TrialStatus.RUNNING not in statuses  # in flight: ABANDONED, not left running
        assert statuses.count(TrialStatus.COMPLETED) >= 2
        assert TrialStatus.FAILED not in statuses  # the trials did nothing wrong

        _, err = polaris_client.communicate(timeout=60)
        assert polaris_client.returncode != 0
        assert b"BrokerConnectionError" in err and b"failed or was lost" in err
        assert polaris_recorded() >= 1  # what was recorded is still there
        for proc in procs:
            _, werr = proc.communicate(timeout=60)
            assert proc.returncode != 0
            assert b"failed or was lost" in werr
        executor.shutdown(wait=False)
    finally:
        stop_broker(broker)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def sleep_and_count(seconds: float, folder: str) -> str:
    with open(Path(folder) / "calls", "a") as log:
        log.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return "done"


def test_job_longer_than_the_brokers_consumer_timeout_is_recorded_once(tmp_path: Path) -> None:
    """RabbitMQ closes the channel of a delivery unacked past ``consumer_timeout`` (30 min
    by default) and requeues the job; the worker sends the result on a new channel, drops
    the requeued copy, and keeps serving."""
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    advanced = "[{rabbit, [{consumer_timeout, 1000}, {channel_tick_interval, 200}]}]."
    try:
        broker = start_broker(advanced_config=advanced)
    except RabbitMQUnavailable as err:
        pytest.skip(str(err))
    key = f"c{uuid.uuid4().hex[:8]}"
    workers: List[Any] = []
    try:
        workers = start_workers(broker.url, key, 1)
        executor = RabbitMQExecutor(broker.url, key)
        try:
            assert executor.submit(sleep_and_count, 3.0, str(tmp_path)).result(60) == "done"
            assert executor.submit(sleep_and_count, 0.0, str(tmp_path)).result(60) == "done"
        finally:
            executor.shutdown()
        out, err = workers[0].communicate(timeout=30)
        assert workers[0].returncode == 0, err.decode()
    finally:
        stop_workers(workers)
        stop_broker(broker)
    assert b"closed the channel while job" in err and b"consumer_timeout" in err
    assert len((tmp_path / "calls").read_text().splitlines()) == 2  # the long job ran once
