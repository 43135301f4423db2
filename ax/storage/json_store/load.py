"""Loading an experiment from a JSON file written by :func:`~ax.storage.json_store.save.save`.

Loading is strict and safe: only the types of the closed registry are built, nothing is
imported by name and nothing is evaluated, the non-standard ``NaN``/``Infinity`` tokens
are rejected, and any malformed, truncated or hostile content raises
:class:`ax.exceptions.JSONDecodeError` (a :class:`~ax.exceptions.StorageError`) naming
where in the document the problem is.
"""

from __future__ import annotations

import json
from typing import Any, NoReturn, Union

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError
from ax.storage.json_store.decoder import Decoder
from ax.storage.json_store.registry import decoder_table
from ax.storage.json_store.save import TPath, checked_path
from ax.storage.json_store.schema import (
    OPTIONAL_TOP_LEVEL_KEYS,
    SUPPORTED_FORMAT_VERSIONS,
    TOP_LEVEL_KEYS,
    DecodeFailure,
    describe,
    gc_paused,
)

_EXPERIMENT_TYPES = ("Experiment", "SimpleExperiment")


def _reject_constant(token: str) -> NoReturn:
    raise JSONDecodeError(
        f"not strict JSON: found the non-standard constant {token}; non-finite floats are "
        'written as {"__type": "float", "value": "nan" | "inf" | "-inf"}'
    )


def parse_document(text: Union[str, bytes]) -> Any:
    """Parse strict JSON text into plain values (no objects are built).

    Raises:
        JSONDecodeError: The text is not valid, strict JSON.
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as err:
            raise JSONDecodeError(f"not a JSON text: it is not valid UTF-8 ({err})") from None
    if not isinstance(text, str):
        raise JSONDecodeError(f"expected a JSON text (str or bytes), got {type(text).__name__}")
    try:
        with gc_paused():
            return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise JSONDecodeError(
            f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno} (the file "
            "may be truncated or not a saved experiment)"
        ) from None
    except RecursionError:
        raise JSONDecodeError("not a saved experiment: values are nested too deeply") from None
    except ValueError as err:  # e.g. an integer of more than 4,300 digits (Python's limit)
        raise JSONDecodeError(
            f"not a saved experiment: a value cannot be read ({_first_line(err)})"
        ) from None


def _first_line(err: BaseException) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text if len(text) <= 200 else text[:200] + "..."


def read_document(filepath: TPath, function: str) -> Any:
    """Read and parse a saved file (see :func:`parse_document`); errors name the file."""
    path = checked_path(filepath, function)
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return parse_document(raw)
    except JSONDecodeError as err:
        raise JSONDecodeError(f"{function} {path!r}: {err.message}", hint=err.hint) from err


def loads(text: Union[str, bytes]) -> Experiment:
    """The experiment in a JSON document (the contents of a saved file).

    Args:
        text: The document, as str or UTF-8 bytes.

    Returns:
        The experiment, equal (``==``) to the one that was saved. A SimpleExperiment comes
        back with the unimplemented evaluation function: set
        ``experiment.evaluation_function`` again before evaluating new trials.

    Raises:
        JSONDecodeError: The document is not strict JSON, has a missing, unknown or newer
            ``format_version``, or does not describe a valid experiment; the message names
            the path of the offending value.
    """
    document = parse_document(text)
    return decode_document(document)


def decode_document(document: Any) -> Experiment:
    """The experiment in an already parsed document (see :func:`loads`).

    Raises:
        JSONDecodeError: As for :func:`loads`.
    """
    supported = list(SUPPORTED_FORMAT_VERSIONS)
    if type(document) is not dict:
        raise JSONDecodeError(
            "the top level must be an object with 'format_version' and 'experiment', got "
            f"{describe(document)}"
        )
    if "format_version" not in document:
        raise JSONDecodeError(
            f"missing 'format_version' (found none; supported versions: {supported}); this "
            "is not a file written by ax-experiments' save"
        )
    version = document["format_version"]
    if type(version) is not int:
        raise JSONDecodeError(
            f"format_version must be an int, found {describe(version)} (supported versions: "
            f"{supported})"
        )
    if version not in SUPPORTED_FORMAT_VERSIONS:
        newer = version > max(SUPPORTED_FORMAT_VERSIONS)
        raise JSONDecodeError(
            f"{'newer' if newer else 'unknown'} format_version {version} (supported "
            f"versions: {supported})",
            hint="upgrade ax-experiments to read this file" if newer else "",
        )
    if not TOP_LEVEL_KEYS <= document.keys() <= TOP_LEVEL_KEYS | OPTIONAL_TOP_LEVEL_KEYS:
        extra = sorted(document.keys() - TOP_LEVEL_KEYS - OPTIONAL_TOP_LEVEL_KEYS)
        missing = sorted(TOP_LEVEL_KEYS - document.keys())
        raise JSONDecodeError(
            f"the top level must have the fields {sorted(TOP_LEVEL_KEYS)} (and optionally "
            f"{sorted(OPTIONAL_TOP_LEVEL_KEYS)}); "
            f"missing {missing}, unexpected {extra}"
        )
    body = document["experiment"]
    if type(body) is not dict or body.get("__type") not in _EXPERIMENT_TYPES:
        raise JSONDecodeError(
            f"experiment: must be an object of type 'Experiment' or 'SimpleExperiment', got "
            f"{describe(body)}"
        )
    decoder = Decoder(decoder_table())
    try:
        with gc_paused():
            experiment = decoder.value(body)
    except DecodeFailure as failure:
        raise failure.to_error("experiment") from failure.__cause__
    except RecursionError:
        raise JSONDecodeError("experiment: values are nested too deeply") from None
    if not isinstance(experiment, Experiment):  # pragma: no cover - checked above
        raise JSONDecodeError(f"experiment: decoded a {type(experiment).__name__}")
    return experiment


def object_from_json(value: Any) -> Any:
    """The object encoded by :func:`ax.storage.json_store.save.object_to_json`.

    Args:
        value: A JSON-ready value (as parsed by ``json.loads``).

    Returns:
        The decoded object (plain values come back as they are).

    Raises:
        JSONDecodeError: The value is malformed; the message names the path.
    """
    try:
        return Decoder(decoder_table()).value(value)
    except DecodeFailure as failure:
        raise failure.to_error("value") from failure.__cause__
    except RecursionError:
        raise JSONDecodeError("value: values are nested too deeply") from None


def load(filepath: TPath) -> Experiment:
    """Load an experiment saved with :func:`ax.storage.json_store.save.save`.

    Custom metric and runner classes must be registered before loading
    (``ax.storage.metric_registry.register_metric``,
    ``ax.storage.runner_registry.register_runner``).

    Args:
        filepath: Path of the file.

    Returns:
        The experiment, equal (``==``) to the one that was saved. A SimpleExperiment comes
        back with the unimplemented evaluation function: set
        ``experiment.evaluation_function`` again before evaluating new trials.

    Raises:
        UserInputTypeError: ``filepath`` is not a str or path.
        FileNotFoundError: There is no such file.
        JSONDecodeError: The file is not a valid saved experiment (truncated, hostile,
            written by another program or a newer format version); the message names the
            file and the path of the offending value.

    Example:
        >>> experiment = load("experiment.json")
    """
    path = checked_path(filepath, "load")
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        return loads(raw)
    except JSONDecodeError as err:
        raise JSONDecodeError(f"load {path!r}: {err.message}", hint=err.hint) from err


load_experiment = load
"""Alias of :func:`load` (the original's name)."""


__all__ = ["decode_document", "load", "load_experiment", "loads", "object_from_json"]
