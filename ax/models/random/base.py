"""Random generators on the unit cube, with rejection sampling: :class:`RandomModel`."""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.base import Generator
from ax.models.utils import (
    check_bool,
    check_constraint_pair,
    check_finite_float,
    check_int,
    resolve_seed,
    to_plain,
)
from ax.utils.validation import check_fixed_features

DEFAULT_MAX_RS_DRAWS = 10000
"""Default of ``model_gen_options["max_rs_draws"]``: the most candidates drawn per ``gen``."""

MAX_BATCH = 65536
"""The most candidates drawn (and checked) at once; bounds the memory of one batch."""

GEN_OPTIONS = frozenset({"max_rs_draws"})
"""The keys of ``model_gen_options`` that random generators understand."""

TBounds = Sequence[Tuple[float, float]]
TLinearConstraints = Tuple[np.ndarray, np.ndarray]
TRoundingFunc = Callable[[np.ndarray], np.ndarray]


class RandomModel(Generator):
    """Base of the generators that draw i.i.d. or quasi-random points in ``[0, 1]^d``.

    A subclass supplies one stream of points through :meth:`_draw`, addressed by
    position, so that the stream can be resumed exactly; :meth:`gen` turns it into
    candidates: it draws batches of candidates (vectorised), places the fixed features,
    applies ``rounding_func``, rejects points that break the linear constraints (and,
    with ``deduplicate``, points generated before), and keeps the first ``n`` survivors.
    The position then moves past the last candidate used and no further, so
    ``gen(3)`` then ``gen(3)`` returns the same points as ``gen(6)``, whatever the batch
    sizes were.

    Args:
        deduplicate: Reject any candidate equal (after rounding) to a point generated
            before, in this call or an earlier one (or given in ``generated_points``).
        seed: Seed of the stream. None picks one at random, recorded in the state so
            that the run can be resumed and reproduced.
        generated_points: `m x d` points generated before (deduplication memory).
            Extended by every ``gen`` when ``deduplicate`` is on.
        init_position: Position of the stream to start from (in the units of the
            subclass; see :meth:`_stream_units`).
        center_first: Make the first point of the first ``gen`` (at stream position 0)
            the centre of the cube (0.5 in every tunable dimension, then rounded),
            before the stream's points. It is skipped when it breaks the linear
            constraints or was generated before. Users' defaults tend to sit mid-range,
            and a model learns more from one central point than from a corner
            (ax-platform 1.x starts with it too). Cleared once tried, so a generator
            rebuilt from :meth:`get_state` does not repeat it.

    Raises:
        UserInputError: An argument has the wrong type or value.
    """

    def __init__(
        self,
        deduplicate: bool = False,
        seed: Optional[int] = None,
        generated_points: Optional[Any] = None,
        init_position: int = 0,
        center_first: bool = False,
    ) -> None:
        name = type(self).__name__
        self.deduplicate: bool = check_bool(name, "deduplicate", deduplicate)
        self.center_first: bool = check_bool(name, "center_first", center_first)
        self.seed: int = resolve_seed(name, seed)
        self.init_position: int = check_int(name, "init_position", init_position, minimum=0)
        self.generated_points: Optional[np.ndarray] = _check_generated_points(
            name, generated_points
        )

    # ---------------------------------------------------------------- the stream
    @abstractmethod
    def _draw(self, start: int, count: int, dim: int) -> np.ndarray:
        """Points ``count`` of the stream, from position ``start`` on.

        Must be a pure function of ``(seed, start, count, dim)`` and the constructor
        arguments: drawing the same positions twice returns the same points.

        Args:
            start: Stream position of the first point (see :meth:`_stream_units`).
            count: Number of points (>= 1).
            dim: Number of dimensions sampled (>= 1).

        Returns:
            `count x dim` array of floats in ``[0, 1)``.
        """

    def _stream_units(self, count: int, dim: int) -> int:
        """How far ``count`` points of ``dim`` dimensions move the stream position.

        One unit per point by default (a quasi-random sequence of points); a stream of
        scalars overrides this to ``count * dim``.
        """
        return count

    # ---------------------------------------------------------------- public API
    def gen(
        self,
        n: int,
        bounds: TBounds,
        linear_constraints: Optional[TLinearConstraints] = None,
        fixed_features: Optional[Mapping[int, float]] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
        rounding_func: Optional[TRoundingFunc] = None,
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Generate ``n`` points in ``[0, 1]^d`` by rejection sampling.

        Args:
            n: Number of points, a positive integer.
            bounds: ``d`` pairs ``(lower, upper)``. Every dimension that is not fixed
                must have bounds exactly ``(0, 1)``: these generators work on the unit
                cube, and the bridge's unit-cube transform maps the search space there.
            linear_constraints: ``(A, b)`` with `A` `k x d` and `b` `k x 1` (or `k`),
                meaning ``A @ x <= b``; every point returned satisfies it exactly.
            fixed_features: ``{dimension index: value}``; those columns are set to the
                value instead of being sampled.
            model_gen_options: Options; ``"max_rs_draws"`` (positive int, default
                10000) is the most candidates drawn in this call.
            rounding_func: Called on each candidate (a `d` array) before it is
                checked; returns the rounded `d` array.

        Returns:
            ``(points, weights)``: an `n x d` float array and an `n` array of ones.

        Raises:
            UserInputError: A malformed argument (``n``, bounds, constraints, fixed
                features, options, or a rounding function returning a bad point).
            UnsupportedError: ``max_rs_draws`` candidates were drawn without finding
                ``n`` acceptable points; the generator is left unchanged.
        """
        name = type(self).__name__
        n = check_int(name, "n", n, minimum=1)
        d = _check_bounds_shape(name, bounds)
        fixed = check_fixed_features(name, fixed_features, d, index_name="dimension")
        tunable = [i for i in range(d) if i not in fixed]
        _check_unit_bounds(name, bounds, tunable)
        constraints = _check_linear_constraints(name, linear_constraints, d)
        max_draws = _check_gen_options(name, model_gen_options)
        seen = self._dedup_memory(name, d)

        dim = len(tunable)
        fixed_idx = np.array(list(fixed), dtype=int)
        fixed_val = np.array(list(fixed.values()), dtype=float)

        def finished(candidates: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
            """Fixed features placed, rounded; and which satisfy the linear constraints."""
            candidates[:, fixed_idx] = fixed_val
            if rounding_func is not None:
                candidates = _apply_rounding(name, rounding_func, candidates)
                candidates[:, fixed_idx] = fixed_val
            if constraints is None:
                return candidates, np.ones(candidates.shape[0], dtype=bool)
            A, b = constraints
            return candidates, np.all(candidates @ A.T <= b, axis=1)

        def admit(row: np.ndarray) -> bool:
            """Whether ``row`` is new (recorded as seen when deduplicating)."""
            if seen is not None:
                key = row.tobytes()
                if key in seen:
                    return False
                seen.add(key)
            return True

        accepted: List[np.ndarray] = []
        if self.center_first and self.init_position == 0:
            centre, ok = finished(np.full((1, d), 0.5))
            row = centre[0] + 0.0  # + 0.0 turns -0.0 into 0.0 for the dedup key
            if ok[0] and admit(row):
                accepted.append(row)
        drawn = 0  # candidates drawn in this call
        used = 0  # candidates up to and including the last accepted one
        batch = 0
        while len(accepted) < n:
            if drawn >= max_draws:
                raise UnsupportedError(
                    f"{name}: specified maximum draws ({max_draws}) exhausted, finding "
                    f"only {len(accepted)} of the {n} requested candidates; the "
                    "constraints may be infeasible or too tight",
                    hint="loosen the linear constraints"
                    + (" or turn off deduplicate" if self.deduplicate else "")
                    + ", or raise model_gen_options['max_rs_draws']",
                )
            batch = _next_batch_size(n - len(accepted), len(accepted), drawn, batch)
            batch = min(batch, max_draws - drawn)
            candidates = np.empty((batch, d), dtype=float)
            if dim:
                start = self.init_position + self._stream_units(drawn, dim)
                candidates[:, tunable] = self._draw(start, batch, dim)
            candidates, ok = finished(candidates)
            for i in np.flatnonzero(ok):
                row = candidates[i] + 0.0  # + 0.0 turns -0.0 into 0.0 for the dedup key
                if not admit(row):
                    continue
                accepted.append(row)
                if len(accepted) == n:
                    used = drawn + int(i) + 1
                    break
            drawn += batch

        points = np.vstack(accepted)
        self.center_first = False
        if dim:
            self.init_position += self._stream_units(used, dim)
        if self.deduplicate:
            previous = self.generated_points
            self.generated_points = (
                points.copy()
                if previous is None or previous.size == 0
                else np.vstack([previous, points])
            )
        return points, np.ones(n)

    def get_state(self) -> Dict[str, Any]:
        """``{"seed", "init_position", "deduplicate", "center_first", "generated_points"}``
        as plain types."""
        return {
            "seed": self.seed,
            "init_position": self.init_position,
            "deduplicate": self.deduplicate,
            "center_first": self.center_first,
            "generated_points": to_plain(self.generated_points),
        }

    # ---------------------------------------------------------------- helpers
    def _dedup_memory(self, name: str, d: int) -> Optional[set[bytes]]:
        """Keys of the points generated so far (None when not deduplicating)."""
        if not self.deduplicate:
            return None
        previous = self.generated_points
        if previous is None or previous.size == 0:
            return set()
        if previous.shape[1] != d:
            raise UserInputError(
                f"{name}: generated_points have {previous.shape[1]} dimensions but bounds "
                f"have d={d}"
            )
        return {(row + 0.0).tobytes() for row in previous}

    def __repr__(self) -> str:
        state = self.get_state()
        state.pop("generated_points")
        args = ", ".join(f"{k}={v!r}" for k, v in state.items())
        return f"{type(self).__name__}({args})"


def _next_batch_size(remaining: int, accepted: int, drawn: int, last: int) -> int:
    """How many candidates to draw next, from the acceptance rate seen so far."""
    if drawn == 0:
        return remaining
    if accepted == 0:
        return min(2 * last, MAX_BATCH)
    estimate = math.ceil(remaining * drawn / accepted * 1.2) + 1
    return max(1, min(estimate, MAX_BATCH))


def _check_generated_points(name: str, points: Optional[Any]) -> Optional[np.ndarray]:
    if points is None:
        return None
    try:
        array = np.asarray(points, dtype=float)
    except (TypeError, ValueError) as err:
        raise UserInputError(
            f"{name}: generated_points must be an m x d array of numbers, got {points!r}"
        ) from err
    if array.size == 0:
        return np.empty((0, 0))
    if array.ndim != 2 or not np.all(np.isfinite(array)):
        raise UserInputError(
            f"{name}: generated_points must be an m x d array of finite numbers, got "
            f"shape {array.shape}"
        )
    return array


def _check_bounds_shape(name: str, bounds: TBounds) -> int:
    if isinstance(bounds, (str, bytes)) or not isinstance(bounds, Sequence) or not bounds:
        raise UserInputError(
            f"{name}: bounds must be a non-empty list of (lower, upper) pairs, got {bounds!r}"
        )
    for i, pair in enumerate(bounds):
        if not isinstance(pair, Sequence) or len(pair) != 2:
            raise UserInputError(f"{name}: bounds[{i}] must be a (lower, upper) pair, got {pair!r}")
        for value in pair:
            check_finite_float(name, f"bounds[{i}]", value)
    return len(bounds)


def _check_unit_bounds(name: str, bounds: TBounds, tunable: List[int]) -> None:
    for i in tunable:
        lower, upper = bounds[i]
        if float(lower) != 0.0 or float(upper) != 1.0:
            raise UserInputError(
                f"{name}: bounds of dimension {i} must be (0, 1), got ({lower}, {upper}); "
                "this generator operates on [0, 1]^d",
                hint="apply the unit-cube transform first",
            )


def _check_linear_constraints(
    name: str, linear_constraints: Optional[TLinearConstraints], d: int
) -> Optional[Tuple[np.ndarray, np.ndarray]]:
    if linear_constraints is None:
        return None
    A, b = check_constraint_pair(name, "linear_constraints", linear_constraints, d, "d")
    return A, b.reshape(1, -1)


def _check_gen_options(name: str, options: Optional[Mapping[str, Any]]) -> int:
    if options is None:
        return DEFAULT_MAX_RS_DRAWS
    if not isinstance(options, Mapping):
        raise UserInputError(f"{name}: model_gen_options must be a dict, got {options!r}")
    unknown = sorted(str(k) for k in options if k not in GEN_OPTIONS)
    if unknown:
        raise UserInputError(
            f"{name}: unknown model_gen_options {unknown}; known: {sorted(GEN_OPTIONS)}"
        )
    return check_int(
        name,
        "model_gen_options['max_rs_draws']",
        options.get("max_rs_draws", DEFAULT_MAX_RS_DRAWS),
        minimum=1,
    )


def _apply_rounding(name: str, rounding_func: TRoundingFunc, candidates: np.ndarray) -> np.ndarray:
    d = candidates.shape[1]
    rounded = np.empty_like(candidates)
    for i, row in enumerate(candidates):
        returned = rounding_func(row.copy())
        try:
            result = np.asarray(returned, dtype=float)
        except (TypeError, ValueError) as err:
            raise UserInputError(
                f"{name}: rounding_func must return a point of {d} numbers: {err}"
            ) from err
        if result.shape != (d,) or not np.all(np.isfinite(result)):
            raise UserInputError(
                f"{name}: rounding_func must return a point of {d} finite numbers, got {result!r}"
            )
        rounded[i] = result
    return rounded


__all__ = ["DEFAULT_MAX_RS_DRAWS", "RandomModel"]
