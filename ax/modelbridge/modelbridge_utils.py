"""Array helpers of the model bridges: core objects to arrays over named columns and back.

Shared by :class:`~ax.modelbridge.base.ModelBridge` and its subclasses (random, discrete,
torch): features to `n x d` arrays, objective weights, outcome and parameter constraints as
``A x <= b`` arrays, fixed features by index and ObservationData to model predictions.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ax.core.objective import Objective
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.types import (
    ComparisonOp,
    TModelCov,
    TModelMean,
    TModelPredict,
    TModelPredictArm,
)
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError


def observation_data_to_predict(data: List[ObservationData]) -> TModelPredict:
    """``({metric: [means]}, {m1: {m2: [covs]}})`` from per-point ObservationData.

    Raises:
        UserInputError: The points do not all have the same metrics.
    """
    if not data:
        return {}, {}
    names = data[0].metric_names
    means: TModelMean = {m: [] for m in names}
    covs: TModelCov = {m1: {m2: [] for m2 in names} for m1 in names}
    for i, obsd in enumerate(data):
        if obsd.metric_names != names and sorted(obsd.metric_names) != sorted(names):
            raise UserInputError(
                f"predict: point {i} has metrics {obsd.metric_names}, point 0 has "
                f"{names}; every point must have the same metrics"
            )
        for j, m1 in enumerate(obsd.metric_names):
            means[m1].append(float(obsd.means[j]))
            for k, m2 in enumerate(obsd.metric_names):
                covs[m1][m2].append(float(obsd.covariance[j, k]))
    return means, covs


def single_prediction(prediction: TModelPredict) -> TModelPredictArm:
    means, covs = prediction
    return (
        {m: values[0] for m, values in means.items()},
        {m1: {m2: values[0] for m2, values in inner.items()} for m1, inner in covs.items()},
    )


def features_to_array(features: Sequence[ObservationFeatures], names: Sequence[str]) -> np.ndarray:
    """`n x d` float array of the features' values over ``names``.

    Raises:
        UserInputError: A feature lacks a parameter or has a non-numeric value.
    """
    out = np.empty((len(features), len(names)))
    for i, obsf in enumerate(features):
        parameters = obsf.parameters
        for j, name in enumerate(names):
            value = parameters.get(name)
            if value is None or isinstance(value, str):
                raise UserInputError(
                    f"features_to_array: point {i} needs a numeric value for parameter "
                    f"{name!r}, got {value!r}"
                )
            out[i, j] = float(value)
    return out


def array_to_features(X: np.ndarray, names: Sequence[str]) -> List[ObservationFeatures]:
    """ObservationFeatures from the rows of an `n x d` array over ``names``."""
    names = list(names)
    return [ObservationFeatures(dict(zip(names, row))) for row in np.asarray(X).tolist()]


def extract_parameter_constraints(
    constraints: Sequence[ParameterConstraint], names: Sequence[str]
) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """Linear constraints ``A x <= b`` over ``names``: `A` `k x d`, `b` `k x 1` (None if k=0).

    Raises:
        UnsupportedError: A constraint involves a parameter not in ``names``.
    """
    if not constraints:
        return None
    index = {name: j for j, name in enumerate(names)}
    A = np.zeros((len(constraints), len(index)))
    b = np.zeros((len(constraints), 1))
    for i, constraint in enumerate(constraints):
        for name, weight in constraint.constraint_dict.items():
            if name not in index:
                raise UnsupportedError(
                    f"parameter constraint {constraint!r} involves parameter {name!r}, which "
                    f"is not one of the modelled parameters {list(names)}"
                )
            A[i, index[name]] = weight
        b[i, 0] = constraint.bound
    return A, b


def check_optimization_config(
    owner: str, optimization_config: OptimizationConfig, outcomes: Sequence[str]
) -> None:
    """Check that a transformed config can be turned into arrays over ``outcomes``.

    Raises:
        UserInputError: A constraint is still relative (no Derelativize transform).
        DataRequiredError: A metric of the config has no training data.
    """
    for constraint in optimization_config.outcome_constraints:
        if constraint.relative:
            raise UserInputError(
                f"{owner}: outcome constraint {constraint!r} is relative; the model needs "
                "absolute bounds",
                hint="add the Derelativize transform, or use relative=False",
            )
    missing = sorted(set(optimization_config.metrics) - set(outcomes))
    if missing:
        raise DataRequiredError(
            f"{owner}: no training data for metric(s) {missing} of the optimization config; "
            f"modelled metrics are {list(outcomes)}"
        )


def extract_objective_weights(objective: Objective, outcomes: Sequence[str]) -> np.ndarray:
    """`m` weights over ``outcomes``: +1 for a maximised objective, -1 when minimised.

    A multi-objective (an objective with ``objectives``) gives each of its metrics the
    sign of its own objective; a scalarised objective (with ``metric_weights``) gives each
    metric its weight, negated when the sum is minimised.
    """
    weights = np.zeros(len(outcomes))
    index = {name: j for j, name in enumerate(outcomes)}
    if hasattr(objective, "objectives"):
        for sub in objective.objectives:
            weights[index[sub.metric.name]] = -1.0 if sub.minimize else 1.0
        return weights
    sign = -1.0 if objective.minimize else 1.0
    pairs = getattr(objective, "metric_weights", None)
    if pairs is not None and hasattr(objective, "weights"):
        for metric, weight in pairs:
            weights[index[metric.name]] = sign * float(weight)
        return weights
    for metric in objective.metrics:
        weights[index[metric.name]] = sign
    return weights


def is_multi_objective(optimization_config: OptimizationConfig) -> bool:
    """Whether the config has several objectives (a multi-objective config or objective)."""
    return hasattr(optimization_config, "objective_thresholds") or hasattr(
        optimization_config.objective, "objectives"
    )


def extract_outcome_constraints(
    outcome_constraints: Sequence[OutcomeConstraint], outcomes: Sequence[str]
) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    """``A y <= b`` over ``outcomes``: `A` `k x m`, `b` `k x 1`; None when k = 0.

    Each row has ``A[i, j] = s`` and ``b[i] = s * bound`` with ``s = +1`` for LEQ and
    ``s = -1`` for GEQ.
    """
    if not outcome_constraints:
        return None
    index = {name: j for j, name in enumerate(outcomes)}
    A = np.zeros((len(outcome_constraints), len(outcomes)))
    b = np.zeros((len(outcome_constraints), 1))
    for i, constraint in enumerate(outcome_constraints):
        sign = 1.0 if constraint.op is ComparisonOp.LEQ else -1.0
        A[i, index[constraint.metric.name]] = sign
        b[i, 0] = sign * constraint.bound
    return A, b


def fixed_features_by_index(
    owner: str, fixed_features: Optional[ObservationFeatures], names: Sequence[str]
) -> Optional[Dict[int, Any]]:
    """``{dimension index: value}`` of transformed fixed features (None when there are none).

    Raises:
        UserInputError: A fixed parameter is not one of ``names``.
    """
    if fixed_features is None or not fixed_features.parameters:
        return None
    index = {name: j for j, name in enumerate(names)}
    out: Dict[int, Any] = {}
    for name, value in fixed_features.parameters.items():
        if name not in index:
            raise UserInputError(
                f"{owner}: fixed feature {name!r} is not a modelled parameter; modelled "
                f"parameters are {list(names)}"
            )
        out[index[name]] = value
    return out


__all__ = [
    "array_to_features",
    "check_optimization_config",
    "extract_objective_weights",
    "extract_outcome_constraints",
    "extract_parameter_constraints",
    "features_to_array",
    "fixed_features_by_index",
    "is_multi_objective",
    "observation_data_to_predict",
]
