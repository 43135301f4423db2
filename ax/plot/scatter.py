"""Per-arm model fit: each observed arm's raw mean and the model's estimate, side by side.

Example:
    >>> render(plot_fitted(models[0], metric="success_metric", rel=False))
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from ax.core.observation import ObservationFeatures
from ax.exceptions import UserInputError
from ax.plot.helpers import (
    LINE_COLOR,
    MARKER_COLOR,
    Z_95,
    ObservedPoint,
    checked_metric,
    observed_points,
    plotly_go,
)

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge

TArmEstimate = Tuple[float, float]
"""``(mean, sem)`` of one arm (SEM NaN when unknown)."""


def plot_fitted(
    model: ModelBridge,
    metric: str,
    rel: bool = True,
    custom_arm_order: Optional[Sequence[str]] = None,
) -> Figure:
    """The raw observed and the model-estimated value of every observed arm of a metric.

    Each arm is a point on the x axis; the observed mean and the model's estimate (e.g. the
    shrunk posterior mean of an empirical-Bayes Thompson model) are drawn with 95 % error
    bars. A model that makes no predictions shows the observations only. Out-of-design
    arms are labelled so, and estimated only by a model trained on them
    (``fit_out_of_design``, as the bandit models are).

    Args:
        model: A fitted model bridge.
        metric: The metric to plot.
        rel: Plot percent changes against the model's status quo (which must exist)
            instead of absolute values; the status quo's own uncertainty is ignored.
        custom_arm_order: Arm names in the order to show them (others are left out);
            by default arms are in decreasing order of the model's estimate.

    Returns:
        A plotly ``go.Figure`` with an "observed" and a "model" ``Scatter`` trace.

    Raises:
        UserInputError: The model has no data for ``metric``; ``rel`` without a status
            quo; an arm in ``custom_arm_order`` was not observed.
    """
    function = "plot_fitted"
    metric = checked_metric(model, metric, function)
    points = _by_arm(observed_points(model, metric))
    estimates = _estimates(model, metric, points)
    names = _arm_order(points, estimates, custom_arm_order, function)
    observed = {name: (points[name].mean, points[name].sem) for name in names}
    modelled = {name: estimates[name] for name in names if name in estimates}
    unit = ""
    if rel:
        baseline = _status_quo_mean(model, metric, function)
        observed = {k: _relative(v, baseline) for k, v in observed.items()}
        modelled = {k: _relative(v, baseline) for k, v in modelled.items()}
        unit = " (% change vs status quo)"
    labels = [n if points[n].in_design else f"{n} (out of design)" for n in names]
    go = plotly_go()
    fig = go.Figure()
    for title, values, color, symbol in (
        ("observed", observed, MARKER_COLOR, "circle"),
        ("model", modelled, LINE_COLOR, "diamond"),
    ):
        shown = [(label, values[n]) for label, n in zip(labels, names) if n in values]
        if not shown:
            continue
        fig.add_trace(
            go.Scatter(
                x=[label for label, _ in shown],
                y=[mean for _, (mean, _) in shown],
                error_y={
                    "type": "data",
                    "array": [Z_95 * s if math.isfinite(s) else 0.0 for _, (_, s) in shown],
                    "visible": True,
                },
                mode="markers",
                marker={"color": color, "size": 8, "symbol": symbol},
                name=title,
                hovertemplate="%{x}<br>" + title + "=%{y:.4g}<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": f"{metric}: observed and modelled by arm"},
        xaxis={"title": {"text": "arm"}, "type": "category"},
        yaxis={"title": {"text": metric + unit}},
    )
    return fig


def _by_arm(points: List[ObservedPoint]) -> Dict[str, ObservedPoint]:
    # One point per arm: the latest observation of it (training data is per trial).
    return {p.arm_name: p for p in points}


def _estimates(
    model: ModelBridge, metric: str, points: Dict[str, ObservedPoint]
) -> Dict[str, TArmEstimate]:
    # Out-of-design arms are estimated only by a model trained on them (bandits are).
    names = [n for n, p in points.items() if p.in_design or model.fit_out_of_design]
    if not names:
        return {}
    features = [ObservationFeatures(dict(points[n].parameters)) for n in names]
    try:
        means, covariances = model.predict(features)
    except NotImplementedError:  # includes UnsupportedError: the model cannot predict
        return {}
    out: Dict[str, TArmEstimate] = {}
    for i, name in enumerate(names):
        variance = float(covariances[metric][metric][i])
        sem = math.sqrt(variance) if math.isfinite(variance) and variance >= 0 else math.nan
        out[name] = (float(means[metric][i]), sem)
    return out


def _arm_order(
    points: Dict[str, ObservedPoint],
    estimates: Dict[str, TArmEstimate],
    custom: Optional[Sequence[str]],
    function: str,
) -> List[str]:
    if custom is not None:
        unknown = [n for n in custom if n not in points]
        if unknown:
            raise UserInputError(
                f"{function}: custom_arm_order names arms {unknown} that the model has no "
                f"observation of (observed arms: {sorted(points)})"
            )
        return list(custom)
    return sorted(points, key=lambda n: -estimates.get(n, (points[n].mean, 0.0))[0])


def _status_quo_mean(model: ModelBridge, metric: str, function: str) -> float:
    status_quo = model.status_quo
    data = None if status_quo is None else status_quo.data
    if data is None or metric not in data.metric_names:
        raise UserInputError(
            f"{function}: rel=True needs the model's status quo with data for {metric!r}; "
            "set experiment.status_quo (and evaluate it), or pass rel=False"
        )
    value = float(data.means[data.metric_names.index(metric)])
    if value == 0.0:
        raise UserInputError(
            f"{function}: the status quo's {metric!r} is 0, so relative changes are undefined; "
            "pass rel=False"
        )
    return value


def _relative(value: TArmEstimate, baseline: float) -> TArmEstimate:
    mean, sem = value
    return 100.0 * (mean - baseline) / abs(baseline), 100.0 * sem / abs(baseline)


__all__ = ["plot_fitted"]
