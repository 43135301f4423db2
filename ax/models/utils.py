"""Small validators and converters shared by the generators of ``ax.models``.

Every check raises an error from :mod:`ax.exceptions` whose message names the generator
(class), the argument, the rule and the bad value.
"""

from __future__ import annotations

import secrets
from typing import Any, Tuple

import numpy as np

from ax.exceptions import UserInputError
from ax.utils import validation
from ax.utils.validation import is_int

SEED_BITS = 32
"""Seeds picked for the user are ``SEED_BITS``-bit integers (exact in JSON everywhere)."""


# The checks live in ax.utils.validation; the generators of ax.models raise UserInputError
# (not UserInputTypeError) for a value of the wrong type, and say "an integer".


def check_int(owner: str, name: str, value: object, minimum: int | None = None) -> int:
    """``value`` as a Python int, checked against ``minimum`` (inclusive, None: no bound).

    See :func:`ax.utils.validation.check_int`.

    Raises:
        UserInputError: ``value`` is not an integer, or is below ``minimum``.
    """
    return validation.check_int(
        owner, name, value, minimum, type_error=UserInputError, noun="an integer"
    )


def check_bool(owner: str, name: str, value: object) -> bool:
    """``value`` as a bool; raises :class:`UserInputError` unless it is a bool."""
    return validation.check_bool(owner, name, value, type_error=UserInputError)


def check_finite_float(owner: str, name: str, value: object) -> float:
    """``value`` as a finite float; raises :class:`UserInputError` otherwise."""
    return validation.check_float(
        owner, name, value, type_error=UserInputError, noun="a real number"
    )


def resolve_seed(owner: str, seed: object) -> int:
    """The seed to use: ``seed`` checked, or a fresh random one when it is None.

    A seed picked here is recorded by the generator's state, so that a run started
    without a seed can still be saved and resumed exactly. Picking it uses the operating
    system's entropy, never numpy's global random state.

    Raises:
        UserInputError: ``seed`` is not None and not a non-negative integer.
    """
    if seed is None:
        return secrets.randbits(SEED_BITS)
    return check_int(owner, "seed", seed, minimum=0)


def to_plain(value: Any) -> Any:
    """``value`` converted to plain JSON types: numpy arrays and scalars, tuples -> lists.

    Dicts keep their keys (which must already be strings for JSON); everything else is
    returned unchanged.
    """
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def check_constraint_pair(
    owner: str, field: str, pair: Any, width: int, width_name: str
) -> Tuple[np.ndarray, np.ndarray]:
    """Validate a linear constraint pair ``(A, b)`` meaning ``A v <= b``.

    Args:
        owner: The object checking, for messages.
        field: The argument's name (``"linear_constraints"``, ``"outcome_constraints"``).
        pair: The value given.
        width: Columns ``A`` must have.
        width_name: What the columns count (``"d"`` features, ``"m"`` outcomes).

    Returns:
        ``A`` as a `k x width` float array and ``b`` as a length-`k` float array.

    Raises:
        UserInputError: Not a pair of finite numeric arrays of matching shapes.
    """
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise UserInputError(f"{owner}: {field} must be a pair (A, b), got {pair!r}")
    try:
        A = np.asarray(pair[0], dtype=float)
        b = np.asarray(pair[1], dtype=float)
    except (TypeError, ValueError) as err:
        raise UserInputError(f"{owner}: {field} (A, b) must hold numbers, got {pair!r}") from err
    if A.ndim != 2 or A.shape[1] != width:
        raise UserInputError(
            f"{owner}: {field} A must be k x {width_name} with {width_name}={width}, got "
            f"shape {A.shape}"
        )
    k = A.shape[0]
    if b.shape not in ((k,), (k, 1)):
        raise UserInputError(f"{owner}: {field} b must be k x 1 with k={k}, got shape {b.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(b))):
        raise UserInputError(f"{owner}: {field} (A, b) must be finite")
    return A, b.reshape(k)


__all__ = [
    "SEED_BITS",
    "check_constraint_pair",
    "check_bool",
    "check_finite_float",
    "check_int",
    "is_int",
    "resolve_seed",
    "to_plain",
]
