"""Persistence of experiments: one storage interface, :class:`~ax.storage.store.ExperimentStore`
(:mod:`ax.storage.store`: ``JSONFileStore``, ``SQLStore``, ``as_store``), the JSON store
(:mod:`ax.storage.json_store`), the SQL store (:mod:`ax.storage.sqa_store`), the storage
conformance suite (:mod:`ax.storage.testing`) and the registries of custom metric and
runner classes (:mod:`ax.storage.metric_registry`, :mod:`ax.storage.runner_registry`).

The store names are exported lazily (``from ax.storage import JSONFileStore``): importing
this package imports nothing else.
"""

from __future__ import annotations

import importlib
from typing import Any

_STORE_NAMES = ("ExperimentStore", "JSONFileStore", "SQLStore", "StoreTransaction", "as_store")


def __getattr__(name: str) -> Any:
    """The names of :mod:`ax.storage.store`, imported on first access (PEP 562)."""
    if name not in _STORE_NAMES:
        raise AttributeError(f"module 'ax.storage' has no attribute {name!r}")
    value = getattr(importlib.import_module("ax.storage.store"), name)
    globals()[name] = value
    return value


__all__ = list(_STORE_NAMES)
