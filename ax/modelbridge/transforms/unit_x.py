"""Float ranges mapped to the unit interval: :class:`UnitX`."""

from __future__ import annotations

from typing import ClassVar, Dict, List, Optional, Tuple

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import Parameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.modelbridge.transforms.base import Transform, rebuild_search_space


class UnitX(Transform):
    """Every FLOAT, non-log range ``[l, u]`` becomes ``[0, 1]`` by ``(x - l) / (u - l)``.

    A linear constraint ``sum_i w_i x_i <= b`` becomes
    ``sum_i w_i' x_i' <= b'`` with ``w_i' = w_i (u_i - l_i)`` and
    ``b' = b - sum_i w_i l_i`` over the transformed parameters (other terms are kept);
    Order and Sum constraints become general
    :class:`~ax.core.parameter_constraint.ParameterConstraint` s. A fidelity target
    value is rescaled when its parameter is transformed (the reference raised a
    KeyError for a fidelity parameter this transform does not handle). The untransform
    is ``x' (u - l) + l``, clipped into ``[l, u]`` for values inside ``[0, 1]`` so that
    rounding error never leaves the bounds.

    Example:
        >>> # RangeParameter("x", FLOAT, 2.0, 4.0) -> RangeParameter("x", FLOAT, 0.0, 1.0)
        >>> t.transform_observation_features([ObservationFeatures({"x": 3.0})])
        [ObservationFeatures(parameters={'x': 0.5})]
    """

    target_lb: ClassVar[float] = 0.0
    """Lower end of the interval ranges are mapped to (see :class:`CenteredUnitX`)."""
    target_range: ClassVar[float] = 1.0
    """Width of that interval."""

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
            and not p.log_scale
        }

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
                        self.target_lb,
                        self.target_lb + self.target_range,
                        is_fidelity=p.is_fidelity,
                        target_value=(
                            None if target is None else self._normalize(name, float(target))
                        ),
                    )
                )
            else:
                parameters.append(p)
        constraints: List[ParameterConstraint] = []
        for constraint in search_space.parameter_constraints:
            weights: Dict[str, float] = {}
            bound = constraint.bound
            for name, weight in constraint.constraint_dict.items():
                if name in self.bounds:
                    # x = (x' - target_lb) * scale + lower, with scale = (u - l) / range.
                    lower, upper = self.bounds[name]
                    scale = (upper - lower) / self.target_range
                    weights[name] = weight * scale
                    bound -= weight * (lower - self.target_lb * scale)
                else:
                    weights[name] = weight
            constraints.append(ParameterConstraint(weights, bound))
        return rebuild_search_space(search_space, parameters, constraints)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name in self.bounds:
                value = obsf.parameters.get(name)
                if value is not None:
                    obsf.parameters[name] = self._normalize(name, float(value))
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
                untransformed = (x - self.target_lb) / self.target_range * (upper - lower) + lower
                if self.target_lb <= x <= self.target_lb + self.target_range:
                    untransformed = min(max(untransformed, lower), upper)
                obsf.parameters[name] = untransformed
        return observation_features

    def _normalize(self, name: str, value: float) -> float:
        lower, upper = self.bounds[name]
        return (value - lower) / (upper - lower) * self.target_range + self.target_lb


__all__ = ["UnitX"]
