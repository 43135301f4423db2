"""Tests for ax.runners.synthetic.SyntheticRunner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ax.core.runner import Runner
from ax.exceptions import UserInputError, UserInputTypeError
from ax.runners.synthetic import SyntheticRunner


@dataclass
class FakeExperiment:
    name: str | None

    @property
    def has_name(self) -> bool:
        return self.name is not None


@dataclass
class FakeTrial:
    index: int
    experiment: FakeExperiment


def test_run_uses_experiment_name_and_index() -> None:
    runner = SyntheticRunner()
    assert isinstance(runner, Runner)
    assert runner.run(FakeTrial(3, FakeExperiment("exp"))) == {"name": "exp_3"}


def test_run_without_experiment_name() -> None:
    assert SyntheticRunner().run(FakeTrial(0, FakeExperiment(None))) == {"name": "0"}


def test_run_adds_dummy_metadata_as_a_copy() -> None:
    runner = SyntheticRunner(dummy_metadata={"cluster": "local", "tags": ["a"]})
    metadata = runner.run(FakeTrial(1, FakeExperiment("e")))
    assert metadata == {"name": "e_1", "cluster": "local", "tags": ["a"]}
    metadata["tags"].append("b")
    assert runner.dummy_metadata == {"cluster": "local", "tags": ["a"]}


def test_defaults() -> None:
    runner = SyntheticRunner()
    assert runner.staging_required is False
    runner.stop(FakeTrial(0, FakeExperiment("e")))  # no-op
    assert runner.dummy_metadata is None


def test_clone_and_equality() -> None:
    runner = SyntheticRunner(dummy_metadata={"k": [1]})
    clone = runner.clone()
    assert isinstance(clone, SyntheticRunner)
    assert clone == runner
    assert clone.dummy_metadata is not runner.dummy_metadata
    assert SyntheticRunner() != runner
    assert runner.serialize_init_args() == {"dummy_metadata": {"k": [1]}}


def test_repr() -> None:
    assert repr(SyntheticRunner()) == "SyntheticRunner()"
    assert repr(SyntheticRunner({"a": 1})) == "SyntheticRunner(dummy_metadata={'a': 1})"


@pytest.mark.parametrize("bad", ["meta", 3, ["a"]])
def test_bad_dummy_metadata_type(bad: Any) -> None:
    with pytest.raises(UserInputTypeError, match=r"SyntheticRunner: dummy_metadata must be"):
        SyntheticRunner(dummy_metadata=bad)


def test_dummy_metadata_may_not_set_name() -> None:
    with pytest.raises(UserInputError, match=r"dummy_metadata may not set the key 'name'"):
        SyntheticRunner(dummy_metadata={"name": "x"})
