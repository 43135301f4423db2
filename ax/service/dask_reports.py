"""Intermediate reports and stop decisions on a Dask cluster, through the scheduler.

A :class:`DaskReportChannel` carries reports in a ``distributed.Queue`` and each stop
decision in a ``distributed.Event`` (one per trial), both named after the channel, so
that they work wherever the Dask workers run (no shared file system needed). Pickled
into a job it holds only the names; on a worker the objects connect through the worker's
own client. Dask is imported only when a channel is made or used.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional, Set

from ax.service.utils.reporting import TReport


class DaskReportChannel:
    """The :class:`~ax.service.utils.reporting.ReportChannel` of a Dask executor.

    Args:
        client: The ``distributed.Client`` (client side; None on a worker).
        name: The channel's name (default: a fresh one).
    """

    def __init__(self, client: Any = None, name: Optional[str] = None) -> None:
        self.name = name or f"ax-reports-{uuid.uuid4().hex}"
        self._client = client
        self._queue: Any = None
        self._events: Dict[int, Any] = {}
        self._stopped: Set[int] = set()

    def __getstate__(self) -> Dict[str, Any]:
        return {"name": self.name}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__init__(None, state["name"])  # type: ignore[misc]

    def _q(self) -> Any:
        if self._queue is None:
            import distributed

            self._queue = distributed.Queue(self.name, client=self._client)
        return self._queue

    def _event(self, trial_index: int) -> Any:
        event = self._events.get(trial_index)
        if event is None:
            import distributed

            event = distributed.Event(f"{self.name}-stop-{trial_index}", client=self._client)
            self._events[trial_index] = event
        return event

    def send(self, trial_index: int, progression: float, values: Dict[str, float]) -> None:
        self._q().put([int(trial_index), float(progression), dict(values)])

    def is_stopped(self, trial_index: int) -> bool:
        if trial_index in self._stopped:
            return True
        if self._event(trial_index).is_set():
            self._stopped.add(trial_index)
            return True
        return False

    def drain(self) -> List[TReport]:
        items = self._q().get(batch=True)
        return [(int(t), float(p), dict(v)) for t, p, v in items]

    def stop(self, trial_index: int) -> None:
        self._event(trial_index).set()

    def close(self) -> None:
        """Nothing to release on the scheduler's side (named objects are reclaimed
        when no client refers to them)."""
        self._events.clear()
        self._queue = None


def dask_client_of(executor: Any) -> Any:
    """The ``distributed.Client`` behind a Dask executor, or None for other executors."""
    if not type(executor).__module__.startswith("distributed"):
        return None
    return getattr(executor, "_client", None)


__all__ = ["DaskReportChannel", "dask_client_of"]
