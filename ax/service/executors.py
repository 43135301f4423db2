"""Executors for the Scheduler: the one seam for parallel and distributed execution.

Any :class:`concurrent.futures.Executor` runs a :class:`~ax.service.scheduler.Scheduler`'s
trials. This module builds the shipped ones:

- :class:`InlineExecutor`: runs each call in ``submit``, in the calling thread (evaluation
  in the same process: the optimization loop's synchronous mode, ``run_trial``);
- :func:`process_pool_executor`: a local process pool (the Scheduler's default);
- :func:`dask_executor`: a Dask ``distributed`` client's executor, to run trials on a
  cluster (install the extra: ``pip install 'ax-experiments[dask]'``). Dask is imported
  only when this function is called.

Evaluation functions sent to a process pool or Dask must be picklable: define them at
module level.

Capacity: an executor may also say how many workers are idle now, through an
``idle_capacity() -> int`` method (see :class:`CapacityReporting`; the RabbitMQ executor of
a pull-style worker pool does). The Scheduler then generates trials only for capacity that
exists, so that a worker never receives a proposal built on stale data. Such an executor
may also offer ``capacity_future()``, a future done as soon as capacity frees up, so that
the Scheduler wakes for it instead of polling.

Example:
    >>> from distributed import Client, LocalCluster
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:
    ...     executor = dask_executor(client)
    ...     Scheduler(experiment, strategy, evaluate, executor=executor).run_all_trials()
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Callable, Optional, Protocol, TypeVar, runtime_checkable

from ax.exceptions import ExecutorError, UnsupportedError, UserInputTypeError
from ax.utils.validation import check_int

DASK_MISSING_HINT = "install the extra: pip install 'ax-experiments[dask]' (dask[distributed])"

_T = TypeVar("_T")


@runtime_checkable
class CapacityReporting(Protocol):
    """An executor that says how many more calls it can start now (e.g. idle workers).

    The Scheduler consults :meth:`idle_capacity` before it generates trials, if the
    executor has it (from the Scheduler's thread, between waits; it must be cheap and
    thread-safe); an executor without it, or whose method returns None (it does not know
    now), is assumed to queue what it cannot run yet.
    """

    def idle_capacity(self) -> Optional[int]:
        """How many more calls would start running now (0 when every worker is busy;
        None: not known)."""
        ...  # pragma: no cover - a protocol


class InlineExecutor(Executor):
    """A ``concurrent.futures.Executor`` that runs each call synchronously in ``submit``.

    The returned future is already done: it holds the call's result, or the exception it
    raised (an ``Exception``; ``KeyboardInterrupt`` and other ``BaseException`` propagate
    out of ``submit``). Evaluation in the same process is the Scheduler with this executor.

    Example:
        >>> with InlineExecutor() as executor:
        ...     executor.submit(pow, 2, 5).result()
        32
    """

    def __init__(self) -> None:
        self._shutdown = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        """Call ``fn(*args, **kwargs)`` now and return a done future with the outcome.

        Raises:
            RuntimeError: The executor was shut down.
        """
        with self._lock:
            if self._shutdown:
                raise RuntimeError("InlineExecutor: cannot schedule new calls after shutdown")
        future: Future[_T] = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as err:  # the call may raise anything: it goes into the future
            future.set_exception(err)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further calls (nothing is ever pending)."""
        with self._lock:
            self._shutdown = True

    def idle_capacity(self) -> int:
        """Always 1: the next call runs as soon as it is submitted."""
        return 0 if self._shutdown else 1


def process_pool_executor(max_workers: int) -> ProcessPoolExecutor:
    """A local process pool of ``max_workers`` processes, started with ``spawn``.

    ``spawn`` (not ``fork``) because the calling process may run threads (a Dask client, a
    database pool), which ``fork`` copies in unknown states. A spawned worker imports only
    :mod:`ax.service.utils.scheduler_worker` and the module of the evaluation function.

    Raises:
        UserInputTypeError / UserInputError: ``max_workers`` is not an int >= 1.
    """
    check_int("process_pool_executor", "max_workers", max_workers, 1, repeat_field=False)
    return ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn")
    )


def dask_executor(client_or_address: Any) -> Executor:
    """The executor of a Dask ``distributed`` client (``Client.get_executor(pure=False)``).

    ``pure=False`` because two trials with the same parameters are still two evaluations
    (Dask would otherwise run the call once and share the result).

    Args:
        client_or_address: A ``distributed.Client``, or a scheduler address such as
            ``"tcp://10.0.0.5:8786"`` (a client is then connected; close it with
            ``executor._client.close()`` when done).

    Raises:
        UnsupportedError: Dask distributed is not installed (the message says how to).
        UserInputTypeError: ``client_or_address`` is neither a Client nor a str.
    """
    try:
        import distributed
    except ImportError as err:
        raise UnsupportedError(
            f"dask_executor: the 'distributed' package is not installed ({err})",
            hint=DASK_MISSING_HINT,
        ) from err
    if isinstance(client_or_address, str):
        client = distributed.Client(client_or_address)
    elif isinstance(client_or_address, distributed.Client):
        client = client_or_address
    else:
        raise UserInputTypeError(
            "dask_executor: client_or_address must be a distributed.Client or an address "
            f"str, got {type(client_or_address).__name__} {client_or_address!r}"
        )
    executor: Executor = client.get_executor(pure=False)
    return executor


def pool_size(executor: Optional[Executor]) -> Optional[int]:
    """How many workers a standard-library thread or process pool has; None otherwise.

    Front doors use it to keep no more trials in flight than the pool can run (a Dask or
    RabbitMQ executor does not say, so its parallelism is given explicitly).
    """
    if isinstance(executor, (ThreadPoolExecutor, ProcessPoolExecutor)):
        size = getattr(executor, "_max_workers", None)  # the stdlib pools' own size
        if isinstance(size, int) and size >= 1:
            return size
    return None


def _probe(executor: Executor, method: str, valid: Callable[[Any], bool], kind: str) -> Any:
    """``executor.<method>()`` if the executor has it and it returns ``kind`` or None;
    None if it has no such method.

    Raises:
        ExecutorError: The method returned something else.
    """
    probe = getattr(executor, method, None)
    if probe is None or not callable(probe):
        return None
    value = probe()
    if value is not None and not valid(value):
        raise ExecutorError(
            f"{type(executor).__name__}.{method}() must return {kind} or None, got {value!r}"
        )
    return value


def idle_capacity(executor: Executor) -> Optional[int]:
    """``executor.idle_capacity()`` (never below 0) if it reports capacity, else None.

    Raises:
        ExecutorError: The executor's ``idle_capacity`` returns neither an int nor None.
    """
    value = _probe(
        executor,
        "idle_capacity",
        lambda v: isinstance(v, int) and not isinstance(v, bool),
        "an int",
    )
    return None if value is None else max(0, value)


def capacity_future(executor: Executor) -> Optional[Future[Any]]:
    """``executor.capacity_future()``: a future done when capacity frees up; None if the
    executor offers none (the Scheduler then polls).

    Raises:
        ExecutorError: The executor's ``capacity_future`` returns neither a Future nor None.
    """
    value: Optional[Future[Any]] = _probe(
        executor, "capacity_future", lambda v: isinstance(v, Future), "a Future"
    )
    return value


def acknowledge(future: Future[Any]) -> None:
    """Tell a done future's executor that its result is recorded and persisted, if the
    future takes such a word (``future.acknowledge()``, e.g. the RabbitMQ executor's jobs
    in pull mode: the broker keeps the result until then, so that a client killed before
    recording it gets it again). Called by the Scheduler."""
    ack = getattr(future, "acknowledge", None)
    if callable(ack):
        ack()


__all__ = [
    "CapacityReporting",
    "acknowledge",
    "capacity_future",
    "DASK_MISSING_HINT",
    "InlineExecutor",
    "dask_executor",
    "idle_capacity",
    "pool_size",
    "process_pool_executor",
]
