"""CoCaBO-style mixed problems (Ru et al. 2020, Func2C and Func3C): ours alone.

A check on the categorical lengthscale prior (bench/README.md, suite "Ninth pass"): a
prior that correlates categories more could cost where the categories switch between
different functions. Each problem has two continuous inputs ``x`` on ``[-1, 1]`` and 2
(Func2C-style) or 3 (Func3C-style) three-valued choices; each choice adds one of
Rosenbrock / 300, the six-hump camel / 10 and Beale / 50 at ``2 x`` (the scalings of the
CoCaBO paper). The optimum is found once by a multi-start bounded search over every
category combination.

Runs go through ``bench/bo/suite_adapters.run_ours_suite`` (``choose_generation_strategy``
on the typed space, 50 evaluations). To compare two versions of ours, run this file from
a frozen worktree of each (``PYTHONPATH`` at that worktree) and pair the seeds.

Usage:
    python bench/bench_cocabo_style.py --choices 2 --seeds 40 > func2c.json

Prints one JSON object: per seed, the log10 regret after 10, 20, 30 and 50 evaluations.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bo.suite_adapters import load_suite, run_ours_suite  # noqa: E402

CHECKPOINTS = (10, 20, 30, 50)


def rosenbrock(X: np.ndarray) -> float:
    return float((100.0 * (X[1] - X[0] ** 2) ** 2 + (X[0] - 1.0) ** 2) / 300.0)


def six_hump_camel(X: np.ndarray) -> float:
    a, b = X
    return float(
        ((4.0 - 2.1 * a * a + a**4 / 3.0) * a * a + a * b + (-4.0 + 4.0 * b * b) * b * b) / 10.0
    )


def beale(X: np.ndarray) -> float:
    a, b = X / 2.0
    terms = (1.5 - a + a * b) ** 2 + (2.25 - a + a * b * b) ** 2 + (2.625 - a + a * b**3) ** 2
    return float(terms / 50.0)


FUNCTIONS: dict[str, Callable[[np.ndarray], float]] = {
    "rosenbrock": rosenbrock,
    "camel": six_hump_camel,
    "beale": beale,
}


def make_problem(n_choices: int) -> Any:
    """The Func{n}C-style problem as a suite ``SuiteProblem`` (optimum computed here)."""
    suite = load_suite()
    names = [f"h{i}" for i in range(1, n_choices + 1)]

    def value(p: Mapping[str, Any]) -> float:
        X = 2.0 * np.array([float(p["x1"]), float(p["x2"])])
        return sum(FUNCTIONS[str(p[h])](X) for h in names)

    from scipy.optimize import minimize

    fmin = math.inf
    starts = np.random.default_rng(0).uniform(-1.0, 1.0, (20, 2))
    for combo in itertools.product(FUNCTIONS, repeat=n_choices):

        def total(x: np.ndarray, combo: tuple[str, ...] = combo) -> float:
            return sum(FUNCTIONS[c](2.0 * x) for c in combo)

        for x0 in starts:
            fmin = min(fmin, float(minimize(total, x0, bounds=[(-1.0, 1.0)] * 2).fun))
    params = (suite.Param("x1", "float", -1.0, 1.0), suite.Param("x2", "float", -1.0, 1.0))
    params += tuple(suite.Param(h, "choice", values=tuple(FUNCTIONS)) for h in names)
    return suite.SuiteProblem(f"func{n_choices}c", "mixed", params, fmin, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--choices", type=int, choices=(2, 3), default=2)
    parser.add_argument("--seeds", type=int, default=40, help="seeds 0 .. N-1")
    parser.add_argument("--first-seed", type=int, default=0)
    args = parser.parse_args(argv)
    problem = make_problem(args.choices)
    out = {}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        trace = run_ours_suite(problem, seed, max(CHECKPOINTS))
        best = np.minimum.accumulate(np.asarray(trace.values, dtype=float))
        out[str(seed)] = [problem.log10_regret(float(best[k - 1])) for k in CHECKPOINTS]
        print(seed, [round(v, 3) for v in out[str(seed)]], file=sys.stderr, flush=True)
    json.dump(
        {"problem": problem.name, "fmin": problem.fmin, "log10_regret@10/20/30/50": out}, sys.stdout
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
