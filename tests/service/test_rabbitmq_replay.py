"""Replay-proof, least-trust workers: message ids and expiries, the guest key, the bounded
dead-letter queue; unit tests and tests against the session's real broker."""

from __future__ import annotations

import logging
import uuid
import warnings
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

from ax.exceptions import UserInputError
from ax.service.rabbitmq.replay import (
    EXPIRED,
    FLOOR,
    REPLAY,
    ReplayOptions,
    SeenIds,
    Stamp,
    new_stamp,
    now_ms,
)
from ax.service.rabbitmq.signing import GuestKeyWarning, is_loopback, sign, signing_key, verify
from tests.service.rabbitmq_broker import Broker
from tests.service.test_rabbitmq import add

pytestmark = pytest.mark.integration


@pytest.fixture
def exp_key() -> str:
    return f"rp{uuid.uuid4().hex[:10]}"


def append_line(path: str, text: str) -> str:
    """A job with a visible effect: one line per run."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text + "\n")
    return text


# --------------------------------------------------------------------- replay memory
class FakeClock:
    def __init__(self) -> None:
        self.ms = 1_000_000

    def __call__(self) -> int:
        return self.ms


def test_seen_ids_refuse_replays_and_expired_messages() -> None:
    clock = FakeClock()
    seen = SeenIds(ReplayOptions(clock_skew_s=1.0), clock=clock)
    assert seen.admit("a" * 32, clock.ms + 5_000) is None
    assert seen.admit("a" * 32, clock.ms + 5_000) == REPLAY
    assert seen.admit("b" * 32, clock.ms - 500) is None  # within the tolerated skew
    assert seen.admit("c" * 32, clock.ms - 1_001) == EXPIRED
    clock.ms += 10_000  # both expired: forgotten, and refused as expired
    assert len(seen) == 0 or seen.admit("x" * 32, clock.ms + 1) is None
    assert len(seen) == 1
    assert seen.admit("a" * 32, clock.ms - 5_000) == EXPIRED


def test_seen_ids_bounded_by_count_never_admit_a_forgotten_id() -> None:
    clock = FakeClock()
    seen = SeenIds(ReplayOptions(max_seen=3, clock_skew_s=0.0), clock=clock)
    ids = [f"{i:032x}" for i in range(10)]
    for i, message_id in enumerate(ids):
        assert seen.admit(message_id, clock.ms + 1_000 + i) is None
        assert len(seen) <= 3
    # The first seven were forgotten: each replay is still refused (below the floor).
    assert {seen.admit(message_id, clock.ms + 1_000 + i) for i, message_id in enumerate(ids)} == {
        FLOOR,
        REPLAY,
    }
    assert seen.admit("f" * 32, clock.ms + 2_000) is None  # a newer message still passes


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"job_ttl_s": 0}, r"job_ttl_s must be a finite number > 0 .* got job_ttl_s=0"),
        ({"result_ttl_s": float("inf")}, r"result_ttl_s must be a finite number > 0"),
        ({"clock_skew_s": -1.0}, r"clock_skew_s must be a finite number >= 0"),
        ({"max_seen": 0}, r"max_seen must be an int in \[1, 1e8\], got max_seen=0"),
        ({"job_ttl_s": True}, r"job_ttl_s must be a finite number > 0"),
    ],
)
def test_replay_options_are_validated(kwargs: Any, match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        ReplayOptions(**kwargs)


def test_replay_options_from_env() -> None:
    options = ReplayOptions.from_env({"AX_WORKER_JOB_TTL_S": "60", "AX_WORKER_MAX_SEEN": "7"})
    assert (options.job_ttl_s, options.max_seen, options.clock_skew_s) == (60.0, 7, 300.0)
    with pytest.raises(UserInputError, match="AX_WORKER_CLOCK_SKEW_S must be a number"):
        ReplayOptions.from_env({"AX_WORKER_CLOCK_SKEW_S": "soon"})


def test_stamp_is_inside_the_signature() -> None:
    key = signing_key("amqp://u:p@broker.example/v", environ={})
    stamp = new_stamp(60.0)
    fields: Any = dict(kind="job", exp_key="k", correlation_id="c", attempt=1, timeout_s=None)
    signature = sign(
        key, **fields, body=b"x", message_id=stamp.message_id, expires_ms=stamp.expires_ms
    )
    ok = dict(fields, body=b"x", signature=signature)
    assert verify(key, **ok, message_id=stamp.message_id, expires_ms=stamp.expires_ms)
    assert not verify(key, **ok, message_id="0" * 32, expires_ms=stamp.expires_ms)
    assert not verify(key, **ok, message_id=stamp.message_id, expires_ms=stamp.expires_ms + 1)
    assert not verify(key, **ok)  # the stamp cannot be stripped


# --------------------------------------------------------------------- the guest key
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "LOCALHOST", ""])
def test_guest_key_is_accepted_on_loopback_with_a_warning(host: str) -> None:
    url = f"amqp://guest:guest@{host}:5672/%2F"
    assert is_loopback(url)
    with pytest.warns(GuestKeyWarning, match="guest:guest.*only because the broker is on loopback"):
        key = signing_key(url, environ={})
    assert len(key) == 32


@pytest.mark.parametrize(
    "host", ["rabbit.example.com", "10.0.0.5", "[2001:db8::1]", "127.0.0.1.nip.io"]
)
def test_guest_key_is_refused_for_another_host_unless_opted_in(host: str) -> None:
    url = f"amqp://guest:guest@{host}:5672/v"
    assert not is_loopback(url)
    with pytest.raises(
        UserInputError, match=r"guest:guest credentials.*not on loopback.*AX_WORKER_SECRET"
    ):
        signing_key(url, environ={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a secret: no warning at all
        signing_key(url, environ={"AX_WORKER_SECRET": "s"})
    with pytest.warns(
        GuestKeyWarning, match="non-loopback broker because AX_WORKER_ALLOW_GUEST_KEY"
    ):
        signing_key(url, environ={"AX_WORKER_ALLOW_GUEST_KEY": "1"})
    with pytest.warns(GuestKeyWarning):
        signing_key(url, environ={}, allow_guest_key=True)
    env = {"RABBITMQ_USER": "guest", "RABBITMQ_PASSWORD": "guest"}  # from the environment
    with pytest.raises(UserInputError, match="guest:guest"):
        signing_key(f"amqp://{host}:5672/v", environ=env)
    signing_key("amqp://guest:other@rabbit.example.com/v", environ={})  # not the known pair


def test_executor_and_worker_refuse_a_remote_guest_key_before_connecting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.worker import run_worker

    for name in ("AX_WORKER_SECRET", "AX_WORKER_ALLOW_GUEST_KEY"):
        monkeypatch.delenv(name, raising=False)
    url = "amqp://guest:guest@rabbit.example.com:5672/v"
    with pytest.raises(UserInputError, match="guest:guest"):
        RabbitMQExecutor(url, "k")
    with pytest.raises(UserInputError, match="guest:guest"):
        run_worker(url, "k", max_jobs=1)


def test_guest_on_the_loopback_broker_works_with_a_warning(
    rabbitmq_broker: Broker,
    exp_key: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.worker import run_worker

    monkeypatch.delenv("AX_WORKER_SECRET", raising=False)
    url = f"amqp://guest:guest@127.0.0.1:{rabbitmq_broker.port}/%2F"  # RabbitMQ's default user
    with pytest.warns(GuestKeyWarning, match="on loopback"):
        executor = RabbitMQExecutor(url, exp_key)
    try:
        future = executor.submit(add, 2, 3)
        with pytest.warns(GuestKeyWarning):
            stats = run_worker(url, exp_key, max_jobs=1)
        assert stats.jobs_run == 1 and future.result(timeout=10) == 5
    finally:
        executor.shutdown()


# --------------------------------------------------------------------- against the broker
@pytest.fixture
def channel(rabbitmq_url: str, exp_key: str) -> Iterator[Tuple[Any, Any]]:
    import pika

    from ax.service.rabbitmq.protocol import connection_parameters, declare, queues

    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    ch = connection.channel()
    names = queues(exp_key)
    declare(ch, names)
    yield ch, names
    for name in (names.jobs, names.results, names.dead, names.requests):
        ch.queue_delete(name)
    connection.close()


def _expired(ttl_s: float = 3600.0) -> Stamp:
    """A stamp that expired an hour (plus the tolerated 5 min skew) ago."""
    return Stamp(new_stamp(0).message_id, now_ms() - int((ttl_s + 300) * 1000))


def test_replayed_and_expired_jobs_are_refused_logged_and_the_worker_goes_on(
    rabbitmq_url: str,
    exp_key: str,
    channel: Tuple[Any, Any],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import cloudpickle

    from ax.service.rabbitmq.protocol import KIND_JOB, REFUSED_MAX_BYTES, properties
    from ax.service.rabbitmq.worker import run_worker

    ch, names = channel
    key = signing_key(rabbitmq_url)
    ran = tmp_path / "ran"

    def job(text: str, stamp: Stamp | None = None) -> Tuple[bytes, Any]:
        body = cloudpickle.dumps((append_line, (str(ran), text), {}))
        return body, properties(key, KIND_JOB, exp_key, text, 1, None, body, stamp)

    first = job("first")
    ch.basic_publish("", names.jobs, *first)
    ch.basic_publish("", names.jobs, *first)  # a captured copy, republished: a replay
    ch.basic_publish("", names.jobs, *job("stale", _expired()))
    big = b"x" * (REFUSED_MAX_BYTES + 1)  # refused (unsigned) and over the cap: dropped
    ch.basic_publish(
        "", names.jobs, big, properties(b"0" * 32, KIND_JOB, exp_key, "big", 1, None, big)
    )
    ch.basic_publish("", names.jobs, *job("next"))
    with caplog.at_level(logging.WARNING, logger="ax"):
        stats = run_worker(rabbitmq_url, exp_key, max_jobs=2)
    assert ran.read_text().splitlines() == ["first", "next"]  # each ran once; stale never
    assert (stats.jobs_run, stats.jobs_failed) == (2, 0)
    assert (stats.refused, stats.replayed, stats.expired, stats.dropped_oversize) == (3, 1, 1, 1)
    log = caplog.text
    assert "refusing job first" in log and "already seen: a replayed message" in log
    assert (
        "refusing job stale" in log
        and "expired 3900 s ago (beyond the tolerated clock skew)" in log
    )
    assert "dropped a refused message of 262145 bytes" in log
    dead = ch.queue_declare(names.dead, passive=True).method.message_count
    assert dead == 2  # the replay and the stale job; the oversize one was not stored


def test_dead_letter_queue_is_bounded(
    rabbitmq_broker: Broker,
    exp_key: str,
    channel: Tuple[Any, Any],
) -> None:
    from ax.service.rabbitmq.protocol import (
        DEAD_LETTER_MAX_BYTES,
        DEAD_LETTER_MAX_LENGTH,
        DEAD_LETTER_TTL_MS,
    )

    _, names = channel
    vhost = rabbitmq_broker.url.rsplit("/", 1)[1]
    listing = rabbitmq_broker.ctl(
        "list_queues", "-p", vhost, "name", "arguments", "--no-table-headers"
    )
    line = next(row for row in listing.splitlines() if row.startswith(names.dead))
    assert f'{{"x-max-length",{DEAD_LETTER_MAX_LENGTH}}}' in line.replace(" ", "")
    assert f'{{"x-max-length-bytes",{DEAD_LETTER_MAX_BYTES}}}' in line.replace(" ", "")
    assert f'{{"x-message-ttl",{DEAD_LETTER_TTL_MS}}}' in line.replace(" ", "")
    assert DEAD_LETTER_MAX_LENGTH == 1000 and DEAD_LETTER_TTL_MS == 7 * 86_400_000


def test_old_unbounded_dead_letter_queue_gives_a_clear_error(
    rabbitmq_url: str,
    exp_key: str,
) -> None:
    import pika

    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.protocol import connection_parameters, queues

    names = queues(exp_key)
    connection = pika.BlockingConnection(connection_parameters(rabbitmq_url))
    connection.channel().queue_declare(names.dead, durable=True)  # as an older version did
    try:
        with pytest.raises(
            UserInputError, match=rf"queue '{names.dead}' exists with other arguments"
        ):
            RabbitMQExecutor(rabbitmq_url, exp_key)
    finally:
        connection.channel().queue_delete(names.dead)
        connection.close()


def test_executor_refuses_replayed_and_expired_results_and_goes_on(
    rabbitmq_url: str,
    exp_key: str,
    channel: Tuple[Any, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    import cloudpickle

    from ax.service.rabbitmq.executor import RabbitMQExecutor
    from ax.service.rabbitmq.protocol import KIND_RESULT, properties

    ch, names = channel
    key = signing_key(rabbitmq_url)
    executor = RabbitMQExecutor(rabbitmq_url, exp_key)
    try:
        jobs: List[str] = []
        futures = [executor.submit(add, 1, 2), executor.submit(add, 2, 2)]
        while len(jobs) < 2:  # act as the worker: read the two jobs' correlation ids
            method, props, _ = ch.basic_get(names.jobs, auto_ack=True)
            if method is not None:
                jobs.append(props.correlation_id)

        def result(cid: str, value: int, stamp: Stamp | None = None) -> Tuple[bytes, Any]:
            body = cloudpickle.dumps((True, value))
            return body, properties(key, KIND_RESULT, exp_key, cid, 1, None, body, stamp)

        with caplog.at_level(logging.WARNING, logger="ax"):
            first = result(jobs[0], 3)
            ch.basic_publish("", names.results, *first)
            assert futures[0].result(timeout=10) == 3
            ch.basic_publish("", names.results, *first)  # replayed
            ch.basic_publish("", names.results, *result(jobs[1], -1, _expired()))  # expired
            ch.basic_publish("", names.results, *result(jobs[1], 4))
            assert futures[1].result(timeout=10) == 4  # the expired -1 was never used
        log = caplog.text
        assert f"refusing result {jobs[0]}" in log and "already seen" in log
        assert f"refusing result {jobs[1]}" in log and "expired" in log
    finally:
        executor.shutdown()


def test_job_expired_in_the_queue_fails_its_future_and_the_worker_goes_on(
    rabbitmq_url: str, exp_key: str
) -> None:
    import time

    from ax.service.rabbitmq.executor import RabbitMQExecutor, RemoteJobError
    from ax.service.rabbitmq.worker import run_worker

    executor = RabbitMQExecutor(rabbitmq_url, exp_key, replay=ReplayOptions(job_ttl_s=0.05))
    try:
        stale = executor.submit(add, 1, 1)
        time.sleep(0.3)  # the job waits past its lifetime: no worker yet
        executor.replay = ReplayOptions()  # the next job lives the default day
        good = executor.submit(add, 2, 2)
        strict = ReplayOptions(clock_skew_s=0.0)
        stats = run_worker(rabbitmq_url, exp_key, max_jobs=1, replay=strict)
        assert (stats.expired, stats.jobs_run) == (1, 1)
        with pytest.raises(RemoteJobError, match=r"job expired \d+ s before a worker took it"):
            stale.result(timeout=10)
        assert good.result(timeout=10) == 4
    finally:
        executor.shutdown()
