"""Typed, validated settings of the BoTorch generators: :class:`BotorchOptions` and kin.

The defaults come from a measured study of where the time of one suggestion goes
(warm-started capped fits, modest restarts and raw samples, starting points sampled
around the incumbent) and from ``bench/bench_botorch_floor.py``: on 6-D problems with
30-100 observations a suggestion costs a fraction of Ax's fresh-fit defaults at the same
quality. :meth:`BotorchOptions.ax_like` gives Ax's slower reference settings.

This module imports only pydantic (no torch), so options can be built, validated and
stored without loading BoTorch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Optional, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ax.exceptions import UserInputError
from ax.models.torch.fidelity import FidelityCostModel

_O = TypeVar("_O", bound="BotorchOptions")

AcquisitionName = Literal["qLogNEI", "LogEI", "qLogEI", "qNEI", "qEI"]
"""Acquisition functions :class:`~ax.models.torch.botorch_model.BotorchModel` knows."""

KernelName = Literal["rbf", "matern52"]
"""Stationary kernels of the standard GP: the squared exponential and Matérn-5/2."""

LengthscalePriorName = Literal["auto", "saas", "dim_scaled"]
"""Lengthscale priors of the standard GP: the SAAS prior at its mode in log coordinates,
BoTorch's dimension-scaled log-normal, or the first unless an input is categorical."""


class BotorchOptions(BaseModel):
    """Settings of :class:`~ax.models.torch.botorch_model.BotorchModel`.

    Immutable; unknown fields and bad values raise :class:`~ax.exceptions.UserInputError`
    through :func:`parse_options`. The fields marked *gen-time* may also be overridden
    for one call through ``model_gen_options``.

    Attributes:
        acquisition: Acquisition function (gen-time): ``"qLogNEI"`` (default: MC log
            noisy expected improvement, robust to noise), ``"LogEI"`` (analytic log EI
            on the best posterior mean; falls back to ``"qLogEI"`` where the analytic
            form does not apply), ``"qLogEI"``, ``"qNEI"``, ``"qEI"``.
        num_restarts: Starting points of the acquisition optimiser (gen-time).
        raw_samples: Quasi-random points scored to pick the starting points (gen-time).
        maxiter: Most L-BFGS-B (or SLSQP) iterations per acquisition optimisation
            (gen-time).
        sample_around_best: Also score points sampled around the best observed points
            when picking the starting points (gen-time); needed for late-run quality.
        constrained_num_restarts: ``num_restarts`` for a ``gen`` with outcome constraints
            on the fast path (the model has a lean batched posterior): the acquisition is
            then the lean constrained NEI (the NEHVI kernel with one objective: 128
            quasi-MC samples per evaluation, about ten times the unconstrained lean log
            EI), or BoTorch's MC acquisition where that declines, and is optimised with
            the budget :class:`MultiObjectiveOptions` uses for the NEHVI (gen-time).
            On the suite's constrained problem (Gramacy, 20 seeds) 4 instead of 8 gave
            the same regret at 10-50 evaluations in 0.86 of the time.
        constrained_maxiter: ``maxiter`` on that path, likewise (gen-time).
        global_restarts: With ``sample_around_best``, this many starting points are
            chosen among the quasi-random raw samples alone, so that some restarts
            explore away from the best points however well those score (gen-time).
        mc_samples: Quasi-MC samples of the MC acquisition functions (gen-time).
        initial_mc_samples: Quasi-MC samples of a cheaper stand-in that scores the
            ``raw_samples`` candidate starting points of the lean constrained NEI (and of
            the NEHVI of :class:`MultiObjectiveOptions`); the restarts are then
            optimised on the full acquisition function. 1 scores them against the
            posterior mean of the baseline (its median sample): the log EI over the best
            point feasible by its mean, times the probability of feasibility. None
            scores them with the full acquisition function (gen-time).
        fit_maxiter: Most L-BFGS-B iterations of a warm-started hyperparameter fit. Warm
            fits on the lean path converge in well under 100 iterations at a few
            milliseconds, so the cap rarely binds; capping at 20 (as measured worthwhile
            with GPyTorch's slower likelihood) saved 2-5 ms per fit here but lost quality on
            Branin (50 paired seeds: better than Ax's default on 19/50 against 25/50).
        initial_fit_maxiter: Most L-BFGS-B iterations of a fit from the prior's mode
            (the first fit, or any fit when ``warm_start`` is off).
        warm_start: Start each fit from the previous fit's hyperparameters.
        refit_every: Optimise the hyperparameters on every ``refit_every``-th fit only;
            in between, the model is rebuilt on the new data with the last
            hyperparameters (1 = optimise on every fit).
        torch_threads: Torch threads used inside ``fit``/``gen``/``predict`` (restored
            afterwards). One thread is fastest for these small problems.
        kernel: Kernel of the standard GP (one ARD lengthscale per input, the
            dimension-scaled log-normal lengthscale prior of BoTorch's defaults, no
            output scale): ``"matern52"`` (default; the kernel of Optuna's GP sampler and
            of Snoek et al. 2012) or ``"rbf"`` (BoTorch's and ax-platform's default).
            Measured on the suite's eight problem classes, seeds 0-39 paired, 50
            evaluations: Matérn-5/2 is better on Hartmann6 (36 of 40 seeds), Hartmann6 in
            20-D (29), Levy-10 (30), integer Hartmann6 (11 better, 4 worse), level on
            categorical Ackley and noisy Hartmann6, and worse only on Branin at 50
            evaluations (6 of 40), where both are far past every peer (bench/README.md).
            Categorical one-hot groups enter the distance as a Hamming term, as in
            Optuna. Multi-fidelity and multi-task GPs keep BoTorch's own kernels.
        lengthscale_prior: Lengthscale prior of the standard GP: ``"saas"`` (the sparse
            axis-aligned subspace prior of SAASBO, Eriksson & Jankowiak 2021, at its
            mode in the log coordinates its NUTS sampler uses:
            :mod:`~ax.models.torch.saas_prior`), ``"dim_scaled"`` (BoTorch's and
            ax-platform's dimension-scaled log-normal), or ``"auto"`` (default: the
            dimension-scaled prior when an input is a one-hot column of an unordered
            choice, else SAAS). The SAAS prior pools the lengthscales around a global
            scale learned from the data, with heavy tails that let few inputs matter
            much more than the rest; the dimension-scaled prior centres every
            lengthscale on the same value. On the suite (seeds 0-19 paired against the
            dimension-scaled prior, bench/README.md, thirteenth pass) SAAS was better on
            Levy-10 (16, 18 and 19 of 20 seeds at 20, 30 and 50 evaluations), Hartmann6
            (15, 15, 12), Hartmann6 in 20-D (14, 12, 13), the integer and the noisy
            Hartmann6, level on Branin and Gramacy, and worse on categorical Ackley at
            30 and 50 (better on 8 and 5 of 20; median 0.07 against -0.74 at 50), hence
            ``"auto"``.
        fast_path: Use the lean marginal likelihood and posterior for the standard model
            (single-task GP, RBF or Matérn-5/2 kernel, constant mean); they are checked against
            GPyTorch at each use and the general path is taken on any mismatch.
        prune_baseline: Prune observed points unlikely to be the best from the NEI
            baseline.
        fit_subset: With more observations than this (per outcome), the hyperparameters
            are fitted on this many of them (the extremes of each outcome and a seeded
            random rest), then the GP conditions on the data with them. The generator
            run's metadata says so (``large_n``).
        max_conditioning_points: With more observations than this (per outcome), the GP
            conditions on this many of them (chosen as for ``fit_subset``): a
            subset-of-data approximation that keeps a suggestion's cost flat in N; the
            metadata says so.
        shared_categorical_lengthscales: Fit one lengthscale per unordered choice
            parameter, shared by its one-hot columns, instead of one per column: the
            kernel then depends on whether two points have the same category (the
            overlap kernel of categorical BO, as in Optuna's GP sampler), with a third
            of the hyperparameters for a 3-value choice. The shared lengthscale has
            the lengthscale prior once, scaled so that the choice counts as much as a
            continuous input (:func:`~ax.models.torch.fast.categorical_lengthscale_factor`).
            Applies on the lean fit (``fast_path``); BoTorch's general fit keeps one
            per column, each under the model's prior. On the suite's categorical Ackley
            (60 paired seeds) sharing is better than one lengthscale per column on 46
            runs at 30 evaluations and 43 at 50.

    Example:
        >>> BotorchOptions(num_restarts=4).raw_samples
        512
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, validate_default=True)

    acquisition: AcquisitionName = "qLogNEI"
    num_restarts: int = Field(default=8, ge=1, le=1000)
    raw_samples: int = Field(default=512, ge=1, le=1_000_000)
    maxiter: int = Field(default=100, ge=1)
    sample_around_best: bool = True
    constrained_num_restarts: int = Field(default=4, ge=1, le=1000)
    constrained_maxiter: int = Field(default=50, ge=1)
    global_restarts: int = Field(default=0, ge=0, le=1000)
    mc_samples: int = Field(default=128, ge=1, le=100_000)
    initial_mc_samples: Optional[int] = Field(default=1, ge=1, le=100_000)
    fit_maxiter: int = Field(default=100, ge=1)
    initial_fit_maxiter: int = Field(default=200, ge=1)
    warm_start: bool = True
    refit_every: int = Field(default=1, ge=1)
    torch_threads: int = Field(default=1, ge=1, le=1024)
    kernel: KernelName = "matern52"
    lengthscale_prior: LengthscalePriorName = "auto"
    fast_path: bool = True
    prune_baseline: bool = True
    fit_subset: int = Field(default=256, ge=8)
    max_conditioning_points: int = Field(default=800, ge=8)
    shared_categorical_lengthscales: bool = True

    @classmethod
    def ax_like(cls, **overrides: Any) -> BotorchOptions:
        """Ax's reference settings: fresh fits to convergence, 20 restarts, 1024 samples,
        BoTorch's RBF kernel.

        Args:
            overrides: Fields that replace these settings.
        """
        base: dict[str, Any] = {
            "acquisition": "qLogNEI",
            "num_restarts": 20,
            "raw_samples": 1024,
            "maxiter": 200,
            "sample_around_best": False,
            "mc_samples": 512,
            "initial_fit_maxiter": 15000,
            "warm_start": False,
            "fast_path": False,
            "kernel": "rbf",
            "lengthscale_prior": "dim_scaled",
        }
        return parse_options(cls, {**base, **overrides}, owner=cls.__name__)


class KnowledgeGradientOptions(BotorchOptions):
    """Settings of :class:`~ax.models.torch.kg.KnowledgeGradient`.

    ``acquisition`` is not used. The one-shot optimisation works in
    ``(1 + num_fantasies) * d`` dimensions, so the defaults are smaller.

    With fidelity parameters in the search space (``RangeParameter(...,
    is_fidelity=True, target_value=...)``) the generator becomes multi-fidelity: a
    ``SingleTaskMultiFidelityGP`` and the cost-aware ``qMultiFidelityKnowledgeGradient``,
    whose gain is divided by the cost of the evaluation (``cost_model``).

    Attributes:
        num_fantasies: Fantasy samples of the one-shot knowledge gradient (gen-time).
        cost_model: The cost of one evaluation at given fidelities (multi-fidelity
            only): a :class:`~ax.models.torch.fidelity.FidelityCostModel` or a dict of
            its fields.
        cost_intercept: Ax 0.1's name for the fixed cost; when set it replaces
            ``cost_model.fixed_cost`` (> 0).
        linear_truncated: Multi-fidelity GP kernel: BoTorch's linear truncated fidelity
            kernel (True; one fidelity parameter) or its exponential decay kernel (False,
            the default: with BoTorch 0.18 the linear truncated kernel gave NaN gradients
            in the knowledge gradient's optimisation on augmented Hartmann6).
    """

    num_restarts: int = Field(default=4, ge=1, le=1000)
    raw_samples: int = Field(default=128, ge=1, le=1_000_000)
    maxiter: int = Field(default=50, ge=1)
    num_fantasies: int = Field(default=16, ge=1, le=1024)
    cost_model: FidelityCostModel = FidelityCostModel()
    cost_intercept: Optional[float] = Field(default=None, gt=0, allow_inf_nan=False)
    linear_truncated: bool = False

    @property
    def effective_cost_model(self) -> FidelityCostModel:
        """``cost_model``, with ``fixed_cost`` replaced by ``cost_intercept`` when set."""
        if self.cost_intercept is None:
            return self.cost_model
        return FidelityCostModel(
            fixed_cost=self.cost_intercept, cost_per_unit=self.cost_model.cost_per_unit
        )


class MaxValueEntropyOptions(BotorchOptions):
    """Settings of :class:`~ax.models.torch.mes.MaxValueEntropySearch`.

    ``acquisition`` is not used.

    Attributes:
        num_candidates: Quasi-random points on which max values are sampled (gen-time).
        num_mv_samples: Max-value samples (gen-time).
        lower_bound: Use the lower bound of the entropy reduction (GIBBON,
            ``qLowerBoundMaxValueEntropy``; the default, several times cheaper) instead
            of ``qMaxValueEntropy``.
    """

    num_restarts: int = Field(default=4, ge=1, le=1000)
    raw_samples: int = Field(default=256, ge=1, le=1_000_000)
    maxiter: int = Field(default=50, ge=1)
    num_candidates: int = Field(default=1000, ge=2, le=1_000_000)
    num_mv_samples: int = Field(default=10, ge=1, le=10_000)
    lower_bound: bool = True


MultiObjectiveAcquisitionName = Literal["auto", "qLogNEHVI", "qLogNParEGO"]
"""Acquisition functions of :class:`~ax.models.torch.moo.MultiObjectiveBotorchModel`."""


class MultiObjectiveOptions(BotorchOptions):
    """Settings of :class:`~ax.models.torch.moo.MultiObjectiveBotorchModel`.

    ``acquisition`` of :class:`BotorchOptions` is not used; ``moo_acquisition`` is.
    The optimisation defaults are smaller than the single-objective ones: the
    hypervolume acquisition costs far more per evaluation than the lean log-EI (one
    box decomposition per quasi-MC sample), and ``bench/bench_moo.py`` showed no loss
    of hypervolume from them on its problems. ``global_restarts`` stays 0: two of four
    starts kept away from the Pareto-optimal points did not help C2-DTLZ2 (whose
    feasible frontier is three disjoint arcs) at 50 evaluations when paired by seed
    (median change +0.004 in log10 regret, better on 5 of 20 seeds) and cost DTLZ2
    0.04-0.05; with no start near them (``sample_around_best`` off) Branin-Currin's
    frontier was refined less (0.49 at 30 evaluations against 0.39).

    Attributes:
        moo_acquisition: ``"qLogNEHVI"`` (log noisy expected hypervolume improvement),
            ``"qLogNParEGO"`` (log noisy expected improvement of a random Chebyshev
            scalarisation, drawn afresh for each candidate), or ``"auto"`` (the
            default: NEHVI up to ``max_nehvi_objectives`` objectives, ParEGO above)
            (gen-time).
        max_nehvi_objectives: Most objectives for which ``"auto"`` picks NEHVI (its
            box decompositions grow quickly with the number of objectives).
        ref_point_scale: When a threshold is not given, the reference point of that
            objective is the nadir of the observed Pareto set minus this fraction of the
            set's range (BoTorch's ``infer_reference_point``) (gen-time).
        initial_mc_samples: As for :class:`BotorchOptions`, for the NEHVI (the stand-in
            shares its pruned baseline; scoring the starting points with the full NEHVI
            took 40 % of a suggestion).
        search_lattices: Search integer and ordered-choice dimensions on their values
            (True), or relax them and round the chosen point (False, the default).
            Unordered choices are always searched on their categories: relaxed and
            rounded, runs on Branin-Currin with two categorical inputs found no point
            inside the thresholds in 50 evaluations on 6 of 10 seeds. Lattices are
            not by default: on DTLZ2 over a 21-value integer lattice, searching them
            was slower (0.34 against 0.13 s a suggestion) and no better (better on 3 of
            10 seeds at 50 evaluations; bench/README.md) (gen-time).
        kernel: As for :class:`BotorchOptions`, but ``"rbf"`` by default: on
            ``bench/bench_moo.py``'s problems (seeds 0-19 paired, 50 evaluations)
            Matérn-5/2 was better on three-objective DTLZ2 (16 of 20 seeds), level on
            Branin-Currin and DTLZ2, and worse on the constrained C2-DTLZ2 (better on 4
            of 20 seeds; median log10 hypervolume regret -0.99 against -1.23).
        lengthscale_prior: As for :class:`BotorchOptions`, but ``"dim_scaled"`` by
            default: the SAAS prior has not been measured on ``bench/bench_moo.py``'s
            problems.
    """

    kernel: KernelName = "rbf"
    lengthscale_prior: LengthscalePriorName = "dim_scaled"
    num_restarts: int = Field(default=4, ge=1, le=1000)
    raw_samples: int = Field(default=256, ge=1, le=1_000_000)
    maxiter: int = Field(default=50, ge=1)
    mc_samples: int = Field(default=128, ge=1, le=100_000)
    moo_acquisition: MultiObjectiveAcquisitionName = "auto"
    max_nehvi_objectives: int = Field(default=3, ge=2, le=100)
    ref_point_scale: float = Field(default=0.1, ge=0.0, le=10.0, allow_inf_nan=False)
    search_lattices: bool = False


GEN_TIME_FIELDS = frozenset(
    {
        "acquisition",
        "num_restarts",
        "raw_samples",
        "maxiter",
        "constrained_num_restarts",
        "constrained_maxiter",
        "sample_around_best",
        "global_restarts",
        "mc_samples",
        "initial_mc_samples",
        "num_fantasies",
        "num_candidates",
        "num_mv_samples",
        "moo_acquisition",
        "ref_point_scale",
        "search_lattices",
    }
)
"""Fields that ``model_gen_options`` may override for one ``gen`` call."""


def parse_options(
    cls: type[_O], value: BotorchOptions | Mapping[str, Any] | None, owner: str
) -> _O:
    """``value`` validated as options of class ``cls``.

    Args:
        cls: The options class.
        value: An options object (of ``cls`` or a base class, whose fields are
            re-validated), a mapping of fields, or None for the defaults.
        owner: Name of the object doing the check, for the message.

    Returns:
        A ``cls`` instance.

    Raises:
        UserInputError: An unknown field or a bad value; the message names each.
    """
    if value is None:
        fields: dict[str, Any] = {}
    elif isinstance(value, BotorchOptions):
        fields = {k: getattr(value, k) for k in value.model_fields_set}
    elif isinstance(value, Mapping):
        fields = _with_pre_field_values(dict(value))
    else:
        raise UserInputError(
            f"{owner}: options must be a {cls.__name__} or a dict, got {value!r} "
            f"({type(value).__name__})"
        )
    try:
        return cls.model_validate(fields)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'options'}: {e['msg']}, got {e.get('input')!r}"
            for e in err.errors()
        )
        raise UserInputError(
            f"{owner}: invalid options ({problems})",
            hint=f"known fields: {sorted(cls.model_fields)}",
        ) from None


_FIRST_STORED_FIELDS = frozenset(
    {
        "acquisition",
        "num_restarts",
        "raw_samples",
        "maxiter",
        "sample_around_best",
        "mc_samples",
        "fit_maxiter",
        "initial_fit_maxiter",
        "warm_start",
        "refit_every",
        "torch_threads",
        "fast_path",
        "prune_baseline",
    }
)
"""The fields :func:`options_to_state` has written since its first version."""

PRE_FIELD_VALUES: dict[str, Any] = {"kernel": "rbf", "lengthscale_prior": "dim_scaled"}
"""Fields that change the model, added after options were first stored, with the value
every earlier version used (the RBF kernel before ``kernel`` existed, the dimension-scaled
prior before ``lengthscale_prior``)."""


def _with_pre_field_values(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` completed with :data:`PRE_FIELD_VALUES` when they are a stored state.

    A stored state has every field of its version (:func:`options_to_state`). One that
    predates a field of :data:`PRE_FIELD_VALUES` gets the value its version used, not
    today's default, so that a reloaded generator keeps its model. A mapping without all
    of :data:`_FIRST_STORED_FIELDS` is a user's settings and takes today's defaults.
    """
    if not _FIRST_STORED_FIELDS.issubset(fields):
        return fields
    return {**{k: v for k, v in PRE_FIELD_VALUES.items() if k not in fields}, **fields}


def options_to_state(options: BotorchOptions) -> dict[str, Any]:
    """Every field of ``options`` as plain JSON types.

    All fields are stored, not only those set, so that a reloaded generator keeps its
    settings even if a later version changes a default.
    """
    return options.model_dump(mode="json")


__all__ = [
    "GEN_TIME_FIELDS",
    "AcquisitionName",
    "BotorchOptions",
    "KernelName",
    "LengthscalePriorName",
    "KnowledgeGradientOptions",
    "MaxValueEntropyOptions",
    "MultiObjectiveAcquisitionName",
    "MultiObjectiveOptions",
    "options_to_state",
    "parse_options",
]
