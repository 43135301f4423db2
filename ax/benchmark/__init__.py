"""Test problems (Branin, Hartmann6, ...) and the benchmark runner.

Built by a later issue.
"""
