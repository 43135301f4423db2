"""Polaris-style hyperparameter tuning on ax.

A thin facade with the API of the Polaris library (rioyokotalab/polaris)::

    from polaris import Bounds, Polaris, Trials, STATUS_SUCCESS

    def fn(params, exp_info):
        return {"loss": (params["x"] - 0.3) ** 2, "status": STATUS_SUCCESS}

    best = Polaris(fn, [Bounds("x", 0.0, 1.0)], "bayesian_opt", Trials(),
                   max_evals=20, exp_key="demo").run()

``run()`` evaluates in this process, ``run(use_mpi=True)`` on every rank of an ``mpirun``
job, and ``run_parallel()`` on ``polaris-worker`` processes fed through RabbitMQ
(:mod:`polaris.rabbitmq`; the broker is ``$RABBITMQ_URL``). Importing ``polaris`` loads
no torch, pika or mpi4py and touches no warning filter or logging configuration; names
are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Dict, List

if TYPE_CHECKING:  # pragma: no cover
    from polaris.bounds import Bounds
    from polaris.client import Polaris
    from polaris.domain import Domain
    from polaris.trials import STATUS_FAILURE, STATUS_SUCCESS, Trials

_LAZY: Dict[str, str] = {
    "Bounds": "polaris.bounds",
    "Domain": "polaris.domain",
    "Polaris": "polaris.client",
    "Trials": "polaris.trials",
    "STATUS_SUCCESS": "polaris.trials",
    "STATUS_FAILURE": "polaris.trials",
}

__all__ = ["Bounds", "Domain", "Polaris", "STATUS_FAILURE", "STATUS_SUCCESS", "Trials"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'polaris' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
