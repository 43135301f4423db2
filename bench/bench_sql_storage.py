"""Incremental save and load times of the SQL store, on SQLite and on PostgreSQL.

For experiments of ``N`` completed single-arm trials with data (the experiment of
``bench_storage.py``: 6 parameters, two metrics), the experiment is saved once in full,
then ``--runs`` times one more completed trial with its data is added and saved (the cost
an ``AxClient`` pays after each trial), two ways: ``save_experiment`` (which compares
every trial with the stored one and writes only what changed) and
``save_or_update_trial`` (which writes the named trial); then the experiment is loaded by
name ``--runs`` times. The table gives the median and the best of the repeats, and the
time of the first, full save. The loaded experiment is checked equal to the saved one.

Backends: SQLite, a file in a temporary directory (WAL mode, as the store configures it);
PostgreSQL, a throwaway server from Debian's packages started on 127.0.0.1 by
``tests/storage/postgres_server.py`` (the test fixture's helper), with its default
crash-safety settings unless ``--pg-fast`` (fsync off). A backend that is unavailable is
skipped with a message.

Usage:
    .venv/bin/python bench/bench_sql_storage.py [--sizes 100 1000 10000] [--runs 5]
        [--backends sqlite postgresql] [--pg-fast]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, List, Optional

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "bench"))

from bench_storage import DIMENSION, build_experiment  # noqa: E402

from ax.core.arm import Arm  # noqa: E402
from ax.core.base_trial import BaseTrial  # noqa: E402
from ax.core.data import Data  # noqa: E402
from ax.core.experiment import Experiment  # noqa: E402
from ax.core.generator_run import GeneratorRun  # noqa: E402


def add_completed_trial(experiment: Experiment, rng: np.random.Generator) -> BaseTrial:
    """Add one completed single-arm trial with data for both metrics (as in the builder).

    Returns:
        The new trial.
    """
    row = rng.random(DIMENSION)
    arm = Arm({f"x{i}": float(value) for i, value in enumerate(row)})
    generator_run = GeneratorRun(
        arms=[arm], search_space=experiment.search_space, model_key="Sobol", gen_time=1e-3
    )
    trial = experiment.new_trial(generator_run=generator_run)
    trial.mark_running(no_runner_required=True).mark_completed()
    value = float(np.sum(np.square(row - 0.5)))
    experiment.attach_data(
        Data.from_evaluations(
            {arm.name: {"objective": (value, 0.01), "constraint": (1.0 - value, None)}},
            trial.index,
        )
    )
    return trial


def timed(action: Callable[[], object]) -> float:
    """Wall time in seconds of one call of ``action``."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    """A SQLite file URL in a fresh temporary directory."""
    with tempfile.TemporaryDirectory(prefix="ax-bench-sqlite-") as tmp:
        yield f"sqlite:///{os.path.join(tmp, 'bench.db')}"


def bench_backend(name: str, url: str, sizes: List[int], runs: int) -> List[str]:
    """Benchmark one database; returns the table rows (and failures, prefixed FAILED)."""
    from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment, save_or_update_trial

    engine = create_engine_for_url(url)
    rows: List[str] = []
    try:
        create_all_tables(engine)
        for size in sizes:
            experiment = build_experiment(size)
            save = partial(save_experiment, experiment, engine=engine)
            full = timed(save)
            rng = np.random.default_rng(size)
            by_experiment: List[float] = []  # save_experiment: compares every trial
            by_trial: List[float] = []  # save_or_update_trial: writes the named trial
            for _ in range(runs):
                add_completed_trial(experiment, rng)
                by_experiment.append(timed(save))
                trial = add_completed_trial(experiment, rng)
                by_trial.append(
                    timed(partial(save_or_update_trial, experiment, trial, engine=engine))
                )
            load = partial(load_experiment, experiment.name, engine=engine)
            loads = [timed(load) for _ in range(runs)]
            rows.append(
                f"{name:<10} {size:>7} {full:>9.3f} "
                f"{1e3 * statistics.median(by_experiment):>9.1f} {1e3 * min(by_experiment):>8.1f} "
                f"{1e3 * statistics.median(by_trial):>9.1f} {1e3 * min(by_trial):>8.1f} "
                f"{statistics.median(loads):>9.3f} {min(loads):>9.3f}"
            )
            print(rows[-1], flush=True)
            loaded = load_experiment(experiment.name, engine=engine)
            if loaded.num_trials != size + 2 * runs or loaded != experiment:
                rows.append(f"FAILED: {name}, {size} trials: the loaded experiment differs")
                print(rows[-1], flush=True)
    finally:
        engine.dispose()
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    """Run the benchmark and print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument("--pg-fast", action="store_true", help="PostgreSQL with fsync off")
    args = parser.parse_args(argv)

    try:
        import ax.storage.sqa_store.save  # noqa: F401
    except ImportError as err:
        print(f"the SQL store is not available: {err}")
        return 1

    print(f"python {sys.version.split()[0]}  cpus: {os.cpu_count()}  runs: {args.runs}")
    print(
        "full save: the first save_experiment of the N trials (s); +1 save_experiment and "
        "+1 save_or_update_trial: adding one completed trial with data, then saving (ms, "
        "median and best); load: load_experiment (s, median and best)"
    )
    print(
        f"{'backend':<10} {'trials':>7} {'full save':>9} {'+1 exp ms':>9} {'best':>8} "
        f"{'+1 trl ms':>9} {'best':>8} {'load med':>9} {'load best':>9}"
    )
    status = 0
    for backend in args.backends:
        if backend == "sqlite":
            with sqlite_url() as url:
                rows = bench_backend(backend, url, args.sizes, args.runs)
        else:
            from tests.storage.postgres_server import (
                PostgresUnavailable,
                start_postgres,
                stop_postgres,
            )

            try:
                server = start_postgres(database="ax_bench", durable=not args.pg_fast)
            except PostgresUnavailable as err:  # an unavailable backend is skipped
                print(f"{backend:<10} skipped: {err}")
                continue
            try:
                rows = bench_backend(backend, server.url, args.sizes, args.runs)
            finally:
                stop_postgres(server)
        status |= any(row.startswith("FAILED") for row in rows)
    return status


if __name__ == "__main__":
    sys.exit(main())
