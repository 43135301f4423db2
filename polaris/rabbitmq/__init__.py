"""Polaris's parallel mode: RPC over RabbitMQ between a client and ``polaris-worker``s.

:class:`JobClient` (run by :meth:`polaris.Polaris.run_parallel`) hands one signed job to
each idle worker; :class:`JobWorker` (the ``polaris-worker`` command) runs them, optionally
as one MPI group. Built on :mod:`ax.service.rabbitmq` (durable queues, HMAC-signed
messages, acks after the result is recorded, redelivery, dead-lettering). The broker is
``$RABBITMQ_URL``. Names load on first use (pika is imported only then).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # pragma: no cover
    from polaris.rabbitmq.client import JobClient
    from polaris.rabbitmq.worker import JobWorker

_LAZY: Dict[str, str] = {
    "JobClient": "polaris.rabbitmq.client",
    "JobWorker": "polaris.rabbitmq.worker",
}

__all__ = ["JobClient", "JobWorker"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'polaris.rabbitmq' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
