"""What runs on an executor's worker for the Scheduler: the user's function, timed and safe.

This module imports nothing but the standard library, so that a fresh worker process
(a spawned process-pool worker or a Dask worker) unpickles the call cheaply: only this
module and the module of the user's evaluation function are imported there.
"""

from __future__ import annotations

import time
import traceback
from typing import Any, Callable, Dict, Mapping, Optional


def run_evaluation(
    function: Callable[[Dict[str, Any]], Any], parameters: Mapping[str, Any]
) -> Dict[str, Any]:
    """Call ``function(parameters)`` and report the outcome; never raises.

    Args:
        function: The user's evaluation function.
        parameters: The arm's parameterization.

    Returns:
        ``{"ok": True, "value": ..., "started": t0, "finished": t1}`` or, when the function
        raised, ``{"ok": False, "error": "ValueError: ...", "where": "file:line in f",
        "traceback": "...", "started": t0, "finished": t1}`` (times from ``time.time()``).
    """
    started = time.time()
    try:
        value = function(dict(parameters))
    except Exception as err:  # the user's function may raise anything
        frames = traceback.extract_tb(err.__traceback__)
        where = ""
        if frames:
            last = frames[-1]
            where = f"{last.filename}:{last.lineno} in {last.name}"
        return {
            "ok": False,
            "error": f"{type(err).__name__}: {err}",
            "where": where,
            "traceback": "".join(traceback.format_exception(err))[-4000:],
            "started": started,
            "finished": time.time(),
        }
    return {"ok": True, "value": value, "started": started, "finished": time.time()}


def outcome_error(value: Any) -> Optional[str]:
    """The error of a failed :func:`run_evaluation` outcome, else None (any other value)."""
    if isinstance(value, Mapping) and value.get("ok") is False and "error" in value:
        return str(value["error"])
    return None


def with_error(value: Any, error: str) -> Any:
    """``value`` marked failed with ``error`` if it is a :func:`run_evaluation` outcome,
    else None (the caller then reports the failure its own way)."""
    if isinstance(value, Mapping) and "ok" in value and "started" in value:
        return {**value, "ok": False, "error": error, "where": "", "traceback": ""}
    return None


__all__ = ["outcome_error", "run_evaluation", "with_error"]
