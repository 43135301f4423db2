"""Build experiments from plain user input: parameter dicts and constraint strings.

Parameter dicts are validated by pydantic models (:class:`RangeParameterSpec`,
:class:`ChoiceParameterSpec`, :class:`FixedParameterSpec`) that reject unknown keys;
constraint strings are read by a small tokenizer. Every problem raises
:class:`~ax.exceptions.UserInputError` naming the parameter (or quoting the constraint
text), the key and the bad value.

Example:
    >>> experiment = make_experiment(
    ...     parameters=[
    ...         {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    ...         {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ...     ],
    ...     objective_name="branin",
    ...     minimize=True,
    ...     parameter_constraints=["x1 + x2 <= 20"],
    ...     outcome_constraints=["l2norm <= 1.25"],
    ... )
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
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

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint
from ax.core.runner import Runner
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment, TEvaluationFunction
from ax.core.types import ComparisonOp, ParameterType, TParameterization, TParamValue
from ax.exceptions import AxError, UserInputError

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


def _did_you_mean(word: str, options: Sequence[str]) -> str:
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
            f"parameter {dict(representation)!r}: key 'name' must be {_EXPECTED['name']}, "
            f"got {name!r}"
        )
    label = f"parameter {name!r}"
    kind = representation.get("type")
    if kind not in _SPECS:
        hint = _did_you_mean(kind, list(_SPECS)) if isinstance(kind, str) else ""
        raise UserInputError(
            f"{label}: key 'type' must be one of 'range', 'choice', 'fixed', got {kind!r}{hint}"
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
                f"unknown key {key!r} for a {kind} parameter{_did_you_mean(key, allowed)}; "
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


# ---------------------------------------------------------------------------- constraints

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op><=|>=|==|=<|=>|<|>|=|\+|-|\*))"
)


def _tokenize(text: str, what: str) -> List[Tuple[str, str]]:
    tokens: List[Tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            rest = stripped[position:]
            at = position + len(rest) - len(rest.lstrip())
            raise UserInputError(
                f"{what} {text!r}: unexpected character {stripped[at]!r} at position {at}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _parse_linear(
    tokens: List[Tuple[str, str]], text: str, what: str
) -> Tuple[Dict[str, float], float, int]:
    """``sum(w * name) + constant`` from tokens; returns (weights, constant, term count)."""
    weights: Dict[str, float] = {}
    constant = 0.0
    i, terms = 0, 0
    if not tokens:
        raise UserInputError(f"{what} {text!r}: a side of the inequality is empty")
    while i < len(tokens):
        sign = 1.0
        if terms > 0 and tokens[i][1] not in ("+", "-"):
            raise UserInputError(
                f"{what} {text!r}: expected '+' or '-' between terms, got {tokens[i][1]!r}"
            )
        while i < len(tokens) and tokens[i][1] in ("+", "-"):
            sign = -sign if tokens[i][1] == "-" else sign
            i += 1
        if i >= len(tokens):
            raise UserInputError(f"{what} {text!r}: a term is missing after the last sign")
        kind, value = tokens[i]
        coefficient, name = 1.0, None
        if kind == "number":
            coefficient = float(value)
            if i + 1 < len(tokens) and tokens[i + 1][1] == "*":
                if i + 2 >= len(tokens) or tokens[i + 2][0] != "name":
                    raise UserInputError(
                        f"{what} {text!r}: '*' after {value!r} must be followed by a parameter name"
                    )
                name = tokens[i + 2][1]
                i += 3
            elif i + 1 < len(tokens) and tokens[i + 1][0] == "name":
                raise UserInputError(
                    f"{what} {text!r}: write {value}*{tokens[i + 1][1]} (with '*') for a "
                    "scaled term"
                )
            else:
                i += 1
        elif kind == "name":
            name = value
            if i + 1 < len(tokens) and tokens[i + 1][1] == "*":
                if i + 2 >= len(tokens) or tokens[i + 2][0] != "number":
                    raise UserInputError(
                        f"{what} {text!r}: '*' after {value!r} must be followed by a number"
                    )
                coefficient = float(tokens[i + 2][1])
                i += 3
            else:
                i += 1
        else:
            raise UserInputError(f"{what} {text!r}: unexpected {value!r}")
        terms += 1
        if name is None:
            constant += sign * coefficient
        else:
            weights[name] = weights.get(name, 0.0) + sign * coefficient
    return weights, constant, terms


def _split_comparison(
    tokens: List[Tuple[str, str]], text: str, what: str
) -> Tuple[List[Tuple[str, str]], ComparisonOp, List[Tuple[str, str]]]:
    comparisons = [
        i for i, (kind, value) in enumerate(tokens) if kind == "op" and value not in ("+", "-", "*")
    ]
    if len(comparisons) != 1:
        raise UserInputError(
            f"{what} {text!r}: expected exactly one '<=' or '>=', found {len(comparisons)}"
        )
    at = comparisons[0]
    op_text = tokens[at][1]
    if op_text not in ("<=", ">="):
        raise UserInputError(
            f"{what} {text!r}: comparison {op_text!r} is not supported; use '<=' or '>='"
        )
    op = ComparisonOp.LEQ if op_text == "<=" else ComparisonOp.GEQ
    return tokens[:at], op, tokens[at + 1 :]


def constraint_from_str(
    representation: str, parameters: Mapping[str, Parameter]
) -> ParameterConstraint:
    """Parse a linear parameter constraint.

    Accepted forms (spaces optional): ``"x1 <= x2"`` and ``"x1 >= x2"`` (an
    :class:`OrderConstraint`), and any linear inequality such as ``"x1 + x2 <= 2"``,
    ``"-x3 + 2*x4 - 3.5*x5 >= 2"``, ``"x - y >= 1"`` or ``"2*x1 + x2 <= 3"`` (a
    :class:`ParameterConstraint` ``sum(w * x) <= bound``; a ``>=`` constraint is stored
    with every weight and the bound negated). Terms may appear on both sides.

    Args:
        representation: The constraint text.
        parameters: The search space's parameters by name.

    Returns:
        The constraint.

    Raises:
        UserInputError: The text is malformed, names an unknown parameter, or constrains
            a parameter that cannot be constrained; the message quotes the text.
    """
    what = "parameter constraint"
    if not isinstance(representation, str):
        raise UserInputError(
            f"{what} must be a string such as 'x1 + x2 <= 1', got {representation!r} "
            f"({type(representation).__name__})"
        )
    text = representation
    left, op, right = _split_comparison(_tokenize(text, what), text, what)
    lw, lc, lterms = _parse_linear(left, text, what)
    rw, rc, rterms = _parse_linear(right, text, what)
    for name in list(lw) + list(rw):
        if name not in parameters:
            raise UserInputError(
                f"{what} {text!r}: unknown parameter {name!r}"
                f"{_did_you_mean(name, list(parameters))}; parameters are {sorted(parameters)}"
            )
        parameter = parameters[name]
        if not isinstance(parameter, RangeParameter) or parameter.log_scale:
            raise UserInputError(
                f"{what} {text!r}: parameter {name!r} cannot be constrained; only range "
                "parameters without log_scale can"
            )
    is_order = (
        lterms == 1
        and rterms == 1
        and lc == 0.0
        and rc == 0.0
        and list(lw.values()) == [1.0]
        and list(rw.values()) == [1.0]
        and set(lw) != set(rw)
    )
    weights = dict(lw)
    for name, weight in rw.items():
        weights[name] = weights.get(name, 0.0) - weight
    sign = 1.0 if op is ComparisonOp.LEQ else -1.0
    weights = {k: sign * w for k, w in weights.items() if w != 0.0}
    if not weights:
        raise UserInputError(f"{what} {text!r}: no parameter is left once terms cancel")
    try:
        if is_order:
            (a,), (b,) = lw, rw
            lower, upper = (a, b) if op is ComparisonOp.LEQ else (b, a)
            return OrderConstraint(parameters[lower], parameters[upper])
        return ParameterConstraint(weights, bound=sign * (rc - lc) + 0.0)
    except AxError as err:
        raise UserInputError(f"{what} {text!r}: {err.message}", hint=err.hint) from err


_OUTCOME = re.compile(
    r"^\s*(?P<metric>[^\s<>=]+)\s*(?P<op><=|>=)\s*"
    r"(?P<bound>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<pct>%)?\s*$"
)


def outcome_constraint_from_str(representation: str) -> OutcomeConstraint:
    """Parse an outcome constraint ``"metric <= bound"`` or ``"metric >= bound%"``.

    A trailing ``%`` makes the bound relative to the status quo (a percentage change).
    The metric is a plain :class:`Metric` of that name.

    Raises:
        UserInputError: The text is not of that form; the message quotes it.

    Example:
        >>> outcome_constraint_from_str("l2norm <= 1.25")
        OutcomeConstraint(l2norm <= 1.25)
    """
    what = "outcome constraint"
    if not isinstance(representation, str):
        raise UserInputError(
            f"{what} must be a string such as 'm <= 1.5', got {representation!r} "
            f"({type(representation).__name__})"
        )
    match = _OUTCOME.match(representation)
    if match is None:
        raise UserInputError(
            f"{what} {representation!r}: expected 'metric <= bound' or 'metric >= bound', "
            "with an optional '%' after the bound for a relative constraint"
        )
    op = ComparisonOp.LEQ if match.group("op") == "<=" else ComparisonOp.GEQ
    try:
        return OutcomeConstraint(
            metric=Metric(name=match.group("metric")),
            op=op,
            bound=float(match.group("bound")),
            relative=match.group("pct") is not None,
        )
    except AxError as err:
        raise UserInputError(f"{what} {representation!r}: {err.message}") from err


# ---------------------------------------------------------------------------- experiments


def make_search_space(
    parameters: Sequence[Mapping[str, Any]],
    parameter_constraints: Optional[Sequence[str]] = None,
) -> SearchSpace:
    """A search space from parameter dicts and constraint strings."""
    built = parameters_from_json(parameters)
    by_name = {p.name: p for p in built}
    if parameter_constraints is not None and (
        isinstance(parameter_constraints, str) or not isinstance(parameter_constraints, Sequence)
    ):
        raise UserInputError(
            f"parameter_constraints must be a list of strings, got {parameter_constraints!r}"
        )
    constraints = [constraint_from_str(c, by_name) for c in parameter_constraints or []]
    try:
        return SearchSpace(built, constraints)
    except AxError as err:
        raise UserInputError(f"search space: {err.message}", hint=err.hint) from err


def make_optimization_config(
    objective_name: Optional[str] = None,
    minimize: bool = False,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo_defined: bool = False,
    metrics: Optional[Mapping[str, Metric]] = None,
) -> OptimizationConfig:
    """The objective (its metric's ``lower_is_better`` set to ``minimize``) and constraints.

    Args:
        objective_name: Name of the objective metric (default ``"objective"``).
        minimize: Whether to minimise it.
        outcome_constraints: Constraint strings (see :func:`outcome_constraint_from_str`).
        status_quo_defined: Whether the experiment has a status quo (relative constraints
            need one).
        metrics: Metric objects to use by name instead of plain :class:`Metric` ones.

    Raises:
        UserInputError: A constraint is malformed, relative without a status quo, or on
            the objective.
    """
    if not isinstance(minimize, bool):
        raise UserInputError(f"minimize must be a bool, got {minimize!r}")
    known = dict(metrics or {})
    name = objective_name or "objective"
    objective_metric = known.get(name) or Metric(name=name)
    objective_metric.lower_is_better = minimize
    if outcome_constraints is not None and (
        isinstance(outcome_constraints, str) or not isinstance(outcome_constraints, Sequence)
    ):
        raise UserInputError(
            f"outcome_constraints must be a list of strings, got {outcome_constraints!r}"
        )
    constraints: List[OutcomeConstraint] = []
    for text in outcome_constraints or []:
        constraint = outcome_constraint_from_str(text)
        if constraint.relative and not status_quo_defined:
            raise UserInputError(
                f"outcome constraint {text!r}: a relative constraint ('%') needs a status "
                "quo; pass status_quo or give an absolute bound"
            )
        if constraint.metric.name == name:
            raise UserInputError(
                f"outcome constraint {text!r}: metric {name!r} is the objective; constrain "
                "other metrics"
            )
        if constraint.metric.name in known:
            constraint.metric = known[constraint.metric.name]
        constraints.append(constraint)
    try:
        return OptimizationConfig(
            objective=Objective(metric=objective_metric, minimize=minimize),
            outcome_constraints=constraints,
        )
    except AxError as err:
        raise UserInputError(f"optimization config: {err.message}", hint=err.hint) from err


def make_experiment(
    parameters: Sequence[Mapping[str, Any]],
    name: Optional[str] = None,
    objective_name: Optional[str] = None,
    minimize: bool = False,
    parameter_constraints: Optional[Sequence[str]] = None,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo: Optional[TParameterization] = None,
    experiment_type: Optional[str] = None,
    runner: Optional[Runner] = None,
    metrics: Optional[Sequence[Metric]] = None,
) -> Experiment:
    """A plain :class:`Experiment` from parameter dicts and constraint strings.

    Args:
        parameters: Parameter dicts (see :func:`parameter_from_json`).
        name: Experiment name.
        objective_name: The objective metric's name (default ``"objective"``, or the
            first of ``metrics`` when given).
        minimize: Whether to minimise the objective.
        parameter_constraints: e.g. ``["x1 + x2 <= 2", "x3 <= x4"]``.
        outcome_constraints: e.g. ``["l2norm <= 1.25", "cost >= -5%"]``.
        status_quo: The control parameterization.
        experiment_type: Free-form type label.
        runner: The runner that deploys trials (an extension of the reference).
        metrics: Metric objects (an extension): the one named ``objective_name`` (default
            the first) is the objective, those named in outcome constraints are used
            there, and the rest are tracking metrics.

    Raises:
        UserInputError: Any input is invalid (see the parsing functions), or a relative
            outcome constraint is given without a status quo.
    """
    search_space = make_search_space(parameters, parameter_constraints)
    metric_list = list(metrics or [])
    by_name: Dict[str, Metric] = {}
    for metric in metric_list:
        if metric.name in by_name:
            raise UserInputError(f"metrics: two metrics are named {metric.name!r}")
        by_name[metric.name] = metric
    if objective_name is None and metric_list:
        objective_name = metric_list[0].name
    config = make_optimization_config(
        objective_name, minimize, outcome_constraints, status_quo is not None, by_name
    )
    tracking = [m for m in metric_list if m.name not in config.metrics]
    try:
        return Experiment(
            search_space=search_space,
            name=name,
            optimization_config=config,
            tracking_metrics=tracking,
            runner=runner,
            status_quo=None if status_quo is None else Arm(parameters=status_quo),
            experiment_type=experiment_type,
        )
    except AxError as err:
        raise UserInputError(f"experiment {name!r}: {err.message}", hint=err.hint) from err


def make_simple_experiment(
    parameters: Sequence[Mapping[str, Any]],
    evaluation_function: TEvaluationFunction,
    name: Optional[str] = None,
    objective_name: Optional[str] = None,
    minimize: bool = False,
    parameter_constraints: Optional[Sequence[str]] = None,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo: Optional[TParameterization] = None,
) -> SimpleExperiment:
    """A :class:`SimpleExperiment` evaluated by ``evaluation_function``.

    The objective metric gets ``lower_is_better=minimize``. Arguments as
    :func:`make_experiment`.

    Raises:
        UserInputError: Any input is invalid, or a relative outcome constraint is given
            without a status quo.
    """
    search_space = make_search_space(parameters, parameter_constraints)
    config = make_optimization_config(
        objective_name, minimize, outcome_constraints, status_quo is not None
    )
    try:
        experiment = SimpleExperiment(
            search_space=search_space,
            name=name,
            objective_name=config.objective.metric.name,
            evaluation_function=evaluation_function,
            minimize=minimize,
            status_quo=None if status_quo is None else Arm(parameters=status_quo),
        )
    except AxError as err:
        raise UserInputError(f"experiment {name!r}: {err.message}", hint=err.hint) from err
    # Replace the SimpleExperiment's own config: ours has lower_is_better=minimize on the
    # objective metric and the parsed outcome constraints.
    experiment.optimization_config = config
    return experiment


# ---------------------------------------------------------------------------- raw data


def raw_data_to_evaluation(raw_data: Any, objective_name: str) -> Any:
    """Normalise what an evaluation returned for one arm.

    - a dict ``{metric: (mean, sem) or mean}`` is kept (a nested dict raises);
    - a list (the fidelity form ``[(fidelities, {metric: (mean, sem)})]``) is kept;
    - a ``(mean, sem)`` tuple becomes ``{objective_name: (mean, sem)}``;
    - a number becomes ``{objective_name: (value, None)}`` (SEM unknown).

    Raises:
        UserInputError: Any other value, or a non-finite mean.
    """
    if isinstance(raw_data, dict):
        for metric, value in raw_data.items():
            if isinstance(value, dict):
                raise UserInputError(
                    f"evaluation: metric {metric!r} maps to a dict {value!r}; expected a "
                    "number or a (mean, sem) tuple"
                )
            _check_finite(metric, value)
        return raw_data
    if isinstance(raw_data, list):
        return raw_data
    if isinstance(raw_data, tuple):
        _check_finite(objective_name, raw_data)
        return {objective_name: raw_data}
    if isinstance(raw_data, (numbers.Real, np.number)) and not isinstance(raw_data, bool):
        _check_finite(objective_name, raw_data)
        return {objective_name: (float(raw_data), None)}
    raise UserInputError(
        f"evaluation: expected a number, a (mean, sem) tuple, a {{metric: (mean, sem)}} "
        f"dict or a fidelity list, got {raw_data!r} ({type(raw_data).__name__})"
    )


def _check_finite(metric: Any, value: Any) -> None:
    mean = value[0] if isinstance(value, tuple) and value else value
    is_number = isinstance(mean, (numbers.Real, np.number)) and not isinstance(mean, bool)
    if is_number and not math.isfinite(float(mean)):
        raise UserInputError(f"evaluation: metric {metric!r} has a non-finite mean {mean!r}")


def data_from_evaluations(
    evaluations: Mapping[str, Any],
    trial_index: int,
    sample_sizes: Optional[Mapping[str, int]] = None,
    start_time: Optional[Any] = None,
    end_time: Optional[Any] = None,
) -> Data:
    """Data from ``{arm_name: evaluation}`` (all plain dicts, or all fidelity lists).

    Raises:
        UserInputError: The evaluations mix dicts and fidelity lists, or a value is
            invalid (e.g. a non-finite mean).
    """
    values = list(evaluations.values())
    try:
        if all(isinstance(v, dict) for v in values):
            return Data.from_evaluations(
                evaluations, trial_index, sample_sizes, start_time, end_time
            )
        if all(isinstance(v, list) for v in values):
            return Data.from_fidelity_evaluations(
                evaluations, trial_index, sample_sizes, start_time, end_time
            )
    except AxError as err:
        raise UserInputError(f"trial {trial_index}: {err.message}", hint=err.hint) from err
    raise UserInputError(
        f"trial {trial_index}: evaluations must be all {{metric: (mean, sem)}} dicts or all "
        f"fidelity lists, got {evaluations!r}"
    )


__all__ = [
    "ChoiceParameterSpec",
    "FixedParameterSpec",
    "RangeParameterSpec",
    "constraint_from_str",
    "data_from_evaluations",
    "make_experiment",
    "make_optimization_config",
    "make_search_space",
    "make_simple_experiment",
    "outcome_constraint_from_str",
    "parameter_from_json",
    "parameters_from_json",
    "raw_data_to_evaluation",
]
