"""Values cast to their parameters' types on the way back: :class:`Cast`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import Parameter
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.modelbridge.transforms.base import Transform


class Cast(Transform):
    """Untransformed values are cast to their parameter's type (Ax puts it first).

    With Cast first in a transform list, the points a model proposes come back with
    the user's types: an INT parameter gets an ``int`` (rounded to the nearest), a FLOAT
    one with ``digits`` is rounded, a BOOL one gets a ``bool``. The forward pass casts too,
    so that training features sloppily typed by hand (``1`` for a FLOAT) compare equal.
    None (an out-of-design value) stays None; parameters not in the space are untouched.

    Raises:
        UserInputTypeError: A value cannot be cast to its parameter's type.

    Example:
        >>> # RangeParameter("n", INT, 1, 10)
        >>> t.untransform_observation_features([ObservationFeatures({"n": 3.0})])
        [ObservationFeatures(parameters={'n': 3})]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.parameters: Dict[str, Parameter] = {
            name: p.clone() for name, p in search_space.parameters.items()
        }

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        return self._cast(observation_features)

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        return self._cast(observation_features)

    def _cast(self, observation_features: List[ObservationFeatures]) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, value in obsf.parameters.items():
                parameter = self.parameters.get(name)
                if parameter is not None and value is not None:
                    obsf.parameters[name] = parameter.cast(value)
        return observation_features


__all__ = ["Cast"]
