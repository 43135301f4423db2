"""Saving an experiment to a JSON file, atomically.

The whole document is encoded to a string first; only then is it written to a temporary
file in the target's directory, flushed and fsynced, and moved onto the target with
``os.replace`` (the directory is fsynced too). A failure at any point (an object that
cannot be encoded, a full disk, a KeyboardInterrupt) leaves the previous file as it was
and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
from typing import Any, Dict, Union

from ax.core.experiment import Experiment
from ax.exceptions import JSONEncodeError, StorageError, UserInputError, UserInputTypeError
from ax.storage import metric_registry  # noqa: F401  (registers the bundled metrics)
from ax.storage.json_store.encoder import Encoder
from ax.storage.json_store.registry import encoder_table
from ax.storage.json_store.schema import FORMAT_VERSION, EncodeFailure, gc_paused

TPath = Union[str, "os.PathLike[str]"]


def dumps(experiment: Experiment) -> str:
    """The JSON document of an experiment, as a string (nothing is written).

    Args:
        experiment: The experiment to encode.

    Returns:
        ``{"format_version": 1, "experiment": {...}}`` as compact, strict JSON.

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment.
        JSONEncodeError: Something in the experiment cannot be encoded (e.g. an
            unregistered Metric subclass); the message names where it was found.
    """
    return document_text(encode_document(experiment))


def encode_document(experiment: Experiment) -> Dict[str, Any]:
    """``{"format_version": ..., "experiment": <encoded experiment>}`` (JSON-ready values).

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment.
        JSONEncodeError: Something in the experiment cannot be encoded.
    """
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"save: experiment must be an Experiment, got {type(experiment).__name__}"
        )
    encoder = Encoder(encoder_table())
    try:
        with gc_paused():
            body = encoder.value(experiment)
    except EncodeFailure as failure:
        raise failure.to_error("experiment") from failure.__cause__
    except RecursionError:
        raise JSONEncodeError("experiment: values are nested too deeply to encode") from None
    return {"format_version": FORMAT_VERSION, "experiment": body}


def document_text(document: Dict[str, Any]) -> str:
    """A document as compact, strict JSON text."""
    try:
        with gc_paused():
            return json.dumps(document, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as err:  # pragma: no cover - the encoder guarantees JSON
        raise JSONEncodeError(f"the encoded document is not strict JSON: {err}") from err


def write_document(document: Dict[str, Any], filepath: TPath, function: str) -> None:
    """Write a document to a ``.json`` file atomically (see :func:`write_atomically`).

    Raises:
        UserInputTypeError: ``filepath`` is not a str or path.
        UserInputError: ``filepath`` does not end in ``.json``.
        StorageError: The file could not be written (the previous file is untouched).
    """
    path = checked_path(filepath, function)
    if not path.endswith(".json"):
        raise UserInputError(f"{function}: filepath must end in '.json', got {path!r}")
    text = document_text(document)
    try:
        write_atomically(path, text.encode("utf-8"))
    except OSError as err:
        raise StorageError(
            f"{function}: could not write {path!r}: {err}; the previous file (if any) is unchanged"
        ) from err


def object_to_json(obj: Any) -> Any:
    """Any registered object (or plain value) as a JSON-ready value.

    Objects are encoded on their own: a generator run's search space is written in full
    (ExperimentRefs are only used inside an experiment's trials).

    Args:
        obj: The object, e.g. a SearchSpace, a GeneratorRun or a Data.

    Returns:
        Dicts, lists, str, int, finite floats, bools and None only.

    Raises:
        JSONEncodeError: Something in ``obj`` cannot be encoded; the message names where.
    """
    try:
        return Encoder(encoder_table()).value(obj)
    except EncodeFailure as failure:
        raise failure.to_error(type(obj).__name__) from failure.__cause__
    except RecursionError:
        raise JSONEncodeError("values are nested too deeply to encode") from None


def save(experiment: Experiment, filepath: TPath) -> None:
    """Save an experiment to a JSON file, atomically.

    The experiment's trials, generator runs, data and settings are all written; load it
    back with :func:`ax.storage.json_store.load.load`. Custom metric and runner classes
    must be registered first (``ax.storage.metric_registry.register_metric``,
    ``ax.storage.runner_registry.register_runner``).

    Args:
        experiment: The experiment to save.
        filepath: Path of the file to write; must end in ``.json``. An existing file is
            replaced only once the new one is completely written.

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment, or ``filepath`` is not a
            str or path.
        UserInputError: ``filepath`` does not end in ``.json``.
        JSONEncodeError: Something in the experiment cannot be encoded.
        StorageError: The file could not be written (the previous file is untouched).

    Example:
        >>> save(experiment, "experiment.json")
        >>> load("experiment.json") == experiment
        True
    """
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"save: experiment must be an Experiment, got {type(experiment).__name__}"
        )
    checked_path(filepath, "save")
    write_document(encode_document(experiment), filepath, "save")


def checked_path(filepath: object, function: str) -> str:
    """``filepath`` as a str, or UserInputTypeError naming its type."""
    if isinstance(filepath, os.PathLike):
        filepath = os.fspath(filepath)
    if not isinstance(filepath, str):
        raise UserInputTypeError(
            f"{function}: filepath must be a str or os.PathLike, got "
            f"{type(filepath).__name__} {filepath!r}"
        )
    return filepath


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at ``path`` with ``data``, all or nothing.

    Writes a temporary file next to ``path`` (same directory, so the rename is atomic),
    flushes and fsyncs it, keeps the old file's permissions, renames it onto ``path``
    and fsyncs the directory. On any failure (including KeyboardInterrupt) the temporary
    file is removed and the exception propagates; ``path`` is untouched.

    Raises:
        OSError: The file could not be written or renamed.
    """
    path = os.path.realpath(path)  # replace a symlink's target, not the link
    directory = os.path.dirname(path)
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    try:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            _write_all(handle.fileno(), data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if fd != -1:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _fsync_directory(directory)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: str) -> None:
    """Make the rename durable; a no-op where directories cannot be opened (Windows)."""
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


save_experiment = save
"""Alias of :func:`save` (the original's name)."""


__all__ = ["dumps", "object_to_json", "save", "save_experiment", "write_atomically"]
