"""What the dashboard's pages show, as JSON-ready values built from a snapshot.

Figures are the HTML report's (:mod:`ax.plot.figures`), serialised by plotly. Views are
cached per experiment by the snapshot's change marker, so polling an unchanged 5,000-trial
experiment costs one marker query. The model (for the contour, slice and feature
importances) is fitted only when it is cheap: up to :data:`MODEL_MAX_POINTS` completed
trials, at most once per :data:`MODEL_REFRESH_S` seconds per experiment, so that a
dashboard left open does not take CPU away from the run it watches.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.dashboard.store import PER_TRIAL, Snapshot
from ax.exceptions import AxError
from ax.plot.exp_utils import ArmRow, arm_rows, best_observed, metric_names, objective
from ax.plot.exp_utils import objective_trace as trace_of

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge
    from ax.modelbridge.generation_strategy import GenerationStrategy
    from ax.plot.pareto import ObservedFrontier

logger = logging.getLogger(__name__)

MODEL_MIN_POINTS = 3
"""Completed trials with objective data needed before a model is fitted."""
MODEL_MAX_POINTS = 300
"""Above this many completed trials the dashboard fits no model (a GP fit grows as n^3)."""
MODEL_REFRESH_S = 30.0
"""A fitted model is reused for this long even when the experiment changed."""
NOTES_KEY = "dashboard_notes"
"""``trial.run_metadata[NOTES_KEY]``: the notes added from the dashboard (a list of dicts)."""


# ---------------------------------------------------------------------- optional views


def has_pareto_view(experiment: Experiment) -> bool:
    """Whether the experiment has a Pareto frontier to show: a multi-objective config."""
    from ax.plot.pareto import multi_objective_config

    return multi_objective_config(experiment) is not None


def has_learning_curves(experiment: Experiment) -> bool:
    """Whether the experiment has learning curves to show: intermediate results were
    reported for some trial (its progression data is not empty)."""
    return len(experiment.progression_data) > 0


def frontier_of(snapshot: Snapshot) -> Optional[ObservedFrontier]:
    """:func:`~ax.plot.pareto.observed_frontier` of the snapshot (None for a single
    objective), computed once per snapshot."""
    from ax.plot.pareto import observed_frontier

    if "frontier" not in snapshot.derived:
        snapshot.derived["frontier"] = observed_frontier(snapshot.experiment, rows_of(snapshot))
    frontier: Optional[ObservedFrontier] = snapshot.derived["frontier"]
    return frontier


def pareto_figures(frontier: Optional[ObservedFrontier]) -> Dict[str, Any]:
    """The report's multi-objective figures: ``pareto`` (observed points, frontier,
    thresholds) and ``hypervolume`` (its trace over trials), as
    :class:`~ax.plot.figures.FigureResult` by key; empty for a single objective."""
    from ax.plot.pareto_figures import hypervolume_figure, pareto_figure

    if frontier is None:
        return {}
    return {"pareto": pareto_figure(frontier), "hypervolume": hypervolume_figure(frontier)}


def learning_curves(experiment: Experiment) -> Any:
    """The report's learning-curve figure (all curves, early-stopped ones marked) as a
    :class:`~ax.plot.figures.FigureResult`."""
    from ax.plot.learning_curves import learning_curves_figure

    return learning_curves_figure(experiment)


# ---------------------------------------------------------------------- summaries


def experiment_status(experiment: Experiment) -> str:
    """``"empty"`` (no trials), ``"running"`` (a trial is not yet completed, failed or
    abandoned) or ``"idle"``."""
    if not experiment.trials:
        return "empty"
    by_status = experiment.trial_indices_by_status
    return "running" if any(ids for s, ids in by_status.items() if not s.is_terminal) else "idle"


_ROWS_BY_TRIAL = PER_TRIAL + "rows"
_TABLE_ROWS = PER_TRIAL + "table"
_TABLE_COLUMNS = PER_TRIAL + "table_columns"


def rows_of(snapshot: Snapshot) -> List[ArmRow]:
    """:func:`~ax.plot.exp_utils.arm_rows` of the snapshot, computed once per snapshot;
    after an incremental read, only the changed trials' rows are computed again."""
    rows = snapshot.derived.get("rows")
    if rows is None:
        by_trial = _updated_per_trial(snapshot, _ROWS_BY_TRIAL)  # without changed trials
        todo = None if by_trial is None else snapshot.changed
        by_trial = {} if by_trial is None else by_trial
        for row in arm_rows(snapshot.experiment, todo):
            by_trial.setdefault(row.trial_index, []).append(row)
        snapshot.derived[_ROWS_BY_TRIAL] = by_trial
        rows = snapshot.derived["rows"] = [r for i in sorted(by_trial) for r in by_trial[i]]
    result: List[ArmRow] = rows
    return result


def _updated_per_trial(snapshot: Snapshot, key: str) -> Optional[Dict[int, Any]]:
    """A copy of the per-trial cache ``key`` carried from the previous snapshot, without
    the trials that changed since; None when there is nothing to carry (read whole)."""
    carried = snapshot.derived.get(key)
    if carried is None or snapshot.changed is None:
        return None
    fresh = dict(carried)
    for index in snapshot.changed:
        fresh.pop(index, None)
    return fresh


def summary(snapshot: Snapshot) -> Dict[str, Any]:
    """One line of the list page: name, status, trial counts, best value, last change."""
    experiment = snapshot.experiment
    rows = rows_of(snapshot)
    counts: Dict[str, int] = {}
    for trial in experiment.trials.values():
        counts[trial.status.name] = counts.get(trial.status.name, 0) + 1
    target = objective(experiment)
    best = best_observed(experiment, rows)
    best_value = None
    if best is not None and target is not None:
        best_value = {
            "value": _number(best.means[target[0]]),
            "trial": best.trial_index,
            "arm": best.arm_name,
            "parameters": {k: _scalar(v) for k, v in best.parameters.items()},
        }
    frontier = frontier_of(snapshot)
    return {
        "name": snapshot.name,
        "description": experiment.description or "",
        "objectives": None
        if frontier is None
        else [{"name": n, "minimize": m} for n, m in zip(frontier.objectives, frontier.minimize)],
        "early_stopping": _early_stopping_line(experiment),
        "frontier": None
        if frontier is None
        else {
            "points": len(frontier.pareto_points),
            "hypervolume": _number(frontier.hypervolume),
        },
        "status": experiment_status(experiment),
        "trials": len(experiment.trials),
        "counts": dict(sorted(counts.items())),
        "objective": None if target is None else {"name": target[0], "minimize": target[1]},
        "best": best_value,
        "updated_at": _last_change(snapshot),
        "marker": snapshot.marker,
    }


def _early_stopping_line(experiment: Experiment) -> Optional[str]:
    """What early stopping saved (``ax show``'s line), None without intermediate results."""
    if not has_learning_curves(experiment):
        return None
    from ax.plot.learning_curves import compute_saved

    return compute_saved(experiment).describe()


def _last_change(snapshot: Snapshot) -> Optional[str]:
    """When the store last changed the experiment (UTC, ISO 8601), else the newest
    trial time (local)."""
    stamp = snapshot.updated_at
    if stamp is not None:
        if stamp.tzinfo is None:  # the SQL store writes naive UTC
            stamp = stamp.replace(tzinfo=datetime.timezone.utc)
        return stamp.isoformat(timespec="seconds")
    times = [
        t
        for trial in snapshot.experiment.trials.values()
        for t in (trial.time_created, trial.time_run_started, trial.time_completed)
        if t is not None
    ]
    return max(times).isoformat(timespec="seconds") if times else None


# ---------------------------------------------------------------------- trials table


def trials_table(
    experiment: Experiment, rows: List[ArmRow], snapshot: Optional[Snapshot] = None
) -> Dict[str, Any]:
    """Columns and one row per arm: trial, status, arm, generator, parameters, metric
    means, the failure or abandonment reason and the notes added from the dashboard.

    Values stay numbers where they are numbers, so the page sorts them as numbers.
    Given the ``snapshot`` the rows come from, each trial's table rows are kept in it and
    carried to the next incremental snapshot while the columns stay the same.
    """
    columns, per_trial = _table(experiment, rows, snapshot)
    return {"columns": columns, "rows": [row for built in per_trial for row in built[0]]}


def trials_table_json(experiment: Experiment, rows: List[ArmRow], snapshot: Snapshot) -> str:
    """:func:`trials_table` as JSON text, each trial's rows serialised once and kept in
    the snapshot (what a 5,000-trial page costs after one trial changed: one row)."""
    columns, per_trial = _table(experiment, rows, snapshot)
    head = json.dumps(columns, allow_nan=False, separators=(",", ":"))
    body = ",".join(built[1] for built in per_trial if built[1])
    return '{"columns":' + head + ',"rows":[' + body + "]}"


_TrialRows = Tuple[List[List[Any]], str]
"""One trial's table rows and their JSON text (the rows joined by commas, no brackets)."""


def _table(
    experiment: Experiment, rows: List[ArmRow], snapshot: Optional[Snapshot]
) -> Tuple[List[Dict[str, str]], List[_TrialRows]]:
    parameters = list(experiment.search_space.parameters)
    metrics = metric_names(experiment, rows)
    columns = [
        {"key": "trial", "label": "trial", "kind": "number"},
        {"key": "status", "label": "status", "kind": "text"},
        {"key": "arm", "label": "arm", "kind": "text"},
        {"key": "generator", "label": "generator", "kind": "text"},
        *({"key": f"p:{p}", "label": p, "kind": "param"} for p in parameters),
        *({"key": f"m:{m}", "label": m, "kind": "metric"} for m in metrics),
        {"key": "reason", "label": "reason", "kind": "text"},
        {"key": "notes", "label": "notes", "kind": "text"},
    ]
    keys = tuple(c["key"] for c in columns)
    kept: Dict[int, _TrialRows] = {}
    if snapshot is not None:
        carried = _updated_per_trial(snapshot, _TABLE_ROWS)
        if carried is not None and snapshot.derived.get(_TABLE_COLUMNS) == keys:
            kept = carried
    by_trial: Dict[int, List[List[Any]]] = {}
    trials = experiment.trials
    for r in rows:
        if r.trial_index in kept:
            continue
        trial = trials[r.trial_index]
        by_trial.setdefault(r.trial_index, []).append(
            [
                r.trial_index,
                r.status.name,
                r.arm_name,
                r.model_key or "",
                *[_scalar(r.parameters.get(p)) for p in parameters],
                *[_scalar(r.means.get(m)) for m in metrics],
                _reason(trial),
                "\n".join(n.get("text", "") for n in trial_notes(trial)),
            ]
        )
    for index, built in by_trial.items():
        text = ",".join(json.dumps(row, allow_nan=False, separators=(",", ":")) for row in built)
        kept[index] = (built, text)
    if snapshot is not None:
        snapshot.derived[_TABLE_ROWS] = kept
        snapshot.derived[_TABLE_COLUMNS] = keys
    order = sorted({r.trial_index for r in rows})
    return columns, [kept[i] for i in order]


def _reason(trial: BaseTrial) -> str:
    if trial.status is TrialStatus.FAILED:
        return trial.failed_reason or ""
    if trial.status is TrialStatus.ABANDONED:
        return trial.abandoned_reason or ""
    if trial.status is TrialStatus.EARLY_STOPPED:
        return trial.early_stopped_reason or ""
    return ""


def trial_notes(trial: BaseTrial) -> List[Dict[str, str]]:
    """The notes added to ``trial`` from the dashboard (oldest first)."""
    notes = trial.run_metadata.get(NOTES_KEY)
    if not isinstance(notes, list):
        return []
    return [n for n in notes if isinstance(n, dict)]


# ---------------------------------------------------------------------- strategy


def strategy_view(strategy: Optional[GenerationStrategy]) -> Optional[Dict[str, Any]]:
    """The generation strategy's steps, trials made by each, and the current step."""
    if strategy is None:
        return None
    experiment = strategy.experiment
    by_step = strategy.trial_indices_by_step
    current = strategy.current_step_index
    done = (
        set() if experiment is None else experiment.trial_indices_by_status[TrialStatus.COMPLETED]
    )
    steps = []
    for step in strategy.steps:
        indices = by_step.get(step.index, [])
        completed = len(done.intersection(indices))
        steps.append(
            {
                "index": step.index,
                "model": step.model_name,
                "num_trials": step.num_trials,
                "min_trials_observed": step.min_trials_observed,
                "max_parallelism": step.max_parallelism,
                "trials": len(indices),
                "completed": completed,
                "state": "current"
                if step.index == current
                else ("done" if step.index < current else "next"),
            }
        )
    return {"name": strategy.name, "current": current, "steps": steps}


# ---------------------------------------------------------------------- the page


@dataclass
class _Cached:
    marker: str
    text: str


class ViewCache:
    """The experiment views (JSON text), rebuilt only when the snapshot's marker moves;
    and the model figures, refitted at most once per :data:`MODEL_REFRESH_S`."""

    def __init__(
        self, model_refresh_s: float = MODEL_REFRESH_S, model_threads: Optional[int] = None
    ) -> None:
        self.model_threads = model_threads
        self._views: Dict[str, _Cached] = {}
        self._models: Dict[str, Tuple[float, _Cached]] = {}
        self._lock = threading.Lock()
        self._locks: Dict[str, threading.Lock] = {}
        self.model_refresh_s = model_refresh_s

    def _name_lock(self, key: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def experiment_json(self, snapshot: Snapshot, actions: bool) -> str:
        """:func:`experiment_view` as JSON text (cached by marker)."""
        key = f"view:{actions}:{snapshot.name}"
        with self._name_lock(key):
            cached = self._views.get(key)
            if cached is None or cached.marker != snapshot.marker:
                cached = _Cached(snapshot.marker, experiment_view_json(snapshot, actions))
                self._views[key] = cached
            return cached.text

    def summary(self, snapshot: Snapshot) -> Dict[str, Any]:
        """:func:`summary` (cached by marker)."""
        key = f"summary:{snapshot.name}"
        cached = self._views.get(key)
        if cached is None or cached.marker != snapshot.marker:
            cached = _Cached(snapshot.marker, json.dumps(summary(snapshot)))
            self._views[key] = cached
        result: Dict[str, Any] = json.loads(cached.text)
        return result

    def model_json(self, snapshot: Snapshot) -> str:
        """:func:`model_view_json`, refitted only when the experiment changed and the last
        fit is older than ``model_refresh_s``."""
        key = snapshot.name
        with self._name_lock(f"model:{key}"):
            entry = self._models.get(key)
            now = time.monotonic()
            if entry is not None and (
                entry[1].marker == snapshot.marker or now - entry[0] < self.model_refresh_s
            ):
                return entry[1].text
            if self.model_threads is not None:
                import torch

                if torch.get_num_threads() != self.model_threads:
                    torch.set_num_threads(self.model_threads)
            text = model_view_json(snapshot)
            self._models[key] = (time.monotonic(), _Cached(snapshot.marker, text))
            return text


def experiment_view_json(snapshot: Snapshot, actions: bool) -> str:
    """Everything the experiment page shows except the model's figures, as JSON text.

    Keys: ``summary``, ``trials`` (see :func:`trials_table`), ``strategy`` (see
    :func:`strategy_view`), ``figures`` (``trace``, ``parameters``, and ``pareto`` /
    ``curves`` when the experiment has them: plotly figure JSON or null), ``notes``
    (why a figure is missing), ``actions`` (whether writes are allowed), ``marker``.
    """
    from ax.plot.figures import parameters_figure, trace_figure

    experiment = snapshot.experiment
    rows = rows_of(snapshot)
    figures: Dict[str, Optional[str]] = {}
    notes: Dict[str, str] = {}
    trace = trace_figure(experiment, trace_of(experiment, rows))
    params = parameters_figure(experiment, rows)
    for key, result in (("trace", trace), ("parameters", params)):
        figures[key] = _figure_json(result.figure)
        if result.note:
            notes[key] = result.note
    if has_pareto_view(experiment):
        for key, result in pareto_figures(frontier_of(snapshot)).items():
            figures[key] = _figure_json(result.figure)
            if result.note:
                notes[key] = result.note
    if has_learning_curves(experiment):
        result = learning_curves(experiment)
        figures["curves"] = _figure_json(result.figure)
        if result.note:
            notes["curves"] = result.note
    view = {
        "summary": summary(snapshot),
        "strategy": strategy_view(snapshot.generation_strategy),
        "notes": notes,
        "actions": actions,
        "marker": snapshot.marker,
    }
    return _with_figures(view, figures, trials=trials_table_json(experiment, rows, snapshot))


def fit_model(
    experiment: Experiment, rows: Optional[List[ArmRow]] = None
) -> Tuple[Optional[ModelBridge], str]:
    """A GP fitted on the completed trials when that is cheap, else None and why.

    Returns:
        ``(bridge, "")`` or ``(None, reason)``.
    """
    target = objective(experiment)
    if target is None:
        return None, "The experiment has no objective to model."
    observed = len(trace_of(experiment, rows))
    if observed < MODEL_MIN_POINTS:
        return None, (
            f"The model is fitted once {MODEL_MIN_POINTS} trials have completed with data "
            f"for {target[0]} ({observed} so far)."
        )
    if observed > MODEL_MAX_POINTS:
        return None, (
            f"No model is fitted above {MODEL_MAX_POINTS} completed trials ({observed} "
            "here): a GP fit on every change would slow the machine the run uses."
        )
    from ax.modelbridge.registry import Models

    try:
        return Models.GPEI(experiment=experiment, data=experiment.lookup_data()), ""
    except (AxError, ValueError, RuntimeError, NotImplementedError) as err:
        logger.info("dashboard: no model for %r: %s", experiment.name, err)
        return None, f"The model could not be fitted: {err}"


def model_view_json(snapshot: Snapshot) -> str:
    """The model's figures: ``contour``, ``slice`` and ``importances`` (plotly JSON or
    null), ``notes`` and ``fitted_on`` (completed trials), as JSON text."""
    from ax.plot.figures import importances_figure, model_figure, model_importances

    experiment = snapshot.experiment
    model, reason = fit_model(experiment, rows_of(snapshot))
    figures: Dict[str, Optional[str]] = {"contour": None, "slice": None, "importances": None}
    notes: Dict[str, str] = {}
    if model is None:
        notes["model"] = reason
    else:
        target = objective(experiment)
        order = None
        if target is not None:
            try:
                ranked = model_importances(model, target[0])
                order = sorted(ranked, key=lambda p: -ranked[p])
            except (AxError, NotImplementedError, ValueError):
                order = None
        for key, result in (
            ("contour", model_figure(experiment, model, order, kind="contour")),
            ("slice", model_figure(experiment, model, order, kind="slice")),
            ("importances", importances_figure(experiment, model)),
        ):
            figures[key] = _figure_json(result.figure)
            if result.note:
                notes[key] = result.note
    view = {
        "notes": notes,
        "fitted_on": len(experiment.trial_indices_by_status[TrialStatus.COMPLETED]),
        "marker": snapshot.marker,
    }
    return _with_figures(view, figures)


# ---------------------------------------------------------------------- JSON helpers


def _figure_json(figure: Optional[Figure]) -> Optional[str]:
    if figure is None:
        return None
    text: str = figure.to_json()
    return text


def _with_figures(
    view: Dict[str, Any], figures: Dict[str, Optional[str]], **serialised: str
) -> str:
    """``view`` as JSON with a ``figures`` object spliced in from already-serialised
    figures (serialising plotly figures twice would double the cost), and each of
    ``serialised`` (JSON text) under its key."""
    head = json.dumps(view, allow_nan=False, separators=(",", ":"))
    parts = ",".join(f"{json.dumps(k)}:{'null' if v is None else v}" for k, v in figures.items())
    extra = "".join(f"{json.dumps(k)}:{v}," for k, v in serialised.items())
    return head[:-1] + ("," if view else "") + extra + '"figures":{' + parts + "}}"


def _number(value: Optional[float]) -> Optional[float]:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _scalar(value: Any) -> Any:
    """A JSON-ready cell: numbers stay numbers (non-finite ones become null)."""
    kind = value.__class__
    if kind is float:
        return value if value - value == 0.0 else None  # False for inf and nan
    if value is None or kind in (int, str, bool):
        return value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(float(value))
    return str(value)


__all__ = [
    "MODEL_MAX_POINTS",
    "MODEL_REFRESH_S",
    "NOTES_KEY",
    "ViewCache",
    "experiment_status",
    "experiment_view_json",
    "fit_model",
    "has_learning_curves",
    "has_pareto_view",
    "pareto_figures",
    "model_view_json",
    "strategy_view",
    "summary",
    "trial_notes",
    "trials_table",
    "trials_table_json",
]
