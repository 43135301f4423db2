"""SQL storage for :class:`~ax.service.ax_client.AxClient` (``db_settings=DBSettings(...)``).

The client saves after every change: the whole experiment and its strategy when the
experiment is created, then only the trial that changed (with its new data and the
strategy), so each save costs the same however many trials the experiment has.
SQLAlchemy is imported only when a client is given ``db_settings``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence, Tuple

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UnsupportedError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

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
    from ax.storage.sqa_store.db import create_all_tables, engine_for_url
    from ax.storage.sqa_store.sqa_config import apply_config

    apply_config(db_settings.config, "DBSettings")
    engine = engine_for_url(db_settings.url, echo=db_settings.echo)
    create_all_tables(engine)
    return engine


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


def _handle(err: StorageError, suppress_errors: bool, what: str) -> None:
    if not suppress_errors:
        raise err
    logger.exception("AxClient: could not %s (suppress_storage_errors=True): %s", what, err)


__all__ = ["check_db_settings", "connect", "load", "save_all", "save_trials"]
