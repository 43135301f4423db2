"""Objective: the metric to optimise and its direction."""

from __future__ import annotations

import math
from typing import Any, Iterable, List, Optional, Sequence, Tuple

from ax.core.base import Base
from ax.core.metric import Metric
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError


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


class MultiObjective(Objective):
    """Several objectives optimised jointly (a Pareto frontier, not one best point).

    Accepts the Ax 0.1.13 form (a list of metrics, each maximised unless its
    ``lower_is_better`` is True; ``minimize=True`` flips every direction) and the form of
    later Ax releases (a list of :class:`Objective`, each with its own direction).

    Args:
        objectives: The objectives, two or more, on distinct metrics. A list of
            :class:`Metric` given here (positionally, as in Ax 0.1.13) is read as
            ``metrics``.
        metrics: The metrics (Ax 0.1.13 form), instead of ``objectives``.
        minimize: Only with ``metrics``: True flips every direction, i.e. minimises the
            metrics whose ``lower_is_better`` is unset; a flip that contradicts a metric's
            ``lower_is_better`` raises UserInputError.

    Attributes:
        weights: `m` signs, +1 for a maximised objective and -1 for a minimised one, in
            the order of ``objectives``.

    Raises:
        UserInputTypeError: An element is not an Objective (or a Metric), or is itself a
            MultiObjective/ScalarizedObjective.
        UserInputError: Fewer than two objectives (a single objective is not a
            multi-objective; use :class:`Objective`), a metric appears twice, both or
            neither of ``objectives`` and ``metrics`` are given, or ``minimize=True`` is
            given with ``objectives``.

    Example:
        >>> MultiObjective([Objective(Metric("acc"), minimize=False),
        ...                 Objective(Metric("latency"), minimize=True)])
        MultiObjective(objectives=[Objective(metric_name="acc", minimize=False), \
Objective(metric_name="latency", minimize=True)])
    """

    def __init__(
        self,
        objectives: Optional[Sequence[Any]] = None,
        metrics: Optional[Sequence[Metric]] = None,
        minimize: bool = False,
    ) -> None:
        if not isinstance(minimize, bool):
            raise UserInputTypeError(
                f"MultiObjective: minimize must be a bool, got minimize={minimize!r}"
            )
        if objectives is not None and metrics is None and _all_metrics(objectives):
            objectives, metrics = None, objectives
        if (objectives is None) == (metrics is None):
            raise UserInputError(
                "MultiObjective: give exactly one of objectives (a list of Objective) and "
                f"metrics (a list of Metric), got objectives={objectives!r}, "
                f"metrics={metrics!r}"
            )
        if metrics is not None:
            objectives = [_metric_objective(metric, minimize) for metric in _listed(metrics)]
        elif minimize:
            raise UserInputError(
                "MultiObjective: minimize=True applies only to the metrics form; with "
                "objectives, set each Objective's minimize, got minimize=True"
            )
        self._objectives = _checked_objectives(objectives)
        self._metric = self._objectives[0].metric
        self._minimize = False

    @property
    def objectives(self) -> List[Objective]:
        """The component objectives (a new list)."""
        return list(self._objectives)

    @property
    def metric(self) -> Metric:
        """Not defined: a multi-objective has several metrics (use ``metrics``).

        Raises:
            UnsupportedError: Always (also a ``NotImplementedError``, as in Ax 0.1.13).
        """
        raise _several_metrics(self, "use .metrics or .objectives")

    @property
    def metrics(self) -> List[Metric]:
        """The objectives' metrics, in order."""
        return [o.metric for o in self._objectives]

    @property
    def minimize(self) -> bool:
        """Always False: each component objective carries its own direction."""
        return False

    @minimize.setter
    def minimize(self, value: bool) -> None:
        raise UnsupportedError(
            f"{type(self).__name__}: minimize cannot be set on a multi-objective, got "
            f"minimize={value!r}",
            hint="set minimize on the component objectives",
        )

    @property
    def weights(self) -> List[float]:
        """`m` signs: +1 for a maximised objective, -1 for a minimised one."""
        return [-1.0 if o.minimize else 1.0 for o in self._objectives]

    @property
    def metric_weights(self) -> Iterable[Tuple[Metric, float]]:
        """``(metric, sign)`` pairs."""
        return zip(self.metrics, self.weights)

    def clone(self) -> MultiObjective:
        """A copy with cloned objectives."""
        return MultiObjective(objectives=[o.clone() for o in self._objectives])

    def __repr__(self) -> str:
        return f"MultiObjective(objectives={self._objectives!r})"


class ScalarizedObjective(Objective):
    """One objective: a weighted sum of several metrics, minimised or maximised.

    As in Ax 0.1.13. (There it derived from MultiObjective; here it derives from
    :class:`Objective` directly, as in later Ax releases, because it is a single
    objective: it has one best point, not a Pareto frontier.)

    Args:
        metrics: The metrics, one or more, distinct.
        weights: One finite weight per metric (default all 1.0).
        minimize: True to minimise the weighted sum.

    Raises:
        UserInputTypeError: A metric is not a Metric, or ``minimize`` is not a bool.
        UserInputError: No metrics, a repeated metric, a weight that is not a finite
            number, or ``len(weights) != len(metrics)``.

    Example:
        >>> ScalarizedObjective([Metric("a"), Metric("b")], weights=[1.0, 0.5])
        ScalarizedObjective(metric_names=['a', 'b'], weights=[1.0, 0.5], minimize=False)
    """

    def __init__(
        self,
        metrics: Sequence[Metric],
        weights: Optional[Sequence[float]] = None,
        minimize: bool = False,
    ) -> None:
        listed = _listed(metrics, owner="ScalarizedObjective", field="metrics")
        for position, metric in enumerate(listed):
            if not isinstance(metric, Metric):
                raise UserInputTypeError(
                    f"ScalarizedObjective: metrics[{position}] must be a Metric, got "
                    f"{metric!r} ({type(metric).__name__})"
                )
        if not listed:
            raise UserInputError("ScalarizedObjective: metrics must not be empty, got []")
        _check_distinct("ScalarizedObjective", [m.name for m in listed])
        if weights is None:
            weights = [1.0] * len(listed)
        weights = _listed(weights, owner="ScalarizedObjective", field="weights")
        if len(weights) != len(listed):
            raise UserInputError(
                f"ScalarizedObjective: weights must have one entry per metric "
                f"({len(listed)}), got {len(weights)} weights={list(weights)!r}"
            )
        for position, weight in enumerate(weights):
            if not _is_finite_number(weight):
                raise UserInputError(
                    f"ScalarizedObjective: weights[{position}] must be a finite number, "
                    f"got {weight!r}"
                )
        if not isinstance(minimize, bool):
            raise UserInputTypeError(
                f"ScalarizedObjective: minimize must be a bool, got minimize={minimize!r}"
            )
        self._metrics = listed
        self._weights = [float(w) for w in weights]
        self._metric = listed[0]
        self._minimize = minimize

    @property
    def metric(self) -> Metric:
        """Not defined: a scalarized objective has several metrics (use ``metrics``).

        Raises:
            UnsupportedError: Always (also a ``NotImplementedError``, as in Ax 0.1.13).
        """
        raise _several_metrics(self, "use .metrics and .weights")

    @property
    def metrics(self) -> List[Metric]:
        """The metrics (a new list)."""
        return list(self._metrics)

    @property
    def weights(self) -> List[float]:
        """The weights of the sum, one per metric (a new list)."""
        return list(self._weights)

    @property
    def minimize(self) -> bool:
        """True to minimise the weighted sum."""
        return self._minimize

    @minimize.setter
    def minimize(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise UserInputTypeError(
                f"ScalarizedObjective: minimize must be a bool, got minimize={value!r}"
            )
        self._minimize = value

    @property
    def metric_weights(self) -> Iterable[Tuple[Metric, float]]:
        """``(metric, weight)`` pairs."""
        return zip(self.metrics, self.weights)

    def clone(self) -> ScalarizedObjective:
        """A copy with cloned metrics."""
        return ScalarizedObjective(
            metrics=[m.clone() for m in self._metrics],
            weights=list(self._weights),
            minimize=self._minimize,
        )

    def __repr__(self) -> str:
        return (
            f"ScalarizedObjective(metric_names={[m.name for m in self._metrics]}, "
            f"weights={self._weights}, minimize={self._minimize})"
        )


def _several_metrics(objective: Objective, hint: str) -> UnsupportedError:
    names = [m.name for m in objective.metrics]
    return UnsupportedError(
        f"{type(objective).__name__} on metrics {names} has several metrics; there is no "
        "single objective metric",
        hint=hint,
    )


def _is_finite_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _listed(values: Any, owner: str = "MultiObjective", field: str = "metrics") -> List[Any]:
    if isinstance(values, (str, bytes, Metric, Objective)) or not hasattr(values, "__iter__"):
        raise UserInputTypeError(
            f"{owner}: {field} must be a list, got {values!r} ({type(values).__name__})"
        )
    return list(values)


def _all_metrics(values: Any) -> bool:
    try:
        items = list(values)
    except TypeError:
        return False
    return bool(items) and all(isinstance(v, Metric) for v in items)


def _metric_objective(metric: Any, minimize: bool) -> Objective:
    """The Ax 0.1.13 metrics form: maximise unless ``lower_is_better`` is True;
    ``minimize=True`` flips that (a flip that contradicts ``lower_is_better`` raises in
    :class:`Objective`)."""
    if not isinstance(metric, Metric):
        raise UserInputTypeError(
            f"MultiObjective: metrics must be Metric objects, got {metric!r} "
            f"({type(metric).__name__})"
        )
    lower_is_better = bool(metric.lower_is_better)
    return Objective(metric=metric, minimize=not lower_is_better if minimize else lower_is_better)


def _check_distinct(owner: str, names: List[str]) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise UserInputError(
                f"{owner}: metric '{name}' appears more than once; each metric may be "
                f"used once, got metrics {names}"
            )
        seen.add(name)


def _checked_objectives(objectives: Any) -> List[Objective]:
    listed = _listed(objectives, field="objectives")
    for position, objective in enumerate(listed):
        if isinstance(objective, (MultiObjective, ScalarizedObjective)):
            raise UserInputTypeError(
                f"MultiObjective: objectives[{position}] must be a plain Objective, got "
                f"{objective!r}"
            )
        if not isinstance(objective, Objective):
            raise UserInputTypeError(
                f"MultiObjective: objectives[{position}] must be an Objective, got "
                f"{objective!r} ({type(objective).__name__})"
            )
    if len(listed) < 2:
        raise UserInputError(
            f"MultiObjective: needs at least two objectives, got {len(listed)}: {listed!r}; "
            "a single objective is not a multi-objective",
            hint="use Objective(metric, minimize) with OptimizationConfig for one objective",
        )
    _check_distinct("MultiObjective", [o.metric.name for o in listed])
    return listed


__all__ = ["MultiObjective", "Objective", "ScalarizedObjective"]
