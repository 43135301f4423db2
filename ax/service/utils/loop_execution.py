"""Trial execution of the optimization loop: evaluation, deployment, polling, failures.

:class:`TrialExecutionMixin` holds the machinery :class:`~ax.service.managed_loop.OptimizationLoop`
uses to run a trial it generated: evaluating it through a :class:`SimpleExperiment`'s
evaluation function (in this thread, or on a thread pool with ``run_async``), or deploying
it through the experiment's :class:`Runner` and polling ``trial.fetch_data()`` until every
arm has every metric. A trial whose evaluation, deployment or data fetch fails is marked
FAILED with the reason (:func:`_fail`); counting failures stays with the loop.

Threads: only the thread that calls the loop's methods mutates the experiment; pool
threads only call the evaluation function (:func:`_evaluate_arms`).
"""

from __future__ import annotations

import importlib
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple, cast

from ax.core.base_trial import BaseTrial
from ax.core.batch_trial import BatchTrial
from ax.core.experiment import Experiment
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import (
    AxError,
    DataRequiredError,
    GenerationStrategyCompleted,
    MaxParallelismReachedException,
)
from ax.service.utils.instantiation import data_from_evaluations
from ax.utils.logger import get_logger

# Records keep the name of the loop's logger, where they were logged before this split.
logger = get_logger("ax.service.managed_loop")

# (arm name, parameters, weight or None) for each arm of a trial, evaluated off-thread.
_ArmJob = Tuple[str, TParameterization, Optional[float]]


class _NoProgress:
    """Stands in for a tqdm bar when progress is not shown."""

    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


class TrialExecutionMixin:
    """Runs the trials of an :class:`~ax.service.managed_loop.OptimizationLoop`.

    The loop class supplies the attributes below and the two steps :meth:`_new_trial`
    (generate the next trial) and :meth:`_record` (count a finished trial, raising once
    too many failed in a row); this mixin evaluates, deploys and polls trials, one at a
    time or up to ``max_workers`` at once.
    """

    experiment: Experiment
    total_trials: int
    current_trial: int
    wait_time: float
    show_progress: bool
    max_workers: int

    def _new_trial(self) -> BaseTrial:
        """Generate the next trial (provided by the loop)."""
        raise NotImplementedError  # pragma: no cover - overridden

    def _record(self, trial: BaseTrial, raise_on_limit: bool = True) -> None:
        """Count a finished trial (provided by the loop)."""
        raise NotImplementedError  # pragma: no cover - overridden

    def _evaluate_here(self, trial: BaseTrial) -> None:
        """Evaluate through ``SimpleExperiment.eval_trial`` (which marks the status)."""
        experiment = cast(SimpleExperiment, self.experiment)  # checked in __init__
        try:
            experiment.eval_trial(trial)
        except Exception as err:  # the user's function may raise anything
            _fail(trial, f"{type(err).__name__}: {err}")

    def _deploy(self, trial: BaseTrial) -> None:
        """Deploy through the runner; the loop treats deployment as the start of the run."""
        try:
            trial.run()
        except Exception as err:  # the user's runner may raise anything
            _fail(trial, f"deployment failed: {type(err).__name__}: {err}")
            return
        if trial.status is TrialStatus.STAGED:
            trial.mark_running()

    def _poll(self, trial: BaseTrial) -> bool:
        """Fetch a deployed trial's data; complete it once every arm has every metric.

        Returns:
            Whether the trial is finished (COMPLETED or FAILED).
        """
        if trial.status.is_terminal:
            return True
        try:
            data = trial.fetch_data()
        except Exception as err:  # the user's metric may raise anything
            _fail(trial, f"fetching data failed: {type(err).__name__}: {err}")
            return True
        config = self.experiment.optimization_config
        needed = list(config.metrics) if config is not None else []
        present = set()
        if len(data):
            present = set(zip(data.columns["arm_name"], data.columns["metric_name"]))
        if any((arm.name, m) not in present for arm in trial.arms for m in needed):
            return False
        try:
            if len(data):
                self.experiment.attach_data(data)
        except AxError as err:
            _fail(trial, f"invalid data: {err}")
            return True
        trial.mark_completed()
        return True

    def _arm_jobs(self, trial: BaseTrial) -> List[_ArmJob]:
        if isinstance(trial, BatchTrial):
            return [
                (arm.name, dict(arm.parameters), weight)
                for arm, weight in trial.normalized_arm_weights().items()
            ]
        return [(arm.name, dict(arm.parameters), None) for arm in trial.arms]

    def _finish_from_future(self, trial: BaseTrial, future: Future[Dict[str, Any]]) -> None:
        """Record an off-thread evaluation on the trial, as ``eval_trial`` would."""
        if trial.status is not TrialStatus.RUNNING:  # e.g. failed by its TTL meanwhile
            return
        try:
            data = data_from_evaluations(future.result(), trial.index)
        except Exception as err:  # the user's function may raise anything
            _fail(trial, f"{type(err).__name__}: {err}")
            return
        trial.mark_completed()
        if len(data):
            self.experiment.attach_data(data)

    # ------------------------------------------------------------------ concurrency
    def _run_concurrently(self, bar: Any) -> None:
        """Keep up to ``max_workers`` trials in flight until the budget is spent."""
        uses_function = self.experiment.is_simple_experiment
        pool = ThreadPoolExecutor(max_workers=self.max_workers) if uses_function else None
        in_flight: Dict[int, Optional[Future[Dict[str, Any]]]] = {}
        exhausted = False
        try:
            while True:
                while (
                    not exhausted
                    and len(in_flight) < self.max_workers
                    and self.current_trial < self.total_trials
                ):
                    try:
                        trial = self._new_trial()
                    except (DataRequiredError, MaxParallelismReachedException):
                        if not in_flight:
                            raise
                        break  # wait for running trials, then ask again
                    except GenerationStrategyCompleted as err:
                        logger.warning("Stopping after %d trials: %s", self.current_trial, err)
                        exhausted = True
                        break
                    in_flight[trial.index] = self._launch(trial, pool)
                if not in_flight:
                    return
                for index in self._wait_for_some(in_flight):
                    trial = self.experiment.trials[index]
                    future = in_flight.pop(index)
                    if future is not None:
                        self._finish_from_future(trial, future)
                    self._record(trial)
                    bar.update(1)
        finally:
            if pool is not None:
                # Trials still in flight (after an error) are recorded, never left RUNNING.
                for index, future in in_flight.items():
                    if future is not None:
                        trial = self.experiment.trials[index]
                        if not future.cancel():
                            wait([future])
                        if future.cancelled():
                            _fail(trial, "cancelled: the optimization loop stopped")
                        else:
                            self._finish_from_future(trial, future)
                        self._record(trial, raise_on_limit=False)
                pool.shutdown(wait=True)

    def _launch(
        self, trial: BaseTrial, pool: Optional[ThreadPoolExecutor]
    ) -> Optional[Future[Dict[str, Any]]]:
        if pool is None:
            self._deploy(trial)
            return None
        experiment = cast(SimpleExperiment, self.experiment)  # checked in __init__
        trial.mark_running(no_runner_required=True)
        return pool.submit(
            _evaluate_arms, experiment.evaluation_function_outer, self._arm_jobs(trial)
        )

    def _wait_for_some(
        self, in_flight: Mapping[int, Optional[Future[Dict[str, Any]]]]
    ) -> List[int]:
        """Block until at least one in-flight trial is finished; return their indices."""
        futures = {f: i for i, f in in_flight.items() if f is not None}
        if futures:
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            return sorted(futures[f] for f in done)
        trials = self.experiment.trials
        while True:
            finished = [i for i in sorted(in_flight) if self._poll(trials[i])]
            if finished:
                return finished
            time.sleep(self.wait_time)

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


def _evaluate_arms(
    evaluate: Callable[[TParameterization, Optional[float]], Any], jobs: List[_ArmJob]
) -> Dict[str, Any]:
    """Evaluate a trial's arms (runs on a pool thread; touches no shared state)."""
    return {name: evaluate(parameters, weight) for name, parameters, weight in jobs}


def _fail(trial: BaseTrial, reason: str) -> None:
    """Mark a trial FAILED with ``reason`` (through RUNNING if it never started)."""
    if trial.status.is_terminal:
        return
    if trial.status is TrialStatus.CANDIDATE:
        trial.mark_running(no_runner_required=True)
    trial.mark_failed(reason=reason)


__all__ = ["TrialExecutionMixin"]
