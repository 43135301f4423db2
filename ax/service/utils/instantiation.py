"""Build experiments from plain user input: parameter dicts and constraint strings.

Parameter dicts are validated by pydantic models (:class:`RangeParameterSpec`,
:class:`ChoiceParameterSpec`, :class:`FixedParameterSpec`) that reject unknown keys;
constraint strings are read by a small tokenizer. Every problem raises
:class:`~ax.exceptions.UserInputError` naming the parameter (or quoting the constraint
text), the key and the bad value.

Example:
    >>> experiment = make_experiment(
    ...     parameters=[
    ...         {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    ...         {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ...     ],
    ...     objective_name="branin",
    ...     minimize=True,
    ...     parameter_constraints=["x1 + x2 <= 20"],
    ...     outcome_constraints=["l2norm <= 1.25"],
    ... )
"""

from __future__ import annotations

import numbers
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.runner import Runner
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment, TEvaluationFunction
from ax.core.types import TParameterization
from ax.exceptions import AxError, UserInputError
from ax.service.utils.constraint_parsing import (
    constraint_from_str,
    outcome_constraint_from_str,
    parse_outcome_constraints,
)
from ax.service.utils.objective_properties import make_multi_objective_config
from ax.service.utils.parameter_specs import (
    ChoiceParameterSpec,
    FixedParameterSpec,
    RangeParameterSpec,
    parameter_from_json,
    parameters_from_json,
)
from ax.utils.floats import finite_float
from ax.utils.text import short_repr

# ---------------------------------------------------------------------------- experiments


def make_search_space(
    parameters: Sequence[Mapping[str, Any]],
    parameter_constraints: Optional[Sequence[str]] = None,
) -> SearchSpace:
    """A search space from parameter dicts and constraint strings."""
    built = parameters_from_json(parameters)
    by_name = {p.name: p for p in built}
    if parameter_constraints is not None and (
        isinstance(parameter_constraints, str) or not isinstance(parameter_constraints, Sequence)
    ):
        raise UserInputError(
            f"parameter_constraints must be a list of strings, got {parameter_constraints!r}"
        )
    constraints = [constraint_from_str(c, by_name) for c in parameter_constraints or []]
    try:
        return SearchSpace(built, constraints)
    except AxError as err:
        raise UserInputError(f"search space: {err.message}", hint=err.hint) from err


def make_optimization_config(
    objective_name: Optional[str] = None,
    minimize: bool = False,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo_defined: bool = False,
    metrics: Optional[Mapping[str, Metric]] = None,
) -> OptimizationConfig:
    """The objective (its metric's ``lower_is_better`` set to ``minimize``) and constraints.

    Args:
        objective_name: Name of the objective metric (default ``"objective"``).
        minimize: Whether to minimise it.
        outcome_constraints: Constraint strings (see :func:`outcome_constraint_from_str`).
        status_quo_defined: Whether the experiment has a status quo (relative constraints
            need one).
        metrics: Metric objects to use by name instead of plain :class:`Metric` ones.

    Raises:
        UserInputError: A constraint is malformed, relative without a status quo, or on
            the objective.
    """
    if not isinstance(minimize, bool):
        raise UserInputError(f"minimize must be a bool, got {minimize!r}")
    known = dict(metrics or {})
    name = objective_name or "objective"
    objective_metric = known.get(name) or Metric(name=name)
    objective_metric.lower_is_better = minimize
    constraints = parse_outcome_constraints(outcome_constraints, [name], status_quo_defined, known)
    try:
        return OptimizationConfig(
            objective=Objective(metric=objective_metric, minimize=minimize),
            outcome_constraints=constraints,
        )
    except AxError as err:
        raise UserInputError(f"optimization config: {err.message}", hint=err.hint) from err


def check_single_or_multi(objective_name: Any, minimize: Any, objectives: Any) -> None:
    """Refuse ``objectives`` together with ``objective_name`` or ``minimize=True``.

    Raises:
        UserInputError: Both forms were given (the message names them).
    """
    if objective_name is not None or minimize is not False:
        raise UserInputError(
            "give either objective_name/minimize (one objective) or objectives (several), "
            f"not both: got objective_name={objective_name!r}, minimize={minimize!r} and "
            f"objectives={objectives!r}",
            hint="with objectives, set each direction with ObjectiveProperties(minimize=...)",
        )


def make_experiment(
    parameters: Sequence[Mapping[str, Any]],
    name: Optional[str] = None,
    objective_name: Optional[str] = None,
    minimize: bool = False,
    parameter_constraints: Optional[Sequence[str]] = None,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo: Optional[TParameterization] = None,
    experiment_type: Optional[str] = None,
    runner: Optional[Runner] = None,
    metrics: Optional[Sequence[Metric]] = None,
    *,
    objectives: Optional[Mapping[str, Any]] = None,
) -> Experiment:
    """A plain :class:`Experiment` from parameter dicts and constraint strings.

    Args:
        parameters: Parameter dicts (see :func:`parameter_from_json`).
        name: Experiment name.
        objective_name: The objective metric's name (default ``"objective"``, or the
            first of ``metrics`` when given).
        minimize: Whether to minimise the objective.
        parameter_constraints: e.g. ``["x1 + x2 <= 2", "x3 <= x4"]``.
        outcome_constraints: e.g. ``["l2norm <= 1.25", "cost >= -5%"]``.
        status_quo: The control parameterization.
        experiment_type: Free-form type label.
        runner: The runner that deploys trials (an extension of the reference).
        metrics: Metric objects (an extension): the one named ``objective_name`` (default
            the first) is the objective, those named in outcome constraints are used
            there, and the rest are tracking metrics.
        objectives: Several objectives instead of ``objective_name``/``minimize``:
            ``{metric name: ObjectiveProperties(minimize=..., threshold=...)}`` (see
            :func:`~ax.service.utils.objective_properties.make_multi_objective_config`).

    Raises:
        UserInputError: Any input is invalid (see the parsing functions), a relative
            outcome constraint is given without a status quo, or ``objectives`` is given
            with ``objective_name`` or ``minimize=True``.
    """
    search_space = make_search_space(parameters, parameter_constraints)
    metric_list = list(metrics or [])
    by_name: Dict[str, Metric] = {}
    for metric in metric_list:
        if metric.name in by_name:
            raise UserInputError(f"metrics: two metrics are named {metric.name!r}")
        by_name[metric.name] = metric
    config: OptimizationConfig
    if objectives is not None:
        check_single_or_multi(objective_name, minimize, objectives)
        config = make_multi_objective_config(
            objectives, outcome_constraints, status_quo is not None, by_name
        )
    else:
        if objective_name is None and metric_list:
            objective_name = metric_list[0].name
        config = make_optimization_config(
            objective_name, minimize, outcome_constraints, status_quo is not None, by_name
        )
    tracking = [m for m in metric_list if m.name not in config.metrics]
    try:
        return Experiment(
            search_space=search_space,
            name=name,
            optimization_config=config,
            tracking_metrics=tracking,
            runner=runner,
            status_quo=None if status_quo is None else Arm(parameters=status_quo),
            experiment_type=experiment_type,
        )
    except AxError as err:
        raise UserInputError(f"experiment {name!r}: {err.message}", hint=err.hint) from err


def make_simple_experiment(
    parameters: Sequence[Mapping[str, Any]],
    evaluation_function: TEvaluationFunction,
    name: Optional[str] = None,
    objective_name: Optional[str] = None,
    minimize: bool = False,
    parameter_constraints: Optional[Sequence[str]] = None,
    outcome_constraints: Optional[Sequence[str]] = None,
    status_quo: Optional[TParameterization] = None,
    *,
    objectives: Optional[Mapping[str, Any]] = None,
) -> SimpleExperiment:
    """A :class:`SimpleExperiment` evaluated by ``evaluation_function``.

    The objective metric gets ``lower_is_better=minimize``. Arguments as
    :func:`make_experiment`.

    Raises:
        UserInputError: Any input is invalid, or a relative outcome constraint is given
            without a status quo.
    """
    search_space = make_search_space(parameters, parameter_constraints)
    config: OptimizationConfig
    if objectives is not None:
        check_single_or_multi(objective_name, minimize, objectives)
        config = make_multi_objective_config(
            objectives, outcome_constraints, status_quo is not None
        )
    else:
        config = make_optimization_config(
            objective_name, minimize, outcome_constraints, status_quo is not None
        )
    try:
        experiment = SimpleExperiment(
            search_space=search_space,
            name=name,
            objective_name=config.objective.metrics[0].name,
            evaluation_function=evaluation_function,
            minimize=minimize,
            status_quo=None if status_quo is None else Arm(parameters=status_quo),
        )
    except AxError as err:
        raise UserInputError(f"experiment {name!r}: {err.message}", hint=err.hint) from err
    # Replace the SimpleExperiment's own config: ours has lower_is_better=minimize on the
    # objective metric and the parsed outcome constraints.
    experiment.optimization_config = config
    return experiment


# ---------------------------------------------------------------------------- raw data


def raw_data_to_evaluation(raw_data: Any, objective_name: Union[str, Sequence[str]]) -> Any:
    """Normalise what an evaluation returned for one arm.

    - a dict ``{metric: (mean, sem) or mean}`` is kept (a nested dict raises);
    - a list (the fidelity form ``[(fidelities, {metric: (mean, sem)})]``) is kept;
    - a ``(mean, sem)`` tuple becomes ``{objective_name: (mean, sem)}``;
    - a number becomes ``{objective_name: (value, None)}`` (SEM unknown).

    ``objective_name`` may be the list of a multi-objective's metrics: then only the dict
    and list forms are accepted.

    Raises:
        UserInputError: Any other value, or a non-finite mean; a tuple or number with
            several objectives.
    """
    if not isinstance(objective_name, str):
        names = list(objective_name)
        if len(names) != 1 and not isinstance(raw_data, (dict, list)):
            raise UserInputError(
                f"evaluation: the experiment has several objectives {names}; return a dict "
                f"{{metric: (mean, sem) or mean}} with each of them, got {raw_data!r}"
            )
        objective_name = names[0] if names else "objective"
    if isinstance(raw_data, dict):
        for metric, value in raw_data.items():
            if isinstance(value, dict):
                raise UserInputError(
                    f"evaluation: metric {metric!r} maps to a dict {value!r}; expected a "
                    "number or a (mean, sem) tuple"
                )
            _check_finite(metric, value)
        return raw_data
    if isinstance(raw_data, list):
        return raw_data
    if isinstance(raw_data, tuple):
        _check_finite(objective_name, raw_data)
        return {objective_name: raw_data}
    if isinstance(raw_data, (numbers.Real, np.number)) and not isinstance(raw_data, bool):
        _check_finite(objective_name, raw_data)
        return {objective_name: (float(raw_data), None)}
    raise UserInputError(
        f"evaluation: expected a number, a (mean, sem) tuple, a {{metric: (mean, sem)}} "
        f"dict or a fidelity list, got {raw_data!r} ({type(raw_data).__name__})"
    )


def _check_finite(metric: Any, value: Any) -> None:
    mean = value[0] if isinstance(value, tuple) and value else value
    is_number = isinstance(mean, (numbers.Real, np.number)) and not isinstance(mean, bool)
    if is_number and finite_float(mean) is None:
        if isinstance(mean, int):
            raise UserInputError(
                f"evaluation: metric {short_repr(metric)} has a mean beyond the floats "
                f"{short_repr(mean)}"
            )
        raise UserInputError(f"evaluation: metric {metric!r} has a non-finite mean {mean!r}")


def data_from_evaluations(
    evaluations: Mapping[str, Any],
    trial_index: int,
    sample_sizes: Optional[Mapping[str, int]] = None,
    start_time: Optional[Any] = None,
    end_time: Optional[Any] = None,
) -> Data:
    """Data from ``{arm_name: evaluation}`` (all plain dicts, or all fidelity lists).

    Raises:
        UserInputError: The evaluations mix dicts and fidelity lists, or a value is
            invalid (e.g. a non-finite mean).
    """
    values = list(evaluations.values())
    try:
        if all(isinstance(v, dict) for v in values):
            return Data.from_evaluations(
                evaluations, trial_index, sample_sizes, start_time, end_time
            )
        if all(isinstance(v, list) for v in values):
            return Data.from_fidelity_evaluations(
                evaluations, trial_index, sample_sizes, start_time, end_time
            )
    except AxError as err:
        raise UserInputError(f"trial {trial_index}: {err.message}", hint=err.hint) from err
    raise UserInputError(
        f"trial {trial_index}: evaluations must be all {{metric: (mean, sem)}} dicts or all "
        f"fidelity lists, got {evaluations!r}"
    )


__all__ = [
    "ChoiceParameterSpec",
    "FixedParameterSpec",
    "RangeParameterSpec",
    "constraint_from_str",
    "data_from_evaluations",
    "check_single_or_multi",
    "make_experiment",
    "make_optimization_config",
    "make_search_space",
    "make_simple_experiment",
    "outcome_constraint_from_str",
    "parameter_from_json",
    "parameters_from_json",
    "raw_data_to_evaluation",
]
