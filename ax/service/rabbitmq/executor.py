"""RabbitMQExecutor: a ``concurrent.futures.Executor`` whose calls run on ``ax worker``s.

``submit(fn, *args, **kwargs)`` cloudpickles the call (so functions defined in the user's
script work), signs it and publishes it with a fresh correlation id to the durable queue
``ax.<exp_key>.jobs``. A background thread owns the executor's pika connection (pika is not
thread-safe; ``submit`` hands publishes to it with ``add_callback_threadsafe``), consumes
``ax.<exp_key>.results``, verifies each result's signature, expiry and novelty (a result
already seen is refused and logged; :mod:`ax.service.rabbitmq.replay`) before unpickling
it, resolves the matching future and acks. A second result for the same correlation id (a job
redelivered after its result was published) is acked and dropped, so no trial is recorded
twice. :meth:`shutdown` deletes the jobs and results queues (and the dead-letter queue when
it is empty).

Pull mode (``announced=True``, the Polaris workers): workers publish a signed "idle"
request to ``ax.<exp_key>.requests`` when they start and after each job. The executor
counts the idle workers it heard from and not yet gave a job, and reports them through
:meth:`RabbitMQExecutor.idle_capacity`, so that the Scheduler generates a trial only when a
worker is free to run it, never on stale data. :meth:`RabbitMQExecutor.capacity_future`
wakes the Scheduler when a worker announces itself. A job sent by an earlier executor (a
client killed and started again) is awaited with :meth:`RabbitMQExecutor.expect`. In pull
mode nothing is lost when the client dies: a request is acked only once a job was
published for it, and a result only once the Scheduler recorded it
(:meth:`JobFuture.acknowledge`); until then the broker keeps them for the next client.

Example:
    >>> executor = RabbitMQExecutor("amqp://ax:s3cret@broker:5672/exp", exp_key="branin")
    >>> Scheduler(experiment, strategy, evaluate, executor=executor).run_all_trials()
    >>> executor.shutdown()
"""

from __future__ import annotations

import collections
import contextlib
import logging
import pickle
import threading
import time
import uuid
from concurrent.futures import CancelledError, Executor, Future
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from ax.exceptions import AxError, UserInputError
from ax.service.rabbitmq.protocol import (
    KIND_JOB,
    KIND_REQUEST,
    KIND_RESULT,
    BrokerConnectionError,
    Refused,
    broker_error,
    check,
    checked_timeout,
    connection_parameters,
    declare,
    import_cloudpickle,
    import_pika,
    properties,
    queues,
    refuse,
)
from ax.service.rabbitmq.replay import ReplayOptions, SeenIds, new_stamp
from ax.service.rabbitmq.reports import RabbitMQReportChannel
from ax.service.rabbitmq.signing import signing_key
from ax.utils.logger import get_logger

logger: logging.Logger = get_logger(__name__)

CONNECT_TIMEOUT_S = 30.0


class RemoteJobError(AxError):
    """A job raised on a worker, or was dead-lettered; the message says which and why."""


class JobFuture(Future[Any]):
    """The future of one job: its correlation id, and when the broker confirmed it.

    Attributes:
        correlation_id: The job's id (echoed by its result; keep it to :meth:`
            RabbitMQExecutor.expect` the result after a restart).
        published: Set once the broker confirmed the job (or publishing failed: the
            future then holds the error).
    """

    def __init__(self, correlation_id: str) -> None:
        super().__init__()
        self.correlation_id = correlation_id
        self.published = threading.Event()
        self._ack: Optional[Callable[[], None]] = None

    def acknowledge(self) -> None:
        """The result is recorded (and persisted): the broker may forget it (idempotent;
        called by the Scheduler, see :func:`~ax.service.executors.acknowledge`)."""
        ack, self._ack = self._ack, None
        if ack is not None:
            ack()


class RabbitMQExecutor(Executor):
    """Runs submitted calls on RabbitMQ workers (``ax worker --broker URL --exp-key KEY``).

    Args:
        url: Broker URL ``amqp://user:password@host:port/vhost``; the port is taken from
            it (default 5672). Credentials from the URL or ``RABBITMQ_USER`` /
            ``RABBITMQ_PASSWORD``.
        exp_key: Names the experiment's queues (letters, digits, ``_.-``).
        timeout_s: Per-job time limit enforced by the worker (None: none).
        heartbeat: AMQP heartbeat of the executor's connection, seconds.
        replay: Lifetime of the jobs sent, clock skew tolerated on results, ids
            remembered; default :meth:`ReplayOptions.from_env` (1-day jobs, 5 min skew).
        allow_guest_key: Accept a ``guest:guest``-derived signing key for a broker that is
            not on loopback (see :func:`~ax.service.rabbitmq.signing.signing_key`).
        announced: Pull mode: the workers announce when they are idle (``polaris-worker``,
            :func:`~ax.service.rabbitmq.worker.run_worker` with ``announce=True``), and
            :meth:`idle_capacity` reports how many are; otherwise it reports None (not
            known: jobs queue until a worker takes them).
        log: Logger of refusals and connection events (default this module's).
        wait_log_s: In pull mode, while no worker is idle and none announced itself for
            this long, log (at INFO) how many jobs are in flight: a reminder to start
            workers.

    Raises:
        UserInputError: Bad URL, no credentials, bad ``exp_key``, ``timeout_s`` or
            ``replay``; a ``guest:guest`` key for a non-loopback broker.
        UnsupportedError: pika or cloudpickle is not installed.
        BrokerConnectionError: The broker cannot be reached within 30 s (the message
            names it). A connection lost later fails every pending future with it.
    """

    uses_cloudpickle = True
    """Calls are sent with cloudpickle, so lambdas and closures work (read by the Scheduler)."""

    def __init__(
        self,
        url: str,
        exp_key: str,
        timeout_s: Optional[float] = None,
        heartbeat: int = 30,
        *,
        replay: Optional[ReplayOptions] = None,
        allow_guest_key: bool = False,
        announced: bool = False,
        log: Optional[logging.Logger] = None,
        wait_log_s: float = 60.0,
    ) -> None:
        self.timeout_s = checked_timeout("RabbitMQExecutor", "timeout_s", timeout_s)
        if not isinstance(announced, bool):
            raise UserInputError(f"RabbitMQExecutor: announced must be a bool, got {announced!r}")
        self.wait_log_s = checked_timeout("RabbitMQExecutor", "wait_log_s", wait_log_s)
        self.announced = announced
        self._log = log if log is not None else logger
        self._idle = 0
        self._request_tags: Deque[int] = collections.deque()
        self._orphans: Dict[str, Tuple[int, bytes]] = {}
        self._capacity_waiters: List[Future[None]] = []
        self._last_event = time.monotonic()
        self._delete_queues = True
        if replay is not None and not isinstance(replay, ReplayOptions):
            raise UserInputError(
                "RabbitMQExecutor: replay must be a ReplayOptions or None, got "
                f"{type(replay).__name__}"
            )
        self.replay = replay if replay is not None else ReplayOptions.from_env()
        self._seen = SeenIds(self.replay)
        self._pika = import_pika()
        self._cloudpickle = import_cloudpickle()
        self.url = url
        self.exp_key = exp_key
        self.queues = queues(exp_key)
        self._key = signing_key(url, allow_guest_key=allow_guest_key)
        self._params = connection_parameters(url, heartbeat=heartbeat)
        self._futures: Dict[str, JobFuture] = {}
        self._lock = threading.Lock()
        self._shutdown = False
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: Optional[BaseException] = None
        self._connection: Any = None
        self._channel: Any = None
        self._consumer_tag = ""
        self._thread = threading.Thread(
            target=self._io_loop, name=f"ax-rabbitmq-{exp_key}", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(CONNECT_TIMEOUT_S) or self._error is not None:
            self._stop.set()
            if isinstance(self._error, AxError):  # e.g. a dead-letter queue of an old version
                raise self._error
            error = self._error or TimeoutError(f"no connection within {CONNECT_TIMEOUT_S:g} s")
            raise broker_error(url, "RabbitMQExecutor", error)

    # ------------------------------------------------------------------ Executor API
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Publish ``fn(*args, **kwargs)`` as a signed job; the future gets its result.

        Raises:
            RuntimeError: After :meth:`shutdown`.
            BrokerConnectionError: The connection to the broker was lost.
            UserInputError: The call cannot be cloudpickled (the message names ``fn``).
        """
        try:
            body = self._cloudpickle.dumps((fn, args, kwargs))
        except Exception as err:
            name = getattr(fn, "__qualname__", repr(fn))
            raise UserInputError(
                f"RabbitMQExecutor.submit: cannot pickle the call to {name}: "
                f"{type(err).__name__}: {err}"
            ) from err
        cid = uuid.uuid4().hex
        future = JobFuture(cid)
        self._register(future)
        with self._lock:
            self._idle = max(0, self._idle - 1)  # that worker is taken
        stamp = new_stamp(self.replay.job_ttl_s)
        props = properties(self._key, KIND_JOB, self.exp_key, cid, 1, self.timeout_s, body, stamp)
        self._connection.add_callback_threadsafe(lambda: self._publish(future, props, body))
        return future

    def expect(self, correlation_id: str) -> JobFuture:
        """The future of a job published earlier (e.g. by a client that was killed and
        started again), resolved when its result arrives on the durable results queue (in
        pull mode, also when it arrived before this call: such results are kept).

        Raises:
            RuntimeError: After :meth:`shutdown`.
            BrokerConnectionError: The connection to the broker was lost.
        """
        future = JobFuture(correlation_id)
        future.published.set()
        self._register(future)
        with self._lock:
            orphan = self._orphans.pop(correlation_id, None)
            if orphan is not None:
                self._futures.pop(correlation_id, None)
        if orphan is not None:  # its result came in already
            self._settle(future, *orphan)
        self._connection.add_callback_threadsafe(self._consume_results)
        return future

    def _register(self, future: JobFuture) -> None:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("RabbitMQExecutor: cannot submit after shutdown")
            if self._error is not None:
                raise broker_error(self.url, "RabbitMQExecutor", self._error)
            self._futures[future.correlation_id] = future

    def idle_capacity(self) -> Optional[int]:
        """How many announced workers are idle and not yet given a job (pull mode);
        None when workers do not announce themselves (see ``announced``).

        Raises:
            BrokerConnectionError: The connection to the broker was lost.
        """
        with self._lock:
            if self._error is not None:
                raise broker_error(self.url, "RabbitMQExecutor", self._error)
            return self._idle if self.announced else None

    def capacity_future(self) -> Optional[Future[None]]:
        """A future done as soon as a worker is idle (pull mode; None otherwise)."""
        if not self.announced:
            return None
        future: Future[None] = Future()
        with self._lock:
            if self._idle > 0 or self._error is not None or self._shutdown:
                future.set_result(None)
            else:
                self._capacity_waiters.append(future)
        return future

    def report_channel(self) -> RabbitMQReportChannel:
        """The channel that brings the jobs' intermediate reports back (signed, on
        ``ax.<exp_key>.reports``) and sends stop decisions out (see
        :mod:`ax.service.rabbitmq.reports`); the Scheduler asks for it."""
        return RabbitMQReportChannel(self.url, self.exp_key, self._key, self.replay)

    def detach(self) -> None:
        """Close the connection but keep the experiment's queues (and the jobs and results
        in them), for a client started again to take over; pending futures fail."""
        self._delete_queues = False
        self.shutdown(wait=False, cancel_futures=True)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop: cancel (``cancel_futures``) or wait for (``wait``) pending futures, then
        delete the experiment's queues and close the connection."""
        with self._lock:
            self._shutdown = True
            pending = list(self._futures.values())
        if cancel_futures:
            for future in pending:
                future.cancel()
        elif wait:
            for future in pending:
                with contextlib.suppress(CancelledError):
                    future.exception()
        self._stop.set()
        self._wake_capacity_waiters()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout=CONNECT_TIMEOUT_S)

    def __enter__(self) -> RabbitMQExecutor:
        return self

    # ------------------------------------------------------------------ I/O thread
    def _io_loop(self) -> None:
        try:
            self._connection = self._pika.BlockingConnection(self._params)
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            declare(self._channel, self.queues)
            if self.announced:
                self._channel.basic_consume(self.queues.requests, self._on_request, auto_ack=False)
        except Exception as err:
            self._error = err
            self._ready.set()
            return
        self._ready.set()
        try:
            while not self._stop.is_set():
                self._connection.process_data_events(time_limit=0.2)
                self._remind()
            if self._delete_queues:
                self._cleanup()
            else:
                self._fail_all(RemoteJobError("RabbitMQExecutor: the executor was detached"))
        except Exception as err:
            self._log.error("RabbitMQExecutor %s: connection lost: %s", self.exp_key, err)
            with self._lock:
                self._error = err
            self._fail_all(broker_error(self.url, "RabbitMQExecutor", err))
            self._wake_capacity_waiters()
        finally:
            if self._connection is not None and self._connection.is_open:
                with contextlib.suppress(Exception):  # already closing
                    self._connection.close()

    def _consume_results(self) -> None:
        """Start consuming results (once; in the I/O thread, on the first job awaited, so
        that results of an earlier executor's jobs wait until :meth:`expect` asks)."""
        if not self._consumer_tag:
            self._consumer_tag = self._channel.basic_consume(
                self.queues.results, self._on_result, auto_ack=False
            )

    def _publish(self, future: JobFuture, props: Any, body: bytes) -> None:
        cid = future.correlation_id
        try:
            self._consume_results()
            self._channel.basic_publish(
                exchange="",
                routing_key=self.queues.jobs,
                body=body,
                properties=props,
                mandatory=True,
            )
            if self._request_tags:  # that worker's request is answered
                self._channel.basic_ack(self._request_tags.popleft())
        except Exception as err:
            with self._lock:
                self._futures.pop(cid, None)
            if not future.done():  # the broker's fault, not the job's
                future.set_exception(
                    broker_error(self.url, f"RabbitMQExecutor (publishing job {cid})", err)
                )
        finally:
            future.published.set()

    def _on_request(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        """A worker announced itself idle: one more job can start now."""
        envelope = check(self._key, KIND_REQUEST, self.exp_key, props, body, self._log, self._seen)
        if isinstance(envelope, Refused):
            refuse(channel, method, body, self.exp_key, self._log)
            return
        with self._lock:
            self._idle += 1
            self._last_event = time.monotonic()
        # Acked once a job is published for it: if this client dies first, the broker
        # hands the request to the next client.
        self._request_tags.append(method.delivery_tag)
        self._wake_capacity_waiters()

    def _wake_capacity_waiters(self) -> None:
        with self._lock:
            waiters, self._capacity_waiters = self._capacity_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _remind(self) -> None:
        """Pull mode: log now and then while jobs wait and no worker is idle."""
        if not self.announced or self.wait_log_s is None:
            return
        now = time.monotonic()
        with self._lock:
            if self._idle or now - self._last_event < self.wait_log_s:
                return
            self._last_event = now
            in_flight = len(self._futures)
        self._log.info(
            "Waiting: %d job(s) in flight and no idle worker of %r; is a "
            "'polaris-worker --exp-key %s' (or an announcing 'ax worker') running?",
            in_flight,
            self.exp_key,
            self.exp_key,
        )

    def _on_result(self, channel: Any, method: Any, props: Any, body: bytes) -> None:
        envelope = check(self._key, KIND_RESULT, self.exp_key, props, body, self._log, self._seen)
        if isinstance(envelope, Refused):
            refuse(channel, method, body, self.exp_key, self._log)
            return
        cid = envelope.correlation_id
        with self._lock:
            future = self._futures.pop(cid, None)
            self._last_event = time.monotonic()
            if future is None and self.announced:
                # Perhaps a job of an earlier client not yet expected again: kept (unacked)
                # until :meth:`expect` asks for it; the broker keeps it for the next client.
                self._orphans[cid] = (method.delivery_tag, body)
                return
        if future is None:
            self._log.info(
                "RabbitMQExecutor %s: dropping a duplicate or unknown result %s",
                self.exp_key,
                cid,
            )
        else:
            self._settle(future, method.delivery_tag, body)
        if not self.announced:
            channel.basic_ack(method.delivery_tag)

    def _settle(self, future: JobFuture, tag: int, body: bytes) -> None:
        """Resolve ``future`` with a verified result body (in pull mode its ack waits for
        :meth:`JobFuture.acknowledge`)."""
        if not future.set_running_or_notify_cancel():  # cancelled meanwhile
            if self.announced:
                self._schedule_ack(tag)
            return
        if self.announced:  # acked once recorded: a client killed before gets it again
            future._ack = lambda: self._schedule_ack(tag)
        try:
            outcome: Tuple[bool, Any] = pickle.loads(body)  # verified by the caller
            ok, value = outcome
        except Exception as err:
            future.set_exception(RemoteJobError(f"unreadable result: {err}"))
        else:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(RemoteJobError(str(value)))

    def _schedule_ack(self, tag: int) -> None:
        """Ack a result from any thread (nothing to do once the connection is gone: the
        broker then keeps the result for the next client)."""
        try:
            self._connection.add_callback_threadsafe(lambda: self._ack_result(tag))
        except Exception as err:  # closed: pika refuses callbacks
            self._log.debug("RabbitMQExecutor %s: result not acked: %s", self.exp_key, err)

    def _ack_result(self, tag: int) -> None:
        if self._channel is not None and self._channel.is_open:
            self._channel.basic_ack(tag)

    def _cleanup(self) -> None:
        self._fail_all(RemoteJobError("RabbitMQExecutor: the executor was shut down"))
        if self._consumer_tag:
            self._channel.basic_cancel(self._consumer_tag)
        self._channel.queue_delete(self.queues.jobs)
        self._channel.queue_delete(self.queues.results)
        self._channel.queue_delete(self.queues.requests)
        try:
            self._channel.queue_delete(self.queues.dead, if_empty=True)
        except Exception as err:  # not empty: kept for inspection (the channel closed)
            self._log.warning(
                "RabbitMQExecutor %s: kept %s (it holds dead-lettered jobs): %s",
                self.exp_key,
                self.queues.dead,
                err,
            )

    def _fail_all(self, error: BaseException) -> None:
        with self._lock:
            pending = list(self._futures.values())
            self._futures.clear()
        for future in pending:
            if not future.done() and future.set_running_or_notify_cancel():
                future.set_exception(error)


__all__ = ["BrokerConnectionError", "JobFuture", "RabbitMQExecutor", "RemoteJobError"]
