"""Executors for the Scheduler: the one seam for parallel and distributed execution.

Any :class:`concurrent.futures.Executor` runs a :class:`~ax.service.scheduler.Scheduler`'s
trials. This module builds the two shipped ones:

- :func:`process_pool_executor`: a local process pool (the Scheduler's default);
- :func:`dask_executor`: a Dask ``distributed`` client's executor, to run trials on a
  cluster (install the extra: ``pip install 'ax-experiments[dask]'``). Dask is imported
  only when this function is called.

Evaluation functions sent to either must be picklable: define them at module level.

Example:
    >>> from distributed import Client, LocalCluster
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:
    ...     executor = dask_executor(client)
    ...     Scheduler(experiment, strategy, evaluate, executor=executor).run_all_trials()
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Optional

from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError

DASK_MISSING_HINT = "install the extra: pip install 'ax-experiments[dask]' (dask[distributed])"


def process_pool_executor(max_workers: int) -> ProcessPoolExecutor:
    """A local process pool of ``max_workers`` processes, started with ``spawn``.

    ``spawn`` (not ``fork``) because the calling process may run threads (a Dask client, a
    database pool), which ``fork`` copies in unknown states. A spawned worker imports only
    :mod:`ax.service.utils.scheduler_worker` and the module of the evaluation function.

    Raises:
        UserInputTypeError / UserInputError: ``max_workers`` is not an int >= 1.
    """
    if isinstance(max_workers, bool) or not isinstance(max_workers, int):
        raise UserInputTypeError(
            f"process_pool_executor: max_workers must be an int, got {max_workers!r}"
        )
    if max_workers < 1:
        raise UserInputError(f"process_pool_executor: max_workers must be >= 1, got {max_workers}")
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


__all__ = ["DASK_MISSING_HINT", "dask_executor", "pool_size", "process_pool_executor"]
