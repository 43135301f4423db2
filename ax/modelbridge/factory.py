"""Model factories of Ax 0.1 (``get_sobol``, ``get_GPEI``, ...): thin wrappers over ``Models``.

Each function builds the same bridge as the matching :class:`~ax.modelbridge.registry.Models`
member (so generator runs record the registry key and can be stored and rebuilt), with Ax
0.1.13's signature. Importing this module does not import torch.

Example:
    >>> from ax.modelbridge.factory import get_GPEI, get_sobol
    >>> sobol = get_sobol(experiment.search_space, seed=0)
    >>> experiment.new_trial(generator_run=sobol.gen(1))
    >>> gpei = get_GPEI(experiment, experiment.fetch_data())

The factories can also be used as ``GenerationStep(model=get_sobol, ...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Type

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.search_space import SearchSpace
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from ax.modelbridge.registry import (
    Cont_X_trans,
    Discrete_X_trans,
    GP_Y_trans,
    Models,
    ST_MTGP_trans,
    TS_trans,
    Y_trans,
    get_model_from_generator_run,
)
from ax.modelbridge.transforms.base import Transform
from ax.utils.validation import check_int

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.optimization_config import OptimizationConfig
    from ax.modelbridge.discrete import DiscreteModelBridge
    from ax.modelbridge.random import RandomModelBridge
    from ax.modelbridge.torch import TorchModelBridge

TConfig = Mapping[str, Any]


def get_sobol(
    search_space: SearchSpace,
    seed: Optional[int] = None,
    deduplicate: bool = False,
    init_position: int = 0,
    scramble: bool = True,
) -> RandomModelBridge:
    """Quasi-random Sobol points: ``Models.SOBOL``.

    Args:
        search_space: The space to draw from.
        seed: Seed of the scrambled sequence (None: a fresh one, recorded).
        deduplicate: Never propose the same point twice.
        init_position: Skip this many points of the sequence first.
        scramble: Scramble the sequence.
    """
    return Models.SOBOL(
        search_space=search_space,
        seed=seed,
        deduplicate=deduplicate,
        init_position=init_position,
        scramble=scramble,
    )  # type: ignore[return-value]


def get_uniform(
    search_space: SearchSpace, deduplicate: bool = False, seed: Optional[int] = None
) -> RandomModelBridge:
    """Uniformly random points: ``Models.UNIFORM``."""
    return Models.UNIFORM(search_space=search_space, deduplicate=deduplicate, seed=seed)  # type: ignore[return-value]


def get_botorch(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    dtype: Any = None,
    device: Any = None,
    transforms: Sequence[Type[Transform]] = tuple(Cont_X_trans + GP_Y_trans),
    transform_configs: Optional[Mapping[str, TConfig]] = None,
    model_constructor: Any = None,
    model_predictor: Any = None,
    acqf_constructor: Any = None,
    acqf_optimizer: Any = None,
    refit_on_cv: bool = False,
    refit_on_update: bool = True,
    optimization_config: Optional[OptimizationConfig] = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """A GP with noisy expected improvement: ``Models.BOTORCH``.

    Args:
        experiment: The experiment (its optimization config is used unless one is given).
        data: The data to fit (non-empty).
        search_space: The space to search (the experiment's by default).
        dtype: ``torch.double`` (the default; the model computes in float64).
        device: A CPU device (the default).
        transforms: The transforms, in order.
        transform_configs: ``{transform name: config}``.
        model_constructor, model_predictor, acqf_constructor, acqf_optimizer: Ax 0.1's
            hooks for callables; not supported (models are stored with the experiment, so
            they are set through options instead, e.g. ``acquisition="qNEI"``).
        refit_on_cv: Must be False (cross-validation reuses the fitted hyperparameters).
        refit_on_update: Must be True (new data refits, warm-started).
        optimization_config: The objective and constraints to optimise.
        **kwargs: Model options (see :class:`~ax.models.torch.options.BotorchOptions`),
            e.g. ``seed``, ``num_restarts``, ``acquisition``.

    Raises:
        UserInputError: ``data`` is empty.
        UnsupportedError: A callable hook, another dtype or device, or a refit setting
            other than the default.
    """
    _check_torch_settings("get_botorch", dtype, device)
    hooks = {
        "model_constructor": model_constructor,
        "model_predictor": model_predictor,
        "acqf_constructor": acqf_constructor,
        "acqf_optimizer": acqf_optimizer,
    }
    given = sorted(k for k, v in hooks.items() if v is not None)
    if given:
        raise UnsupportedError(
            f"get_botorch: callable hooks {given} are not supported (a model is stored with "
            "the experiment, so it cannot hold arbitrary callables)",
            hint="choose the acquisition and optimiser through options, e.g. "
            "get_botorch(experiment, data, acquisition='qNEI', num_restarts=20)",
        )
    if refit_on_cv or not refit_on_update:
        raise UnsupportedError(
            f"get_botorch: refit_on_cv={refit_on_cv!r}, refit_on_update={refit_on_update!r} "
            "are not supported; the model always refits on new data (warm-started) and "
            "cross-validates with the fitted hyperparameters",
            hint="use refit_every=... in the options to refit less often",
        )
    bridge_kwargs: Dict[str, Any] = {"transforms": list(transforms)}
    if transform_configs is not None:
        bridge_kwargs["transform_configs"] = transform_configs
    if optimization_config is not None:
        bridge_kwargs["optimization_config"] = optimization_config
    return _model_based(
        "get_botorch", Models.BOTORCH, experiment, data, search_space, **bridge_kwargs, **kwargs
    )


def get_GPEI(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    dtype: Any = None,
    device: Any = None,
) -> TorchModelBridge:
    """A GP with (noisy) expected improvement: ``Models.GPEI``.

    Raises:
        UserInputError: ``data`` is empty.
        UnsupportedError: A dtype other than ``torch.double`` or a non-CPU device.
    """
    _check_torch_settings("get_GPEI", dtype, device)
    return _model_based("get_GPEI", Models.GPEI, experiment, data, search_space)


def get_GPKG(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    cost_intercept: float = 0.01,
    dtype: Any = None,
    device: Any = None,
    transforms: Sequence[Type[Transform]] = tuple(Cont_X_trans + Y_trans),
    transform_configs: Optional[Mapping[str, TConfig]] = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """A GP with the one-shot knowledge gradient: ``Models.GPKG``.

    ``cost_intercept`` is the fixed cost of an evaluation in multi-fidelity knowledge
    gradient; as in Ax it matters only when the search space has fidelity parameters.

    Raises:
        UserInputError: ``data`` is empty.
        UnsupportedError: Another dtype or device; fidelity parameters while the model
            has no cost model.
    """
    _check_torch_settings("get_GPKG", dtype, device)
    return _with_cost_intercept(
        "get_GPKG",
        Models.GPKG,
        experiment,
        data,
        search_space,
        cost_intercept,
        transforms,
        transform_configs,
        kwargs,
    )


def get_GPMES(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    cost_intercept: float = 0.01,
    dtype: Any = None,
    device: Any = None,
    transforms: Sequence[Type[Transform]] = tuple(Cont_X_trans + Y_trans),
    transform_configs: Optional[Mapping[str, TConfig]] = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """A GP with max-value entropy search: ``Models.GPMES`` (see :func:`get_GPKG`)."""
    _check_torch_settings("get_GPMES", dtype, device)
    return _with_cost_intercept(
        "get_GPMES",
        Models.GPMES,
        experiment,
        data,
        search_space,
        cost_intercept,
        transforms,
        transform_configs,
        kwargs,
    )


def get_MOO_NEHVI(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    dtype: Any = None,
    device: Any = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """Multi-objective BO with log noisy expected hypervolume improvement: ``Models.MOO``.

    The experiment's optimization config must have several objectives; objective
    thresholds not given are inferred from the data (see
    :class:`~ax.models.torch.moo.MultiObjectiveBotorchModel`). ``kwargs`` go to
    ``Models.MOO`` (model options such as ``num_restarts``, or bridge arguments).

    Raises:
        UserInputError: ``data`` is empty, or an unknown keyword.
        UnsupportedError: Another dtype or device.
    """
    _check_torch_settings("get_MOO_NEHVI", dtype, device)
    kwargs.setdefault("moo_acquisition", "qLogNEHVI")
    return _model_based("get_MOO_NEHVI", Models.MOO, experiment, data, search_space, **kwargs)


def get_MOO_PAREGO(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    dtype: Any = None,
    device: Any = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """Multi-objective BO with ParEGO (``qLogNParEGO``: log noisy EI of a random Chebyshev
    scalarisation per candidate): ``Models.MOO`` with ``moo_acquisition="qLogNParEGO"``;
    for many objectives (see :func:`get_MOO_NEHVI`)."""
    _check_torch_settings("get_MOO_PAREGO", dtype, device)
    kwargs.setdefault("moo_acquisition", "qLogNParEGO")
    return _model_based("get_MOO_PAREGO", Models.MOO, experiment, data, search_space, **kwargs)


def get_MTGP(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    trial_index: Optional[int] = None,
    **kwargs: Any,
) -> TorchModelBridge:
    """A multi-task GP over batch trials, each trial a task: ``Models.BOTORCH`` with
    ``ST_MTGP_trans``.

    ``TrialAsTask`` turns each trial with data into a task, ``StratifiedStandardizeY``
    standardises each task's outcomes on their own, ``TaskEncode`` encodes the task, and
    the model is a BoTorch ``MultiTaskGP`` on the task column. Candidates, the best point
    and predictions for features without a trial index are for the task of
    ``trial_index``; predictions for features with a trial index are for that trial.

    Args:
        experiment: An experiment whose trials are all batch trials.
        data: The data to fit (non-empty).
        search_space: The space to search (the experiment's by default).
        trial_index: The trial to generate for (default: the latest trial with data).
        **kwargs: Model options, e.g. ``seed``, ``num_restarts``.

    Raises:
        UserInputError (a ValueError): ``data`` is empty; the experiment has a trial that
            is not a batch trial, or none; the data comes from fewer than 2 trials;
            ``trial_index`` is not a trial with data.

    Example:
        >>> mtgp = get_MTGP(experiment, experiment.fetch_data(), seed=0)
        >>> experiment.new_batch_trial(generator_run=mtgp.gen(4))
    """
    from ax.core.batch_trial import BatchTrial

    if isinstance(experiment, Experiment):
        trials = experiment.trials
        single = sorted(i for i, t in trials.items() if not isinstance(t, BatchTrial))
        if not trials or single:
            raise UserInputError(
                "get_MTGP: the multi-task GP models each batch trial as a task, so every "
                f"trial of experiment {experiment.name!r} must be a batch trial; "
                + (f"trials {single} are not" if single else "it has no trials"),
                hint="use experiment.new_batch_trial(...), or get_GPEI for single-arm trials",
            )
    configs: Dict[str, TConfig] = {}
    if isinstance(experiment, Experiment) and isinstance(data, Data) and len(data) > 0:
        target = _target_trial(experiment, data, trial_index)
        configs["TrialAsTask"] = {"target_trial": target}
    return _model_based(
        "get_MTGP",
        Models.BOTORCH,
        experiment,
        data,
        search_space,
        transforms=list(ST_MTGP_trans),
        transform_configs=configs,
        **kwargs,
    )


def _target_trial(experiment: Experiment, data: Data, trial_index: Optional[int]) -> int:
    """``trial_index``, checked to be a trial with data, or the latest trial with data."""
    with_data = sorted({int(t) for t in data.df["trial_index"].dropna()})
    if len(with_data) < 2:
        raise UserInputError(
            f"get_MTGP: a multi-task GP needs data from at least 2 batch trials (its tasks); "
            f"the data of experiment {experiment.name!r} has trials {with_data}",
            hint="use get_GPEI until a second batch trial has data",
        )
    if trial_index is None:
        return with_data[-1]
    check_int("get_MTGP", "trial_index", trial_index)
    if trial_index not in with_data:
        raise UserInputError(
            f"get_MTGP: trial_index={trial_index} is not a trial of experiment "
            f"{experiment.name!r} with data; trials with data: {with_data}",
            hint="generate for a trial that has data (the default: the latest one)",
        )
    return trial_index


def get_factorial(search_space: SearchSpace) -> DiscreteModelBridge:
    """Every combination of the choice parameters' values: ``Models.FACTORIAL``.

    Generate with ``gen(n=-1)``. Designs over more than 100 combinations are refused
    (``Models.FACTORIAL(search_space=..., max_cardinality=...)`` raises the limit).
    """
    return Models.FACTORIAL(search_space=search_space)  # type: ignore[return-value]


def get_thompson(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    num_samples: int = 10000,
    min_weight: Optional[float] = None,
    uniform_weights: bool = False,
) -> DiscreteModelBridge:
    """Thompson sampling over the observed arms: ``Models.THOMPSON``.

    Out-of-design arms are fitted too (``fit_out_of_design=True``), as in Ax.

    Raises:
        UserInputError: ``data`` is empty.
    """
    return _model_based(
        "get_thompson",
        Models.THOMPSON,
        experiment,
        data,
        search_space,
        num_samples=num_samples,
        min_weight=min_weight,
        uniform_weights=uniform_weights,
    )


def get_empirical_bayes_thompson(
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace] = None,
    num_samples: int = 10000,
    min_weight: Optional[float] = None,
    uniform_weights: bool = False,
) -> DiscreteModelBridge:
    """Thompson sampling after James-Stein shrinkage: ``Models.EMPIRICAL_BAYES_THOMPSON``.

    Raises:
        UserInputError: ``data`` is empty.
    """
    return _model_based(
        "get_empirical_bayes_thompson",
        Models.EMPIRICAL_BAYES_THOMPSON,
        experiment,
        data,
        search_space,
        num_samples=num_samples,
        min_weight=min_weight,
        uniform_weights=uniform_weights,
    )


# ---------------------------------------------------------------------------- helpers


def _model_based(
    function: str,
    member: Models,
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace],
    **kwargs: Any,
) -> Any:
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"{function}: experiment must be an Experiment, got {type(experiment).__name__}"
        )
    if not isinstance(data, Data):
        raise UserInputTypeError(f"{function}: data must be a Data, got {type(data).__name__}")
    if len(data) == 0:
        raise UserInputError(
            f"{function}: {member.model_class.__name__} requires non-empty data; experiment "
            f"{experiment.name!r} has none to fit",
            hint="complete some trials first (e.g. with get_sobol) and pass "
            "experiment.fetch_data()",
        )
    return member(
        search_space=search_space or experiment.search_space,
        experiment=experiment,
        data=data,
        **kwargs,
    )


def _with_cost_intercept(
    function: str,
    member: Models,
    experiment: Experiment,
    data: Data,
    search_space: Optional[SearchSpace],
    cost_intercept: float,
    transforms: Sequence[Type[Transform]],
    transform_configs: Optional[Mapping[str, TConfig]],
    kwargs: Dict[str, Any],
) -> Any:
    space = search_space or experiment.search_space
    extra: Dict[str, Any] = dict(kwargs)
    if "cost_intercept" in member.view_kwargs()[0] or _has_option(member, "cost_intercept"):
        extra["cost_intercept"] = cost_intercept
    elif any(p.is_fidelity for p in space.parameters.values()):
        raise UnsupportedError(
            f"{function}: the search space has fidelity parameters, but "
            f"{member.model_class.__name__} takes no cost model (cost_intercept)",
            hint="use the multi-fidelity strategy that choose_generation_strategy picks",
        )
    extra["transforms"] = list(transforms)
    if transform_configs is not None:
        extra["transform_configs"] = transform_configs
    return _model_based(function, member, experiment, data, space, **extra)


def _has_option(member: Models, name: str) -> bool:
    options_class = getattr(member.model_class, "options_class", None)
    fields = getattr(options_class, "model_fields", {})
    return name in fields


def _check_torch_settings(function: str, dtype: Any, device: Any) -> None:
    """Only float64 on the CPU is supported (the models compute in float64)."""
    if dtype is not None and str(dtype) not in ("torch.float64", "torch.double"):
        raise UnsupportedError(
            f"{function}: dtype={dtype!r} is not supported; the models compute in "
            "torch.double (float64)"
        )
    if device is not None and str(device) != "cpu":
        raise UnsupportedError(
            f"{function}: device={device!r} is not supported; the models run on the CPU"
        )


__all__ = [
    "Cont_X_trans",
    "Discrete_X_trans",
    "GP_Y_trans",
    "TS_trans",
    "Y_trans",
    "get_GPEI",
    "get_GPKG",
    "get_GPMES",
    "get_MOO_NEHVI",
    "get_MOO_PAREGO",
    "get_MTGP",
    "get_botorch",
    "get_empirical_bayes_thompson",
    "get_factorial",
    "get_model_from_generator_run",
    "get_sobol",
    "get_thompson",
    "get_uniform",
]
