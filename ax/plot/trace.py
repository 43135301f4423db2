"""Optimization trace: objective value against iteration, averaged over runs."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any, List, Optional, Sequence

import numpy as np
import numpy.typing as npt

from ax.exceptions import UserInputError, UserInputTypeError
from ax.plot.helpers import BAND_COLOR, LINE_COLOR, OPTIMUM_COLOR, TRANSITION_COLOR, Z_95, plotly_go

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure


def optimization_trace_single_method(
    y: Any,
    optimum: Optional[float] = None,
    title: str = "",
    ylabel: str = "",
    model_transitions: Optional[Sequence[int]] = None,
    hover_labels: Optional[Sequence[str]] = None,
) -> Figure:
    """Plot the mean of ``y`` over runs at each iteration, with a 95 % band.

    ``y`` is plotted as given: to show the best value found so far, pass the running
    best, e.g. ``np.minimum.accumulate(values, axis=1)`` when minimising (as Ax's
    tutorials do). With several runs, the band is ``mean +/- 1.96 * sem`` across runs;
    with one run there is no band. NaN marks a missing value (e.g. before the first
    successful trial) and is left out of the mean.

    Args:
        y: Values of shape ``n_runs x n_iters`` (a list of lists or an array), or of
            shape ``(n_iters,)`` for a single run.
        optimum: The known optimal value, drawn as a dashed horizontal line.
        title: Figure title.
        ylabel: Label of the y axis.
        model_transitions: Iteration counts after which the generator changed, e.g.
            ``[5]`` when 5 quasi-random trials came before the model's; each is drawn as
            a dotted vertical line between iterations. Each must be in ``[1, n_iters - 1]``.
        hover_labels: One label per iteration, shown on hover (e.g. the arm's parameters).

    Returns:
        A plotly ``go.Figure``: the band (when ``n_runs > 1``), then the mean line, then
        the optimum line (when given). Iterations are numbered from 1 on the x axis.

    Raises:
        UserInputTypeError: ``y`` is not numeric, or an argument has the wrong type.
        UserInputError: ``y`` is empty or has more than 2 dimensions, holds an infinite
            value, or a transition or the number of hover labels is out of range.

    Example:
        >>> best = np.minimum.accumulate(np.array([[3.0, 1.0, 2.0, 0.5]]), axis=1)
        >>> fig = optimization_trace_single_method(best, optimum=0.397887, ylabel="Branin")
        >>> fig.data[0].y.tolist()
        [3.0, 1.0, 1.0, 0.5]
    """
    function = "optimization_trace_single_method"
    values = _checked_values(y, function)
    n_runs, n_iters = values.shape
    iterations = np.arange(1, n_iters + 1)
    with warnings.catch_warnings():  # all-NaN columns give NaN, which is what we want
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        counts = np.sum(~np.isnan(values), axis=0)
        std = np.nanstd(values, axis=0, ddof=1) if n_runs > 1 else np.zeros(n_iters)
    sem = np.where(counts > 1, std / np.sqrt(np.maximum(counts, 1)), 0.0)
    labels = _checked_labels(hover_labels, n_iters, function)
    transitions = _checked_transitions(model_transitions, n_iters, function)
    if optimum is not None and (
        isinstance(optimum, bool)
        or not isinstance(optimum, (int, float, np.floating, np.integer))
        or not math.isfinite(float(optimum))
    ):
        raise UserInputTypeError(
            f"{function}: optimum must be a finite number or None, got optimum={optimum!r}"
        )

    go = plotly_go()
    fig = go.Figure()
    if n_runs > 1:
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([iterations, iterations[::-1]]),
                y=np.concatenate([mean + Z_95 * sem, (mean - Z_95 * sem)[::-1]]),
                fill="toself",
                fillcolor=BAND_COLOR,
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=iterations,
            y=mean,
            mode="lines+markers",
            line={"color": LINE_COLOR, "width": 2},
            marker={"size": 6},
            name="mean" if n_runs > 1 else "objective",
            text=labels,
            hovertemplate=(
                "iteration %{x}<br>value=%{y:.4g}"
                + ("<br>%{text}" if labels else "")
                + "<extra></extra>"
            ),
        )
    )
    if optimum is not None:
        fig.add_trace(
            go.Scatter(
                x=[iterations[0], iterations[-1]],
                y=[float(optimum), float(optimum)],
                mode="lines",
                line={"color": OPTIMUM_COLOR, "dash": "dash", "width": 1.5},
                name="optimum",
                hovertemplate=f"optimum={float(optimum):.6g}<extra></extra>",
            )
        )
    for t in transitions:
        fig.add_vline(x=t + 0.5, line={"color": TRANSITION_COLOR, "dash": "dot", "width": 1})
    fig.update_layout(
        title={"text": title},
        xaxis={"title": {"text": "Iteration"}},
        yaxis={"title": {"text": ylabel}},
        hovermode="closest",
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def _checked_values(y: Any, function: str) -> npt.NDArray[np.float64]:
    try:
        values = np.array(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise UserInputTypeError(
            f"{function}: y must be numbers of shape n_runs x n_iters, got {y!r}"
        ) from err
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2 or values.size == 0:
        raise UserInputError(
            f"{function}: y must be a non-empty array of shape n_runs x n_iters (or "
            f"n_iters), got shape {values.shape}"
        )
    if np.any(np.isinf(values)):
        raise UserInputError(f"{function}: y must not contain infinite values, got {y!r}")
    return values


def _checked_transitions(
    transitions: Optional[Sequence[int]], n_iters: int, function: str
) -> List[int]:
    if transitions is None:
        return []
    if isinstance(transitions, (str, bytes)) or not isinstance(transitions, Sequence):
        raise UserInputTypeError(
            f"{function}: model_transitions must be a list of ints, got {transitions!r}"
        )
    checked: List[int] = []
    for t in transitions:
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
            raise UserInputTypeError(
                f"{function}: model_transitions must be ints, got {t!r} in {list(transitions)!r}"
            )
        if not 1 <= t <= n_iters - 1:
            raise UserInputError(
                f"{function}: model_transitions must be in [1, {n_iters - 1}] for {n_iters} "
                f"iterations, got {int(t)}"
            )
        checked.append(int(t))
    return checked


def _checked_labels(
    labels: Optional[Sequence[str]], n_iters: int, function: str
) -> Optional[List[str]]:
    if labels is None:
        return None
    if isinstance(labels, str) or not isinstance(labels, Sequence):
        raise UserInputTypeError(
            f"{function}: hover_labels must be a list of strings, got {labels!r}"
        )
    if len(labels) != n_iters:
        raise UserInputError(
            f"{function}: hover_labels must have one label per iteration ({n_iters}), got "
            f"{len(labels)}"
        )
    return [str(label) for label in labels]


__all__ = ["optimization_trace_single_method"]
