"""Checks and helpers shared by the front doors that take a stopping rule."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Dict, Optional, Tuple

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.simple_experiment import SimpleExperiment
from ax.early_stopping.base import StoppingRule, checked_rule
from ax.exceptions import UserInputError
from ax.service.executors import InlineExecutor


def check_stopping_rule(
    rule: Optional[StoppingRule], experiment: Experiment, arms_per_trial: int
) -> Optional[StoppingRule]:
    """The loop's stopping rule, checked against its experiment.

    Raises:
        UserInputTypeError: ``rule`` is not a :class:`StoppingRule`.
        UserInputError: The experiment is not evaluated by a function, trials have
            several arms, or the rule watches a metric that is not an objective.
    """
    if isinstance(rule, StoppingRule) and (
        not isinstance(experiment, SimpleExperiment) or arms_per_trial != 1
    ):
        raise UserInputError(
            "OptimizationLoop: stopping_rule needs an evaluation function and one-arm "
            f"trials (got a {type(experiment).__name__} with arms_per_trial="
            f"{arms_per_trial})"
        )
    return checked_rule("OptimizationLoop", rule, experiment)


def stopping_executor(run_async: bool, max_workers: int) -> Executor:
    """The executor of a loop with a stopping rule and no executor of its own: inline,
    or a thread pool of ``max_workers`` with ``run_async`` (reports then come back
    while other trials run)."""
    if run_async:
        return ThreadPoolExecutor(max_workers)
    return InlineExecutor()


def attach_last_reported(experiment: Experiment, trial: BaseTrial) -> None:
    """Give an early-stopped trial final data: its last reported value of each metric
    that has no final data yet (its curve's last point, ``sem`` unknown)."""
    from ax.core.data import Data

    present = set()
    data = trial.lookup_data()
    if len(data):
        present = set(zip(data.columns["arm_name"], data.columns["metric_name"]))
    progression = experiment.progression_data
    rows = progression.rows_of(trial.index)
    last: Dict[Tuple[str, str], float] = {}
    for arm, metric, value in zip(rows["arm_name"], rows["metric_name"], rows["value"]):
        last[(arm, metric)] = value
    missing = {key: value for key, value in last.items() if key not in present}
    if not missing:
        return
    experiment.attach_data(
        Data.from_columns(
            {
                "arm_name": [arm for arm, _ in missing],
                "metric_name": [metric for _, metric in missing],
                "mean": list(missing.values()),
                "sem": [float("nan")] * len(missing),
                "trial_index": [trial.index] * len(missing),
            }
        )
    )


__all__ = ["attach_last_reported", "check_stopping_rule", "stopping_executor"]
