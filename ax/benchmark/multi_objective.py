"""Multi-objective test problems with their true frontier's hypervolume (issue 13).

- ``branin_currin``: Branin-Currin, 2 inputs, 2 objectives (Belakaria et al. 2019);
- ``dtlz2``: DTLZ2, 6 inputs, 2 objectives (Deb et al. 2002);
- ``c2dtlz2``: C2-DTLZ2, DTLZ2 with one constraint cutting the frontier into pieces,
  6 inputs, 2 objectives (Deb and Jain 2014);
- ``dtlz2_3``: DTLZ2 with 3 objectives, 6 inputs.

Every objective is MINIMISED, on the unit cube; a constraint holds when its slack is
``>= 0``. The hypervolume is that of the feasible observed points dominating the
problem's fixed reference point (BoTorch's reference points); the regret is the true
frontier's hypervolume minus it.

Pure numpy, with no import from this project: ``bench/`` loads this file by its path in
the peers' virtualenvs too, where ``ax`` is ax-platform.

Example:
    >>> p = MO_PROBLEMS["dtlz2"]
    >>> f, c = p.evaluate(np.full(6, 0.5))
    >>> [round(v, 4) for v in f], c.size
    ([0.7071, 0.7071], 0)
    >>> round(p.max_hv, 6)
    0.424602
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

TEvaluate = Callable[[np.ndarray], "tuple[np.ndarray, np.ndarray]"]


@dataclass(frozen=True)
class MultiObjectiveProblem:
    """A box-bounded multi-objective problem to minimise, with its true hypervolume.

    Attributes:
        name: Key in :data:`MO_PROBLEMS`.
        dim: Number of inputs ``d`` (each in ``[0, 1]``).
        num_objectives: ``m``.
        num_constraints: ``c`` (slack ``>= 0`` is feasible).
        ref_point: ``m`` values: the reference point of the hypervolume (minimisation).
        max_hv: Hypervolume of the true (feasible) Pareto frontier w.r.t. ``ref_point``.
        function: ``x`` (``d``) -> ``(objectives m, slacks c)``.
    """

    name: str
    dim: int
    num_objectives: int
    num_constraints: int
    ref_point: tuple[float, ...]
    max_hv: float
    function: TEvaluate

    @property
    def param_names(self) -> list[str]:
        """Input names ``x1 .. xd``."""
        return [f"x{i + 1}" for i in range(self.dim)]

    @property
    def objective_names(self) -> list[str]:
        """Objective names ``f1 .. fm``."""
        return [f"f{i + 1}" for i in range(self.num_objectives)]

    @property
    def constraint_names(self) -> list[str]:
        """Constraint names ``c1 .. cc`` (each feasible when ``>= 0``)."""
        return [f"c{i + 1}" for i in range(self.num_constraints)]

    def evaluate(self, x: Sequence[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Objectives (``m``) and constraint slacks (``c``) at ``x``.

        Raises:
            ValueError: ``x`` is not ``d`` finite numbers in ``[0, 1]``.
        """
        array = np.asarray(x, dtype=float).reshape(-1)
        if array.shape != (self.dim,) or not np.all(np.isfinite(array)):
            raise ValueError(f"{self.name}: x must be {self.dim} finite numbers, got {x!r}")
        if np.any(array < -1e-9) or np.any(array > 1 + 1e-9):
            raise ValueError(f"{self.name}: x must lie in [0, 1]^{self.dim}, got {array.tolist()}")
        f, c = self.function(np.clip(array, 0.0, 1.0))
        return np.asarray(f, dtype=float), np.asarray(c, dtype=float)

    def hypervolume(self, Y: np.ndarray, slacks: np.ndarray | None = None) -> float:
        """Hypervolume dominated by the feasible rows of ``Y`` (`n x m`, minimised)."""
        Y = np.asarray(Y, dtype=float).reshape(-1, self.num_objectives)
        if slacks is not None and self.num_constraints:
            ok = np.all(np.asarray(slacks, dtype=float).reshape(len(Y), -1) >= 0, axis=1)
            Y = Y[ok]
        return hypervolume(Y, np.asarray(self.ref_point))

    def log10_regret(self, hv: float) -> float:
        """``log10(max_hv - hv)``, floored at 1e-12 (of ``max_hv``'s approximation)."""
        return math.log10(max(self.max_hv - hv, 1e-12))


# ------------------------------------------------------------------------ hypervolume
def pareto_mask(Y: np.ndarray) -> np.ndarray:
    """Rows of ``Y`` (`n x m`, minimised) that no other row dominates (duplicates: first)."""
    Y = np.asarray(Y, dtype=float)
    n = Y.shape[0]
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if not keep[i]:
            continue
        dominated = np.all(Y[i] >= Y, axis=1) & np.any(Y[i] > Y, axis=1)
        duplicate = np.all(Y[i] == Y, axis=1)
        duplicate[: i + 1] = False
        if dominated.any():
            keep[i] = False
        keep &= ~duplicate
    return keep


def hypervolume(Y: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume of ``Y`` (`n x m`, minimised) w.r.t. ``ref`` (exact, for m <= 3)."""
    Y = np.asarray(Y, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if Y.size == 0:
        return 0.0
    Y = Y[np.all(ref > Y, axis=1)]
    if Y.shape[0] == 0:
        return 0.0
    Y = Y[pareto_mask(Y)]
    m = Y.shape[1]
    if m == 1:
        return float(ref[0] - Y[:, 0].min())
    if m == 2:
        order = np.argsort(Y[:, 0])
        Y = Y[order]
        total, best2 = 0.0, ref[1]
        for i in range(Y.shape[0]):
            if Y[i, 1] < best2:
                total += (ref[0] - Y[i, 0]) * (best2 - Y[i, 1])
                best2 = Y[i, 1]
        return float(total)
    if m == 3:
        # Slices along the third objective: between consecutive values, the 2-D
        # hypervolume of the points at or below the slice.
        order = np.argsort(Y[:, 2])
        Y = Y[order]
        total = 0.0
        for i in range(Y.shape[0]):
            upper = Y[i + 1, 2] if i + 1 < Y.shape[0] else ref[2]
            if upper > Y[i, 2]:
                total += hypervolume(Y[: i + 1, :2], ref[:2]) * (upper - Y[i, 2])
        return float(total)
    raise ValueError(f"hypervolume: exact computation for m <= 3 only, got m={m}")


# ------------------------------------------------------------------------ functions
def branin_currin(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Branin (rescaled to the unit square) and Currin, both minimised."""
    x0, x1 = 15.0 * x[0] - 5.0, 15.0 * x[1]
    b = (
        (x1 - 5.1 / (4 * math.pi**2) * x0**2 + 5.0 / math.pi * x0 - 6.0) ** 2
        + 10.0 * (1 - 1 / (8 * math.pi)) * math.cos(x0)
        + 10.0
    )
    u, v = x[0], max(x[1], 1e-12)
    factor = 1.0 - math.exp(-1.0 / (2.0 * v))
    numer = 2300 * u**3 + 1900 * u**2 + 2092 * u + 60
    denom = 100 * u**3 + 500 * u**2 + 4 * u + 20
    return np.array([b, factor * numer / denom]), np.zeros(0)


def _dtlz2(x: np.ndarray, m: int) -> np.ndarray:
    k = x.shape[0] - m + 1
    g = float(np.sum((x[-k:] - 0.5) ** 2))
    f = np.empty(m)
    half_pi = math.pi / 2
    for i in range(m):
        idx = m - 1 - i
        value = (1.0 + g) * float(np.prod(np.cos(x[:idx] * half_pi)))
        if i > 0:
            value *= math.sin(x[idx] * half_pi)
        f[i] = value
    return f


def dtlz2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DTLZ2 with two objectives."""
    return _dtlz2(x, 2), np.zeros(0)


def dtlz2_3(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DTLZ2 with three objectives."""
    return _dtlz2(x, 3), np.zeros(0)


def c2dtlz2_slack(f: np.ndarray, r: float = 0.2) -> float:
    """C2-DTLZ2's constraint slack at objectives ``f`` (``>= 0`` feasible)."""
    m = f.shape[0]
    term1 = (f - 1.0) ** 2
    squares = f**2 - r**2
    term2 = squares.sum() - squares
    min1 = float(np.min(term1 + term2))
    min2 = float(np.sum((f - 1.0 / math.sqrt(m)) ** 2 - r**2))
    return -min(min1, min2)


def c2dtlz2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """C2-DTLZ2 with two objectives and one constraint."""
    f = _dtlz2(x, 2)
    return f, np.array([c2dtlz2_slack(f)])


# ------------------------------------------------------------------------ true frontiers
def dtlz2_max_hv(m: int, ref: float = 1.1) -> float:
    """Hypervolume of DTLZ2's frontier (the positive unit sphere) w.r.t. ``(ref,)*m``."""
    return ref**m - math.pi ** (m / 2) / math.gamma(m / 2 + 1) / 2**m


BRANIN_CURRIN_MAX_HV = 59.36011874867746
"""BoTorch's value (approximated with NSGA-II): the hypervolumes reached here stay below it."""

C2DTLZ2_MAX_HV = 0.3996406303723544
"""BoTorch's value (approximated with NSGA-II)."""

MO_PROBLEMS: dict[str, MultiObjectiveProblem] = {
    "branin_currin": MultiObjectiveProblem(
        "branin_currin", 2, 2, 0, (18.0, 6.0), BRANIN_CURRIN_MAX_HV, branin_currin
    ),
    "dtlz2": MultiObjectiveProblem("dtlz2", 6, 2, 0, (1.1, 1.1), dtlz2_max_hv(2), dtlz2),
    "c2dtlz2": MultiObjectiveProblem("c2dtlz2", 6, 2, 1, (1.1, 1.1), C2DTLZ2_MAX_HV, c2dtlz2),
    "dtlz2_3": MultiObjectiveProblem("dtlz2_3", 6, 3, 0, (1.1, 1.1, 1.1), dtlz2_max_hv(3), dtlz2_3),
}
"""The benchmark's problems by name."""

__all__ = [
    "MO_PROBLEMS",
    "MultiObjectiveProblem",
    "branin_currin",
    "c2dtlz2",
    "dtlz2",
    "dtlz2_3",
    "dtlz2_max_hv",
    "hypervolume",
    "pareto_mask",
]
