"""Acquisition functions of the BoTorch generators and their optimisation.

- :class:`AcquisitionProblem` gathers what an acquisition function needs (model, observed
  points, objective weights, outcome constraints, pending points, seed, options).
- :func:`build_acquisition` returns the requested acquisition function: the lean
  :class:`~ax.models.torch.fast_acqf.FastLogEI` / :class:`~ax.models.torch.fast_acqf.FastLogNEI`
  for the standard single-output GP without outcome constraints, the lean constrained log
  NEI (:class:`~ax.models.torch.fast_ehvi.FastLogNEHVI` with one objective) for the batched
  standard GP with outcome constraints, else BoTorch's own
  (``qLogNoisyExpectedImprovement``, ``LogExpectedImprovement``, ...), with outcome
  constraints as sample callables.
- :func:`optimize_sequential` optimises it for ``n`` points one at a time (sequential
  greedy: each chosen point becomes pending for the next), honouring fixed features,
  linear constraints and rounding.

Conventions: objective weights define the scalarised objective ``w @ f`` to MAXIMISE;
outcome constraints ``A f <= b``; linear constraints ``A x <= b``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

import gpytorch
import numpy as np
import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.acquisition import OneShotAcquisitionFunction
from botorch.acquisition.analytic import LogExpectedImprovement, PosteriorMean
from botorch.acquisition.logei import qLogExpectedImprovement, qLogNoisyExpectedImprovement
from botorch.acquisition.monte_carlo import (
    qExpectedImprovement,
    qNoisyExpectedImprovement,
    qSimpleRegret,
)
from botorch.acquisition.objective import (
    ConstrainedMCObjective,
    LinearMCObjective,
    MCAcquisitionObjective,
    ScalarizedPosteriorTransform,
)
from botorch.acquisition.utils import get_infeasible_cost, prune_inferior_points
from botorch.exceptions.warnings import BotorchWarning, NumericsWarning
from botorch.models.model import Model
from botorch.optim import optimize_acqf
from botorch.optim.initializers import gen_batch_initial_conditions, sample_points_around_best
from botorch.sampling.normal import SobolQMCNormalSampler
from botorch.utils.sampling import get_polytope_samples
from linear_operator.utils.warnings import NumericalWarning
from torch import Tensor
from torch.quasirandom import SobolEngine

from ax.exceptions import UserInputError
from ax.models.discrete_structure import DiscreteStructure
from ax.models.torch.defaults import DTYPE, posterior_mean_var
from ax.models.torch.fast import FastPosterior
from ax.models.torch.fast_acqf import PRUNE_SAMPLES, FastAcquisition, FastLogEI, FastLogNEI
from ax.models.torch.fast_ehvi import BatchedPosterior, FastLogNEHVI
from ax.models.torch.lean_gen import lean_gen_candidates
from ax.models.torch.mixed_gen import optimize_mixed
from ax.models.torch.options import BotorchOptions
from ax.models.utils import check_constraint_pair

TConstraints = Tuple[Tensor, Tensor]
TRounding = Callable[[np.ndarray], np.ndarray]


@dataclass
class AcquisitionProblem:
    """Everything an acquisition function of :func:`build_acquisition` needs.

    Attributes:
        model: The fitted model (``m`` outputs).
        X_observed: `N x d` observed points (all outcomes).
        weights: `m` objective weights (maximise ``weights @ f``).
        outcome_constraints: ``(A k x m, b k)`` meaning ``A f <= b``, or None.
        X_pending: `p x d` points under evaluation, or None.
        options: Gen-time options.
        seed: Seed of the quasi-MC base samples.
        fast: The lean posterior of the model when it applies (see
            :meth:`FastPosterior.from_model`), else None.
        batched: The lean posterior of a batched multi-output model when it applies (see
            :meth:`~ax.models.torch.fast_ehvi.BatchedPosterior.from_model`), else None.
        bounds: `2 x d` box searched, when known.
        notes: What was built, for the generation metadata (filled in by the builders).
    """

    model: Model
    X_observed: Tensor
    weights: Tensor
    outcome_constraints: Optional[TConstraints]
    X_pending: Optional[Tensor]
    options: BotorchOptions
    seed: int
    fast: Optional[FastPosterior] = None
    batched: Optional[BatchedPosterior] = None
    bounds: Optional[Tensor] = None
    notes: Dict[str, Any] = field(default_factory=dict)

    @property
    def constraint_callables(self) -> Optional[List[Callable[[Tensor], Tensor]]]:
        """Outcome constraints as BoTorch callables (``<= 0`` means feasible)."""
        if self.outcome_constraints is None:
            return None
        A, b = self.outcome_constraints
        return [_constraint(A[i], b[i]) for i in range(A.shape[0])]

    def objective_stats(self, X: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Posterior objective mean, its standard deviation and P(feasible) at ``X``.

        Feasibility treats each outcome constraint as an independent Gaussian
        (outputs are modelled independently).
        """
        if self.fast is not None and self.weights.numel() == 1:
            fast_mean, fast_var = self.fast.mean_var(X)
            mean, var = fast_mean.reshape(-1, 1), fast_var.reshape(-1, 1)
        else:
            mean, var = posterior_mean_var(self.model, X)
        obj_mean = mean @ self.weights
        obj_sd = (var @ self.weights**2).clamp_min(0.0).sqrt()
        feasible = torch.ones_like(obj_mean)
        if self.outcome_constraints is not None:
            A, b = self.outcome_constraints
            c_mean = mean @ A.T - b
            c_sd = (var @ (A**2).T).clamp_min(1e-18).sqrt()
            normal = torch.distributions.Normal(0.0, 1.0)
            feasible = normal.cdf(-c_mean / c_sd).prod(dim=-1)
        return obj_mean, obj_sd, feasible

    def best_f(self) -> Tensor:
        """Incumbent of the EI family: best posterior objective mean among observed
        points feasible by their means; far below every observed value when none is."""
        obj_mean, obj_sd, _ = self.objective_stats(self.X_observed)
        if self.outcome_constraints is not None:
            A, b = self.outcome_constraints
            mean, _ = posterior_mean_var(self.model, self.X_observed)
            ok = ((mean @ A.T - b) <= 0).all(dim=-1)
            if bool(ok.any()):
                return obj_mean[ok].max()
            return obj_mean.min() - 6.0 * obj_sd.max()
        return obj_mean.max()


def _constraint(a: Tensor, b: Tensor) -> Callable[[Tensor], Tensor]:
    def constraint(Z: Tensor) -> Tensor:
        return Z @ a - b

    return constraint


# ------------------------------------------------------------------------ building
def build_acquisition(problem: AcquisitionProblem) -> AcquisitionFunction:
    """The acquisition function named by ``problem.options.acquisition``.

    The analytic ``LogEI`` needs no pending points and no outcome constraints; where
    those are present it falls back to ``qLogEI``. With ``options.fast_path``, the lean
    forms are used for a single-output standard GP without outcome constraints, and
    ``qLogNEI`` under outcome constraints is the lean constrained NEI when the model is
    a batched standard GP with one objective output.
    ``problem.notes["acquisition"]`` and ``["fast_acquisition"]`` record, per call, the
    function actually built and whether it is a lean form. The legacy ``qEI``/``qNEI``
    are built without BoTorch's numerics warning (they were asked for by name), and the
    NEI family without its warning that some posterior sample has no feasible observed
    point (handled by BoTorch's infeasible cost).
    """
    opts = problem.options
    kind = opts.acquisition
    pending = problem.X_pending
    has_pending = pending is not None and pending.shape[0] > 0
    if kind == "LogEI" and (has_pending or problem.outcome_constraints is not None):
        kind = "qLogEI"
    fast = problem.fast if opts.fast_path and problem.outcome_constraints is None else None
    weight = float(problem.weights[0]) if problem.weights.numel() == 1 else 0.0
    lean = fast is not None and weight != 0.0
    problem.notes.setdefault("acquisition", []).append(kind)
    problem.notes.setdefault("fast_acquisition", []).append(lean and kind in ("qLogNEI", "LogEI"))
    if kind == "qLogNEI" and opts.fast_path and problem.outcome_constraints is not None:
        constrained = _lean_constrained_nei(problem)
        if constrained is not None:
            problem.notes["fast_acquisition"][-1] = True
            return constrained
    if lean and kind == "qLogNEI":
        assert fast is not None
        return _few_baseline(
            FastLogNEI(
                problem.model,
                fast,
                weight,
                problem.X_observed,
                pending,
                opts.mc_samples,
                problem.seed,
                prune=opts.prune_baseline,
            ),
            fast,
            weight,
        )
    if kind == "LogEI":
        best_f = float(problem.best_f())
        if lean:
            assert fast is not None
            return _few_baseline(
                FastLogEI(problem.model, fast, weight, best_f, problem.X_observed), fast, weight
            )
        transform = ScalarizedPosteriorTransform(weights=problem.weights)
        acqf: AcquisitionFunction = LogExpectedImprovement(
            problem.model, best_f=best_f, posterior_transform=transform
        )
        acqf.X_baseline = problem.X_observed
        return acqf
    sampler = SobolQMCNormalSampler(sample_shape=torch.Size([opts.mc_samples]), seed=problem.seed)
    objective = LinearMCObjective(problem.weights)
    constraints = problem.constraint_callables
    if kind in ("qLogNEI", "qNEI"):
        cls = qLogNoisyExpectedImprovement if kind == "qLogNEI" else qNoisyExpectedImprovement
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumericsWarning)
            # Raised when some posterior sample has no feasible baseline point, which
            # BoTorch then handles with its infeasible cost: nothing for the user to do.
            warnings.filterwarnings(
                "ignore", message="When all training points are infeasible", category=BotorchWarning
            )
            return cls(
                problem.model,
                X_baseline=problem.X_observed,
                sampler=sampler,
                objective=objective,
                constraints=constraints,
                X_pending=pending if has_pending else None,
                prune_baseline=opts.prune_baseline,
                # BoTorch caches the root decomposition for single-task GPs only.
                cache_root=not _is_multi_task(problem.model),
            )
    cls_ei = qLogExpectedImprovement if kind == "qLogEI" else qExpectedImprovement
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericsWarning)
        acqf = cls_ei(
            problem.model,
            best_f=problem.best_f(),
            sampler=sampler,
            objective=objective,
            constraints=constraints,
            X_pending=pending if has_pending else None,
        )
    acqf.X_baseline = problem.X_observed
    return acqf


def _lean_constrained_nei(problem: AcquisitionProblem) -> Optional[AcquisitionFunction]:
    """Log NEI of one objective output under outcome constraints, on the lean posterior of
    a batched standard GP (:class:`~ax.models.torch.fast_ehvi.FastLogNEHVI` with one
    objective: given each baseline sample, the improvement over the best feasible value
    and the probability of feasibility are exact); None where it does not apply (a
    scalarised objective over several outputs, or no ``problem.batched`` posterior).

    Where no baseline point is feasible in a sample, the improvement is measured from a
    floor six posterior standard deviations below every observed point, so that the
    probability of feasibility drives the search until a feasible point is found.
    Its starting points are scored by its stand-in with ``options.initial_mc_samples``
    samples (:meth:`~ax.models.torch.fast_ehvi.FastLogNEHVI.stand_in`).
    """
    weights = problem.weights
    objectives = torch.nonzero(weights).reshape(-1)
    if objectives.numel() != 1:
        return None
    post = problem.batched
    if post is None:
        return None
    j = int(objectives[0])
    X = problem.X_observed
    with torch.no_grad():
        mean, var = post.mean_var(X)
        value = weights[j] * mean[j]
        floor = (value - 6.0 * weights[j].abs() * var[j].sqrt()).min().reshape(1)
    callables = problem.constraint_callables
    baseline = X
    if problem.options.prune_baseline and X.shape[0] > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BotorchWarning)
            # The jitter GPyTorch adds to sample nearly noiseless outcomes is routine.
            warnings.simplefilter("ignore", NumericalWarning)
            baseline = prune_inferior_points(
                problem.model,
                X,
                objective=LinearMCObjective(weights),
                constraints=callables,
                num_samples=PRUNE_SAMPLES,
            )
    return FastLogNEHVI(
        problem.model,
        post,
        LinearMCObjective(weights),
        floor,
        baseline,
        problem.X_pending,
        problem.outcome_constraints,
        callables,
        problem.options.mc_samples,
        problem.seed,
        initial_mc_samples=problem.options.initial_mc_samples,
    )


LARGE_BASELINE = 800
"""Past this many observed points, starting points are sampled around the best 5 % only."""


def _few_baseline(acqf: Any, fast: FastPosterior, weight: float) -> Any:
    """``acqf`` with ``X_baseline`` (what BoTorch samples starting points around) cut to
    its best 5 % by the lean posterior mean when it is large: BoTorch would otherwise
    compute GPyTorch's joint posterior over every observed point."""
    X = acqf.X_baseline
    if X.shape[0] <= LARGE_BASELINE:
        return acqf
    mean, _ = fast.mean_var(X)
    keep = max(1, round(0.05 * X.shape[0]))
    acqf.X_baseline = X[torch.argsort(weight * mean, descending=True)[:keep]]
    return acqf


def scalarized_objective(problem: AcquisitionProblem) -> MCAcquisitionObjective:
    """The MC objective ``weights @ f``, with the outcome constraints folded in.

    With outcome constraints, infeasible samples are given BoTorch's infeasible cost
    (``ConstrainedMCObjective``), for acquisition functions that take no constraint
    callables (knowledge gradient, simple regret).
    """
    weights = problem.weights
    callables = problem.constraint_callables
    if callables is None:
        return LinearMCObjective(weights)

    def objective(samples: Tensor, X: Optional[Tensor] = None) -> Tensor:
        return samples @ weights

    with torch.no_grad():
        cost = get_infeasible_cost(X=problem.X_observed, model=problem.model, objective=objective)
    return ConstrainedMCObjective(objective=objective, constraints=callables, infeasible_cost=cost)


def posterior_mean_acquisition(problem: AcquisitionProblem) -> AcquisitionFunction:
    """Posterior mean of the objective (constrained: MC simple regret), to maximise."""
    if problem.outcome_constraints is None:
        return PosteriorMean(
            problem.model, posterior_transform=ScalarizedPosteriorTransform(weights=problem.weights)
        )
    sampler = SobolQMCNormalSampler(
        sample_shape=torch.Size([problem.options.mc_samples]), seed=problem.seed
    )
    return qSimpleRegret(problem.model, sampler=sampler, objective=scalarized_objective(problem))


# ------------------------------------------------------------------------ optimising
def inequality_constraints(
    owner: str, linear_constraints: Optional[Tuple[np.ndarray, np.ndarray]], d: int
) -> Optional[List[Tuple[Tensor, Tensor, float]]]:
    """``A x <= b`` as BoTorch's ``sum(coef * x[idx]) >= rhs`` triples.

    Rows with all-zero coefficients are dropped when ``0 <= b`` holds.

    Raises:
        UserInputError: Malformed ``(A, b)``, or a zero row with ``b < 0`` (infeasible).
    """
    if linear_constraints is None:
        return None
    A, b = check_constraint_pair(owner, "linear_constraints", linear_constraints, d, "d")
    out = []
    for row, rhs in zip(A, b):
        idx = np.flatnonzero(row)
        if idx.size == 0:
            if rhs < 0:
                raise UserInputError(
                    f"{owner}: linear_constraints has a row 0 <= {rhs}, which no point satisfies"
                )
            continue
        out.append(
            (
                torch.as_tensor(idx, dtype=torch.long),
                torch.as_tensor(-row[idx], dtype=DTYPE),
                float(-rhs),
            )
        )
    return out or None


def optimize_sequential(
    make_acqf: Callable[[Optional[Tensor]], AcquisitionFunction],
    n: int,
    bounds: Tensor,
    options: BotorchOptions,
    seed: int,
    X_pending: Optional[Tensor] = None,
    constraints: Optional[List[Tuple[Tensor, Tensor, float]]] = None,
    fixed_features: Optional[Mapping[int, float]] = None,
    rounding_func: Optional[TRounding] = None,
    discrete: Optional[DiscreteStructure] = None,
    make_initial_acqf: Optional[Callable[[Optional[Tensor]], Optional[AcquisitionFunction]]] = None,
) -> Tuple[Tensor, List[float]]:
    """``n`` points by sequential greedy optimisation of an acquisition function.

    Args:
        make_acqf: Builds the acquisition function given the pending points (the
            caller's pending points plus the points chosen so far), or None.
        n: Number of points.
        bounds: `2 x d` box.
        options: Gen-time options (restarts, raw samples, iterations, sampling around
            the best).
        seed: Seed of the starting points.
        X_pending: `p x d` points already pending.
        constraints: Linear constraints as from :func:`inequality_constraints`.
        fixed_features: ``{dimension: value}`` held fixed.
        rounding_func: Applied to each chosen point (a `d` numpy array) before it
            becomes pending; fixed features are re-imposed afterwards.
        discrete: The discrete dimensions, searched on their valid values by
            :func:`~ax.models.torch.mixed_gen.optimize_mixed` (not for one-shot
            acquisition functions, which are relaxed and rounded).
        make_initial_acqf: Builds, like ``make_acqf``, a cheaper stand-in that scores
            the ``raw_samples`` candidate starting points (the restarts are then
            optimised on the acquisition function itself), or returns None for none.
            Default: the acquisition function's own stand-in where it has one
            (:meth:`~ax.models.torch.fast_ehvi.FastLogNEHVI.stand_in`).

    Returns:
        ``(points n x d, acquisition values of each point when chosen)``.
    """
    chosen: List[Tensor] = []
    values: List[float] = []
    fixed = dict(fixed_features or {})
    opt_options: Dict[str, Any] = {
        "maxiter": options.maxiter,
        "sample_around_best": options.sample_around_best,
    }
    for i in range(n):
        parts = ([X_pending] if X_pending is not None else []) + chosen
        pending = torch.cat(parts) if parts else None
        acqf = make_acqf(pending)
        step_options = {**opt_options, "seed": seed + i}
        extra: Dict[str, Any] = {}
        if (
            discrete is not None
            and not discrete.without(list(fixed)).is_empty
            and not isinstance(acqf, OneShotAcquisitionFunction)
        ):
            candidate, mixed_value = optimize_mixed(
                acqf, bounds, discrete, options, seed + i, constraints, fixed
            )
            chosen.append(_rounded(candidate.reshape(1, -1), rounding_func, fixed))
            values.append(mixed_value)
            continue
        if constraints and not isinstance(acqf, OneShotAcquisitionFunction):
            # BoTorch samples starting points under linear constraints by hit-and-run
            # with 10,000 burn-in steps (about a second per point); rejection sampling
            # of quasi-random points is enough for starting points.
            sampler = _FeasibleSampler(acqf, bounds, constraints, fixed, options.sample_around_best)
            extra["ic_generator"] = partial(gen_batch_initial_conditions, generator=sampler)
            step_options["sample_around_best"] = False  # done by the sampler
        if (
            options.global_restarts
            and step_options["sample_around_best"]
            and not isinstance(acqf, OneShotAcquisitionFunction)
        ):
            extra["ic_generator"] = _split_restarts(
                extra.get("ic_generator", gen_batch_initial_conditions), options.global_restarts
            )
        stand_in: Optional[AcquisitionFunction] = None
        if make_initial_acqf is not None and not isinstance(acqf, OneShotAcquisitionFunction):
            stand_in = make_initial_acqf(pending)
        elif isinstance(acqf, FastLogNEHVI):
            stand_in = acqf.stand_in()
        if stand_in is not None:
            extra["ic_generator"] = _scored_by(
                stand_in, extra.get("ic_generator", gen_batch_initial_conditions)
            )
        # The lean acquisition functions need no GPyTorch posterior variance; BoTorch's
        # sampling around the best points asks for posterior means only, and skipping
        # the variances saves GPyTorch a factorisation of the training covariance.
        lean = isinstance(acqf, FastAcquisition)
        with gpytorch.settings.skip_posterior_variances(lean):
            candidate, value = optimize_acqf(
                acqf,
                bounds=bounds,
                q=1,
                num_restarts=options.num_restarts,
                raw_samples=options.raw_samples,
                options=step_options,
                inequality_constraints=constraints,
                fixed_features=fixed or None,
                retry_on_optimization_warning=False,
                gen_candidates=lean_gen_candidates,
                **extra,
            )
        chosen.append(_rounded(candidate.detach().reshape(1, -1), rounding_func, fixed))
        values.append(float(value.reshape(-1)[0]) if value is not None else math.nan)
    return torch.cat(chosen), values


def _scored_by(
    proxy: AcquisitionFunction, generator: Callable[..., Tensor]
) -> Callable[..., Tensor]:
    """An initial-conditions generator like ``generator`` whose raw samples are scored
    (and starting points chosen) by ``proxy`` instead of the acquisition function."""

    def generate(acq_function: AcquisitionFunction, **kwargs: Any) -> Tensor:
        return generator(acq_function=proxy, **kwargs)

    return generate


def _split_restarts(
    generator: Callable[..., Tensor], global_restarts: int
) -> Callable[..., Tensor]:
    """An initial-conditions generator like ``generator`` (called with
    ``sample_around_best``) whose first ``global_restarts`` starting points are chosen
    among the quasi-random raw samples alone, and the others among those plus the points
    sampled around the best observed points (all of them when there are no more).

    Sampling around the best finds starting points that refine what is known; when the
    points around the best score highest, as they usually do, it chooses every restart
    there. This keeps some restarts exploring (the option ``global_restarts``; off by
    default, see :class:`~ax.models.torch.options.MultiObjectiveOptions` for what it did
    on ``bench/bench_moo.py``).
    """

    def generate(num_restarts: int, options: Dict[str, Any], **kwargs: Any) -> Tensor:
        n_global = min(global_restarts, num_restarts)
        parts = [
            generator(
                num_restarts=n_global, options={**options, "sample_around_best": False}, **kwargs
            )
        ]
        if num_restarts > n_global:
            parts.append(generator(num_restarts=num_restarts - n_global, options=options, **kwargs))
        return torch.cat(parts, dim=0)

    return generate


def _rounded(
    point: Tensor, rounding_func: Optional[TRounding], fixed: Mapping[int, float]
) -> Tensor:
    """``point`` (`1 x d`) through ``rounding_func``, fixed features re-imposed."""
    if rounding_func is not None:
        rounded = np.asarray(rounding_func(point[0].numpy().copy()), dtype=float)
        if rounded.shape != (point.shape[1],) or not np.all(np.isfinite(rounded)):
            raise UserInputError(
                f"rounding_func must return a point of {point.shape[1]} finite numbers, "
                f"got {rounded!r}"
            )
        point = torch.as_tensor(rounded, dtype=DTYPE).reshape(1, -1)
    else:
        point = point.clone()
    for j, v in fixed.items():
        point[0, j] = v
    return point


class _FeasibleSampler:
    """Raw starting points that satisfy linear constraints, by rejection sampling.

    Called by BoTorch's ``gen_batch_initial_conditions`` as ``generator(n, q, seed)``:
    scrambled Sobol' points of the box (fixed features set) that satisfy every
    constraint, topped up by a short hit-and-run chain when the feasible region is too
    small for rejection; plus, with ``around_best``, feasible perturbations of the best
    observed points.
    """

    ROUNDS = 16

    def __init__(
        self,
        acqf: AcquisitionFunction,
        bounds: Tensor,
        constraints: List[Tuple[Tensor, Tensor, float]],
        fixed: Mapping[int, float],
        around_best: bool,
    ) -> None:
        self.acqf, self.bounds, self.constraints = acqf, bounds, constraints
        self.fixed, self.around_best = dict(fixed), around_best

    def feasible(self, X: Tensor) -> Tensor:
        ok = torch.ones(X.shape[0], dtype=torch.bool)
        for idx, coef, rhs in self.constraints:
            ok &= X[:, idx] @ coef >= rhs - 1e-9
        return ok

    def fix(self, X: Tensor) -> Tensor:
        for j, v in self.fixed.items():
            X[:, j] = v
        return X

    def __call__(self, n: int, q: int, seed: Optional[int]) -> Tensor:
        lower, upper = self.bounds[0], self.bounds[1]
        engine = SobolEngine(lower.shape[0], scramble=True, seed=seed)
        kept: List[Tensor] = []
        count = 0
        for _ in range(self.ROUNDS):
            X = self.fix(lower + (upper - lower) * engine.draw(max(n * q, 256), dtype=DTYPE))
            X = X[self.feasible(X)]
            kept.append(X)
            count += X.shape[0]
            if count >= n * q:
                break
        if count < n * q:
            kept.append(
                get_polytope_samples(
                    n * q - count,
                    self.bounds,
                    inequality_constraints=self.constraints,
                    seed=seed,
                    n_burnin=200,
                    n_thinning=4,
                )
            )
        raw = torch.cat(kept)[: n * q]
        if self.around_best:
            near = sample_points_around_best(
                self.acqf, n_discrete_points=n * q, sigma=1e-3, bounds=self.bounds
            )
            if near is not None:
                near = self.fix(near.reshape(-1, lower.shape[0]).clone())
                near = near[self.feasible(near)]
                raw = torch.cat([raw, near[: (near.shape[0] // q) * q]])
        return raw.reshape(-1, q, lower.shape[0])


def _is_multi_task(model: Model) -> bool:
    """Whether ``model`` (or a model of its list) is a multi-task GP."""
    from botorch.models.gpytorch import MultiTaskGPyTorchModel

    parts = getattr(model, "models", [model])
    return any(isinstance(m, MultiTaskGPyTorchModel) for m in parts)


__all__ = [
    "AcquisitionProblem",
    "build_acquisition",
    "inequality_constraints",
    "optimize_sequential",
    "posterior_mean_acquisition",
    "scalarized_objective",
]
