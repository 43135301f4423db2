"""Parameter dicts of the service API: pydantic spec models and the builders that use them.

Parameter dicts are validated by pydantic models (:class:`RangeParameterSpec`,
:class:`ChoiceParameterSpec`, :class:`FixedParameterSpec`) that reject unknown keys;
:func:`parameter_from_json` and :func:`parameters_from_json` turn dicts into core
parameters. Every problem raises :class:`~ax.exceptions.UserInputError` naming the
parameter, the key and the bad value.

Example:
    >>> parameter_from_json({"name": "x", "type": "range", "bounds": [0.0, 1.0]})
    RangeParameter(name='x', parameter_type=FLOAT, range=[0.0, 1.0])
"""

from __future__ import annotations

import difflib
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Type,
    TypeVar,
    Union,
)

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.types import ParameterType, TParamValue
from ax.exceptions import AxError, UserInputError
from ax.utils.text import short_repr

TScalar = Union[StrictBool, StrictInt, StrictFloat, StrictStr]
TNumber = Union[StrictInt, StrictFloat]
_P = TypeVar("_P", bound=Parameter)
TValueType = Literal["int", "float", "bool", "str"]

_VALUE_TYPES: Dict[str, ParameterType] = {
    "int": ParameterType.INT,
    "float": ParameterType.FLOAT,
    "bool": ParameterType.BOOL,
    "str": ParameterType.STRING,
}
_TYPE_NAMES: Dict[type, str] = {bool: "bool", int: "int", float: "float", str: "str"}


def _plain(value: Any) -> Any:
    """numpy scalars (and lists of them) as Python scalars."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class _ParameterSpec(BaseModel):
    """Keys shared by every kind of parameter dict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: StrictStr
    value_type: Optional[TValueType] = None
    is_fidelity: StrictBool = False
    target_value: Optional[TScalar] = None

    @field_validator("target_value", mode="before")
    @classmethod
    def _numpy_scalar(cls, value: Any) -> Any:
        return _plain(value)

    @property
    def _label(self) -> str:
        return f"parameter {self.name!r}"

    def to_parameter(self) -> Parameter:  # pragma: no cover - overridden
        raise NotImplementedError

    def _resolve_type(self, key: str, values: Sequence[TParamValue]) -> ParameterType:
        """The parameter type: ``value_type`` if given, else the type of ``values[0]``.

        Every value must have that type; ints are accepted for ``"float"`` and integral
        floats for ``"int"``.
        """
        if self.value_type is not None:
            target = _VALUE_TYPES[self.value_type]
            for value in values:
                if not _fits(target, value):
                    raise UserInputError(
                        f"{self._label}: {key} must hold {self.value_type} values for "
                        f"value_type={self.value_type!r}, got {value!r} in {key}={list(values)!r}"
                    )
            return target
        first = type(values[0])
        for value in values[1:]:
            if type(value) is not first:
                hint = (
                    " (write every number as a float, e.g. 0.0, or set value_type='float')"
                    if {type(value), first} == {int, float}
                    else ""
                )
                raise UserInputError(
                    f"{self._label}: every value of {key} must have the type of the first "
                    f"({_TYPE_NAMES[first]}), got {value!r} ({_TYPE_NAMES[type(value)]}) in "
                    f"{key}={list(values)!r}{hint}"
                )
        return _VALUE_TYPES[_TYPE_NAMES[first]]

    def _built(self, factory: Callable[..., _P], **kwargs: Any) -> _P:
        try:
            return factory(**kwargs)
        except AxError as err:
            # The core's messages name the parameter already ("RangeParameter 'x': ...").
            message = err.message
            if repr(self.name) not in message:
                message = f"{self._label}: {message}"
            raise UserInputError(message, hint=err.hint) from err


class RangeParameterSpec(_ParameterSpec):
    """A ``"range"`` parameter dict: ``{"name", "type": "range", "bounds": [lo, hi]}``.

    Optional keys: ``value_type`` (``"int"`` or ``"float"``; inferred from the bounds,
    which must then share one type), ``log_scale``, ``digits`` (decimal digits FLOAT
    values are rounded to), ``is_fidelity`` and ``target_value``.

    Example:
        >>> RangeParameterSpec(name="lr", type="range", bounds=[1e-4, 0.1], log_scale=True)
    """

    type: Literal["range"]
    bounds: List[TNumber] = Field(min_length=2, max_length=2)
    log_scale: StrictBool = False
    digits: Optional[StrictInt] = None

    @field_validator("bounds", mode="before")
    @classmethod
    def _numpy_bounds(cls, value: Any) -> Any:
        return _plain(value)

    def to_parameter(self) -> RangeParameter:
        """The :class:`RangeParameter` this dict describes."""
        if self.value_type in ("bool", "str"):
            raise UserInputError(
                f"{self._label}: a range parameter takes value_type 'int' or 'float', got "
                f"value_type={self.value_type!r}"
            )
        parameter_type = self._resolve_type("bounds", self.bounds)
        lower, upper = (_cast(parameter_type, b) for b in self.bounds)
        return self._built(
            RangeParameter,
            name=self.name,
            parameter_type=parameter_type,
            lower=lower,
            upper=upper,
            log_scale=self.log_scale,
            digits=self.digits,
            is_fidelity=self.is_fidelity,
            target_value=self.target_value,
        )


class ChoiceParameterSpec(_ParameterSpec):
    """A ``"choice"`` parameter dict: ``{"name", "type": "choice", "values": [...]}``.

    Optional keys: ``value_type`` (inferred from the first value otherwise; every value
    must share it), ``is_ordered``, ``is_task``, ``is_fidelity`` and ``target_value``.

    Example:
        >>> ChoiceParameterSpec(name="opt", type="choice", values=["adam", "sgd"])
    """

    type: Literal["choice"]
    values: List[TScalar] = Field(min_length=2)
    is_ordered: StrictBool = False
    is_task: StrictBool = False

    @field_validator("values", mode="before")
    @classmethod
    def _numpy_values(cls, value: Any) -> Any:
        return _plain(value)

    def to_parameter(self) -> ChoiceParameter:
        """The :class:`ChoiceParameter` this dict describes."""
        parameter_type = self._resolve_type("values", self.values)
        return self._built(
            ChoiceParameter,
            name=self.name,
            parameter_type=parameter_type,
            values=[_cast(parameter_type, v) for v in self.values],
            is_ordered=self.is_ordered,
            is_task=self.is_task,
            is_fidelity=self.is_fidelity,
            target_value=self.target_value,
        )


class FixedParameterSpec(_ParameterSpec):
    """A ``"fixed"`` parameter dict: ``{"name", "type": "fixed", "value": v}``.

    Optional keys: ``value_type`` (inferred from the value otherwise), ``is_fidelity``
    and ``target_value``.

    Example:
        >>> FixedParameterSpec(name="mode", type="fixed", value="fast")
    """

    type: Literal["fixed"]
    value: TScalar

    @field_validator("value", mode="before")
    @classmethod
    def _numpy_value(cls, value: Any) -> Any:
        return _plain(value)

    def to_parameter(self) -> FixedParameter:
        """The :class:`FixedParameter` this dict describes."""
        parameter_type = self._resolve_type("value", [self.value])
        return self._built(
            FixedParameter,
            name=self.name,
            parameter_type=parameter_type,
            value=_cast(parameter_type, self.value),
            is_fidelity=self.is_fidelity,
            target_value=self.target_value,
        )


_SPECS: Dict[str, Type[_ParameterSpec]] = {
    "range": RangeParameterSpec,
    "choice": ChoiceParameterSpec,
    "fixed": FixedParameterSpec,
}
_EXPECTED: Dict[str, str] = {
    "name": "a non-empty string",
    "value_type": "one of 'int', 'float', 'bool', 'str'",
    "is_fidelity": "a bool",
    "target_value": "a bool, int, float or str",
    "bounds": "a list of exactly 2 numbers [lower, upper]",
    "log_scale": "a bool",
    "digits": "a non-negative int",
    "values": "a list of at least 2 bool, int, float or str values",
    "is_ordered": "a bool",
    "is_task": "a bool",
    "value": "a single bool, int, float or str",
}


def _fits(parameter_type: ParameterType, value: Any) -> bool:
    if parameter_type is ParameterType.FLOAT:
        return type(value) in (int, float)
    if parameter_type is ParameterType.INT:
        return type(value) is int or (type(value) is float and float(value).is_integer())
    return type(value) is parameter_type.python_type


def _cast(parameter_type: ParameterType, value: TParamValue) -> TParamValue:
    if parameter_type is ParameterType.FLOAT and type(value) is int:
        return float(value)
    if parameter_type is ParameterType.INT and type(value) is float:
        return int(value)
    return value


def did_you_mean(word: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parameter_from_json(representation: Mapping[str, Any]) -> Parameter:
    """Build a parameter from its dict.

    Args:
        representation: ``{"name": ..., "type": "range" | "choice" | "fixed", ...}``; see
            :class:`RangeParameterSpec`, :class:`ChoiceParameterSpec` and
            :class:`FixedParameterSpec` for the keys of each type.

    Returns:
        A :class:`RangeParameter`, :class:`ChoiceParameter` or :class:`FixedParameter`.

    Raises:
        UserInputError: The dict is not a mapping, lacks ``name`` or ``type``, has an
            unknown key or a value of the wrong type, or describes an invalid parameter;
            the message names the parameter, the key and the value.

    Example:
        >>> parameter_from_json({"name": "x", "type": "range", "bounds": [0.0, 1.0]})
        RangeParameter(name='x', parameter_type=FLOAT, range=[0.0, 1.0])
    """
    if not isinstance(representation, Mapping):
        raise UserInputError(
            f"parameter: each parameter must be a dict with 'name' and 'type', got "
            f"{representation!r} ({type(representation).__name__})"
        )
    name = representation.get("name")
    if not isinstance(name, str) or not name:
        raise UserInputError(
            f"parameter {short_repr(dict(representation))}: key 'name' must be "
            f"{_EXPECTED['name']}, got {short_repr(name)}"
        )
    label = f"parameter {name!r}"
    kind = representation.get("type")
    if not isinstance(kind, str) or kind not in _SPECS:
        hint = did_you_mean(kind, list(_SPECS)) if isinstance(kind, str) else ""
        raise UserInputError(
            f"{label}: key 'type' must be one of 'range', 'choice', 'fixed', got "
            f"{short_repr(kind)}{hint}"
        )
    spec_class = _SPECS[kind]
    try:
        spec = spec_class.model_validate(dict(representation))
    except ValidationError as err:
        raise UserInputError(
            _describe_errors(label, kind, spec_class, representation, err)
        ) from None
    return spec.to_parameter()


def _describe_errors(
    label: str,
    kind: str,
    spec_class: Type[_ParameterSpec],
    representation: Mapping[str, Any],
    err: ValidationError,
) -> str:
    allowed = sorted(spec_class.model_fields)
    problems: List[str] = []
    seen: set[str] = set()
    # Unknown keys first: a misspelt key also shows up as a missing one.
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    for error in errors:
        key = str(error["loc"][0]) if error["loc"] else ""
        if key in seen:
            continue
        seen.add(key)
        if error["type"] == "extra_forbidden":
            problems.append(
                f"unknown key {short_repr(key)} for a {kind} parameter"
                f"{did_you_mean(key, allowed)}; "
                f"allowed keys: {allowed}"
            )
        elif error["type"] == "missing":
            problems.append(
                f"missing key {key!r}; a {kind} parameter needs {key!r}: {_EXPECTED[key]}"
            )
        else:
            problems.append(
                f"key {key!r} must be {_EXPECTED.get(key, error['msg'])}, got "
                f"{representation.get(key)!r}"
            )
    return f"{label}: " + "; ".join(problems)


def parameters_from_json(parameters: Sequence[Mapping[str, Any]]) -> List[Parameter]:
    """Build every parameter of a list of dicts (see :func:`parameter_from_json`).

    Raises:
        UserInputError: ``parameters`` is not a non-empty list, a dict is invalid, or two
            parameters share a name.
    """
    if isinstance(parameters, (str, bytes, Mapping)) or not isinstance(parameters, Sequence):
        raise UserInputError(
            f"parameters must be a list of parameter dicts, got {parameters!r} "
            f"({type(parameters).__name__})"
        )
    if not parameters:
        raise UserInputError("parameters must name at least one parameter, got []")
    built: List[Parameter] = []
    seen: set[str] = set()
    for representation in parameters:
        parameter = parameter_from_json(representation)
        if parameter.name in seen:
            raise UserInputError(
                f"parameter {parameter.name!r}: the name is used by two parameters; names "
                "must be unique"
            )
        seen.add(parameter.name)
        built.append(parameter)
    return built


__all__ = [
    "ChoiceParameterSpec",
    "FixedParameterSpec",
    "RangeParameterSpec",
    "parameter_from_json",
    "parameters_from_json",
]
