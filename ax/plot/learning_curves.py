"""Learning curves: every trial's intermediate objective values, stopped trials marked,
and the compute early stopping saved (shared by the HTML report, ``ax show`` and the
dashboard, in the style of :mod:`ax.plot.figures`).
"""

from __future__ import annotations

import html
from typing import NamedTuple, Optional

import numpy as np

from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.plot.exp_utils import objective
from ax.plot.figures import FigureResult
from ax.plot.helpers import plotly_go

LEARNING_CURVES_DIV_ID = "ax-learning-curves"
NO_CURVES = "No trial reported intermediate results for the objective."


class ComputeSaved(NamedTuple):
    """What early stopping saved, in progression units (steps, epochs...).

    Attributes:
        key: What the progression counts (``"step"``, ``"epoch"``...).
        spent: Progression reached, summed over the trials with a curve.
        stopped: How many trials were stopped early.
        full: The furthest progression any finished (COMPLETED) trial reached: the
            budget of a trial run to the end (None if no trial completed).
        saved: ``stopped * full - progression reached by the stopped trials`` (0 without
            a completed trial to compare with).
    """

    key: str
    spent: float
    stopped: int
    full: Optional[float]
    saved: float

    @property
    def fraction(self) -> float:
        """``saved / (spent + saved)``: the share of the no-stopping budget saved."""
        total = self.spent + self.saved
        return self.saved / total if total > 0 else 0.0

    def describe(self) -> str:
        """One line for ``ax show``."""
        if not self.stopped:
            return f"Early stopping: no trial stopped ({self.spent:g} {self.key}s spent)"
        if self.full is None:
            return f"Early stopping: {self.stopped} trial(s) stopped ({self.spent:g} {self.key}s)"
        return (
            f"Early stopping: {self.stopped} trial(s) stopped, {self.saved:g} {self.key}s "
            f"saved of {self.spent + self.saved:g} ({self.fraction:.0%}), assuming stopped "
            f"trials would have run to {self.full:g} like the completed ones"
        )


def compute_saved(experiment: Experiment) -> ComputeSaved:
    """The compute spent on and saved by early stopping (see :class:`ComputeSaved`)."""
    data = experiment.progression_data
    by_status = experiment.trial_indices_by_status
    stopped = by_status[TrialStatus.EARLY_STOPPED]
    reached = {i: data.max_progression(i) or 0.0 for i in data.trial_indices}
    completed = [reached[i] for i in by_status[TrialStatus.COMPLETED] if i in reached]
    full = max(completed) if completed else None
    spent = float(sum(reached.values()))
    saved = 0.0
    if full is not None:
        saved = float(sum(max(0.0, full - reached.get(i, 0.0)) for i in stopped))
    return ComputeSaved(data.progression_key, spent, len(stopped), full, saved)


def learning_curves_figure(
    experiment: Experiment, metric_name: Optional[str] = None
) -> FigureResult:
    """Every trial's learning curve for the objective (or ``metric_name``).

    Curves of early-stopped trials are dashed and end in an ``x`` marker; the title
    says how much compute stopping saved.

    Args:
        experiment: The experiment (its progression data).
        metric_name: The metric (default: the objective).
    """
    if metric_name is None:
        target = objective(experiment)
        if target is None:
            return FigureResult(None, "No objective to plot curves of.", "learning_curves")
        metric_name = target[0]
    curves = experiment.progression_data.curves(metric_name)
    if not curves:
        return FigureResult(None, NO_CURVES, "learning_curves")
    go = plotly_go()
    fig = go.Figure()
    stopped = experiment.trial_indices_by_status[TrialStatus.EARLY_STOPPED]
    key = experiment.progression_data.progression_key
    for index, (steps, values) in curves.items():
        is_stopped = index in stopped
        trial = experiment.trials[index]
        reason = html.escape(trial.early_stopped_reason or "") if is_stopped else ""
        label = f"trial {index} ({trial.status.name.lower()})"
        fig.add_trace(
            go.Scatter(
                x=np.asarray(steps, dtype=np.float64),
                y=np.asarray(values, dtype=np.float64),
                mode="lines",
                line={"dash": "dash" if is_stopped else "solid", "width": 1.5},
                name=label,
                legendgroup="stopped" if is_stopped else "other",
                hovertemplate=f"{label}<br>{key}=%{{x:g}}<br>value=%{{y:.4g}}<extra></extra>",
            )
        )
        if is_stopped:
            fig.add_trace(
                go.Scatter(
                    x=np.asarray(steps[-1:], dtype=np.float64),
                    y=np.asarray(values[-1:], dtype=np.float64),
                    mode="markers",
                    marker={"symbol": "x", "size": 9, "color": "black"},
                    showlegend=False,
                    hovertemplate=f"trial {index} stopped: {reason}<extra></extra>",
                )
            )
    saved = compute_saved(experiment)
    title = f"Learning curves of {html.escape(metric_name)} (dashed, x: stopped early)"
    if saved.stopped and saved.full is not None:
        title += f"; {saved.fraction:.0%} of the {key}s saved"
    fig.update_layout(
        title={"text": title},
        xaxis={"title": {"text": html.escape(key)}},
        yaxis={"title": {"text": html.escape(metric_name)}},
        height=440,
    )
    return FigureResult(fig, "", "learning_curves")


__all__ = [
    "ComputeSaved",
    "LEARNING_CURVES_DIV_ID",
    "compute_saved",
    "learning_curves_figure",
]
