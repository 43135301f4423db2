"""What runs on an executor's worker for the Scheduler: the user's function, timed and safe.

This module imports nothing but the standard library, so that a fresh worker process
(a spawned process-pool worker or a Dask worker) unpickles the call cheaply: only this
module and the module of the user's evaluation function are imported there.
"""

from __future__ import annotations

import time
import traceback
from typing import Any, Callable, Dict, Mapping


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


__all__ = ["run_evaluation"]
