"""Trials on ``ax worker`` processes fed through RabbitMQ (needs a broker: RABBITMQ_URL).

The client (this script) puts each trial on the broker as a signed job; any number of
``ax worker --exp-key KEY`` processes, on this machine or others, take jobs one at a time,
run them and send the results back. Here:

1. the ``RabbitMQExecutor`` connects to ``$RABBITMQ_URL`` (exit 2 if it is unset);
2. two workers are started as subprocesses, ``python -m ax worker --exp-key KEY`` (the
   same as the ``ax worker`` command; on other machines, set RABBITMQ_URL there and run
   ``ax worker --exp-key KEY``);
3. ``AxClient.run_trials(evaluate, 10, executor=executor, max_parallelism=2)`` runs 10
   trials of Branin, two at a time;
4. ``executor.shutdown()`` deletes the experiment's queues, so the workers leave; the
   script checks they exited with status 0.

The job's function travels by cloudpickle, so ``evaluate`` could even be a lambda; the
workers need only this library installed (not this script). Messages are HMAC-signed with
a key from ``AX_WORKER_SECRET``, else derived from the URL's credentials: client and
workers must agree. ``evaluate`` returns what ``AxClient.complete_trial`` accepts (a
number, ``(mean, sem)`` or ``{metric: (mean, sem)}``); a raised exception fails its trial
and the worker goes on.

Usage:
    RABBITMQ_URL=amqp://user:password@host:5672/vhost python examples/rabbitmq_workers.py
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid

from ax.exceptions import AxError
from ax.service.ax_client import AxClient
from ax.utils.measurement.synthetic_functions import branin

NUM_WORKERS = 2
NUM_TRIALS = 10
JOB_TIMEOUT_S = 60.0  # a job still running on its worker after this long fails its trial


def evaluate(parameters: dict[str, float]) -> tuple[float, float]:
    """Branin at the proposed point, as ``(mean, sem)``; 0.1 s of pretend work.

    Stand-in for your own training code (it runs on the workers).
    """
    time.sleep(0.1)
    return branin(parameters["x1"], parameters["x2"]), 0.0


def start_workers(exp_key: str, n: int) -> list[subprocess.Popen[str]]:
    """``n`` ``ax worker`` processes for ``exp_key``; they read RABBITMQ_URL from the
    environment they inherit."""
    command = [sys.executable, "-m", "ax", "worker", "--exp-key", exp_key, "--quiet"]
    return [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(n)
    ]


def wait_for_workers(workers: list[subprocess.Popen[str]], timeout_s: float) -> list[str]:
    """Wait for every worker to exit; terminate stragglers. Returns one problem per worker
    that did not exit with status 0 on its own (empty if all did)."""
    problems = []
    for i, worker in enumerate(workers):
        try:
            out, err = worker.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            worker.terminate()
            out, err = worker.communicate()
            problems.append(f"worker {i} (pid {worker.pid}) did not exit within {timeout_s:g} s")
            continue
        summary = out.strip().splitlines()[-1] if out.strip() else "(no summary)"
        print(f"  worker {i} (pid {worker.pid}) exited with {worker.returncode}: {summary}")
        if worker.returncode != 0:
            problems.append(f"worker {i} exited with {worker.returncode}: {err.strip()[-500:]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Connect, start the workers, run the trials, shut down, check the workers left."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exp-key", help="the queues' name (default: a fresh unique key)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)

    url = os.environ.get("RABBITMQ_URL")
    if not url:
        print(
            "rabbitmq_workers.py: RABBITMQ_URL is not set; this example needs a RabbitMQ "
            "broker, e.g. RABBITMQ_URL=amqp://user:password@localhost:5672/vhost",
            file=sys.stderr,
        )
        return 2
    # A fresh key per run, so that queues left by another run never mix with this one.
    exp_key = args.exp_key or f"example-{uuid.uuid4().hex[:8]}"

    # The executor imports pika and cloudpickle (the `rabbitmq` extra).
    from ax.service.rabbitmq.executor import RabbitMQExecutor

    started = time.perf_counter()
    try:
        # Connect first: a wrong URL or bad credentials fail here, with the broker named.
        executor = RabbitMQExecutor(url, exp_key=exp_key, timeout_s=JOB_TIMEOUT_S)
    except AxError as err:
        print(f"FAILED: cannot use the broker: {err}", file=sys.stderr)
        return 1
    print(f"connected to the broker; experiment key {exp_key!r}")

    workers = start_workers(exp_key, NUM_WORKERS)
    print(f"started {NUM_WORKERS} workers: {[w.pid for w in workers]}")

    client = AxClient(random_seed=args.seed, verbose_logging=False)
    client.create_experiment(
        name="branin_rabbitmq",
        parameters=[
            {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
        ],
        objective_name="branin",
        minimize=True,
    )
    try:
        client.run_trials(evaluate, NUM_TRIALS, executor=executor, max_parallelism=2)
    except AxError as err:
        print(f"FAILED: run_trials: {err}", file=sys.stderr)
        return 1
    finally:
        # Deletes the experiment's queues: the workers see that and leave.
        executor.shutdown()
        problems = wait_for_workers(workers, timeout_s=30)
    elapsed = time.perf_counter() - started

    statuses = [t.status.name for t in client.experiment.trials.values()]
    print(f"{len(statuses)} trials in {elapsed:.1f} s: {statuses.count('COMPLETED')} completed")
    best = client.get_best_parameters()
    if best is not None:
        parameters, (means, _) = best
        print(
            f"best: x1={parameters['x1']:.4f}, x2={parameters['x2']:.4f}, "
            f"branin={means['branin']:.4f}"
        )
    if statuses.count("COMPLETED") != NUM_TRIALS:
        problems.append(f"expected {NUM_TRIALS} COMPLETED trials, got {statuses}")
    if problems:
        for problem in problems:
            print(f"FAILED: {problem}", file=sys.stderr)
        return 1
    print("OK: every trial completed and both workers left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
