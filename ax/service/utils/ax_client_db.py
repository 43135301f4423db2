"""SQL storage for :class:`~ax.service.ax_client.AxClient` (``db_settings=DBSettings(...)``).

The client saves after every change: the whole experiment and its strategy when the
experiment is created, then only the trial that changed (with its new data and the
strategy), so each save costs the same however many trials the experiment has.

Several clients (in several processes) may share one stored experiment. Each change
runs inside :func:`locked`: the experiment's row is locked, what the other clients
committed is merged into this client's experiment (their trials, their data), the change
is made (a new trial gets the next free index and sees the others' RUNNING trials as
pending points), saved and committed. If anything fails, the in-memory change is undone
(:class:`TrialSnapshot`, :func:`discard_new_trial`), so the store and the client agree.
SQLAlchemy is imported only when a client is given ``db_settings``.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional, Sequence, Tuple, Type

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UnsupportedError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from ax.core.generator_run import GeneratorRun
    from ax.storage.sqa_store.save import LockedExperiment
    from ax.storage.sqa_store.structs import DBSettings

logger = get_logger(__name__)


def check_db_settings(function: str, db_settings: Any) -> Optional[DBSettings]:
    """``db_settings`` if it is None or a DBSettings; UnsupportedError naming its type."""
    if db_settings is None:
        return None
    from ax.storage.sqa_store.structs import DBSettings

    if not isinstance(db_settings, DBSettings):
        raise UnsupportedError(
            f"{function}: db_settings must be an ax.storage.sqa_store.structs.DBSettings "
            f"(SQL storage), got {type(db_settings).__name__} {db_settings!r}",
            hint="pass db_settings=DBSettings(url='sqlite:///ax.db'), or save to JSON with "
            "save_to_json_file",
        )
    return db_settings


def connect(db_settings: DBSettings) -> Engine:
    """The shared engine for the settings, with the tables created or upgraded.

    The settings' custom classes (``DBSettings(config=SQAConfig(...))``) are registered.
    """
    from ax.storage.store import SQLStore

    return SQLStore.from_settings(db_settings).engine


def save_all(
    engine: Engine,
    experiment: Experiment,
    generation_strategy: Optional[GenerationStrategy],
    suppress_errors: bool,
) -> None:
    """Save the experiment (every changed trial) and the strategy, in one transaction."""
    from ax.storage.sqa_store.save import save_experiment

    try:
        save_experiment(experiment, engine=engine, generation_strategy=generation_strategy)
    except StorageError as err:
        _handle(err, suppress_errors, "save the experiment")


def save_trials(
    engine: Engine,
    experiment: Experiment,
    trials: Sequence[BaseTrial],
    generation_strategy: Optional[GenerationStrategy],
    suppress_errors: bool,
) -> None:
    """Save these trials (their new data too) and the strategy, in one transaction."""
    from ax.storage.sqa_store.save import save_or_update_trials

    try:
        save_or_update_trials(
            experiment, trials, engine=engine, generation_strategy=generation_strategy
        )
    except StorageError as err:
        _handle(err, suppress_errors, f"save trial(s) {[t.index for t in trials]}")


def load(
    function: str, engine: Optional[Engine], experiment_name: str
) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    """The stored experiment and its strategy (None if none was stored).

    Raises:
        UnsupportedError: The client has no ``db_settings``.
        StorageError: No such experiment, or the database failed.
    """
    if engine is None:
        raise UnsupportedError(
            f"{function}({experiment_name!r}): this client has no db_settings; create it with "
            "AxClient(db_settings=DBSettings(url=...))",
            hint="or load a JSON snapshot with AxClient.load_from_json_file",
        )
    from ax.storage.sqa_store.load import load_experiment_and_generation_strategy

    return load_experiment_and_generation_strategy(experiment_name, engine=engine)


def experiment_exists_error() -> Type[StorageError]:
    """The error a save raises when another experiment of that name is stored."""
    from ax.storage.sqa_store.save import ExperimentExistsError

    return ExperimentExistsError


class Store:
    """The save step of one locked change (a no-op without a database).

    Args:
        locked: The locked experiment (None: the client has no database).
    """

    def __init__(self, locked: Optional[LockedExperiment]) -> None:
        self.locked = locked

    @property
    def merged_trials(self) -> int:
        """How many trials of other clients were merged in when the lock was taken."""
        return 0 if self.locked is None else self.locked.merged_trials

    def save(
        self, trials: Sequence[BaseTrial], generation_strategy: Optional[GenerationStrategy]
    ) -> None:
        """Write these trials (and new ones, and their data) and maybe the strategy."""
        if self.locked is not None:
            self.locked.save([t.index for t in trials], generation_strategy)

    def save_all(self, generation_strategy: Optional[GenerationStrategy]) -> None:
        """Write every changed trial (and the strategy, when given)."""
        if self.locked is not None:
            self.locked.save(None, generation_strategy)


@contextlib.contextmanager
def locked(
    engine: Optional[Engine],
    experiment: Experiment,
    generation_strategy: Optional[GenerationStrategy],
    function: str,
    suppress_errors: bool,
) -> Iterator[Store]:
    """Lock the stored experiment, merge the other clients' changes, then let the block
    change the experiment and save it; commit at the end.

    Without ``engine`` the block just runs. A storage error raises (the transaction is
    rolled back, the caller undoes its in-memory change), or with ``suppress_errors`` is
    logged and the block's change is kept in memory only.

    Raises:
        DatabaseLockedError: Another connection held the lock longer than the wait.
        WriteConflictError / StorageError: See ``ax.storage.sqa_store.save``.
    """
    if engine is None:
        yield Store(None)
        return
    from ax.storage.sqa_store.save import locked_experiment

    manager = locked_experiment(experiment, engine, function)
    try:
        store = Store(manager.__enter__())
    except StorageError as err:
        _handle(err, suppress_errors, "lock the experiment")
        yield Store(None)
        return
    if store.merged_trials and generation_strategy is not None:
        generation_strategy.resync()
    try:
        yield store
    except BaseException as err:
        if not manager.__exit__(type(err), err, err.__traceback__):
            if isinstance(err, StorageError) and suppress_errors:
                _handle(err, suppress_errors, "save")
                return
            raise
    else:
        try:
            manager.__exit__(None, None, None)
        except StorageError as err:
            _handle(err, suppress_errors, "save")


class TrialSnapshot:
    """A trial's in-memory state (and its data) before a change, to undo the change when
    its save fails.

    Args:
        experiment: The experiment.
        trial: The trial about to change.
    """

    def __init__(self, experiment: Experiment, trial: BaseTrial) -> None:
        self.experiment = experiment
        self.trial = trial
        self.state: Dict[str, Any] = dict(trial.__dict__)
        self.run_metadata = dict(trial._run_metadata)
        versions = experiment._data_by_trial.get(trial.index)
        self.data = None if versions is None else OrderedDict(versions)
        self.last_data_ts = experiment._last_data_ts

    def restore(self) -> None:
        """Put the trial and its data back as they were."""
        trial, experiment = self.trial, self.experiment
        now = trial._status
        trial.__dict__.clear()
        trial.__dict__.update(self.state)
        trial._run_metadata = self.run_metadata
        experiment._update_trial_status(trial.index, now, trial._status)
        if self.data is None:
            experiment._data_by_trial.pop(trial.index, None)
        else:
            experiment._data_by_trial[trial.index] = self.data
        experiment._last_data_ts = self.last_data_ts


def discard_new_trial(
    experiment: Experiment,
    trial: Optional[BaseTrial],
    generation_strategy: Optional[GenerationStrategy],
    generator_run: Optional[GeneratorRun],
) -> None:
    """Undo a new trial (and the strategy's run) whose save failed: the user never got it."""
    if trial is not None and experiment._trials.get(trial.index) is trial:
        experiment._discard_newest_trial(trial)
    if generation_strategy is not None and generator_run is not None:
        generation_strategy.discard_generator_run(generator_run)


def _handle(err: StorageError, suppress_errors: bool, what: str) -> None:
    if not suppress_errors:
        raise err
    logger.exception("AxClient: could not %s (suppress_storage_errors=True): %s", what, err)


__all__ = [
    "Store",
    "TrialSnapshot",
    "check_db_settings",
    "connect",
    "discard_new_trial",
    "experiment_exists_error",
    "load",
    "locked",
    "save_all",
    "save_trials",
]
