"""The Pareto-optimal parameters of a multi-objective experiment, observed or predicted.

Observed: the arms of :func:`ax.plot.pareto.observed_frontier` (completed, in design,
meeting every outcome constraint and objective threshold, not dominated), with their
observed means and ``sem ** 2`` as variances. Model-predicted: the same candidate arms,
with the model's predicted means and covariances; feasibility, thresholds and dominance
are judged on the predictions (as later Ax releases do), so noise in one observation
does not put an arm on (or off) the frontier.

Example:
    >>> frontier = get_pareto_optimal_parameters(experiment, model)
    >>> for trial_index, (parameters, (means, covariances)) in frontier.items(): ...
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import numpy as np

from ax.core.experiment import Experiment
from ax.core.observation import ObservationFeatures
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.types import TModelPredictArm, TParameterization
from ax.exceptions import DataRequiredError, UnsupportedError
from ax.plot.hypervolume import pareto_mask
from ax.plot.pareto import ObservedFrontier, ParetoPoint, observed_frontier
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge

logger = get_logger(__name__)

TParetoFrontier = Dict[int, Tuple[TParameterization, TModelPredictArm]]
"""``{trial index: (parameters, (means, covariances))}``."""


def require_multi_objective(
    experiment: Experiment, function: str
) -> MultiObjectiveOptimizationConfig:
    """The experiment's multi-objective config.

    Raises:
        UnsupportedError: The experiment has a single objective (or none).
    """
    config = experiment.optimization_config
    if not isinstance(config, MultiObjectiveOptimizationConfig):
        raise UnsupportedError(
            f"{function}: experiment {experiment._name!r} has a single objective "
            f"({None if config is None else config.objective!r}); a Pareto frontier needs "
            "several objectives",
            hint="use get_best_parameters for a single objective, or create the experiment "
            "with objectives={name: ObjectiveProperties(...), ...}",
        )
    return config


def checked_frontier(experiment: Experiment, function: str) -> ObservedFrontier:
    """The observed frontier, or an error saying why there is none.

    Raises:
        UnsupportedError: The experiment is not multi-objective.
        DataRequiredError: Completed trials exist, but every one breaks an outcome
            constraint or an objective threshold (the message names them), so no
            frontier exists.
    """
    config = require_multi_objective(experiment, function)
    frontier = observed_frontier(experiment)
    if frontier is None:  # pragma: no cover - a multi-objective config always gives one
        raise UnsupportedError(f"{function}: experiment {experiment._name!r} has no frontier")
    if frontier.points and not any(p.pareto for p in frontier.points):
        raise DataRequiredError(_infeasible_message(function, experiment, config, frontier))
    return frontier


def observed_hypervolume(experiment: Experiment, function: str) -> float:
    """The hypervolume of the observed frontier (0 before any point).

    Raises:
        UnsupportedError: The experiment is not multi-objective.
    """
    require_multi_objective(experiment, function)
    frontier = observed_frontier(experiment)
    return 0.0 if frontier is None else frontier.hypervolume


def get_pareto_optimal_parameters(
    experiment: Experiment,
    model: Optional[ModelBridge] = None,
    use_model_predictions: bool = True,
    function: str = "get_pareto_optimal_parameters",
) -> TParetoFrontier:
    """The Pareto-optimal arms and their objective values.

    Args:
        experiment: A multi-objective experiment.
        model: A fitted model bridge that predicts every objective (and constrained)
            metric; used when ``use_model_predictions``. Without one, or when it cannot
            predict, the observed frontier is returned (and a warning is logged).
        use_model_predictions: Judge and report arms on the model's predictions instead
            of the raw observations.
        function: The caller's name, for messages.

    Returns:
        ``{trial index: (parameters, (means, covariances))}`` in trial order; empty when
        no trial has completed with every objective yet.

    Raises:
        UnsupportedError: The experiment is not multi-objective.
        DataRequiredError: Every completed trial breaks an outcome constraint or an
            objective threshold, so no frontier exists.
    """
    config = require_multi_objective(experiment, function)
    frontier = checked_frontier(experiment, function)
    if use_model_predictions and model is not None and frontier.points:
        predicted = _predicted_frontier(experiment, config, frontier, model, function)
        if predicted is not None:
            return predicted
    elif use_model_predictions and frontier.points:
        logger.warning(
            "%s: no fitted model to predict with yet; returning the observed frontier.",
            function,
        )
    sems = _sems(experiment)
    out: TParetoFrontier = {}
    for point in sorted(frontier.pareto_points, key=lambda p: (p.trial_index, p.arm_name)):
        key = (point.trial_index, point.arm_name)
        means = dict(point.means)
        covariances = {m: {m: sems.get((key, m), math.nan) ** 2} for m in means}
        out.setdefault(point.trial_index, (dict(point.parameters), (means, covariances)))
    return out


def _predicted_frontier(
    experiment: Experiment,
    config: MultiObjectiveOptimizationConfig,
    frontier: ObservedFrontier,
    model: ModelBridge,
    function: str,
) -> Optional[TParetoFrontier]:
    points = frontier.points
    try:
        means, covs = model.predict([ObservationFeatures(dict(p.parameters)) for p in points])
    except (NotImplementedError, ValueError, TypeError) as err:
        logger.warning(
            "%s: the model cannot predict (%s); returning the observed frontier.", function, err
        )
        return None
    names = frontier.objectives
    needed = names + [c.metric.name for c in config.outcome_constraints]
    if any(n not in means for n in needed):
        logger.warning(
            "%s: the model does not predict every metric of %s; returning the observed frontier.",
            function,
            needed,
        )
        return None
    thresholds = frontier.thresholds
    eligible = []
    for i, _ in enumerate(points):
        values = {m: means[m][i] for m in means}
        ok = all(
            c.metric.name in values and c.is_satisfied_by(values[c.metric.name])
            for c in config.outcome_constraints
            if not c.relative
        ) and all(
            (values[n] <= t) if frontier.minimize[names.index(n)] else (values[n] >= t)
            for n, t in thresholds.items()
        )
        eligible.append(ok)
    if not any(eligible):
        raise DataRequiredError(
            f"{function}: the model predicts that every observed arm of experiment "
            f"{experiment._name!r} breaks an outcome constraint or objective threshold "
            f"(constraints {config.outcome_constraints}, thresholds "
            f"{config.objective_thresholds}); no predicted frontier exists",
            hint="run more trials, relax the thresholds, or pass "
            "use_model_predictions=False for the observed frontier",
        )
    signs = np.array([-1.0 if m else 1.0 for m in frontier.minimize])
    Y = np.array([[means[n][i] for n in names] for i in range(len(points))]) * signs
    idx = np.flatnonzero(eligible)
    keep = idx[pareto_mask(Y[idx])]
    out: TParetoFrontier = {}
    for i in sorted(keep.tolist(), key=lambda i: (points[i].trial_index, points[i].arm_name)):
        point: ParetoPoint = points[i]
        arm_means = {m: float(values[i]) for m, values in means.items()}
        arm_covs = {
            m1: {m2: float(values[i]) for m2, values in inner.items()} for m1, inner in covs.items()
        }
        out.setdefault(point.trial_index, (dict(point.parameters), (arm_means, arm_covs)))
    return out


def _sems(experiment: Experiment) -> Dict[Tuple[Tuple[int, str], str], float]:
    data = experiment.lookup_data()
    columns = data.columns
    out: Dict[Tuple[Tuple[int, str], str], float] = {}
    if not len(data) or "sem" not in columns:
        return out
    for t, a, m, s in zip(
        columns["trial_index"], columns["arm_name"], columns["metric_name"], columns["sem"]
    ):
        out[((int(t), str(a)), str(m))] = float(s)
    return out


def _infeasible_message(
    function: str,
    experiment: Experiment,
    config: MultiObjectiveOptimizationConfig,
    frontier: ObservedFrontier,
) -> str:
    broken: List[str] = []
    infeasible = sum(not p.feasible for p in frontier.points)
    outside = sum(p.feasible and not p.within_thresholds for p in frontier.points)
    if infeasible:
        broken.append(f"{infeasible} break the outcome constraints {config.outcome_constraints}")
    if outside:
        broken.append(
            f"{outside} meet them but miss the objective thresholds {config.objective_thresholds}"
        )
    return (
        f"{function}: every completed trial of experiment {experiment._name!r} is "
        f"infeasible, so no Pareto frontier exists: of {len(frontier.points)} arm(s) with "
        f"every objective, {' and '.join(broken)}"
    )


__all__ = [
    "TParetoFrontier",
    "checked_frontier",
    "get_pareto_optimal_parameters",
    "observed_hypervolume",
    "require_multi_objective",
]
