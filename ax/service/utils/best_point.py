"""The best point of an experiment: the model's recommendation, else the best observation.

Only COMPLETED trials count as observations: a FAILED or ABANDONED trial is never the best
point, whatever partial data it may have. Out-of-design arms (outside the search space, such
as a production baseline) are not recommended either, unless asked for with
``include_out_of_design=True``: a recommendation is a point one can search. Among
observations, those that satisfy every outcome constraint are preferred; when none does,
the best infeasible one is returned and a warning is logged.

Example:
    >>> parameters, (means, covariances) = get_best_parameters(experiment)
"""

from __future__ import annotations

import json
import math
from typing import Callable, Dict, List, Optional, Tuple

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.objective import ScalarizedObjective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import (
    TModelPredictArm,
    TParameterization,
    TParamValue,
    TrialStatus,
)
from ax.exceptions import NoDataError, UnsupportedError, UserInputError
from ax.utils.logger import get_logger

logger = get_logger(__name__)

TMetricValues = Dict[str, Tuple[float, float]]
"""``{metric name: (mean, sem)}`` of one arm in one trial (``sem`` NaN when unknown)."""


def get_best_from_model_predictions(
    experiment: Experiment,
) -> Optional[Tuple[TParameterization, TModelPredictArm]]:
    """The best arm recommended by the latest model that recommends one.

    Goes through the trials from the newest; for each, the first generator run (a batch's
    first). Runs made by model-based generators such as GPEI carry the best arm and its
    predicted means and covariances; quasi-random runs (Sobol) do not.

    Returns:
        ``(parameters, (means, covariances))``, or None when no run recommends an arm.
    """
    trials = experiment.trials
    for index in sorted(trials, reverse=True):
        runs = trials[index].generator_runs
        if not runs:
            continue
        best = runs[0].best_arm_predictions
        if best is None:
            continue
        arm, predictions = best
        if predictions is not None:
            return dict(arm.parameters), predictions
    return None


def _completed_data(experiment: Experiment, objective_name: str) -> Data:
    completed = sorted(experiment.trial_indices_by_status[TrialStatus.COMPLETED])
    if not completed:
        return Data()
    data = experiment.lookup_data(completed)
    if objective_name not in set(data.metric_names) and not experiment.is_simple_experiment:
        # Metrics that fetch live may not have attached their data.
        data = experiment.fetch_trials_data(completed)
    return data


TRowFilter = Callable[[str, Optional[str]], bool]
"""Whether a data row (arm name, ``fidelities`` JSON or None) counts."""


def _values_by_trial_arm(
    data: Data, keep: Optional[TRowFilter] = None
) -> Dict[Tuple[int, str], TMetricValues]:
    columns = data.columns
    values: Dict[Tuple[int, str], TMetricValues] = {}
    if not len(data) or "trial_index" not in columns:
        return values
    fidelities = columns["fidelities"] if "fidelities" in columns else [None] * len(data)
    for trial_index, arm_name, metric_name, mean, sem, fidelity in zip(
        columns["trial_index"],
        columns["arm_name"],
        columns["metric_name"],
        columns["mean"],
        columns["sem"] if "sem" in columns else [math.nan] * len(data),
        fidelities,
    ):
        if keep is not None and not keep(str(arm_name), fidelity):
            continue
        key = (int(trial_index), str(arm_name))
        values.setdefault(key, {})[str(metric_name)] = (float(mean), float(sem))
    return values


def _satisfies(
    constraint: OutcomeConstraint,
    values: TMetricValues,
    status_quo_values: Optional[TMetricValues],
) -> bool:
    """Whether the arm's observed mean meets the constraint (unknown counts as not)."""
    name = constraint.metric.name
    if name not in values:
        return False
    baseline = None
    if status_quo_values is not None and name in status_quo_values:
        baseline = status_quo_values[name][0]
    return constraint.is_satisfied_by(values[name][0], baseline)


def _objective_weights(experiment: Experiment, config: OptimizationConfig) -> Dict[str, float]:
    """``{metric: weight}`` of the objective: ``{name: 1}`` for one metric, the weighted
    sum of a ScalarizedObjective (as in Ax 0.1.13).

    Raises:
        UnsupportedError: A multi-objective (it has a Pareto frontier, not a best point).
    """
    objective = config.objective
    if isinstance(objective, ScalarizedObjective):
        return {m.name: w for m, w in objective.metric_weights}
    if len(objective.metrics) > 1:
        raise UnsupportedError(
            f"get_best_raw_objective_point: experiment {experiment._name!r} has several "
            f"objectives ({objective!r}), so there is no single best point",
            hint="for several objectives use get_pareto_optimal_parameters (the Pareto frontier)",
        )
    return {objective.metric.name: 1.0}


def fidelity_targets(experiment: Experiment) -> Dict[str, TParamValue]:
    """``{fidelity parameter: target value}`` of the experiment's search space."""
    return {
        name: p.target_value
        for name, p in experiment.search_space.parameters.items()
        if p.is_fidelity
    }


def _at_targets(experiment: Experiment, targets: Dict[str, TParamValue]) -> TRowFilter:
    """A row filter keeping observations made at the target fidelities (the arm's
    fidelity values, overridden by the row's ``fidelities`` JSON when present)."""
    arms = experiment.arms_by_name

    def keep(arm_name: str, fidelities: Optional[str]) -> bool:
        arm = arms.get(arm_name)
        values: Dict[str, object] = dict(arm.parameters) if arm is not None else {}
        if isinstance(fidelities, str) and fidelities:
            try:
                values.update(json.loads(fidelities))
            except (TypeError, ValueError):
                return False
        return all(values.get(name) == target for name, target in targets.items())

    return keep


def get_best_raw_objective_point(
    experiment: Experiment,
    optimization_config: Optional[OptimizationConfig] = None,
    include_out_of_design: bool = False,
) -> Tuple[TParameterization, TMetricValues]:
    """The observed arm with the best objective among COMPLETED trials.

    With fidelity parameters, only observations made at the target fidelities count
    (when there is none yet, the best cheaper observation is used, with a warning), and
    the returned parameters are at the target fidelities.

    Arms that satisfy every outcome constraint (relative ones against the status quo of
    the same trial) are preferred; if none does, the best arm overall is returned and a
    warning is logged. Ties go to the earliest trial.

    Args:
        experiment: The experiment.
        optimization_config: The objective and constraints (the experiment's by default).
        include_out_of_design: Whether arms outside the search space may be returned
            (their data still serves as the status quo of relative constraints).

    Returns:
        ``(parameters, {metric: (mean, sem)})`` with every metric observed for that arm in
        that trial.

    Raises:
        UserInputError: There is no optimization config.
        NoDataError: No COMPLETED trial has data for the objective (on an in-design arm,
            unless ``include_out_of_design``).
    """
    config = optimization_config or experiment.optimization_config
    if config is None:
        raise UserInputError(
            f"get_best_raw_objective_point: experiment {experiment._name!r} has no "
            "optimization config; pass optimization_config"
        )
    weights = _objective_weights(experiment, config)
    names = list(weights)
    objective = (
        names[0] if len(names) == 1 else " + ".join(f"{w:g}*{n}" for n, w in weights.items())
    )

    def observed(v: TMetricValues) -> bool:
        return all(n in v for n in names)

    def score(v: TMetricValues) -> float:
        return sum(w * v[n][0] for n, w in weights.items())

    data = _completed_data(experiment, names[0])
    targets = fidelity_targets(experiment)
    values = _values_by_trial_arm(data, _at_targets(experiment, targets) if targets else None)
    candidates = [(key, v) for key, v in values.items() if observed(v)]
    if targets and not candidates:
        values = _values_by_trial_arm(data)
        candidates = [(key, v) for key, v in values.items() if observed(v)]
        if candidates:
            logger.warning(
                "Experiment %r has no observation at the target fidelities %s yet; the best "
                "point is the best observation at a cheaper fidelity, moved to the targets "
                "(its values were observed at the cheaper fidelity).",
                experiment._name,
                targets,
            )
    if candidates and not include_out_of_design:
        arms, space = experiment.arms_by_name, experiment.search_space
        in_design = [kv for kv in candidates if space.check_membership(arms[kv[0][1]].parameters)]
        if not in_design:
            raise NoDataError(
                f"get_best_raw_objective_point: experiment {experiment._name!r} has objective "
                f"data only for out-of-design arms {sorted({k[1] for k, _ in candidates})}",
                hint="pass include_out_of_design=True to consider them",
            )
        candidates = in_design
    if not candidates:
        raise NoDataError(
            f"get_best_raw_objective_point: experiment {experiment._name!r} has no completed "
            f"trial with data for objective {objective!r}"
        )
    trials = experiment.trials
    feasible: List[Tuple[Tuple[int, str], TMetricValues]] = []
    for key, arm_values in candidates:
        status_quo = getattr(trials[key[0]], "status_quo", None) or experiment.status_quo
        sq_values = None if status_quo is None else values.get((key[0], status_quo.name))
        if all(_satisfies(c, arm_values, sq_values) for c in config.outcome_constraints):
            feasible.append((key, arm_values))
    pool = feasible or candidates
    if not feasible:
        logger.warning(
            "No completed arm of experiment %r satisfies the outcome constraints %s; "
            "returning the best infeasible arm.",
            experiment._name,
            config.outcome_constraints,
        )
    sign = 1.0 if config.objective.minimize else -1.0
    best_key, best_values = min(pool, key=lambda kv: (sign * score(kv[1]), kv[0][0]))
    arm = experiment.arms_by_name[best_key[1]]
    # With fidelity parameters, the recommendation is at the target fidelities.
    return {**arm.parameters, **targets}, best_values


def get_best_parameters(
    experiment: Experiment, include_out_of_design: bool = False
) -> Optional[Tuple[TParameterization, TModelPredictArm]]:
    """The best parameters and their values: model predictions first, else observations.

    Args:
        experiment: The experiment.
        include_out_of_design: Whether an observed arm outside the search space may be
            returned (see :func:`get_best_raw_objective_point`).

    Returns:
        ``(parameters, (means, covariances))``: from the latest model's recommendation
        (``{metric: predicted mean}``, ``{m1: {m2: covariance}}``), or from the best
        observation (``{metric: mean}``, ``{metric: {metric: sem ** 2}}``, NaN when the
        SEM is unknown); None when no COMPLETED trial has objective data.
    """
    from_model = get_best_from_model_predictions(experiment)
    if from_model is not None:
        return from_model
    try:
        parameters, values = get_best_raw_objective_point(
            experiment, include_out_of_design=include_out_of_design
        )
    except NoDataError:
        return None
    means = {m: mean for m, (mean, _) in values.items()}
    covariances = {m: {m: sem * sem} for m, (_, sem) in values.items()}
    return parameters, (means, covariances)


__all__ = [
    "TMetricValues",
    "fidelity_targets",
    "get_best_from_model_predictions",
    "get_best_parameters",
    "get_best_raw_objective_point",
]
