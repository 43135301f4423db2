"""Argument checks of the optimization loop, and the classes named by import paths.

Helpers of :class:`~ax.service.managed_loop.OptimizationLoop`: type and range checks of
its arguments (every error names the field and the bad value), the check that an
experiment can be run by the loop, the resumption of a reloaded run (:func:`resume`),
and the runner and metric classes given as ``"package.module:ClassName"`` paths.
"""

from __future__ import annotations

import importlib
import re
from typing import Any, Collection, List, Mapping, Optional, Sequence, Tuple, Type, Union

from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.simple_experiment import SimpleExperiment
from ax.core.types import TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.validation import check_bool, check_float, check_int


def resume(experiment: Experiment, keep: Collection[int] = ()) -> int:
    """Trials of a reloaded run that count towards the budget; unfinished ones are abandoned.

    A trial that was CANDIDATE, STAGED or RUNNING when the run stopped has no data and
    will not get any from this process: it is marked ABANDONED with the reason, so the
    generation strategy does not wait for it and it is never mistaken for a result.
    Trials in ``keep`` (adopted again by the Scheduler) are left as they are.
    """
    by_status = experiment.trial_indices_by_status
    unfinished = (
        by_status[TrialStatus.CANDIDATE]
        | by_status[TrialStatus.STAGED]
        | by_status[TrialStatus.RUNNING]
    )
    for index in sorted(unfinished - set(keep)):
        experiment.trials[index].mark_abandoned(
            reason="interrupted before its result was recorded; the run was resumed"
        )
    return (
        len(by_status[TrialStatus.COMPLETED])
        + len(by_status[TrialStatus.FAILED])
        + len(by_status[TrialStatus.EARLY_STOPPED])
    )


def checked_experiment(experiment: Experiment) -> Experiment:
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"OptimizationLoop: experiment must be an Experiment, got {type(experiment).__name__}"
        )
    label = f"OptimizationLoop: experiment {experiment._name!r}"
    if isinstance(experiment, SimpleExperiment):
        if not experiment.has_evaluation_function:
            raise UserInputError(
                f"{label} is a SimpleExperiment without an evaluation function; set "
                "experiment.evaluation_function"
            )
    elif experiment.runner is None:
        raise UserInputError(
            f"{label} needs a runner (or use a SimpleExperiment with an evaluation function)"
        )
    if experiment.optimization_config is None:
        raise UserInputError(f"{label} needs an optimization config (an objective)")
    return experiment


def checked_int(field: str, value: Any, minimum: int) -> int:
    return check_int("OptimizationLoop", field, value, minimum, repeat_field=False)


def checked_bool(field: str, value: Any) -> bool:
    return check_bool("OptimizationLoop", field, value)


def checked_wait_time(value: Any) -> float:
    return check_float(
        "OptimizationLoop", "wait_time", value, 0, noun="a number of seconds", repeat_field=False
    )


# ---------------------------------------------------------------------------- import paths

_MODULE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
_QUALNAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def import_class(path: Any, base: type, field: str) -> Any:
    """The class named by ``"module:Qual.Name"`` or ``"module.Name"``, a subclass of base."""
    if not isinstance(path, str):
        raise UserInputError(
            f"{field} must be a string 'package.module:ClassName', got {path!r} "
            f"({type(path).__name__})"
        )
    if ":" in path:
        module_name, _, qualname = path.partition(":")
    else:
        module_name, _, qualname = path.rpartition(".")
    if not _MODULE.match(module_name) or not _QUALNAME.match(qualname):
        raise UserInputError(
            f"{field} {path!r}: expected 'package.module:ClassName' or 'package.module.ClassName'"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise UserInputError(
            f"{field} {path!r}: cannot import module {module_name!r}: {err}"
        ) from err
    obj: Any = module
    for part in qualname.split("."):
        if not hasattr(obj, part):
            raise UserInputError(
                f"{field} {path!r}: module {module_name!r} has no attribute {qualname!r}"
            )
        obj = getattr(obj, part)
    if not isinstance(obj, type) or not issubclass(obj, base):
        raise UserInputError(
            f"{field} {path!r}: {qualname!r} is not a subclass of {base.__name__}, got {obj!r}"
        )
    return obj


def build_metrics(
    paths_to_metrics: Union[Sequence[str], Mapping[str, str]], objective_name: Optional[str]
) -> List[Metric]:
    named: List[Tuple[str, str, Type[Metric]]] = []
    if isinstance(paths_to_metrics, Mapping):
        for name, path in paths_to_metrics.items():
            named.append((str(name), path, import_class(path, Metric, "paths_to_metrics")))
    elif isinstance(paths_to_metrics, (str, bytes)) or not isinstance(paths_to_metrics, Sequence):
        raise UserInputError(
            "paths_to_metrics must be a list of 'package.module:ClassName' paths or a dict "
            f"{{metric name: path}}, got {paths_to_metrics!r}"
        )
    else:
        for i, path in enumerate(paths_to_metrics):
            cls = import_class(path, Metric, "paths_to_metrics")
            name = objective_name if i == 0 and objective_name else cls.__name__
            named.append((name, path, cls))
    if not named:
        raise UserInputError("paths_to_metrics must name at least one metric, got none")
    metrics: List[Metric] = []
    for name, path, cls in named:
        try:
            metrics.append(cls(name=name))
        except Exception as err:
            raise UserInputError(
                f"paths_to_metrics {path!r}: {cls.__name__}(name={name!r}) failed: "
                f"{type(err).__name__}: {err}"
            ) from err
    return metrics
