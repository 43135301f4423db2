"""Many writers on one stored experiment: what each copy knows, and merging the others'.

Several processes (or several copies in one process) may work on one stored experiment.
Each in-memory copy is tracked, per database, by a :class:`Tracker`: the experiment's
``revision`` it has seen, and the ``version`` and body hash of every stored trial and
the data versions it knows. Every write transaction first locks the experiment's row
(SQLite: ``BEGIN IMMEDIATE`` holds the database's write lock; PostgreSQL:
``SELECT ... FOR UPDATE``), brings in what other writers committed since the copy's
revision (:func:`merge_remote`: new trials are appended, changed trials updated in place,
new data versions added), and only then writes, with a compare-and-swap on each trial's
version. So:

- trial indices are taken once (the primary key ``(experiment_id, trial_index)``, and a
  new trial always gets the next index after the merge);
- a stale copy never overwrites a newer trial: if both this copy and another writer
  changed the same trial, :class:`~ax.exceptions.WriteConflictError` names it;
- data versions are only added; a copy deletes only a version it stored itself and then
  replaced (``attach_data(..., combine_with_last_data=True)``).

Trackers live here, in the storage layer, keyed weakly by the experiment object: the
domain objects carry no storage ids.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Set, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError, WriteConflictError
from ax.storage.json_store.data_table import decode_experiment_data
from ax.storage.json_store.decoder import Decoder
from ax.storage.json_store.experiment_decoder import restore_trial
from ax.storage.json_store.load import parse_document
from ax.storage.json_store.registry import decoder_table
from ax.storage.json_store.schema import DecodeFailure
from ax.storage.sqa_store.encode import ExperimentEncoder, text_hash
from ax.storage.sqa_store.schema import data_version_table, experiment_table, trial_table

_RELOAD_HINT = (
    "reload the experiment from the database (load_experiment, or "
    "AxClient.load_experiment_from_database) and redo the change on the stored version"
)


@dataclass
class Tracker:
    """What one in-memory copy of an experiment knows of one database.

    Attributes:
        experiment_id: The experiment's row id.
        revision: The experiment's revision this copy has merged (-1: none yet).
        header_hash: Hash of the stored settings this copy knows (None: unknown).
        trials: ``{trial_index: (version, body hash)}`` of the stored trials it knows.
        data: The ``(trial_index, storage_ts)`` data versions it knows are stored.
        progression: ``{trial_index: rows}`` of intermediate observations it knows are
            stored (rows are append-only: a save writes the rest).
    """

    experiment_id: int
    revision: int = -1
    header_hash: Optional[str] = None
    trials: Dict[int, Tuple[int, str]] = field(default_factory=dict)
    data: Set[Tuple[int, int]] = field(default_factory=set)
    progression: Dict[int, int] = field(default_factory=dict)


_TRACKED: Dict[int, Tuple[weakref.ref[Experiment], Dict[str, Tracker]]] = {}


def database_key(conn: Connection) -> str:
    """Identifies a database (its URL without the password)."""
    return conn.engine.url.render_as_string(hide_password=True)


def get_tracker(experiment: Experiment, key: str) -> Optional[Tracker]:
    """The tracker of this copy for the database ``key``, or None."""
    entry = _TRACKED.get(id(experiment))
    if entry is None or entry[0]() is not experiment:
        return None
    return entry[1].get(key)


def set_tracker(experiment: Experiment, key: str, tracker: Tracker) -> None:
    """Remember ``tracker`` for this copy and the database ``key``."""
    ident = id(experiment)
    entry = _TRACKED.get(ident)
    if entry is None or entry[0]() is not experiment:

        def forget(_: object, ident: int = ident) -> None:
            _TRACKED.pop(ident, None)

        entry = (weakref.ref(experiment, forget), {})
        _TRACKED[ident] = entry
    entry[1][key] = tracker


def lock_experiment_row(conn: Connection, name: str) -> Any:
    """The experiment's row, locked for the rest of the transaction (None: not stored)."""
    e = experiment_table
    query = select(e.c.id, e.c.body_hash, e.c.time_created, e.c.last_data_ts, e.c.revision).where(
        e.c.name == name
    )
    if conn.dialect.name != "sqlite":  # SQLite: BEGIN IMMEDIATE already holds the lock
        query = query.with_for_update()
    return conn.execute(query).one_or_none()


def merge_remote(
    conn: Connection,
    pieces: ExperimentEncoder,
    tracker: Tracker,
    row: Any,
    local_header_hash: str,
    function: str,
) -> int:
    """Bring into the copy what other writers committed since ``tracker.revision``.

    Args:
        conn: The (locked) transaction.
        pieces: The encoder of the copy (its experiment is updated in place).
        tracker: The copy's tracker; updated to the stored revision.
        row: The experiment's locked row (:func:`lock_experiment_row`).
        local_header_hash: Hash of the copy's settings now.
        function: Named in errors.

    Returns:
        The number of trials added or updated in the copy.

    Raises:
        WriteConflictError: This copy and another writer both changed the same trial or
            the experiment's settings, or both created a trial with the same index.
        JSONDecodeError: A stored piece is malformed.
    """
    experiment = pieces.experiment
    name = experiment._name
    revision = int(row.revision)
    if revision == tracker.revision and tracker.header_hash is not None:
        return 0
    stored_header = str(row.body_hash)
    if (
        tracker.header_hash is not None
        and stored_header != tracker.header_hash
        and stored_header != local_header_hash
    ):
        raise WriteConflictError(
            f"{function}: the settings of experiment {name!r} (search space, metrics, "
            "...) were changed by another writer since this copy was loaded",
            hint=_RELOAD_HINT,
        )
    if stored_header == local_header_hash:
        tracker.header_hash = stored_header
    elif tracker.header_hash is None:
        tracker.header_hash = ""  # unknown: this copy's settings will be written
    merged = _merge_trials(conn, pieces, tracker, function)
    _merge_data(conn, experiment, tracker, function)
    tracker.revision = revision
    return merged


def _merge_trials(
    conn: Connection, pieces: ExperimentEncoder, tracker: Tracker, function: str
) -> int:
    experiment = pieces.experiment
    name = experiment._name
    t = trial_table
    rows = conn.execute(
        select(t.c.trial_index, t.c.version, t.c.body_hash, t.c.body)
        .where(t.c.experiment_id == tracker.experiment_id, t.c.revision > tracker.revision)
        .order_by(t.c.trial_index)
    ).all()
    merged = 0
    for row in rows:
        index, version, body_hash = int(row.trial_index), int(row.version), str(row.body_hash)
        known = tracker.trials.get(index)
        if known is not None and known[0] == version:
            continue
        local = experiment._trials.get(index)
        if local is None:
            if index != experiment._next_trial_index:
                raise WriteConflictError(
                    f"{function}: experiment {name!r} has trial {index} stored by another "
                    f"writer, but this copy has only {len(experiment._trials)} trials",
                    hint=_RELOAD_HINT,
                )
            _append_trial(experiment, row.body, index, function)
            tracker.trials[index] = (version, body_hash)
            merged += 1
            continue
        local_hash = text_hash(pieces.trial(local))
        if local_hash == body_hash:
            tracker.trials[index] = (version, body_hash)
            continue
        if known is None:
            raise WriteConflictError(
                f"{function}: trial {index} of experiment {name!r} was stored by another "
                "writer, and this copy holds a different trial with that index (it was "
                "never stored from this copy)",
                hint=_RELOAD_HINT,
            )
        if local_hash != known[1]:
            raise WriteConflictError(
                f"{function}: trial {index} of experiment {name!r} was changed by another "
                f"writer (stored version {version}) and by this copy (which has version "
                f"{known[0]}); this copy's change is not saved",
                hint=_RELOAD_HINT,
            )
        _update_trial(experiment, index, row.body, function)
        tracker.trials[index] = (version, body_hash)
        merged += 1
    return merged


def _decode_failure(function: str, name: Optional[str], where: str, err: Exception) -> Exception:
    if isinstance(err, DecodeFailure):
        message = err.to_error(where).message
    elif isinstance(err, JSONDecodeError):
        message = err.message
    else:  # pragma: no cover - only the two above are caught
        message = str(err)
    return JSONDecodeError(f"{function} {name!r}: the stored {where} is invalid: {message}")


def _append_trial(experiment: Experiment, body: str, index: int, function: str) -> None:
    decoder = Decoder(decoder_table())
    decoder.experiment = experiment
    decoder.trial_slot = True
    decoder.building_experiment = True
    try:
        decoder.value(parse_document(body))
    except (DecodeFailure, JSONDecodeError) as err:
        raise _decode_failure(function, experiment._name, f"trial {index}", err) from None


def _update_trial(experiment: Experiment, index: int, body: str, function: str) -> None:
    decoder = Decoder(decoder_table())
    decoder.experiment = experiment
    decoder.building_experiment = True
    try:
        restore_trial(experiment._trials[index], parse_document(body), decoder)
    except (DecodeFailure, JSONDecodeError) as err:
        raise _decode_failure(function, experiment._name, f"trial {index}", err) from None


def follow(conn: Connection, experiment: Experiment, tracker: Tracker) -> Optional[Set[int]]:
    """Bring a read-only copy up to date with what writers committed since its revision.

    For a reader that never changes its copy (the dashboard): no row is locked, so it
    works in a read-only transaction, and it costs a query per table plus the decoding
    of what changed. New trials are appended, changed ones updated in place, new data
    versions added.

    Args:
        conn: A transaction (one consistent snapshot of the database).
        experiment: The copy, loaded from this database (its tracker is ``tracker``).
        tracker: The copy's tracker; updated to the stored revision.

    Returns:
        The indices of the trials whose stored state or data changed, or None when the
        copy cannot follow: the experiment's settings changed, it is no longer stored,
        or trials appeared out of order. The caller then loads it again in full.

    Raises:
        JSONDecodeError: A stored piece is malformed.
    """
    function = "follow"
    e = experiment_table
    row = conn.execute(
        select(e.c.id, e.c.body_hash, e.c.revision).where(e.c.name == experiment._name)
    ).one_or_none()
    if row is None or int(row.id) != tracker.experiment_id:
        return None
    if str(row.body_hash) != tracker.header_hash:
        return None
    revision = int(row.revision)
    if revision == tracker.revision:
        return set()
    t = trial_table
    rows = conn.execute(
        select(t.c.trial_index, t.c.version, t.c.body_hash, t.c.body)
        .where(t.c.experiment_id == tracker.experiment_id, t.c.revision > tracker.revision)
        .order_by(t.c.trial_index)
    ).all()
    changed: Set[int] = set()
    for trial_row in rows:
        index, version = int(trial_row.trial_index), int(trial_row.version)
        known = tracker.trials.get(index)
        if known is not None and known[0] == version:
            continue
        if index in experiment._trials:
            _update_trial(experiment, index, trial_row.body, function)
        elif index == experiment._next_trial_index:
            _append_trial(experiment, trial_row.body, index, function)
        else:
            return None
        tracker.trials[index] = (version, str(trial_row.body_hash))
        changed.add(index)
    changed |= _merge_data(conn, experiment, tracker, function)
    tracker.revision = revision
    return changed


def _merge_data(
    conn: Connection, experiment: Experiment, tracker: Tracker, function: str
) -> Set[int]:
    d = data_version_table
    rows = conn.execute(
        select(d.c.trial_index, d.c.storage_ts, d.c.body)
        .where(d.c.experiment_id == tracker.experiment_id, d.c.revision > tracker.revision)
        .order_by(d.c.trial_index, d.c.storage_ts)
    ).all()
    by_trial = experiment._data_by_trial
    touched: Set[int] = set()
    for row in rows:
        key = (int(row.trial_index), int(row.storage_ts))
        if key in tracker.data:
            continue
        tracker.data.add(key)
        if key[1] in by_trial.get(key[0], {}):
            continue  # this copy holds it already (stored by it, before it was tracked)
        try:
            versions, max_ts = decode_experiment_data(parse_document(row.body), experiment._trials)
        except (DecodeFailure, JSONDecodeError) as err:
            raise _decode_failure(
                function, experiment._name, f"data of trial {key[0]} at {key[1]}", err
            ) from None
        for trial_index, stored in versions.items():
            by_trial.setdefault(trial_index, OrderedDict()).update(stored)
            touched.add(trial_index)
        experiment._last_data_ts = max(experiment._last_data_ts, max_ts)
    for trial_index in touched:  # keep each trial's versions oldest first
        by_trial[trial_index] = OrderedDict(sorted(by_trial[trial_index].items()))
    return touched


__all__ = [
    "Tracker",
    "database_key",
    "follow",
    "get_tracker",
    "lock_experiment_row",
    "merge_remote",
    "set_tracker",
]
