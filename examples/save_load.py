"""Build an experiment, save it to JSON, load it back and check that nothing was lost.

The experiment tunes a toy "model training" with five parameters (log-scale float, int,
float, choice and fixed) under a linear constraint; it maximises ``accuracy`` subject to
``latency_ms <= 50``. Six hand-picked trials run: five complete with data, one fails.

Usage:
    python examples/save_load.py [PATH]   # PATH defaults to a temporary file
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import ax
from ax import (
    Arm,
    ChoiceParameter,
    ComparisonOp,
    Data,
    Experiment,
    FixedParameter,
    Metric,
    Objective,
    OptimizationConfig,
    OutcomeConstraint,
    ParameterType,
    RangeParameter,
    SearchSpace,
    SumConstraint,
)

LATENCY_BOUND_MS = 50.0

# Parameters of the six trials; the last one "crashes" and is marked FAILED.
CANDIDATES: list[dict[str, str | int | float]] = [
    {"lr": 0.001, "layers": 2, "dropout": 0.10, "weight_decay": 0.01, "optimizer": "adam"},
    {"lr": 0.010, "layers": 4, "dropout": 0.20, "weight_decay": 0.05, "optimizer": "adam"},
    {"lr": 0.030, "layers": 6, "dropout": 0.30, "weight_decay": 0.10, "optimizer": "sgd"},
    {"lr": 0.003, "layers": 3, "dropout": 0.05, "weight_decay": 0.20, "optimizer": "rmsprop"},
    {"lr": 0.0003, "layers": 8, "dropout": 0.40, "weight_decay": 0.15, "optimizer": "sgd"},
    {"lr": 0.090, "layers": 1, "dropout": 0.00, "weight_decay": 0.00, "optimizer": "adam"},
]


def build_experiment() -> Experiment:
    """An experiment with a constrained search space, an outcome constraint and no trials."""
    dropout = RangeParameter("dropout", ParameterType.FLOAT, lower=0.0, upper=0.5)
    weight_decay = RangeParameter("weight_decay", ParameterType.FLOAT, lower=0.0, upper=0.3)
    search_space = SearchSpace(
        parameters=[
            RangeParameter("lr", ParameterType.FLOAT, lower=1e-4, upper=0.1, log_scale=True),
            RangeParameter("layers", ParameterType.INT, lower=1, upper=8),
            dropout,
            weight_decay,
            ChoiceParameter("optimizer", ParameterType.STRING, values=["adam", "sgd", "rmsprop"]),
            FixedParameter("batch_size", ParameterType.INT, value=64),
        ],
        # Not too much regularisation at once: dropout + weight_decay <= 0.6.
        parameter_constraints=[
            SumConstraint([dropout, weight_decay], is_upper_bound=True, bound=0.6)
        ],
    )
    optimization_config = OptimizationConfig(
        objective=Objective(Metric("accuracy", lower_is_better=False), minimize=False),
        outcome_constraints=[
            OutcomeConstraint(
                Metric("latency_ms", lower_is_better=True),
                ComparisonOp.LEQ,
                bound=LATENCY_BOUND_MS,
                relative=False,
            )
        ],
    )
    return Experiment(
        search_space=search_space,
        name="toy_training",
        optimization_config=optimization_config,
        description="Toy example: tune a model's training; see examples/save_load.py",
    )


def evaluate(parameters: dict[str, str | int | float]) -> dict[str, tuple[float, float]]:
    """A made-up, deterministic response surface: metric name -> (mean, sem)."""
    lr, layers = float(parameters["lr"]), int(parameters["layers"])
    dropout, decay = float(parameters["dropout"]), float(parameters["weight_decay"])
    bonus = {"adam": 0.03, "sgd": 0.0, "rmsprop": 0.015}[str(parameters["optimizer"])]
    accuracy = (
        0.9
        - 0.02 * (math.log10(lr) + 2.5) ** 2
        - 0.05 * (dropout - 0.2) ** 2
        - 0.1 * decay**2
        + 0.01 * layers
        + bonus
    )
    latency = 8.0 * layers + 4.0
    return {"accuracy": (accuracy, 0.005), "latency_ms": (latency, 0.5)}


def run_trials(experiment: Experiment) -> None:
    """Attach one trial per candidate; complete it with data, or fail the last one."""
    for i, parameters in enumerate(CANDIDATES):
        trial = experiment.new_trial().add_arm(Arm(parameters={**parameters, "batch_size": 64}))
        trial.mark_running(no_runner_required=True)
        if i == len(CANDIDATES) - 1:
            trial.mark_failed(reason="out of memory")
            continue
        arm_name = trial.arms[0].name
        experiment.attach_data(
            Data.from_evaluations({arm_name: evaluate(parameters)}, trial_index=trial.index)
        )
        trial.mark_completed()


def best_row(experiment: Experiment) -> dict[str, object]:
    """The feasible arm (latency within bound) with the highest mean accuracy."""
    df = experiment.lookup_data().df
    means = df.pivot_table(index="arm_name", columns="metric_name", values="mean")
    feasible = means[means["latency_ms"] <= LATENCY_BOUND_MS]
    arm_name = str(feasible["accuracy"].idxmax())
    arm = experiment.arms_by_name[arm_name]
    return {
        "arm": arm_name,
        "accuracy": round(float(feasible.loc[arm_name, "accuracy"]), 4),
        "latency_ms": round(float(feasible.loc[arm_name, "latency_ms"]), 1),
        "parameters": arm.parameters,
    }


def main(argv: list[str] | None = None) -> int:
    """Build, save, load, compare, and print a summary; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="where to write the JSON (default: temporary)")
    args = parser.parse_args(argv)

    experiment = build_experiment()
    run_trials(experiment)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.path) if args.path else Path(tmp) / "toy_training.json"
        ax.save(experiment, str(path))
        size = path.stat().st_size
        loaded = ax.load(str(path))

    if loaded != experiment:
        print(f"FAILED: the experiment loaded from {path} differs from the one saved")
        return 1

    statuses: dict[str, int] = {}
    for trial in loaded.trials.values():
        statuses[trial.status.name] = statuses.get(trial.status.name, 0) + 1
    where = path if args.path else f"{path} (temporary, removed; pass a path to keep it)"
    print(f"saved and loaded: {where}, {size:,} bytes")
    print(f"experiment '{loaded.name}': {len(loaded.trials)} trials {statuses}")
    print(f"round trip: loaded == saved: {loaded == experiment}")
    print(f"best feasible arm (latency_ms <= {LATENCY_BOUND_MS:g}): {best_row(loaded)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
