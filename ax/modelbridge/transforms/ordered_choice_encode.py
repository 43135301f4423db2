"""Ordered choices as integer ranges: :class:`OrderedChoiceEncode`."""

from __future__ import annotations

import math
from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import ChoiceParameter, Parameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig, TParamValue
from ax.exceptions import UnsupportedError, UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    check_unconstrained,
    rebuild_search_space,
)


class OrderedChoiceEncode(Transform):
    """An ordered, non-task choice parameter becomes an INT range ``[0, n - 1]``.

    Each value maps to its position in the parameter's value list; the untransform maps
    positions (rounded to the nearest integer) back to values.

    Raises:
        UnsupportedError: An encoded parameter is a fidelity parameter or is used in a
            parameter constraint.

    Example:
        >>> # ChoiceParameter("size", INT, [8, 16, 32], is_ordered=True) -> range [0, 2]
        >>> t.transform_observation_features([ObservationFeatures({"size": 32})])
        [ObservationFeatures(parameters={'size': 2})]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        label = type(self).__name__
        self.encoded_parameters: Dict[str, List[TParamValue]] = {}
        self._index: Dict[str, Dict[TParamValue, int]] = {}
        for name, p in search_space.parameters.items():
            if isinstance(p, ChoiceParameter) and self._encodes(p):
                if p.is_fidelity:
                    raise UnsupportedError(f"{label}: cannot encode fidelity parameter {name!r}")
                self.encoded_parameters[name] = p.values
                self._index[name] = {value: i for i, value in enumerate(p.values)}
        check_unconstrained(label, search_space, self.encoded_parameters)

    @staticmethod
    def _encodes(parameter: ChoiceParameter) -> bool:
        """Whether this transform encodes ``parameter`` (ordered, non-task choices)."""
        return parameter.is_ordered and not parameter.is_task

    @staticmethod
    def _encoded(name: str, parameter: ChoiceParameter) -> Parameter:
        """The parameter that replaces ``parameter`` in the transformed space."""
        return RangeParameter(name, ParameterType.INT, 0, len(parameter.values) - 1)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.encoded_parameters:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            if name in self.encoded_parameters and isinstance(p, ChoiceParameter):
                parameters.append(self._encoded(name, p))
            else:
                parameters.append(p)
        return rebuild_search_space(search_space, parameters)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, index in self._index.items():
                value = obsf.parameters.get(name)
                if value is None:
                    continue
                try:
                    obsf.parameters[name] = index[value]
                except KeyError:
                    raise UserInputError(
                        f"{type(self).__name__}: value {value!r} of parameter {name!r} is not "
                        f"one of its values {self.encoded_parameters[name]}"
                    ) from None
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, values in self.encoded_parameters.items():
                value = obsf.parameters.get(name)
                if value is None:
                    continue
                position = float(value)
                i = int(round(position)) if math.isfinite(position) else -1
                if not 0 <= i < len(values):
                    raise UserInputError(
                        f"{type(self).__name__}: encoded value of parameter {name!r} must be "
                        f"in [0, {len(values) - 1}], got {value!r}"
                    )
                obsf.parameters[name] = values[i]
        return observation_features


__all__ = ["OrderedChoiceEncode"]
