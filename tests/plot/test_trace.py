"""optimization_trace_single_method: mean over runs per iteration, band, optimum, transitions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ax.exceptions import UserInputError, UserInputTypeError
from ax.plot.helpers import Z_95
from ax.plot.trace import optimization_trace_single_method


def test_single_run_is_plotted_as_given() -> None:
    y = [5.0, 3.0, 3.0, 1.0]
    fig = optimization_trace_single_method(y, title="T", ylabel="loss")
    assert len(fig.data) == 1
    (line,) = fig.data
    assert list(line.x) == [1, 2, 3, 4]
    assert list(line.y) == y
    assert fig.layout.title.text == "T"
    assert fig.layout.yaxis.title.text == "loss"
    assert fig.layout.xaxis.title.text == "Iteration"


def test_several_runs_give_mean_and_band() -> None:
    y = np.array([[4.0, 2.0, 1.0], [2.0, 2.0, 0.0], [3.0, 2.0, 2.0]])
    fig = optimization_trace_single_method(y)
    band, mean = fig.data
    assert list(mean.y) == pytest.approx([3.0, 2.0, 1.0])
    sem = y.std(axis=0, ddof=1) / np.sqrt(3)
    assert list(band.y[:3]) == pytest.approx(list(np.array([3.0, 2.0, 1.0]) + Z_95 * sem))
    assert list(band.y[3:]) == pytest.approx(list((np.array([3.0, 2.0, 1.0]) - Z_95 * sem)[::-1]))
    assert band.fill == "toself"


def test_optimum_line_and_model_transitions() -> None:
    fig = optimization_trace_single_method(
        np.minimum.accumulate([[9.0, 4.0, 6.0, 1.0, 2.0]], axis=1),
        optimum=0.397887,
        model_transitions=[2, 4],
        hover_labels=["a", "b", "c", "d", "e"],
    )
    line, optimum = fig.data
    assert list(line.y) == [9.0, 4.0, 4.0, 1.0, 1.0]
    assert list(line.text) == ["a", "b", "c", "d", "e"]
    assert list(optimum.y) == [0.397887, 0.397887]
    assert list(optimum.x) == [1, 5]
    assert [shape.x0 for shape in fig.layout.shapes] == [2.5, 4.5]


def test_missing_values_are_left_out() -> None:
    fig = optimization_trace_single_method([[np.nan, 2.0], [np.nan, 4.0]])
    mean = fig.data[1]
    assert np.isnan(mean.y[0]) and mean.y[1] == 3.0


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"y": []},
            UserInputError,
            r"non-empty array of shape n_runs x n_iters.*got shape \(1, 0\)",
        ),
        ({"y": np.zeros((2, 2, 2))}, UserInputError, r"got shape \(2, 2, 2\)"),
        ({"y": [[1.0, np.inf]]}, UserInputError, "must not contain infinite values"),
        ({"y": [["a", "b"]]}, UserInputTypeError, "y must be numbers"),
        (
            {"y": [1.0, 2.0], "model_transitions": [2]},
            UserInputError,
            r"in \[1, 1\] for 2 iterations, got 2",
        ),
        ({"y": [1.0, 2.0], "model_transitions": [0]}, UserInputError, "got 0"),
        (
            {"y": [1.0, 2.0], "model_transitions": [1.5]},
            UserInputTypeError,
            "must be ints, got 1.5",
        ),
        ({"y": [1.0, 2.0], "model_transitions": 1}, UserInputTypeError, "list of ints, got 1"),
        (
            {"y": [1.0, 2.0], "hover_labels": ["a"]},
            UserInputError,
            r"one label per iteration \(2\), got 1",
        ),
        (
            {"y": [1.0, 2.0], "optimum": "x"},
            UserInputTypeError,
            "optimum must be a finite number or None, got optimum='x'",
        ),
        ({"y": [1.0, 2.0], "optimum": float("nan")}, UserInputTypeError, "optimum=nan"),
    ],
)
def test_trace_errors(kwargs: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        optimization_trace_single_method(**kwargs)
