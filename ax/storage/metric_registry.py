"""Registry of Metric classes that storage can write and read.

Custom :class:`~ax.core.metric.Metric` subclasses must be registered before an
experiment that uses them is saved or loaded::

    from ax.storage.metric_registry import register_metric

    register_metric(MyMetric)

A registered metric is stored by its constructor arguments (``serialize_init_args()``)
and rebuilt as ``MyMetric(**arguments)``. Each class also gets a stable integer id for the
SQL store: ``val`` if given, else ``zlib.crc32(class name) % 10**5``.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from ax.core.metric import Metric
from ax.storage.json_store.registry import register_extension

METRIC_REGISTRY: Dict[Type[Metric], int] = {Metric: 0}
"""Metric class -> integer id (for the SQL store)."""

REVERSE_METRIC_REGISTRY: Dict[int, Type[Metric]] = {0: Metric}
"""Integer id -> Metric class."""


def register_metric(metric_cls: Type[Metric], val: Optional[int] = None) -> int:
    """Register a Metric subclass for storage (JSON now, SQL later).

    Registering the same class again is allowed and does nothing.

    Args:
        metric_cls: The Metric subclass.
        val: Its integer id for the SQL store; by default ``crc32(class name) % 10**5``
            (the same in every process).

    Returns:
        The class's integer id.

    Raises:
        UserInputTypeError: ``metric_cls`` is not a Metric subclass.
        UserInputError: Another class already uses the same class name or id, or
            ``val`` is invalid or differs from the id the class was registered with.

    Example:
        >>> class LatencyMetric(Metric):
        ...     pass
        >>> register_metric(LatencyMetric, val=1234)
        1234
    """
    return register_extension(
        metric_cls, Metric, val, METRIC_REGISTRY, REVERSE_METRIC_REGISTRY, "register_metric"
    )


def _register_bundled_metrics() -> None:
    """The metrics shipped in :mod:`ax.metrics`, with the original's ids where it had one."""
    from ax.metrics.branin import AugmentedBraninMetric, BraninMetric, NegativeBraninMetric
    from ax.metrics.factorial import FactorialMetric
    from ax.metrics.hartmann6 import AugmentedHartmann6Metric, Hartmann6Metric
    from ax.metrics.l2norm import L2NormMetric

    register_metric(FactorialMetric, val=1)
    register_metric(BraninMetric, val=2)
    register_metric(Hartmann6Metric, val=4)
    register_metric(NegativeBraninMetric)
    register_metric(L2NormMetric)
    register_metric(AugmentedBraninMetric)
    register_metric(AugmentedHartmann6Metric)


_register_bundled_metrics()

__all__ = ["METRIC_REGISTRY", "REVERSE_METRIC_REGISTRY", "register_metric"]
