"""One function per optimiser: minimise a :class:`~bo.problems.Problem` for ``n_evals`` steps.

Every adapter has the signature ``adapter(problem, seed, n_evals) -> Trace`` and imports
its library lazily, so that this module loads in any of the benchmark's virtualenvs (the
peers' ``ax`` is ax-platform there, ours in the project's ``.venv``). :func:`run` wraps an
adapter with the wall clock and checks what it returned.

Each adapter uses its library's defaults, the first evaluations quasi-random (or random)
as the library does by default, and times each suggestion: the call that produces the
next point, including any model fit, and nothing of the evaluation or the bookkeeping
that follows it. ``model_based`` marks the suggestions that came from a model (rather
than the initial design), as the library reports it.

Optimisers (:data:`ADAPTERS`):
    ``ax_platform``: ax-platform 1.3.1's ``Client(random_seed=seed)`` with its default
        generation strategy (center of the space, Sobol, then BoTorch "MBM").
    ``optuna_gp``: ``optuna.samplers.GPSampler(seed=seed)`` (10 random startup trials).
    ``optuna_tpe``: ``optuna.samplers.TPESampler(seed=seed)`` (10 random startup trials).
    ``hyperopt``: ``hyperopt.tpe.suggest`` with ``rstate=np.random.default_rng(seed)``
        (20 random startup trials).
    ``ours``: this project's ``choose_generation_strategy(search_space, random_seed=seed)``
        driven through the developer API (``gs.gen`` / ``Experiment.new_trial``).
    ``botorch_floor``: a loop written directly on BoTorch with our default's settings
        (:func:`floor_settings`): what our default would cost without any framework.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bo.problems import Problem

REPO_ROOT = Path(__file__).resolve().parents[2]
"""The repository holding this benchmark (and this project's ``ax``)."""


@dataclass
class Trace:
    """What one optimisation run observed.

    Attributes:
        values: The ``n_evals`` observed objective values, in evaluation order.
        suggest_s: Seconds taken by each of the ``n_evals`` suggestions.
        model_based: Whether each suggestion came from a model (not the initial design).
        wall_s: Seconds for the whole run (set up, suggestions, evaluations, reporting
            back), imports excluded; set by :func:`run`.
        info: Free-form facts about the run (e.g. the settings of ``botorch_floor``).
    """

    values: list[float] = field(default_factory=list)
    suggest_s: list[float] = field(default_factory=list)
    model_based: list[bool] = field(default_factory=list)
    wall_s: float = math.nan
    info: dict[str, Any] = field(default_factory=dict)

    def record(self, value: float, seconds: float, model_based: bool) -> None:
        """Append one evaluation: its value, its suggestion time and its origin."""
        self.values.append(float(value))
        self.suggest_s.append(float(seconds))
        self.model_based.append(bool(model_based))


Adapter = Callable[[Problem, int, int], Trace]


# ------------------------------------------------------------------------ ax-platform
def run_ax_platform(problem: Problem, seed: int, n_evals: int) -> Trace:
    """ax-platform 1.3.1: ``Client(random_seed=seed)`` and its default generation strategy.

    The suggestion time is that of ``client.get_next_trials(max_trials=1)``.
    """
    import ax
    from ax.api.client import Client
    from ax.api.configs import RangeParameterConfig

    _require_ax(ax, ours=False)
    client = Client(random_seed=seed)
    client.configure_experiment(
        parameters=[
            RangeParameterConfig(name=name, parameter_type="float", bounds=(lo, hi))
            for name, (lo, hi) in zip(problem.param_names, problem.bounds)
        ],
        name=f"bench_{problem.name}_{seed}",
    )
    client.configure_optimization(objective="-objective")  # minimise
    trace = Trace()
    for _ in range(n_evals):
        index, params, seconds, model_based = ask_ax_platform(client)
        y = problem([float(params[name]) for name in problem.param_names])
        client.complete_trial(trial_index=index, raw_data={"objective": y})
        trace.record(y, seconds, model_based)
    return trace


def ask_ax_platform(client: Any) -> tuple[int, dict[str, Any], float, bool]:
    """One trial from ax-platform's ``Client``: ``(index, parameters, seconds of
    get_next_trials, whether a model made it)`` (not the centre or Sobol node).

    Raises:
        RuntimeError: The client returned other than one trial.
    """
    start = time.perf_counter()
    trials = client.get_next_trials(max_trials=1)
    seconds = time.perf_counter() - start
    if len(trials) != 1:
        raise RuntimeError(f"ax_platform: expected 1 trial, got {len(trials)}")
    ((index, params),) = trials.items()
    run = client._experiment.trials[index].generator_runs[0]
    node = getattr(run, "_generation_node_name", None)
    return index, params, seconds, node not in (None, "CenterOfSearchSpace", "Sobol")


def _require_ax(module: Any, ours: bool) -> None:
    """Fail clearly when ``ax`` is not the package the optimiser means.

    Args:
        module: The imported ``ax`` module.
        ours: True when this project's ``ax`` is wanted (the repository's ``ax/``), False
            when ax-platform is (installed in its venv).
    """
    location = Path(getattr(module, "__file__", None) or ".").resolve()
    in_repo = location == (REPO_ROOT / "ax" / "__init__.py").resolve()
    if ours and not in_repo:
        raise RuntimeError(
            f"ours: `ax` at {location} is not this project's (expected {REPO_ROOT / 'ax'}); "
            "run it with the project's .venv and PYTHONPATH set to the repository"
        )
    if not ours and in_repo:
        raise RuntimeError(
            f"ax_platform: `ax` at {location} is this project's, not ax-platform; "
            "run it in .bench-venvs/ax-platform without the repository on PYTHONPATH"
        )


# ------------------------------------------------------------------------ optuna
def run_optuna_gp(problem: Problem, seed: int, n_evals: int) -> Trace:
    """Optuna's ``GPSampler(seed=seed)``; the time is ``study.ask()`` plus the suggests."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        sampler = optuna.samplers.GPSampler(seed=seed)
    return _run_optuna(problem, sampler, n_evals)


def run_optuna_tpe(problem: Problem, seed: int, n_evals: int) -> Trace:
    """Optuna's ``TPESampler(seed=seed)``; the time is ``study.ask()`` plus the suggests."""
    import optuna

    return _run_optuna(problem, optuna.samplers.TPESampler(seed=seed), n_evals)


def _run_optuna(problem: Problem, sampler: Any, n_evals: int) -> Trace:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    n_startup = int(getattr(sampler, "_n_startup_trials", 10))
    trace = Trace()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        for i in range(n_evals):
            start = time.perf_counter()
            trial = study.ask()
            x = [
                trial.suggest_float(name, lo, hi)
                for name, (lo, hi) in zip(problem.param_names, problem.bounds)
            ]
            seconds = time.perf_counter() - start
            y = problem(x)
            study.tell(trial, y)
            # Both samplers switch from random sampling once n_startup trials completed.
            trace.record(y, seconds, i >= n_startup)
    return trace


# ------------------------------------------------------------------------ hyperopt
def run_hyperopt(problem: Problem, seed: int, n_evals: int) -> Trace:
    """hyperopt's ``fmin`` with ``tpe.suggest``; the time is each call of ``tpe.suggest``."""
    from hyperopt import STATUS_OK, Trials, fmin, hp, tpe

    n_startup = 20  # tpe.suggest's default n_startup_jobs
    suggest_s: list[float] = []
    model_based: list[bool] = []

    def algo(new_ids: Any, domain: Any, trials: Any, algo_seed: Any) -> Any:
        n_done = sum(1 for t in trials.trials if t["result"].get("status") == STATUS_OK)
        start = time.perf_counter()
        out = tpe.suggest(new_ids, domain, trials, algo_seed)
        suggest_s.append(time.perf_counter() - start)
        model_based.append(n_done >= n_startup)
        return out

    space = [
        hp.uniform(name, lo, hi) for name, (lo, hi) in zip(problem.param_names, problem.bounds)
    ]
    trials = Trials()
    fmin(
        fn=lambda x: problem([float(v) for v in x]),
        space=space,
        algo=algo,
        max_evals=n_evals,
        trials=trials,
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
    )
    values = [float(v) for v in trials.losses()]
    if len(suggest_s) != len(values):
        raise RuntimeError(
            f"hyperopt: {len(suggest_s)} suggestions timed for {len(values)} evaluations"
        )
    return Trace(values=values, suggest_s=suggest_s, model_based=model_based)


# ------------------------------------------------------------------------ ours
def run_ours(problem: Problem, seed: int, n_evals: int) -> Trace:
    """This project's default strategy through its developer API.

    ``choose_generation_strategy(search_space, random_seed=seed)``; each step is
    ``gs.gen(experiment=exp, n=1)`` (timed), a one-arm trial, ``mark_running``,
    ``attach_data`` and ``mark_completed``.

    Raises:
        ModuleNotFoundError: ``ax.modelbridge.dispatch_utils`` does not exist yet.
    """
    import ax
    from ax.core.data import Data
    from ax.core.experiment import Experiment
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig
    from ax.core.parameter import ParameterType, RangeParameter
    from ax.core.search_space import SearchSpace
    from ax.modelbridge.dispatch_utils import choose_generation_strategy

    _require_ax(ax, ours=True)
    search_space = SearchSpace(
        parameters=[
            RangeParameter(name, ParameterType.FLOAT, lower=lo, upper=hi)
            for name, (lo, hi) in zip(problem.param_names, problem.bounds)
        ]
    )
    experiment = Experiment(
        search_space=search_space,
        name=f"bench_{problem.name}_{seed}",
        optimization_config=OptimizationConfig(Objective(Metric("objective"), minimize=True)),
    )
    gs = choose_generation_strategy(search_space, random_seed=seed)
    trace = Trace()
    for _ in range(n_evals):
        start = time.perf_counter()
        gr = gs.gen(experiment=experiment, n=1)
        seconds = time.perf_counter() - start
        trial = experiment.new_trial(generator_run=gr)
        trial.mark_running(no_runner_required=True)
        arm = trial.arm
        if arm is None:
            raise RuntimeError("ours: gs.gen returned a generator run without an arm")
        y = problem([float(arm.parameters[name]) for name in problem.param_names])
        experiment.attach_data(
            Data.from_evaluations({arm.name: {"objective": (y, 0.0)}}, trial.index)
        )
        trial.mark_completed()
        trace.record(y, seconds, _is_model_based(gr))
    trace.info["strategy"] = str(getattr(gs, "name", type(gs).__name__))
    return trace


def _is_model_based(gr: Any) -> bool:
    """Whether a generator run of ours came from a model rather than the initial design."""
    key = getattr(gr, "model_key", None)
    if key is not None:
        return str(key).lower() not in ("sobol", "uniform", "manual")
    step = getattr(gr, "generation_step_index", None)
    return step is not None and step > 0


# ------------------------------------------------------------------------ BoTorch floor
FLOOR_FALLBACK: dict[str, Any] = {
    "acquisition": "qLogNEI",
    "num_restarts": 8,
    "raw_samples": 512,
    "maxiter": 100,
    "sample_around_best": True,
    "mc_samples": 256,
    "fit_maxiter": 20,
    "initial_fit_maxiter": 200,
    "warm_start": True,
    "refit_every": 1,
    "prune_baseline": True,
}
"""Settings of the floor when ``ax.models.torch.options`` cannot be imported."""


def floor_settings() -> dict[str, Any]:
    """The settings of our default BoTorch generator, for :func:`run_botorch_floor`.

    Read from ``ax.models.torch.options.BotorchOptions()`` when importable (the fields of
    :data:`FLOOR_FALLBACK`), else :data:`FLOOR_FALLBACK`; ``"source"`` says which.
    """
    try:
        from ax.models.torch.options import BotorchOptions
    except ImportError:
        return {**FLOOR_FALLBACK, "source": "fallback"}
    options = BotorchOptions()
    return {
        **{k: getattr(options, k, v) for k, v in FLOOR_FALLBACK.items()},
        "source": "ax.models.torch.options",
    }


def run_botorch_floor(problem: Problem, seed: int, n_evals: int) -> Trace:
    """A BO loop written directly on BoTorch with our default's settings.

    ``max(5, d)`` scrambled-Sobol points (as ``choose_generation_strategy``), then per step:
    a ``SingleTaskGP`` on the unit cube with standardised (negated) outcomes, its
    hyperparameters warm-started from the previous fit and fitted with L-BFGS-B
    (``initial_fit_maxiter`` the first time, ``fit_maxiter`` after), and the acquisition
    (``qLogNEI``, or analytic ``LogEI`` on the best posterior mean) optimised with
    ``num_restarts`` / ``raw_samples``. The timed step is fit + acquisition optimisation.
    """
    import torch
    from botorch.acquisition.analytic import LogExpectedImprovement
    from botorch.acquisition.logei import qLogNoisyExpectedImprovement
    from botorch.exceptions.warnings import OptimizationWarning
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.optim import optimize_acqf
    from botorch.sampling.normal import SobolQMCNormalSampler
    from gpytorch.mlls import ExactMarginalLogLikelihood

    cfg = floor_settings()
    dtype = torch.float64
    d = problem.dim
    lower = np.array([b[0] for b in problem.bounds])
    upper = np.array([b[1] for b in problem.bounds])
    unit = torch.stack([torch.zeros(d, dtype=dtype), torch.ones(d, dtype=dtype)])
    n_init = max(5, d)
    torch.manual_seed(seed)
    sobol = torch.quasirandom.SobolEngine(d, scramble=True, seed=seed)
    X: list[torch.Tensor] = []
    trace = Trace(info={"settings": cfg, "n_init": n_init})
    hypers: dict[str, torch.Tensor] | None = None
    n_fits = 0
    with warnings.catch_warnings():
        # Hitting maxiter is the point of a capped fit, not a problem to report.
        warnings.simplefilter("ignore", OptimizationWarning)
        warnings.filterwarnings("ignore", message=".*(ITERATIONS|maxiter|MAXITER).*")
        for i in range(n_evals):
            start = time.perf_counter()
            if i < n_init:
                x = sobol.draw(1, dtype=dtype)[0]
                model_based = False
            else:
                train_X = torch.stack(X)
                y = torch.tensor(trace.values, dtype=dtype)
                std = y.std() if y.numel() > 1 and float(y.std()) > 0 else torch.tensor(1.0)
                train_Y = (-(y - y.mean()) / std).unsqueeze(-1)  # maximise -y
                model = SingleTaskGP(train_X, train_Y, outcome_transform=None)
                if hypers is not None and cfg["warm_start"]:
                    with torch.no_grad():
                        for name, param in model.named_parameters():
                            if name in hypers and hypers[name].shape == param.shape:
                                param.copy_(hypers[name])
                refit = hypers is None or n_fits % int(cfg["refit_every"]) == 0
                if refit:
                    maxiter = cfg["initial_fit_maxiter"]
                    if hypers is not None and cfg["warm_start"]:
                        maxiter = cfg["fit_maxiter"]
                    mll = ExactMarginalLogLikelihood(model.likelihood, model)
                    fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": int(maxiter)}})
                n_fits += 1
                model.eval()
                hypers = {n: p.detach().clone() for n, p in model.named_parameters()}
                acqf: Any
                if cfg["acquisition"] == "LogEI":
                    with torch.no_grad():
                        best = model.posterior(train_X).mean.max()
                    acqf = LogExpectedImprovement(model, best_f=best)
                else:
                    sampler = SobolQMCNormalSampler(
                        sample_shape=torch.Size([int(cfg["mc_samples"])]), seed=seed + i
                    )
                    acqf = qLogNoisyExpectedImprovement(
                        model,
                        X_baseline=train_X,
                        sampler=sampler,
                        prune_baseline=bool(cfg["prune_baseline"]),
                    )
                candidate, _ = optimize_acqf(
                    acqf,
                    bounds=unit,
                    q=1,
                    num_restarts=int(cfg["num_restarts"]),
                    raw_samples=int(cfg["raw_samples"]),
                    options={
                        "maxiter": int(cfg["maxiter"]),
                        "sample_around_best": bool(cfg["sample_around_best"]),
                        "seed": seed + i,
                    },
                    retry_on_optimization_warning=False,
                )
                x = candidate.detach().reshape(-1).clamp(0.0, 1.0)
                model_based = True
            seconds = time.perf_counter() - start
            X.append(x)
            point = lower + x.numpy() * (upper - lower)
            trace.record(problem(point), seconds, model_based)
    return trace


# ------------------------------------------------------------------------ registry
ADAPTERS: dict[str, Adapter] = {
    "ax_platform": run_ax_platform,
    "optuna_gp": run_optuna_gp,
    "optuna_tpe": run_optuna_tpe,
    "hyperopt": run_hyperopt,
    "ours": run_ours,
    "botorch_floor": run_botorch_floor,
}
"""The optimisers by name."""

IMPORTS: dict[str, tuple[str, ...]] = {
    "ax_platform": ("ax.api.client", "ax.api.configs"),
    "optuna_gp": ("optuna", "torch", "scipy.optimize"),
    "optuna_tpe": ("optuna",),
    "hyperopt": ("hyperopt",),
    "hebo": ("hebo.optimizers.hebo",),
    "ours": ("ax.core.experiment", "ax.modelbridge.dispatch_utils"),
    "botorch_floor": ("botorch", "gpytorch"),
}
"""Modules each optimiser needs; ``run_peer`` imports them first, timed apart from runs."""

DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "ax_platform": ("ax-platform", "botorch", "gpytorch", "torch"),
    "optuna_gp": ("optuna", "torch", "scipy", "numpy"),
    "optuna_tpe": ("optuna", "numpy"),
    "hyperopt": ("hyperopt", "numpy"),
    "hebo": ("HEBO", "numpy", "pandas", "torch"),
    "ours": ("ax-experiments", "botorch", "gpytorch", "torch"),
    "botorch_floor": ("botorch", "gpytorch", "torch"),
}
"""Distributions whose versions are recorded with each optimiser's results."""


def run(name: str, problem: Problem, seed: int, n_evals: int = 30) -> Trace:
    """Run optimiser ``name`` on ``problem`` once, timed, and check its trace.

    Args:
        name: Key of :data:`ADAPTERS`.
        problem: The problem to minimise.
        seed: The run's seed, passed to the library.
        n_evals: Number of evaluations (>= 1).

    Returns:
        The trace, with ``wall_s`` set.

    Raises:
        KeyError: Unknown optimiser.
        RuntimeError: The adapter returned a trace of the wrong length or with a
            non-finite value.
    """
    if name not in ADAPTERS:
        raise KeyError(f"unknown optimizer {name!r}; known: {sorted(ADAPTERS)}")
    start = time.perf_counter()
    trace = ADAPTERS[name](problem, seed, n_evals)
    trace.wall_s = time.perf_counter() - start
    lengths = {len(trace.values), len(trace.suggest_s), len(trace.model_based)}
    if lengths != {n_evals}:
        raise RuntimeError(
            f"{name} on {problem.name} (seed {seed}): expected {n_evals} evaluations, got "
            f"values={len(trace.values)}, suggest_s={len(trace.suggest_s)}, "
            f"model_based={len(trace.model_based)}"
        )
    if not all(math.isfinite(v) for v in trace.values):
        raise RuntimeError(f"{name} on {problem.name} (seed {seed}): non-finite value observed")
    return trace


__all__ = [
    "ADAPTERS",
    "DISTRIBUTIONS",
    "FLOOR_FALLBACK",
    "IMPORTS",
    "Adapter",
    "Trace",
    "floor_settings",
    "run",
]
