"""Early stopping for ask/tell users of :class:`~ax.service.ax_client.AxClient`.

The client delegates here (one line per method): attach intermediate results to a
RUNNING trial, ask the client's stopping rule whether it should stop, and stop it.
``run_trials`` hands the same rule to its Scheduler. Each change is saved like any other
trial change (with ``db_settings``: the new progression rows only).

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

from typing import TYPE_CHECKING, Mapping, Optional

from ax.core.experiment import Experiment
from ax.core.trial import Trial
from ax.core.types import TrialStatus
from ax.early_stopping.base import StopDecision, StoppingRule
from ax.exceptions import UserInputTypeError
from ax.service.utils import ax_client_utils as utils
from ax.service.utils.stopping import attach_last_reported
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from ax.service.ax_client import AxClient

logger = get_logger(__name__)


def set_stopping_rule(client: AxClient, rule: Optional[StoppingRule]) -> None:
    """Use ``rule`` for :func:`should_stop_trial` and ``run_trials`` (None: no rule).

    Raises:
        UserInputTypeError: ``rule`` is not a StoppingRule.
        UserInputError: The client has no experiment yet, or the rule watches a metric
            that is not an objective.
    """
    function = "AxClient.set_stopping_rule"
    if rule is not None:
        if not isinstance(rule, StoppingRule):
            raise UserInputTypeError(
                f"{function}: rule must be a StoppingRule or None, got {type(rule).__name__}"
            )
        rule.validate(client._require_experiment(function))
    client.__dict__["_stopping_rule"] = rule


def stopping_rule(client: AxClient) -> Optional[StoppingRule]:
    """The client's stopping rule (None until :func:`set_stopping_rule`)."""
    rule: Optional[StoppingRule] = client.__dict__.get("_stopping_rule")
    return rule


def report_intermediate(
    client: AxClient, trial_index: int, step: float, values: Mapping[str, float]
) -> None:
    """Attach intermediate results of a RUNNING trial at progression ``step``.

    Raises:
        UserInputError: No such trial; a metric is unknown; a value is NaN or infinite;
            ``step`` does not increase. Nothing is recorded then.
        TrialStatusError: The trial is not RUNNING.
    """
    function = "AxClient.report_intermediate"

    def change(experiment: Experiment, trial: Trial) -> None:
        utils.require_status(function, trial, (TrialStatus.RUNNING,))
        experiment.progression_data.append(experiment, trial.index, step, values)

    client._change_trial(function, trial_index, change)


def should_stop_trial(client: AxClient, trial_index: int) -> StopDecision:
    """Whether the client's stopping rule would stop the trial now, and why (logged).

    Raises:
        UserInputError: No experiment or no such trial.
    """
    function = "AxClient.should_stop_trial"
    experiment = client._require_experiment(function)
    trial = utils.get_trial(function, experiment, trial_index)
    rule = stopping_rule(client)
    if rule is None:
        return StopDecision(False, "no stopping rule: call set_stopping_rule first")
    if trial.status is not TrialStatus.RUNNING:
        return StopDecision(False, f"trial {trial.index} is {trial.status.name}, not RUNNING")
    decision = rule.should_stop(experiment, trial.index)
    if decision.stop:
        logger.info("%s: trial %d should stop: %s", function, trial.index, decision.reason)
    return decision


def stop_trial_early(client: AxClient, trial_index: int, reason: Optional[str] = None) -> None:
    """Mark a RUNNING trial EARLY_STOPPED; its final data is its last reported values.

    Args:
        reason: Stored on the trial (None: the stopping rule's reason, or "stopped by
            the user" without a rule).

    Raises:
        TrialStatusError: The trial is not RUNNING.
    """
    function = "AxClient.stop_trial_early"
    if reason is None:
        decision = should_stop_trial(client, trial_index)
        reason = decision.reason if decision.stop else "stopped by the user"

    def change(experiment: Experiment, trial: Trial) -> None:
        utils.require_status(function, trial, (TrialStatus.RUNNING,))
        attach_last_reported(experiment, trial)
        progression = experiment.progression_data.max_progression(trial.index)
        trial.mark_early_stopped(reason=str(reason), progression=progression)

    trial = client._change_trial(function, trial_index, change)
    logger.info("%s: trial %d stopped early: %s", function, trial.index, reason)


__all__ = [
    "report_intermediate",
    "set_stopping_rule",
    "should_stop_trial",
    "stop_trial_early",
    "stopping_rule",
]
