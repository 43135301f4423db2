"""The experiment figures shared by the HTML report and the live dashboard (one implementation).

Each builder takes what was read from the experiment (:mod:`ax.plot.exp_utils`) and
returns a :class:`FigureResult`: a plotly figure, or a note saying why there is none
(no objective, no data yet, a model that cannot predict). Text taken from the experiment
(names, labels) is HTML-escaped before it goes into a figure, since plotly renders a
subset of HTML in titles and hover labels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional, Sequence

import numpy as np

from ax.core.experiment import Experiment
from ax.core.parameter import RangeParameter
from ax.core.types import TrialStatus
from ax.exceptions import AxError
from ax.plot.exp_utils import ArmRow, TracePoint, format_value, objective
from ax.plot.helpers import escape_html as _e
from ax.plot.helpers import make_subplots, plotly_go

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge

NO_OBJECTIVE_DATA = "No completed trial has data for the objective yet."


class FigureResult(NamedTuple):
    """A figure, or the note shown instead of it.

    Attributes:
        figure: The plotly figure, or None when there is nothing to plot.
        note: Why there is no figure ("" when there is one).
        kind: What the figure shows: ``"trace"``, ``"parameters"``, ``"contour"``,
            ``"slice"`` or ``"importances"``.
    """

    figure: Optional[Figure]
    note: str
    kind: str


def trace_figure(experiment: Experiment, trace: List[TracePoint]) -> FigureResult:
    """The optimization trace: best objective so far after each completed trial.

    Each trial's own value is drawn as points; dotted lines mark where the generator
    changed.

    Args:
        experiment: The experiment (for its objective).
        trace: :func:`ax.plot.exp_utils.objective_trace` of the experiment.
    """
    target = objective(experiment)
    if target is None:
        note = "The experiment has no optimization config: no objective."
        if experiment.optimization_config is not None:
            note = "The objective has several metrics: no single objective to trace."
        return FigureResult(None, note, "trace")
    if not trace:
        return FigureResult(None, NO_OBJECTIVE_DATA, "trace")
    from ax.plot.trace import optimization_trace_single_method

    name, minimize = target
    transitions = [i for i in range(1, len(trace)) if trace[i].model_key != trace[i - 1].model_key]
    labels = [
        f"trial {p.trial_index}, arm {_e(p.arm_name)}"
        + (f" ({_e(p.model_key)})" if p.model_key else "")
        for p in trace
    ]
    fig = optimization_trace_single_method(
        y=np.array([[p.best_so_far for p in trace]], dtype=np.float64),
        title=f"Best {_e(name)} so far ({'minimize' if minimize else 'maximize'})",
        ylabel=_e(name),
        model_transitions=transitions,
        hover_labels=labels,
    )
    fig.data[0].name = "best so far"
    go = plotly_go()
    fig.add_trace(
        go.Scatter(
            x=np.arange(1, len(trace) + 1),
            y=np.array([p.value for p in trace], dtype=np.float64),
            mode="markers",
            marker={"color": "rgba(0, 0, 0, 0.45)", "size": 6},
            name="trial value",
            text=np.array(labels),
            hovertemplate="%{text}<br>value=%{y:.4g}<extra></extra>",
        )
    )
    fig.update_layout(xaxis={"title": {"text": "Completed trial"}}, height=420)
    return FigureResult(fig, "", "trace")


def parameters_figure(experiment: Experiment, rows: List[ArmRow]) -> FigureResult:
    """One scatter per parameter: its value against the objective, coloured by trial.

    Args:
        experiment: The experiment (search space and objective).
        rows: :func:`ax.plot.exp_utils.arm_rows` of the experiment.
    """
    target = objective(experiment)
    if target is None:
        return FigureResult(None, "No objective to plot the parameters against.", "parameters")
    name = target[0]
    points = [r for r in rows if r.status is TrialStatus.COMPLETED and name in r.means]
    parameters = list(experiment.search_space.parameters.values())
    if not points or not parameters:
        return FigureResult(None, NO_OBJECTIVE_DATA, "parameters")
    cols = min(3, len(parameters))
    nrows = math.ceil(len(parameters) / cols)
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=[_e(p.name) for p in parameters],
        vertical_spacing=min(0.3 / max(nrows - 1, 1), 0.12) if nrows > 1 else 0.1,
    )
    go = plotly_go()
    # numpy arrays, not lists: plotly checks a list element by element (seconds at 5,000
    # trials), an array by its dtype.
    colors = np.array([r.trial_index for r in points], dtype=np.int64)
    labels = np.array([f"trial {r.trial_index}, arm {_e(r.arm_name)}" for r in points])
    values = np.array([r.means[name] for r in points], dtype=np.float64)
    for i, parameter in enumerate(parameters):
        row, col = divmod(i, cols)
        fig.add_trace(
            go.Scatter(
                x=_column([r.parameters.get(parameter.name) for r in points]),
                y=values,
                mode="markers",
                marker={
                    "color": colors,
                    "colorscale": "Viridis",
                    "size": 7,
                    "showscale": i == 0,
                    "colorbar": {"title": {"text": "trial"}},
                },
                text=labels,
                hovertemplate="%{text}<br>value=%{x}<br>objective=%{y:.4g}<extra></extra>",
                name=_e(parameter.name),
                showlegend=False,
            ),
            row=row + 1,
            col=col + 1,
        )
        if isinstance(parameter, RangeParameter) and parameter.log_scale:
            fig.update_xaxes(type="log", row=row + 1, col=col + 1)
        if col == 0:
            fig.update_yaxes(title_text=_e(name), row=row + 1, col=col + 1)
    fig.update_layout(
        height=max(320, 300 * nrows), title={"text": f"Parameter values against {_e(name)}"}
    )
    return FigureResult(fig, "", "parameters")


def model_figure(
    experiment: Experiment,
    model: ModelBridge,
    order: Optional[Sequence[str]] = None,
    kind: str = "auto",
) -> FigureResult:
    """The model's prediction of the objective: a contour over two numeric parameters,
    or a slice along one.

    Args:
        experiment: The experiment (for its objective).
        model: A fitted model bridge that predicts the objective.
        order: Parameter names in order of preference (e.g. by importance); numeric
            range parameters of the model are taken in this order (default: the model's).
        kind: ``"contour"``, ``"slice"``, or ``"auto"`` (a contour when there are two
            numeric parameters, else a slice).
    """
    target = objective(experiment)
    if target is None:
        return FigureResult(None, "No objective to predict.", "contour")
    name = target[0]
    numeric = [
        p.name
        for p in model.model_space.parameters.values()
        if isinstance(p, RangeParameter) and p.is_numeric
    ]
    if order is not None:
        rank = {p: i for i, p in enumerate(order)}
        numeric.sort(key=lambda p: rank.get(p, len(rank)))
    if kind == "auto":
        kind = "contour" if len(numeric) >= 2 else "slice"
    if not numeric or (kind == "contour" and len(numeric) < 2):
        return FigureResult(None, "The model has no numeric range parameter to plot.", kind)
    try:
        if kind == "contour":
            from ax.plot.contour import plot_contour

            fig = plot_contour(model, numeric[0], numeric[1], name, density=40)
        else:
            from ax.plot.slice import plot_slice

            fig = plot_slice(model, numeric[0], name)
    except (AxError, NotImplementedError, ValueError) as err:
        return FigureResult(None, f"Model plots are unavailable: {err}", kind)
    return FigureResult(fig, "", kind)


def importances_figure(experiment: Experiment, model: ModelBridge) -> FigureResult:
    """The model's feature importances for the objective (a bar chart)."""
    target = objective(experiment)
    if target is None:
        return FigureResult(None, "No objective to explain.", "importances")
    try:
        importances = model_importances(model, target[0])
    except (AxError, NotImplementedError, ValueError) as err:
        return FigureResult(None, f"Feature importances are unavailable: {err}", "importances")
    if not importances:
        return FigureResult(None, "The model gives no feature importances.", "importances")
    from ax.plot.feature_importances import plot_feature_importance_by_feature

    fig = plot_feature_importance_by_feature(
        {_e(k): v for k, v in importances.items()},
        title=f"Feature importances for {_e(target[0])}",
    )
    return FigureResult(fig, "", "importances")


def model_importances(model: ModelBridge, metric: str) -> dict[str, float]:
    """``{parameter: importance}`` of ``model`` for ``metric``, scaled to sum to 1.

    Raises:
        NotImplementedError: The model gives no feature importances.
    """
    raw = {k: abs(float(v)) for k, v in model.feature_importances(metric).items()}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()} if total > 0 else raw


def _plot_value(value: object) -> object:
    return value if isinstance(value, (int, float, str)) else format_value(value)


def _column(values: List[object]) -> Any:
    """Parameter values for an axis: a float array when all are numbers, else a list."""
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.float64)
    return [_plot_value(v) for v in values]


__all__ = [
    "FigureResult",
    "importances_figure",
    "model_figure",
    "model_importances",
    "parameters_figure",
    "trace_figure",
]
