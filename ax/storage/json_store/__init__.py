"""JSON storage of experiments: :func:`~ax.storage.json_store.save.save` and
:func:`~ax.storage.json_store.load.load`.

A file holds ``{"format_version": 1, "experiment": {...}}`` in strict JSON. Only the
types of the closed registry (:mod:`ax.storage.json_store.registry`) are read; loading a
hostile file never runs code. Writes are atomic: a failed save leaves the previous file
as it was.
"""
