"""The managed loop: ``optimize(...)`` and ``OptimizationLoop`` on Branin with a constraint.

Minimises the Branin function of ``x1 in [-5, 10]``, ``x2 in [0, 15]`` subject to the
linear parameter constraint ``x1 + x2 <= 10`` (which keeps two of Branin's three global
minimisers; the minimum is 0.397887). The loop owns the cycle: it proposes parameters
(Sobol first, then a Gaussian process), calls your evaluation function, records the result.

1. ``optimize(...)``: one call, 12 trials, returns the best point.
2. ``OptimizationLoop.with_evaluation_function(...)``: the same, step by step; 8 trials,
   then the loop's experiment is saved to JSON with ``ax.save`` and loaded back with
   ``ax.load`` (nothing lost); the loop itself is saved with ``save_to_json_file`` and
   ``OptimizationLoop.load_from_json_file`` continues it to 12 trials.

The evaluation function takes the parameters as a dict and may return a number (the
objective, its noise unknown), a ``(mean, sem)`` tuple, or ``{metric: (mean, sem)}``.

Usage:
    python examples/loop.py [--trials N] [--seed S]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import ax
from ax import OptimizationLoop, optimize
from ax.utils.measurement.synthetic_functions import branin

PARAMETERS = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]
CONSTRAINTS = ["x1 + x2 <= 10"]
BRANIN_MIN = 0.397887


def evaluate(parameters: dict[str, float]) -> tuple[float, float]:
    """Branin at the proposed point, as ``(mean, sem)``: noiseless, so the SEM is 0.

    Stand-in for your own training code: return your metric for these parameters.
    """
    return branin(parameters["x1"], parameters["x2"]), 0.0


def describe(parameters: dict) -> str:
    return ", ".join(f"{name}={value:.4f}" for name, value in parameters.items())


def check_feasible(parameters: dict, where: str) -> str | None:
    """A failure message if the best point breaks the constraint, else None."""
    total = parameters["x1"] + parameters["x2"]
    if total > 10.0 + 1e-9:
        return f"{where}: the best point {parameters} breaks x1 + x2 <= 10 (sum {total:.4f})"
    return None


def main(argv: list[str] | None = None) -> int:
    """Run both front doors, save and reload, and print the best points."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12, help="trials per run (default 12)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.trials < 9:
        parser.error("--trials must be at least 9 (5 Sobol trials, then the GP)")

    # 1. optimize(): build the experiment, run every trial, report the best point.
    start = time.perf_counter()
    best, (means, covariances), experiment, model = optimize(
        parameters=PARAMETERS,
        evaluation_function=evaluate,
        experiment_name="branin_optimize",
        objective_name="branin",
        minimize=True,
        parameter_constraints=CONSTRAINTS,
        total_trials=args.trials,
        random_seed=args.seed,
    )
    print(f"[optimize] {len(experiment.trials)} trials in {time.perf_counter() - start:.1f} s")
    print(f"[optimize] best parameters: {describe(best)}")
    sd = covariances["branin"]["branin"] ** 0.5
    print(
        f"[optimize] predicted branin = {means['branin']:.4f} +- {sd:.4f} "
        f"(known minimum {BRANIN_MIN}); model: {type(model).__name__}"
    )
    problem = check_feasible(best, "optimize")
    if problem:
        print(f"FAILED: {problem}")
        return 1

    # 2. OptimizationLoop: the same problem, run in two halves with a save in between.
    first_half = args.trials - 4
    loop = OptimizationLoop.with_evaluation_function(
        parameters=PARAMETERS,
        evaluation_function=evaluate,
        experiment_name="branin_loop",
        objective_name="branin",
        minimize=True,
        parameter_constraints=CONSTRAINTS,
        total_trials=first_half,
        random_seed=args.seed,
    )
    loop.full_run()
    print(f"[loop] ran {len(loop.experiment.trials)} trials")

    with tempfile.TemporaryDirectory() as tmp:
        # The experiment alone (parameters, trials, data): ax.save / ax.load.
        experiment_path = Path(tmp) / "branin_loop_experiment.json"
        ax.save(loop.experiment, str(experiment_path))
        loaded = ax.load(str(experiment_path))
        if loaded != loop.experiment:
            print(f"FAILED: the experiment loaded from {experiment_path} differs from the saved")
            return 1
        print(
            f"[loop] ax.save -> {experiment_path.name} ({experiment_path.stat().st_size:,} "
            f"bytes); ax.load gives an equal experiment with {len(loaded.trials)} trials"
        )

        # The experiment and the generation strategy together, to continue the run. The
        # evaluation function is code, not data: pass it again when loading.
        loop_path = Path(tmp) / "branin_loop.json"
        loop.save_to_json_file(str(loop_path))
        resumed = OptimizationLoop.load_from_json_file(
            str(loop_path), evaluation_function=evaluate, total_trials=args.trials
        )
        resumed.full_run()
    print(
        f"[loop] load_from_json_file continued to {len(resumed.experiment.trials)} trials "
        f"(total_trials={args.trials})"
    )
    best, (means, _) = resumed.get_best_point()
    print(f"[loop] best parameters: {describe(best)}; predicted branin = {means['branin']:.4f}")
    problem = check_feasible(best, "loop")
    if problem:
        print(f"FAILED: {problem}")
        return 1
    if len(resumed.experiment.trials) != args.trials:
        print(f"FAILED: expected {args.trials} trials, got {len(resumed.experiment.trials)}")
        return 1
    # Same seed, same problem: the run saved and resumed halfway proposes exactly the arms
    # of the uninterrupted optimize() run.
    same = [t.arm.parameters for t in resumed.experiment.trials.values()] == [
        t.arm.parameters for t in experiment.trials.values()
    ]
    print(f"[loop] same arms as the uninterrupted optimize() run: {same}")
    if not same:
        print("FAILED: the resumed loop did not continue the uninterrupted run's sequence")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
