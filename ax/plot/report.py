"""A self-contained HTML report of an experiment: trace, parameter plots, trials table.

The report is one HTML file with plotly.js inlined, so it opens anywhere, offline, with
no request to the network. All text taken from the experiment (names, string values) is
HTML-escaped.
"""

from __future__ import annotations

import datetime
import os
from typing import TYPE_CHECKING, Any, List, Optional, Tuple, Union

from ax.core.experiment import Experiment
from ax.exceptions import StorageError, UserInputTypeError
from ax.plot.exp_utils import (
    ArmRow,
    TracePoint,
    arm_rows,
    best_observed,
    format_value,
    metric_names,
    objective,
    objective_trace,
)
from ax.plot.figures import FigureResult, model_figure, parameters_figure, trace_figure
from ax.plot.helpers import escape_html as _e
from ax.plot.pareto import ObservedFrontier, observed_frontier, tradeoff_table
from ax.plot.pareto_figures import hypervolume_figure, pareto_figure

if TYPE_CHECKING:  # pragma: no cover
    from plotly.graph_objects import Figure

    from ax.modelbridge.base import ModelBridge

TPath = Union[str, "os.PathLike[str]"]

TRACE_DIV_ID = "ax-trace"
PARAMETERS_DIV_ID = "ax-parameters"
CONTOUR_DIV_ID = "ax-contour"
SLICE_DIV_ID = "ax-slice"
TABLE_ID = "ax-trials"
PARETO_DIV_ID = "ax-pareto"
HYPERVOLUME_DIV_ID = "ax-hypervolume"
TRADEOFF_TABLE_ID = "ax-tradeoff"

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 0.9rem; }
.note { color: #666; font-style: italic; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
table { border-collapse: collapse; font-size: 0.85rem; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #e8f5e9; font-weight: 600; }
.table-wrap { max-height: 600px; overflow: auto; }
"""


def experiment_report_html(
    experiment: Experiment, model: Optional[ModelBridge] = None, title: Optional[str] = None
) -> str:
    """The experiment as one self-contained HTML page.

    Sections: a summary (objective, trial counts, best observed arm); the optimization
    trace (the best objective value so far after each completed trial, respecting the
    direction of the objective, with each trial's own value as points and dotted lines
    where the generator changed); one scatter per parameter (value against the objective,
    coloured by trial); the learning curves when trials reported intermediate results
    (stopped ones marked); when ``model`` is given, a contour (or slice) of its prediction
    of the objective; and the trials table (one row per arm: trial, status, arm,
    generator, parameters, metric means; the best arm highlighted).

    Only data attached to the experiment is read; nothing is fetched or evaluated.

    Args:
        experiment: The experiment.
        model: A model bridge that predicts (e.g. the loop's current model); its plots
            are skipped with a note when it cannot predict the objective.
        title: Page title (default ``"Experiment <name>"``).

    Returns:
        A complete HTML document (a str) with plotly.js inlined once.

    Raises:
        UserInputTypeError: ``experiment`` is not an Experiment, or ``title`` not a str.

    Example:
        >>> html_text = experiment_report_html(experiment)
        >>> "ax-trace" in html_text
        True
    """
    if not isinstance(experiment, Experiment):
        raise UserInputTypeError(
            f"experiment_report_html: experiment must be an Experiment, got "
            f"{type(experiment).__name__}"
        )
    if title is not None and not isinstance(title, str):
        raise UserInputTypeError(
            f"experiment_report_html: title must be a str or None, got {title!r}"
        )
    name = experiment._name or "(unnamed)"
    page_title = title if title is not None else f"Experiment {name}"
    rows = arm_rows(experiment)
    trace = objective_trace(experiment, rows)
    best = best_observed(experiment, rows)
    frontier = observed_frontier(experiment, rows)
    figures = _Figures()
    parts: List[str] = [
        f"<h1>{_e(page_title)}</h1>",
        f'<p class="meta">Generated {_e(_now())} by ax-experiments {_e(_version())}</p>',
        _summary(experiment, rows, best),
    ]
    if frontier is not None:
        parts += _pareto_sections(frontier, figures)
    else:
        parts += [
            '<section id="trace"><h2>Optimization trace</h2>',
            _trace_section(experiment, trace, figures),
            "</section>",
            '<section id="parameters"><h2>Parameters against the objective</h2>',
            _parameters_section(experiment, rows, figures),
            "</section>",
        ]
    if len(experiment.progression_data):
        from ax.plot.learning_curves import LEARNING_CURVES_DIV_ID, learning_curves_figure

        parts += [
            '<section id="learning-curves"><h2>Learning curves</h2>',
            figures.result(learning_curves_figure(experiment), LEARNING_CURVES_DIV_ID),
            "</section>",
        ]
    if model is not None and frontier is None:
        parts += [
            '<section id="model"><h2>Model predictions</h2>',
            _model_section(experiment, model, figures),
            "</section>",
        ]
    parts += [
        '<section id="trials"><h2>Trials</h2>',
        _table(experiment, rows, best, frontier),
        "</section>",
    ]
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(page_title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def save_report(
    experiment: Experiment,
    path: TPath,
    model: Optional[ModelBridge] = None,
    title: Optional[str] = None,
) -> str:
    """Write :func:`experiment_report_html` to ``path``, atomically.

    Args:
        experiment: The experiment.
        path: The file to write (an existing file is replaced only once the new one is
            complete).
        model: As for :func:`experiment_report_html`.
        title: As for :func:`experiment_report_html`.

    Returns:
        The absolute path written.

    Raises:
        UserInputTypeError: ``path`` is not a str or path, or as for
            :func:`experiment_report_html`.
        StorageError: The file could not be written (the previous file is untouched).
    """
    from ax.storage.json_store.save import write_atomically

    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise UserInputTypeError(
            f"save_report: path must be a str or os.PathLike, got {type(path).__name__} {path!r}"
        )
    text = experiment_report_html(experiment, model=model, title=title)
    target = os.path.abspath(path)
    try:
        write_atomically(target, text.encode("utf-8"))
    except OSError as err:
        raise StorageError(
            f"save_report: could not write {path!r}: {err}; the previous file (if any) is unchanged"
        ) from err
    return target


# ---------------------------------------------------------------------------- sections


class _Figures:
    """Turns figures into HTML divs; plotly.js is inlined with the first one only."""

    def __init__(self) -> None:
        self._included = False

    def div(self, fig: Figure, div_id: str) -> str:
        text: str = fig.to_html(
            full_html=False,
            include_plotlyjs=not self._included,
            div_id=div_id,
            config={"displaylogo": False, "responsive": True},
        )
        self._included = True
        return text

    def result(self, result: FigureResult, div_id: str) -> str:
        """The figure's div, or its note as a paragraph."""
        if result.figure is None:
            return f'<p class="note">{_e(result.note)}</p>'
        return self.div(result.figure, div_id)


def _summary(experiment: Experiment, rows: List[ArmRow], best: Optional[ArmRow]) -> str:
    items: List[Tuple[str, str]] = [("Experiment", _e(experiment._name or "(unnamed)"))]
    if experiment.description:
        items.append(("Description", _e(experiment.description)))
    target = objective(experiment)
    config = experiment.optimization_config
    if target is not None:
        direction = "minimize" if target[1] else "maximize"
        items.append(("Objective", f"{_e(target[0])} ({direction})"))
    elif config is not None:
        items.append(("Objectives", _e(_objectives_text(config))))
    if config is not None and config.outcome_constraints:
        items.append(
            (
                "Outcome constraints",
                _e(", ".join(_constraint(c) for c in config.outcome_constraints)),
            )
        )
    counts: dict[str, int] = {}
    for trial in experiment.trials.values():
        counts[trial.status.name] = counts.get(trial.status.name, 0) + 1
    described = ", ".join(f"{n} {s.lower()}" for s, n in sorted(counts.items()))
    items.append(
        (
            "Trials",
            f"{len(experiment.trials)}" + (f" ({_e(described)})" if described else ""),
        )
    )
    items.append(("Arms", str(len(rows))))
    if best is not None and target is not None:
        params = ", ".join(f"{k}={format_value(v)}" for k, v in best.parameters.items())
        items.append(
            (
                "Best observed",
                f"{_e(target[0])} = {_e(format_value(best.means[target[0]]))} at arm "
                f"{_e(best.arm_name)} (trial {best.trial_index}): {_e(params)}",
            )
        )
    body = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items)
    return f'<section id="summary"><dl class="summary">{body}</dl></section>'


def _pareto_sections(frontier: ObservedFrontier, figures: _Figures) -> List[str]:
    """The Pareto frontier figure, the trade-off table and the hypervolume trace."""
    reference = ", ".join(
        f"{frontier.reference_point[n]:.6g} for {n} ({frontier.reference_source[n]})"
        for n in frontier.objectives
        if n in frontier.reference_point
    )
    facts = (
        f"Hypervolume of the observed frontier: {frontier.hypervolume:.6g}; "
        f"{sum(p.pareto for p in frontier.points)} Pareto-optimal arm(s) of "
        f"{len(frontier.points)}; reference point: {reference or 'none yet'}."
        " (A reference point comes from the objective thresholds where given, else from "
        "the model's inferred reference point, else from the observed data.)"
    )
    header, body = tradeoff_table(frontier)
    if body:
        head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
        lines = "\n".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in body)
        table = (
            f'<div class="table-wrap"><table id="{TRADEOFF_TABLE_ID}"><thead><tr>{head}'
            f"</tr></thead><tbody>\n{lines}\n</tbody></table></div>"
        )
    else:
        table = '<p class="note">No arm is on the frontier yet.</p>'
    return [
        '<section id="pareto"><h2>Pareto frontier</h2>',
        f'<p class="meta">{_e(facts)}</p>',
        figures.result(pareto_figure(frontier), PARETO_DIV_ID),
        "</section>",
        '<section id="tradeoffs"><h2>Trade-offs (Pareto-optimal arms)</h2>',
        table,
        "</section>",
        '<section id="hypervolume"><h2>Hypervolume over trials</h2>',
        figures.result(hypervolume_figure(frontier), HYPERVOLUME_DIV_ID),
        "</section>",
    ]


def _objectives_text(config: Any) -> str:
    """The objectives of a multi-objective (with thresholds) or scalarized objective."""
    objective = config.objective
    thresholds = {t.metric.name: t for t in getattr(config, "objective_thresholds", [])}
    parts = []
    for metric, weight in objective.metric_weights:
        if hasattr(objective, "objectives"):
            text = f"{metric.name} ({'minimize' if weight < 0 else 'maximize'})"
        else:
            text = f"{weight:g} * {metric.name}"
        if metric.name in thresholds:
            text += f", threshold {_constraint(thresholds[metric.name])}"
        parts.append(text)
    if hasattr(objective, "objectives"):
        return "; ".join(parts)
    return f"{'minimize' if objective.minimize else 'maximize'} " + " + ".join(parts)


def _constraint(constraint: Any) -> str:
    op = "<=" if constraint.op.name == "LEQ" else ">="
    unit = "%" if constraint.relative else ""
    return f"{constraint.metric.name} {op} {constraint.bound:g}{unit}"


def _trace_section(experiment: Experiment, trace: List[TracePoint], figures: _Figures) -> str:
    return figures.result(trace_figure(experiment, trace), TRACE_DIV_ID)


def _parameters_section(experiment: Experiment, rows: List[ArmRow], figures: _Figures) -> str:
    return figures.result(parameters_figure(experiment, rows), PARAMETERS_DIV_ID)


def _model_section(experiment: Experiment, model: ModelBridge, figures: _Figures) -> str:
    result = model_figure(experiment, model)
    return figures.result(result, CONTOUR_DIV_ID if result.kind == "contour" else SLICE_DIV_ID)


def _table(
    experiment: Experiment,
    rows: List[ArmRow],
    best: Optional[ArmRow],
    frontier: Optional[ObservedFrontier] = None,
) -> str:
    parameters = list(experiment.search_space.parameters)
    metrics = metric_names(experiment, rows)
    header = ["trial", "status", "arm", "generator", *parameters, *metrics]
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    lines: List[str] = []
    pareto = (
        set()
        if frontier is None
        else {(p.trial_index, p.arm_name) for p in frontier.points if p.pareto}
    )
    for r in rows:
        is_best = (r.trial_index, r.arm_name) in pareto or (
            best is not None and (r.trial_index, r.arm_name) == (best.trial_index, best.arm_name)
        )
        cells = [
            f'<td class="num">{r.trial_index}</td>',
            f"<td>{_e(r.status.name)}</td>",
            f"<td>{_e(r.arm_name)}</td>",
            f"<td>{_e(r.model_key or '')}</td>",
        ]
        cells += [_cell(r.parameters.get(p)) for p in parameters]
        cells += [_cell(r.means.get(m)) for m in metrics]
        css = ' class="best"' if is_best else ""
        lines.append(f"<tr{css}>{''.join(cells)}</tr>")
    if not lines:
        return '<p class="note">The experiment has no trials yet.</p>'
    return (
        f'<div class="table-wrap"><table id="{TABLE_ID}"><thead><tr>{head}</tr></thead>'
        f"<tbody>\n" + "\n".join(lines) + "\n</tbody></table></div>"
    )


def _cell(value: object) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{_e(format_value(value))}</td>"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _version() -> str:
    # From the installed metadata: importing the ``ax`` package object here would make the
    # plot layer depend on the service layer (its lazy re-exports) for the import linter.
    import importlib.metadata

    try:
        return importlib.metadata.version("ax-experiments")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - run from a checkout
        return "(development version)"


__all__ = ["experiment_report_html", "save_report"]
