"""Saving experiments and generation strategies to the SQL store, incrementally.

Every call is one transaction: either all its writes land or none do (a failure leaves
the last committed state). Only what changed is written: the experiment row when its
settings changed, the trials whose encoded body changed (compared by hash) and the data
versions not stored yet. :func:`save_or_update_trials` touches only the named trials, so
its cost does not grow with the number of trials; processes that each save their own
trials of one experiment do not overwrite each other.

Custom metric and runner classes must be registered first
(``ax.storage.metric_registry.register_metric``,
``ax.storage.runner_registry.register_runner``), as for the JSON store.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import Engine, Table, case, delete, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.json_store.generation_strategy import generation_strategy_to_json
from ax.storage.json_store.save import document_text
from ax.storage.json_store.schema import FORMAT_VERSION
from ax.storage.sqa_store.db import resolve_engine, transaction
from ax.storage.sqa_store.encode import ExperimentEncoder, check_experiment, text_hash
from ax.storage.sqa_store.schema import (
    data_version_table,
    experiment_table,
    generation_strategy_table,
    trial_table,
)
from ax.storage.sqa_store.sqa_config import SQAConfig, apply_config


def save_experiment(
    experiment: Experiment,
    engine: Optional[Engine] = None,
    generation_strategy: Optional[GenerationStrategy] = None,
    config: Optional[SQAConfig] = None,
) -> None:
    """Save an experiment: its settings, every changed or new trial and new data.

    Args:
        experiment: The experiment; its name identifies it in the database.
        engine: The database (default: the one set by ``init_engine_and_session_factory``).
        generation_strategy: Also save this strategy (in the same transaction).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment.
        JSONEncodeError: Something cannot be encoded (e.g. an unregistered metric class;
            the message says how to register it). Nothing is written.
        StorageError: Another experiment with this name is stored, or the database
            failed; the last committed state is unchanged.

    Example:
        >>> save_experiment(experiment)
    """
    check_experiment(experiment, "save_experiment")
    apply_config(config, "save_experiment")
    with transaction(resolve_engine(engine), "save_experiment") as conn:
        experiment_id = _save(conn, experiment, None, "save_experiment")
        if generation_strategy is not None:
            _write_generation_strategy(conn, experiment_id, generation_strategy)


def save_or_update_trials(
    experiment: Experiment,
    trials: Iterable[BaseTrial],
    engine: Optional[Engine] = None,
    generation_strategy: Optional[GenerationStrategy] = None,
    config: Optional[SQAConfig] = None,
) -> None:
    """Save only these trials of the experiment (and their data versions).

    The experiment row is written too if the experiment's settings changed (then every
    trial is compared, as by :func:`save_experiment`), and trials newer than the newest
    stored one are included, so the stored trials stay contiguous. The cost does not
    grow with the number of trials the experiment has.

    Args:
        experiment: The experiment the trials belong to.
        trials: Its trials to write.
        engine: The database (default: the process-wide one).
        generation_strategy: Also save this strategy (in the same transaction).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Raises:
        UserInputError: A trial does not belong to ``experiment``.
        JSONEncodeError / StorageError: As for :func:`save_experiment`.
    """
    function = "save_or_update_trials"
    check_experiment(experiment, function)
    apply_config(config, function)
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
    with transaction(resolve_engine(engine), function) as conn:
        experiment_id = _save(conn, experiment, indices, function)
        if generation_strategy is not None:
            _write_generation_strategy(conn, experiment_id, generation_strategy)


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
    check_experiment(experiment, function)
    apply_config(config, function)
    with transaction(resolve_engine(engine), function) as conn:
        experiment_id = _save(conn, experiment, (), function)
        _write_generation_strategy(conn, experiment_id, generation_strategy)


# ---------------------------------------------------------------------- internals
def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _time_created(experiment: Experiment) -> str:
    created = experiment._time_created
    return "" if created is None else created.isoformat()


def _save(
    conn: Connection,
    experiment: Experiment,
    indices: Optional[Sequence[int]],
    function: str,
) -> int:
    """Write what changed; ``indices=None`` compares every trial. Returns the row id."""
    pieces = ExperimentEncoder(experiment)
    header = pieces.header(indices)
    header_hash = text_hash(header)
    name = experiment._name
    created = _time_created(experiment)
    row = conn.execute(
        select(
            experiment_table.c.id,
            experiment_table.c.body_hash,
            experiment_table.c.time_created,
            experiment_table.c.last_data_ts,
        ).where(experiment_table.c.name == name)
    ).one_or_none()
    header_changed = row is None or row.body_hash != header_hash
    if row is None:
        experiment_id = int(
            conn.execute(
                insert(experiment_table).values(
                    name=name,
                    type=type(experiment).__name__,
                    time_created=created,
                    format_version=FORMAT_VERSION,
                    body=header,
                    body_hash=header_hash,
                    last_data_ts=experiment._last_data_ts,
                    updated_at=_now(),
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        indices = None
    else:
        if row.time_created != created:
            raise StorageError(
                f"{function}: the database already holds another experiment named {name!r} "
                f"(created {row.time_created}; this one was created {created or 'at no time'}); "
                "experiment names are unique",
                hint=f"load it with load_experiment({name!r}), or give this experiment "
                "another name",
            )
        experiment_id = int(row.id)
        if header_changed:
            # Trials written earlier may refer to settings that changed: compare them all.
            indices = None
    written = _save_trials(conn, pieces, experiment_id, indices)
    if row is not None and (
        header_changed or written or experiment._last_data_ts > row.last_data_ts
    ):
        values: Dict[str, Any] = {
            "updated_at": _now(),
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
    return experiment_id


def _save_trials(
    conn: Connection,
    pieces: ExperimentEncoder,
    experiment_id: int,
    indices: Optional[Sequence[int]],
) -> int:
    """Write changed trials and new data versions; returns the number of rows written."""
    experiment = pieces.experiment
    trials = experiment._trials
    t = trial_table
    mine = t.c.experiment_id == experiment_id
    if indices is None:
        targets: Set[int] = set(trials)
        stored = dict(conn.execute(select(t.c.trial_index, t.c.body_hash).where(mine)).all())
    else:
        targets = set(indices)
        newest = conn.execute(select(func.max(t.c.trial_index)).where(mine)).scalar()
        # Trials newer than the newest stored one (indices run 0 .. len - 1).
        start = 0 if newest is None else int(newest) + 1
        targets.update(i for i in range(start, len(trials)) if i in trials)
        stored = {}
        if targets:
            stored = dict(
                conn.execute(
                    select(t.c.trial_index, t.c.body_hash).where(
                        mine, t.c.trial_index.in_(sorted(targets))
                    )
                ).all()
            )
    rows = []
    for index in sorted(targets):
        body = pieces.trial(trials[index])
        body_hash = text_hash(body)
        if stored.get(index) != body_hash:
            rows.append(
                {
                    "experiment_id": experiment_id,
                    "trial_index": index,
                    "body": body,
                    "body_hash": body_hash,
                }
            )
    written = len(rows)
    _upsert(conn, t, rows, ("experiment_id", "trial_index"), ("body", "body_hash"))
    if indices is None:
        gone = sorted(set(stored) - set(trials))
        if gone:
            conn.execute(delete(t).where(mine, t.c.trial_index.in_(gone)))
            written += len(gone)
    return written + _save_data(conn, pieces, experiment_id, None if indices is None else targets)


def _save_data(
    conn: Connection,
    pieces: ExperimentEncoder,
    experiment_id: int,
    targets: Optional[Set[int]],
) -> int:
    d = data_version_table
    mine = d.c.experiment_id == experiment_id
    by_trial = pieces.experiment._data_by_trial
    query = select(d.c.trial_index, d.c.storage_ts).where(mine)
    if targets is not None:
        if not targets:
            return 0
        query = query.where(d.c.trial_index.in_(sorted(targets)))
    stored: Set[Tuple[int, int]] = {(int(i), int(ts)) for i, ts in conn.execute(query).all()}
    present = {
        (index, ts): data
        for index in (sorted(by_trial) if targets is None else sorted(targets))
        for ts, data in by_trial.get(index, {}).items()
    }
    rows = [
        {
            "experiment_id": experiment_id,
            "trial_index": index,
            "storage_ts": ts,
            "body": pieces.data_version(index, ts, present[(index, ts)]),
        }
        for index, ts in sorted(present.keys() - stored)
    ]
    _upsert(conn, d, rows, ("experiment_id", "trial_index", "storage_ts"), ("body",))
    gone = sorted(stored - present.keys())
    if gone:
        conn.execute(delete(d).where(mine, tuple_(d.c.trial_index, d.c.storage_ts).in_(gone)))
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
    "save_experiment",
    "save_generation_strategy",
    "save_new_trials",
    "save_or_update_trial",
    "save_or_update_trials",
]
