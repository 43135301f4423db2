"""The stopping-rule extension point and the decision it returns.

Lifecycle: a front door (the Scheduler, ``AxClient``) calls :meth:`StoppingRule.validate`
once with the experiment when it is given the rule, then :meth:`StoppingRule.should_stop`
each time a RUNNING trial has reported new intermediate data. A rule reads the
experiment's :class:`~ax.core.progression.ProgressionData` and the trials' statuses;
it mutates nothing and keeps no state between calls (so a resumed run decides exactly
as the interrupted one would have). It is called from the one thread that owns the
experiment, so it need not be thread-safe. The caller acts on a stopping decision
(marks the trial EARLY_STOPPED, logs and stores the reason).

Subclasses implement :meth:`StoppingRule.judge`, which says whether the trial looks bad
at one progression; the base class applies ``min_progression``, ``patience`` (the last
``patience + 1`` reports must all look bad) and the outcome constraints.
"""

from __future__ import annotations

import bisect
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from ax.core.experiment import Experiment
from ax.core.progression import ProgressionData
from ax.core.types import ComparisonOp, TrialStatus
from ax.early_stopping.options import EarlyStoppingOptions
from ax.exceptions import UserInputError, UserInputTypeError


@dataclass(frozen=True)
class StopDecision:
    """Whether to stop a trial, and why.

    Attributes:
        stop: True to stop the trial now.
        reason: Why (for a stop: the rule, the value, what it was compared with; else why
            the trial goes on, e.g. "too few curves at step 3").
        progression: The progression the decision was made at (None: no data yet).
    """

    stop: bool
    reason: str
    progression: Optional[float] = None

    def __bool__(self) -> bool:
        return self.stop


class StoppingRule(ABC):
    """Decides, from learning curves, whether a running trial should stop early.

    Args:
        options: When the rule may judge (see :class:`EarlyStoppingOptions`).

    Raises:
        UserInputTypeError: ``options`` is not an :class:`EarlyStoppingOptions`.
    """

    def __init__(self, options: Optional[EarlyStoppingOptions] = None) -> None:
        if options is None:
            options = EarlyStoppingOptions()
        elif not isinstance(options, EarlyStoppingOptions):
            raise UserInputTypeError(
                f"{type(self).__name__}: options must be an EarlyStoppingOptions or None, "
                f"got {type(options).__name__}"
            )
        self.options = options

    # ------------------------------------------------------------------ public
    def validate(self, experiment: Experiment) -> str:
        """Check that the rule fits the experiment; returns the metric it watches.

        Raises:
            UserInputError: The experiment has no optimization config, or
                ``options.metric_name`` is not one of its objectives (the message lists
                them), or the objective has several metrics and none was chosen.
        """
        config = experiment.optimization_config
        name = type(self).__name__
        if config is None:
            raise UserInputError(
                f"{name}: experiment {experiment._name!r} has no optimization config; a "
                "stopping rule watches an objective"
            )
        directions = objective_directions(experiment)
        chosen = self.options.metric_name
        if chosen is None:
            if len(directions) != 1:
                raise UserInputError(
                    f"{name}: the objective has metrics {sorted(directions)}; choose the one "
                    "to stop on with EarlyStoppingOptions(metric_name=...)"
                )
            return next(iter(directions))
        if chosen not in directions:
            raise UserInputError(
                f"{name}: metric_name {chosen!r} is not an objective of experiment "
                f"{experiment._name!r} (objectives: {sorted(directions)}); a stopping rule "
                "compares trials on an objective",
            )
        return chosen

    def should_stop(self, experiment: Experiment, trial_index: int) -> StopDecision:
        """Whether the trial should stop now, and why.

        Raises:
            UserInputError: As for :meth:`validate`.
        """
        metric = self.validate(experiment)
        minimize = objective_directions(experiment)[metric]
        data = experiment.progression_data
        steps, _ = data.curve(trial_index, metric)
        if not steps:
            return StopDecision(False, f"no report of {metric!r} yet")
        last = steps[-1]
        opts = self.options
        if last < opts.min_progression:
            return StopDecision(
                False,
                f"{data.progression_key} {last:g} < min_progression {opts.min_progression:g}",
                last,
            )
        violated = self._constraint_violation(experiment, trial_index)
        if violated is not None:
            return StopDecision(True, violated, last)
        judged = [s for s in steps if s >= opts.min_progression][-(opts.patience + 1) :]
        if len(judged) < opts.patience + 1:
            return StopDecision(
                False, f"patience: {len(judged)} of {opts.patience + 1} reports judged", last
            )
        reasons: List[str] = []
        for step in judged:
            bad, reason = self.judge(experiment, trial_index, metric, minimize, step)
            if not bad:
                return StopDecision(False, reason, last)
            reasons.append(reason)
        streak = "" if opts.patience == 0 else f" ({len(judged)} reports in a row)"
        return StopDecision(True, f"{type(self).__name__}: {reasons[-1]}{streak}", last)

    @abstractmethod
    def judge(
        self, experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
    ) -> Tuple[bool, str]:
        """Whether the trial looks bad at progression ``step`` (which it reported).

        Returns:
            ``(bad, reason)``: the reason names the value and what it was compared with.
        """

    # ------------------------------------------------------------------ helpers
    def _constraint_violation(self, experiment: Experiment, trial_index: int) -> Optional[str]:
        config = experiment.optimization_config
        if not self.options.respect_constraints or config is None:
            return None
        data = experiment.progression_data
        for constraint in config.outcome_constraints:
            if constraint.relative:
                continue  # relative to a status quo: not judged on curves
            name = constraint.metric.name
            steps, values = data.curve(trial_index, name)
            recent = [v for s, v in zip(steps, values) if s >= self.options.min_progression][
                -(self.options.patience + 1) :
            ]
            if len(recent) < self.options.patience + 1:
                continue
            upper = constraint.op is ComparisonOp.LEQ
            if all((v > constraint.bound) if upper else (v < constraint.bound) for v in recent):
                sign = "<=" if upper else ">="
                return (
                    f"{type(self).__name__}: {name} = {recent[-1]:g} violates the outcome "
                    f"constraint {name} {sign} {constraint.bound:g}"
                )
        return None


def objective_directions(experiment: Experiment) -> Dict[str, bool]:
    """``{metric name: minimize}`` for each objective metric of the experiment."""
    config = experiment.optimization_config
    if config is None:
        return {}
    objective = config.objective
    parts = getattr(objective, "objectives", None) or [objective]
    return {part.metric.name: bool(part.minimize) for part in parts}


def best_so_far(
    data: ProgressionData, trial_index: int, metric: str, minimize: bool, step: float
) -> Optional[float]:
    """The trial's best value of ``metric`` at progressions ``<= step`` (None: no report)."""
    steps, values = data.curve(trial_index, metric)
    end = bisect.bisect_right(steps, step)
    if end == 0:
        return None
    head = values[:end]
    return min(head) if minimize else max(head)


def values_at(
    experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
) -> List[float]:
    """Other trials' best-so-far values at ``step``, for those that reached it.

    A trial counts if it reported ``metric`` at a progression ``>= step`` (FAILED and
    ABANDONED trials are left out): its curves are compared at equal progression.
    """
    data = experiment.progression_data
    skip = experiment.trial_indices_by_status
    excluded = skip[TrialStatus.FAILED] | skip[TrialStatus.ABANDONED] | {trial_index}
    out: List[float] = []
    for other, (steps, _) in data.curves(metric).items():
        if other in excluded or not steps or steps[-1] < step:
            continue
        value = best_so_far(data, other, metric, minimize, step)
        if value is not None:
            out.append(value)
    return out


def better(a: float, b: float, minimize: bool) -> bool:
    """Whether ``a`` is strictly better than ``b``."""
    return a < b if minimize else a > b


def checked_rule(
    owner: str, rule: Any, experiment: Experiment, field: str = "stopping_rule"
) -> Optional[StoppingRule]:
    """``rule`` checked for ``experiment`` (None: no early stopping).

    Args:
        owner: Who checks (named in the errors), e.g. ``"Scheduler"``.
        rule: A :class:`StoppingRule` or None.
        experiment: The experiment the rule will watch.
        field: The argument's name, for the errors.

    Raises:
        UserInputTypeError: ``rule`` is neither a StoppingRule nor None.
        UserInputError: The rule does not fit the experiment (see
            :meth:`StoppingRule.validate`).
    """
    if rule is None:
        return None
    if not isinstance(rule, StoppingRule):
        raise UserInputTypeError(
            f"{owner}: {field} must be a StoppingRule or None, got {type(rule).__name__}"
        )
    rule.validate(experiment)
    return rule


__all__ = [
    "StopDecision",
    "StoppingRule",
    "checked_rule",
    "best_so_far",
    "better",
    "objective_directions",
    "values_at",
]
