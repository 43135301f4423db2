"""The Polaris experiment driver: :class:`Polaris`.

A Polaris run is an ax :class:`~ax.core.experiment.Experiment` (one parameter per
:class:`~polaris.bounds.Bounds`, the objective ``"loss"`` minimised) driven by the
generation strategy of its algorithm (:mod:`polaris.algorithms`) and evaluated in this
process, one trial after another. Fixes against the original Polaris:

- every entry point returns the best parameters (the original returned None), and a run
  with no successful trial raises an error naming the last failure instead;
- grid steps ``q`` are honoured by every algorithm, inside the bounds;
- ``fn`` raising, returning ``STATUS_FAILURE``, an unknown status, or a "success" without
  a finite loss gives a FAILED trial (recorded with ``STATUS_FAILURE``) and the run goes on;
  a failed trial never becomes the best;
- the checkpoint is an atomic JSON file (not a pickle) in ``<checkpoint_dir>/<exp_key>/``,
  or any :class:`~ax.storage.store.ExperimentStore` given as ``store`` (a database URL
  too), written after every trial; a new Polaris with the same ``exp_key`` resumes from it
  (:class:`polaris.checkpoint.Checkpoint`);
- ``exp_info['exp_key']`` always carries the key (``fn.__name__`` when none is given), and
  ``fn`` gets a copy of it;
- no warning filter is touched and no handler is added per instance: the default logger
  is ``logging.getLogger("polaris")`` with one :class:`logging.NullHandler`.

Three ways to run, one engine: every mode runs its trials on the
:class:`~ax.service.scheduler.Scheduler` (:meth:`Polaris.scheduler`), which generates, counts
failures in a row, applies timeouts and records; what is done to one Polaris trial is a
:class:`PolarisEvaluation`. Only the executor differs:

- :meth:`Polaris.run`: one trial after another in this process (an
  :class:`~ax.service.executors.InlineExecutor`);
- ``run(use_mpi=True)`` under ``mpirun -n K python script.py``: an
  :class:`~ax.service.utils.mpi_group.MPIGroupExecutor` on rank 0, so that every rank
  evaluates the same parameters (data-parallel training); rank 0 records; every rank
  returns the best parameters and leaves;
- :meth:`Polaris.run_parallel`: trials run on ``polaris-worker`` processes through
  RabbitMQ (:class:`polaris.rabbitmq.JobClient`, a front door over the Scheduler and the
  :class:`~ax.service.rabbitmq.executor.RabbitMQExecutor` in pull mode: a trial is
  generated only for a worker that announced itself idle), each worker optionally an MPI
  group.

A run that fails ``max_consecutive_failures`` trials in a row stops with
:class:`~ax.exceptions.OptimizationAbortedError` naming the last failure.
"""

from __future__ import annotations

import logging
import os
import re
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Sequence, Tuple, cast

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.trial import Trial
from ax.early_stopping.base import StoppingRule, checked_rule
from ax.exceptions import (
    ExecutorError,
    OptimizationAbortedError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.utils.trial_evaluation import LEAVE, TrialEvaluation, TStopAction
from ax.storage.store import as_store
from ax.utils.validation import check_bool, check_int_at_least
from polaris.algorithms import make_generation_strategy
from polaris.bounds import Bounds
from polaris.checkpoint import Checkpoint, CheckpointFileStore, checkpoint_path
from polaris.domain import Domain, TParams
from polaris.job import evaluate, failure_of, with_failure
from polaris.trials import STATUS_FAILURE, STATUS_SUCCESS, Trials

ABORT_HINT = (
    "fix fn (each failure's reason is in trials.trials[i]['result']['error']), then run "
    "again: it resumes from the checkpoint"
)

if TYPE_CHECKING:  # pragma: no cover
    from ax.service.scheduler import Scheduler
    from ax.service.utils.mpi_group import MPIGroup

OBJECTIVE_NAME = "loss"
JOB_ID_KEY = "polaris_job_id"
"""Run-metadata key of a trial sent to a worker: its job's correlation id."""
EXP_INFO_KEY = "polaris_exp_info"
"""Run-metadata key of a trial sent to a worker: the ``exp_info`` it was sent with."""
_KEY_RE = re.compile(r"[A-Za-z0-9_.-]{1,200}")
"""A whole ``exp_key`` (``fullmatch``: no trailing newline), at most 200 characters (the
limit of the RabbitMQ queue names and well within a directory name's)."""


def default_logger() -> logging.Logger:
    """``logging.getLogger("polaris")`` with a single NullHandler (added once)."""
    logger = logging.getLogger("polaris")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return logger


def _key_from_name(name: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:200].strip(".")
    return key or "polaris"


class Polaris:
    """A Polaris experiment on ax: run sequentially, under MPI, or on RabbitMQ workers.

    Every mode runs its trials on the :class:`~ax.service.scheduler.Scheduler`, the one
    engine (see :meth:`scheduler`).

    Args:
        fn: The objective, called as ``fn(params, exp_info, *args)``: ``params`` is
            ``{label: value}`` (floats; ints on integer grids), ``exp_info`` is
            ``{'exp_key': str, 'eval_count': int}`` (1-based). It returns
            ``{'loss': float, 'status': STATUS_SUCCESS}`` (extra keys are kept in the
            trial's result), ``{'status': STATUS_FAILURE, ...}``, or a bare number (the
            loss of a success). Lower loss is better.
        bounds: One :class:`Bounds` per parameter.
        algo: ``'random'``, ``'bayesian_opt'`` or ``'tpe'``.
        trials: The :class:`Trials` that receives the history. When a checkpoint of
            ``exp_key`` exists it is loaded into ``trials`` (which must then be empty or
            hold the same number of records); otherwise records already in ``trials``
            are given to the algorithm as observed points.
        max_evals: Total evaluations, those already done included.
        run_once: Let :meth:`run` evaluate one trial only.
        exp_key: Name of the experiment and of its checkpoint directory (letters,
            digits, ``_``, ``-``, ``.``); default ``fn.__name__`` made safe.
        logger: Logger to use; default ``logging.getLogger("polaris")``.
        debug: Log each trial's parameters at INFO instead of DEBUG.
        args: Extra positional arguments of ``fn``.
        checkpoint_dir: Directory holding ``<exp_key>/checkpoint.json``; None disables
            checkpoints (unless ``store`` is given).
        store: Where the checkpoint is saved instead of ``checkpoint_dir``: an
            :class:`~ax.storage.store.ExperimentStore`, or as a shortcut a JSON path or a
            database URL (``sqlite:///polaris.db``, ``postgresql://...``); the experiment
            is stored under ``exp_key`` and resumed from there. None: ``checkpoint_dir``.
        seed: Seed of the algorithm (None: random).
        generation_strategy: A custom ax generation strategy replacing the algorithm's
            default (e.g. from :func:`polaris.algorithms.make_generation_strategy` with
            cheaper model options).
        max_consecutive_failures: Stop with ``OptimizationAbortedError`` after this many
            failed trials in a row (None: never).
        stopping_rule: Opt in to early stopping (:meth:`run` in this process): ``fn``
            then finds a reporter in ``exp_info["reporter"]``, calls
            ``exp_info["reporter"].report(step, {"loss": value})`` and returns when
            ``exp_info["reporter"].should_stop()`` (see :mod:`ax.early_stopping`).

    Raises:
        UserInputTypeError / UserInputError: A bad argument (``store`` not a store, a path
            or a URL; or both ``store`` and a ``checkpoint_dir`` other than the default);
            a checkpoint made for other bounds.

    Example:
        >>> def fn(params, exp_info):
        ...     return {"loss": (params["x"] - 0.3) ** 2, "status": STATUS_SUCCESS}
        >>> polaris = Polaris(fn, [Bounds("x", 0.0, 1.0)], "random", Trials(),
        ...                   max_evals=5, exp_key="demo", checkpoint_dir=None, seed=0)
        >>> best = polaris.run()
        >>> sorted(best)
        ['x']
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        bounds: Sequence[Bounds],
        algo: str,
        trials: Trials,
        max_evals: int = 10,
        run_once: bool = False,
        exp_key: Optional[str] = None,
        logger: Optional[logging.Logger] = None,
        debug: bool = False,
        args: Optional[Sequence[Any]] = None,
        *,
        checkpoint_dir: Optional[str] = ".",
        seed: Optional[int] = None,
        generation_strategy: Optional[GenerationStrategy] = None,
        max_consecutive_failures: Optional[int] = 10,
        store: Any = None,
        stopping_rule: Optional[StoppingRule] = None,
    ) -> None:
        if not callable(fn):
            raise UserInputTypeError(f"Polaris: fn must be callable, got {type(fn).__name__}")
        if not isinstance(trials, Trials):
            raise UserInputTypeError(
                f"Polaris: trials must be a Trials, got {type(trials).__name__}"
            )
        check_int_at_least("Polaris", "max_evals", max_evals, 1)
        for field, flag in (("run_once", run_once), ("debug", debug)):
            check_bool("Polaris", field, flag)
        if exp_key is None:
            exp_key = _key_from_name(getattr(fn, "__name__", type(fn).__name__))
        elif (
            not isinstance(exp_key, str) or not _KEY_RE.fullmatch(exp_key) or exp_key in (".", "..")
        ):
            shown = exp_key if not isinstance(exp_key, str) else exp_key[:80]
            raise UserInputError(
                "Polaris: exp_key must be 1-200 letters, digits, '_', '-' and '.' (not '.' or "
                f"'..'), got exp_key={shown!r}"
                + (f" ({len(exp_key)} characters)" if isinstance(exp_key, str) else "")
            )
        if args is not None and (isinstance(args, (str, bytes)) or not isinstance(args, Sequence)):
            raise UserInputTypeError(
                f"Polaris: args must be a tuple of extra arguments or None, got {args!r}"
            )
        if logger is not None and not isinstance(logger, logging.Logger):
            raise UserInputTypeError(
                f"Polaris: logger must be a logging.Logger or None, got {type(logger).__name__}"
            )
        if generation_strategy is not None and not isinstance(
            generation_strategy, GenerationStrategy
        ):
            raise UserInputTypeError(
                "Polaris: generation_strategy must be a GenerationStrategy or None, got "
                f"{type(generation_strategy).__name__}"
            )
        if max_consecutive_failures is not None:
            check_int_at_least(
                "Polaris",
                "max_consecutive_failures",
                max_consecutive_failures,
                1,
                none_allowed=True,
            )
        self.fn = fn
        self.max_consecutive_failures = max_consecutive_failures
        self._consecutive_failures = 0
        self.domain = Domain(bounds, algo)
        self.trials = trials
        self.max_evals = max_evals
        self.run_once = run_once
        self.exp_key: str = exp_key
        self.logger = logger if logger is not None else default_logger()
        self.debug = debug
        self.args: Tuple[Any, ...] = tuple(args) if args is not None else ()
        self.checkpoint_file: Optional[str] = None
        self.checkpoint = _checkpoint(store, checkpoint_dir, exp_key)
        if store is None and checkpoint_dir is not None:
            self.checkpoint_file = checkpoint_path(os.fspath(checkpoint_dir), exp_key)
        if self.checkpoint is not None and self.checkpoint.exists():
            self._resume(self.checkpoint)
        else:
            self.experiment = self._new_experiment()
            self.generation_strategy = generation_strategy or make_generation_strategy(
                algo, seed=seed
            )
            self._observe_existing_trials()
        self.exp_info: Dict[str, Any] = {
            "exp_key": self.exp_key,
            "eval_count": len(self.trials) + 1,
        }
        self.stopping_rule = checked_rule("Polaris", stopping_rule, self.experiment)

    # ------------------------------------------------------------------ set-up
    def _new_experiment(self) -> Experiment:
        objective = Objective(Metric(OBJECTIVE_NAME, lower_is_better=True), minimize=True)
        return Experiment(
            search_space=self.domain.search_space(),
            name=self.exp_key,
            optimization_config=OptimizationConfig(objective),
        )

    def _resume(self, checkpoint: Checkpoint) -> None:
        path = checkpoint.where
        records, experiment, strategy = checkpoint.load()
        if experiment.search_space != self.domain.search_space():
            raise UserInputError(
                f"Polaris {self.exp_key!r}: the checkpoint {path!r} was made for other bounds "
                f"({experiment.search_space!r}); use another exp_key or the same bounds"
            )
        if len(self.trials) not in (0, len(records)):
            raise UserInputError(
                f"Polaris {self.exp_key!r}: trials holds {len(self.trials)} records but the "
                f"checkpoint {path!r} holds {len(records)}; pass an empty Trials to resume"
            )
        self.trials._reset()
        for record in records:
            self.trials._append(record)
        self.experiment = experiment
        self.generation_strategy = strategy
        self.logger.info(
            "Resuming experiment %r from %s with %d trials", self.exp_key, path, len(records)
        )

    def _observe_existing_trials(self) -> None:
        """Give records already in ``trials`` (no checkpoint) to the algorithm."""
        for record in self.trials.trials:
            try:
                parameters = self.domain.to_ax(record["params"])
            except (UserInputError, UserInputTypeError) as err:
                self.logger.warning("Ignoring a stored trial the bounds do not hold: %s", err)
                continue
            trial = self.experiment.new_trial()
            trial.add_arm(Arm(parameters))
            trial.mark_running(no_runner_required=True)
            self._finish(trial, record["status"], record["loss"], "recorded as a failure")

    def _finish(self, trial: Trial, status: int, loss: Any, reason: str) -> None:
        if status == STATUS_SUCCESS and self._attach(trial, loss):
            trial.mark_completed()
        else:
            trial.mark_failed(reason=reason)

    def _attach(self, trial: Trial, loss: Any) -> bool:
        """Attach a successful trial's loss; False if the trial has no arm."""
        arm = trial.arm
        if arm is None:  # pragma: no cover - a Polaris trial always has one arm
            return False
        evaluation: Dict[str, Any] = {OBJECTIVE_NAME: (float(loss), None)}
        self.experiment.attach_data(Data.from_evaluations({arm.name: evaluation}, trial.index))
        return True

    # ------------------------------------------------------------------ running
    @property
    def best_params(self) -> Optional[Dict[str, Any]]:
        """The parameters of the successful trial with the lowest loss (None before any)."""
        return None if self.trials.best_params is None else dict(self.trials.best_params)

    def best_params_or_raise(self) -> Dict[str, Any]:
        """The best parameters so far; an error naming the last failure if none succeeded.

        Raises:
            OptimizationAbortedError: No trial has succeeded (yet).
        """
        best = self.best_params
        if best is not None:
            return best
        failed = [r for r in self.trials.trials if r["status"] != STATUS_SUCCESS]
        if not failed:
            last = ""
            message = f"Polaris {self.exp_key!r}: no trial has been evaluated yet"
        else:
            result = failed[-1]["result"]
            last = str(result.get("error") or f"fn returned {result!r}")
            message = (
                f"Polaris {self.exp_key!r}: none of the {len(self.trials)} evaluations "
                f"succeeded, so there are no best parameters; last failure: eval "
                f"{failed[-1]['eval_count']}: {last}"
            )
        raise OptimizationAbortedError(
            message,
            num_failures=len(failed),
            last_reason=last,
            hint="fn must return {'loss': <number>, 'status': STATUS_SUCCESS}; each "
            "failure's reason is in trials.trials[i]['result']['error']",
        )

    def run(self, use_mpi: bool = False) -> Dict[str, Any]:
        """Evaluate trials one after another until ``max_evals`` (one only with ``run_once``).

        The trials run on the :class:`~ax.service.scheduler.Scheduler` (the one engine)
        with an inline executor, or with an MPI group's executor for ``use_mpi=True``.

        Args:
            use_mpi: Run under ``mpirun -n K python script.py``: rank 0 proposes and
                records, every rank evaluates the same parameters with the same
                ``exp_info``, and every rank returns the best parameters. Needs mpi4py.

        Returns:
            The best parameters ``{label: value}`` among the successful trials (never
            None).

        Raises:
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row,
                or the run ended with no successful trial; the message names the last
                failure (the checkpoint holds every trial so far).
            UnsupportedError: ``use_mpi=True`` without mpi4py or an MPI library.
        """
        if use_mpi:
            from ax.service.utils.mpi_group import MPIGroup

            return self._run_mpi(MPIGroup())
        from ax.service.executors import InlineExecutor

        self.logger.info("Start searching...")
        self._abandon_unfinished("interrupted before its result was recorded")
        self.run_on(self.scheduler(InlineExecutor()), self._budget())
        return self.best_params_or_raise()

    def _budget(self) -> int:
        """Evaluations left for :meth:`run` (one at most with ``run_once``)."""
        left = self.max_evals - len(self.trials)
        return min(left, 1) if self.run_once else left

    def scheduler(self, executor: Executor, max_parallelism: int = 1) -> Scheduler:
        """The :class:`~ax.service.scheduler.Scheduler` that runs this experiment's trials
        on ``executor`` (what every mode runs on).

        The Scheduler proposes (trials in flight are pending points), counts failures in a
        row (carried over from this client's earlier runs) against
        ``max_consecutive_failures``, and records each result in :attr:`trials`; the
        checkpoint is written after each result, and after each trial sent to a worker.
        Trials an earlier run left in flight are waited for again when ``executor`` can
        (a RabbitMQ executor: jobs still on the broker); the others are abandoned.

        Args:
            executor: Where ``fn`` runs.
            max_parallelism: Trials in flight at once (further capped by the executor's
                idle capacity when it reports one).
        """
        from ax.service.scheduler import Scheduler
        from ax.service.utils.scheduler_options import SchedulerOptions

        limit = self.max_consecutive_failures
        options = SchedulerOptions(
            max_parallelism=max_parallelism,
            total_trials=None,
            max_consecutive_failures=limit if limit is not None else self.max_evals + 1,
        )
        return Scheduler(
            self.experiment,
            self.generation_strategy,
            None,
            executor,
            options,
            trial_evaluation=PolarisEvaluation(self),
            label=f"Polaris {self.exp_key!r}",
            failures_in_a_row=self._consecutive_failures,
            on_trial_finished=lambda trial, failures_in_a_row: self.save(),
            stopping_rule=self.stopping_rule,
            on_trial_started=self._trial_started,
        )

    def run_on(self, scheduler: Scheduler, budget: Optional[int] = None) -> None:
        """Run the evaluations left (``max_evals`` minus those recorded; trials adopted in
        flight count among them), or ``budget`` more, on ``scheduler`` (from
        :meth:`scheduler`). The checkpoint is written when it returns or raises.

        Raises:
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row,
                or the algorithm has no more points.
            ExecutorError: The executor's back end failed (e.g. the broker was lost).
        """
        if budget is None:
            budget = self.max_evals - len(self.trials)
        try:
            if budget > 0:
                scheduler.run_n_trials(budget)
        finally:
            self._consecutive_failures = scheduler.consecutive_failures
            self.save()
        if scheduler.exhausted_by is not None:
            raise scheduler.exhausted_by

    def _trial_started(self, trial: BaseTrial) -> None:
        if JOB_ID_KEY in trial.run_metadata:  # sent to a worker: a restart waits for it
            self.save()

    def run_parallel(self, job_timeout_s: Optional[float] = None) -> Dict[str, Any]:
        """Run the experiment on ``polaris-worker`` processes through RabbitMQ.

        The trials run on the :class:`~ax.service.scheduler.Scheduler` with a RabbitMQ
        executor (through :class:`polaris.rabbitmq.JobClient`). The broker is
        ``$RABBITMQ_URL`` (:func:`polaris.rabbitmq.config.broker_url`). Start at least one
        ``polaris-worker --exp-key KEY`` (before or after this call); each idle worker
        gets one trial at a time, proposed when it announces itself idle, with the trials
        in flight as pending points. Workers leave when the experiment ends. A run killed
        midway resumes from its checkpoint, and results of trials that were in flight are
        still recorded when they arrive.

        Args:
            job_timeout_s: Time limit of each evaluation, seconds (None: none), enforced
                by the worker: a job past it is a failed trial (reason ``TimeoutError: job
                timed out after ... s``) and the worker takes the next job.

        Returns:
            The best parameters, as :meth:`run`.

        Raises:
            UserInputError: ``job_timeout_s`` is not a number > 0 or None.
            BrokerConnectionError: The broker cannot be reached or goes away.
            OptimizationAbortedError: As for :meth:`run`.
        """
        from ax.service.rabbitmq.protocol import checked_timeout
        from polaris.rabbitmq.client import JobClient

        timeout = checked_timeout("Polaris.run_parallel", "job_timeout_s", job_timeout_s)
        JobClient(self, job_timeout_s=timeout).start()
        return self.best_params_or_raise()

    def run_trial(self) -> Dict[str, Any]:
        """Propose, evaluate, record and checkpoint one trial (in this process, on the
        Scheduler with an inline executor).

        Returns:
            The record added to :attr:`trials`.

        Raises:
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row.
        """
        from ax.service.executors import InlineExecutor

        self._abandon_unfinished("interrupted before its result was recorded")
        self.run_on(self.scheduler(InlineExecutor()), 1)
        return self.trials.trials[-1]

    # ------------------------------------------------------------------ MPI
    def _run_mpi(self, group: MPIGroup) -> Dict[str, Any]:
        """``run(use_mpi=True)`` on this rank of ``group``: rank 0 runs the Scheduler on
        the group's executor, the other ranks run each call it hands over."""
        from ax.service.utils.mpi_group import MPIGroupExecutor, serve_calls

        if not group.is_root:
            best: Optional[Dict[str, Any]] = serve_calls(group, failure_of)
            if best is None:
                raise OptimizationAbortedError(
                    f"Polaris {self.exp_key!r}: MPI rank {group.rank} got no best parameters "
                    "from rank 0: no trial succeeded, or rank 0 stopped with an error",
                    num_failures=0,
                    last_reason="see rank 0's error",
                    hint="rank 0 raised the error that names the last failure",
                )
            return best
        best = None
        try:
            self.logger.info("Start searching on %d MPI ranks...", group.size)
            self._abandon_unfinished("interrupted before its result was recorded")
            executor = MPIGroupExecutor(group, failure_of, with_failure)
            self.run_on(self.scheduler(executor), self._budget())
            best = self.best_params_or_raise()
        finally:
            group.stop(best)  # every rank returns (with the best parameters)
        return best

    # ------------------------------------------------------------------ bookkeeping
    def _abandon_unfinished(self, reason: str) -> None:
        """Mark trials left RUNNING by an interrupted run ABANDONED."""
        for trial in self.experiment.trials.values():
            if not trial.status.is_terminal:
                trial.mark_abandoned(reason=reason)

    def _start(self, generator_run: GeneratorRun) -> Tuple[Trial, TParams, Dict[str, Any]]:
        """A new RUNNING trial holding ``generator_run``, its parameters and ``exp_info``."""
        experiment = self.experiment
        in_flight = sum(not t.status.is_terminal for t in experiment.trials.values())
        trial = experiment.new_trial(generator_run=generator_run)
        trial.mark_running(no_runner_required=True)
        arm = trial.arm
        if arm is None:  # pragma: no cover - a one-arm generator run always gives one
            raise UnsupportedError(f"Polaris {self.exp_key!r}: the strategy proposed no arm")
        params = self.domain.from_ax(arm.parameters)
        exp_info = {"exp_key": self.exp_key, "eval_count": len(self.trials) + in_flight + 1}
        return trial, params, exp_info

    def _note(
        self,
        params: TParams,
        exp_info: Dict[str, Any],
        result: Dict[str, Any],
        reason: Optional[str],
    ) -> None:
        """Add a trial's record to :attr:`trials` and log it."""
        self.trials.add(result, params, exp_info)
        self.exp_info["eval_count"] = len(self.trials) + 1
        level = logging.INFO if self.debug else logging.DEBUG
        self.logger.log(
            level, "eval %d params=%s result=%s", exp_info["eval_count"], params, result
        )
        if reason is not None:
            self.logger.warning("eval %d failed: %s", exp_info["eval_count"], reason)

    def save(self) -> None:
        """Write the checkpoint now (atomically); nothing when checkpoints are off."""
        if self.checkpoint is not None:
            self.checkpoint.save(self.trials.trials, self.experiment, self.generation_strategy)

    def __repr__(self) -> str:
        return (
            f"Polaris(exp_key={self.exp_key!r}, algo={self.domain.algo!r}, "
            f"max_evals={self.max_evals}, evaluated={len(self.trials)})"
        )


def _checkpoint(store: Any, checkpoint_dir: Any, exp_key: str) -> Optional[Checkpoint]:
    """The checkpoint on ``store`` (a store, a path or a URL), else in ``checkpoint_dir``."""
    if store is not None:
        if checkpoint_dir not in (None, "."):
            raise UserInputError(
                f"Polaris: give store={store!r} or checkpoint_dir={checkpoint_dir!r}, not both"
            )
        resolved = as_store(store, "Polaris: store")
        assert resolved is not None
        return Checkpoint(resolved, exp_key)
    if checkpoint_dir is None:
        return None
    if not isinstance(checkpoint_dir, (str, os.PathLike)):
        raise UserInputTypeError(
            f"Polaris: checkpoint_dir must be a str, os.PathLike or None, got "
            f"{type(checkpoint_dir).__name__} {checkpoint_dir!r}"
        )
    return Checkpoint(CheckpointFileStore(checkpoint_dir), exp_key)


class PolarisEvaluation(TrialEvaluation):
    """A Polaris trial on the Scheduler: ``fn(params, exp_info, *args)`` on the executor.

    The client proposes the parameters and ``exp_info`` of each trial the Scheduler
    generates, and keeps its :attr:`Polaris.trials` records of each result. A trial sent
    to a RabbitMQ worker keeps its job's correlation id and ``exp_info`` in its run
    metadata (once the broker confirmed the job), so that a client started again adopts
    it and records its result when it arrives.

    Args:
        client: The Polaris client whose trials these are.
    """

    abort_hint = ABORT_HINT
    publish_timeout_s = 30.0
    """How long :meth:`submit` waits for the broker to confirm a job."""

    def __init__(self, client: Polaris) -> None:
        self.client = client
        self.jobs: Dict[int, Tuple[TParams, Dict[str, Any]]] = {}
        # Opt-in: with a stopping rule, fn finds a reporter in exp_info["reporter"].
        self.reports = client.stopping_rule is not None

    def new_trial(self, experiment: Experiment, generator_run: GeneratorRun) -> BaseTrial:
        trial, params, exp_info = self.client._start(generator_run)
        self.jobs[trial.index] = (params, exp_info)
        return trial

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        from ax.service.executors import InlineExecutor

        params, exp_info = self.jobs[trial.index]
        sent = exp_info
        if isinstance(executor, InlineExecutor):  # a reporter works in this process only
            reporter = self.reporter(trial)
            if reporter is not None:
                sent = {**exp_info, "reporter": reporter}
        client = self.client
        future = executor.submit(evaluate, client.fn, params, sent, client.args)
        job_id = getattr(future, "correlation_id", None)
        published = getattr(future, "published", None)
        # Kept only once the broker has the job: a restart never waits for one unsent.
        # Without a checkpoint nothing is resumed, so nothing waits for the broker.
        if (
            client.checkpoint is not None
            and isinstance(job_id, str)
            and published is not None
            and published.wait(self.publish_timeout_s)
            and not future.done()
        ):
            trial.update_run_metadata({JOB_ID_KEY: job_id, EXP_INFO_KEY: dict(exp_info)})
        return future

    def adopt(self, executor: Executor, trial: BaseTrial) -> Optional[Future[Any]]:
        """The result of a job an earlier client sent (RabbitMQ executors only)."""
        expect = getattr(executor, "expect", None)
        job_id = trial.run_metadata.get(JOB_ID_KEY)
        exp_info = trial.run_metadata.get(EXP_INFO_KEY)
        if not callable(expect) or not isinstance(job_id, str) or not isinstance(exp_info, dict):
            return None
        arm = trial.arm if isinstance(trial, Trial) else None
        if arm is None:
            return None
        self.jobs[trial.index] = (self.client.domain.from_ax(arm.parameters), exp_info)
        future: Future[Any] = expect(job_id)
        return future

    def interrupt(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        """A job on the broker stays RUNNING: a client started again adopts it."""
        if JOB_ID_KEY in trial.run_metadata:
            return LEAVE, None
        return self.stop(trial, future)

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        params, exp_info = self.jobs.pop(trial.index)
        try:
            result, reason = future.result()
        except ExecutorError:
            raise  # the back end is gone: the Scheduler stops the run
        except Exception as err:  # the worker could not run it (timeout, dead-lettered...)
            reason = f"the worker could not run the job: {str(err)[:2000]}"
            result = {"status": STATUS_FAILURE, "error": reason}
        if reason is None and not self.client._attach(cast(Trial, trial), result.get("loss")):
            reason = "the trial has no arm"  # pragma: no cover - never for a Polaris trial
        self.client._note(params, exp_info, result, reason)
        return reason


__all__ = [
    "EXP_INFO_KEY",
    "JOB_ID_KEY",
    "OBJECTIVE_NAME",
    "Polaris",
    "PolarisEvaluation",
    "default_logger",
]
