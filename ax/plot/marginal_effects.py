"""Marginal effects of a factorial design: how each level of each factor moves a metric.

Example:
    >>> render(plot_marginal_effects(models[0], "success_metric"))
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Dict, List

from ax.exceptions import UserInputError
from ax.plot.helpers import Z_95, checked_metric, make_subplots, observed_points, plotly_go
from ax.utils.stats.statstools import TMarginalEffect, marginal_effects

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge


def plot_marginal_effects(model: ModelBridge, metric: str) -> Figure:
    """Per factor, each level's mean ``metric`` relative to the overall mean, in percent.

    Computed from the model's in-design training observations of ``metric`` (see
    :func:`~ax.utils.stats.statstools.marginal_effects`): above 0 the level does better
    than average.

    Args:
        model: A fitted model bridge (e.g. from ``Models.THOMPSON``).
        metric: The metric.

    Returns:
        A plotly ``go.Figure`` with one bar subplot per factor, with 95 % error bars.

    Raises:
        UserInputError: The model has no data for ``metric``, or no in-design arm
            observes it.
    """
    function = "plot_marginal_effects"
    metric = checked_metric(model, metric, function)
    points = [p for p in observed_points(model, metric) if p.in_design]
    if not points:
        raise UserInputError(f"{function}: the model has no in-design observation of {metric!r}")
    factors = list(model.model_space.parameters)
    effects = marginal_effects(
        [p.parameters for p in points], [p.mean for p in points], [p.sem for p in points]
    )
    by_factor: Dict[str, List[TMarginalEffect]] = {f: [] for f in factors}
    for effect in effects:
        by_factor.setdefault(effect.factor, []).append(effect)
    shown = [f for f in factors if by_factor[f]]
    go = plotly_go()
    fig = make_subplots(rows=1, cols=len(shown), subplot_titles=shown, shared_yaxes=True)
    for col, factor in enumerate(shown, start=1):
        rows = by_factor[factor]
        fig.add_trace(
            go.Bar(
                x=[str(e.level) for e in rows],
                y=[e.effect for e in rows],
                error_y={
                    "type": "data",
                    "array": [Z_95 * e.sem if math.isfinite(e.sem) else 0.0 for e in rows],
                    "visible": True,
                },
                name=factor,
                hovertemplate=f"{factor}=%{{x}}<br>effect=%{{y:.3g}} %<extra></extra>",
            ),
            row=1,
            col=col,
        )
    fig.update_layout(
        title={"text": f"Marginal effects on {metric} (% vs the mean of all arms)"},
        showlegend=False,
    )
    fig.update_yaxes(title={"text": "% change"}, row=1, col=1)
    return fig


__all__ = ["plot_marginal_effects"]
