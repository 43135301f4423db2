"""SearchSpace: the parameters that can be tried and the constraints between them."""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Sequence, TypeVar, Union

from ax.core.arm import Arm
from ax.core.base import Base
from ax.core.parameter import FixedParameter, Parameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.types import TParameterization, TParamValue
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.text import short_reprs

_T = TypeVar("_T")


class SearchSpace(Base):
    """A set of uniquely named parameters and linear constraints on them.

    Membership checks (:meth:`check_membership`) are cheap: they never clone and use
    plain float arithmetic, since they run for every arm added to a trial.

    Args:
        parameters: The parameters, with distinct names; their order is kept.
        parameter_constraints: Constraints on numeric parameters of this space. An
            Order or Sum constraint must hold parameters equal to this space's
            definitions.

    Raises:
        UserInputTypeError: If an item is not a Parameter or a ParameterConstraint.
        UserInputError: If a name is repeated, or a constraint refers to a parameter
            that is missing, not numeric, or differs from this space's definition.

    Example:
        >>> from ax.core.parameter import RangeParameter
        >>> from ax.core.types import ParameterType
        >>> x1 = RangeParameter("x1", ParameterType.FLOAT, 0.0, 1.0)
        >>> x2 = RangeParameter("x2", ParameterType.FLOAT, 0.0, 1.0)
        >>> space = SearchSpace([x1, x2], [SumConstraint([x1, x2], True, 1.0)])
        >>> space.check_membership({"x1": 0.2, "x2": 0.3})
        True
        >>> space.check_membership({"x1": 0.8, "x2": 0.3})
        False
    """

    def __init__(
        self,
        parameters: Sequence[Parameter],
        parameter_constraints: Optional[Sequence[ParameterConstraint]] = None,
    ) -> None:
        by_name: Dict[str, Parameter] = {}
        for parameter in _as_list("parameters", parameters):
            _check_parameter(parameter)
            if parameter.name in by_name:
                raise UserInputError(
                    f"SearchSpace: parameter names must be unique, got duplicate {parameter.name!r}"
                )
            by_name[parameter.name] = parameter
        self._parameters: Dict[str, Parameter] = by_name
        self._parameter_constraints: List[ParameterConstraint] = []
        self.set_parameter_constraints(parameter_constraints or [])

    @property
    def parameters(self) -> Dict[str, Parameter]:
        """A copy of the mapping from name to parameter, in insertion order."""
        return dict(self._parameters)

    @property
    def parameter_constraints(self) -> List[ParameterConstraint]:
        """A copy of the list of constraints."""
        return list(self._parameter_constraints)

    @property
    def tunable_parameters(self) -> Dict[str, Parameter]:
        """The parameters that are not FixedParameters, by name."""
        return {
            name: p for name, p in self._parameters.items() if not isinstance(p, FixedParameter)
        }

    def add_parameter(self, parameter: Parameter) -> None:
        """Add a parameter.

        Raises:
            UserInputTypeError: If ``parameter`` is not a Parameter.
            UserInputError: If a parameter of that name exists.
        """
        _check_parameter(parameter)
        if parameter.name in self._parameters:
            raise UserInputError(
                f"SearchSpace: parameter {parameter.name!r} already exists",
                hint="use update_parameter to replace it",
            )
        self._parameters[parameter.name] = parameter

    def update_parameter(self, parameter: Parameter) -> None:
        """Replace the parameter of the same name, keeping its type.

        Order and Sum constraints on it are rebuilt to hold the new parameter. Nothing
        changes if the update is refused.

        Raises:
            UserInputTypeError: If ``parameter`` is not a Parameter.
            UserInputError: If no parameter has that name, the parameter type would
                change, or a constraint on it would become invalid.
        """
        _check_parameter(parameter)
        name = parameter.name
        old = self._parameters.get(name)
        if old is None:
            raise UserInputError(
                f"SearchSpace: cannot update parameter {name!r}, which does not exist",
                hint="use add_parameter to add it",
            )
        if old.parameter_type is not parameter.parameter_type:
            raise UserInputError(
                f"SearchSpace: cannot change the parameter_type of parameter {name!r} from "
                f"{old.parameter_type.name} to {parameter.parameter_type.name}"
            )
        new_parameters = dict(self._parameters)
        new_parameters[name] = parameter
        new_constraints = []
        for constraint in self._parameter_constraints:
            if name in constraint.parameter_names:
                if isinstance(constraint, (OrderConstraint, SumConstraint)):
                    constraint = constraint.clone_with_transformed_parameters(new_parameters)
                _check_constraint(constraint, new_parameters)
            new_constraints.append(constraint)
        self._parameters = new_parameters
        self._parameter_constraints = new_constraints

    def set_parameter_constraints(
        self, parameter_constraints: Sequence[ParameterConstraint]
    ) -> None:
        """Replace all constraints (each is validated first; nothing changes on error).

        Raises:
            UserInputTypeError: If an item is not a ParameterConstraint.
            UserInputError: If a constraint is invalid for this space.
        """
        constraints = _as_list("parameter_constraints", parameter_constraints)
        for constraint in constraints:
            _check_constraint(constraint, self._parameters)
        self._parameter_constraints = constraints

    def add_parameter_constraints(
        self, parameter_constraints: Sequence[ParameterConstraint]
    ) -> None:
        """Append constraints (each is validated first; nothing changes on error).

        Raises:
            UserInputTypeError: If an item is not a ParameterConstraint.
            UserInputError: If a constraint is invalid for this space.
        """
        constraints = _as_list("parameter_constraints", parameter_constraints)
        for constraint in constraints:
            _check_constraint(constraint, self._parameters)
        self._parameter_constraints.extend(constraints)

    def check_membership(
        self,
        parameterization: Mapping[str, TParamValue],
        raise_error: bool = False,
        check_all_parameters_present: bool = True,
    ) -> bool:
        """Whether a parameterization lies in the search space.

        Checks, in order: that the names match the parameters (none missing, when
        ``check_all_parameters_present``, and none unknown), that each value is valid
        for its parameter, and that every constraint holds (constraints on absent
        parameters are skipped when not all parameters must be present).

        Args:
            parameterization: Mapping from parameter name to value.
            raise_error: Whether to raise an error explaining the first failure
                instead of returning False.
            check_all_parameters_present: Whether a missing parameter is a failure.

        Returns:
            Whether the parameterization is in the search space.

        Raises:
            UserInputError: With ``raise_error``, for a missing or unknown parameter, a
                value out of its domain, or a violated constraint.
            UserInputTypeError: With ``raise_error``, for a value of the wrong type.
        """
        parameters = self._parameters
        if check_all_parameters_present and parameterization.keys() != parameters.keys():
            if raise_error:
                raise _key_error(parameterization, parameters)
            return False
        for name, value in parameterization.items():
            parameter = parameters.get(name)
            if parameter is None:
                if raise_error:
                    raise _key_error(parameterization, parameters)
                return False
            if not parameter.validate(value):
                if raise_error:
                    raise _value_error(parameter, value)
                return False
        for constraint in self._parameter_constraints:
            if not check_all_parameters_present and not all(
                name in parameterization for name in constraint.parameter_names
            ):
                continue
            if not constraint.check(parameterization):
                if raise_error:
                    values = ", ".join(
                        f"{name}={parameterization[name]!r}" for name in constraint.parameter_names
                    )
                    raise UserInputError(
                        f"SearchSpace: parameterization violates constraint {constraint!r} "
                        f"with {values}"
                    )
                return False
        return True

    def validate_arm(self, arm_or_parameterization: Union[Arm, Mapping[str, TParamValue]]) -> None:
        """Raise an error explaining why an arm is not in the search space, if it is not.

        Args:
            arm_or_parameterization: An Arm or a mapping from parameter name to value.

        Raises:
            UserInputError: See :meth:`check_membership`.
            UserInputTypeError: See :meth:`check_membership`.
        """
        if isinstance(arm_or_parameterization, Arm):
            self.check_membership(arm_or_parameterization.parameters, raise_error=True)
        else:
            self.check_membership(arm_or_parameterization, raise_error=True)

    def check_types(
        self,
        parameterization: Mapping[str, TParamValue],
        allow_none: bool = True,
        raise_error: bool = False,
    ) -> bool:
        """Whether a parameterization names exactly the parameters, with valid types.

        Args:
            parameterization: Mapping from parameter name to value.
            allow_none: Whether None is accepted for any parameter.
            raise_error: Whether to raise an error explaining the first failure
                instead of returning False.

        Returns:
            Whether the names and the value types match the search space.

        Raises:
            UserInputError: With ``raise_error``, for a missing or unknown parameter.
            UserInputTypeError: With ``raise_error``, for a value of the wrong type (or
                None when ``allow_none`` is False).
        """
        parameters = self._parameters
        if parameterization.keys() != parameters.keys():
            if raise_error:
                raise _key_error(parameterization, parameters)
            return False
        for name, value in parameterization.items():
            if value is None and allow_none:
                continue
            parameter = parameters[name]
            if not parameter.is_valid_type(value):
                if raise_error:
                    raise UserInputTypeError(
                        f"SearchSpace: value {value!r} of parameter {name!r} has type "
                        f"{type(value).__name__}, which is not valid for {parameter!r}"
                    )
                return False
        return True

    def cast_arm(self, arm: Arm) -> Arm:
        """A new arm whose values are cast to the types of this space's parameters.

        Values of names not in the search space are passed through unchanged; the
        arm's name is kept.

        Raises:
            UserInputTypeError: If a value cannot be cast.
        """
        parameters = self._parameters
        cast = {
            name: parameters[name].cast(value) if name in parameters else value
            for name, value in arm.parameters.items()
        }
        return Arm(cast, name=arm.name if arm.has_name else None)

    def construct_arm(
        self, parameters: Optional[Mapping[str, TParamValue]] = None, name: Optional[str] = None
    ) -> Arm:
        """An arm with the given values and None for every other parameter.

        Args:
            parameters: Values for some or all of the parameters.
            name: The arm's name, if any.

        Raises:
            UserInputError: If a name is unknown or a non-None value is out of its domain.
            UserInputTypeError: If a non-None value has the wrong type.
        """
        values: TParameterization = {n: None for n in self._parameters}
        for key, value in (parameters or {}).items():
            parameter = self._parameters.get(key)
            if parameter is None:
                raise UserInputError(
                    f"SearchSpace: parameter {key!r} is not in the search space; known "
                    f"parameters are {list(self._parameters)}"
                )
            if value is not None and not parameter.validate(value):
                raise _value_error(parameter, value)
            values[key] = value
        return Arm(values, name=name)

    def out_of_design_arm(self) -> Arm:
        """A default out-of-design arm: None for every parameter.

        It stands for a point outside the space (a production baseline, say). Trials and
        batch trials accept it like any out-of-design arm; models leave it out of fitting
        unless built with ``fit_out_of_design=True``.
        """
        return self.construct_arm()

    def clone(self) -> SearchSpace:
        """A deep copy: cloned parameters, and constraints holding the cloned parameters."""
        parameters = [p.clone() for p in self._parameters.values()]
        by_name = {p.name: p for p in parameters}
        constraints = [
            c.clone_with_transformed_parameters(by_name) for c in self._parameter_constraints
        ]
        return SearchSpace(parameters, constraints)

    def __repr__(self) -> str:
        return (
            f"SearchSpace(parameters={list(self._parameters.values())!r}, "
            f"parameter_constraints={self._parameter_constraints!r})"
        )


def _check_parameter(parameter: object) -> None:
    if not isinstance(parameter, Parameter):
        raise UserInputTypeError(f"SearchSpace: expected a Parameter, got {parameter!r}")


def _check_constraint(constraint: object, parameters: Mapping[str, Parameter]) -> None:
    if not isinstance(constraint, ParameterConstraint):
        raise UserInputTypeError(f"SearchSpace: expected a ParameterConstraint, got {constraint!r}")
    for name in constraint.parameter_names:
        if name not in parameters:
            raise UserInputError(
                f"SearchSpace: constraint {constraint!r} refers to parameter {name!r}, "
                "which is not in the search space"
            )
    if isinstance(constraint, (OrderConstraint, SumConstraint)):
        for held in constraint.parameters:
            defined = parameters[held.name]
            if held != defined:
                raise UserInputError(
                    f"SearchSpace: constraint {constraint!r} holds {held!r}, which differs "
                    f"from the search space's definition {defined!r}"
                )
    else:
        for name in constraint.parameter_names:
            defined = parameters[name]
            if not defined.is_numeric:
                raise UserInputError(
                    f"SearchSpace: constraint {constraint!r} refers to parameter {name!r} "
                    f"of type {defined.parameter_type.name}; constraints need INT or FLOAT"
                )


def _key_error(
    parameterization: Mapping[str, TParamValue], parameters: Mapping[str, Parameter]
) -> UserInputError:
    missing = [n for n in parameters if n not in parameterization]
    extra = [n for n in parameterization if n not in parameters]
    parts = []
    if missing:
        parts.append(f"missing parameter(s) {short_reprs(missing)}")
    if extra:
        parts.append(f"unknown parameter(s) {short_reprs(extra)}")
    return UserInputError(f"SearchSpace: parameterization has {' and '.join(parts)}")


def _value_error(
    parameter: Parameter, value: TParamValue
) -> Union[UserInputError, UserInputTypeError]:
    name = parameter.name
    if value is None:
        return UserInputError(f"SearchSpace: parameter {name!r} has no value (None)")
    if not parameter.is_valid_type(value):
        return UserInputTypeError(
            f"SearchSpace: value {value!r} of parameter {name!r} has type "
            f"{type(value).__name__}, which is not valid for {parameter!r}"
        )
    return UserInputError(
        f"SearchSpace: value {value!r} of parameter {name!r} is out of the domain of {parameter!r}"
    )


def _as_list(field: str, items: Iterable[_T]) -> List[_T]:
    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Iterable):
        raise UserInputTypeError(f"SearchSpace: {field} must be a list, got {items!r}")
    return list(items)


__all__ = ["SearchSpace"]
