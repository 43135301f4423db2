"""JobClient: the client side of Polaris's parallel mode (RPC over RabbitMQ).

Each idle ``polaris-worker`` publishes a signed request to ``ax.<exp_key>.requests``; for
each request the client proposes one trial (trials in flight are pending points for the
algorithm), and publishes it as a signed job to the shared, durable ``ax.<exp_key>.jobs``
queue; whichever idle worker takes it runs :func:`polaris.job.evaluate` and replies on
``ax.<exp_key>.results``. Results are recorded in completion order, checkpointed, and only
then acked. The job's correlation id is kept in the trial's run metadata, so:

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
import pickle
import time
import uuid
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from ax.core.trial import Trial
from ax.exceptions import AxError, UserInputError
from ax.service.rabbitmq.protocol import (
    KIND_JOB,
    KIND_REQUEST,
    KIND_RESULT,
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
from ax.service.rabbitmq.signing import signing_key
from polaris.client import JOB_ID_KEY
from polaris.domain import TParams
from polaris.job import evaluate
from polaris.rabbitmq.config import broker_url
from polaris.trials import STATUS_FAILURE

if TYPE_CHECKING:  # pragma: no cover
    from polaris.client import Polaris

EXP_INFO_KEY = "polaris_exp_info"
"""Run-metadata key of a trial sent to a worker: the ``exp_info`` it was sent with."""


class JobClient:
    """Hands the trials of a :class:`~polaris.Polaris` to ``polaris-worker`` processes.

    Args:
        polaris: The experiment (its ``fn``, bounds, algorithm, ``trials``, ``max_evals``
            and ``exp_key``, which names the queues; workers use ``--exp-key`` with it).
        url: Broker URL; default ``$RABBITMQ_URL``.
        job_timeout_s: Per-job time limit enforced by the workers (None: none).
        heartbeat: AMQP heartbeat of the client's connection, seconds.
        wait_log_s: While results are awaited, log every this many seconds how many
            jobs are in flight (a reminder to start workers).
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
        self.job_timeout_s = checked_timeout("JobClient", "job_timeout_s", job_timeout_s)
        if replay is not None and not isinstance(replay, ReplayOptions):
            raise UserInputError(
                f"JobClient: replay must be a ReplayOptions or None, got {type(replay).__name__}"
            )
        self.replay = replay if replay is not None else ReplayOptions.from_env()
        self._seen = SeenIds(self.replay)
        self.polaris = polaris
        self.logger: logging.Logger = polaris.logger
        self.url = url if url is not None else broker_url(logger=self.logger)
        self.wait_log_s = float(wait_log_s)
        self.names = queues(polaris.exp_key)
        pika = import_pika()
        self._pika = pika
        self._cloudpickle = import_cloudpickle()
        self._key = signing_key(self.url, allow_guest_key=allow_guest_key)
        params = connection_parameters(self.url, heartbeat=heartbeat)
        self._who = f"Polaris JobClient {polaris.exp_key!r}"
        try:
            self.connection = pika.BlockingConnection(params)
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            declare(self.channel, self.names)
        except AxError:
            raise
        except Exception as err:
            raise broker_error(self.url, self._who, err) from err
        self._in_flight: Dict[str, Tuple[Trial, TParams, Dict[str, Any]]] = {}
        self._error: Optional[BaseException] = None
        self._done = False
        self._adopt_unfinished()

    # ------------------------------------------------------------------ set-up
    def _adopt_unfinished(self) -> None:
        """Trials left in flight by a killed client: wait for their results again."""
        polaris = self.polaris
        adopted = 0
        for trial in polaris.experiment.trials.values():
            if trial.status.is_terminal or not isinstance(trial, Trial):
                continue
            cid = trial.run_metadata.get(JOB_ID_KEY)
            exp_info = trial.run_metadata.get(EXP_INFO_KEY)
            arm = trial.arm
            if isinstance(cid, str) and isinstance(exp_info, dict) and arm is not None:
                self._in_flight[cid] = (trial, polaris.domain.from_ax(arm.parameters), exp_info)
                adopted += 1
            else:
                trial.mark_abandoned(reason="interrupted before it was sent to a worker")
        if adopted:
            self.logger.info("Waiting again for %d job(s) sent before a restart", adopted)
        polaris.save()

    # ------------------------------------------------------------------ the seed's API
    def start(self) -> Optional[Dict[str, Any]]:
        """Serve worker requests and record results until ``max_evals`` results are in.

        Returns:
            The best parameters (None if no trial succeeded).

        Raises:
            BrokerConnectionError: The broker went away (the checkpoint holds every
                result recorded so far; run again to resume).
            OptimizationAbortedError: Too many failures in a row (see Polaris).
        """
        self.logger.info("Start parallel execution...")
        try:
            self.channel.basic_consume(self.names.requests, self.on_request, auto_ack=False)
            self.channel.basic_consume(self.names.results, self.on_response, auto_ack=False)
            self._check_done()
            last_event = time.monotonic()
            seen = len(self.polaris.trials)
            while not self._done:
                self.connection.process_data_events(time_limit=0.2)
                if self._error is not None:
                    break
                now = time.monotonic()
                if len(self.polaris.trials) != seen:
                    seen, last_event = len(self.polaris.trials), now
                elif now - last_event > self.wait_log_s:
                    last_event = now
                    self.logger.info(
                        "Waiting: %d job(s) in flight, %d of %d evaluations done; is a "
                        "'polaris-worker --exp-key %s' running?",
                        len(self._in_flight),
                        len(self.polaris.trials),
                        self.polaris.max_evals,
                        self.polaris.exp_key,
                    )
        except KeyboardInterrupt:
            self._close()  # the queues stay: a restarted client takes over
            raise
        except self._pika.exceptions.AMQPError as err:
            self._close()
            raise broker_error(self.url, self._who, err) from err
        if self._error is not None:
            for trial, _, _ in self._in_flight.values():
                trial.mark_abandoned(reason=f"the run stopped: {self._error}")
            self._in_flight.clear()
            self.polaris.save()
        self._cleanup()
        if self._error is not None:
            raise self._error
        self.logger.info("All jobs have finished")
        return self.polaris.best_params

    def on_request(self, ch: Any, method: Any, props: Any, body: bytes) -> None:
        """A worker is idle: send it (through the shared jobs queue) one job, if any left."""
        exp_key = self.polaris.exp_key
        envelope = check(self._key, KIND_REQUEST, exp_key, props, body, self.logger, self._seen)
        if isinstance(envelope, Refused):
            refuse(ch, method, body, exp_key, self.logger)
            return
        try:
            self.send_job()
        except AxError as err:  # e.g. fn cannot be pickled: stop with that error
            self._error = err
            self._done = True
        ch.basic_ack(method.delivery_tag)

    def send_job(self) -> bool:
        """Propose one trial and publish it as a job; whether one was sent.

        Raises:
            UserInputError: ``fn`` or ``args`` cannot be pickled (the message names them).
        """
        polaris = self.polaris
        if self._done or len(polaris.trials) + len(self._in_flight) >= polaris.max_evals:
            return False
        trial, params, exp_info = polaris._propose()
        try:
            body = self._cloudpickle.dumps(
                (evaluate, (polaris.fn, params, exp_info, polaris.args), {})
            )
        except Exception as err:
            trial.mark_abandoned(reason="fn could not be pickled")
            polaris.save()
            name = getattr(polaris.fn, "__qualname__", repr(polaris.fn))
            raise UserInputError(
                f"Polaris {polaris.exp_key!r}: cannot pickle fn {name} or its args to send "
                f"them to workers: {type(err).__name__}: {err}"
            ) from err
        cid = uuid.uuid4().hex
        self.channel.basic_publish(
            exchange="",
            routing_key=self.names.jobs,
            body=body,
            properties=properties(
                self._key,
                KIND_JOB,
                polaris.exp_key,
                cid,
                1,
                self.job_timeout_s,
                body,
                new_stamp(self.replay.job_ttl_s),
            ),
        )
        # Published (confirmed) before it is checkpointed: a restarted client never
        # waits for a job that was not sent.
        trial.update_run_metadata({JOB_ID_KEY: cid, EXP_INFO_KEY: dict(exp_info)})
        self._in_flight[cid] = (trial, params, exp_info)
        polaris.save()
        self.logger.debug("sent eval %d as job %s", exp_info["eval_count"], cid)
        return True

    def on_response(self, ch: Any, method: Any, props: Any, body: bytes) -> None:
        """A result arrived: record it (once), checkpoint, then ack."""
        exp_key = self.polaris.exp_key
        envelope = check(self._key, KIND_RESULT, exp_key, props, body, self.logger, self._seen)
        if isinstance(envelope, Refused):
            refuse(ch, method, body, exp_key, self.logger)
            return
        entry = self._in_flight.pop(envelope.correlation_id, None)
        if entry is None:
            self.logger.info("dropping a duplicate or unknown result %s", envelope.correlation_id)
            ch.basic_ack(method.delivery_tag)
            return
        trial, params, exp_info = entry
        try:
            ok, value = pickle.loads(body)  # the signature was verified
            if ok:
                result, reason = value
            else:
                reason = f"the worker could not run the job: {str(value)[:2000]}"
                result = {"status": STATUS_FAILURE, "error": reason}
        except Exception as err:
            reason = f"unreadable result from the worker: {type(err).__name__}: {err}"
            result = {"status": STATUS_FAILURE, "error": reason}
        try:
            self.polaris._record(trial, params, exp_info, result, reason)
        except AxError as err:  # too many failures in a row: stop after acking
            self._error = err
            self._done = True
        ch.basic_ack(method.delivery_tag)
        self._check_done()

    # ------------------------------------------------------------------ helpers
    def _check_done(self) -> None:
        if len(self.polaris.trials) >= self.polaris.max_evals and not self._in_flight:
            self._done = True

    def _cleanup(self) -> None:
        """Delete the experiment's queues (the workers leave), then close."""
        try:
            self.channel.queue_delete(self.names.jobs)
            self.channel.queue_delete(self.names.requests)
            self.channel.queue_delete(self.names.results)
            try:
                self.channel.queue_delete(self.names.dead, if_empty=True)
            except self._pika.exceptions.ChannelClosedByBroker as err:
                self.logger.warning(
                    "kept %s (it holds dead-lettered jobs): %s", self.names.dead, err
                )
        except self._pika.exceptions.AMQPError as err:
            self.logger.warning("could not delete the queues of %s: %s", self.polaris.exp_key, err)
        self._close()

    def _close(self) -> None:
        if self.connection.is_open:
            try:
                self.connection.close()
            except Exception as err:  # already broken
                self.logger.debug("closing the connection: %s", err)


__all__ = ["EXP_INFO_KEY", "JobClient"]
