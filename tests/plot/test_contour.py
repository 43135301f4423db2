"""plot_contour: a model's predicted mean and SEM over two parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from ax.plot.contour import plot_contour
from tests.plot import (
    POINTS,
    NoPredictBridge,
    make_bridge,
    quadratic,
    variance,
)


@pytest.fixture(scope="module")
def bridge() -> Any:
    return make_bridge()


def test_contour_has_mean_and_sem_panels_with_observed_arms(bridge: Any) -> None:
    fig = plot_contour(bridge, "x1", "x2", "m", density=7)
    kinds = [type(t).__name__ for t in fig.data]
    assert kinds == ["Contour", "Contour", "Scatter", "Scatter"]
    mean, sem, arms_left, arms_right = fig.data
    assert np.asarray(mean.z).shape == (7, 7)
    assert list(mean.x) == pytest.approx(np.linspace(-5.0, 10.0, 7))
    assert list(mean.y) == pytest.approx(np.linspace(0.0, 15.0, 7))
    # Rows follow y, columns follow x; other parameters at the centre (x3=10, c="a").
    for i, y in enumerate(mean.y):
        for j, x in enumerate(mean.x):
            point = {"x1": x, "x2": y, "x3": 10}
            assert mean.z[i][j] == pytest.approx(quadratic(point))
            assert sem.z[i][j] == pytest.approx(math.sqrt(variance(point)))
    assert len(arms_left.x) == len(POINTS) == len(arms_right.x)
    assert sorted(arms_left.text) == sorted(f"{i}_0" for i in range(len(POINTS)))
    assert arms_left.showlegend and not arms_right.showlegend
    assert "x3=10" in fig.layout.title.text and "c=a" in fig.layout.title.text
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.yaxis.title.text == "x2"


def test_contour_log_and_int_axis(bridge: Any) -> None:
    fig = plot_contour(bridge, "x1", "x3", "m", density=6)
    ys = list(fig.data[0].y)
    assert ys == [1.0, 3.0, 6.0, 16.0, 40.0, 100.0]  # geometric, rounded to ints
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.xaxis.type == "linear"


def test_contour_slice_values_hold_other_parameters(bridge: Any) -> None:
    low = plot_contour(bridge, "x1", "x2", "m", slice_values={"x3": 20}, density=3)
    high = plot_contour(bridge, "x1", "x2", "m", slice_values={"x3": 70}, density=3)
    diff = np.asarray(high.data[0].z) - np.asarray(low.data[0].z)
    assert diff == pytest.approx(np.full((3, 3), 5.0))
    assert "x3=70" in high.layout.title.text


def test_contour_other_metric(bridge: Any) -> None:
    fig = plot_contour(bridge, "x2", "x1", "other", density=2)
    assert fig.layout.xaxis.title.text == "x2"
    assert "other" in fig.layout.title.text


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"param_x": "nope"}, r"unknown param_x='nope'.*\['c', 'x1', 'x2', 'x3'\]"),
        ({"param_y": "zz"}, r"unknown param_y='zz'.*\['c', 'x1', 'x2', 'x3'\]"),
        ({"metric_name": "mm"}, r"unknown metric_name='mm'.*\['m', 'other'\]"),
        ({"param_y": "x1"}, r"param_x and param_y must differ, got both 'x1'"),
        ({"density": 1}, r"density must be in \[2, 500\], got density=1"),
        ({"slice_values": {"q": 1}}, r"unknown parameter\(s\) \['q'\]"),
        ({"slice_values": {"x3": 1000}}, r"slice_values\['x3'\]=1000 is outside the domain"),
        ({"slice_values": {"c": "z"}}, r"slice_values\['c'\]='z' is outside the domain"),
    ],
)
def test_contour_bad_names_raise_user_input_error(bridge: Any, kwargs: dict, match: str) -> None:
    args = {"param_x": "x1", "param_y": "x2", "metric_name": "m", **kwargs}
    with pytest.raises(UserInputError, match=match):
        plot_contour(bridge, **args)


def test_contour_bad_types(bridge: Any) -> None:
    with pytest.raises(UserInputTypeError, match="density must be an int, got density=2.5"):
        plot_contour(bridge, "x1", "x2", "m", density=2.5)  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="slice_values must be a dict"):
        plot_contour(bridge, "x1", "x2", "m", slice_values=[1])  # type: ignore[arg-type]


def test_contour_on_choice_parameter_is_unsupported(bridge: Any) -> None:
    with pytest.raises(UnsupportedError, match=r"param_y='c' is a ChoiceParameter of type STRING"):
        plot_contour(bridge, "x1", "c", "m")


def test_contour_model_without_predictions_is_unsupported() -> None:
    bridge = make_bridge(cls=NoPredictBridge)
    with pytest.raises(UnsupportedError, match="NoPredictBridge cannot predict"):
        plot_contour(bridge, "x1", "x2", "m", density=2)


def test_contour_of_a_real_gp() -> None:
    """End to end with the GP of the registry (a few Sobol points of Branin)."""
    from ax.metrics.branin import BraninMetric
    from ax.modelbridge.registry import Models
    from ax.runners.synthetic import SyntheticRunner
    from ax.service.utils.instantiation import make_experiment

    experiment = make_experiment(
        parameters=[
            {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
        ],
        minimize=True,
        runner=SyntheticRunner(),
        metrics=[BraninMetric("branin", ["x1", "x2"], lower_is_better=True)],
    )
    sobol = Models.SOBOL(experiment=experiment, seed=0)
    for _ in range(6):
        trial = experiment.new_trial(sobol.gen(1)).run()
        experiment.attach_data(trial.fetch_data())
        trial.mark_completed()
    gp = Models.GPEI(experiment=experiment, data=experiment.lookup_data())
    fig = plot_contour(gp, "x1", "x2", "branin", density=10)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (10, 10) and np.all(np.isfinite(z))
    assert np.all(np.asarray(fig.data[1].z) >= 0)
    assert len(fig.data[2].x) == 6


def test_contour_holds_other_parameters_at_the_status_quo() -> None:
    from tests.plot import QuadraticBridge, make_experiment

    experiment = make_experiment()
    bridge = QuadraticBridge(
        search_space=experiment.search_space,
        model=None,
        experiment=experiment,
        data=experiment.lookup_data(),
        status_quo_name="1_0",  # x3=50, c="b"
    )
    fig = plot_contour(bridge, "x1", "x2", "m", density=2)
    assert "x3=50, c=b" in fig.layout.title.text
    assert fig.data[0].z[0][0] == pytest.approx(quadratic({"x1": -5.0, "x2": 0.0, "x3": 50}))
