"""Structural equality used by the domain model's ``__eq__``.

Values are compared recursively: containers element by element (in order), floats with
NaN equal to NaN, numpy arrays by content, and objects by their own ``__eq__``.
"""

from __future__ import annotations

import math
from typing import Any


def same_value(a: Any, b: Any) -> bool:
    """Whether two values are structurally equal.

    Args:
        a: Any value.
        b: Any value.

    Returns:
        True when ``a`` and ``b`` hold the same data. Floats compare exactly, except that
        NaN equals NaN; a Python number equals a numpy scalar of the same value.
    """
    if a is b:
        return True
    if _is_number(a) and _is_number(b):
        if isinstance(a, bool) != isinstance(b, bool):
            return False
        fa, fb = float(a), float(b)
        return fa == fb or (math.isnan(fa) and math.isnan(fb))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (set, frozenset)) and isinstance(b, (set, frozenset)):
        return a == b
    if type(a).__module__ == "numpy" and type(b).__module__ == "numpy":
        import numpy as np

        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _is_number(x: Any) -> bool:
    if isinstance(x, (int, float)):
        return True
    return type(x).__module__ == "numpy" and getattr(x, "ndim", 1) == 0 and hasattr(x, "dtype")


__all__ = ["same_value"]
