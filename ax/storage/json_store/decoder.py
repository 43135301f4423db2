"""Decoding JSON values back into project objects, strictly and without running code.

Decoding looks every ``"__type"`` up in the closed registry
(:mod:`ax.storage.json_store.registry`); it never imports a module by name and never
uses ``eval`` or ``pickle``. Every object must have exactly its documented fields, each
of the documented JSON type; anything else (an unknown type, a missing or extra field,
a value of the wrong type, an exception raised by a constructor) is reported as a
:class:`~ax.storage.json_store.schema.DecodeFailure` that names the path, e.g.
``experiment.trials[3].generator_run.arms[0]: unknown type 'os.system'``.

This module holds the :class:`Decoder` (generic values and dispatch), the readers of
typed fields, and the decoders of plain types, parameters, search spaces and optimization
configs; generator runs, trials and experiments are in
:mod:`ax.storage.json_store.experiment_decoder`.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

import numpy as np

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective, ScalarizedObjective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig, OptimizationConfig
from ax.core.outcome_constraint import ObjectiveThreshold, OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.runner import Runner
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType, TrialStatus
from ax.storage.json_store.schema import SPECIAL_FLOATS, DecodeFailure, check_fields, describe

if TYPE_CHECKING:  # pragma: no cover
    from enum import Enum

_T = TypeVar("_T")
TDecodeFn = Callable[[Any, Dict[str, Any], "Decoder"], Any]
"""Decodes one object: ``(registered class, JSON object, decoder) -> object``."""

_PLAIN = (str, int, float, bool, type(None))
_NDARRAY_DTYPES = frozenset(
    {
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
    }
)
EXPERIMENT_REF_FIELDS: Dict[str, type] = {
    "search_space": SearchSpace,
    "optimization_config": OptimizationConfig,
    "runner": Runner,
    "status_quo": Arm,
}


def fail(reason: str, segment: str = "") -> DecodeFailure:
    failure = DecodeFailure(reason)
    if segment:
        failure.at(segment)
    return failure


class Decoder:
    """Turns JSON values into objects through the registry's decoders.

    Args:
        by_name: Type name -> ``(class, decode function)``, from the registry.

    Attributes:
        experiment: The experiment whose trials are being decoded (ExperimentRef
            targets), else None.
        parameter_scope: The parameters of the search space whose constraints are being
            decoded, by name (constraints may name them), else None.
    """

    def __init__(self, by_name: Mapping[str, Tuple[Optional[type], TDecodeFn]]) -> None:
        self._by_name = by_name
        self.experiment: Optional[Experiment] = None
        self.parameter_scope: Optional[Dict[str, Parameter]] = None
        self.trial_slot = False
        self.building_experiment = False

    # ------------------------------------------------------------------ generic values
    def value(self, obj: Any) -> Any:
        """Decode any JSON value (plain values stay as they are).

        Raises:
            DecodeFailure: The value or something inside it is invalid.
        """
        t = type(obj)
        if t is str or t is int or t is float or t is bool or obj is None:
            return obj
        if t is list:
            return self.sequence(obj, "")
        if t is dict:
            if "__type" in obj:
                return self.typed(obj)
            out = {}
            for key, item in obj.items():
                try:
                    out[key] = self.value(item)
                except DecodeFailure as failure:
                    raise failure.at(f"[{key!r}]") from failure.__cause__
            return out
        raise fail(f"unexpected value {describe(obj)}")

    def typed(self, obj: Dict[str, Any]) -> Any:
        """Decode an object with a ``"__type"`` through its registered decoder."""
        name = obj["__type"]
        if type(name) is not str:
            raise fail(f"'__type' must be a str, got {describe(name)}")
        entry = self._by_name.get(name)
        if entry is None:
            failure = fail(f"unknown type {name!r}")
            failure.hint = (
                "only registered types can be loaded; register custom metrics and runners "
                "(ax.storage.metric_registry.register_metric, "
                "ax.storage.runner_registry.register_runner) before loading"
            )
            raise failure
        cls, decode = entry
        try:
            return decode(cls, obj, self)
        except (DecodeFailure, RecursionError):
            raise
        except Exception as err:
            raise fail(f"could not build {name}: {type(err).__name__}: {err}") from err

    def child(self, obj: Any, segment: str) -> Any:
        """Decode ``obj``, naming ``segment`` in the path on failure."""
        try:
            return self.value(obj)
        except DecodeFailure as failure:
            raise failure.at(segment) from failure.__cause__

    def sequence(self, items: List[Any], segment: str) -> List[Any]:
        """Decode each item of a JSON list, naming ``segment[i]`` on failure."""
        out = []
        for i, item in enumerate(items):
            try:
                out.append(self.value(item))
            except DecodeFailure as failure:
                raise failure.at(f"{segment}[{i}]") from failure.__cause__
        return out

    # ------------------------------------------------------------------ typed fields
    def instance(self, d: Dict[str, Any], key: str, cls: Type[_T]) -> _T:
        """Decode field ``key`` of ``d``, which must give an instance of ``cls``."""
        obj = self.child(d[key], f".{key}")
        if not isinstance(obj, cls):
            raise fail(f"must be a {cls.__name__}, got {describe(d[key])}", f".{key}")
        return obj

    def optional(self, d: Dict[str, Any], key: str, cls: Type[_T]) -> Optional[_T]:
        """Like :meth:`instance`, and null gives None."""
        if d[key] is None:
            return None
        return self.instance(d, key, cls)

    def list_of(self, d: Dict[str, Any], key: str, cls: Type[_T]) -> List[_T]:
        """Decode field ``key``, a list whose items must be instances of ``cls``."""
        items = d[key]
        if type(items) is not list:
            raise fail(f"must be a list, got {describe(items)}", f".{key}")
        out = self.sequence(items, f".{key}")
        for i, obj in enumerate(out):
            if not isinstance(obj, cls):
                raise fail(f"must be a {cls.__name__}, got {describe(items[i])}", f".{key}[{i}]")
        return out

    def mapping(self, d: Dict[str, Any], key: str, optional: bool = True) -> Any:
        """Decode field ``key``, a dict of free-form values (or null when ``optional``)."""
        value = d[key]
        if value is None and optional:
            return None
        decoded = self.child(value, f".{key}")
        if not isinstance(decoded, dict):
            raise fail(f"must be an object, got {describe(value)}", f".{key}")
        return decoded


# ---------------------------------------------------------------------- plain fields
def get_str(d: Dict[str, Any], key: str) -> str:
    value = d[key]
    if type(value) is str:
        return value
    raise fail(f"must be a str, got {describe(value)}", f".{key}")


def get_optional_str(d: Dict[str, Any], key: str) -> Optional[str]:
    value = d[key]
    if value is None or type(value) is str:
        return value
    raise fail(f"must be a str or null, got {describe(value)}", f".{key}")


def get_int(d: Dict[str, Any], key: str) -> int:
    value = d[key]
    if type(value) is int:
        return value
    raise fail(f"must be an int, got {describe(value)}", f".{key}")


def get_optional_int(d: Dict[str, Any], key: str) -> Optional[int]:
    value = d[key]
    if value is None or type(value) is int:
        return value
    raise fail(f"must be an int or null, got {describe(value)}", f".{key}")


def get_bool(d: Dict[str, Any], key: str) -> bool:
    value = d[key]
    if type(value) is bool:
        return value
    raise fail(f"must be a bool, got {describe(value)}", f".{key}")


def number(value: Any, segment: str) -> Union[int, float]:
    t = type(value)
    if t is float or t is int:
        return value
    if t is dict and value.get("__type") == "float":
        return _special_float(value, segment)
    raise fail(f"must be a number, got {describe(value)}", segment)


def _special_float(value: Dict[str, Any], segment: str) -> float:
    if value.keys() == {"__type", "value"} and value["value"] in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[value["value"]]
    raise fail(
        "a special float must be {'__type': 'float', 'value': 'nan' | 'inf' | '-inf'}, got "
        f"{value!r}",
        segment,
    )


def get_number(d: Dict[str, Any], key: str) -> Union[int, float]:
    """An int or a float (finite, or in the explicit non-finite form), kept as is."""
    return number(d[key], f".{key}")


def get_float(d: Dict[str, Any], key: str) -> float:
    return float(number(d[key], f".{key}"))


def get_optional_float(d: Dict[str, Any], key: str) -> Optional[float]:
    value = d[key]
    return None if value is None else float(number(value, f".{key}"))


def _fast_datetime(value: Any) -> Optional[datetime]:
    """The datetime of a well-formed ``{"__type": "datetime", "value": ...}``, else None."""
    if type(value) is dict and len(value) == 2 and value.get("__type") == "datetime":
        text = value.get("value")
        if type(text) is str:
            try:
                return datetime.fromisoformat(text)
            except ValueError:
                return None
    return None


def get_datetime(d: Dict[str, Any], key: str, dec: Decoder) -> datetime:
    """A datetime field (the common well-formed case is parsed without dispatch)."""
    return _fast_datetime(d[key]) or dec.instance(d, key, datetime)


def get_optional_datetime(d: Dict[str, Any], key: str, dec: Decoder) -> Optional[datetime]:
    value = d[key]
    if value is None:
        return None
    return _fast_datetime(value) or dec.instance(d, key, datetime)


_E = TypeVar("_E", bound="Enum")


def get_enum(d: Dict[str, Any], key: str, cls: Type[_E], dec: Decoder) -> _E:
    """An enum field; the common well-formed case is read without dispatch."""
    value = d[key]
    if type(value) is dict and len(value) == 2 and value.get("__type") == cls.__name__:
        member = cls.__members__.get(value.get("name"))  # type: ignore[arg-type]
        if member is not None and not (cls is TrialStatus and member is TrialStatus.DISPATCHED):
            return member
    return dec.instance(d, key, cls)


def get_parameter_value(d: Dict[str, Any], key: str) -> Any:
    """A parameter value: str, int, float (incl. the explicit non-finite form), bool, null."""
    value = d[key]
    if type(value) in _PLAIN:
        return value
    return number(value, f".{key}")


# ---------------------------------------------------------------------- plain types
def decode_float(cls: Any, d: Dict[str, Any], dec: Decoder) -> float:
    return _special_float(d, "")


def decode_tuple(cls: Any, d: Dict[str, Any], dec: Decoder) -> Tuple[Any, ...]:
    check_fields(d, frozenset({"__type", "value"}), "tuple")
    if type(d["value"]) is not list:
        raise fail(f"must be a list, got {describe(d['value'])}", ".value")
    return tuple(dec.sequence(d["value"], ".value"))


def decode_dict(cls: Any, d: Dict[str, Any], dec: Decoder) -> Dict[Any, Any]:
    check_fields(d, frozenset({"__type", "items"}), "dict")
    items = d["items"]
    if type(items) is not list:
        raise fail(f"must be a list of [key, value] pairs, got {describe(items)}", ".items")
    out = {}
    for i, pair in enumerate(items):
        if type(pair) is not list or len(pair) != 2:
            raise fail(f"must be a [key, value] pair, got {describe(pair)}", f".items[{i}]")
        key, value = dec.sequence(pair, f".items[{i}]")
        try:
            out[key] = value
        except TypeError as err:
            raise fail(f"key {key!r} cannot be a dict key", f".items[{i}]") from err
    return out


def decode_datetime(cls: Any, d: Dict[str, Any], dec: Decoder) -> datetime:
    check_fields(d, frozenset({"__type", "value"}), "datetime")
    text = get_str(d, "value")
    try:
        return datetime.fromisoformat(text)
    except ValueError as err:
        raise fail(f"must be an ISO 8601 datetime, got {text!r}", ".value") from err


def decode_ndarray(cls: Any, d: Dict[str, Any], dec: Decoder) -> np.ndarray:
    check_fields(d, frozenset({"__type", "dtype", "shape", "value"}), "ndarray")
    dtype = get_str(d, "dtype")
    if dtype not in _NDARRAY_DTYPES:
        raise fail(f"must be one of {sorted(_NDARRAY_DTYPES)}, got {dtype!r}", ".dtype")
    shape = d["shape"]
    if type(shape) is not list or not all(type(s) is int and s >= 0 for s in shape):
        raise fail(f"must be a list of sizes, got {describe(shape)}", ".shape")
    values = dec.child(d["value"], ".value")
    arr = np.asarray(values, dtype=np.dtype(dtype))
    if list(arr.shape) != shape:
        raise fail(f"has shape {list(arr.shape)}, but the shape field says {shape}", ".value")
    return arr


def decode_enum(cls: Type[Enum], d: Dict[str, Any], dec: Decoder) -> Enum:
    check_fields(d, frozenset({"__type", "name"}), cls.__name__)
    name = get_str(d, "name")
    member = cls.__members__.get(name)
    if member is None:
        raise fail(
            f"{cls.__name__} has no member {name!r}; members are {list(cls.__members__)}",
            ".name",
        )
    return member


def decode_trial_status(cls: Any, d: Dict[str, Any], dec: Decoder) -> TrialStatus:
    """A TrialStatus; the retired DISPATCHED reads as RUNNING."""
    status = decode_enum(TrialStatus, d, dec)
    return TrialStatus.RUNNING if status is TrialStatus.DISPATCHED else status  # type: ignore[return-value]


def decode_init_args(cls: Any, d: Dict[str, Any], dec: Decoder) -> Any:
    """A Metric or Runner rebuilt as ``cls(**arguments)``."""
    args = {key: dec.child(value, f".{key}") for key, value in d.items() if key != "__type"}
    return cls(**args)


def decode_experiment_ref(cls: Any, d: Dict[str, Any], dec: Decoder) -> Any:
    """The experiment's own search space, optimization config, runner or status quo."""
    check_fields(d, frozenset({"__type", "field"}), "ExperimentRef")
    field = get_str(d, "field")
    if field not in EXPERIMENT_REF_FIELDS:
        raise fail(f"must be one of {sorted(EXPERIMENT_REF_FIELDS)}, got {field!r}", ".field")
    experiment = dec.experiment
    if experiment is None:
        raise fail("an ExperimentRef may only appear inside an experiment's trials")
    if field == "search_space":
        target: Any = experiment._search_space
    elif field == "optimization_config":
        target = experiment._optimization_config
    elif field == "runner":
        target = experiment.runner
    else:
        target = experiment._status_quo
    if target is None:
        raise fail(f"refers to the experiment's {field}, which is null")
    return target


def decode_misplaced(cls: Any, d: Dict[str, Any], dec: Decoder) -> Any:
    raise fail("an ExperimentData table may only appear as an experiment's 'data'")


# ---------------------------------------------------------------------- search space
def decode_arm(cls: Any, d: Dict[str, Any], dec: Decoder) -> Arm:
    check_fields(d, frozenset({"__type", "name", "parameters"}), "Arm")
    name = get_optional_str(d, "name")
    params = d["parameters"]
    if type(params) is not dict:
        raise fail(f"must be an object, got {describe(params)}", ".parameters")
    for value in params.values():
        if type(value) not in _PLAIN:
            params = {k: get_parameter_value(params, k) for k in params}
            break
    return Arm(parameters=params, name=name)


_PARAMETER_FIELDS = frozenset({"__type", "name", "parameter_type", "is_fidelity", "target_value"})
_RANGE_FIELDS = _PARAMETER_FIELDS | {"lower", "upper", "log_scale", "digits"}
_CHOICE_FIELDS = _PARAMETER_FIELDS | {"values", "is_ordered", "is_task"}
_FIXED_FIELDS = _PARAMETER_FIELDS | {"value"}


def _parameter_common(d: Dict[str, Any], dec: Decoder) -> Dict[str, Any]:
    return {
        "name": get_str(d, "name"),
        "parameter_type": get_enum(d, "parameter_type", ParameterType, dec),
        "is_fidelity": get_bool(d, "is_fidelity"),
        "target_value": get_parameter_value(d, "target_value"),
    }


def decode_range_parameter(cls: Any, d: Dict[str, Any], dec: Decoder) -> RangeParameter:
    check_fields(d, _RANGE_FIELDS, "RangeParameter")
    return RangeParameter(
        lower=get_number(d, "lower"),
        upper=get_number(d, "upper"),
        log_scale=get_bool(d, "log_scale"),
        digits=get_optional_int(d, "digits"),
        **_parameter_common(d, dec),
    )


def decode_choice_parameter(cls: Any, d: Dict[str, Any], dec: Decoder) -> ChoiceParameter:
    check_fields(d, _CHOICE_FIELDS, "ChoiceParameter")
    values = d["values"]
    if type(values) is not list:
        raise fail(f"must be a list, got {describe(values)}", ".values")
    return ChoiceParameter(
        values=[get_parameter_value({"v": v}, "v") for v in values],
        is_ordered=get_bool(d, "is_ordered"),
        is_task=get_bool(d, "is_task"),
        **_parameter_common(d, dec),
    )


def decode_fixed_parameter(cls: Any, d: Dict[str, Any], dec: Decoder) -> FixedParameter:
    check_fields(d, _FIXED_FIELDS, "FixedParameter")
    return FixedParameter(value=get_parameter_value(d, "value"), **_parameter_common(d, dec))


def decode_parameter_constraint(cls: Any, d: Dict[str, Any], dec: Decoder) -> ParameterConstraint:
    check_fields(d, frozenset({"__type", "constraint_dict", "bound"}), "ParameterConstraint")
    weights = d["constraint_dict"]
    if type(weights) is not dict:
        raise fail(f"must be an object, got {describe(weights)}", ".constraint_dict")
    return ParameterConstraint(
        constraint_dict={k: number(w, f".constraint_dict[{k!r}]") for k, w in weights.items()},
        bound=get_number(d, "bound"),
    )


def _held_parameter(value: Any, segment: str, dec: Decoder) -> Parameter:
    """A constrained parameter: a name in the enclosing search space, or in full."""
    if type(value) is str:
        scope = dec.parameter_scope
        if scope is None:
            raise fail(
                f"names parameter {value!r}, but the constraint is not inside a search space",
                segment,
            )
        parameter = scope.get(value)
        if parameter is None:
            raise fail(
                f"names parameter {value!r}, which the search space does not have "
                f"(it has {sorted(scope)})",
                segment,
            )
        return parameter
    obj = dec.child(value, segment)
    if not isinstance(obj, Parameter):
        raise fail(f"must be a parameter name or a Parameter, got {describe(value)}", segment)
    return obj


def decode_order_constraint(cls: Any, d: Dict[str, Any], dec: Decoder) -> OrderConstraint:
    check_fields(d, frozenset({"__type", "lower_parameter", "upper_parameter"}), "OrderConstraint")
    return OrderConstraint(
        lower_parameter=_held_parameter(d["lower_parameter"], ".lower_parameter", dec),
        upper_parameter=_held_parameter(d["upper_parameter"], ".upper_parameter", dec),
    )


def decode_sum_constraint(cls: Any, d: Dict[str, Any], dec: Decoder) -> SumConstraint:
    check_fields(d, frozenset({"__type", "parameters", "is_upper_bound", "bound"}), "SumConstraint")
    held = d["parameters"]
    if type(held) is not list:
        raise fail(f"must be a list, got {describe(held)}", ".parameters")
    return SumConstraint(
        parameters=[_held_parameter(p, f".parameters[{i}]", dec) for i, p in enumerate(held)],
        is_upper_bound=get_bool(d, "is_upper_bound"),
        bound=get_number(d, "bound"),
    )


def decode_search_space(cls: Any, d: Dict[str, Any], dec: Decoder) -> SearchSpace:
    check_fields(d, frozenset({"__type", "parameters", "parameter_constraints"}), "SearchSpace")
    parameters = dec.list_of(d, "parameters", Parameter)  # type: ignore[type-abstract]
    previous = dec.parameter_scope
    dec.parameter_scope = {p.name: p for p in parameters}
    try:
        constraints = dec.list_of(d, "parameter_constraints", ParameterConstraint)
    finally:
        dec.parameter_scope = previous
    return SearchSpace(parameters=parameters, parameter_constraints=constraints)


# ---------------------------------------------------------------------- optimization config
def decode_objective(cls: Any, d: Dict[str, Any], dec: Decoder) -> Objective:
    check_fields(d, frozenset({"__type", "metric", "minimize"}), "Objective")
    return Objective(metric=dec.instance(d, "metric", Metric), minimize=get_bool(d, "minimize"))


def decode_multi_objective(cls: Any, d: Dict[str, Any], dec: Decoder) -> MultiObjective:
    check_fields(d, frozenset({"__type", "objectives"}), "MultiObjective")
    return MultiObjective(objectives=dec.list_of(d, "objectives", Objective))


def decode_scalarized_objective(cls: Any, d: Dict[str, Any], dec: Decoder) -> ScalarizedObjective:
    check_fields(d, frozenset({"__type", "metrics", "weights", "minimize"}), "ScalarizedObjective")
    return ScalarizedObjective(
        metrics=dec.list_of(d, "metrics", Metric),
        weights=dec.list_of(d, "weights", float),
        minimize=get_bool(d, "minimize"),
    )


def decode_objective_threshold(cls: Any, d: Dict[str, Any], dec: Decoder) -> ObjectiveThreshold:
    check_fields(
        d, frozenset({"__type", "metric", "op", "bound", "relative"}), "ObjectiveThreshold"
    )
    return ObjectiveThreshold(
        metric=dec.instance(d, "metric", Metric),
        op=get_enum(d, "op", ComparisonOp, dec),
        bound=get_number(d, "bound"),
        relative=get_bool(d, "relative"),
    )


def decode_outcome_constraint(cls: Any, d: Dict[str, Any], dec: Decoder) -> OutcomeConstraint:
    check_fields(d, frozenset({"__type", "metric", "op", "bound", "relative"}), "OutcomeConstraint")
    metric = dec.instance(d, "metric", Metric)
    op = get_enum(d, "op", ComparisonOp, dec)
    bound = get_number(d, "bound")
    relative = get_bool(d, "relative")
    with warnings.catch_warnings():
        # A direction warning was already given when the constraint was first made.
        warnings.simplefilter("ignore", UserWarning)
        return OutcomeConstraint(metric=metric, op=op, bound=bound, relative=relative)


def decode_optimization_config(cls: Any, d: Dict[str, Any], dec: Decoder) -> OptimizationConfig:
    check_fields(d, frozenset({"__type", "objective", "outcome_constraints"}), "OptimizationConfig")
    return OptimizationConfig(
        objective=dec.instance(d, "objective", Objective),
        outcome_constraints=dec.list_of(d, "outcome_constraints", OutcomeConstraint),
    )


def decode_multi_objective_optimization_config(
    cls: Any, d: Dict[str, Any], dec: Decoder
) -> MultiObjectiveOptimizationConfig:
    check_fields(
        d,
        frozenset({"__type", "objective", "outcome_constraints", "objective_thresholds"}),
        "MultiObjectiveOptimizationConfig",
    )
    return MultiObjectiveOptimizationConfig(
        objective=dec.instance(d, "objective", MultiObjective),
        outcome_constraints=dec.list_of(d, "outcome_constraints", OutcomeConstraint),
        objective_thresholds=dec.list_of(d, "objective_thresholds", ObjectiveThreshold),
    )


__all__ = ["EXPERIMENT_REF_FIELDS", "Decoder", "TDecodeFn"]
