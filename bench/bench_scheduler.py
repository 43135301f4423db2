"""Scheduler throughput and overhead, per executor and number of workers.

Trials sleep 0.5 s; 8 trials per point; 1, 2 and 4 workers; a spawned process pool and a
Dask LocalCluster (processes, one thread per worker, loopback). Executors are started and
warmed before timing (worker start-up is not the Scheduler's cost). Reports:

- throughput (trials/s) and speed-up over 1 worker;
- overhead per trial = (wall - ideal) / trials, ideal = ceil(trials / workers) * 0.5 s;
- the Scheduler's own time per trial (gen + submit + record, ``perf_counter`` inside it).

Run: ``python bench/bench_scheduler.py`` (needs ``pip install 'ax-experiments[dask]'``).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import Executor, wait
from typing import Any, Callable, Dict, List, Tuple

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


def main() -> None:
    import logging

    logging.getLogger("distributed").setLevel(logging.ERROR)
    rows: List[Tuple[str, int, float, float, float, float, float]] = []
    _run_warmup()
    for name, make in (("process pool", _process_pool), ("dask", _dask)):
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
