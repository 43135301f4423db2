"""Front doors: the managed optimization loop (``optimize``, ``OptimizationLoop``) and helpers.

- :mod:`ax.service.managed_loop`: :class:`~ax.service.managed_loop.OptimizationLoop` and
  :func:`~ax.service.managed_loop.optimize`, which build an experiment from plain
  parameter dicts and constraint strings, propose trials with a generation strategy,
  evaluate them (in this process, optionally on a thread pool, or through a runner and
  metrics) and report the best point.
- :mod:`ax.service.utils`: parsing of parameter dicts and constraint strings
  (``instantiation``), best-point selection (``best_point``) and the pending points of
  running trials (``pending``).

Nothing below this package imports it (checked by import-linter).
"""
