"""An MPI group that evaluates one trial on all of its ranks (data-parallel training).

Rank 0 (the *root*) decides what to run: it talks to the broker (``ax worker --mpi``) or
proposes parameters (``Polaris.run(use_mpi=True)``), hands each job to the other ranks with
:meth:`MPIGroup.broadcast`, runs its own share, and gathers the others' outcomes with
:meth:`MPIGroup.collect`. The other ranks loop on :meth:`MPIGroup.receive` and answer with
:meth:`MPIGroup.report`. :meth:`MPIGroup.stop` releases them, so every rank leaves through
the same path (an MPI job whose rank 0 returns while others wait in a collective hangs
forever; Open MPI's ``mpirun`` only aborts the job when a rank exits non-zero).

Everything is point-to-point and non-blocking on the root (``isend``/``iprobe``): while it
waits for the other ranks it keeps calling a ``service`` callback (the worker's pika
connection, so heartbeats flow). Waiting ranks poll with a short sleep instead of sitting
in a blocking receive, because Open MPI busy-waits there and would take a core from the
trial while the group is idle.

:class:`MPIGroupExecutor` puts a group behind the Scheduler's executor seam: each call
runs on every rank (``Polaris.run(use_mpi=True)`` runs its trials on the Scheduler with it),
and :func:`serve_calls` is what the other ranks run meanwhile.

``mpi4py`` is imported when a group is built, never at import time.

Example:
    >>> group = MPIGroup()                      # under `mpirun -n 4 ...`
    >>> if group.is_root:
    ...     group.broadcast(("job-1", params))
    ...     mine = evaluate(params)
    ...     others = group.collect("job-1")     # {1: ..., 2: ..., 3: ...}
    ...     group.stop()
    ... else:
    ...     group.serve(lambda job: evaluate(job[1]))
"""

from __future__ import annotations

import importlib
import itertools
import pickle
import time
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from ax.exceptions import UnsupportedError, UserInputError
from ax.service.executors import InlineExecutor
from ax.service.utils.scheduler_worker import outcome_error, with_error

_T = TypeVar("_T")

TAG_JOB = 0x41
TAG_DONE = 0x42
_KIND_JOB = "job"
_KIND_STOP = "stop"
MPI_MISSING_HINT = (
    "install Open MPI (Debian: apt-get install openmpi-bin) and the extra "
    "pip install 'ax-experiments[mpi]' (mpi4py), then start with mpirun -n K ..."
)


def import_mpi() -> Any:
    """``mpi4py.MPI`` (initialises MPI), or UnsupportedError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise UnsupportedError(
            f"MPI: the 'mpi4py' package is not installed ({err})", hint=MPI_MISSING_HINT
        ) from err
    except Exception as err:  # libmpi missing or broken: mpi4py raises at import
        raise UnsupportedError(
            f"MPI: mpi4py cannot load an MPI library: {type(err).__name__}: {err}",
            hint=MPI_MISSING_HINT,
        ) from err
    return MPI


class MPIGroup:
    """The ranks of a communicator acting as one worker (see the module docstring).

    Args:
        comm: The communicator (default ``MPI.COMM_WORLD``).
        poll_interval: Seconds a waiting rank sleeps between probes.

    Attributes:
        rank: This process's rank; 0 is the root.
        size: The number of ranks (1 when not started by ``mpirun``).
    """

    def __init__(self, comm: Any = None, poll_interval: float = 0.005) -> None:
        self._mpi = import_mpi()
        self.comm = comm if comm is not None else self._mpi.COMM_WORLD
        self.rank: int = int(self.comm.Get_rank())
        self.size: int = int(self.comm.Get_size())
        self.poll_interval = float(poll_interval)
        self._sends: List[Any] = []
        self._stopped = False

    @property
    def is_root(self) -> bool:
        """Whether this is rank 0."""
        return self.rank == 0

    def _require_root(self, what: str) -> None:
        if not self.is_root:
            raise UnsupportedError(f"MPIGroup.{what}: only rank 0 may call it (rank {self.rank})")

    # ------------------------------------------------------------------ root side
    def broadcast(self, job: Any) -> None:
        """Send ``job`` (picklable) to every other rank, without blocking."""
        self._require_root("broadcast")
        self._isend_all((_KIND_JOB, job))

    def collect(
        self,
        job_id: Any,
        service: Optional[Callable[[], None]] = None,
        timeout_s: Optional[float] = None,
    ) -> Dict[int, Any]:
        """The other ranks' reports for ``job_id``, ``{rank: report}``.

        Reports of other (earlier, timed-out) jobs are discarded. ``service`` is called
        between probes (instead of sleeping) while waiting.

        Args:
            job_id: The id the other ranks echo with :meth:`report`.
            service: Called repeatedly while waiting (e.g. to keep a connection alive).
            timeout_s: Give up after this long; missing ranks are absent from the result.

        Returns:
            One entry per rank that reported in time (ranks 1..size-1).
        """
        self._require_root("collect")
        status = self._mpi.Status()
        missing = set(range(1, self.size))
        reports: Dict[int, Any] = {}
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while missing:
            if self.comm.iprobe(source=self._mpi.ANY_SOURCE, tag=TAG_DONE, status=status):
                source = status.Get_source()
                reported_id, report = self.comm.recv(source=source, tag=TAG_DONE)
                if reported_id == job_id and source in missing:
                    reports[source] = report
                    missing.discard(source)
                continue
            if deadline is not None and time.monotonic() > deadline:
                break
            if service is not None:
                service()
            else:
                time.sleep(self.poll_interval)
        return reports

    def stop(self, result: Any = None, timeout_s: float = 30.0) -> None:
        """Release the other ranks: their :meth:`receive` returns ``(False, result)``.

        Waits up to ``timeout_s`` for them to take the message; a rank still busy after
        that (a hung trial) is aborted with ``MPI_Abort`` so that nothing hangs. Idempotent.
        """
        self._require_root("stop")
        if self._stopped or self.size == 1:
            self._stopped = True
            return
        self._stopped = True
        self._isend_all((_KIND_STOP, result))
        deadline = time.monotonic() + timeout_s
        while not self._mpi.Request.Testall(self._sends):
            if time.monotonic() > deadline:  # pragma: no cover - a rank hung in user code
                self.comm.Abort(1)
            time.sleep(self.poll_interval)
        self._sends.clear()

    def _isend_all(self, message: Tuple[str, Any]) -> None:
        self._sends = [r for r in self._sends if not r.Test()]
        for rank in range(1, self.size):
            self._sends.append(self.comm.isend(message, dest=rank, tag=TAG_JOB))

    # ------------------------------------------------------------------ other ranks
    def receive(self) -> Tuple[bool, Any]:
        """Wait for the root's next message: ``(True, job)`` or ``(False, stop_result)``."""
        while not self.comm.iprobe(source=0, tag=TAG_JOB):
            time.sleep(self.poll_interval)
        kind, payload = self.comm.recv(source=0, tag=TAG_JOB)
        return kind == _KIND_JOB, payload

    def report(self, job_id: Any, report: Any) -> None:
        """Send this rank's outcome of ``job_id`` to the root."""
        if self.is_root:
            raise UnsupportedError("MPIGroup.report: rank 0 collects, it does not report")
        self.comm.send((job_id, report), dest=0, tag=TAG_DONE)

    def serve(self, handle: Callable[[Any], Tuple[Any, Any]]) -> Any:
        """Run jobs until the root stops the group; return the root's stop result.

        Args:
            handle: Called with each job; returns ``(job_id, report)`` to send back.
        """
        while True:
            is_job, payload = self.receive()
            if not is_job:
                return payload
            job_id, report = handle(payload)
            self.report(job_id, report)


def dumps_call(fn: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> bytes:
    """``(fn, args, kwargs)`` pickled for the other ranks (cloudpickle when plain pickle
    cannot send ``fn``, e.g. a lambda, and cloudpickle is installed).

    Raises:
        UserInputError: The call cannot be pickled (the message names ``fn``).
    """
    call = (fn, args, kwargs)
    try:
        return pickle.dumps(call)
    except Exception as err:
        error: Exception = err
    try:
        dumped: bytes = importlib.import_module("cloudpickle").dumps(call)
        return dumped
    except Exception as err:  # not installed, or cannot pickle it either
        name = getattr(fn, "__qualname__", repr(fn))
        raise UserInputError(
            f"MPIGroupExecutor: cannot pickle the call to {name} to send it to the other "
            f"MPI ranks: {type(err).__name__}: {err} (pickle: {error})",
            hint="define the function at module level",
        ) from err


class MPIGroupExecutor(InlineExecutor):
    """An executor whose every call runs on all the ranks of an MPI group (on rank 0).

    ``submit(fn, *args)`` hands the call to ranks 1..K-1 (which run :func:`serve_calls`),
    runs it here, then waits for theirs; its future is done when ``submit`` returns. When
    this rank's value succeeded but another rank's failed, the value is marked failed
    with ``mark_failed(value, "MPI rank R failed: ...")``.

    Args:
        group: The group; this process must be its rank 0.
        failure: The failure (text) of a call's value, or None; must match the one given to
            :func:`serve_calls` (default: a failed
            :func:`~ax.service.utils.scheduler_worker.run_evaluation` outcome).
        mark_failed: ``value`` marked failed with an error text.

    Raises:
        UnsupportedError: This process is not rank 0 of ``group``.
    """

    def __init__(
        self,
        group: MPIGroup,
        failure: Callable[[Any], Optional[str]] = outcome_error,
        mark_failed: Callable[[Any, str], Any] = with_error,
    ) -> None:
        super().__init__()
        group._require_root("MPIGroupExecutor")
        self.group = group
        self.failure = failure
        self.mark_failed = mark_failed
        self._ids = itertools.count(1)

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        """Run ``fn(*args, **kwargs)`` on every rank; a done future with rank 0's value.

        Raises:
            UserInputError: The call cannot be pickled for the other ranks.
            RuntimeError: The executor was shut down.
        """
        job_id = next(self._ids)
        if self.group.size > 1:
            self.group.broadcast((job_id, dumps_call(fn, args, kwargs)))
        future = super().submit(fn, *args, **kwargs)
        if self.group.size == 1:
            return future
        reports = self.group.collect(job_id)
        if future.exception() is not None:
            return future
        value = future.result()
        if self.failure(value) is not None:
            return future  # rank 0's own failure comes first
        for rank in sorted(reports):
            if reports[rank] is not None:
                marked: Future[_T] = Future()
                marked.set_running_or_notify_cancel()
                marked.set_result(
                    self.mark_failed(value, f"MPI rank {rank} failed: {reports[rank]}")
                )
                return marked
        return future


def serve_calls(group: MPIGroup, failure: Callable[[Any], Optional[str]] = outcome_error) -> Any:
    """Ranks 1..K-1 under an :class:`MPIGroupExecutor`: run each call rank 0 hands over and
    report its failure (None when it succeeded), until rank 0 stops the group.

    Returns:
        Rank 0's stop result.
    """

    def handle(job: Tuple[int, bytes]) -> Tuple[int, Optional[str]]:
        job_id, body = job
        try:
            fn, args, kwargs = pickle.loads(body)  # from rank 0 of our own MPI job
            return job_id, failure(fn(*args, **kwargs))
        except Exception as err:  # the user's code may raise anything
            return job_id, f"{type(err).__name__}: {err}"

    return group.serve(handle)


__all__ = [
    "MPI_MISSING_HINT",
    "MPIGroup",
    "MPIGroupExecutor",
    "dumps_call",
    "import_mpi",
    "serve_calls",
]
