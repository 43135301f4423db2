"""The wire protocol shared by the executor and the workers: queues, connection, messages.

Queues of an experiment ``KEY`` (all durable, on the default exchange):

* ``ax.KEY.jobs``: signed jobs; dead-letters to ``ax.KEY.dead``
  (``x-dead-letter-exchange=""``, ``x-dead-letter-routing-key=ax.KEY.dead``);
* ``ax.KEY.results``: signed results, consumed by the executor;
* ``ax.KEY.dead``: jobs refused (bad signature) or over their retry limit;
* ``ax.KEY.requests``: signed, empty "I am idle" messages of workers started with
  ``announce=True`` (the Polaris workers), for clients that hand out one job per idle
  worker instead of queueing jobs ahead (:class:`polaris.rabbitmq.JobClient`).

A message's AMQP properties: ``correlation_id`` (one per submitted job, echoed by its
result), ``delivery_mode=2`` (persistent) and headers ``ax-kind``, ``ax-attempt``,
``ax-timeout`` and ``ax-signature``. The body is a cloudpickle. It is unpickled only after
:func:`~ax.service.rabbitmq.signing.verify` accepts the signature.
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Optional

from ax.exceptions import ExecutorError, UnsupportedError, UserInputError
from ax.service.rabbitmq.signing import (
    SIGNATURE_HEADER,
    redact,
    sign,
    url_credentials,
    verify,
)

if TYPE_CHECKING:  # pragma: no cover
    import pika

PIKA_MISSING_HINT = "install the extra: pip install 'ax-experiments[rabbitmq]' (pika, cloudpickle)"
KIND_JOB = "job"
KIND_RESULT = "result"
KIND_REQUEST = "request"
_EXP_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


class BrokerConnectionError(ExecutorError):
    """The connection to the RabbitMQ broker failed or was lost (the message names it)."""


def broker_error(url: str, who: str, err: BaseException) -> BrokerConnectionError:
    """A :class:`BrokerConnectionError` for ``err`` raised by pika, naming the broker."""
    detail = str(err) or repr(err)
    return BrokerConnectionError(
        f"{who}: the connection to the RabbitMQ broker {redact(url)!r} failed or was lost: "
        f"{type(err).__name__}: {detail}",
        hint="check that the broker is running and reachable; a saved experiment resumes "
        "where it stopped",
    )


@dataclass(frozen=True)
class Queues:
    """The four queue names of an experiment."""

    jobs: str
    results: str
    dead: str
    requests: str


def queues(exp_key: str) -> Queues:
    """The queue names of ``exp_key`` (validated: letters, digits, ``_.-``, 1-200 chars).

    Raises:
        UserInputError: ``exp_key`` is not a str of that form.
    """
    if not isinstance(exp_key, str) or not _EXP_KEY.match(exp_key):
        raise UserInputError(
            f"RabbitMQ: exp_key must be 1-200 letters, digits or '_.-', got {exp_key!r}"
        )
    return Queues(
        f"ax.{exp_key}.jobs",
        f"ax.{exp_key}.results",
        f"ax.{exp_key}.dead",
        f"ax.{exp_key}.requests",
    )


def checked_timeout(owner: str, field: str, value: Any) -> Optional[float]:
    """``value`` as seconds (float) or None.

    Raises:
        UserInputError: ``value`` is not a number > 0 or None (the message names
            ``owner.field`` and the value).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise UserInputError(f"{owner}: {field} must be a number > 0 or None, got {value!r}")
    return float(value)


def import_pika() -> Any:
    """Import pika, or raise UnsupportedError saying how to install it."""
    try:
        import pika
    except ImportError as err:
        raise UnsupportedError(
            f"RabbitMQ: the 'pika' package is not installed ({err})", hint=PIKA_MISSING_HINT
        ) from err
    return pika


def import_cloudpickle() -> Any:
    """Import cloudpickle (untyped), or raise UnsupportedError saying how to install it."""
    try:
        return importlib.import_module("cloudpickle")
    except ImportError as err:
        raise UnsupportedError(
            f"RabbitMQ: the 'cloudpickle' package is not installed ({err})",
            hint=PIKA_MISSING_HINT,
        ) from err


def connection_parameters(url: str, heartbeat: Optional[int] = None) -> pika.URLParameters:
    """pika parameters for ``url``: host, port and vhost from the URL, credentials from the
    URL or ``RABBITMQ_USER``/``RABBITMQ_PASSWORD`` (never guest).

    Raises:
        UserInputError: Bad scheme or no credentials (see
            :func:`~ax.service.rabbitmq.signing.url_credentials`).
    """
    pika = import_pika()
    user, password, _ = url_credentials(url)
    try:
        params = pika.URLParameters(url)
    except Exception as err:
        raise UserInputError(f"RabbitMQ broker URL {redact(url)!r} is invalid: {err}") from err
    params.credentials = pika.PlainCredentials(user, password)
    if heartbeat is not None:
        params.heartbeat = heartbeat
    return params


def declare(channel: Any, names: Queues) -> None:
    """Declare the experiment's queues (idempotent; same arguments on every side)."""
    channel.queue_declare(queue=names.dead, durable=True)
    channel.queue_declare(
        queue=names.jobs,
        durable=True,
        arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": names.dead},
    )
    channel.queue_declare(queue=names.results, durable=True)
    channel.queue_declare(queue=names.requests, durable=True)


def properties(
    key: bytes,
    kind: str,
    exp_key: str,
    correlation_id: str,
    attempt: int,
    timeout_s: Optional[float],
    body: bytes,
) -> pika.BasicProperties:
    """Signed, persistent AMQP properties for a message."""
    pika = import_pika()
    headers: Dict[str, Any] = {
        "ax-kind": kind,
        "ax-attempt": int(attempt),
        "ax-timeout": "" if timeout_s is None else repr(float(timeout_s)),
        SIGNATURE_HEADER: sign(key, kind, exp_key, correlation_id, attempt, timeout_s, body),
    }
    return pika.BasicProperties(
        correlation_id=correlation_id,
        delivery_mode=2,
        content_type="application/x-cloudpickle",
        headers=headers,
    )


@dataclass(frozen=True)
class Envelope:
    """The verified header fields of a message."""

    correlation_id: str
    attempt: int
    timeout_s: Optional[float]


def check(
    key: bytes, kind: str, exp_key: str, props: Any, body: bytes, logger: logging.Logger
) -> Optional[Envelope]:
    """The message's envelope if it is a validly signed ``kind`` message, else None (logged).

    Never unpickles anything.
    """
    headers = getattr(props, "headers", None) or {}
    cid = getattr(props, "correlation_id", None)
    try:
        if headers.get("ax-kind") != kind or not isinstance(cid, str) or not cid:
            raise ValueError("missing kind or correlation id")
        attempt = int(headers.get("ax-attempt", 0))
        raw_timeout = headers.get("ax-timeout", "")
        if isinstance(raw_timeout, bytes):
            raw_timeout = raw_timeout.decode("ascii")
        timeout_s = float(raw_timeout) if raw_timeout else None
    except (TypeError, ValueError, UnicodeDecodeError) as err:
        logger.warning("RabbitMQ %s: refusing a malformed %s message (%s)", exp_key, kind, err)
        return None
    if not verify(key, kind, exp_key, cid, attempt, timeout_s, body, headers.get(SIGNATURE_HEADER)):
        logger.warning(
            "RabbitMQ %s: refusing %s %s: missing or invalid signature (not unpickled)",
            exp_key,
            kind,
            cid,
        )
        return None
    return Envelope(cid, attempt, timeout_s)


__all__ = [
    "BrokerConnectionError",
    "broker_error",
    "KIND_JOB",
    "KIND_REQUEST",
    "KIND_RESULT",
    "PIKA_MISSING_HINT",
    "Envelope",
    "Queues",
    "check",
    "checked_timeout",
    "connection_parameters",
    "declare",
    "import_cloudpickle",
    "import_pika",
    "properties",
    "queues",
]
