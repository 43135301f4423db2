"""Numbers as floats, for checks that must not raise on values beyond the floats."""

from __future__ import annotations

import math
from typing import Any, Optional


def finite_float(value: Any) -> Optional[float]:
    """``float(value)`` when it is finite, else None (NaN, infinities, and ints too large
    for a float, for which ``float`` would raise OverflowError).

    Example:
        >>> finite_float(3), finite_float(float("nan")), finite_float(10**400)
        (3.0, None, None)
    """
    try:
        converted = float(value)
    except OverflowError:
        return None
    return converted if math.isfinite(converted) else None


__all__ = ["finite_float"]
