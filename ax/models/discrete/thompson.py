"""Thompson sampling over observed arms: :class:`ThompsonSampler`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.models.discrete.base import (
    DiscreteModel,
    FitData,
    TPoint,
    check_fixed_features,
    check_no_options,
    check_parameter_values,
    is_list_like,
)
from ax.models.utils import (
    check_bool,
    check_constraint_pair,
    check_finite_float,
    check_int,
    resolve_seed,
)

MAX_INFEASIBLE_FRACTION = 0.99
"""Above this fraction of posterior samples with no feasible arm, ``gen`` raises."""

CHUNK_ELEMENTS = 2**20
"""The most normal draws held in memory at once (``samples x arms x outcomes``)."""


class ThompsonSampler(DiscreteModel):
    """Weights arms by their posterior probability of being the best.

    ``fit`` takes, for every outcome, one mean and one variance per arm (every outcome
    must observe the same arms). The posterior of an arm's mean for an outcome is
    ``Normal(mean, variance)``, independent across arms and outcomes. ``gen`` draws
    ``num_samples`` joint samples (`num_samples x arms x outcomes`, vectorised), marks
    an arm infeasible in a sample when its sampled outcomes break the outcome
    constraints, and counts how often each arm has the best objective
    ``sample @ objective_weights`` among the feasible arms. Samples with no feasible arm
    are dropped (and replaced), and win counts become win probabilities.

    Arms with win probability above ``min_weight`` are kept, best first (ties broken at
    random), the top ``n`` are returned (all when ``n <= 0``), and their weights are
    normalised to sum to 1 (or made equal with ``uniform_weights``). The default
    ``min_weight`` is ``2 / k`` for ``k`` candidate arms, except that it never drops the
    best arm (the reference's default made every two-arm or one-arm problem fail).

    Each ``gen`` uses a fresh ``numpy.random.default_rng(seed)``: the result is a
    deterministic function of the seed and the fitted data, so the state is only the
    seed (plus the settings).

    Args:
        num_samples: Number of feasible posterior samples to draw.
        min_weight: Win probability an arm must exceed to be kept, in ``[0, 1)``; None
            for the default above.
        uniform_weights: Return equal weights instead of win probabilities.
        seed: Seed of the samples; None picks one (recorded in the state).

    Example:
        >>> ts = ThompsonSampler(seed=0)
        >>> ts.fit(Xs=[[[0], [1], [2]]], Ys=[[0.0, 1.0, 5.0]], Yvars=[[0.1, 0.1, 0.1]],
        ...        parameter_values=[[0, 1, 2]], outcome_names=["y"])
        >>> points, weights, _ = ts.gen(1, [[0, 1, 2]], objective_weights=np.array([1.0]))
        >>> points, weights
        ([[2]], [1.0])
    """

    def __init__(
        self,
        num_samples: int = 10000,
        min_weight: Optional[float] = None,
        uniform_weights: bool = False,
        seed: Optional[int] = None,
    ) -> None:
        name = type(self).__name__
        self.num_samples: int = check_int(name, "num_samples", num_samples, minimum=1)
        if min_weight is not None:
            min_weight = check_finite_float(name, "min_weight", min_weight)
            if not 0.0 <= min_weight < 1.0:
                raise UserInputError(f"{name}: min_weight must be in [0, 1), got {min_weight}")
        self.min_weight: Optional[float] = min_weight
        self.uniform_weights: bool = check_bool(name, "uniform_weights", uniform_weights)
        self.seed: int = resolve_seed(name, seed)
        self._arms: Optional[List[TPoint]] = None
        self._means: np.ndarray = np.empty((0, 0))  # k x m, after _posterior
        self._variances: np.ndarray = np.empty((0, 0))  # k x m, after _posterior
        self._outcome_names: List[str] = []

    # ---------------------------------------------------------------- fit / predict
    def _fit(self, data: FitData) -> None:
        name = f"{type(self).__name__}.fit"
        if not data.outcome_names:
            raise UserInputError(f"{name}: at least one outcome is required, got none")
        arms = list(dict.fromkeys(data.Xs[0]))
        if not arms:
            raise UserInputError(f"{name}: outcome 0 ('{data.outcome_names[0]}') has no points")
        index = {arm: j for j, arm in enumerate(arms)}
        k, m = len(arms), len(data.outcome_names)
        means = np.empty((k, m))
        variances = np.empty((k, m))
        for i, (points, Y, Yvar) in enumerate(zip(data.Xs, data.Ys, data.Yvars)):
            seen: set[TPoint] = set()
            for j, point in enumerate(points):
                if point in seen:
                    raise UserInputError(
                        f"{name}: Xs[{i}][{j}] (outcome {i}) repeats arm {list(point)}; "
                        "give one aggregated mean per arm"
                    )
                if point not in index:
                    raise UserInputError(
                        f"{name}: Xs[{i}][{j}] (outcome {i}) is arm {list(point)}, which "
                        "outcome 0 does not observe; every outcome must observe the same arms"
                    )
                seen.add(point)
                means[index[point], i] = Y[j]
                variances[index[point], i] = Yvar[j]
            if len(seen) != k:
                missing = [list(arm) for arm in arms if arm not in seen]
                raise UserInputError(
                    f"{name}: outcome {i} ('{data.outcome_names[i]}') does not observe arms "
                    f"{missing}; every outcome must observe the same arms"
                )
        for i in range(m):
            means[:, i], variances[:, i] = self._posterior(means[:, i], variances[:, i])
        self._arms = arms
        self._means = means
        self._variances = variances
        self._outcome_names = list(data.outcome_names)

    def _posterior(self, means: np.ndarray, variances: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Posterior means and variances of the arms for one outcome (`k` each).

        The observed means and variances as they are; overridden for shrinkage.
        """
        return means, variances

    def predict(self, X: Sequence[Sequence[Hashable]]) -> Tuple[np.ndarray, np.ndarray]:
        """Posterior means (`n x m`) and diagonal covariances (`n x m x m`) of fitted arms.

        Raises:
            DataRequiredError: ``fit`` was not called.
            UserInputError: A point is not one of the fitted arms.
        """
        name = f"{type(self).__name__}.predict"
        arms = self._require_fit(name)
        index = {arm: j for j, arm in enumerate(arms)}
        if not is_list_like(X):
            raise UserInputError(f"{name}: X must be a list of points, got {X!r}")
        rows: List[int] = []
        for j, point in enumerate(X):
            key = tuple(point) if is_list_like(point) else None
            if key not in index:
                raise UserInputError(f"{name}: X[{j}] = {point!r} is not a fitted arm")
            rows.append(index[key])
        m = self._means.shape[1]
        mean = self._means[rows]
        cov = np.zeros((len(rows), m, m))
        cov[:, np.arange(m), np.arange(m)] = self._variances[rows]
        return mean, cov

    # ---------------------------------------------------------------- gen
    def gen(
        self,
        n: int,
        parameter_values: Sequence[Sequence[Hashable]],
        objective_weights: Optional[np.ndarray] = None,
        outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        fixed_features: Optional[Mapping[int, Hashable]] = None,
        pending_observations: Optional[Sequence[Sequence[Sequence[Hashable]]]] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
    ) -> Tuple[List[List[Hashable]], List[float], Dict[str, Any]]:
        """The best arms by win probability, with their weights.

        Args:
            n: Number of arms; ``n <= 0`` returns every arm above ``min_weight``.
            parameter_values: Per parameter, the values it can take (not used beyond
                checking ``fixed_features``).
            objective_weights: `m` weights; the objective ``y @ objective_weights`` is
                maximised. Required.
            outcome_constraints: ``(A, b)``, `A` `k x m`, `b` `k x 1`; a sampled arm is
                feasible when ``A @ y <= b``.
            fixed_features: ``{parameter index: value}``; only arms with these values
                are candidates.
            pending_observations: Ignored (the weights already describe a batch).
            model_gen_options: Must be empty: this model takes no options.

        Returns:
            ``(points, weights, gen_metadata)``; ``gen_metadata`` holds
            ``"win_probabilities"`` (of the points returned, before normalising),
            ``"min_weight"`` (the threshold used) and ``"fraction_infeasible"``.

        Raises:
            DataRequiredError: ``fit`` was not called.
            UserInputError: Bad arguments, no arm matching ``fixed_features``, or more
                than 99% of the samples having no feasible arm (the outcome constraints
                are infeasible for the fitted arms).
            UnsupportedError: No arm's win probability exceeds ``min_weight``.
        """
        name = f"{type(self).__name__}.gen"
        arms = self._require_fit(name)
        n = check_int(name, "n", n)
        m = self._means.shape[1]
        weights_vector = _check_objective_weights(name, objective_weights, m)
        constraints = _check_outcome_constraints(name, outcome_constraints, m)
        values = check_parameter_values(name, parameter_values)
        fixed = check_fixed_features(name, fixed_features, len(values))
        check_no_options(name, model_gen_options)

        candidates = [j for j, arm in enumerate(arms) if all(arm[i] == v for i, v in fixed.items())]
        if not candidates:
            raise UserInputError(f"{name}: no fitted arm has the fixed features {fixed}")
        rng = np.random.default_rng(self.seed)
        win_probabilities, fraction_infeasible = self._win_probabilities(
            rng, candidates, weights_vector, constraints
        )
        k = len(candidates)
        threshold = self.min_weight if self.min_weight is not None else 2.0 / k
        keep = win_probabilities > threshold
        if self.min_weight is None:
            keep |= win_probabilities == win_probabilities.max()
        if not keep.any():
            raise UnsupportedError(
                f"{name}: no arm has a win probability above min_weight={threshold} (the "
                f"best has {win_probabilities.max():.4g})",
                hint="lower min_weight",
            )
        kept = np.flatnonzero(keep)
        tie_break = rng.random(len(kept))
        order = kept[np.lexsort((tie_break, -win_probabilities[kept]))]
        if n > 0:
            order = order[:n]
        chosen = win_probabilities[order]
        if self.uniform_weights:
            weights = [1.0 / len(order)] * len(order)
        else:
            weights = (chosen / chosen.sum()).tolist()
        points = [list(arms[candidates[j]]) for j in order]
        metadata: Dict[str, Any] = {
            "win_probabilities": chosen.tolist(),
            "min_weight": threshold,
            "fraction_infeasible": fraction_infeasible,
        }
        return points, weights, metadata

    def _win_probabilities(
        self,
        rng: np.random.Generator,
        candidates: List[int],
        objective_weights: np.ndarray,
        constraints: Optional[Tuple[np.ndarray, np.ndarray]],
    ) -> Tuple[np.ndarray, float]:
        """Win probability of each candidate arm, and the fraction of infeasible samples.

        Samples are drawn in chunks of `s x k x m` normal draws until ``num_samples``
        of them have a feasible arm.
        """
        means = self._means[candidates]  # k x m
        sds = np.sqrt(self._variances[candidates])  # k x m
        k, m = means.shape
        chunk = max(1, CHUNK_ELEMENTS // (k * m))
        wins = np.zeros(k, dtype=np.int64)
        valid = 0
        drawn = 0
        while valid < self.num_samples:
            needed = self.num_samples - valid
            if drawn:
                needed = int(np.ceil(needed * drawn / max(valid, 1) * 1.1))
            size = min(needed, chunk)
            samples = means + sds * rng.standard_normal((size, k, m))  # size x k x m
            objective = samples @ objective_weights  # size x k
            if constraints is not None:
                A, b = constraints
                violated = np.any(samples @ A.T > b, axis=2)  # size x k
                objective[violated] = -np.inf
            best = np.argmax(objective, axis=1)
            feasible = np.isfinite(objective[np.arange(size), best])
            wins += np.bincount(best[feasible], minlength=k)
            valid += int(feasible.sum())
            drawn += size
            if drawn >= self.num_samples and valid < (1 - MAX_INFEASIBLE_FRACTION) * drawn:
                raise UserInputError(
                    f"{type(self).__name__}.gen: outcome constraints are infeasible for "
                    f"{100 * (1 - valid / drawn):.1f}% of the posterior samples (no arm "
                    f"satisfies them); more than {100 * MAX_INFEASIBLE_FRACTION:.0f}% is "
                    "not allowed",
                    hint="relax the outcome constraints",
                )
        return wins / wins.sum(), 1.0 - valid / drawn

    # ---------------------------------------------------------------- state
    def get_state(self) -> Dict[str, Any]:
        """``{"num_samples", "min_weight", "uniform_weights", "seed"}``.

        The fitted data are not part of the state: ``fit`` is called again with the data
        after a rebuild.
        """
        return {
            "num_samples": self.num_samples,
            "min_weight": self.min_weight,
            "uniform_weights": self.uniform_weights,
            "seed": self.seed,
        }

    def _require_fit(self, where: str) -> List[TPoint]:
        if self._arms is None:
            raise DataRequiredError(
                f"{where}: {type(self).__name__} has not been fitted",
                hint="call fit(Xs, Ys, Yvars, parameter_values, outcome_names) first",
            )
        return self._arms


def _check_objective_weights(
    where: str, objective_weights: Optional[np.ndarray], m: int
) -> np.ndarray:
    if objective_weights is None:
        raise UserInputError(f"{where}: objective_weights are required, got None")
    try:
        weights = np.asarray(objective_weights, dtype=float)
    except (TypeError, ValueError) as err:
        raise UserInputError(
            f"{where}: objective_weights must be {m} numbers, got {objective_weights!r}"
        ) from err
    if weights.shape != (m,) or not np.all(np.isfinite(weights)):
        raise UserInputError(
            f"{where}: objective_weights must be {m} finite numbers (one per outcome), got "
            f"{objective_weights!r}"
        )
    if not np.any(weights):
        raise UserInputError(
            f"{where}: objective_weights must not all be zero, got {weights.tolist()}"
        )
    return weights


def _check_outcome_constraints(
    where: str, outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]], m: int
) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    if outcome_constraints is None:
        return None
    A, b = check_constraint_pair(where, "outcome_constraints", outcome_constraints, m, "m")
    if A.shape[0] == 0:
        return None
    return A, b


__all__ = ["ThompsonSampler"]
