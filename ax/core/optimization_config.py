"""OptimizationConfig: an objective plus the outcome constraints arms must satisfy."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ax.core.base import Base
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import ComparisonOp
from ax.exceptions import UserInputError, UserInputTypeError


class OptimizationConfig(Base):
    """What to optimise (an objective) subject to outcome constraints.

    Rules, checked in the constructor and both setters (a failed setter leaves the
    config unchanged):

    - no constraint may be on an objective metric;
    - a metric has at most two constraints, and two must be one lower bound (GEQ) and
      one upper bound (LEQ);
    - for such a pair with the same ``relative``, the lower bound must be strictly
      less than the upper bound (a relative and an absolute bound are not compared).

    Args:
        objective: The objective.
        outcome_constraints: Constraints on other metrics (default none).

    Raises:
        UserInputTypeError: ``objective`` is not an Objective, or a constraint is not an
            OutcomeConstraint.
        UserInputError: A rule above is broken; the message names the metric and values.

    Example:
        >>> config = OptimizationConfig(
        ...     Objective(Metric("accuracy"), minimize=False),
        ...     [OutcomeConstraint(Metric("latency"), ComparisonOp.LEQ, 50.0,
        ...                        relative=False)])
        >>> list(config.metrics)
        ['latency', 'accuracy']
    """

    def __init__(
        self,
        objective: Objective,
        outcome_constraints: Optional[Sequence[OutcomeConstraint]] = None,
    ) -> None:
        constraints = _check_constraints(outcome_constraints)
        _validate(_check_objective(objective), constraints)
        self._objective = objective
        self._outcome_constraints = constraints

    @property
    def objective(self) -> Objective:
        """The objective."""
        return self._objective

    @objective.setter
    def objective(self, objective: Objective) -> None:
        _validate(_check_objective(objective), self._outcome_constraints)
        self._objective = objective

    @property
    def outcome_constraints(self) -> List[OutcomeConstraint]:
        """The outcome constraints (a new list; change them through the setter)."""
        return list(self._outcome_constraints)

    @outcome_constraints.setter
    def outcome_constraints(
        self, outcome_constraints: Optional[Sequence[OutcomeConstraint]]
    ) -> None:
        constraints = _check_constraints(outcome_constraints)
        _validate(self._objective, constraints)
        self._outcome_constraints = constraints

    @property
    def metrics(self) -> Dict[str, Metric]:
        """Metric name -> metric: the constraint metrics first, then the objective's."""
        metrics = {c.metric.name: c.metric for c in self._outcome_constraints}
        metrics.update({m.name: m for m in self._objective.metrics})
        return metrics

    def clone(self) -> OptimizationConfig:
        """A copy with a cloned objective and cloned constraints."""
        return OptimizationConfig(
            objective=self._objective.clone(),
            outcome_constraints=[c.clone() for c in self._outcome_constraints],
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(objective={self._objective!r}, "
            f"outcome_constraints={self._outcome_constraints!r})"
        )


def _check_objective(objective: Any) -> Objective:
    if not isinstance(objective, Objective):
        raise UserInputTypeError(
            f"OptimizationConfig: objective must be an Objective, got {objective!r} "
            f"({type(objective).__name__})"
        )
    return objective


def _check_constraints(constraints: Any) -> List[OutcomeConstraint]:
    if constraints is None:
        return []
    if isinstance(constraints, OutcomeConstraint):
        raise UserInputTypeError(
            "OptimizationConfig: outcome_constraints must be a list of "
            f"OutcomeConstraint, got a single one: {constraints!r}"
        )
    result = list(constraints)
    for position, constraint in enumerate(result):
        if not isinstance(constraint, OutcomeConstraint):
            raise UserInputTypeError(
                f"OptimizationConfig: outcome_constraints[{position}] must be an "
                f"OutcomeConstraint, got {constraint!r} ({type(constraint).__name__})"
            )
    return result


def _validate(objective: Objective, constraints: List[OutcomeConstraint]) -> None:
    objective_names = {m.name for m in objective.metrics}
    by_metric: Dict[str, List[OutcomeConstraint]] = {}
    for constraint in constraints:
        name = constraint.metric.name
        if name in objective_names:
            raise UserInputError(
                f"OptimizationConfig: outcome constraint on metric '{name}' constrains "
                f"the objective metric '{name}'; objective metrics cannot be "
                f"constrained, got {constraint!r}"
            )
        by_metric.setdefault(name, []).append(constraint)
    for name, group in by_metric.items():
        if len(group) > 2:
            raise UserInputError(
                f"OptimizationConfig: metric '{name}' has {len(group)} outcome "
                f"constraints; at most 2 (one lower and one upper bound) are allowed, "
                f"got {group!r}"
            )
        if len(group) == 2:
            first, second = group
            if first.op is second.op:
                raise UserInputError(
                    f"OptimizationConfig: metric '{name}' has two outcome constraints "
                    f"with the same op '{first.op.symbol}'; a pair must be one lower "
                    f"(>=) and one upper (<=) bound, got {group!r}"
                )
            lower, upper = (
                (first, second)
                if first.op is ComparisonOp.GEQ
                else (
                    second,
                    first,
                )
            )
            if lower.relative == upper.relative and lower.bound >= upper.bound:
                raise UserInputError(
                    f"OptimizationConfig: metric '{name}': lower bound must be < upper "
                    f"bound, got lower={lower.bound}, upper={upper.bound}"
                )


__all__ = ["OptimizationConfig"]
