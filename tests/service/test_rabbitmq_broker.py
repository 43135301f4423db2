"""The test broker's launcher: a port lost to another process is retried, nothing else."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

import pytest

from tests.service import rabbitmq_broker as rb


def _launcher(outcomes: List[Any]) -> Tuple[Callable[[str], Any], List[str]]:
    calls: List[str] = []

    def launch(advanced_config: str) -> Any:
        calls.append(advanced_config)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return launch, calls


def test_a_launch_that_loses_its_port_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    launch, calls = _launcher([rb.PortTaken("dist_port_already_used"), "broker"])
    monkeypatch.setattr(rb, "_start_broker_once", launch)
    broker: Any = rb.start_broker("cfg")
    assert broker == "broker"
    assert calls == ["cfg", "cfg"]


def test_ports_taken_on_every_attempt_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    launch, calls = _launcher([rb.PortTaken(f"taken {i}") for i in range(rb.PORT_ATTEMPTS)])
    monkeypatch.setattr(rb, "_start_broker_once", launch)
    with pytest.raises(rb.PortTaken, match=f"taken {rb.PORT_ATTEMPTS - 1}"):
        rb.start_broker()
    assert len(calls) == rb.PORT_ATTEMPTS


def test_another_failure_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    launch, calls = _launcher([RuntimeError("rabbitmq-server exited with 1"), "broker"])
    monkeypatch.setattr(rb, "_start_broker_once", launch)
    with pytest.raises(RuntimeError, match="exited with 1"):
        rb.start_broker()
    assert len(calls) == 1
