"""Checks of the Polaris records read from a checkpoint: every field, the nesting, the count.

A checkpoint (:mod:`polaris.checkpoint`) stores the records of :class:`~polaris.Trials`
as JSON. Before a resumed run uses them, :func:`validate_records` checks each one and
raises :class:`~ax.exceptions.JSONDecodeError` naming the file, the record and the field
(``trials[3] field 'loss' must be a real number, got 'abc'``), so that no hand-edited or
damaged file reaches the bookkeeping as a raw ``ValueError``, ``IndexError`` or
``KeyError``. :func:`records_digest` is the SHA-256 of the records' canonical JSON: the
checkpoint stores it with their count, and a file whose records were added, removed,
reordered or edited is refused instead of silently changing the number of evaluations
left. :func:`check_depth` bounds the nesting of a whole document (iteratively: a deeply
nested file gives a clear error, never a ``RecursionError``).
"""

from __future__ import annotations

import hashlib
import json
import math
from numbers import Real
from typing import Any, Dict, List, Tuple

from ax.exceptions import JSONDecodeError
from polaris.trials import STATUS_SUCCESS, STATUSES, safe_repr

RECORD_KEYS = frozenset({"result", "loss", "params", "exp_key", "eval_count", "status"})
MAX_DEPTH = 100
"""Deepest nesting of lists and objects a checkpoint may hold (a real one has ~12; a
result nested deeper than :data:`MAX_RESULT_DEPTH` is stored cut)."""
MAX_RESULT_DEPTH = 50
"""Nesting kept of a result's values when a checkpoint is written."""


def records_digest(raw_records: Any) -> str:
    """The hex SHA-256 of the records' (or any JSON value's) canonical JSON (sorted keys,
    ASCII, no spaces).

    Raises:
        ValueError: A value JSON cannot hold (a non-finite float, an int over Python's
            4,300-digit limit).
    """
    text = json.dumps(
        raw_records, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def check_depth(document: Any, where: str, limit: int = MAX_DEPTH) -> None:
    """Raise if ``document`` nests lists/objects deeper than ``limit`` (iterative walk).

    Raises:
        JSONDecodeError: Too deep; the message names the path where the limit is crossed.
    """
    stack: List[Tuple[Any, int, str]] = [(document, 0, "")]
    while stack:
        value, depth, path = stack.pop()
        if not isinstance(value, (dict, list)):
            continue
        if depth >= limit:
            raise JSONDecodeError(
                f"{where}: nested deeper than {limit} levels at {path or 'the top'}",
                hint="the file is damaged or was not written by Polaris",
            )
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            label = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
            stack.append((item, depth + 1, label.lstrip(".")))


def _number(value: Any, field: str, where: str) -> float:
    """``value`` as a float if it is a real number (not a bool) that fits one."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise JSONDecodeError(
            f"{where} field {field} must be a real number, got {safe_repr(value)}"
        )
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        raise JSONDecodeError(
            f"{where} field {field} must be a number that fits a float, got {safe_repr(value)}"
        ) from None


def validate_record(record: Any, index: int, where: str) -> Dict[str, Any]:
    """Check one record (already passed through ``from_jsonable``); return it.

    Raises:
        JSONDecodeError: A field is missing, extra or of the wrong type or value (the
            message names ``where``, ``trials[index]`` and the field).
    """
    at = f"{where}: trials[{index}]"
    if not isinstance(record, dict):
        raise JSONDecodeError(f"{at} must be an object, got {type(record).__name__}")
    missing, extra = sorted(RECORD_KEYS - record.keys()), sorted(record.keys() - RECORD_KEYS)
    if missing or extra:
        raise JSONDecodeError(
            f"{at} must have the fields {sorted(RECORD_KEYS)}; missing {missing}, "
            f"unexpected {[k[:50] for k in extra]}"
        )
    if not isinstance(record["result"], dict):
        raise JSONDecodeError(
            f"{at} field 'result' must be an object, got {safe_repr(record['result'])}"
        )
    params = record["params"]
    if not isinstance(params, dict):
        raise JSONDecodeError(f"{at} field 'params' must be an object, got {safe_repr(params)}")
    for label, value in params.items():
        _number(value, f"'params.{safe_repr(label, 50)[1:-1]}'", at)
    status = record["status"]
    if isinstance(status, bool) or not isinstance(status, int) or status not in STATUSES:
        raise JSONDecodeError(
            f"{at} field 'status' must be one of {list(STATUSES)}, got {safe_repr(status)}"
        )
    loss = _number(record["loss"], "'loss'", at)
    if status == STATUS_SUCCESS and not math.isfinite(loss):
        raise JSONDecodeError(f"{at} field 'loss' of a success must be finite, got {loss!r}")
    if record["exp_key"] is not None and not isinstance(record["exp_key"], str):
        raise JSONDecodeError(
            f"{at} field 'exp_key' must be a string or null, got {safe_repr(record['exp_key'])}"
        )
    count = record["eval_count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise JSONDecodeError(
            f"{at} field 'eval_count' must be an int >= 0, got {safe_repr(count)}"
        )
    return record


__all__ = [
    "MAX_DEPTH",
    "MAX_RESULT_DEPTH",
    "RECORD_KEYS",
    "check_depth",
    "records_digest",
    "validate_record",
]
