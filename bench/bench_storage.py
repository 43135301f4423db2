"""Save/load time and file size of the JSON store for large experiments.

Each experiment has ``N`` single-arm trials (Sobol points in a 6-parameter unit cube),
all COMPLETED, each with a generator run on the experiment's own search space and data
for two metrics attached at its own time. The table shows the best and the median of
``--runs`` timed ``save``/``load`` calls (``time.perf_counter``; torch is not involved)
and the file size. ``--profile`` adds a cProfile listing of one save and one load of the
middle size.

Usage:
    .venv/bin/python bench/bench_storage.py [--sizes 1000 5000 10000] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Callable, List

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ax.core.arm import Arm  # noqa: E402
from ax.core.data import Data  # noqa: E402
from ax.core.experiment import Experiment  # noqa: E402
from ax.core.generator_run import GeneratorRun  # noqa: E402
from ax.core.metric import Metric  # noqa: E402
from ax.core.objective import Objective  # noqa: E402
from ax.core.optimization_config import OptimizationConfig  # noqa: E402
from ax.core.parameter import RangeParameter  # noqa: E402
from ax.core.search_space import SearchSpace  # noqa: E402
from ax.core.types import ParameterType  # noqa: E402
from ax.storage.json_store.load import load  # noqa: E402
from ax.storage.json_store.save import save  # noqa: E402

DIMENSION = 6


def sobol_points(n: int, d: int, seed: int = 0) -> np.ndarray:
    """``n x d`` scrambled Sobol points in the unit cube (uniform random without scipy)."""
    try:
        from scipy.stats import qmc
    except ImportError:  # pragma: no cover - scipy is a dependency
        return np.random.default_rng(seed).random((n, d))
    m = max(int(np.ceil(np.log2(max(n, 2)))), 1)
    return qmc.Sobol(d=d, scramble=True, seed=seed).random_base2(m)[:n]


def build_experiment(num_trials: int) -> Experiment:
    """An experiment of ``num_trials`` COMPLETED single-arm trials with data (see module docs)."""
    space = SearchSpace(
        [RangeParameter(f"x{i}", ParameterType.FLOAT, 0.0, 1.0) for i in range(DIMENSION)]
    )
    experiment = Experiment(
        search_space=space,
        name=f"bench_{num_trials}",
        optimization_config=OptimizationConfig(Objective(Metric("objective"), minimize=True)),
        tracking_metrics=[Metric("constraint")],
    )
    for row in sobol_points(num_trials, DIMENSION).tolist():
        add_trial(experiment, row)
    return experiment


def add_trial(experiment: Experiment, row: List[float]) -> None:
    """Append one COMPLETED single-arm trial at the point ``row`` (length DIMENSION), with data."""
    arm = Arm({f"x{i}": value for i, value in enumerate(row)})
    generator_run = GeneratorRun(
        arms=[arm], search_space=experiment.search_space, model_key="Sobol", gen_time=1e-3
    )
    trial = experiment.new_trial(generator_run=generator_run)
    trial.mark_running(no_runner_required=True).mark_completed()
    value = float(np.sum(np.square(np.asarray(row) - 0.5)))
    experiment.attach_data(
        Data.from_evaluations(
            {arm.name: {"objective": (value, 0.01), "constraint": (1.0 - value, None)}},
            trial.index,
        )
    )


def timings(action: Callable[[], object], runs: int) -> List[float]:
    """Wall times in seconds of ``runs`` calls of ``action`` (after nothing else)."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        out.append(time.perf_counter() - start)
    return out


def profile(action: Callable[[], object], label: str, limit: int = 25) -> None:
    """Print the top functions by own time of one call of ``action``."""
    profiler = cProfile.Profile()
    profiler.enable()
    action()
    profiler.disable()
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(limit)
    print(f"\n--- cProfile: {label} (sorted by own time) ---")
    print("\n".join(line for line in stream.getvalue().splitlines() if line.strip()))


def main(argv: List[str] | None = None) -> int:
    """Run the benchmark and print the table; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    print(f"python {sys.version.split()[0]}  cpus: {os.cpu_count()}  runs: {args.runs}")
    header = (
        f"{'trials':>7} {'save best':>10} {'save med':>9} {'load best':>10} {'load med':>9} "
        f"{'size (MB)':>10} {'build (s)':>10}"
    )
    print(header)
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            start = time.perf_counter()
            experiment = build_experiment(size)
            build = time.perf_counter() - start
            path = os.path.join(tmp, f"bench_{size}.json")
            save_times = timings(partial(save, experiment, path), args.runs)
            load_times = timings(partial(load, path), args.runs)
            megabytes = os.path.getsize(path) / 1e6
            print(
                f"{size:>7} {min(save_times):>10.3f} {statistics.median(save_times):>9.3f} "
                f"{min(load_times):>10.3f} {statistics.median(load_times):>9.3f} "
                f"{megabytes:>10.2f} {build:>10.2f}"
            )
            if load(path) != experiment:
                print(f"FAILED: the {size}-trial experiment did not round-trip equal")
                status = 1
        if args.profile:
            middle = sorted(args.sizes)[len(args.sizes) // 2]
            experiment = build_experiment(middle)
            path = os.path.join(tmp, "profile.json")
            profile(lambda: save(experiment, path), f"save, {middle} trials")
            profile(lambda: load(path), f"load, {middle} trials")
    return status


if __name__ == "__main__":
    sys.exit(main())
