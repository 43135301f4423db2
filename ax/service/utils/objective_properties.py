"""Several objectives from plain user input: ``{name: ObjectiveProperties(...)}``.

The form later Ax releases use in ``AxClient.create_experiment(objectives=...)``: one entry
per objective, each saying whether it is minimised and (optionally) its threshold, the
worst acceptable value (the reference point of hypervolume-based optimisation).

Example:
    >>> config = make_multi_objective_config(
    ...     {"acc": ObjectiveProperties(minimize=False, threshold=0.9),
    ...      "latency": ObjectiveProperties(minimize=True, threshold=50)},
    ...     outcome_constraints=["memory <= 4.0"])
    >>> [t.bound for t in config.objective_thresholds]
    [0.9, 50.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.outcome_constraint import ObjectiveThreshold
from ax.core.types import ComparisonOp
from ax.exceptions import AxError, UserInputError
from ax.service.utils.constraint_parsing import parse_outcome_constraints


@dataclass(frozen=True)
class ObjectiveProperties:
    """How one objective of a multi-objective experiment is optimised.

    Args:
        minimize: True to minimise the objective, False to maximise it.
        threshold: The worst acceptable value (absolute, in the metric's units), or None
            to let the model infer a reference point from the data. For a maximised
            objective it is a lower bound, for a minimised one an upper bound.

    Raises:
        UserInputError: ``minimize`` is not a bool, or ``threshold`` is not a finite
            number.

    Example:
        >>> ObjectiveProperties(minimize=True, threshold=50)
        ObjectiveProperties(minimize=True, threshold=50.0)
    """

    minimize: bool
    threshold: Optional[float] = None

    def __post_init__(self) -> None:
        if not isinstance(self.minimize, bool):
            raise UserInputError(
                f"ObjectiveProperties: minimize must be a bool, got minimize={self.minimize!r}"
            )
        if self.threshold is not None:
            value = self.threshold
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UserInputError(
                    "ObjectiveProperties: threshold must be a finite number or None, got "
                    f"threshold={value!r}"
                )
            if not math.isfinite(float(value)):
                raise UserInputError(
                    "ObjectiveProperties: threshold must be a finite number or None, got "
                    f"threshold={value!r}"
                )
            object.__setattr__(self, "threshold", float(value))


def objective_properties(objectives: Any) -> Dict[str, ObjectiveProperties]:
    """``{name: ObjectiveProperties}`` from the user's ``objectives`` argument.

    Each value may be an :class:`ObjectiveProperties` or a mapping with the keys
    ``minimize`` and (optionally) ``threshold``.

    Raises:
        UserInputError: ``objectives`` is not a mapping, has fewer than two entries (a
            single objective is not a multi-objective), a name is not a non-empty string,
            or a value is malformed.
    """
    if not isinstance(objectives, Mapping):
        raise UserInputError(
            "objectives must be a dict {metric name: ObjectiveProperties(minimize=..., "
            f"threshold=...)}}, got {objectives!r} ({type(objectives).__name__})"
        )
    out: Dict[str, ObjectiveProperties] = {}
    for name, value in objectives.items():
        if not isinstance(name, str) or not name:
            raise UserInputError(
                f"objectives: every key must be a non-empty metric name, got {name!r}"
            )
        if isinstance(value, ObjectiveProperties):
            out[name] = value
        elif isinstance(value, Mapping):
            unknown = sorted(set(value) - {"minimize", "threshold"})
            if unknown or "minimize" not in value:
                raise UserInputError(
                    f"objectives[{name!r}]: a dict needs the key 'minimize' and may have "
                    f"'threshold', got {dict(value)!r}"
                )
            try:
                out[name] = ObjectiveProperties(value["minimize"], value.get("threshold"))
            except UserInputError as err:
                raise UserInputError(f"objectives[{name!r}]: {err.message}") from err
        else:
            raise UserInputError(
                f"objectives[{name!r}] must be an ObjectiveProperties (or a dict with "
                f"'minimize' and 'threshold'), got {value!r} ({type(value).__name__})"
            )
    if len(out) < 2:
        raise UserInputError(
            f"objectives has {len(out)} entr{'y' if len(out) == 1 else 'ies'} "
            f"{sorted(out)}; a multi-objective experiment needs at least two, and a single "
            "objective is not a multi-objective",
            hint="for one objective pass objective_name=... and minimize=... instead",
        )
    return out


def make_multi_objective_config(
    objectives: Any,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo_defined: bool = False,
    metrics: Optional[Mapping[str, Metric]] = None,
) -> MultiObjectiveOptimizationConfig:
    """A :class:`MultiObjectiveOptimizationConfig` from ``{name: ObjectiveProperties}``.

    Each objective's metric gets ``lower_is_better=minimize``; each threshold becomes an
    absolute :class:`ObjectiveThreshold` (GEQ when maximised, LEQ when minimised).

    Args:
        objectives: ``{metric name: ObjectiveProperties}`` (two or more).
        outcome_constraints: Constraint strings on other metrics.
        status_quo_defined: Whether the experiment has a status quo (relative
            constraints need one).
        metrics: Metric objects to use by name instead of plain :class:`Metric` ones.

    Raises:
        UserInputError: Any input is invalid (see :func:`objective_properties`), or a
            constraint is malformed, relative without a status quo, or on an objective.
    """
    properties = objective_properties(objectives)
    known = dict(metrics or {})
    parts: List[Objective] = []
    thresholds: List[ObjectiveThreshold] = []
    for name, prop in properties.items():
        metric = known.get(name) or Metric(name=name)
        metric.lower_is_better = prop.minimize
        parts.append(Objective(metric=metric, minimize=prop.minimize))
        if prop.threshold is not None:
            op = ComparisonOp.LEQ if prop.minimize else ComparisonOp.GEQ
            thresholds.append(ObjectiveThreshold(metric, prop.threshold, op=op))
    constraints = parse_outcome_constraints(
        outcome_constraints, list(properties), status_quo_defined, known
    )
    try:
        return MultiObjectiveOptimizationConfig(
            objective=MultiObjective(objectives=parts),
            outcome_constraints=constraints,
            objective_thresholds=thresholds,
        )
    except AxError as err:
        raise UserInputError(f"optimization config: {err.message}", hint=err.hint) from err


__all__ = ["ObjectiveProperties", "make_multi_objective_config", "objective_properties"]
