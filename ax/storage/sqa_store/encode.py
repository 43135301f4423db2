"""An experiment as the JSON pieces the SQL store keeps (made by the JSON store's encoder).

- the *header*: the experiment encoded without ``trials``, ``data`` and ``last_data_ts``
  (those live in their own rows); it includes ``extra_arms``;
- one body per trial, encoded in the experiment's context (objects the experiment holds
  are written as ``ExperimentRef``, exactly as in a JSON file);
- one body per data version ``(trial_index, storage_ts)``: the JSON store's columnar
  ``ExperimentData`` table of that version alone.

Texts are compact strict JSON; hashes are 32 hex characters (BLAKE2b).
"""

from __future__ import annotations

import copy
import hashlib
import weakref
from collections import Counter
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Tuple

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.batch_trial import BatchTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.exceptions import JSONEncodeError, UserInputTypeError
from ax.storage import (
    metric_registry,  # noqa: F401  (registers the bundled metrics)
    runner_registry,  # noqa: F401  (registers the bundled runners)
)
from ax.storage.json_store.data_table import encode_experiment_data
from ax.storage.json_store.encoder import Encoder
from ax.storage.json_store.registry import encoder_table
from ax.storage.json_store.save import document_text
from ax.storage.json_store.schema import EncodeFailure

PIECE_KEYS = ("trials", "data", "last_data_ts", "progression_data")
"""Fields of an encoded experiment that the header leaves out."""


def text_hash(text: str) -> str:
    """The hash stored next to a body."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def check_experiment(experiment: Any, function: str) -> Experiment:
    """``experiment``, or UserInputTypeError naming its type."""
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"{function}: experiment must be an Experiment, got {type(experiment).__name__}"
        )
    if experiment._name is None:
        raise JSONEncodeError(
            f"{function}: the experiment has no name; a stored experiment needs a unique name",
            hint="set experiment.name before saving",
        )
    return experiment


class ExperimentEncoder:
    """Encodes one experiment's pieces.

    Args:
        experiment: The experiment.

    Example:
        >>> pieces = ExperimentEncoder(experiment)
        >>> header_text = pieces.header()
        >>> trial_text = pieces.trial(experiment.trials[0])
    """

    def __init__(self, experiment: Experiment) -> None:
        self.experiment = experiment
        self._encoder = Encoder(encoder_table())
        self._refs_enabled = False

    def header(self, changed: Optional[Iterable[int]] = None) -> str:
        """The experiment without trials, data and last_data_ts, as JSON text.

        Args:
            changed: The trials that may have changed since this experiment's previous
                header (None: any). Trials created since are always included. Used to
                find the experiment's extra arms without visiting every trial.

        Raises:
            JSONEncodeError: Something cannot be encoded; the message names where.
        """
        experiment = self.experiment
        shell = copy.copy(experiment)
        shell._trials = {}
        shell._data_by_trial = {}
        shell.__dict__.pop("_progression_data", None)  # stored as its own rows
        shell._arms_by_name = {}
        shell._arms_by_signature = {}
        encoder = Encoder(encoder_table())
        try:
            body: Dict[str, Any] = encoder.value(shell)
            extra = _extra_arms(experiment, changed)
            body["extra_arms"] = encoder.sequence(extra, ".extra_arms")
        except EncodeFailure as failure:
            raise failure.to_error("experiment") from failure.__cause__
        for key in PIECE_KEYS:
            body.pop(key, None)
        return document_text(body)

    def trial(self, trial: BaseTrial) -> str:
        """One trial, encoded in the experiment's context, as JSON text.

        Raises:
            JSONEncodeError: Something cannot be encoded; the message names where.
        """
        if not self._refs_enabled:
            self._encoder.enable_refs(self.experiment)
            self._encoder.building_experiment = True
            self._refs_enabled = True
        try:
            body = self._encoder.value(trial)
        except EncodeFailure as failure:
            raise failure.to_error(f"experiment.trials[{trial.index}]") from failure.__cause__
        return document_text(body)

    @staticmethod
    def data_version(trial_index: int, storage_ts: int, data: Data) -> str:
        """One stored data version as a columnar ``ExperimentData`` table (JSON text).

        Raises:
            JSONEncodeError: The data cannot be encoded (e.g. not a plain Data).
        """
        try:
            body = encode_experiment_data({trial_index: {storage_ts: data}})
        except EncodeFailure as failure:
            raise failure.to_error(
                f"experiment.data[trial {trial_index}, stored at {storage_ts}]"
            ) from failure.__cause__
        return document_text(body)


class _ReplayedNames:
    """The arm names each trial's decoding registers, with a count over all trials."""

    def __init__(self) -> None:
        self.by_trial: Dict[int, FrozenSet[str]] = {}
        self.counts: Counter[str] = Counter()
        self.covered = 0  # trials 0 .. covered - 1 are in by_trial

    def refresh(self, experiment: Experiment, changed: Optional[Iterable[int]]) -> None:
        trials = experiment._trials
        if changed is None:
            self.by_trial.clear()
            self.counts.clear()
            self.covered = 0
            indices: List[int] = []
        else:
            indices = [i for i in changed if i in trials]
        indices.extend(i for i in range(self.covered, len(trials)) if i in trials)
        for index in indices:
            names = _trial_arm_names(trials[index])
            old = self.by_trial.get(index)
            counts = self.counts
            if old is not None:
                for name in old:
                    counts[name] -= 1
                    if counts[name] <= 0:
                        del counts[name]  # no trial replays it any more
            counts.update(names)
            self.by_trial[index] = names
        self.covered = max(self.covered, len(trials))


_REPLAYED: Dict[int, Tuple[weakref.ref[Experiment], _ReplayedNames]] = {}


def _trial_arm_names(trial: BaseTrial) -> FrozenSet[str]:
    """Names of the arms that decoding this trial registers (as the JSON encoder counts)."""
    names = {arm.name for gr in trial.generator_runs for arm, _ in gr._arm_weight_table.values()}
    if (
        isinstance(trial, BatchTrial)
        and trial._status_quo is not None
        and trial._status_quo_weight_override is not None
    ):
        names.add(trial._status_quo.name)
    return frozenset(names)


def _extra_arms(experiment: Experiment, changed: Optional[Iterable[int]]) -> List[Arm]:
    """The registered arms that neither a trial nor the status quo brings back.

    The per-trial names are cached per experiment, so with ``changed`` given this costs
    O(changed trials) unless there are extra arms.
    """
    key = id(experiment)
    entry = _REPLAYED.get(key)
    if entry is None or entry[0]() is not experiment:
        replayed = _ReplayedNames()

        def forget(_: object, key: int = key) -> None:
            _REPLAYED.pop(key, None)

        ref = weakref.ref(experiment, forget)
        _REPLAYED[key] = (ref, replayed)
        changed = None
    else:
        replayed = entry[1]
    replayed.refresh(experiment, changed)
    counts = replayed.counts
    status_quo = experiment._status_quo
    sq_name = None if status_quo is None else status_quo.name
    registered = experiment._arms_by_name
    expected = len(counts) + (1 if sq_name is not None and sq_name not in counts else 0)
    if len(registered) == expected:
        return []
    return [arm for name, arm in registered.items() if name not in counts and name != sq_name]


def data_versions(experiment: Experiment, trial_index: int) -> Dict[int, Data]:
    """The stored data versions of one trial: storage time (ms) -> Data."""
    return dict(experiment._data_by_trial.get(trial_index, {}))


def version_keys(experiment: Experiment) -> Dict[Tuple[int, int], Data]:
    """Every data version of the experiment by ``(trial_index, storage_ts)``."""
    return {
        (trial_index, ts): data
        for trial_index, versions in experiment._data_by_trial.items()
        for ts, data in versions.items()
    }


__all__ = [
    "ExperimentEncoder",
    "PIECE_KEYS",
    "check_experiment",
    "data_versions",
    "text_hash",
    "version_keys",
]
