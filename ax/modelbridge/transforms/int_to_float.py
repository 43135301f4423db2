"""Integer ranges as float ranges, rounded on the way back: :class:`IntToFloat`."""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Set, Tuple

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import Parameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig, TParameterization
from ax.modelbridge.transforms.base import (
    Transform,
    config_choice,
    config_int,
    rebuild_search_space,
)
from ax.utils.logger import get_logger

logger = get_logger(__name__)

DEFAULT_MAX_ROUND_ATTEMPTS = 10000
"""Default of ``config["max_round_attempts"]``."""


class IntToFloat(Transform):
    """INT range parameters become FLOAT ranges (log scale and fidelity kept).

    ``config["rounding"]`` chooses how the untransform rounds:

    - ``"strict"`` (the default): to the nearest integer (within the bounds). When an
      integer parameter takes part in a parameter constraint, nearest rounding may break
      the constraint; then randomized rounding is tried as below.
    - ``"randomized"``: always randomized rounding, ``floor(x) + Bernoulli(x - floor(x))``
      per parameter (so ``2.3`` gives 3 with probability 0.3): unbiased, which helps
      generators that draw many points, such as Sobol on an integer space.

    Randomized rounding draws from ``numpy.random.default_rng(config["seed"])`` (default
    seed 0) up to ``config["max_round_attempts"]`` times until every constraint holds,
    stopping early once every distinct rounding has been tried; if none works, it keeps
    nearest rounding (logged at debug level: a generator then rejects the point).

    Config keys: ``rounding``, ``max_round_attempts``, ``seed``.

    Example:
        >>> # RangeParameter("n", INT, 1, 10) -> RangeParameter("n", FLOAT, 1.0, 10.0)
        >>> t.untransform_observation_features([ObservationFeatures({"n": 3.7})])
        [ObservationFeatures(parameters={'n': 4})]
    """

    config_keys = frozenset({"rounding", "max_round_attempts", "seed"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.max_round_attempts = config_int(
            "IntToFloat", self.config, "max_round_attempts", DEFAULT_MAX_ROUND_ATTEMPTS, 1
        )
        self.rounding = config_choice(
            "IntToFloat", self.config, "rounding", "strict", ["strict", "randomized"]
        )
        self._rng = np.random.default_rng(config_int("IntToFloat", self.config, "seed", 0, 0))
        self.int_parameters: Dict[str, RangeParameter] = {
            name: p
            for name, p in search_space.parameters.items()
            if isinstance(p, RangeParameter) and p.parameter_type is ParameterType.INT
        }
        self.constraints: List[ParameterConstraint] = [
            c
            for c in search_space.parameter_constraints
            if any(name in self.int_parameters for name in c.parameter_names)
        ]

    @property
    def contains_constrained_integer(self) -> bool:
        """Whether an integer parameter takes part in a parameter constraint."""
        return bool(self.constraints)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.int_parameters:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            if (
                name in self.int_parameters
                and isinstance(p, RangeParameter)
                and p.parameter_type is ParameterType.INT
            ):
                target = p.target_value
                parameters.append(
                    RangeParameter(
                        name,
                        ParameterType.FLOAT,
                        float(p.lower),
                        float(p.upper),
                        log_scale=p.log_scale,
                        is_fidelity=p.is_fidelity,
                        target_value=None if target is None else float(target),
                    )
                )
            else:
                parameters.append(p)
        return rebuild_search_space(search_space, parameters)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name in self.int_parameters:
                value = obsf.parameters.get(name)
                if value is not None:
                    obsf.parameters[name] = float(value)
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            present = [
                name
                for name in self.int_parameters
                if isinstance(obsf.parameters.get(name), (int, float))
                and math.isfinite(float(obsf.parameters[name]))  # type: ignore[arg-type]
            ]
            if not present:
                continue
            nearest = self._nearest(obsf.parameters, present)
            if self.rounding == "randomized" or (
                self.constraints and not self._feasible(obsf.parameters, nearest)
            ):
                nearest = self._randomized(obsf.parameters, present, nearest)
            obsf.parameters.update(nearest)
        return observation_features

    def _nearest(self, parameters: TParameterization, names: List[str]) -> Dict[str, int]:
        rounded: Dict[str, int] = {}
        for name in names:
            p = self.int_parameters[name]
            value = int(round(float(parameters[name])))  # type: ignore[arg-type]
            rounded[name] = min(max(value, int(p.lower)), int(p.upper))
        return rounded

    def _randomized(
        self, parameters: TParameterization, names: List[str], fallback: Dict[str, int]
    ) -> Dict[str, int]:
        values = np.array([float(parameters[name]) for name in names])  # type: ignore[arg-type]
        floors = np.floor(values)
        fractions = values - floors
        lowers = np.array([int(self.int_parameters[name].lower) for name in names])
        uppers = np.array([int(self.int_parameters[name].upper) for name in names])
        # Only parameters with a fractional part can round two ways: stop once every
        # distinct rounding has been tried.
        distinct = 2 ** int(np.count_nonzero(fractions > 0))
        tried: Set[Tuple[int, ...]] = set()
        for _ in range(self.max_round_attempts):
            draw = floors + (self._rng.random(len(names)) < fractions)
            key = tuple(int(v) for v in np.clip(draw, lowers, uppers))
            if key in tried:
                continue
            tried.add(key)
            candidate = dict(zip(names, key))
            if self._feasible(parameters, candidate):
                return candidate
            if len(tried) >= distinct:
                break
        logger.debug(
            "IntToFloat: no rounding of %s within %d attempts satisfies the parameter "
            "constraints; keeping nearest rounding %s",
            {name: parameters[name] for name in names},
            self.max_round_attempts,
            fallback,
        )
        return fallback

    def _feasible(self, parameters: TParameterization, rounded: Dict[str, int]) -> bool:
        merged = dict(parameters)
        merged.update(rounded)
        for constraint in self.constraints:
            present = all(merged.get(name) is not None for name in constraint.parameter_names)
            if present and not constraint.check(merged):
                return False
        return True


__all__ = ["DEFAULT_MAX_ROUND_ATTEMPTS", "IntToFloat"]
