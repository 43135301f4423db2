"""Parameters: the typed dimensions of a search space.

Three kinds exist: :class:`RangeParameter` (a numeric interval), :class:`ChoiceParameter`
(a finite set of values) and :class:`FixedParameter` (one value). Each has a name, a
:class:`~ax.core.types.ParameterType` and a domain, checks values with ``validate`` and
converts values with ``cast``.

Type rules shared by all three (``is_valid_type``):

- INT: an int, or a float with an integral value (``3.0``); never a bool.
- FLOAT: an int or a float; never a bool.
- BOOL: a bool. STRING: a str.
- Numpy scalars count as the matching Python type. ``None`` is never a valid value.
"""

from __future__ import annotations

import math
import typing
from abc import ABC, abstractmethod
from typing import ClassVar, FrozenSet, Iterable, List, Optional, Sequence, Union

import numpy as np

from ax.core.base import Base
from ax.core.types import ParameterType, TParamValue
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.text import short_repr
from ax.utils.validation import check_bool

TNumber = Union[int, float]

_TYPE_WORDS = {
    ParameterType.INT: "an int (or an integral float)",
    ParameterType.FLOAT: "an int or a float",
    ParameterType.BOOL: "a bool",
    ParameterType.STRING: "a str",
}


def is_real_number(value: object) -> bool:
    """Whether ``value`` is an int or float (Python or numpy) and not a bool."""
    t = type(value)
    if t is float or t is int:
        return True
    if isinstance(value, (bool, np.bool_)):
        return False
    return isinstance(value, (int, float, np.integer, np.floating))


def value_has_type(parameter_type: ParameterType, value: object) -> bool:
    """Whether ``value`` is a valid value of ``parameter_type`` (see the module docs)."""
    if parameter_type is ParameterType.FLOAT:
        return is_real_number(value)
    if parameter_type is ParameterType.INT:
        t = type(value)
        if t is int:
            return True
        if t is float:
            return typing.cast(float, value).is_integer()
        if not is_real_number(value):
            return False
        return isinstance(value, (int, np.integer)) or float(value).is_integer()  # type: ignore[arg-type]
    if parameter_type is ParameterType.STRING:
        return isinstance(value, str)
    return isinstance(value, (bool, np.bool_))


def cast_value(parameter_type: ParameterType, value: TParamValue) -> TParamValue:
    """Convert ``value`` to the Python type of ``parameter_type``; None stays None.

    INT rounds to the nearest integer (``int(round(v))``, ties to even). BOOL accepts
    bools, 0/1 and the strings ``"true"``/``"false"`` (any case). STRING uses ``str``.

    Raises:
        ValueError, TypeError, OverflowError: If the value cannot be converted.
    """
    if value is None:
        return None
    if parameter_type is ParameterType.FLOAT:
        return float(value)
    if parameter_type is ParameterType.INT:
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return int(round(float(value)))
        return int(round(float(value)))
    if parameter_type is ParameterType.STRING:
        return str.__str__(value) if isinstance(value, str) else str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if is_real_number(value) and float(value) in (0.0, 1.0):
        return bool(value)
    raise ValueError(f"{value!r} is not a bool")


class Parameter(Base, ABC):
    """Abstract base of all parameters.

    Subclasses set ``_name``, ``_parameter_type``, ``_is_fidelity`` and
    ``_target_value`` in their constructor (through :meth:`_init_common`) and provide
    :meth:`validate`, :meth:`clone` and ``__repr__``.
    """

    _name: str
    _parameter_type: ParameterType
    _is_fidelity: bool
    _target_value: TParamValue

    def _init_common(self, name: str, parameter_type: ParameterType) -> None:
        if not isinstance(name, str):
            raise UserInputTypeError(
                f"{type(self).__name__}: name must be a str, got {name!r} of type "
                f"{type(name).__name__}"
            )
        if not name.strip() or name != name.strip():
            raise UserInputError(
                f"{type(self).__name__}: name must be a non-empty str without leading or "
                f"trailing whitespace, got {name!r}"
            )
        self._name = name
        if not isinstance(parameter_type, ParameterType):
            raise UserInputTypeError(
                f"{self._describe()}: parameter_type must be a ParameterType, got "
                f"{parameter_type!r}"
            )
        self._parameter_type = parameter_type

    def _init_fidelity(self, is_fidelity: bool, target_value: TParamValue) -> None:
        self._is_fidelity = check_bool(self._describe(), "is_fidelity", is_fidelity)
        if is_fidelity and target_value is None:
            raise UserInputError(
                f"{self._describe()}: target_value must be set for a fidelity parameter "
                "(is_fidelity=True), got target_value=None"
            )
        self._target_value = (
            None if target_value is None else self._checked_value("target_value", target_value)
        )

    def _describe(self) -> str:
        return f"{type(self).__name__} {self._name!r}"

    def _checked_value(self, field: str, value: TParamValue) -> TParamValue:
        """Check a user-given domain value (type, no NaN) and return it cast."""
        if not self.is_valid_type(value):
            raise UserInputTypeError(
                f"{self._describe()}: {field} must be "
                f"{_TYPE_WORDS[self._parameter_type]} for a {self._parameter_type.name} "
                f"parameter, got {value!r}"
            )
        if is_real_number(value) and not math.isfinite(float(value)):  # type: ignore[arg-type]
            raise UserInputError(f"{self._describe()}: {field} must be finite, got {value!r}")
        return self.cast(value)

    @property
    def name(self) -> str:
        """The parameter's name, unique within a search space."""
        return self._name

    @property
    def parameter_type(self) -> ParameterType:
        """The type of the parameter's values."""
        return self._parameter_type

    @property
    def python_type(self) -> type:
        """The Python type of the parameter's values (int, float, str or bool)."""
        return self._parameter_type.python_type

    @property
    def is_numeric(self) -> bool:
        """Whether the parameter is INT or FLOAT."""
        return self._parameter_type.is_numeric

    @property
    def is_fidelity(self) -> bool:
        """Whether the parameter is a fidelity parameter (it then has a target value)."""
        return self._is_fidelity

    @property
    def target_value(self) -> TParamValue:
        """The value at which to evaluate a fidelity parameter (cast to the type), or None."""
        return self._target_value

    def is_valid_type(self, value: TParamValue) -> bool:
        """Whether ``value`` has a type allowed for this parameter (see module docs)."""
        return value_has_type(self._parameter_type, value)

    def cast(self, value: TParamValue) -> TParamValue:
        """Convert ``value`` to the parameter's Python type; None stays None.

        INT values are rounded to the nearest integer, not truncated.

        Raises:
            UserInputTypeError: If the value cannot be converted.
        """
        try:
            return cast_value(self._parameter_type, value)
        except (TypeError, ValueError, OverflowError) as err:
            raise UserInputTypeError(
                f"{self._describe()}: cannot cast {value!r} to {self._parameter_type.name}"
            ) from err

    @abstractmethod
    def validate(self, value: TParamValue) -> bool:
        """Whether ``value`` has a valid type and lies in the parameter's domain."""

    @abstractmethod
    def clone(self) -> Parameter:
        """An independent copy of the parameter."""

    def _fidelity_repr(self) -> str:
        if not self._is_fidelity:
            return ""
        return f", fidelity=True, target_value={self._target_value!r}"


class RangeParameter(Parameter):
    """A numeric parameter that takes any value in ``[lower, upper]``.

    Args:
        name: The parameter's name.
        parameter_type: INT or FLOAT.
        lower: Lower bound (inclusive), strictly below ``upper``.
        upper: Upper bound (inclusive).
        log_scale: Whether to model the parameter on a log scale (needs ``lower > 0``).
        digits: For FLOAT, the number of decimal digits values are rounded to by
            :meth:`cast` (a non-negative int), or None for no rounding.
        is_fidelity: Whether this is a fidelity parameter.
        target_value: The fidelity's target value (required if ``is_fidelity``).

    Raises:
        UserInputTypeError: If the type is not numeric, or a bound, ``log_scale``,
            ``digits`` or ``target_value`` has the wrong type (a bool is not a number).
        UserInputError: If ``lower >= upper``, a bound is not finite, ``log_scale`` is
            set with ``lower <= 0``, ``digits`` is negative or a fidelity parameter has
            no target value.

    Example:
        >>> RangeParameter("lr", ParameterType.FLOAT, lower=1e-4, upper=1e-1, log_scale=True)
        RangeParameter(name='lr', parameter_type=FLOAT, range=[0.0001, 0.1], log_scale=True)
    """

    def __init__(
        self,
        name: str,
        parameter_type: ParameterType,
        lower: TNumber,
        upper: TNumber,
        log_scale: bool = False,
        digits: Optional[int] = None,
        is_fidelity: bool = False,
        target_value: TParamValue = None,
    ) -> None:
        self._init_common(name, parameter_type)
        if not parameter_type.is_numeric:
            raise UserInputTypeError(
                f"{self._describe()}: parameter_type must be INT or FLOAT, got "
                f"{parameter_type.name}"
            )
        self._digits = self._checked_digits(digits)
        new_lower = self._checked_bound("lower", lower, self._digits)
        new_upper = self._checked_bound("upper", upper, self._digits)
        self._log_scale = check_bool(self._describe(), "log_scale", log_scale)
        self._check_range(new_lower, new_upper, self._log_scale)
        self._lower: TNumber = new_lower
        self._upper: TNumber = new_upper
        self._init_fidelity(is_fidelity, target_value)
        self._check_target_in_range(new_lower, new_upper)

    @property
    def lower(self) -> TNumber:
        """Lower bound (inclusive), of the parameter's type."""
        return self._lower

    @property
    def upper(self) -> TNumber:
        """Upper bound (inclusive), of the parameter's type."""
        return self._upper

    @property
    def log_scale(self) -> bool:
        """Whether to model (and sample) the parameter on a log scale."""
        return self._log_scale

    @property
    def digits(self) -> Optional[int]:
        """Number of decimal digits FLOAT values are rounded to, or None."""
        return self._digits

    def update_range(
        self, lower: Optional[TNumber] = None, upper: Optional[TNumber] = None
    ) -> RangeParameter:
        """Set new bounds; a bound left as None keeps its current value.

        The parameter is unchanged if the new range is invalid.

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If a bound has the wrong type.
            UserInputError: If the new range is empty, a bound is not finite, or the
                parameter is on a log scale and the new ``lower <= 0``.
        """
        digits = self._digits
        new_lower = self._lower if lower is None else self._checked_bound("lower", lower, digits)
        new_upper = self._upper if upper is None else self._checked_bound("upper", upper, digits)
        self._check_range(new_lower, new_upper, self._log_scale)
        self._check_target_in_range(new_lower, new_upper)
        self._lower, self._upper = new_lower, new_upper
        return self

    def _check_target_in_range(self, lower: TNumber, upper: TNumber) -> None:
        """A target value outside ``[lower, upper]`` cannot be modelled (nor, on a log
        scale, transformed): refuse it, naming the parameter."""
        target = self._target_value
        if target is not None and not lower <= target <= upper:  # type: ignore[operator]
            raise UserInputError(
                f"{self._describe()}: target_value must lie within [lower, upper] = "
                f"[{lower}, {upper}], got target_value={target!r}"
            )

    def set_digits(self, digits: Optional[int]) -> RangeParameter:
        """Set the rounding digits and re-cast both bounds with them.

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If ``digits`` is not an int or None.
            UserInputError: If ``digits`` is negative, or rounding the bounds makes
                ``lower >= upper`` (the parameter is then unchanged).
        """
        new_digits = self._checked_digits(digits)
        new_lower = self._cast_number(self._lower, new_digits)
        new_upper = self._cast_number(self._upper, new_digits)
        self._check_range(new_lower, new_upper, self._log_scale)
        self._digits, self._lower, self._upper = new_digits, new_lower, new_upper
        return self

    def set_log_scale(self, log_scale: bool) -> RangeParameter:
        """Turn the log scale on or off.

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If ``log_scale`` is not a bool.
            UserInputError: If turning it on while ``lower <= 0``.
        """
        checked = check_bool(self._describe(), "log_scale", log_scale)
        self._check_range(self._lower, self._upper, checked)
        self._log_scale = checked
        return self

    def cast(self, value: TParamValue) -> TParamValue:
        """Like :meth:`Parameter.cast`, and FLOAT values are rounded to ``digits``."""
        converted = super().cast(value)
        if self._digits is not None and isinstance(converted, float):
            return round(converted, self._digits)
        return converted

    def validate(self, value: TParamValue) -> bool:
        """Whether ``value`` has a valid type and ``lower <= value <= upper``."""
        if value is None or not value_has_type(self._parameter_type, value):
            return False
        return bool(self._lower <= value <= self._upper)  # type: ignore[operator]

    def clone(self) -> RangeParameter:
        """An independent copy with every field kept."""
        return RangeParameter(
            name=self._name,
            parameter_type=self._parameter_type,
            lower=self._lower,
            upper=self._upper,
            log_scale=self._log_scale,
            digits=self._digits,
            is_fidelity=self._is_fidelity,
            target_value=self._target_value,
        )

    def __repr__(self) -> str:
        text = (
            f"RangeParameter(name={self._name!r}, parameter_type={self._parameter_type.name}, "
            f"range=[{self._lower!r}, {self._upper!r}]"
        )
        if self._log_scale:
            text += ", log_scale=True"
        if self._digits is not None:
            text += f", digits={self._digits}"
        return text + self._fidelity_repr() + ")"

    def _checked_digits(self, digits: Optional[int]) -> Optional[int]:
        if digits is None:
            return None
        if not isinstance(digits, (int, np.integer)) or isinstance(digits, (bool, np.bool_)):
            raise UserInputTypeError(
                f"{self._describe()}: digits must be a non-negative int or None, got {digits!r}"
            )
        if digits < 0:
            raise UserInputError(
                f"{self._describe()}: digits must be a non-negative int or None, got {digits!r}"
            )
        return int(digits)

    def _checked_bound(self, field: str, value: TNumber, digits: Optional[int]) -> TNumber:
        if not value_has_type(self._parameter_type, value):
            raise UserInputTypeError(
                f"{self._describe()}: {field} must be {_TYPE_WORDS[self._parameter_type]} "
                f"for a {self._parameter_type.name} parameter, got {value!r}"
            )
        try:
            finite = math.isfinite(float(value))
        except OverflowError:  # an int beyond the floats
            raise UserInputError(
                f"{self._describe()}: {field} must fit in a float (|value| < 1.8e308), got "
                f"{short_repr(value)}"
            ) from None
        if not finite:
            raise UserInputError(f"{self._describe()}: {field} must be finite, got {value!r}")
        return self._cast_number(value, digits)

    def _cast_number(self, value: TNumber, digits: Optional[int]) -> TNumber:
        if self._parameter_type is ParameterType.INT:
            return int(value) if isinstance(value, (int, np.integer)) else int(round(float(value)))
        converted = float(value)
        return converted if digits is None else round(converted, digits)

    def _check_range(self, lower: TNumber, upper: TNumber, log_scale: bool) -> None:
        if not lower < upper:
            raise UserInputError(
                f"{self._describe()}: lower must be < upper, got lower={lower!r}, upper={upper!r}"
            )
        if log_scale and lower <= 0:
            raise UserInputError(
                f"{self._describe()}: log_scale=True requires lower > 0, got lower={lower!r}"
            )
        if not math.isfinite(float(upper) - float(lower)):
            raise UserInputError(
                f"{self._describe()}: the width upper - lower must be a finite float, got "
                f"lower={lower!r}, upper={upper!r} (the width overflows to inf)",
                hint="rescale the parameter, e.g. to [-1, 1], or use log_scale=True",
            )


class ChoiceParameter(Parameter):
    """A parameter that takes one of a finite list of (at least two, distinct) values.

    Args:
        name: The parameter's name.
        parameter_type: Type of the values; each value is checked and cast to it.
        values: The allowed values, in order.
        is_ordered: Whether the values have a meaningful order.
        is_task: Whether the parameter indexes tasks (for multi-task models).
        is_fidelity: Whether this is a fidelity parameter.
        target_value: The fidelity's target value (required if ``is_fidelity``).

    Raises:
        UserInputTypeError: If a value, a flag or the target value has the wrong type.
        UserInputError: If there are fewer than two values, a value is repeated or not
            finite, or a fidelity parameter has no target value.

    Example:
        >>> ChoiceParameter("opt", ParameterType.STRING, values=["adam", "sgd"])
        ChoiceParameter(name='opt', parameter_type=STRING, values=['adam', 'sgd'])
    """

    # The set is a cache of the list, for fast membership tests.
    _eq_exclude: ClassVar[FrozenSet[str]] = frozenset({"_value_set"})

    def __init__(
        self,
        name: str,
        parameter_type: ParameterType,
        values: Sequence[TParamValue],
        is_ordered: bool = False,
        is_task: bool = False,
        is_fidelity: bool = False,
        target_value: TParamValue = None,
    ) -> None:
        self._init_common(name, parameter_type)
        self._values: List[TParamValue] = self._checked_values(values)
        self._value_set: FrozenSet[TParamValue] = frozenset(self._values)
        self._is_ordered = check_bool(self._describe(), "is_ordered", is_ordered)
        self._is_task = check_bool(self._describe(), "is_task", is_task)
        self._init_fidelity(is_fidelity, target_value)

    @property
    def values(self) -> List[TParamValue]:
        """A copy of the allowed values, in order."""
        return list(self._values)

    @property
    def is_ordered(self) -> bool:
        """Whether the values have a meaningful order."""
        return self._is_ordered

    @property
    def is_task(self) -> bool:
        """Whether the parameter indexes tasks."""
        return self._is_task

    def set_values(self, values: Sequence[TParamValue]) -> ChoiceParameter:
        """Replace the allowed values (at least two, distinct; each is cast).

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If a value has the wrong type.
            UserInputError: If there are fewer than two values, or one is repeated or
                not finite.
        """
        self._values = self._checked_values(values)
        self._value_set = frozenset(self._values)
        return self

    def add_values(self, values: Sequence[TParamValue]) -> ChoiceParameter:
        """Append values (converted); values already allowed are skipped.

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If a value has the wrong type.
            UserInputError: If a value is not finite.
        """
        new_values = list(self._values)
        seen = set(self._value_set)
        for index, value in enumerate(_as_list(self._describe(), "values", values)):
            converted = self._checked_value(f"values[{index}]", value)
            if converted not in seen:
                seen.add(converted)
                new_values.append(converted)
        self._values = new_values
        self._value_set = frozenset(new_values)
        return self

    def validate(self, value: TParamValue) -> bool:
        """Whether ``value`` has a valid type and equals one of the values."""
        if value is None or not value_has_type(self._parameter_type, value):
            return False
        return value in self._value_set

    def clone(self) -> ChoiceParameter:
        """An independent copy with every field (``is_ordered`` and ``is_task`` too) kept."""
        return ChoiceParameter(
            name=self._name,
            parameter_type=self._parameter_type,
            values=list(self._values),
            is_ordered=self._is_ordered,
            is_task=self._is_task,
            is_fidelity=self._is_fidelity,
            target_value=self._target_value,
        )

    def __repr__(self) -> str:
        text = (
            f"ChoiceParameter(name={self._name!r}, parameter_type={self._parameter_type.name}, "
            f"values={self._values!r}"
        )
        if self._is_ordered:
            text += ", is_ordered=True"
        if self._is_task:
            text += ", is_task=True"
        return text + self._fidelity_repr() + ")"

    def _checked_values(self, values: Iterable[TParamValue]) -> List[TParamValue]:
        raw = _as_list(self._describe(), "values", values)
        if len(raw) < 2:
            raise UserInputError(
                f"{self._describe()}: values must hold at least 2 values, got {raw!r}",
                hint="use FixedParameter for a single value",
            )
        checked: List[TParamValue] = []
        seen: set[TParamValue] = set()
        for index, value in enumerate(raw):
            converted = self._checked_value(f"values[{index}]", value)
            if converted in seen:
                raise UserInputError(
                    f"{self._describe()}: values must be distinct, got duplicate {converted!r} "
                    f"(values[{index}]={value!r})"
                )
            seen.add(converted)
            checked.append(converted)
        return checked


class FixedParameter(Parameter):
    """A parameter with a single value.

    Args:
        name: The parameter's name.
        parameter_type: Type of the value; the value is checked and cast to it.
        value: The only allowed value (not None).
        is_fidelity: Whether this is a fidelity parameter.
        target_value: The fidelity's target value (required if ``is_fidelity``).

    Raises:
        UserInputTypeError: If the value or target value has the wrong type.
        UserInputError: If the value is not finite, or a fidelity parameter has no target
            value.

    Example:
        >>> FixedParameter("batch_size", ParameterType.INT, value=32)
        FixedParameter(name='batch_size', parameter_type=INT, value=32)
    """

    def __init__(
        self,
        name: str,
        parameter_type: ParameterType,
        value: TParamValue,
        is_fidelity: bool = False,
        target_value: TParamValue = None,
    ) -> None:
        self._init_common(name, parameter_type)
        self._value: TParamValue = self._checked_value("value", value)
        self._init_fidelity(is_fidelity, target_value)

    @property
    def value(self) -> TParamValue:
        """The only allowed value."""
        return self._value

    def set_value(self, value: TParamValue) -> FixedParameter:
        """Replace the value (checked and cast).

        Returns:
            This parameter.

        Raises:
            UserInputTypeError: If the value has the wrong type.
            UserInputError: If the value is not finite.
        """
        self._value = self._checked_value("value", value)
        return self

    def validate(self, value: TParamValue) -> bool:
        """Whether ``value`` has a valid type and equals the fixed value."""
        if value is None or not value_has_type(self._parameter_type, value):
            return False
        return bool(value == self._value)

    def clone(self) -> FixedParameter:
        """An independent copy with every field kept."""
        return FixedParameter(
            name=self._name,
            parameter_type=self._parameter_type,
            value=self._value,
            is_fidelity=self._is_fidelity,
            target_value=self._target_value,
        )

    def __repr__(self) -> str:
        return (
            f"FixedParameter(name={self._name!r}, parameter_type={self._parameter_type.name}, "
            f"value={self._value!r}{self._fidelity_repr()})"
        )


def _as_list(owner: str, field: str, values: Iterable[TParamValue]) -> List[TParamValue]:
    if isinstance(values, (str, bytes, dict)) or not isinstance(values, Iterable):
        raise UserInputTypeError(f"{owner}: {field} must be a list of values, got {values!r}")
    return list(values)


__all__ = [
    "ChoiceParameter",
    "FixedParameter",
    "Parameter",
    "RangeParameter",
    "TNumber",
    "cast_value",
    "is_real_number",
    "value_has_type",
]
