"""Figures and the HTML report of an experiment (plotly, imported only when a figure is made).

- :func:`~ax.plot.contour.plot_contour`, :func:`~ax.plot.slice.plot_slice`: a model's
  predictions over two parameters / along one;
- :func:`~ax.plot.trace.optimization_trace_single_method`: objective against iteration;
- :func:`~ax.plot.feature_importances.plot_feature_importance_by_feature`: a bar chart;
- :func:`~ax.plot.scatter.plot_fitted`, :func:`~ax.plot.bandit_rollout.plot_bandit_rollout`,
  :func:`~ax.plot.marginal_effects.plot_marginal_effects`: bandits and factorial designs;
- :func:`~ax.plot.pareto_figures.plot_pareto_frontier`,
  :func:`~ax.plot.pareto_figures.plot_hypervolume_trace`: a multi-objective experiment's
  observed Pareto frontier (points, frontier, thresholds) and its hypervolume over trials;
- :func:`~ax.plot.report.experiment_report_html`, :func:`~ax.plot.report.save_report`:
  one self-contained HTML page (trace, parameter plots, trials table);
- :func:`~ax.plot.render.render`, :func:`~ax.plot.render.init_notebook_plotting`: show
  figures in Jupyter.

Every figure function returns a plotly ``go.Figure``; save one with
``fig.write_html("plot.html")``. Importing :mod:`ax.plot` does not import plotly: the
names are loaded lazily (PEP 562) and plotly on the first figure.

Example:
    >>> from ax.plot import optimization_trace_single_method
    >>> fig = optimization_trace_single_method([[3.0, 1.0, 1.0]], ylabel="loss")
    >>> fig.write_html("trace.html")
"""

from __future__ import annotations

from ax.utils.lazy import lazy_exports

TYPE_CHECKING = False

_EXPORTS: dict[str, str] = {
    "experiment_report_html": "ax.plot.report",
    "init_notebook_plotting": "ax.plot.render",
    "optimization_trace_single_method": "ax.plot.trace",
    "plot_bandit_rollout": "ax.plot.bandit_rollout",
    "plot_contour": "ax.plot.contour",
    "plot_feature_importance_by_feature": "ax.plot.feature_importances",
    "plot_fitted": "ax.plot.scatter",
    "plot_hypervolume_trace": "ax.plot.pareto_figures",
    "plot_marginal_effects": "ax.plot.marginal_effects",
    "plot_pareto_frontier": "ax.plot.pareto_figures",
    "plot_slice": "ax.plot.slice",
    "render": "ax.plot.render",
    "save_report": "ax.plot.report",
}

__all__ = [
    "experiment_report_html",
    "init_notebook_plotting",
    "optimization_trace_single_method",
    "plot_bandit_rollout",
    "plot_contour",
    "plot_feature_importance_by_feature",
    "plot_fitted",
    "plot_hypervolume_trace",
    "plot_marginal_effects",
    "plot_pareto_frontier",
    "plot_slice",
    "render",
    "save_report",
]

if TYPE_CHECKING:  # pragma: no cover - seen by type checkers and IDEs only
    from ax.plot.bandit_rollout import plot_bandit_rollout
    from ax.plot.contour import plot_contour
    from ax.plot.feature_importances import plot_feature_importance_by_feature
    from ax.plot.marginal_effects import plot_marginal_effects
    from ax.plot.pareto_figures import plot_hypervolume_trace, plot_pareto_frontier
    from ax.plot.render import init_notebook_plotting, render
    from ax.plot.report import experiment_report_html, save_report
    from ax.plot.scatter import plot_fitted
    from ax.plot.slice import plot_slice
    from ax.plot.trace import optimization_trace_single_method


__getattr__, __dir__ = lazy_exports("ax.plot", _EXPORTS, globals())
