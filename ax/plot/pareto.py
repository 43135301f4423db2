"""The observed Pareto frontier of a multi-objective experiment, its hypervolume and its
trace over trials (no plotly, no pandas, no torch).

A completed, in-design arm with a value for every objective is a *point*. It is
*feasible* when it meets every outcome constraint (relative ones against the status quo
of the same trial), and *within thresholds* when it meets every objective threshold.
The frontier is the set of feasible points within thresholds that no other such point
dominates. The hypervolume is measured above the *reference point*: the user's
thresholds where given; else the reference point the model inferred and reported in
the latest generator run's ``gen_metadata["objective_thresholds_original"]``; else one
inferred from the data (:func:`ax.plot.hypervolume.infer_reference_point`).

Example:
    >>> frontier = observed_frontier(experiment)
    >>> [(p.trial_index, p.means["acc"]) for p in frontier.pareto_points]
"""

from __future__ import annotations

import math
from typing import Dict, List, NamedTuple, Optional

import numpy as np

from ax.core.experiment import Experiment
from ax.core.optimization_config import MultiObjectiveOptimizationConfig
from ax.core.types import TParameterization, TrialStatus
from ax.plot.exp_utils import ArmRow, arm_rows
from ax.plot.hypervolume import add_to_front, hypervolume, infer_reference_point, pareto_mask

REFERENCE_FROM_THRESHOLD = "threshold"
REFERENCE_FROM_MODEL = "model"
REFERENCE_FROM_DATA = "data"


class ParetoPoint(NamedTuple):
    """One observed arm of a multi-objective experiment."""

    trial_index: int
    arm_name: str
    parameters: TParameterization
    means: Dict[str, float]
    """``{metric: mean}`` of every metric observed for the arm in its trial."""
    feasible: bool
    """Whether the arm meets every outcome constraint."""
    within_thresholds: bool
    """Whether the arm meets every objective threshold."""
    pareto: bool
    """Whether the arm is on the observed frontier."""
    model_key: Optional[str]


class ObservedFrontier(NamedTuple):
    """What :func:`observed_frontier` reads from a multi-objective experiment."""

    objectives: List[str]
    """The objective metrics, in the objective's order."""
    minimize: List[bool]
    thresholds: Dict[str, float]
    """The user's thresholds (absolute; relative ones resolved against the status quo)."""
    reference_point: Dict[str, float]
    """The reference point of the hypervolume, in the metrics' units (empty when there
    is no point to infer it from)."""
    reference_source: Dict[str, str]
    """Per objective: ``"threshold"``, ``"model"`` or ``"data"``."""
    points: List[ParetoPoint]
    hypervolume: float
    trace: List[tuple[int, float]]
    """``(trial index, hypervolume of the frontier after that trial)`` per completed
    trial with a point, in index order."""

    @property
    def pareto_points(self) -> List[ParetoPoint]:
        """The frontier, sorted by the first objective (best first)."""
        front = [p for p in self.points if p.pareto]
        sign = 1.0 if self.minimize[0] else -1.0
        return sorted(front, key=lambda p: (sign * p.means[self.objectives[0]], p.trial_index))


def multi_objective_config(experiment: Experiment) -> Optional[MultiObjectiveOptimizationConfig]:
    """The experiment's config if it is a multi-objective one, else None."""
    config = experiment.optimization_config
    return config if isinstance(config, MultiObjectiveOptimizationConfig) else None


def observed_frontier(
    experiment: Experiment, rows: Optional[List[ArmRow]] = None
) -> Optional[ObservedFrontier]:
    """The observed frontier, hypervolume and trace; None for a single-objective
    experiment (or one without an optimization config).

    Args:
        experiment: The experiment (only attached data is read).
        rows: :func:`ax.plot.exp_utils.arm_rows` of the experiment, if already built.
    """
    config = multi_objective_config(experiment)
    if config is None:
        return None
    rows = rows if rows is not None else arm_rows(experiment)
    names = [m.name for m in config.objective.metrics]
    minimize = [o.minimize for o in config.objective.objectives]
    signs = np.array([-1.0 if m else 1.0 for m in minimize])
    by_key = {(r.trial_index, r.arm_name): r for r in rows}
    status_quo = experiment.status_quo
    thresholds = _absolute_thresholds(config, rows, status_quo.name if status_quo else None)
    space = experiment.search_space
    candidates: List[tuple[ArmRow, bool, bool]] = []
    for row in rows:
        if row.status is not TrialStatus.COMPLETED or not all(n in row.means for n in names):
            continue
        if not space.check_membership(row.parameters):
            continue
        sq_row = by_key.get((row.trial_index, status_quo.name)) if status_quo else None
        feasible = all(
            c.metric.name in row.means
            and c.is_satisfied_by(
                row.means[c.metric.name],
                None if sq_row is None else sq_row.means.get(c.metric.name),
            )
            for c in config.outcome_constraints
        )
        within = all(
            (row.means[n] <= t) if minimize[names.index(n)] else (row.means[n] >= t)
            for n, t in thresholds.items()
        )
        candidates.append((row, feasible, within))
    Y = np.array([[r.means[n] for n in names] for r, _, _ in candidates]).reshape(-1, len(names))
    eligible = np.array([f and w for _, f, w in candidates], dtype=bool)
    on_front = np.zeros(len(candidates), dtype=bool)
    if eligible.any():
        idx = np.flatnonzero(eligible)
        on_front[idx[pareto_mask(Y[idx] * signs)]] = True
    points = [
        ParetoPoint(
            row.trial_index,
            row.arm_name,
            dict(row.parameters),
            dict(row.means),
            feasible,
            within,
            bool(on_front[i]),
            row.model_key,
        )
        for i, (row, feasible, within) in enumerate(candidates)
    ]
    reference, source = _reference_point(experiment, names, signs, thresholds, Y, eligible)
    volume, trace = 0.0, []
    if reference:
        ref = np.array([reference[n] for n in names]) * signs
        trace = _hypervolume_trace(
            [r.trial_index for r, _, _ in candidates], Y * signs, eligible, ref
        )
        volume = trace[-1][1] if trace else 0.0
    return ObservedFrontier(
        objectives=names,
        minimize=minimize,
        thresholds=thresholds,
        reference_point=reference,
        reference_source=source,
        points=points,
        hypervolume=volume,
        trace=trace,
    )


def _hypervolume_trace(
    trial_of: List[int], Y: np.ndarray, eligible: np.ndarray, ref: np.ndarray
) -> List[tuple[int, float]]:
    """``(trial, hypervolume so far)`` per trial with a point, keeping only the running
    frontier between trials (so a long experiment costs one small update per trial)."""
    trace: List[tuple[int, float]] = []
    if not trial_of:
        return trace
    front = np.zeros((0, Y.shape[1]))
    volume = 0.0
    order = np.argsort(np.asarray(trial_of), kind="stable")
    trials = np.asarray(trial_of)[order]
    starts = np.flatnonzero(np.r_[True, trials[1:] != trials[:-1]])
    for start, end in zip(starts, np.r_[starts[1:], len(trials)]):
        rows = order[start:end]
        new = Y[rows[eligible[rows]]]
        joined = False
        for point in new[np.all(new > ref, axis=1)]:
            front, added = add_to_front(front, point)
            joined = joined or added
        if joined:
            volume = hypervolume(front, ref)
        trace.append((int(trials[start]), volume))
    return trace


def _absolute_thresholds(
    config: MultiObjectiveOptimizationConfig, rows: List[ArmRow], status_quo_name: Optional[str]
) -> Dict[str, float]:
    """Thresholds in the metrics' units; a relative one uses the status quo's latest
    observed mean and is left out when there is none."""
    out: Dict[str, float] = {}
    for threshold in config.objective_thresholds:
        name = threshold.metric.name
        if not threshold.relative:
            out[name] = threshold.bound
            continue
        baselines = [
            r.means[name]
            for r in rows
            if r.arm_name == status_quo_name and name in r.means and r.means[name] != 0.0
        ]
        if baselines:
            out[name] = baselines[-1] * (1.0 + threshold.bound / 100.0)
    return out


def model_reference_point(experiment: Experiment) -> Dict[str, float]:
    """The reference point the model used last (``gen_metadata
    ["objective_thresholds_original"]`` of the newest generator run that has one)."""
    trials = experiment.trials
    for index in sorted(trials, reverse=True):
        for run in trials[index].generator_runs:
            meta = run.gen_metadata or {}
            values = meta.get("objective_thresholds_original")
            if isinstance(values, dict) and values:
                return {
                    str(k): float(v)
                    for k, v in values.items()
                    if isinstance(v, (int, float)) and math.isfinite(float(v))
                }
    return {}


def _reference_point(
    experiment: Experiment,
    names: List[str],
    signs: np.ndarray,
    thresholds: Dict[str, float],
    Y: np.ndarray,
    eligible: np.ndarray,
) -> tuple[Dict[str, float], Dict[str, str]]:
    reference: Dict[str, float] = {}
    source: Dict[str, str] = {}
    from_model = model_reference_point(experiment) if len(thresholds) < len(names) else {}
    inferred: Optional[np.ndarray] = None
    for j, name in enumerate(names):
        if name in thresholds:
            reference[name], source[name] = thresholds[name], REFERENCE_FROM_THRESHOLD
        elif name in from_model:
            reference[name], source[name] = from_model[name], REFERENCE_FROM_MODEL
        else:
            if inferred is None:
                pool = Y[eligible] if eligible.any() else Y
                if pool.shape[0] == 0:
                    return {}, {}
                inferred = infer_reference_point(pool * signs) * signs
            reference[name], source[name] = float(inferred[j]), REFERENCE_FROM_DATA
    return reference, source


def tradeoff_table(frontier: ObservedFrontier) -> tuple[List[str], List[List[object]]]:
    """The frontier as a table: ``(header, rows)``, one row per Pareto-optimal arm sorted
    by the first objective; columns ``trial``, ``arm``, the objectives, then the
    parameters."""
    front = frontier.pareto_points
    parameters: List[str] = []
    for p in front:
        parameters += [k for k in p.parameters if k not in parameters]
    header = ["trial", "arm", *frontier.objectives, *parameters]
    body: List[List[object]] = [
        [
            p.trial_index,
            p.arm_name,
            *(p.means[n] for n in frontier.objectives),
            *(p.parameters.get(k) for k in parameters),
        ]
        for p in front
    ]
    return header, body


__all__ = [
    "ObservedFrontier",
    "ParetoPoint",
    "REFERENCE_FROM_DATA",
    "REFERENCE_FROM_MODEL",
    "REFERENCE_FROM_THRESHOLD",
    "model_reference_point",
    "multi_objective_config",
    "observed_frontier",
    "tradeoff_table",
]
