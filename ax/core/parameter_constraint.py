"""Linear constraints on numeric parameters: ``sum(weight * value) <= bound``.

:class:`ParameterConstraint` is the general form. :class:`OrderConstraint`
(``lower <= upper``) and :class:`SumConstraint` (``sum <= bound`` or ``sum >= bound``)
are shorthands that hold the parameter objects they constrain and express themselves in
the general form through :attr:`~ParameterConstraint.constraint_dict` and
:attr:`~ParameterConstraint.bound`.
"""

from __future__ import annotations

import math
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from ax.core.base import Base
from ax.core.parameter import (
    ChoiceParameter,
    FixedParameter,
    Parameter,
    RangeParameter,
    is_real_number,
)
from ax.core.types import ComparisonOp, TParamValue
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from ax.utils.validation import check_bool

CONSTRAINT_TOLERANCE = 1e-8
"""Relative slack allowed by :meth:`ParameterConstraint.check` for rounding errors.

A parameterization satisfies a constraint when ``sum(w * v) <= bound + tol``, with
``tol = CONSTRAINT_TOLERANCE * max(1, |bound|, sum(|w * v|))``.
"""


class ParameterConstraint(Base):
    """The linear constraint ``sum(weight * value) <= bound`` on numeric parameters.

    Args:
        constraint_dict: Mapping from parameter name to weight (finite numbers, at least
            one entry).
        bound: The right-hand side (a finite number).

    Raises:
        UserInputTypeError: If the mapping, a name, a weight or the bound has the wrong
            type (a bool is not a number).
        UserInputError: If the mapping is empty, or a weight or the bound is not finite.

    Example:
        >>> c = ParameterConstraint({"x1": 1.0, "x2": 2.0}, bound=3.0)
        >>> c.check({"x1": 1.0, "x2": 0.5})
        True
        >>> c
        ParameterConstraint(1.0*x1 + 2.0*x2 <= 3.0)
    """

    def __init__(self, constraint_dict: Mapping[str, float], bound: float) -> None:
        self._constraint_dict: Dict[str, float] = _checked_weights(constraint_dict)
        self._bound: float = _checked_number("ParameterConstraint", "bound", bound)

    @property
    def constraint_dict(self) -> Dict[str, float]:
        """A copy of the mapping from parameter name to weight."""
        return dict(self._constraint_dict)

    @property
    def parameter_names(self) -> Tuple[str, ...]:
        """Names of the constrained parameters."""
        return tuple(name for name, _ in self._terms())

    @property
    def bound(self) -> float:
        """The right-hand side of ``sum(weight * value) <= bound``."""
        return self._bound

    @bound.setter
    def bound(self, bound: float) -> None:
        self._bound = _checked_number(type(self).__name__, "bound", bound)

    @property
    def op(self) -> ComparisonOp:
        """The comparison of the constraint as written by the user (LEQ here)."""
        return ComparisonOp.LEQ

    def weighted_sum(self, parameter_dict: Mapping[str, TParamValue]) -> float:
        """The left-hand side ``sum(weight * value)`` for a parameterization.

        Args:
            parameter_dict: Mapping from parameter name to value; it must hold every
                constrained parameter, with a numeric value.

        Raises:
            UserInputError: If a constrained parameter is missing.
            UserInputTypeError: If a constrained parameter's value is not a number.
        """
        return self._sums(parameter_dict)[0]

    def check(self, parameter_dict: Mapping[str, TParamValue]) -> bool:
        """Whether a parameterization satisfies the constraint (up to rounding).

        Args:
            parameter_dict: Mapping from parameter name to value; it must hold every
                constrained parameter, with a numeric value. Other keys are ignored.

        Returns:
            Whether ``sum(weight * value) <= bound + tol`` (see
            :data:`CONSTRAINT_TOLERANCE`).

        Raises:
            UserInputError: If a constrained parameter is missing.
            UserInputTypeError: If a constrained parameter's value is not a number.
        """
        total, scale = self._sums(parameter_dict)
        bound = self.bound
        return total <= bound + CONSTRAINT_TOLERANCE * max(1.0, abs(bound), scale)

    def clone(self) -> ParameterConstraint:
        """An independent copy."""
        return ParameterConstraint(dict(self._constraint_dict), self._bound)

    def clone_with_transformed_parameters(
        self, transformed_parameters: Mapping[str, Parameter]
    ) -> ParameterConstraint:
        """A copy for a transformed search space (the same as :meth:`clone` here).

        Args:
            transformed_parameters: Mapping from name to the transformed parameter.
        """
        return self.clone()

    def _terms(self) -> Iterable[Tuple[str, float]]:
        return self._constraint_dict.items()

    def _sums(self, parameter_dict: Mapping[str, TParamValue]) -> Tuple[float, float]:
        total = 0.0
        scale = 0.0
        for name, weight in self._terms():
            try:
                value = parameter_dict[name]
            except KeyError:
                raise UserInputError(
                    f"{self!r}: parameter {name!r} is not present in the parameterization"
                ) from None
            if type(value) is not float and not is_real_number(value):
                raise UserInputTypeError(
                    f"{self!r}: value of parameter {name!r} must be a number, got {value!r}"
                )
            term = weight * float(value)  # type: ignore[arg-type]
            total += term
            scale += abs(term)
        return total, scale

    def __repr__(self) -> str:
        terms = " + ".join(f"{weight}*{name}" for name, weight in self._terms())
        return f"{type(self).__name__}({terms} <= {self.bound})"


class OrderConstraint(ParameterConstraint):
    """The constraint ``lower_parameter <= upper_parameter``.

    In the general form it is ``1.0 * lower - 1.0 * upper <= 0.0``.

    Args:
        lower_parameter: The parameter that must not exceed the other.
        upper_parameter: The parameter that must be at least the other.

    Raises:
        UserInputTypeError: If an argument is not a Parameter.
        UserInputError: If both are the same parameter, or one is not a numeric
            RangeParameter without log scale.

    Example:
        >>> from ax.core.types import ParameterType
        >>> x1 = RangeParameter("x1", ParameterType.FLOAT, 0.0, 1.0)
        >>> x2 = RangeParameter("x2", ParameterType.FLOAT, 0.0, 1.0)
        >>> OrderConstraint(x1, x2)
        OrderConstraint(x1 <= x2)
    """

    def __init__(self, lower_parameter: Parameter, upper_parameter: Parameter) -> None:
        _validate_constraint_parameters("OrderConstraint", [lower_parameter, upper_parameter])
        self._lower_parameter = lower_parameter
        self._upper_parameter = upper_parameter

    @property
    def lower_parameter(self) -> Parameter:
        """The parameter that must not exceed the other."""
        return self._lower_parameter

    @property
    def upper_parameter(self) -> Parameter:
        """The parameter that must be at least the other."""
        return self._upper_parameter

    @property
    def parameters(self) -> List[Parameter]:
        """``[lower_parameter, upper_parameter]``."""
        return [self._lower_parameter, self._upper_parameter]

    @property
    def constraint_dict(self) -> Dict[str, float]:
        """``{lower: 1.0, upper: -1.0}``."""
        return dict(self._terms())

    @property
    def bound(self) -> float:
        """Always ``0.0``."""
        return 0.0

    @bound.setter
    def bound(self, bound: float) -> None:
        raise UnsupportedError(
            f"{self!r}: the bound of an OrderConstraint is always 0.0 and cannot be set "
            f"(got {bound!r})",
            hint="use a ParameterConstraint for a general linear constraint",
        )

    def clone(self) -> OrderConstraint:
        """A copy holding clones of both parameters."""
        return OrderConstraint(self._lower_parameter.clone(), self._upper_parameter.clone())

    def clone_with_transformed_parameters(
        self, transformed_parameters: Mapping[str, Parameter]
    ) -> OrderConstraint:
        """A copy that holds the parameters of the same names from ``transformed_parameters``.

        Raises:
            UserInputError: If a parameter is missing from ``transformed_parameters`` or
                the transformed parameters cannot be constrained.
        """
        return OrderConstraint(
            _lookup(self, transformed_parameters, self._lower_parameter.name),
            _lookup(self, transformed_parameters, self._upper_parameter.name),
        )

    def _terms(self) -> Iterable[Tuple[str, float]]:
        return ((self._lower_parameter.name, 1.0), (self._upper_parameter.name, -1.0))

    def __repr__(self) -> str:
        return f"OrderConstraint({self._lower_parameter.name} <= {self._upper_parameter.name})"


class SumConstraint(ParameterConstraint):
    """The constraint ``sum(parameters) <= bound`` or ``sum(parameters) >= bound``.

    In the general form an upper bound is ``sum(1.0 * p) <= bound`` and a lower bound
    is ``sum(-1.0 * p) <= -bound``: :attr:`bound` and :attr:`constraint_dict` give that
    form, while ``__repr__`` shows the constraint as written.

    Args:
        parameters: The parameters to add up (at least one, distinct, numeric
            RangeParameters without log scale).
        is_upper_bound: Whether the sum must be at most (True) or at least (False)
            ``bound``.
        bound: The bound on the sum (a finite number).

    Raises:
        UserInputTypeError: If an item is not a Parameter, or a flag or the bound has
            the wrong type.
        UserInputError: If there are no parameters, one is repeated or unsupported, or
            the bound is not finite.

    Example:
        >>> from ax.core.types import ParameterType
        >>> x1 = RangeParameter("x1", ParameterType.FLOAT, 0.0, 1.0)
        >>> x2 = RangeParameter("x2", ParameterType.FLOAT, 0.0, 1.0)
        >>> SumConstraint([x1, x2], is_upper_bound=False, bound=0.5)
        SumConstraint(x1 + x2 >= 0.5)
    """

    def __init__(self, parameters: Sequence[Parameter], is_upper_bound: bool, bound: float) -> None:
        if isinstance(parameters, (str, bytes)) or not isinstance(parameters, Sequence):
            raise UserInputTypeError(
                f"SumConstraint: parameters must be a list of Parameters, got {parameters!r}"
            )
        if not parameters:
            raise UserInputError("SumConstraint: parameters must not be empty, got []")
        _validate_constraint_parameters("SumConstraint", parameters)
        checked = check_bool("SumConstraint", "is_upper_bound", is_upper_bound)
        self._parameters: List[Parameter] = list(parameters)
        self._is_upper_bound = checked
        self._bound = self._sign * _checked_number("SumConstraint", "bound", bound)

    @property
    def _sign(self) -> float:
        return 1.0 if self._is_upper_bound else -1.0

    @property
    def parameters(self) -> List[Parameter]:
        """A copy of the list of summed parameters."""
        return list(self._parameters)

    @property
    def is_upper_bound(self) -> bool:
        """Whether the sum must be at most (True) or at least (False) the bound."""
        return self._is_upper_bound

    @property
    def constraint_dict(self) -> Dict[str, float]:
        """``{name: 1.0}`` for an upper bound, ``{name: -1.0}`` for a lower bound."""
        return dict(self._terms())

    @property
    def op(self) -> ComparisonOp:
        """LEQ for an upper bound, GEQ for a lower bound."""
        return ComparisonOp.LEQ if self._is_upper_bound else ComparisonOp.GEQ

    def clone(self) -> SumConstraint:
        """A copy holding clones of the parameters."""
        return SumConstraint(
            [p.clone() for p in self._parameters], self._is_upper_bound, self._sign * self._bound
        )

    def clone_with_transformed_parameters(
        self, transformed_parameters: Mapping[str, Parameter]
    ) -> SumConstraint:
        """A copy that holds the parameters of the same names from ``transformed_parameters``.

        Raises:
            UserInputError: If a parameter is missing from ``transformed_parameters`` or
                the transformed parameters cannot be constrained.
        """
        return SumConstraint(
            [_lookup(self, transformed_parameters, p.name) for p in self._parameters],
            self._is_upper_bound,
            self._sign * self._bound,
        )

    def _terms(self) -> Iterable[Tuple[str, float]]:
        sign = self._sign
        return ((p.name, sign) for p in self._parameters)

    def __repr__(self) -> str:
        names = " + ".join(p.name for p in self._parameters)
        symbol = "<=" if self._is_upper_bound else ">="
        return f"SumConstraint({names} {symbol} {self._sign * self._bound})"


def _validate_constraint_parameters(owner: str, parameters: Sequence[Parameter]) -> None:
    """Check that parameters are distinct numeric RangeParameters without log scale."""
    seen = set()
    for parameter in parameters:
        if not isinstance(parameter, Parameter):
            raise UserInputTypeError(f"{owner}: expected a Parameter, got {parameter!r}")
        name = parameter.name
        if name in seen:
            raise UserInputError(f"{owner}: parameter {name!r} appears more than once")
        seen.add(name)
        if not parameter.is_numeric:
            raise UserInputError(
                f"{owner}: parameter {name!r} has type {parameter.parameter_type.name}; "
                "parameter constraints support only INT and FLOAT parameters"
            )
        if isinstance(parameter, (FixedParameter, ChoiceParameter)):
            raise UserInputError(
                f"{owner}: parameter {name!r} is a {type(parameter).__name__}; "
                "parameter constraints support only RangeParameters"
            )
        if isinstance(parameter, RangeParameter) and parameter.log_scale:
            raise UserInputError(
                f"{owner}: parameter {name!r} has log_scale=True; parameter constraints "
                "are not allowed on log-scale parameters"
            )


def _lookup(
    constraint: ParameterConstraint, parameters: Mapping[str, Parameter], name: str
) -> Parameter:
    try:
        return parameters[name]
    except KeyError:
        raise UserInputError(
            f"{constraint!r}: parameter {name!r} is not among the transformed parameters "
            f"{sorted(parameters)}"
        ) from None


def _checked_number(owner: str, field: str, value: object) -> float:
    if not is_real_number(value):
        raise UserInputTypeError(f"{owner}: {field} must be a number, got {value!r}")
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise UserInputError(f"{owner}: {field} must be finite, got {value!r}")
    return number


def _checked_weights(constraint_dict: Mapping[str, float]) -> Dict[str, float]:
    if not isinstance(constraint_dict, Mapping):
        raise UserInputTypeError(
            "ParameterConstraint: constraint_dict must be a mapping from parameter name to "
            f"weight, got {constraint_dict!r}"
        )
    if not constraint_dict:
        raise UserInputError(
            "ParameterConstraint: constraint_dict must name at least one parameter, got {}"
        )
    weights: Dict[str, float] = {}
    for name, weight in constraint_dict.items():
        if not isinstance(name, str):
            raise UserInputTypeError(
                f"ParameterConstraint: parameter names must be str, got {name!r}"
            )
        weights[str.__str__(name)] = _checked_number(
            "ParameterConstraint", f"weight of {name!r}", weight
        )
    return weights


__all__ = ["CONSTRAINT_TOLERANCE", "OrderConstraint", "ParameterConstraint", "SumConstraint"]
