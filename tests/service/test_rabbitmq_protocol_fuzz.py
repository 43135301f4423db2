"""Property-based fuzzing of the worker wire protocol's message decoding (hypothesis,
derandomized; no broker needed: :func:`~ax.service.rabbitmq.protocol.check` sees only
the AMQP properties and the body).

Properties: an unsigned or arbitrary message is refused, never raises; a validly signed
message is accepted once and refused as a replay after; any change to a signed message
(body, header, id, expiry, signature, kind, experiment) makes it refused; an expired one
is refused. Nothing is ever unpickled (``check`` has no unpickling path; a body that would
create a file when unpickled shows it). Example counts are in docs/reliability.md.
"""

from __future__ import annotations

import datetime
import decimal
import logging
from types import SimpleNamespace
from typing import Any, Dict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ax.service.rabbitmq.protocol import (
    EXPIRES_HEADER,
    KIND_JOB,
    KIND_REQUEST,
    KIND_RESULT,
    Envelope,
    Refused,
    check,
    properties,
)
from ax.service.rabbitmq.replay import ReplayOptions, SeenIds, Stamp, new_stamp, now_ms
from ax.service.rabbitmq.signing import SIGNATURE_HEADER, signing_key

FUZZ: Dict[str, Any] = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
KEY = signing_key("amqp://u:p@broker.example/v", environ={})
LOGGER = logging.getLogger("tests.fuzz.protocol")
LOGGER.addHandler(logging.NullHandler())
LOGGER.propagate = False

header_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=40)
    | st.binary(max_size=40)
    | st.decimals(allow_nan=False, places=3)
    | st.datetimes(min_value=datetime.datetime(1970, 1, 2)),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
header_names = st.sampled_from(
    ["ax-kind", "ax-attempt", "ax-timeout", EXPIRES_HEADER, SIGNATURE_HEADER, "other"]
)
kinds = st.sampled_from([KIND_JOB, KIND_RESULT, KIND_REQUEST])


def props(headers: Any, correlation_id: Any, message_id: Any) -> SimpleNamespace:
    return SimpleNamespace(headers=headers, correlation_id=correlation_id, message_id=message_id)


@settings(max_examples=500, **FUZZ)
@given(
    kind=kinds,
    headers=st.none() | st.dictionaries(header_names, header_values, max_size=6) | header_values,
    correlation_id=st.none() | st.text(max_size=300) | header_values,
    message_id=st.none() | st.text(alphabet="0123456789abcdefg", max_size=40) | header_values,
    body=st.binary(max_size=64),
)
def test_arbitrary_messages_are_refused_never_raise(
    kind: str, headers: Any, correlation_id: Any, message_id: Any, body: bytes
) -> None:
    outcome = check(KEY, kind, "k", props(headers, correlation_id, message_id), body, LOGGER)
    assert isinstance(outcome, Refused)  # none carries a valid signature


def _signed(kind: str, body: bytes, timeout: Any, attempt: int, stamp: Stamp) -> Any:
    return properties(KEY, kind, "k", "cid-1", attempt, timeout, body, stamp)


@settings(max_examples=300, **FUZZ)
@given(
    kind=kinds,
    body=st.binary(max_size=64),
    timeout=st.none() | st.floats(min_value=0.001, max_value=1e6),
    attempt=st.integers(0, 100),
    data=st.data(),
)
def test_signed_message_passes_once_and_any_change_is_refused(
    kind: str, body: bytes, timeout: Any, attempt: int, data: st.DataObject
) -> None:
    stamp = new_stamp(60.0)
    good = _signed(kind, body, timeout, attempt, stamp)
    seen = SeenIds(ReplayOptions())
    envelope = check(KEY, kind, "k", good, body, LOGGER, seen)
    assert isinstance(envelope, Envelope) and envelope.stamp == stamp
    assert envelope.attempt == attempt and envelope.timeout_s == timeout
    replay = check(KEY, kind, "k", good, body, LOGGER, seen)
    assert replay == Refused("replay")

    headers = dict(good.headers)
    changed_props = props(headers, good.correlation_id, good.message_id)
    changed_body, changed_kind, changed_key = body, kind, "k"
    what = data.draw(
        st.sampled_from(
            ["body", "header", "drop", "message_id", "correlation_id", "kind", "exp_key"]
        )
    )
    if what == "body":
        changed_body = data.draw(st.binary(max_size=64).filter(lambda b: b != body))
    elif what == "header":
        name = data.draw(header_names)
        value = data.draw(header_values.filter(lambda v: v != headers.get(name)))
        headers[name] = value
    elif what == "drop":
        name = data.draw(header_names.filter(lambda n: n in headers and n != "other"))
        del headers[name]
    elif what == "message_id":
        changed_props.message_id = data.draw(
            header_values | st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)
        )
    elif what == "correlation_id":
        changed_props.correlation_id = data.draw(header_values.filter(lambda v: v != "cid-1"))
    elif what == "kind":
        changed_kind = data.draw(kinds.filter(lambda k: k != kind))
    else:
        changed_key = "k2"
    fresh = SeenIds(ReplayOptions())  # not a replay: refused for the change itself
    outcome = check(KEY, changed_kind, changed_key, changed_props, changed_body, LOGGER, fresh)
    if isinstance(outcome, Envelope):  # only a change that means the same (b"job" for "job")
        assert outcome == envelope, (what, outcome)
        assert (changed_body, changed_kind, changed_key) == (body, kind, "k")
    else:
        assert isinstance(outcome, Refused)


@settings(max_examples=200, **FUZZ)
@given(
    ago_s=st.floats(min_value=301.0, max_value=1e9),
    skew_s=st.sampled_from([0.0, 300.0]),
    kind=kinds,
)
def test_expired_signed_message_is_refused(ago_s: float, skew_s: float, kind: str) -> None:
    stamp = Stamp(new_stamp(0).message_id, now_ms() - int(ago_s * 1000))
    good = _signed(kind, b"x", None, 1, stamp)
    outcome = check(KEY, kind, "k", good, b"x", LOGGER, SeenIds(ReplayOptions(clock_skew_s=skew_s)))
    assert outcome == Refused("expired")
    assert check(KEY, kind, "k", good, b"x", LOGGER) == Refused("expired")  # default skew


def test_check_never_unpickles(tmp_path: Any) -> None:
    import pickle

    class Canary:
        def __reduce__(self) -> Any:
            return (open, (str(tmp_path / "canary"), "w"))

    body = pickle.dumps(Canary())
    good = _signed(KIND_JOB, body, None, 1, new_stamp(60.0))
    assert isinstance(check(KEY, KIND_JOB, "k", good, body, LOGGER), Envelope)
    unsigned = props({"ax-kind": KIND_JOB}, "c", None)
    assert isinstance(check(KEY, KIND_JOB, "k", unsigned, body, LOGGER), Refused)
    assert not (tmp_path / "canary").exists()
    assert decimal.Decimal  # (header_values draws Decimals, as pika decodes them)
