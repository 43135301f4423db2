"""Tree-structured Parzen estimator on the unit cube, in numpy: :class:`TPEGenerator`.

The algorithm of Bergstra et al. (2011), as Optuna runs it by default (independent
per-dimension densities): the observations are split by a quantile of the objective into
a "good" set and a "bad" set; each set gets a Parzen density per dimension (a mixture of
Gaussians truncated to the bounds, one component per observation plus a broad prior
component; a smoothed frequency table for categorical dimensions); candidates are drawn
from the good density ``l(x)`` and the one maximising ``l(x) / g(x)`` is proposed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.models.base import Generator
from ax.models.utils import check_finite_float, check_int, resolve_seed
from ax.utils.validation import check_fixed_features

TConstraints = Tuple[np.ndarray, np.ndarray]
TRounding = Callable[[np.ndarray], np.ndarray]

MAX_DRAW_ROUNDS = 50
"""Rounds of candidate draws tried per point when linear constraints reject them all."""

_SQRT2 = math.sqrt(2.0)


class TPEGenerator(Generator):
    """Tree-structured Parzen estimator (numpy only).

    Split: with ``n`` scored observations, the best ``min(ceil(gamma * n), max_good)``
    form the good set (Optuna's rule); infeasible observations (violating an outcome
    constraint, ranked by total violation) come after every feasible one. The objective
    ``objective_weights @ y`` is maximised, so a negative weight minimises its metric.

    Densities: per continuous dimension on ``[lower, upper]``, Gaussian kernels at the
    observations with a Scott-like bandwidth ``1.06 * std * m^(-1/5)`` (``m`` points of
    the set), clipped to ``[range / min(100, m + 1), range]``, plus one prior kernel at the
    centre with the full range as bandwidth and weight ``prior_weight``; all truncated to
    the bounds. A categorical dimension with ``K`` categories (``categorical_dims``) holds
    integer codes ``k / (K - 1)`` on the unit interval; its density is the frequency of
    each category smoothed by ``prior_weight / K``.

    Generation: below ``n_startup`` observations points are uniform random. Otherwise,
    per point, ``n_ei_candidates`` candidates are drawn from the good density (fixed
    features set, rounded by ``rounding_func``, those breaking the linear constraints
    dropped and redrawn) and the one with the largest ``log l - log g`` is kept; it then
    joins the bad set as a pending point, so a batch spreads out. Pending observations
    given to :meth:`gen` are treated as bad points too.

    Args:
        seed: Seed of every draw; None picks one (recorded in the state).
        gamma: Fraction of the observations in the good set, in (0, 1].
        max_good: Most observations in the good set.
        n_startup: Observations needed before the densities are used.
        n_ei_candidates: Candidates drawn from ``l(x)`` per point.
        prior_weight: Weight of the prior component of each density (> 0).
        categorical_dims: ``{dimension: number of categories}``.
        gen_count: Number of ``gen`` calls made so far (seeds the next one).

    Raises:
        UserInputError: A bad argument.

    Example:
        >>> import numpy as np
        >>> tpe = TPEGenerator(seed=0, n_startup=5)
        >>> X = np.random.default_rng(0).random((8, 2))
        >>> tpe.fit([X], [-(X**2).sum(1)], [np.full(8, np.nan)], [(0.0, 1.0)] * 2,
        ...         ["a", "b"], ["loss"])
        >>> points, weights, meta, _ = tpe.gen(2, [(0.0, 1.0)] * 2, np.array([1.0]))
        >>> points.shape
        (2, 2)
    """

    def __init__(
        self,
        seed: Optional[int] = None,
        gamma: float = 0.1,
        max_good: int = 25,
        n_startup: int = 10,
        n_ei_candidates: int = 24,
        prior_weight: float = 1.0,
        categorical_dims: Optional[Mapping[Any, int]] = None,
        gen_count: int = 0,
    ) -> None:
        name = type(self).__name__
        self.seed: int = resolve_seed(name, seed)
        self.gamma = check_finite_float(name, "gamma", gamma)
        if not 0.0 < self.gamma <= 1.0:
            raise UserInputError(f"{name}: gamma must be in (0, 1], got gamma={self.gamma}")
        self.max_good = check_int(name, "max_good", max_good, minimum=1)
        self.n_startup = check_int(name, "n_startup", n_startup, minimum=0)
        self.n_ei_candidates = check_int(name, "n_ei_candidates", n_ei_candidates, minimum=1)
        self.prior_weight = check_finite_float(name, "prior_weight", prior_weight)
        if self.prior_weight <= 0:
            raise UserInputError(
                f"{name}: prior_weight must be > 0, got prior_weight={self.prior_weight}"
            )
        self.categorical_dims = _check_categorical(name, categorical_dims)
        self.gen_count = check_int(name, "gen_count", gen_count, minimum=0)
        self._X: List[np.ndarray] = []
        self._Y: List[np.ndarray] = []
        self._bounds: Optional[List[Tuple[float, float]]] = None
        self._metric_names: List[str] = []

    # ---------------------------------------------------------------- data
    def fit(
        self,
        Xs: Sequence[np.ndarray],
        Ys: Sequence[np.ndarray],
        Yvars: Sequence[np.ndarray],
        bounds: Sequence[Tuple[float, float]],
        feature_names: Sequence[str],
        metric_names: Sequence[str],
    ) -> None:
        """Store the observations (TPE learns nothing until ``gen``).

        Args:
            Xs: Per metric, `n_i x d` observed points.
            Ys: Per metric, `n_i` observed means.
            Yvars: Per metric, `n_i` variances (unused: TPE ranks the means).
            bounds: ``d`` pairs ``(lower, upper)``.
            feature_names: Name of each dimension.
            metric_names: Name of each metric.

        Raises:
            UserInputError: Mismatched lengths or shapes, or non-finite values; the
                message names the metric.
        """
        name = f"{type(self).__name__}.fit"
        box = _check_bounds(name, bounds)
        d = len(box)
        if len(list(feature_names)) != d:
            raise UserInputError(
                f"{name}: feature_names must have d={d} names, got {list(feature_names)!r}"
            )
        names = list(metric_names)
        if not (len(Xs) == len(Ys) == len(Yvars) == len(names)) or not names:
            raise UserInputError(
                f"{name}: Xs, Ys, Yvars and metric_names must have one entry per metric, got "
                f"lengths {len(Xs)}, {len(Ys)}, {len(Yvars)}, {len(names)}"
            )
        out_X, out_Y = [], []
        for metric, X_raw, Y_raw in zip(names, Xs, Ys):
            X = np.array(X_raw, dtype=float)
            Y = np.array(Y_raw, dtype=float).reshape(-1)
            if X.size == 0:
                X = X.reshape(0, d)
            if X.ndim != 2 or X.shape[1] != d or Y.shape != (X.shape[0],):
                raise UserInputError(
                    f"{name}: metric '{metric}' needs Xs n x {d} and Ys (n,), got Xs "
                    f"{X.shape} and Ys {Y.shape}"
                )
            if not (np.all(np.isfinite(X)) and np.all(np.isfinite(Y))):
                raise UserInputError(f"{name}: metric '{metric}' has non-finite Xs or Ys")
            out_X.append(X)
            out_Y.append(Y)
        for dim in self.categorical_dims:
            if dim >= d:
                raise UserInputError(
                    f"{name}: categorical_dims key {dim} is not a dimension (d={d})"
                )
        self._X, self._Y, self._bounds, self._metric_names = out_X, out_Y, box, names

    # ---------------------------------------------------------------- generation
    def gen(
        self,
        n: int,
        bounds: Sequence[Tuple[float, float]],
        objective_weights: np.ndarray,
        outcome_constraints: Optional[TConstraints] = None,
        linear_constraints: Optional[TConstraints] = None,
        fixed_features: Optional[Mapping[int, float]] = None,
        pending_observations: Optional[Sequence[np.ndarray] | np.ndarray] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
        rounding_func: Optional[TRounding] = None,
    ) -> Tuple[np.ndarray, np.ndarray, Dict[str, Any], None]:
        """Propose ``n`` points.

        Args: as :meth:`~ax.models.torch.botorch_model.BotorchModel.gen`;
            ``model_gen_options`` is not used (must be empty or None).

        Returns:
            ``(points n x d, ones(n), {"startup": bool, "n_good": int, "n_bad": int},
            None)``.

        Raises:
            DataRequiredError: ``fit`` was never called.
            UserInputError: A malformed argument.
            UnsupportedError: No candidate satisfies the linear constraints.
        """
        name = f"{type(self).__name__}.gen"
        if self._bounds is None:
            raise DataRequiredError(f"{name}: call fit first (even with no observations)")
        n = check_int(name, "n", n, minimum=1)
        box = _check_bounds(name, bounds)
        d = len(box)
        if d != len(self._bounds):
            raise UserInputError(f"{name}: bounds must have d={len(self._bounds)} pairs, got {d}")
        if model_gen_options:
            raise UserInputError(
                f"{name}: model_gen_options are not used by TPE, got {dict(model_gen_options)!r}"
            )
        weights = _check_vector(
            name, "objective_weights", objective_weights, len(self._metric_names)
        )
        if not np.any(weights != 0):
            raise UserInputError(f"{name}: objective_weights must not be all zero")
        constraints = _check_outcome_constraints(name, outcome_constraints, len(weights))
        linear = _check_linear(name, linear_constraints, d)
        fixed = check_fixed_features(name, fixed_features, d)
        pending = _check_pending(name, pending_observations, d)
        X_obs, scores = self._scored_points(weights, constraints)

        rng = np.random.default_rng(np.random.SeedSequence([self.seed, self.gen_count]))
        lows = np.array([lo for lo, _ in box])
        highs = np.array([hi for _, hi in box])
        free = [j for j in range(d) if j not in fixed]
        startup = X_obs.shape[0] < max(self.n_startup, 1)
        n_good = 0
        chosen: List[np.ndarray] = []
        if startup:
            for _ in range(n):
                chosen.append(
                    self._draw_feasible(rng, name, lows, highs, fixed, linear, rounding_func, None)
                )
        else:
            order = np.lexsort((-scores[:, 1], scores[:, 0]))  # feasible first, then best
            n_good = min(math.ceil(self.gamma * len(order)), self.max_good)
            good = X_obs[order[:n_good]]
            bad = [X_obs[order[n_good:]]] + ([pending] if pending is not None else [])
            for _ in range(n):
                bad_set = np.concatenate(bad + [np.array(chosen).reshape(-1, d)], axis=0)
                l_dens = [self._density(good[:, j], j, lows[j], highs[j]) for j in range(d)]
                g_dens = [self._density(bad_set[:, j], j, lows[j], highs[j]) for j in range(d)]
                point = self._draw_feasible(
                    rng, name, lows, highs, fixed, linear, rounding_func, (l_dens, g_dens, free)
                )
                chosen.append(point)
        self.gen_count += 1
        points = np.array(chosen, dtype=float).reshape(n, d)
        meta = {"startup": startup, "n_good": n_good, "n_bad": int(X_obs.shape[0] - n_good)}
        return points, np.ones(n), meta, None

    def _scored_points(
        self, weights: np.ndarray, constraints: Optional[TConstraints]
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Points observed on every weighted metric, with ``(violation, objective)``."""
        needed = set(np.flatnonzero(weights).tolist())
        if constraints is not None:
            needed |= set(np.flatnonzero(np.any(constraints[0] != 0, axis=0)).tolist())
        first = min(needed)
        table: Dict[bytes, Dict[int, float]] = {}
        points: Dict[bytes, np.ndarray] = {}
        for i in sorted(needed):
            for x, y in zip(self._X[i], self._Y[i]):
                key = (x + 0.0).tobytes()
                table.setdefault(key, {})[i] = float(y)
                points.setdefault(key, x)
        keys = [k for k in points if needed <= set(table[k])]  # first-seen order
        d = self._X[first].shape[1]
        if not keys:
            return np.empty((0, d)), np.empty((0, 2))
        Y = np.zeros((len(keys), len(weights)))
        for r, key in enumerate(keys):
            for i, value in table[key].items():
                Y[r, i] = value
        objective = Y @ weights
        violation = np.zeros(len(keys))
        if constraints is not None:
            A, b = constraints
            violation = np.maximum(Y @ A.T - b.reshape(1, -1), 0.0).sum(axis=1)
        X = np.array([points[k] for k in keys])
        return X, np.column_stack([violation, objective])

    # ---------------------------------------------------------------- densities
    def _density(self, values: np.ndarray, dim: int, lo: float, hi: float) -> Dict[str, Any]:
        """The Parzen density of one dimension from ``values`` (a dict of its pieces)."""
        if dim in self.categorical_dims:
            K = self.categorical_dims[dim]
            codes = _codes(values, K)
            counts = np.bincount(codes, minlength=K).astype(float)
            probs = (counts + self.prior_weight / K) / (len(codes) + self.prior_weight)
            return {"kind": "cat", "K": K, "probs": probs}
        span = hi - lo
        m = len(values)
        if span <= 0:
            return {"kind": "point", "value": lo}
        if m > 1:
            sd = float(np.std(values))
            bandwidth = 1.06 * (sd if sd > 0 else span) * m ** (-0.2)
        else:
            bandwidth = span
        bandwidth = min(max(bandwidth, span / min(100.0, m + 1.0)), span)
        mus = np.append(values, 0.5 * (lo + hi))
        sigmas = np.append(np.full(m, bandwidth), span)
        w = np.append(np.ones(m), self.prior_weight)
        w = w / w.sum()
        mass = np.array(
            [
                0.5 * (math.erf((hi - mu) / (s * _SQRT2)) - math.erf((lo - mu) / (s * _SQRT2)))
                for mu, s in zip(mus, sigmas)
            ]
        )
        return {
            "kind": "gmm",
            "mus": mus,
            "sigmas": sigmas,
            "weights": w,
            "mass": mass,
            "lo": lo,
            "hi": hi,
        }

    @staticmethod
    def _log_pdf(dens: Dict[str, Any], x: np.ndarray) -> np.ndarray:
        if dens["kind"] == "cat":
            return np.log(dens["probs"][_codes(x, dens["K"])])
        if dens["kind"] == "point":
            return np.zeros_like(x)
        z = (x[:, None] - dens["mus"][None, :]) / dens["sigmas"][None, :]
        log_comp = (
            -0.5 * z * z
            - np.log(dens["sigmas"] * math.sqrt(2 * math.pi) * dens["mass"])[None, :]
            + np.log(dens["weights"])[None, :]
        )
        top = log_comp.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(log_comp - top).sum(axis=1, keepdims=True))).reshape(-1)

    @staticmethod
    def _sample(dens: Dict[str, Any], size: int, rng: np.random.Generator) -> np.ndarray:
        if dens["kind"] == "cat":
            K = dens["K"]
            k = rng.choice(K, size=size, p=dens["probs"])
            return k / (K - 1) if K > 1 else np.zeros(size)
        if dens["kind"] == "point":
            return np.full(size, dens["value"])
        comp = rng.choice(len(dens["weights"]), size=size, p=dens["weights"])
        out = np.empty(size)
        todo = np.arange(size)
        lo, hi = dens["lo"], dens["hi"]
        for _ in range(1000):  # rejection: every component keeps >= 1/3 of its mass
            draw = rng.normal(dens["mus"][comp[todo]], dens["sigmas"][comp[todo]])
            ok = (draw >= lo) & (draw <= hi)
            out[todo[ok]] = draw[ok]
            todo = todo[~ok]
            if todo.size == 0:
                break
        out[todo] = rng.uniform(lo, hi, size=todo.size)
        return out

    def _draw_feasible(
        self,
        rng: np.random.Generator,
        name: str,
        lows: np.ndarray,
        highs: np.ndarray,
        fixed: Dict[int, float],
        linear: Optional[TConstraints],
        rounding_func: Optional[TRounding],
        densities: Optional[Tuple[List[Dict[str, Any]], List[Dict[str, Any]], List[int]]],
    ) -> np.ndarray:
        """One point: uniform (``densities`` None) or the best of candidates from l(x)."""
        d = len(lows)
        size = self.n_ei_candidates if densities is not None else 1
        for _ in range(MAX_DRAW_ROUNDS):
            cand = np.empty((size, d))
            for j in range(d):
                if j in fixed:
                    cand[:, j] = fixed[j]
                elif densities is None:
                    if j in self.categorical_dims:
                        K = self.categorical_dims[j]
                        cand[:, j] = rng.integers(0, K, size=size) / max(K - 1, 1)
                    else:
                        cand[:, j] = rng.uniform(lows[j], highs[j], size=size)
                else:
                    cand[:, j] = self._sample(densities[0][j], size, rng)
            if rounding_func is not None:
                cand = np.array([_round(name, rounding_func, row) for row in cand])
                for j, v in fixed.items():
                    cand[:, j] = v
            if linear is not None:
                A, b = linear
                cand = cand[np.all(cand @ A.T <= b.reshape(1, -1) + 1e-12, axis=1)]
            if cand.shape[0] == 0:
                continue
            if densities is None:
                return cand[0]
            l_dens, g_dens, free = densities
            score = np.zeros(cand.shape[0])
            for j in free:
                score += self._log_pdf(l_dens[j], cand[:, j]) - self._log_pdf(g_dens[j], cand[:, j])
            return cand[int(np.argmax(score))]
        raise UnsupportedError(
            f"{name}: no candidate satisfied the linear constraints in {MAX_DRAW_ROUNDS} rounds "
            f"of {size} draws",
            hint="loosen the linear constraints",
        )

    # ---------------------------------------------------------------- state
    def get_state(self) -> Dict[str, Any]:
        """Constructor arguments that resume this generator (plain JSON types)."""
        return {
            "seed": self.seed,
            "gamma": self.gamma,
            "max_good": self.max_good,
            "n_startup": self.n_startup,
            "n_ei_candidates": self.n_ei_candidates,
            "prior_weight": self.prior_weight,
            "categorical_dims": {str(k): v for k, v in sorted(self.categorical_dims.items())},
            "gen_count": self.gen_count,
        }

    def __repr__(self) -> str:
        return f"TPEGenerator(seed={self.seed}, gamma={self.gamma}, n_startup={self.n_startup})"


# -------------------------------------------------------------------- helpers
def _codes(values: np.ndarray, K: int) -> np.ndarray:
    return np.clip(np.rint(np.asarray(values) * max(K - 1, 1)), 0, K - 1).astype(int)


def _round(name: str, rounding_func: TRounding, row: np.ndarray) -> np.ndarray:
    out = np.asarray(rounding_func(row.copy()), dtype=float)
    if out.shape != row.shape or not np.all(np.isfinite(out)):
        raise UserInputError(
            f"{name}: rounding_func must return a point of {row.size} finite numbers, got {out!r}"
        )
    return out


def _check_categorical(name: str, value: Optional[Mapping[Any, int]]) -> Dict[int, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UserInputError(
            f"{name}: categorical_dims must be a dict {{dimension: categories}}, got {value!r}"
        )
    out: Dict[int, int] = {}
    for key, K in value.items():
        if isinstance(key, str) and key.isdigit():
            key = int(key)  # JSON object keys are strings
        dim = check_int(name, "categorical_dims key", key, minimum=0)
        out[dim] = check_int(name, f"categorical_dims[{dim}]", K, minimum=1)
    return out


def _check_bounds(name: str, bounds: Any) -> List[Tuple[float, float]]:
    try:
        array = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError) as err:
        raise UserInputError(
            f"{name}: bounds must be (lower, upper) pairs, got {bounds!r}"
        ) from err
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise UserInputError(
            f"{name}: bounds must be a d x 2 list of pairs, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)) or np.any(array[:, 0] > array[:, 1]):
        raise UserInputError(
            f"{name}: bounds must be finite with lower <= upper, got {array.tolist()}"
        )
    return [(float(lo), float(hi)) for lo, hi in array]


def _check_vector(name: str, what: str, value: Any, m: int) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float).reshape(-1)
    except (TypeError, ValueError) as err:
        raise UserInputError(f"{name}: {what} must be numbers, got {value!r}") from err
    if array.shape != (m,) or not np.all(np.isfinite(array)):
        raise UserInputError(f"{name}: {what} must be {m} finite numbers, got {array.tolist()}")
    return array


def _check_outcome_constraints(
    name: str, value: Optional[TConstraints], m: int
) -> Optional[TConstraints]:
    if value is None:
        return None
    A = np.asarray(value[0], dtype=float)
    b = np.asarray(value[1], dtype=float).reshape(-1)
    if A.ndim != 2 or A.shape[1] != m or b.shape != (A.shape[0],):
        raise UserInputError(
            f"{name}: outcome_constraints must be (A k x m, b k x 1) with m={m}, got A {A.shape}"
        )
    return (A, b) if A.shape[0] else None


def _check_linear(name: str, value: Optional[TConstraints], d: int) -> Optional[TConstraints]:
    if value is None:
        return None
    A = np.asarray(value[0], dtype=float)
    b = np.asarray(value[1], dtype=float).reshape(-1)
    if A.ndim != 2 or A.shape[1] != d or b.shape != (A.shape[0],):
        raise UserInputError(
            f"{name}: linear_constraints must be (A k x d, b k x 1) with d={d}, got A {A.shape}"
        )
    return A, b


def _check_pending(name: str, value: Any, d: int) -> Optional[np.ndarray]:
    if value is None:
        return None
    arrays = [value] if isinstance(value, np.ndarray) else list(value)
    parts = [
        np.asarray(a, dtype=float).reshape(-1, d) for a in arrays if a is not None and np.size(a)
    ]
    if not parts:
        return None
    pending = np.unique(np.concatenate(parts), axis=0)
    if not np.all(np.isfinite(pending)):
        raise UserInputError(f"{name}: pending_observations must be finite")
    return pending


__all__ = ["TPEGenerator"]
