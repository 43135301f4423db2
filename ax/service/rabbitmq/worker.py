"""The ``ax worker`` loop: take signed jobs from ``ax.<exp_key>.jobs``, run them, reply.

One job at a time (``prefetch_count=1``). The job runs in a child thread while this
thread keeps the pika connection serviced (``process_data_events``), so heartbeats flow
however long the trial takes. Order of a job's life:

1. verify the signature, the expiry and that the message id was not seen before (see
   :mod:`ax.service.rabbitmq.replay`): a refused job is logged (naming why) and rejected
   without requeue, so it is dead-lettered (dropped instead when over
   :data:`~ax.service.rabbitmq.protocol.REFUSED_MAX_BYTES`); never unpickled; the worker
   goes on with the next job. A genuine job refused because it expired gets a failure
   result, so that its client is not left waiting;
2. a redelivered job (its worker died or lost its connection) counts one more attempt:
   past ``max_retries`` it is rejected without requeue, i.e. dead-lettered to
   ``ax.<exp_key>.dead``, and a failure result tells the client; otherwise it is
   re-published with its attempt count (re-signed) and the delivery acked;
3. run ``fn(*args, **kwargs)`` in a thread, for at most the job's timeout; in an MPI
   group (``mpi=True``, one worker started as ``mpirun -n K ax worker --mpi``) the job is
   first handed to ranks 1..K-1, which run the same call, and their outcomes are gathered
   (a rank that raised makes the job a failure naming the rank);
4. publish the signed result (publisher confirms), **then** ack the job. An exception or a
   timeout is a failure result; the worker stays alive.

With ``announce=True`` the worker also publishes a signed, empty request to
``ax.<exp_key>.requests`` when it starts and after each job it ran, for clients that hand
out one job per idle worker (the Polaris ``JobClient``).

The worker exits after ``max_jobs`` jobs, when the client deletes the jobs queue at the end
of the experiment (the broker cancels the consumer), or on SIGINT/SIGTERM; in an MPI group
rank 0 then releases the other ranks, so every rank exits. Losing the broker raises
:class:`~ax.service.rabbitmq.protocol.BrokerConnectionError`.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from ax.exceptions import UserInputError
from ax.service.rabbitmq.protocol import (
    KIND_JOB,
    KIND_REQUEST,
    KIND_RESULT,
    Envelope,
    Queues,
    Refused,
    admit,
    authenticate,
    broker_error,
    connection_parameters,
    declare,
    import_cloudpickle,
    import_pika,
    properties,
    queues,
    refuse,
)
from ax.service.rabbitmq.replay import (
    EXPIRED,
    FLOOR,
    REPLAY,
    ReplayOptions,
    SeenIds,
    Stamp,
    new_stamp,
    now_ms,
)
from ax.service.rabbitmq.reports import bind_worker
from ax.service.rabbitmq.signing import signing_key
from ax.service.utils.scheduler_worker import outcome_error, with_error
from ax.utils.logger import get_logger
from ax.utils.validation import check_int_at_least

if TYPE_CHECKING:  # pragma: no cover
    from ax.service.utils.mpi_group import MPIGroup

logger: logging.Logger = get_logger(__name__)

DEFAULT_MAX_RETRIES = 2


@dataclass
class WorkerStats:
    """What a worker did (returned by :func:`run_worker`)."""

    jobs_run: int = 0
    jobs_failed: int = 0
    refused: int = 0
    """Jobs refused for any reason (bad signature, malformed, expired, replayed...)."""
    expired: int = 0
    replayed: int = 0
    """Refused as already seen (or possibly forgotten: below the memory's floor)."""
    dropped_oversize: int = 0
    """Refused jobs dropped instead of dead-lettered for their size."""
    dead_lettered: int = 0
    requeued: int = 0
    stopped_because: str = ""
    channel_timeouts: int = 0


@dataclass
class _Session:
    """What the job handler needs of the running worker."""

    connection: Any
    channel: Any
    key: bytes
    exp_key: str
    names: Queues
    max_retries: int
    stats: WorkerStats
    group: Optional[MPIGroup]
    replay: ReplayOptions
    seen: SeenIds
    recently_done: Dict[str, None] = field(default_factory=dict)
    """Correlation ids of jobs this worker finished whose ack was lost (insertion order)."""


_RECENTLY_DONE_MAX = 64


def run_worker(
    url: str,
    exp_key: str,
    max_jobs: Optional[int] = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    heartbeat: int = 30,
    stop: Optional[threading.Event] = None,
    *,
    announce: bool = False,
    group: Optional[MPIGroup] = None,
    replay: Optional[ReplayOptions] = None,
    allow_guest_key: bool = False,
) -> WorkerStats:
    """Serve jobs of experiment ``exp_key`` until done (see the module docstring).

    Args:
        url: Broker URL ``amqp://user:password@host:port/vhost`` (port from the URL).
        exp_key: The experiment's key (the client's ``RabbitMQExecutor(exp_key=...)``).
        max_jobs: Exit after this many jobs (None: until the queue is deleted).
        max_retries: Redeliveries allowed per job before it is dead-lettered.
        heartbeat: AMQP heartbeat, seconds.
        stop: Set it to stop after the current job (also set by SIGTERM in the CLI).
        announce: Publish a request to ``ax.<exp_key>.requests`` whenever idle.
        group: The MPI group this worker leads (its rank 0 runs this function; the
            other ranks run :func:`serve_rank`). The group is stopped when this returns
            or raises, so that every rank exits.
        replay: Clock skew tolerated, ids remembered, and lifetimes of the results and
            requests this worker sends; default :meth:`ReplayOptions.from_env`.
        allow_guest_key: Accept a ``guest:guest`` key for a non-loopback broker (see
            :func:`~ax.service.rabbitmq.signing.signing_key`).

    Returns:
        The worker's :class:`WorkerStats`.

    Raises:
        UserInputError: Bad URL, credentials, ``exp_key``, ``max_jobs`` or ``max_retries``;
            a ``guest:guest`` key for a non-loopback broker.
        BrokerConnectionError: The broker cannot be reached, or the connection is lost.
    """
    try:
        if replay is None:
            replay = ReplayOptions.from_env()
        elif not isinstance(replay, ReplayOptions):
            raise UserInputError(
                f"ax worker: replay must be a ReplayOptions or None, got {type(replay).__name__}"
            )
        key = signing_key(url, allow_guest_key=allow_guest_key)
        bind_worker(url, exp_key, key)  # jobs' reporters send through this broker
        return _serve(
            url, exp_key, max_jobs, max_retries, heartbeat, stop, announce, group, replay, key
        )
    finally:
        if group is not None:
            group.stop()


def _serve(
    url: str,
    exp_key: str,
    max_jobs: Optional[int],
    max_retries: int,
    heartbeat: int,
    stop: Optional[threading.Event],
    announce: bool,
    group: Optional[MPIGroup],
    replay: ReplayOptions,
    key: bytes,
) -> WorkerStats:
    if max_jobs is not None:
        check_int_at_least("ax worker", "max_jobs", max_jobs, 1, none_allowed=True)
    check_int_at_least("ax worker", "max_retries", max_retries, 0)
    pika = import_pika()
    names = queues(exp_key)
    params = connection_parameters(url, heartbeat=heartbeat)
    stop = stop or threading.Event()
    stats = WorkerStats()
    worker_id = uuid.uuid4().hex
    try:
        connection = pika.BlockingConnection(params)
    except Exception as err:
        raise broker_error(url, f"ax worker {exp_key}", err) from err
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        declare(channel, names)
        channel.basic_qos(prefetch_count=1)
        session = _Session(
            connection,
            channel,
            key,
            exp_key,
            names,
            max_retries,
            stats,
            group,
            replay,
            SeenIds(replay),
        )
        ranks = f" (MPI group of {group.size} ranks)" if group is not None else ""
        logger.info("ax worker %s: waiting for jobs on %s%s", exp_key, names.jobs, ranks)
        if announce:
            _request(session, worker_id)
        while not stop.is_set():
            if max_jobs is not None and stats.jobs_run >= max_jobs:
                stats.stopped_because = f"ran {max_jobs} job(s)"
                break
            consumer = session.channel.consume(names.jobs, auto_ack=False, inactivity_timeout=0.5)
            message = next(consumer, None)
            if message is None:  # the generator ended: the broker cancelled the consumer
                stats.stopped_because = f"queue {names.jobs} was deleted"
                break
            method, props, body = message
            if method is None:  # inactivity timeout
                continue
            ran = _handle(session, method, props, body)
            more = max_jobs is None or stats.jobs_run < max_jobs
            if ran and announce and more and not stop.is_set():
                _request(session, worker_id)
        else:
            stats.stopped_because = "stopped"
        if session.channel.is_open:
            session.channel.cancel()  # requeues anything prefetched but not handled
    except pika.exceptions.AMQPError as err:
        raise broker_error(url, f"ax worker {exp_key}", err) from err
    finally:
        if connection.is_open:
            try:
                connection.close()
            except Exception as err:  # already broken: nothing more to release
                logger.debug("ax worker %s: closing the connection: %s", exp_key, err)
    logger.info("ax worker %s: exiting (%s)", exp_key, stats.stopped_because)
    return stats


def run_worker_process(
    url: str,
    exp_key: str,
    *,
    max_jobs: Optional[int] = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    mpi: bool = False,
    announce: bool = False,
) -> Optional[WorkerStats]:
    """The body of a worker command (``ax worker``, ``polaris-worker``) in this process.

    SIGTERM stops the worker after its current job. With ``mpi``, this process is one rank
    of an MPI group started by ``mpirun -n K``: rank 0 serves the broker
    (:func:`run_worker`) and the other ranks run each of its jobs too (:func:`serve_rank`).

    Returns:
        Rank 0's (or the only process's) :class:`WorkerStats`; None on ranks 1..K-1.

    Raises:
        UnsupportedError: ``mpi`` without mpi4py or an MPI library.
        UserInputError / BrokerConnectionError: As for :func:`run_worker`.
    """
    import signal

    group: Optional[MPIGroup] = None
    if mpi:
        from ax.service.utils.mpi_group import MPIGroup

        group = MPIGroup()
        if not group.is_root:
            bind_worker(url, exp_key, signing_key(url), reports=False)  # hear stops only
            jobs = serve_rank(group)
            logger.info(
                "ax worker %s: MPI rank %d exiting after %d job(s)", exp_key, group.rank, jobs
            )
            return None
    stop = threading.Event()

    def on_term(signum: int, frame: object) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        return run_worker(
            url,
            exp_key,
            max_jobs=max_jobs,
            max_retries=max_retries,
            stop=stop,
            announce=announce,
            group=group,
        )
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_rank(group: MPIGroup) -> int:
    """Ranks 1..K-1 of an MPI worker: run each job rank 0 hands over, until it stops.

    Returns:
        The number of jobs this rank ran.
    """
    count = 0

    def handle(job: Tuple[str, bytes]) -> Tuple[str, Tuple[bool, Any]]:
        nonlocal count
        correlation_id, body = job
        count += 1
        ok, value = execute(body)
        error = value if not ok else outcome_error(value)
        return correlation_id, (error is None, error)

    group.serve(handle)
    return count


def execute(body: bytes) -> Tuple[bool, Any]:
    """Unpickle a verified job and run it: ``(True, value)`` or ``(False, error text)``."""
    try:
        fn, args, kwargs = pickle.loads(body)  # callers verified the signature
        return True, fn(*args, **kwargs)
    except BaseException as err:  # the user's code may raise anything
        text = "".join(traceback.format_exception(err))[-4000:]
        return False, f"{type(err).__name__}: {err}\n{text}"


def _request(session: _Session, worker_id: str) -> None:
    """Publish a signed, empty "idle" request."""
    body = b""
    session.channel.basic_publish(
        exchange="",
        routing_key=session.names.requests,
        body=body,
        properties=properties(
            session.key,
            KIND_REQUEST,
            session.exp_key,
            worker_id,
            1,
            None,
            body,
            new_stamp(session.replay.job_ttl_s),
        ),
    )


def _handle(session: _Session, method: Any, props: Any, body: bytes) -> bool:
    """Handle one delivery; whether a job was run."""
    channel, exp_key, stats = session.channel, session.exp_key, session.stats
    envelope = authenticate(session.key, KIND_JOB, exp_key, props, body, logger)
    if (
        not isinstance(envelope, Refused)
        and method.redelivered
        and envelope.correlation_id in session.recently_done
    ):
        logger.info(
            "ax worker %s: job %s was redelivered after this worker finished it; dropped",
            exp_key,
            envelope.correlation_id,
        )
        channel.basic_ack(method.delivery_tag)
        return False
    if not isinstance(envelope, Refused):
        envelope = admit(session.seen, envelope, KIND_JOB, exp_key, logger) or envelope
    if isinstance(envelope, Refused):
        stats.refused += 1
        stats.expired += envelope.reason == EXPIRED
        stats.replayed += envelope.reason in (REPLAY, FLOOR)
        if envelope.reason == EXPIRED and envelope.envelope is not None:
            # A genuine job nobody took in time: tell its client (it is not left waiting).
            expired_s = (now_ms() - envelope.envelope.expires_ms) / 1000
            _reply(
                session,
                envelope.envelope,
                False,
                f"job expired {expired_s:.0f} s before a worker took it (not run); raise the "
                "job lifetime (ReplayOptions.job_ttl_s / AX_WORKER_JOB_TTL_S) if jobs wait "
                "that long for a worker, or check the clocks",
            )
        stats.dropped_oversize += refuse(channel, method, body, exp_key, logger)
        return False
    if method.redelivered:
        attempt = envelope.attempt + 1
        if attempt > session.max_retries + 1:
            logger.error(
                "ax worker %s: job %s dead-lettered after %d attempts",
                exp_key,
                envelope.correlation_id,
                envelope.attempt,
            )
            _reply(
                session,
                envelope,
                False,
                f"job dead-lettered: its worker died or disconnected {envelope.attempt} "
                f"time(s) (max_retries={session.max_retries})",
            )
            channel.basic_reject(method.delivery_tag, requeue=False)
            stats.dead_lettered += 1
            return False
        logger.warning(
            "ax worker %s: job %s redelivered; attempt %d",
            exp_key,
            envelope.correlation_id,
            attempt,
        )
        channel.basic_publish(
            exchange="",
            routing_key=session.names.jobs,
            body=body,
            properties=properties(
                session.key,
                KIND_JOB,
                exp_key,
                envelope.correlation_id,
                attempt,
                envelope.timeout_s,
                body,
                Stamp(new_stamp(0).message_id, envelope.expires_ms),  # same expiry, new id
            ),
        )
        channel.basic_ack(method.delivery_tag)
        stats.requeued += 1
        return False
    ok, value = _run(session, body, envelope)
    stats.jobs_run += 1
    if not ok:
        stats.jobs_failed += 1
    if not channel.is_open:  # closed by the broker while the job ran
        _after_channel_timeout(session, envelope)
        _reply(session, envelope, ok, value)  # the client records the first result only
        return True
    _reply(session, envelope, ok, value)
    channel.basic_ack(method.delivery_tag)  # only once the result is confirmed
    return True


def _after_channel_timeout(session: _Session, envelope: Envelope) -> None:
    """The broker closed the channel during a job (its ``consumer_timeout``): the
    delivery, and its ack, are gone and the job was requeued. Open a new channel to send
    the result; remember the job, so that this worker drops the requeued copy."""
    session.stats.channel_timeouts += 1
    logger.error(
        "ax worker %s: the broker closed the channel while job %s ran (its consumer_timeout, "
        "30 min by default, is shorter than the job: raise it in rabbitmq.conf, e.g. "
        "consumer_timeout = 86400000); sending the result on a new channel, and the job's "
        "requeued copy will be dropped",
        session.exp_key,
        envelope.correlation_id,
    )
    channel = session.connection.channel()
    channel.confirm_delivery()
    channel.basic_qos(prefetch_count=1)
    session.channel = channel
    session.recently_done[envelope.correlation_id] = None
    while len(session.recently_done) > _RECENTLY_DONE_MAX:
        del session.recently_done[next(iter(session.recently_done))]


def _run(session: _Session, body: bytes, envelope: Envelope) -> Tuple[bool, Any]:
    """Run the job in a thread (and on the group's other ranks), servicing the connection
    meanwhile; (ok, value or error)."""
    connection, group = session.connection, session.group
    outcome: list[Tuple[bool, Any]] = []

    def service() -> None:
        connection.process_data_events(time_limit=0.01)

    if group is not None and group.size > 1:
        group.broadcast((envelope.correlation_id, body))
    thread = threading.Thread(
        target=lambda: outcome.append(execute(body)),
        name=f"ax-job-{envelope.correlation_id}",
        daemon=True,
    )
    started = time.monotonic()
    thread.start()
    while thread.is_alive():
        connection.process_data_events(time_limit=0.01)
        thread.join(0.01)
        if envelope.timeout_s is not None and time.monotonic() - started > envelope.timeout_s:
            logger.error(
                "ax worker: job %s timed out after %g s (its thread is abandoned)",
                envelope.correlation_id,
                envelope.timeout_s,
            )
            return False, f"TimeoutError: job timed out after {envelope.timeout_s:g} s"
    ok, value = outcome[0] if outcome else (False, "the job produced no outcome")
    if group is None or group.size == 1:
        return ok, value
    left = None
    if envelope.timeout_s is not None:
        left = max(0.0, envelope.timeout_s - (time.monotonic() - started))
    reports: Dict[int, Any] = group.collect(envelope.correlation_id, service, left)
    for rank in range(1, group.size):
        if rank not in reports:
            error = (
                f"TimeoutError: MPI rank {rank} did not finish the job within "
                f"{envelope.timeout_s:g} s"
            )
        else:
            rank_ok, rank_error = reports[rank]
            if rank_ok:
                continue
            error = f"MPI rank {rank} failed: {rank_error}"
        if not ok or outcome_error(value) is not None:  # rank 0's own failure comes first
            return ok, value
        marked = with_error(value, error)  # a Scheduler trial: FAILED with this reason
        return (True, marked) if marked is not None else (False, error)
    return ok, value


def _reply(session: _Session, envelope: Envelope, ok: bool, value: Any) -> None:
    cloudpickle = import_cloudpickle()
    try:
        body = cloudpickle.dumps((ok, value))
    except Exception as err:
        ok = False
        body = cloudpickle.dumps(
            (False, f"the job's result cannot be pickled: {type(err).__name__}: {err}")
        )
    session.channel.basic_publish(
        exchange="",
        routing_key=session.names.results,
        body=body,
        properties=properties(
            session.key,
            KIND_RESULT,
            session.exp_key,
            envelope.correlation_id,
            envelope.attempt,
            None,
            body,
            new_stamp(session.replay.result_ttl_s),
        ),
    )


__all__ = [
    "DEFAULT_MAX_RETRIES",
    "WorkerStats",
    "execute",
    "run_worker",
    "run_worker_process",
    "serve_rank",
]
