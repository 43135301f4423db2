"""Shared pieces of the storage tests."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# Two floats on the unit square: the study of the many-writers and fault tests.
UNIT_SQUARE = [
    {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
]
