"""What :class:`~ax.service.ax_client.AxClient` needs for several objectives: the
experiment from ``objectives={name: ObjectiveProperties}`` and the objective names that
a reported result must contain.

Example:
    >>> experiment = make_multi_objective_experiment(
    ...     "AxClient.create_experiment",
    ...     {"acc": ObjectiveProperties(minimize=False, threshold=0.9),
    ...      "latency": ObjectiveProperties(minimize=True)},
    ...     None, False, [],
    ...     parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}])
"""

from __future__ import annotations

from typing import Any, List, Mapping, Sequence

from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.exceptions import UserInputError
from ax.service.utils.instantiation import check_single_or_multi, make_experiment
from ax.service.utils.objective_properties import objective_properties


def objective_names(experiment: Experiment, function: str) -> List[str]:
    """The objective metrics' names (one for a single objective).

    Raises:
        UserInputError: The experiment has no optimization config.
    """
    config = experiment.optimization_config
    if config is None:  # pragma: no cover - the front doors always set one
        raise UserInputError(f"{function}: the experiment has no optimization config")
    return [m.name for m in config.objective.metrics]


def make_multi_objective_experiment(
    function: str,
    objectives: Mapping[str, Any],
    objective_name: Any,
    minimize: Any,
    tracking: Sequence[str],
    **kwargs: Any,
) -> Experiment:
    """A multi-objective experiment for ``AxClient.create_experiment(objectives=...)``.

    Args:
        function: The caller's name, for messages.
        objectives: ``{metric name: ObjectiveProperties}``.
        objective_name: Must be None (the single-objective form is not mixed in).
        minimize: Must be False (set directions through ``ObjectiveProperties``).
        tracking: Extra tracking metric names.
        kwargs: Other :func:`~ax.service.utils.instantiation.make_experiment` arguments.

    Raises:
        UserInputError: Both forms were given, or ``objectives`` is invalid (the message
            names the entry and value).
    """
    try:
        check_single_or_multi(objective_name, minimize, objectives)
        names = list(objective_properties(objectives))
    except UserInputError as err:
        raise UserInputError(f"{function}: {err.message}", hint=err.hint) from err
    metrics = [Metric(name=n) for n in names] + [Metric(name=m) for m in tracking if m not in names]
    return make_experiment(metrics=metrics, objectives=objectives, **kwargs)


__all__ = ["make_multi_objective_experiment", "objective_names"]
