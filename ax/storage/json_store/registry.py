"""The closed registry of types that the JSON store writes and reads.

:data:`REGISTRY` maps each ``"__type"`` name to a :class:`TypeEntry` ``(class, encoder,
decoder)``. It holds every core class, the enums, ``datetime``, the named tuples
``GeneratorRunStruct``/``AbandonedArm``, the bundled ``SyntheticRunner``, and the
structural forms of the format (``float``, ``tuple``, ``dict``, ``ndarray``,
``ExperimentRef``, ``ExperimentData``). Decoding looks names up here and nowhere else:
it never imports a module by name.

Custom :class:`~ax.core.metric.Metric` and :class:`~ax.core.runner.Runner` subclasses
join through :func:`ax.storage.metric_registry.register_metric` and
:func:`ax.storage.runner_registry.register_runner`; they are written as their
constructor arguments (``serialize_init_args()``) and rebuilt as ``cls(**arguments)``.
"""

from __future__ import annotations

import zlib
from datetime import datetime
from typing import Dict, Mapping, NamedTuple, Optional, Tuple, Type

import numpy as np

from ax.core.arm import Arm
from ax.core.batch_trial import AbandonedArm, BatchTrial, GeneratorRunStruct
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective, ScalarizedObjective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig, OptimizationConfig
from ax.core.outcome_constraint import ObjectiveThreshold, OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment
from ax.core.trial import Trial
from ax.core.types import ComparisonOp, GeneratorRunType, ParameterType, TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.runners.synthetic import SyntheticRunner
from ax.storage.json_store import decoder as dec
from ax.storage.json_store import encoder as enc
from ax.storage.json_store import experiment_decoder as exp_dec
from ax.storage.json_store.data_table import decode_data, encode_data
from ax.storage.json_store.decoder import TDecodeFn
from ax.storage.json_store.encoder import TEncodeFn


class TypeEntry(NamedTuple):
    """How one ``"__type"`` is written and read.

    Attributes:
        cls: The class (None for the purely structural forms ``ExperimentRef`` and
            ``ExperimentData``).
        encode: ``(obj, encoder, name) -> dict``; None when values of the class are
            written by the encoder itself (``float``, ``dict``, ``ndarray``) or the form
            is only ever written as part of another object.
        decode: ``(cls, dict, decoder) -> obj``.
    """

    cls: Optional[type]
    encode: Optional[TEncodeFn]
    decode: TDecodeFn


REGISTRY: Dict[str, TypeEntry] = {
    # Structural forms of the format.
    "float": TypeEntry(float, None, dec.decode_float),
    "tuple": TypeEntry(tuple, enc.encode_tuple, dec.decode_tuple),
    "dict": TypeEntry(dict, None, dec.decode_dict),
    "datetime": TypeEntry(datetime, enc.encode_datetime, dec.decode_datetime),
    "ndarray": TypeEntry(np.ndarray, None, dec.decode_ndarray),
    "ExperimentRef": TypeEntry(None, None, dec.decode_experiment_ref),
    "ExperimentData": TypeEntry(None, None, dec.decode_misplaced),
    # Enums.
    "ParameterType": TypeEntry(ParameterType, enc.encode_enum, dec.decode_enum),
    "ComparisonOp": TypeEntry(ComparisonOp, enc.encode_enum, dec.decode_enum),
    "TrialStatus": TypeEntry(TrialStatus, enc.encode_enum, dec.decode_trial_status),
    "GeneratorRunType": TypeEntry(GeneratorRunType, enc.encode_enum, dec.decode_enum),
    # Search space.
    "Arm": TypeEntry(Arm, enc.encode_arm, dec.decode_arm),
    "RangeParameter": TypeEntry(
        RangeParameter, enc.encode_range_parameter, dec.decode_range_parameter
    ),
    "ChoiceParameter": TypeEntry(
        ChoiceParameter, enc.encode_choice_parameter, dec.decode_choice_parameter
    ),
    "FixedParameter": TypeEntry(
        FixedParameter, enc.encode_fixed_parameter, dec.decode_fixed_parameter
    ),
    "ParameterConstraint": TypeEntry(
        ParameterConstraint, enc.encode_parameter_constraint, dec.decode_parameter_constraint
    ),
    "OrderConstraint": TypeEntry(
        OrderConstraint, enc.encode_order_constraint, dec.decode_order_constraint
    ),
    "SumConstraint": TypeEntry(SumConstraint, enc.encode_sum_constraint, dec.decode_sum_constraint),
    "SearchSpace": TypeEntry(SearchSpace, enc.encode_search_space, dec.decode_search_space),
    # What is measured.
    "Metric": TypeEntry(Metric, enc.encode_init_args, dec.decode_init_args),
    "Objective": TypeEntry(Objective, enc.encode_objective, dec.decode_objective),
    "OutcomeConstraint": TypeEntry(
        OutcomeConstraint, enc.encode_outcome_constraint, dec.decode_outcome_constraint
    ),
    "OptimizationConfig": TypeEntry(
        OptimizationConfig, enc.encode_optimization_config, dec.decode_optimization_config
    ),
    "MultiObjective": TypeEntry(
        MultiObjective, enc.encode_multi_objective, dec.decode_multi_objective
    ),
    "ScalarizedObjective": TypeEntry(
        ScalarizedObjective, enc.encode_scalarized_objective, dec.decode_scalarized_objective
    ),
    "ObjectiveThreshold": TypeEntry(
        ObjectiveThreshold, enc.encode_outcome_constraint, dec.decode_objective_threshold
    ),
    "MultiObjectiveOptimizationConfig": TypeEntry(
        MultiObjectiveOptimizationConfig,
        enc.encode_multi_objective_optimization_config,
        dec.decode_multi_objective_optimization_config,
    ),
    "Data": TypeEntry(Data, encode_data, decode_data),
    # Runners.
    "SyntheticRunner": TypeEntry(SyntheticRunner, enc.encode_init_args, dec.decode_init_args),
    # Generator runs and trials.
    "GeneratorRun": TypeEntry(GeneratorRun, enc.encode_generator_run, exp_dec.decode_generator_run),
    "GeneratorRunStruct": TypeEntry(
        GeneratorRunStruct, enc.encode_generator_run_struct, exp_dec.decode_generator_run_struct
    ),
    "AbandonedArm": TypeEntry(AbandonedArm, enc.encode_abandoned_arm, exp_dec.decode_abandoned_arm),
    "Trial": TypeEntry(Trial, enc.encode_trial, exp_dec.decode_trial),
    "BatchTrial": TypeEntry(BatchTrial, enc.encode_batch_trial, exp_dec.decode_batch_trial),
    # Experiments.
    "Experiment": TypeEntry(Experiment, enc.encode_experiment, exp_dec.decode_experiment),
    "SimpleExperiment": TypeEntry(
        SimpleExperiment, enc.encode_experiment, exp_dec.decode_experiment
    ),
}

_ENCODERS: Dict[type, Tuple[str, TEncodeFn]] = {}
_DECODERS: Dict[str, Tuple[Optional[type], TDecodeFn]] = {}


def _index(name: str, entry: TypeEntry) -> None:
    if entry.cls is not None and entry.encode is not None:
        _ENCODERS[entry.cls] = (name, entry.encode)
    _DECODERS[name] = (entry.cls, entry.decode)


for _name, _entry in REGISTRY.items():
    _index(_name, _entry)


def encoder_table() -> Mapping[type, Tuple[str, TEncodeFn]]:
    """Exact class -> ``(type name, encode function)``, for :class:`Encoder`."""
    return _ENCODERS


def decoder_table() -> Mapping[str, Tuple[Optional[type], TDecodeFn]]:
    """Type name -> ``(class, decode function)``, for :class:`Decoder`."""
    return _DECODERS


def _qualified(cls: Optional[type]) -> str:
    if cls is None:
        return "a structural form of the format"
    return f"{cls.__module__}.{cls.__qualname__}"


def register_class(
    cls: type, encode: TEncodeFn, decode: TDecodeFn, name: Optional[str] = None
) -> str:
    """Add a class to the registry under ``name`` (default: the class name).

    Registering the same class again under the same name does nothing.

    Returns:
        The type name the class is written under.

    Raises:
        UserInputError: The name is taken by another class, or the class is already
            registered under another name.
    """
    type_name = cls.__name__ if name is None else name
    existing = REGISTRY.get(type_name)
    if existing is not None:
        if existing.cls is cls:
            return type_name
        raise UserInputError(
            f"cannot register {_qualified(cls)} for JSON storage as {type_name!r}: that "
            f"name is already used by {_qualified(existing.cls)}",
            hint="rename the class; type names must be unique",
        )
    known = _ENCODERS.get(cls)
    if known is not None:
        raise UserInputError(
            f"cannot register {_qualified(cls)} for JSON storage as {type_name!r}: it is "
            f"already registered as {known[0]!r}"
        )
    entry = TypeEntry(cls, encode, decode)
    REGISTRY[type_name] = entry
    _index(type_name, entry)
    return type_name


def stable_type_id(cls: type) -> int:
    """A stable integer id for a class, from its name: ``crc32(name) % 10**5``.

    Unlike ``hash()``, it is the same in every process (for the SQL store).
    """
    return zlib.crc32(cls.__name__.encode("utf-8")) % 10**5


def register_extension(
    cls: type,
    base: type,
    val: Optional[int],
    ids: Dict[Type, int],
    reverse: Dict[int, Type],
    function: str,
) -> int:
    """Register a Metric or Runner subclass in the JSON registry and an id table.

    Args:
        cls: The class to register.
        base: ``Metric`` or ``Runner``.
        val: The integer id for the SQL store; None derives it from the class name
            (:func:`stable_type_id`).
        ids: Class -> id table to record the id in.
        reverse: Id -> class table.
        function: The public function's name, for messages.

    Returns:
        The class's id.

    Raises:
        UserInputTypeError: ``cls`` is not a subclass of ``base``.
        UserInputError: ``val`` is not a non-negative int, the id or the JSON type name
            is taken by another class, or the class is registered with another id.
    """
    if not isinstance(cls, type) or not issubclass(cls, base):
        raise UserInputTypeError(f"{function}: expected a subclass of {base.__name__}, got {cls!r}")
    name = cls.__name__
    if val is not None and (type(val) is not int or val < 0):
        raise UserInputError(
            f"{function}({name}): val must be a non-negative int or None, got val={val!r}"
        )
    type_id = stable_type_id(cls) if val is None else val
    current = ids.get(cls)
    if current is not None and val is not None and val != current:
        raise UserInputError(
            f"{function}({name}): already registered with id {current}, got val={val}"
        )
    if current is None:
        holder = reverse.get(type_id)
        if holder is not None and holder is not cls:
            raise UserInputError(
                f"{function}({name}): id {type_id} is already used by {_qualified(holder)}",
                hint=f"pass another val= to {function}",
            )
    register_class(cls, enc.encode_init_args, dec.decode_init_args)
    if current is None:
        ids[cls] = type_id
        reverse[type_id] = cls
        return type_id
    return current


__all__ = [
    "REGISTRY",
    "TypeEntry",
    "decoder_table",
    "encoder_table",
    "register_class",
    "register_extension",
    "stable_type_id",
]
