"""Shared pieces of the model plots: plotly on demand, name checks, grids, predictions.

Nothing here imports plotly at module level: :func:`plotly_go` imports it on first use.
The model plots work on any :class:`~ax.modelbridge.base.ModelBridge` whose model can
predict (``model.predict``), reading ``model_space``, ``metric_names``,
``get_training_data()`` and ``status_quo`` from it.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import numpy.typing as npt

from ax.core.observation import ObservationFeatures
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.types import TParameterization, TParamValue
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from ax.utils.text import short_repr

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

MEAN_COLORSCALE = "Viridis"
SEM_COLORSCALE = "Plasma"
MARKER_COLOR = "rgba(0, 0, 0, 0.85)"
LINE_COLOR = "rgb(31, 119, 180)"
BAND_COLOR = "rgba(31, 119, 180, 0.2)"
OPTIMUM_COLOR = "rgb(214, 39, 40)"
TRANSITION_COLOR = "rgb(127, 127, 127)"
Z_95 = 1.959963984540054
"""Two-sided 95 % normal quantile: bands are ``mean +/- Z_95 * sem``."""


def escape_html(text: str) -> str:
    """``text`` safe inside HTML and plotly labels (``<``, ``>``, ``&`` and quotes escaped)."""
    return html.escape(text, quote=True)


def plotly_go() -> Any:
    """``plotly.graph_objects``, imported on first use.

    Raises:
        ImportError: plotly is not installed (with the command that installs it).
    """
    try:
        import plotly.graph_objects as go
    except ImportError as err:  # pragma: no cover - plotly is a dependency
        raise ImportError(
            "ax.plot needs plotly, which is not installed: pip install plotly"
        ) from err
    return go


def make_subplots(**kwargs: Any) -> Any:
    """``plotly.subplots.make_subplots(**kwargs)`` (plotly imported on first use)."""
    plotly_go()
    from plotly.subplots import make_subplots as plotly_make_subplots

    return plotly_make_subplots(**kwargs)


# ---------------------------------------------------------------------------- checks


def checked_metric(model: ModelBridge, metric_name: Any, function: str) -> str:
    """``metric_name`` if the model has data for it.

    Raises:
        UserInputError: The model has no such metric (the message lists the valid ones).
    """
    valid = sorted(model.metric_names)
    if not isinstance(metric_name, str) or metric_name not in valid:
        raise UserInputError(
            f"{function}: unknown metric_name={short_repr(metric_name)}; the model has data for "
            f"metrics {valid}"
        )
    return metric_name


def checked_parameter(model: ModelBridge, name: Any, field: str, function: str) -> Parameter:
    """The model's parameter called ``name``.

    Raises:
        UserInputError: There is no such parameter (the message lists the valid ones).
    """
    parameters = model.model_space.parameters
    if not isinstance(name, str) or name not in parameters:
        raise UserInputError(
            f"{function}: unknown {field}={name!r}; the search space has parameters "
            f"{sorted(parameters)}"
        )
    return parameters[name]


def checked_range_parameter(
    model: ModelBridge, name: Any, field: str, function: str
) -> RangeParameter:
    """The model's numeric range parameter called ``name``.

    Raises:
        UserInputError: There is no such parameter.
        UnsupportedError: It is a choice or fixed parameter, or is not numeric.
    """
    parameter = checked_parameter(model, name, field, function)
    if not isinstance(parameter, RangeParameter) or not parameter.is_numeric:
        numeric = sorted(
            n
            for n, p in model.model_space.parameters.items()
            if isinstance(p, RangeParameter) and p.is_numeric
        )
        raise UnsupportedError(
            f"{function}: {field}={name!r} is a {type(parameter).__name__} of type "
            f"{parameter.parameter_type.name}; only numeric range parameters can be plotted "
            f"on an axis (numeric range parameters: {numeric})"
        )
    return parameter


def checked_density(density: Any, function: str) -> int:
    """``density`` as an int in ``[2, 500]``.

    Raises:
        UserInputTypeError: Not an int.
        UserInputError: Out of range.
    """
    if isinstance(density, bool) or not isinstance(density, (int, np.integer)):
        raise UserInputTypeError(f"{function}: density must be an int, got density={density!r}")
    if not 2 <= density <= 500:
        raise UserInputError(f"{function}: density must be in [2, 500], got density={density}")
    return int(density)


# ---------------------------------------------------------------------------- points


def centre_value(parameter: Parameter) -> TParamValue:
    """The middle of a parameter's domain.

    A range's midpoint (geometric for a log scale, rounded for an int), a choice's
    middle value, or a fixed parameter's value.
    """
    if isinstance(parameter, RangeParameter):
        lower, upper = float(parameter.lower), float(parameter.upper)
        mid = math.sqrt(lower * upper) if parameter.log_scale else (lower + upper) / 2
        return parameter.cast(mid)
    if isinstance(parameter, ChoiceParameter):
        return parameter.values[(len(parameter.values) - 1) // 2]
    if isinstance(parameter, FixedParameter):
        return parameter.value
    raise UnsupportedError(f"no centre for {type(parameter).__name__} '{parameter.name}'")


def slice_point(
    model: ModelBridge,
    slice_values: Optional[Mapping[str, TParamValue]],
    function: str,
) -> TParameterization:
    """Values of every parameter for the parameters not on an axis.

    Each value is taken from ``slice_values``, else the status quo's, else the centre of
    the parameter's domain (:func:`centre_value`).

    Raises:
        UserInputTypeError: ``slice_values`` is not a mapping.
        UserInputError: ``slice_values`` names an unknown parameter or gives a value
            outside its domain.
    """
    parameters = model.model_space.parameters
    given: Dict[str, TParamValue] = {}
    if slice_values is not None:
        if not isinstance(slice_values, Mapping):
            raise UserInputTypeError(
                f"{function}: slice_values must be a dict of parameter name to value, got "
                f"{slice_values!r}"
            )
        unknown = sorted(str(k) for k in slice_values if k not in parameters)
        if unknown:
            raise UserInputError(
                f"{function}: slice_values names unknown parameter(s) {unknown}; the search "
                f"space has parameters {sorted(parameters)}"
            )
        for name, value in slice_values.items():
            parameter = parameters[name]
            cast = _cast(parameter, value)
            if cast is None or not parameter.validate(cast):
                raise UserInputError(
                    f"{function}: slice_values[{name!r}]={value!r} is outside the domain of "
                    f"{parameter!r}"
                )
            given[name] = cast
    status_quo = model.status_quo
    sq_parameters = status_quo.features.parameters if status_quo is not None else {}
    point: TParameterization = {}
    for name, parameter in parameters.items():
        if name in given:
            point[name] = given[name]
        elif sq_parameters.get(name) is not None:
            point[name] = sq_parameters[name]
        else:
            point[name] = centre_value(parameter)
    return point


def _cast(parameter: Parameter, value: TParamValue) -> TParamValue:
    try:
        return parameter.cast(value)
    except (TypeError, ValueError):
        return None


def axis_grid(parameter: RangeParameter, density: int) -> npt.NDArray[np.float64]:
    """``density`` points spanning the parameter's range (fewer for a narrow int range).

    Log-scale parameters get geometrically spaced points; int parameters get distinct
    integers.
    """
    lower, upper = float(parameter.lower), float(parameter.upper)
    if parameter.log_scale:
        grid = np.geomspace(lower, upper, density)
    else:
        grid = np.linspace(lower, upper, density)
    if parameter.parameter_type.python_type is int:
        grid = np.unique(np.round(grid))
    return np.asarray(grid, dtype=np.float64)


def _value(parameter: RangeParameter, x: float) -> TParamValue:
    return int(round(x)) if parameter.parameter_type.python_type is int else float(x)


def grid_features(
    base: TParameterization,
    axes: Sequence[Tuple[RangeParameter, npt.NDArray[np.float64]]],
) -> List[ObservationFeatures]:
    """Features at every combination of the axes' values (the last axis varies fastest),
    with the other parameters at ``base``."""
    mesh = np.meshgrid(*[values for _, values in axes], indexing="ij")
    flat = [m.ravel() for m in mesh]
    features: List[ObservationFeatures] = []
    for i in range(flat[0].size):
        parameters = dict(base)
        for (parameter, _), column in zip(axes, flat):
            parameters[parameter.name] = _value(parameter, float(column[i]))
        features.append(ObservationFeatures(parameters))
    return features


def predict_mean_sem(
    model: ModelBridge, features: List[ObservationFeatures], metric_name: str, function: str
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Predicted means and SEMs of one metric at the given points (each shape ``(n,)``).

    Raises:
        UnsupportedError: The model cannot predict.
    """
    try:
        means, covariances = model.predict(features)
    except NotImplementedError as err:
        raise UnsupportedError(
            f"{function}: {type(model).__name__} cannot predict ({err}); plot a model that "
            "makes predictions, such as the GP of a Bayesian-optimisation step"
        ) from err
    mean = np.asarray(means[metric_name], dtype=np.float64)
    variance = np.asarray(covariances[metric_name][metric_name], dtype=np.float64)
    sem = np.sqrt(np.clip(variance, 0.0, None))
    return mean, sem


class ObservedPoint(NamedTuple):
    """One training observation of a metric: where, what, and which arm."""

    parameters: TParameterization
    mean: float
    sem: float
    arm_name: str
    in_design: bool = True


def observed_points(model: ModelBridge, metric_name: str) -> List[ObservedPoint]:
    """The model's training observations of ``metric_name`` (SEM NaN when unknown).

    Out-of-design observations (outside the model's search space, left out of fitting
    unless ``fit_out_of_design``) are included, with ``in_design=False``, so that plots can
    show them apart.
    """
    points: List[ObservedPoint] = []
    for observation, in_design in zip(model.get_training_data(), model.training_in_design):
        data = observation.data
        for i, name in enumerate(data.metric_names):
            if name != metric_name:
                continue
            variance = float(data.covariance[i, i])
            sem = math.sqrt(variance) if math.isfinite(variance) and variance >= 0 else math.nan
            points.append(
                ObservedPoint(
                    parameters=dict(observation.features.parameters),
                    mean=float(data.means[i]),
                    sem=sem,
                    arm_name=observation.arm_name or "",
                    in_design=in_design,
                )
            )
    return points


def point_labels(points: Sequence[ObservedPoint]) -> List[str]:
    """Hover labels: the arm's name, with "(out of design)" for points outside the space."""
    return [p.arm_name if p.in_design else f"{p.arm_name} (out of design)" for p in points]


def point_symbols(points: Sequence[ObservedPoint], in_design_symbol: str) -> List[str]:
    """Marker symbols: ``in_design_symbol``, or a cross for out-of-design points."""
    return [in_design_symbol if p.in_design else "x" for p in points]


def slice_description(point: TParameterization, exclude: Sequence[str]) -> str:
    """``"x3=0.5, x4=1"``: the values the other parameters are held at (for captions)."""
    parts = [f"{name}={_short(value)}" for name, value in point.items() if name not in exclude]
    return ", ".join(parts)


def _short(value: TParamValue) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


__all__ = [
    "ObservedPoint",
    "escape_html",
    "axis_grid",
    "centre_value",
    "checked_density",
    "checked_metric",
    "checked_parameter",
    "checked_range_parameter",
    "grid_features",
    "make_subplots",
    "observed_points",
    "point_labels",
    "point_symbols",
    "plotly_go",
    "predict_mean_sem",
    "slice_description",
    "slice_point",
]
