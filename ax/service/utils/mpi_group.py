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

import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ax.exceptions import UnsupportedError

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


__all__ = ["MPI_MISSING_HINT", "MPIGroup", "import_mpi"]
