"""Objective thresholds of a multi-objective config through a bridge's transforms.

The Y transforms (``Derelativize``, ``StandardizeY``, ``LogY``, ...) rewrite the bounds of
outcome constraints in ``transform_optimization_config``; an objective threshold is a
bound of the same kind on an objective's metric. :func:`transformed_thresholds` passes
the thresholds through the very same code, as the outcome constraints of a shadow config
whose objective is a placeholder metric, so that every transform (including relative
thresholds derelativised against the status quo) treats them exactly like constraints.
:func:`untransformed_thresholds` maps the model-space thresholds a model used (given or
inferred) back to the metrics' own units, for the generator run's metadata.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Dict, List, Optional

import numpy as np

from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.exceptions import DataRequiredError

_PLACEHOLDER = "__objective_thresholds_placeholder__"


def transformed_thresholds(
    optimization_config: Any,
    transforms: Iterable[Any],
    outcomes: Sequence[str],
    bridge: Any,
    fixed_features: Optional[ObservationFeatures] = None,
) -> Optional[np.ndarray]:
    """`m` thresholds over ``outcomes`` in model space (NaN where none), or None.

    Args:
        optimization_config: The UNtransformed config (its ``objective_thresholds``, if
            any, are read; other configs give None).
        transforms: The bridge's transforms, in order.
        outcomes: The model's outcome names.
        bridge: The bridge (Derelativize predicts the status quo with it).
        fixed_features: The untransformed fixed features of the call.

    Raises:
        DataRequiredError: A threshold's metric has no training data.
    """
    thresholds = list(getattr(optimization_config, "objective_thresholds", None) or [])
    if not thresholds:
        return None
    index = {name: j for j, name in enumerate(outcomes)}
    missing = sorted({t.metric.name for t in thresholds} - set(index))
    if missing:
        raise DataRequiredError(
            f"objective thresholds on metric(s) {missing} have no training data; modelled "
            f"metrics are {list(outcomes)}"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # direction hints are for users' own constraints
        shadow = OptimizationConfig(
            objective=Objective(Metric(_PLACEHOLDER), minimize=False),
            outcome_constraints=[
                OutcomeConstraint(t.metric, t.op, t.bound, relative=t.relative) for t in thresholds
            ],
        )
    fixed = fixed_features.clone() if fixed_features is not None else None
    for transform in transforms:
        shadow = transform.transform_optimization_config(shadow, bridge, fixed)
        if fixed is not None:
            fixed = transform.transform_observation_features([fixed])[0]
    out = np.full(len(outcomes), np.nan)
    for constraint in shadow.outcome_constraints:
        out[index[constraint.metric.name]] = float(constraint.bound)
    return out


def untransformed_thresholds(
    thresholds: Sequence[Optional[float]],
    transforms: Sequence[Any],
    outcomes: Sequence[str],
) -> Optional[Dict[str, float]]:
    """``{metric: threshold}`` in the metrics' units from model-space thresholds (None
    entries skipped), by the transforms' ``untransform_observation_data`` in reverse;
    None when some transform cannot untransform them."""
    names: List[str] = []
    values: List[float] = []
    for name, value in zip(outcomes, thresholds):
        if value is not None and math.isfinite(float(value)):
            names.append(name)
            values.append(float(value))
    if not names:
        return None
    data = [ObservationData(names, np.array(values), np.zeros((len(names), len(names))))]
    features = [ObservationFeatures({})]
    try:
        for transform in reversed(list(transforms)):
            data = transform.untransform_observation_data(data, features)
    except Exception:  # noqa: BLE001 - metadata only: a transform needing real features
        return None
    return {name: float(v) for name, v in zip(data[0].metric_names, data[0].means)}


def threshold_metadata(
    gen_metadata: Mapping[str, Any], transforms: Sequence[Any], outcomes: Sequence[str]
) -> Dict[str, Any]:
    """``gen_metadata`` plus ``objective_thresholds_original`` (metric units) when the
    model reported ``objective_thresholds`` and they can be untransformed."""
    out = dict(gen_metadata)
    model_space = out.get("objective_thresholds")
    if isinstance(model_space, list) and len(model_space) == len(outcomes):
        original = untransformed_thresholds(model_space, transforms, outcomes)
        if original is not None:
            out["objective_thresholds_original"] = original
    return out


__all__ = ["threshold_metadata", "transformed_thresholds", "untransformed_thresholds"]
