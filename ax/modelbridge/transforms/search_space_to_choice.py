"""The whole search space as one choice among the observed arms: :class:`SearchSpaceToChoice`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.arm import Arm
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig, TParameterization
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.modelbridge.transforms.base import Transform

ARMS_PARAMETER = "arms"
"""Name of the single parameter of the transformed space."""


class SearchSpaceToChoice(Transform):
    """Replaces the space by one STRING parameter ``"arms"`` over the observed arms.

    Its values are the signatures of the arms in the training features, in order of
    first appearance; it is a ChoiceParameter, or a FixedParameter when there is only
    one arm. Features become ``{"arms": signature}`` and the untransform restores the
    arm's parameters.

    Raises:
        UnsupportedError: The space has fidelity parameters.
        DataRequiredError: There are no training features.
        UserInputError: A feature is not one of the observed arms (on transform), or a
            signature is unknown (on untransform).

    Example:
        >>> t = SearchSpaceToChoice(space, [ObservationFeatures({"x": 1}), ...], [...])
        >>> t.transform_search_space(space).parameters["arms"].values  # signatures
    """

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        fidelity = [name for name, p in search_space.parameters.items() if p.is_fidelity]
        if fidelity:
            raise UnsupportedError(
                f"SearchSpaceToChoice: fidelity parameters are not supported, got {fidelity}"
            )
        if not observation_features:
            raise DataRequiredError(
                "SearchSpaceToChoice: needs observed arms to choose among, got 0 observations"
            )
        self.parameters_by_signature: Dict[str, TParameterization] = {}
        for obsf in observation_features:
            signature = Arm.md5hash(obsf.parameters)
            self.parameters_by_signature.setdefault(signature, dict(obsf.parameters))

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        signatures = list(self.parameters_by_signature)
        parameter: Parameter
        if len(signatures) == 1:
            parameter = FixedParameter(ARMS_PARAMETER, ParameterType.STRING, signatures[0])
        else:
            parameter = ChoiceParameter(ARMS_PARAMETER, ParameterType.STRING, signatures)
        return SearchSpace([parameter])

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            signature = Arm.md5hash(obsf.parameters)
            if signature not in self.parameters_by_signature:
                raise UserInputError(
                    f"SearchSpaceToChoice: parameters {obsf.parameters!r} are not one of the "
                    f"{len(self.parameters_by_signature)} observed arms"
                )
            obsf.parameters = {ARMS_PARAMETER: signature}
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            signature = obsf.parameters.get(ARMS_PARAMETER)
            parameters = self.parameters_by_signature.get(str(signature))
            if parameters is None:
                raise UserInputError(
                    f"SearchSpaceToChoice: {ARMS_PARAMETER!r} value {signature!r} is not the "
                    "signature of an observed arm"
                )
            obsf.parameters = dict(parameters)
        return observation_features


__all__ = ["ARMS_PARAMETER", "SearchSpaceToChoice"]
