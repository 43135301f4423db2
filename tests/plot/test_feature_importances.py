"""plot_feature_importance_by_feature: horizontal bars, most important on top."""

from __future__ import annotations

from typing import Any

import pytest

from ax.exceptions import UserInputError, UserInputTypeError
from ax.plot.feature_importances import plot_feature_importance_by_feature


def test_flat_importances_sorted_with_largest_on_top() -> None:
    fig = plot_feature_importance_by_feature({"x1": 0.2, "x2": 0.7, "x3": 0.1}, title="Imp")
    (bars,) = fig.data
    assert bars.orientation == "h"
    assert list(bars.y) == ["x3", "x1", "x2"]  # plotly draws the last category on top
    assert list(bars.x) == pytest.approx([0.1, 0.2, 0.7])
    assert fig.layout.title.text == "Imp"
    assert fig.layout.showlegend is False


def test_importances_per_metric_give_one_trace_each() -> None:
    fig = plot_feature_importance_by_feature(
        {"m1": {"a": 1.0, "b": 3.0}, "m2": {"a": 2.0, "c": 0.5}}
    )
    assert [t.name for t in fig.data] == ["m1", "m2"]
    assert list(fig.data[0].y) == ["c", "a", "b"]
    assert list(fig.data[1].x) == pytest.approx([0.5, 2.0, 0.0])
    assert fig.layout.showlegend is True


@pytest.mark.parametrize(
    "importances, error, match",
    [
        ([0.1], UserInputTypeError, "importances must be a dict .* got list"),
        ({}, UserInputError, "importances must not be empty"),
        ({"x": "big"}, UserInputTypeError, "importance of 'x' must be a number, got 'big'"),
        ({"x": float("inf")}, UserInputError, "importance of 'x' must be finite, got inf"),
        ({"m": {}}, UserInputError, "importances of 'm' must not be empty"),
    ],
)
def test_feature_importance_errors(importances: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        plot_feature_importance_by_feature(importances)
