"""Scheduler throughput and overhead, per executor and number of workers.

Trials sleep 0.5 s; 8 trials per point; 1, 2 and 4 workers; a spawned process pool, a
Dask LocalCluster (processes, one thread per worker, loopback) and the RabbitMQ executor
with real ``ax worker`` processes on a throwaway loopback broker (the test-suite's
``tests/service/rabbitmq_broker.py``; a fresh ``exp_key`` per point). Executors are started
and warmed before timing (worker start-up is not the Scheduler's cost). Reports:

- throughput (trials/s) and speed-up over 1 worker;
- overhead per trial = (wall - ideal) / trials, ideal = ceil(trials / workers) * 0.5 s;
- the Scheduler's own time per trial (gen + submit + record, ``perf_counter`` inside it).

Polaris's parallel mode (``JobClient``, the Scheduler with the RabbitMQ executor in pull
mode) is measured the same way with real ``polaris-worker`` processes: the ``random``
algorithm, 8 evaluations sleeping 0.5 s, 1, 2 and 4 workers, checkpoints off; the workers
are consuming (and have announced themselves) before timing.

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


def polaris_sleep_trial(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
    time.sleep(SLEEP_S)
    return {"loss": float(params["x1"]) ** 2 + float(params["x2"]) ** 2, "status": 2}


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
        _wait_for_consumers(url, executor.queues.jobs, workers, procs, logs)
        pids = {f.result() for f in [executor.submit(_whoami, 0.2) for _ in range(workers * 2)]}
        if len(pids) != workers:
            raise RuntimeError(f"warm-up reached {len(pids)} of {workers} workers")
    except BaseException:
        close()
        raise
    return executor, close


def _wait_for_consumers(url: str, queue: str, n: int, procs: List[Any], logs: Path) -> None:
    """Until ``n`` consumers take ``queue`` (declared by the workers)."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(url))
    try:
        channel = connection.channel()
        deadline = time.monotonic() + WORKER_START_TIMEOUT_S
        while True:
            try:
                declared = channel.queue_declare(queue, passive=True)
                if declared.method.consumer_count >= n:
                    return
            except pika.exceptions.ChannelClosedByBroker:  # not declared yet
                channel = connection.channel()
            exited = [p for p in procs if p.poll() is not None]
            if exited or time.monotonic() > deadline:
                tail = (logs / "worker0.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(
                    f"{len(exited)} worker(s) exited / timed out before consuming {queue}; "
                    f"worker0's log:\n{tail}"
                )
            time.sleep(0.1)
    finally:
        connection.close()


def _polaris(url: str, workers: int) -> Tuple[float, float]:
    """(wall, Scheduler's own seconds) of ``Polaris.run_parallel`` on ``workers``
    ``polaris-worker`` processes (started and consuming before timing)."""
    from polaris import Bounds, Polaris, Trials
    from polaris.rabbitmq import JobClient

    exp_key = f"bench-polaris-{workers}w-{secrets.token_hex(4)}"
    logs = Path(tempfile.mkdtemp(prefix="ax-bench-polaris-"))
    command = [str(Path(sys.executable).with_name("polaris-worker")), "--exp-key", exp_key]
    env = dict(os.environ, RABBITMQ_URL=url)
    procs: List[subprocess.Popen[bytes]] = []
    try:
        for i in range(workers):
            with open(logs / f"worker{i}.log", "wb") as log:
                procs.append(
                    subprocess.Popen(
                        command,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        env=env,
                    )
                )
        _wait_for_consumers(url, f"ax.{exp_key}.jobs", workers, procs, logs)
        bounds = [Bounds("x1", 0.0, 1.0), Bounds("x2", 0.0, 1.0)]
        polaris = Polaris(
            polaris_sleep_trial,
            bounds,
            "random",
            Trials(),
            max_evals=TRIALS,
            exp_key=exp_key,
            seed=0,
            checkpoint_dir=None,
        )
        client = JobClient(polaris, url)
        start = time.perf_counter()
        client.start()
        wall = time.perf_counter() - start
        stats = client.scheduler.stats
        if len(polaris.trials) != TRIALS:
            raise RuntimeError(f"Polaris recorded {len(polaris.trials)} of {TRIALS} trials")
        return wall, stats.gen_s + stats.submit_s + stats.record_s
    finally:
        _stop_processes(procs, grace_s=10.0)  # they leave when the client ends
        for path in logs.iterdir():
            path.unlink()
        logs.rmdir()


def _measure_polaris(
    rows: List[Tuple[str, int, float, float, float, float, float]], url: str
) -> None:
    _add_rows(rows, "polaris", partial(_polaris, url))


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
    only = sys.argv[1:]  # e.g. "polaris" or "rabbitmq polaris": these rows only
    _run_warmup()
    executors: List[Tuple[str, Callable[[int], Tuple[Executor, Callable[[], None]]]]] = [
        ("process pool", _process_pool),
        ("dask", _dask),
    ]
    _measure(rows, [(name, make) for name, make in executors if not only or name in only])
    broker, stop_broker, why = _rabbitmq_broker()
    if broker is None:
        notes.append(f"rabbitmq: skipped: {why}")
    else:
        try:
            if not only or "rabbitmq" in only:
                _measure(rows, [("rabbitmq", partial(_rabbitmq, broker.url))])
            if not only or "polaris" in only:
                _measure_polaris(rows, broker.url)
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

        def timed(workers: int, make: Any = make) -> Tuple[float, float]:
            executor, close = make(workers)
            try:
                _warm(executor, workers)
                return _run(executor, workers)
            finally:
                close()

        _add_rows(rows, name, timed)


def _add_rows(
    rows: List[Tuple[str, int, float, float, float, float, float]],
    name: str,
    timed: Callable[[int], Tuple[float, float]],
) -> None:
    """One row per number of workers: ``timed(workers)`` gives (wall, own seconds)."""
    base = 0.0
    for workers in WORKERS:
        wall, own = timed(workers)
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
