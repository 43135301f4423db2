"""Experiment data as one columnar table in JSON, and back, without pandas.

An experiment keeps its data per trial and per storage time (``_data_by_trial``:
trial index -> storage time in ms -> :class:`~ax.core.data.Data`). The JSON form is one
table for the whole experiment::

    {"__type": "ExperimentData",
     "columns": {"trial_index": [0, 0, 1, 1], "storage_ts": [t0, t0, t1, t1],
                 "arm_name": ["0_0", "0_0", "1_0", "1_0"], "metric_name": ["a", "b", "a", "b"],
                 "mean": [1.0, 2.0, 3.0, 4.0], "sem": [0.1, null, 0.1, null], ...},
     "descriptions": {"<trial_index>/<storage_ts>": "text", ...},
     "absent_columns": {"<trial_index>/<storage_ts>": ["sem", ...], ...},
     "empty_versions": [[trial_index, storage_ts], ...]}

Each row belongs to the version ``(trial_index, storage_ts)``; the table also holds every
optional Data column that any version has. Missing values are ``null``; a float column
keeps infinities in the explicit ``{"__type": "float", ...}`` form; times are integer
milliseconds since the epoch. ``descriptions`` lists the non-null descriptions,
``absent_columns`` the columns a version does not have (when versions differ), and
``empty_versions`` the versions without rows.

Loading validates the whole table once (:meth:`Data.from_columns`), groups the rows by
version with numpy (a stable ``lexsort``; the file is written grouped, so usually no
reordering is needed) and wraps each group's slices as a Data, restoring
``_data_by_trial`` with each trial's versions in storage-time order.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Tuple, Type

import numpy as np

from ax.storage.json_store.schema import (
    SPECIAL_FLOATS,
    DecodeFailure,
    EncodeFailure,
    check_fields,
    describe,
    special_float,
)

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.data import Data

_NAT = np.datetime64("NaT", "ms")
KEY_COLUMNS = ("trial_index", "storage_ts")
EXPERIMENT_DATA_FIELDS = frozenset(
    {"__type", "columns", "descriptions", "absent_columns", "empty_versions"}
)
DATA_FIELDS = frozenset({"__type", "columns", "description"})


def version_key(trial_index: int, storage_ts: int) -> str:
    """The key of one stored data version in ``descriptions`` and ``absent_columns``."""
    return f"{trial_index}/{storage_ts}"


# ---------------------------------------------------------------------- encoding
def column_to_json(arr: np.ndarray, kind: str) -> List[Any]:
    """One Data column as a JSON list: missing values are null, times are int ms.

    Args:
        arr: The column, a 1-D array of length ``n``.
        kind: The column's kind in ``Data.column_data_types()`` (``str``, ``json``,
            ``float``, ``int`` or ``datetime``).

    Returns:
        A list of ``n`` JSON values.
    """
    if kind == "datetime":
        values = arr.astype("datetime64[ms]").astype(np.int64).tolist()
        missing = np.isnat(arr)
        if missing.any():
            for i in np.flatnonzero(missing).tolist():
                values[i] = None
        return values
    dtype_kind = arr.dtype.kind
    if dtype_kind == "f":
        values = arr.tolist()
        if kind == "int":
            return [None if x != x else int(x) for x in values]
        if np.isfinite(arr).all():
            return values
        return [x if x - x == 0 else (None if x != x else special_float(x)) for x in values]
    if dtype_kind in "iu":
        return arr.tolist()
    if dtype_kind == "b":
        return arr.astype(np.int64).tolist()
    values = arr.tolist()
    for value in values:
        if value is not None and type(value) is not str:
            raise EncodeFailure(f"column values must be str or null, got {value!r}")
    return values


def _missing_column(kind: str, n: int) -> np.ndarray:
    if kind == "datetime":
        return np.full(n, _NAT)
    if kind in ("float", "int"):
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def encode_data(data: Data, enc: Any, name: str) -> Dict[str, Any]:
    """A single Data (outside an experiment): ``{"columns": {...}, "description": ...}``."""
    kinds = type(data).column_data_types()
    columns = {}
    for col, arr in data.columns.items():
        try:
            columns[col] = column_to_json(arr, kinds.get(col, "str"))
        except EncodeFailure as failure:
            raise failure.at(f".columns[{col!r}]") from None
    return {"__type": name, "columns": columns, "description": data.description}


def encode_experiment_data(data_by_trial: Mapping[int, Mapping[int, Data]]) -> Dict[str, Any]:
    """All data of an experiment as one columnar table (see the module docs).

    Args:
        data_by_trial: Trial index -> storage time (ms) -> Data.

    Raises:
        EncodeFailure: A version is not a plain Data, or holds rows of another trial.
    """
    from ax.core.data import Data

    kinds = Data.column_data_types()
    versions: List[Tuple[int, int, Data]] = []
    for trial_index in sorted(data_by_trial):
        for ts, data in data_by_trial[trial_index].items():
            if type(data) is not Data:
                raise EncodeFailure(
                    f"the data of trial {trial_index} stored at {ts} is a "
                    f"{type(data).__name__}, not a Data"
                )
            versions.append((trial_index, ts, data))
    layouts = {tuple(v[2].columns) for v in versions}
    present = {c for layout in layouts for c in layout}
    names = [c for c in kinds if c in present]
    if "trial_index" not in names:
        names.insert(0, "trial_index")
    full = tuple(names)
    parts: Dict[str, List[np.ndarray]] = {c: [] for c in names}
    sizes: List[int] = []
    descriptions: Dict[str, str] = {}
    absent: Dict[str, List[str]] = {}
    empty: List[List[int]] = []
    for trial_index, ts, data in versions:
        columns = data.columns
        n = len(data)
        sizes.append(n)
        if n == 0:
            empty.append([trial_index, ts])
        if data.description is not None:
            descriptions[version_key(trial_index, ts)] = data.description
        if tuple(columns) == full:
            for c in names:
                parts[c].append(columns[c])
            continue
        absent[version_key(trial_index, ts)] = [c for c in names if c not in columns]
        for c in names:
            if c in columns:
                parts[c].append(columns[c])
            elif c == "trial_index":
                parts[c].append(np.full(n, trial_index, dtype=np.int64))
            else:
                parts[c].append(_missing_column(kinds[c], n))
    counts = np.asarray(sizes, dtype=np.int64)
    keys = np.repeat(np.asarray([v[0] for v in versions], dtype=np.int64), counts)
    stamps = np.repeat(np.asarray([v[1] for v in versions], dtype=np.int64), counts)
    if versions:
        own_index = np.concatenate(parts["trial_index"])
        wrong = own_index != keys
        if wrong.any():
            row = int(np.flatnonzero(wrong)[0])
            raise EncodeFailure(
                f"the data stored for trial {int(keys[row])} has a row with trial_index "
                f"{own_index[row]!r}; data is stored per trial"
            )
    table: Dict[str, Any] = {"trial_index": keys.tolist(), "storage_ts": stamps.tolist()}
    for c in names:
        if c == "trial_index":
            continue
        merged = np.concatenate(parts[c]) if parts[c] else _missing_column(kinds[c], 0)
        try:
            table[c] = column_to_json(merged, kinds[c])
        except EncodeFailure as failure:
            raise failure.at(f".columns[{c!r}]") from None
    return {
        "__type": "ExperimentData",
        "columns": table,
        "descriptions": descriptions,
        "absent_columns": absent,
        "empty_versions": empty,
    }


# ---------------------------------------------------------------------- decoding
def _fail_at(reason: str, segment: str) -> DecodeFailure:
    failure = DecodeFailure(reason)
    failure.at(segment)
    return failure


def _float_values(name: str, values: List[Any]) -> np.ndarray:
    for value in values:
        t = type(value)
        if t is not float and t is not int and value is not None:
            break
    else:
        return np.array(values, dtype=np.float64)
    out = np.empty(len(values), dtype=np.float64)
    for i, value in enumerate(values):
        t = type(value)
        if t is float or t is int:
            out[i] = value
        elif value is None:
            out[i] = np.nan
        elif (
            t is dict
            and value.keys() == {"__type", "value"}
            and value["__type"] == "float"
            and value["value"] in SPECIAL_FLOATS
        ):
            out[i] = SPECIAL_FLOATS[value["value"]]
        else:
            raise _fail_at(f"must hold numbers or null, got {describe(value)} at row {i}", name)
    return out


def _int_values(name: str, values: List[Any], allow_null: bool = True) -> np.ndarray:
    has_null = False
    for i, value in enumerate(values):
        if type(value) is not int:
            if value is None and allow_null:
                has_null = True
                continue
            expected = "integers or null" if allow_null else "integers"
            raise _fail_at(f"must hold {expected}, got {describe(value)} at row {i}", name)
    try:
        if not has_null:
            return np.array(values, dtype=np.int64)
        return np.array(values, dtype=np.float64)
    except OverflowError as err:
        raise _fail_at(f"holds an integer out of range: {err}", name) from err


def _time_values(name: str, values: List[Any]) -> np.ndarray:
    ints = _int_values(name, values)
    if ints.dtype.kind == "i":
        return ints.astype("datetime64[ms]")
    out = np.full(len(ints), _NAT)
    present = ~np.isnan(ints)
    out[present] = ints[present].astype(np.int64).astype("datetime64[ms]")
    return out


def _str_values(name: str, values: List[Any]) -> np.ndarray:
    for i, value in enumerate(values):
        if type(value) is not str and value is not None:
            raise _fail_at(f"must hold strings or null, got {describe(value)} at row {i}", name)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


_READERS = {
    "str": _str_values,
    "json": _str_values,
    "float": _float_values,
    "int": _int_values,
    "datetime": _time_values,
}


def columns_from_json(columns: Any, kinds: Mapping[str, str]) -> Dict[str, np.ndarray]:
    """Read a JSON object of Data columns into arrays (checked, not yet validated).

    Raises:
        DecodeFailure: A column is unknown, not a list, or holds values of a wrong type.
    """
    if type(columns) is not dict:
        raise _fail_at(f"must be an object of columns, got {describe(columns)}", ".columns")
    out = {}
    for name, values in columns.items():
        kind = kinds.get(name)
        if kind is None:
            raise _fail_at(
                f"unknown data column {name!r}; known columns are {list(kinds)}", ".columns"
            )
        if type(values) is not list:
            raise _fail_at(f"must be a list, got {describe(values)}", f".columns[{name!r}]")
        try:
            out[name] = _READERS[kind](name, values)
        except DecodeFailure as failure:
            failure.segments[-1] = f".columns[{name!r}]"
            raise
    return out


def decode_data(cls: Type[Data], d: Dict[str, Any], dec: Any) -> Data:
    """A single Data from ``{"columns": {...}, "description": ...}`` (fully validated)."""
    check_fields(d, DATA_FIELDS, "Data")
    description = d["description"]
    if description is not None and type(description) is not str:
        raise _fail_at(f"must be a str or null, got {describe(description)}", ".description")
    columns = columns_from_json(d["columns"], cls.column_data_types())
    return cls.from_columns(columns, description)


def _parse_version_key(key: str, segment: str) -> Tuple[int, int]:
    left, sep, right = key.partition("/")
    if sep and left.lstrip("-").isdigit() and right.lstrip("-").isdigit():
        return int(left), int(right)
    raise _fail_at(f"keys must be '<trial_index>/<storage_ts>', got {key!r}", segment)


def _version_map(value: Any, segment: str, item_check: Any) -> Dict[Tuple[int, int], Any]:
    if type(value) is not dict:
        raise _fail_at(f"must be an object, got {describe(value)}", segment)
    out = {}
    for key, item in value.items():
        item_check(item, f"{segment}[{key!r}]")
        out[_parse_version_key(key, segment)] = item
    return out


def _check_description(item: Any, segment: str) -> None:
    if type(item) is not str:
        raise _fail_at(f"must be a str, got {describe(item)}", segment)


def _check_name_list(item: Any, segment: str) -> None:
    if type(item) is not list or not all(type(x) is str for x in item):
        raise _fail_at(f"must be a list of column names, got {describe(item)}", segment)


def decode_experiment_data(
    d: Any, trial_indices: Any
) -> Tuple[Dict[int, OrderedDict[int, Data]], int]:
    """Rebuild ``_data_by_trial`` from the columnar table.

    Args:
        d: The decoded JSON object of type ``ExperimentData``.
        trial_indices: The experiment's trial indices (a container); data of another
            trial is rejected.

    Returns:
        ``(data_by_trial, max storage_ts or -1)``.

    Raises:
        DecodeFailure: The table is malformed or its values are invalid.
    """
    from ax.core.data import Data

    if type(d) is not dict or d.get("__type") != "ExperimentData":
        raise DecodeFailure(f"must be an object of type 'ExperimentData', got {describe(d)}")
    check_fields(d, EXPERIMENT_DATA_FIELDS, "ExperimentData")
    columns = d["columns"]
    if type(columns) is not dict:
        raise _fail_at(f"must be an object of columns, got {describe(columns)}", ".columns")
    for column in KEY_COLUMNS:
        if type(columns.get(column)) is not list:
            raise _fail_at(
                f"must be a list, got {describe(columns.get(column))}", f".columns[{column!r}]"
            )
    ti = _int_values("trial_index", columns["trial_index"], allow_null=False)
    ts = _int_values("storage_ts", columns["storage_ts"], allow_null=False)
    data_columns = {k: v for k, v in columns.items() if k != "storage_ts"}
    arrays = columns_from_json(data_columns, Data.column_data_types())
    n = len(ti)
    lengths = {name: len(arr) for name, arr in arrays.items()}
    lengths["storage_ts"] = len(ts)
    if any(length != n for length in lengths.values()):
        raise _fail_at(f"columns must all have the same length, got {lengths}", ".columns")
    descriptions = _version_map(d["descriptions"], ".descriptions", _check_description)
    absent = _version_map(d["absent_columns"], ".absent_columns", _check_name_list)
    empty = d["empty_versions"]
    if type(empty) is not list or not all(
        type(v) is list and len(v) == 2 and all(type(x) is int for x in v) for v in empty
    ):
        raise _fail_at(
            f"must be a list of [trial_index, storage_ts] pairs, got {describe(empty)}",
            ".empty_versions",
        )
    validated: Mapping[str, np.ndarray] = {}
    if n:
        try:
            table = Data.from_columns(arrays)
        except Exception as err:
            raise _fail_at(f"invalid data: {err}", ".columns") from err
        if len(table) != n:
            raise _fail_at("rows must not be entirely empty", ".columns")
        validated = table.columns
        if not _is_sorted(ti, ts):
            order = np.lexsort((ts, ti))
            ti, ts = ti[order], ts[order]
            validated = {name: arr[order] for name, arr in validated.items()}
    int_columns = [
        name
        for name, kind in Data.column_data_types().items()
        if kind == "int" and name in validated and validated[name].dtype.kind == "f"
    ]
    versions: List[Tuple[int, int, Data]] = []
    if n:
        cuts = np.flatnonzero((ti[1:] != ti[:-1]) | (ts[1:] != ts[:-1])) + 1
        starts = np.concatenate(([0], cuts)).tolist()
        stops = [*starts[1:], n]
        trial_list = ti[starts].tolist()
        ts_list = ts[starts].tolist()
        for start, stop, trial_index, stamp in zip(starts, stops, trial_list, ts_list):
            group = {name: arr[start:stop] for name, arr in validated.items()}
            for name in int_columns:
                part = group[name]
                if not np.isnan(part).any():
                    group[name] = part.astype(np.int64)
            key = (trial_index, stamp)
            if key in absent:
                for name in absent[key]:
                    group.pop(name, None)
            versions.append((trial_index, stamp, Data._trusted(group, descriptions.get(key))))
    if empty:
        kinds = Data.column_data_types()
        template = {
            name: arrays[name][:0].astype(np.int64) if kind == "int" else arrays[name][:0]
            for name, kind in kinds.items()
            if name in arrays
        }
        for trial_index, stamp in empty:
            key = (trial_index, stamp)
            group = {k: v for k, v in template.items() if k not in absent.get(key, ())}
            versions.append((trial_index, stamp, Data._trusted(group, descriptions.get(key))))
        versions.sort(key=lambda v: (v[0], v[1]))
    by_trial: Dict[int, OrderedDict[int, Data]] = {}
    max_ts = -1
    for trial_index, stamp, data in versions:
        if trial_index not in trial_indices:
            raise _fail_at(
                f"data names trial {trial_index}, which the experiment does not have",
                ".columns['trial_index']",
            )
        versions_of_trial = by_trial.setdefault(trial_index, OrderedDict())
        if stamp in versions_of_trial:
            raise _fail_at(
                f"trial {trial_index} has two data versions stored at {stamp}",
                ".empty_versions",
            )
        versions_of_trial[stamp] = data
        max_ts = max(max_ts, stamp)
    return by_trial, max_ts


def _is_sorted(ti: np.ndarray, ts: np.ndarray) -> bool:
    if len(ti) < 2:
        return True
    forward = ti[1:] > ti[:-1]
    same = ti[1:] == ti[:-1]
    return bool(np.all(forward | (same & (ts[1:] >= ts[:-1]))))


__all__ = [
    "column_to_json",
    "columns_from_json",
    "decode_data",
    "decode_experiment_data",
    "encode_data",
    "encode_experiment_data",
    "version_key",
]
