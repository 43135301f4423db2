"""Arm: one parameterization, identified by the content of its parameters."""

from __future__ import annotations

import hashlib
import json
from typing import ClassVar, Dict, FrozenSet, Mapping, Optional

import numpy as np

from ax.core.base import Base
from ax.core.types import TParameterization, TParamValue
from ax.exceptions import ImmutabilityError, UserInputError, UserInputTypeError

_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


class Arm(Base):
    """A parameterization (parameter name -> value), optionally named.

    An arm is identified by its :attr:`signature`, the md5 hex digest of the parameters
    dumped as JSON with sorted keys, so two arms with the same values have the same
    signature whatever the order of their keys. The value types matter: ``1`` and
    ``1.0`` give different signatures. Numpy scalars are turned into Python scalars
    when the arm is built.

    The name is usually given by the experiment when the arm is added to a trial
    (``"<trial index>_<arm index>"``). It can be set only once.

    Args:
        parameters: Mapping from parameter name to value (str, bool, int, float or
            None; numpy scalars are converted).
        name: Optional name of the arm.

    Raises:
        UserInputTypeError: If ``parameters`` is not a mapping, a key is not a str, a
            value is not a parameter value, or ``name`` is not a str.
        UserInputError: If ``name`` is empty.

    Example:
        >>> arm = Arm({"x1": 0.5, "x2": 1})
        >>> arm.signature
        'd60fd9316df151631df2fd47d798b659'
        >>> arm.name = "0_0"
        >>> arm
        Arm(name='0_0', parameters={'x1': 0.5, 'x2': 1})
    """

    # The signature is a cache derived from the parameters.
    _eq_exclude: ClassVar[FrozenSet[str]] = frozenset({"_signature"})

    def __init__(self, parameters: Mapping[str, TParamValue], name: Optional[str] = None) -> None:
        self._parameters: TParameterization = _clean_parameters(parameters)
        self._name: Optional[str] = None
        self._signature: Optional[str] = None
        if name is not None:
            self.name = name

    @property
    def parameters(self) -> TParameterization:
        """A new copy of the mapping from parameter name to value."""
        return dict(self._parameters)

    @property
    def has_name(self) -> bool:
        """Whether the arm has a name."""
        return self._name is not None

    @property
    def name(self) -> str:
        """The arm's name.

        Raises:
            UserInputError: If the arm has no name yet (check :attr:`has_name`).
        """
        if self._name is None:
            raise UserInputError(
                "Arm's name is None; it is set when the arm is added to a trial",
                hint="check `arm.has_name` or use `arm.name_or_short_signature`",
            )
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        """Set the name once; setting the same name again does nothing.

        Raises:
            UserInputTypeError: If ``name`` is not a str.
            UserInputError: If ``name`` is empty.
            ImmutabilityError: If the arm already has a different name.
        """
        if not isinstance(name, str):
            raise UserInputTypeError(
                f"Arm: name must be a str, got {name!r} of type {type(name).__name__}"
            )
        if not name:
            raise UserInputError("Arm: name must be a non-empty str, got ''")
        if self._name is not None and self._name != name:
            raise ImmutabilityError(
                f"Arm {self._name!r}: name is immutable once set, cannot rename to {name!r}"
            )
        self._name = name

    @property
    def signature(self) -> str:
        """The md5 hex digest of the parameters as sorted-key JSON (computed once)."""
        if self._signature is None:
            self._signature = _md5(self._parameters)
        return self._signature

    @property
    def name_or_short_signature(self) -> str:
        """The name if there is one, else the last 4 hex characters of the signature."""
        if self._name is not None:
            return self._name
        return self.signature[-4:]

    @staticmethod
    def md5hash(parameters: Mapping[str, TParamValue]) -> str:
        """The signature an arm with these parameters would have.

        Args:
            parameters: Mapping from parameter name to value.

        Returns:
            The md5 hex digest (32 characters) of the sorted-key JSON of the parameters.
        """
        return _md5(_clean_parameters(parameters))

    def clone(self, clear_name: bool = False) -> Arm:
        """A new arm with a copy of the parameters.

        Args:
            clear_name: Whether to leave the clone without a name.

        Returns:
            The new arm, named like this one unless ``clear_name`` is set.
        """
        arm = Arm.__new__(Arm)
        arm._parameters = dict(self._parameters)
        arm._name = None if clear_name else self._name
        arm._signature = self._signature
        return arm

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Arm):
            return False
        return self._name == other._name and self.signature == other.signature

    # Base sets __hash__ = None (mutable structural equality); arms are hashable by content.
    def __hash__(self) -> int:  # type: ignore[override]
        return int(self.signature, 16)

    def __repr__(self) -> str:
        if self._name is not None:
            return f"Arm(name={self._name!r}, parameters={self._parameters!r})"
        return f"Arm(parameters={self._parameters!r})"


# One encoder for every signature: ``json.dumps`` would build a new one per call (most of the
# cost of a signature); the output is identical to ``json.dumps(parameters, sort_keys=True)``.
_SIGNATURE_ENCODER = json.JSONEncoder(sort_keys=True)


def _md5(parameters: TParameterization) -> str:
    text = _SIGNATURE_ENCODER.encode(parameters)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _clean_parameters(parameters: Mapping[str, TParamValue]) -> Dict[str, TParamValue]:
    """Copy the parameters, turning numpy scalars into Python scalars."""
    if not isinstance(parameters, Mapping):
        raise UserInputTypeError(
            f"Arm: parameters must be a mapping from name to value, got {parameters!r}"
        )
    clean: Dict[str, TParamValue] = {}
    for key, value in parameters.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise UserInputTypeError(
                    f"Arm: parameter names must be str, got {key!r} of type {type(key).__name__}"
                )
            key = str(key)
        if type(value) not in _PLAIN_TYPES:
            value = _to_python(key, value)
        clean[key] = value
    return clean


def _to_python(key: str, value: object) -> TParamValue:
    if isinstance(value, np.generic):
        item = value.item()
        if isinstance(item, (str, bool, int, float)):
            return item
    elif isinstance(value, (str, bool, int, float)):
        # Subclasses of the plain types (e.g. IntEnum, str enums) become the plain type.
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        return str.__str__(value)
    raise UserInputTypeError(
        f"Arm: value of parameter {key!r} must be a str, bool, int, float or None, got "
        f"{value!r} of type {type(value).__name__}"
    )


__all__ = ["Arm"]
