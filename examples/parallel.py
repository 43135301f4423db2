"""Parallel trials through the Scheduler: a local process pool, and a Dask cluster.

Every parallel front door hands the trials to one ``Scheduler``, which keeps up to N of
them in flight on a ``concurrent.futures.Executor`` and records each result as it arrives:

1. ``AxClient.run_trials(evaluate, 8)``: on the default executor, a local process pool
   (spawned; as many workers as CPUs, at most what the generation strategy allows);
2. ``optimize(..., executor=process_pool_executor(2), max_workers=2)``: the managed loop on
   a pool you create (and shut down) yourself;
3. ``AxClient.run_trials(evaluate, 6, executor=dask_executor(client), max_parallelism=2)``
   on a two-worker Dask ``LocalCluster`` (skipped, with a note, if ``dask[distributed]``
   is not installed; the same call works with a client of a real cluster).

What ``evaluate`` may return (as for ``AxClient.complete_trial``'s ``raw_data``):

- a number: the objective's mean, its noise (SEM) unknown;
- a ``(mean, sem)`` tuple for the objective (this example; ``sem`` may be 0.0 for an
  exact value);
- ``{metric: (mean, sem)}`` (or ``{metric: mean}``) for the objective and any other
  metric of the experiment.

If it raises, or returns a NaN or an infinite mean, the trial is marked FAILED with the
reason and the run goes on (``max_consecutive_failures`` failures in a row stop it).

Usage:
    python examples/parallel.py [--seed S] [--no-dask]
"""

from __future__ import annotations

import argparse
import sys
import time

from ax import optimize
from ax.service.ax_client import AxClient
from ax.service.executors import dask_executor, process_pool_executor
from ax.utils.measurement.synthetic_functions import branin

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]


# `evaluate` is defined at module level: the process pool sends it to its workers with
# pickle, which sends a function by reference (module and name), so a lambda, a closure or
# a function defined inside main() cannot go. (Dask and the RabbitMQ executor use
# cloudpickle and would accept those; a module-level function works everywhere.)
def evaluate(parameters: dict[str, float]) -> tuple[float, float]:
    """Branin at the proposed point, as ``(mean, sem)``.

    Stand-in for your own training code.
    """
    return branin(parameters["x1"], parameters["x2"]), 0.0


def new_client(seed: int) -> AxClient:
    client = AxClient(random_seed=seed, verbose_logging=False)
    client.create_experiment(
        name="branin", parameters=PARAMETERS, objective_name="branin", minimize=True
    )
    return client


def report(label: str, client: AxClient, started: float) -> str | None:
    """Print what ran and the best point; a failure message if something is missing."""
    experiment = client.experiment
    statuses = [t.status.name for t in experiment.trials.values()]
    best = client.get_best_parameters()
    print(
        f"[{label}] {len(statuses)} trials in {time.perf_counter() - started:.1f} s "
        f"({statuses.count('COMPLETED')} completed)"
    )
    if best is None or statuses.count("COMPLETED") != len(statuses):
        return f"{label}: expected every trial COMPLETED, got {statuses}"
    parameters, (means, _) = best
    print(
        f"[{label}] best: x1={parameters['x1']:.4f}, x2={parameters['x2']:.4f}, "
        f"branin={means['branin']:.4f}"
    )
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the three front doors one after another; exit 1 if any trial failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask part")
    args = parser.parse_args(argv)

    # 1. AxClient.run_trials on the default executor: a spawned local process pool.
    started = time.perf_counter()
    client = new_client(args.seed)
    client.run_trials(evaluate, 8)
    problem = report("run_trials, process pool", client, started)
    if problem:
        print(f"FAILED: {problem}")
        return 1

    # 2. optimize() on a process pool of our own (shut down by the `with`).
    started = time.perf_counter()
    with process_pool_executor(2) as pool:
        best, (means, _), experiment, _ = optimize(
            parameters=PARAMETERS,
            evaluation_function=evaluate,
            experiment_name="branin_optimize",
            objective_name="branin",
            minimize=True,
            total_trials=8,
            random_seed=args.seed,
            max_workers=2,
            executor=pool,
        )
    print(
        f"[optimize, process pool] {len(experiment.trials)} trials in "
        f"{time.perf_counter() - started:.1f} s"
    )
    print(
        f"[optimize, process pool] best: x1={best['x1']:.4f}, x2={best['x2']:.4f}, "
        f"branin={means['branin']:.4f}"
    )

    # 3. AxClient.run_trials on a Dask cluster (here a local one with two workers).
    if args.no_dask:
        print("[dask] skipped (--no-dask)")
    else:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as err:
            print(f"[dask] skipped: {err}; install it with: pip install 'ax-experiments[dask]'")
        else:
            started = time.perf_counter()
            with (
                LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
                Client(cluster) as dask_client,
            ):
                client = new_client(args.seed)
                client.run_trials(
                    evaluate, 6, executor=dask_executor(dask_client), max_parallelism=2
                )
            problem = report("run_trials, dask", client, started)
            if problem:
                print(f"FAILED: {problem}")
                return 1
    print("OK")
    return 0


# Everything runs under this guard: the process pool starts its workers with "spawn", and a
# spawned worker imports this file again (as `__mp_main__`) to find `evaluate`. Without the
# guard, each worker would start the whole optimization again (RuntimeError: "An attempt
# has been made to start a new process before the current process has finished its
# bootstrapping phase", then BrokenProcessPool).
if __name__ == "__main__":
    sys.exit(main())
