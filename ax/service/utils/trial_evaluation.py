"""How the Scheduler runs one trial: the evaluation seam below the one engine.

The :class:`~ax.service.scheduler.Scheduler` owns the loop (generate for the capacity that
exists, keep trials in flight, wait, record, count failures in a row, apply timeouts,
persist). What it does to *one* trial is a :class:`TrialEvaluation`:

- :meth:`TrialEvaluation.new_trial` wraps a generator run in a trial (one arm by default);
- :meth:`TrialEvaluation.submit` starts it on the executor and returns a future;
- :meth:`TrialEvaluation.poll` (optional) completes futures the executor cannot complete by
  itself (trials deployed through a runner whose data is fetched by polling);
- :meth:`TrialEvaluation.read` attaches the result's data and says why the trial failed
  (or None when it succeeded);
- :meth:`TrialEvaluation.stop` says what happens to a trial still in flight when the run
  stops with an error (abandon it by default), :meth:`TrialEvaluation.interrupt` when it is
  interrupted (``KeyboardInterrupt``; as ``stop`` by default);
- :meth:`TrialEvaluation.adopt` (optional) gives a future for a trial an earlier run left
  in flight (e.g. a job still queued on a broker), when a Scheduler starts on an
  experiment that has one; trials not adopted are abandoned.

:class:`FunctionEvaluation` is the Scheduler's default: ``f(parameters)`` called on the
executor's worker through :func:`~ax.service.utils.scheduler_worker.run_evaluation`.
The optimization loop's evaluations (batch trials, runner-and-metrics experiments) are in
:mod:`ax.service.utils.loop_evaluations`.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.exceptions import AxError, ExecutorError
from ax.service.utils.instantiation import data_from_evaluations, raw_data_to_evaluation
from ax.service.utils.reporting import Reporter
from ax.service.utils.scheduler_worker import run_evaluation

# What :meth:`TrialEvaluation.stop` asks the Scheduler to do with a trial in flight.
ABANDON = "abandon"  # mark it ABANDONED with the reason (the default)
FAIL = "fail"  # mark it FAILED with the reason (counted, never aborts)
RECORD = "record"  # its future is done: record it as any other result (never aborts)
LEAVE = "leave"  # leave it as it is (e.g. deployed through a runner, still RUNNING)

TStopAction = Tuple[str, Optional[str]]


class TrialEvaluation:
    """What the Scheduler does to one trial (subclass and override what differs).

    Attributes:
        arms_per_trial: Arms generated per trial (more than 1: the subclass builds a batch
            trial in :meth:`new_trial`).
        reports: Whether the evaluation reports intermediate results (see
            :mod:`ax.service.utils.reporting`); the Scheduler then sets ``channel``.
        abort_hint: The hint of the error raised after too many failures in a row.
    """

    arms_per_trial: int = 1
    # Whether :meth:`submit` hands the function a reporter (then the Scheduler sets
    # ``channel`` and ``metric_names`` before the first submit).
    reports: bool = False
    channel: Optional[Any] = None
    metric_names: FrozenSet[str] = frozenset()
    abort_hint: str = (
        "fix the evaluation function (see the trials' failed_reason), then reload and continue"
    )

    def new_trial(self, experiment: Experiment, generator_run: GeneratorRun) -> BaseTrial:
        """A RUNNING trial holding ``generator_run``."""
        trial = experiment.new_trial(generator_run)
        trial.mark_running(no_runner_required=True)
        return trial

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        """Start ``trial`` on ``executor``; the future's result is read by :meth:`read`."""
        raise NotImplementedError  # pragma: no cover - abstract

    def poll(self) -> None:
        """Complete the futures of trials whose results are fetched by polling (no-op)."""
        return None

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        """Attach the data of a done ``future`` to ``experiment``.

        Returns:
            None if the trial succeeded, else why it failed.

        Raises:
            ExecutorError: The executor's back end failed (the Scheduler stops the run).
        """
        raise NotImplementedError  # pragma: no cover - abstract

    def stop(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        """What to do with a trial still in flight when the run stops with an error."""
        future.cancel()
        return ABANDON, "the scheduler stopped before its result"

    def was_stopped(self, future: Future[Any]) -> bool:
        """Whether a done ``future``'s evaluation ended because it was stopped early."""
        return False

    def reporter(self, trial: BaseTrial) -> Optional[Reporter]:
        """A reporter for ``trial`` on the Scheduler's channel (None: no channel)."""
        if self.channel is None:
            return None
        key = trial.experiment.progression_data.progression_key
        return Reporter(trial.index, self.channel, self.metric_names, key)

    def interrupt(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        """What to do with a trial still in flight when the run is interrupted
        (``KeyboardInterrupt``); :meth:`stop` by default. Return :data:`LEAVE` for a trial
        a later run can :meth:`adopt`."""
        return self.stop(trial, future)

    def adopt(self, executor: Executor, trial: BaseTrial) -> Optional[Future[Any]]:
        """A future for ``trial``, left unfinished by an earlier run, if this evaluation
        can still get its result through ``executor`` (it is then read by :meth:`read`
        as any other); None (the default): the trial is abandoned."""
        return None


class FunctionEvaluation(TrialEvaluation):
    """``function(parameters)`` for one-arm trials, on any executor (the default).

    The worker runs :func:`~ax.service.utils.scheduler_worker.run_evaluation`, which never
    raises: a raised exception comes back as the failure reason with where it was raised.

    Args:
        function: The user's evaluation function (picklable unless the executor runs it in
            this process).
        objective_name: The objective metric (or the metrics of a multi-objective); a
            ``{metric: value}`` result must have it (each of them).
    """

    def __init__(
        self, function: Callable[[Dict[str, Any]], Any], objective_name: Union[str, List[str]]
    ) -> None:
        self.function = function
        self.objective_name = objective_name

    reports = True

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        parameters = dict(trial.arms[0].parameters)
        reporter = self.reporter(trial)
        if reporter is None:
            return executor.submit(run_evaluation, self.function, parameters)
        return executor.submit(run_evaluation, self.function, parameters, reporter)

    def was_stopped(self, future: Future[Any]) -> bool:
        if not future.done() or future.cancelled() or future.exception() is not None:
            return False
        outcome = future.result()
        return isinstance(outcome, dict) and outcome.get("stopped") is True

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        try:
            outcome = future.result()
        except ExecutorError:
            raise
        except Exception as err:  # the executor itself failed (worker died, cancelled...)
            return f"the executor failed: {type(err).__name__}: {err}"
        trial.update_run_metadata(
            {"worker_started": outcome["started"], "worker_finished": outcome["finished"]}
        )
        if outcome.get("stopped"):
            return None  # the Scheduler attaches the last reported values
        if not outcome["ok"]:
            where = f" (at {outcome['where']})" if outcome["where"] else ""
            trial.update_run_metadata({"traceback": outcome["traceback"]})
            return f"{outcome['error']}{where}"
        try:
            evaluation = raw_data_to_evaluation(outcome["value"], self.objective_name)
            reason = self._missing_objective(experiment, evaluation)
            if reason is None:
                data = data_from_evaluations({trial.arms[0].name: evaluation}, trial.index)
                if len(data):
                    experiment.attach_data(data)
            return reason
        except AxError as err:
            return f"invalid result: {err.message}"

    def _missing_objective(self, experiment: Experiment, evaluation: Any) -> Optional[str]:
        """Why a ``{metric: value}`` result is unusable (it lacks the objective), or None."""
        names = (
            [self.objective_name] if isinstance(self.objective_name, str) else self.objective_name
        )
        missing = [n for n in names if n not in evaluation] if isinstance(evaluation, dict) else []
        if not missing:
            return None
        returned = sorted(str(name)[:100] for name in evaluation)
        what = f"objective {missing[0]!r}" if len(names) == 1 else f"objective(s) {missing}"
        return (
            f"invalid result: the evaluation returned metric(s) {returned} but not the "
            f"{what} (the experiment's metrics: {sorted(experiment.metrics)})"
        )


__all__ = [
    "ABANDON",
    "FAIL",
    "FunctionEvaluation",
    "LEAVE",
    "RECORD",
    "TStopAction",
    "TrialEvaluation",
]
