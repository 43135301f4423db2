"""Atomic JSON checkpoints of a Polaris experiment (never pickle).

One file, ``<directory>/<exp_key>/checkpoint.json``, holds the Polaris records and the ax
experiment with its generation strategy (whose generator runs carry the Sobol position
and model seeds), so a resumed run continues the same sequence. It is written to a
temporary file and renamed over the old one
(:func:`ax.storage.json_store.save.write_atomically`): a crash leaves the previous
checkpoint intact. Loading parses plain JSON through ax's closed type registry; a hostile
file cannot run code.

Values in ``fn``'s result that JSON cannot hold are stored as their ``repr``; non-finite
floats as ``{"__float__": "inf"}`` (and back).
"""

from __future__ import annotations

import json
import math
import os
from typing import Any, Dict, List, Mapping, Tuple

import numpy as np

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError, StorageError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.storage.json_store.generation_strategy import (
    generation_strategy_from_json,
    generation_strategy_to_json,
)
from ax.storage.json_store.load import decode_document
from ax.storage.json_store.save import encode_document, write_atomically

FORMAT = "polaris-checkpoint"
FORMAT_VERSION = 1
FILENAME = "checkpoint.json"
_RECORD_KEYS = frozenset({"result", "loss", "params", "exp_key", "eval_count", "status"})


def checkpoint_path(directory: str, exp_key: str) -> str:
    """``<directory>/<exp_key>/checkpoint.json``."""
    return os.path.join(directory, exp_key, FILENAME)


def to_jsonable(value: Any) -> Any:
    """``value`` as strict-JSON values (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else {"__float__": repr(number)}
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return repr(value)


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
    records: List[Dict[str, Any]],
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
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exp_key": exp_key,
        "trials": to_jsonable(records),
        "ax": ax_document,
    }
    text = json.dumps(document, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
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
        JSONDecodeError: The file is not a Polaris checkpoint of ``exp_key``; the message
            names the field.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as err:
        raise StorageError(f"Polaris checkpoint: could not read {path!r}: {err}") from err
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:
        raise JSONDecodeError(f"Polaris checkpoint {path!r}: not valid JSON: {err}") from err
    where = f"Polaris checkpoint {path!r}"
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise JSONDecodeError(f"{where}: field 'format' must be {FORMAT!r}")
    if document.get("format_version") != FORMAT_VERSION:
        raise JSONDecodeError(
            f"{where}: field 'format_version' must be {FORMAT_VERSION}, got "
            f"{document.get('format_version')!r}"
        )
    if document.get("exp_key") != exp_key:
        raise JSONDecodeError(
            f"{where}: field 'exp_key' is {document.get('exp_key')!r}, expected {exp_key!r}"
        )
    raw_records = document.get("trials")
    if not isinstance(raw_records, list):
        raise JSONDecodeError(f"{where}: field 'trials' must be a list")
    records: List[Dict[str, Any]] = []
    for i, raw in enumerate(raw_records):
        if not isinstance(raw, dict) or raw.keys() != _RECORD_KEYS:
            raise JSONDecodeError(
                f"{where}: trials[{i}] must have the fields {sorted(_RECORD_KEYS)}"
            )
        records.append(from_jsonable(raw))
    ax_document = document.get("ax")
    if not isinstance(ax_document, dict) or "generation_strategy" not in ax_document:
        raise JSONDecodeError(f"{where}: field 'ax' must hold an experiment and its strategy")
    raw_strategy = ax_document.pop("generation_strategy")
    experiment = decode_document(ax_document)
    strategy = generation_strategy_from_json(raw_strategy, experiment=experiment)
    return records, experiment, strategy


def _reject_constant(token: str) -> Any:
    raise ValueError(f"non-standard JSON constant {token}")


__all__ = ["checkpoint_path", "load_checkpoint", "save_checkpoint"]
