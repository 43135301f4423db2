"""JobClient: the front door of Polaris's parallel mode (RPC over RabbitMQ).

A thin front door: the trials run on the :class:`~ax.service.scheduler.Scheduler` (the one
engine, from :meth:`polaris.Polaris.scheduler`) with a
:class:`~ax.service.rabbitmq.executor.RabbitMQExecutor` in pull mode. Each idle
``polaris-worker`` publishes a signed request to ``ax.<exp_key>.requests``; the executor
counts them as idle capacity, and the Scheduler proposes one trial per idle worker (trials
in flight are pending points) and submits it as a signed job to the shared, durable
``ax.<exp_key>.jobs`` queue; whichever idle worker takes it runs
:func:`polaris.job.evaluate` and replies on ``ax.<exp_key>.results``. The Scheduler
records results in completion order, counts failures in a row and applies the limits;
the checkpoint is written after each trial is sent and after each result. The job's
correlation id is kept in the trial's run metadata, so:

- a result delivered twice (a worker died after replying) is recorded once;
- a client killed midway and started again resumes from its checkpoint and still records
  the results of the jobs that were in flight (they wait in the durable results queue);
- every job, result and request carries a unique id and an expiry inside its signature:
  the client refuses (and logs) a result or request it has already seen or that has
  expired, and workers do the same with jobs (:mod:`ax.service.rabbitmq.replay`).

When ``max_evals`` results are in, the queues are deleted and the workers leave.

Fixes against the original: a raising ``fn`` is a failed trial (workers survive); messages
are signed and verified before anything is unpickled; the function travels by cloudpickle,
so one defined in the user's ``__main__`` works; the queues are cleaned up; a lost broker
raises :class:`~ax.service.rabbitmq.protocol.BrokerConnectionError` instead of hanging.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, Optional

from ax.exceptions import UserInputError
from ax.service.rabbitmq.protocol import checked_timeout
from ax.service.rabbitmq.replay import ReplayOptions
from polaris.client import EXP_INFO_KEY
from polaris.rabbitmq.config import broker_url

if TYPE_CHECKING:  # pragma: no cover
    from polaris.client import Polaris


class JobClient:
    """Runs the trials of a :class:`~polaris.Polaris` on ``polaris-worker`` processes.

    A front door over the Scheduler and the RabbitMQ executor (see the module docstring).
    Trials an earlier, killed client left in flight are adopted here: their results are
    recorded when they arrive.

    Args:
        polaris: The experiment (its ``fn``, bounds, algorithm, ``trials``, ``max_evals``
            and ``exp_key``, which names the queues; workers use ``--exp-key`` with it).
        url: Broker URL; default ``$RABBITMQ_URL``.
        job_timeout_s: Per-job time limit enforced by the workers (None: none).
        heartbeat: AMQP heartbeat of the client's connection, seconds.
        wait_log_s: While no worker is idle, log every this many seconds how many jobs
            are in flight (a reminder to start workers).
        replay: Lifetime of the jobs sent, clock skew tolerated, ids remembered;
            default :meth:`ReplayOptions.from_env`.
        allow_guest_key: Accept a ``guest:guest``-derived signing key for a broker that is
            not on loopback (see :func:`~ax.service.rabbitmq.signing.signing_key`).

    Raises:
        UserInputError: Bad URL, no credentials, or a bad argument; a ``guest:guest`` key
            for a non-loopback broker.
        BrokerConnectionError: The broker cannot be reached.
        UnsupportedError: pika or cloudpickle is not installed.
    """

    def __init__(
        self,
        polaris: Polaris,
        url: Optional[str] = None,
        *,
        job_timeout_s: Optional[float] = None,
        heartbeat: int = 60,
        wait_log_s: float = 60.0,
        replay: Optional[ReplayOptions] = None,
        allow_guest_key: bool = False,
    ) -> None:
        from ax.service.rabbitmq.executor import RabbitMQExecutor

        self.job_timeout_s = checked_timeout("JobClient", "job_timeout_s", job_timeout_s)
        if replay is not None and not isinstance(replay, ReplayOptions):
            raise UserInputError(
                f"JobClient: replay must be a ReplayOptions or None, got {type(replay).__name__}"
            )
        self.polaris = polaris
        self.logger: logging.Logger = polaris.logger
        self.url = url if url is not None else broker_url(logger=self.logger)
        self.executor = RabbitMQExecutor(
            self.url,
            polaris.exp_key,
            self.job_timeout_s,
            heartbeat,
            replay=replay,
            allow_guest_key=allow_guest_key,
            announced=True,
            log=self.logger,
            wait_log_s=wait_log_s,
        )
        try:
            self.scheduler = polaris.scheduler(self.executor, max_parallelism=polaris.max_evals)
        except BaseException:
            self.executor.detach()
            raise
        adopted = self.scheduler.num_in_flight
        if adopted:
            self.logger.info("Waiting again for %d job(s) sent before a restart", adopted)
        polaris.save()

    def start(self) -> Optional[Dict[str, Any]]:
        """Hand trials to idle workers and record results until ``max_evals`` are in.

        Returns:
            The best parameters (None if no trial succeeded).

        Raises:
            BrokerConnectionError: The broker went away (the checkpoint holds every
                result recorded so far; run again to resume).
            OptimizationAbortedError: Too many failures in a row (see Polaris).
        """
        self.logger.info("Start parallel execution...")
        try:
            self.polaris.run_on(self.scheduler)
        except KeyboardInterrupt:
            self.executor.detach()  # the queues stay: a restarted client takes over
            raise
        finally:
            self.executor.shutdown(wait=False, cancel_futures=True)  # the workers leave
        self.logger.info("All jobs have finished")
        return self.polaris.best_params


__all__ = ["EXP_INFO_KEY", "JobClient"]
