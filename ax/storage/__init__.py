"""Persistence of experiments: the JSON store (:mod:`ax.storage.json_store`) and the
registries of custom metric and runner classes (:mod:`ax.storage.metric_registry`,
:mod:`ax.storage.runner_registry`)."""
