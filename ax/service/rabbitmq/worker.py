"""The ``ax worker`` loop: take signed jobs from ``ax.<exp_key>.jobs``, run them, reply.

One job at a time (``prefetch_count=1``). The job runs in a child thread while this
thread keeps the pika connection serviced (``process_data_events``), so heartbeats flow
however long the trial takes. Order of a job's life:

1. verify the signature (a bad one: logged and rejected without requeue, so it is
   dead-lettered; never unpickled);
2. a redelivered job (its worker died or lost its connection) counts one more attempt:
   past ``max_retries`` it is rejected without requeue, i.e. dead-lettered to
   ``ax.<exp_key>.dead``, and a failure result tells the client; otherwise it is
   re-published with its attempt count (re-signed) and the delivery acked;
3. run ``fn(*args, **kwargs)`` in a thread, for at most the job's timeout;
4. publish the signed result (publisher confirms), **then** ack the job. An exception or a
   timeout is a failure result; the worker stays alive.

The worker exits after ``max_jobs`` jobs, when the client deletes the jobs queue at the end
of the experiment (the broker cancels the consumer), or on SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

from ax.exceptions import UserInputError
from ax.service.rabbitmq.protocol import (
    KIND_JOB,
    KIND_RESULT,
    Envelope,
    check,
    connection_parameters,
    declare,
    import_cloudpickle,
    import_pika,
    properties,
    queues,
)
from ax.service.rabbitmq.signing import signing_key
from ax.utils.logger import get_logger

logger: logging.Logger = get_logger(__name__)

DEFAULT_MAX_RETRIES = 2


@dataclass
class WorkerStats:
    """What a worker did (returned by :func:`run_worker`)."""

    jobs_run: int = 0
    jobs_failed: int = 0
    refused: int = 0
    dead_lettered: int = 0
    requeued: int = 0
    stopped_because: str = ""
    errors: list[str] = field(default_factory=list)


def run_worker(
    url: str,
    exp_key: str,
    max_jobs: Optional[int] = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
    heartbeat: int = 30,
    stop: Optional[threading.Event] = None,
) -> WorkerStats:
    """Serve jobs of experiment ``exp_key`` until done (see the module docstring).

    Args:
        url: Broker URL ``amqp://user:password@host:port/vhost`` (port from the URL).
        exp_key: The experiment's key (the client's ``RabbitMQExecutor(exp_key=...)``).
        max_jobs: Exit after this many jobs (None: until the queue is deleted).
        max_retries: Redeliveries allowed per job before it is dead-lettered.
        heartbeat: AMQP heartbeat, seconds.
        stop: Set it to stop after the current job (also set by SIGTERM in the CLI).

    Returns:
        The worker's :class:`WorkerStats`.

    Raises:
        UserInputError: Bad URL, credentials, ``exp_key``, ``max_jobs`` or ``max_retries``.
    """
    if max_jobs is not None and (
        isinstance(max_jobs, bool) or not isinstance(max_jobs, int) or max_jobs < 1
    ):
        raise UserInputError(f"ax worker: max_jobs must be an int >= 1 or None, got {max_jobs!r}")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise UserInputError(f"ax worker: max_retries must be an int >= 0, got {max_retries!r}")
    pika = import_pika()
    names = queues(exp_key)
    key = signing_key(url)
    params = connection_parameters(url, heartbeat=heartbeat)
    stop = stop or threading.Event()
    stats = WorkerStats()
    connection = pika.BlockingConnection(params)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        declare(channel, names)
        channel.basic_qos(prefetch_count=1)
        logger.info("ax worker %s: waiting for jobs on %s", exp_key, names.jobs)
        while not stop.is_set():
            if max_jobs is not None and stats.jobs_run >= max_jobs:
                stats.stopped_because = f"ran {max_jobs} job(s)"
                break
            consumer = channel.consume(names.jobs, auto_ack=False, inactivity_timeout=0.5)
            message = next(consumer, None)
            if message is None:  # the generator ended: the broker cancelled the consumer
                stats.stopped_because = f"queue {names.jobs} was deleted"
                break
            method, props, body = message
            if method is None:  # inactivity timeout
                continue
            _handle(
                connection,
                channel,
                key,
                exp_key,
                names.jobs,
                max_retries,
                method,
                props,
                body,
                stats,
            )
        else:
            stats.stopped_because = "stopped"
        if channel.is_open:
            channel.cancel()  # requeues anything prefetched but not handled
    finally:
        if connection.is_open:
            connection.close()
    logger.info("ax worker %s: exiting (%s)", exp_key, stats.stopped_because)
    return stats


def _handle(
    connection: Any,
    channel: Any,
    key: bytes,
    exp_key: str,
    jobs_queue: str,
    max_retries: int,
    method: Any,
    props: Any,
    body: bytes,
    stats: WorkerStats,
) -> None:
    envelope = check(key, KIND_JOB, exp_key, props, body, logger)
    if envelope is None:
        stats.refused += 1
        channel.basic_reject(method.delivery_tag, requeue=False)
        return
    if method.redelivered:
        attempt = envelope.attempt + 1
        if attempt > max_retries + 1:
            logger.error(
                "ax worker %s: job %s dead-lettered after %d attempts",
                exp_key,
                envelope.correlation_id,
                envelope.attempt,
            )
            _reply(
                channel,
                key,
                exp_key,
                envelope,
                False,
                f"job dead-lettered: its worker died or disconnected {envelope.attempt} "
                f"time(s) (max_retries={max_retries})",
            )
            channel.basic_reject(method.delivery_tag, requeue=False)
            stats.dead_lettered += 1
            return
        logger.warning(
            "ax worker %s: job %s redelivered; attempt %d",
            exp_key,
            envelope.correlation_id,
            attempt,
        )
        channel.basic_publish(
            exchange="",
            routing_key=jobs_queue,
            body=body,
            properties=properties(
                key, KIND_JOB, exp_key, envelope.correlation_id, attempt, envelope.timeout_s, body
            ),
        )
        channel.basic_ack(method.delivery_tag)
        stats.requeued += 1
        return
    ok, value = _run(connection, body, envelope)
    stats.jobs_run += 1
    if not ok:
        stats.jobs_failed += 1
    _reply(channel, key, exp_key, envelope, ok, value)
    channel.basic_ack(method.delivery_tag)  # only once the result is confirmed


def _run(connection: Any, body: bytes, envelope: Envelope) -> Tuple[bool, Any]:
    """Run the job in a thread, servicing the connection meanwhile; (ok, value or error)."""
    outcome: list[Tuple[bool, Any]] = []

    def target() -> None:
        try:
            fn, args, kwargs = pickle.loads(body)  # the signature was verified
            outcome.append((True, fn(*args, **kwargs)))
        except BaseException as err:  # the user's code may raise anything
            text = "".join(traceback.format_exception(err))[-4000:]
            outcome.append((False, f"{type(err).__name__}: {err}\n{text}"))

    thread = threading.Thread(target=target, name=f"ax-job-{envelope.correlation_id}", daemon=True)
    started = time.monotonic()
    thread.start()
    while thread.is_alive():
        connection.process_data_events(time_limit=0.1)
        thread.join(0.05)
        if envelope.timeout_s is not None and time.monotonic() - started > envelope.timeout_s:
            logger.error(
                "ax worker: job %s timed out after %g s (its thread is abandoned)",
                envelope.correlation_id,
                envelope.timeout_s,
            )
            return False, f"TimeoutError: job timed out after {envelope.timeout_s:g} s"
    return outcome[0] if outcome else (False, "the job produced no outcome")


def _reply(
    channel: Any, key: bytes, exp_key: str, envelope: Envelope, ok: bool, value: Any
) -> None:
    cloudpickle = import_cloudpickle()
    try:
        body = cloudpickle.dumps((ok, value))
    except Exception as err:
        ok = False
        body = cloudpickle.dumps(
            (False, f"the job's result cannot be pickled: {type(err).__name__}: {err}")
        )
    channel.basic_publish(
        exchange="",
        routing_key=f"ax.{exp_key}.results",
        body=body,
        properties=properties(
            key, KIND_RESULT, exp_key, envelope.correlation_id, envelope.attempt, None, body
        ),
    )


__all__ = ["DEFAULT_MAX_RETRIES", "WorkerStats", "run_worker"]
