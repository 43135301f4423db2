"""Drop fixed parameters from the modelled space: :class:`RemoveFixed`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import FixedParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import Transform, rebuild_search_space


class RemoveFixed(Transform):
    """Removes :class:`~ax.core.parameter.FixedParameter` s; the untransform puts them back.

    A general parameter constraint that involves a fixed parameter keeps its other terms,
    with the fixed value moved into the bound (``w x + v_f w_f <= b`` becomes
    ``w x <= b - w_f v_f``); a constraint left with no terms is dropped.

    Example:
        >>> t = RemoveFixed(space, [], [])  # space has FixedParameter("f", INT, 3)
        >>> t.transform_observation_features([ObservationFeatures({"x": 0.1, "f": 3})])
        [ObservationFeatures(parameters={'x': 0.1})]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.fixed_parameters: Dict[str, FixedParameter] = {
            name: p for name, p in search_space.parameters.items() if isinstance(p, FixedParameter)
        }

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        fixed = {
            name: p.value
            for name, p in search_space.parameters.items()
            if isinstance(p, FixedParameter)
        }
        if not fixed:
            return search_space
        kept = [p for p in search_space.parameters.values() if p.name not in fixed]
        constraints: List[ParameterConstraint] = []
        for constraint in search_space.parameter_constraints:
            involved = [name for name in constraint.parameter_names if name in fixed]
            if not involved:
                constraints.append(constraint)
                continue
            weights = constraint.constraint_dict
            bound = constraint.bound
            for name in involved:
                bound -= weights.pop(name) * float(fixed[name])  # type: ignore[arg-type]
            if weights:
                constraints.append(ParameterConstraint(weights, bound))
        return rebuild_search_space(search_space, kept, constraints)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            parameters = obsf.parameters
            for name, p in self.fixed_parameters.items():
                if name not in parameters:
                    continue
                value = parameters.pop(name)
                if value is not None and not p.validate(value):
                    raise UserInputError(
                        f"RemoveFixed: parameter {name!r} is fixed to {p.value!r}, got "
                        f"{name}={value!r}"
                    )
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, p in self.fixed_parameters.items():
                obsf.parameters[name] = p.value
        return observation_features


__all__ = ["RemoveFixed"]
