"""Large N (issue 10, item 2): the subset path's suggestions against the exact GP's.

Past ``fit_subset`` (256) observations the model fits its hyperparameters on a subset,
and past ``max_conditioning_points`` (800) it conditions on a subset too
(``BotorchModel``'s large-N path, named in each generator run's ``large_n`` metadata).
This asks whether that costs regret: on Hartmann6 (6-D, minimised, observed with noise
of sd 0.01) with ``N`` seeded uniform random observations, each path makes ``K``
sequential suggestions (each evaluated and added before the next) from the same data:

- ``subset``: the defaults;
- ``exact``: ``fit_subset`` and ``max_conditioning_points`` above ``N + K``, so the GP is
  fitted and conditioned on every observation (past 800 points the lean path declines,
  so this is BoTorch's own fit and ``qLogNoisyExpectedImprovement``).

With ``--y-transform power`` the observations first go through the default
single-objective GP's outcome map (``PowerTransformY``'s fitted Yeo-Johnson exponent,
refitted before every suggestion as the bridge does), then the standardisation; the
default ``standardize`` is the standardisation alone. Each transform's runs are stored
under their own key (``subset``, ``exact``; ``subset+power``, ``exact+power``).

Reported per path, over seeds: the median and quartiles of ``log10`` of the regret
(noise-free value minus the optimum -3.32237) of the best of the ``K`` suggested points,
and of the best point overall; the median wall and CPU time of a suggestion (fit + gen).
One process, one thread; seeds are paired (the same ``N`` points for both paths).

Usage:
    python bench/bench_large_n.py --n 1000 --k 10 --seeds 10
    python bench/bench_large_n.py --n 1000 --k 10 --seeds 10 --y-transform power
    python bench/bench_large_n.py --table

Results merge into ``bench/results/large_n_latest.json`` (per ``N``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__":
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "large_n_latest.json"
FMIN = -3.32237
NOISE_SD = 0.01
PATHS = ("subset", "exact")
Y_TRANSFORMS = ("standardize", "power")


def model_outcomes(y: Any, y_transform: str) -> Any:
    """The `n` observations ``y`` as the model sees them: negated (the model maximises),
    after the power transform if ``y_transform == "power"``, standardised."""
    import numpy as np

    from ax.modelbridge.transforms.power_transform_y import fit_yeo_johnson

    t = np.asarray(y, dtype=float)
    if y_transform == "power":
        t = fit_yeo_johnson(t).forward(t)
    return -(t - t.mean()) / t.std()


def run_path(
    path: str, n: int, k: int, seed: int, y_transform: str = "standardize"
) -> dict[str, Any]:
    """``k`` sequential suggestions of one path from ``n`` seeded random observations."""
    import numpy as np

    from ax.benchmark.suite import hartmann6
    from ax.models.torch.botorch_model import BotorchModel

    rng = np.random.default_rng(seed)
    X = rng.random((n, 6))
    f = hartmann6(X)
    noise = np.random.default_rng(10_000 + seed)
    y = f + NOISE_SD * noise.standard_normal(n)
    big = n + k + 1
    options = {} if path == "subset" else {"fit_subset": big, "max_conditioning_points": big}
    model = BotorchModel(seed=seed, **options)
    new_f: list[float] = []
    wall: list[float] = []
    cpu: list[float] = []
    large_n = None
    for _ in range(k):
        c0, t0 = time.process_time(), time.perf_counter()
        model.fit(
            [X],
            [model_outcomes(y, y_transform)],
            [np.full(X.shape[0], np.nan)],
            bounds=[(0.0, 1.0)] * 6,
            feature_names=list("abcdef"),
            metric_names=["m"],
        )
        points, _, meta, _ = model.gen(1, [(0.0, 1.0)] * 6, np.array([1.0]))
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        large_n = meta.get("large_n")
        x = points[0]
        fx = float(hartmann6(x.reshape(1, -1))[0])
        new_f.append(fx)
        X = np.vstack([X, x])
        f = np.append(f, fx)
        y = np.append(y, fx + NOISE_SD * noise.standard_normal())
    return {
        "seed": seed,
        "best_new_regret": math.log10(max(min(new_f) - FMIN, 1e-12)),
        "best_regret": math.log10(max(float(f.min()) - FMIN, 1e-12)),
        "random_best_regret": math.log10(max(float(f[:n].min()) - FMIN, 1e-12)),
        "suggest_wall_s": wall,
        "suggest_cpu_s": cpu,
        "large_n": large_n,
    }


def key(path: str, y_transform: str) -> str:
    """Where a path's runs are stored: ``"subset"``, or ``"subset+power"``."""
    return path if y_transform == "standardize" else f"{path}+power"


def _quartiles(values: list[float]) -> list[float]:
    if len(values) < 2:
        return [values[0], values[0], values[0]]
    q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return [med, q1, q3]


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median [q1, q3] of the regrets; median suggestion times (the first left out)."""
    return {
        "seeds": [r["seed"] for r in runs],
        "best_new_regret": _quartiles([r["best_new_regret"] for r in runs]),
        "best_regret": _quartiles([r["best_regret"] for r in runs]),
        "random_best_regret": _quartiles([r["random_best_regret"] for r in runs]),
        "suggest_wall_s": statistics.median([t for r in runs for t in r["suggest_wall_s"][1:]]),
        "suggest_cpu_s": statistics.median([t for r in runs for t in r["suggest_cpu_s"][1:]]),
        "large_n": runs[-1]["large_n"],
    }


def table(store: dict[str, Any]) -> str:
    """Markdown table of the stored results."""
    lines = [
        "| N | K | path | seeds | best of the K suggestions: log10 regret, median [q1, q3] "
        "| best overall | suggestion wall (s) | suggestion CPU (s) | large_n |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n in sorted(store, key=int):
        entry = store[n]
        for path in [key(p, t) for t in Y_TRANSFORMS for p in PATHS]:
            if path not in entry:
                continue
            s = entry[path]["summary"]
            fmt = "{:.2f} [{:.2f}, {:.2f}]".format
            lines.append(
                f"| {int(n):,} | {entry['k']} | {path} | {len(s['seeds'])} "
                f"| {fmt(*s['best_new_regret'])} | {fmt(*s['best_regret'])} "
                f"| {s['suggest_wall_s']:.2f} | {s['suggest_cpu_s']:.2f} "
                f"| {json.dumps(s['large_n']) if s['large_n'] else 'exact'} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--y-transform", choices=Y_TRANSFORMS, default="standardize")
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args(argv)
    store = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if args.table:
        print(table(store))
        return 0
    paths = [p for p in args.paths.split(",") if p]
    unknown = [p for p in paths if p not in PATHS]
    if unknown:
        parser.error(f"unknown paths {unknown}; known: {list(PATHS)}")
    import torch

    torch.set_num_threads(1)
    entry = store.setdefault(str(args.n), {})
    entry["k"] = args.k
    for path in paths:
        runs = []
        for seed in range(args.seeds):
            run = run_path(path, args.n, args.k, seed, args.y_transform)
            print(
                f"{key(path, args.y_transform)} N={args.n} seed {seed}: "
                f"best new {run['best_new_regret']:.2f}, "
                f"suggestion {statistics.median(run['suggest_wall_s']):.2f} s",
                file=sys.stderr,
                flush=True,
            )
            runs.append(run)
        entry[key(path, args.y_transform)] = {
            "runs": runs,
            "summary": summarise(runs),
            "loadavg_end": os.getloadavg(),
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(store, indent=1))
    print(table(store))
    return 0


if __name__ == "__main__":
    sys.exit(main())
