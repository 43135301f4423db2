"""Bundled synthetic metrics: Branin, Hartmann6 (and their augmented multi-fidelity
versions), L2Norm and the noisy-function base.

Each computes its value from an arm's parameters when a trial's data is fetched, so an
experiment with one of them (and a runner such as
:class:`~ax.runners.synthetic.SyntheticRunner`) runs end to end in-process:

- :class:`~ax.metrics.noisy_function.NoisyFunctionMetric`: the base, ``f(x) + noise``;
- :class:`~ax.metrics.branin.BraninMetric`, :class:`~ax.metrics.branin.NegativeBraninMetric`;
- :class:`~ax.metrics.hartmann6.Hartmann6Metric`;
- :class:`~ax.metrics.branin.AugmentedBraninMetric`,
  :class:`~ax.metrics.hartmann6.AugmentedHartmann6Metric`: fidelity as last parameter;
- :class:`~ax.metrics.l2norm.L2NormMetric`.

The names are loaded lazily (PEP 562), like those of :mod:`ax`.
"""

from __future__ import annotations

from ax.utils.lazy import lazy_exports

TYPE_CHECKING = False

_EXPORTS: dict[str, str] = {
    "AugmentedBraninMetric": "ax.metrics.branin",
    "AugmentedHartmann6Metric": "ax.metrics.hartmann6",
    "BraninMetric": "ax.metrics.branin",
    "Hartmann6Metric": "ax.metrics.hartmann6",
    "L2NormMetric": "ax.metrics.l2norm",
    "NegativeBraninMetric": "ax.metrics.branin",
    "NoisyFunctionMetric": "ax.metrics.noisy_function",
}

__all__ = [
    "AugmentedBraninMetric",
    "AugmentedHartmann6Metric",
    "BraninMetric",
    "Hartmann6Metric",
    "L2NormMetric",
    "NegativeBraninMetric",
    "NoisyFunctionMetric",
]

if TYPE_CHECKING:  # pragma: no cover - seen by type checkers and IDEs only
    from ax.metrics.branin import AugmentedBraninMetric, BraninMetric, NegativeBraninMetric
    from ax.metrics.hartmann6 import AugmentedHartmann6Metric, Hartmann6Metric
    from ax.metrics.l2norm import L2NormMetric
    from ax.metrics.noisy_function import NoisyFunctionMetric


__getattr__, __dir__ = lazy_exports("ax.metrics", _EXPORTS, globals())
