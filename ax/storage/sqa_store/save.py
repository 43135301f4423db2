"""Saving experiments and generation strategies to the SQL store, incrementally and safely
with many writers.

Every call is one transaction: either all its writes land or none do (a failure leaves
the last committed state). Each transaction locks the experiment's row first and brings
into the in-memory copy what other writers committed since (see
:mod:`ax.storage.sqa_store.sync`), then writes only what changed: the experiment row when
its settings changed, the trials whose encoded body changed (each with a compare-and-swap
on its version) and the data versions not stored yet. So several processes can work on
one stored experiment: trial indices are taken once, a stale copy never overwrites a
newer trial (:class:`~ax.exceptions.WriteConflictError` names it), and data versions are
only ever added. :func:`save_or_update_trials` touches only the named trials (and new
ones), so its cost does not grow with the number of trials.

To change an experiment and save it atomically with respect to the other writers (e.g.
generate a trial knowing every trial the others made), use :func:`locked_experiment`.

Custom metric and runner classes must be registered first
(``ax.storage.metric_registry.register_metric``,
``ax.storage.runner_registry.register_runner``), as for the JSON store.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from sqlalchemy import Engine, Table, case, delete, insert, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UserInputError, UserInputTypeError, WriteConflictError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.json_store.generation_strategy import generation_strategy_to_json
from ax.storage.json_store.save import document_text
from ax.storage.json_store.schema import FORMAT_VERSION
from ax.storage.sqa_store.db import resolve_engine, transaction
from ax.storage.sqa_store.encode import ExperimentEncoder, check_experiment, text_hash
from ax.storage.sqa_store.progression import write_progression
from ax.storage.sqa_store.schema import (
    data_version_table,
    experiment_table,
    generation_strategy_table,
    trial_table,
)
from ax.storage.sqa_store.sqa_config import SQAConfig, apply_config
from ax.storage.sqa_store.sync import (
    Tracker,
    database_key,
    get_tracker,
    lock_experiment_row,
    merge_remote,
    set_tracker,
)


class ExperimentExistsError(StorageError):
    """Another writer stored an experiment of this name first (two creators raced)."""


def save_experiment(
    experiment: Experiment,
    engine: Optional[Engine] = None,
    generation_strategy: Optional[GenerationStrategy] = None,
    config: Optional[SQAConfig] = None,
) -> None:
    """Save an experiment: its settings, every changed or new trial and new data.

    What other writers stored since this copy was loaded or last saved is first merged
    into it (their new trials and data are added to ``experiment``); nothing stored is
    ever overwritten by an older copy.

    Args:
        experiment: The experiment; its name identifies it in the database.
        engine: The database (default: the one set by ``init_engine_and_session_factory``).
        generation_strategy: Also save this strategy (in the same transaction).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment.
        JSONEncodeError: Something cannot be encoded (e.g. an unregistered metric class;
            the message says how to register it). Nothing is written.
        WriteConflictError: This copy and another writer changed the same trial (or the
            settings), or this copy was not loaded from the database and differs from
            the stored experiment; nothing is written.
        StorageError: Another experiment with this name is stored, or the database
            failed; the last committed state is unchanged.

    Example:
        >>> save_experiment(experiment)
    """
    apply_config(config, "save_experiment")
    with locked_experiment(experiment, engine, "save_experiment") as locked:
        locked.save(None, generation_strategy)


def save_or_update_trials(
    experiment: Experiment,
    trials: Iterable[BaseTrial],
    engine: Optional[Engine] = None,
    generation_strategy: Optional[GenerationStrategy] = None,
    config: Optional[SQAConfig] = None,
) -> None:
    """Save only these trials of the experiment (and their data versions).

    The experiment row is written too if the experiment's settings changed (then every
    trial is compared, as by :func:`save_experiment`), and trials not stored yet are
    included, so the stored trials stay contiguous. Other writers' changes are merged
    first (as by :func:`save_experiment`). The cost does not grow with the number of
    trials the experiment has.

    Args:
        experiment: The experiment the trials belong to.
        trials: Its trials to write.
        engine: The database (default: the process-wide one).
        generation_strategy: Also save this strategy (in the same transaction).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Raises:
        UserInputError: A trial does not belong to ``experiment``.
        WriteConflictError / JSONEncodeError / StorageError: As for :func:`save_experiment`.
    """
    function = "save_or_update_trials"
    check_experiment(experiment, function)
    apply_config(config, function)
    indices = checked_trial_indices(experiment, trials, function)
    with locked_experiment(experiment, engine, function) as locked:
        locked.save(indices, generation_strategy)


def save_or_update_trial(
    experiment: Experiment, trial: BaseTrial, engine: Optional[Engine] = None
) -> None:
    """Save one trial of the experiment (see :func:`save_or_update_trials`)."""
    save_or_update_trials(experiment, [trial], engine=engine)


def save_new_trials(
    experiment: Experiment, trials: Sequence[BaseTrial], engine: Optional[Engine] = None
) -> None:
    """Save newly created trials (see :func:`save_or_update_trials`)."""
    save_or_update_trials(experiment, trials, engine=engine)


def save_generation_strategy(
    generation_strategy: GenerationStrategy,
    engine: Optional[Engine] = None,
    config: Optional[SQAConfig] = None,
) -> None:
    """Save a generation strategy next to its experiment (saved too if it is new).

    Args:
        generation_strategy: The strategy; it must be bound to an experiment
            (``generation_strategy.experiment``), whose name identifies it.
        engine: The database (default: the process-wide one).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Raises:
        UserInputTypeError: Not a GenerationStrategy.
        UserInputError: The strategy has no experiment.
        JSONEncodeError: A step uses a factory function instead of a ``Models`` member.
        StorageError: As for :func:`save_experiment`.
    """
    function = "save_generation_strategy"
    if not isinstance(generation_strategy, GenerationStrategy):
        raise UserInputTypeError(
            f"{function}: expected a GenerationStrategy, got {type(generation_strategy).__name__}"
        )
    experiment = generation_strategy.experiment
    if experiment is None:
        raise UserInputError(
            f"{function}: generation strategy {generation_strategy.name!r} has no experiment; "
            "a strategy is stored next to its experiment",
            hint="set generation_strategy.experiment first (it is set by its first gen)",
        )
    apply_config(config, function)
    with locked_experiment(experiment, engine, function) as locked:
        locked.save((), generation_strategy)


@contextlib.contextmanager
def locked_experiment(
    experiment: Experiment, engine: Optional[Engine] = None, function: str = "locked_experiment"
) -> Iterator[LockedExperiment]:
    """Lock the stored experiment for one transaction, with other writers' changes merged.

    Inside the block the experiment holds every trial and data version the other writers
    committed, and no other writer can commit to it; change it (e.g. generate a trial:
    it gets the next free index, and the others' RUNNING trials are pending points), then
    call :meth:`LockedExperiment.save`. Everything is committed at the end of the block,
    or nothing if it raises (then undo the in-memory change: the store is unchanged).
    Keep the block short: other writers of this database wait meanwhile (SQLite: every
    writer of the file; PostgreSQL: writers of this experiment).

    Args:
        experiment: The in-memory copy (a new experiment is stored by ``save``).
        engine: The database (default: the process-wide one).
        function: Named in errors.

    Raises:
        DatabaseLockedError: Another connection held the lock for longer than the lock
            wait (``DBSettings.lock_timeout_s``).
        WriteConflictError / StorageError: As for :func:`save_experiment`.

    Example:
        >>> with locked_experiment(experiment, engine) as locked:
        ...     trial = experiment.new_trial(generator_run=strategy.gen(experiment))
        ...     locked.save([trial.index], strategy)
    """
    check_experiment(experiment, function)
    with transaction(resolve_engine(engine), function) as conn:
        locked = LockedExperiment(conn, experiment, function)
        yield locked
    locked.committed()


class LockedExperiment:
    """A stored experiment locked in one transaction (made by :func:`locked_experiment`).

    Args:
        conn: The transaction.
        experiment: The in-memory copy; other writers' changes are merged into it here.
        function: Named in errors.
    """

    def __init__(self, conn: Connection, experiment: Experiment, function: str) -> None:
        self.conn = conn
        self.experiment = experiment
        self.function = function
        self._pieces = ExperimentEncoder(experiment)
        self._key = database_key(conn)
        self._row = lock_experiment_row(conn, experiment.name)
        self._staged: Optional[Tracker] = None
        self.merged_trials = 0
        """Trials other writers added or changed, merged into the copy by the lock."""
        tracker = get_tracker(experiment, self._key)
        row = self._row
        if row is not None:
            created = _time_created(experiment)
            if row.time_created != created:
                name = experiment._name
                raise ExperimentExistsError(
                    f"{function}: the database already holds another experiment named "
                    f"{name!r} (created {row.time_created}; this one was created "
                    f"{created or 'at no time'}); experiment names are unique",
                    hint=f"load it with load_experiment({name!r}), or give this experiment "
                    "another name",
                )
            if tracker is None or tracker.experiment_id != row.id:
                tracker = Tracker(experiment_id=int(row.id))
                set_tracker(experiment, self._key, tracker)
            local_header = text_hash(self._pieces.header(()))
            self.merged_trials = merge_remote(
                conn, self._pieces, tracker, row, local_header, function
            )
        self._tracker = tracker

    def save(
        self,
        indices: Optional[Sequence[int]] = None,
        generation_strategy: Optional[GenerationStrategy] = None,
    ) -> None:
        """Write what changed: ``indices=None`` compares every trial, else these trials
        (and the ones never stored). Also the strategy, when given.

        Raises:
            WriteConflictError: A trial's stored version changed meanwhile (it cannot,
                while the lock is held, unless another writer bypassed it).
            JSONEncodeError: Something cannot be encoded.
        """
        if self._staged is not None:
            raise StorageError(f"{self.function}: save() was already called in this block")
        experiment_id, staged = _write(self.conn, self._pieces, self._row, self._tracker, indices)
        self._staged = staged
        if generation_strategy is not None:
            _write_generation_strategy(self.conn, experiment_id, generation_strategy)

    def committed(self) -> None:
        """After the commit: the copy now knows what it wrote."""
        if self._staged is not None:
            set_tracker(self.experiment, self._key, self._staged)


def checked_trial_indices(
    experiment: Experiment, trials: Iterable[BaseTrial], function: str
) -> List[int]:
    """The indices of ``trials``, checked to be trials of ``experiment``.

    Raises:
        UserInputTypeError: An item is not a trial.
        UserInputError: A trial does not belong to ``experiment``.
    """
    indices: List[int] = []
    for trial in trials:
        if not isinstance(trial, BaseTrial):
            raise UserInputTypeError(
                f"{function}: trials must be trials, got {type(trial).__name__}"
            )
        if experiment._trials.get(trial.index) is not trial:
            raise UserInputError(
                f"{function}: trial {trial.index} does not belong to experiment "
                f"{experiment._name!r}"
            )
        indices.append(trial.index)
    return indices


# ---------------------------------------------------------------------- internals
def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _time_created(experiment: Experiment) -> str:
    created = experiment._time_created
    return "" if created is None else created.isoformat()


def _write(
    conn: Connection,
    pieces: ExperimentEncoder,
    row: Any,
    tracker: Optional[Tracker],
    indices: Optional[Sequence[int]],
) -> Tuple[int, Tracker]:
    """Write what changed; returns the row id and what the copy knows after the commit."""
    experiment = pieces.experiment
    header = pieces.header(indices)
    header_hash = text_hash(header)
    if row is None or tracker is None:
        revision = 1
        try:
            experiment_id = int(
                conn.execute(
                    insert(experiment_table).values(
                        name=experiment._name,
                        type=type(experiment).__name__,
                        time_created=_time_created(experiment),
                        format_version=FORMAT_VERSION,
                        body=header,
                        body_hash=header_hash,
                        last_data_ts=experiment._last_data_ts,
                        updated_at=_now(),
                        revision=revision,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
        except IntegrityError as err:
            raise ExperimentExistsError(
                f"save: another writer stored an experiment named {experiment._name!r} "
                "meanwhile; experiment names are unique",
                hint=f"load it with load_experiment({experiment._name!r})",
            ) from err
        staged = Tracker(experiment_id=experiment_id, revision=revision)
        indices = None
        stored_header = None
    else:
        experiment_id = int(row.id)
        revision = int(row.revision) + 1
        staged = Tracker(
            experiment_id=experiment_id,
            revision=revision,
            header_hash=tracker.header_hash,
            trials=dict(tracker.trials),
            data=set(tracker.data),
            progression=dict(tracker.progression),
        )
        stored_header = str(row.body_hash)
        if header_hash != stored_header:
            indices = None  # trials written earlier may refer to settings that changed
    staged.header_hash = header_hash
    written, targets = _write_trials(conn, pieces, staged, indices, revision)
    written += _write_data(conn, pieces, staged, None if indices is None else targets, revision)
    written += write_progression(
        conn, experiment, staged, None if indices is None else targets, revision
    )
    if row is None or tracker is None:
        return experiment_id, staged
    header_changed = header_hash != stored_header
    if header_changed or written or experiment._last_data_ts > row.last_data_ts:
        values: Dict[str, Any] = {
            "updated_at": _now(),
            "revision": revision,
            "last_data_ts": case(
                (experiment_table.c.last_data_ts < experiment._last_data_ts,
                 experiment._last_data_ts),
                else_=experiment_table.c.last_data_ts,
            ),
        }  # fmt: skip
        if header_changed:
            values.update(
                body=header,
                body_hash=header_hash,
                type=type(experiment).__name__,
                format_version=FORMAT_VERSION,
            )
        conn.execute(
            update(experiment_table).where(experiment_table.c.id == experiment_id).values(values)
        )
    else:
        staged.revision = revision - 1  # nothing written: the revision stays
    return experiment_id, staged


def _write_trials(
    conn: Connection,
    pieces: ExperimentEncoder,
    staged: Tracker,
    indices: Optional[Sequence[int]],
    revision: int,
) -> Tuple[int, Set[int]]:
    """Insert new trials and update changed ones (compare-and-swap on their version).

    Returns the number of rows written and the trials compared."""
    experiment = pieces.experiment
    trials = experiment._trials
    t = trial_table
    known = staged.trials
    if indices is None:
        targets: Set[int] = set(trials)
    else:
        targets = {i for i in indices if i in trials}
        # Trials never stored (indices run 0 .. len - 1, the known ones first).
        targets.update(i for i in range(len(known), len(trials)) if i in trials)
    inserts: List[Dict[str, Any]] = []
    updated = 0
    for index in sorted(targets):
        body = pieces.trial(trials[index])
        body_hash = text_hash(body)
        stored = known.get(index)
        if stored is None:
            inserts.append(
                {
                    "experiment_id": staged.experiment_id,
                    "trial_index": index,
                    "body": body,
                    "body_hash": body_hash,
                    "version": 1,
                    "revision": revision,
                }
            )
            known[index] = (1, body_hash)
        elif stored[1] != body_hash:
            result = conn.execute(
                update(t)
                .where(
                    t.c.experiment_id == staged.experiment_id,
                    t.c.trial_index == index,
                    t.c.version == stored[0],
                )
                .values(body=body, body_hash=body_hash, version=stored[0] + 1, revision=revision)
            )
            if result.rowcount != 1:
                raise WriteConflictError(
                    f"save: trial {index} of experiment {experiment._name!r} was changed by "
                    f"another writer (this copy has version {stored[0]}); nothing is saved",
                    hint="reload the experiment from the database and redo the change",
                )
            known[index] = (stored[0] + 1, body_hash)
            updated += 1
    if inserts:
        try:
            conn.execute(insert(t), inserts)
        except IntegrityError as err:
            taken = [row["trial_index"] for row in inserts]
            raise WriteConflictError(
                f"save: trial index(es) {taken} of experiment {experiment._name!r} were "
                "taken by another writer meanwhile; nothing is saved",
                hint="reload the experiment from the database and redo the change",
            ) from err
    return len(inserts) + updated, targets


def _write_data(
    conn: Connection,
    pieces: ExperimentEncoder,
    staged: Tracker,
    targets: Optional[Set[int]],
    revision: int,
) -> int:
    """Insert new data versions; delete only versions this copy stored and then replaced.

    ``targets``: the trials whose versions to compare (None: all)."""
    d = data_version_table
    experiment = pieces.experiment
    by_trial = experiment._data_by_trial
    if targets is None:
        scope: Set[int] = set(by_trial) | {key[0] for key in staged.data}
    else:
        scope = targets
    present = {
        (index, ts): data for index in sorted(scope) for ts, data in by_trial.get(index, {}).items()
    }
    new = sorted(present.keys() - staged.data)
    gone = sorted(key for key in staged.data if key[0] in scope and key not in present)
    rows = [
        {
            "experiment_id": staged.experiment_id,
            "trial_index": index,
            "storage_ts": ts,
            "body": pieces.data_version(index, ts, present[(index, ts)]),
            "revision": revision,
        }
        for index, ts in new
    ]
    if rows:
        conn.execute(insert(d), rows)
    if gone:
        conn.execute(
            delete(d).where(
                d.c.experiment_id == staged.experiment_id,
                tuple_(d.c.trial_index, d.c.storage_ts).in_(gone),
            )
        )
    staged.data.update(new)
    staged.data.difference_update(gone)
    return len(rows) + len(gone)


def _write_generation_strategy(
    conn: Connection, experiment_id: int, generation_strategy: GenerationStrategy
) -> None:
    body = document_text(generation_strategy_to_json(generation_strategy))
    g = generation_strategy_table
    stored = conn.execute(select(g.c.body).where(g.c.experiment_id == experiment_id)).scalar()
    if stored == body:
        return
    row = {"experiment_id": experiment_id, "body": body, "updated_at": _now()}
    _upsert(conn, g, [row], ("experiment_id",), ("body", "updated_at"))


def _upsert(
    conn: Connection,
    table: Table,
    rows: List[Dict[str, Any]],
    keys: Tuple[str, ...],
    columns: Tuple[str, ...],
) -> None:
    """Insert rows, replacing ``columns`` of rows that have the same key."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        lite = sqlite_insert(table)
        conn.execute(
            lite.on_conflict_do_update(
                index_elements=list(keys), set_={c: lite.excluded[c] for c in columns}
            ),
            rows,
        )
        return
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table)
        conn.execute(
            pg.on_conflict_do_update(
                index_elements=list(keys), set_={c: pg.excluded[c] for c in columns}
            ),
            rows,
        )
        return
    for row in rows:  # pragma: no cover - other databases: delete, then insert
        conn.execute(delete(table).where(*(table.c[k] == row[k] for k in keys)))
    conn.execute(insert(table), rows)  # pragma: no cover


__all__ = [
    "ExperimentExistsError",
    "LockedExperiment",
    "checked_trial_indices",
    "locked_experiment",
    "save_experiment",
    "save_generation_strategy",
    "save_new_trials",
    "save_or_update_trial",
    "save_or_update_trials",
]
