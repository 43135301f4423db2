"""OutcomeConstraint: a bound on a metric that acceptable arms must satisfy."""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any, Optional

import numpy as np

from ax.core.base import Base
from ax.core.metric import Metric
from ax.core.types import ComparisonOp
from ax.exceptions import UserInputError, UserInputTypeError


class OutcomeConstraint(Base):
    """``metric >= bound`` or ``metric <= bound``.

    With ``relative=True`` (the default, kept for compatibility) the bound is a
    percentage change relative to the status-quo arm: ``bound=-5`` with ``GEQ`` means
    "no worse than 5% below the status quo", and an experiment without a status quo
    cannot use it. **This default is a trap**: for a bound in the metric's own units,
    pass ``relative=False``.

    A bound whose direction contradicts ``metric.lower_is_better`` (a lower bound on a
    metric where lower is better, or an upper bound where higher is better) is allowed
    but warned about (``UserWarning``), in the constructor and the ``metric``/``op``
    setters.

    Args:
        metric: The constrained metric.
        op: ``ComparisonOp.GEQ`` (lower bound) or ``ComparisonOp.LEQ`` (upper bound).
        bound: The bound, a finite number (a percentage when ``relative``).
        relative: Whether ``bound`` is relative to the status quo.

    Raises:
        UserInputTypeError: ``metric`` is not a Metric, ``op`` not a ComparisonOp, or
            ``relative`` not a bool.
        UserInputError: ``bound`` is not a finite number.

    Example:
        >>> OutcomeConstraint(Metric("cost"), ComparisonOp.LEQ, 3.0, relative=False)
        OutcomeConstraint(cost <= 3.0)
    """

    def __init__(
        self, metric: Metric, op: ComparisonOp, bound: float, relative: bool = True
    ) -> None:
        self._metric = _check_metric(metric)
        self._op = _check_op(metric, op)
        self.bound = bound
        self.relative = relative
        self._warn_direction(stacklevel=2)

    @property
    def metric(self) -> Metric:
        """The constrained metric."""
        return self._metric

    @metric.setter
    def metric(self, metric: Metric) -> None:
        self._metric = _check_metric(metric)
        self._warn_direction(stacklevel=2)

    @property
    def op(self) -> ComparisonOp:
        """GEQ for a lower bound, LEQ for an upper bound."""
        return self._op

    @op.setter
    def op(self, op: ComparisonOp) -> None:
        self._op = _check_op(self._metric, op)
        self._warn_direction(stacklevel=2)

    @property
    def bound(self) -> float:
        """The bound (a percentage change when ``relative``)."""
        return self._bound

    @bound.setter
    def bound(self, bound: float) -> None:
        numeric = isinstance(bound, (int, float, np.integer, np.floating))
        if not numeric or isinstance(bound, bool) or not math.isfinite(float(bound)):
            raise UserInputError(
                f"OutcomeConstraint on metric '{self._metric.name}': bound must be a "
                f"finite number, got bound={bound!r}"
            )
        self._bound = float(bound)

    @property
    def relative(self) -> bool:
        """Whether the bound is a percentage change relative to the status quo."""
        return self._relative

    @relative.setter
    def relative(self, relative: bool) -> None:
        if not isinstance(relative, bool):
            raise UserInputTypeError(
                f"OutcomeConstraint on metric '{self._metric.name}': relative must be a "
                f"bool, got relative={relative!r}"
            )
        self._relative = relative

    def is_satisfied_by(self, value: float, status_quo_value: Optional[float] = None) -> bool:
        """Whether an observed mean of the metric meets the bound.

        Args:
            value: The metric's mean for the arm.
            status_quo_value: The status quo's mean of the metric (needed when
                ``relative``; without it, or when it is 0, the answer is False).
        """
        if self._relative:
            if status_quo_value is None or status_quo_value == 0.0:
                return False
            value = 100.0 * (value - status_quo_value) / abs(status_quo_value)
        if self._op is ComparisonOp.LEQ:
            return value <= self._bound
        return value >= self._bound

    def _warn_direction(self, stacklevel: int) -> None:
        """Warn if the bound's direction contradicts ``metric.lower_is_better``.

        ``stacklevel`` is counted from the caller of this method (2 = its caller's
        caller, the user's line for the constructor and setters).
        """
        lower_is_better = self._metric.lower_is_better
        if lower_is_better is None:
            return
        if self._op is ComparisonOp.GEQ and lower_is_better:
            problem = "Lower bound on metric for which lower values are better."
        elif self._op is ComparisonOp.LEQ and not lower_is_better:
            problem = "Upper bound on metric for which higher values are better."
        else:
            return
        warnings.warn(
            f"OutcomeConstraint on metric '{self._metric.name}': Specified constraint "
            f"appears invalid: {problem}",
            UserWarning,
            stacklevel=stacklevel + 1,
        )

    def clone(self) -> OutcomeConstraint:
        """A copy that shares the metric object (no re-validation, no warning)."""
        return copy.copy(self)

    def __repr__(self) -> str:
        suffix = "%" if self._relative else ""
        return f"{type(self).__name__}({self._metric.name} {self._op.symbol} {self._bound}{suffix})"


def _check_metric(metric: Any) -> Metric:
    if not isinstance(metric, Metric):
        raise UserInputTypeError(
            f"OutcomeConstraint: metric must be a Metric, got {metric!r} ({type(metric).__name__})"
        )
    return metric


def _check_op(metric: Metric, op: Any) -> ComparisonOp:
    if not isinstance(op, ComparisonOp):
        raise UserInputTypeError(
            f"OutcomeConstraint on metric '{metric.name}': op must be a ComparisonOp "
            f"(GEQ or LEQ), got op={op!r}"
        )
    return op


class ObjectiveThreshold(OutcomeConstraint):
    """The worst acceptable value of one objective of a multi-objective: a bound per
    objective, which together make the reference point of hypervolume-based optimisation.

    ``op`` is GEQ for a maximised objective ("at least ``bound``") and LEQ for a minimised
    one ("at most ``bound``"). When ``op`` is None it is taken from
    ``metric.lower_is_better`` (LEQ when lower is better, GEQ when higher is better).
    With ``relative=True`` the bound is a percentage change relative to the status quo
    (``-5`` with GEQ: "no worse than 5% below the status quo"); the default here is an
    absolute bound (``relative=False``).

    Args:
        metric: The objective's metric.
        bound: The threshold, a finite number (a percentage when ``relative``).
        relative: Whether ``bound`` is relative to the status quo.
        op: ``ComparisonOp.GEQ`` or ``ComparisonOp.LEQ``, or None to infer it.

    Raises:
        UserInputTypeError: ``metric`` is not a Metric, ``op`` not a ComparisonOp or
            None, or ``relative`` not a bool.
        UserInputError: ``bound`` is not finite; ``op`` is None and
            ``metric.lower_is_better`` is not set; or ``op`` contradicts
            ``metric.lower_is_better`` (a threshold in the wrong direction).

    Example:
        >>> ObjectiveThreshold(Metric("latency", lower_is_better=True), 50.0)
        ObjectiveThreshold(latency <= 50.0)
    """

    def __init__(
        self,
        metric: Metric,
        bound: float,
        relative: bool = False,
        op: Optional[ComparisonOp] = None,
    ) -> None:
        metric = _check_metric(metric)
        if op is None:
            if metric.lower_is_better is None:
                raise UserInputError(
                    f"ObjectiveThreshold on metric '{metric.name}': op is None and the "
                    "metric's lower_is_better is not set, so the direction cannot be "
                    "inferred",
                    hint="pass op=ComparisonOp.GEQ (maximised objective) or "
                    "ComparisonOp.LEQ (minimised objective)",
                )
            op = ComparisonOp.LEQ if metric.lower_is_better else ComparisonOp.GEQ
        op = _check_op(metric, op)
        if metric.lower_is_better is not None and (op is ComparisonOp.LEQ) != bool(
            metric.lower_is_better
        ):
            wanted = ComparisonOp.LEQ if metric.lower_is_better else ComparisonOp.GEQ
            raise UserInputError(
                f"ObjectiveThreshold on metric '{metric.name}': op '{op.symbol}' is in the "
                f"wrong direction for a metric with lower_is_better="
                f"{metric.lower_is_better}; a threshold bounds the worst acceptable "
                f"value, so it must be '{wanted.symbol}', got op={op!r}",
            )
        super().__init__(metric=metric, op=op, bound=bound, relative=relative)

    def _warn_direction(self, stacklevel: int) -> None:
        """No warning: the direction is checked against the objective instead."""

    def clone(self) -> ObjectiveThreshold:
        """A copy that shares the metric object."""
        return copy.copy(self)


__all__ = ["ObjectiveThreshold", "OutcomeConstraint"]
