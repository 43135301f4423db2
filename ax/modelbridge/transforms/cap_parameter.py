"""Upper bounds of range parameters capped for modelling: :class:`CapParameter`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import Parameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import Transform, rebuild_search_space


class CapParameter(Transform):
    """Lowers the upper bound of some range parameters: ``{name: cap}`` in the config.

    The model then searches ``[lower, min(upper, cap)]`` only (for example to keep a
    costly setting below a budget for a while). Only the search space changes;
    observations and points are untouched, so the round trip is the identity. A cap at
    or above the bound leaves the parameter as it is.

    Config: ``{parameter name: cap}`` for range parameters of the space (a number, or a
    number written as text, as Ax accepted).

    Raises:
        UserInputError: A name is not a range parameter, a cap is not a number, or a cap
            is below the parameter's lower bound.

    Example:
        >>> t = CapParameter(space, [], [], config={"x": 0.5})  # x in [0, 1] -> [0, 0.5]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        # The config's keys are parameter names, not a fixed set: check them here.
        super().__init__(search_space, observation_features, observation_data, None)
        self.config = dict(config or {})
        self.caps: Dict[str, float] = {}
        ranges = sorted(
            n for n, p in search_space.parameters.items() if isinstance(p, RangeParameter)
        )
        for name, cap in self.config.items():
            parameter = search_space.parameters.get(name)
            if not isinstance(parameter, RangeParameter):
                raise UserInputError(
                    f"CapParameter: {name!r} is not a range parameter of the search space "
                    f"(range parameters: {ranges})"
                )
            try:  # Ax accepted numbers written as text ("2")
                cap = float(cap) if not isinstance(cap, bool) else None
            except (TypeError, ValueError):
                cap = None
            if cap is None or cap != cap:
                raise UserInputError(
                    f"CapParameter: cap of {name!r} must be a number, got {self.config[name]!r}"
                )
            if cap < parameter.lower:
                raise UserInputError(
                    f"CapParameter: cap {cap!r} of {name!r} is below its lower bound "
                    f"{parameter.lower!r}"
                )
            self.caps[name] = float(cap)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.caps:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            cap = self.caps.get(name)
            if isinstance(p, RangeParameter) and cap is not None and cap < p.upper:
                capped = p.clone()
                upper = int(cap) if capped.parameter_type.name == "INT" else cap
                if upper > capped.lower:
                    capped.update_range(upper=upper)
                    parameters.append(capped)
                    continue
            parameters.append(p)
        return rebuild_search_space(search_space, parameters)


__all__ = ["CapParameter"]
