"""Tests of the bundled synthetic metrics (ax.metrics)."""
