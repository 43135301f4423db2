"""The Scheduler: keeps up to N trials in flight through any ``concurrent.futures.Executor``.

It is the one engine: ``optimize``, ``OptimizationLoop`` (every mode),
``AxClient.run_trials`` and the Polaris client (``run()``, ``run(use_mpi=True)``,
``run_parallel()`` and its ``JobClient``) run their trials on it; what is done to one trial is a
:class:`~ax.service.utils.trial_evaluation.TrialEvaluation`. It alone generates for the
capacity that exists (the executor's ``idle_capacity()`` when it has one), counts failures
in a row, applies timeouts, records results and persists.

One seam carries all parallel and distributed execution (see ``DESIGN.md``): the
Scheduler asks the generation strategy for one arm at a time (passing the points still
being evaluated as pending observations), submits ``evaluation_function(parameters)`` to
its executor, records each result as it arrives and persists the experiment after every
change. A local process pool is the default; :func:`~ax.service.executors.dask_executor`
runs trials on a Dask cluster; a thread pool or any other executor works the same way.

Only the thread that calls :meth:`Scheduler.run_all_trials` / :meth:`Scheduler.run_n_trials`
mutates the experiment; workers only call the evaluation function. For a process pool or
Dask the function is pickled, so it must be a module-level function (not a lambda or a
closure); the Scheduler checks this up front and names the function if it cannot be sent.

Early stopping: an evaluation function that takes a ``reporter`` argument (or calls
:func:`ax.service.utils.reporting.report`) reports intermediate results; the Scheduler
records them in the experiment's progression data as they arrive and, with a
``stopping_rule``, asks the rule after each batch of reports whether the trial should
stop. It alone decides: the decision travels back through the executor's report
channel (see :mod:`ax.service.utils.reporting`), ``should_stop()`` turns True and the
next ``report`` raises :class:`~ax.service.utils.reporting.TrialStopped`. The trial is
then EARLY_STOPPED, its reason logged and stored in ``run_metadata["early_stopping"]``;
its final data is what the function returned, or else its last reported values.

What the evaluation function returns is read as by the managed loop: a number, a
``(mean, sem)`` tuple or a ``{metric: (mean, sem)}`` dict. A raised exception, a
non-finite value or a trial past ``timeout_s`` makes the trial FAILED with the reason;
the run goes on until ``max_consecutive_failures`` failures in a row.

Example:
    >>> scheduler = Scheduler(
    ...     experiment,
    ...     generation_strategy,
    ...     evaluate,  # a module-level function: parameters -> float
    ...     options=SchedulerOptions(max_parallelism=4, total_trials=20, persistence="run.json"),
    ... )
    >>> scheduler.run_all_trials()
    >>> best_parameters, (means, covariances) = scheduler.get_best_parameters()
"""

from __future__ import annotations

import importlib
import pickle
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Sequence, Tuple, Union

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.types import TModelPredictArm, TParameterization, TrialStatus
from ax.early_stopping.base import StopDecision, StoppingRule, checked_rule
from ax.exceptions import (
    AxError,
    DataRequiredError,
    ExecutorError,
    GenerationStrategyCompleted,
    MaxParallelismReachedException,
    NoDataError,
    OptimizationAbortedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.dask_reports import DaskReportChannel, dask_client_of
from ax.service.executors import InlineExecutor, acknowledge, capacity_future, idle_capacity
from ax.service.utils.best_point import get_best_parameters
from ax.service.utils.experiment_persistence import ExperimentPersistence, discard_new_trial
from ax.service.utils.loop_validation import resume
from ax.service.utils.pending import gen_on_recorded_data
from ax.service.utils.reporting import FileChannel, LocalChannel, TReport
from ax.service.utils.scheduler_options import SchedulerOptions
from ax.service.utils.stopping import attach_last_reported
from ax.service.utils.trial_evaluation import (
    ABANDON,
    FAIL,
    RECORD,
    FunctionEvaluation,
    TrialEvaluation,
)
from ax.storage.store import as_store
from ax.utils.logger import get_logger
from ax.utils.validation import check_int

if TYPE_CHECKING:  # pragma: no cover
    from ax.service.ax_client import AxClient

logger = get_logger(__name__)

TSchedulerEvaluationFunction = Callable[[TParameterization], Any]


@dataclass
class SchedulerStats:
    """Where the Scheduler's own time went (``time.perf_counter`` seconds, summed).

    Attributes:
        trials_finished: Trials this Scheduler recorded as COMPLETED or FAILED.
        gen_s: Generating arms (pending points and ``GenerationStrategy.gen``).
        submit_s: Creating trials and submitting them to the executor.
        record_s: Reading results and attaching data.
        persist_s: Saving (JSON file or SQL).
    """

    trials_finished: int = 0
    gen_s: float = 0.0
    submit_s: float = 0.0
    record_s: float = 0.0
    persist_s: float = 0.0

    @property
    def own_s(self) -> float:
        """All the Scheduler's own time (gen + submit + record + persist)."""
        return self.gen_s + self.submit_s + self.record_s + self.persist_s


@dataclass
class _InFlight:
    trial: BaseTrial
    submitted: float  # time.monotonic()


class Scheduler:
    """Runs an experiment's trials through an executor, up to ``max_parallelism`` at once.

    Args:
        experiment: The experiment (it needs an optimization config). If it already has
            trials (e.g. reloaded after a crash), the run continues: COMPLETED and FAILED
            trials count towards ``total_trials`` and unfinished ones are ABANDONED with
            the reason.
        generation_strategy: Proposes one arm per trial.
        evaluation_function: ``f(parameters)`` returning a number, ``(mean, sem)`` or
            ``{metric: (mean, sem)}`` (None only with ``trial_evaluation``). Must be
            picklable (module level) unless the executor is a thread pool or an
            :class:`~ax.service.executors.InlineExecutor`.
        executor: Any ``concurrent.futures.Executor``. None: a spawned process pool of
            ``max_parallelism`` workers, created on first use and shut down by
            :meth:`close` (and at the end of :meth:`run_all_trials`). A given executor is
            never shut down by the Scheduler.
        options: :class:`SchedulerOptions` (defaults if None).
        trial_evaluation: What is done to one trial (see
            :class:`~ax.service.utils.trial_evaluation.TrialEvaluation`); None:
            ``evaluation_function(parameters)`` on one-arm trials
            (:class:`~ax.service.utils.trial_evaluation.FunctionEvaluation`).
        label: How messages name the front door driving this Scheduler.
        failures_in_a_row: Failures in a row carried over from an earlier run of the
            same front door (counted towards ``max_consecutive_failures``).
        on_trial_finished: Called with each trial this Scheduler records (COMPLETED,
            FAILED...) and the failures in a row so far, in the calling thread; for
            progress and logs, never for counting.
        store: Where the experiment and strategy are saved after every change: an
            :class:`~ax.storage.store.ExperimentStore`, or as a shortcut a JSON path, a
            database URL or a ``DBSettings`` (see :func:`~ax.storage.store.as_store`).
            The same as ``options.persistence``; give one or the other. None: the
            options' ``persistence`` (by default, not saved).
        stopping_rule: Decides early stops from the trials' intermediate reports (see
            :mod:`ax.early_stopping`); None: reports are recorded, nothing is stopped.
        on_trial_started: Called with each trial once it is submitted to the executor
            (and persisted), in the calling thread.

    Raises:
        UserInputTypeError: An argument has the wrong type.
        UserInputError: The experiment has no optimization config, or the evaluation
            function cannot be pickled for the executor (the message names it), both
            ``store`` and ``options.persistence`` are given, or the stopping rule watches
            a metric that is not an objective.

    Example:
        >>> with Scheduler(experiment, strategy, evaluate, store="run.json") as scheduler:
        ...     scheduler.run_all_trials()
    """

    def __init__(
        self,
        experiment: Experiment,
        generation_strategy: GenerationStrategy,
        evaluation_function: Optional[TSchedulerEvaluationFunction],
        executor: Optional[Executor] = None,
        options: Optional[SchedulerOptions] = None,
        *,
        trial_evaluation: Optional[TrialEvaluation] = None,
        label: str = "Scheduler",
        failures_in_a_row: int = 0,
        on_trial_finished: Optional[Callable[[BaseTrial, int], None]] = None,
        store: Any = None,
        stopping_rule: Optional[StoppingRule] = None,
        on_trial_started: Optional[Callable[[BaseTrial], None]] = None,
    ) -> None:
        if not isinstance(experiment, Experiment):
            raise UserInputTypeError(
                f"Scheduler: experiment must be an Experiment, got {type(experiment).__name__}"
            )
        if experiment.optimization_config is None:
            raise UserInputError(
                f"Scheduler: experiment {experiment._name!r} needs an optimization config "
                "(an objective)"
            )
        if not isinstance(generation_strategy, GenerationStrategy):
            raise UserInputTypeError(
                "Scheduler: generation_strategy must be a GenerationStrategy, got "
                f"{type(generation_strategy).__name__}"
            )
        if trial_evaluation is None and not callable(evaluation_function):
            raise UserInputTypeError(
                f"Scheduler: evaluation_function must be callable, got {evaluation_function!r}"
            )
        if executor is not None and not isinstance(executor, Executor):
            raise UserInputTypeError(
                "Scheduler: executor must be a concurrent.futures.Executor or None, got "
                f"{type(executor).__name__}"
            )
        if options is None:
            options = SchedulerOptions()
        elif not isinstance(options, SchedulerOptions):
            raise UserInputTypeError(
                f"Scheduler: options must be a SchedulerOptions or None, got "
                f"{type(options).__name__}"
            )
        if trial_evaluation is None:
            assert evaluation_function is not None  # checked above
            if not isinstance(executor, (ThreadPoolExecutor, InlineExecutor)):
                check_picklable(evaluation_function, executor)
            names = [m.name for m in experiment.optimization_config.objective.metrics]
            trial_evaluation = FunctionEvaluation(
                evaluation_function, names[0] if len(names) == 1 else names
            )
        elif not isinstance(trial_evaluation, TrialEvaluation):
            raise UserInputTypeError(
                "Scheduler: trial_evaluation must be a TrialEvaluation or None, got "
                f"{type(trial_evaluation).__name__}"
            )
        self.stopping_rule = checked_rule("Scheduler", stopping_rule, experiment)
        self._channel: Optional[Any] = None
        self._channel_error: Optional[ExecutorError] = None
        self._reported: Dict[int, None] = {}  # trials with new reports, in order
        self._stops: Dict[int, StopDecision] = {}
        self._evaluation = trial_evaluation
        self._label = label
        self.exhausted_by: Optional[GenerationStrategyCompleted] = None
        self._on_trial_finished = on_trial_finished
        self._on_trial_started = on_trial_started
        self.experiment = experiment
        self.generation_strategy = generation_strategy
        self.evaluation_function = evaluation_function
        self.options = options
        self.stats = SchedulerStats()
        self._executor = executor
        self._owns_executor = executor is None
        self._in_flight: Dict[Future[Any], _InFlight] = {}
        self._consecutive_failures = failures_in_a_row
        self._abort: Optional[AxError] = None
        self._persistence = ExperimentPersistence(_scheduler_store(store, options), label)
        self._strategy_saved = False
        if options.shared:
            by_status = experiment.trial_indices_by_status
            self._num_finished = (
                len(by_status[TrialStatus.COMPLETED])
                + len(by_status[TrialStatus.FAILED])
                + len(by_status[TrialStatus.EARLY_STOPPED])
            )
            return
        had_unfinished = any(not t.status.is_terminal for t in experiment.trials.values())
        adopted = self._adopt_unfinished() if had_unfinished and executor is not None else ()
        self._num_finished = resume(experiment, keep=adopted)
        if had_unfinished:
            self._persist(None, with_strategy=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_ax_client(
        cls,
        client: AxClient,
        evaluation_function: TSchedulerEvaluationFunction,
        executor: Optional[Executor] = None,
        options: Optional[SchedulerOptions] = None,
    ) -> Scheduler:
        """A Scheduler over an :class:`~ax.service.ax_client.AxClient`'s experiment and strategy.

        Trials it runs are visible through the client (same objects). Persistence is set by
        ``options.persistence``, not by the client's store.

        Raises:
            UserInputError: The client has no experiment yet.
        """
        return cls(
            client.experiment,
            client.generation_strategy,
            evaluation_function,
            executor,
            options,
            stopping_rule=client.stopping_rule,
        )

    # ------------------------------------------------------------------ properties
    @property
    def num_trials_finished(self) -> int:
        """COMPLETED and FAILED trials of the experiment (those of a resumed run included)."""
        return self._num_finished

    @property
    def num_in_flight(self) -> int:
        """Trials submitted (or adopted) whose results are not recorded yet."""
        return len(self._in_flight)

    @property
    def consecutive_failures(self) -> int:
        """Trials that failed in a row so far (0 after a COMPLETED one)."""
        return self._consecutive_failures

    @property
    def store(self) -> Any:
        """The :class:`~ax.storage.store.ExperimentStore` it saves to (None: not saved)."""
        return self._persistence.store

    @property
    def executor(self) -> Executor:
        """The executor (the default process pool is created here on first use)."""
        if self._executor is None:
            from ax.service.executors import process_pool_executor

            self._executor = process_pool_executor(self.options.max_parallelism)
        return self._executor

    # ------------------------------------------------------------------ running
    def run_all_trials(self) -> Scheduler:
        """Run until ``total_trials`` trials have finished (or the strategy has no more arms).

        Returns:
            This Scheduler.

        Raises:
            UserInputError: ``options.total_trials`` is None.
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row;
                trials still in flight are marked ABANDONED.
            ExecutorError: The executor's back end failed (e.g. ``BrokerConnectionError``:
                the RabbitMQ broker went away); trials in flight are ABANDONED and the
                saved experiment resumes with a new Scheduler.
        """
        if self.options.total_trials is None:
            raise UserInputError(
                "Scheduler.run_all_trials: options.total_trials is None; set it, or call "
                "run_n_trials(n)"
            )
        try:
            self._run(self.options.total_trials - self._num_finished)
        finally:
            self.close()
        return self

    def run_n_trials(self, n: int) -> Scheduler:
        """Run ``n`` more trials (fewer if ``total_trials`` is reached first); trials
        adopted from an earlier run (see :meth:`TrialEvaluation.adopt
        <ax.service.utils.trial_evaluation.TrialEvaluation.adopt>`) count among them.

        Raises:
            UserInputTypeError / UserInputError: ``n`` is not an int >= 1.
            OptimizationAbortedError: As for :meth:`run_all_trials`.
        """
        check_int("Scheduler.run_n_trials", "n", n, 1, repeat_field=False)
        total = self.options.total_trials
        self._run(n if total is None else min(n, total - self._num_finished))
        return self

    def close(self) -> None:
        """Shut down the default process pool if this Scheduler created one, and the
        report channel."""
        if self._owns_executor and self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
            self._channel_error = None
            self._evaluation.channel = None

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def get_best_parameters(self) -> Tuple[TParameterization, TModelPredictArm]:
        """The best parameters and their values (see
        :func:`~ax.service.utils.best_point.get_best_parameters`).

        Raises:
            NoDataError: No trial has completed with data yet.
        """
        best = get_best_parameters(self.experiment)
        if best is None:
            raise NoDataError(
                f"Scheduler: experiment {self.experiment._name!r} has no COMPLETED trial "
                "with objective data yet"
            )
        return best

    # ------------------------------------------------------------------ the loop
    def _run(self, budget: int) -> None:
        started = len(self._in_flight)  # adopted trials count towards the budget
        exhausted = False
        self.exhausted_by = None
        try:
            while True:
                room = self._room()
                wanted = not exhausted and started < budget
                while wanted and room > 0:
                    try:
                        self._launch_one()
                    except (DataRequiredError, MaxParallelismReachedException):
                        if not self._in_flight:
                            raise
                        break  # wait for results, then ask again
                    except GenerationStrategyCompleted as err:
                        logger.warning("%s: stopping, %s", self._label, err)
                        self.exhausted_by = err
                        exhausted = True
                        break
                    started += 1
                    room -= 1
                    wanted = started < budget
                # Short of capacity: also wake when the executor says some freed up.
                freed = capacity_future(self.executor) if wanted and room <= 0 else None
                if not self._in_flight:
                    if exhausted or started >= budget:
                        return
                    if freed is None:
                        time.sleep(self.options.poll_interval)  # no idle capacity yet
                    else:
                        wait([freed], timeout=self.options.poll_interval)
                    continue
                self._wait_and_record(freed)
        except KeyboardInterrupt:
            self._abandon_in_flight(interrupted=True)
            raise
        finally:
            self._abandon_in_flight()

    def _room(self) -> int:
        """How many trials to generate now: free slots, capped by the executor's idle
        capacity when it reports one (a pull-style pool gets no proposal on stale data)."""
        room = self.options.max_parallelism - len(self._in_flight)
        capacity = idle_capacity(self.executor)
        return room if capacity is None else min(room, capacity)

    def _launch_one(self) -> None:
        trial = self._new_trial()
        t1 = time.perf_counter()
        self._open_channel()
        try:
            future = self._evaluation.submit(self.executor, trial)
        except BaseException as err:  # a broken or shut-down executor: nothing can run
            trial.mark_abandoned(reason=f"could not submit: {type(err).__name__}: {err}")
            self._persist(trial, with_strategy=True)
            raise
        self._in_flight[future] = _InFlight(trial, time.monotonic())
        self.stats.submit_s += time.perf_counter() - t1
        if self._on_trial_started is not None:
            self._on_trial_started(trial)

    def _adopt_unfinished(self) -> Tuple[int, ...]:
        """Unfinished trials of an earlier run that the evaluation can wait for again on
        this executor (e.g. jobs still queued on a broker): back in flight. The others are
        abandoned by :func:`~ax.service.utils.loop_validation.resume`."""
        adopted = []
        executor = self.executor
        for index in sorted(self.experiment.trials):
            trial = self.experiment.trials[index]
            if trial.status.is_terminal:
                continue
            future = self._evaluation.adopt(executor, trial)
            if future is not None:
                self._in_flight[future] = _InFlight(trial, time.monotonic())
                adopted.append(index)
        return tuple(adopted)

    def _new_trial(self) -> BaseTrial:
        """Generate a RUNNING trial and save it with the strategy, under the store's lock
        after merging what other writers stored (their trials are pending points; the
        index is the next free one). Nothing is kept in memory if the save fails. Without
        a store the lock and the save are no-ops."""
        trial: Optional[BaseTrial] = None
        generator_run = None
        strategy = self.generation_strategy
        t0 = time.perf_counter()
        try:
            with self._persistence.locked(self.experiment, strategy, "Scheduler") as store:
                t_gen = time.perf_counter()
                generator_run = gen_on_recorded_data(
                    self.experiment, strategy, n=self._evaluation.arms_per_trial
                )
                trial = self._evaluation.new_trial(self.experiment, generator_run)
                gen_s = time.perf_counter() - t_gen
                store.save([trial], strategy)
        except BaseException:
            discard_new_trial(self.experiment, trial, strategy, generator_run)
            raise
        self._strategy_saved = self._persistence.enabled
        self.stats.gen_s += gen_s
        self.stats.persist_s += time.perf_counter() - t0 - gen_s
        assert trial is not None
        return trial

    def _wait_and_record(self, freed: Optional[Future[Any]] = None) -> None:
        timeout = self.options.poll_interval
        limit = self.options.timeout_s
        if limit is not None:
            now = time.monotonic()
            next_deadline = min(f.submitted + limit for f in self._in_flight.values())
            timeout = max(0.0, min(timeout, next_deadline - now))
        self._evaluation.poll()
        self._drain_reports()
        waited = list(self._in_flight) if freed is None else [*self._in_flight, freed]
        done, _ = wait(waited, timeout=timeout, return_when=FIRST_COMPLETED)
        if freed is not None:
            done.discard(freed)  # a wake-up for capacity, not a trial
        for future in sorted(done, key=lambda f: self._in_flight[f].trial.index):
            flight = self._in_flight.pop(future)
            self._record(flight.trial, future)
        if limit is not None:
            now = time.monotonic()
            for future, flight in sorted(self._in_flight.items(), key=lambda x: x[1].trial.index):
                if now - flight.submitted >= limit:
                    del self._in_flight[future]
                    future.cancel()
                    self._finish(flight.trial, f"timed out after {limit:g} s")
        if self._abort is not None:
            error, self._abort = self._abort, None
            raise error

    def _record(self, trial: BaseTrial, future: Future[Any], may_abort: bool = True) -> None:
        t0 = time.perf_counter()
        self._drain_reports()  # the reports made before the result
        stopped = self._stops.pop(trial.index, None)
        if stopped is None and self._evaluation.was_stopped(future):
            last = self.experiment.progression_data.max_progression(trial.index)
            stopped = StopDecision(True, "the evaluation function stopped itself", last)
        try:
            reason = self._evaluation.read(self.experiment, trial, future)
        except ExecutorError as err:  # the back end is gone (e.g. the broker): stop the run
            if not trial.status.is_terminal:
                trial.mark_abandoned(reason=f"the executor failed: {err.message}")
            self._persist(trial, with_strategy=False)
            if self._abort is None and may_abort:
                self._abort = err
            return
        self.stats.record_s += time.perf_counter() - t0
        if stopped is not None and not trial.status.is_terminal:
            if reason is not None:  # e.g. it raised after being told to stop
                trial.update_run_metadata({"error_after_stop": reason})
            attach_last_reported(self.experiment, trial)
            trial.mark_early_stopped(reason=stopped.reason, progression=stopped.progression)
            reason = None
        self._finish(trial, reason, may_abort)
        acknowledge(future)  # recorded and persisted: the executor may forget the result

    def _finish(self, trial: BaseTrial, reason: Optional[str], may_abort: bool = True) -> None:
        """Mark the trial COMPLETED (no reason) or FAILED, persist, count failures.

        The one place failures in a row are counted (an EARLY_STOPPED trial is not a
        failure). A trial already terminal (e.g. failed by its own TTL meanwhile, or
        stopped early) keeps its status and reason.
        """
        status = trial.status
        if status is TrialStatus.EARLY_STOPPED:
            reason = None
        elif status.is_terminal:
            if status is not TrialStatus.COMPLETED:
                reason = trial.failed_reason or trial.abandoned_reason or status.name
        elif reason is None:
            trial.mark_completed()
        else:
            trial.mark_failed(reason=reason)
        if reason is None:
            self._consecutive_failures = 0
        else:
            self._consecutive_failures += 1
            logger.warning("%s: trial %d failed: %s", self._label, trial.index, reason)
        self._num_finished += 1
        self.stats.trials_finished += 1
        self._persist(trial, with_strategy=False)
        if self._on_trial_finished is not None:
            self._on_trial_finished(trial, self._consecutive_failures)
        limit = self.options.max_consecutive_failures
        if (
            may_abort
            and reason is not None
            and self._consecutive_failures >= limit
            and self._abort is None
        ):
            # Raised by _wait_and_record once every result already in hand is recorded.
            self._abort = OptimizationAbortedError(
                f"{self._label}: {self._consecutive_failures} trials failed in a row "
                f"(max_consecutive_failures={limit}); the last, trial {trial.index}, failed "
                f"with: {reason}",
                num_failures=self._consecutive_failures,
                last_reason=reason,
                hint=self._evaluation.abort_hint,
            )

    def _abandon_in_flight(self, interrupted: bool = False) -> None:
        """After an error: trials still in flight are ABANDONED, never left RUNNING
        (unless the evaluation says otherwise: after an interrupt, it may leave trials a
        later run can adopt)."""
        for future, flight in sorted(self._in_flight.items(), key=lambda x: x[1].trial.index):
            del self._in_flight[future]
            trial = flight.trial
            if interrupted:
                action, reason = self._evaluation.interrupt(trial, future)
            else:
                action, reason = self._evaluation.stop(trial, future)
            if action == RECORD:
                self._record(trial, future, may_abort=False)
            elif action == FAIL and not trial.status.is_terminal:
                self._finish(trial, reason, may_abort=False)
            elif action == ABANDON and not trial.status.is_terminal:
                trial.mark_abandoned(reason=reason)
                self._persist(trial, with_strategy=False)

    # ------------------------------------------------------------------ early stopping
    def _open_channel(self) -> None:
        """Give the evaluation a report channel that suits the executor (once)."""
        if self._channel is not None or not self._evaluation.reports:
            return
        executor = self.executor
        make = getattr(executor, "report_channel", None)
        if callable(make):
            channel = make()
        elif isinstance(executor, (InlineExecutor, ThreadPoolExecutor)):
            channel = LocalChannel(on_report=self._on_local_report)
        elif dask_client_of(executor) is not None:  # workers may be on other machines
            channel = DaskReportChannel(dask_client_of(executor))
        else:
            channel = FileChannel()
        self._channel = channel
        self._evaluation.channel = channel
        self._evaluation.metric_names = frozenset(self.experiment.metrics)

    def _on_local_report(self, report: TReport) -> None:
        """A report made in this thread (inline evaluation): record and decide now."""
        self._add_report(report)
        self._decide()

    def _drain_reports(self) -> None:
        if self._channel is None or self._channel_error is not None:
            return
        try:
            reports = self._channel.drain()
        except ExecutorError as err:  # the back end is gone (e.g. the broker)
            self._channel_failed(err)
            return
        for report in reports:
            self._add_report(report)
        self._decide()

    def _channel_failed(self, err: ExecutorError) -> None:
        """The report channel's back end failed: no more reports; stop the run."""
        logger.warning("%s: intermediate reports stopped: %s", self._label, err.message)
        self._channel_error = err
        if self._abort is None:
            self._abort = err

    def _add_report(self, report: TReport) -> None:
        index, progression, values = report
        trial = self.experiment.trials.get(index)
        if trial is None or trial.status in (TrialStatus.FAILED, TrialStatus.ABANDONED):
            return
        try:
            self.experiment.progression_data.append(self.experiment, index, progression, values)
        except AxError as err:  # checked by the reporter already; never fatal here
            logger.warning("%s: trial %d: report refused: %s", self._label, index, err)
            return
        self._reported[index] = None

    def _decide(self) -> None:
        """Ask the stopping rule about each trial with new reports; persist them."""
        if not self._reported:
            return
        indices = list(self._reported)
        self._reported.clear()
        rule = self.stopping_rule
        trials = [self.experiment.trials[i] for i in indices]
        for trial in trials:
            index = trial.index
            if rule is None or index in self._stops or trial.status is not TrialStatus.RUNNING:
                continue
            decision = rule.should_stop(self.experiment, index)
            if decision.stop:
                self._stops[index] = decision
                assert self._channel is not None
                try:
                    self._channel.stop(index)
                except ExecutorError as err:
                    self._channel_failed(err)
                logger.info("%s: stopping trial %d early: %s", self._label, index, decision.reason)
        self._persist(trials, with_strategy=False)

    # ------------------------------------------------------------------ persistence
    def _persist(
        self, trial: Union[None, BaseTrial, Sequence[BaseTrial]], with_strategy: bool
    ) -> None:
        """Save ``trial`` (or several; None: every changed trial) through the store, with
        the strategy when it changed (and on the first save, so that a new file or row
        holds it)."""
        if not self._persistence.enabled:
            return
        t0 = time.perf_counter()
        strategy: Optional[GenerationStrategy] = self.generation_strategy
        if not (with_strategy or not self._strategy_saved) or (
            strategy is not None and strategy.experiment is None
        ):
            strategy = None
        # The strategy is resynced whenever other writers' trials are merged in (also
        # when only a result is saved), so that its next proposal accounts for them.
        locked = self._persistence.locked(self.experiment, self.generation_strategy, "Scheduler")
        with locked as store:
            if trial is None:
                store.save_all(strategy)
            else:
                store.save([trial] if isinstance(trial, BaseTrial) else list(trial), strategy)
        self._strategy_saved = self._strategy_saved or strategy is not None
        self.stats.persist_s += time.perf_counter() - t0


def _scheduler_store(store: Any, options: SchedulerOptions) -> Any:
    """The Scheduler's store: ``store``, else ``options.persistence`` (one of them)."""
    if store is not None and options.persistence is not None:
        raise UserInputError(
            f"Scheduler: give store={store!r} or options.persistence="
            f"{options.persistence!r}, not both"
        )
    if store is None:
        resolved = as_store(options.persistence, "SchedulerOptions: persistence")
    else:
        resolved = as_store(store, "Scheduler: store")
    if options.shared and not (resolved is not None and resolved.shared):
        raise UserInputError(
            "Scheduler: options.shared=True needs a store several processes can write (a "
            f"database), got store={store!r} and options.persistence={options.persistence!r}",
            hint="pass store='sqlite:///study.db' (or a PostgreSQL URL, an SQLStore)",
        )
    return resolved


def check_picklable(function: Callable[..., Any], executor: Optional[Executor]) -> None:
    """Raise a clear error if ``function`` cannot be sent to a worker process."""
    name = getattr(function, "__qualname__", None) or repr(function)
    module = getattr(function, "__module__", "?")
    try:
        pickle.dumps(function)
        return
    except Exception as err:
        error: Exception = err
    if executor is not None and (
        type(executor).__module__.startswith("distributed")
        or getattr(executor, "uses_cloudpickle", False)
    ):
        try:  # Dask and the RabbitMQ executor send functions with cloudpickle (lambdas too)
            importlib.import_module("cloudpickle").dumps(function)
            return
        except Exception as err:
            error = err
    raise UserInputError(
        f"Scheduler: evaluation_function {module}.{name} cannot be pickled to send it to "
        f"the executor's workers ({type(error).__name__}: {error})",
        hint="define it at module level (not a lambda, closure or method of a local "
        "object), or pass executor=ThreadPoolExecutor(...)",
    )


__all__ = ["Scheduler", "SchedulerOptions", "SchedulerStats", "OptimizationAbortedError"]
