"""Standardise each metric within strata of a choice parameter: :class:`StratifiedStandardizeY`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, FixedParameter
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig, TParamValue
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.standardize_y import MIN_STD, standardize, unstandardize

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

TStratumKey = Tuple[TParamValue, str]
"""``(value of the stratification parameter, metric name)``."""


class StratifiedStandardizeY(Transform):
    """Like :class:`~ax.modelbridge.transforms.standardize_y.StandardizeY`, per stratum.

    Observations are grouped by the value of one choice parameter (by default the
    search space's only task parameter, e.g. the one ``TrialAsTask`` adds) and each
    metric is standardised within its group: tasks with different scales then share a
    model. Outcome-constraint bounds are standardised with the statistics of the stratum
    that generation is fixed to (``fixed_features`` must fix the parameter).

    Config keys: ``parameter_name`` (the parameter to stratify on).

    Raises:
        UserInputError: No parameter given and the space has not exactly one task
            parameter; the parameter is not a choice or fixed parameter; an observation
            lacks it; generation with outcome constraints does not fix it; a constraint
            is relative.
        DataRequiredError: No training data, or a stratum has no data for a metric.
    """

    config_keys = frozenset({"parameter_name"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.p_name = self._parameter_name(search_space)
        if not observation_data:
            raise DataRequiredError(
                "StratifiedStandardizeY: cannot standardise without training data, got 0 "
                "observations"
            )
        values: Dict[TStratumKey, List[float]] = {}
        for obsf, obsd in zip(observation_features, observation_data):
            stratum = self._stratum(obsf)
            for name, mean in zip(obsd.metric_names, obsd.means):
                values.setdefault((stratum, name), []).append(float(mean))
        self.Ymean: Dict[TStratumKey, float] = {}
        self.Ystd: Dict[TStratumKey, float] = {}
        for key, ys in values.items():
            std = float(np.std(ys))
            self.Ymean[key] = float(np.mean(ys))
            self.Ystd[key] = std if std >= MIN_STD else 1.0

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsf, obsd in zip(observation_features, observation_data):
            standardize(obsd, *self._stats(self._stratum(obsf), obsd.metric_names))
        return observation_data

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        for obsf, obsd in zip(observation_features, observation_data):
            unstandardize(obsd, *self._stats(self._stratum(obsf), obsd.metric_names))
        return observation_data

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        if not optimization_config.outcome_constraints:
            return optimization_config
        if fixed_features is None or self.p_name not in fixed_features.parameters:
            raise UserInputError(
                f"StratifiedStandardizeY: generating with outcome constraints needs "
                f"{self.p_name!r} fixed (fixed_features) to pick the stratum"
            )
        stratum = fixed_features.parameters[self.p_name]
        constraints = []
        for constraint in optimization_config.outcome_constraints:
            if constraint.relative:
                raise UserInputError(
                    f"StratifiedStandardizeY: outcome constraint {constraint!r} is relative; "
                    "it must be made absolute first",
                    hint="put Derelativize before StratifiedStandardizeY in the transforms",
                )
            means, stds = self._stats(stratum, [constraint.metric.name])
            standardised = constraint.clone()
            standardised.bound = float((constraint.bound - means[0]) / stds[0])
            constraints.append(standardised)
        optimization_config.outcome_constraints = constraints
        return optimization_config

    def _parameter_name(self, search_space: SearchSpace) -> str:
        name = self.config.get("parameter_name")
        if name is None:
            tasks = [
                n
                for n, p in search_space.parameters.items()
                if isinstance(p, ChoiceParameter) and p.is_task
            ]
            if len(tasks) != 1:
                raise UserInputError(
                    "StratifiedStandardizeY: config['parameter_name'] is needed when the "
                    f"search space has not exactly one task parameter (task parameters: {tasks})"
                )
            return tasks[0]
        parameter = search_space.parameters.get(name) if isinstance(name, str) else None
        if not isinstance(parameter, (ChoiceParameter, FixedParameter)):
            raise UserInputError(
                f"StratifiedStandardizeY: config['parameter_name']={name!r} must name a "
                f"choice or fixed parameter of the search space {sorted(search_space.parameters)}"
            )
        return str(name)

    def _stratum(self, obsf: ObservationFeatures) -> TParamValue:
        if self.p_name not in obsf.parameters:
            raise UserInputError(
                f"StratifiedStandardizeY: observation features {obsf.parameters!r} lack the "
                f"stratification parameter {self.p_name!r}"
            )
        return obsf.parameters[self.p_name]

    def _stats(
        self, stratum: TParamValue, metric_names: List[str]
    ) -> Tuple[np.ndarray, np.ndarray]:
        try:
            means = np.array([self.Ymean[(stratum, m)] for m in metric_names])
            stds = np.array([self.Ystd[(stratum, m)] for m in metric_names])
        except KeyError as err:
            raise DataRequiredError(
                f"StratifiedStandardizeY: no training data for {err.args[0]!r} "
                f"(({self.p_name} value, metric))"
            ) from None
        return means, stds


__all__ = ["StratifiedStandardizeY"]
