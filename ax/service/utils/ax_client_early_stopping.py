"""Early stopping for ask/tell users of :class:`~ax.service.ax_client.AxClient`.

:class:`TrialEarlyStopping` is the part of the client that does it (the client composes
one and delegates one line per method): attach intermediate results to a RUNNING trial,
ask the stopping rule whether it should stop, and stop it. ``run_trials`` hands the same
rule to its Scheduler. Each change is saved like any other trial change, through the
client's :class:`~ax.service.utils.ask_tell.AskTell` (with a SQL store: the new
progression rows only).

Example:
    >>> client.set_stopping_rule(MedianRule(EarlyStoppingOptions(min_curves=3)))
    >>> parameters, index = client.get_next_trial()
    >>> for epoch in range(1, 21):
    ...     client.report_intermediate(index, epoch, {"loss": train_one_epoch(parameters)})
    ...     decision = client.should_stop_trial(index)
    ...     if decision.stop:
    ...         client.stop_trial_early(index, reason=decision.reason)
    ...         break
"""

from __future__ import annotations

from typing import Mapping, Optional

from ax.core.experiment import Experiment
from ax.core.trial import Trial
from ax.core.types import TrialStatus
from ax.early_stopping.base import StopDecision, StoppingRule, checked_rule
from ax.service.utils import ax_client_utils as utils
from ax.service.utils.ask_tell import AskTell
from ax.service.utils.stopping import attach_last_reported
from ax.utils.logger import get_logger

logger = get_logger(__name__)


class TrialEarlyStopping:
    """The stopping rule of a client and the trial changes early stopping makes.

    Attributes:
        rule: The stopping rule (None: no trial is ever stopped by a rule).
    """

    def __init__(self) -> None:
        self.rule: Optional[StoppingRule] = None

    def set_rule(self, function: str, experiment: Experiment, rule: Optional[StoppingRule]) -> None:
        """Use ``rule`` for :meth:`should_stop` and ``run_trials`` (None: no rule).

        Raises:
            UserInputTypeError: ``rule`` is not a StoppingRule.
            UserInputError: The rule watches a metric that is not an objective.
        """
        self.rule = checked_rule(function, rule, experiment, field="rule")

    def report(
        self,
        function: str,
        ask_tell: AskTell,
        trial_index: int,
        step: float,
        values: Mapping[str, float],
    ) -> None:
        """Attach intermediate results of a RUNNING trial at progression ``step``.

        Raises:
            UserInputError: No such trial; a metric is unknown; a value is NaN or
                infinite; ``step`` does not increase. Nothing is recorded then.
            TrialStatusError: The trial is not RUNNING.
        """

        def change(experiment: Experiment, trial: Trial) -> None:
            utils.require_status(function, trial, (TrialStatus.RUNNING,))
            experiment.progression_data.append(experiment, trial.index, step, values)

        ask_tell.change_trial(function, trial_index, change)

    def should_stop(self, function: str, experiment: Experiment, trial_index: int) -> StopDecision:
        """Whether the rule would stop the trial now, and why (logged).

        Raises:
            UserInputError: No such trial.
        """
        trial = utils.get_trial(function, experiment, trial_index)
        if self.rule is None:
            return StopDecision(False, "no stopping rule: call set_stopping_rule first")
        if trial.status is not TrialStatus.RUNNING:
            return StopDecision(False, f"trial {trial.index} is {trial.status.name}, not RUNNING")
        decision = self.rule.should_stop(experiment, trial.index)
        if decision.stop:
            logger.info("%s: trial %d should stop: %s", function, trial.index, decision.reason)
        return decision

    def stop(
        self, function: str, ask_tell: AskTell, trial_index: int, reason: Optional[str] = None
    ) -> Trial:
        """Mark a RUNNING trial EARLY_STOPPED; its final data is its last reported values.

        Args:
            reason: Stored on the trial (None: the stopping rule's reason, or "stopped
                by the user" without a rule).

        Raises:
            TrialStatusError: The trial is not RUNNING.
        """
        if reason is None:
            decision = self.should_stop(function, ask_tell.experiment, trial_index)
            reason = decision.reason if decision.stop else "stopped by the user"

        def change(experiment: Experiment, trial: Trial) -> None:
            utils.require_status(function, trial, (TrialStatus.RUNNING,))
            attach_last_reported(experiment, trial)
            progression = experiment.progression_data.max_progression(trial.index)
            trial.mark_early_stopped(reason=str(reason), progression=progression)

        trial = ask_tell.change_trial(function, trial_index, change)
        logger.info("%s: trial %d stopped early: %s", function, trial.index, reason)
        return trial


__all__ = ["TrialEarlyStopping"]
