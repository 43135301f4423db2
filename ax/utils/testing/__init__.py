"""Helpers for tests: builders of core objects (:mod:`ax.utils.testing.core_stubs`)."""
