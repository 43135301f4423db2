"""OptimizationConfig: an objective plus the outcome constraints arms must satisfy."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, cast

from ax.core.base import Base
from ax.core.metric import Metric
from ax.core.objective import MultiObjective, Objective
from ax.core.outcome_constraint import ObjectiveThreshold, OutcomeConstraint
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
        _validate(self._check_objective(objective), constraints)
        self._objective = objective
        self._outcome_constraints = constraints

    @property
    def objective(self) -> Objective:
        """The objective."""
        return self._objective

    @objective.setter
    def objective(self, objective: Objective) -> None:
        _validate(self._check_objective(objective), self._outcome_constraints)
        self._objective = objective

    def _check_objective(self, objective: Any) -> Objective:
        objective = _check_objective(objective)
        if isinstance(objective, MultiObjective):
            raise UserInputTypeError(
                f"OptimizationConfig: objective {objective!r} is a MultiObjective; a "
                "plain OptimizationConfig has one objective",
                hint="use MultiObjectiveOptimizationConfig for several objectives",
            )
        return objective

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


class MultiObjectiveOptimizationConfig(OptimizationConfig):
    """Several objectives to optimise jointly, with a threshold per objective (optional)
    and outcome constraints on other metrics.

    Rules, checked in the constructor and the setters (a failed setter leaves the config
    unchanged), besides those of :class:`OptimizationConfig`:

    - the objective is a :class:`~ax.core.objective.MultiObjective` (a single
      objective is not a multi-objective);
    - every threshold is an :class:`~ax.core.outcome_constraint.ObjectiveThreshold` on
      one of the objectives' metrics, at most one per objective;
    - a threshold's direction matches its objective: GEQ for a maximised objective,
      LEQ for a minimised one;
    - no outcome constraint is on an objective metric, and no ObjectiveThreshold is
      given as an outcome constraint.

    Objectives without a threshold get a reference point inferred from the data by the
    model (see the generator run's ``gen_metadata``).

    Args:
        objective: The multi-objective.
        outcome_constraints: Constraints on other metrics (default none).
        objective_thresholds: Thresholds on objective metrics (default none).

    Raises:
        UserInputTypeError: An argument has the wrong type (named).
        UserInputError: A rule above is broken; the message names the metric and values.

    Example:
        >>> config = MultiObjectiveOptimizationConfig(
        ...     MultiObjective([Objective(Metric("acc"), minimize=False),
        ...                     Objective(Metric("latency"), minimize=True)]),
        ...     objective_thresholds=[
        ...         ObjectiveThreshold(Metric("acc"), 0.9, op=ComparisonOp.GEQ),
        ...         ObjectiveThreshold(Metric("latency"), 50.0, op=ComparisonOp.LEQ)])
    """

    def __init__(
        self,
        objective: MultiObjective,
        outcome_constraints: Optional[Sequence[OutcomeConstraint]] = None,
        objective_thresholds: Optional[Sequence[ObjectiveThreshold]] = None,
    ) -> None:
        multi = self._check_objective(objective)
        thresholds = _check_thresholds(multi, objective_thresholds)
        super().__init__(objective=multi, outcome_constraints=outcome_constraints)
        self._objective_thresholds = thresholds

    @property
    def objective(self) -> MultiObjective:
        """The multi-objective."""
        return cast(MultiObjective, self._objective)

    @objective.setter
    def objective(self, objective: Objective) -> None:
        multi = self._check_objective(objective)
        _check_thresholds(multi, self._objective_thresholds)
        _validate(multi, self._outcome_constraints)
        self._objective = multi

    @property
    def objective_thresholds(self) -> List[ObjectiveThreshold]:
        """The thresholds (a new list; change them through the setter)."""
        return list(self._objective_thresholds)

    @objective_thresholds.setter
    def objective_thresholds(
        self, objective_thresholds: Optional[Sequence[ObjectiveThreshold]]
    ) -> None:
        self._objective_thresholds = _check_thresholds(self.objective, objective_thresholds)

    @property
    def objective_thresholds_by_metric(self) -> Dict[str, ObjectiveThreshold]:
        """Objective metric name -> its threshold (objectives without one are absent)."""
        return {t.metric.name: t for t in self._objective_thresholds}

    def _check_objective(self, objective: Any) -> MultiObjective:
        if isinstance(objective, Objective) and not isinstance(objective, MultiObjective):
            raise UserInputTypeError(
                f"MultiObjectiveOptimizationConfig: objective must be a MultiObjective, got "
                f"the single objective {objective!r}; a single objective is not a "
                "multi-objective",
                hint="use OptimizationConfig for one objective, or MultiObjective([...]) "
                "with two or more objectives",
            )
        if not isinstance(objective, MultiObjective):
            raise UserInputTypeError(
                "MultiObjectiveOptimizationConfig: objective must be a MultiObjective, got "
                f"{objective!r} ({type(objective).__name__})"
            )
        return objective

    def clone(self) -> MultiObjectiveOptimizationConfig:
        """A copy with a cloned objective, constraints and thresholds."""
        return MultiObjectiveOptimizationConfig(
            objective=self.objective.clone(),
            outcome_constraints=[c.clone() for c in self._outcome_constraints],
            objective_thresholds=[t.clone() for t in self._objective_thresholds],
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(objective={self._objective!r}, "
            f"outcome_constraints={self._outcome_constraints!r}, "
            f"objective_thresholds={self._objective_thresholds!r})"
        )


def _check_thresholds(objective: MultiObjective, thresholds: Any) -> List[ObjectiveThreshold]:
    owner = "MultiObjectiveOptimizationConfig"
    if thresholds is None:
        return []
    if isinstance(thresholds, OutcomeConstraint):
        raise UserInputTypeError(
            f"{owner}: objective_thresholds must be a list of ObjectiveThreshold, got a "
            f"single one: {thresholds!r}"
        )
    result = list(thresholds)
    directions = {o.metric.name: o.minimize for o in objective.objectives}
    seen: Dict[str, ObjectiveThreshold] = {}
    for position, threshold in enumerate(result):
        if not isinstance(threshold, ObjectiveThreshold):
            raise UserInputTypeError(
                f"{owner}: objective_thresholds[{position}] must be an ObjectiveThreshold, "
                f"got {threshold!r} ({type(threshold).__name__})"
            )
        name = threshold.metric.name
        if name not in directions:
            raise UserInputError(
                f"{owner}: objective threshold {threshold!r} is on metric '{name}', which "
                f"is not an objective; objectives are {sorted(directions)}",
                hint="bound a non-objective metric with an OutcomeConstraint instead",
            )
        if name in seen:
            raise UserInputError(
                f"{owner}: objective '{name}' has more than one threshold; at most one is "
                f"allowed, got {seen[name]!r} and {threshold!r}"
            )
        seen[name] = threshold
        minimize = directions[name]
        wanted = ComparisonOp.LEQ if minimize else ComparisonOp.GEQ
        if threshold.op is not wanted:
            raise UserInputError(
                f"{owner}: objective threshold {threshold!r} is in the wrong direction: "
                f"objective '{name}' is {'minimised' if minimize else 'maximised'}, so its "
                f"threshold must be '{wanted.symbol}' (the worst acceptable value), got "
                f"op '{threshold.op.symbol}'"
            )
    return result


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
        if isinstance(constraint, ObjectiveThreshold):
            raise UserInputTypeError(
                f"OptimizationConfig: outcome_constraints[{position}] is an "
                f"ObjectiveThreshold ({constraint!r}), not an outcome constraint",
                hint="pass it in objective_thresholds of MultiObjectiveOptimizationConfig",
            )
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


__all__ = ["MultiObjectiveOptimizationConfig", "OptimizationConfig"]
