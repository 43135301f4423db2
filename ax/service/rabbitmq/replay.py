"""Replay protection of worker messages: a unique id and an expiry in every signature.

Every job, result and idle request carries a *stamp*: a random ``message_id`` (the AMQP
``message_id`` property, 32 hex digits) and an absolute expiry ``expires_ms`` (epoch
milliseconds, header ``ax-expires``). Both are covered by the HMAC signature
(:mod:`ax.service.rabbitmq.signing`), so a captured message cannot be given a new id or a
later expiry. A receiver (worker or client) refuses, logs and keeps serving when a
message

* has expired: ``now > expires_ms + clock_skew_s`` on the receiver's clock;
* was already seen: its id is in the receiver's :class:`SeenIds` memory.

The memory is bounded by expiry (an id is forgotten once its message would be refused as
expired anyway) and by count (``max_seen``). When the count bound forces out an id that
has not expired yet, the memory keeps the latest such expiry as a *floor* and refuses
every message expiring at or before it: a forgotten id can never be replayed, at the
cost of refusing (loudly) old messages once more than ``max_seen`` unexpired messages
were seen.

Defaults (:class:`ReplayOptions`): jobs and idle requests live 1 day (a job may wait in
the queue until a worker is free or started), results 7 days (they wait in the durable
results queue while a killed client is restarted), and 5 minutes of clock skew between
machines is tolerated. Lower the lifetimes to shrink the window in which a captured
message could reach a worker that has not seen it (each worker process remembers the ids
it saw; a message is refused by every receiver once expired). Every figure can be set in
code (:class:`ReplayOptions`) or, for workers started from the command line, with the
environment variables ``AX_WORKER_JOB_TTL_S``, ``AX_WORKER_RESULT_TTL_S``,
``AX_WORKER_CLOCK_SKEW_S`` and ``AX_WORKER_MAX_SEEN``.

Example:
    >>> options = ReplayOptions(job_ttl_s=3600.0)
    >>> seen = SeenIds(options)
    >>> stamp = new_stamp(options.job_ttl_s)
    >>> seen.admit(stamp.message_id, stamp.expires_ms) is None
    True
    >>> seen.admit(stamp.message_id, stamp.expires_ms)
    'replay'
"""

from __future__ import annotations

import heapq
import math
import os
import time
import uuid
from dataclasses import dataclass, fields
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from ax.exceptions import UserInputError

DEFAULT_JOB_TTL_S = 86_400.0
DEFAULT_RESULT_TTL_S = 7 * 86_400.0
DEFAULT_CLOCK_SKEW_S = 300.0
DEFAULT_MAX_SEEN = 100_000

EXPIRED = "expired"
REPLAY = "replay"
FLOOR = "below-floor"

_ENV = {
    "job_ttl_s": "AX_WORKER_JOB_TTL_S",
    "result_ttl_s": "AX_WORKER_RESULT_TTL_S",
    "clock_skew_s": "AX_WORKER_CLOCK_SKEW_S",
    "max_seen": "AX_WORKER_MAX_SEEN",
}


def now_ms() -> int:
    """The wall clock (shared across machines, unlike a monotonic clock), epoch ms."""
    return int(time.time() * 1000)


@dataclass(frozen=True)
class ReplayOptions:
    """How long messages live, how much clock skew is tolerated, how much is remembered.

    Args:
        job_ttl_s: Lifetime of a job (and of an idle request) from when it is published,
            seconds; past it (plus the receiver's skew) a worker refuses it.
        result_ttl_s: Lifetime of a result from when the worker publishes it, seconds.
        clock_skew_s: Tolerated difference between the sender's and the receiver's
            clocks, seconds (>= 0).
        max_seen: Message ids a receiver remembers at most (>= 1).

    Raises:
        UserInputError: A value is not a finite number > 0 (>= 0 for the skew; an int
            >= 1 for ``max_seen``); the message names the field.
    """

    job_ttl_s: float = DEFAULT_JOB_TTL_S
    result_ttl_s: float = DEFAULT_RESULT_TTL_S
    clock_skew_s: float = DEFAULT_CLOCK_SKEW_S
    max_seen: int = DEFAULT_MAX_SEEN

    def __post_init__(self) -> None:
        for name in ("job_ttl_s", "result_ttl_s", "clock_skew_s"):
            value = getattr(self, name)
            low = 0.0 if name == "clock_skew_s" else None
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
                or (value < low if low is not None else value <= 0)
                or value > 10 * 365 * 86_400
            ):
                rule = ">= 0" if low is not None else "> 0"
                raise UserInputError(
                    f"ReplayOptions: {name} must be a finite number {rule} (seconds, at most "
                    f"10 years), got {name}={value!r}"
                )
        if (
            isinstance(self.max_seen, bool)
            or not isinstance(self.max_seen, int)
            or not 1 <= self.max_seen <= 100_000_000
        ):
            raise UserInputError(
                "ReplayOptions: max_seen must be an int in [1, 1e8], got "
                f"max_seen={self.max_seen!r}"
            )

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None) -> ReplayOptions:
        """The defaults, overridden by ``AX_WORKER_JOB_TTL_S``, ``AX_WORKER_RESULT_TTL_S``,
        ``AX_WORKER_CLOCK_SKEW_S`` and ``AX_WORKER_MAX_SEEN`` where set.

        Raises:
            UserInputError: A variable is not a number (the message names it).
        """
        env = os.environ if environ is None else environ
        values: Dict[str, float] = {}
        for field in fields(cls):
            raw = env.get(_ENV[field.name], "").strip()
            if not raw:
                continue
            try:
                values[field.name] = int(raw) if field.name == "max_seen" else float(raw)
            except ValueError:
                raise UserInputError(
                    f"ReplayOptions: environment variable {_ENV[field.name]} must be a number, "
                    f"got {raw[:100]!r}"
                ) from None
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Stamp:
    """A message's unique id and absolute expiry (epoch milliseconds)."""

    message_id: str
    expires_ms: int


def new_stamp(ttl_s: float, clock: Callable[[], int] = now_ms) -> Stamp:
    """A fresh stamp: a random id, expiring ``ttl_s`` seconds from now."""
    return Stamp(uuid.uuid4().hex, clock() + int(ttl_s * 1000))


class SeenIds:
    """The ids of messages a receiver accepted, bounded by expiry and by count.

    Not thread-safe: each receiver calls it from its one I/O thread.

    Args:
        options: Supplies ``clock_skew_s`` and ``max_seen``.
        clock: Epoch milliseconds (a parameter for tests).
    """

    def __init__(
        self, options: Optional[ReplayOptions] = None, clock: Callable[[], int] = now_ms
    ) -> None:
        self.options = options or ReplayOptions()
        self._clock = clock
        self._skew_ms = int(self.options.clock_skew_s * 1000)
        self._expiry: Dict[str, int] = {}
        self._heap: List[Tuple[int, str]] = []
        self.floor_ms = -1
        """Messages expiring at or before this were possibly forgotten: refused."""

    def __len__(self) -> int:
        return len(self._expiry)

    def admit(self, message_id: str, expires_ms: int) -> Optional[str]:
        """Remember and accept the message, or say why not.

        Returns:
            None when accepted (and now remembered); :data:`EXPIRED`, :data:`REPLAY` or
            :data:`FLOOR` (possibly a replay of a forgotten id) when refused.
        """
        now = self._clock()
        self._forget_expired(now)
        if now > expires_ms + self._skew_ms:
            return EXPIRED
        if message_id in self._expiry:
            return REPLAY
        if expires_ms <= self.floor_ms:
            return FLOOR
        self._expiry[message_id] = expires_ms
        heapq.heappush(self._heap, (expires_ms, message_id))
        while len(self._expiry) > self.options.max_seen:
            expiry, forgotten = heapq.heappop(self._heap)
            del self._expiry[forgotten]
            self.floor_ms = max(self.floor_ms, expiry)
        return None

    def _forget_expired(self, now: int) -> None:
        while self._heap and self._heap[0][0] + self._skew_ms < now:
            _, forgotten = heapq.heappop(self._heap)
            del self._expiry[forgotten]


def describe(refusal: str, expires_ms: int, clock: Callable[[], int] = now_ms) -> str:
    """Why a message was refused, for the log."""
    if refusal == EXPIRED:
        ago = (clock() - expires_ms) / 1000
        return f"expired {ago:.0f} s ago (beyond the tolerated clock skew)"
    if refusal == REPLAY:
        return "already seen: a replayed message"
    return "expires before messages this receiver had to forget (possibly a replay)"


__all__ = [
    "DEFAULT_CLOCK_SKEW_S",
    "DEFAULT_JOB_TTL_S",
    "DEFAULT_MAX_SEEN",
    "DEFAULT_RESULT_TTL_S",
    "EXPIRED",
    "FLOOR",
    "REPLAY",
    "ReplayOptions",
    "SeenIds",
    "Stamp",
    "describe",
    "new_stamp",
    "now_ms",
]
