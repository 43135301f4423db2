"""Bridge to the discrete generators: :class:`DiscreteModelBridge`."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Dict, List, Optional, Sequence, Tuple, cast

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, FixedParameter
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig, TParamValue
from ax.exceptions import UnsupportedError
from ax.modelbridge.base import GenResults, ModelBridge
from ax.modelbridge.modelbridge_utils import (
    check_optimization_config,
    extract_objective_weights,
    extract_outcome_constraints,
    fixed_features_by_index,
)
from ax.models.discrete.base import DiscreteModel
from ax.utils.logger import get_logger

logger = get_logger(__name__)


class DiscreteModelBridge(ModelBridge):
    """Drives a :class:`~ax.models.discrete.base.DiscreteModel` (factorial, Thompson).

    After the transforms every parameter must be a ChoiceParameter or a FixedParameter
    (use IntRangeToChoice or SearchSpaceToChoice). The model is fit with, per outcome
    (sorted metric names), the points observed and their means and variances, and gets
    the ``parameter_values`` of each parameter, the objective weights (+1 maximise, -1
    minimise) and the outcome constraints ``(A, b)`` at generation. An arm observed in
    several trials (rounds of a bandit fitted on all the data) is pooled into one
    observation by inverse-variance weighting. Models that learn
    nothing (a factorial design) are not fit. Generated points that break a parameter
    constraint of the transformed space are dropped (logged).

    Raises:
        UnsupportedError: A transformed parameter is not a choice or fixed parameter,
            or a metric has observations of unknown noise (NaN SEM) for a model that
            learns from data.

    Example:
        >>> bridge = DiscreteModelBridge(space, FullFactorialGenerator(),
        ...                              transforms=[IntRangeToChoice])
        >>> len(bridge.gen(-1).arms)  # every combination
    """

    model: DiscreteModel

    def _fit(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        self.parameters, parameter_values = self._parameter_values(search_space)
        self.outcomes: List[str] = sorted(
            {name for obsd in observation_data for name in obsd.metric_names}
        )
        if not observation_data or not self._learns():
            return
        # Per outcome, {point: [(mean, variance), ...]}: an arm observed in several trials
        # (e.g. rounds of a bandit) is pooled into one observation below.
        pooled: List[Dict[Tuple[Hashable, ...], List[Tuple[float, float]]]] = [
            {} for _ in self.outcomes
        ]
        index = {name: i for i, name in enumerate(self.outcomes)}
        for obsf, obsd in zip(observation_features, observation_data):
            point = tuple(obsf.parameters[name] for name in self.parameters)
            for j, metric in enumerate(obsd.metric_names):
                variance = float(obsd.covariance[j, j])
                if np.isnan(variance):
                    raise UnsupportedError(
                        f"{type(self).__name__}: metric {metric!r} has an observation with "
                        f"unknown noise (NaN SEM) at {obsf.parameters!r}; "
                        f"{type(self.model).__name__} needs known SEMs"
                    )
                pooled[index[metric]].setdefault(point, []).append((float(obsd.means[j]), variance))
        Xs: List[List[List[Hashable]]] = [[list(p) for p in by_point] for by_point in pooled]
        Ys: List[List[float]] = [[] for _ in self.outcomes]
        Yvars: List[List[float]] = [[] for _ in self.outcomes]
        for i, by_point in enumerate(pooled):
            for measurements in by_point.values():
                mean, variance = inverse_variance_pool(measurements)
                Ys[i].append(mean)
                Yvars[i].append(variance)
        self.model.fit(Xs, Ys, Yvars, parameter_values, self.outcomes)

    def _learns(self) -> bool:
        """Whether the model learns from data (overrides ``DiscreteModel._fit``)."""
        return type(self.model)._fit is not DiscreteModel._fit

    def _parameter_values(
        self, search_space: SearchSpace
    ) -> Tuple[List[str], List[List[Hashable]]]:
        names: List[str] = []
        values: List[List[Hashable]] = []
        for name, p in search_space.parameters.items():
            if isinstance(p, ChoiceParameter):
                values.append(list(p.values))
            elif isinstance(p, FixedParameter):
                values.append([p.value])
            else:
                raise UnsupportedError(
                    f"{type(self).__name__}: parameter {name!r} ({p!r}) is not a choice or "
                    "fixed parameter after the transforms",
                    hint="add the IntRangeToChoice or SearchSpaceToChoice transform",
                )
            names.append(name)
        return names, values

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
        owner = type(self).__name__
        names, parameter_values = self._parameter_values(search_space)
        objective_weights = None
        outcome_constraints = None
        if optimization_config is not None and (self.outcomes or self._learns()):
            check_optimization_config(owner, optimization_config, self.outcomes)
            objective_weights = extract_objective_weights(
                optimization_config.objective, self.outcomes
            )
            outcome_constraints = extract_outcome_constraints(
                optimization_config.outcome_constraints, self.outcomes
            )
        pending: Optional[List[List[List[Hashable]]]] = None
        if any(pending_observations.values()):
            pending = [
                [
                    [f.parameters.get(name) for name in names]
                    for f in pending_observations.get(metric, [])
                ]
                for metric in self.outcomes
            ]
        points, weights, metadata = self.model.gen(
            n,
            parameter_values,
            objective_weights=objective_weights,
            outcome_constraints=outcome_constraints,
            fixed_features=fixed_features_by_index(owner, fixed_features, names),
            pending_observations=pending,
            model_gen_options=model_gen_options,
        )
        features = [
            ObservationFeatures({n: cast(TParamValue, v) for n, v in zip(names, point)})
            for point in points
        ]
        kept_weights = list(weights)
        constraints = search_space.parameter_constraints
        if constraints:
            keep = [all(c.check(f.parameters) for c in constraints) for f in features]
            if not all(keep):
                logger.info(
                    "%s: dropping %d generated point(s) that break parameter constraints",
                    owner,
                    keep.count(False),
                )
                features = [f for f, ok in zip(features, keep) if ok]
                kept_weights = [w for w, ok in zip(kept_weights, keep) if ok]
        return GenResults(features=features, weights=kept_weights, gen_metadata=metadata)

    def _predict(self, observation_features: List[ObservationFeatures]) -> List[ObservationData]:
        X = [[f.parameters.get(name) for name in self.parameters] for f in observation_features]
        means, covariances = self.model.predict(X)
        return [
            ObservationData(list(self.outcomes), means[i], covariances[i])
            for i in range(len(observation_features))
        ]


def inverse_variance_pool(measurements: Sequence[Tuple[float, float]]) -> Tuple[float, float]:
    """One ``(mean, variance)`` from several of the same quantity, by inverse variance.

    Noiseless measurements (variance 0), if any, are averaged and win outright.

    Args:
        measurements: ``(mean, variance)`` pairs (at least one; variances >= 0).
    """
    if len(measurements) == 1:
        return measurements[0]
    exact = [mean for mean, variance in measurements if variance <= 0.0]
    if exact:
        return float(np.mean(exact)), 0.0
    precision = sum(1.0 / variance for _, variance in measurements)
    mean = sum(m / v for m, v in measurements) / precision
    return float(mean), 1.0 / precision


__all__ = ["DiscreteModelBridge", "inverse_variance_pool"]
