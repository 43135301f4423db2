"""Log-scale float ranges modelled in log10 space: :class:`Log`."""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import Parameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    check_unconstrained,
    rebuild_search_space,
)


class Log(Transform):
    """FLOAT range parameters with ``log_scale`` are mapped through ``log10``.

    Bounds and the fidelity target value are mapped too, and ``log_scale`` is cleared.
    The untransform is ``10 ** x``; a value that was inside the transformed bounds is
    clipped into the original bounds, so floating-point error never puts a generated
    point out of the search space. (INT log parameters are covered when
    :class:`~ax.modelbridge.transforms.int_to_float.IntToFloat` runs first.)

    Raises:
        UnsupportedError: A log-scale parameter is used in a parameter constraint.

    Example:
        >>> # RangeParameter("lr", FLOAT, 1e-4, 1e-1, log_scale=True) -> range [-4, -1]
        >>> t.transform_observation_features([ObservationFeatures({"lr": 0.01})])
        [ObservationFeatures(parameters={'lr': -2.0})]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.bounds: Dict[str, Tuple[float, float]] = {
            name: (float(p.lower), float(p.upper))
            for name, p in search_space.parameters.items()
            if isinstance(p, RangeParameter)
            and p.parameter_type is ParameterType.FLOAT
            and p.log_scale
        }
        check_unconstrained("Log", search_space, self.bounds)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.bounds:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            if name in self.bounds and isinstance(p, RangeParameter):
                target = p.target_value
                parameters.append(
                    RangeParameter(
                        name,
                        ParameterType.FLOAT,
                        math.log10(p.lower),
                        math.log10(p.upper),
                        log_scale=False,
                        is_fidelity=p.is_fidelity,
                        target_value=None if target is None else math.log10(target),  # type: ignore[arg-type]
                    )
                )
            else:
                parameters.append(p)
        return rebuild_search_space(search_space, parameters)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name in self.bounds:
                value = obsf.parameters.get(name)
                if value is None:
                    continue
                number = float(value)
                if not number > 0:
                    raise UserInputError(
                        f"Log: parameter {name!r} is on a log scale and must be > 0, got "
                        f"{name}={value!r}"
                    )
                obsf.parameters[name] = math.log10(number)
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, (lower, upper) in self.bounds.items():
                value = obsf.parameters.get(name)
                if value is None:
                    continue
                x = float(value)
                untransformed = 10.0**x
                if math.log10(lower) <= x <= math.log10(upper):
                    untransformed = min(max(untransformed, lower), upper)
                obsf.parameters[name] = untransformed
        return observation_features


__all__ = ["Log"]
