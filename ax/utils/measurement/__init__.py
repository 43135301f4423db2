"""Measurement helpers: synthetic test functions (:mod:`.synthetic_functions`)."""
