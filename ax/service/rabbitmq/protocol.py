"""The wire protocol shared by the executor and the workers: queues, connection, messages.

Queues of an experiment ``KEY`` (all durable, on the default exchange):

* ``ax.KEY.jobs``: signed jobs; dead-letters to ``ax.KEY.dead``
  (``x-dead-letter-exchange=""``, ``x-dead-letter-routing-key=ax.KEY.dead``);
* ``ax.KEY.results``: signed results, consumed by the executor;
* ``ax.KEY.dead``: jobs refused (bad signature, expired, replayed) or over their retry
  limit; bounded: at most :data:`DEAD_LETTER_MAX_LENGTH` messages and
  :data:`DEAD_LETTER_MAX_BYTES` bytes (the oldest are dropped first), each kept
  :data:`DEAD_LETTER_TTL_MS` at most; a refused message over :data:`REFUSED_MAX_BYTES` is
  dropped (acked), never stored;
* ``ax.KEY.requests``: signed, empty "I am idle" messages of workers started with
  ``announce=True`` (the Polaris workers), for clients that hand out one job per idle
  worker instead of queueing jobs ahead (:class:`polaris.rabbitmq.JobClient`).

A message's AMQP properties: ``correlation_id`` (one per submitted job, echoed by its
result), ``message_id`` (unique per message), ``delivery_mode=2`` (persistent) and headers
``ax-kind``, ``ax-attempt``, ``ax-timeout``, ``ax-expires`` (epoch milliseconds) and
``ax-signature``. The body is a cloudpickle. It is unpickled only after
:func:`~ax.service.rabbitmq.signing.verify` accepts the signature, and only if the message
has not expired and was not seen before (:mod:`ax.service.rabbitmq.replay`).
"""

from __future__ import annotations

import importlib
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from ax.exceptions import ExecutorError, UnsupportedError, UserInputError
from ax.service.rabbitmq.replay import (
    DEFAULT_CLOCK_SKEW_S,
    DEFAULT_JOB_TTL_S,
    DEFAULT_RESULT_TTL_S,
    EXPIRED,
    SeenIds,
    Stamp,
    describe,
    new_stamp,
    now_ms,
)
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
EXPIRES_HEADER = "ax-expires"
_EXP_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,200}")
_MESSAGE_ID = re.compile(r"[0-9a-f]{32}")

DEAD_LETTER_MAX_LENGTH = 1000
"""Messages the dead-letter queue keeps at most (``x-max-length``; oldest dropped first)."""
DEAD_LETTER_MAX_BYTES = 64 * 1024 * 1024
"""Bytes of message bodies the dead-letter queue keeps at most (``x-max-length-bytes``)."""
DEAD_LETTER_TTL_MS = 7 * 86_400_000
"""How long a dead-lettered message is kept, milliseconds (``x-message-ttl``: 7 days)."""
REFUSED_MAX_BYTES = 256 * 1024
"""A refused message (bad signature, expired, replayed) larger than this is dropped, not
dead-lettered."""


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
    if not isinstance(exp_key, str) or not _EXP_KEY.fullmatch(exp_key):
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


def dead_letter_arguments() -> Dict[str, Any]:
    """The bounds of the dead-letter queue (queue arguments)."""
    return {
        "x-max-length": DEAD_LETTER_MAX_LENGTH,
        "x-max-length-bytes": DEAD_LETTER_MAX_BYTES,
        "x-message-ttl": DEAD_LETTER_TTL_MS,
        "x-overflow": "drop-head",
    }


def declare(channel: Any, names: Queues) -> None:
    """Declare the experiment's queues (idempotent; same arguments on every side).

    Raises:
        UserInputError: ``ax.KEY.dead`` exists with other arguments (made by an older
            version, which did not bound it): the message says how to remove it.
    """
    pika = import_pika()
    try:
        channel.queue_declare(queue=names.dead, durable=True, arguments=dead_letter_arguments())
    except pika.exceptions.ChannelClosedByBroker as err:
        if err.reply_code != 406:
            raise
        raise UserInputError(
            f"RabbitMQ: queue {names.dead!r} exists with other arguments (an older version "
            f"declared it without the length and TTL bounds): {err.reply_text}",
            hint=f"inspect and delete it (rabbitmqctl delete_queue {names.dead}), or use "
            "another exp_key",
        ) from err
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
    stamp: Optional[Stamp] = None,
) -> pika.BasicProperties:
    """Signed, persistent AMQP properties for a message.

    Args:
        stamp: The message's id and expiry; default a fresh one living
            :data:`~ax.service.rabbitmq.replay.DEFAULT_RESULT_TTL_S` for a result,
            :data:`~ax.service.rabbitmq.replay.DEFAULT_JOB_TTL_S` otherwise.
    """
    pika = import_pika()
    if stamp is None:
        stamp = new_stamp(DEFAULT_RESULT_TTL_S if kind == KIND_RESULT else DEFAULT_JOB_TTL_S)
    headers: Dict[str, Any] = {
        "ax-kind": kind,
        "ax-attempt": int(attempt),
        "ax-timeout": "" if timeout_s is None else repr(float(timeout_s)),
        EXPIRES_HEADER: str(int(stamp.expires_ms)),
        SIGNATURE_HEADER: sign(
            key,
            kind,
            exp_key,
            correlation_id,
            attempt,
            timeout_s,
            body,
            message_id=stamp.message_id,
            expires_ms=stamp.expires_ms,
        ),
    }
    return pika.BasicProperties(
        correlation_id=correlation_id,
        message_id=stamp.message_id,
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
    message_id: str = ""
    expires_ms: int = 0

    @property
    def stamp(self) -> Stamp:
        return Stamp(self.message_id, self.expires_ms)


@dataclass(frozen=True)
class Refused:
    """Why a message was refused: ``malformed``, ``signature``, ``unstamped``, or a
    :mod:`~ax.service.rabbitmq.replay` refusal (``expired``, ``replay``, ``below-floor``),
    with the verified envelope for the latter (signed: its fields can be trusted)."""

    reason: str
    envelope: Optional[Envelope] = field(default=None, compare=False)


def _text(value: Any, field: str, limit: int) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii")
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"bad {field}")
    return value


def _parse(kind: str, props: Any) -> Tuple[str, int, Optional[float], Optional[Stamp]]:
    """``(correlation_id, attempt, timeout_s, stamp or None)`` of a message's header.

    Raises:
        ValueError / TypeError / UnicodeDecodeError: malformed.
    """
    headers = getattr(props, "headers", None) or {}
    if not isinstance(headers, dict):
        raise TypeError("headers are not a table")
    cid = getattr(props, "correlation_id", None)
    if _text(headers.get("ax-kind"), "kind", 50) != kind or not isinstance(cid, str) or not cid:
        raise ValueError("missing kind or correlation id")
    if len(cid) > 200:
        raise ValueError("correlation id longer than 200 characters")
    raw_attempt = headers.get("ax-attempt", 0)
    if isinstance(raw_attempt, bool) or not isinstance(raw_attempt, int):
        raise ValueError(f"attempt is not an int: {str(raw_attempt)[:50]!r}")
    if not 0 <= raw_attempt <= 1_000_000:
        raise ValueError(f"attempt out of range: {raw_attempt}")
    raw_timeout = _text(headers.get("ax-timeout", ""), "timeout", 50)
    timeout_s = float(raw_timeout) if raw_timeout else None
    if timeout_s is not None and not timeout_s > 0:
        raise ValueError(f"timeout must be > 0, got {raw_timeout!r}")
    message_id = getattr(props, "message_id", None)
    raw_expires = headers.get(EXPIRES_HEADER)
    if message_id is None and raw_expires is None:
        return cid, raw_attempt, timeout_s, None
    if not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id):
        raise ValueError(f"message id must be 32 hex digits, got {str(message_id)[:50]!r}")
    expires = _text(raw_expires, "expiry", 20)
    if not expires.isascii() or not expires.isdigit():
        raise ValueError(f"expiry must be epoch milliseconds, got {expires!r}")
    return cid, raw_attempt, timeout_s, Stamp(message_id, int(expires))


def check(
    key: bytes,
    kind: str,
    exp_key: str,
    props: Any,
    body: bytes,
    logger: logging.Logger,
    seen: Optional[SeenIds] = None,
) -> Envelope | Refused:
    """The message's envelope if it is a validly signed, stamped, unexpired ``kind``
    message (and, with ``seen``, one not seen before, now remembered), else why not
    (logged at WARNING, naming the reason).

    Never unpickles anything.
    """
    envelope = authenticate(key, kind, exp_key, props, body, logger)
    if isinstance(envelope, Refused):
        return envelope
    if seen is not None:
        refused = admit(seen, envelope, kind, exp_key, logger)
        return envelope if refused is None else refused
    skew_ms = int(DEFAULT_CLOCK_SKEW_S * 1000)
    if now_ms() > envelope.expires_ms + skew_ms:
        _log_refusal(logger, exp_key, kind, envelope, EXPIRED)
        return Refused(EXPIRED, envelope)
    return envelope


def authenticate(
    key: bytes, kind: str, exp_key: str, props: Any, body: bytes, logger: logging.Logger
) -> Envelope | Refused:
    """The envelope of a well-formed, validly signed and stamped ``kind`` message, else
    why not (logged). Checks neither expiry nor novelty (see :func:`check`, :func:`admit`).
    """
    try:
        cid, attempt, timeout_s, stamp = _parse(kind, props)
    except (TypeError, ValueError, UnicodeDecodeError) as err:
        logger.warning("RabbitMQ %s: refusing a malformed %s message (%s)", exp_key, kind, err)
        return Refused("malformed")
    headers = getattr(props, "headers", None) or {}
    signature = headers.get(SIGNATURE_HEADER)
    message_id = None if stamp is None else stamp.message_id
    expires_ms = None if stamp is None else stamp.expires_ms
    if not verify(
        key,
        kind,
        exp_key,
        cid,
        attempt,
        timeout_s,
        body,
        signature,
        message_id=message_id,
        expires_ms=expires_ms,
    ):
        logger.warning(
            "RabbitMQ %s: refusing %s %s: missing or invalid signature (not unpickled)",
            exp_key,
            kind,
            cid,
        )
        return Refused("signature")
    if stamp is None:
        logger.warning(
            "RabbitMQ %s: refusing %s %s: it carries no message id and expiry (sent by an "
            "older version of ax?); not unpickled",
            exp_key,
            kind,
            cid,
        )
        return Refused("unstamped")
    return Envelope(cid, attempt, timeout_s, stamp.message_id, stamp.expires_ms)


def admit(
    seen: SeenIds, envelope: Envelope, kind: str, exp_key: str, logger: logging.Logger
) -> Optional[Refused]:
    """Remember a verified message's id in ``seen``; why it is refused (logged), or None."""
    reason = seen.admit(envelope.message_id, envelope.expires_ms)
    if reason is None:
        return None
    _log_refusal(logger, exp_key, kind, envelope, reason)
    return Refused(reason, envelope)


def _log_refusal(
    logger: logging.Logger, exp_key: str, kind: str, envelope: Envelope, reason: str
) -> None:
    logger.warning(
        "RabbitMQ %s: refusing %s %s (message %s): %s; not run, not unpickled",
        exp_key,
        kind,
        envelope.correlation_id,
        envelope.message_id,
        describe(reason, envelope.expires_ms),
    )


def refuse(channel: Any, method: Any, body: bytes, exp_key: str, logger: logging.Logger) -> bool:
    """Take a refused message off its queue: dead-lettered (rejected without requeue, on a
    queue that has one) unless its body exceeds :data:`REFUSED_MAX_BYTES`, then dropped.

    Returns:
        Whether it was dropped for its size.
    """
    if len(body) > REFUSED_MAX_BYTES:
        logger.warning(
            "RabbitMQ %s: dropped a refused message of %d bytes instead of dead-lettering it "
            "(over %d bytes)",
            exp_key,
            len(body),
            REFUSED_MAX_BYTES,
        )
        channel.basic_ack(method.delivery_tag)
        return True
    channel.basic_reject(method.delivery_tag, requeue=False)
    return False


__all__ = [
    "DEAD_LETTER_MAX_BYTES",
    "DEAD_LETTER_MAX_LENGTH",
    "DEAD_LETTER_TTL_MS",
    "EXPIRES_HEADER",
    "REFUSED_MAX_BYTES",
    "Refused",
    "admit",
    "authenticate",
    "dead_letter_arguments",
    "refuse",
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
