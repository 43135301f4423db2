"""What :class:`~ax.service.ax_client.AxClient` reads from its model: predictions,
feature importances, and the optimization-trace and contour figures.

Figures come from :mod:`ax.plot`, imported on first use (plotly is heavy). Every error
names the client method that was called (``function``), the argument and the value.
"""

from __future__ import annotations

import importlib
import math
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.observation import ObservationFeatures
from ax.core.types import TrialStatus
from ax.exceptions import NoDataError, UnsupportedError, UserInputError, UserInputTypeError
from ax.utils.text import short_repr

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from ax.modelbridge.base import ModelBridge

TPredictions = Dict[int, Dict[str, Tuple[float, float]]]
"""``{trial_index: {metric name: (predicted mean, predicted SEM)}}``."""


# ---------------------------------------------------------------------------- models


def model_label(bridge: ModelBridge) -> str:
    """``"GPEI (TorchModelBridge)"``: the registry key, if any, and the bridge class."""
    key = getattr(bridge, "_model_key", None)
    cls = type(bridge).__name__
    return f"{key} ({cls})" if key else cls


def last_model_run(experiment: Experiment) -> Optional[GeneratorRun]:
    """The newest generator run made by a registry model (searching from the last trial)."""
    for index in range(experiment.num_trials - 1, -1, -1):
        trial = experiment.get_trials_by_indices([index])[0]
        for run in reversed(trial.generator_runs):
            if run.model_key is not None:
                return run
    return None


def refit_model(run: GeneratorRun, experiment: Experiment) -> ModelBridge:
    """The model that made ``run``, with the state it had after it, fit on all data."""
    from ax.modelbridge.registry import get_model_from_generator_run

    return get_model_from_generator_run(run, experiment, experiment.fetch_data(), after_gen=True)


def require_predictions(function: str, bridge: ModelBridge, experiment: Experiment) -> None:
    """UnsupportedError unless the bridge predicts (tried at the newest trial's arm)."""
    arm = None
    for index in range(experiment.num_trials - 1, -1, -1):
        arms = experiment.get_trials_by_indices([index])[0].arms
        if arms:
            arm = arms[0]
            break
    if arm is None:  # pragma: no cover - a fitted model implies trials
        return
    try:
        bridge.predict([ObservationFeatures(dict(arm.parameters))])
    except NotImplementedError as err:
        raise UnsupportedError(
            f"{function}: the current model {model_label(bridge)} makes no predictions; "
            "complete more trials and call get_next_trial until a model-based step (e.g. "
            "GPEI) runs"
        ) from err


def _require_modelled(function: str, bridge: ModelBridge, metric: str) -> None:
    modelled = bridge.metric_names
    if metric not in modelled:
        raise UserInputError(
            f"{function}: metric {metric!r} has no data in the model {model_label(bridge)}; "
            f"modelled metrics are {sorted(modelled)}",
            hint="complete trials that report it first",
        )


def predict_trials(
    function: str,
    bridge: ModelBridge,
    experiment: Experiment,
    metric_names: Optional[Sequence[str]],
) -> TPredictions:
    """The bridge's predictions at the arm of every one-arm trial, in one batch.

    Raises:
        UserInputError: A requested metric is unknown or not modelled.
        UserInputTypeError: ``metric_names`` is not a list of str.
        UnsupportedError: The bridge makes no predictions.
    """
    modelled = set(bridge.metric_names)
    if not modelled:
        require_predictions(function, bridge, experiment)
    if metric_names is None:
        names = sorted(modelled)
    else:
        if isinstance(metric_names, (str, bytes)) or not isinstance(metric_names, Sequence):
            raise UserInputTypeError(
                f"{function}: metric_names must be a list of str or None, got {metric_names!r}"
            )
        names = list(metric_names)
        known = experiment.metrics
        for name in names:
            if name not in known:
                raise UserInputError(
                    f"{function}: unknown metric {short_repr(name)}; the experiment's metrics are "
                    f"{sorted(known)}"
                )
            _require_modelled(function, bridge, name)
    indices: List[int] = []
    features: List[ObservationFeatures] = []
    for index, trial in sorted(experiment.trials.items()):
        for arm in trial.arms[:1]:
            indices.append(index)
            features.append(ObservationFeatures(dict(arm.parameters)))
    if not features or not names:
        return {}
    try:
        means, covariances = bridge.predict(features)
    except NotImplementedError as err:
        raise UnsupportedError(
            f"{function}: the current model {model_label(bridge)} makes no predictions"
        ) from err
    predictions: TPredictions = {}
    for position, index in enumerate(indices):
        predictions[index] = {
            name: (
                float(means[name][position]),
                math.sqrt(max(float(covariances[name][name][position]), 0.0)),
            )
            for name in names
        }
    return predictions


def feature_importances(
    function: str, bridge: ModelBridge, metric: str, relative: bool
) -> Dict[str, float]:
    """``{parameter: importance}`` from the bridge, scaled to sum to 1 when ``relative``.

    Raises:
        UnsupportedError: The bridge does not give feature importances.
    """
    try:
        importances = {k: float(v) for k, v in bridge.feature_importances(metric).items()}
    except NotImplementedError as err:
        raise UnsupportedError(
            f"{function}: the current model {model_label(bridge)} does not give feature importances"
        ) from err
    if relative:
        total = sum(abs(v) for v in importances.values())
        if total > 0:
            importances = {k: abs(v) / total for k, v in importances.items()}
    return importances


# ---------------------------------------------------------------------------- figures


def plot_function(module: str, name: str) -> Any:
    """``ax.plot.<module>.<name>``, imported on first use (plotly is heavy).

    Raises:
        UnsupportedError: plotly is not installed.
    """
    try:
        plot_module = importlib.import_module(f"ax.plot.{module}")
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] == "plotly":
            raise UnsupportedError(
                "plots need plotly, which is not installed", hint="pip install plotly"
            ) from err
        raise
    return getattr(plot_module, name)


def objective_values(experiment: Experiment, objective_name: str) -> List[Tuple[int, float]]:
    """``(trial_index, mean)`` of the objective for each COMPLETED trial that has it."""
    completed = sorted(experiment.trial_indices_by_status[TrialStatus.COMPLETED])
    if not completed:
        return []
    data = experiment.lookup_data(completed).filter(metric_names=[objective_name])
    if not len(data):
        return []
    columns = data.columns
    by_trial: Dict[int, float] = {}
    for index, mean in zip(columns["trial_index"], columns["mean"]):
        by_trial.setdefault(int(index), float(mean))
    return sorted(by_trial.items())


def optimization_trace(
    function: str, experiment: Experiment, objective_optimum: Optional[float]
) -> go.Figure:
    """The best objective so far against the number of completed trials.

    Vertical lines mark where the generating step changed (e.g. Sobol to GPEI); hovering
    a point shows its trial and parameters.

    Raises:
        NoDataError: No completed trial has data for the objective.
    """
    config = experiment.optimization_config
    if config is None:  # pragma: no cover - AxClient experiments always have one
        raise UserInputError(f"{function}: the experiment has no optimization config")
    objective = config.objective.metric.name
    values = objective_values(experiment, objective)
    if not values:
        raise NoDataError(
            f"{function}: no completed trial has data for objective {objective!r}; call "
            "complete_trial first"
        )
    means = np.array([v for _, v in values], dtype=float)
    minimize = config.objective.minimize
    best = np.minimum.accumulate(means) if minimize else np.maximum.accumulate(means)
    trials = experiment.get_trials_by_indices([index for index, _ in values])
    steps = [trial.generation_step_index for trial in trials]
    transitions = [
        i for i in range(1, len(steps)) if steps[i] != steps[i - 1] and steps[i] is not None
    ]
    labels = [
        f"trial {trial.index}: {trial.arms[0].parameters if trial.arms else {}}" for trial in trials
    ]
    plot = plot_function("trace", "optimization_trace_single_method")
    return plot(
        y=best[np.newaxis, :],
        optimum=objective_optimum,
        title="Model performance vs. # of iterations",
        ylabel=objective.capitalize(),
        model_transitions=transitions,
        hover_labels=labels,
    )


def contour_axes(
    function: str, experiment: Experiment, param_x: Optional[str], param_y: Optional[str]
) -> Tuple[str, str]:
    """The two range parameters of a contour plot (default: the first two).

    Raises:
        UnsupportedError: The search space has fewer than two range parameters.
        UserInputError: Only one of the two is given, one is not a range parameter, or
            both are the same.
    """
    from ax.core.parameter import RangeParameter

    ranges = [
        name
        for name, p in experiment.search_space.parameters.items()
        if isinstance(p, RangeParameter)
    ]
    if len(ranges) < 2:
        raise UnsupportedError(
            f"{function}: a contour plot needs two range parameters; the search space has {ranges}"
        )
    if (param_x is None) != (param_y is None):
        raise UserInputError(
            f"{function}: give both param_x and param_y or neither, got param_x={param_x!r}, "
            f"param_y={param_y!r}"
        )
    x, y = (ranges[0], ranges[1]) if param_x is None or param_y is None else (param_x, param_y)
    for field, value in (("param_x", x), ("param_y", y)):
        if value not in ranges:
            raise UserInputError(
                f"{function}: {field}={value!r} is not a range parameter; range parameters "
                f"are {ranges}"
            )
    if x == y:
        raise UserInputError(f"{function}: param_x and param_y are both {x!r}")
    return x, y


def contour_plot(
    function: str, bridge: ModelBridge, experiment: Experiment, x: str, y: str, metric: str
) -> go.Figure:
    """The bridge's predicted ``metric`` over ``x`` and ``y`` (see
    :func:`ax.plot.contour.plot_contour`).

    Raises:
        UnsupportedError: The bridge makes no predictions.
        UserInputError: The metric is not modelled.
    """
    require_predictions(function, bridge, experiment)
    _require_modelled(function, bridge, metric)
    plot = plot_function("contour", "plot_contour")
    return plot(model=bridge, param_x=x, param_y=y, metric_name=metric)


__all__ = [
    "TPredictions",
    "contour_axes",
    "contour_plot",
    "feature_importances",
    "last_model_run",
    "model_label",
    "objective_values",
    "optimization_trace",
    "plot_function",
    "predict_trials",
    "refit_model",
    "require_predictions",
]
