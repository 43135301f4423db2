"""The developer API: an experiment built by hand, a generation strategy, save and resume.

Nothing runs your function for you here: you build the ``SearchSpace``, the
``OptimizationConfig`` and the ``Experiment`` yourself, ask a ``GenerationStrategy`` for
each trial's arm, evaluate it, and attach the result as ``Data`` on the experiment.

1. An experiment tunes a toy "training" (log-scale ``lr``, integer ``layers``, ``dropout``
   and a choice of ``optimizer``), maximising ``accuracy`` subject to
   ``latency_ms <= 40``.
2. A strategy of 5 Sobol trials, then the GP (``Models.GPEI``), both seeded. (Or let
   ``choose_generation_strategy(search_space, random_seed=0)`` pick one; it is printed.)
3. 3 trials, then ``save_experiment_and_generation_strategy`` writes both to one JSON file,
   in the middle of the Sobol step.
4. ``load_experiment_and_generation_strategy`` reads them back, and 7 more trials run: the
   Sobol step continues the same sequence (checked against an uninterrupted run), then
   the GP takes over.

Each trial records ``{metric: (mean, sem)}``. Keep one convention per metric: SEMs known
on every trial (as here), or ``None`` (unknown) on every trial.

Usage:
    python examples/developer.py [PATH] [--seed S]   # PATH: default a temporary file
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

from ax import (
    ChoiceParameter,
    ComparisonOp,
    Data,
    Experiment,
    GenerationStep,
    GenerationStrategy,
    Metric,
    Models,
    Objective,
    OptimizationConfig,
    OutcomeConstraint,
    ParameterType,
    RangeParameter,
    SearchSpace,
)
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.storage.json_store.generation_strategy import (
    load_experiment_and_generation_strategy,
    save_experiment_and_generation_strategy,
)

LATENCY_BOUND_MS = 40.0
SOBOL_TRIALS = 5
BEFORE_SAVE, AFTER_SAVE = 3, 7


def build_experiment() -> Experiment:
    """The search space, the objective and the outcome constraint, by hand."""
    search_space = SearchSpace(
        parameters=[
            RangeParameter("lr", ParameterType.FLOAT, lower=1e-4, upper=0.1, log_scale=True),
            RangeParameter("layers", ParameterType.INT, lower=1, upper=8),
            RangeParameter("dropout", ParameterType.FLOAT, lower=0.0, upper=0.5),
            ChoiceParameter("optimizer", ParameterType.STRING, values=["adam", "sgd"]),
        ]
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
        name="developer_api",
        optimization_config=optimization_config,
    )


def build_strategy(seed: int) -> GenerationStrategy:
    """Sobol for the first trials, then the GP; every step seeded."""
    return GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=SOBOL_TRIALS, model_kwargs={"seed": seed}),
            GenerationStep(Models.GPEI, num_trials=-1, model_kwargs={"seed": seed}),
        ]
    )


def train_and_measure(parameters: dict) -> dict[str, tuple[float, float]]:
    """A made-up, deterministic response: ``{metric: (mean, sem)}``.

    Stand-in for your own training code.
    """
    lr, layers = parameters["lr"], parameters["layers"]
    dropout, optimizer = parameters["dropout"], parameters["optimizer"]
    accuracy = (
        0.9
        - 0.02 * (math.log10(lr) + 2.5) ** 2
        + 0.01 * layers
        - 0.2 * (dropout - 0.2) ** 2
        + (0.02 if optimizer == "adam" else 0.0)
    )
    latency_ms = 8.0 * layers + 4.0
    return {"accuracy": (accuracy, 0.005), "latency_ms": (latency_ms, 0.5)}


def run_trials(
    experiment: Experiment, strategy: GenerationStrategy, n: int, verbose: bool = True
) -> None:
    """Ask the strategy for one arm at a time, evaluate it, attach its data."""
    for _ in range(n):
        generator_run = strategy.gen(experiment)
        trial = experiment.new_trial(generator_run=generator_run)
        # Evaluated here, not deployed by a Runner: no runner is needed.
        trial.mark_running(no_runner_required=True)
        results = train_and_measure(trial.arm.parameters)
        experiment.attach_data(Data.from_evaluations({trial.arm.name: results}, trial.index))
        trial.mark_completed()
        if verbose:
            shown = {
                k: round(v, 4) if isinstance(v, float) else v
                for k, v in trial.arm.parameters.items()
            }
            print(
                f"  trial {trial.index} ({generator_run.model_key}): {shown} -> "
                f"accuracy {results['accuracy'][0]:.4f}, latency {results['latency_ms'][0]:g} ms"
            )


def main(argv: list[str] | None = None) -> int:
    """Build, run, save mid-Sobol, load, continue; check the Sobol sequence resumed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", help="JSON file to write (default: temporary)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)

    experiment = build_experiment()
    print(
        f"choose_generation_strategy would pick: "
        f"{choose_generation_strategy(experiment.search_space, random_seed=args.seed)}"
    )
    strategy = build_strategy(args.seed)
    print(f"using: {strategy}")

    print(f"running {BEFORE_SAVE} trials:")
    run_trials(experiment, strategy, BEFORE_SAVE)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.path) if args.path else Path(tmp) / "developer_api.json"
        save_experiment_and_generation_strategy(experiment, strategy, str(path))
        print(f"saved experiment and strategy to {path} ({path.stat().st_size:,} bytes)")
        loaded, loaded_strategy = load_experiment_and_generation_strategy(str(path))
    if loaded_strategy is None:
        print(f"FAILED: {path} holds no generation strategy")
        return 1
    if loaded != experiment:
        print("FAILED: the loaded experiment differs from the saved one")
        return 1
    print(
        f"loaded {len(loaded.trials)} trials; strategy at step "
        f"{loaded_strategy.current_step_index} ({loaded_strategy.current_step})"
    )

    print(f"running {AFTER_SAVE} more trials on the loaded experiment:")
    run_trials(loaded, loaded_strategy, AFTER_SAVE)

    # An uninterrupted run of the Sobol step, for comparison: same seed, same arms.
    reference = build_experiment()
    run_trials(reference, build_strategy(args.seed), SOBOL_TRIALS, verbose=False)
    resumed_sobol = [loaded.trials[i].arm.parameters for i in range(SOBOL_TRIALS)]
    reference_sobol = [reference.trials[i].arm.parameters for i in range(SOBOL_TRIALS)]
    same = resumed_sobol == reference_sobol
    print(f"Sobol arms across the save/load equal an uninterrupted run's: {same}")
    if not same:
        print("FAILED: the loaded strategy did not continue the same Sobol sequence")
        return 1

    models = [loaded.trials[i].generator_run.model_key for i in sorted(loaded.trials)]
    if models.count("GPEI") != BEFORE_SAVE + AFTER_SAVE - SOBOL_TRIALS:
        print(f"FAILED: expected the GP after {SOBOL_TRIALS} Sobol trials, got {models}")
        return 1

    # The best observed arm that meets the outcome constraint.
    means = loaded.lookup_data().df.pivot_table(
        index="arm_name", columns="metric_name", values="mean"
    )
    feasible = means[means["latency_ms"] <= LATENCY_BOUND_MS]
    if feasible.empty:
        print(f"FAILED: no arm met latency_ms <= {LATENCY_BOUND_MS:g}")
        return 1
    best_arm = str(feasible["accuracy"].idxmax())
    print(
        f"best feasible arm {best_arm}: {loaded.arms_by_name[best_arm].parameters}, "
        f"accuracy {feasible.loc[best_arm, 'accuracy']:.4f}, "
        f"latency {feasible.loc[best_arm, 'latency_ms']:g} ms"
    )
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
