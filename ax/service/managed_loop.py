"""The managed optimization loop: ``OptimizationLoop`` and the one-call ``optimize``.

The loop owns the whole cycle: it asks a generation strategy for the next arms (passing
the points of trials still running, so concurrent trials differ), puts them in a
``Trial`` (or a ``BatchTrial`` when ``arms_per_trial > 1``), evaluates the trial and
records the result on the experiment. Every mode runs on the
:class:`~ax.service.scheduler.Scheduler`, the one engine: it alone counts failures in a
row, applies TTLs and records results (see :mod:`ax.service.utils.loop_evaluations`).
Evaluation happens either

- through an evaluation function (a :class:`SimpleExperiment`; see
  :meth:`OptimizationLoop.with_evaluation_function` and :func:`optimize`), in this
  thread, with ``run_async=True`` on a thread pool, or with ``executor=`` through the
  :class:`~ax.service.scheduler.Scheduler` on any ``concurrent.futures.Executor`` (a
  process pool, Dask, RabbitMQ workers; see :mod:`ax.service.utils.loop_executor`); or
- through a :class:`Runner` that deploys trials and :class:`Metric` objects that fetch
  their data (see :meth:`OptimizationLoop.with_runners_and_metrics`); the loop polls
  ``trial.fetch_data()`` every ``wait_time`` seconds until every arm has data for every
  metric of the optimization config.

A trial whose evaluation raises, returns a non-finite value or whose data cannot be
fetched is marked FAILED with the reason, a warning is logged, and the loop goes on;
``max_consecutive_failures`` failures in a row stop it with
:class:`OptimizationAbortedError`.

Threads: only the thread that calls the loop's methods mutates the experiment; pool
threads only call the evaluation function.

Example:
    >>> best_parameters, (means, covariances), experiment, model = optimize(
    ...     parameters=[
    ...         {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    ...         {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ...     ],
    ...     evaluation_function=lambda p: (p["x1"] - 1.0) ** 2 + (p["x2"] - 2.0) ** 2,
    ...     minimize=True,
    ...     total_trials=15,
    ... )
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, List, Mapping, Optional, Sequence, Tuple, Union

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.runner import Runner
from ax.core.simple_experiment import SimpleExperiment, TEvaluationFunction, num_positional
from ax.core.types import TModelPredictArm, TParameterization, TrialStatus
from ax.early_stopping.base import StoppingRule
from ax.exceptions import (
    GenerationStrategyCompleted,
    NoDataError,
    OptimizationAbortedError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.plot.pareto import observed_frontier
from ax.service.executors import pool_size
from ax.service.utils.best_point import get_best_parameters
from ax.service.utils.instantiation import make_experiment, make_simple_experiment
from ax.service.utils.loop_evaluations import (
    ArmsEvaluation,
    RunnerEvaluation,
    check_executor,
    loop_pool,
)
from ax.service.utils.loop_validation import (
    build_metrics,
    checked_bool,
    checked_experiment,
    checked_int,
    checked_wait_time,
    import_class,
    resume,
)
from ax.service.utils.pareto import TParetoFrontier, get_pareto_optimal_parameters
from ax.service.utils.reporting import accepts_reporter
from ax.service.utils.scheduler_options import SchedulerOptions
from ax.service.utils.scheduler_worker import LoopEvaluation
from ax.service.utils.stopping import check_stopping_rule, stopping_executor
from ax.storage.store import JSONFileStore, as_store
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    from ax.modelbridge.base import ModelBridge
    from ax.service.scheduler import Scheduler

logger = get_logger(__name__)

# Seconds between two polls of deployed trials when wait_time is 0 (the Scheduler's
# poll interval must be positive).
_MIN_POLL_S = 1e-3


class _NoProgress:
    """Stands in for a tqdm bar when progress is not shown."""

    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


class OptimizationLoop:
    """Runs an experiment's trials one after another (or concurrently) to a budget.

    Every mode runs on the :class:`~ax.service.scheduler.Scheduler`, the one engine: in
    this thread through an :class:`~ax.service.executors.InlineExecutor`, on a thread
    pool with ``run_async``, or on any ``executor``; the Scheduler counts failures in a
    row, records results and applies timeouts (see
    :mod:`ax.service.utils.loop_evaluations`).

    Args:
        experiment: A :class:`SimpleExperiment` with an evaluation function, or an
            :class:`Experiment` with a runner and an optimization config. If it already
            has trials (a reloaded run), the loop continues it: COMPLETED and FAILED
            trials count towards ``total_trials``, and trials left unfinished by the
            interrupted run are marked ABANDONED (they have no data).
        total_trials: How many trials to run (FAILED ones count).
        arms_per_trial: Arms per trial; more than 1 makes every trial a BatchTrial.
        random_seed: Seed of the default generation strategy (ignored when
            ``generation_strategy`` is given): the same seed and a deterministic
            evaluation give the same sequence of arms.
        wait_time: Seconds between two polls of running trials' data (runner and
            metrics experiments, and ``run_async``).
        run_async: Evaluate up to ``max_workers`` trials at once: on a thread pool for an
            evaluation function, or deployed together through the runner.
        generation_strategy: How arms are proposed; by default
            :func:`~ax.modelbridge.dispatch_utils.choose_generation_strategy` for the
            search space (Sobol, then GPEI).
        max_consecutive_failures: Stop with :class:`OptimizationAbortedError` once this
            many trials have failed in a row.
        show_progress: Show a tqdm progress bar during :meth:`full_run`.
        max_workers: Trials evaluated at once with ``run_async`` or ``executor``
            (default ``min(4, total_trials)``, or ``min(pool size, total_trials)`` for a
            standard-library thread or process pool given as ``executor``).
        trial_ttl_seconds: If set, a trial still running after this many seconds is
            marked FAILED (its late result is ignored).
        executor: Run :meth:`full_run`'s trials through a
            :class:`~ax.service.scheduler.Scheduler` on this
            ``concurrent.futures.Executor``, up to ``max_workers`` at once (``run_async``
            is then implied). Needs a :class:`SimpleExperiment` with one-arm trials; the
            function must be picklable (module level) unless the executor is a thread
            pool. The executor is not shut down by the loop; ``wait_time`` does not
            apply (results are waited for, not polled). None: in this thread, or on a
            thread pool with ``run_async``.
        store: Where the Scheduler saves the experiment and the generation strategy
            after every trial: an :class:`~ax.storage.store.ExperimentStore`, or as a
            shortcut a JSON path or a database URL (``sqlite:///...``; the experiment
            then needs a name). :meth:`load_from_json_file` (or the store's ``load``)
            resumes it. None: nothing is saved during the run.
        stopping_rule: Stop unpromising trials early from the intermediate results the
            evaluation function reports (it takes a ``reporter`` argument; see
            :mod:`ax.early_stopping` and :mod:`ax.service.utils.reporting`). Needs a
            :class:`SimpleExperiment` with one-arm trials; without ``executor`` the
            trials run on an inline executor (a thread pool with ``run_async``).

    Raises:
        UserInputError: An argument is out of range, or the experiment has neither an
            evaluation function nor a runner, or ``executor`` is given for a feature it
            does not support (``arms_per_trial > 1``, a runner-and-metrics experiment)
            or with a function that cannot be pickled for it.
        UserInputTypeError: An argument has the wrong type (``store``: not a store, a path
            or a URL; the message names the argument and the value).

    Example:
        >>> loop = OptimizationLoop.with_evaluation_function(
        ...     parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        ...     evaluation_function=lambda p: (p["x"] - 0.3) ** 2,
        ...     minimize=True,
        ...     total_trials=10,
        ... )
        >>> best_parameters, (means, covariances) = loop.full_run().get_best_point()
    """

    def __init__(
        self,
        experiment: Experiment,
        total_trials: int = 20,
        arms_per_trial: int = 1,
        random_seed: Optional[int] = None,
        wait_time: float = 0,
        run_async: bool = False,
        generation_strategy: Optional[GenerationStrategy] = None,
        max_consecutive_failures: int = 5,
        show_progress: bool = False,
        max_workers: Optional[int] = None,
        trial_ttl_seconds: Optional[int] = None,
        executor: Optional[Executor] = None,
        store: Any = None,
        stopping_rule: Optional[StoppingRule] = None,
    ) -> None:
        self.experiment = checked_experiment(experiment)
        self.total_trials = checked_int("total_trials", total_trials, 1)
        self.arms_per_trial = checked_int("arms_per_trial", arms_per_trial, 1)
        if random_seed is not None:
            checked_int("random_seed", random_seed, 0)
        self.random_seed = random_seed
        self.wait_time = checked_wait_time(wait_time)
        self.run_async = checked_bool("run_async", run_async)
        self.max_consecutive_failures = checked_int(
            "max_consecutive_failures", max_consecutive_failures, 1
        )
        self.show_progress = checked_bool("show_progress", show_progress)
        self.max_workers = (
            min(pool_size(executor) or 4, self.total_trials)
            if max_workers is None
            else checked_int("max_workers", max_workers, 1)
        )
        if trial_ttl_seconds is not None:
            checked_int("trial_ttl_seconds", trial_ttl_seconds, 1)
        self.trial_ttl_seconds = trial_ttl_seconds
        self.executor = check_executor(executor, self.experiment, self.arms_per_trial)
        self.store = as_store(store, "OptimizationLoop: store")
        self.stopping_rule = check_stopping_rule(
            stopping_rule, self.experiment, self.arms_per_trial
        )
        if generation_strategy is None:
            generation_strategy = choose_generation_strategy(
                search_space=self.experiment.search_space,
                use_batch_trials=self.arms_per_trial > 1,
                random_seed=random_seed,
                num_trials=self.total_trials,
                optimization_config=self.experiment.optimization_config,
            )
        elif not isinstance(generation_strategy, GenerationStrategy):
            raise UserInputTypeError(
                "OptimizationLoop: generation_strategy must be a GenerationStrategy or None, "
                f"got {type(generation_strategy).__name__}"
            )
        self.generation_strategy = generation_strategy
        self.current_trial = resume(self.experiment)
        self.consecutive_failures = 0
        self.num_failed_trials = 0
        self.last_failure: Optional[Tuple[int, str]] = None
        self._bar: Any = _NoProgress()

    # ------------------------------------------------------------------ storage
    def save_to_json_file(self, filepath: str) -> None:
        """Save the experiment and the generation strategy to one JSON file, atomically.

        An evaluation function is not saved: pass it again to :meth:`load_from_json_file`.
        The file is written by a :class:`~ax.storage.store.JSONFileStore` (pass
        ``store=`` to the loop to save after every trial instead).
        """
        JSONFileStore(filepath, single_file=True).save_experiment(
            self.experiment, self.generation_strategy
        )

    @classmethod
    def load_from_json_file(
        cls,
        filepath: str,
        evaluation_function: Optional[TEvaluationFunction] = None,
        total_trials: int = 20,
        **kwargs: Any,
    ) -> OptimizationLoop:
        """Continue a run saved with :meth:`save_to_json_file`.

        Args:
            filepath: The saved file.
            evaluation_function: The evaluation function (required for a
                SimpleExperiment, whose function is not stored).
            total_trials: The run's total budget, trials already run included.
            kwargs: Other :class:`OptimizationLoop` arguments.

        Returns:
            A loop that continues the same generation strategy (same Sobol sequence,
            same seeds) where the saved run stopped.
        """
        experiment, strategy = JSONFileStore(filepath, single_file=True).load("")
        if evaluation_function is not None:
            if not isinstance(experiment, SimpleExperiment):
                raise UserInputError(
                    f"OptimizationLoop.load_from_json_file: {filepath!r} holds a "
                    f"{type(experiment).__name__}, which is evaluated by its runner and "
                    "metrics; do not pass an evaluation_function"
                )
            experiment.evaluation_function = evaluation_function
        if strategy is not None:
            kwargs.setdefault("generation_strategy", strategy)
        return cls(experiment, total_trials=total_trials, **kwargs)

    # ------------------------------------------------------------------ builders
    @staticmethod
    def with_evaluation_function(
        parameters: Sequence[Mapping[str, Any]],
        evaluation_function: TEvaluationFunction,
        experiment_name: Optional[str] = None,
        objective_name: Optional[str] = None,
        minimize: bool = False,
        parameter_constraints: Optional[Sequence[str]] = None,
        outcome_constraints: Optional[Sequence[str]] = None,
        total_trials: int = 20,
        arms_per_trial: int = 1,
        wait_time: float = 0,
        random_seed: Optional[int] = None,
        generation_strategy: Optional[GenerationStrategy] = None,
        *,
        run_async: bool = False,
        max_consecutive_failures: int = 5,
        show_progress: bool = False,
        max_workers: Optional[int] = None,
        executor: Optional[Executor] = None,
        objectives: Optional[Mapping[str, Any]] = None,
        store: Any = None,
        stopping_rule: Optional[StoppingRule] = None,
    ) -> OptimizationLoop:
        """A loop over a :class:`SimpleExperiment` evaluated by ``evaluation_function``.

        Args:
            parameters: Parameter dicts (see
                :func:`~ax.service.utils.instantiation.parameter_from_json`).
            evaluation_function: ``f(parameterization)`` or ``f(parameterization,
                weight)`` returning a number, ``(mean, sem)``, ``{metric: (mean, sem)}``
                or a fidelity list.
            experiment_name: Name of the experiment.
            objective_name: Name of the objective metric (default ``"objective"``).
            minimize: Whether to minimise the objective.
            parameter_constraints: e.g. ``["x1 + x2 <= 2", "x3 <= x4"]``.
            outcome_constraints: e.g. ``["l2norm <= 1.25"]``.
            total_trials, arms_per_trial, wait_time, random_seed, generation_strategy,
            run_async, max_consecutive_failures, show_progress, max_workers, executor,
            store: As for :class:`OptimizationLoop` (``store``: an ExperimentStore, a JSON
                path or a database URL, saved to after every trial).
            objectives: Several objectives instead of ``objective_name``/``minimize``:
                ``{name: ObjectiveProperties(minimize=..., threshold=...)}``; the
                function then returns a ``{metric: (mean, sem) or mean}`` dict with each.

        Raises:
            UserInputError: A parameter dict or constraint string is invalid.

        Example:
            >>> from concurrent.futures import ThreadPoolExecutor
            >>> with ThreadPoolExecutor(max_workers=4) as pool:
            ...     loop = OptimizationLoop.with_evaluation_function(
            ...         parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
            ...         evaluation_function=evaluate,  # module level for a process pool
            ...         total_trials=20,
            ...         max_workers=4,
            ...         executor=pool,
            ...     ).full_run()
        """
        experiment = make_simple_experiment(
            parameters=parameters,
            evaluation_function=evaluation_function,
            name=experiment_name,
            objective_name=objective_name,
            minimize=minimize,
            parameter_constraints=parameter_constraints,
            outcome_constraints=outcome_constraints,
            objectives=objectives,
        )
        return OptimizationLoop(
            experiment=experiment,
            total_trials=total_trials,
            arms_per_trial=arms_per_trial,
            random_seed=random_seed,
            wait_time=wait_time,
            run_async=run_async,
            generation_strategy=generation_strategy,
            max_consecutive_failures=max_consecutive_failures,
            show_progress=show_progress,
            max_workers=max_workers,
            executor=executor,
            store=store,
            stopping_rule=stopping_rule,
        )

    @classmethod
    def with_runners_and_metrics(
        cls,
        parameters: Sequence[Mapping[str, Any]],
        path_to_runner: str,
        paths_to_metrics: Union[Sequence[str], Mapping[str, str]],
        experiment_name: Optional[str] = None,
        objective_name: Optional[str] = None,
        minimize: bool = False,
        parameter_constraints: Optional[Sequence[str]] = None,
        outcome_constraints: Optional[Sequence[str]] = None,
        total_trials: int = 20,
        arms_per_trial: int = 1,
        wait_time: float = 0,
        random_seed: Optional[int] = None,
        *,
        generation_strategy: Optional[GenerationStrategy] = None,
        run_async: bool = False,
        max_consecutive_failures: int = 5,
        show_progress: bool = False,
        max_workers: Optional[int] = None,
        trial_ttl_seconds: Optional[int] = None,
        store: Any = None,
    ) -> OptimizationLoop:
        """A loop over an :class:`Experiment` deployed by a runner and measured by metrics.

        The runner and metric classes are named by import path, ``"package.module:Class"``
        or ``"package.module.Class"``. **The named modules are imported** (running their
        top-level code), exactly as if the caller had imported them: pass only paths to
        code you trust. The class must subclass :class:`Runner` (built with no arguments)
        or :class:`Metric` (built with ``name=``).

        Metric names: with a list of paths, the first metric is the objective and is named
        ``objective_name`` when given, else after its class; the others are named after
        their classes. With a mapping ``{metric name: path}``, the metric named
        ``objective_name`` (default: the first) is the objective. Outcome constraints
        refer to these names; metrics that are neither objective nor constrained are
        tracked.

        Each trial is deployed with ``trial.run()``; the loop then polls
        ``trial.fetch_data()`` every ``wait_time`` seconds until every arm has data for
        every metric of the optimization config, attaches it and completes the trial.
        ``store`` (and the other arguments) as for :class:`OptimizationLoop`.

        Raises:
            UserInputError: A path is malformed, cannot be imported, or does not name a
                Runner / Metric subclass; the class cannot be built; or any parameter or
                constraint is invalid.
        """
        runner_class = import_class(path_to_runner, Runner, "path_to_runner")
        try:
            runner = runner_class()
        except Exception as err:
            raise UserInputError(
                f"path_to_runner {path_to_runner!r}: {runner_class.__name__}() failed: "
                f"{type(err).__name__}: {err}"
            ) from err
        metrics = build_metrics(paths_to_metrics, objective_name)
        experiment = make_experiment(
            parameters=parameters,
            name=experiment_name,
            objective_name=objective_name,
            minimize=minimize,
            parameter_constraints=parameter_constraints,
            outcome_constraints=outcome_constraints,
            runner=runner,
            metrics=metrics,
        )
        constrained = {m for m in experiment.metrics if m not in {x.name for x in metrics}}
        if constrained:
            raise UserInputError(
                f"outcome_constraints name metric(s) {sorted(constrained)} that "
                f"paths_to_metrics does not provide (metrics: {[m.name for m in metrics]})"
            )
        return cls(
            experiment=experiment,
            total_trials=total_trials,
            arms_per_trial=arms_per_trial,
            random_seed=random_seed,
            wait_time=wait_time,
            run_async=run_async,
            generation_strategy=generation_strategy,
            max_consecutive_failures=max_consecutive_failures,
            show_progress=show_progress,
            max_workers=max_workers,
            trial_ttl_seconds=trial_ttl_seconds,
            store=store,
        )

    # ------------------------------------------------------------------ running
    def run_trial(self) -> BaseTrial:
        """Generate, run and record one trial, in this thread (even with ``run_async`` or
        ``executor``), on the Scheduler with an inline executor.

        Returns:
            The trial, COMPLETED or FAILED.

        Raises:
            UserInputError: ``total_trials`` trials have already run.
            OptimizationAbortedError: This trial was the ``max_consecutive_failures``-th
                failure in a row.
            GenerationStrategyCompleted: The generation strategy cannot produce more arms.
        """
        if self.current_trial >= self.total_trials:
            raise UserInputError(
                f"OptimizationLoop: optimization is complete ({self.total_trials} trials of "
                "total_trials); cannot run another trial"
            )
        new: List[BaseTrial] = []
        scheduler = self._scheduler(loop_pool(self.experiment, 1, False), 1, new)
        self._drive(scheduler, 1)
        if not new:
            if scheduler.exhausted_by is not None:
                raise scheduler.exhausted_by
            raise GenerationStrategyCompleted(  # pragma: no cover - the Scheduler says why
                "OptimizationLoop: the generation strategy produced no trial"
            )
        return new[0]

    def full_run(self) -> OptimizationLoop:
        """Run trials until ``total_trials`` have run (or the strategy has no more arms),
        on the :class:`~ax.service.scheduler.Scheduler`.

        Returns:
            This loop.

        Raises:
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row.
                Function evaluations still in flight are waited for and recorded first
                (with ``executor``: they are marked ABANDONED); trials deployed through a
                runner are left RUNNING.
        """
        concurrent = self.run_async or self.executor is not None
        logger.info(
            "Starting optimization of %s: %d trials, %d arm(s) each%s.",
            self._experiment_label(),
            self.total_trials,
            self.arms_per_trial,
            f", up to {self.max_workers} at once" if concurrent else "",
        )
        if self.current_trial >= self.total_trials:
            return self
        self._bar = self._progress_bar()
        try:
            if self.executor is not None:
                self._run_on_executor(self.executor)
            elif self.stopping_rule is not None or self._reports():  # a reporter is needed
                executor = stopping_executor(self.run_async, self.max_workers)
                try:
                    self._run_on_executor(executor)
                finally:
                    executor.shutdown(wait=True)
            else:
                workers = self.max_workers if self.run_async else 1
                pool = loop_pool(self.experiment, workers, self.run_async)
                try:
                    scheduler = self._scheduler(pool, workers, None)
                    self._drive(scheduler, self.total_trials - self.current_trial)
                finally:
                    pool.shutdown(wait=True)
        finally:
            self._bar.close()
            self._bar = _NoProgress()
        return self

    def get_best_point(self) -> Tuple[TParameterization, TModelPredictArm]:
        """The best parameters and their values.

        The latest model's recommendation when a model-based step has run (predicted
        ``{metric: mean}`` and ``{m1: {m2: covariance}}``), else the best COMPLETED
        observation honouring the outcome constraints (``{metric: mean}`` and
        ``{metric: {metric: sem ** 2}}``).

        Raises:
            NoDataError: No trial has completed with data yet.
            UnsupportedError: The experiment has several objectives (use
                :meth:`get_pareto_optimal_parameters`).
        """
        if isinstance(self.experiment.optimization_config, MultiObjectiveOptimizationConfig):
            raise UnsupportedError(
                f"OptimizationLoop.get_best_point: {self._experiment_label()} has several "
                "objectives, so there is no single best point",
                hint="use get_pareto_optimal_parameters() for the Pareto frontier",
            )
        best = get_best_parameters(self.experiment)
        if best is None:
            failures = ""
            if self.last_failure is not None:
                failures = (
                    f"; {self.num_failed_trials} trial(s) failed, the last (trial "
                    f"{self.last_failure[0]}) with: {self.last_failure[1]}"
                )
            raise NoDataError(
                f"OptimizationLoop: no trial of {self._experiment_label()} has "
                f"completed with data for the objective{failures}{self._reported_instead()}"
            )
        return best

    def get_pareto_optimal_parameters(self, use_model_predictions: bool = True) -> TParetoFrontier:
        """The Pareto-optimal parameters of a multi-objective loop.

        Args:
            use_model_predictions: Judge arms on the current model's predictions (the
                observations when no model predicts yet), else on the observations.

        Returns:
            ``{trial_index: (parameters, (means, covariances))}``.

        Raises:
            UnsupportedError: The experiment has a single objective.
            DataRequiredError: Every completed trial breaks an outcome constraint or an
                objective threshold, so no frontier exists.
        """
        model = self.get_current_model() if use_model_predictions else None
        return get_pareto_optimal_parameters(
            self.experiment,
            model,
            use_model_predictions,
            "OptimizationLoop.get_pareto_optimal_parameters",
        )

    def _reported_instead(self) -> str:
        """Which metrics the completed trials reported, when none is the objective."""
        data = self.experiment.lookup_data()
        config = self.experiment.optimization_config
        if not len(data) or config is None:
            return ""
        reported = sorted({str(name)[:100] for name in data.columns["metric_name"]})
        return (
            f"; the evaluations returned metric(s) {reported}, not the objective "
            f"{', '.join(m.name for m in config.objective.metrics)!r} (the experiment's metrics: "
            f"{sorted(self.experiment.metrics)})"
        )

    def get_current_model(self) -> Optional[ModelBridge]:
        """The model bridge that made the last generator run, or None before any."""
        return self.generation_strategy.model

    # ------------------------------------------------------------------ engine
    def _scheduler(
        self,
        executor: Executor,
        parallelism: int,
        new_trials: Optional[List[BaseTrial]],
    ) -> Scheduler:
        """A Scheduler running this loop's trials on ``executor`` (``parallelism`` at once)."""
        from ax.service.scheduler import Scheduler

        def on_new_trial(trial: BaseTrial) -> None:
            self.current_trial += 1
            logger.info("Running trial %d: %s", trial.index, [a.parameters for a in trial.arms])
            if new_trials is not None:
                new_trials.append(trial)

        evaluation: Union[ArmsEvaluation, RunnerEvaluation]
        if isinstance(self.experiment, SimpleExperiment):
            evaluation = ArmsEvaluation(
                self.experiment, self.arms_per_trial, self.trial_ttl_seconds, on_new_trial
            )
        else:
            evaluation = RunnerEvaluation(self.arms_per_trial, self.trial_ttl_seconds, on_new_trial)
        options = SchedulerOptions(
            max_parallelism=parallelism,
            total_trials=None,
            max_consecutive_failures=self.max_consecutive_failures,
            poll_interval=self.wait_time or _MIN_POLL_S,
        )
        return Scheduler(
            self.experiment,
            self.generation_strategy,
            None,
            executor,
            options,
            trial_evaluation=evaluation,
            label="OptimizationLoop",
            failures_in_a_row=self.consecutive_failures,
            on_trial_finished=self._finished,
            store=self.store,
            stopping_rule=self.stopping_rule,
        )

    def _reports(self) -> bool:
        """Whether the evaluation function takes a ``reporter`` (one-arm trials only)."""
        experiment = self.experiment
        return (
            isinstance(experiment, SimpleExperiment)
            and self.arms_per_trial == 1
            and accepts_reporter(experiment.evaluation_function)
        )

    def _run_on_executor(self, executor: Executor) -> None:
        """Run the remaining trials through a Scheduler calling the function on ``executor``.

        Trials still in flight when it stops are ABANDONED (not counted as failures).
        """
        from ax.service.scheduler import Scheduler

        experiment = self.experiment
        if not isinstance(experiment, SimpleExperiment):  # pragma: no cover - checked in __init__
            raise UserInputError("OptimizationLoop: executor= needs an evaluation function")
        function = experiment.evaluation_function
        evaluation = LoopEvaluation(function, num_positional(function, experiment._name))
        options = SchedulerOptions(
            max_parallelism=self.max_workers,
            total_trials=None,
            timeout_s=self.trial_ttl_seconds,
            max_consecutive_failures=self.max_consecutive_failures,
        )
        scheduler = Scheduler(
            experiment,
            self.generation_strategy,
            evaluation,
            executor,
            options,
            label="OptimizationLoop",
            failures_in_a_row=self.consecutive_failures,
            on_trial_finished=self._finished,
            store=self.store,
            stopping_rule=self.stopping_rule,
        )
        try:
            self._drive(scheduler, self.total_trials - self.current_trial)
        finally:
            self.current_trial = scheduler.num_trials_finished

    def _drive(self, scheduler: Scheduler, budget: int) -> None:
        """Run ``budget`` trials on ``scheduler``; say why it stopped early, if it did."""
        scheduler.run_n_trials(budget)
        if scheduler.exhausted_by is not None:
            logger.warning(
                "Stopping after %d trials: %s", self.current_trial, scheduler.exhausted_by
            )

    def _finished(self, trial: BaseTrial, failures_in_a_row: int) -> None:
        """Report a trial the Scheduler recorded (logs, progress, the loop's counters)."""
        self.consecutive_failures = failures_in_a_row
        self._bar.update(1)
        if trial.status is TrialStatus.COMPLETED:
            logger.info("Trial %d completed.", trial.index)
            return
        reason = trial.failed_reason or trial.abandoned_reason or trial.status.name
        self.num_failed_trials += 1
        self.last_failure = (trial.index, reason)
        logger.warning("Trial %d failed (%d in a row): %s", trial.index, failures_in_a_row, reason)

    def _experiment_label(self) -> str:
        """How logs and messages name the experiment: ``experiment 'name'``, or for an
        unnamed one what it evaluates (``unnamed experiment of branin()``)."""
        name = self.experiment._name
        if name is not None:
            return f"experiment {name!r}"
        function = getattr(self.experiment, "evaluation_function", None)
        what = getattr(function, "__name__", None)
        return f"unnamed experiment of {what}()" if what else "unnamed experiment"

    def _progress_bar(self) -> Any:
        if not self.show_progress:
            return _NoProgress()
        # Imported on first use (through importlib: tqdm ships no type stubs).
        tqdm = importlib.import_module("tqdm").tqdm
        return tqdm(
            total=self.total_trials,
            initial=self.current_trial,
            desc=f"OptimizationLoop({self.experiment._name or ''})",
            unit="trial",
        )


def optimize(
    parameters: Sequence[Mapping[str, Any]],
    evaluation_function: TEvaluationFunction,
    experiment_name: Optional[str] = None,
    objective_name: Optional[str] = None,
    minimize: bool = False,
    parameter_constraints: Optional[Sequence[str]] = None,
    outcome_constraints: Optional[Sequence[str]] = None,
    total_trials: int = 20,
    arms_per_trial: int = 1,
    random_seed: Optional[int] = None,
    generation_strategy: Optional[GenerationStrategy] = None,
    *,
    show_progress: bool = False,
    run_async: bool = False,
    max_consecutive_failures: int = 5,
    max_workers: Optional[int] = None,
    executor: Optional[Executor] = None,
    objectives: Optional[Mapping[str, Any]] = None,
    store: Any = None,
    stopping_rule: Optional[StoppingRule] = None,
) -> Tuple[Any, Any, Experiment, Optional[ModelBridge]]:
    """Build a loop from an evaluation function, run it to the end, report the best point.

    The trials run on the :class:`~ax.service.scheduler.Scheduler` (the one engine), in
    this thread unless ``run_async`` or ``executor`` is given.

    Arguments as :meth:`OptimizationLoop.with_evaluation_function` (``stopping_rule``:
    stop trials early from what the function reports; see :class:`OptimizationLoop`);
    with ``executor``
    (any ``concurrent.futures.Executor``) the trials run through the
    :class:`~ax.service.scheduler.Scheduler` on it, up to ``max_workers`` at once. With
    ``store`` (an :class:`~ax.storage.store.ExperimentStore`, or a JSON path or a
    database URL as a shortcut) the Scheduler saves the experiment and its generation
    strategy after every trial, so an interrupted run can be resumed.

    With ``objectives={name: ObjectiveProperties(minimize=..., threshold=...)}`` (two or
    more, instead of ``objective_name``/``minimize``) the evaluation function returns a
    ``{metric: (mean, sem) or mean}`` dict with every objective, the Bayesian step is the
    multi-objective model, and the first two results are the Pareto frontier.

    Returns:
        ``(best_parameters, (means, covariances), experiment, model)``: the best
        parameterization (see :meth:`OptimizationLoop.get_best_point` for where the values
        come from), the :class:`SimpleExperiment`, and the last model bridge (None if no
        arm was generated). With ``objectives``: ``(pareto_optimal_parameters, frontier,
        experiment, model)``, where ``pareto_optimal_parameters`` is
        ``{trial_index: (parameters, (means, covariances))}`` (see
        :meth:`OptimizationLoop.get_pareto_optimal_parameters`) and ``frontier`` the
        :class:`~ax.plot.pareto.ObservedFrontier` (observed points, hypervolume, its trace
        and the reference point).

    Raises:
        UserInputError: An input is invalid.
        OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row.
        NoDataError: No trial completed.

    Example:
        >>> best, (means, covariances), experiment, model = optimize(
        ...     parameters=[{"name": "x", "type": "range", "bounds": [-1.0, 1.0]}],
        ...     evaluation_function=lambda p: p["x"] ** 2,
        ...     minimize=True,
        ...     total_trials=8,
        ... )
        >>> from ax.service.executors import process_pool_executor
        >>> with process_pool_executor(4) as pool:  # evaluate: a module-level function
        ...     best, values, experiment, model = optimize(
        ...         parameters=[{"name": "x", "type": "range", "bounds": [-1.0, 1.0]}],
        ...         evaluation_function=evaluate,
        ...         total_trials=20,
        ...         max_workers=4,
        ...         executor=pool,
        ...     )
        >>> best, values, experiment, model = optimize(  # saved after every trial
        ...     parameters=[{"name": "x", "type": "range", "bounds": [-1.0, 1.0]}],
        ...     evaluation_function=lambda p: p["x"] ** 2,
        ...     experiment_name="quadratic",
        ...     total_trials=8,
        ...     store="quadratic.json",
        ... )
    """
    loop = OptimizationLoop.with_evaluation_function(
        parameters=parameters,
        evaluation_function=evaluation_function,
        experiment_name=experiment_name,
        objective_name=objective_name,
        minimize=minimize,
        parameter_constraints=parameter_constraints,
        outcome_constraints=outcome_constraints,
        total_trials=total_trials,
        arms_per_trial=arms_per_trial,
        random_seed=random_seed,
        generation_strategy=generation_strategy,
        run_async=run_async,
        max_consecutive_failures=max_consecutive_failures,
        show_progress=show_progress,
        max_workers=max_workers,
        executor=executor,
        objectives=objectives,
        store=store,
        stopping_rule=stopping_rule,
    )
    loop.full_run()
    if objectives is not None:
        frontier = loop.get_pareto_optimal_parameters()
        return (
            frontier,
            observed_frontier(loop.experiment),
            loop.experiment,
            loop.get_current_model(),
        )
    parameterization, values = loop.get_best_point()
    return parameterization, values, loop.experiment, loop.get_current_model()


__all__ = ["OptimizationAbortedError", "OptimizationLoop", "optimize"]
