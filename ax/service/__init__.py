"""Front doors: OptimizationLoop/optimize, AxClient, Scheduler, executors and workers.

Built by later issues. Nothing below this package imports it (checked by import-linter).
"""
