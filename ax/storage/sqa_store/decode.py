"""Rebuilding an experiment from the SQL store's pieces, with the JSON store's decoder.

The pieces are put back together as the JSON document a file would hold (the header,
the trials in index order, all data versions merged into one columnar table, the
latest data time) and decoded by :func:`ax.storage.json_store.load.decode_document`, so
the SQL store restores exactly what the JSON store does.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError
from ax.storage.json_store.data_table import KEY_COLUMNS
from ax.storage.json_store.load import decode_document, parse_document

_VERSION_FIELDS = ("columns", "descriptions", "absent_columns", "empty_versions")


def merge_data_versions(versions: Sequence[Any]) -> Dict[str, Any]:
    """One ``ExperimentData`` table from the tables of single data versions.

    A column that some versions lack is filled with nulls there and listed in those
    versions' ``absent_columns``, so each version comes back with its own columns.

    Args:
        versions: Parsed ``ExperimentData`` objects, one version each.

    Raises:
        JSONDecodeError: A version is not a well-formed ``ExperimentData`` object.
    """
    names: Dict[str, None] = dict.fromkeys(KEY_COLUMNS)
    for i, version in enumerate(versions):
        if (
            type(version) is not dict
            or version.get("__type") != "ExperimentData"
            or any(field not in version for field in _VERSION_FIELDS)
            or type(version["columns"]) is not dict
            or any(type(v) is not list for v in version["columns"].values())
        ):
            raise JSONDecodeError(f"data version #{i}: not a stored ExperimentData table")
        names.update(dict.fromkeys(version["columns"]))
    columns: Dict[str, List[Any]] = {name: [] for name in names}
    descriptions: Dict[str, Any] = {}
    absent: Dict[str, Any] = {}
    empty: List[Any] = []
    for i, version in enumerate(versions):
        own = version["columns"]
        n = len(own.get("trial_index", ()))
        try:
            descriptions.update(version["descriptions"])
            absent.update(version["absent_columns"])
            empty.extend(version["empty_versions"])
        except (TypeError, ValueError) as err:
            raise JSONDecodeError(f"data version #{i}: malformed ({err})") from None
        missing = [name for name in names if name not in own]
        for name, values in own.items():
            columns[name].extend(values)
        if not missing:
            continue
        for name in missing:
            columns[name].extend([None] * n)
        keys = {f"{t}/{s}" for t, s in zip(own.get("trial_index", ()), own.get("storage_ts", ()))}
        keys.update(f"{pair[0]}/{pair[1]}" for pair in version["empty_versions"] if len(pair) == 2)
        for key in keys:
            previous = absent.get(key)
            absent[key] = (list(previous) if isinstance(previous, list) else []) + missing
    return {
        "__type": "ExperimentData",
        "columns": columns,
        "descriptions": descriptions,
        "absent_columns": absent,
        "empty_versions": empty,
    }


def experiment_from_pieces(
    format_version: int,
    header_text: str,
    trial_texts: Sequence[str],
    data_texts: Sequence[str],
    last_data_ts: int,
) -> Experiment:
    """The experiment stored as these pieces.

    Args:
        format_version: The JSON format version of the bodies.
        header_text: The experiment without trials and data (JSON text).
        trial_texts: The trials' bodies, in index order.
        data_texts: The data versions' bodies, in (trial_index, storage_ts) order.
        last_data_ts: The experiment's latest data storage time.

    Raises:
        JSONDecodeError: A piece is malformed; the message names where.
    """
    header = parse_document(header_text)
    if type(header) is not dict:
        raise JSONDecodeError("the stored experiment row is not a JSON object")
    header["trials"] = parse_document("[" + ",".join(trial_texts) + "]")
    versions = parse_document("[" + ",".join(data_texts) + "]")
    header["data"] = merge_data_versions(versions)
    header["last_data_ts"] = last_data_ts
    return decode_document({"format_version": format_version, "experiment": header})


__all__ = ["experiment_from_pieces", "merge_data_versions"]
