"""What runs on an executor's worker for the Scheduler: the user's function, timed and safe.

This module imports nothing but the standard library, so that a fresh worker process
(a spawned process-pool worker or a Dask worker) unpickles the call cheaply: only this
module and the module of the user's evaluation function are imported there.

:class:`LoopEvaluation` adapts an optimization-loop evaluation function
(``f(parameterization[, weight])``) to the Scheduler's ``f(parameters)``; it is a
module-level class so that a process pool or Dask can pickle it.
"""

from __future__ import annotations

import functools
import time
import traceback
from typing import Any, Callable, Dict, Mapping, Optional


def run_evaluation(
    function: Callable[..., Any], parameters: Mapping[str, Any], reporter: Any = None
) -> Dict[str, Any]:
    """Call ``function(parameters)`` and report the outcome; never raises.

    Args:
        function: The user's evaluation function.
        parameters: The arm's parameterization.
        reporter: The trial's :class:`~ax.service.utils.reporting.Reporter` (None: no
            intermediate reports). It is passed as ``reporter=`` if the function takes
            one, and is this thread's current reporter while the function runs.

    Returns:
        ``{"ok": True, "value": ..., "started": t0, "finished": t1}`` or, when the function
        raised, ``{"ok": False, "error": "ValueError: ...", "where": "file:line in f",
        "traceback": "...", "started": t0, "finished": t1}`` (times from ``time.time()``);
        when the trial was stopped early (the function raised
        :class:`~ax.service.utils.reporting.TrialStopped`), ``{"ok": True, "stopped":
        True, "value": None, ...}``.
    """
    started = time.time()
    call: Callable[..., Any] = function
    token = None
    stopped_type: Any = ()
    if reporter is not None:
        from ax.service.utils.reporting import TrialStopped, accepts_reporter, set_current

        stopped_type = TrialStopped
        token = set_current(reporter)
        if accepts_reporter(function):
            call = functools.partial(function, reporter=reporter)
    try:
        value = call(dict(parameters))
    except stopped_type:
        return {"ok": True, "stopped": True, "value": None, "started": started,
                "finished": time.time()}  # fmt: skip
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
    finally:
        if token is not None:
            from ax.service.utils.reporting import reset_current

            reset_current(token)
            reporter.close()
    return {"ok": True, "value": value, "started": started, "finished": time.time()}


class LoopEvaluation:
    """``f(parameters)`` for the Scheduler, calling ``function(parameters[, None])``.

    Args:
        function: The loop's evaluation function.
        num_positional: 1 for ``f(parameterization)``, 2 for ``f(parameterization,
            weight)`` (weight is None: a one-arm trial has no arm weight).
    """

    def __init__(self, function: Callable[..., Any], num_positional: int) -> None:
        self.function = function
        self.num_positional = num_positional

    @property
    def accepts_reporter(self) -> bool:
        """Whether the loop's function takes a ``reporter`` argument."""
        from ax.service.utils.reporting import accepts_reporter

        return accepts_reporter(self.function)

    def __call__(self, parameters: Dict[str, Any], reporter: Any = None) -> Any:
        extra = {} if reporter is None else {"reporter": reporter}
        if self.num_positional == 1:
            return self.function(parameters, **extra)
        return self.function(parameters, None, **extra)

    def __repr__(self) -> str:
        name = getattr(self.function, "__qualname__", None) or repr(self.function)
        return f"LoopEvaluation({name})"


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


__all__ = ["LoopEvaluation", "outcome_error", "run_evaluation", "with_error"]
