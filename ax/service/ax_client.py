"""The Service API: :class:`AxClient`, an ask-tell interface to adaptive experimentation.

The user owns the evaluation loop: the client proposes parameters (``get_next_trial``),
the user evaluates them wherever and whenever they like and reports back
(``complete_trial``, ``log_trial_failure``, ``abandon_trial``). The client keeps the
experiment and the generation strategy, and can be saved to one JSON file at any moment
and resumed exactly (``save_to_json_file`` / ``load_from_json_file``). With a ``store``
(an :class:`~ax.storage.store.ExperimentStore`, or a JSON path or database URL as a
shortcut; ``db_settings=DBSettings(url=...)`` is one too) it saves after every change
(only what changed, in a database) and resumes with ``load_experiment_from_database(name)``.

The client is composed of one object per concern, each in its own module: ask/tell
(:class:`~ax.service.utils.ask_tell.AskTell`), execution
(:class:`~ax.service.utils.trial_execution.TrialExecution`), analysis
(:class:`~ax.service.utils.experiment_analysis.ExperimentAnalysis`) and persistence
(:class:`~ax.service.utils.experiment_persistence.ExperimentPersistence`).

Order of calls: ``create_experiment`` (or ``load_from_json_file``) first; then any number
of ``get_next_trial``/``attach_trial`` and ``complete_trial`` calls in any interleaving,
or ``run_trials(evaluate, n, executor=...)`` to let a Scheduler run ``n`` trials on a
process pool, Dask or RabbitMQ workers.
Each method that needs something done first raises an error saying what to call.

Threads: an AxClient is not thread-safe; call it from one thread (or guard it with a lock).

Example:
    >>> client = AxClient(random_seed=0)
    >>> client.create_experiment(
    ...     name="branin",
    ...     parameters=[
    ...         {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    ...         {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ...     ],
    ...     objective_name="branin",
    ...     minimize=True,
    ... )
    >>> for _ in range(10):
    ...     parameters, trial_index = client.get_next_trial()
    ...     value = my_branin(parameters["x1"], parameters["x2"])  # your evaluation
    ...     client.complete_trial(trial_index, raw_data={"branin": (value, 0.0)})
    >>> best_parameters, (means, covariances) = client.get_best_parameters()
"""

from __future__ import annotations

import warnings
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.types import TModelPredictArm, TParameterization
from ax.early_stopping.base import StopDecision, StoppingRule
from ax.exceptions import (
    DataRequiredError,
    GenerationStrategyCompleted,
    MaxParallelismReachedException,
    StorageError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.utils import ax_client_analysis as analysis
from ax.service.utils import ax_client_snapshot as snapshots
from ax.service.utils import ax_client_utils as utils
from ax.service.utils.ask_tell import AskTell
from ax.service.utils.ax_client_early_stopping import TrialEarlyStopping
from ax.service.utils.best_point import get_best_parameters
from ax.service.utils.experiment_analysis import ExperimentAnalysis, TRefit
from ax.service.utils.experiment_persistence import ExperimentPersistence
from ax.service.utils.instantiation import make_experiment
from ax.service.utils.multi_objective_client import (
    make_multi_objective_experiment,
    objective_names,
)
from ax.service.utils.objective_properties import ObjectiveProperties
from ax.service.utils.pareto import (
    TParetoFrontier,
    get_pareto_optimal_parameters,
    observed_hypervolume,
)
from ax.service.utils.trial_execution import DEFAULT_MAX_CONSECUTIVE_FAILURES, TrialExecution
from ax.storage.store import ExperimentStore, as_store
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Executor

    import pandas as pd
    import plotly.graph_objects as go
    from sqlalchemy import Engine

    from ax.modelbridge.base import ModelBridge
    from ax.storage.json_store.save import TPath

logger = get_logger(__name__)

_STOP_REASONS = (MaxParallelismReachedException, DataRequiredError, GenerationStrategyCompleted)
_CHOOSE_KWARGS = utils.keyword_names(choose_generation_strategy, exclude=("search_space",))


class AxClient:
    """Ask-tell optimization: the client proposes trials, the caller evaluates them.

    Trials the client runs itself (:meth:`run_trials`) run on the
    :class:`~ax.service.scheduler.Scheduler`, the one engine (see ``DESIGN.md``); the
    ask/tell calls record trials the caller runs.

    Args:
        generation_strategy: How trials are proposed. By default,
            :func:`~ax.modelbridge.dispatch_utils.choose_generation_strategy` picks one for
            the search space when the experiment is created (Sobol, then GPEI).
        db_settings: SQL storage (:class:`ax.storage.sqa_store.structs.DBSettings`): a
            shortcut for ``store`` (give one or the other). None: no SQL storage.
        enforce_sequential_optimization: Passed to ``choose_generation_strategy``: wait for
            enough Sobol data before the Bayesian step and limit its parallelism.
        random_seed: Seeds every step of the default strategy (Sobol and the GP's fits and
            acquisition optimisation), so the same seed and the same reported data give
            the same trials. Global numpy and torch random states are never touched. With
            an explicit ``generation_strategy``, seed its steps' ``model_kwargs`` instead.
        verbose_logging: Log each trial generated or completed at INFO (else at DEBUG).
            This changes no logging configuration; see :func:`ax.utils.logger.set_verbosity`.
        suppress_storage_errors: With a store, log failed saves instead of raising.
        store: Where the client saves the experiment and strategy after every change,
            and what :meth:`load_experiment_from_database` loads from: an
            :class:`~ax.storage.store.ExperimentStore` (``JSONFileStore``, ``SQLStore``),
            or as a shortcut a JSON path (a ``.json`` file or a directory) or a database
            URL (``sqlite:///ax.db``, ``postgresql://...``). None: nothing is saved
            automatically (``save_to_json_file`` still works).

    Raises:
        UnsupportedError: ``db_settings`` is neither None nor a DBSettings.
        UserInputTypeError / UserInputError: ``store`` is not a store, a path or a URL
            (the message names the argument and the value), or both ``store`` and
            ``db_settings`` are given.
        StorageError: The database in ``db_settings`` or ``store`` cannot be opened or
            migrated.
        UserInputTypeError: An argument has the wrong type.
        UserInputError: ``random_seed`` is negative.

    Example:
        >>> client = AxClient(random_seed=1)
        >>> client.create_experiment(
        ...     parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        ...     minimize=True,
        ... )
        >>> parameters, index = client.get_next_trial()
        >>> client.complete_trial(index, raw_data=(parameters["x"] - 0.3) ** 2)
        >>> saved = AxClient(store="sqlite:///ax.db")  # saves after every change
    """

    def __init__(
        self,
        generation_strategy: Optional[GenerationStrategy] = None,
        db_settings: Optional[Any] = None,
        enforce_sequential_optimization: bool = True,
        random_seed: Optional[int] = None,
        verbose_logging: bool = True,
        suppress_storage_errors: bool = False,
        store: Any = None,
    ) -> None:
        function = "AxClient"
        db_settings = utils.check_db_settings(function, db_settings)
        if db_settings is not None and store is not None:
            raise UserInputError(
                f"{function}: give store={store!r} or db_settings={db_settings!r}, not both"
            )
        if generation_strategy is not None and not isinstance(
            generation_strategy, GenerationStrategy
        ):
            raise UserInputTypeError(
                f"{function}: generation_strategy must be a GenerationStrategy or None, got "
                f"{type(generation_strategy).__name__}"
            )
        self._enforce_sequential_optimization = utils.check_bool(
            function, "enforce_sequential_optimization", enforce_sequential_optimization
        )
        self._random_seed = utils.check_seed(function, random_seed)
        self._verbose_logging = utils.check_bool(function, "verbose_logging", verbose_logging)
        self._suppress_storage_errors = utils.check_bool(
            function, "suppress_storage_errors", suppress_storage_errors
        )
        if generation_strategy is not None and random_seed is not None:
            warnings.warn(
                "AxClient: random_seed seeds only the default generation strategy; with an "
                "explicit generation_strategy, seed its steps' model_kwargs (e.g. "
                "{'seed': 0})",
                UserWarning,
                stacklevel=2,
            )
        self._user_generation_strategy = generation_strategy is not None
        self._generation_strategy: Optional[GenerationStrategy] = generation_strategy
        self._experiment: Optional[Experiment] = None
        resolved = as_store(db_settings if store is None else store, f"{function}: store")
        self._persistence = ExperimentPersistence(
            resolved, function, suppress_errors=self._suppress_storage_errors
        )
        self._execution = TrialExecution(resolved)
        self._early_stopping = TrialEarlyStopping()
        # The ask/tell and analysis parts of the current experiment (made on first use).
        self._parts: Optional[Tuple[AskTell, ExperimentAnalysis]] = None

    # ------------------------------------------------------------------ properties
    @property
    def experiment(self) -> Experiment:
        """The experiment; raises UserInputError before ``create_experiment``."""
        return self._require_experiment("AxClient.experiment")

    @property
    def generation_strategy(self) -> GenerationStrategy:
        """The generation strategy; raises UserInputError before ``create_experiment``."""
        if self._generation_strategy is None:
            raise UserInputError(
                "AxClient.generation_strategy: there is none yet; call create_experiment "
                "first (or pass generation_strategy= to AxClient)"
            )
        return self._generation_strategy

    @property
    def objective_name(self) -> str:
        """The name of the objective metric (UnsupportedError with several objectives:
        use ``objective_names``)."""
        return self._objective_name("AxClient.objective_name")

    @property
    def objective_names(self) -> List[str]:
        """The names of the objective metrics (one for a single objective)."""
        function = "AxClient.objective_names"
        return objective_names(self._require_experiment(function), function)

    @property
    def random_seed(self) -> Optional[int]:
        return self._random_seed

    @property
    def enforce_sequential_optimization(self) -> bool:
        return self._enforce_sequential_optimization

    @property
    def verbose_logging(self) -> bool:
        return self._verbose_logging

    @property
    def store(self) -> Optional[ExperimentStore]:
        """Where the client saves after every change (None: nothing is saved)."""
        return self._persistence.store

    # ------------------------------------------------------------------ setup
    def create_experiment(
        self,
        parameters: Sequence[Mapping[str, Any]],
        name: Optional[str] = None,
        objective_name: Optional[str] = None,
        minimize: bool = False,
        parameter_constraints: Optional[Sequence[str]] = None,
        outcome_constraints: Optional[Sequence[str]] = None,
        status_quo: Optional[TParameterization] = None,
        overwrite_existing_experiment: bool = False,
        experiment_type: Optional[str] = None,
        choose_generation_strategy_kwargs: Optional[Dict[str, Any]] = None,
        tracking_metric_names: Optional[Sequence[str]] = None,
        load_if_exists: bool = False,
        objectives: Optional[Mapping[str, ObjectiveProperties]] = None,
    ) -> None:
        """Create the experiment and, unless one was given, the generation strategy.

        Several workers, one study: with a database store (``store=`` a database URL or
        ``db_settings``) and ``load_if_exists=True``,
        every worker can make the same call; the first one stores the experiment and the
        others load it (race-free: the database's unique name decides), then each asks
        for trials and reports results independently (see
        :meth:`~ax.service.utils.experiment_persistence.ExperimentPersistence.locked`).

        Args:
            parameters: Parameter dicts, e.g. ``{"name": "x", "type": "range",
                "bounds": [0.0, 1.0]}`` (see
                :func:`~ax.service.utils.instantiation.parameter_from_json`).
            name: Name of the experiment.
            objective_name: Name of the objective metric (default ``"objective"``).
            minimize: Whether to minimise the objective.
            parameter_constraints: e.g. ``["x1 + x2 <= 1.5", "x3 <= x4"]``.
            outcome_constraints: e.g. ``["l2norm <= 1.25"]``; their metrics become metrics
                of the experiment that ``complete_trial`` accepts.
            status_quo: The control parameterization (needed by relative constraints).
            overwrite_existing_experiment: Replace an experiment this client already has
                (its trials are dropped, and the generation strategy starts over).
            experiment_type: Free-form type label.
            choose_generation_strategy_kwargs: Keyword arguments of
                :func:`~ax.modelbridge.dispatch_utils.choose_generation_strategy` (e.g.
                ``{"num_initialization_trials": 3}``); ``random_seed`` and
                ``enforce_sequential_optimization`` here override the client's.
            tracking_metric_names: Extra metrics the user will report, besides the
                objective and the constrained metrics.
            load_if_exists: With a store: if the store already holds an
                experiment of this ``name``, load it (and its strategy) instead of
                failing; its parameters and objective must match the ones given.
            objectives: Several objectives, instead of ``objective_name``/``minimize``:
                ``{"acc": ObjectiveProperties(minimize=False, threshold=0.9),
                "latency": ObjectiveProperties(minimize=True, threshold=50)}`` (two or
                more; a threshold is the worst acceptable value). Results are then
                ``{metric: (mean, sem)}`` dicts with every objective, and
                :meth:`get_pareto_optimal_parameters` gives the frontier.

        Raises:
            UserInputError: The client already has an experiment and overwriting was not
                asked for; or any input is invalid (the message names it); or
                ``choose_generation_strategy_kwargs`` is given with an explicit strategy.
        """
        function = "AxClient.create_experiment"
        overwrite = utils.check_bool(
            function, "overwrite_existing_experiment", overwrite_existing_experiment
        )
        if self._experiment is not None and not overwrite:
            raise UserInputError(
                f"{function}: this client already has experiment {self._experiment._name!r}; "
                "pass overwrite_existing_experiment=True to replace it, or use a new AxClient"
            )
        choose_kwargs = utils.check_choose_kwargs(
            function, choose_generation_strategy_kwargs, _CHOOSE_KWARGS
        )
        if choose_kwargs and self._user_generation_strategy:
            raise UserInputError(
                f"{function}: choose_generation_strategy_kwargs {sorted(choose_kwargs)} have no "
                "effect, since a generation_strategy was given to AxClient"
            )
        tracking = utils.check_tracking_metric_names(function, tracking_metric_names)
        if objectives is not None:
            experiment = make_multi_objective_experiment(
                function,
                objectives,
                objective_name,
                minimize,
                tracking,
                parameters=parameters,
                name=name,
                parameter_constraints=parameter_constraints,
                outcome_constraints=outcome_constraints,
                status_quo=status_quo,
                experiment_type=experiment_type,
            )
        else:
            objective = objective_name if objective_name is not None else "objective"
            experiment = make_experiment(
                parameters=parameters,
                name=name,
                objective_name=objective,
                minimize=minimize,
                parameter_constraints=parameter_constraints,
                outcome_constraints=outcome_constraints,
                status_quo=status_quo,
                experiment_type=experiment_type,
                metrics=[Metric(name=objective)]
                + [Metric(name=m) for m in tracking if m != objective],
            )
        if self._user_generation_strategy and self._generation_strategy is not None:
            strategy = self._generation_strategy
            if strategy.experiment is not None or strategy.generator_runs:
                strategy = strategy.clone_reset()
        else:
            settings: Dict[str, Any] = {
                "enforce_sequential_optimization": self._enforce_sequential_optimization,
                "random_seed": self._random_seed,
            }
            settings.update(choose_kwargs)
            settings.setdefault("optimization_config", experiment.optimization_config)
            strategy = choose_generation_strategy(search_space=experiment.search_space, **settings)
        load = utils.check_bool(function, "load_if_exists", load_if_exists)
        if load and not self._persistence.enabled:
            raise UserInputError(
                f"{function}: load_if_exists=True needs a database; create the client with "
                "AxClient(db_settings=DBSettings(url=...))"
            )
        if load and name is None:
            raise UserInputError(f"{function}: load_if_exists=True needs the experiment's name")
        if self._persistence.enabled:
            if load and self._load_existing(function, experiment):
                return
            try:
                self._persistence.save_all(experiment, strategy)
            except StorageError:
                # Another worker stored it first (between our look and our save).
                if not load or not self._load_existing(function, experiment):
                    raise
                return
        self._set_experiment(experiment, strategy)
        self._log("Created experiment %r with generation strategy %r.", experiment._name, strategy)

    def _load_existing(self, function: str, wanted: Experiment) -> bool:
        """Load the stored experiment named like ``wanted`` if there is one (True), after
        checking that it has the same parameters and objective."""
        name = wanted.name
        if not self._persistence.exists(name):
            return False
        stored, _ = self._persistence.load(function, name)
        utils.check_same_study(function, stored, wanted)
        self.load_experiment_from_database(name)
        return True

    # ------------------------------------------------------------------ trials
    def get_next_trial(self) -> Tuple[TParameterization, int]:
        """Generate the next trial, mark it RUNNING and return its parameters.

        The points of trials still running (without data) are passed to the model as
        pending, so concurrent trials differ.

        Returns:
            ``(parameters, trial_index)``.

        Raises:
            UserInputError: No experiment yet (call ``create_experiment`` first).
            DataRequiredError: The strategy waits for data before its next step (complete
                some running trials first).
            MaxParallelismReachedException: As many trials as the current step allows are
                running (complete some first).
            GenerationStrategyCompleted: The strategy has produced all its trials.
        """
        function = "AxClient.get_next_trial"
        ask_tell, analysis_ = self._parts_of(function)
        parameters, index, data_version = ask_tell.get_next_trial(function)
        analysis_.model_fit_on(data_version)
        self._log("Generated new trial %d with parameters %s.", index, parameters)
        return parameters, index

    def get_next_trials(self, n: int) -> Tuple[Dict[int, TParameterization], Optional[str]]:
        """Generate up to ``n`` trials at once (each as by :meth:`get_next_trial`).

        Fewer than ``n`` come back when the strategy cannot produce more now; the reason
        says which limit was hit (never raised for these): the current step's maximum
        parallelism, data required before the next step, or the strategy being complete.
        An unexpected error after some trials were made also ends the batch, with the
        error as the reason (those trials are RUNNING and returned).

        Args:
            n: The most trials to generate (>= 1).

        Returns:
            ``({trial_index: parameters}, reason)``; ``reason`` is None when ``n`` trials
            came back.

        Raises:
            UserInputError: No experiment yet, or ``n`` < 1.
            Exception: An unexpected error on the first trial (nothing was generated).
        """
        function = "AxClient.get_next_trials"
        count = utils.check_positive_int(function, "n", n)
        self._require_experiment(function)
        trials: Dict[int, TParameterization] = {}
        reason: Optional[str] = None
        while len(trials) < count:
            try:
                parameters, index = self.get_next_trial()
            except _STOP_REASONS as err:
                reason = _stop_reason(err, len(trials), count)
                break
            except Exception as err:
                if not trials:
                    raise
                reason = (
                    f"generated {len(trials)} of {count} trials, then failed with "
                    f"{type(err).__name__}: {err}"
                )
                logger.warning("%s: %s", function, reason)
                break
            trials[index] = parameters
        return trials, reason

    def attach_trial(
        self, parameters: TParameterization, allow_out_of_design: bool = False
    ) -> Tuple[TParameterization, int]:
        """Add a trial with parameters chosen by the user, marked RUNNING.

        Args:
            parameters: A value for every parameter of the search space (ints are
                accepted for float parameters and cast).
            allow_out_of_design: Whether a point outside the search space (out of a
                parameter's bounds or choices, or violating a constraint) is accepted, e.g.
                a production baseline. Off by default, as a guard against typos. Such a
                trial's data is recorded, but models leave it out of fitting and the best
                point ignores it.

        Returns:
            ``(parameters, trial_index)``, the parameters cast to the parameters' types.

        Raises:
            UserInputError: No experiment yet; a parameter is missing or unknown, or
                (without ``allow_out_of_design``) a value is outside its parameter's domain
                or a parameter constraint is violated (the message names the parameter and
                the option).
            UserInputTypeError: A value has the wrong type.
        """
        function = "AxClient.attach_trial"
        experiment = self._require_experiment(function)
        cast = utils.check_parameterization(
            function, experiment, parameters, allow_out_of_design=allow_out_of_design
        )
        index = self._parts_of(function)[0].attach_trial(function, cast)
        self._log("Attached custom parameterization %s as trial %d.", cast, index)
        return dict(cast), index

    def complete_trial(
        self,
        trial_index: int,
        raw_data: Any,
        metadata: Optional[Dict[str, Any]] = None,
        sample_size: Optional[int] = None,
    ) -> None:
        """Record the results of a RUNNING trial and mark it COMPLETED.

        Args:
            trial_index: The trial, as returned by ``get_next_trial`` / ``attach_trial``.
            raw_data: ``{metric: (mean, sem)}`` (or ``{metric: mean}``), a ``(mean, sem)``
                tuple or a bare mean of the objective (a mean alone has an unknown SEM),
                or the fidelity form ``[(fidelities, {metric: (mean, sem)}), ...]``. The
                objective must be reported; every metric must be the experiment's.
            metadata: Stored in the trial's run metadata; ``"start_time"`` and
                ``"end_time"`` (ms since the epoch or datetimes) also go into the data.
            sample_size: The number of samples behind the means.

        Raises:
            UserInputError: No experiment, or no such trial; a metric is unknown (the
                message lists the experiment's metrics) or the objective is missing; a
                mean or SEM is not finite. The trial is then left unchanged.
            TrialStatusError: The trial is not RUNNING (e.g. already completed: use
                ``update_trial_data``).
        """
        function = "AxClient.complete_trial"
        ask_tell = self._parts_of(function)[0]
        trial = ask_tell.report(function, trial_index, raw_data, metadata, sample_size, True)
        self._log("Completed trial %d with data: %s.", trial.index, raw_data)

    def update_trial_data(
        self,
        trial_index: int,
        raw_data: Any,
        metadata: Optional[Dict[str, Any]] = None,
        sample_size: Optional[int] = None,
    ) -> None:
        """Report new data for a COMPLETED trial, as a new version of its data.

        Metrics reported here replace the trial's previous values; the others are kept.
        Earlier versions stay in ``experiment.data_by_trial``.

        Args:
            trial_index: The trial.
            raw_data: As for :meth:`complete_trial` (the objective may be left out).
            metadata: Merged into the trial's run metadata.
            sample_size: The number of samples behind the means.

        Raises:
            UserInputError: As for :meth:`complete_trial`.
            TrialStatusError: The trial is not COMPLETED (call ``complete_trial`` first).
        """
        function = "AxClient.update_trial_data"
        ask_tell = self._parts_of(function)[0]
        trial = ask_tell.report(function, trial_index, raw_data, metadata, sample_size, False)
        self._log("Updated data of trial %d with: %s.", trial.index, raw_data)

    def log_trial_failure(
        self,
        trial_index: int,
        metadata: Optional[Dict[str, Any]] = None,
        reason: Optional[str] = None,
    ) -> None:
        """Mark a RUNNING trial FAILED (its evaluation did not produce data).

        Args:
            trial_index: The trial.
            metadata: Merged into the trial's run metadata.
            reason: Why it failed (kept as ``trial.failed_reason``).

        Raises:
            UserInputError: No experiment, or no such trial.
            TrialStatusError: The trial is not RUNNING.
        """
        function = "AxClient.log_trial_failure"
        trial = self._parts_of(function)[0].fail(function, trial_index, metadata, reason)
        self._log("Registered failure of trial %d (%s).", trial.index, reason or "no reason")

    def abandon_trial(self, trial_index: int, reason: Optional[str] = None) -> None:
        """Mark a trial that has not finished ABANDONED (its results will never come).

        Raises:
            UserInputError: No experiment, or no such trial.
            TrialStatusError: The trial already finished (completed, failed or abandoned).
        """
        function = "AxClient.abandon_trial"
        trial = self._parts_of(function)[0].abandon(function, trial_index, reason)
        self._log("Abandoned trial %d (%s).", trial.index, reason or "no reason")

    # ------------------------------------------------------------------ early stopping
    # (see ax.service.utils.ax_client_early_stopping)
    @property
    def stopping_rule(self) -> Optional[StoppingRule]:
        """The stopping rule of :meth:`should_stop_trial` and :meth:`run_trials`."""
        return self._early_stopping.rule

    def set_stopping_rule(self, rule: Optional[StoppingRule]) -> None:
        """Stop trials early with ``rule`` (see :mod:`ax.early_stopping`; None: never).

        Raises:
            UserInputTypeError: ``rule`` is not a StoppingRule.
            UserInputError: No experiment yet, or the rule watches a metric that is not
                an objective.
        """
        function = "AxClient.set_stopping_rule"
        self._early_stopping.set_rule(function, self._require_experiment(function), rule)

    def report_intermediate(
        self, trial_index: int, step: float, values: Mapping[str, float]
    ) -> None:
        """Attach intermediate results ``{metric: value}`` of a RUNNING trial at ``step``.

        Raises:
            UserInputError: No such trial; an unknown metric; a NaN or infinite value;
                a ``step`` that does not increase. Nothing is recorded then.
            TrialStatusError: The trial is not RUNNING.
        """
        function = "AxClient.report_intermediate"
        ask_tell = self._parts_of(function)[0]
        self._early_stopping.report(function, ask_tell, trial_index, step, values)

    attach_intermediate_data = report_intermediate

    def should_stop_trial(self, trial_index: int) -> StopDecision:
        """Whether the stopping rule would stop the trial now: ``StopDecision(stop, reason)``."""
        function = "AxClient.should_stop_trial"
        experiment = self._require_experiment(function)
        return self._early_stopping.should_stop(function, experiment, trial_index)

    def stop_trial_early(self, trial_index: int, reason: Optional[str] = None) -> None:
        """Mark a RUNNING trial EARLY_STOPPED (its last reported values are its data)."""
        function = "AxClient.stop_trial_early"
        ask_tell = self._parts_of(function)[0]
        self._early_stopping.stop(function, ask_tell, trial_index, reason)

    def get_trial_parameters(self, trial_index: int) -> TParameterization:
        """The parameters of a trial."""
        function = "AxClient.get_trial_parameters"
        trial = utils.get_trial(function, self._require_experiment(function), trial_index)
        arm = trial.arm
        return {} if arm is None else dict(arm.parameters)

    def verify_trial_parameterization(
        self, trial_index: int, parameterization: TParameterization
    ) -> bool:
        """Whether a trial's parameters equal ``parameterization``."""
        return self.get_trial_parameters(trial_index) == dict(parameterization)

    def run_trials(
        self,
        evaluation_function: Callable[[TParameterization], Any],
        num_trials: int,
        *,
        executor: Optional[Executor] = None,
        max_parallelism: Optional[int] = None,
        timeout_s: Optional[float] = None,
        max_consecutive_failures: int = DEFAULT_MAX_CONSECUTIVE_FAILURES,
    ) -> List[int]:
        """Run ``num_trials`` more trials, up to ``max_parallelism`` at once, on ``executor``.

        A :class:`~ax.service.scheduler.Scheduler` over this client's experiment and
        strategy runs them (see :mod:`ax.service.utils.trial_execution`); they are the
        client's own trials afterwards. With a store every change is saved as it happens
        (storage errors stop the run, even with ``suppress_storage_errors``).

        Args:
            evaluation_function: ``f(parameters)`` returning what ``complete_trial``'s
                ``raw_data`` accepts (a number, ``(mean, sem)``, ``{metric: (mean, sem)}``).
                For a process pool or Dask it must be picklable: a module-level function.
                A raised exception or a non-finite value makes the trial FAILED with the
                reason (its traceback in the run metadata); the run goes on.
            num_trials: How many trials to run (FAILED ones count).
            executor: Any ``concurrent.futures.Executor``: a thread pool, a process pool,
                :func:`~ax.service.executors.dask_executor`, the RabbitMQ executor. None: a
                spawned process pool of ``max_parallelism`` workers, shut down at the end.
                A given executor is never shut down.
            max_parallelism: Trials in flight at once. Default: the smallest of
                ``num_trials``, the given pool's size (else this machine's CPU count) and
                the largest parallelism the strategy's remaining steps allow (see
                :func:`~ax.service.utils.trial_execution.default_max_parallelism`).
            timeout_s: A trial still running after this many seconds is FAILED.
            max_consecutive_failures: Stop after this many FAILED trials in a row.

        Returns:
            The indices of the trials this call created.

        Raises:
            UserInputError: No experiment yet; an argument is out of range (the message
                names it); some trials are still unfinished (finish them first); the
                function cannot be pickled for the executor.
            UserInputTypeError: An argument has the wrong type.
            OptimizationAbortedError: ``max_consecutive_failures`` trials failed in a row
                (trials still in flight are ABANDONED).

        Example:
            >>> client.run_trials(evaluate, 20)  # a local process pool; evaluate at module level
            >>> client.run_trials(evaluate, 20, executor=dask_executor(dask_client))
            >>> best_parameters, (means, covariances) = client.get_best_parameters()
        """
        function = "AxClient.run_trials"
        experiment = self._require_experiment(function)
        try:
            return self._execution.run(
                experiment,
                self.generation_strategy,
                evaluation_function,
                num_trials,
                executor=executor,
                max_parallelism=max_parallelism,
                timeout_s=timeout_s,
                max_consecutive_failures=max_consecutive_failures,
                stopping_rule=self._early_stopping.rule,
            )
        finally:
            # The strategy's model may have been refit meanwhile.
            self._parts_of(function)[1].model_fit_on(None)

    # ------------------------------------------------------------------ results
    def get_best_parameters(self) -> Optional[Tuple[TParameterization, TModelPredictArm]]:
        """The best parameters found and their values.

        Returns:
            ``(parameters, (means, covariances))``: the latest model's recommendation
            (predicted means and covariances) if a model-based step has run, else the
            best completed observation (``{metric: mean}``, ``{m: {m: sem ** 2}}``),
            preferring arms that meet the outcome constraints; None when no trial has
            been completed.
        """
        return get_best_parameters(self._require_experiment("AxClient.get_best_parameters"))

    def get_pareto_optimal_parameters(self, use_model_predictions: bool = True) -> TParetoFrontier:
        """The Pareto-optimal parameters of a multi-objective experiment.

        Args:
            use_model_predictions: Judge arms on the current model's predictions (the
                observed values when no model predicts yet), else on the observations.

        Returns:
            ``{trial_index: (parameters, (means, covariances))}``; empty before any trial
            has completed with every objective.

        Raises:
            UnsupportedError: The experiment has a single objective.
            DataRequiredError: Every completed trial breaks an outcome constraint or an
                objective threshold, so no frontier exists.
        """
        function = "AxClient.get_pareto_optimal_parameters"
        experiment = self._require_experiment(function)
        model = None
        if use_model_predictions:
            try:
                model = self._fitted_model(function)
            except (UserInputError, DataRequiredError):
                model = None
        return get_pareto_optimal_parameters(experiment, model, use_model_predictions, function)

    def get_hypervolume(self) -> float:
        """The hypervolume of the observed Pareto frontier (above the thresholds, or the
        inferred reference point where none were given; see :mod:`ax.plot.pareto`).

        Raises:
            UnsupportedError: The experiment has a single objective.
        """
        function = "AxClient.get_hypervolume"
        return observed_hypervolume(self._require_experiment(function), function)

    def get_trials_data_frame(self) -> pd.DataFrame:
        """A table of the trials: ``trial_index``, ``arm_name``, ``trial_status``, one
        column per parameter and one per metric (the latest mean, NaN if none)."""
        return utils.trials_data_frame(self._require_experiment("AxClient.get_trials_data_frame"))

    def get_max_parallelism(self) -> List[Tuple[int, int]]:
        """``(num_trials, max_parallelism)`` per step of the strategy.

        ``max_parallelism`` is the step's ``num_trials`` when the step sets none (-1:
        unlimited). For a 6-parameter search space the default strategy gives
        ``[(6, 6), (-1, 3)]``.
        """
        steps = self.generation_strategy.steps
        return [(s.num_trials, s.max_parallelism or s.num_trials) for s in steps]

    def get_model_predictions(
        self, metric_names: Optional[Sequence[str]] = None
    ) -> analysis.TPredictions:
        """The current model's predictions at every trial's arm.

        The model is the generation strategy's; when data arrived since it was fit (or
        after a reload), it is refit on all data, without changing the strategy.

        Args:
            metric_names: The metrics to predict (default: every modelled metric).

        Returns:
            ``{trial_index: {metric: (mean, sem)}}``, the SEM being the square root of
            the predicted variance.

        Raises:
            UserInputError: No model yet (call ``get_next_trial`` first), or a metric is
                unknown or not modelled.
            UnsupportedError: The current model makes no predictions (e.g. Sobol).
        """
        function = "AxClient.get_model_predictions"
        return self._parts_of(function)[1].predictions(function, metric_names)

    def get_feature_importances(
        self, metric_name: Optional[str] = None, relative: bool = True
    ) -> Dict[str, float]:
        """Importance of each parameter for a metric, from the current model.

        Args:
            metric_name: The metric (default: the objective).
            relative: Scale the importances to sum to 1.

        Returns:
            ``{parameter name: importance}``.

        Raises:
            UserInputError: No model yet, or an unknown metric.
            UnsupportedError: The current model does not give feature importances.
        """
        function = "AxClient.get_feature_importances"
        return self._parts_of(function)[1].feature_importances(function, metric_name, relative)

    def get_feature_importances_plot(
        self, metric_name: Optional[str] = None, relative: bool = True
    ) -> go.Figure:
        """:meth:`get_feature_importances` as a bar chart (a plotly figure)."""
        function = "AxClient.get_feature_importances_plot"
        metric = self._parts_of(function)[1].checked_metric(function, metric_name)
        importances = self.get_feature_importances(metric, relative=relative)
        plot = analysis.plot_function("feature_importances", "plot_feature_importance_by_feature")
        return plot(importances, title=f"Parameter importance for {metric}")

    def get_optimization_trace(self, objective_optimum: Optional[float] = None) -> go.Figure:
        """The best objective value so far against the number of completed trials.

        Args:
            objective_optimum: The known optimum, drawn as a line.

        Raises:
            UserInputError: No experiment.
            NoDataError: No completed trial has objective data (call ``complete_trial``
                first).
        """
        function = "AxClient.get_optimization_trace"
        return self._parts_of(function)[1].optimization_trace(function, objective_optimum)

    def get_contour_plot(
        self,
        param_x: Optional[str] = None,
        param_y: Optional[str] = None,
        metric_name: Optional[str] = None,
    ) -> go.Figure:
        """The model's predicted metric over two parameters (others at their center).

        Args:
            param_x: Parameter on the x axis (default: the first range parameter).
            param_y: Parameter on the y axis (default: the second range parameter).
            metric_name: The metric (default: the objective).

        Raises:
            UserInputError: Only one of ``param_x``/``param_y`` given, an unknown or
                non-numeric parameter, the same parameter twice, an unknown metric, or no
                model yet.
            UnsupportedError: Fewer than two range parameters, or the current model makes
                no predictions.
        """
        function = "AxClient.get_contour_plot"
        return self._parts_of(function)[1].contour_plot(function, param_x, param_y, metric_name)

    # ------------------------------------------------------------------ storage
    def to_json_snapshot(self) -> Dict[str, Any]:
        """The client as JSON-ready values: experiment, generation strategy, settings.

        ``{"format_version", "experiment", "generation_strategy", "ax_client"}``; the
        experiment is stored once (the strategy's state lives on its trials). See
        :mod:`ax.service.utils.ax_client_snapshot`.

        Raises:
            UserInputError: No experiment yet.
            JSONEncodeError: Something cannot be encoded (e.g. a strategy step made by a
                factory function).
        """
        experiment = self._require_experiment("AxClient.to_json_snapshot")
        settings = {
            "enforce_sequential_optimization": self._enforce_sequential_optimization,
            "random_seed": self._random_seed,
            "verbose_logging": self._verbose_logging,
        }
        return snapshots.encode_snapshot(experiment, self.generation_strategy, settings)

    @classmethod
    def from_json_snapshot(cls, serialized: Dict[str, Any], **kwargs: Any) -> AxClient:
        """The client saved by :meth:`to_json_snapshot`, ready to continue.

        Args:
            serialized: The snapshot.
            kwargs: Client settings that replace the saved ones (``verbose_logging``,
                ``random_seed``, ``enforce_sequential_optimization``).

        Raises:
            JSONDecodeError: The snapshot is malformed; the message names the field.
            UserInputError: An unknown keyword argument.
        """
        function = "AxClient.from_json_snapshot"
        unknown = sorted(set(kwargs) - set(snapshots.SETTINGS))
        if unknown:
            raise UserInputError(
                f"{function}: unknown keyword argument(s) {unknown}; allowed: "
                f"{sorted(snapshots.SETTINGS)}"
            )
        experiment, strategy, settings = snapshots.decode_snapshot(function, serialized)
        settings.update(kwargs)
        client = cls(**settings)
        client._set_experiment(experiment, strategy)
        return client

    def save_to_json_file(self, filepath: TPath = "ax_client_snapshot.json") -> None:
        """Save the client to a ``.json`` file, atomically (see :meth:`to_json_snapshot`).

        Raises:
            UserInputError: No experiment yet, or the path does not end in ``.json``.
            JSONEncodeError: Something cannot be encoded.
            StorageError: The file could not be written (a previous file is untouched).
        """
        from ax.storage.json_store.save import write_document

        write_document(self.to_json_snapshot(), filepath, "AxClient.save_to_json_file")
        self._log("Saved JSON-serialized state of the client to %s.", filepath)

    @classmethod
    def load_from_json_file(
        cls, filepath: TPath = "ax_client_snapshot.json", **kwargs: Any
    ) -> AxClient:
        """The client saved by :meth:`save_to_json_file`.

        Args:
            filepath: The file.
            kwargs: Settings that replace the saved ones (see :meth:`from_json_snapshot`).

        Raises:
            FileNotFoundError: There is no such file.
            JSONDecodeError: The file is not a client snapshot; the message names the file
                and the field.
        """
        from ax.exceptions import JSONDecodeError
        from ax.storage.json_store.load import read_document

        function = "AxClient.load_from_json_file"
        document = read_document(filepath, function)
        try:
            return cls.from_json_snapshot(document, **kwargs)
        except JSONDecodeError as err:
            raise JSONDecodeError(f"{function} {filepath!r}: {err.message}", hint=err.hint) from err

    def load_experiment_from_database(
        self,
        experiment_name: str,
        choose_generation_strategy_kwargs: Optional[Dict[str, Any]] = None,
    ) -> None:
        """Resume the experiment stored under ``experiment_name`` and its strategy, from the
        client's store (``store=`` or ``db_settings``: a database, or JSON files).

        The client continues exactly where the saving client stopped (the strategy's
        state lives on the stored trials). If no strategy was stored, one is chosen for
        the experiment's search space (as ``create_experiment`` does) and saved.

        Args:
            experiment_name: The stored experiment's name.
            choose_generation_strategy_kwargs: Keyword arguments of
                ``choose_generation_strategy``, used only when no strategy was stored.

        Raises:
            UnsupportedError: The client was made without a store (or ``db_settings``).
            StorageError: No experiment has that name (the message says how many there
                are), or the database failed.

        Example:
            >>> client = AxClient(db_settings=DBSettings(url="sqlite:///ax.db"))
            >>> client.load_experiment_from_database("branin")
            >>> parameters, index = client.get_next_trial()
        """
        function = "AxClient.load_experiment_from_database"
        choose_kwargs = utils.check_choose_kwargs(
            function, choose_generation_strategy_kwargs, _CHOOSE_KWARGS
        )
        experiment, strategy = self._persistence.load(function, experiment_name)
        if strategy is None:
            if self._user_generation_strategy and self._generation_strategy is not None:
                strategy = self._generation_strategy.clone_reset()
            else:
                settings: Dict[str, Any] = {
                    "enforce_sequential_optimization": self._enforce_sequential_optimization,
                    "random_seed": self._random_seed,
                }
                settings.update(choose_kwargs)
                settings.setdefault("optimization_config", experiment.optimization_config)
                strategy = choose_generation_strategy(
                    search_space=experiment.search_space, **settings
                )
            self._persistence.save_all(experiment, strategy)
        self._set_experiment(experiment, strategy)
        self._log(
            "Loaded experiment %r (%d trials) and generation strategy %r from the database.",
            experiment._name,
            len(experiment._trials),
            strategy,
        )

    # ------------------------------------------------------------------ old names
    def get_recommended_max_parallelism(self) -> List[Tuple[int, int]]:
        """Removed: raises UnsupportedError pointing at :meth:`get_max_parallelism`."""
        raise UnsupportedError(
            "AxClient.get_recommended_max_parallelism was renamed; call get_max_parallelism"
        )

    def load_experiment(self, experiment_name: str) -> None:
        """Removed: raises UnsupportedError."""
        raise UnsupportedError(
            "AxClient.load_experiment is removed; use AxClient.load_from_json_file"
        )

    def load(self) -> None:
        """Removed: raises UnsupportedError."""
        raise UnsupportedError("AxClient.load is removed; use AxClient.load_from_json_file")

    def save(self) -> None:
        """Removed: raises UnsupportedError."""
        raise UnsupportedError("AxClient.save is removed; use AxClient.save_to_json_file")

    # ------------------------------------------------------------------ internals
    def _set_experiment(self, experiment: Experiment, strategy: GenerationStrategy) -> None:
        """Make ``experiment`` and ``strategy`` the client's (new ask/tell and analysis)."""
        self._experiment = experiment
        self._generation_strategy = strategy
        self._parts = None

    def _parts_of(self, function: str) -> Tuple[AskTell, ExperimentAnalysis]:
        """The ask/tell and analysis objects of the current experiment and strategy."""
        experiment = self._require_experiment(function)
        strategy = self.generation_strategy
        parts = self._parts
        if (
            parts is None
            or parts[0].experiment is not experiment
            or (parts[0].generation_strategy is not strategy)
        ):
            parts = (
                AskTell(experiment, strategy, self._persistence),
                ExperimentAnalysis(experiment, strategy),
            )
            self._parts = parts
        return parts

    @property
    def _refit(self) -> Optional[TRefit]:
        """The analysis' refit model (see :class:`ExperimentAnalysis`), None if none."""
        return None if self._parts is None else self._parts[1].refit

    @property
    def _db_engine(self) -> Optional[Engine]:
        """The SQLAlchemy engine of the client's store, if it is a database."""
        return getattr(self._persistence.store, "engine", None)

    def _require_experiment(self, function: str) -> Experiment:
        if self._experiment is None:
            raise UserInputError(
                f"{function}: this client has no experiment yet; call create_experiment "
                "first (or AxClient.load_from_json_file)"
            )
        return self._experiment

    def _objective_name(self, function: str) -> str:
        return self._parts_of(function)[1].objective_name

    def _fitted_model(self, function: str) -> ModelBridge:
        """The strategy's model if it saw the current data, else a refit of it (cached)."""
        return self._parts_of(function)[1].fitted_model(function)

    def _log(self, message: str, *args: Any) -> None:
        if self._verbose_logging:
            logger.info(message, *args)
        else:
            logger.debug(message, *args)

    def __repr__(self) -> str:
        name = None if self._experiment is None else self._experiment._name
        return f"AxClient(experiment={name!r}, generation_strategy={self._generation_strategy!r})"


def _stop_reason(err: Exception, made: int, wanted: int) -> str:
    what = {
        MaxParallelismReachedException: "max parallelism reached",
        DataRequiredError: "data required",
        GenerationStrategyCompleted: "generation strategy completed",
    }
    label = next((v for k, v in what.items() if isinstance(err, k)), type(err).__name__)
    return f"{label} after {made} of {wanted} trials ({type(err).__name__}): {err}"


__all__ = ["AxClient", "ObjectiveProperties"]
