"""Multi-objective figures shared by the HTML report and the dashboard: the observed
Pareto frontier and the hypervolume trace (in the style of :mod:`ax.plot.figures`).

Each builder takes an :class:`~ax.plot.pareto.ObservedFrontier` and returns a
:class:`~ax.plot.figures.FigureResult`: a plotly figure, or a note saying why there is
none. Text taken from the experiment is HTML-escaped.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Dict, List, Optional

import numpy as np

from ax.core.experiment import Experiment
from ax.exceptions import NoDataError, UnsupportedError
from ax.plot.figures import FigureResult
from ax.plot.helpers import OPTIMUM_COLOR, TRANSITION_COLOR, escape_html, make_subplots, plotly_go
from ax.plot.pareto import (
    REFERENCE_FROM_THRESHOLD,
    ObservedFrontier,
    ParetoPoint,
    multi_objective_config,
    observed_frontier,
)

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

NO_POINTS = "No completed trial has values for every objective yet."
NO_FRONTIER = (
    "No completed trial meets the outcome constraints and objective thresholds: "
    "there is no frontier yet."
)
FEASIBLE_COLOR = "rgba(31, 119, 180, 0.55)"
INFEASIBLE_COLOR = "rgba(127, 127, 127, 0.6)"


def pareto_figure(frontier: Optional[ObservedFrontier]) -> FigureResult:
    """The observed points, the Pareto frontier and the thresholds, one panel per pair
    of objectives (one panel for two objectives).

    Points that break an outcome constraint or a threshold are grey crosses; feasible
    dominated points are blue; frontier points are red and joined (in a two-objective
    panel) by the attainment staircase. Dashed lines mark the thresholds (or the
    reference point used for the hypervolume, dotted, where no threshold was given).

    Args:
        frontier: :func:`ax.plot.pareto.observed_frontier` of the experiment.
    """
    if frontier is None:
        return FigureResult(None, "The experiment is not multi-objective.", "pareto")
    if not frontier.points:
        return FigureResult(None, NO_POINTS, "pareto")
    names = frontier.objectives
    pairs = list(combinations(range(len(names)), 2))
    cols = min(3, len(pairs))
    nrows = (len(pairs) + cols - 1) // cols
    fig = make_subplots(
        rows=nrows,
        cols=cols,
        subplot_titles=[
            f"{escape_html(names[j])} against {escape_html(names[i])}" for i, j in pairs
        ]
        if len(pairs) > 1
        else None,
    )
    go = plotly_go()
    groups = {
        "infeasible": [p for p in frontier.points if not (p.feasible and p.within_thresholds)],
        "dominated": [
            p for p in frontier.points if p.feasible and p.within_thresholds and not p.pareto
        ],
        "Pareto frontier": frontier.pareto_points,
    }
    styles = {
        "infeasible": {"color": INFEASIBLE_COLOR, "symbol": "x", "size": 7},
        "dominated": {"color": FEASIBLE_COLOR, "symbol": "circle", "size": 7},
        "Pareto frontier": {"color": OPTIMUM_COLOR, "symbol": "diamond", "size": 10},
    }
    for k, (i, j) in enumerate(pairs):
        row, col = divmod(k, cols)
        for label, points in groups.items():
            if not points:
                continue
            fig.add_trace(
                go.Scatter(
                    x=np.array([p.means[names[i]] for p in points], dtype=np.float64),
                    y=np.array([p.means[names[j]] for p in points], dtype=np.float64),
                    mode="markers",
                    marker=styles[label],
                    text=[_label(p, names) for p in points],
                    hovertemplate="%{text}<extra></extra>",
                    name=label,
                    legendgroup=label,
                    showlegend=k == 0,
                ),
                row=row + 1,
                col=col + 1,
            )
        front = groups["Pareto frontier"]
        if len(names) == 2 and front:
            xs, ys = _staircase(front, names, frontier.minimize)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": OPTIMUM_COLOR, "shape": "hv", "width": 1.5},
                    hoverinfo="skip",
                    showlegend=False,
                ),
                row=row + 1,
                col=col + 1,
            )
        for axis, index in (("x", i), ("y", j)):
            name = names[index]
            value = frontier.reference_point.get(name)
            if value is None:
                continue
            given = frontier.reference_source.get(name) == REFERENCE_FROM_THRESHOLD
            line = {"color": TRANSITION_COLOR, "dash": "dash" if given else "dot"}
            if axis == "x":
                fig.add_vline(x=value, line=line, row=row + 1, col=col + 1)
            else:
                fig.add_hline(y=value, line=line, row=row + 1, col=col + 1)
        fig.update_xaxes(title_text=escape_html(names[i]), row=row + 1, col=col + 1)
        fig.update_yaxes(title_text=escape_html(names[j]), row=row + 1, col=col + 1)
    directions = ", ".join(
        f"{escape_html(n)} ({'min' if m else 'max'})" for n, m in zip(names, frontier.minimize)
    )
    fig.update_layout(
        height=max(420, 380 * nrows),
        title={"text": f"Observed Pareto frontier: {directions}"},
    )
    if not front_exists(frontier):
        return FigureResult(fig, NO_FRONTIER, "pareto")
    return FigureResult(fig, "", "pareto")


def front_exists(frontier: ObservedFrontier) -> bool:
    """Whether at least one point is on the frontier."""
    return any(p.pareto for p in frontier.points)


def hypervolume_figure(frontier: Optional[ObservedFrontier]) -> FigureResult:
    """The hypervolume of the observed frontier after each completed trial."""
    if frontier is None:
        return FigureResult(None, "The experiment is not multi-objective.", "hypervolume")
    if not frontier.trace:
        return FigureResult(None, NO_POINTS, "hypervolume")
    go = plotly_go()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.array([t for t, _ in frontier.trace], dtype=np.int64),
            y=np.array([v for _, v in frontier.trace], dtype=np.float64),
            mode="lines+markers",
            line={"shape": "hv"},
            name="hypervolume",
            hovertemplate="trial %{x}<br>hypervolume %{y:.4g}<extra></extra>",
        )
    )
    reference = ", ".join(
        f"{escape_html(n)}={frontier.reference_point[n]:.4g} ({frontier.reference_source[n]})"
        for n in frontier.objectives
        if n in frontier.reference_point
    )
    fig.update_layout(
        title={"text": f"Hypervolume of the observed frontier (reference point: {reference})"},
        xaxis_title="trial",
        yaxis_title="hypervolume",
        height=380,
    )
    return FigureResult(fig, "", "hypervolume")


def plot_pareto_frontier(experiment: Experiment) -> Figure:
    """The observed Pareto frontier of a multi-objective experiment (see
    :func:`pareto_figure`).

    Raises:
        UnsupportedError: The experiment is not multi-objective.
        NoDataError: No completed trial has a value for every objective.
    """
    return _figure(pareto_figure(observed_frontier(experiment)), experiment, "plot_pareto_frontier")


def plot_hypervolume_trace(experiment: Experiment) -> Figure:
    """The hypervolume of the observed frontier after each completed trial.

    Raises:
        UnsupportedError: The experiment is not multi-objective.
        NoDataError: No completed trial has a value for every objective.
    """
    return _figure(
        hypervolume_figure(observed_frontier(experiment)), experiment, "plot_hypervolume_trace"
    )


def _figure(result: FigureResult, experiment: Experiment, function: str) -> Figure:
    if multi_objective_config(experiment) is None:
        raise UnsupportedError(
            f"{function}: experiment {experiment._name!r} is not multi-objective",
            hint="for one objective use optimization_trace_single_method",
        )
    if result.figure is None:
        raise NoDataError(f"{function}: {result.note}")
    return result.figure


def _staircase(
    front: List[ParetoPoint], names: List[str], minimize: List[bool]
) -> tuple[np.ndarray, np.ndarray]:
    ordered = sorted(front, key=lambda p: p.means[names[0]], reverse=not minimize[0])
    xs = np.array([p.means[names[0]] for p in ordered], dtype=np.float64)
    ys = np.array([p.means[names[1]] for p in ordered], dtype=np.float64)
    return xs, ys


def _label(point: ParetoPoint, names: List[str]) -> str:
    values = ", ".join(f"{escape_html(n)}={point.means[n]:.4g}" for n in names)
    why: Dict[bool, str] = {True: "", False: " (breaks a constraint or threshold)"}
    return (
        f"trial {point.trial_index}, arm {escape_html(point.arm_name)}: {values}"
        f"{why[point.feasible and point.within_thresholds]}"
    )


__all__ = [
    "front_exists",
    "hypervolume_figure",
    "pareto_figure",
    "plot_hypervolume_trace",
    "plot_pareto_frontier",
]
