"""Multi-objective optimisers of ``bench/bench_moo.py``, each run through its own API.

Every adapter minimises the objectives of a problem of ``ax/benchmark/multi_objective.py``
(loaded by its file path: in a peer's virtualenv ``ax`` is ax-platform) for ``n_evals``
evaluations, one at a time, and returns a :class:`MOTrace`.

- ``ours``: this project's ``AxClient(random_seed=seed)`` with ``objectives=`` (each
  objective's threshold the problem's reference point: the same information ax-platform
  gets) and its default strategy (the centre, Sobol, then ``Models.MOO``, qLogNEHVI);
  constraints as outcome constraints.
- ``ax_platform``: ax-platform 1.3.1's ``Client(random_seed=seed)`` with ``objective=
  "-f1, -f2"``, the reference point as thresholds (``"f1 <= 1.1"``) and ``"c1 >= 0"``.
- ``optuna_nsga2`` / ``optuna_tpe`` / ``optuna_gp``: Optuna's ``NSGAIISampler``,
  ``TPESampler`` and ``GPSampler`` with their defaults (``seed=seed``), constraints via
  ``constraints_func``.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bo.adapters import REPO_ROOT, _require_ax, ask_ax_platform

PROBLEMS_FILE = REPO_ROOT / "ax" / "benchmark" / "multi_objective.py"


def load_problems() -> dict[str, Any]:
    """``MO_PROBLEMS`` of ``ax/benchmark/multi_objective.py``, loaded by path (no ``ax``)."""
    name = "_bench_multi_objective_problems"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, PROBLEMS_FILE)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {PROBLEMS_FILE}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    problems: dict[str, Any] = sys.modules[name].MO_PROBLEMS
    return problems


@dataclass
class MOTrace:
    """What one run observed: objectives, slacks, suggestion times and origins."""

    Y: list[list[float]] = field(default_factory=list)
    slacks: list[list[float]] = field(default_factory=list)
    suggest_s: list[float] = field(default_factory=list)
    model_based: list[bool] = field(default_factory=list)
    wall_s: float = float("nan")
    info: dict[str, Any] = field(default_factory=dict)

    def record(self, f: np.ndarray, c: np.ndarray, seconds: float, model_based: bool) -> None:
        """Append one evaluation."""
        self.Y.append([float(v) for v in f])
        self.slacks.append([float(v) for v in c])
        self.suggest_s.append(float(seconds))
        self.model_based.append(bool(model_based))


# ------------------------------------------------------------------------ ours
def run_ours(problem: Any, seed: int, n_evals: int) -> MOTrace:
    """This project's ``AxClient(random_seed=seed)`` with its default strategy.

    ``create_experiment(objectives={name: ObjectiveProperties(minimize=True,
    threshold=ref)}, outcome_constraints=["c1 >= 0.0"])``: the reference point as
    thresholds and the constraints as outcome constraints, as ax-platform's ``Client`` is
    given them; ``choose_generation_strategy`` picks the initial design (the centre, then
    Sobol) and ``Models.MOO``. Each suggestion is ``get_next_trial()`` (timed) and each
    result ``complete_trial(raw_data={...})`` without a standard error (noise inferred).
    """
    import ax
    from ax.service.ax_client import AxClient, ObjectiveProperties

    _require_ax(ax, ours=True)
    client = AxClient(random_seed=seed, verbose_logging=False)
    client.create_experiment(
        name=f"bench_moo_{problem.name}_{seed}",
        parameters=[
            {"name": name, "type": "range", "bounds": [0.0, 1.0], "value_type": "float"}
            for name in problem.param_names
        ],
        objectives={
            n: ObjectiveProperties(minimize=True, threshold=float(r))
            for n, r in zip(problem.objective_names, problem.ref_point)
        },
        outcome_constraints=[f"{n} >= 0.0" for n in problem.constraint_names] or None,
    )
    trace = MOTrace()
    for _ in range(n_evals):
        start = time.perf_counter()
        params, index = client.get_next_trial()
        seconds = time.perf_counter() - start
        run = client.experiment.trials[index].generator_runs[0]
        f, s = problem.evaluate([float(params[name]) for name in problem.param_names])
        raw = {n: float(v) for n, v in zip(problem.objective_names, f)}
        raw.update({n: float(v) for n, v in zip(problem.constraint_names, s)})
        client.complete_trial(trial_index=index, raw_data=raw)
        trace.record(f, s, seconds, str(run.model_key).lower() not in ("sobol", "none"))
    trace.info["strategy"] = [step.model_name for step in client.generation_strategy.steps]
    return trace


# ------------------------------------------------------------------------ ax-platform
def run_ax_platform(problem: Any, seed: int, n_evals: int) -> MOTrace:
    """ax-platform 1.3.1's ``Client`` with its default (multi-objective) strategy."""
    import ax
    from ax.api.client import Client
    from ax.api.configs import RangeParameterConfig

    _require_ax(ax, ours=False)
    client = Client(random_seed=seed)
    client.configure_experiment(
        parameters=[
            RangeParameterConfig(name=name, parameter_type="float", bounds=(0.0, 1.0))
            for name in problem.param_names
        ],
        name=f"bench_moo_{problem.name}_{seed}",
    )
    thresholds = [f"{n} <= {r}" for n, r in zip(problem.objective_names, problem.ref_point)]
    client.configure_optimization(
        objective=", ".join(f"-{n}" for n in problem.objective_names),
        outcome_constraints=thresholds + [f"{n} >= 0.0" for n in problem.constraint_names],
    )
    trace = MOTrace()
    for _ in range(n_evals):
        index, params, seconds, model_based = ask_ax_platform(client)
        f, s = problem.evaluate([float(params[name]) for name in problem.param_names])
        raw = {n: float(v) for n, v in zip(problem.objective_names, f)}
        raw.update({n: float(v) for n, v in zip(problem.constraint_names, s)})
        client.complete_trial(trial_index=index, raw_data=raw)
        trace.record(f, s, seconds, model_based)
    return trace


# ------------------------------------------------------------------------ optuna
def _run_optuna(problem: Any, make_sampler: Callable[[Any], Any], n_evals: int) -> MOTrace:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def constraints(trial: Any) -> list[float]:
        return [float(v) for v in trial.user_attrs["constraints"]]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = make_sampler(constraints if problem.num_constraints else None)
        study = optuna.create_study(
            directions=["minimize"] * problem.num_objectives, sampler=sampler
        )
        n_startup = int(
            getattr(sampler, "_n_startup_trials", None)
            or getattr(sampler, "_population_size", None)
            or 10
        )
        trace = MOTrace()
        for i in range(n_evals):
            start = time.perf_counter()
            trial = study.ask()
            x = [trial.suggest_float(name, 0.0, 1.0) for name in problem.param_names]
            seconds = time.perf_counter() - start
            f, s = problem.evaluate(x)
            trial.set_user_attr("constraints", [float(-v) for v in s])  # <= 0 feasible
            study.tell(trial, [float(v) for v in f])
            trace.record(f, s, seconds, i >= n_startup)
    trace.info["n_startup"] = n_startup
    return trace


def run_optuna_nsga2(problem: Any, seed: int, n_evals: int) -> MOTrace:
    """Optuna's ``NSGAIISampler(seed=seed)`` (population 50: random for 50 evaluations)."""
    import optuna

    return _run_optuna(
        problem,
        lambda cf: optuna.samplers.NSGAIISampler(seed=seed, constraints_func=cf),
        n_evals,
    )


def run_optuna_tpe(problem: Any, seed: int, n_evals: int) -> MOTrace:
    """Optuna's multi-objective ``TPESampler(seed=seed)``."""
    import optuna

    return _run_optuna(
        problem, lambda cf: optuna.samplers.TPESampler(seed=seed, constraints_func=cf), n_evals
    )


def run_optuna_gp(problem: Any, seed: int, n_evals: int) -> MOTrace:
    """Optuna's ``GPSampler(seed=seed)`` (multi-objective: log EHVI)."""
    import optuna

    return _run_optuna(
        problem, lambda cf: optuna.samplers.GPSampler(seed=seed, constraints_func=cf), n_evals
    )


MO_ADAPTERS: dict[str, Callable[[Any, int, int], MOTrace]] = {
    "ours": run_ours,
    "ax_platform": run_ax_platform,
    "optuna_nsga2": run_optuna_nsga2,
    "optuna_tpe": run_optuna_tpe,
    "optuna_gp": run_optuna_gp,
}
"""The optimisers by name."""

MO_IMPORTS: dict[str, tuple[str, ...]] = {
    "ours": ("ax.service.ax_client", "ax.models.torch.moo", "scipy.stats"),
    "ax_platform": ("ax.api.client", "ax.api.configs"),
    "optuna_nsga2": ("optuna",),
    "optuna_tpe": ("optuna",),
    "optuna_gp": ("optuna", "torch", "scipy.optimize"),
}
"""Modules each optimiser needs, imported (and timed) before the runs."""


def run_mo(name: str, problem: Any, seed: int, n_evals: int) -> MOTrace:
    """Run optimiser ``name`` once, timed; check the trace's length.

    Raises:
        KeyError: Unknown optimiser.
        RuntimeError: A trace of the wrong length.
    """
    start = time.perf_counter()
    trace = MO_ADAPTERS[name](problem, seed, n_evals)
    trace.wall_s = time.perf_counter() - start
    if len(trace.Y) != n_evals:
        raise RuntimeError(f"{name} on {problem.name}: {len(trace.Y)} evaluations, not {n_evals}")
    return trace


__all__ = ["MO_ADAPTERS", "MO_IMPORTS", "MOTrace", "load_problems", "run_mo"]
