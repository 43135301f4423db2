"""Float ranges mapped to ``[-1, 1]``: :class:`CenteredUnitX`."""

from __future__ import annotations

from typing import ClassVar

from ax.modelbridge.transforms.unit_x import UnitX


class CenteredUnitX(UnitX):
    """Every FLOAT, non-log range ``[l, u]`` becomes ``[-1, 1]`` by ``2 (x - l) / (u - l) - 1``.

    Otherwise as :class:`~ax.modelbridge.transforms.unit_x.UnitX` (linear constraints are
    rewritten for the new scale; the untransform is the exact inverse).

    Example:
        >>> # RangeParameter("x", FLOAT, 2.0, 4.0) -> RangeParameter("x", FLOAT, -1.0, 1.0)
        >>> t.transform_observation_features([ObservationFeatures({"x": 3.0})])
        [ObservationFeatures(parameters={'x': 0.0})]
    """

    target_lb: ClassVar[float] = -1.0
    target_range: ClassVar[float] = 2.0


__all__ = ["CenteredUnitX"]
