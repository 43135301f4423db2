"""Independent uniform draws on the unit cube: :class:`UniformGenerator`."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ax.models.random.base import RandomModel


class UniformGenerator(RandomModel):
    """Points drawn independently and uniformly in ``[0, 1]^d``.

    The stream is ``numpy.random.Generator(PCG64(seed))``; each point uses ``d``
    consecutive doubles. ``init_position`` counts the doubles consumed, rejected
    candidates included, and a rebuilt generator jumps there with ``PCG64.advance``, so
    resuming from :meth:`get_state` continues the very same stream. Same seed, same
    points.

    Args:
        deduplicate: Reject points generated before (see :class:`RandomModel`).
        seed: Seed of the stream; None picks one (recorded in the state).
        generated_points: `m x d` points generated before (deduplication memory).
        init_position: Number of doubles of the stream already consumed.
        center_first: Start with the centre of the cube (see :class:`RandomModel`).

    Example:
        >>> g = UniformGenerator(seed=3)
        >>> points, weights = g.gen(2, bounds=[(0.0, 1.0)] * 3)
        >>> points.shape, g.init_position
        ((2, 3), 6)
    """

    def __init__(
        self,
        deduplicate: bool = False,
        seed: Optional[int] = None,
        generated_points: Optional[Any] = None,
        init_position: int = 0,
        center_first: bool = False,
    ) -> None:
        super().__init__(
            deduplicate=deduplicate,
            seed=seed,
            generated_points=generated_points,
            init_position=init_position,
            center_first=center_first,
        )
        self._rng: Optional[np.random.Generator] = None
        self._rng_position = 0  # doubles drawn from self._rng so far

    def _stream_units(self, count: int, dim: int) -> int:
        return count * dim

    def _draw(self, start: int, count: int, dim: int) -> np.ndarray:
        if self._rng is None or self._rng_position != start:
            bit_generator = np.random.PCG64(self.seed)
            bit_generator.advance(start)  # one 64-bit draw per double
            self._rng = np.random.Generator(bit_generator)
        self._rng_position = start + count * dim
        return self._rng.random((count, dim))


__all__ = ["UniformGenerator"]
