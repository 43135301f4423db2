"""Integer ranges as ordered choices: :class:`IntRangeToChoice`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import ChoiceParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.exceptions import UnsupportedError
from ax.modelbridge.transforms.base import Transform, rebuild_search_space

MAX_CHOICES = 100_000
"""The most values an integer range may have to be turned into a choice."""


class IntRangeToChoice(Transform):
    """Each INT range ``[l, u]`` becomes an ordered INT choice of ``l, l + 1, ..., u``.

    Values are unchanged, so features need no transform. Parameter constraints on a
    converted parameter are kept in general form (``sum w x <= b``).

    Raises:
        UnsupportedError: A range has more than :data:`MAX_CHOICES` values.

    Example:
        >>> # RangeParameter("n", INT, 1, 3) -> ChoiceParameter("n", INT, [1, 2, 3], ordered)
        >>> t.transform_search_space(space).parameters["n"].values
        [1, 2, 3]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.ranges: Dict[str, range] = {}
        for name, p in search_space.parameters.items():
            if isinstance(p, RangeParameter) and p.parameter_type is ParameterType.INT:
                values = range(int(p.lower), int(p.upper) + 1)
                if len(values) > MAX_CHOICES:
                    raise UnsupportedError(
                        f"IntRangeToChoice: parameter {name!r} has {len(values)} values, more "
                        f"than {MAX_CHOICES}"
                    )
                self.ranges[name] = values

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.ranges:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            if name in self.ranges and isinstance(p, RangeParameter):
                parameters.append(
                    ChoiceParameter(
                        name,
                        ParameterType.INT,
                        list(self.ranges[name]),
                        is_ordered=True,
                        is_fidelity=p.is_fidelity,
                        target_value=p.target_value,
                    )
                )
            else:
                parameters.append(p)
        # Order and Sum constraints hold range parameters: keep them in general form.
        constraints = [
            ParameterConstraint(c.constraint_dict, c.bound)
            if any(name in self.ranges for name in c.parameter_names)
            else c
            for c in search_space.parameter_constraints
        ]
        return rebuild_search_space(search_space, parameters, constraints)


__all__ = ["IntRangeToChoice", "MAX_CHOICES"]
