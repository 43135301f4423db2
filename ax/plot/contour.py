"""Contour plot of a model's predictions over two parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

import numpy as np

from ax.core.types import TParamValue
from ax.exceptions import UserInputError
from ax.plot.helpers import (
    MARKER_COLOR,
    MEAN_COLORSCALE,
    SEM_COLORSCALE,
    axis_grid,
    checked_density,
    checked_metric,
    checked_range_parameter,
    grid_features,
    make_subplots,
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


def plot_contour(
    model: ModelBridge,
    param_x: str,
    param_y: str,
    metric_name: str,
    slice_values: Optional[Mapping[str, TParamValue]] = None,
    density: int = 50,
) -> Figure:
    """Contours of a model's predicted mean and standard error over two parameters.

    The model is evaluated on a ``density x density`` grid of ``param_x`` and
    ``param_y`` (geometric for log-scale parameters, whole numbers for int ones); every
    other parameter is held at ``slice_values``, else at the status quo, else at the
    centre of its domain. The figure has two panels, the mean (left) and the standard
    error (right), each with the model's training arms marked (hover shows the arm).

    Args:
        model: A model bridge that predicts (e.g. ``Models.GPEI(experiment=..., data=...)``).
        param_x: Parameter on the x axis (a numeric range parameter).
        param_y: Parameter on the y axis (another numeric range parameter).
        metric_name: The metric to plot.
        slice_values: Values of other parameters, ``{name: value}``.
        density: Grid points per axis, in ``[2, 500]``.

    Returns:
        A plotly ``go.Figure`` (save it with ``fig.write_html(path)``; show it in a
        notebook with :func:`ax.utils.notebook.plotting.render`).

    Raises:
        UserInputError: An unknown parameter or metric name (the message lists the valid
            ones), ``param_x == param_y``, or a bad ``slice_values`` entry or density.
        UnsupportedError: ``param_x`` or ``param_y`` is not a numeric range parameter, or
            the model cannot predict.

    Example:
        >>> fig = plot_contour(model, "x1", "x2", "branin")
        >>> fig.write_html("contour.html")
    """
    function = "plot_contour"
    px = checked_range_parameter(model, param_x, "param_x", function)
    py = checked_range_parameter(model, param_y, "param_y", function)
    if px.name == py.name:
        raise UserInputError(f"{function}: param_x and param_y must differ, got both {param_x!r}")
    metric = checked_metric(model, metric_name, function)
    n = checked_density(density, function)
    base = slice_point(model, slice_values, function)
    xs, ys = axis_grid(px, n), axis_grid(py, n)
    # ``grid_features`` varies the last axis fastest: rows follow y, columns follow x.
    features = grid_features(base, [(py, ys), (px, xs)])
    mean, sem = predict_mean_sem(model, features, metric, function)
    shape = (ys.size, xs.size)

    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=(f"Mean of {metric}", f"Standard error of {metric}"),
        horizontal_spacing=0.18,
    )
    go = plotly_go()
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=mean.reshape(shape),
            colorscale=MEAN_COLORSCALE,
            colorbar={"x": 0.41, "len": 0.9, "title": {"text": "mean"}},
            hovertemplate=f"{px.name}=%{{x}}<br>{py.name}=%{{y}}<br>mean=%{{z:.4g}}<extra></extra>",
            name="mean",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=sem.reshape(shape),
            colorscale=SEM_COLORSCALE,
            colorbar={"x": 1.0, "len": 0.9, "title": {"text": "sem"}},
            hovertemplate=f"{px.name}=%{{x}}<br>{py.name}=%{{y}}<br>sem=%{{z:.4g}}<extra></extra>",
            name="sem",
        ),
        row=1,
        col=2,
    )
    arms = [p for p in observed_points(model, metric) if _plottable(p.parameters, px.name, py.name)]
    for col in (1, 2):
        fig.add_trace(
            go.Scatter(
                x=[p.parameters[px.name] for p in arms],
                y=[p.parameters[py.name] for p in arms],
                mode="markers",
                marker={
                    "color": MARKER_COLOR,
                    "size": 7,
                    "symbol": point_symbols(arms, "circle-open"),
                },
                text=point_labels(arms),
                customdata=np.array([p.mean for p in arms], dtype=np.float64),
                hovertemplate=(
                    "arm %{text}<br>" + f"{px.name}=%{{x}}<br>{py.name}=%{{y}}<br>"
                    "observed=%{customdata:.4g}<extra></extra>"
                ),
                name="observed arms",
                showlegend=col == 1,
            ),
            row=1,
            col=col,
        )
    for col in (1, 2):
        fig.update_xaxes(
            title_text=px.name, type="log" if px.log_scale else "linear", row=1, col=col
        )
        fig.update_yaxes(
            title_text=py.name, type="log" if py.log_scale else "linear", row=1, col=col
        )
    others = slice_description(base, [px.name, py.name])
    title = f"{metric}: predicted over {px.name} and {py.name}"
    if others:
        title += f"<br><sub>other parameters at {others}</sub>"
    fig.update_layout(
        title={"text": title},
        legend={"orientation": "h", "y": -0.2},
        height=480,
        margin={"t": 100},
    )
    return fig


def _plottable(parameters: Mapping[str, Any], x: str, y: str) -> bool:
    return all(isinstance(parameters.get(n), (int, float)) for n in (x, y))


__all__ = ["plot_contour"]
