"""The dashboard's only writes (with ``--allow-actions``): abandon a trial, add a note.

Each action reads the experiment afresh from the store, changes one trial and writes that
trial back (SQL: :func:`~ax.storage.sqa_store.save.save_or_update_trials`, one
transaction; JSON: the whole file, replaced atomically). A run that has the experiment in
memory does not see the change, and its next save of the same trial (a JSON run saves the
whole file) writes over it: abandon trials of a run that has stopped, or that will not
touch them again.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Optional, Tuple

from ax.core.base_trial import BaseTrial
from ax.dashboard.store import DashboardStoreError, JSONFileReader, SQLStoreReader, StoreReader
from ax.dashboard.views import NOTES_KEY, trial_notes
from ax.exceptions import AxError, UserInputError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.experiment import Experiment
    from ax.modelbridge.generation_strategy import GenerationStrategy

MAX_TEXT = 2000
"""Longest reason or note accepted (characters)."""


def abandon_trial(reader: StoreReader, name: str, index: object, reason: str) -> str:
    """Mark trial ``index`` of experiment ``name`` ABANDONED with ``reason``.

    Returns:
        A one-line description of what was done.

    Raises:
        UserInputError: No such trial, a terminal trial, or a reason too long.
        DashboardStoreError: The store cannot be read or written.
    """
    _check_text(reason, "reason")
    experiment, strategy = _load(reader, name)
    trial = _trial(experiment, index, name)
    if trial.status.is_terminal:
        raise UserInputError(
            f"trial {index} of {name!r} is {trial.status.name}: only a candidate, staged or "
            "running trial can be abandoned"
        )
    trial.mark_abandoned(reason=reason or None)
    _write(reader, experiment, strategy, trial)
    return f"trial {index} of {name!r} marked ABANDONED"


def add_note(reader: StoreReader, name: str, index: object, text: str) -> str:
    """Append a note to trial ``index`` (kept in ``run_metadata["dashboard_notes"]``).

    Raises:
        UserInputError: No such trial, an empty or too long note.
        DashboardStoreError: The store cannot be read or written.
    """
    _check_text(text, "note")
    if not text.strip():
        raise UserInputError("note: must not be empty")
    experiment, strategy = _load(reader, name)
    trial = _trial(experiment, index, name)
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    notes = [*trial_notes(trial), {"time": stamp, "text": text}]
    trial.update_run_metadata({NOTES_KEY: notes})
    _write(reader, experiment, strategy, trial)
    return f"note added to trial {index} of {name!r}"


def _check_text(text: object, field: str) -> None:
    if not isinstance(text, str):
        raise UserInputError(f"{field}: must be a string, got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise UserInputError(f"{field}: at most {MAX_TEXT} characters, got {len(text)}")


def _trial(experiment: Experiment, index: object, name: str) -> BaseTrial:
    if isinstance(index, bool) or not isinstance(index, int):
        raise UserInputError(f"trial: must be an integer index, got {index!r}")
    if index not in experiment.trials:
        raise UserInputError(f"experiment {name!r} has no trial {index}")
    return experiment.trials[index]


def _load(reader: StoreReader, name: str) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    """A private copy of the experiment (the cached snapshot is shared by requests)."""
    try:
        if isinstance(reader, SQLStoreReader):
            from ax.storage.sqa_store.load import load_experiment_and_generation_strategy

            return load_experiment_and_generation_strategy(name, engine=reader.writable_engine)
        if isinstance(reader, JSONFileReader):
            from ax.storage.json_store.generation_strategy import (
                load_experiment_and_generation_strategy as load_json,
            )

            experiment, strategy = load_json(reader.path)
            if (experiment._name or "(unnamed)") != name:
                raise UserInputError(f"{reader.description} holds no experiment {name!r}")
            return experiment, strategy
    except AxError as err:
        if isinstance(err, UserInputError):
            raise
        raise DashboardStoreError(f"cannot read {name!r} to change it: {err.message}") from err
    raise DashboardStoreError(f"{type(reader).__name__} does not support actions")


def _write(
    reader: StoreReader,
    experiment: Experiment,
    strategy: Optional[GenerationStrategy],
    trial: BaseTrial,
) -> None:
    try:
        if isinstance(reader, SQLStoreReader):
            from ax.storage.sqa_store.save import save_or_update_trials

            save_or_update_trials(experiment, [trial], engine=reader.writable_engine)
        elif isinstance(reader, JSONFileReader):
            if strategy is None:
                from ax.storage.json_store.save import save

                save(experiment, reader.path)
            else:
                from ax.storage.json_store.generation_strategy import (
                    save_experiment_and_generation_strategy,
                )

                save_experiment_and_generation_strategy(experiment, strategy, reader.path)
    except AxError as err:
        raise DashboardStoreError(f"cannot write the change: {err.message}") from err
    reader.forget(experiment._name or "(unnamed)")


__all__ = ["MAX_TEXT", "abandon_trial", "add_note"]
