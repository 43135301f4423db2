"""Synthetic test functions at the import path of Ax's tutorials.

They live in :mod:`ax.benchmark.synthetic_functions` (the one home of the test problems);
this module re-exports them, so ``from ax.utils.measurement.synthetic_functions import
branin`` keeps working.

Example:
    >>> from ax.utils.measurement.synthetic_functions import branin
    >>> round(branin(3.141592653589793, 2.275), 4)
    0.3979
"""

from __future__ import annotations

from ax.benchmark import synthetic_functions as _home
from ax.benchmark.synthetic_functions import *  # noqa: F403  (the names of __all__)

__all__ = list(_home.__all__)
