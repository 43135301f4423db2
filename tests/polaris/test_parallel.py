"""Polaris's parallel and MPI modes against a real broker, real workers and real mpirun.

Includes the Polaris README's two examples, run unchanged (``readme_examples/``): the
only setup is the README's, i.e. ``RABBITMQ_URL`` set and ``polaris-worker --exp-key
this_is_test`` started (here also one ``mpirun -n 2 polaris-worker --mpi`` worker).
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from tests.service.mpi_env import mpi_env, mpirun_command

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = Path(__file__).resolve().parent / "readme_examples"
WORKER = str(Path(sys.executable).with_name("polaris-worker"))

CLIENT = """
import os, sys, time
from polaris import Polaris, STATUS_SUCCESS, Trials, Bounds

def fn(params, exp_info, options):  # runs on the workers: options travel as args
    if options["slow_first"]:  # the first call anywhere sleeps, to have its worker killed
        try:
            fd = os.open("first", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(60)
        except FileExistsError:
            pass
    time.sleep(options["sleep"])
    if options["raise"]:
        raise RuntimeError("fn is broken")
    rank = os.environ.get("OMPI_COMM_WORLD_RANK", "0")
    with open(f"calls-rank{rank}.jsonl", "a") as log:
        log.write(__import__("json").dumps([exp_info["eval_count"], params]) + "\\n")
    return {"loss": (params["x"] - 0.25) ** 2 + params["y"] ** 2, "status": STATUS_SUCCESS}

if __name__ == "__main__":
    import logging
    logging.basicConfig(level=logging.INFO)
    polaris = Polaris(fn, [Bounds("x", 0.0, 1.0), Bounds("y", -1.0, 1.0, q=0.25)], "random",
                      Trials(), max_evals=int(sys.argv[2]), exp_key=sys.argv[1],
                      max_consecutive_failures=3, seed=0,
                      args=({"sleep": float(os.environ.get("SLEEP", "0")),
                             "raise": bool(os.environ.get("ALWAYS_RAISE")),
                             "slow_first": bool(os.environ.get("SLOW_FIRST"))},))
    best = polaris.run_parallel() if sys.argv[3] == "parallel" else polaris.run(use_mpi=True)
    print("BEST", best, flush=True)
"""


def start_workers(url: str, exp_key: str, n: int, cwd: Path, mpi_ranks: int = 0) -> List[Any]:
    env = dict(os.environ, RABBITMQ_URL=url)
    procs = []
    for _ in range(n):
        procs.append(
            subprocess.Popen(
                [WORKER, "--exp-key", exp_key],
                cwd=cwd,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    if mpi_ranks:
        command = mpirun_command(mpi_ranks, WORKER, "--mpi", "--exp-key", exp_key)
        procs.append(
            subprocess.Popen(
                command,
                cwd=cwd,
                env=mpi_env(RABBITMQ_URL=url),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    return procs


def finish(procs: List[Any], timeout: float = 30) -> List[int]:
    """Wait for the workers (they leave when the experiment ends); kill stragglers."""
    codes = []
    for proc in procs:
        try:
            proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
        codes.append(proc.returncode)
    return codes


def kill_all(procs: List[Any]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    finish(procs, timeout=15)


def client(
    tmp_path: Path, url: str, exp_key: str, n: int, mode: str = "parallel", **env: str
) -> Any:
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(CLIENT))
    return subprocess.Popen(
        [sys.executable, str(script), exp_key, str(n), mode],
        cwd=tmp_path,
        env=dict(os.environ, RABBITMQ_URL=url, PYTHONPATH=str(REPO), **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def best_line(out: bytes) -> Optional[Dict[str, Any]]:
    for line in out.decode().splitlines():
        if line.startswith("BEST "):
            value: Optional[Dict[str, Any]] = ast.literal_eval(line[5:])
            return value
    raise AssertionError(f"no BEST line in {out!r}")


def checkpoint(tmp_path: Path, exp_key: str) -> List[Dict[str, Any]]:
    path = tmp_path / exp_key / "checkpoint.json"
    if not path.exists():
        return []
    records: List[Dict[str, Any]] = json.loads(path.read_text())["trials"]
    return records


@pytest.fixture
def exp_key() -> str:
    return f"p{uuid.uuid4().hex[:10]}"


# --------------------------------------------------------------------- README examples
def test_readme_sequential_example_runs_unchanged(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "sequential.py")],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode()
    best = ast.literal_eval(done.stdout.decode().strip().splitlines()[-1])
    assert set(best) == {"lr", "weight_decay"}  # the original printed None
    assert abs(best["lr"] - 0.006) < 1e-3 and abs(best["weight_decay"] - 0.02) < 4e-3
    assert len(checkpoint(tmp_path, "this_is_test")) == 100


def test_readme_parallel_example_runs_unchanged(rabbitmq_url: str, tmp_path: Path) -> None:
    """Two plain workers and one two-rank MPI worker serve the README's parallel client."""
    workers_dir = tmp_path / "elsewhere"  # workers need not see the client's script
    workers_dir.mkdir()
    workers = start_workers(rabbitmq_url, "this_is_test", 2, workers_dir, mpi_ranks=2)
    try:
        done = subprocess.run(
            [sys.executable, str(EXAMPLES / "parallel.py")],
            cwd=tmp_path,
            env=dict(os.environ, RABBITMQ_URL=rabbitmq_url),
            capture_output=True,
            timeout=400,
        )
        assert done.returncode == 0, done.stderr.decode()
        codes = finish(workers)  # the experiment ended: every worker (and rank) leaves
    finally:
        kill_all(workers)
    assert codes == [0, 0, 0]
    best = ast.literal_eval(done.stdout.decode().strip().splitlines()[-1])
    assert abs(best["lr"] - 0.006) < 1e-3 and abs(best["weight_decay"] - 0.02) < 4e-3
    records = checkpoint(tmp_path, "this_is_test")
    assert len(records) == 100
    assert sorted(r["eval_count"] for r in records) == list(range(1, 101))


# --------------------------------------------------------------------- parallel mode
def test_run_parallel_records_every_job_once_and_honours_q(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    import pickle

    import pika

    from ax.service.rabbitmq.protocol import connection_parameters, declare, queues
    from tests.service.test_rabbitmq import Canary

    # Forged messages waiting for the client: an unsigned result carrying a pickle that
    # would create a file if it were ever loaded, and an unsigned "idle" request.
    canary = tmp_path / "canary"
    names = queues(exp_key)
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    channel = connection.channel()
    declare(channel, names)
    forged = pika.BasicProperties(correlation_id="forged", headers={"ax-kind": "result"})
    channel.basic_publish("", names.results, pickle.dumps(Canary(str(canary))), forged)
    channel.basic_publish("", names.requests, b"", pika.BasicProperties(correlation_id="w"))
    connection.close()
    workers = start_workers(rabbitmq_url, exp_key, 2, tmp_path)
    try:
        proc = client(tmp_path, rabbitmq_url, exp_key, 8, SLEEP="0.2")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert finish(workers) == [0, 0]
    finally:
        kill_all(workers)
    best = best_line(out)
    records = checkpoint(tmp_path, exp_key)
    assert len(records) == 8 and best is not None
    assert sorted(r["eval_count"] for r in records) == list(range(1, 9))
    assert all(r["status"] == 2 and r["exp_key"] == exp_key for r in records)
    assert {r["params"]["y"] for r in records} <= {
        -1.0,
        -0.75,
        -0.5,
        -0.25,
        0.0,
        0.25,
        0.5,
        0.75,
        1.0,
    }
    assert best == min(records, key=lambda r: r["loss"])["params"]
    calls = (tmp_path / "calls-rank0.jsonl").read_text().splitlines()
    assert len(calls) == 8  # no job ran twice
    assert not canary.exists()  # the forged result was refused, never unpickled
    assert b"refusing result forged: missing or invalid signature" in err


def test_always_raising_fn_ends_with_a_clear_error_and_workers_survive(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    workers = start_workers(rabbitmq_url, exp_key, 2, tmp_path)
    try:
        proc = client(tmp_path, rabbitmq_url, exp_key, 20, ALWAYS_RAISE="1")
        out, err = proc.communicate(timeout=120)
        assert proc.returncode != 0
        assert b"OptimizationAbortedError" in err
        assert b"trials failed in a row" in err, err.decode()
        assert b"fn raised RuntimeError: fn is broken" in err
        # No worker died of it: each left normally when the client ended the experiment.
        assert finish(workers) == [0, 0]
    finally:
        kill_all(workers)
    records = checkpoint(tmp_path, exp_key)
    assert len(records) >= 3 and all(r["status"] == 1 for r in records)


def test_killed_client_resumes_and_records_jobs_that_were_in_flight(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    workers = start_workers(rabbitmq_url, exp_key, 2, tmp_path)
    try:
        first = client(tmp_path, rabbitmq_url, exp_key, 12, SLEEP="0.4")
        deadline = time.monotonic() + 60
        while len(checkpoint(tmp_path, exp_key)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.kill()  # SIGKILL: no clean-up at all
        first.communicate()
        before = checkpoint(tmp_path, exp_key)
        assert 4 <= len(before) < 12
        second = client(tmp_path, rabbitmq_url, exp_key, 12, SLEEP="0.4")
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
        assert finish(workers) == [0, 0]
    finally:
        kill_all(workers)
    after = checkpoint(tmp_path, exp_key)
    assert len(after) == 12
    assert after[: len(before)] == before  # nothing recorded was lost or changed
    assert sorted(r["eval_count"] for r in after) == list(range(1, 13))
    assert b"Waiting again for" in err  # jobs in flight at the kill were adopted
    calls = (tmp_path / "calls-rank0.jsonl").read_text().splitlines()
    # None of the adopted jobs ran again. (A job published in the instant between its
    # publication and its checkpoint runs once more, its result dropped: at most one per
    # worker.)
    assert 12 <= len(calls) <= 14


def test_worker_killed_mid_trial_its_job_reruns_elsewhere_and_is_recorded_once(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    workers = start_workers(rabbitmq_url, exp_key, 2, tmp_path)
    try:
        proc = client(tmp_path, rabbitmq_url, exp_key, 6, SLOW_FIRST="1", SLEEP="0.1")
        deadline = time.monotonic() + 60
        while not (tmp_path / "first").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        victim = int((tmp_path / "first").read_text())
        os.kill(victim, signal.SIGKILL)  # the worker process running the first job
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    finally:
        kill_all(workers)
    records = checkpoint(tmp_path, exp_key)
    assert len(records) == 6 and all(r["status"] == 2 for r in records)
    assert sorted(r["eval_count"] for r in records) == list(range(1, 7))  # each once
    assert [w.returncode for w in workers].count(-signal.SIGKILL) == 1


# --------------------------------------------------------------------- MPI
def test_mpi_worker_runs_each_job_on_both_ranks(
    rabbitmq_url: str, exp_key: str, tmp_path: Path
) -> None:
    workers = start_workers(rabbitmq_url, exp_key, 0, tmp_path, mpi_ranks=2)
    try:
        proc = client(tmp_path, rabbitmq_url, exp_key, 4)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        assert finish(workers) == [0]
    finally:
        kill_all(workers)
    rank0 = (tmp_path / "calls-rank0.jsonl").read_text().splitlines()
    rank1 = (tmp_path / "calls-rank1.jsonl").read_text().splitlines()
    assert len(rank0) == 4 and rank0 == rank1  # same eval_count and params on both ranks


def test_run_use_mpi_under_mpirun_every_rank_returns_the_best(tmp_path: Path) -> None:
    script = tmp_path / "client.py"
    script.write_text(textwrap.dedent(CLIENT))
    done = subprocess.run(
        mpirun_command(2, sys.executable, str(script), "mpiexp", "5", "mpi"),
        cwd=tmp_path,
        env=mpi_env(PYTHONPATH=str(REPO)),
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    bests = [line for line in done.stdout.decode().splitlines() if line.startswith("BEST ")]
    assert len(bests) == 2 and bests[0] == bests[1] and bests[0] != "BEST None"
    rank0 = [json.loads(x) for x in (tmp_path / "calls-rank0.jsonl").read_text().splitlines()]
    rank1 = [json.loads(x) for x in (tmp_path / "calls-rank1.jsonl").read_text().splitlines()]
    assert rank0 == rank1 and [c[0] for c in rank0] == [1, 2, 3, 4, 5]  # eval_count not stale
    assert len(checkpoint(tmp_path, "mpiexp")) == 5
