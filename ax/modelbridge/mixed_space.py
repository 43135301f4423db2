"""The discrete structure of a transformed search space, for models that search it.

:func:`discrete_structure` pushes every allowed value of each integer, ordered-choice,
boolean and unordered-choice parameter through a bridge's transforms and reads where it
lands among the model's columns: a column that takes a few values is a lattice (ints
and ordered choices, after log scaling and the unit cube), several one-hot columns are a
group. Continuous parameters, and integers with more than :data:`MAX_LATTICE` values
(searched as continuous and rounded), are left out.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from ax.core.observation import ObservationFeatures
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TParamValue
from ax.modelbridge.transforms.base import Transform
from ax.models.discrete_structure import DiscreteStructure
from ax.utils.logger import get_logger

logger = get_logger(__name__)

MAX_LATTICE = 2000
"""Integer parameters with more values than this are searched as continuous, then rounded."""


def discrete_structure(
    transforms: Mapping[str, Transform], search_space: SearchSpace, names: Sequence[str]
) -> Optional[DiscreteStructure]:
    """Which model columns ``names`` are discrete, and their valid values.

    Args:
        transforms: The bridge's transforms, in order.
        search_space: The space before the transforms (the bridge's model space).
        names: The model's columns, in order.

    Returns:
        The structure, or None when no column is discrete.
    """
    index = {name: j for j, name in enumerate(names)}
    lattices: Dict[int, np.ndarray] = {}
    groups: List[List[int]] = []
    for name, p in search_space.parameters.items():
        values = _discrete_values(p)
        if values is None:
            continue
        features = [ObservationFeatures(parameters={name: v}) for v in values]
        try:
            for transform in transforms.values():
                features = transform.transform_observation_features(features)
        except Exception as err:  # noqa: BLE001 - a transform we cannot probe: leave it out
            logger.debug("discrete_structure: %r left out (%s)", name, err)
            continue
        columns = sorted(
            {c for f in features for c in f.parameters if c in index}, key=lambda c: index[c]
        )
        if not columns or any(set(f.parameters) & set(columns) != set(columns) for f in features):
            continue
        table = np.array([[float(f.parameters[c]) for c in columns] for f in features])  # type: ignore[arg-type]
        if len(columns) == 1:
            lattices[index[columns[0]]] = np.unique(table[:, 0])
        elif np.all((table == 0.0) | (table == 1.0)) and np.all(table.sum(1) == 1.0):
            groups.append([index[c] for c in columns])
    kept = {j: v.tolist() for j, v in lattices.items() if v.size >= 2}
    structure = DiscreteStructure(d=len(names), lattices=kept, groups=groups)
    return None if structure.is_empty else structure


def _discrete_values(p: object) -> Optional[List[TParamValue]]:
    if isinstance(p, RangeParameter):
        if p.parameter_type is not ParameterType.INT or p.is_fidelity:
            return None
        lower, upper = int(p.lower), int(p.upper)
        if upper - lower + 1 > MAX_LATTICE:
            return None
        return list(range(lower, upper + 1))
    if isinstance(p, ChoiceParameter) and not p.is_task and not p.is_fidelity:
        return list(p.values)
    return None


__all__ = ["MAX_LATTICE", "discrete_structure"]
