"""Loading experiments and generation strategies from the SQL store.

Custom metric and runner classes must be registered before loading, as for the JSON
store. Reads run in one transaction, so a load sees one committed state even while
other processes save.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError, StorageError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage import (
    metric_registry,  # noqa: F401  (registers the bundled metrics)
    runner_registry,  # noqa: F401  (registers the bundled runners)
)
from ax.storage.json_store.generation_strategy import generation_strategy_from_json
from ax.storage.json_store.load import parse_document
from ax.storage.sqa_store.db import resolve_engine, transaction
from ax.storage.sqa_store.decode import experiment_from_pieces
from ax.storage.sqa_store.progression import read_progression
from ax.storage.sqa_store.schema import (
    data_version_table,
    experiment_table,
    generation_strategy_table,
    trial_table,
)
from ax.storage.sqa_store.sqa_config import SQAConfig, apply_config
from ax.storage.sqa_store.sync import Tracker, database_key, set_tracker
from ax.utils.text import short_repr, short_reprs

_LISTED_NAMES = 5


class ExperimentNotFoundError(StorageError, KeyError):
    """No experiment of that name is stored."""

    def __str__(self) -> str:  # KeyError would quote the message
        return StorageError.__str__(self)


def load_experiment(
    experiment_name: str, engine: Optional[Engine] = None, config: Optional[SQAConfig] = None
) -> Experiment:
    """Load the experiment stored under ``experiment_name``.

    Args:
        experiment_name: The experiment's name.
        engine: The database (default: the one set by ``init_engine_and_session_factory``).
        config: Custom classes to register first (see :class:`SQAConfig`).

    Returns:
        The experiment, equal (``==``) to the one that was saved. A SimpleExperiment comes
        back with the unimplemented evaluation function (set it again).

    Raises:
        ExperimentNotFoundError: No experiment has that name (a StorageError).
        JSONDecodeError: A stored piece is malformed (or uses an unregistered class).
        StorageError: The database failed.

    Example:
        >>> experiment = load_experiment("my_experiment")
    """
    function = "load_experiment"
    _check_name(experiment_name, function)
    apply_config(config, function)
    with transaction(resolve_engine(engine), function, read_only=True) as conn:
        experiment, _ = _load(conn, experiment_name, function, with_strategy=False)
    return experiment


def load_experiment_and_generation_strategy(
    experiment_name: str, engine: Optional[Engine] = None, config: Optional[SQAConfig] = None
) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    """The experiment and its stored generation strategy (bound to it; None if none).

    Raises:
        As for :func:`load_experiment`.
    """
    function = "load_experiment_and_generation_strategy"
    _check_name(experiment_name, function)
    apply_config(config, function)
    with transaction(resolve_engine(engine), function, read_only=True) as conn:
        return _load(conn, experiment_name, function, with_strategy=True)


def load_generation_strategy_by_experiment_name(
    experiment_name: str,
    experiment: Optional[Experiment] = None,
    engine: Optional[Engine] = None,
    config: Optional[SQAConfig] = None,
) -> GenerationStrategy:
    """The generation strategy stored for an experiment, bound to the experiment.

    Args:
        experiment_name: The experiment's name.
        experiment: The experiment to bind the strategy to (loaded if not given).
        engine: The database (default: the process-wide one).

    Raises:
        ExperimentNotFoundError: No experiment has that name.
        StorageError: The experiment has no stored generation strategy.
    """
    function = "load_generation_strategy_by_experiment_name"
    _check_name(experiment_name, function)
    apply_config(config, function)
    with transaction(resolve_engine(engine), function, read_only=True) as conn:
        if experiment is None:
            experiment, strategy = _load(conn, experiment_name, function, with_strategy=True)
        else:
            experiment_id = _experiment_row(conn, experiment_name, function).id
            strategy = _strategy(conn, experiment_id, experiment, function)
    if strategy is None:
        raise StorageError(
            f"{function}: experiment {experiment_name!r} has no stored generation strategy",
            hint="save one with save_generation_strategy(generation_strategy)",
        )
    return strategy


def read_generation_strategy(
    conn: Connection, experiment: Experiment
) -> Optional[GenerationStrategy]:
    """The strategy stored for a (loaded) experiment, bound to it, read in the caller's
    transaction so that it matches the trials read there; None if none is stored.

    Raises:
        ExperimentNotFoundError: The experiment is not stored.
        JSONDecodeError: The stored strategy is malformed.
    """
    function = "read_generation_strategy"
    name = experiment._name
    _check_name(name, function)
    experiment_id = _experiment_row(conn, str(name), function).id
    return _strategy(conn, experiment_id, experiment, function)


def list_experiment_names(engine: Optional[Engine] = None) -> List[str]:
    """The names of the stored experiments, sorted."""
    with transaction(resolve_engine(engine), "list_experiment_names", read_only=True) as conn:
        names = conn.execute(select(experiment_table.c.name).order_by(experiment_table.c.name))
        return [str(name) for name in names.scalars()]


# ---------------------------------------------------------------------- internals
def _check_name(name: Any, function: str) -> None:
    if not isinstance(name, str):
        raise UserInputTypeError(
            f"{function}: experiment_name must be a str, got {type(name).__name__} {name!r}"
        )


def _experiment_row(conn: Connection, name: str, function: str) -> Any:
    e = experiment_table
    row = conn.execute(select(e).where(e.c.name == name)).one_or_none()
    if row is None:
        count = conn.execute(select(func.count()).select_from(e)).scalar() or 0
        some = conn.execute(select(e.c.name).order_by(e.c.name).limit(_LISTED_NAMES)).scalars()
        listed = list(some)
        more = f" and {count - len(listed)} more" if count > len(listed) else ""
        raise ExperimentNotFoundError(
            f"{function}: no experiment named {short_repr(name)} in the database (it holds "
            f"{count} experiment(s){': ' + short_reprs(listed) + more if listed else ''})"
        )
    return row


def _load(
    conn: Connection, name: str, function: str, with_strategy: bool
) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    row = _experiment_row(conn, name, function)
    t, d = trial_table, data_version_table
    trials = conn.execute(
        select(t.c.trial_index, t.c.version, t.c.body_hash, t.c.body)
        .where(t.c.experiment_id == row.id)
        .order_by(t.c.trial_index)
    ).all()
    versions = conn.execute(
        select(d.c.trial_index, d.c.storage_ts, d.c.body)
        .where(d.c.experiment_id == row.id)
        .order_by(d.c.trial_index, d.c.storage_ts)
    ).all()
    try:
        experiment = experiment_from_pieces(
            int(row.format_version),
            row.body,
            [trial.body for trial in trials],
            [version.body for version in versions],
            int(row.last_data_ts),
        )
    except JSONDecodeError as err:
        raise JSONDecodeError(
            f"{function} {name!r}: the stored experiment is invalid: {err.message}", hint=err.hint
        ) from err
    tracker = Tracker(
        experiment_id=int(row.id),
        revision=int(row.revision),
        header_hash=str(row.body_hash),
        trials={int(r.trial_index): (int(r.version), str(r.body_hash)) for r in trials},
        data={(int(v.trial_index), int(v.storage_ts)) for v in versions},
    )
    read_progression(conn, experiment, int(row.id), tracker)
    set_tracker(experiment, database_key(conn), tracker)
    strategy = _strategy(conn, row.id, experiment, function) if with_strategy else None
    return experiment, strategy


def _strategy(
    conn: Connection, experiment_id: int, experiment: Experiment, function: str
) -> Optional[GenerationStrategy]:
    g = generation_strategy_table
    body = conn.execute(select(g.c.body).where(g.c.experiment_id == experiment_id)).scalar()
    if body is None:
        return None
    try:
        return generation_strategy_from_json(parse_document(body), experiment=experiment)
    except JSONDecodeError as err:
        raise JSONDecodeError(
            f"{function}: the stored generation strategy is invalid: {err.message}",
            hint=err.hint,
        ) from err


__all__ = [
    "ExperimentNotFoundError",
    "list_experiment_names",
    "load_experiment",
    "load_experiment_and_generation_strategy",
    "load_generation_strategy_by_experiment_name",
    "read_generation_strategy",
]
