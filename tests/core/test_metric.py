"""Tests for ax.core.metric.Metric."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import numpy as np
import pytest

from ax.core.data import Data
from ax.core.metric import Metric
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError


@dataclass
class _Status:
    expecting_data: bool = True


@dataclass
class FakeTrial:
    index: int
    data: Data
    status: _Status = field(default_factory=_Status)

    def lookup_data(self) -> Data:
        return self.data


@dataclass
class FakeExperiment:
    trials: List[FakeTrial]

    @property
    def trials_expecting_data(self) -> List[FakeTrial]:
        return [t for t in self.trials if t.status.expecting_data]

    def lookup_data(self, trial_indices: List[int]) -> Data:
        by_index = {t.index: t for t in self.trials}
        return Data.from_multiple_data(by_index[i].lookup_data() for i in trial_indices)


def _trial_data(index: int, metrics: List[str]) -> Data:
    return Data.from_evaluations(
        {f"{index}_0": {m: (float(index), 0.1) for m in metrics}}, trial_index=index
    )


class ParamMetric(Metric):
    def __init__(
        self, name: str, param_names: List[str], lower_is_better: bool | None = None
    ) -> None:
        super().__init__(name, lower_is_better=lower_is_better)
        self._param_names = list(param_names)


class HiddenArgMetric(Metric):
    def __init__(self, name: str, secret: int) -> None:
        super().__init__(name)
        self._other = secret


class LiveMetric(Metric):
    """Fetches 'live': one row per trial with mean = 10 * index."""

    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        offset = kwargs.get("offset", 0.0)
        return Data.from_evaluations(
            {f"{trial.index}_0": {self.name: (10.0 * trial.index + offset, None)}},
            trial_index=trial.index,
        )


def test_construction_and_properties() -> None:
    m = Metric("m", lower_is_better=True)
    assert m.name == "m"
    assert m.lower_is_better is True
    m.lower_is_better = False
    assert m.lower_is_better is False
    m.lower_is_better = None
    assert m.lower_is_better is None
    assert Metric("x").lower_is_better is None


def test_name_is_read_only() -> None:
    with pytest.raises(AttributeError):
        Metric("m").name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["", 3, None, ["m"]])
def test_bad_name_raises(bad: Any) -> None:
    with pytest.raises(UserInputError, match=r"Metric: name must be a non-empty string.*name="):
        Metric(bad)


def test_bad_name_names_subclass() -> None:
    with pytest.raises(UserInputError, match="LiveMetric: name"):
        LiveMetric("")


@pytest.mark.parametrize("bad", ["yes", 1, 0.0])
def test_bad_lower_is_better_raises(bad: Any) -> None:
    with pytest.raises(UserInputTypeError, match=r"Metric 'm': lower_is_better .*"):
        Metric("m", lower_is_better=bad)
    m = Metric("m")
    with pytest.raises(UserInputTypeError, match=f"lower_is_better={bad!r}"):
        m.lower_is_better = bad
    assert m.lower_is_better is None


def test_numpy_bool_lower_is_better_is_accepted() -> None:
    m = Metric("m", lower_is_better=np.bool_(True))  # type: ignore[arg-type]
    assert m.lower_is_better is True
    assert type(m.lower_is_better) is bool


def test_repr_uses_class_name() -> None:
    assert repr(Metric("m")) == "Metric('m')"
    assert repr(LiveMetric("objective")) == "LiveMetric('objective')"


def test_equality() -> None:
    assert Metric("m", True) == Metric("m", True)
    assert Metric("m", True) != Metric("m", False)
    assert Metric("m") != Metric("n")
    assert Metric("m") != LiveMetric("m")


def test_clone_base_and_subclass() -> None:
    m = Metric("m", lower_is_better=True)
    c = m.clone()
    assert c == m and c is not m
    p = ParamMetric("p", ["x", "y"], lower_is_better=False)
    pc = p.clone()
    assert isinstance(pc, ParamMetric) and pc == p
    assert pc._param_names is not p._param_names


def test_serialize_init_args() -> None:
    assert Metric("m", True).serialize_init_args() == {"name": "m", "lower_is_better": True}
    assert ParamMetric("p", ["x"]).serialize_init_args() == {
        "name": "p",
        "param_names": ["x"],
        "lower_is_better": None,
    }


def test_serialize_init_args_missing_attribute_raises() -> None:
    metric = HiddenArgMetric("h", secret=3)
    with pytest.raises(UnsupportedError, match=r"HiddenArgMetric.*'secret'"):
        metric.serialize_init_args()
    with pytest.raises(UnsupportedError, match="secret"):
        metric.clone()


def test_serialize_init_args_override_is_used_by_clone() -> None:
    class Custom(HiddenArgMetric):
        def serialize_init_args(self) -> Dict[str, Any]:
            return {"name": self.name, "secret": self._other}

    c = Custom("c", 7).clone()
    assert isinstance(c, Custom) and c._other == 7


def test_base_fetch_trial_data_returns_attached_rows_of_this_metric() -> None:
    trial = FakeTrial(0, _trial_data(0, ["a", "b"]))
    got = Metric("a").fetch_trial_data(trial)
    assert got.metric_names == ["a"]
    assert len(got) == 1
    assert Metric("zzz").fetch_trial_data(trial).empty


def test_fetch_experiment_data_concatenates_trials_expecting_data() -> None:
    trials = [
        FakeTrial(0, _trial_data(0, ["a"])),
        FakeTrial(1, _trial_data(1, ["a"]), _Status(expecting_data=False)),
        FakeTrial(2, _trial_data(2, ["a", "b"])),
    ]
    data = Metric("a").fetch_experiment_data(FakeExperiment(trials))
    assert data.trial_indices == [0, 2]
    assert data.metric_names == ["a"]
    assert Metric("a").fetch_experiment_data(FakeExperiment([])).empty


def test_fetch_trial_data_multi() -> None:
    trial = FakeTrial(3, _trial_data(3, ["a", "b", "c"]))
    data = Metric.fetch_trial_data_multi(trial, [Metric("a"), Metric("c")])
    assert data.metric_names == ["a", "c"]
    assert data.trial_indices == [3]


def test_fetch_experiment_data_multi_default_and_explicit_trials() -> None:
    trials = [
        FakeTrial(0, _trial_data(0, ["a", "b"])),
        FakeTrial(1, _trial_data(1, ["a", "b"]), _Status(expecting_data=False)),
    ]
    experiment = FakeExperiment(trials)
    metrics = [Metric("a"), Metric("b")]
    default = Metric.fetch_experiment_data_multi(experiment, metrics)
    assert default.trial_indices == [0]
    assert default.metric_names == ["a", "b"]
    explicit = Metric.fetch_experiment_data_multi(experiment, metrics, trials=trials)
    assert explicit.trial_indices == [0, 1]
    assert len(explicit) == 4


def test_subclass_fetch_is_used_by_multi_and_gets_kwargs() -> None:
    trials = [FakeTrial(i, Data()) for i in range(3)]
    data = LiveMetric.fetch_experiment_data_multi(
        FakeExperiment(trials), [LiveMetric("live")], offset=1.0
    )
    assert data.columns["mean"].tolist() == [1.0, 11.0, 21.0]
    assert np.isnan(data.columns["sem"]).all()
