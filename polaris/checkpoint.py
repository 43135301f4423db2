"""Checkpoints of a Polaris experiment: a format on top of an
:class:`~ax.storage.store.ExperimentStore` (never pickle).

:class:`Checkpoint` saves and resumes one Polaris experiment through any store: the store
saves the ax experiment and its generation strategy; the Polaris records travel with the
experiment, as a records document (format ``polaris-records``: the records, their count
and the SHA-256 of their canonical JSON) held in the experiment's ``description``, and
are validated (:mod:`polaris.records`) when loaded. Any store works: JSON files, SQLite,
PostgreSQL.

The default store, :class:`CheckpointFileStore` (``Polaris(checkpoint_dir=...)``), keeps
the checkpoint file format of earlier versions. One file,
``<directory>/<exp_key>/checkpoint.json``, holds the Polaris records and the ax experiment
with its generation strategy (whose generator runs carry the Sobol position
and model seeds), so a resumed run continues the same sequence. It is written to a
temporary file and renamed over the old one
(:func:`ax.storage.json_store.save.write_atomically`): a crash leaves the previous
checkpoint intact. Loading parses plain JSON through ax's closed type registry; a hostile
file cannot run code.

Values in ``fn``'s result that JSON cannot hold are stored as their ``repr``; non-finite
floats as ``{"__float__": "inf"}`` (and back); ints too long for JSON (over 4,000 digits)
and values nested deeper than 50 levels as a short description.

Loading validates every record (:mod:`polaris.records`): a damaged or hand-edited file
raises :class:`~ax.exceptions.JSONDecodeError` naming the file, the record and the field,
never a raw ``ValueError``/``IndexError``/``KeyError``/``RecursionError``. The file stores
the number of records and the SHA-256 of their canonical JSON, and the SHA-256 of the ax
part (format version 2), so a record added, removed, reordered or edited is detected (the
resumed run would otherwise do fewer or more evaluations than asked), and so is an edited
experiment or strategy state. Version 1 files (no count or digests) still load.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from ax.core.experiment import Experiment
from ax.exceptions import AxError, JSONDecodeError, StorageError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.json_store.generation_strategy import (
    generation_strategy_from_json,
    generation_strategy_to_json,
)
from ax.storage.json_store.load import decode_document
from ax.storage.json_store.save import encode_document, write_atomically
from ax.storage.store import ExperimentStore, JSONFileStore, TLoaded
from polaris.records import (
    MAX_RESULT_DEPTH,
    check_depth,
    records_digest,
    validate_record,
)
from polaris.trials import safe_repr

FORMAT = "polaris-checkpoint"
RECORDS_FORMAT = "polaris-records"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
FILENAME = "checkpoint.json"
_FIELDS = frozenset(
    {"format", "format_version", "exp_key", "num_trials", "trials_sha256", "ax_sha256"}
    | {"trials", "ax"}
)
_MAX_INT_BITS = 13_000  # ~3,900 decimal digits: under Python's 4,300-digit str limit


def checkpoint_path(directory: str, exp_key: str) -> str:
    """``<directory>/<exp_key>/checkpoint.json``."""
    return os.path.join(directory, exp_key, FILENAME)


def to_jsonable(value: Any, _depth: int = 0) -> Any:
    """``value`` as strict-JSON values (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        integer = int(value)
        return integer if integer.bit_length() <= _MAX_INT_BITS else safe_repr(integer)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"__float__": repr(number)}
    if _depth >= MAX_RESULT_DEPTH:
        return f"<{type(value).__name__} nested deeper than {MAX_RESULT_DEPTH} levels>"
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist(), _depth)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, _depth + 1) for v in value]
    return safe_repr(value, 10_000)


def from_jsonable(value: Any) -> Any:
    """The inverse of :func:`to_jsonable` for what it can restore."""
    if isinstance(value, dict):
        if value.keys() == {"__float__"} and value["__float__"] in ("inf", "-inf", "nan"):
            return float(value["__float__"])
        return {k: from_jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_jsonable(v) for v in value]
    return value


def save_checkpoint(
    path: str,
    exp_key: str,
    records: Sequence[Mapping[str, Any]],
    experiment: Experiment,
    generation_strategy: GenerationStrategy,
) -> None:
    """Write the checkpoint file atomically (creating its directory).

    Raises:
        StorageError: The file could not be written (the previous one is unchanged).
        JSONEncodeError: The experiment cannot be encoded.
    """
    ax_document = encode_document(experiment)
    ax_document["generation_strategy"] = generation_strategy_to_json(generation_strategy)
    raw_records = to_jsonable(records)
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exp_key": exp_key,
        "num_trials": len(raw_records),
        "trials_sha256": records_digest(raw_records),
        "ax_sha256": records_digest(ax_document),
        "trials": raw_records,
        "ax": ax_document,
    }
    text = json.dumps(document, allow_nan=False, ensure_ascii=True, separators=(",", ":"))
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        write_atomically(path, text.encode("utf-8"))
    except OSError as err:
        raise StorageError(
            f"Polaris checkpoint: could not write {path!r}: {err}; the previous checkpoint "
            "(if any) is unchanged"
        ) from err


def load_checkpoint(
    path: str, exp_key: str
) -> Tuple[List[Dict[str, Any]], Experiment, GenerationStrategy]:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns:
        ``(records, experiment, generation_strategy)``.

    Raises:
        StorageError: The file cannot be read.
        JSONDecodeError: The file is not a valid Polaris checkpoint of ``exp_key``: the
            message names the file, the record and the field (a bad value, nesting deeper
            than :data:`~polaris.records.MAX_DEPTH`, records whose count or digest do not
            match).
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise StorageError(f"Polaris checkpoint: could not read {path!r}: {err}") from err
    except UnicodeDecodeError as err:
        raise JSONDecodeError(f"Polaris checkpoint {path!r}: not UTF-8 text: {err}") from err
    where = f"Polaris checkpoint {path!r}"
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise JSONDecodeError(f"{where}: not valid JSON: nested too deeply") from None
    except ValueError as err:  # also ints over Python's 4,300-digit limit
        raise JSONDecodeError(f"{where}: not valid JSON: {str(err)[:200]}") from err
    check_depth(document, where)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise JSONDecodeError(f"{where}: field 'format' must be {FORMAT!r}")
    version = document.get("format_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise JSONDecodeError(
            f"{where}: field 'format_version' must be one of {list(READABLE_VERSIONS)}, got "
            f"{safe_repr(version)}"
        )
    if document.get("exp_key") != exp_key:
        raise JSONDecodeError(
            f"{where}: field 'exp_key' is {safe_repr(document.get('exp_key'))}, expected "
            f"{exp_key!r}"
        )
    raw_records = document.get("trials")
    if not isinstance(raw_records, list):
        raise JSONDecodeError(f"{where}: field 'trials' must be a list")
    if version >= 2:
        unknown = sorted(set(document) - _FIELDS)
        if unknown:
            raise JSONDecodeError(
                f"{where}: unexpected top-level field(s) {[k[:50] for k in unknown][:5]}"
            )
        _check_integrity(document, raw_records, where)
    records = [validate_record(from_jsonable(raw), i, where) for i, raw in enumerate(raw_records)]
    ax_document = document.get("ax")
    if not isinstance(ax_document, dict) or "generation_strategy" not in ax_document:
        raise JSONDecodeError(f"{where}: field 'ax' must hold an experiment and its strategy")
    if version >= 2 and document.get("ax_sha256") != _digest(ax_document, where, "ax"):
        raise JSONDecodeError(
            f"{where}: the experiment does not match its digest 'ax_sha256' (got "
            f"{safe_repr(document.get('ax_sha256'), 80)}): the file was edited or damaged",
            hint="restore the file from a copy, or delete it to start the experiment again",
        )
    raw_strategy = ax_document.pop("generation_strategy")
    try:
        experiment = decode_document(ax_document)
        strategy = generation_strategy_from_json(raw_strategy, experiment=experiment)
    except Exception as err:  # a damaged 'ax' part: name the file, never a raw error
        kind = "" if isinstance(err, AxError) else f"{type(err).__name__}: "
        raise JSONDecodeError(
            f"{where}: field 'ax' cannot be decoded: {kind}{str(err)[:300]}"
        ) from err
    return records, experiment, strategy


TRecords = List[Dict[str, Any]]


def records_document(records: Sequence[Mapping[str, Any]]) -> str:
    """The records as a records document (JSON text with their count and digest)."""
    raw_records = to_jsonable(records)
    document = {
        "format": RECORDS_FORMAT,
        "num_trials": len(raw_records),
        "trials_sha256": records_digest(raw_records),
        "trials": raw_records,
    }
    return json.dumps(document, allow_nan=False, ensure_ascii=True, separators=(",", ":"))


def records_from_document(text: Optional[str], where: str) -> Tuple[TRecords, List[Any]]:
    """The validated records of a records document, and their raw JSON form (None: no
    records).

    Raises:
        JSONDecodeError: Not a records document, or records whose count or digest do not
            match them, or a record with a bad field (the message names ``where``).
    """
    if text is None:
        return [], []
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise JSONDecodeError(f"{where}: records not valid JSON: nested too deeply") from None
    except (TypeError, ValueError) as err:
        raise JSONDecodeError(f"{where}: records not valid JSON: {str(err)[:200]}") from err
    check_depth(document, where)
    if not isinstance(document, dict) or document.get("format") != RECORDS_FORMAT:
        raise JSONDecodeError(
            f"{where}: the experiment's description is not a Polaris records document "
            f"(field 'format' must be {RECORDS_FORMAT!r})",
            hint="this experiment was not saved by Polaris; use another exp_key",
        )
    raw_records = document.get("trials")
    if not isinstance(raw_records, list):
        raise JSONDecodeError(f"{where}: field 'trials' must be a list")
    _check_integrity(document, raw_records, where)
    records = [validate_record(from_jsonable(raw), i, where) for i, raw in enumerate(raw_records)]
    return records, raw_records


class CheckpointFileStore(JSONFileStore):
    """Polaris checkpoint files, ``<directory>/<exp_key>/checkpoint.json``, as a store.

    The experiment and its strategy go into the file's ``ax`` part, the records document
    carried by the experiment's description into its ``trials`` part with their count
    and digests (format version 2, see the module docstring); loading validates the file
    and puts the records back into the description. A strategy is required.

    Args:
        directory: The checkpoint directory.
    """

    name = "polaris-checkpoint"

    def __init__(self, directory: Union[str, os.PathLike[str]]) -> None:
        super().__init__(directory, single_file=False)

    def file_for(self, name: str) -> Path:
        return Path(checkpoint_path(os.fspath(self.path), name))

    def write_file(
        self, path: Path, experiment: Experiment, generation_strategy: Optional[GenerationStrategy]
    ) -> None:
        if generation_strategy is None:
            raise StorageError(
                f"Polaris checkpoint {os.fspath(path)!r}: a checkpoint needs the generation "
                "strategy"
            )
        where = f"Polaris checkpoint {os.fspath(path)!r}"
        records, _ = records_from_document(experiment.description, where)
        shell = copy.copy(experiment)  # the records go into the file's 'trials' part
        shell.description = None
        save_checkpoint(os.fspath(path), experiment.name, records, shell, generation_strategy)

    def read_file(self, path: Path, name: str) -> TLoaded:
        records, experiment, strategy = load_checkpoint(os.fspath(path), name)
        experiment.description = records_document(records)
        return experiment, strategy

    def __repr__(self) -> str:
        return f"CheckpointFileStore({os.fspath(self.path)!r})"


class Checkpoint:
    """The checkpoint of one Polaris experiment on a store.

    Args:
        store: Where it is saved (:class:`CheckpointFileStore` for checkpoint files).
        exp_key: The experiment's name in the store.
    """

    def __init__(self, store: ExperimentStore, exp_key: str) -> None:
        self.store = store
        self.exp_key = exp_key

    @property
    def where(self) -> str:
        """How messages name the checkpoint: the key and the store."""
        return f"{self.exp_key!r} in {self.store!r}"

    def exists(self) -> bool:
        """Whether the store holds a checkpoint of this experiment."""
        return self.store.exists(self.exp_key)

    def save(
        self,
        records: Sequence[Mapping[str, Any]],
        experiment: Experiment,
        generation_strategy: GenerationStrategy,
    ) -> None:
        """Save the records, the experiment and its strategy (the experiment's
        description is set to the records document).

        Raises:
            StorageError: The store could not write (what it held before is unchanged).
            JSONEncodeError: The experiment cannot be encoded.
        """
        experiment.description = records_document(records)
        self.store.save_experiment(experiment, generation_strategy)

    def load(self) -> Tuple[TRecords, Experiment, GenerationStrategy]:
        """``(records, experiment, generation_strategy)`` as saved.

        Raises:
            StorageError / JSONDecodeError: The checkpoint cannot be read or is not a
                valid Polaris checkpoint of this experiment (the message says where).
        """
        experiment, strategy = self.store.load(self.exp_key)
        where = f"Polaris checkpoint {self.where}"
        if strategy is None:
            raise JSONDecodeError(f"{where}: no generation strategy was stored with it")
        records, _ = records_from_document(experiment.description, where)
        return records, experiment, strategy

    def __repr__(self) -> str:
        return f"Checkpoint({self.store!r}, exp_key={self.exp_key!r})"


def _check_integrity(document: Dict[str, Any], raw_records: List[Any], where: str) -> None:
    """The stored count and digest of the records match them (format version 2)."""
    count = document.get("num_trials")
    if isinstance(count, bool) or not isinstance(count, int):
        raise JSONDecodeError(f"{where}: field 'num_trials' must be an int, got {safe_repr(count)}")
    if count != len(raw_records):
        raise JSONDecodeError(
            f"{where}: field 'trials' holds {len(raw_records)} records but 'num_trials' says "
            f"{count}: records were added or removed",
            hint="restore the file from a copy, or delete it to start the experiment again",
        )
    digest = document.get("trials_sha256")
    if digest != _digest(raw_records, where, "trials"):
        raise JSONDecodeError(
            f"{where}: the records do not match their digest 'trials_sha256' (got "
            f"{safe_repr(digest, 80)}): records were edited, reordered, added or removed",
            hint="restore the file from a copy, or delete it to start the experiment again",
        )


def _digest(value: Any, where: str, field: str) -> str:
    try:
        return records_digest(value)
    except ValueError as err:  # a value JSON cannot hold
        raise JSONDecodeError(f"{where}: field {field!r} cannot be digested: {err}") from err


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")


__all__ = [
    "Checkpoint",
    "CheckpointFileStore",
    "checkpoint_path",
    "load_checkpoint",
    "records_document",
    "records_from_document",
    "save_checkpoint",
]
