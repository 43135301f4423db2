"""The type and range checks shared by every layer: the one place they are written.

Each check takes the object doing the check (``owner``, e.g. ``"SobolGenerator"`` or
``"OptimizationLoop"``), the field's name and the value, and raises an error of
:mod:`ax.exceptions` whose message names all three and the rule broken::

    SchedulerOptions: max_parallelism must be >= 1, got max_parallelism=0

A wrong type raises :class:`~ax.exceptions.UserInputTypeError` (``type_error`` lets a
layer that has always raised :class:`~ax.exceptions.UserInputError` keep doing so); a value
of the right type outside its range raises :class:`~ax.exceptions.UserInputError`.

Example:
    >>> check_int("Sampler", "n", 3, minimum=1)
    3
    >>> check_bool("Sampler", "scramble", True)
    True
    >>> check_fixed_features("Sampler", {1: 0.5}, d=2)
    {1: 0.5}
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Dict, Hashable, Mapping, Optional, Type

import numpy as np

from ax.exceptions import AxError, UserInputError, UserInputTypeError


def is_int(value: object) -> bool:
    """Whether ``value`` is an integer (Python or numpy), excluding ``bool``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_int(
    owner: str,
    field: str,
    value: object,
    minimum: Optional[int] = None,
    *,
    type_error: Type[AxError] = UserInputTypeError,
    noun: str = "an int",
    repeat_field: bool = True,
) -> int:
    """``value`` as a Python int, checked against ``minimum``.

    Args:
        owner: The object doing the check, for the message.
        field: The field's (argument's) name.
        value: The value given (a Python or numpy integer; never a bool).
        minimum: Smallest allowed value (inclusive), or None for no bound.
        type_error: The error raised for a value that is not an integer.
        noun: What the message says the value must be (``"an int"``, ``"an integer"``).
        repeat_field: A value out of range is shown as ``got n=0`` (True) or, as the
            loop and the Scheduler's options have always said, ``got 0`` (False).

    Returns:
        ``int(value)``.

    Raises:
        UserInputTypeError: ``value`` is not an integer (or ``type_error``).
        UserInputError: ``value`` is below ``minimum``.
    """
    if not is_int(value):
        raise type_error(f"{owner}: {field} must be {noun}, got {value!r} ({type(value).__name__})")
    result = int(value)  # type: ignore[call-overload]
    if minimum is not None and result < minimum:
        shown = _shown(field, result, value, repeat_field)
        raise UserInputError(f"{owner}: {field} must be >= {minimum}, got {shown}")
    return result


def _shown(field: str, result: object, value: object, repeat_field: bool) -> str:
    """The bad value in a message: ``field=result`` or the value as given."""
    return f"{field}={result}" if repeat_field else f"{value}"


def check_optional_int(
    owner: str,
    field: str,
    value: object,
    minimum: Optional[int] = None,
) -> Optional[int]:
    """None, or ``value`` checked by :func:`check_int` (the message says "an int or None")."""
    if value is None:
        return None
    return check_int(owner, field, value, minimum, noun="an int or None")


def check_int_at_least(
    owner: str, field: str, value: object, minimum: int, *, none_allowed: bool = False
) -> int:
    """``value`` as a Python int ``>= minimum``; one :class:`UserInputError` for any failure.

    The one-message form of :func:`check_int` (``"n must be an int >= 1, got 0"``), used
    where a wrong type and a value out of range have always raised the same error.

    Args:
        owner: The object doing the check, for the message.
        field: The field's (argument's) name.
        value: The value given (a Python or numpy integer; never a bool).
        minimum: Smallest allowed value (inclusive).
        none_allowed: The field also accepts None, which the caller handles before
            calling; the message then says "or None".

    Raises:
        UserInputError: ``value`` is not an integer ``>= minimum``.
    """
    if not is_int(value) or int(value) < minimum:  # type: ignore[call-overload]
        alternative = " or None" if none_allowed else ""
        raise UserInputError(
            f"{owner}: {field} must be an int >= {minimum}{alternative}, got {value!r}"
        )
    return int(value)  # type: ignore[call-overload]


def check_bool(
    owner: str, field: str, value: object, *, type_error: Type[AxError] = UserInputTypeError
) -> bool:
    """``value`` as a bool (a Python or numpy bool; ``0``/``1`` are refused).

    Raises:
        UserInputTypeError: ``value`` is not a bool (or ``type_error``).
    """
    if not isinstance(value, (bool, np.bool_)):
        raise type_error(f"{owner}: {field} must be a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_float(
    owner: str,
    field: str,
    value: object,
    minimum: Optional[float] = None,
    *,
    strict: bool = False,
    type_error: Type[AxError] = UserInputTypeError,
    noun: str = "a number",
    repeat_field: bool = True,
) -> float:
    """``value`` as a finite float, checked against ``minimum``.

    Takes the arguments of :func:`check_int` (``value`` a real number, never a bool; a
    float ``minimum``; ``noun`` such as ``"a number of seconds"``; ``repeat_field``), and
    ``strict``: the value must be ``> minimum`` rather than ``>= minimum``.

    Returns:
        ``float(value)``.

    Raises:
        UserInputTypeError: ``value`` is not a real number (or ``type_error``).
        UserInputError: ``value`` is not finite, or is out of range.
    """
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise type_error(f"{owner}: {field} must be {noun}, got {value!r} ({type(value).__name__})")
    result = float(value)
    rule = "finite"
    if minimum is not None:
        rule += f" and {'>' if strict else '>='} {minimum:g}"
    too_small = minimum is not None and (result <= minimum if strict else result < minimum)
    if not math.isfinite(result) or too_small:
        shown = _shown(field, result, value, repeat_field)
        raise UserInputError(f"{owner}: {field} must be {rule}, got {shown}")
    return result


def check_fixed_features(
    owner: str,
    fixed_features: Optional[Mapping[int, Any]],
    d: int,
    *,
    finite_values: bool = True,
    index_name: str = "",
    size_name: str = "d",
) -> Dict[int, Any]:
    """``fixed_features`` (``{index: value}``) checked: integer keys in ``[0, d)``.

    Args:
        owner: The object doing the check, for the message.
        fixed_features: The mapping given, or None (no fixed features).
        d: The number of dimensions (parameters); keys must be ``< d``.
        finite_values: Check each value is a finite number (and return it as a float);
            False keeps the values as given (e.g. choices of a discrete generator).
        index_name: What a key indexes, for the messages: ``""`` ("key must be < d=3",
            "a dict {dimension index: value}") or e.g. ``"parameter"`` ("key must be a
            parameter index < d=3").
        size_name: The name of ``d`` in the message (``"d"``: "< d=3"; ``""``: "< 3").

    Returns:
        A plain dict ``{index: value}``.

    Raises:
        UserInputError: Not a mapping, a key that is not an index in ``[0, d)``, or (with
            ``finite_values``) a value that is not a finite number.
    """
    if fixed_features is None:
        return {}
    if not isinstance(fixed_features, Mapping):
        raise UserInputError(
            f"{owner}: fixed_features must be a dict {{{index_name or 'dimension'} index: value}}, "
            f"got "
            f"{fixed_features!r}"
        )
    limit = f"{size_name}={d}" if size_name else str(d)
    rule = f"a {index_name} index < {limit}" if index_name else f"< {limit}"
    fixed: Dict[int, Hashable] = {}
    for key, value in fixed_features.items():
        index = check_int(
            owner, "fixed_features key", key, 0, type_error=UserInputError, noun="an integer"
        )
        if index >= d:
            raise UserInputError(f"{owner}: fixed_features key must be {rule}, got {index}")
        fixed[index] = (
            check_float(
                owner,
                f"fixed_features[{index}]",
                value,
                type_error=UserInputError,
                noun="a real number",
            )
            if finite_values
            else value
        )
    return fixed


__all__ = [
    "check_bool",
    "check_fixed_features",
    "check_float",
    "check_int",
    "check_int_at_least",
    "check_optional_int",
    "is_int",
]
