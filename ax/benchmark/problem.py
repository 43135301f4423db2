"""BenchmarkProblem: a test problem as one typed object (function, bounds, optimum, noise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt

from ax.benchmark.synthetic_functions import SyntheticFunction
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.validation import check_float


@dataclass(frozen=True)
class BenchmarkProblem:
    """A box-bounded test problem to minimise, with its known optimum and optional noise.

    Args:
        name: The problem's name (the key in :data:`ax.benchmark.problems.PROBLEMS`).
        function: The test function; evaluates one point (shape ``(d,)``) or a batch
            (shape ``n x d``) and knows its domain and optima.
        param_names: One name per input, in order; default ``x1 ... xd``.
        noise_sd: Standard deviation of the Gaussian noise :meth:`evaluate_noisy` adds
            (``0.0``: noiseless).

    Raises:
        UserInputTypeError: ``function`` is not a
            :class:`~ax.benchmark.synthetic_functions.SyntheticFunction`.
        UserInputError: ``name`` is empty, ``param_names`` do not give ``d`` distinct
            names, or ``noise_sd`` is negative or not finite.

    Example:
        >>> from ax.benchmark import BRANIN
        >>> BRANIN.bounds, round(BRANIN.optimal_value, 6)
        (((-5.0, 10.0), (0.0, 15.0)), 0.397887)
        >>> round(BRANIN.evaluate([3.141592653589793, 2.275]), 4)
        0.3979
    """

    name: str
    function: SyntheticFunction
    param_names: Tuple[str, ...] = ()
    noise_sd: float = 0.0

    def __post_init__(self) -> None:
        label = f"BenchmarkProblem {self.name!r}"
        if not isinstance(self.name, str) or not self.name:
            raise UserInputError(
                f"BenchmarkProblem: name must be a non-empty str, got {self.name!r}"
            )
        if not isinstance(self.function, SyntheticFunction):
            raise UserInputTypeError(
                f"{label}: function must be a SyntheticFunction, got {self.function!r} "
                f"({type(self.function).__name__})"
            )
        d = self.function.required_dimensionality
        names = tuple(self.param_names) or tuple(f"x{i + 1}" for i in range(d))
        if (
            len(names) != d
            or len(set(names)) != d
            or not all(isinstance(n, str) and n for n in names)
        ):
            raise UserInputError(
                f"{label}: param_names must be {d} distinct non-empty strings, got "
                f"param_names={names!r}"
            )
        object.__setattr__(self, "param_names", names)
        object.__setattr__(self, "noise_sd", check_float(label, "noise_sd", self.noise_sd, 0))

    @property
    def dim(self) -> int:
        """The number of inputs ``d``."""
        return self.function.required_dimensionality

    @property
    def bounds(self) -> Tuple[Tuple[float, float], ...]:
        """``d`` pairs ``(lower, upper)``, one per input."""
        return tuple(self.function.domain)

    @property
    def optimal_value(self) -> float:
        """The known minimum value (``fmin``; NaN where the function does not know it)."""
        return self.function.fmin

    @property
    def optimizers(self) -> List[Tuple[float, ...]]:
        """The known global minimisers (each a ``d``-tuple; may be empty)."""
        return self.function.minimums

    def evaluate(self, X: npt.ArrayLike) -> Union[float, npt.NDArray[np.float64]]:
        """The noiseless value at one point or at many.

        Args:
            X: A point of shape ``(d,)`` or a batch of shape ``n x d``.

        Returns:
            A float for one point; an array of shape ``(n,)`` for a batch.
        """
        return self.function(X)

    def evaluate_noisy(
        self, X: npt.ArrayLike, seed: Optional[int] = None
    ) -> Union[float, npt.NDArray[np.float64]]:
        """The value plus Gaussian noise of standard deviation :attr:`noise_sd`.

        Args:
            X: A point of shape ``(d,)`` or a batch of shape ``n x d``.
            seed: Seed of the noise (``numpy.random.default_rng(seed)``); None: fresh.

        Returns:
            A float for one point; an array of shape ``(n,)`` for a batch.
        """
        values = self.function(X)
        if self.noise_sd == 0.0:
            return values
        rng = np.random.default_rng(seed)
        noisy = np.asarray(values) + rng.normal(0.0, self.noise_sd, size=np.shape(values))
        return float(noisy) if np.ndim(noisy) == 0 else noisy

    def parameters(self) -> List[Dict[str, Any]]:
        """The search space as parameter dicts for ``AxClient.create_experiment`` / ``optimize``.

        Returns:
            One ``{"name": ..., "type": "range", "bounds": [lower, upper]}`` per input.
        """
        return [
            {"name": name, "type": "range", "bounds": [float(lo), float(hi)]}
            for name, (lo, hi) in zip(self.param_names, self.bounds)
        ]


__all__ = ["BenchmarkProblem"]
