"""What the report and the command line read from an experiment (no plotly, no pandas).

Only data already attached to the experiment is read (``experiment.lookup_data()``):
nothing is fetched or evaluated, so a loaded experiment is shown as it was saved.
"""

from __future__ import annotations

import math
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from ax.core.experiment import Experiment
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import TParameterization, TrialStatus


class ArmRow(NamedTuple):
    """One arm of one trial, with the means of its attached data."""

    trial_index: int
    status: TrialStatus
    arm_name: str
    parameters: TParameterization
    means: Dict[str, float]
    """``{metric name: mean}`` of the latest data attached for this arm in this trial."""
    model_key: Optional[str]
    """Registry key of the generator that proposed the arm's trial (e.g. ``"Sobol"``)."""


class TracePoint(NamedTuple):
    """One completed trial on the optimization trace."""

    trial_index: int
    arm_name: str
    value: float
    best_so_far: float
    model_key: Optional[str]


def metric_means(
    experiment: Experiment, trial_indices: Optional[Iterable[int]] = None
) -> Dict[Tuple[int, str], Dict[str, float]]:
    """``{(trial index, arm name): {metric: mean}}`` from the attached data (of the given
    trials; all by default)."""
    data = experiment.lookup_data(trial_indices)
    columns = data.columns
    means: Dict[Tuple[int, str], Dict[str, float]] = {}
    if not len(data) or "trial_index" not in columns:
        return means
    for trial_index, arm_name, metric_name, mean in zip(
        columns["trial_index"], columns["arm_name"], columns["metric_name"], columns["mean"]
    ):
        if isinstance(trial_index, float) and math.isnan(trial_index):
            continue
        means.setdefault((int(trial_index), str(arm_name)), {})[str(metric_name)] = float(mean)
    return means


def arm_rows(experiment: Experiment, trial_indices: Optional[Iterable[int]] = None) -> List[ArmRow]:
    """Every arm of every trial (or of the given trials), in trial then arm order."""
    trials = experiment.trials  # a copy per access: take it once
    indices = sorted(trials) if trial_indices is None else sorted(set(trial_indices) & set(trials))
    means = metric_means(experiment, None if trial_indices is None else indices)
    rows: List[ArmRow] = []
    for index in indices:
        trial = trials[index]
        runs = trial.generator_runs
        model_key = runs[0].model_key if runs else None
        for arm in trial.arms:
            rows.append(
                ArmRow(
                    trial_index=index,
                    status=trial.status,
                    arm_name=arm.name,
                    parameters=dict(arm.parameters),
                    means=dict(means.get((index, arm.name), {})),
                    model_key=model_key,
                )
            )
    return rows


def objective(experiment: Experiment) -> Optional[Tuple[str, bool]]:
    """``(objective metric name, minimize)``, or None without an optimization config or
    when the objective has several metrics (a multi-objective or a scalarized one; see
    :mod:`ax.plot.pareto` for the former)."""
    config = experiment.optimization_config
    if config is None or len(config.objective.metrics) != 1:
        return None
    return config.objective.metric.name, bool(config.objective.minimize)


def metric_names(experiment: Experiment, rows: List[ArmRow]) -> List[str]:
    """The experiment's metrics (objective first), then any other metric with data."""
    config = experiment.optimization_config
    names: List[str] = [] if config is None else [m.name for m in config.objective.metrics]
    for name in sorted(experiment.metrics):
        if name not in names:
            names.append(name)
    for row in rows:
        for name in sorted(row.means):
            if name not in names:
                names.append(name)
    return names


def objective_trace(
    experiment: Experiment, rows: Optional[List[ArmRow]] = None
) -> List[TracePoint]:
    """The completed trials with objective data, in index order, with the running best.

    A batch trial contributes its best arm. "Best" follows the objective's direction.
    Empty without an optimization config.
    """
    target = objective(experiment)
    if target is None:
        return []
    name, minimize = target
    sign = 1.0 if minimize else -1.0
    by_trial: Dict[int, ArmRow] = {}
    for row in rows if rows is not None else arm_rows(experiment):
        if row.status is not TrialStatus.COMPLETED or name not in row.means:
            continue
        current = by_trial.get(row.trial_index)
        if current is None or sign * row.means[name] < sign * current.means[name]:
            by_trial[row.trial_index] = row
    points: List[TracePoint] = []
    best = math.inf
    for index in sorted(by_trial):
        row = by_trial[index]
        value = row.means[name]
        best = min(best, sign * value)
        points.append(TracePoint(index, row.arm_name, value, sign * best, row.model_key))
    return points


def best_observed(experiment: Experiment, rows: Optional[List[ArmRow]] = None) -> Optional[ArmRow]:
    """The COMPLETED in-design arm with the best objective mean, preferring feasible arms.

    Arms outside the search space (out of design) are shown elsewhere but never "best".

    An arm is feasible when its means satisfy every outcome constraint (a relative one
    against the status quo arm of the same trial; an unknown value counts as
    infeasible). Ties go to the earliest trial. None without an optimization config or
    objective data.
    """
    config = experiment.optimization_config
    target = objective(experiment)
    if config is None or target is None:
        return None
    name, minimize = target
    rows = rows if rows is not None else arm_rows(experiment)
    space = experiment.search_space
    sign = 1.0 if minimize else -1.0
    # Best first; the search-space check (the costly part) runs only until the answer.
    ordered = sorted(
        (r for r in rows if r.status is TrialStatus.COMPLETED and name in r.means),
        key=lambda r: (sign * r.means[name], r.trial_index),
    )
    by_key: Optional[Dict[Tuple[int, str], ArmRow]] = None
    status_quo = experiment.status_quo
    best_in_design: Optional[ArmRow] = None
    for r in ordered:
        if not space.check_membership(r.parameters):
            continue
        if best_in_design is None:
            best_in_design = r
        if not config.outcome_constraints:
            return r
        if by_key is None:
            by_key = {(row.trial_index, row.arm_name): row for row in rows}
        baseline = by_key.get((r.trial_index, status_quo.name)) if status_quo is not None else None
        if all(_satisfies(c, r.means, baseline) for c in config.outcome_constraints):
            return r
    return best_in_design


def _satisfies(
    constraint: OutcomeConstraint, means: Dict[str, float], status_quo: Optional[ArmRow]
) -> bool:
    name = constraint.metric.name
    if name not in means:
        return False
    baseline = None if status_quo is None else status_quo.means.get(name)
    return constraint.is_satisfied_by(means[name], baseline)


def format_value(value: object) -> str:
    """A cell's text: floats to 6 significant digits, None as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def trials_table(experiment: Experiment) -> Tuple[List[str], List[List[str]]]:
    """The trials table as text cells: ``(header, rows)``.

    Columns: ``trial``, ``status``, ``arm``, ``generator``, one per parameter, then one per
    metric (means; empty where there is no data). One row per arm.
    """
    rows = arm_rows(experiment)
    parameters = list(experiment.search_space.parameters)
    metrics = metric_names(experiment, rows)
    header = ["trial", "status", "arm", "generator", *parameters, *metrics]
    body = [
        [
            str(r.trial_index),
            r.status.name,
            r.arm_name,
            r.model_key or "",
            *(format_value(r.parameters.get(p)) for p in parameters),
            *(format_value(r.means.get(m)) for m in metrics),
        ]
        for r in rows
    ]
    return header, body


def format_text_table(header: List[str], rows: List[List[str]]) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]

    def line(cells: List[str]) -> str:
        out = []
        for cell, width in zip(cells, widths):
            out.append(cell.rjust(width) if _is_number(cell) else cell.ljust(width))
        return "  ".join(out).rstrip()

    parts = [line(header), "  ".join("-" * w for w in widths)]
    parts.extend(line(row) for row in rows)
    return "\n".join(parts)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


__all__ = [
    "ArmRow",
    "TracePoint",
    "arm_rows",
    "best_observed",
    "format_text_table",
    "format_value",
    "metric_means",
    "metric_names",
    "objective",
    "objective_trace",
    "trials_table",
]
