"""Tests for ax.core.runner.Runner and the shared init-args helper."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from ax.core.runner import Runner
from ax.exceptions import UnsupportedError
from ax.utils.serialization import init_args_from_attributes


class RecordingRunner(Runner):
    def __init__(self, prefix: str, retries: int = 0) -> None:
        self.prefix = prefix
        self._retries = retries
        self.stopped: List[int] = []

    def run(self, trial: Any) -> Dict[str, Any]:
        return {"name": f"{self.prefix}-{trial}"}

    def stop(self, trial: Any) -> None:
        self.stopped.append(trial)


class StagingRunner(RecordingRunner):
    @property
    def staging_required(self) -> bool:
        return True


class OpaqueRunner(Runner):
    def __init__(self, token: str) -> None:
        self._hidden = token

    def run(self, trial: Any) -> Dict[str, Any]:
        return {}


class NoArgRunner(Runner):
    def run(self, trial: Any) -> Dict[str, Any]:
        return {"name": "x"}


def test_runner_is_abstract() -> None:
    with pytest.raises(TypeError, match="abstract"):
        Runner()  # type: ignore[abstract]


def test_defaults_of_base_class() -> None:
    runner = NoArgRunner()
    assert runner.staging_required is False
    runner.stop(object())  # no-op by default
    assert runner.run(0) == {"name": "x"}
    assert repr(runner) == "NoArgRunner()"


def test_subclass_overrides() -> None:
    runner = StagingRunner("job", retries=2)
    assert runner.staging_required is True
    assert runner.run(4) == {"name": "job-4"}
    runner.stop(4)
    assert runner.stopped == [4]


def test_serialize_init_args_reads_public_then_private_attributes() -> None:
    runner = RecordingRunner("job", retries=3)
    assert runner.serialize_init_args() == {"prefix": "job", "retries": 3}
    assert init_args_from_attributes(runner) == {"prefix": "job", "retries": 3}
    assert NoArgRunner().serialize_init_args() == {}


def test_clone_rebuilds_through_constructor() -> None:
    runner = RecordingRunner("job", retries=1)
    runner.stopped.append(9)  # not a constructor argument: not carried over
    clone = runner.clone()
    assert isinstance(clone, RecordingRunner)
    assert (clone.prefix, clone._retries, clone.stopped) == ("job", 1, [])
    assert NoArgRunner().clone() == NoArgRunner()


def test_missing_attribute_raises_unsupported_naming_class_and_argument() -> None:
    with pytest.raises(UnsupportedError, match=r"OpaqueRunner: .*'token'.*'_token'"):
        OpaqueRunner("t").clone()


def test_init_args_skips_var_args() -> None:
    class Flexible:
        def __init__(self, a: int, *args: Any, b: int = 2, **kwargs: Any) -> None:
            self.a = a
            self._b = b

    assert init_args_from_attributes(Flexible(1, b=5)) == {"a": 1, "b": 5}
