"""Bridge to the quasi-random generators: :class:`RandomModelBridge`."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.core.experiment import Experiment
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import FixedParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UnsupportedError
from ax.modelbridge.base import GenResults, ModelBridge
from ax.modelbridge.modelbridge_utils import (
    array_to_features,
    extract_parameter_constraints,
    features_to_array,
    fixed_features_by_index,
)
from ax.models.random.base import RandomModel

_TRANSFORM_HINT = (
    "use the continuous transforms (RemoveFixed, OrderedChoiceEncode, OneHot, IntToFloat, "
    "Log, UnitX)"
)


class RandomModelBridge(ModelBridge):
    """Drives a :class:`~ax.models.random.base.RandomModel` (Sobol, uniform).

    Needs no data (none is read). After the transforms every parameter must be a
    non-log range in ``[0, 1]`` (or a numeric fixed parameter); the generator gets the
    bounds, the linear constraints ``(A, b)`` of the transformed space, the fixed
    features by dimension, and a rounding function that rounds each candidate in the
    original space (integers, one-hot columns, choices) before the constraints are
    checked. There is no prediction, cross-validation or best point; ``update`` does
    nothing.

    Raises:
        UnsupportedError: A transformed parameter is not a numeric range in ``[0, 1]``
            or a numeric fixed parameter (the message names it).

    Example:
        >>> bridge = RandomModelBridge(space, SobolGenerator(seed=0), transforms=Cont_X_trans)
        >>> bridge.gen(4).arms  # four arms of ``space``
    """

    _needs_data = False

    model: RandomModel

    def _fit(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        self.parameters: List[str] = list(search_space.parameters)
        self._bounds_and_fixed(search_space)

    def _bounds_and_fixed(
        self, search_space: SearchSpace
    ) -> Tuple[List[Tuple[float, float]], Dict[int, float]]:
        name = type(self).__name__
        unit_cube = isinstance(self.model, RandomModel)
        bounds: List[Tuple[float, float]] = []
        fixed: Dict[int, float] = {}
        for j, p in enumerate(search_space.parameters.values()):
            if isinstance(p, RangeParameter) and not p.log_scale:
                lower, upper = float(p.lower), float(p.upper)
                if unit_cube and (lower, upper) != (0.0, 1.0):
                    raise UnsupportedError(
                        f"{name}: parameter {p.name!r} has bounds [{lower}, {upper}] after the "
                        f"transforms; {type(self.model).__name__} samples the unit cube "
                        "[0, 1]^d",
                        hint="add the UnitX transform (and IntToFloat, Log before it)",
                    )
                bounds.append((lower, upper))
            elif isinstance(p, FixedParameter) and p.is_numeric:
                value = float(p.value)  # type: ignore[arg-type]
                bounds.append((value, value))
                fixed[j] = value
            else:
                raise UnsupportedError(
                    f"{name}: parameter {p.name!r} ({p!r}) cannot be sampled after the "
                    "transforms; every parameter must be a numeric range without log scale",
                    hint=_TRANSFORM_HINT,
                )
        return bounds, fixed

    def _gen(
        self,
        n: int,
        search_space: SearchSpace,
        pending_observations: Dict[str, List[ObservationFeatures]],
        fixed_features: Optional[ObservationFeatures],
        model_gen_options: Optional[TConfig],
        optimization_config: Optional[OptimizationConfig],
        original_search_space: SearchSpace,
    ) -> GenResults:
        names = list(search_space.parameters)
        bounds, fixed = self._bounds_and_fixed(search_space)
        if self.model.deduplicate and self._experiment is not None:
            self._remember_experiment_arms(self._experiment, names)
        requested = fixed_features_by_index(type(self).__name__, fixed_features, names) or {}
        fixed.update({j: float(v) for j, v in requested.items()})
        X, weights = self.model.gen(
            n,
            bounds,
            linear_constraints=extract_parameter_constraints(
                search_space.parameter_constraints, names
            ),
            fixed_features=fixed or None,
            model_gen_options=model_gen_options,
            rounding_func=self.rounding_func(names, original_search_space),
        )
        return GenResults(features=array_to_features(X, names), weights=list(weights))

    def _remember_experiment_arms(self, experiment: Experiment, names: List[str]) -> None:
        """Seed the generator's de-duplication memory with the experiment's in-design arms."""
        space = self._model_space
        arms = [
            arm
            for arm in experiment._arms_by_name.values()
            if space.check_membership(arm.parameters)
        ]
        if not arms:
            return
        features = self.transform_observation_features(
            [ObservationFeatures.from_arm(arm) for arm in arms]
        )
        seen = features_to_array(features, names)
        previous = self.model.generated_points
        if previous is not None and previous.shape[1] == seen.shape[1]:
            seen = np.vstack([previous, seen])
        self.model.generated_points = np.unique(seen, axis=0)

    def _model_state_to_record(self) -> Optional[Dict[str, Any]]:
        state = super()._model_state_to_record()
        if state is not None and self._experiment is not None:
            # Re-derived from the experiment's arms at the next build, so that saved generator
            # runs do not each carry every earlier point (storage quadratic in the trials).
            state.pop("generated_points", None)
        return state


__all__ = ["RandomModelBridge"]
