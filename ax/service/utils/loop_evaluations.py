"""How the optimization loop's trials run on the Scheduler (the one engine).

:class:`~ax.service.managed_loop.OptimizationLoop` drives a
:class:`~ax.service.scheduler.Scheduler` in every mode; what differs is what is done to
one trial, a :class:`~ax.service.utils.trial_evaluation.TrialEvaluation`:

- :class:`ArmsEvaluation`: a :class:`SimpleExperiment`'s evaluation function, called with
  ``(parameterization[, weight])`` for every arm of a trial (one-arm or batch), on an
  :class:`~ax.service.executors.InlineExecutor` (synchronous mode, ``run_trial``) or a
  thread pool (``run_async``). A raised exception or an invalid value makes the trial
  FAILED with ``"TypeName: message"``; when the run stops, queued evaluations are cancelled
  (FAILED, ``"cancelled: the optimization loop stopped"``) and running ones are waited for
  and recorded.
- :class:`RunnerEvaluation`: an :class:`Experiment` deployed through its runner
  (``trial.run()``) and measured by its metrics: the Scheduler polls
  ``trial.fetch_data()`` every ``wait_time`` seconds (:meth:`RunnerEvaluation.poll`) until
  every arm has data for every metric of the optimization config. Trials still deployed
  when the run stops are left RUNNING.
- with ``executor=``, the Scheduler's own
  :class:`~ax.service.utils.trial_evaluation.FunctionEvaluation` of
  :class:`~ax.service.utils.scheduler_worker.LoopEvaluation` (:func:`check_executor` says
  which loops can use one).

Counting failures in a row, trial timeouts and recording stay with the Scheduler.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Dict, List, Optional, Tuple, cast

from ax.core.base_trial import BaseTrial
from ax.core.batch_trial import BatchTrial
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import AxError, UserInputError, UserInputTypeError
from ax.service.executors import InlineExecutor
from ax.service.utils.instantiation import data_from_evaluations
from ax.service.utils.trial_evaluation import FAIL, LEAVE, RECORD, TrialEvaluation, TStopAction

# (arm name, parameters, weight or None) for each arm of a trial, evaluated off-thread.
ArmJob = Tuple[str, TParameterization, Optional[float]]

LOOP_ABORT_HINT = "fix the evaluation, or raise max_consecutive_failures"


class _LoopTrials(TrialEvaluation):
    """Trials of ``arms_per_trial`` arms with the loop's TTL; tells the loop of each."""

    abort_hint = LOOP_ABORT_HINT
    _deployed: Dict[int, Tuple[BaseTrial, Future[Optional[str]]]]

    def __init__(
        self,
        arms_per_trial: int,
        ttl_seconds: Optional[int],
        on_new_trial: Callable[[BaseTrial], None],
    ) -> None:
        self.arms_per_trial = arms_per_trial
        self.ttl_seconds = ttl_seconds
        self.on_new_trial = on_new_trial
        self._deployed = {}

    def _make_trial(self, experiment: Experiment, generator_run: GeneratorRun) -> BaseTrial:
        trial: BaseTrial
        if self.arms_per_trial > 1:
            trial = experiment.new_batch_trial(
                generator_run=generator_run, ttl_seconds=self.ttl_seconds
            )
        else:
            trial = experiment.new_trial(generator_run=generator_run, ttl_seconds=self.ttl_seconds)
        self.on_new_trial(trial)
        return trial


class ArmsEvaluation(_LoopTrials):
    """Every arm of a trial through a :class:`SimpleExperiment`'s evaluation function.

    Args:
        experiment: The loop's SimpleExperiment (its function takes
            ``(parameterization)`` or ``(parameterization, weight)``).
        arms_per_trial: Arms per trial (more than 1: batch trials).
        ttl_seconds: The trials' TTL (a trial running longer is FAILED, its late result
            ignored), or None.
        on_new_trial: Called with each new trial (the loop counts and logs it).
    """

    def __init__(
        self,
        experiment: SimpleExperiment,
        arms_per_trial: int,
        ttl_seconds: Optional[int],
        on_new_trial: Callable[[BaseTrial], None],
    ) -> None:
        super().__init__(arms_per_trial, ttl_seconds, on_new_trial)
        self.experiment = experiment

    def new_trial(self, experiment: Experiment, generator_run: GeneratorRun) -> BaseTrial:
        trial = self._make_trial(experiment, generator_run)
        trial.mark_running(no_runner_required=True)
        return trial

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        return executor.submit(
            evaluate_arms, self.experiment.evaluation_function_outer, arm_jobs(trial)
        )

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        if trial.status is not TrialStatus.RUNNING:  # e.g. failed by its TTL meanwhile
            return None
        try:
            data = data_from_evaluations(future.result(), trial.index)
        except Exception as err:  # the user's function may raise anything
            return f"{type(err).__name__}: {err}"
        if len(data):
            experiment.attach_data(data)
        return None

    def stop(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        if future.cancel():
            return FAIL, "cancelled: the optimization loop stopped"
        wait([future])
        return RECORD, None


class RunnerEvaluation(_LoopTrials):
    """Trials deployed through the experiment's runner and measured by its metrics.

    :meth:`submit` deploys (deployment is the start of the run) and returns a future that
    :meth:`poll` completes once every arm has data for every metric of the optimization
    config (its result: None, or why the trial failed).
    """

    def new_trial(self, experiment: Experiment, generator_run: GeneratorRun) -> BaseTrial:
        return self._make_trial(experiment, generator_run)

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        future: Future[Optional[str]] = Future()
        future.set_running_or_notify_cancel()
        try:
            trial.run()
        except Exception as err:  # the user's runner may raise anything
            future.set_result(f"deployment failed: {type(err).__name__}: {err}")
            return future
        if trial.status is TrialStatus.STAGED:
            trial.mark_running()
        self._deployed[trial.index] = (trial, future)
        return future

    def poll(self) -> None:
        for index, (trial, future) in sorted(self._deployed.items()):
            done, reason = self._fetch(trial)
            if done:
                del self._deployed[index]
                future.set_result(reason)

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        return cast(Optional[str], future.result())

    def stop(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        self._deployed.pop(trial.index, None)
        return LEAVE, None

    def _fetch(self, trial: BaseTrial) -> Tuple[bool, Optional[str]]:
        """Whether a deployed trial is finished, and why it failed (None: it did not)."""
        if trial.status.is_terminal:  # e.g. failed by its TTL
            return True, None
        try:
            data = trial.fetch_data()
        except Exception as err:  # the user's metric may raise anything
            return True, f"fetching data failed: {type(err).__name__}: {err}"
        experiment = trial.experiment
        config = experiment.optimization_config
        needed = list(config.metrics) if config is not None else []
        present = set()
        if len(data):
            present = set(zip(data.columns["arm_name"], data.columns["metric_name"]))
        if any((arm.name, m) not in present for arm in trial.arms for m in needed):
            return False, None
        try:
            if len(data):
                experiment.attach_data(data)
        except AxError as err:
            return True, f"invalid data: {err}"
        return True, None


def loop_pool(experiment: Experiment, max_workers: int, run_async: bool) -> Executor:
    """The executor of a loop without ``executor=``: a thread pool for ``run_async`` with
    an evaluation function, else an :class:`InlineExecutor` (runner trials are deployed
    and polled in this thread)."""
    if run_async and experiment.is_simple_experiment:
        return ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ax-loop")
    return InlineExecutor()


def check_executor(
    executor: Any, experiment: Experiment, arms_per_trial: int
) -> Optional[Executor]:
    """``executor`` if it is None or can run this loop's trials; else a clear error.

    Raises:
        UserInputTypeError: ``executor`` is not a ``concurrent.futures.Executor``.
        UserInputError: The loop uses a feature the executor path does not support (batch
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
    if not isinstance(executor, (ThreadPoolExecutor, InlineExecutor)):
        from ax.service.scheduler import check_picklable

        check_picklable(experiment.evaluation_function, executor)
    return executor


def arm_jobs(trial: BaseTrial) -> List[ArmJob]:
    """``(arm name, parameters, weight)`` of each arm (weight None for a one-arm trial)."""
    if isinstance(trial, BatchTrial):
        return [
            (arm.name, dict(arm.parameters), weight)
            for arm, weight in trial.normalized_arm_weights().items()
        ]
    return [(arm.name, dict(arm.parameters), None) for arm in trial.arms]


def evaluate_arms(
    evaluate: Callable[[TParameterization, Optional[float]], Any], jobs: List[ArmJob]
) -> Dict[str, Any]:
    """Evaluate a trial's arms (may run on a pool thread; touches no shared state)."""
    return {name: evaluate(parameters, weight) for name, parameters, weight in jobs}


__all__ = [
    "ArmJob",
    "ArmsEvaluation",
    "LOOP_ABORT_HINT",
    "RunnerEvaluation",
    "arm_jobs",
    "check_executor",
    "evaluate_arms",
    "loop_pool",
]
