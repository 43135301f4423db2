"""Scrambled Sobol' sequences on the unit cube: :class:`SobolGenerator`."""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional

import numpy as np

from ax.exceptions import UserInputError
from ax.models.random.base import RandomModel
from ax.models.utils import check_bool

MAX_SOBOL_DIMENSION = 21201
MAX_SOBOL_POINTS = 2**30
"""Length of scipy's Sobol' sequence (``bits=30``): points 0 .. 2**30 - 1."""
"""The most dimensions scipy's Sobol' direction numbers support."""


class SobolGenerator(RandomModel):
    """Quasi-random points from a (scrambled) Sobol' sequence in ``[0, 1]^d``.

    The engine (:class:`scipy.stats.qmc.Sobol`) is created at the first ``gen``, in as
    many dimensions as that call has non-fixed dimensions, and fast-forwarded to
    ``init_position``. After each ``gen``, ``init_position`` is the number of Sobol'
    points consumed, rejected candidates included, so a generator rebuilt from
    :meth:`get_state` continues the very same sequence. Later calls must sample the
    same number of dimensions.

    scipy warns that Sobol' balance properties need sample sizes that are powers of
    two; that warning is silenced locally (candidates are drawn in whatever numbers a
    run needs, as the reference does).

    Args:
        seed: Seed of the scrambling; None picks one (recorded in the state).
        deduplicate: Reject points generated before (see :class:`RandomModel`).
        init_position: Number of Sobol' points already consumed.
        scramble: Scramble the sequence (Owen scrambling with a digital shift).
        generated_points: `m x d` points generated before (deduplication memory).
        center_first: Start with the centre of the cube (see :class:`RandomModel`).

    Example:
        >>> g = SobolGenerator(seed=7)
        >>> points, weights = g.gen(4, bounds=[(0.0, 1.0), (0.0, 1.0)])
        >>> points.shape, g.init_position
        ((4, 2), 4)
    """

    def __init__(
        self,
        seed: Optional[int] = None,
        deduplicate: bool = False,
        init_position: int = 0,
        scramble: bool = True,
        generated_points: Optional[Any] = None,
        center_first: bool = False,
    ) -> None:
        super().__init__(
            deduplicate=deduplicate,
            seed=seed,
            generated_points=generated_points,
            init_position=init_position,
            center_first=center_first,
        )
        self.scramble: bool = check_bool(type(self).__name__, "scramble", scramble)
        if self.init_position >= MAX_SOBOL_POINTS:
            raise UserInputError(
                f"{type(self).__name__}: init_position must be < 2**30 = {MAX_SOBOL_POINTS} "
                f"(the length of the Sobol' sequence), got {self.init_position}"
            )
        self._engine: Any = None  # scipy.stats.qmc.Sobol, created at the first draw
        self._dimension: Optional[int] = None

    def _draw(self, start: int, count: int, dim: int) -> np.ndarray:
        if start + count > MAX_SOBOL_POINTS:
            raise UserInputError(
                f"{type(self).__name__}: the Sobol' sequence has {MAX_SOBOL_POINTS} points; "
                f"drawing {count} from position {start} would go past its end",
                hint="start a new generator with another seed",
            )
        engine = self._get_engine(dim)
        with warnings.catch_warnings():
            # Non-power-of-2 sample sizes and starts: expected here (see class docstring).
            warnings.filterwarnings("ignore", message=".*balance properties", category=UserWarning)
            if engine.num_generated > start:
                engine.reset()
            if engine.num_generated < start:
                engine.fast_forward(start - engine.num_generated)
            return np.asarray(engine.random(count), dtype=float)

    def _get_engine(self, dim: int) -> Any:
        name = type(self).__name__
        if self._engine is None:
            if dim > MAX_SOBOL_DIMENSION:
                raise UserInputError(
                    f"{name}: Sobol' sequences support at most {MAX_SOBOL_DIMENSION} "
                    f"dimensions, got {dim} non-fixed dimensions"
                )
            from scipy.stats import qmc  # imported at first use: scipy.stats is slow to load

            self._engine = qmc.Sobol(dim, scramble=self.scramble, rng=self.seed)
            self._dimension = dim
        elif dim != self._dimension:
            raise UserInputError(
                f"{name}: this generator samples {self._dimension} non-fixed dimensions, got {dim}",
                hint="keep the same fixed features across calls, or start a new generator",
            )
        return self._engine

    def get_state(self) -> Dict[str, Any]:
        """``{"seed", "init_position", "scramble", "deduplicate", "center_first",
        "generated_points"}``."""
        state = super().get_state()
        state["scramble"] = self.scramble
        return state


__all__ = ["MAX_SOBOL_DIMENSION", "MAX_SOBOL_POINTS", "SobolGenerator"]
