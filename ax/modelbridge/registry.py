"""The ``Models`` registry: a serialisable handle for "bridge + model + transforms + defaults".

``Models.SOBOL(search_space=space, seed=0)`` builds a :class:`RandomModelBridge` around a
:class:`SobolGenerator`; ``Models.GPEI(experiment=exp, data=data)`` a torch bridge around the
BoTorch model. Keyword arguments go to the model or the bridge by name; a keyword that
neither takes raises an error naming it (the original dropped it silently).

Model and bridge classes are imported on first use, so importing this module loads no
torch.
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Type

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.search_space import SearchSpace
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.cap_parameter import CapParameter
from ax.modelbridge.transforms.cast import Cast
from ax.modelbridge.transforms.centered_unit_x import CenteredUnitX
from ax.modelbridge.transforms.derelativize import Derelativize
from ax.modelbridge.transforms.int_range_to_choice import IntRangeToChoice
from ax.modelbridge.transforms.int_to_float import IntToFloat
from ax.modelbridge.transforms.inverse_gaussian_cdf_y import InverseGaussianCdfY
from ax.modelbridge.transforms.ivw import IVW
from ax.modelbridge.transforms.log import Log
from ax.modelbridge.transforms.log_y import LogY
from ax.modelbridge.transforms.one_hot import OneHot
from ax.modelbridge.transforms.ordered_choice_encode import OrderedChoiceEncode
from ax.modelbridge.transforms.percentile_y import PercentileY
from ax.modelbridge.transforms.power_transform_y import PowerTransformY
from ax.modelbridge.transforms.remove_fixed import RemoveFixed
from ax.modelbridge.transforms.search_space_to_choice import SearchSpaceToChoice
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.modelbridge.transforms.stratified_standardize_y import StratifiedStandardizeY
from ax.modelbridge.transforms.task_encode import TaskEncode
from ax.modelbridge.transforms.trial_as_task import TrialAsTask
from ax.modelbridge.transforms.unit_x import UnitX
from ax.modelbridge.transforms.winsorize import Winsorize

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.generator_run import GeneratorRun
    from ax.modelbridge.base import ModelBridge

Cont_X_trans: List[Type[Transform]] = [
    RemoveFixed,
    OrderedChoiceEncode,
    OneHot,
    IntToFloat,
    Log,
    UnitX,
]
Discrete_X_trans: List[Type[Transform]] = [IntRangeToChoice]
Y_trans: List[Type[Transform]] = [IVW, Derelativize, StandardizeY]
GP_Y_trans: List[Type[Transform]] = [IVW, Derelativize, PowerTransformY, StandardizeY]
"""The single-objective GP's outcome transforms (``GPEI``, ``BO``): :data:`Y_trans` with a
fitted Yeo-Johnson power transform of every metric before the standardisation, so that a
skewed outcome (a loss over decades, a noisy one with a few lucky draws) does not lead
the GP (issue 10: on the suite it gained at 20-50 evaluations on 6 of 8 problems)."""
TS_trans: List[Type[Transform]] = Y_trans + [SearchSpaceToChoice]
# Ax 0.1.13's lists for multi-task models (trials or a given task parameter as tasks).
ST_MTGP_trans: List[Type[Transform]] = Cont_X_trans + [
    Derelativize,
    TrialAsTask,
    StratifiedStandardizeY,
    TaskEncode,
]
Specified_Task_ST_MTGP_trans: List[Type[Transform]] = Cont_X_trans + [
    Derelativize,
    StratifiedStandardizeY,
    TaskEncode,
]

# Every transform a stored generator run may name, by class name (a closed table: loading
# never imports by name).
TRANSFORM_REGISTRY: Dict[str, Type[Transform]] = {
    cls.__name__: cls
    for cls in (
        RemoveFixed,
        OrderedChoiceEncode,
        OneHot,
        IntToFloat,
        Log,
        UnitX,
        IntRangeToChoice,
        IVW,
        Derelativize,
        StandardizeY,
        SearchSpaceToChoice,
        Winsorize,
        Cast,
        CapParameter,
        CenteredUnitX,
        InverseGaussianCdfY,
        LogY,
        PercentileY,
        PowerTransformY,
        StratifiedStandardizeY,
        TaskEncode,
        TrialAsTask,
    )
}

# Bridge arguments that the registry supplies itself.
_RESERVED = frozenset({"search_space", "experiment", "data", "model"})


@dataclass(frozen=True)
class ModelSetup:
    """How a registry key builds its bridge: classes as ``module:Name`` paths (lazy)."""

    bridge_class: str
    model_class: str
    transforms: Tuple[Type[Transform], ...]
    standard_bridge_kwargs: Tuple[Tuple[str, Any], ...] = ()


_RANDOM = "ax.modelbridge.random:RandomModelBridge"
_DISCRETE = "ax.modelbridge.discrete:DiscreteModelBridge"
_TORCH = "ax.modelbridge.torch:TorchModelBridge"

MODEL_KEY_TO_MODEL_SETUP: Dict[str, ModelSetup] = {
    "Sobol": ModelSetup(_RANDOM, "ax.models.random.sobol:SobolGenerator", tuple(Cont_X_trans)),
    "Uniform": ModelSetup(
        _RANDOM, "ax.models.random.uniform:UniformGenerator", tuple(Cont_X_trans)
    ),
    "GPEI": ModelSetup(
        _TORCH, "ax.models.torch.botorch_model:BotorchModel", tuple(Cont_X_trans + GP_Y_trans)
    ),
    "BO": ModelSetup(
        _TORCH, "ax.models.torch.botorch_model:BotorchModel", tuple(Cont_X_trans + GP_Y_trans)
    ),
    "GPKG": ModelSetup(
        _TORCH, "ax.models.torch.kg:KnowledgeGradient", tuple(Cont_X_trans + Y_trans)
    ),
    "GPMES": ModelSetup(
        _TORCH, "ax.models.torch.mes:MaxValueEntropySearch", tuple(Cont_X_trans + Y_trans)
    ),
    "Factorial": ModelSetup(
        _DISCRETE,
        "ax.models.discrete.full_factorial:FullFactorialGenerator",
        tuple(Discrete_X_trans),
        (("fit_out_of_design", True),),
    ),
    "Thompson": ModelSetup(
        _DISCRETE,
        "ax.models.discrete.thompson:ThompsonSampler",
        tuple(TS_trans),
        (("fit_out_of_design", True),),
    ),
    "EB": ModelSetup(
        _DISCRETE,
        "ax.models.discrete.eb_thompson:EmpiricalBayesThompsonSampler",
        tuple(TS_trans),
        (("fit_out_of_design", True),),
    ),
    "TPE": ModelSetup(_TORCH, "ax.models.tpe:TPEGenerator", tuple(Cont_X_trans + Y_trans)),
    "MOO": ModelSetup(
        _TORCH, "ax.models.torch.moo:MultiObjectiveBotorchModel", tuple(Cont_X_trans + Y_trans)
    ),
}


def _load(path: str) -> Any:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def _parameters(cls: type) -> Dict[str, inspect.Parameter]:
    return {
        name: p
        for name, p in inspect.signature(cls).parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _option_fields(cls: type) -> Dict[str, Any]:
    """Fields of a model's typed options (``options_class``), which its constructor also
    takes by keyword (e.g. ``Models.GPKG(..., num_fantasies=8)``)."""
    options_class = getattr(cls, "options_class", None)
    fields = getattr(options_class, "model_fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class Models(Enum):
    """Registry of the available generation models.

    Call a member to build its model bridge::

        Models.SOBOL(search_space=space, seed=0)
        Models.GPEI(experiment=experiment, data=experiment.fetch_data())

    Keyword arguments go to the model when its constructor takes them (for the BoTorch
    models, also any field of their typed options, e.g. ``num_fantasies`` or
    ``cost_model`` of ``GPKG``), otherwise to the bridge (e.g. ``transforms``,
    ``transform_configs``); any other keyword raises
    :class:`~ax.exceptions.UserInputError` naming it.

    With fidelity parameters in the search space (``RangeParameter(...,
    is_fidelity=True, target_value=...)``), ``GPKG`` is multi-fidelity (cost-aware
    multi-fidelity knowledge gradient on a multi-fidelity GP) and the other BoTorch
    models fit a multi-fidelity GP and propose and recommend at the target fidelities.
    """

    SOBOL = "Sobol"
    GPEI = "GPEI"
    GPKG = "GPKG"
    GPMES = "GPMES"
    FACTORIAL = "Factorial"
    THOMPSON = "Thompson"
    BOTORCH = "BO"
    EMPIRICAL_BAYES_THOMPSON = "EB"
    UNIFORM = "Uniform"
    TPE = "TPE"
    MOO = "MOO"

    @property
    def setup(self) -> ModelSetup:
        return MODEL_KEY_TO_MODEL_SETUP[self.value]

    @property
    def model_class(self) -> type:
        """The numeric model class (imported on first use)."""
        return _load(self.setup.model_class)

    @property
    def model_bridge_class(self) -> type:
        """The bridge class used for this model (imported on first use)."""
        return _load(self.setup.bridge_class)

    def view_defaults(self) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """The model's and the bridge's default keyword arguments."""
        model_defaults = {
            name: p.default
            for name, p in _parameters(self.model_class).items()
            if p.default is not inspect.Parameter.empty
        }
        bridge_defaults = {
            name: p.default
            for name, p in _parameters(self.model_bridge_class).items()
            if p.default is not inspect.Parameter.empty and name not in _RESERVED
        }
        bridge_defaults.update(dict(self.setup.standard_bridge_kwargs))
        bridge_defaults["transforms"] = list(self.setup.transforms)
        return model_defaults, bridge_defaults

    def view_kwargs(self) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """The keyword arguments the model and the bridge accept, with their annotations."""
        model_kwargs = {name: p.annotation for name, p in _parameters(self.model_class).items()}
        bridge_kwargs = {
            name: p.annotation
            for name, p in _parameters(self.model_bridge_class).items()
            if name not in _RESERVED
        }
        return model_kwargs, bridge_kwargs

    def __call__(
        self,
        search_space: Optional[SearchSpace] = None,
        experiment: Optional[Experiment] = None,
        data: Optional[Data] = None,
        **kwargs: Any,
    ) -> ModelBridge:
        """Build this model's bridge.

        Args:
            search_space: The search space (defaults to the experiment's).
            experiment: The experiment whose data and config the bridge uses.
            data: The data to fit on.
            kwargs: Model or bridge keyword arguments.

        Raises:
            UserInputError: Neither a search space nor an experiment is given, or a keyword
                is accepted by neither the model nor the bridge.
        """
        if search_space is None and experiment is None:
            raise UserInputError(
                f"Models.{self.name}: pass search_space= or experiment= (got neither)"
            )
        if experiment is not None and not isinstance(experiment, Experiment):
            raise UserInputTypeError(
                f"Models.{self.name}: experiment must be an Experiment, got "
                f"{type(experiment).__name__}"
            )
        model_cls = self.model_class
        bridge_cls = self.model_bridge_class
        model_params: Dict[str, Any] = {**_parameters(model_cls), **_option_fields(model_cls)}
        bridge_params = {k: v for k, v in _parameters(bridge_cls).items() if k not in _RESERVED}
        unknown = sorted(k for k in kwargs if k not in model_params and k not in bridge_params)
        if unknown:
            raise UserInputError(
                f"Models.{self.name}: unknown keyword argument(s) {unknown}; the model "
                f"{model_cls.__name__} takes {sorted(model_params)} and the bridge "
                f"{bridge_cls.__name__} takes {sorted(bridge_params)}"
            )
        model_kwargs = {k: v for k, v in kwargs.items() if k in model_params}
        user_bridge_kwargs = {k: v for k, v in kwargs.items() if k not in model_params}
        bridge_kwargs: Dict[str, Any] = dict(self.setup.standard_bridge_kwargs)
        bridge_kwargs["transforms"] = list(self.setup.transforms)
        bridge_kwargs.update(user_bridge_kwargs)
        transforms = bridge_kwargs["transforms"]
        if isinstance(transforms, (list, tuple)):
            bridge_kwargs["transforms"] = [_transform_class(self.name, t) for t in transforms]
        model = model_cls(**model_kwargs)
        space = search_space if search_space is not None else experiment.search_space  # type: ignore[union-attr]
        bridge = bridge_cls(
            search_space=space, model=model, experiment=experiment, data=data, **bridge_kwargs
        )
        bridge._model_key = self.value
        bridge._model_kwargs = _storable(self.name, model_kwargs)
        bridge._bridge_kwargs = _storable_bridge_kwargs(self.name, user_bridge_kwargs)
        return bridge


def _transform_class(member: str, transform: Any) -> Type[Transform]:
    if isinstance(transform, str):
        cls = TRANSFORM_REGISTRY.get(transform)
        if cls is None:
            raise UserInputError(
                f"Models.{member}: unknown transform {transform!r}; known: "
                f"{sorted(TRANSFORM_REGISTRY)}"
            )
        return cls
    if isinstance(transform, type) and issubclass(transform, Transform):
        return transform
    raise UserInputTypeError(
        f"Models.{member}: transforms must be Transform classes or their names, got {transform!r}"
    )


def _storable(member: str, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    """Keyword arguments as plain data (pydantic options become dicts)."""
    out: Dict[str, Any] = {}
    for key, value in kwargs.items():
        dump = getattr(value, "model_dump", None)
        if callable(dump):
            value = dump()
        if callable(value):
            raise UserInputError(
                f"Models.{member}: keyword {key!r} is a callable ({value!r}), which cannot be "
                "stored with the experiment; pass plain values"
            )
        out[key] = value
    return out


def _storable_bridge_kwargs(member: str, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(kwargs)
    if "transforms" in out and out["transforms"] is not None:
        out["transforms"] = [_transform_class(member, t).__name__ for t in out["transforms"]]
    return _storable(member, out)


def get_model_from_generator_run(
    generator_run: GeneratorRun,
    experiment: Experiment,
    data: Data,
    models_enum: Optional[Type[Models]] = None,
    after_gen: bool = False,
) -> ModelBridge:
    """Rebuild the model bridge that made ``generator_run``.

    Args:
        generator_run: A run made through the registry (it records the model key and kwargs).
        experiment: The experiment to build the bridge on.
        data: The data to fit on.
        models_enum: The registry enum (``Models`` by default).
        after_gen: Also restore the model's state after that run (e.g. the Sobol position),
            so the rebuilt model continues where it stopped.

    Raises:
        UserInputError: The run was not made through the registry.
    """
    enum = models_enum or Models
    key = generator_run.model_key
    if key is None:
        raise UserInputError(
            "get_model_from_generator_run: the generator run has no model_key (it was not "
            "made through the Models registry)"
        )
    try:
        member = enum(key)
    except ValueError:
        raise UserInputError(
            f"get_model_from_generator_run: unknown model_key {key!r}; known keys are "
            f"{[m.value for m in enum]}"
        ) from None
    model_kwargs = dict(generator_run.model_kwargs or {})
    bridge_kwargs = dict(generator_run.bridge_kwargs or {})
    if after_gen and generator_run.model_state_after_gen:
        model_kwargs.update(generator_run.model_state_after_gen)
    for key_in_both in set(model_kwargs) & set(bridge_kwargs):
        del model_kwargs[key_in_both]
    return member(experiment=experiment, data=data, **model_kwargs, **bridge_kwargs)


__all__ = [
    "Cont_X_trans",
    "Discrete_X_trans",
    "MODEL_KEY_TO_MODEL_SETUP",
    "ModelSetup",
    "Models",
    "ST_MTGP_trans",
    "Specified_Task_ST_MTGP_trans",
    "TRANSFORM_REGISTRY",
    "TS_trans",
    "Y_trans",
    "get_model_from_generator_run",
]
