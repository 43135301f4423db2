"""Trials on RabbitMQ workers: a signed job queue behind a ``concurrent.futures.Executor``.

* :class:`~ax.service.rabbitmq.executor.RabbitMQExecutor` publishes each ``submit(fn, *args)``
  as a signed job to the durable queue ``ax.<exp_key>.jobs`` and resolves futures from
  ``ax.<exp_key>.results``; give it to the :class:`~ax.service.scheduler.Scheduler`.
* ``ax worker --broker URL --exp-key KEY`` (:func:`~ax.service.rabbitmq.worker.run_worker`)
  runs jobs on any machine that reaches the broker.
* :mod:`~ax.service.rabbitmq.signing`: every message carries an HMAC-SHA256 signature and
  nothing is unpickled unless it verifies; a ``guest:guest`` key is accepted only for a
  loopback broker (with a warning) unless the user opts in.
* :mod:`~ax.service.rabbitmq.replay`: every message carries a unique id and an expiry
  inside its signature; receivers refuse (and log) what they have seen or what has
  expired, with a bounded memory.

Importing this package does not import pika (each module imports it when used).
"""

from __future__ import annotations

__all__: list[str] = []
