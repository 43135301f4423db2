"""Objective: the metric to optimise and its direction."""

from __future__ import annotations

from typing import Any, List, Optional

from ax.core.base import Base
from ax.core.metric import Metric
from ax.exceptions import UserInputError, UserInputTypeError


class Objective(Base):
    """A metric to minimise or maximise.

    Args:
        metric: The metric to optimise.
        minimize: True to minimise, False to maximise. None takes the direction from
            ``metric.lower_is_better``, and maximises when that is not set either.

    Raises:
        UserInputTypeError: ``metric`` is not a Metric, or ``minimize`` is not a bool.
        UserInputError: ``minimize`` disagrees with ``metric.lower_is_better``.

    Example:
        >>> Objective(Metric("loss", lower_is_better=True))
        Objective(metric_name="loss", minimize=True)
    """

    def __init__(self, metric: Metric, minimize: Optional[bool] = None) -> None:
        if not isinstance(metric, Metric):
            raise UserInputTypeError(
                f"Objective: metric must be a Metric, got {metric!r} ({type(metric).__name__})"
            )
        self._metric = metric
        self._minimize = self._checked_minimize(minimize)

    @property
    def metric(self) -> Metric:
        """The metric to optimise."""
        return self._metric

    @property
    def metrics(self) -> List[Metric]:
        """The objective's metrics: ``[metric]``."""
        return [self._metric]

    @property
    def minimize(self) -> bool:
        """True to minimise the metric, False to maximise it."""
        return self._minimize

    @minimize.setter
    def minimize(self, value: bool) -> None:
        if value is None:
            raise UserInputTypeError(
                f"Objective on metric '{self._metric.name}': minimize must be a bool, "
                "got minimize=None"
            )
        self._minimize = self._checked_minimize(value)

    def _checked_minimize(self, minimize: Any) -> bool:
        lower_is_better = self._metric.lower_is_better
        if minimize is None:
            return bool(lower_is_better)
        if not isinstance(minimize, bool):
            raise UserInputTypeError(
                f"Objective on metric '{self._metric.name}': minimize must be a bool or "
                f"None, got minimize={minimize!r}"
            )
        if lower_is_better is not None and lower_is_better != minimize:
            raise UserInputError(
                f"Objective on metric '{self._metric.name}': minimize={minimize} "
                f"disagrees with the metric's lower_is_better={lower_is_better}",
                hint="leave minimize unset to follow the metric, or change the metric",
            )
        return minimize

    def clone(self) -> Objective:
        """A copy with a cloned metric."""
        return Objective(metric=self._metric.clone(), minimize=self._minimize)

    def __repr__(self) -> str:
        return f'Objective(metric_name="{self._metric.name}", minimize={self._minimize})'


__all__ = ["Objective"]
