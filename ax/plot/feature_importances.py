"""Bar chart of feature (parameter) importances."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Dict, Mapping, Union

import numpy as np

from ax.exceptions import UserInputError, UserInputTypeError
from ax.plot.helpers import plotly_go

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

TImportances = Union[Mapping[str, float], Mapping[str, Mapping[str, float]]]


def plot_feature_importance_by_feature(importances: TImportances, title: str = "") -> Figure:
    """Horizontal bars of each parameter's importance, most important on top.

    Args:
        importances: ``{parameter: importance}`` (finite numbers), or
            ``{metric: {parameter: importance}}`` for one group of bars per metric.
            Parameters are ordered by their largest importance.
        title: Figure title.

    Returns:
        A plotly ``go.Figure`` with one ``Bar`` trace per metric (one trace for a flat
        dict).

    Raises:
        UserInputTypeError: ``importances`` is not such a mapping, or a value is not a
            number.
        UserInputError: ``importances`` is empty or a value is not finite.

    Example:
        >>> fig = plot_feature_importance_by_feature({"x1": 0.7, "x2": 0.3}, title="Branin")
        >>> list(fig.data[0].y)
        ['x2', 'x1']
    """
    function = "plot_feature_importance_by_feature"
    groups = _checked_groups(importances, function)
    order = sorted(
        {p for group in groups.values() for p in group},
        key=lambda p: max(group.get(p, -math.inf) for group in groups.values()),
    )
    go = plotly_go()
    fig = go.Figure()
    for metric, group in groups.items():
        fig.add_trace(
            go.Bar(
                x=np.array([group.get(p, 0.0) for p in order], dtype=np.float64),
                y=order,
                orientation="h",
                name=metric or "importance",
                hovertemplate="%{y}: %{x:.4g}<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": title},
        xaxis={"title": {"text": "Importance"}},
        yaxis={"title": {"text": "Parameter"}, "automargin": True},
        barmode="group",
        showlegend=len(groups) > 1,
        height=max(300, 60 + 28 * len(order) * max(1, len(groups))),
    )
    return fig


def _checked_groups(importances: Any, function: str) -> Dict[str, Dict[str, float]]:
    if not isinstance(importances, Mapping):
        raise UserInputTypeError(
            f"{function}: importances must be a dict of parameter name to importance, got "
            f"{type(importances).__name__}"
        )
    if not importances:
        raise UserInputError(f"{function}: importances must not be empty, got {{}}")
    nested = all(isinstance(v, Mapping) for v in importances.values())
    raw = importances if nested else {"": importances}
    groups: Dict[str, Dict[str, float]] = {}
    for metric, group in raw.items():
        checked: Dict[str, float] = {}
        for name, value in group.items():
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise UserInputTypeError(
                    f"{function}: importance of {name!r} must be a number, got {value!r}"
                )
            if not math.isfinite(float(value)):
                raise UserInputError(
                    f"{function}: importance of {name!r} must be finite, got {value!r}"
                )
            checked[str(name)] = float(value)
        if not checked:
            raise UserInputError(f"{function}: importances of {metric!r} must not be empty")
        groups[str(metric)] = checked
    return groups


__all__ = ["plot_feature_importance_by_feature"]
