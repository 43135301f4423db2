"""NoisyFunctionMetric and the bundled Branin, Hartmann6 and L2Norm metrics."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, List

import numpy as np
import pytest

import ax
from ax.benchmark.synthetic_functions import branin, hartmann6
from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.parameter import ChoiceParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError
from ax.metrics.branin import BraninMetric, NegativeBraninMetric
from ax.metrics.hartmann6 import Hartmann6Metric
from ax.metrics.l2norm import L2NormMetric
from ax.metrics.noisy_function import NoisyFunctionMetric
from ax.runners.synthetic import SyntheticRunner
from ax.service.utils.instantiation import make_experiment
from ax.storage.metric_registry import register_metric

H6 = [f"x{i}" for i in range(1, 7)]


def _experiment(metrics: List[Any], dims: int = 2) -> Experiment:
    return make_experiment(
        parameters=[
            {"name": f"x{i}", "type": "range", "bounds": [-5.0, 15.0]} for i in range(1, dims + 1)
        ],
        name="metrics",
        minimize=True,
        runner=SyntheticRunner(),
        metrics=metrics,
    )


def _trial(experiment: Experiment, *points: dict) -> Any:
    if len(points) == 1:
        return experiment.new_trial().add_arm(Arm(points[0]))
    return experiment.new_batch_trial().add_arms_and_weights([Arm(p) for p in points])


def test_branin_metric_rows_at_the_minimisers() -> None:
    metric = BraninMetric("branin", ["x1", "x2"], noise_sd=0.0, lower_is_better=True)
    experiment = _experiment([metric])
    points = [{"x1": float(a), "x2": float(b)} for a, b in branin.minimums]
    trial = _trial(experiment, *points)
    data = metric.fetch_trial_data(trial)
    columns = data.columns
    assert list(columns["arm_name"]) == [arm.name for arm in trial.arms]
    assert list(columns["metric_name"]) == ["branin"] * 3
    assert list(columns["mean"]) == pytest.approx([branin.fmin] * 3, abs=1e-5)
    assert list(columns["sem"]) == [0.0] * 3
    assert list(columns["trial_index"]) == [trial.index] * 3
    assert list(columns["n"]) == [10000 // 3] * 3
    assert list(columns["frac_nonnull"]) == [1.0] * 3
    assert repr(metric) == "BraninMetric('branin')"
    assert metric.lower_is_better is True


@pytest.mark.parametrize(
    "metric, point, expected",
    [
        (NegativeBraninMetric("nb", ["x1", "x2"]), {"x1": math.pi, "x2": 2.275}, -0.397887),
        (L2NormMetric("l2", ["x1", "x2"]), {"x1": 3.0, "x2": 4.0}, 5.0),
        (Hartmann6Metric("h6", H6), dict(zip(H6, hartmann6.minimums[0])), -3.32237),
    ],
)
def test_other_metrics(metric: NoisyFunctionMetric, point: dict, expected: float) -> None:
    experiment = _experiment([metric], dims=len(point))
    data = metric.fetch_trial_data(_trial(experiment, point))
    assert data.columns["mean"][0] == pytest.approx(expected, abs=1e-5)


def test_seeded_noise_is_reproducible_per_trial_and_arm() -> None:
    metric = BraninMetric("b", ["x1", "x2"], noise_sd=2.0, seed=7)
    experiment = _experiment([metric])
    trial = _trial(experiment, {"x1": 1.0, "x2": 2.0}, {"x1": 3.0, "x2": 4.0})
    first = metric.fetch_trial_data(trial).columns["mean"].tolist()
    again = BraninMetric("b", ["x1", "x2"], noise_sd=2.0, seed=7).fetch_trial_data(trial)
    assert again.columns["mean"].tolist() == first
    exact = metric.fetch_trial_data(trial, noisy=False).columns["mean"].tolist()
    assert exact == pytest.approx([branin(1.0, 2.0), branin(3.0, 4.0)])
    assert all(abs(a - b) > 1e-9 for a, b in zip(first, exact))
    assert metric.fetch_trial_data(trial).columns["sem"].tolist() == [2.0, 2.0]
    other_seed = BraninMetric("b", ["x1", "x2"], noise_sd=2.0, seed=8).fetch_trial_data(trial)
    assert other_seed.columns["mean"].tolist() != first


def test_unseeded_noise_differs_between_fetches() -> None:
    metric = L2NormMetric("l2", ["x1", "x2"], noise_sd=1.0)
    trial = _trial(_experiment([metric]), {"x1": 1.0, "x2": 1.0})
    draws = {float(metric.fetch_trial_data(trial).columns["mean"][0]) for _ in range(5)}
    assert len(draws) == 5


def test_trial_without_arms_gives_empty_data() -> None:
    metric = L2NormMetric("l2", ["x1", "x2"])
    assert metric.fetch_trial_data(_experiment([metric]).new_trial()).empty


@pytest.mark.parametrize(
    "build, error, match",
    [
        (
            lambda: BraninMetric("b", ["x1"]),
            UserInputError,
            r"BraninMetric 'b': param_names must name exactly 2 parameters, got 1: "
            r"param_names=\['x1'\]",
        ),
        (lambda: Hartmann6Metric("h", ["x1", "x2"]), UserInputError, "exactly 6 parameters, got 2"),
        (lambda: L2NormMetric("l", []), UserInputError, r"non-empty list .* got param_names=\[\]"),
        (
            lambda: L2NormMetric("l", ["a", "a"]),
            UserInputError,
            r"must be distinct, got param_names=\['a', 'a'\]",
        ),
        (
            lambda: L2NormMetric("l", "ab"),
            UserInputTypeError,
            "param_names must be a list .* got param_names='ab'",
        ),
        (lambda: L2NormMetric("l", ["a", 3]), UserInputError, r"got param_names=\['a', 3\]"),
        (
            lambda: L2NormMetric("l", ["a"], noise_sd=-1.0),
            UserInputError,
            "noise_sd must be finite and >= 0, got noise_sd=-1.0",
        ),
        (lambda: L2NormMetric("l", ["a"], noise_sd=math.inf), UserInputError, "got noise_sd=inf"),
        (
            lambda: L2NormMetric("l", ["a"], noise_sd="big"),
            UserInputTypeError,
            "noise_sd must be a number, got noise_sd='big'",
        ),
        (
            lambda: L2NormMetric("l", ["a"], seed=-1),
            UserInputError,
            "seed must be >= 0, got seed=-1",
        ),
        (
            lambda: L2NormMetric("l", ["a"], seed=True),
            UserInputTypeError,
            "seed must be an int or None, got seed=True",
        ),
        (lambda: L2NormMetric("", ["a"]), UserInputError, "name must be a non-empty string"),
    ],
)
def test_construction_errors(build: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        build()


def test_fetch_errors_name_the_arm_and_parameter() -> None:
    metric = L2NormMetric("l2", ["x1", "zz"])
    experiment = _experiment([L2NormMetric("other", ["x1"])])
    trial = _trial(experiment, {"x1": 1.0, "x2": 2.0})
    with pytest.raises(
        UserInputError,
        match=r"L2NormMetric 'l2': arm '0_0' has no value for parameter 'zz' .*\['x1', 'x2'\]",
    ):
        metric.fetch_trial_data(trial)
    space = SearchSpace([ChoiceParameter("s", ParameterType.STRING, ["a", "b"])])
    bad = Experiment(space, name="e").new_trial().add_arm(Arm({"s": "a"}))
    with pytest.raises(
        UserInputError, match="parameter 's' of arm '0_0' must be a number, got 'a'"
    ):
        L2NormMetric("l2", ["s"]).fetch_trial_data(bad)


def test_clone_and_json_round_trip(tmp_path: Path) -> None:
    for cls in (BraninMetric, NegativeBraninMetric, Hartmann6Metric, L2NormMetric):
        register_metric(cls)
    metrics = [
        BraninMetric("branin", ["x1", "x2"], noise_sd=0.5, lower_is_better=True, seed=3),
        L2NormMetric("l2norm", ["x1", "x2"]),
    ]
    assert metrics[0].clone() == metrics[0] and metrics[0].clone() is not metrics[0]
    assert metrics[0].serialize_init_args() == {
        "name": "branin",
        "param_names": ["x1", "x2"],
        "noise_sd": 0.5,
        "lower_is_better": True,
        "seed": 3,
    }
    experiment = _experiment(metrics)
    trial = _trial(experiment, {"x1": 1.0, "x2": 2.0}).run()
    experiment.attach_data(trial.fetch_data())
    trial.mark_completed()
    ax.save(experiment, tmp_path / "e.json")
    loaded = ax.load(tmp_path / "e.json")
    assert loaded == experiment
    assert type(loaded.metrics["branin"]) is BraninMetric
    assert loaded.metrics["branin"].param_names == ["x1", "x2"]
    # Re-fetching after loading gives the same (seeded) values.
    refetched = loaded.metrics["branin"].fetch_trial_data(loaded.trials[0])
    assert refetched.columns["mean"].tolist() == pytest.approx(
        experiment.lookup_data().filter(metric_names=["branin"]).columns["mean"].tolist()
    )
    assert np.isfinite(refetched.columns["mean"]).all()
