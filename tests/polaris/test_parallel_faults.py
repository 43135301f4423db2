"""Polaris's parallel mode under faults, against real brokers and real worker processes:
replayed and expired messages at the client, a job past ``run_parallel``'s timeout, and a
broker that restarts mid-run."""

from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from polaris import STATUS_FAILURE, STATUS_SUCCESS, Bounds, Polaris, Trials
from tests.polaris.test_parallel import REPO, finish, kill_all, start_workers
from tests.service.rabbitmq_broker import (
    RabbitMQUnavailable,
    start_broker,
    start_server,
    stop_broker,
    stop_server,
)

pytestmark = pytest.mark.integration

BOUNDS = [Bounds("x", -1.0, 1.0)]


@pytest.fixture
def exp_key() -> str:
    return f"pf{uuid.uuid4().hex[:10]}"


def wait_for(condition: Any, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_run_parallel_job_timeout_fails_the_trial_and_the_worker_goes_on(
    rabbitmq_url: str, exp_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        if exp_info["eval_count"] == 1:
            time.sleep(30)  # past the timeout: abandoned by the worker
        return {"loss": params["x"] ** 2, "status": STATUS_SUCCESS}

    monkeypatch.setenv("RABBITMQ_URL", rabbitmq_url)
    workers = start_workers(rabbitmq_url, exp_key, 1, tmp_path)
    try:
        trials = Trials()
        polaris = Polaris(
            fn, BOUNDS, "random", trials, 3, exp_key=exp_key, checkpoint_dir=str(tmp_path)
        )
        best = polaris.run_parallel(job_timeout_s=1.0)
        assert finish(workers) == [0]  # the worker survived and left when the run ended
    finally:
        kill_all(workers)
    statuses = [r["status"] for r in trials.trials]
    assert sorted(statuses) == [STATUS_FAILURE, STATUS_SUCCESS, STATUS_SUCCESS]
    failed = next(r for r in trials.trials if r["status"] == STATUS_FAILURE)
    assert failed["eval_count"] == 1
    assert "TimeoutError: job timed out after 1 s" in failed["result"]["error"]
    assert best is not None


def _evaluate_job(body: bytes) -> Any:
    fn, args, kwargs = pickle.loads(body)  # our own client's job, signature checked by it
    return fn(*args, **kwargs)


def test_client_refuses_replayed_and_expired_results_and_requests(
    rabbitmq_url: str, exp_key: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The test plays the worker: it reads each job, replies, then replays its messages."""
    import cloudpickle
    import pika

    from ax.service.rabbitmq.protocol import (
        KIND_REQUEST,
        KIND_RESULT,
        connection_parameters,
        properties,
        queues,
    )
    from ax.service.rabbitmq.replay import Stamp, new_stamp, now_ms
    from ax.service.rabbitmq.signing import signing_key
    from polaris.rabbitmq import JobClient

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> float:
        return float(exp_info["eval_count"])

    polaris = Polaris(
        fn, BOUNDS, "random", Trials(), 2, exp_key=exp_key, checkpoint_dir=str(tmp_path)
    )
    client = JobClient(polaris, rabbitmq_url)
    outcome: List[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(client.start()), daemon=True)
    key = signing_key(rabbitmq_url)
    names = queues(exp_key)
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()

    def request() -> Tuple[bytes, Any]:
        return b"", properties(key, KIND_REQUEST, exp_key, "worker", 1, None, b"")

    def take_job() -> Tuple[str, bytes]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            method, props, body = channel.basic_get(names.jobs, auto_ack=True)
            if method is not None:
                return str(props.correlation_id), body
            time.sleep(0.02)
        raise AssertionError("no job was sent")

    def result(cid: str, value: Any, stamp: Optional[Stamp] = None) -> Tuple[bytes, Any]:
        body = cloudpickle.dumps((True, value))
        return body, properties(key, KIND_RESULT, exp_key, cid, 1, None, body, stamp)

    with caplog.at_level(logging.WARNING, logger="polaris"):
        thread.start()
        first_request = request()
        channel.basic_publish("", names.requests, *first_request)
        cid1, body1 = take_job()
        reply1 = result(cid1, _evaluate_job(body1))
        channel.basic_publish("", names.results, *reply1)
        channel.basic_publish("", names.results, *reply1)  # replayed result
        channel.basic_publish("", names.requests, *first_request)  # replayed request
        wait_for(lambda: "refusing request worker" in caplog.text, what="the replayed request")
        channel.basic_publish("", names.requests, *request())
        cid2, body2 = take_job()
        stale = Stamp(new_stamp(0).message_id, now_ms() - 3_600_000)
        bogus = ({"loss": -100.0, "status": STATUS_SUCCESS}, None)
        channel.basic_publish("", names.results, *result(cid2, bogus, stale))  # expired
        channel.basic_publish("", names.results, *result(cid2, _evaluate_job(body2)))
        thread.join(timeout=30)
    connection.close()
    assert not thread.is_alive() and outcome
    records = polaris.trials.trials
    assert sorted(r["loss"] for r in records) == [1.0, 2.0]  # the expired -100 never recorded
    log = caplog.text
    assert f"refusing result {cid1}" in log and "already seen: a replayed message" in log
    assert f"refusing result {cid2}" in log and "expired 3600 s ago" in log
    assert "refusing request worker" in log


CLIENT = """
import sys, time
from polaris import Polaris, STATUS_SUCCESS, Trials, Bounds

def fn(params, exp_info):
    time.sleep(0.3)
    return {"loss": params["x"] ** 2, "status": STATUS_SUCCESS}

if __name__ == "__main__":
    Polaris(fn, [Bounds("x", -1.0, 1.0)], "random", Trials(), max_evals=int(sys.argv[2]),
            exp_key=sys.argv[1], seed=0).run_parallel()
    print("DONE", flush=True)
"""


def _records(path: Path) -> List[Dict[str, Any]]:
    try:
        records: List[Dict[str, Any]] = json.loads(path.read_text())["trials"]
    except (OSError, ValueError, KeyError):
        return []
    return records


def test_broker_restart_mid_run_ends_clearly_keeps_the_checkpoint_and_resumes(
    exp_key: str, tmp_path: Path
) -> None:
    """What the code promises: losing the broker ends the client (and the workers) with
    BrokerConnectionError and a checkpoint holding every result recorded; once the broker
    is back, running the same script again resumes and finishes with exactly max_evals
    records, the earlier ones unchanged."""
    from polaris.checkpoint import load_checkpoint

    try:
        broker = start_broker()
    except RabbitMQUnavailable as err:
        pytest.skip(str(err))
    total = 8
    (tmp_path / "client.py").write_text(textwrap.dedent(CLIENT))
    env = dict(os.environ, RABBITMQ_URL=broker.url, PYTHONPATH=str(REPO))
    command = [sys.executable, "client.py", exp_key, str(total)]
    saved = tmp_path / exp_key / "checkpoint.json"
    procs: List[Any] = []
    try:
        procs = start_workers(broker.url, exp_key, 2, tmp_path)
        first = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        wait_for(lambda: len(_records(saved)) >= 2, timeout=60, what="two recorded results")
        stop_server(broker)
        _, err = first.communicate(timeout=60)
        assert first.returncode != 0
        assert b"BrokerConnectionError" in err and b"failed or was lost" in err, err.decode()
        for proc in procs:  # the workers end too, naming the broker
            _, werr = proc.communicate(timeout=60)
            assert proc.returncode != 0 and b"failed or was lost" in werr
        before, _, _ = load_checkpoint(str(saved), exp_key)  # validated: intact
        assert 2 <= len(before) < total
        start_server(broker)
        procs = start_workers(broker.url, exp_key, 2, tmp_path)
        second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=120)
        assert second.returncode == 0, second.stderr.decode()
        assert b"DONE" in second.stdout
        assert finish(procs) == [0, 0]
    finally:
        kill_all(procs)
        stop_broker(broker)
    after, experiment, _ = load_checkpoint(str(saved), exp_key)
    assert len(after) == total
    assert after[: len(before)] == before  # nothing recorded before the restart changed
    assert all(r["status"] == STATUS_SUCCESS for r in after)
    assert len({r["eval_count"] for r in after}) == total
    statuses = {t.status.name for t in experiment.trials.values()}
    assert statuses <= {"COMPLETED", "ABANDONED"}
