"""Adapters of the problem-class suite: typed inputs, noisy observations, outcome constraints.

The suite's problems come from ``ax/benchmark/suite.py``, loaded by file path
(:func:`load_suite`) so that the module also loads in a peer's virtualenv, where ``ax`` is
ax-platform. Each adapter ``adapter(problem, seed, n_evals) -> Trace`` (the
:class:`~bo.adapters.Trace` of ``bench_bo``) gives its library the problem's parameters
with their types (float, int, unordered choice), reports the noisy observation (and the
constraint values, ``<= 0`` feasible), and records the problem's *score* of each evaluated
point: its noise-free value when feasible, ``inf`` otherwise. The timed part is the same
as in ``bo.adapters``: the call that produces the next point.
"""

from __future__ import annotations

import importlib.util
import math
import sys
import time
import warnings
from types import ModuleType
from typing import Any

import numpy as np

from bo.adapters import REPO_ROOT, Adapter, Trace, _is_model_based, _require_ax, ask_ax_platform

SUITE_FILE = REPO_ROOT / "ax" / "benchmark" / "suite.py"


def load_suite() -> ModuleType:
    """``ax/benchmark/suite.py`` as a standalone module (``bench_suite_problems``)."""
    name = "bench_suite_problems"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SUITE_FILE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {SUITE_FILE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _noise_rng(seed: int) -> np.random.Generator:
    """The observation noise stream of a run (the same for every optimiser: paired)."""
    return np.random.default_rng([seed, 12345])


# ------------------------------------------------------------------------ ours
def run_ours_suite(problem: Any, seed: int, n_evals: int) -> Trace:
    """``choose_generation_strategy(search_space, random_seed=seed)`` on the typed space.

    Noisy problems are reported without a standard error (the model infers the noise);
    constraints become outcome constraints ``c_i <= 0``.
    """
    import ax
    from ax.core.data import Data
    from ax.core.experiment import Experiment
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.parameter import ChoiceParameter, ParameterType, RangeParameter
    from ax.core.search_space import SearchSpace
    from ax.core.types import ComparisonOp
    from ax.modelbridge.dispatch_utils import choose_generation_strategy

    _require_ax(ax, ours=True)
    parameters: list[Any] = []
    for p in problem.params:
        if p.kind == "choice":
            parameters.append(ChoiceParameter(p.name, ParameterType.STRING, list(p.values)))
        elif p.kind == "int":
            parameters.append(RangeParameter(p.name, ParameterType.INT, int(p.lower), int(p.upper)))
        else:
            parameters.append(RangeParameter(p.name, ParameterType.FLOAT, p.lower, p.upper))
    space = SearchSpace(parameters)
    names = [f"c{i}" for i in range(len(problem.constraints))]
    config = OptimizationConfig(
        Objective(Metric("objective"), minimize=True),
        [OutcomeConstraint(Metric(n), ComparisonOp.LEQ, 0.0, relative=False) for n in names],
    )
    experiment = Experiment(space, name=f"suite_{problem.name}_{seed}", optimization_config=config)
    gs = choose_generation_strategy(space, random_seed=seed)
    rng = _noise_rng(seed)
    sem = None if problem.noise_sd else 0.0
    trace = Trace()
    for _ in range(n_evals):
        start = time.perf_counter()
        gr = gs.gen(experiment=experiment, n=1)
        seconds = time.perf_counter() - start
        trial = experiment.new_trial(generator_run=gr)
        trial.mark_running(no_runner_required=True)
        arm = trial.arm
        assert arm is not None
        y, cs = problem.observe(arm.parameters, rng)
        results = {"objective": (y, sem), **{n: (c, sem) for n, c in zip(names, cs)}}
        experiment.attach_data(Data.from_evaluations({arm.name: results}, trial.index))
        trial.mark_completed()
        trace.record(problem.score(arm.parameters), seconds, _is_model_based(gr))
    return trace


# ------------------------------------------------------------------------ ax-platform
def run_ax_platform_suite(problem: Any, seed: int, n_evals: int) -> Trace:
    """ax-platform 1.3.1's ``Client(random_seed=seed)`` on the typed space."""
    import ax
    from ax.api.client import Client
    from ax.api.configs import ChoiceParameterConfig, RangeParameterConfig

    _require_ax(ax, ours=False)
    client = Client(random_seed=seed)
    parameters: list[Any] = []
    for p in problem.params:
        if p.kind == "choice":
            parameters.append(
                ChoiceParameterConfig(
                    name=p.name, parameter_type="str", values=list(p.values), is_ordered=False
                )
            )
        else:
            kind = "int" if p.kind == "int" else "float"
            cast = int if p.kind == "int" else float
            parameters.append(
                RangeParameterConfig(
                    name=p.name, parameter_type=kind, bounds=(cast(p.lower), cast(p.upper))
                )
            )
    client.configure_experiment(parameters=parameters, name=f"suite_{problem.name}_{seed}")
    names = [f"c{i}" for i in range(len(problem.constraints))]
    client.configure_optimization(
        objective="-objective", outcome_constraints=[f"{n} <= 0" for n in names] or None
    )
    rng = _noise_rng(seed)
    trace = Trace()
    for _ in range(n_evals):
        index, params, seconds, model_based = ask_ax_platform(client)
        y, cs = problem.observe(params, rng)
        # "-objective" above: ax-platform minimises the reported "objective".
        client.complete_trial(trial_index=index, raw_data={"objective": y, **dict(zip(names, cs))})
        trace.record(problem.score(params), seconds, model_based)
    return trace


# ------------------------------------------------------------------------ optuna
def _run_optuna_suite(problem: Any, sampler_factory: Any, seed: int, n_evals: int) -> Trace:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names = [f"c{i}" for i in range(len(problem.constraints))]

    def constraints_func(trial: Any) -> list[float]:
        return list(trial.user_attrs.get("constraints", [0.0] * len(names)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = sampler_factory(seed, constraints_func if names else None)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        n_startup = int(getattr(sampler, "_n_startup_trials", 10))
        rng = _noise_rng(seed)
        trace = Trace()
        for i in range(n_evals):
            start = time.perf_counter()
            trial = study.ask()
            params: dict[str, Any] = {}
            for p in problem.params:
                if p.kind == "choice":
                    params[p.name] = trial.suggest_categorical(p.name, list(p.values))
                elif p.kind == "int":
                    params[p.name] = trial.suggest_int(p.name, int(p.lower), int(p.upper))
                else:
                    params[p.name] = trial.suggest_float(p.name, p.lower, p.upper)
            seconds = time.perf_counter() - start
            y, cs = problem.observe(params, rng)
            trial.set_user_attr("constraints", cs)
            study.tell(trial, y)
            trace.record(problem.score(params), seconds, i >= n_startup)
    return trace


def run_optuna_gp_suite(problem: Any, seed: int, n_evals: int) -> Trace:
    """Optuna's ``GPSampler(seed=seed)`` (with ``constraints_func`` when constrained)."""
    import optuna

    def make(seed: int, constraints: Any) -> Any:
        kwargs = {"constraints_func": constraints} if constraints else {}
        return optuna.samplers.GPSampler(seed=seed, **kwargs)

    return _run_optuna_suite(problem, make, seed, n_evals)


def run_optuna_tpe_suite(problem: Any, seed: int, n_evals: int) -> Trace:
    """Optuna's ``TPESampler(seed=seed)`` (with ``constraints_func`` when constrained)."""
    import optuna

    def make(seed: int, constraints: Any) -> Any:
        kwargs = {"constraints_func": constraints} if constraints else {}
        return optuna.samplers.TPESampler(seed=seed, **kwargs)

    return _run_optuna_suite(problem, make, seed, n_evals)


# ------------------------------------------------------------------------ HEBO
def run_hebo_suite(problem: Any, seed: int, n_evals: int) -> Trace:
    """HEBO's ``HEBO(space, rand_sample=None, scramble_seed=seed)`` (its default design:
    ``1 + d`` quasi-random points, then its GP with MACE); constraints are not given to
    HEBO (it takes none), so an infeasible point is reported with a penalty (its value
    plus 10 times the total violation)."""
    from hebo.design_space.design_space import DesignSpace
    from hebo.optimizers.hebo import HEBO

    np.random.seed(seed)  # HEBO draws from numpy's global stream
    spec: list[dict[str, Any]] = []
    for p in problem.params:
        if p.kind == "choice":
            spec.append({"name": p.name, "type": "cat", "categories": list(p.values)})
        elif p.kind == "int":
            spec.append({"name": p.name, "type": "int", "lb": int(p.lower), "ub": int(p.upper)})
        else:
            spec.append({"name": p.name, "type": "num", "lb": p.lower, "ub": p.upper})
    optimizer = HEBO(DesignSpace().parse(spec), scramble_seed=seed)
    n_init = int(getattr(optimizer, "rand_sample", 0) or 0)
    rng = _noise_rng(seed)
    trace = Trace()
    for i in range(n_evals):
        start = time.perf_counter()
        rec = optimizer.suggest(n_suggestions=1)
        seconds = time.perf_counter() - start
        params = {
            p.name: (int(rec[p.name].iloc[0]) if p.kind == "int" else rec[p.name].iloc[0])
            for p in problem.params
        }
        y, cs = problem.observe(params, rng)
        y += 10.0 * sum(max(0.0, c) for c in cs)
        optimizer.observe(rec, np.array([[y]]))
        trace.record(problem.score(params), seconds, i >= n_init)
    return trace


SUITE_ADAPTERS: dict[str, Adapter] = {
    "ours": run_ours_suite,
    "ax_platform": run_ax_platform_suite,
    "optuna_gp": run_optuna_gp_suite,
    "optuna_tpe": run_optuna_tpe_suite,
    "hebo": run_hebo_suite,
}
"""The suite's optimisers by name (the venv of each is that of ``bench_bo``)."""


def run_suite(name: str, problem: Any, seed: int, n_evals: int) -> Trace:
    """Run optimiser ``name`` on a suite problem once, timed (scores may be ``inf``:
    infeasible points).

    Raises:
        KeyError: Unknown optimiser.
        RuntimeError: A trace of the wrong length or with a NaN score.
    """
    if name not in SUITE_ADAPTERS:
        raise KeyError(f"unknown optimizer {name!r}; known: {sorted(SUITE_ADAPTERS)}")
    start = time.perf_counter()
    trace = SUITE_ADAPTERS[name](problem, seed, n_evals)
    trace.wall_s = time.perf_counter() - start
    if {len(trace.values), len(trace.suggest_s), len(trace.model_based)} != {n_evals}:
        raise RuntimeError(f"{name} on {problem.name} (seed {seed}): wrong trace length")
    if any(math.isnan(v) for v in trace.values):
        raise RuntimeError(f"{name} on {problem.name} (seed {seed}): NaN score")
    return trace


__all__ = ["SUITE_ADAPTERS", "load_suite", "run_suite"]
