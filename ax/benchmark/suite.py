"""Benchmark problems by class, from the literature: typed parameters, noise, constraints.

Pure Python + numpy, and no import from this project: ``bench/`` loads this file by path
inside each peer's virtualenv (where ``ax`` is ax-platform). Every problem is minimised.

Classes and problems (:data:`SUITE`):

- ``low_d``: Branin (2-D) and Hartmann6 (6-D) (Dixon & Szegö 1978).
- ``high_d``: Hartmann6 embedded in 20 dimensions, 14 of them irrelevant (as in the
  ALEBO and SAASBO papers: Letham et al. 2020, Eriksson & Jankowiak 2021); Levy in 10
  dimensions (Laguna & Martí 2005; a multimodal function of the Surjanovic & Bingham
  library).
- ``mixed``: shifted Ackley with 5 continuous inputs and 5 three-class categorical ones
  whose classes map to hidden levels -1, 0, 1 (the categorical Ackley of Wan et al. 2021,
  CASMOPOLITAN).
- ``integer``: Hartmann6 on the integer lattice ``{0..10}^6`` (inputs ``k / 10``).
- ``noisy``: Hartmann6 observed with Gaussian noise of standard deviation 0.1 (about 3 % of
  its range); the regret is scored on the noise-free value.
- ``constrained``: Gramacy et al. (2016)'s toy problem: minimise ``x1 + x2`` on
  ``[0, 1]^2`` subject to two nonlinear constraints; optimum 0.5998.

Example:
    >>> p = SUITE["levy10"]
    >>> round(p.true_value({f"x{i}": 1.0 for i in range(1, 11)}), 12)
    0.0
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

Value = Union[float, int, str]


@dataclass(frozen=True)
class Param:
    """One typed input.

    Attributes:
        name: The parameter's name.
        kind: ``"float"``, ``"int"`` (inclusive bounds) or ``"choice"`` (unordered).
        lower: Lower bound (``float``/``int``).
        upper: Upper bound (``float``/``int``).
        values: The classes of a ``choice``.
    """

    name: str
    kind: str
    lower: float = 0.0
    upper: float = 1.0
    values: Tuple[str, ...] = ()


@dataclass(frozen=True)
class SuiteProblem:
    """A problem of the suite.

    Attributes:
        name: Key in :data:`SUITE`.
        problem_class: One of :data:`CLASSES`.
        params: The inputs.
        fmin: The optimal (noise-free, feasible) value, for the regret.
        function: Noise-free objective on a dict of parameter values.
        noise_sd: Standard deviation of the Gaussian observation noise.
        constraints: Functions ``c(params)``; a point is feasible when all are ``<= 0``.
    """

    name: str
    problem_class: str
    params: Tuple[Param, ...]
    fmin: float
    function: Callable[[Mapping[str, Value]], float]
    noise_sd: float = 0.0
    constraints: Tuple[Callable[[Mapping[str, Value]], float], ...] = field(default=())

    def true_value(self, params: Mapping[str, Value]) -> float:
        """The noise-free objective (checked input)."""
        return float(self.function(self.check(params)))

    def observe(
        self, params: Mapping[str, Value], rng: np.random.Generator
    ) -> Tuple[float, List[float]]:
        """An observation: ``(noisy objective, constraint values)``."""
        value = self.true_value(params)
        if self.noise_sd:
            value += float(rng.normal(0.0, self.noise_sd))
        return value, [float(c(params)) for c in self.constraints]

    def feasible(self, params: Mapping[str, Value]) -> bool:
        return all(c(params) <= 0.0 for c in self.constraints)

    def score(self, params: Mapping[str, Value]) -> float:
        """Noise-free value if feasible, else ``inf`` (what the regret is computed from)."""
        return self.true_value(params) if self.feasible(params) else math.inf

    def log10_regret(self, best: float) -> float:
        gap = best - self.fmin
        if not math.isfinite(gap):
            return math.inf
        return math.log10(max(gap, 1e-12))

    def check(self, params: Mapping[str, Value]) -> Mapping[str, Value]:
        """``params`` if every input is present and valid; raises ValueError otherwise."""
        for p in self.params:
            if p.name not in params:
                raise ValueError(f"{self.name}: missing parameter {p.name!r}")
            v = params[p.name]
            if p.kind == "choice":
                if v not in p.values:
                    raise ValueError(f"{self.name}: {p.name}={v!r} is not one of {p.values}")
                continue
            if p.kind == "int" and (isinstance(v, bool) or float(v) != round(float(v))):
                raise ValueError(f"{self.name}: {p.name}={v!r} is not an integer")
            tol = 1e-9 * (p.upper - p.lower)
            if not p.lower - tol <= float(v) <= p.upper + tol:
                raise ValueError(f"{self.name}: {p.name}={v!r} outside [{p.lower}, {p.upper}]")
        return params


# ---------------------------------------------------------------------------- functions
def _load_formulas() -> ModuleType:
    """``formulas.py`` beside this file, loaded by its path (numpy only), so that this
    module stays standalone in a peer's virtualenv, where ``ax`` is another package."""
    path = Path(__file__).resolve().with_name("formulas.py")
    spec = importlib.util.spec_from_file_location("_ax_benchmark_formulas", path)
    if spec is None or spec.loader is None:  # pragma: no cover - the file is beside this one
        raise ImportError(f"cannot load the benchmark formulas from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FORMULAS = _load_formulas()


def branin(x: Sequence[float]) -> float:
    """Branin at one point ``(x1, x2)`` (:mod:`ax.benchmark.formulas`); minimum 0.397887."""
    arr = np.asarray(x, dtype=float).reshape(1, 2)
    return float(_FORMULAS.branin_values(arr[:, 0], arr[:, 1], np.full(1, _FORMULAS.BRANIN_B))[0])


def hartmann6(X: Union[np.ndarray, Sequence[float]]) -> np.ndarray:
    """Hartmann6 at `n x 6` points (or one point); minimum -3.32237."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    return np.asarray(_FORMULAS.hartmann6_values(X, _FORMULAS.H6_ALPHA[None, :]))


def levy(x: Sequence[float]) -> float:
    w = 1.0 + (np.asarray(x, dtype=float) - 1.0) / 4.0
    head = math.sin(math.pi * w[0]) ** 2
    body = np.sum((w[:-1] - 1.0) ** 2 * (1.0 + 10.0 * np.sin(math.pi * w[:-1] + 1.0) ** 2))
    tail = (w[-1] - 1.0) ** 2 * (1.0 + math.sin(2.0 * math.pi * w[-1]) ** 2)
    return float(head + body + tail)


def ackley(values: Sequence[float]) -> float:
    z = np.asarray(values, dtype=float)
    d = z.size
    return float(
        -20.0 * math.exp(-0.2 * math.sqrt(float(np.sum(z * z)) / d))
        - math.exp(float(np.sum(np.cos(2.0 * math.pi * z))) / d)
        + 20.0
        + math.e
    )


def _floats(params: Mapping[str, Value], names: Sequence[str]) -> List[float]:
    return [float(params[n]) for n in names]


def _names(prefix: str, d: int) -> List[str]:
    return [f"{prefix}{i}" for i in range(1, d + 1)]


# ---------------------------------------------------------------------------- problems
_X2 = _names("x", 2)
_X6 = _names("x", 6)
_X10 = _names("x", 10)
_X20 = _names("x", 20)
_RELEVANT20 = [_X20[i] for i in (1, 4, 7, 10, 13, 16)]
_ACKLEY_X = _names("x", 5)
_ACKLEY_C = _names("c", 5)
_ACKLEY_LEVEL = {"a": 1.0, "b": -1.0, "c": 0.0}
_K6 = _names("k", 6)


def _ackley_mixed(p: Mapping[str, Value]) -> float:
    z = [v - 0.3 for v in _floats(p, _ACKLEY_X)] + [_ACKLEY_LEVEL[str(p[c])] for c in _ACKLEY_C]
    return ackley(z)


_INT_FMIN: List[float] = []


def integer_hartmann6_fmin() -> float:
    """Minimum of Hartmann6 on the lattice ``{0, 0.1, ..., 1}^6`` (enumerated once)."""
    if not _INT_FMIN:
        grid = np.stack(np.meshgrid(*[np.arange(11) / 10.0] * 6, indexing="ij"), -1)
        flat = grid.reshape(-1, 6)
        _INT_FMIN.append(float(min(hartmann6(part).min() for part in np.array_split(flat, 40))))
    return _INT_FMIN[0]


def _gramacy_c1(p: Mapping[str, Value]) -> float:
    x1, x2 = _floats(p, _X2)
    return 1.5 - x1 - 2.0 * x2 - 0.5 * math.sin(2.0 * math.pi * (x1 * x1 - 2.0 * x2))


def _gramacy_c2(p: Mapping[str, Value]) -> float:
    x1, x2 = _floats(p, _X2)
    return x1 * x1 + x2 * x2 - 1.5


def _unit(names: Sequence[str]) -> Tuple[Param, ...]:
    return tuple(Param(n, "float", 0.0, 1.0) for n in names)


SUITE: Dict[str, SuiteProblem] = {
    p.name: p
    for p in (
        SuiteProblem(
            "branin",
            "low_d",
            (Param("x1", "float", -5.0, 10.0), Param("x2", "float", 0.0, 15.0)),
            0.397887,
            lambda p: branin(_floats(p, _X2)),
        ),
        SuiteProblem(
            "hartmann6",
            "low_d",
            _unit(_X6),
            -3.32237,
            lambda p: float(hartmann6(_floats(p, _X6))[0]),
        ),
        SuiteProblem(
            "hartmann6_d20",
            "high_d",
            _unit(_X20),
            -3.32237,
            lambda p: float(hartmann6(_floats(p, _RELEVANT20))[0]),
        ),
        SuiteProblem(
            "levy10",
            "high_d",
            tuple(Param(n, "float", -10.0, 10.0) for n in _X10),
            0.0,
            lambda p: levy(_floats(p, _X10)),
        ),
        SuiteProblem(
            "ackley_mixed",
            "mixed",
            tuple(Param(n, "float", -1.0, 1.0) for n in _ACKLEY_X)
            + tuple(Param(n, "choice", values=("a", "b", "c")) for n in _ACKLEY_C),
            0.0,
            _ackley_mixed,
        ),
        SuiteProblem(
            "hartmann6_int",
            "integer",
            tuple(Param(n, "int", 0, 10) for n in _K6),
            -3.32237,  # replaced by the lattice minimum in :func:`get_problem`
            lambda p: float(hartmann6([v / 10.0 for v in _floats(p, _K6)])[0]),
        ),
        SuiteProblem(
            "hartmann6_noisy",
            "noisy",
            _unit(_X6),
            -3.32237,
            lambda p: float(hartmann6(_floats(p, _X6))[0]),
            noise_sd=0.1,
        ),
        SuiteProblem(
            "gramacy",
            "constrained",
            _unit(_X2),
            0.5998,
            lambda p: sum(_floats(p, _X2)),
            constraints=(_gramacy_c1, _gramacy_c2),
        ),
    )
}
"""The problems by name."""

CLASSES = ("low_d", "high_d", "mixed", "integer", "noisy", "constrained")
"""The problem classes, in report order."""


def get_problem(name: str) -> SuiteProblem:
    """The problem ``name`` (with the integer problem's enumerated minimum).

    Raises:
        KeyError: Unknown name.
    """
    problem = SUITE[name]
    if name == "hartmann6_int":
        from dataclasses import replace

        return replace(problem, fmin=integer_hartmann6_fmin() - 1e-9)
    return problem


def by_class(problem_class: Optional[str] = None) -> List[str]:
    """Names of the problems of ``problem_class`` (all when None)."""
    return [n for n, p in SUITE.items() if problem_class in (None, p.problem_class)]


__all__ = [
    "CLASSES",
    "SUITE",
    "Param",
    "SuiteProblem",
    "ackley",
    "branin",
    "by_class",
    "get_problem",
    "hartmann6",
    "integer_hartmann6_fmin",
    "levy",
]
