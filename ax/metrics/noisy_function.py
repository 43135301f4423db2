"""NoisyFunctionMetric: a metric computed by a function of an arm's parameters, plus noise."""

from __future__ import annotations

import math
import zlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar, List, Optional, Sequence

import numpy as np
import numpy.typing as npt

from ax.core.data import Data
from ax.core.metric import Metric
from ax.exceptions import UserInputError, UserInputTypeError


class NoisyFunctionMetric(Metric, ABC):
    """A metric whose value for an arm is ``f(x) + noise``, computed on the spot.

    ``x`` is the arm's values of :attr:`param_names`, in that order, as a float array of
    shape ``(d,)``. :meth:`fetch_trial_data` evaluates every arm of the trial and returns
    one row per arm with ``mean = f(x) + e`` where ``e ~ N(0, noise_sd^2)``,
    ``sem = noise_sd``, ``n = 10000 // (number of arms)`` and ``frac_nonnull = 1.0``.

    Noise is reproducible when ``seed`` is given: the noise of an arm in a trial is drawn
    from a generator seeded by ``(seed, trial index, arm name)``, so fetching the same
    trial again gives the same values, whatever the order of fetches. Without a seed each
    fetch draws fresh noise.

    Subclasses implement :meth:`f` and may fix the number of parameters with the class
    attribute ``required_dimensionality``.

    Args:
        name: The metric's name.
        param_names: The parameters that make up ``x``, in order (non-empty, distinct).
        noise_sd: Standard deviation of the Gaussian noise (finite, >= 0); also the SEM
            reported for each row.
        lower_is_better: As for :class:`~ax.core.metric.Metric`.
        seed: Seed of the noise (an int >= 0), or None for fresh noise on each fetch.

    Raises:
        UserInputError: ``param_names`` is empty, has duplicates or has the wrong length
            for the subclass; ``noise_sd`` is negative or not finite; ``seed`` is negative.
        UserInputTypeError: An argument has the wrong type.

    Example:
        >>> from ax.metrics.l2norm import L2NormMetric
        >>> metric = L2NormMetric("l2norm", param_names=["x1", "x2"], noise_sd=0.0)
        >>> metric.f(np.array([3.0, 4.0]))
        5.0
    """

    required_dimensionality: ClassVar[Optional[int]] = None
    """Number of parameters ``f`` takes (None: any number)."""

    def __init__(
        self,
        name: str,
        param_names: Sequence[str],
        noise_sd: float = 0.0,
        lower_is_better: Optional[bool] = None,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__(name=name, lower_is_better=lower_is_better)
        self._param_names = self._checked_param_names(param_names)
        self._noise_sd = self._checked_noise_sd(noise_sd)
        self._seed = self._checked_seed(seed)

    # ------------------------------------------------------------------ properties
    @property
    def param_names(self) -> List[str]:
        """The parameters that make up ``x``, in order (a copy)."""
        return list(self._param_names)

    @property
    def noise_sd(self) -> float:
        """Standard deviation of the added noise (and the reported SEM)."""
        return self._noise_sd

    @property
    def seed(self) -> Optional[int]:
        """Seed of the noise, or None."""
        return self._seed

    # ------------------------------------------------------------------ evaluation
    @abstractmethod
    def f(self, x: npt.NDArray[np.float64]) -> float:
        """The noiseless value at ``x`` (shape ``(d,)``, in :attr:`param_names` order)."""

    def fetch_trial_data(self, trial: Any, noisy: bool = True, **kwargs: Any) -> Data:
        """Evaluate ``f`` (plus noise) on every arm of ``trial``.

        Args:
            trial: The trial (a ``Trial`` or ``BatchTrial``); ``trial.arms`` and
                ``trial.index`` are read.
            noisy: Add noise (when ``noise_sd > 0``); False gives the exact values.
            **kwargs: Ignored.

        Returns:
            One row per arm with the columns ``arm_name``, ``metric_name``, ``mean``,
            ``sem``, ``trial_index``, ``n`` and ``frac_nonnull`` (empty for a trial with
            no arms).

        Raises:
            UserInputError: An arm lacks one of :attr:`param_names`, or has a value that
                is not a finite number there.
        """
        arms = list(trial.arms)
        if not arms:
            return Data()
        index = int(trial.index)
        means: List[float] = []
        for arm in arms:
            value = float(self.f(self._point(arm.name, arm.parameters)))
            if noisy and self._noise_sd > 0:
                value += self._noise_sd * float(self._rng(index, arm.name).standard_normal())
            means.append(value)
        k = len(arms)
        return Data.from_columns(
            {
                "arm_name": [arm.name for arm in arms],
                "metric_name": [self.name] * k,
                "mean": means,
                "sem": [self._noise_sd] * k,
                "trial_index": [index] * k,
                "n": [10000 // k] * k,
                "frac_nonnull": [1.0] * k,
            }
        )

    # ------------------------------------------------------------------ helpers
    def _label(self) -> str:
        return f"{type(self).__name__} '{self.name}'"

    def _point(self, arm_name: str, parameters: Any) -> npt.NDArray[np.float64]:
        values: List[float] = []
        for p in self._param_names:
            if p not in parameters:
                raise UserInputError(
                    f"{self._label()}: arm '{arm_name}' has no value for parameter '{p}' "
                    f"(param_names={self._param_names}, arm parameters="
                    f"{sorted(parameters)})"
                )
            value = parameters[p]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UserInputError(
                    f"{self._label()}: parameter '{p}' of arm '{arm_name}' must be a number, "
                    f"got {value!r}"
                )
            if not math.isfinite(value):
                raise UserInputError(
                    f"{self._label()}: parameter '{p}' of arm '{arm_name}' must be finite, "
                    f"got {value!r}"
                )
            values.append(float(value))
        return np.asarray(values, dtype=np.float64)

    def _rng(self, trial_index: int, arm_name: str) -> np.random.Generator:
        if self._seed is None:
            return np.random.default_rng()
        return np.random.default_rng(
            [self._seed, trial_index, zlib.crc32(arm_name.encode("utf-8"))]
        )

    def _checked_param_names(self, param_names: Any) -> List[str]:
        if isinstance(param_names, str) or not isinstance(param_names, Sequence):
            raise UserInputTypeError(
                f"{self._label()}: param_names must be a list of parameter names, got "
                f"param_names={param_names!r}"
            )
        names = list(param_names)
        if not names or not all(isinstance(n, str) and n for n in names):
            raise UserInputError(
                f"{self._label()}: param_names must be a non-empty list of non-empty "
                f"strings, got param_names={names!r}"
            )
        if len(set(names)) != len(names):
            raise UserInputError(
                f"{self._label()}: param_names must be distinct, got param_names={names!r}"
            )
        d = self.required_dimensionality
        if d is not None and len(names) != d:
            raise UserInputError(
                f"{self._label()}: param_names must name exactly {d} parameters, got "
                f"{len(names)}: param_names={names!r}"
            )
        return names

    def _checked_noise_sd(self, noise_sd: Any) -> float:
        if isinstance(noise_sd, bool) or not isinstance(noise_sd, (int, float, np.floating)):
            raise UserInputTypeError(
                f"{self._label()}: noise_sd must be a number, got noise_sd={noise_sd!r}"
            )
        value = float(noise_sd)
        if not math.isfinite(value) or value < 0:
            raise UserInputError(
                f"{self._label()}: noise_sd must be finite and >= 0, got noise_sd={noise_sd!r}"
            )
        return value

    def _checked_seed(self, seed: Any) -> Optional[int]:
        if seed is None:
            return None
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise UserInputTypeError(
                f"{self._label()}: seed must be an int or None, got seed={seed!r}"
            )
        if seed < 0:
            raise UserInputError(f"{self._label()}: seed must be >= 0, got seed={seed!r}")
        return int(seed)


__all__ = ["NoisyFunctionMetric"]
