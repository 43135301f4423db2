"""choose_generation_strategy: a sensible default strategy for a search space."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from ax.core.optimization_config import MultiObjectiveOptimizationConfig, OptimizationConfig
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import (
    GenerationStep,
    GenerationStrategy,
    min_trials_observed_for,
)
from ax.modelbridge.registry import Models
from ax.modelbridge.transforms.power_transform_y import PowerTransformY
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.modelbridge.transforms.winsorize import Winsorize
from ax.models.torch.fidelity import FidelityCostModel
from ax.utils.logger import get_logger
from ax.utils.validation import check_int_at_least

logger = get_logger(__name__)

DEFAULT_BAYESIAN_PARALLELISM = 3


def fidelity_parameter_names(search_space: SearchSpace) -> List[str]:
    """Names of the search space's fidelity parameters, in order."""
    return [name for name, p in search_space.parameters.items() if p.is_fidelity]


def _cost_model_kwargs(
    fidelity: List[str], cost_model: Union[FidelityCostModel, Mapping[str, Any], None]
) -> Dict[str, Any]:
    if cost_model is None:
        return {}
    if not fidelity:
        raise UserInputError(
            "choose_generation_strategy: fidelity_cost_model was given, but the search space "
            "has no fidelity parameter",
            hint="declare one with RangeParameter(..., is_fidelity=True, target_value=...)",
        )
    if isinstance(cost_model, FidelityCostModel):
        parsed = cost_model
    elif isinstance(cost_model, Mapping):
        parsed = FidelityCostModel(**dict(cost_model))
    else:
        raise UserInputTypeError(
            "choose_generation_strategy: fidelity_cost_model must be a FidelityCostModel or a "
            f"dict of its fields, got {cost_model!r} ({type(cost_model).__name__})"
        )
    unknown = (
        sorted(set(parsed.cost_per_unit) - set(fidelity))
        if isinstance(parsed.cost_per_unit, dict)
        else []
    )
    missing = (
        sorted(set(fidelity) - set(parsed.cost_per_unit))
        if isinstance(parsed.cost_per_unit, dict)
        else []
    )
    if unknown or missing:
        raise UserInputError(
            "choose_generation_strategy: fidelity_cost_model.cost_per_unit must name each "
            f"fidelity parameter {fidelity}; unknown: {unknown}, missing: {missing}"
        )
    # Stored as plain data in the step's model_kwargs (round-trips through storage).
    return {"cost_model": parsed.model_dump()}


MAX_DEFAULT_INITIALIZATION_TRIALS = 6
"""Cap of the default number of initial trials, ``max(5, d)`` as in Ax 0.1.13 below it.

In higher dimensions more space-filling points do not pay: with the dimension-scaled
lengthscale prior the GP learns from few points, and each initial point is one Bayesian
step fewer. On Hartmann6 embedded in 20-D (14 irrelevant inputs, 5 seeds, ours alone) the
median log10 regret after 30 trials was -0.53 with 5 initial trials, -0.43 with 6, -0.30
with 10 and +0.18 with 20 (``bench/README.md``); ax-platform 1.x starts with 5 in any
dimension. The cap keeps Ax 0.1.13's counts for up to 6 parameters."""

MAX_MODEL_DIMENSIONS = 1000
"""Above this many model columns (one-hot columns counted) the GP is not used."""


def _should_use_gp(search_space: SearchSpace, num_trials: Optional[int] = None) -> bool:
    """Whether Bayesian optimisation is used for ``search_space`` (see :func:`model_choice`)."""
    return model_choice(search_space, num_trials)[0]


def model_choice(search_space: SearchSpace, num_trials: Optional[int] = None) -> Tuple[bool, str]:
    """Whether a model can help on ``search_space``, and why.

    A model helps whenever there is something to learn: continuous, integer, ordered and
    unordered choice parameters are all modelled (choices one-hot encoded or on their
    lattice, and searched on their valid values). Quasi-random search is kept only where
    no model can help: no tunable parameter, a discrete space small enough to try
    exhaustively within ``num_trials``, or more than :data:`MAX_MODEL_DIMENSIONS`
    encoded columns.

    Returns:
        ``(use a model, reason in words)``.
    """
    counts = {"continuous": 0, "integer": 0, "ordered choice": 0, "unordered choice": 0}
    columns = 0
    num_possible_points = 1
    all_discrete = True
    for parameter in search_space.parameters.values():
        if isinstance(parameter, FixedParameter):
            continue
        if isinstance(parameter, RangeParameter):
            columns += 1
            if parameter.parameter_type is ParameterType.INT:
                counts["integer"] += 1
                # Both ends are feasible: upper - lower + 1 values (the original forgot the +1).
                num_possible_points *= int(parameter.upper) - int(parameter.lower) + 1
            else:
                counts["continuous"] += 1
                all_discrete = False
        elif isinstance(parameter, ChoiceParameter):
            num_possible_points *= len(parameter.values)
            if parameter.is_ordered or parameter.is_task:
                counts["ordered choice"] += 1
                columns += 1
            else:
                counts["unordered choice"] += 1
                columns += 1 if len(parameter.values) == 2 else len(parameter.values)
    kinds = ", ".join(f"{v} {k}" for k, v in counts.items() if v)
    if columns == 0:
        return False, "the search space has no tunable parameter (all are fixed)"
    if num_trials is not None and all_discrete and num_possible_points <= num_trials:
        return False, (
            f"the search space ({kinds}) has {num_possible_points} points, no more than "
            f"num_trials={num_trials}: quasi-random search can try them all"
        )
    if columns > MAX_MODEL_DIMENSIONS:
        return False, (
            f"the search space ({kinds}) encodes to {columns} model columns, more than "
            f"{MAX_MODEL_DIMENSIONS}"
        )
    return True, f"the search space ({kinds}; {columns} model columns) can be modelled"


def _multi_objective_model(
    config: MultiObjectiveOptimizationConfig, fidelity: List[str]
) -> Optional[Models]:
    """``Models.MOO`` for a multi-objective config (logged with the reason), or None when
    this installation has no multi-objective model (quasi-random search then)."""
    names = [m.name for m in config.objective.metrics]
    if fidelity:
        raise UserInputError(
            f"choose_generation_strategy: fidelity parameters {fidelity} with several "
            f"objectives {names} are not supported",
            hint="fix the fidelity parameters, or optimise one objective",
        )
    moo = getattr(Models, "MOO", None)
    if moo is None:
        logger.warning(
            "choose_generation_strategy: %d objectives %s, but no multi-objective model is "
            "registered (Models.MOO); using quasi-random (Sobol) search throughout.",
            len(names),
            names,
        )
        return None
    method = "qLogNEHVI (hypervolume)" if len(names) <= 3 else "ParEGO (random scalarisations)"
    logger.info(
        "choose_generation_strategy: %d objectives %s, so the Bayesian step is multi-objective "
        "(Models.MOO, %s; thresholds %s, the others inferred from the data).",
        len(names),
        names,
        method,
        {t.metric.name: t.bound for t in config.objective_thresholds} or "none",
    )
    return moo


def _outcome_transforms(
    gp_model: Models,
    optimization_config: Optional[OptimizationConfig],
    winsorization_limits: Optional[Tuple[Optional[float], Optional[float]]],
) -> Dict[str, Any]:
    """The Bayesian step's ``transforms`` and ``transform_configs`` where they differ
    from ``gp_model``'s registry defaults (an empty dict where they do not).

    - Winsorization (when asked for) goes first.
    - The multi-objective model power-transforms (Yeo-Johnson) the metrics of its outcome
      constraints, and only those: a constraint's slack is often skewed (far infeasible
      points dominate it), which made the model rule out feasible regions it had not
      sampled (C2-DTLZ2, issue 13); the objectives stay linear, since the hypervolume is
      measured on their scale.
    """
    transforms = list(gp_model.setup.transforms)
    configs: Dict[str, Any] = {}
    if isinstance(optimization_config, MultiObjectiveOptimizationConfig):
        constrained = sorted({c.metric.name for c in optimization_config.outcome_constraints})
        if constrained:
            if PowerTransformY not in transforms:  # before the model's standardisation
                transforms.insert(transforms.index(StandardizeY), PowerTransformY)
            configs["PowerTransformY"] = {"metrics": constrained}
    if winsorization_limits is not None:
        lower, upper = winsorization_limits
        transforms = [Winsorize] + transforms
        configs["Winsorize"] = {"winsorization_lower": lower, "winsorization_upper": upper}
    return {"transforms": transforms, "transform_configs": configs} if configs else {}


def _parallelism(
    enforce_sequential_optimization: bool,
    max_parallelism_cap: Optional[int],
    max_parallelism_override: Optional[int],
) -> Tuple[Optional[int], Optional[int]]:
    if max_parallelism_cap is not None and max_parallelism_override is not None:
        raise UserInputError(
            "choose_generation_strategy: give max_parallelism_cap or max_parallelism_override, "
            f"not both (got cap={max_parallelism_cap}, override={max_parallelism_override})"
        )
    if max_parallelism_override == -1:
        return None, None
    if max_parallelism_override is not None:
        return max_parallelism_override, max_parallelism_override
    if max_parallelism_cap is not None:
        return max_parallelism_cap, min(max_parallelism_cap, DEFAULT_BAYESIAN_PARALLELISM)
    if not enforce_sequential_optimization:
        return None, None
    return None, DEFAULT_BAYESIAN_PARALLELISM


def choose_generation_strategy(
    search_space: SearchSpace,
    use_batch_trials: bool = False,
    enforce_sequential_optimization: bool = True,
    random_seed: Optional[int] = None,
    winsorize_botorch_model: bool = False,
    winsorization_limits: Optional[Tuple[Optional[float], Optional[float]]] = None,
    no_bayesian_optimization: bool = False,
    num_trials: Optional[int] = None,
    num_initialization_trials: Optional[int] = None,
    no_max_parallelism: bool = False,
    max_parallelism_cap: Optional[int] = None,
    max_parallelism_override: Optional[int] = None,
    fidelity_cost_model: Union[FidelityCostModel, Mapping[str, Any], None] = None,
    *,
    optimization_config: Optional[OptimizationConfig] = None,
) -> GenerationStrategy:
    """A default strategy: initial points, then Bayesian optimisation (GPEI).

    The initial points are the centre of the search space (the midpoint of every range,
    in log space for log-scale ones; skipped if it breaks a parameter constraint) and
    then scrambled Sobol points. Where no model can help, every trial is Sobol.

    When the search space has fidelity parameters (``RangeParameter(...,
    is_fidelity=True, target_value=...)``), the Bayesian step is multi-fidelity
    (``Models.GPKG``: a multi-fidelity GP and the cost-aware multi-fidelity knowledge
    gradient, which evaluates at cheaper fidelities while that pays and recommends at
    the target fidelities); the choice and its reason are logged.

    Args:
        search_space: The space to optimise over.
        use_batch_trials: Trials are batches (one Sobol batch to start).
        enforce_sequential_optimization: Wait for Sobol data before the GP step, and cap
            the GP step's parallelism.
        random_seed: Seeds every step, so the same seed gives the same candidates.
        winsorize_botorch_model: Winsorize outcomes before the GP.
        winsorization_limits: ``(lower, upper)`` fractions for winsorization.
        no_bayesian_optimization: Use Sobol only.
        num_trials: The planned number of trials, if known.
        num_initialization_trials: Initial trials (centre + Sobol) before the GP (default
            ``max(5, d)``, at most :data:`MAX_DEFAULT_INITIALIZATION_TRIALS`).
        no_max_parallelism: No parallelism limit on any step.
        max_parallelism_cap: Cap on parallelism of every step.
        max_parallelism_override: Parallelism of every step (-1: unlimited).
        fidelity_cost_model: The cost of one evaluation at given fidelities (a
            :class:`~ax.models.torch.fidelity.FidelityCostModel` or a dict of its fields;
            default ``fixed_cost=1, cost_per_unit=1``); only with fidelity parameters.
        optimization_config: The experiment's optimization config, if known. With a
            :class:`~ax.core.optimization_config.MultiObjectiveOptimizationConfig` the
            Bayesian step is the multi-objective model ``Models.MOO`` (log noisy expected
            hypervolume improvement for up to 3 objectives, ParEGO random scalarisations
            above); the choice and its reason are logged.

    Returns:
        The generation strategy.

    Raises:
        UserInputError: Inconsistent arguments, or a cost model that is invalid (a
            non-positive cost), names unknown parameters or is given without fidelity
            parameters.
    """
    if not isinstance(search_space, SearchSpace):
        raise UserInputTypeError(
            "choose_generation_strategy: search_space must be a SearchSpace, got "
            f"{type(search_space).__name__}"
        )
    if winsorize_botorch_model and winsorization_limits is None:
        raise UserInputError(
            "choose_generation_strategy: winsorize_botorch_model=True needs winsorization_limits"
        )
    if winsorization_limits is not None and not winsorize_botorch_model:
        raise UserInputError(
            "choose_generation_strategy: winsorization_limits given without "
            "winsorize_botorch_model=True"
        )
    if num_initialization_trials is not None:
        check_int_at_least(
            "choose_generation_strategy", "num_initialization_trials", num_initialization_trials, 1
        )
    _cost_model_kwargs(fidelity_parameter_names(search_space), fidelity_cost_model)
    sobol_kwargs: Dict[str, Any] = {"deduplicate": True, "seed": random_seed}
    use_model, reason = model_choice(search_space, num_trials)
    if no_bayesian_optimization or not use_model:
        logger.info(
            "choose_generation_strategy: Sobol for all trials, because %s.",
            "no_bayesian_optimization=True" if no_bayesian_optimization else reason,
        )
        return GenerationStrategy(
            [GenerationStep(model=Models.SOBOL, num_trials=-1, model_kwargs=sobol_kwargs)]
        )
    if num_initialization_trials is not None:
        num_init = num_initialization_trials
    elif use_batch_trials:
        num_init = 1
    else:
        num_init = min(max(5, len(search_space.parameters)), MAX_DEFAULT_INITIALIZATION_TRIALS)
    sobol_parallelism, gp_parallelism = (
        (None, None)
        if no_max_parallelism
        else _parallelism(
            enforce_sequential_optimization, max_parallelism_cap, max_parallelism_override
        )
    )
    # The first initial point is the centre of the space (skipped if it breaks a
    # parameter constraint), the others Sobol: issue 10's anytime quality at 10-20 trials.
    sobol_kwargs["center_first"] = True
    logger.info(
        "choose_generation_strategy: %d initial trials (the centre of the space, then Sobol), "
        "then Bayesian optimisation, because %s.",
        num_init,
        reason,
    )
    fidelity = fidelity_parameter_names(search_space)
    gp_model = Models.GPEI
    gp_kwargs: Dict[str, Any] = {"seed": random_seed}
    if isinstance(optimization_config, MultiObjectiveOptimizationConfig):
        moo = _multi_objective_model(optimization_config, fidelity)
        if moo is None:
            return GenerationStrategy(
                [GenerationStep(model=Models.SOBOL, num_trials=-1, model_kwargs=sobol_kwargs)]
            )
        gp_model = moo
    elif fidelity:
        gp_model = Models.GPKG
        gp_kwargs.update(_cost_model_kwargs(fidelity, fidelity_cost_model))
        logger.info(
            "choose_generation_strategy: fidelity parameters %s found, so the Bayesian step is "
            "multi-fidelity (GPKG: multi-fidelity GP + cost-aware multi-fidelity knowledge "
            "gradient, recommending at the target fidelities).",
            fidelity,
        )
    gp_kwargs.update(
        _outcome_transforms(
            gp_model,
            optimization_config,
            winsorization_limits if winsorize_botorch_model else None,
        )
    )
    return GenerationStrategy(
        [
            GenerationStep(
                model=Models.SOBOL,
                num_trials=num_init,
                min_trials_observed=min_trials_observed_for(num_init),
                enforce_num_trials=enforce_sequential_optimization,
                max_parallelism=sobol_parallelism,
                model_kwargs=sobol_kwargs,
            ),
            GenerationStep(
                model=gp_model,
                num_trials=-1,
                max_parallelism=gp_parallelism,
                model_kwargs=gp_kwargs,
            ),
        ]
    )


__all__ = [
    "DEFAULT_BAYESIAN_PARALLELISM",
    "MAX_DEFAULT_INITIALIZATION_TRIALS",
    "choose_generation_strategy",
    "MAX_MODEL_DIMENSIONS",
    "fidelity_parameter_names",
    "model_choice",
]
