"""Typed columns for :class:`ax.core.data.Data`: casting, validation, helpers.

Every column has a kind (``str``, ``json``, ``float``, ``int``, ``datetime``); the
functions here turn user input (sequences, numpy arrays, pandas columns) into the
canonical numpy arrays described in :mod:`ax.core.data`, with no pandas unless a
DataFrame is given. It is an implementation module of ``Data``; use ``Data`` itself.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from typing import Any, Dict, FrozenSet, Iterable, Mapping, Sequence, Union

import numpy as np
import numpy.typing as npt

from ax.exceptions import UserInputError, UserInputTypeError

TArray = npt.NDArray[Any]
TColumnValues = Union[Sequence[Any], TArray]

COLUMN_DATA_TYPES: Dict[str, str] = {
    "arm_name": "str",
    "metric_name": "str",
    "mean": "float",
    "sem": "float",
    "trial_index": "int",
    "start_time": "datetime",
    "end_time": "datetime",
    "n": "int",
    "frac_nonnull": "float",
    "random_split": "int",
    "fidelities": "json",
}
REQUIRED_COLUMNS: FrozenSet[str] = frozenset({"arm_name", "metric_name", "mean"})
_TIME = np.dtype("datetime64[ms]")
_NAT = np.datetime64("NaT", "ms")


def validate_columns(
    columns: Mapping[Any, Any], types: Mapping[str, str], required: FrozenSet[str]
) -> Dict[str, TArray]:
    """Check names and lengths, cast every column, drop all-missing rows, check values.

    Args:
        columns: Column name -> values (sequences or 1-D arrays of one length ``n``).
        types: Known column name -> kind, in canonical order (see ``COLUMN_DATA_TYPES``).
        required: Columns that must be present.

    Returns:
        Column name -> new 1-D array of length ``n`` (or fewer after dropping rows that
        are entirely missing), in canonical order.

    Raises:
        UserInputError: Unknown or missing columns, unequal lengths, a missing name, a
            non-finite mean, an invalid SEM, or a value that cannot be cast.
        UserInputTypeError: A column is not a sequence, or holds values of a wrong type.
    """
    unknown = [str(name) for name in columns if name not in types]
    if unknown:
        raise UserInputError(
            f"Data: columns {sorted(unknown)} are not supported; known columns are {list(types)}"
        )
    missing = sorted(required - set(columns))
    if missing:
        raise UserInputError(
            f"Data: missing required columns {missing}; required columns are {sorted(required)}"
        )
    lengths = {name: _length(name, values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise UserInputError(f"Data: columns must all have the same length, got {lengths}")
    n = next(iter(lengths.values()))
    out = {
        name: _CONVERTERS[kind](name, columns[name], n)
        for name, kind in types.items()
        if name in columns
    }
    out = _drop_missing_rows(out, types, required)
    _check_values(out, types, required)
    return out


def _length(name: str, values: Any) -> int:
    if isinstance(values, (str, bytes)) or (isinstance(values, np.ndarray) and values.ndim != 1):
        raise UserInputTypeError(
            f"Data: column '{name}' must be a sequence or 1-D array, got {values!r}"
        )
    try:
        return len(values)
    except TypeError as err:
        raise UserInputTypeError(
            f"Data: column '{name}' must be a sequence or 1-D array, got {type(values).__name__}"
        ) from err


def frame_to_columns(df: Any) -> Dict[Any, TArray]:
    """The columns of a pandas DataFrame as arrays (extension dtypes as objects)."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise UserInputTypeError(f"Data: df must be a pandas DataFrame, got {type(df).__name__}")
    if df.columns.has_duplicates:
        duplicated = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise UserInputError(f"Data: df has duplicate columns {duplicated}")
    columns: Dict[Any, TArray] = {}
    for name in df.columns:
        series = df[name]
        if isinstance(series.dtype, np.dtype):
            columns[name] = series.to_numpy()
        else:  # pandas extension dtypes (str, Int64, tz-aware datetimes, ...)
            columns[name] = series.astype(object).to_numpy()
    return columns


def _object_column(name: str, values: Any, n: int, json_ok: bool) -> TArray:
    if isinstance(values, np.ndarray):
        arr = values.astype(object)
    else:
        arr = np.fromiter(values, dtype=object, count=n)
    if all(issubclass(t, str) for t in set(map(type, arr))):
        return arr
    for i, value in enumerate(arr):
        if isinstance(value, str):
            continue
        if _is_missing(value):
            arr[i] = None
        elif json_ok and isinstance(value, dict):
            arr[i] = json.dumps(value)
        else:
            raise UserInputTypeError(
                f"Data: column '{name}' must hold strings, got {value!r} "
                f"({type(value).__name__}) at row {i}"
            )
    return arr


def _str_column(name: str, values: Any, n: int) -> TArray:
    return _object_column(name, values, n, json_ok=False)


def _json_column(name: str, values: Any, n: int) -> TArray:
    return _object_column(name, values, n, json_ok=True)


def _float_column(name: str, values: Any, n: int) -> TArray:
    raw = np.asarray(values)
    if raw.dtype.kind in "fiu":
        return raw.astype(np.float64)
    # Anything else is checked value by value, so that the message names the bad one.
    out = np.empty(len(raw), dtype=np.float64)
    if raw.dtype.kind == "O":
        items: Iterable[Any] = raw
    else:  # e.g. strings or bools: read the caller's values, not numpy's coercions
        items = raw.tolist() if isinstance(values, np.ndarray) else values
    for i, value in enumerate(items):
        if _is_missing(value):
            out[i] = np.nan
        elif is_number(value):
            out[i] = float(value)
        else:
            raise UserInputTypeError(
                f"Data: column '{name}' must hold numbers, got {value!r} "
                f"({type(value).__name__}) at row {i}"
            )
    return out


def _int_column(name: str, values: Any, n: int) -> TArray:
    raw = np.asarray(values)
    if raw.dtype.kind in "iu":
        return raw.astype(np.int64)
    floats = _float_column(name, raw, n)
    present = floats[~np.isnan(floats)]
    bad = ~np.isfinite(present) | (present != np.trunc(present))
    if bad.any():
        raise UserInputError(
            f"Data: column '{name}' must hold integers, got {float(present[bad][0])!r}"
        )
    return canonical_int(floats)


def _datetime_column(name: str, values: Any, n: int) -> TArray:
    raw = np.asarray(values)
    kind = raw.dtype.kind
    if kind == "M":
        return raw.astype(_TIME)
    if kind in "iu":  # milliseconds since the epoch
        return raw.astype(np.int64).astype(_TIME)
    if kind == "f":
        if np.isinf(raw).any():
            raise UserInputError(f"Data: column '{name}' has an infinite time")
        out = np.full(len(raw), _NAT, dtype=_TIME)
        present = ~np.isnan(raw)
        out[present] = np.round(raw[present]).astype(np.int64).astype(_TIME)
        return out
    if kind in "OU":
        return np.array([_to_time(name, value) for value in raw], dtype=_TIME)
    raise UserInputTypeError(f"Data: column '{name}' must hold times, got dtype {raw.dtype}")


def _to_time(name: str, value: Any) -> np.datetime64:
    if _is_missing(value):
        return _NAT
    if is_number(value):
        if not math.isfinite(float(value)):
            raise UserInputError(f"Data: column '{name}' has an infinite time, got {value!r}")
        return np.datetime64(int(round(float(value))), "ms")
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    if isinstance(value, (datetime, date, np.datetime64, str)):
        parseable: Any = value
        try:
            return np.datetime64(parseable, "ms")
        except ValueError as err:
            raise UserInputError(f"Data: column '{name}' must hold times, got {value!r}") from err
    raise UserInputTypeError(
        f"Data: column '{name}' must hold times (ms since epoch or datetimes), got "
        f"{value!r} ({type(value).__name__})"
    )


_CONVERTERS = {
    "str": _str_column,
    "json": _json_column,
    "float": _float_column,
    "int": _int_column,
    "datetime": _datetime_column,
}


def _missing_mask(arr: TArray) -> npt.NDArray[np.bool_]:
    kind = arr.dtype.kind
    if kind == "O":
        return np.asarray(arr == None, dtype=np.bool_)  # noqa: E711 (elementwise)
    if kind == "f":
        return np.isnan(arr)
    if kind == "M":
        return np.isnat(arr)
    return np.zeros(len(arr), dtype=bool)


def _drop_missing_rows(
    columns: Dict[str, TArray], types: Mapping[str, str], required: FrozenSet[str]
) -> Dict[str, TArray]:
    # A row can be entirely missing only if its arm_name is missing: check that first.
    if not any(_missing_mask(columns[name]).any() for name in required if types[name] == "str"):
        return columns
    all_missing = np.logical_and.reduce([_missing_mask(arr) for arr in columns.values()])
    if not all_missing.any():
        return columns
    keep = ~all_missing
    return {
        name: canonical_int(arr[keep]) if types[name] == "int" else arr[keep]
        for name, arr in columns.items()
    }


def _check_values(
    columns: Dict[str, TArray], types: Mapping[str, str], required: FrozenSet[str]
) -> None:
    for name in sorted(required):
        if types[name] in ("str", "json"):
            missing = _missing_mask(columns[name])
            if missing.any():
                row = int(np.flatnonzero(missing)[0])
                raise UserInputError(
                    f"Data: column '{name}' must not have missing values, got None at row {row}"
                )

    def where(row: int) -> str:
        return f"for arm '{columns['arm_name'][row]}', metric '{columns['metric_name'][row]}'"

    mean = columns["mean"]
    bad = ~np.isfinite(mean)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise UserInputError(
            f"Data: mean must be finite, got mean={float(mean[row])!r} {where(row)}"
        )
    sem = columns.get("sem")
    if sem is not None:
        bad = ~(np.isnan(sem) | (np.isfinite(sem) & (sem >= 0)))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise UserInputError(
                "Data: sem must be finite and >= 0 (NaN when unknown), got "
                f"sem={float(sem[row])!r} {where(row)}"
            )


def empty_columns(types: Mapping[str, str], required: FrozenSet[str]) -> Dict[str, TArray]:
    """Zero-length arrays for the required columns, in canonical order."""
    return {
        name: np.empty(0, dtype=_NUMPY_DTYPES[kind])
        for name, kind in types.items()
        if name in required
    }


_NUMPY_DTYPES = {
    "str": np.dtype(object),
    "json": np.dtype(object),
    "float": np.dtype(np.float64),
    "int": np.dtype(np.int64),
    "datetime": _TIME,
}


def missing_like(template: TArray, n: int) -> TArray:
    """``n`` missing values (None, NaT or NaN) for a column like ``template``."""
    kind = template.dtype.kind
    if kind == "O":
        return np.full(n, None, dtype=object)
    if kind == "M":
        return np.full(n, _NAT, dtype=_TIME)
    return np.full(n, np.nan, dtype=np.float64)


def canonical_int(arr: TArray) -> TArray:
    """An integer column is int64 unless it has missing values (then float64 + NaN)."""
    if arr.dtype.kind == "f" and not np.isnan(arr).any():
        return arr.astype(np.int64)
    return arr


def freeze(arr: TArray) -> TArray:
    """Mark ``arr`` read-only and return it."""
    arr.flags.writeable = False
    return arr


def arrays_equal(a: TArray, b: TArray) -> bool:
    """Equal shape and values, NaN equal to NaN and NaT to NaT."""
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "O" or b.dtype.kind == "O":
        return a.dtype.kind == b.dtype.kind and bool(np.array_equal(a, b))
    if (a.dtype.kind == "M") != (b.dtype.kind == "M"):
        return False
    return bool(np.array_equal(a, b, equal_nan=True))


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NaTType", "NAType")


def is_number(value: Any) -> bool:
    """An int or float (Python or numpy), not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


__all__ = [
    "COLUMN_DATA_TYPES",
    "REQUIRED_COLUMNS",
    "TArray",
    "TColumnValues",
    "arrays_equal",
    "canonical_int",
    "empty_columns",
    "frame_to_columns",
    "freeze",
    "is_number",
    "missing_like",
    "validate_columns",
]
