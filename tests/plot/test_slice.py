"""plot_slice: a model's prediction along one parameter with a 95 % band."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ax.exceptions import UnsupportedError, UserInputError
from ax.plot.helpers import Z_95
from ax.plot.slice import plot_slice
from tests.plot import POINTS, make_bridge, quadratic, variance


@pytest.fixture(scope="module")
def bridge() -> Any:
    return make_bridge()


def test_slice_traces_band_mean_and_observations(bridge: Any) -> None:
    fig = plot_slice(bridge, "x1", "m", slice_values={"x2": 3.0}, density=11)
    band, mean, observed = fig.data
    xs = np.linspace(-5.0, 10.0, 11)
    assert list(mean.x) == pytest.approx(xs)
    expected = [quadratic({"x1": x, "x2": 3.0, "x3": 10}) for x in xs]
    assert list(mean.y) == pytest.approx(expected)
    sems = [math.sqrt(variance({"x1": x})) for x in xs]
    assert list(mean.customdata) == pytest.approx(sems)
    assert band.fill == "toself" and len(band.x) == 22
    assert band.y[0] == pytest.approx(expected[0] + Z_95 * sems[0])
    assert band.y[-1] == pytest.approx(expected[0] - Z_95 * sems[0])
    assert len(observed.x) == len(POINTS)
    assert list(observed.error_y.array) == pytest.approx([Z_95 * 0.1] * len(POINTS))
    assert fig.layout.xaxis.title.text == "x1" and fig.layout.yaxis.title.text == "m"
    assert "x2=3" in fig.layout.title.text


def test_slice_log_int_parameter(bridge: Any) -> None:
    fig = plot_slice(bridge, "x3", "other", density=4)
    assert list(fig.data[1].x) == [1.0, 5.0, 22.0, 100.0]
    assert fig.layout.xaxis.type == "log"


@pytest.mark.parametrize(
    "param, metric, error, match",
    [
        ("nope", "m", UserInputError, r"unknown param_name='nope'.*\['c', 'x1', 'x2', 'x3'\]"),
        ("x1", "zz", UserInputError, r"unknown metric_name='zz'.*\['m', 'other'\]"),
        ("c", "m", UnsupportedError, r"param_name='c' is a ChoiceParameter"),
    ],
)
def test_slice_errors(bridge: Any, param: str, metric: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        plot_slice(bridge, param, metric)
