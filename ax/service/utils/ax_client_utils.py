"""Helpers of :class:`~ax.service.ax_client.AxClient`: argument checks, trials, data, tables.

These functions hold the parts of the Service API that do not need the client's state:
checking the arguments of the client's methods and a trial index, turning what the user
reports for a trial into :class:`~ax.core.data.Data` (refusing unknown metrics), and
building the trials table. Every error names the client method that was called
(``function``), the argument and the value. Model-facing helpers are in
:mod:`ax.service.utils.ax_client_analysis`, the JSON snapshot in
:mod:`ax.service.utils.ax_client_snapshot`.
"""

from __future__ import annotations

import inspect
import math
import numbers
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

import numpy as np

from ax.core.base_trial import BaseTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.trial import Trial
from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import (
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.service.utils.instantiation import data_from_evaluations, raw_data_to_evaluation
from ax.utils.floats import finite_float
from ax.utils.text import short_reprs
from ax.utils.validation import check_bool, check_int, check_optional_int

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ax.storage.sqa_store.structs import DBSettings


# ---------------------------------------------------------------------------- arguments


def check_db_settings(function: str, db_settings: Any) -> Optional[DBSettings]:
    """``db_settings`` if it is None or a DBSettings; UnsupportedError naming its type."""
    if db_settings is None:
        return None
    from ax.storage.sqa_store.structs import DBSettings

    if not isinstance(db_settings, DBSettings):
        raise UnsupportedError(
            f"{function}: db_settings must be an ax.storage.sqa_store.structs.DBSettings "
            f"(SQL storage), got {type(db_settings).__name__} {db_settings!r}",
            hint="pass db_settings=DBSettings(url='sqlite:///ax.db'), or save to JSON with "
            "save_to_json_file",
        )
    return db_settings


def objective_name(experiment: Experiment, function: str = "AxClient.objective_name") -> str:
    """The name of the experiment's objective metric.

    Raises:
        UserInputError: The experiment has no optimization config.
        UnsupportedError: The experiment has several objectives (use their names, e.g.
            ``AxClient.objective_names``).
    """
    config = experiment.optimization_config
    if config is None:  # pragma: no cover - experiments of AxClient always have one
        raise UserInputError(f"{function}: the experiment has no optimization config")
    if len(config.objective.metrics) != 1:
        raise UnsupportedError(
            f"{function}: the experiment has several objectives "
            f"{[m.name for m in config.objective.metrics]}",
            hint="use AxClient.objective_names",
        )
    return config.objective.metric.name


def check_seed(function: str, value: object) -> Optional[int]:
    """``value`` if it is None or an int >= 0 (not a bool)."""
    return check_optional_int(function, "random_seed", value, 0)


def check_positive_int(function: str, name: str, value: object) -> int:
    """``value`` if it is an int >= 1 (not a bool)."""
    return check_int(function, name, value, 1)


def check_metadata(function: str, metadata: object) -> Dict[str, Any]:
    """``metadata`` as a dict with str keys (None gives ``{}``)."""
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
        raise UserInputTypeError(
            f"{function}: metadata must be a dict with str keys or None, got {metadata!r}"
        )
    return dict(metadata)


def check_choose_kwargs(
    function: str, kwargs: Optional[Mapping[str, Any]], allowed: Sequence[str]
) -> Dict[str, Any]:
    """``choose_generation_strategy_kwargs`` as a dict, with only known keys.

    Args:
        function: The calling method, for messages.
        kwargs: The keyword arguments given (None for none).
        allowed: The names :func:`choose_generation_strategy` takes (``search_space``
            excluded: the client passes the experiment's).

    Raises:
        UserInputTypeError: ``kwargs`` is not a dict with str keys.
        UserInputError: A key is not an argument of ``choose_generation_strategy``.
    """
    if kwargs is None:
        return {}
    if not isinstance(kwargs, Mapping) or not all(isinstance(k, str) for k in kwargs):
        raise UserInputTypeError(
            f"{function}: choose_generation_strategy_kwargs must be a dict or None, got {kwargs!r}"
        )
    unknown = sorted(k for k in kwargs if k not in allowed)
    if unknown:
        raise UserInputError(
            f"{function}: choose_generation_strategy_kwargs has unknown key(s) {unknown}; "
            f"allowed: {sorted(allowed)}"
        )
    return dict(kwargs)


def keyword_names(function: Any, exclude: Sequence[str] = ()) -> List[str]:
    """The keyword parameters of ``function`` (for checking kwarg dicts against it)."""
    return [
        name
        for name, p in inspect.signature(function).parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in exclude
    ]


def check_tracking_metric_names(function: str, names: object) -> List[str]:
    """Tracking metric names as a list of distinct non-empty strings."""
    if names is None:
        return []
    if isinstance(names, (str, bytes)) or not isinstance(names, Sequence):
        raise UserInputTypeError(
            f"{function}: tracking_metric_names must be a list of str, got {names!r}"
        )
    seen: Set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name:
            raise UserInputError(
                f"{function}: tracking_metric_names must hold non-empty strings, got "
                f"{name!r} in {list(names)!r}"
            )
        if name in seen:
            raise UserInputError(
                f"{function}: tracking_metric_names names {name!r} twice in {list(names)!r}"
            )
        seen.add(name)
    return list(names)


# ---------------------------------------------------------------------------- trials


def get_trial(function: str, experiment: Experiment, trial_index: object) -> Trial:
    """The one-arm trial with index ``trial_index``.

    Raises:
        UserInputTypeError: ``trial_index`` is not an int.
        UserInputError: There is no such trial (the message says how to make one).
        UnsupportedError: The trial is a BatchTrial (the client handles one-arm trials).
    """
    index = check_int(function, "trial_index", trial_index)
    count = experiment.num_trials
    if not 0 <= index < count:
        existing = "it has no trials yet" if count == 0 else f"its trials are 0..{count - 1}"
        raise UserInputError(
            f"{function}: trial {index} does not exist in experiment {experiment._name!r} "
            f"({existing}); call get_next_trial or attach_trial first"
        )
    trial: BaseTrial = experiment.get_trials_by_indices([index])[0]
    if not isinstance(trial, Trial):
        raise UnsupportedError(
            f"{function}: trial {index} is a {type(trial).__name__}; AxClient handles "
            "one-arm Trials only"
        )
    return trial


def require_status(function: str, trial: Trial, allowed: Sequence[TrialStatus]) -> None:
    """Raise TrialStatusError unless the trial's status is one of ``allowed``.

    The message says what the user can do instead for the common mistakes.
    """
    from ax.exceptions import TrialStatusError

    status = trial.status
    if status in allowed:
        return
    wanted = " or ".join(s.name for s in allowed)
    advice = {
        TrialStatus.COMPLETED: "it is already completed; call update_trial_data to report "
        "new data for it",
        TrialStatus.FAILED: f"it failed ({trial.failed_reason or 'no reason given'}); "
        "call get_next_trial or attach_trial for a new trial",
        TrialStatus.ABANDONED: f"it was abandoned ({trial.abandoned_reason or 'no reason given'})"
        "; call get_next_trial or attach_trial for a new trial",
        TrialStatus.RUNNING: "it is still running; call complete_trial first",
        TrialStatus.EARLY_STOPPED: f"it was stopped early ({trial.early_stopped_reason}); "
        "call get_next_trial or attach_trial for a new trial",
        TrialStatus.CANDIDATE: "it has not started",
        TrialStatus.STAGED: "it has not started",
    }.get(status, "")
    raise TrialStatusError(
        f"{function}: trial {trial.index} must be {wanted}, but its status is "
        f"{status.name}" + (f"; {advice}" if advice else "")
    )


def check_parameterization(
    function: str,
    experiment: Experiment,
    parameters: object,
    allow_out_of_design: bool = False,
) -> TParameterization:
    """``parameters`` checked against the search space and cast to its types.

    Ints are accepted for FLOAT parameters (and integral floats for INT ones); the values
    are cast so that the arm equals the one a generator would make.

    Args:
        function: The caller's name, for messages.
        experiment: The experiment whose search space is checked.
        parameters: ``{name: value}`` for every parameter.
        allow_out_of_design: Whether values outside the search space (out of bounds, not a
            choice, or violating a constraint) are accepted; names and types are always
            checked.

    Raises:
        UserInputTypeError: ``parameters`` is not a dict, or a value has the wrong type.
        UserInputError: A parameter is missing or unknown, or (unless
            ``allow_out_of_design``) a value is out of its domain or a parameter constraint
            is violated; the message names the parameter and the option.
    """
    from ax.exceptions import AxError

    if not isinstance(parameters, Mapping):
        raise UserInputTypeError(
            f"{function}: parameters must be a dict {{name: value}}, got {parameters!r}"
        )
    space = experiment.search_space
    values = dict(parameters)
    try:
        space.check_types(values, allow_none=True, raise_error=True)
        for name, value in values.items():
            if value is None:
                raise UserInputError(f"parameter {name!r} has no value (None)")
        if not allow_out_of_design:
            try:
                space.check_membership(values, raise_error=True)
            except UserInputError as err:
                raise UserInputError(
                    err.message,
                    hint="pass allow_out_of_design=True to attach a point outside the search "
                    "space on purpose; models leave it out of fitting",
                ) from err
    except AxError as err:
        message = err.message.removeprefix("SearchSpace: ")
        raise type(err)(f"{function}: {message}", hint=err.hint) from err
    return {name: space.parameters[name].cast(value) for name, value in values.items()}


# ---------------------------------------------------------------------------- data


def _reported_metrics(evaluation: Any) -> List[str]:
    """The metric names in a normalised evaluation (dict or fidelity list)."""
    if isinstance(evaluation, dict):
        return list(evaluation)
    names: List[str] = []
    for position, entry in enumerate(evaluation):
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2) or not isinstance(
            entry[1], Mapping
        ):
            raise UserInputError(
                f"raw_data: fidelity entry {position} must be a (fidelities, "
                f"{{metric: (mean, sem)}}) pair, got {entry!r}"
            )
        names.extend(m for m in entry[1] if m not in names)
    return names


def _check_values(function: str, evaluation: Any) -> None:
    """Every SEM must be finite and >= 0 (or None); means were checked when parsed."""
    outcomes: List[Mapping[str, Any]] = (
        [evaluation] if isinstance(evaluation, dict) else [entry[1] for entry in evaluation]
    )
    for outcome in outcomes:
        for metric, value in outcome.items():
            pair = value if isinstance(value, (tuple, list)) else (value, None)
            if len(pair) != 2:
                raise UserInputError(
                    f"{function}: metric {metric!r} must be a number or a (mean, sem) pair, "
                    f"got {value!r}"
                )
            mean, sem = pair
            for what, number in (("mean", mean), ("sem", sem)):
                if number is None and what == "sem":
                    continue
                is_number = isinstance(number, (numbers.Real, np.number)) and not isinstance(
                    number, (bool, np.bool_)
                )
                if not is_number:
                    raise UserInputError(
                        f"{function}: metric {metric!r}: the {what} must be a number, got "
                        f"{number!r} in {value!r}"
                    )
                if finite_float(number) is None:
                    raise UserInputError(
                        f"{function}: metric {metric!r}: the {what} must be finite, got "
                        f"{what}={number!r}; nothing was recorded",
                        hint="report a failed evaluation with log_trial_failure",
                    )
            if sem is not None and float(sem) < 0:
                raise UserInputError(
                    f"{function}: metric {metric!r}: the sem must be >= 0, got sem={sem!r}"
                )


def raw_data_to_trial_data(
    function: str,
    experiment: Experiment,
    trial: Trial,
    raw_data: Any,
    objective_name: Union[str, Sequence[str]],
    metadata: Mapping[str, Any],
    sample_size: Optional[int],
    require_objective: bool,
) -> Data:
    """The Data of one trial from what the user reports for its arm.

    ``raw_data`` is ``{metric: (mean, sem)}`` (or ``{metric: mean}``), a ``(mean, sem)``
    tuple or a bare mean for the objective (SEM unknown), or the fidelity list
    ``[(fidelities, {metric: (mean, sem)}), ...]``.

    Raises:
        UserInputError: The form is not one of these, a mean or SEM is not finite, a
            metric is not one of the experiment's (the message lists them), or
            ``require_objective`` and the objective is missing.
        UserInputTypeError: ``sample_size`` is not an int.
    """
    try:
        evaluation = raw_data_to_evaluation(raw_data, objective_name)
    except UserInputError as err:
        message = err.message.removeprefix("evaluation: ")
        raise UserInputError(f"{function}: raw_data: {message}", hint=err.hint) from err
    reported = _reported_metrics(evaluation)
    if not reported:
        raise UserInputError(f"{function}: raw_data reports no metric, got {raw_data!r}")
    known = experiment.metrics
    unknown = [m for m in reported if m not in known]
    if unknown:
        raise UserInputError(
            f"{function}: raw_data names unknown metric(s) {short_reprs(unknown)}; the "
            "experiment's "
            f"metrics are {sorted(known)}",
            hint="declare extra metrics with create_experiment(tracking_metric_names=[...])",
        )
    names = [objective_name] if isinstance(objective_name, str) else list(objective_name)
    missing = [n for n in names if n not in reported]
    if require_objective and missing:
        what = f"the objective {names[0]!r}" if len(names) == 1 else f"every objective {names}"
        raise UserInputError(
            f"{function}: raw_data must include {what}, got metrics {reported}"
            + (f" (missing {missing})" if len(names) > 1 else ""),
            hint="report a failed evaluation with log_trial_failure instead",
        )
    _check_values(function, evaluation)
    arm = trial.arm
    if arm is None:  # pragma: no cover - client trials always have an arm
        raise UserInputError(f"{function}: trial {trial.index} has no arm")
    sample_sizes = None
    if sample_size is not None:
        if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)):
            raise UserInputTypeError(
                f"{function}: sample_size must be an int or None, got {sample_size!r}"
            )
        if sample_size < 0:
            raise UserInputError(f"{function}: sample_size must be >= 0, got {sample_size}")
        sample_sizes = {arm.name: int(sample_size)}
    try:
        return data_from_evaluations(
            {arm.name: evaluation},
            trial.index,
            sample_sizes=sample_sizes,
            start_time=metadata.get("start_time"),
            end_time=metadata.get("end_time"),
        )
    except (UserInputError, UserInputTypeError) as err:
        raise type(err)(f"{function}: {err.message}", hint=err.hint) from err


def check_same_study(function: str, stored: Experiment, wanted: Experiment) -> None:
    """Check that a stored experiment is the study ``wanted`` describes (``load_if_exists``).

    Raises:
        UserInputError: The parameters, parameter constraints or optimization config
            differ; the message names what differs.
    """
    name = stored._name
    if stored.search_space.parameters != wanted.search_space.parameters:
        raise UserInputError(
            f"{function}: the stored experiment {name!r} has other parameters "
            f"({sorted(stored.search_space.parameters)}) than the ones given "
            f"({sorted(wanted.search_space.parameters)}), or other bounds or values",
            hint="use another name, or the same parameters as the stored experiment",
        )
    if stored.search_space != wanted.search_space:
        raise UserInputError(
            f"{function}: the stored experiment {name!r} has other parameter constraints "
            "than the ones given"
        )
    if stored.optimization_config != wanted.optimization_config:
        raise UserInputError(
            f"{function}: the stored experiment {name!r} has another objective or outcome "
            f"constraints ({stored.optimization_config}) than the ones given "
            f"({wanted.optimization_config})"
        )


def merge_new_data(previous: Data, new: Data) -> Data:
    """``previous`` with the rows of every metric in ``new`` replaced by ``new``'s."""
    from ax.core.data import clone_without_metrics

    if not len(previous):
        return new
    kept = clone_without_metrics(previous, new.metric_names)
    return Data.from_multiple_data([kept, new]) if len(kept) else new


# ---------------------------------------------------------------------------- tables


def trials_data_frame(experiment: Experiment) -> pd.DataFrame:
    """One row per trial arm: trial_index, arm_name, trial_status, parameters, metric means.

    The metric columns hold the latest data of each trial (NaN where a metric has none).
    """
    import pandas as pd

    parameter_names = list(experiment.search_space.parameters)
    config = experiment.optimization_config
    objective = [] if config is None else [m.name for m in config.objective.metrics]
    metric_names = objective + [m for m in experiment.metrics if m not in objective]
    rows: List[Dict[str, Any]] = []
    for index, trial in sorted(experiment.trials.items()):
        means: Dict[Tuple[str, str], float] = {}
        data = trial.lookup_data()
        if len(data):
            columns = data.columns
            for arm_name, metric, mean in zip(
                columns["arm_name"], columns["metric_name"], columns["mean"]
            ):
                means.setdefault((str(arm_name), str(metric)), float(mean))
        for arm in trial.arms:
            row: Dict[str, Any] = {
                "trial_index": index,
                "arm_name": arm.name,
                "trial_status": trial.status.name,
            }
            for name in parameter_names:
                row[name] = arm.parameters.get(name)
            for metric in metric_names:
                row[metric] = means.get((arm.name, metric), math.nan)
            rows.append(row)
    return pd.DataFrame(
        rows, columns=["trial_index", "arm_name", "trial_status", *parameter_names, *metric_names]
    )


__all__ = [
    "check_bool",
    "check_choose_kwargs",
    "check_metadata",
    "check_parameterization",
    "check_positive_int",
    "check_same_study",
    "check_seed",
    "check_tracking_metric_names",
    "get_trial",
    "keyword_names",
    "merge_new_data",
    "raw_data_to_trial_data",
    "require_status",
    "trials_data_frame",
]
