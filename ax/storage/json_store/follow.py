"""Bring a decoded experiment up to a newer version of its JSON document, decoding only
what changed.

A JSON file is rewritten whole by its writer, so a reader that follows it (the
dashboard) must parse each new version; parsing is cheap next to decoding 5,000 trials.
:func:`follow_document` compares the new document with the one the experiment was
decoded from, trial by trial (parsed JSON compares as plain dicts and lists), and decodes
only the trials that differ and, when it changed, the data table.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Set

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
            before = experiment._data_by_trial
            try:
                data_by_trial, _ = decode_experiment_data(new.get("data"), experiment._trials)
            except DecodeFailure as failure:
                raise failure.at(".data") from failure.__cause__
            for index in set(before) | set(data_by_trial):
                if list(before.get(index, {})) != list(data_by_trial.get(index, {})):
                    changed.add(index)
            experiment._data_by_trial = data_by_trial
        last = new.get("last_data_ts")
        if type(last) is int:
            experiment._last_data_ts = last
    except DecodeFailure as failure:
        raise failure.to_error("experiment") from failure.__cause__
    return changed


def _header(document: Dict[str, Any]) -> Dict[str, Any]:
    """The document's top level but the experiment and the strategy (the format)."""
    return {k: v for k, v in document.items() if k not in ("experiment", "generation_strategy")}


def _index_of(item: Any) -> Optional[int]:
    index = item.get("index") if type(item) is dict else None
    return index if type(index) is int else None


__all__ = ["follow_document"]
