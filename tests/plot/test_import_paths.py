"""The import paths that Ax users' scripts and notebooks use are working modules."""

from __future__ import annotations

import importlib

import pytest

PATHS = [
    ("ax.metrics.branin", ["branin", "BraninMetric", "NegativeBraninMetric"]),
    ("ax.metrics.hartmann6", ["hartmann6", "Hartmann6Metric"]),
    ("ax.metrics.l2norm", ["L2NormMetric"]),
    ("ax.metrics.noisy_function", ["NoisyFunctionMetric"]),
    ("ax.utils.measurement.synthetic_functions", ["branin", "hartmann6"]),
    ("ax.plot.contour", ["plot_contour"]),
    ("ax.plot.slice", ["plot_slice"]),
    ("ax.plot.trace", ["optimization_trace_single_method"]),
    ("ax.plot.feature_importances", ["plot_feature_importance_by_feature"]),
    ("ax.plot.report", ["experiment_report_html", "save_report"]),
    ("ax.utils.notebook.plotting", ["render", "init_notebook_plotting"]),
]


@pytest.mark.parametrize("module, names", PATHS)
def test_import_path(module: str, names: list) -> None:
    mod = importlib.import_module(module)
    for name in names:
        assert callable(getattr(mod, name)), f"{module}.{name}"


def test_package_level_lazy_names() -> None:
    import ax.metrics
    import ax.plot
    from ax.metrics.branin import BraninMetric
    from ax.plot.contour import plot_contour

    assert ax.metrics.BraninMetric is BraninMetric
    assert ax.plot.plot_contour is plot_contour
    assert set(ax.plot.__all__) <= set(dir(ax.plot))
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        ax.plot.nope  # noqa: B018
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        ax.metrics.nope  # noqa: B018


def test_synthetic_functions_as_in_the_tutorials() -> None:
    from ax.metrics.branin import branin
    from ax.metrics.hartmann6 import hartmann6

    assert branin.fmin == pytest.approx(0.397887)
    assert hartmann6.fmin == pytest.approx(-3.32237)
    assert hartmann6(hartmann6.minimums[0]) == pytest.approx(hartmann6.fmin, abs=1e-5)
    assert branin.fmax > branin.fmin and hartmann6.fmax == 0.0
