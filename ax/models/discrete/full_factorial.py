"""Every combination of the parameter values: :class:`FullFactorialGenerator`."""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.exceptions import UserInputError
from ax.models.discrete.base import (
    DiscreteModel,
    check_fixed_features,
    check_no_options,
    check_parameter_values,
)
from ax.models.utils import check_bool, check_int

HARD_MAX_CARDINALITY = 1_000_000
"""Most combinations a design may list at all (each becomes an arm)."""


class FullFactorialGenerator(DiscreteModel):
    """The full factorial design: the cartesian product of all parameter values.

    Needs no data (``fit`` is optional and learns nothing) and draws no random numbers.
    Every point gets weight 1.

    ``n`` is the number of points asked for: ``-1`` means "all of them", and any ``n``
    at least the number of combinations returns them all once. A smaller positive ``n``
    raises, because a factorial design cannot be cut short without choosing which
    combinations to drop (the reference raised for every ``n`` other than -1).

    Args:
        max_cardinality: The most combinations allowed when ``check_cardinality`` is on.
        check_cardinality: Raise when the design would exceed ``max_cardinality``.

    Example:
        >>> points, weights, _ = FullFactorialGenerator().gen(-1, [[1, 2], ["a", "b"]])
        >>> points
        [[1, 'a'], [1, 'b'], [2, 'a'], [2, 'b']]
    """

    def __init__(self, max_cardinality: int = 100, check_cardinality: bool = True) -> None:
        name = type(self).__name__
        self.max_cardinality: int = check_int(name, "max_cardinality", max_cardinality, minimum=1)
        self.check_cardinality: bool = check_bool(name, "check_cardinality", check_cardinality)

    def gen(
        self,
        n: int,
        parameter_values: Sequence[Sequence[Hashable]],
        objective_weights: Optional[np.ndarray] = None,
        outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        fixed_features: Optional[Mapping[int, Hashable]] = None,
        pending_observations: Optional[Sequence[Sequence[Sequence[Hashable]]]] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
    ) -> Tuple[List[List[Hashable]], List[float], Dict[str, Any]]:
        """All combinations of ``parameter_values`` (with fixed features held).

        Args:
            n: ``-1`` for all combinations, or any number at least their count.
            parameter_values: Per parameter, the values it can take (non-empty).
            objective_weights: Ignored.
            outcome_constraints: Ignored.
            fixed_features: ``{parameter index: value}``; that parameter takes only
                this value.
            pending_observations: Ignored.
            model_gen_options: Must be empty: this model takes no options.

        Returns:
            ``(points, weights, {})``: the combinations in lexicographic order of the
            given values, and a weight of 1.0 for each.

        Raises:
            UserInputError: ``n`` is neither -1 nor at least the number of
                combinations; a parameter has no values; the design has more than
                ``max_cardinality`` combinations (with ``check_cardinality``), or more
                than :data:`HARD_MAX_CARDINALITY` in any case.
        """
        name = f"{type(self).__name__}.gen"
        n = check_int(name, "n", n)
        values = check_parameter_values(name, parameter_values)
        fixed = check_fixed_features(name, fixed_features, len(values))
        check_no_options(name, model_gen_options)
        for index, value in fixed.items():
            values[index] = [value]
        for i, options in enumerate(values):
            if not options:
                raise UserInputError(f"{name}: parameter_values[{i}] has no values")
        cardinality = math.prod(len(options) for options in values)
        if self.check_cardinality and cardinality > self.max_cardinality:
            raise UserInputError(
                f"{name}: the full factorial design has {cardinality} combinations, more "
                f"than max_cardinality={self.max_cardinality}",
                hint="raise max_cardinality or set check_cardinality=False",
            )
        if cardinality > HARD_MAX_CARDINALITY:
            raise UserInputError(
                f"{name}: the full factorial design has {cardinality} combinations, more "
                f"than can be listed (at most {HARD_MAX_CARDINALITY}, even with "
                "check_cardinality=False)",
                hint="fix some factors (fixed_features) or use fewer levels",
            )
        if n != -1 and n < cardinality:
            raise UserInputError(
                f"{name}: n must be -1 (all) or at least the number of combinations "
                f"({cardinality}), got n={n}"
            )
        points = [list(point) for point in itertools.product(*values)]
        return points, [1.0] * len(points), {}

    def get_state(self) -> Dict[str, Any]:
        """``{"max_cardinality", "check_cardinality"}`` (there is no random state)."""
        return {
            "max_cardinality": self.max_cardinality,
            "check_cardinality": self.check_cardinality,
        }


__all__ = ["HARD_MAX_CARDINALITY", "FullFactorialGenerator"]
