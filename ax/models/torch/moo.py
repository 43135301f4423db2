"""Multi-objective Bayesian optimisation on BoTorch: :class:`MultiObjectiveBotorchModel`.

Hypervolume-based BO (log noisy expected hypervolume improvement, ``qLogNEHVI``) by
default, with a random-scalarisation fallback (``qLogNParEGO``) for many objectives.
Arrays only: the model sees `m` outcomes, which of them are objectives (the nonzero
``objective_weights``), their thresholds and the outcome constraints, all in the model's
(transformed) outcome space.

Where the time of a suggestion goes and what is cut (measured in
``bench/bench_moo.py``): the GP fit is the batched multi-output GP of
:class:`~ax.models.torch.botorch_model.BotorchModel`, warm-started from the previous fit;
for that standard GP (``fast_path``) the acquisition is
:class:`~ax.models.torch.fast_ehvi.FastLogNEHVI`, the same log NEHVI for one point at a
time with the new point's expectation exact and no GPyTorch posterior per evaluation
(checked against GPyTorch once per fitted model). Elsewhere it is BoTorch's
``qLogNoisyExpectedHypervolumeImprovement``, whose box decompositions of the baseline
under every quasi-MC sample are built once per fitted model and updated incrementally
(``cache_pending``) as pending and chosen points are added. Either way the acquisition is
optimised from few restarts and raw samples, with starting points around the observed
points and the raw points scored by a stand-in with fewer samples.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Dict, List, Optional, Tuple

import numpy as np
import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
from botorch.acquisition.multi_objective.objective import WeightedMCMultiOutputObjective
from botorch.acquisition.multi_objective.parego import qLogNParEGO
from botorch.acquisition.multi_objective.utils import prune_inferior_points_multi_objective
from botorch.exceptions.warnings import BotorchWarning, NumericsWarning
from botorch.models.model import Model
from botorch.sampling.normal import SobolQMCNormalSampler
from botorch.utils.multi_objective.hypervolume import infer_reference_point
from botorch.utils.multi_objective.pareto import is_non_dominated
from botorch.utils.sampling import sample_simplex
from linear_operator.utils.warnings import NumericalWarning
from torch import Tensor

from ax.exceptions import UserInputError
from ax.models.discrete_structure import DiscreteStructure
from ax.models.torch.acquisition import (
    AcquisitionProblem,
    inequality_constraints,
    optimize_sequential,
)
from ax.models.torch.botorch_model import (
    BotorchModel,
    TConstraints,
    TRounding,
    check_discrete,
    derive_seed,
    discrete_search_note,
)
from ax.models.torch.defaults import (
    DTYPE,
    check_bounds,
    posterior_mean_var,
    to_tensor,
    torch_context,
)
from ax.models.torch.fast_ehvi import FastLogNEHVI
from ax.models.torch.options import MultiObjectiveOptions
from ax.models.utils import check_int, to_plain
from ax.utils.validation import check_fixed_features

logger = logging.getLogger(__name__)

PRUNE_SAMPLES = 256
"""Posterior samples by which the NEHVI baseline is pruned to the points that are Pareto
optimal in at least one of them (BoTorch's default, 2,048, spent 15 % of a suggestion in
its Pareto-dominance loop; a point that is optimal in under 1/256 of the samples adds
next to nothing to the expected hypervolume)."""


@dataclass(frozen=True)
class ReferencePoint:
    """The reference point of one suggestion.

    Attributes:
        thresholds: `m` thresholds in outcome space (NaN on non-objectives), the
            inferred ones filled in.
        inferred: `m` flags: whether each objective's threshold was inferred.
        point: `k` reference point in maximisation space (``weights * thresholds`` on
            the `k` objectives).
    """

    thresholds: np.ndarray
    inferred: np.ndarray
    point: np.ndarray


class MultiObjectiveBotorchModel(BotorchModel):
    """GP model with hypervolume-based (or ParEGO) acquisition for several objectives.

    The objectives are the outcomes with a nonzero ``objective_weights`` entry (+1
    maximise, -1 minimise; the magnitude scales the outcome). The reference point of the
    hypervolume is the objective thresholds; those not given are inferred from the model's
    predictions at the observed points: the nadir of their (feasible) Pareto set minus
    ``ref_point_scale`` times its range, as BoTorch's ``infer_reference_point``. The point
    used is logged and returned in the generation metadata.

    Args:
        options: :class:`~ax.models.torch.options.MultiObjectiveOptions` or a dict of its
            fields.
        (others): As :class:`~ax.models.torch.botorch_model.BotorchModel`.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((8, 2))
        >>> Y = np.stack([X[:, 0], 1 - X[:, 0] ** 2 + X[:, 1]], axis=1)
        >>> Y = (Y - Y.mean(0)) / Y.std(0)
        >>> model = MultiObjectiveBotorchModel(seed=0, num_restarts=2, raw_samples=32)
        >>> model.fit([X, X], [Y[:, 0], Y[:, 1]], [np.full(8, np.nan)] * 2,
        ...           bounds=[(0.0, 1.0)] * 2, feature_names=["a", "b"],
        ...           metric_names=["f1", "f2"])
        >>> points, _, meta, _ = model.gen(2, [(0.0, 1.0)] * 2, np.array([1.0, 1.0]))
        >>> points.shape, meta["acquisition"]
        ((2, 2), 'qLogNEHVI')
    """

    options_class: ClassVar[type[MultiObjectiveOptions]] = MultiObjectiveOptions
    supports_fidelities: ClassVar[bool] = False
    supports_task_features: ClassVar[bool] = False
    supports_discrete: ClassVar[bool] = True

    _cache: Optional[Tuple[Tuple[Any, ...], AcquisitionFunction, Optional[AcquisitionFunction]]] = (
        None
    )
    """The last NEHVI built, with its key and its stand-in for scoring starting points
    (per instance once set; reset by each fit)."""

    def _fit_data(self, data: Any) -> None:
        super()._fit_data(data)
        self._cache = None  # a new model: the box decompositions are stale

    # ---------------------------------------------------------------- checks
    def _check_objectives(self, objective_weights: Any) -> np.ndarray:
        """`m` weights with at least two objectives (nonzero entries)."""
        w = self._check_weights(objective_weights).numpy()
        if np.count_nonzero(w) < 2:
            raise UserInputError(
                f"{type(self).__name__}: objective_weights must mark at least two objectives "
                f"(nonzero entries), got {w.tolist()!r}: a single objective is not "
                "multi-objective",
                hint="use BotorchModel (Models.GPEI) for one objective",
            )
        return w

    def _check_thresholds(self, objective_thresholds: Any, weights: np.ndarray) -> np.ndarray:
        """`m` thresholds (NaN where not given); finite only on objectives."""
        name = type(self).__name__
        m = weights.shape[0]
        if objective_thresholds is None:
            return np.full(m, np.nan)
        try:
            t = np.asarray(objective_thresholds, dtype=float).reshape(-1)
        except (TypeError, ValueError) as err:
            raise UserInputError(f"{name}: objective_thresholds must be numbers: {err}") from err
        if t.shape != (m,) or np.isinf(t).any():
            raise UserInputError(
                f"{name}: objective_thresholds must be {m} numbers (NaN where not given, "
                f"never infinite), got {np.asarray(objective_thresholds).tolist()!r}"
            )
        metrics = self._require_data("gen").metric_names
        bad = [j for j in range(m) if weights[j] == 0 and not math.isnan(t[j])]
        if bad:
            raise UserInputError(
                f"{name}: objective_thresholds gives a threshold {t[bad[0]]!r} for metric "
                f"{metrics[bad[0]]!r}, which is not an objective (its weight is 0)",
                hint="thresholds apply to objectives only; use an outcome constraint",
            )
        return t

    # ---------------------------------------------------------------- reference point
    def reference_point(
        self,
        objective_weights: np.ndarray,
        objective_thresholds: Optional[np.ndarray] = None,
        outcome_constraints: Optional[TConstraints] = None,
    ) -> ReferencePoint:
        """The reference point a suggestion would use (given thresholds, others inferred).

        Args:
            objective_weights: `m` weights (at least two nonzero).
            objective_thresholds: `m` thresholds in outcome space, NaN where not given.
            outcome_constraints: ``(A k x m, b k x 1)`` meaning ``A f <= b``: only points
                feasible by the posterior mean shape the inferred point, when any is.

        Returns:
            The :class:`ReferencePoint`.

        Raises:
            DataRequiredError: The model is not fitted.
            UserInputError: Bad weights or thresholds.
        """
        model = self._require_model("reference_point")
        w = self._check_objectives(objective_weights)
        t = self._check_thresholds(objective_thresholds, w)
        constraints = self._check_outcome_constraints(outcome_constraints)
        opts = self.options
        assert isinstance(opts, MultiObjectiveOptions)
        with torch_context(opts.torch_threads):
            return self._reference_point(model, w, t, constraints, opts.ref_point_scale)

    def _reference_point(
        self,
        model: Model,
        w: np.ndarray,
        t: np.ndarray,
        constraints: Optional[Tuple[Tensor, Tensor]],
        scale: float,
    ) -> ReferencePoint:
        objs = np.flatnonzero(w)
        given = w[objs] * t[objs]
        missing = np.isnan(given)
        if not missing.any():
            return ReferencePoint(t.copy(), np.zeros(w.shape[0], dtype=bool), given)
        data = self._require_data("gen")
        mean, _ = posterior_mean_var(model, to_tensor(data.all_X))
        Y = mean[:, objs.tolist()] * to_tensor(w[objs])
        if constraints is not None:
            A, b = constraints
            feasible = ((mean @ A.T - b) <= 0).all(dim=-1)
            if bool(feasible.any()):
                Y = Y[feasible]
        pareto = Y[is_non_dominated(Y)]
        point = infer_reference_point(pareto, max_ref_point=to_tensor(given), scale=scale)
        point_np = point.numpy().astype(np.float64)
        thresholds = t.copy()
        thresholds[objs] = point_np / w[objs]
        inferred = np.zeros(w.shape[0], dtype=bool)
        inferred[objs[missing]] = True
        names = [data.metric_names[j] for j in objs[missing]]
        logger.info(
            "%s: inferred objective thresholds %s for %s (model space; nadir of the observed "
            "Pareto set minus %s of its range); pass objective_thresholds to override",
            type(self).__name__,
            [round(float(v), 6) for v in thresholds[objs[missing]]],
            names,
            scale,
        )
        return ReferencePoint(thresholds, inferred, point_np)

    # ---------------------------------------------------------------- generation
    def gen(
        self,
        n: int,
        bounds: Sequence[Tuple[float, float]],
        objective_weights: np.ndarray,
        outcome_constraints: Optional[TConstraints] = None,
        linear_constraints: Optional[TConstraints] = None,
        fixed_features: Optional[Mapping[int, float]] = None,
        pending_observations: Optional[Sequence[np.ndarray] | np.ndarray] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
        rounding_func: Optional[TRounding] = None,
        discrete: Optional[DiscreteStructure] = None,
        objective_thresholds: Optional[np.ndarray] = None,
    ) -> Tuple[np.ndarray, np.ndarray, Dict[str, Any], Optional[List[Dict[str, Any]]]]:
        """Propose ``n`` points that improve the hypervolume of the Pareto set.

        With ``discrete``, the one-hot groups of unordered choices are searched on their
        categories (:func:`~ax.models.torch.mixed_gen.optimize_mixed`, as for one
        objective), and so are integers and ordered choices with ``search_lattices``;
        other dimensions are relaxed and the chosen point rounded (``rounding_func``).

        Args:
            n: Number of points (sequential greedy for ``n > 1``; each chosen point is
                pending for the next).
            bounds: ``d`` pairs ``(lower, upper)``.
            objective_weights: `m` weights, nonzero on the (at least two) objectives:
                +1 maximises, -1 minimises the outcome.
            outcome_constraints: ``(A k x m, b k x 1)`` meaning ``A f(x) <= b``.
            linear_constraints: ``(A k x d, b k x 1)`` meaning ``A x <= b``.
            fixed_features: ``{dimension: value}`` held fixed.
            pending_observations: Points under evaluation (one `p x d` array or one per
                metric).
            model_gen_options: Gen-time option overrides (``moo_acquisition``,
                ``ref_point_scale``, ``num_restarts``, ``raw_samples``, ...).
            rounding_func: Applied to each chosen point.
            discrete: Which dimensions are discrete (integers, ordered choices, one-hot
                groups) and their valid values: the one-hot groups (and, with
                ``search_lattices``, the lattices) are searched on those values.
            objective_thresholds: `m` thresholds in outcome space (the worst value of
                each objective worth having); NaN (or None for all) where not given,
                which are inferred.

        Returns:
            ``(points n x d, ones n, gen_metadata, None)``. The metadata has
            ``acquisition``, ``fast_acquisition`` (whether the lean NEHVI of
            :mod:`~ax.models.torch.fast_ehvi` was used), ``objective_thresholds``
            (`m`, NaN on non-objectives, as None), ``objective_thresholds_inferred``
            (`m` flags), ``reference_point`` (maximisation space),
            ``acquisition_values`` and ``seed``.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: Fewer than two objectives, a threshold on a non-objective, or
                another malformed argument (named in the message).
        """
        name = type(self).__name__
        model = self._require_model("gen")
        data = self._require_data("gen")
        n = check_int(f"{name}.gen", "n", n, minimum=1)
        box = check_bounds(f"{name}.gen", bounds)
        d = len(data.feature_names)
        if len(box) != d:
            raise UserInputError(f"{name}.gen: bounds must have d={d} pairs, got {len(box)}")
        w = self._check_objectives(objective_weights)
        t = self._check_thresholds(objective_thresholds, w)
        constraints = self._check_outcome_constraints(outcome_constraints)
        linear = inequality_constraints(f"{name}.gen", linear_constraints, d)
        fixed = check_fixed_features(f"{name}.gen", fixed_features, d)
        discrete = check_discrete(f"{name}.gen", discrete, d)
        pending = self._check_pending(pending_observations)
        opts = self._gen_options(model_gen_options)
        assert isinstance(opts, MultiObjectiveOptions)
        if discrete is not None and not opts.search_lattices:
            discrete = discrete.without(list(discrete.lattices))
            discrete = None if discrete.is_empty else discrete
        objs = np.flatnonzero(w)
        kind = opts.moo_acquisition
        if kind == "auto":
            kind = "qLogNEHVI" if objs.size <= opts.max_nehvi_objectives else "qLogNParEGO"
        call_seed = derive_seed(self.seed, 2, self.gen_count)
        bounds_t = torch.tensor(box, dtype=DTYPE).T.contiguous()
        with torch_context(opts.torch_threads, seed=call_seed):
            ref = self._reference_point(model, w, t, constraints, opts.ref_point_scale)
            problem = AcquisitionProblem(
                model=model,
                X_observed=to_tensor(data.all_X),
                weights=to_tensor(w),
                outcome_constraints=constraints,
                X_pending=pending,
                options=opts,
                seed=call_seed,
                bounds=bounds_t,
            )
            objective = WeightedMCMultiOutputObjective(
                weights=to_tensor(w[objs]), outcomes=objs.tolist()
            )
            make_acqf: Callable[[Optional[Tensor]], AcquisitionFunction]
            make_initial: Optional[Callable[[Optional[Tensor]], AcquisitionFunction]] = None
            if kind == "qLogNEHVI":
                acqf, proxy, pending = self._nehvi(problem, objective, ref, pending, objs, w[objs])
                make_acqf = partial(_with_pending, acqf)
                if proxy is not None:
                    make_initial = partial(_with_pending, proxy)
            else:
                make_acqf = partial(
                    _parego,
                    problem,
                    objective,
                    objs.size,
                    generator=torch.Generator().manual_seed(call_seed),
                )

            points, values = optimize_sequential(
                make_acqf,
                n,
                bounds_t,
                opts,
                seed=call_seed,
                X_pending=pending,
                constraints=linear,
                fixed_features=fixed,
                rounding_func=rounding_func,
                discrete=discrete,
                make_initial_acqf=make_initial,
            )
        self.gen_count += 1
        metadata: Dict[str, Any] = {
            "acquisition": kind,
            "fast_acquisition": bool(problem.notes.get("fast_acquisition", False)),
            "objective_thresholds": [None if math.isnan(v) else float(v) for v in ref.thresholds],
            "objective_thresholds_inferred": [bool(v) for v in ref.inferred],
            "reference_point": [float(v) for v in ref.point],
            "acquisition_values": [v if math.isfinite(v) else None for v in values],
            "fit_path": self.fit_path,
            "seed": call_seed,
        }
        if discrete is not None:
            metadata["discrete_search"] = discrete_search_note(discrete)
        return points.numpy().astype(np.float64), np.ones(n), to_plain(metadata), None

    def _nehvi(
        self,
        problem: AcquisitionProblem,
        objective: WeightedMCMultiOutputObjective,
        ref: ReferencePoint,
        pending: Optional[Tensor],
        objs: np.ndarray,
        weights: np.ndarray,
    ) -> Tuple[AcquisitionFunction, Optional[AcquisitionFunction], Optional[Tensor]]:
        """The NEHVI of ``problem``: :class:`~ax.models.torch.fast_ehvi.FastLogNEHVI` on
        the model's lean batched posterior where it applies (``fast_path``), else BoTorch's
        qLogNEHVI. It is reused from the last call when it is the same fitted model,
        reference point, objective, constraints and sampling options; BoTorch's only when
        its pending points are among ``pending`` (they are then put first, so that BoTorch
        updates its box decompositions with the new points only), the lean one for any
        pending set (it re-samples its baseline with them).

        The baseline is pruned once (BoTorch's ``prune_inferior_points_multi_objective``
        with :data:`PRUNE_SAMPLES` samples) and shared by the NEHVI and its stand-in: a
        NEHVI with ``initial_mc_samples`` quasi-MC samples that scores the raw starting
        points (None when that option is None or not below ``mc_samples``).

        Returns:
            ``(acquisition function, stand-in or None, pending points in the order to
            pass them)``.
        """
        opts = problem.options
        assert isinstance(opts, MultiObjectiveOptions)
        A = problem.outcome_constraints
        key = (
            id(problem.model),
            tuple(ref.point.tolist()),
            tuple(int(j) for j in objs),
            tuple(float(v) for v in weights),
            None if A is None else (tuple(A[0].reshape(-1).tolist()), tuple(A[1].tolist())),
            opts.mc_samples,
            opts.initial_mc_samples,
            opts.prune_baseline,
            opts.fast_path,
        )
        lean = self._batched_posterior() if opts.fast_path else None
        problem.notes["fast_acquisition"] = lean is not None
        if self._cache is not None and self._cache[0] == key:
            _, acqf, proxy = self._cache
            if lean is not None:  # the lean NEHVI re-samples its baseline for any pending set
                return acqf, proxy, pending
            ok, ordered = _extend_pending(getattr(acqf, "X_pending", None), pending)
            if ok:
                return acqf, proxy, ordered
        ref_point = to_tensor(ref.point)
        X_baseline = self._pruned_baseline(problem, objective, ref_point)

        def build(samples: int, seed: int) -> AcquisitionFunction:
            if lean is not None:
                return FastLogNEHVI(
                    problem.model,
                    lean,
                    objective,
                    ref_point,
                    X_baseline,
                    pending,
                    problem.outcome_constraints,
                    problem.constraint_callables,
                    samples,
                    seed,
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NumericsWarning)
                warnings.simplefilter("ignore", BotorchWarning)
                return qLogNoisyExpectedHypervolumeImprovement(
                    problem.model,
                    ref_point=ref_point,
                    X_baseline=X_baseline,
                    sampler=SobolQMCNormalSampler(sample_shape=torch.Size([samples]), seed=seed),
                    objective=objective,
                    constraints=problem.constraint_callables,
                    prune_baseline=False,
                    cache_pending=True,
                    incremental_nehvi=True,
                )

        acqf = build(opts.mc_samples, problem.seed)
        few = opts.initial_mc_samples
        proxy = build(few, problem.seed + 1) if few is not None and few < opts.mc_samples else None
        self._cache = (key, acqf, proxy)
        return acqf, proxy, pending

    @staticmethod
    def _pruned_baseline(
        problem: AcquisitionProblem, objective: WeightedMCMultiOutputObjective, ref_point: Tensor
    ) -> Tensor:
        """The observed points, pruned (when ``prune_baseline``) to those Pareto optimal
        in some of :data:`PRUNE_SAMPLES` posterior samples."""
        if not problem.options.prune_baseline:
            return problem.X_observed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NumericsWarning)
            warnings.simplefilter("ignore", BotorchWarning)
            # The jitter GPyTorch adds to sample nearly noiseless outcomes is routine.
            warnings.simplefilter("ignore", NumericalWarning)
            return prune_inferior_points_multi_objective(
                problem.model,
                problem.X_observed,
                ref_point=ref_point,
                objective=objective,
                constraints=problem.constraint_callables,
                num_samples=PRUNE_SAMPLES,
            )

    # ---------------------------------------------------------------- frontier
    def best_point(self, *args: Any, **kwargs: Any) -> Optional[np.ndarray]:
        """None: several objectives have a Pareto frontier, not one best point (see
        :meth:`pareto_frontier`)."""
        return None

    def pareto_frontier(
        self,
        objective_weights: np.ndarray,
        objective_thresholds: Optional[np.ndarray] = None,
        outcome_constraints: Optional[TConstraints] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """The observed points on the model-predicted Pareto frontier.

        The posterior means at the observed points are compared; points predicted
        infeasible (by the mean) or worse than a given threshold are left out.

        Args:
            objective_weights: `m` weights (at least two nonzero).
            objective_thresholds: `m` thresholds in outcome space, NaN where not given.
            outcome_constraints: ``(A k x m, b k x 1)`` meaning ``A f <= b``.

        Returns:
            ``(X p x d, mean p x m)``: the Pareto-optimal observed points and their
            posterior means (outcome space); ``p`` may be 0.
        """
        model = self._require_model("pareto_frontier")
        data = self._require_data("pareto_frontier")
        w = self._check_objectives(objective_weights)
        t = self._check_thresholds(objective_thresholds, w)
        constraints = self._check_outcome_constraints(outcome_constraints)
        X = to_tensor(data.all_X)
        objs = np.flatnonzero(w)
        with torch_context(self.options.torch_threads):
            mean, _ = posterior_mean_var(model, X)
            Y = mean[:, objs.tolist()] * to_tensor(w[objs])
            keep = torch.ones(X.shape[0], dtype=torch.bool)
            if constraints is not None:
                A, b = constraints
                keep &= ((mean @ A.T - b) <= 0).all(dim=-1)
            given = to_tensor(w[objs] * t[objs])
            known = ~torch.isnan(given)
            if bool(known.any()):
                keep &= (Y[:, known] >= given[known]).all(dim=-1)
            index = torch.nonzero(keep).reshape(-1)
            front = index[is_non_dominated(Y[index])] if index.numel() else index
        rows = front.numpy()
        return data.all_X[rows].copy(), mean[front].numpy().astype(np.float64)


def _with_pending(acqf: AcquisitionFunction, X_pending: Optional[Tensor]) -> AcquisitionFunction:
    """``acqf`` with its pending points set to ``X_pending`` (a cached NEHVI updates its
    box decompositions with the points it has not seen)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BotorchWarning)
        acqf.set_X_pending(X_pending)
    return acqf


def _parego(
    problem: AcquisitionProblem,
    objective: WeightedMCMultiOutputObjective,
    k: int,
    X_pending: Optional[Tensor],
    generator: torch.Generator,
) -> AcquisitionFunction:
    """``qLogNParEGO`` with Chebyshev weights drawn uniformly from the `k` simplex."""
    weights = sample_simplex(
        k, n=1, dtype=DTYPE, seed=int(torch.randint(2**31 - 1, (1,), generator=generator))
    )
    problem.notes.setdefault("scalarization_weights", []).append(weights.reshape(-1).tolist())
    sampler = SobolQMCNormalSampler(
        sample_shape=torch.Size([problem.options.mc_samples]), seed=problem.seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericsWarning)
        warnings.simplefilter("ignore", BotorchWarning)
        return qLogNParEGO(
            problem.model,
            X_baseline=problem.X_observed,
            scalarization_weights=weights.reshape(-1),
            sampler=sampler,
            objective=objective,
            constraints=problem.constraint_callables,
            X_pending=X_pending,
            prune_baseline=problem.options.prune_baseline,
        )


def _extend_pending(
    cached: Optional[Tensor], pending: Optional[Tensor]
) -> Tuple[bool, Optional[Tensor]]:
    """Whether an acquisition function with ``cached`` pending points can take
    ``pending``, and ``pending`` reordered to start with the cached points (it cannot
    when some cached point is no longer pending: BoTorch's cache only grows)."""
    if cached is None or cached.shape[0] == 0:
        return True, pending
    if pending is None:
        return False, None
    match = (pending.unsqueeze(0) == cached.unsqueeze(1)).all(dim=-1)  # cached x pending
    if not bool(match.any(dim=1).all()):
        return False, None
    used = match.any(dim=0)
    return True, torch.cat([cached, pending[~used]])


__all__ = ["MultiObjectiveBotorchModel", "ReferencePoint"]
