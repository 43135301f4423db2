"""One evaluation of the user's function, the same in every mode.

:func:`evaluate` runs in the client's process (``Polaris.run()``), on every MPI rank
(``run(use_mpi=True)``) and on ``polaris-worker`` processes (``run_parallel()``, where the
client sends ``evaluate`` with the user's ``fn`` by cloudpickle, so a function defined in
the user's script works). It never raises: a raising ``fn``, an unknown status, or a
"success" without a finite loss gives a ``STATUS_FAILURE`` result saying why.

This module imports only the standard library and :mod:`polaris.trials`, so a worker
unpickles a job cheaply.
"""

from __future__ import annotations

import traceback
from numbers import Integral, Real
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

from polaris.trials import STATUS_FAILURE, STATUS_SUCCESS, finite_loss, safe_repr


def evaluate(
    fn: Callable[..., Any],
    params: Mapping[str, Any],
    exp_info: Mapping[str, Any],
    args: Sequence[Any] = (),
) -> Tuple[Dict[str, Any], Optional[str]]:
    """Call ``fn(params, exp_info, *args)`` with copies of both dicts.

    Args:
        fn: The user's objective.
        params: ``{label: value}``.
        exp_info: ``{'exp_key': str, 'eval_count': int}``.
        args: Extra positional arguments.

    Returns:
        ``(result, reason)``: ``fn``'s result as a dict (``status`` set to
        ``STATUS_FAILURE`` and an ``error`` added when it failed) and why it failed (None
        on success).
    """
    try:
        raw = fn(dict(params), dict(exp_info), *args)
    except Exception as err:  # a failing trial must not stop the run
        reason = f"fn raised {type(err).__name__}: {err}"
        where = traceback.extract_tb(err.__traceback__)[-1:]
        if where:
            reason += f" (at {where[0].filename}:{where[0].lineno} in {where[0].name})"
        return {"status": STATUS_FAILURE, "error": reason}, reason
    if isinstance(raw, Real) and not isinstance(raw, bool):
        number = finite_loss({"loss": raw})
        raw = {"loss": raw if number is None else number, "status": STATUS_SUCCESS}
    if not isinstance(raw, Mapping):
        reason = f"fn returned {type(raw).__name__} {safe_repr(raw)}, not a dict or a number"
        return {"status": STATUS_FAILURE, "error": reason}, reason
    result = dict(raw)
    loss = finite_loss(result)
    status = result.get("status", STATUS_SUCCESS if "loss" in result else STATUS_FAILURE)
    if (
        isinstance(status, bool)
        or not isinstance(status, Integral)
        or status not in (STATUS_SUCCESS, STATUS_FAILURE)
    ):
        reason = f"fn returned the unknown status {safe_repr(status)}"
    elif status == STATUS_FAILURE:
        reason = "fn returned STATUS_FAILURE"
    elif loss is None:
        shown = safe_repr(result.get("loss"))
        reason = (
            f"fn returned STATUS_SUCCESS without a finite loss (loss={shown}): the loss must "
            "be a real number that fits a float (not inf, NaN, or beyond +-1.8e308)"
        )
        if isinstance(result.get("loss"), Integral) and not isinstance(result["loss"], bool):
            result["loss"] = shown  # an int beyond a float: kept readable (e.g. 10**5000)
    else:
        return result, None
    result["status"] = STATUS_FAILURE
    result.setdefault("error", reason)
    return result, reason


def failure_of(value: Tuple[Dict[str, Any], Optional[str]]) -> Optional[str]:
    """Why an :func:`evaluate` outcome failed (None when it succeeded)."""
    return value[1]


def with_failure(
    value: Tuple[Dict[str, Any], Optional[str]], error: str
) -> Tuple[Dict[str, Any], Optional[str]]:
    """An :func:`evaluate` outcome marked failed with ``error`` (e.g. another MPI rank's)."""
    result, _ = value
    return {**result, "status": STATUS_FAILURE, "error": error}, error


__all__ = ["evaluate", "failure_of", "with_failure"]
