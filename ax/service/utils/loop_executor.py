"""The optimization loop on an executor: its trials run through the Scheduler.

With ``executor=`` (any :class:`concurrent.futures.Executor`: a thread or process pool,
:func:`~ax.service.executors.dask_executor`, the RabbitMQ executor),
:meth:`OptimizationLoop.full_run <ax.service.managed_loop.OptimizationLoop.full_run>`
hands its experiment and generation strategy to a
:class:`~ax.service.scheduler.Scheduler` (the one execution seam, see ``DESIGN.md``)
instead of evaluating in this thread or on its own thread pool. The loop's options map
onto the Scheduler's: ``total_trials`` (trials already finished count, as for the loop),
``max_workers`` (trials in flight), ``max_consecutive_failures`` and
``trial_ttl_seconds`` (``timeout_s``). Results are read as the loop reads them, a failed
evaluation makes the trial FAILED with the reason, and too many failures in a row raise
:class:`~ax.service.managed_loop.OptimizationAbortedError`.

Not supported on an executor (each raises a UserInputError naming it when the loop is
built): batch trials (``arms_per_trial > 1``) and experiments run by a runner and
metrics. The evaluation function is called with ``(parameterization)`` or
``(parameterization, None)`` (a one-arm trial has no weight), through the picklable
:class:`~ax.service.utils.loop_worker.LoopEvaluation`.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, List, Optional

from ax.core.experiment import Experiment
from ax.core.simple_experiment import SimpleExperiment, _num_positional
from ax.core.types import TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.service.utils.loop_worker import LoopEvaluation

if TYPE_CHECKING:  # pragma: no cover
    from ax.service.managed_loop import OptimizationLoop
    from ax.service.scheduler import Scheduler

# How often the progress bar follows the Scheduler's count of finished trials, in seconds.
_PROGRESS_INTERVAL = 0.1


def check_executor(
    executor: Any, experiment: Experiment, arms_per_trial: int
) -> Optional[Executor]:
    """``executor`` if it is None or can run this loop's trials; else a clear error.

    Raises:
        UserInputTypeError: ``executor`` is not a ``concurrent.futures.Executor``.
        UserInputError: The loop uses a feature the Scheduler does not support (batch
            trials, a runner-and-metrics experiment), or the evaluation function cannot be
            pickled for the executor's workers.
    """
    if executor is None:
        return None
    if not isinstance(executor, Executor):
        raise UserInputTypeError(
            "OptimizationLoop: executor must be a concurrent.futures.Executor or None, got "
            f"{type(executor).__name__} {executor!r}"
        )
    if not isinstance(experiment, SimpleExperiment):
        raise UserInputError(
            f"OptimizationLoop: executor= runs an evaluation function on its workers, but "
            f"experiment {experiment._name!r} is run by its runner and metrics",
            hint="use run_async=True to deploy trials together through the runner",
        )
    if arms_per_trial > 1:
        raise UserInputError(
            f"OptimizationLoop: arms_per_trial={arms_per_trial} (batch trials) is not "
            "supported with executor=; the Scheduler runs one-arm trials",
            hint="use arms_per_trial=1, or run_async=True without an executor",
        )
    if not isinstance(executor, ThreadPoolExecutor):
        from ax.service.scheduler import _check_picklable

        _check_picklable(experiment.evaluation_function, executor)
    return executor


def run_on_executor(loop: OptimizationLoop, executor: Executor, bar: Any) -> None:
    """Run ``loop``'s remaining trials through a Scheduler on ``executor``.

    Updates the loop's counters (``current_trial``, ``consecutive_failures``,
    ``num_failed_trials``, ``last_failure``) from the trials the run made, also when it
    stops with an error.

    Raises:
        OptimizationAbortedError: ``loop.max_consecutive_failures`` trials failed in a row.
    """
    from ax.service.scheduler import Scheduler
    from ax.service.utils.scheduler_options import SchedulerOptions

    experiment = loop.experiment
    if not isinstance(experiment, SimpleExperiment):  # pragma: no cover - checked in __init__
        raise UserInputError("OptimizationLoop: executor= needs an evaluation function")
    function = experiment.evaluation_function
    evaluation = LoopEvaluation(function, _num_positional(function, experiment._name))
    options = SchedulerOptions(
        max_parallelism=loop.max_workers,
        total_trials=loop.total_trials,
        timeout_s=loop.trial_ttl_seconds,
        max_consecutive_failures=loop.max_consecutive_failures,
    )
    first_new = len(experiment.trials)
    scheduler = Scheduler(experiment, loop.generation_strategy, evaluation, executor, options)
    try:
        with _following(scheduler, bar, loop.show_progress):
            scheduler.run_all_trials()
    finally:
        loop.current_trial = scheduler.num_trials_finished
        _count_failures(loop, [t for i, t in sorted(experiment.trials.items()) if i >= first_new])


@contextmanager
def _following(scheduler: Scheduler, bar: Any, show_progress: bool) -> Iterator[None]:
    """Advance the progress bar as the Scheduler finishes trials (a reader thread)."""
    if not show_progress:
        yield
        return
    shown = [scheduler.num_trials_finished]

    def catch_up() -> None:
        now = scheduler.num_trials_finished
        if now > shown[0]:
            bar.update(now - shown[0])
            shown[0] = now

    stop = threading.Event()

    def follow() -> None:
        while not stop.wait(_PROGRESS_INTERVAL):
            catch_up()

    thread = threading.Thread(target=follow, name="ax-loop-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        catch_up()


def _count_failures(loop: OptimizationLoop, trials: List[Any]) -> None:
    for trial in trials:
        if trial.status is TrialStatus.COMPLETED:
            loop.consecutive_failures = 0
        elif trial.status is TrialStatus.FAILED:
            loop.consecutive_failures += 1
            loop.num_failed_trials += 1
            loop.last_failure = (trial.index, trial.failed_reason or "FAILED")


__all__ = ["check_executor", "run_on_executor"]
