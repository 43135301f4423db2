"""Builders of core objects for tests: small, deterministic, and covering every kind.

:func:`get_experiment_with_everything` returns an experiment that holds at least one of
each kind of core object and state (all parameter kinds and options, all constraint
kinds, outcome constraints, tracking metrics, a runner, a status quo, trials and batch
trials in every status, TTLs, abandoned arms, a status-quo weight override, run
metadata, generator runs with model predictions and metadata, and data with several
versions per trial and optional columns). Storage round-trip tests use it to check that
nothing is lost.

Example:
    >>> experiment = get_experiment_with_everything()
    >>> sorted({t.status.name for t in experiment.trials.values()})
    ['ABANDONED', 'CANDIDATE', 'COMPLETED', 'FAILED', 'RUNNING', 'STAGED']
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import (
    OrderConstraint,
    ParameterConstraint,
    SumConstraint,
)
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import ComparisonOp, ParameterType
from ax.runners.synthetic import SyntheticRunner

_T0 = datetime(2024, 1, 2, 3, 4, 5, 123456)
_MS0 = 1_704_164_645_000  # 2024-01-02 03:04:05 UTC in ms


def get_parameters() -> List[Parameter]:
    """One parameter of every kind and option.

    Returns:
        ``x`` (float), ``y`` (float), ``lr`` (log-scale float), ``rounded`` (float with
        digits), ``depth`` (int), ``fidelity`` (fidelity float with target), ``opt``
        (string choice), ``layers`` (ordered int choice), ``task`` (task choice),
        ``flag`` (bool choice), ``mode`` (fixed string), ``seed`` (fixed int).
    """
    return [
        RangeParameter("x", ParameterType.FLOAT, lower=0.0, upper=1.0),
        RangeParameter("y", ParameterType.FLOAT, lower=-1.0, upper=2.0),
        RangeParameter("lr", ParameterType.FLOAT, lower=1e-5, upper=0.1, log_scale=True),
        RangeParameter("rounded", ParameterType.FLOAT, lower=0.0, upper=10.0, digits=2),
        RangeParameter("depth", ParameterType.INT, lower=1, upper=8),
        RangeParameter(
            "fidelity", ParameterType.FLOAT, 0.1, 1.0, is_fidelity=True, target_value=1.0
        ),
        ChoiceParameter("opt", ParameterType.STRING, values=["adam", "sgd", "rmsprop"]),
        ChoiceParameter("layers", ParameterType.INT, values=[1, 2, 4], is_ordered=True),
        ChoiceParameter("task", ParameterType.STRING, values=["t1", "t2"], is_task=True),
        ChoiceParameter("flag", ParameterType.BOOL, values=[False, True]),
        FixedParameter("mode", ParameterType.STRING, value="fast"),
        FixedParameter("seed", ParameterType.INT, value=7),
    ]


def get_search_space() -> SearchSpace:
    """The parameters of :func:`get_parameters` with all three constraint kinds."""
    parameters = get_parameters()
    by_name = {p.name: p for p in parameters}
    constraints = [
        ParameterConstraint({"x": 1.0, "y": 0.5}, bound=2.0),
        OrderConstraint(by_name["x"], by_name["y"]),
        SumConstraint([by_name["x"], by_name["y"]], is_upper_bound=False, bound=-0.5),
    ]
    return SearchSpace(parameters, constraints)


def get_arm(i: int = 0, name: Optional[str] = None) -> Arm:
    """A valid arm of :func:`get_search_space`, different for each ``i``."""
    return Arm(
        {
            "x": round(0.1 + 0.01 * i, 6),
            "y": 0.9,
            "lr": 0.001,
            "rounded": 1.25,
            "depth": 1 + i % 8,
            "fidelity": 1.0,
            "opt": ["adam", "sgd", "rmsprop"][i % 3],
            "layers": [1, 2, 4][i % 3],
            "task": "t1",
            "flag": bool(i % 2),
            "mode": "fast",
            "seed": 7,
        },
        name=name,
    )


def get_optimization_config() -> OptimizationConfig:
    """An objective plus a lower/upper constraint pair and a relative constraint."""
    return OptimizationConfig(
        objective=Objective(Metric("accuracy", lower_is_better=False), minimize=False),
        outcome_constraints=[
            OutcomeConstraint(Metric("latency"), ComparisonOp.LEQ, 50.0, relative=False),
            OutcomeConstraint(Metric("latency"), ComparisonOp.GEQ, 1.0, relative=False),
            OutcomeConstraint(Metric("cost"), ComparisonOp.LEQ, -5.0, relative=True),
        ],
    )


def get_generator_run(
    experiment: Experiment, arms: List[Arm], with_model_output: bool = True
) -> GeneratorRun:
    """A generator run on the experiment's own search space and optimization config.

    With ``with_model_output`` it carries predictions (including NaN and infinite
    values), best-arm predictions, model kwargs, metadata and candidate metadata.
    """
    if not with_model_output:
        return GeneratorRun(arms=arms, search_space=experiment.search_space, type="MANUAL")
    n = len(arms)
    means = {"accuracy": [0.5 + 0.1 * i for i in range(n)], "latency": [float("nan")] * n}
    covariances = {
        "accuracy": {"accuracy": [0.01] * n, "latency": [0.0] * n},
        "latency": {"accuracy": [0.0] * n, "latency": [float("inf")] * n},
    }
    return GeneratorRun(
        arms=arms,
        weights=[1.0 + i for i in range(n)],
        optimization_config=experiment.optimization_config,
        search_space=experiment.search_space,
        model_predictions=(means, covariances),
        best_arm_predictions=(
            arms[0].clone(),
            ({"accuracy": 0.7}, {"accuracy": {"accuracy": 0.1}}),
        ),
        fit_time=0.25,
        gen_time=0.125,
        model_key="GPEI",
        model_kwargs={"num_restarts": 4, "acqf": ("qNEI", 2)},
        bridge_kwargs={"transforms": ["UnitX", "StandardizeY"], "torch_dtype": None},
        gen_metadata={"score": float("nan"), "bound": float("-inf"), "nested": {"k": [1, 2.5]}},
        model_state_after_gen={"seed": 3, "generated": n, "when": _T0},
        generation_step_index=1,
        candidate_metadata_by_arm_signature={arms[0].signature: {"acqf_value": 0.5, "note": None}},
    )


def _data(trial_index: int, arm_names: List[str], offset: float, **options: object) -> Data:
    evaluations = {
        name: {"accuracy": (offset + i, 0.1), "latency": (10.0 + i, None)}
        for i, name in enumerate(arm_names)
    }
    return Data.from_evaluations(evaluations, trial_index, **options)  # type: ignore[arg-type]


def get_experiment_with_everything() -> Experiment:
    """An experiment with every kind of core object and trial state (see module docs)."""
    experiment = Experiment(
        search_space=get_search_space(),
        name="everything",
        optimization_config=get_optimization_config(),
        tracking_metrics=[Metric("memory", lower_is_better=True), Metric("notes")],
        runner=SyntheticRunner(dummy_metadata={"cluster": "local", "slots": 2}),
        status_quo=get_arm(99),
        description="every kind of object",
        is_test=True,
        experiment_type="unit-test",
    )
    # 0: CANDIDATE trial with a manual arm.
    experiment.new_trial().add_arm(get_arm(0))
    # 1: STAGED trial (runner set on the trial) with model output.
    staged = experiment.new_trial(generator_run=get_generator_run(experiment, [get_arm(1)]))
    staged.runner = experiment.runner
    staged.mark_staged()
    # 2: RUNNING trial with a (long) TTL, run through the runner.
    running = experiment.new_trial(ttl_seconds=10**6).add_arm(get_arm(2))
    running.run()
    running.update_run_metadata({"job_id": 42, "score": float("nan")})
    # 3: COMPLETED trial with two data versions.
    completed = experiment.new_trial(
        generator_run=get_generator_run(experiment, [get_arm(3)], with_model_output=False)
    )
    completed.mark_running(no_runner_required=True).mark_completed()
    # 4: FAILED trial.
    failed = experiment.new_trial().add_arm(get_arm(4))
    failed.mark_running(no_runner_required=True)
    failed.mark_failed(reason="out of memory")
    # 5: ABANDONED trial.
    experiment.new_trial().add_arm(get_arm(5)).mark_abandoned(reason="duplicate")
    # 6: COMPLETED batch with two generator runs, a status quo weight override, an
    #    abandoned arm and a multiplier.
    batch = experiment.new_batch_trial()
    batch.add_generator_run(get_generator_run(experiment, [get_arm(6), get_arm(7)]), 2.0)
    batch.add_arms_and_weights([get_arm(8), get_arm(0)], [1.0, 3.0])
    batch.set_status_quo_with_weight(experiment.status_quo, 1.5)  # type: ignore[arg-type]
    batch.mark_arm_abandoned(batch.arms[1].name, reason="unsafe")
    batch.run()
    batch.mark_completed()
    # 7: CANDIDATE batch that optimises for power, with a TTL.
    power = experiment.new_batch_trial(optimize_for_power=True, ttl_seconds=3600)
    power.add_arm(get_arm(9), weight=4.0)
    # 8: ABANDONED batch whose own status quo was set and then unset (an "extra" arm).
    abandoned = experiment.new_batch_trial()
    abandoned.add_arm(get_arm(10))
    abandoned.set_status_quo_with_weight(get_arm(11), 2.0)
    abandoned.unset_status_quo()
    abandoned.mark_arm_abandoned(abandoned.arms[0].name)
    abandoned.mark_abandoned()
    # Data: several versions for trial 3 (optional columns in one), one for the batch.
    experiment.attach_data(_data(3, [completed.arm.name], 1.0))  # type: ignore[union-attr]
    experiment.attach_data(
        _data(
            3,
            [completed.arm.name],  # type: ignore[union-attr]
            2.0,
            sample_sizes={completed.arm.name: 100},  # type: ignore[union-attr]
            start_time=_MS0,
            end_time=_MS0 + 60_000,
        )
    )
    experiment.attach_data(_data(6, [a.name for a in batch.arms], 3.0))
    experiment.attach_data(_data(2, [running.arm.name], 0.5))  # type: ignore[union-attr]
    return experiment


def get_simple_experiment() -> SimpleExperiment:
    """A SimpleExperiment with a quadratic evaluation function and two evaluated trials."""

    def evaluate(parameters: Dict[str, Any]) -> Tuple[float, float]:
        return ((parameters["x"] - 0.3) ** 2, 0.0)

    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b"]),
        ]
    )
    experiment = SimpleExperiment(
        search_space=space,
        name="simple",
        objective_name="loss",
        evaluation_function=evaluate,
        minimize=True,
        status_quo=Arm({"x": 0.5, "c": "a"}),
    )
    experiment.new_trial().add_arm(Arm({"x": 0.25, "c": "b"}))
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm({"x": 0.75, "c": "a"}), Arm({"x": 0.1, "c": "b"})])
    experiment.eval()
    return experiment


def get_experiment_with_trials(
    num_trials: int, seed: int = 0, num_parameters: int = 6
) -> Experiment:
    """A benchmark-like experiment: ``num_trials`` COMPLETED single-arm trials.

    Each trial has a generator run on the experiment's own search space (random arms in
    ``[0, 1]^num_parameters``) and data for two metrics attached at its own time.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    space = SearchSpace(
        [RangeParameter(f"x{i}", ParameterType.FLOAT, 0.0, 1.0) for i in range(num_parameters)]
    )
    experiment = Experiment(
        search_space=space,
        name=f"bench_{num_trials}",
        optimization_config=OptimizationConfig(Objective(Metric("f"), minimize=True)),
        tracking_metrics=[Metric("g")],
    )
    points = rng.random((num_trials, num_parameters))
    for row in points.tolist():
        arm = Arm({f"x{i}": v for i, v in enumerate(row)})
        gr = GeneratorRun(
            arms=[arm], search_space=experiment.search_space, model_key="Sobol", gen_time=0.001
        )
        trial = experiment.new_trial(generator_run=gr)
        trial.mark_running(no_runner_required=True).mark_completed()
        value = float(sum(row))
        experiment.attach_data(
            Data.from_evaluations(
                {arm.name: {"f": (value, 0.1), "g": (value * 2.0, None)}}, trial.index
            )
        )
    return experiment


__all__ = [
    "get_arm",
    "get_experiment_with_everything",
    "get_experiment_with_trials",
    "get_generator_run",
    "get_optimization_config",
    "get_parameters",
    "get_search_space",
    "get_simple_experiment",
]
