"""HMAC-SHA256 signatures of worker messages: nothing is unpickled unless it verifies.

A job or result message is ``(kind, exp_key, correlation_id, attempt, timeout, body)``
plus its stamp ``(message_id, expires_ms)`` (a unique id and an absolute expiry, see
:mod:`ax.service.rabbitmq.replay`); the signature covers all of them (canonically encoded,
with a protocol version tag), so a signed job cannot be replayed as a result, into another
experiment, with a changed timeout, under a new id or with a later expiry. Verification
uses :func:`hmac.compare_digest` (constant time).

The key is, in order of preference:

1. the shared secret in the environment variable ``AX_WORKER_SECRET`` (any non-empty
   string; stretched with HKDF-SHA256), the same on the client and every worker;
2. derived with HKDF-SHA256 from the broker URL's ``user:password:vhost``: whoever can
   log in to that vhost with those credentials can already publish jobs, so this adds
   no trust, but it stops anyone without them (other users of the broker, a message
   injected through another vhost or a shovel) from getting code execution.

There is no default key: with no secret and no password there is nothing to sign with,
and :func:`signing_key` raises.

The well-known ``guest:guest`` credentials give a key anyone can compute. Without
``AX_WORKER_SECRET`` such a key is accepted only for a loopback broker (``localhost``,
``127.0.0.0/8``, ``::1``: RabbitMQ itself admits guest only from the same machine), with a
:class:`GuestKeyWarning`; for any other host :func:`signing_key` raises
:class:`~ax.exceptions.UserInputError` unless the caller opts in (``allow_guest_key=True``
or ``AX_WORKER_ALLOW_GUEST_KEY=1`` in the environment).

Example:
    >>> key = signing_key("amqp://ax:s3cret@127.0.0.1:5672/exp", environ={})
    >>> sig = sign(key, "job", "k", "c1", 1, None, b"payload")
    >>> verify(key, "job", "k", "c1", 1, None, b"payload", sig)
    True
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import warnings
from typing import Mapping, Optional
from urllib.parse import unquote, urlsplit

from ax.exceptions import UserInputError

SECRET_ENV = "AX_WORKER_SECRET"
"""Environment variable holding the shared signing secret (optional)."""

SIGNATURE_HEADER = "ax-signature"
"""AMQP header carrying the hex HMAC-SHA256 signature."""

ALLOW_GUEST_ENV = "AX_WORKER_ALLOW_GUEST_KEY"
"""Set to ``1`` to accept a key derived from ``guest:guest`` for a non-loopback broker."""

_PROTOCOL_TAG = "ax-msg/2"
_TRUE = ("1", "true", "yes", "on")


class GuestKeyWarning(UserWarning):
    """The signing key derives from the well-known ``guest:guest`` credentials."""


_SALT = b"ax.service.rabbitmq/v1"
_INFO = b"ax worker message signing key"


def _hkdf_sha256(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """HKDF (RFC 5869) with SHA-256."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def url_credentials(url: str, environ: Optional[Mapping[str, str]] = None) -> tuple[str, str, str]:
    """The ``(user, password, vhost)`` of a broker URL (user and password unquoted).

    Missing user or password are taken from ``RABBITMQ_USER`` / ``RABBITMQ_PASSWORD`` in
    the environment; there is no fallback to ``guest``. The vhost is the URL path without
    its leading ``/`` (``/`` when empty, RabbitMQ's default vhost).

    Raises:
        UserInputError: The URL is not ``amqp://`` / ``amqps://``, or no user or password
            is given by the URL or the environment.
    """
    env = os.environ if environ is None else environ
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps"):
        raise UserInputError(
            f"RabbitMQ broker URL: scheme must be amqp or amqps, got {parts.scheme!r} "
            f"in {redact(url)!r}"
        )
    user = unquote(parts.username) if parts.username else env.get("RABBITMQ_USER", "")
    password = unquote(parts.password) if parts.password else env.get("RABBITMQ_PASSWORD", "")
    if not user or not password:
        raise UserInputError(
            f"RabbitMQ broker URL {redact(url)!r}: no credentials; put user:password in the "
            "URL or set RABBITMQ_USER and RABBITMQ_PASSWORD (guest is never assumed)"
        )
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return user, password, vhost


def redact(url: str) -> str:
    """The URL with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return parts._replace(netloc=f"{user}:***@{netloc[1]}").geturl()


def is_loopback(url: str) -> bool:
    """Whether the broker host of ``url`` is this machine (``localhost``, 127.0.0.0/8,
    ``::1``, or no host, which pika reads as ``localhost``). Names are not resolved."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if not host or host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signing_key(
    url: str,
    environ: Optional[Mapping[str, str]] = None,
    *,
    allow_guest_key: bool = False,
) -> bytes:
    """The 32-byte signing key: from ``AX_WORKER_SECRET`` if set, else from the URL.

    Args:
        url: The broker URL, ``amqp://user:password@host:port/vhost``.
        environ: The environment to read (default ``os.environ``).
        allow_guest_key: Accept a key derived from ``guest:guest`` for a broker that is
            not on loopback (also ``AX_WORKER_ALLOW_GUEST_KEY=1``). Anyone can compute
            such a key: only do this on a network you trust.

    Raises:
        UserInputError: No secret is set and the URL gives no credentials, or they are
            ``guest:guest`` and the broker is not on loopback (without the opt-in).

    Warns:
        GuestKeyWarning: The key derives from ``guest:guest`` (loopback or opted in).
    """
    env = os.environ if environ is None else environ
    secret = env.get(SECRET_ENV, "")
    if secret:
        return _hkdf_sha256(secret.encode("utf-8"), _SALT, _INFO + b"/secret")
    user, password, vhost = url_credentials(url, env)
    if user == "guest" and password == "guest":
        _check_guest(url, env, allow_guest_key)
    ikm = "\x00".join((user, password, vhost)).encode("utf-8")
    return _hkdf_sha256(ikm, _SALT, _INFO + b"/url")


def _check_guest(url: str, env: Mapping[str, str], allow_guest_key: bool) -> None:
    """Refuse, or warn about, a key derived from ``guest:guest`` (see the module docstring)."""
    opted_in = allow_guest_key or env.get(ALLOW_GUEST_ENV, "").strip().lower() in _TRUE
    if is_loopback(url):
        why = "accepted only because the broker is on loopback, where RabbitMQ admits guest"
    elif opted_in:
        why = f"accepted for the non-loopback broker because {ALLOW_GUEST_ENV}/allow_guest_key"
    else:
        raise UserInputError(
            f"RabbitMQ broker URL {redact(url)!r}: the message-signing key would derive from "
            "the well-known guest:guest credentials, which anyone can compute, for a broker "
            "that is not on loopback",
            hint=f"set a shared secret in {SECRET_ENV} on the client and every worker, or use "
            f"a broker user with its own password; to accept it anyway set {ALLOW_GUEST_ENV}=1 "
            "(or allow_guest_key=True)",
        )
    warnings.warn(
        f"RabbitMQ broker {redact(url)!r}: the message-signing key derives from the "
        f"well-known guest:guest credentials, which anyone can compute; {why}. Set "
        f"{SECRET_ENV} to sign with a secret.",
        GuestKeyWarning,
        stacklevel=3,
    )


def _message(
    kind: str,
    exp_key: str,
    correlation_id: str,
    attempt: int,
    timeout_s: Optional[float],
    body: bytes,
    message_id: Optional[str],
    expires_ms: Optional[int],
) -> bytes:
    fields = [
        _PROTOCOL_TAG,
        kind,
        exp_key,
        correlation_id,
        str(int(attempt)),
        repr(timeout_s),
        "" if message_id is None else message_id,
        "" if expires_ms is None else str(int(expires_ms)),
    ]
    head = b"".join(len(f.encode()).to_bytes(4, "big") + f.encode() for f in fields)
    return head + hashlib.sha256(body).digest()


def sign(
    key: bytes,
    kind: str,
    exp_key: str,
    correlation_id: str,
    attempt: int,
    timeout_s: Optional[float],
    body: bytes,
    *,
    message_id: Optional[str] = None,
    expires_ms: Optional[int] = None,
) -> str:
    """The hex HMAC-SHA256 signature of a message (see the module docstring).

    ``message_id`` and ``expires_ms`` (epoch milliseconds) are the message's stamp;
    receivers refuse a message without one.
    """
    msg = _message(kind, exp_key, correlation_id, attempt, timeout_s, body, message_id, expires_ms)
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def verify(
    key: bytes,
    kind: str,
    exp_key: str,
    correlation_id: str,
    attempt: int,
    timeout_s: Optional[float],
    body: bytes,
    signature: object,
    *,
    message_id: Optional[str] = None,
    expires_ms: Optional[int] = None,
) -> bool:
    """Whether ``signature`` (the header value, any type) is valid; constant-time compare."""
    if isinstance(signature, bytes):
        try:
            signature = signature.decode("ascii")
        except UnicodeDecodeError:
            return False
    if not isinstance(signature, str):
        return False
    expected = sign(
        key,
        kind,
        exp_key,
        correlation_id,
        attempt,
        timeout_s,
        body,
        message_id=message_id,
        expires_ms=expires_ms,
    )
    return hmac.compare_digest(expected.encode("ascii"), signature.encode("ascii", "replace"))


__all__ = [
    "ALLOW_GUEST_ENV",
    "GuestKeyWarning",
    "SECRET_ENV",
    "is_loopback",
    "SIGNATURE_HEADER",
    "redact",
    "sign",
    "signing_key",
    "url_credentials",
    "verify",
]
