"""Bandit rollout: how the traffic of each batch trial was split among its arms.

Example:
    >>> render(plot_bandit_rollout(experiment))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List

from ax.exceptions import UserInputError, UserInputTypeError
from ax.plot.helpers import plotly_go

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.core.experiment import Experiment


def plot_bandit_rollout(experiment: Experiment) -> Figure:
    """One stacked bar per batch trial, split by arm in proportion to the arms' weights.

    The first (exploratory) trial of a factorial design shows every arm at an equal share;
    later Thompson-sampling trials narrow to the arms likely to be best.

    Args:
        experiment: An experiment with batch trials.

    Returns:
        A plotly ``go.Figure`` with one ``Bar`` trace per arm (x: "trial <index>",
        y: the arm's percent of that trial's weight), stacked.

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment.
        UserInputError: The experiment has no batch trial with arms.
    """
    from ax.core.experiment import Experiment

    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"plot_bandit_rollout: experiment must be an Experiment, got "
            f"{type(experiment).__name__}"
        )
    shares: Dict[str, Dict[int, float]] = {}
    trials: List[int] = []
    for index in sorted(experiment.trials):
        trial = experiment.trials[index]
        weights = getattr(trial, "normalized_arm_weights", None)
        if weights is None or not trial.arms:
            continue
        trials.append(index)
        for arm, share in weights(total=100).items():
            shares.setdefault(arm.name, {})[index] = float(share)
    if not trials:
        raise UserInputError(
            f"plot_bandit_rollout: experiment {experiment.name!r} has no batch trial with arms"
        )
    go = plotly_go()
    fig = go.Figure()
    labels = [f"trial {i}" for i in trials]
    for arm_name, by_trial in shares.items():
        fig.add_trace(
            go.Bar(
                x=labels,
                y=[by_trial.get(i, 0.0) for i in trials],
                name=arm_name,
                hovertemplate=f"arm {arm_name}<br>%{{x}}: %{{y:.3g}} %<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": "Bandit rollout: share of each trial's weight by arm"},
        barmode="stack",
        xaxis={"title": {"text": "trial"}},
        yaxis={"title": {"text": "% of trial weight"}, "range": [0, 100]},
    )
    return fig


__all__ = ["plot_bandit_rollout"]
