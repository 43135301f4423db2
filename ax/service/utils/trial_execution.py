"""Running an experiment's trials through an executor: :class:`TrialExecution`.

:meth:`AxClient.run_trials <ax.service.ax_client.AxClient.run_trials>` delegates to a
:class:`TrialExecution`, which hands the experiment and generation strategy to a
:class:`~ax.service.scheduler.Scheduler` (the one execution seam, see ``DESIGN.md``): it
only checks the arguments, picks a default parallelism and gives the Scheduler the
client's store. It never runs a trial itself.

Persistence: with the client's store the Scheduler writes every change (each new trial
with the strategy, each result) to the same store the client writes to, so a client
loading from it afterwards sees exactly what this client holds. Without a store nothing
is saved during the run (as for the ask-tell calls); call ``save_to_json_file``
afterwards.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Callable, List, Optional

from ax.core.experiment import Experiment
from ax.early_stopping.base import StoppingRule
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.executors import pool_size
from ax.service.utils.ax_client_utils import check_positive_int

if TYPE_CHECKING:  # pragma: no cover
    from ax.storage.store import ExperimentStore

DEFAULT_MAX_CONSECUTIVE_FAILURES = 5


def strategy_parallelism(strategy: GenerationStrategy) -> Optional[int]:
    """The most trials the current and later steps of ``strategy`` let run at once.

    A step's limit is its ``max_parallelism``, else its ``num_trials``; None when some
    step has no limit at all (``num_trials=-1`` and no ``max_parallelism``).
    """
    limits: List[int] = []
    for step in strategy.steps[strategy.current_step_index :]:
        if step.max_parallelism is not None:
            limits.append(step.max_parallelism)
        elif step.num_trials > 0:
            limits.append(step.num_trials)
        else:
            return None
    return max(limits) if limits else None


def default_max_parallelism(
    strategy: GenerationStrategy, num_trials: int, executor: Optional[Executor]
) -> int:
    """``min(num_trials, workers, strategy limit)``, at least 1.

    ``workers`` is the size of a given thread or process pool, else the number of CPUs
    of this machine (the default process pool runs here, and more processes than cores
    only slow CPU-bound evaluations down). The strategy's limit
    (:func:`strategy_parallelism`) caps it because more trials in flight than the
    strategy allows would only leave workers idle. For a cluster executor (Dask,
    RabbitMQ) pass ``max_parallelism`` explicitly.
    """
    workers = pool_size(executor) or os.cpu_count() or 1
    limit = strategy_parallelism(strategy)
    return max(1, min(num_trials, workers, limit if limit is not None else num_trials))


class TrialExecution:
    """Runs trials of an experiment on a :class:`~ax.service.scheduler.Scheduler`.

    Args:
        store: Where the Scheduler saves every change (None: nothing is saved).
        label: How messages name the method that runs trials.
    """

    def __init__(
        self, store: Optional[ExperimentStore], label: str = "AxClient.run_trials"
    ) -> None:
        self.store = store
        self.label = label

    def run(
        self,
        experiment: Experiment,
        generation_strategy: GenerationStrategy,
        evaluation_function: Callable[[Any], Any],
        num_trials: int,
        *,
        executor: Optional[Executor] = None,
        max_parallelism: Optional[int] = None,
        timeout_s: Optional[float] = None,
        max_consecutive_failures: int = DEFAULT_MAX_CONSECUTIVE_FAILURES,
        stopping_rule: Optional[StoppingRule] = None,
    ) -> List[int]:
        """Run ``num_trials`` more trials of ``experiment`` through a Scheduler.

        See :meth:`ax.service.ax_client.AxClient.run_trials` for the arguments;
        ``stopping_rule`` decides early stops from what the trials report (None: none).

        Returns:
            The indices of the trials created by this call, in order.

        Raises:
            UserInputError / UserInputTypeError: An argument is invalid, or some trials
                of the experiment are still unfinished.
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row.
        """
        function = self.label
        if not callable(evaluation_function):
            raise UserInputTypeError(
                f"{function}: evaluation_function must be callable (parameters -> result), "
                f"got {evaluation_function!r}"
            )
        num_trials = check_positive_int(function, "num_trials", num_trials)
        if executor is not None and not isinstance(executor, Executor):
            raise UserInputTypeError(
                f"{function}: executor must be a concurrent.futures.Executor or None, got "
                f"{type(executor).__name__} {executor!r}"
            )
        if max_parallelism is None:
            max_parallelism = default_max_parallelism(generation_strategy, num_trials, executor)
        else:
            max_parallelism = check_positive_int(function, "max_parallelism", max_parallelism)
        max_consecutive_failures = check_positive_int(
            function, "max_consecutive_failures", max_consecutive_failures
        )
        unfinished = sorted(i for i, t in experiment.trials.items() if not t.status.is_terminal)
        if unfinished:
            # The Scheduler would abandon them (it resumes a crashed run that way); here
            # they may be trials the caller is still evaluating with get_next_trial.
            raise UserInputError(
                f"{function}: trial(s) {unfinished} of experiment {experiment._name!r} are "
                "not finished; complete, fail or abandon them before run_trials",
                hint="call complete_trial, log_trial_failure or abandon_trial for each",
            )

        from ax.service.scheduler import Scheduler
        from ax.service.utils.scheduler_options import SchedulerOptions

        try:
            options = SchedulerOptions(
                max_parallelism=max_parallelism,
                total_trials=None,
                timeout_s=timeout_s,
                max_consecutive_failures=max_consecutive_failures,
            )
        except (UserInputError, UserInputTypeError) as err:
            # Name this method, not the Scheduler's options, in the message.
            raise type(err)(
                f"{function}: {err.message.removeprefix('SchedulerOptions: ')}", hint=err.hint
            ) from err
        first_new = len(experiment.trials)
        with Scheduler(
            experiment,
            generation_strategy,
            evaluation_function,
            executor,
            options,
            store=self.store,
            stopping_rule=stopping_rule,
        ) as scheduler:
            scheduler.run_n_trials(num_trials)
        return [i for i in sorted(experiment.trials) if i >= first_new]


__all__ = [
    "DEFAULT_MAX_CONSECUTIVE_FAILURES",
    "TrialExecution",
    "default_max_parallelism",
    "strategy_parallelism",
]
