"""Saving a front door's experiment through one :class:`~ax.storage.store.ExperimentStore`.

:class:`ExperimentPersistence` is what the front doors (``AxClient``, the ``Scheduler`` and
through it ``OptimizationLoop`` and Polaris) save and load with. It never looks at which
backend the store is: a JSON file, SQLite or PostgreSQL all go through the store protocol.

Each change runs inside :meth:`ExperimentPersistence.locked`: with a shared store (SQL) the
experiment's row is locked and what the other writers committed is merged into this
experiment (their trials, their data) first; the change is then made, saved and committed.
If anything fails, the in-memory change is undone (:class:`TrialSnapshot`,
:func:`discard_new_trial`), so the store and the front door agree. Without a store the
block just runs.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional, Sequence

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UnsupportedError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.store import ExperimentStore, StoreTransaction, TLoaded
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.generator_run import GeneratorRun

logger = get_logger(__name__)


class Transaction:
    """The save step of one change (a no-op without a store).

    Args:
        transaction: The store's transaction (None: nothing is saved).
    """

    def __init__(self, transaction: Optional[StoreTransaction]) -> None:
        self.transaction = transaction

    @property
    def merged_trials(self) -> int:
        """How many trials of other writers were merged in when the lock was taken."""
        return 0 if self.transaction is None else self.transaction.merged_trials

    def save(
        self, trials: Sequence[BaseTrial], generation_strategy: Optional[GenerationStrategy]
    ) -> None:
        """Write these trials (and new ones, and their data) and maybe the strategy."""
        if self.transaction is not None:
            self.transaction.save([t.index for t in trials], generation_strategy)

    def save_all(self, generation_strategy: Optional[GenerationStrategy]) -> None:
        """Write every changed trial (and the strategy, when given)."""
        if self.transaction is not None:
            self.transaction.save(None, generation_strategy)


class ExperimentPersistence:
    """Saves and loads one front door's experiment through a store.

    Args:
        store: The store (None: nothing is saved, and loading raises).
        label: How messages name the front door (e.g. ``"AxClient"``).
        suppress_errors: Log failed saves instead of raising them (the change is then
            kept in memory only).
    """

    def __init__(
        self, store: Optional[ExperimentStore], label: str, suppress_errors: bool = False
    ) -> None:
        self.store = store
        self.label = label
        self.suppress_errors = suppress_errors

    @property
    def enabled(self) -> bool:
        """Whether there is a store."""
        return self.store is not None

    @property
    def shared(self) -> bool:
        """Whether other processes may write the same experiment (a shared store)."""
        return self.store is not None and bool(self.store.shared)

    def require(self, function: str, name: str) -> ExperimentStore:
        """The store; UnsupportedError naming ``function`` and ``name`` without one."""
        if self.store is None:
            raise UnsupportedError(
                f"{function}({name!r}): this client has no db_settings or store; create it "
                f"with {self.label}(store=...) (an ExperimentStore, a JSON path or a database "
                f"URL) or {self.label}(db_settings=DBSettings(url=...))",
                hint="or load a JSON snapshot with AxClient.load_from_json_file",
            )
        return self.store

    def save_all(
        self, experiment: Experiment, generation_strategy: Optional[GenerationStrategy]
    ) -> None:
        """Save the whole experiment (every changed trial) and the strategy."""
        if self.store is None:
            return
        try:
            self.store.save_experiment(experiment, generation_strategy)
        except StorageError as err:
            self._handle(err, "save the experiment")

    def save_trials(
        self,
        experiment: Experiment,
        trials: Sequence[BaseTrial],
        generation_strategy: Optional[GenerationStrategy],
    ) -> None:
        """Save these trials (their new data too) and the strategy, when given."""
        if self.store is None:
            return
        try:
            self.store.save_trials(experiment, trials, generation_strategy)
        except StorageError as err:
            self._handle(err, f"save trial(s) {[t.index for t in trials]}")

    def exists(self, name: str) -> bool:
        """Whether the store holds an experiment named ``name`` (False without a store)."""
        return self.store is not None and self.store.exists(name)

    def load(self, function: str, name: str) -> TLoaded:
        """The stored experiment and its strategy (None if none was stored).

        Raises:
            UnsupportedError: There is no store.
            StorageError / FileNotFoundError: Nothing is stored under ``name``, or the
                store failed.
        """
        return self.require(function, name).load(name)

    @contextlib.contextmanager
    def locked(
        self,
        experiment: Experiment,
        generation_strategy: Optional[GenerationStrategy],
        function: str,
    ) -> Iterator[Transaction]:
        """Lock the stored experiment, merge the other writers' changes, then let the block
        change the experiment and save it; commit at the end.

        Without a store the block just runs. A storage error raises (the transaction is
        rolled back, the caller undoes its in-memory change), or with ``suppress_errors``
        is logged and the block's change is kept in memory only.

        Raises:
            DatabaseLockedError: Another connection held the lock longer than the wait.
            WriteConflictError / StorageError: See ``ax.storage.sqa_store.save``.
        """
        if self.store is None:
            yield Transaction(None)
            return
        manager = self.store.locked(experiment, function)
        try:
            transaction = Transaction(manager.__enter__())
        except StorageError as err:
            self._handle(err, "lock the experiment")
            yield Transaction(None)
            return
        if transaction.merged_trials and generation_strategy is not None:
            generation_strategy.resync()
        try:
            yield transaction
        except BaseException as err:
            if not manager.__exit__(type(err), err, err.__traceback__):
                if isinstance(err, StorageError) and self.suppress_errors:
                    self._handle(err, "save")
                    return
                raise
        else:
            try:
                manager.__exit__(None, None, None)
            except StorageError as err:
                self._handle(err, "save")

    def _handle(self, err: StorageError, what: str) -> None:
        if not self.suppress_errors:
            raise err
        logger.exception(
            "%s: could not %s (suppress_storage_errors=True): %s", self.label, what, err
        )

    def __repr__(self) -> str:
        return f"ExperimentPersistence({self.store!r}, label={self.label!r})"


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


__all__ = ["ExperimentPersistence", "Transaction", "TrialSnapshot", "discard_new_trial"]
