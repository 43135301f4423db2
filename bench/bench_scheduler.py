"""Scheduler throughput and overhead, per executor and number of workers.

Trials sleep 0.5 s; 8 trials per point; 1, 2 and 4 workers; a spawned process pool, a
Dask LocalCluster (processes, one thread per worker, loopback) and the RabbitMQ executor
with real ``ax worker`` processes on a throwaway loopback broker (the test-suite's
``tests/service/rabbitmq_broker.py``; a fresh ``exp_key`` per point). Executors are started
and warmed before timing (worker start-up is not the Scheduler's cost). Reports:

- throughput (trials/s) and speed-up over 1 worker;
- overhead per trial = (wall - ideal) / trials, ideal = ceil(trials / workers) * 0.5 s;
- the Scheduler's own time per trial (gen + submit + record, ``perf_counter`` inside it).

Run from the repository root: ``python bench/bench_scheduler.py`` (needs
``pip install 'ax-experiments[dask]'``; the RabbitMQ rows also need pika, cloudpickle and
Debian's ``rabbitmq-server``, else they are skipped with a message).
"""

from __future__ import annotations

import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, wait
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # for tests.service.rabbitmq_broker
    sys.path.insert(0, str(REPO_ROOT))

SLEEP_S = 0.5
TRIALS = 8
WORKERS = (1, 2, 4)


def sleep_trial(parameters: Dict[str, Any]) -> float:
    time.sleep(SLEEP_S)
    return float(parameters["x1"]) ** 2 + float(parameters["x2"]) ** 2


def _noop(_: int) -> int:
    return 0


def _warm(executor: Executor, workers: int) -> None:
    wait([executor.submit(_noop, i) for i in range(workers * 2)])


def _run(executor: Executor, workers: int) -> Tuple[float, float]:
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.scheduler import Scheduler, SchedulerOptions
    from ax.service.utils.instantiation import make_experiment

    experiment = make_experiment(
        [
            {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
        ],
        name="bench",
        minimize=True,
    )
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    options = SchedulerOptions(max_parallelism=workers, total_trials=TRIALS, poll_interval=0.05)
    scheduler = Scheduler(experiment, strategy, sleep_trial, executor, options)
    start = time.perf_counter()
    scheduler.run_all_trials()
    wall = time.perf_counter() - start
    own = scheduler.stats.gen_s + scheduler.stats.submit_s + scheduler.stats.record_s
    return wall, own


def _process_pool(workers: int) -> Tuple[Executor, Callable[[], None]]:
    from ax.service.executors import process_pool_executor

    pool = process_pool_executor(workers)
    return pool, lambda: pool.shutdown(wait=True)


def _dask(workers: int) -> Tuple[Executor, Callable[[], None]]:
    import distributed

    from ax.service.executors import dask_executor

    cluster = distributed.LocalCluster(
        processes=True,
        n_workers=workers,
        threads_per_worker=1,
        # ":0", not None: the scheduler still serves HTTP (on 8787 by default) with None.
        dashboard_address=":0",
        host="127.0.0.1",
    )
    client = distributed.Client(cluster)

    def close() -> None:
        client.close()
        cluster.close()

    return dask_executor(client), close


WORKER_START_TIMEOUT_S = 60.0


def _whoami(delay: float) -> int:
    """A warm-up job: load the Scheduler's module (its jobs unpickle ``run_evaluation``)."""
    import ax.service.scheduler  # noqa: F401

    time.sleep(delay)
    return os.getpid()


def _ax_command() -> List[str]:
    script = Path(sys.executable).with_name("ax")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ax"]


def _stop_processes(procs: List[subprocess.Popen[bytes]], grace_s: float) -> None:
    """Wait up to ``grace_s`` for each to exit on its own, then SIGTERM, then SIGKILL."""
    deadline = time.monotonic() + grace_s
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _rabbitmq(url: str, workers: int) -> Tuple[Executor, Callable[[], None]]:
    """A RabbitMQExecutor and ``workers`` ``ax worker`` processes, all serving, warmed."""
    import pika

    from ax.service.rabbitmq.executor import RabbitMQExecutor

    exp_key = f"bench-{workers}w-{secrets.token_hex(4)}"
    executor = RabbitMQExecutor(url, exp_key=exp_key)  # declares the queues
    logs = Path(tempfile.mkdtemp(prefix="ax-bench-workers-"))
    procs: List[subprocess.Popen[bytes]] = []

    def close() -> None:
        # Deleting the queues (shutdown) cancels the workers' consumers: they exit.
        try:
            executor.shutdown(wait=True)
        finally:
            _stop_processes(procs, grace_s=10.0)
            for path in logs.iterdir():
                path.unlink()
            logs.rmdir()

    try:
        for i in range(workers):
            with open(logs / f"worker{i}.log", "wb") as log:
                procs.append(
                    subprocess.Popen(
                        [*_ax_command(), "worker", "--broker", url, "--exp-key", exp_key],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
        # Wait until every worker consumes the jobs queue, so that the warm-up jobs are
        # spread over all of them (prefetch 1, round robin).
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            channel = connection.channel()
            deadline = time.monotonic() + WORKER_START_TIMEOUT_S
            while True:
                declared = channel.queue_declare(executor.queues.jobs, passive=True)
                if declared.method.consumer_count >= workers:
                    break
                exited = [p for p in procs if p.poll() is not None]
                if exited or time.monotonic() > deadline:
                    tail = (logs / "worker0.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(
                        f"{len(exited)} ax worker(s) exited / timed out before consuming "
                        f"{executor.queues.jobs}; worker0's log:\n{tail}"
                    )
                time.sleep(0.1)
        finally:
            connection.close()
        pids = {f.result() for f in [executor.submit(_whoami, 0.2) for _ in range(workers * 2)]}
        if len(pids) != workers:
            raise RuntimeError(f"warm-up reached {len(pids)} of {workers} workers")
    except BaseException:
        close()
        raise
    return executor, close


def _rabbitmq_broker() -> Tuple[Optional[Any], Callable[[], None], str]:
    """(broker or None, stop, why it is skipped): never installs rabbitmq-server."""
    try:
        import cloudpickle  # noqa: F401
        import pika  # noqa: F401

        from tests.service import rabbitmq_broker as harness
    except ImportError as err:
        return None, lambda: None, f"cannot import {err.name} ({err})"
    if not (os.path.exists(harness.SERVER) and os.path.exists(harness.EPMD)):
        return None, lambda: None, f"{harness.SERVER} is not installed"
    try:
        broker = harness.start_broker()
    except Exception as err:  # a broker that will not start skips these rows only
        return None, lambda: None, f"the broker did not start: {type(err).__name__}: {err}"
    return broker, partial(harness.stop_broker, broker), ""


def main() -> None:
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    logging.getLogger("pika").setLevel(logging.ERROR)
    if __name__ != "__main__":  # imported: send the trial functions by value
        import cloudpickle

        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    rows: List[Tuple[str, int, float, float, float, float, float]] = []
    notes: List[str] = []
    _run_warmup()
    executors: List[Tuple[str, Callable[[int], Tuple[Executor, Callable[[], None]]]]] = [
        ("process pool", _process_pool),
        ("dask", _dask),
    ]
    _measure(rows, executors)
    broker, stop_broker, why = _rabbitmq_broker()
    if broker is None:
        notes.append(f"rabbitmq: skipped: {why}")
    else:
        try:
            _measure(rows, [("rabbitmq", partial(_rabbitmq, broker.url))])
        finally:
            stop_broker()
    print(f"{TRIALS} trials sleeping {SLEEP_S} s each, Sobol strategy")
    print(
        f"{'executor':<13} {'workers':>7} {'wall s':>7} {'trials/s':>9} {'speed-up':>9} "
        f"{'overhead ms/trial':>18} {'own ms/trial':>13}"
    )
    for name, workers, wall, tput, speedup, overhead, own in rows:
        print(
            f"{name:<13} {workers:>7} {wall:>7.2f} {tput:>9.2f} {speedup:>8.2f}x "
            f"{overhead * 1e3:>18.1f} {own * 1e3:>13.2f}"
        )
    for note in notes:
        print(note)


def _measure(
    rows: List[Tuple[str, int, float, float, float, float, float]],
    executors: List[Tuple[str, Callable[[int], Tuple[Executor, Callable[[], None]]]]],
) -> None:
    for name, make in executors:
        base = 0.0
        for workers in WORKERS:
            executor, close = make(workers)
            try:
                _warm(executor, workers)
                wall, own = _run(executor, workers)
            finally:
                close()
            throughput = TRIALS / wall
            base = base or throughput
            ideal = math.ceil(TRIALS / workers) * SLEEP_S
            rows.append(
                (
                    name,
                    workers,
                    wall,
                    throughput,
                    throughput / base,
                    (wall - ideal) / TRIALS,
                    own / TRIALS,
                )
            )


def _run_warmup() -> None:
    """One untimed run on a thread pool, so imports and first model builds are not timed."""
    from concurrent.futures import ThreadPoolExecutor

    global SLEEP_S
    saved, SLEEP_S = SLEEP_S, 0.0
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            _run(pool, 2)
    finally:
        SLEEP_S = saved


if __name__ == "__main__":
    main()
