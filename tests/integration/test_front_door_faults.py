"""The five faults on the one engine, for every front door: the optimization loop, AxClient,
the Scheduler and Polaris, each running its trials on the Scheduler with RabbitMQ workers.

One client script (:data:`CLIENT`) drives the chosen front door against real worker
processes (``ax worker``, or ``polaris-worker`` for Polaris) on a real, throwaway broker,
and persists its own way (the Scheduler a JSON file, the loop a JSON file saved after each
chunk, AxClient SQLite, Polaris its checkpoint). Each test applies one fault:

* a worker killed mid-trial: its job runs again elsewhere and is recorded once;
* the client killed (SIGKILL) and started again: nothing recorded is lost or changed and
  the run finishes;
* a function that always raises: the run stops after ``max_consecutive_failures`` with a
  clear error, the workers survive and leave normally;
* the broker lost: the client and the workers end with an error naming the broker, and
  what was recorded is saved, nothing left RUNNING;
* forged messages (unsigned job, result and request carrying a pickle that would create a
  file): refused and logged, never unpickled, and the run finishes.

The front-door-specific counterparts with more detail stay in tests/service/test_rabbitmq*.py
and tests/polaris/test_parallel*.py.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from tests.polaris.test_parallel import finish, kill_all
from tests.polaris.test_parallel_faults import wait_for
from tests.service.rabbitmq_broker import Broker, serve_broker, start_server, stop_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
DOORS = ["loop", "ax_client", "scheduler", "polaris"]
MAX_FAILURES = 3

CLIENT = """
import logging, os, sys, time

logging.basicConfig(level=logging.WARNING)
DOOR, URL, KEY, TOTAL = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
SLEEP = float(os.environ.get("SLEEP", "0.05"))
RAISE = bool(os.environ.get("ALWAYS_RAISE"))
SLOW_FIRST = bool(os.environ.get("SLOW_FIRST"))
PARAMETERS = [{"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
              {"name": "x2", "type": "range", "bounds": [0.0, 1.0]}]


def work(x1, x2):  # runs on the workers (sent by cloudpickle with its globals)
    if SLOW_FIRST:  # the first call anywhere sleeps, to have its worker killed
        try:
            fd = os.open("first", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(60)
        except FileExistsError:
            pass
    time.sleep(SLEEP)
    if RAISE:
        raise RuntimeError("fn is broken")
    with open("calls", "a") as log:
        log.write(f"{os.getpid()} {x1!r} {x2!r}\\n")
    return (x1 - 0.3) ** 2 + x2 ** 2


def evaluate(parameters):
    return work(float(parameters["x1"]), float(parameters["x2"]))


def fn(params, exp_info):
    return {"loss": work(float(params["x1"]), float(params["x2"])), "status": 2}


def sobol():
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})])


def run_scheduler(executor):
    from ax.service.scheduler import Scheduler, SchedulerOptions
    from ax.service.utils.instantiation import make_experiment
    from ax.storage.json_store.generation_strategy import (
        load_experiment_and_generation_strategy)
    if os.path.exists("state.json"):
        experiment, strategy = load_experiment_and_generation_strategy("state.json")
    else:
        experiment = make_experiment(PARAMETERS, name="faults", objective_name="y",
                                     minimize=True)
        strategy = sobol()
    options = SchedulerOptions(max_parallelism=2, total_trials=TOTAL, persistence="state.json",
                               max_consecutive_failures=3)
    Scheduler(experiment, strategy, evaluate, executor, options).run_all_trials()


def run_loop(executor):
    from ax.service.managed_loop import OptimizationLoop
    chunk = int(os.environ.get("CHUNK", TOTAL))
    target = 0
    while target < TOTAL:
        target = min(TOTAL, target + chunk)
        kwargs = dict(total_trials=target, executor=executor, max_workers=2,
                      max_consecutive_failures=3)
        if os.path.exists("state.json"):
            loop = OptimizationLoop.load_from_json_file("state.json", evaluate, **kwargs)
        else:
            loop = OptimizationLoop.with_evaluation_function(
                PARAMETERS, evaluate, objective_name="y", minimize=True,
                generation_strategy=sobol(), **kwargs)
        try:
            loop.full_run()
        finally:
            loop.save_to_json_file("state.json")


def run_ax_client(executor):
    from ax.exceptions import StorageError
    from ax.service.ax_client import AxClient
    from ax.storage.sqa_store.structs import DBSettings
    client = AxClient(generation_strategy=sobol(),
                      db_settings=DBSettings(url="sqlite:///state.db"))
    try:
        client.load_experiment_from_database("faults")
    except StorageError:
        client.create_experiment(name="faults", parameters=PARAMETERS, objective_name="y",
                                 minimize=True)
    for index, trial in sorted(client.experiment.trials.items()):
        if not trial.status.is_terminal:  # in flight when the last client died
            client.abandon_trial(index, reason="the client died")
    done = sum(t.status.name in ("COMPLETED", "FAILED")
               for t in client.experiment.trials.values())
    client.run_trials(evaluate, TOTAL - done, executor=executor, max_parallelism=2,
                      max_consecutive_failures=3)


if __name__ == "__main__":
    if DOOR == "polaris":
        from polaris import Bounds, Polaris, Trials
        Polaris(fn, [Bounds("x1", 0.0, 1.0), Bounds("x2", 0.0, 1.0)], "random", Trials(),
                max_evals=TOTAL, exp_key=KEY, seed=0,
                max_consecutive_failures=3).run_parallel()
    else:
        from ax.service.rabbitmq.executor import RabbitMQExecutor
        executor = RabbitMQExecutor(URL, KEY)
        try:
            {"scheduler": run_scheduler, "loop": run_loop, "ax_client": run_ax_client}[DOOR](
                executor)
        finally:
            executor.shutdown()
    print("DONE", flush=True)
"""


# --------------------------------------------------------------------- processes
@contextlib.contextmanager
def workers_running(door: str, url: str, key: str, n: int, cwd: Path) -> Iterator[List[Any]]:
    """``n`` workers of the front door's kind (``polaris-worker`` for Polaris, else ``ax
    worker``), their stderr in ``cwd/worker-<i>.err``; stopped at the end if still alive."""
    env = dict(os.environ, RABBITMQ_URL=url, PYTHONPATH=str(REPO))
    if door == "polaris":
        command = [str(Path(sys.executable).with_name("polaris-worker")), "--exp-key", key]
    else:
        command = [sys.executable, "-m", "ax", "worker", "--exp-key", key]
    workers = []
    for i in range(n):
        with open(cwd / f"worker-{i}.err", "wb") as err:
            workers.append(
                subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
            )
    try:
        yield workers
    finally:
        kill_all(workers)


def worker_logs(cwd: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(cwd.glob("worker-*.err")))


def client(door: str, url: str, key: str, total: int, cwd: Path, **env: str) -> Any:
    script = cwd / "client.py"
    script.write_text(textwrap.dedent(CLIENT))
    return subprocess.Popen(
        [sys.executable, str(script), door, url, key, str(total)],
        cwd=cwd,
        env=dict(os.environ, PYTHONPATH=str(REPO), RABBITMQ_URL=url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def calls(cwd: Path) -> List[str]:
    path = cwd / "calls"
    return path.read_text().splitlines() if path.exists() else []


def saved(door: str, key: str, cwd: Path) -> Dict[int, Tuple[str, Any]]:
    """{trial index: (status name, objective mean or None)} as the front door saved them."""
    if door == "polaris":
        from polaris.checkpoint import load_checkpoint

        path = cwd / key / "checkpoint.json"
        if not path.exists():
            return {}
        _, experiment, _ = load_checkpoint(str(path), key)
    elif door == "ax_client":
        from ax.service.ax_client import AxClient
        from ax.storage.sqa_store.structs import DBSettings

        if not (cwd / "state.db").exists():
            return {}
        from ax.exceptions import StorageError

        reader = AxClient(db_settings=DBSettings(url=f"sqlite:///{cwd / 'state.db'}"))
        try:
            reader.load_experiment_from_database("faults")
        except StorageError:  # not saved yet
            return {}
        experiment = reader.experiment
    else:
        from ax.storage.json_store.load import load

        if not (cwd / "state.json").exists():
            return {}
        experiment = load(str(cwd / "state.json"))
    df = experiment.lookup_data().df
    means: Dict[int, float] = {}
    if len(df):  # (an empty table has no columns)
        means = {int(i): float(m) for i, m in zip(df["trial_index"], df["mean"])}
    return {i: (t.status.name, means.get(i)) for i, t in experiment.trials.items()}


def statuses(door: str, key: str, cwd: Path) -> List[str]:
    return [status for status, _ in saved(door, key, cwd).values()]


@pytest.fixture
def exp_key() -> str:
    return f"fd{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def own_broker() -> Iterator[Broker]:
    """A broker of this module's own, which the broker-lost test stops and starts again."""
    yield from serve_broker()


# --------------------------------------------------------------------- the five faults
@pytest.mark.parametrize("door", DOORS)
def test_worker_killed_mid_trial_its_job_reruns_and_is_recorded_once(
    door: str, rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    with workers_running(door, rabbitmq_url, exp_key, 2, tmp_path) as workers:
        proc = client(door, rabbitmq_url, exp_key, 6, tmp_path, SLOW_FIRST="1")
        wait_for(lambda: (tmp_path / "first").exists(), timeout=90, what="the first (slow) call")
        time.sleep(0.2)
        os.kill(int((tmp_path / "first").read_text()), signal.SIGKILL)
        out, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        assert b"DONE" in out
        assert sorted(finish(workers)) == [-signal.SIGKILL, 0]  # the other left at the end
    final = statuses(door, exp_key, tmp_path)
    assert final.count("COMPLETED") == 6 and "FAILED" not in final
    assert len(calls(tmp_path)) == 6  # the killed job ran once more elsewhere, nothing twice


@pytest.mark.parametrize("door", DOORS)
def test_client_killed_and_started_again_loses_nothing_and_finishes(
    door: str, rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    env = {"SLEEP": "0.3", "CHUNK": "2"}
    with workers_running(door, rabbitmq_url, exp_key, 2, tmp_path) as workers:
        first = client(door, rabbitmq_url, exp_key, 10, tmp_path, **env)
        wait_for(
            lambda: statuses(door, exp_key, tmp_path).count("COMPLETED") >= 3,
            timeout=90,
            what="three saved results",
        )
        first.kill()  # SIGKILL: no clean-up at all
        first.communicate()
        before = saved(door, exp_key, tmp_path)
        completed = {i: mean for i, (status, mean) in before.items() if status == "COMPLETED"}
        assert 3 <= len(completed) < 10
        second = client(door, rabbitmq_url, exp_key, 10, tmp_path, **env)
        out, err = second.communicate(timeout=180)
        assert second.returncode == 0, err.decode()
        assert b"DONE" in out
        assert finish(workers) == [0, 0]  # they left when the run ended
    after = saved(door, exp_key, tmp_path)
    for index, mean in completed.items():  # nothing recorded was lost or changed
        assert after[index] == ("COMPLETED", mean)
    final = [status for status, _ in after.values()]
    assert final.count("COMPLETED") == 10
    assert set(final) <= {"COMPLETED", "ABANDONED"}  # nothing left RUNNING


@pytest.mark.parametrize("door", DOORS)
def test_always_raising_function_stops_with_a_clear_error_and_workers_survive(
    door: str, rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    with workers_running(door, rabbitmq_url, exp_key, 2, tmp_path) as workers:
        proc = client(door, rabbitmq_url, exp_key, 20, tmp_path, ALWAYS_RAISE="1")
        _, err = proc.communicate(timeout=180)
        assert proc.returncode != 0
        assert b"OptimizationAbortedError" in err, err.decode()
        assert f"{MAX_FAILURES} trials failed in a row".encode() in err
        assert b"RuntimeError: fn is broken" in err
        # No worker died of it: each left normally when the client ended the experiment.
        assert finish(workers) == [0, 0]
    final = statuses(door, exp_key, tmp_path)
    assert final.count("FAILED") >= MAX_FAILURES
    assert set(final) <= {"FAILED", "ABANDONED"}


@pytest.mark.parametrize("door", DOORS)
def test_broker_lost_ends_client_and_workers_clearly_and_keeps_what_was_recorded(
    door: str, own_broker: Broker, exp_key: str, tmp_path: Path
) -> None:
    url = own_broker.url
    try:
        with workers_running(door, url, exp_key, 2, tmp_path) as workers:
            proc = client(door, url, exp_key, 100, tmp_path, SLEEP="0.3")
            # (The loop saves only when a run ends: watch the workers' calls instead.)
            wait_for(lambda: len(calls(tmp_path)) >= 2, timeout=90, what="two evaluations")
            time.sleep(0.5)  # their results reach the client
            stop_server(own_broker)
            _, err = proc.communicate(timeout=120)
            assert proc.returncode != 0
            assert b"BrokerConnectionError" in err and b"failed or was lost" in err, err.decode()
            assert all(code != 0 for code in finish(workers))  # the workers end too
            assert worker_logs(tmp_path).count(b"failed or was lost") >= 2  # naming it
    finally:
        if own_broker.server.poll() is not None:
            start_server(own_broker)  # for the next front door
    final = statuses(door, exp_key, tmp_path)
    assert final.count("COMPLETED") >= 1
    assert "RUNNING" not in final  # in flight when the broker went: ABANDONED
    assert "FAILED" not in final  # the trials did nothing wrong


@pytest.mark.parametrize("door", DOORS)
def test_forged_messages_are_refused_unread_and_the_run_finishes(
    door: str, rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    import pika

    from ax.service.rabbitmq.protocol import connection_parameters, declare, queues
    from tests.service.test_rabbitmq import Canary

    canary = tmp_path / "canary"
    forged_body = pickle.dumps(Canary(str(canary)))
    names = queues(exp_key)
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()
    declare(channel, names)
    for queue, kind in ((names.jobs, "job"), (names.results, "result")):
        props = pika.BasicProperties(correlation_id="forged", headers={"ax-kind": kind})
        channel.basic_publish("", queue, forged_body, props)
    channel.basic_publish("", names.requests, b"", pika.BasicProperties(correlation_id="w"))
    connection.close()
    with workers_running(door, rabbitmq_url, exp_key, 2, tmp_path) as workers:
        proc = client(door, rabbitmq_url, exp_key, 4, tmp_path)
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        assert finish(workers) == [0, 0]
    assert not canary.exists()  # nothing forged was ever unpickled
    assert b"refusing result forged: missing or invalid signature" in err
    assert b"refusing job forged: missing or invalid signature" in worker_logs(tmp_path)
    assert statuses(door, exp_key, tmp_path).count("COMPLETED") == 4
    assert len(calls(tmp_path)) == 4
