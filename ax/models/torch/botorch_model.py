"""Gaussian-process Bayesian optimisation on BoTorch: :class:`BotorchModel`."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Dict, List, Optional, Tuple

import numpy as np
import torch
from botorch.acquisition import AcquisitionFunction
from botorch.models.model import Model
from torch import Tensor

from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.models.base import Generator
from ax.models.discrete_structure import DiscreteStructure
from ax.models.torch.acquisition import (
    AcquisitionProblem,
    build_acquisition,
    inequality_constraints,
    optimize_sequential,
    posterior_mean_acquisition,
)
from ax.models.torch.defaults import (
    DTYPE,
    TrainingData,
    build_model,
    check_bounds,
    fit_model,
    get_hyperparameters,
    inverse_lengthscales,
    posterior_mean_var,
    set_hyperparameters,
    to_tensor,
    torch_context,
    validate_training_data,
)
from ax.models.torch.fast import FastPosterior
from ax.models.torch.fast_ehvi import BatchedPosterior
from ax.models.torch.fidelity import FidelityFeature, target_fidelities
from ax.models.torch.options import (
    GEN_TIME_FIELDS,
    BotorchOptions,
    options_to_state,
    parse_options,
)
from ax.models.utils import (
    check_constraint_pair,
    check_int,
    resolve_seed,
    to_plain,
)
from ax.utils.validation import check_fixed_features

TConstraints = Tuple[np.ndarray, np.ndarray]
TRounding = Callable[[np.ndarray], np.ndarray]

MIN_FEASIBILITY = 0.5
"""``best_point`` considers observed points feasible with at least this probability."""


class BotorchModel(Generator):
    """GP model with (log) noisy expected improvement, fitted and optimised on BoTorch.

    Inputs are expected in the unit cube and outcomes standardised (the bridge's
    transforms do both); nothing is rescaled here. One ``SingleTaskGP`` with batched
    outputs models outcomes observed at the same points with the same kind of noise,
    otherwise a ``ModelListGP`` does; known variances give fixed-noise GPs, NaN variances
    inferred noise.

    Speed (see :class:`~ax.models.torch.options.BotorchOptions`): each fit starts from the
    previous fit's hyperparameters and is capped at ``fit_maxiter`` iterations; the
    acquisition is optimised from a modest number of restarts with starting points
    sampled around the incumbent; for the standard single-output GP, the marginal
    likelihood and the posterior go through lean code checked against GPyTorch.

    Torch runs with ``options.torch_threads`` threads inside ``fit``, ``gen``,
    ``predict``, ``best_point`` and ``cross_validate`` only; every random draw happens in
    a private torch stream seeded from ``seed`` and the call counters, so the same seed
    and data give the same candidates, and torch's global random state is untouched.

    Args:
        options: Settings, as :class:`BotorchOptions` or a dict of its fields.
        seed: Seed of every random choice; None picks one (recorded in the state).
        hyperparameters: Saved hyperparameters (from :meth:`get_state`) that warm-start
            the next fit: ``{metric: {parameter: nested list}}``.
        gen_count: Number of ``gen`` calls made so far (seeds the next one).
        fit_count: Number of fits made so far (drives ``refit_every``).
        kwargs: Option fields given directly (``BotorchModel(num_restarts=4)``); they
            override ``options``.

    Raises:
        UserInputError: An unknown keyword argument (named in the message) or a bad
            value.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((8, 2))
        >>> y = -((X - 0.3) ** 2).sum(1)
        >>> model = BotorchModel(seed=0, num_restarts=2, raw_samples=32)
        >>> model.fit([X], [(y - y.mean()) / y.std()], [np.full(8, np.nan)],
        ...           bounds=[(0.0, 1.0)] * 2, feature_names=["a", "b"], metric_names=["m"])
        >>> points, weights, _, _ = model.gen(1, [(0.0, 1.0)] * 2, np.array([1.0]))
        >>> points.shape
        (1, 2)
    """

    options_class: ClassVar[type[BotorchOptions]] = BotorchOptions
    batch_outputs: ClassVar[bool] = True
    """Model outcomes observed at the same points as one batched multi-output GP."""
    best_point_out_of_sample: ClassVar[bool] = False
    """Recommend the maximiser of the posterior mean over the box instead of the best
    observed point (knowledge gradient and entropy search, whose candidates are not
    meant to be good themselves)."""
    supports_fidelities: ClassVar[bool] = True
    """``fit`` takes ``fidelity_features`` (the bridge passes them when the search space
    has fidelity parameters)."""
    supports_task_features: ClassVar[bool] = True
    """``fit`` takes ``task_features`` (the bridge passes them when the search space has a
    task parameter, e.g. the trial task of ``TrialAsTask``)."""
    supports_discrete: ClassVar[bool] = True
    """``fit`` and ``gen`` take ``discrete`` (the bridge passes the discrete dimensions of
    a mixed search space)."""
    explores_fidelities: ClassVar[bool] = False
    """Candidates may be at any fidelity (cost-aware acquisition); otherwise they are
    pinned at the target fidelities."""

    def __init__(
        self,
        options: Optional[BotorchOptions | Mapping[str, Any]] = None,
        seed: Optional[int] = None,
        hyperparameters: Optional[Mapping[str, Mapping[str, Any]]] = None,
        gen_count: int = 0,
        fit_count: int = 0,
        **kwargs: Any,
    ) -> None:
        name = type(self).__name__
        fields = set(self.options_class.model_fields)
        unknown = sorted(k for k in kwargs if k not in fields)
        if unknown:
            raise UserInputError(
                f"{name}: unknown keyword argument(s) {unknown}",
                hint="known: options, seed, hyperparameters, gen_count, fit_count and the "
                f"option fields {sorted(fields)}",
            )
        base = parse_options(self.options_class, options, owner=name)
        if kwargs:
            given = {k: getattr(base, k) for k in base.model_fields_set}
            base = parse_options(self.options_class, {**given, **kwargs}, owner=name)
        self.options: BotorchOptions = base
        self.seed: int = resolve_seed(name, seed)
        self.hyperparameters: Optional[Dict[str, Dict[str, Any]]] = _check_hyperparameters(
            name, hyperparameters
        )
        self.gen_count: int = check_int(name, "gen_count", gen_count, minimum=0)
        self.fit_count: int = check_int(name, "fit_count", fit_count, minimum=0)
        self.model: Optional[Model] = None
        self.data: Optional[TrainingData] = None
        self.fidelity_features: List[FidelityFeature] = []
        self.task_features: List[int] = []
        self.discrete: Optional[DiscreteStructure] = None
        """``fit``'s ``discrete`` (kept for ``update``)."""
        self.shared_lengthscales: List[List[int]] = []
        """Groups of input dimensions fitted with one lengthscale (the one-hot columns of
        each unordered choice of ``discrete``)."""
        self.fit_path: Optional[str] = None
        self.large_n: Optional[Dict[str, int]] = None
        """Set when the last fit took the large-N path: observations, points the
        hyperparameters were fitted on, points the GP conditions on."""
        self.conditioning_X: Optional[np.ndarray] = None
        self._posteriors: Dict[str, Any] = {}
        """Lean posteriors of the fitted model, each computed on first use (None where it
        does not apply): ``"single"`` (:class:`FastPosterior`), ``"batched"``
        (:class:`BatchedPosterior`)."""
        self._reference: Optional[Model] = None

    # ---------------------------------------------------------------- fitting
    def fit(
        self,
        Xs: Sequence[np.ndarray],
        Ys: Sequence[np.ndarray],
        Yvars: Sequence[np.ndarray],
        bounds: Sequence[Tuple[float, float]],
        feature_names: Sequence[str],
        metric_names: Sequence[str],
        fidelity_features: Optional[Sequence[FidelityFeature]] = None,
        task_features: Optional[Sequence[int]] = None,
        discrete: Optional[DiscreteStructure] = None,
    ) -> None:
        """Fit the GP to the observations, warm-started from the previous fit.

        Args:
            Xs: Per metric, `n_i x d` observed points (in the unit cube).
            Ys: Per metric, `n_i` observed means (standardised).
            Yvars: Per metric, `n_i` variances of the means; all NaN when unknown.
            bounds: ``d`` pairs ``(lower, upper)`` of the search box.
            feature_names: Name of each input dimension.
            metric_names: Name of each metric.
            fidelity_features: The inputs that are fidelity parameters (with their
                targets): the GP is then a ``SingleTaskMultiFidelityGP`` per outcome,
                and recommendations are made at the target fidelities.
            task_features: The input dimension (one at most) that is a task, with
                integer values ``0 .. k-1`` and bounds ``(0, k-1)``: the GP is then a
                BoTorch ``MultiTaskGP`` per outcome, and ``gen`` needs the task fixed
                (``fixed_features``) to the task to generate for.
            discrete: The discrete dimensions of a mixed space. The one-hot columns of
                each unordered choice then share one lengthscale
                (``shared_categorical_lengthscales``).

        Raises:
            UserInputError: Bad data (see
                :func:`~ax.models.torch.defaults.validate_training_data`); the message
                names the metric and the shape or value; or a fidelity feature outside
                the inputs, or with its target outside its bounds; a task feature that is
                not an input with integer bounds; ``discrete`` not a
                :class:`~ax.models.discrete_structure.DiscreteStructure` of ``d``
                dimensions.
            UnsupportedError: The GP could not be fitted to valid data; several task
                features, or task and fidelity features together.
        """
        data = validate_training_data(
            type(self).__name__, Xs, Ys, Yvars, bounds, feature_names, metric_names
        )
        self.fidelity_features = _check_fidelity_features(
            type(self).__name__, fidelity_features, data
        )
        self.task_features = _check_task_features(type(self).__name__, task_features, data)
        self.discrete = check_discrete(f"{type(self).__name__}.fit", discrete, len(data.bounds))
        self.shared_lengthscales = (
            [list(group) for group in self.discrete.groups]
            if self.discrete is not None and self.options.shared_categorical_lengthscales
            else []
        )
        self._fit_data(data)

    def update(
        self, Xs: Sequence[np.ndarray], Ys: Sequence[np.ndarray], Yvars: Sequence[np.ndarray]
    ) -> None:
        """Refit on new data (same bounds and names as the last fit), warm-started.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: Bad data.
        """
        data = self._require_data("update")
        self.fit(
            Xs,
            Ys,
            Yvars,
            data.bounds,
            data.feature_names,
            data.metric_names,
            fidelity_features=self.fidelity_features,
            task_features=self.task_features,
            discrete=self.discrete,
        )

    def _build(self, data: TrainingData) -> Model:
        return build_model(
            data,
            allow_batched=self.batch_outputs,
            fidelity_features=[f.index for f in self.fidelity_features],
            linear_truncated=bool(getattr(self.options, "linear_truncated", False)),
            task_features=self.task_features,
            kernel=self.options.kernel,
            lengthscale_prior=self.lengthscale_prior,
        )

    @property
    def lengthscale_prior(self) -> str:
        """The lengthscale prior of the standard GP: the option's, with ``"auto"``
        resolved (``"dim_scaled"`` when an input is a one-hot column of an unordered
        choice, else ``"saas"``; see :class:`~ax.models.torch.options.BotorchOptions`)."""
        prior = self.options.lengthscale_prior
        if prior != "auto":
            return prior
        one_hot = self.discrete is not None and bool(self.discrete.groups)
        return "dim_scaled" if one_hot else "saas"

    def _fit_data(self, data: TrainingData) -> None:
        opts = self.options
        name = type(self).__name__
        n = max(X.shape[0] for X in data.Xs)
        large = n > opts.fit_subset and not self.task_features and not self.fidelity_features
        fit_seed = derive_seed(self.seed, 1, self.fit_count)
        fit_data = subset_training_data(data, opts.fit_subset, fit_seed) if large else data
        with torch_context(opts.torch_threads, seed=fit_seed):
            model = self._build(fit_data)
            warm = False
            if opts.warm_start and self.hyperparameters:
                loaded, total = set_hyperparameters(model, data.metric_names, self.hyperparameters)
                warm = 0 < loaded == total
            if warm and self.fit_count % opts.refit_every != 0:
                model.eval()
                path = "reused"
            else:
                # A partial warm start (say, a new metric) fits to convergence like a
                # cold one: the new outcome starts at the prior's mode.
                maxiter = opts.fit_maxiter if warm else opts.initial_fit_maxiter
                try:
                    path = fit_model(
                        model,
                        maxiter=maxiter,
                        fast=opts.fast_path,
                        shared_lengthscales=self.shared_lengthscales,
                    )
                except (RuntimeError, ValueError) as err:
                    raise UnsupportedError(
                        f"{name}.fit: the GP could not be fitted to metrics "
                        f"{data.metric_names} ({[X.shape for X in data.Xs]} points): {err}",
                        hint="check for duplicated points with contradictory values",
                    ) from err
            hyperparameters = get_hyperparameters(model, data.metric_names)
            self.large_n = None
            self._reference = None
            if large:
                # Condition on the data (or, past max_conditioning_points, a subset of it)
                # with the hyperparameters fitted on the subset.
                condition = subset_training_data(data, opts.max_conditioning_points, fit_seed)
                self._reference = model
                model = self._build(condition)
                set_hyperparameters(model, data.metric_names, hyperparameters)
                model.eval()
                self.large_n = {
                    "observations": n,
                    "hyperparameters_fitted_on": max(X.shape[0] for X in fit_data.Xs),
                    "conditioned_on": max(X.shape[0] for X in condition.Xs),
                }
                self.conditioning_X = condition.all_X
            else:
                self.conditioning_X = data.all_X
        self.model, self.data, self.fit_path = model, data, path
        self.hyperparameters = hyperparameters
        self.fit_count += 1
        self._posteriors = {}

    # ---------------------------------------------------------------- prediction
    def predict(self, X: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Posterior means and covariances of the latent outcomes at ``X``.

        Args:
            X: `n x d` points.

        Returns:
            ``(mean n x m, cov n x m x m)``; outcomes are modelled independently, so
            each `m x m` covariance is diagonal.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: ``X`` is not `n x d` and finite.
        """
        model = self._require_model("predict")
        Xt = self._check_points("predict", "X", X)
        with torch_context(self.options.torch_threads):
            return _predict(model, Xt)

    def feature_importances(self) -> np.ndarray:
        """`m x d` importance of each input for each outcome: the kernel's inverse lengthscales.

        Raises:
            DataRequiredError: The model is not fitted.
            UnsupportedError: The fitted kernel has no lengthscales.
        """
        model = self._require_model("feature_importances")
        values = inverse_lengthscales(model)
        if values is None:
            raise UnsupportedError(
                f"{type(self).__name__}.feature_importances: the fitted kernel has no lengthscales"
            )
        return values

    def cross_validate(
        self,
        Xs_train: Sequence[np.ndarray],
        Ys_train: Sequence[np.ndarray],
        Yvars_train: Sequence[np.ndarray],
        X_test: np.ndarray,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Predictions at ``X_test`` of a GP on the training fold, with the fitted
        hyperparameters (no refit).

        Returns:
            ``(mean n x m, cov n x m x m)``.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: Bad fold data or test points.
        """
        data = self._require_data("cross_validate")
        self._require_model("cross_validate")
        fold = validate_training_data(
            f"{type(self).__name__}.cross_validate",
            Xs_train,
            Ys_train,
            Yvars_train,
            data.bounds,
            data.feature_names,
            data.metric_names,
        )
        Xt = self._check_points("cross_validate", "X_test", X_test)
        with torch_context(self.options.torch_threads):
            model = self._build(fold)
            if self.hyperparameters:
                set_hyperparameters(model, fold.metric_names, self.hyperparameters)
            model.eval()
            return _predict(model, Xt)

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
    ) -> Tuple[np.ndarray, np.ndarray, Dict[str, Any], Optional[List[Dict[str, Any]]]]:
        """Propose ``n`` points maximising the acquisition function.

        Args:
            n: Number of points (sequential greedy for ``n > 1``).
            bounds: ``d`` pairs ``(lower, upper)``: the box searched.
            objective_weights: `m` weights; ``weights @ f`` is MAXIMISED (a negative
                weight minimises that metric).
            outcome_constraints: ``(A k x m, b k x 1)`` meaning ``A f(x) <= b``.
            linear_constraints: ``(A k x d, b k x 1)`` meaning ``A x <= b``.
            fixed_features: ``{dimension: value}`` held fixed in every point.
            pending_observations: Points under evaluation: one `p x d` array, or a
                list with one such array per metric (their union is used).
            model_gen_options: Gen-time option overrides (``acquisition``,
                ``num_restarts``, ``raw_samples``, ``maxiter``, ``sample_around_best``,
                ``mc_samples``, ...), flat or under ``"optimizer_kwargs"`` /
                ``"acquisition_function_kwargs"``.
            rounding_func: Applied to each point (a `d` array) once chosen.
            discrete: Which dimensions are discrete (integers, ordered choices, one-hot
                groups) and their valid values: they are searched on those values
                (enumeration, or alternating continuous and discrete local search),
                not relaxed and rounded.

        Returns:
            ``(points n x d, weights n (ones), gen_metadata, None)``; the metadata
            names the acquisition function actually used and its values.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: A malformed argument (named in the message).
        """
        name = type(self).__name__
        model = self._require_model("gen")
        data = self._require_data("gen")
        n = check_int(f"{name}.gen", "n", n, minimum=1)
        box = check_bounds(f"{name}.gen", bounds)
        d = len(data.feature_names)
        if len(box) != d:
            raise UserInputError(f"{name}.gen: bounds must have d={d} pairs, got {len(box)}")
        weights = self._check_weights(objective_weights)
        constraints = self._check_outcome_constraints(outcome_constraints)
        linear = inequality_constraints(f"{name}.gen", linear_constraints, d)
        fixed = check_fixed_features(f"{name}.gen", fixed_features, d)
        pending = self._check_pending(pending_observations)
        opts = self._gen_options(model_gen_options)
        discrete = check_discrete(f"{name}.gen", discrete, d)
        call_seed = derive_seed(self.seed, 2, self.gen_count)
        bounds_t = torch.tensor(box, dtype=DTYPE).T.contiguous()
        targets = target_fidelities(self.fidelity_features)
        X_observed = data.all_X if self.conditioning_X is None else self.conditioning_X
        if targets and not self.explores_fidelities:
            # Pinned at the targets: candidates, and the incumbent they must beat, are
            # at the target fidelities.
            for j, v in targets.items():
                fixed.setdefault(j, v)
            X_observed = _at_targets(X_observed, targets)
        if self.task_features:
            unfixed = [j for j in self.task_features if j not in fixed]
            if unfixed:
                raise UserInputError(
                    f"{name}.gen: the task feature(s) {unfixed} "
                    f"({[data.feature_names[j] for j in unfixed]}) must be fixed to the task "
                    "to generate for",
                    hint="pass fixed_features={task dimension: task value}",
                )
            # The incumbent to beat is the target task's value at the observed points.
            X_observed = _at_targets(X_observed, {j: fixed[j] for j in self.task_features})
        with torch_context(opts.torch_threads, seed=call_seed):
            problem = AcquisitionProblem(
                model=model,
                X_observed=to_tensor(X_observed),
                weights=weights,
                outcome_constraints=constraints,
                X_pending=pending,
                options=opts,
                seed=call_seed,
                fast=self._fast_posterior() if opts.fast_path else None,
                batched=(
                    self._batched_posterior()
                    if opts.fast_path and constraints is not None
                    else None
                ),
                bounds=bounds_t,
            )

            def make_acqf(X_pending: Optional[Tensor]) -> AcquisitionFunction:
                return self._acquisition(replace(problem, X_pending=X_pending))

            points, values = optimize_sequential(
                make_acqf,
                n,
                bounds_t,
                _constrained_budget(opts) if problem.batched is not None else opts,
                seed=call_seed,
                X_pending=pending,
                constraints=linear,
                fixed_features=fixed,
                rounding_func=rounding_func,
                discrete=discrete,
            )
        self.gen_count += 1
        if targets:
            problem.notes["target_fidelities"] = {
                f.name: f.reported_target for f in self.fidelity_features
            }
        if discrete is not None:
            problem.notes["discrete_search"] = discrete_search_note(discrete)
        if self.large_n is not None:
            problem.notes["large_n"] = dict(self.large_n)
        metadata = {
            **to_plain(problem.notes),
            "acquisition_values": [v if math.isfinite(v) else None for v in values],
            "fit_path": self.fit_path,
            "seed": call_seed,
        }
        return points.numpy().astype(np.float64), np.ones(n), metadata, None

    def _acquisition(self, problem: AcquisitionProblem) -> AcquisitionFunction:
        """The acquisition function of one sequential step (subclasses override)."""
        return build_acquisition(problem)

    def best_point(
        self,
        bounds: Sequence[Tuple[float, float]],
        objective_weights: np.ndarray,
        outcome_constraints: Optional[TConstraints] = None,
        linear_constraints: Optional[TConstraints] = None,
        fixed_features: Optional[Mapping[int, float]] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
    ) -> Optional[np.ndarray]:
        """The recommended point: the best observed point by posterior mean.

        Among the observed points inside ``bounds`` that satisfy the linear constraints
        and fixed features, those feasible with probability >= ``MIN_FEASIBILITY`` are
        scored by ``(utility - lowest utility) * P(feasible)``, where the utility is the
        posterior mean of ``objective_weights @ f``. Subclasses with
        ``best_point_out_of_sample`` instead maximise the posterior mean of the objective
        (constrained: its MC simple regret) over the box.

        Returns:
            The best point (a `d` array), or None when no observed point qualifies.
        """
        name = type(self).__name__
        model = self._require_model("best_point")
        data = self._require_data("best_point")
        d = len(data.feature_names)
        box = np.asarray(check_bounds(f"{name}.best_point", bounds))
        if box.shape[0] != d:
            raise UserInputError(
                f"{name}.best_point: bounds must have d={d} pairs, got {box.shape[0]}"
            )
        weights = self._check_weights(objective_weights)
        constraints = self._check_outcome_constraints(outcome_constraints)
        linear = inequality_constraints(f"{name}.best_point", linear_constraints, d)
        fixed = check_fixed_features(f"{name}.best_point", fixed_features, d)
        opts = self._gen_options(model_gen_options)
        targets = target_fidelities(self.fidelity_features)
        for j, v in targets.items():
            fixed[j] = v  # recommendations are at the target fidelities
        if self.best_point_out_of_sample:
            seed = derive_seed(self.seed, 3, self.gen_count)
            with torch_context(opts.torch_threads, seed=seed):
                problem = AcquisitionProblem(
                    model, to_tensor(data.all_X), weights, constraints, None, opts, seed
                )
                point, _ = optimize_sequential(
                    lambda _pending: posterior_mean_acquisition(problem),
                    1,
                    torch.tensor(box, dtype=DTYPE).T.contiguous(),
                    opts,
                    seed=seed,
                    constraints=linear,
                    fixed_features=fixed,
                )
            return point[0].numpy().astype(np.float64)
        # Observed points, at the target fidelities (the model's prediction there, not
        # the cheaper observation, is what a recommendation is judged by).
        observed = data.all_X if self.large_n is None else self.conditioning_X
        assert observed is not None
        X = _at_targets(observed, targets)
        ok = np.all((box[:, 0] - 1e-9 <= X) & (box[:, 1] + 1e-9 >= X), axis=1)
        for idx, coef, rhs in linear or []:
            ok &= X[:, idx.numpy()] @ coef.numpy() >= rhs - 1e-9
        for j, v in fixed.items():
            ok &= np.isclose(X[:, j], v)
        if not ok.any():
            return None
        X = X[ok]
        with torch_context(opts.torch_threads):
            problem = AcquisitionProblem(
                model,
                to_tensor(X),
                weights,
                constraints,
                None,
                opts,
                self.seed,
                fast=self._fast_posterior() if opts.fast_path else None,
            )
            utility, _, feasible = problem.objective_stats(to_tensor(X))
        u, p = utility.numpy(), feasible.numpy()
        admissible = p >= MIN_FEASIBILITY
        if not admissible.any():
            return None
        score = np.where(admissible, (u - u.min()) * p, -np.inf)
        best = int(np.lexsort((u, score))[-1])
        return X[best].copy()

    # ---------------------------------------------------------------- state
    def get_state(self) -> Dict[str, Any]:
        """``{"seed", "options", "hyperparameters", "gen_count", "fit_count"}``."""
        return {
            "seed": self.seed,
            "options": options_to_state(self.options),
            "hyperparameters": to_plain(self.hyperparameters),
            "gen_count": self.gen_count,
            "fit_count": self.fit_count,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed}, options={self.options!r})"

    # ---------------------------------------------------------------- helpers
    def _fast_posterior(self) -> Optional[FastPosterior]:
        if "single" not in self._posteriors:
            self._posteriors["single"] = FastPosterior.from_model(
                self.model, reference=self._reference
            )
        return self._posteriors["single"]

    def _batched_posterior(self) -> Optional[BatchedPosterior]:
        if "batched" not in self._posteriors:
            self._posteriors["batched"] = BatchedPosterior.from_model(self.model)
        return self._posteriors["batched"]

    def _require_model(self, method: str) -> Model:
        if self.model is None:
            raise DataRequiredError(
                f"{type(self).__name__}.{method}: the model is not fitted",
                hint="call fit with data first",
            )
        return self.model

    def _require_data(self, method: str) -> TrainingData:
        if self.data is None:
            raise DataRequiredError(
                f"{type(self).__name__}.{method}: the model is not fitted",
                hint="call fit with data first",
            )
        return self.data

    def _gen_options(self, model_gen_options: Optional[Mapping[str, Any]]) -> BotorchOptions:
        name = type(self).__name__
        if model_gen_options is None:
            return self.options
        if not isinstance(model_gen_options, Mapping):
            raise UserInputError(
                f"{name}.gen: model_gen_options must be a dict, got {model_gen_options!r}"
            )
        allowed = GEN_TIME_FIELDS & set(self.options_class.model_fields)
        flat: Dict[str, Any] = {}
        for key, value in model_gen_options.items():
            if key in ("optimizer_kwargs", "acquisition_function_kwargs") and isinstance(
                value, Mapping
            ):
                flat.update(value)
            else:
                flat[key] = value
        unknown = sorted(str(k) for k in flat if k not in allowed)
        if unknown:
            raise UserInputError(
                f"{name}.gen: unknown model_gen_options {unknown}", hint=f"known: {sorted(allowed)}"
            )
        if not flat:
            return self.options
        given = {k: getattr(self.options, k) for k in self.options.model_fields_set}
        return parse_options(self.options_class, {**given, **flat}, owner=f"{name}.gen")

    def _check_weights(self, objective_weights: Any) -> Tensor:
        name = type(self).__name__
        m = len(self._require_data("gen").metric_names)
        try:
            w = np.asarray(objective_weights, dtype=float).reshape(-1)
        except (TypeError, ValueError) as err:
            raise UserInputError(f"{name}: objective_weights must be numbers: {err}") from err
        if w.shape != (m,) or not np.all(np.isfinite(w)) or not np.any(w != 0):
            raise UserInputError(
                f"{name}: objective_weights must be {m} finite numbers, not all zero, got "
                f"{np.asarray(objective_weights).tolist()!r}"
            )
        return to_tensor(w)

    def _check_outcome_constraints(
        self, outcome_constraints: Optional[TConstraints]
    ) -> Optional[Tuple[Tensor, Tensor]]:
        name = type(self).__name__
        if outcome_constraints is None:
            return None
        m = len(self._require_data("gen").metric_names)
        A, b = check_constraint_pair(name, "outcome_constraints", outcome_constraints, m, "m")
        if A.shape[0] == 0:
            return None
        return to_tensor(A), to_tensor(b.reshape(-1))

    def _check_points(self, method: str, what: str, X: Any) -> Tensor:
        name = type(self).__name__
        d = len(self._require_data(method).feature_names)
        try:
            array = np.asarray(X, dtype=float)
        except (TypeError, ValueError) as err:
            raise UserInputError(f"{name}.{method}: {what} must be numbers: {err}") from err
        if array.ndim != 2 or array.shape[1] != d or not np.all(np.isfinite(array)):
            raise UserInputError(
                f"{name}.{method}: {what} must be a finite n x d array with d={d}, got "
                f"shape {array.shape}"
            )
        return to_tensor(array)

    def _check_pending(self, pending: Any) -> Optional[Tensor]:
        """Pending points (one array, or one per metric) as their `p x d` union."""
        if pending is None:
            return None
        arrays = [pending] if isinstance(pending, np.ndarray) else list(pending)
        points = [
            self._check_points("gen", "pending_observations", np.atleast_2d(a))
            for a in arrays
            if a is not None and np.size(a)
        ]
        if not points:
            return None
        return torch.unique(torch.cat(points), dim=0)


def _predict(model: Model, X: Tensor) -> Tuple[np.ndarray, np.ndarray]:
    mean, var = posterior_mean_var(model, X)
    cov = torch.diag_embed(var.clamp_min(0.0))
    return mean.numpy().astype(np.float64), cov.numpy().astype(np.float64)


def derive_seed(seed: int, stream: int, count: int) -> int:
    """A 31-bit seed for call ``count`` of ``stream`` (1 = fit, 2 = gen)."""
    return int(np.random.SeedSequence([seed, stream, count]).generate_state(1)[0] >> 1)


def subset_training_data(data: TrainingData, k: int, seed: int) -> TrainingData:
    """``data`` with at most ``k`` observations per outcome.

    Each outcome keeps its ``k // 4`` lowest and ``k // 4`` highest values (the best
    region whichever the direction) and a seeded uniform random choice of the rest;
    row order is kept. Outcomes with at most ``k`` observations are unchanged.
    """
    rng = np.random.default_rng(seed)
    Xs, Ys, Yvars = [], [], []
    for X, Y, Yvar in zip(data.Xs, data.Ys, data.Yvars):
        if X.shape[0] <= k:
            Xs.append(X)
            Ys.append(Y)
            Yvars.append(Yvar)
            continue
        order = np.argsort(Y, kind="stable")
        extremes = np.concatenate([order[: k // 4], order[len(order) - k // 4 :]])
        rest = np.setdiff1d(np.arange(X.shape[0]), extremes)
        chosen = rng.choice(rest, size=k - extremes.size, replace=False)
        rows = np.sort(np.concatenate([extremes, chosen]))
        Xs.append(X[rows])
        Ys.append(Y[rows])
        Yvars.append(None if Yvar is None else Yvar[rows])
    return replace(data, Xs=Xs, Ys=Ys, Yvars=Yvars)


def _constrained_budget(opts: BotorchOptions) -> BotorchOptions:
    """``opts`` with the acquisition optimiser's budget of the constrained NEI
    (``constrained_num_restarts``, ``constrained_maxiter``)."""
    return opts.model_copy(
        update={"num_restarts": opts.constrained_num_restarts, "maxiter": opts.constrained_maxiter}
    )


def discrete_search_note(discrete: DiscreteStructure) -> Dict[str, Any]:
    """What a generator run's metadata says of a discrete search (``discrete_search``)."""
    return {
        "lattice_dims": len(discrete.lattices),
        "one_hot_groups": len(discrete.groups),
        "configurations": discrete.size if math.isfinite(discrete.size) else None,
    }


def check_discrete(
    owner: str, discrete: Optional[DiscreteStructure], d: int
) -> Optional[DiscreteStructure]:
    """``discrete`` checked against ``d`` input dimensions (None when it has no discrete
    dimension).

    Raises:
        UserInputError: Not a :class:`DiscreteStructure`, or one of other than ``d``
            dimensions (the message names ``owner``).
    """
    if discrete is None:
        return None
    if not isinstance(discrete, DiscreteStructure):
        raise UserInputError(
            f"{owner}: discrete must be a DiscreteStructure, got {discrete!r} "
            f"({type(discrete).__name__})"
        )
    if discrete.d != d:
        raise UserInputError(f"{owner}: discrete describes d={discrete.d} dimensions, not d={d}")
    return None if discrete.is_empty else discrete


def _at_targets(X: np.ndarray, targets: Mapping[int, float]) -> np.ndarray:
    """``X`` (`n x d`) with the given columns (fidelities, tasks) set to their targets,
    duplicates dropped (first-seen order kept)."""
    if not targets:
        return X
    X = X.copy()
    for j, v in targets.items():
        X[:, j] = v
    _, index = np.unique(X, axis=0, return_index=True)
    return X[np.sort(index)]


def _check_fidelity_features(
    owner: str, features: Optional[Sequence[FidelityFeature]], data: TrainingData
) -> List[FidelityFeature]:
    if not features:
        return []
    out: List[FidelityFeature] = []
    d = len(data.feature_names)
    for f in features:
        if not isinstance(f, FidelityFeature):
            raise UserInputError(
                f"{owner}.fit: fidelity_features must be FidelityFeature objects, got {f!r}"
            )
        if not 0 <= f.index < d or f.index in {g.index for g in out}:
            raise UserInputError(
                f"{owner}.fit: fidelity feature {f.name!r} has index {f.index}, which is not "
                f"a distinct input dimension (d={d})"
            )
        lower, upper = data.bounds[f.index]
        if not lower - 1e-9 <= f.target <= upper + 1e-9:
            raise UserInputError(
                f"{owner}.fit: the target value of fidelity parameter {f.name!r} is outside "
                f"its range: target {f.target} (model coordinates), range [{lower}, {upper}]"
            )
        out.append(f)
    return out


def _check_task_features(
    owner: str, features: Optional[Sequence[int]], data: TrainingData
) -> List[int]:
    if not features:
        return []
    d = len(data.feature_names)
    out: List[int] = []
    for f in features:
        j = check_int(f"{owner}.fit", "task feature", f, minimum=0)
        if j >= d or j in out:
            raise UserInputError(
                f"{owner}.fit: task feature {j} is not a distinct input dimension (d={d})"
            )
        lower, upper = data.bounds[j]
        if lower != 0 or upper != round(upper) or upper < 1:
            raise UserInputError(
                f"{owner}.fit: task feature {j} ({data.feature_names[j]!r}) must have bounds "
                f"(0, k-1) with k >= 2 tasks, got ({lower}, {upper})"
            )
        out.append(j)
    return out


def _check_hyperparameters(name: str, value: Any) -> Optional[Dict[str, Dict[str, Any]]]:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, Mapping) for k, v in value.items()
    ):
        raise UserInputError(
            f"{name}: hyperparameters must be a dict {{metric: {{parameter: values}}}}, got "
            f"{value!r}"
        )
    return {k: dict(v) for k, v in value.items()}


__all__ = [
    "MIN_FEASIBILITY",
    "BotorchModel",
    "check_discrete",
    "derive_seed",
    "discrete_search_note",
]
