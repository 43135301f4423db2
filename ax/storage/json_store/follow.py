"""Bring a decoded experiment up to a newer version of its JSON document, decoding only
what changed.

A JSON file is rewritten whole by its writer, so a reader that follows it (the
dashboard) must parse each new version; parsing is cheap next to decoding 5,000 trials.
:func:`follow_document` compares the new document with the one the experiment was
decoded from, trial by trial (parsed JSON compares as plain dicts and lists), and decodes
only the trials that differ and, when it changed, the data table.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Set, Tuple

from ax.core.experiment import Experiment
from ax.storage.json_store.data_table import decode_experiment_data
from ax.storage.json_store.decoder import Decoder
from ax.storage.json_store.experiment_decoder import restore_trial
from ax.storage.json_store.registry import decoder_table
from ax.storage.json_store.schema import DecodeFailure

_FOLLOWED = frozenset({"trials", "data", "last_data_ts"})
"""The experiment's fields a follower brings in; a change anywhere else is read whole."""


def follow_document(
    experiment: Experiment, previous: Dict[str, Any], current: Dict[str, Any]
) -> Optional[Set[int]]:
    """Update ``experiment``, decoded from the document ``previous``, to ``current``.

    Args:
        experiment: The experiment decoded from ``previous``; updated in place.
        previous: The parsed document (``{"format_version", "experiment", ...}``) it was
            decoded from.
        current: The parsed newer document of the same file.

    Returns:
        The indices of the trials whose stored state or data changed; None when the
        experiment cannot follow (its settings changed, a trial disappeared or the format
        changed): decode ``current`` whole instead. ``experiment`` is unchanged then.

    Raises:
        JSONDecodeError: A changed trial or the data table is malformed. ``experiment``
            may then hold some of the changed trials: decode ``current`` whole.
    """
    if type(current) is not dict or type(previous) is not dict:
        return None
    old, new = previous.get("experiment"), current.get("experiment")
    if type(old) is not dict or type(new) is not dict:
        return None
    if _header(previous) != _header(current):
        return None
    if old.keys() != new.keys() or any(old[k] != new[k] for k in old if k not in _FOLLOWED):
        return None
    old_trials, new_trials = old.get("trials"), new.get("trials")
    if type(old_trials) is not list or type(new_trials) is not list:
        return None
    if len(new_trials) < len(old_trials) or len(old_trials) != len(experiment._trials):
        return None
    changed: Set[int] = set()
    decoder = Decoder(decoder_table())
    decoder.experiment = experiment
    decoder.building_experiment = True
    try:
        for position, item in enumerate(new_trials):
            if position < len(old_trials):
                if item == old_trials[position]:
                    continue
                index = _index_of(item)
                trial = experiment._trials.get(index) if index is not None else None
                if trial is None:
                    return None
                try:
                    restore_trial(trial, item, decoder)
                except DecodeFailure as failure:
                    raise failure.at(f".trials[{position}]") from failure.__cause__
            else:
                decoder.trial_slot = True
                trial = decoder.child(item, f".trials[{position}]")
                decoder.trial_slot = False
            changed.add(trial.index)
        if new.get("data") != old.get("data"):
            changed |= _follow_data(experiment, old.get("data"), new.get("data"))
        last = new.get("last_data_ts")
        if type(last) is int:
            experiment._last_data_ts = last
    except DecodeFailure as failure:
        raise failure.to_error("experiment") from failure.__cause__
    return changed


def _follow_data(experiment: Experiment, old: Any, new: Any) -> Set[int]:
    """Bring in the data versions that differ between two data tables (decoding only the
    rows of the trials they belong to); returns those trials' indices."""
    before = experiment._data_by_trial
    old_keys, new_keys = _version_keys(old), _version_keys(new)
    touched = None if old_keys is None or new_keys is None else {t for t, _ in old_keys ^ new_keys}
    if not touched:  # the same versions with other content, or not a table: all of it
        data_by_trial, _ = decode_experiment_data(new, experiment._trials)
        experiment._data_by_trial = data_by_trial
        return set(before) | set(data_by_trial)
    subset, _ = decode_experiment_data(_rows_of_trials(new, touched), experiment._trials)
    for index in touched:
        if index in subset:
            before[index] = subset[index]
        else:
            before.pop(index, None)
    return touched


def _version_keys(table: Any) -> Optional[Set[Tuple[Any, Any]]]:
    """The ``(trial_index, storage_ts)`` data versions in a stored data table."""
    try:
        columns = table["columns"]
        keys = set(zip(columns["trial_index"], columns["storage_ts"]))
        keys.update(tuple(pair) for pair in table["empty_versions"])
    except (KeyError, TypeError):
        return None
    return keys


def _rows_of_trials(table: Dict[str, Any], trials: Set[int]) -> Dict[str, Any]:
    """The data table restricted to the versions of ``trials``."""
    columns = table["columns"]
    keep = [t in trials for t in columns["trial_index"]]
    prefixes = tuple(f"{t}/" for t in trials)
    return {
        **table,
        "columns": {
            name: [v for v, k in zip(values, keep) if k] for name, values in columns.items()
        },
        "descriptions": {k: v for k, v in table["descriptions"].items() if k.startswith(prefixes)},
        "absent_columns": {
            k: v for k, v in table["absent_columns"].items() if k.startswith(prefixes)
        },
        "empty_versions": [p for p in table["empty_versions"] if p[0] in trials],
    }


def _header(document: Dict[str, Any]) -> Dict[str, Any]:
    """The document's top level but the experiment and the strategy (the format)."""
    return {k: v for k, v in document.items() if k not in ("experiment", "generation_strategy")}


def _index_of(item: Any) -> Optional[int]:
    index = item.get("index") if type(item) is dict else None
    return index if type(index) is int else None


__all__ = ["follow_document"]
