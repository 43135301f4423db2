"""The bundled test problems, by name: Branin, Hartmann6 and their augmented versions.

Each is a :class:`~ax.benchmark.problem.BenchmarkProblem` built on a function of
:mod:`ax.benchmark.synthetic_functions`; modules added to :mod:`ax.benchmark` may register
more problems in :data:`PROBLEMS` through :func:`get_problem`'s table.

Example:
    >>> from ax.benchmark.problems import get_problem
    >>> get_problem("hartmann6").dim
    6
"""

from __future__ import annotations

from typing import Dict

from ax.benchmark.problem import BenchmarkProblem
from ax.benchmark.synthetic_functions import aug_branin, aug_hartmann6, branin, hartmann6
from ax.exceptions import UserInputError

BRANIN = BenchmarkProblem("branin", branin)
"""Branin on ``[-5, 10] x [0, 15]``, inputs ``x1, x2``; minimum ``0.397887``."""

HARTMANN6 = BenchmarkProblem("hartmann6", hartmann6)
"""Hartmann6 on ``[0, 1]^6``, inputs ``x1 ... x6``; minimum ``-3.32237``."""

AUG_BRANIN = BenchmarkProblem("aug_branin", aug_branin, ("x1", "x2", "s"))
"""Augmented Branin, inputs ``x1, x2`` and the fidelity ``s`` in ``[0, 1]`` (last)."""

AUG_HARTMANN6 = BenchmarkProblem(
    "aug_hartmann6", aug_hartmann6, tuple(f"x{i}" for i in range(1, 7)) + ("s",)
)
"""Augmented Hartmann6, inputs ``x1 ... x6`` and the fidelity ``s`` in ``[0, 1]`` (last)."""

PROBLEMS: Dict[str, BenchmarkProblem] = {
    p.name: p for p in (BRANIN, HARTMANN6, AUG_BRANIN, AUG_HARTMANN6)
}
"""The bundled problems by name."""


def get_problem(name: str) -> BenchmarkProblem:
    """The bundled problem called ``name``.

    Raises:
        UserInputError: No problem has that name (the message lists the known ones).
    """
    problem = PROBLEMS.get(name) if isinstance(name, str) else None
    if problem is None:
        raise UserInputError(
            f"ax.benchmark: no problem named {name!r}; known problems: {sorted(PROBLEMS)}"
        )
    return problem


__all__ = ["AUG_BRANIN", "AUG_HARTMANN6", "BRANIN", "HARTMANN6", "PROBLEMS", "get_problem"]
