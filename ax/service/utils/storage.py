"""SQL storage helpers that take ``DBSettings``, at Ax 0.1's path ``ax.service.utils.storage``.

Each helper connects to the database the settings name (one shared engine per URL),
creates or upgrades the tables, registers the settings' custom classes
(``DBSettings(config=SQAConfig(...))``) and then saves or loads. SQLAlchemy is imported on
the first call, not with this module.

Example:
    >>> from ax.service.utils.storage import initialize_db, load_experiment, save_experiment
    >>> settings = DBSettings(url="sqlite:///experiments.db")
    >>> initialize_db(settings)
    >>> save_experiment(experiment, settings)
    >>> load_experiment(experiment.name, settings) == experiment
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Optional, Tuple

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.exceptions import UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Engine

    from ax.storage.sqa_store.structs import DBSettings


def initialize_db(db_settings: DBSettings) -> Engine:
    """Connect to the settings' database, create or upgrade its tables, make it the default.

    After this call the functions of :mod:`ax.storage.sqa_store` (``save_experiment``,
    ``load_experiment``, ...) use this database when given no engine: the process-wide
    engine is replaced by this one.

    Returns:
        The engine.

    Raises:
        UserInputTypeError: ``db_settings`` is not a DBSettings.
        StorageError: The database cannot be reached or migrated.
    """
    from ax.storage.sqa_store.db import init_engine_and_session_factory

    engine = _engine("initialize_db", db_settings)
    init_engine_and_session_factory(engine=engine, force_init=True)
    return engine


def save_experiment(experiment: Experiment, db_settings: DBSettings) -> None:
    """Save the experiment (every new or changed trial and its new data).

    Raises:
        As for :func:`ax.storage.sqa_store.save.save_experiment`.
    """
    from ax.storage.sqa_store.save import save_experiment as sqa_save_experiment

    sqa_save_experiment(experiment, engine=_engine("save_experiment", db_settings))


def load_experiment(name: str, db_settings: DBSettings) -> Experiment:
    """The experiment stored under ``name``.

    Raises:
        ExperimentNotFoundError: No experiment has that name (a StorageError).
    """
    from ax.storage.sqa_store.load import load_experiment as sqa_load_experiment

    return sqa_load_experiment(name, engine=_engine("load_experiment", db_settings))


def save_new_trial(experiment: Experiment, trial: BaseTrial, db_settings: DBSettings) -> None:
    """Save one new trial of a saved experiment (cost independent of the trial count)."""
    save_updated_trials(experiment, [trial], db_settings)


def save_updated_trial(experiment: Experiment, trial: BaseTrial, db_settings: DBSettings) -> None:
    """Save one changed trial (new status, data or metadata) of a saved experiment."""
    save_updated_trials(experiment, [trial], db_settings)


def save_updated_trials(
    experiment: Experiment, trials: Iterable[BaseTrial], db_settings: DBSettings
) -> None:
    """Save these trials of a saved experiment, and their new data."""
    from ax.storage.sqa_store.save import save_or_update_trials

    save_or_update_trials(experiment, trials, engine=_engine("save_updated_trials", db_settings))


def save_generation_strategy(
    generation_strategy: GenerationStrategy, db_settings: DBSettings
) -> None:
    """Save a generation strategy next to its experiment (which must be set on it).

    Raises:
        As for :func:`ax.storage.sqa_store.save.save_generation_strategy`.
    """
    from ax.storage.sqa_store.save import save_generation_strategy as sqa_save_strategy

    sqa_save_strategy(generation_strategy, engine=_engine("save_generation_strategy", db_settings))


def save_experiment_and_generation_strategy(
    experiment: Experiment, generation_strategy: GenerationStrategy, db_settings: DBSettings
) -> None:
    """Save both in one transaction."""
    from ax.storage.sqa_store.save import save_experiment as sqa_save_experiment

    sqa_save_experiment(
        experiment,
        engine=_engine("save_experiment_and_generation_strategy", db_settings),
        generation_strategy=generation_strategy,
    )


def load_generation_strategy(
    experiment_name: str, db_settings: DBSettings, experiment: Optional[Experiment] = None
) -> GenerationStrategy:
    """The generation strategy stored for an experiment, bound to it.

    Args:
        experiment_name: The experiment's name.
        db_settings: The database.
        experiment: The experiment to bind the strategy to (loaded if not given).

    Raises:
        StorageError: No such experiment, or it has no stored strategy.
    """
    from ax.storage.sqa_store.load import load_generation_strategy_by_experiment_name

    return load_generation_strategy_by_experiment_name(
        experiment_name,
        experiment=experiment,
        engine=_engine("load_generation_strategy", db_settings),
    )


def load_experiment_and_generation_strategy(
    experiment_name: str, db_settings: DBSettings
) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    """The experiment and its stored generation strategy (None if none was stored)."""
    from ax.storage.sqa_store.load import (
        load_experiment_and_generation_strategy as sqa_load_both,
    )

    return sqa_load_both(
        experiment_name, engine=_engine("load_experiment_and_generation_strategy", db_settings)
    )


def _engine(function: str, db_settings: DBSettings) -> Engine:
    from ax.storage.sqa_store.structs import DBSettings
    from ax.storage.store import SQLStore

    if not isinstance(db_settings, DBSettings):
        raise UserInputTypeError(
            f"{function}: db_settings must be an ax.storage.sqa_store.structs.DBSettings, got "
            f"{type(db_settings).__name__} {db_settings!r}"
        )
    return SQLStore.from_settings(db_settings).engine


__all__ = [
    "initialize_db",
    "load_experiment",
    "load_experiment_and_generation_strategy",
    "load_generation_strategy",
    "save_experiment",
    "save_experiment_and_generation_strategy",
    "save_generation_strategy",
    "save_new_trial",
    "save_updated_trial",
    "save_updated_trials",
]
