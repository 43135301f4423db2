"""Slice plot: a model's prediction along one parameter, the others held fixed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Mapping, Optional

import numpy as np

from ax.core.types import TParamValue
from ax.plot.helpers import (
    BAND_COLOR,
    LINE_COLOR,
    MARKER_COLOR,
    Z_95,
    axis_grid,
    checked_density,
    checked_metric,
    checked_range_parameter,
    grid_features,
    observed_points,
    plotly_go,
    point_labels,
    point_symbols,
    predict_mean_sem,
    slice_description,
    slice_point,
)

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge


def plot_slice(
    model: ModelBridge,
    param_name: str,
    metric_name: str,
    slice_values: Optional[Mapping[str, TParamValue]] = None,
    density: int = 50,
) -> Figure:
    """A model's predicted mean of a metric along one parameter, with a 95 % band.

    The other parameters are held at ``slice_values``, else at the status quo, else at
    the centre of their domains. The model's training observations of the metric are
    drawn as points with 95 % error bars (their other parameters may differ from the
    slice, so they are a guide, not points on the curve).

    Args:
        model: A model bridge that predicts.
        param_name: The parameter on the x axis (a numeric range parameter).
        metric_name: The metric to plot.
        slice_values: Values of other parameters, ``{name: value}``.
        density: Points along the axis, in ``[2, 500]``.

    Returns:
        A plotly ``go.Figure`` with three traces: the band, the mean and the observations.

    Raises:
        UserInputError: An unknown parameter or metric name (the message lists the valid
            ones), or a bad ``slice_values`` entry or density.
        UnsupportedError: ``param_name`` is not a numeric range parameter, or the model
            cannot predict.

    Example:
        >>> fig = plot_slice(model, "x1", "branin", slice_values={"x2": 2.0})
    """
    function = "plot_slice"
    parameter = checked_range_parameter(model, param_name, "param_name", function)
    metric = checked_metric(model, metric_name, function)
    n = checked_density(density, function)
    base = slice_point(model, slice_values, function)
    xs = axis_grid(parameter, n)
    mean, sem = predict_mean_sem(model, grid_features(base, [(parameter, xs)]), metric, function)
    go = plotly_go()
    fig = go.Figure()
    upper, lower = mean + Z_95 * sem, mean - Z_95 * sem
    fig.add_trace(
        go.Scatter(
            x=np.concatenate([xs, xs[::-1]]),
            y=np.concatenate([upper, lower[::-1]]),
            fill="toself",
            fillcolor=BAND_COLOR,
            line={"width": 0},
            hoverinfo="skip",
            name="95% interval",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=mean,
            mode="lines",
            line={"color": LINE_COLOR, "width": 2},
            name="predicted mean",
            customdata=sem,
            hovertemplate=(
                f"{parameter.name}=%{{x}}<br>mean=%{{y:.4g}}<br>sem=%{{customdata:.3g}}"
                "<extra></extra>"
            ),
        )
    )
    points = [
        p
        for p in observed_points(model, metric)
        if isinstance(p.parameters.get(parameter.name), (int, float))
    ]
    fig.add_trace(
        go.Scatter(
            x=[p.parameters[parameter.name] for p in points],
            y=[p.mean for p in points],
            error_y={
                "type": "data",
                "array": [Z_95 * p.sem if math.isfinite(p.sem) else 0.0 for p in points],
                "visible": True,
                "thickness": 1,
            },
            mode="markers",
            marker={"color": MARKER_COLOR, "size": 7, "symbol": point_symbols(points, "circle")},
            text=point_labels(points),
            hovertemplate=(
                "arm %{text}<br>" + f"{parameter.name}=%{{x}}<br>observed=%{{y:.4g}}<extra></extra>"
            ),
            name="observed arms",
        )
    )
    others = slice_description(base, [parameter.name])
    title = f"{metric} along {parameter.name}"
    if others:
        title += f"<br><sub>other parameters at {others}</sub>"
    fig.update_layout(
        title={"text": title},
        xaxis={
            "title": {"text": parameter.name},
            "type": "log" if parameter.log_scale else "linear",
        },
        yaxis={"title": {"text": metric}},
        hovermode="closest",
    )
    return fig


__all__ = ["plot_slice"]
