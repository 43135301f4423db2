"""Test problems: the one place they are written. ``ax.metrics``, ``bench/`` and ``tests/``
take them from here.

- :mod:`ax.benchmark.formulas`: the formulas on numpy arrays (numpy only, so that
  ``bench/`` can load the file inside the peers' virtualenvs);
- :mod:`ax.benchmark.synthetic_functions`: the checked functions with their domains and
  optima (``branin``, ``hartmann6``, ``aug_branin``, ``aug_hartmann6``, ``from_botorch``),
  re-exported at Ax's path ``ax.utils.measurement.synthetic_functions``;
- :mod:`ax.benchmark.problem`: :class:`BenchmarkProblem`, a problem as one typed object;
- :mod:`ax.benchmark.problems`: the bundled problems (``BRANIN``, ``HARTMANN6``, ...),
  :data:`PROBLEMS` by name and :func:`get_problem`;
- :mod:`ax.benchmark.suite`: the problem classes of ``bench/bench_suite.py`` (low-D,
  high-D, mixed, integer, noisy, constrained; :data:`SUITE`), standalone (numpy only);
- :mod:`ax.benchmark.multi_objective`: Branin-Currin, DTLZ2 (2 and 3 objectives) and
  C2-DTLZ2 with their true frontiers' hypervolumes (:data:`MO_PROBLEMS`).

Names are loaded lazily (PEP 562): importing :mod:`ax.benchmark` loads no submodule, and
none of them imports torch. To add a problem module, add its public names to
``_EXPORTS`` (name -> module), to ``__all__`` and under ``TYPE_CHECKING``.

Example:
    >>> from ax.benchmark import HARTMANN6, branin
    >>> HARTMANN6.dim, round(branin(3.141592653589793, 2.275), 4)
    (6, 0.3979)
"""

from __future__ import annotations

from ax.utils.lazy import lazy_exports

TYPE_CHECKING = False

_EXPORTS: dict[str, str] = {
    # ax.benchmark.synthetic_functions: the test functions
    "Aug_Branin": "ax.benchmark.synthetic_functions",
    "Aug_Hartmann6": "ax.benchmark.synthetic_functions",
    "Branin": "ax.benchmark.synthetic_functions",
    "FromBotorch": "ax.benchmark.synthetic_functions",
    "Hartmann6": "ax.benchmark.synthetic_functions",
    "SyntheticFunction": "ax.benchmark.synthetic_functions",
    "aug_branin": "ax.benchmark.synthetic_functions",
    "aug_hartmann6": "ax.benchmark.synthetic_functions",
    "branin": "ax.benchmark.synthetic_functions",
    "from_botorch": "ax.benchmark.synthetic_functions",
    "hartmann6": "ax.benchmark.synthetic_functions",
    # ax.benchmark.problem: the problem object
    "BenchmarkProblem": "ax.benchmark.problem",
    # ax.benchmark.problems: the bundled problems
    "AUG_BRANIN": "ax.benchmark.problems",
    "AUG_HARTMANN6": "ax.benchmark.problems",
    "BRANIN": "ax.benchmark.problems",
    "HARTMANN6": "ax.benchmark.problems",
    "PROBLEMS": "ax.benchmark.problems",
    "get_problem": "ax.benchmark.problems",
    # ax.benchmark.suite: the problem classes of bench/bench_suite.py
    "SUITE": "ax.benchmark.suite",
    "SuiteProblem": "ax.benchmark.suite",
    "ackley": "ax.benchmark.suite",
    "levy": "ax.benchmark.suite",
    # ax.benchmark.multi_objective: multi-objective problems
    "MO_PROBLEMS": "ax.benchmark.multi_objective",
    "MultiObjectiveProblem": "ax.benchmark.multi_objective",
    "branin_currin": "ax.benchmark.multi_objective",
    "c2dtlz2": "ax.benchmark.multi_objective",
    "dtlz2": "ax.benchmark.multi_objective",
    "dtlz2_3": "ax.benchmark.multi_objective",
}

__all__ = [
    "MO_PROBLEMS",
    "SUITE",
    "MultiObjectiveProblem",
    "SuiteProblem",
    "ackley",
    "branin_currin",
    "c2dtlz2",
    "dtlz2",
    "dtlz2_3",
    "levy",
    "AUG_BRANIN",
    "AUG_HARTMANN6",
    "Aug_Branin",
    "Aug_Hartmann6",
    "BRANIN",
    "BenchmarkProblem",
    "Branin",
    "FromBotorch",
    "HARTMANN6",
    "Hartmann6",
    "PROBLEMS",
    "SyntheticFunction",
    "aug_branin",
    "aug_hartmann6",
    "branin",
    "from_botorch",
    "get_problem",
    "hartmann6",
]

if TYPE_CHECKING:  # pragma: no cover - seen by type checkers and IDEs only
    from ax.benchmark.multi_objective import (
        MO_PROBLEMS,
        MultiObjectiveProblem,
        branin_currin,
        c2dtlz2,
        dtlz2,
        dtlz2_3,
    )
    from ax.benchmark.problem import BenchmarkProblem
    from ax.benchmark.problems import (
        AUG_BRANIN,
        AUG_HARTMANN6,
        BRANIN,
        HARTMANN6,
        PROBLEMS,
        get_problem,
    )
    from ax.benchmark.suite import SUITE, SuiteProblem, ackley, levy
    from ax.benchmark.synthetic_functions import (
        Aug_Branin,
        Aug_Hartmann6,
        Branin,
        FromBotorch,
        Hartmann6,
        SyntheticFunction,
        aug_branin,
        aug_hartmann6,
        branin,
        from_botorch,
        hartmann6,
    )


__getattr__, __dir__ = lazy_exports("ax.benchmark", _EXPORTS, globals())
