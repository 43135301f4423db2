"""Intermediate reports and stop decisions over RabbitMQ, signed like jobs.

Queues and exchange of an experiment ``KEY`` (beside those of :mod:`.protocol`):

* ``ax.KEY.reports``: signed ``report`` messages from the workers, consumed by the
  client's :class:`RabbitMQReportChannel` (the Scheduler's thread, in :meth:`drain`);
* ``ax.KEY.stops``: a fanout exchange of signed ``stop`` messages from the client; each
  worker process binds an exclusive, auto-deleted queue to it before its first report, so
  a stop decided after a report always reaches the worker that made it.

Bodies are JSON (``{"t": trial_index, "p": progression, "v": {metric: value}}`` or
``{"t": trial_index}``), never unpickled; every message carries the HMAC signature,
message id and expiry of :func:`~.protocol.properties`, and is checked by
:func:`~.protocol.check` (signature, expiry, replay) before it is read. A refused
message is dropped and logged.

No secret travels in a job: the channel pickled into a job's reporter holds the
experiment key only; the ``ax worker`` binds the broker URL and its signing key to this
module when it starts (:func:`bind_worker`), and the worker side opens its own
connection on first use (one per worker process, reused across jobs).
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple

from ax.exceptions import UnsupportedError
from ax.service.rabbitmq.protocol import (
    Refused,
    broker_error,
    check,
    connection_parameters,
    import_pika,
    properties,
)
from ax.service.rabbitmq.replay import DEFAULT_JOB_TTL_S, ReplayOptions, SeenIds, new_stamp
from ax.utils.logger import get_logger

logger = get_logger(__name__)

KIND_REPORT = "report"
KIND_STOP = "stop"

# This worker process's side of each experiment's reports (set by the ``ax worker``):
# one connection and one stop queue per process, shared by the reporters of all its jobs
# (one job at a time), bound before the first job so that no stop can be missed.
_WORKER: Dict[str, RabbitMQReportChannel] = {}
_LOCK = threading.Lock()


def reports_queue(exp_key: str) -> str:
    """The name of the experiment's reports queue."""
    return f"ax.{exp_key}.reports"


def stops_exchange(exp_key: str) -> str:
    """The name of the experiment's fanout exchange of stop decisions."""
    return f"ax.{exp_key}.stops"


def bind_worker(url: str, exp_key: str, key: bytes, reports: bool = True) -> None:
    """Called by the ``ax worker`` when it starts: reporters of this process's jobs for
    ``exp_key`` send through ``url``, signed with ``key``.

    Args:
        reports: False on ranks 1..K-1 of an MPI group: they see stop decisions (so the
            whole group can stop together) but their reports are dropped (rank 0's
            are the group's).
    """
    side = RabbitMQReportChannel(url, exp_key, key)
    side._reports = reports
    side._worker_side = True
    try:
        side._open(worker=True)
    except Exception as err:  # the broker is checked by the worker itself; retry on use
        logger.warning("RabbitMQ %s: reports not connected yet: %s", exp_key, err)
    with _LOCK:
        _WORKER[exp_key] = side


def _bound(exp_key: str) -> RabbitMQReportChannel:
    with _LOCK:
        side = _WORKER.get(exp_key)
    if side is None:
        raise UnsupportedError(
            f"RabbitMQ reports of experiment {exp_key!r}: this process is not an `ax worker` "
            "of that experiment (no broker bound)"
        )
    return side


def _sign(key: bytes, kind: str, exp_key: str, cid: str, body: bytes) -> Any:
    return properties(key, kind, exp_key, cid, 1, None, body, new_stamp(DEFAULT_JOB_TTL_S))


class RabbitMQReportChannel:
    """The :class:`~ax.service.utils.reporting.ReportChannel` of a RabbitMQ executor.

    Client side (made by ``RabbitMQExecutor.report_channel()``, used in the Scheduler's
    thread): :meth:`drain`, :meth:`stop`, :meth:`close`. Pickled into a job, it becomes
    the worker side: :meth:`send` and :meth:`is_stopped`.

    Args:
        url: The broker URL (client side).
        exp_key: The experiment's key.
        key: The signing key (client side; never pickled).
        replay: Replay protection options (default from the environment).
    """

    def __init__(
        self,
        url: Optional[str],
        exp_key: str,
        key: Optional[bytes],
        replay: Optional[ReplayOptions] = None,
    ) -> None:
        self.exp_key = exp_key
        self._url = url
        self._key = key
        self._replay = replay
        self._seen: Optional[SeenIds] = None
        self._connection: Any = None
        self._channel: Any = None
        self._stop_queue: Optional[str] = None
        self._stopped: Set[int] = set()
        self._reports = True
        self._worker_side = False

    # ------------------------------------------------------------------ pickling
    def __getstate__(self) -> Dict[str, Any]:
        return {"exp_key": self.exp_key}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        # In a job: a proxy for this worker process's side (see bind_worker).
        self.__init__(None, state["exp_key"], None)  # type: ignore[misc]

    # ------------------------------------------------------------------ connection
    def _open(self, worker: bool) -> Any:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        assert self._url is not None
        pika = import_pika()
        # No heartbeat: this side connection may sit idle while a job computes.
        self._connection = pika.BlockingConnection(connection_parameters(self._url, heartbeat=0))
        channel = self._connection.channel()
        channel.queue_declare(queue=reports_queue(self.exp_key), durable=True)
        channel.exchange_declare(exchange=stops_exchange(self.exp_key), exchange_type="fanout")
        if worker:
            declared = channel.queue_declare(queue="", exclusive=True, auto_delete=True)
            self._stop_queue = declared.method.queue
            channel.queue_bind(queue=self._stop_queue, exchange=stops_exchange(self.exp_key))
        self._seen = SeenIds(self._replay or ReplayOptions.from_env())
        self._channel = channel
        return channel

    # ------------------------------------------------------------------ worker side
    def send(self, trial_index: int, progression: float, values: Dict[str, float]) -> None:
        """Publish one signed report (worker side; a no-op on MPI ranks 1..K-1)."""
        if not self._worker_side:
            return _bound(self.exp_key).send(trial_index, progression, values)
        if not self._reports:
            return
        channel = self._open(worker=True)
        assert self._key is not None
        body = json.dumps({"t": int(trial_index), "p": progression, "v": values}).encode()
        props = _sign(self._key, KIND_REPORT, self.exp_key, f"trial-{int(trial_index)}", body)
        channel.basic_publish(exchange="", routing_key=reports_queue(self.exp_key),
                              body=body, properties=props)  # fmt: skip

    def is_stopped(self, trial_index: int) -> bool:
        """Whether a signed stop for the trial arrived (worker side)."""
        if not self._worker_side:
            try:
                return _bound(self.exp_key).is_stopped(trial_index)
            except UnsupportedError:
                return False
        if trial_index in self._stopped:
            return True
        self._open(worker=True)
        assert self._stop_queue is not None
        for item in self._read(self._stop_queue, KIND_STOP):
            self._stopped.add(int(item["t"]))
        return trial_index in self._stopped

    # ------------------------------------------------------------------ client side
    def drain(self) -> List[Tuple[int, float, Dict[str, float]]]:
        """The signed reports that arrived (client side, the Scheduler's thread).

        Raises:
            BrokerConnectionError: The broker went away.
        """
        out = []
        with self._broker_errors():
            items = self._read(reports_queue(self.exp_key), KIND_REPORT, worker=False)
        for item in items:
            values = {str(k): float(v) for k, v in dict(item["v"]).items()}
            out.append((int(item["t"]), float(item["p"]), values))
        return out

    def stop(self, trial_index: int) -> None:
        """Publish a signed stop decision to every worker (client side).

        Raises:
            BrokerConnectionError: The broker went away.
        """
        with self._broker_errors():
            channel = self._open(worker=False)
            assert self._key is not None
            body = json.dumps({"t": int(trial_index)}).encode()
            props = _sign(self._key, KIND_STOP, self.exp_key, f"trial-{int(trial_index)}", body)
            channel.basic_publish(exchange=stops_exchange(self.exp_key), routing_key="",
                                  body=body, properties=props)  # fmt: skip

    @contextlib.contextmanager
    def _broker_errors(self) -> Iterator[None]:
        pika = import_pika()
        try:
            yield
        except pika.exceptions.AMQPError as err:
            self._channel = self._connection = None
            raise broker_error(self._url or "", f"RabbitMQ reports {self.exp_key}", err) from err

    def close(self) -> None:
        """Client side: delete the reports queue and the stops exchange. Both sides:
        close the connection."""
        if self._channel is not None and self._channel.is_open and self._stop_queue is None:
            try:
                self._channel.queue_delete(queue=reports_queue(self.exp_key))
                self._channel.exchange_delete(exchange=stops_exchange(self.exp_key))
            except Exception as err:  # the broker may be gone: nothing more to release
                logger.debug("RabbitMQ %s: cleaning up reports: %s", self.exp_key, err)
        if self._connection is not None and self._connection.is_open:
            try:
                self._connection.close()
            except Exception as err:
                logger.debug("RabbitMQ %s: closing: %s", self.exp_key, err)
        self._channel = self._connection = None

    def _read(self, queue: str, kind: str, worker: bool = True) -> List[Dict[str, Any]]:
        channel = self._open(worker=worker)
        assert self._key is not None
        out: List[Dict[str, Any]] = []
        while True:
            method, props, body = channel.basic_get(queue=queue, auto_ack=True)
            if method is None:
                return out
            envelope = check(self._key, kind, self.exp_key, props, body, logger, self._seen)
            if isinstance(envelope, Refused):
                continue  # logged by check(); never read
            try:
                item = json.loads(body)
                if not isinstance(item, dict) or "t" not in item:
                    raise ValueError("not a report object")
            except ValueError as err:
                logger.warning("RabbitMQ %s: dropping a malformed %s: %s", self.exp_key, kind, err)
                continue
            out.append(item)


__all__ = [
    "KIND_REPORT",
    "KIND_STOP",
    "RabbitMQReportChannel",
    "bind_worker",
    "reports_queue",
    "stops_exchange",
]
