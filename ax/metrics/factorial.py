"""FactorialMetric: simulated success rates of a factorial design (main effects, logit link).

Each factor (a choice parameter) adds a coefficient per level to a logit: an arm's
success probability is ``sigmoid(sum of its levels' coefficients + noise)``. Evaluating a
batch trial simulates ``Binomial(batch_size, weight)`` plays of each arm (its share of the
traffic, from the batch's normalised weights) and ``Binomial(plays, p)`` successes, and
reports the success rate with its Agresti-Coull standard error: the Bernoulli-bandit
setting of the Ax 0.1 factorial tutorial.

Example:
    >>> metric = FactorialMetric(
    ...     name="success_metric",
    ...     coefficients={"factor1": {"a": 0.1, "b": 0.3}, "factor2": {"c": 0.1, "d": 0.2}},
    ...     batch_size=10000,
    ...     seed=0,
    ... )
"""

from __future__ import annotations

import math
import zlib
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from ax.core.data import Data
from ax.core.metric import Metric
from ax.core.types import TParameterization, TParamValue
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.stats.statstools import agresti_coull_sem
from ax.utils.validation import check_float, check_int

TCoefficients = Dict[str, Dict[TParamValue, float]]
"""``{factor (parameter name): {level (value): coefficient on the logit scale}}``."""


class FactorialMetric(Metric):
    """Metric for testing factorial designs, assuming a main-effects-only logit model.

    Args:
        name: The metric's name.
        coefficients: ``{factor: {level: coefficient}}``; every factor and level an arm
            uses must be listed (non-empty, finite coefficients).
        batch_size: Total plays of a batch trial, split among its arms by weight (>= 1).
        noise_var: Variance of Gaussian noise added to each arm's logit (>= 0).
        lower_is_better: As for :class:`~ax.core.metric.Metric` (success rates: False).
        seed: Seed of the simulation (an int >= 0): the draws of an arm in a trial come
            from a generator seeded by ``(seed, trial index, arm name)``, so fetching again
            gives the same values. None draws fresh values on each fetch, as in Ax.

    Raises:
        UserInputError: ``coefficients`` is empty or has an empty factor or a non-finite
            coefficient; ``batch_size`` < 1; ``noise_var`` < 0 or not finite; ``seed`` < 0.
        UserInputTypeError: An argument has the wrong type.
    """

    def __init__(
        self,
        name: str,
        coefficients: TCoefficients,
        batch_size: int = 10000,
        noise_var: float = 0.0,
        lower_is_better: Optional[bool] = False,
        seed: Optional[int] = None,
    ) -> None:
        super().__init__(name=name, lower_is_better=lower_is_better)
        self.coefficients: TCoefficients = self._checked_coefficients(coefficients)
        self.batch_size: int = self._checked_int("batch_size", batch_size, minimum=1)
        self.noise_var: float = self._checked_noise_var(noise_var)
        self.seed: Optional[int] = (
            None if seed is None else self._checked_int("seed", seed, minimum=0)
        )

    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        """Simulate the plays and successes of every arm of a batch trial.

        Args:
            trial: A ``BatchTrial`` that is running or completed.
            **kwargs: Ignored.

        Returns:
            One row per arm: ``mean`` (success rate), ``sem`` (Agresti-Coull),
            ``trial_index``, ``n`` (plays) and ``frac_nonnull`` (= mean). An arm with no
            plays (a tiny weight) gets mean 0 and SEM 0, as in Ax.

        Raises:
            UserInputError: The trial is not a batch trial or is not expecting data, or an
                arm has a factor or level missing from ``coefficients``.
        """
        if not hasattr(trial, "normalized_arm_weights"):
            raise UserInputError(
                f"{self._label()}: can only fetch data for batch trials, got "
                f"{type(trial).__name__} {trial.index}"
            )
        if not trial.status.expecting_data:
            raise UserInputError(
                f"{self._label()}: trial {trial.index} is {trial.status.name}; data can only "
                "be fetched for a trial that runs or has completed"
            )
        rows: Dict[str, List[Any]] = {
            k: [] for k in ("arm_name", "mean", "sem", "n", "frac_nonnull")
        }
        for arm, weight in trial.normalized_arm_weights().items():
            rng = self._rng(int(trial.index), arm.name)
            mean, sem, plays = self._simulate(arm.name, arm.parameters, float(weight), rng)
            rows["arm_name"].append(arm.name)
            rows["mean"].append(mean)
            rows["sem"].append(sem)
            rows["n"].append(plays)
            rows["frac_nonnull"].append(mean)
        if not rows["arm_name"]:
            return Data()
        k = len(rows["arm_name"])
        return Data.from_columns(
            {
                **rows,
                "metric_name": [self.name] * k,
                "trial_index": [int(trial.index)] * k,
            }
        )

    def probability(self, parameterization: Mapping[str, TParamValue]) -> float:
        """The noiseless success probability ``sigmoid(sum of coefficients)`` of an arm.

        Raises:
            UserInputError: A factor or level is missing from ``coefficients``.
        """
        return _sigmoid(self._logit("arm", parameterization))

    # ------------------------------------------------------------------ helpers
    def _simulate(
        self,
        arm_name: str,
        parameters: TParameterization,
        weight: float,
        rng: np.random.Generator,
    ) -> Tuple[float, float, int]:
        z = self._logit(arm_name, parameters)
        if self.noise_var > 0:
            z += math.sqrt(self.noise_var) * float(rng.standard_normal())
        plays = int(rng.binomial(self.batch_size, min(max(weight, 0.0), 1.0)))
        if plays == 0:
            return 0.0, 0.0, 0
        successes = int(rng.binomial(plays, _sigmoid(z)))
        return successes / plays, float(agresti_coull_sem(successes, plays)), plays

    def _logit(self, arm_name: str, parameters: Mapping[str, TParamValue]) -> float:
        z = 0.0
        for factor, level in parameters.items():
            levels = self.coefficients.get(factor)
            if levels is None:
                raise UserInputError(
                    f"{self._label()}: factor {factor!r} of arm {arm_name!r} is not in the "
                    f"coefficients (factors: {sorted(self.coefficients)})"
                )
            if level not in levels:
                raise UserInputError(
                    f"{self._label()}: level {level!r} of factor {factor!r} (arm "
                    f"{arm_name!r}) is not in the coefficients (levels: {list(levels)})"
                )
            z += levels[level]
        return z

    def _rng(self, trial_index: int, arm_name: str) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng()
        return np.random.default_rng([self.seed, trial_index, zlib.crc32(arm_name.encode())])

    def _label(self) -> str:
        return f"FactorialMetric '{self.name}'"

    def _checked_coefficients(self, coefficients: Any) -> TCoefficients:
        if not isinstance(coefficients, Mapping) or not coefficients:
            raise UserInputError(
                f"{self._label()}: coefficients must be a non-empty dict {{factor: {{level: "
                f"coefficient}}}}, got coefficients={coefficients!r}"
            )
        checked: TCoefficients = {}
        for factor, levels in coefficients.items():
            if not isinstance(levels, Mapping) or not levels:
                raise UserInputError(
                    f"{self._label()}: coefficients[{factor!r}] must be a non-empty dict "
                    f"{{level: coefficient}}, got {levels!r}"
                )
            checked[str(factor)] = {}
            for level, value in levels.items():
                if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                    raise UserInputTypeError(
                        f"{self._label()}: coefficients[{factor!r}][{level!r}] must be a "
                        f"number, got {value!r}"
                    )
                if not math.isfinite(float(value)):
                    raise UserInputError(
                        f"{self._label()}: coefficients[{factor!r}][{level!r}] must be "
                        f"finite, got {value!r}"
                    )
                checked[str(factor)][level] = float(value)
        return checked

    def _checked_int(self, field: str, value: Any, minimum: int) -> int:
        return check_int(self._label(), field, value, minimum)

    def _checked_noise_var(self, value: Any) -> float:
        return check_float(self._label(), "noise_var", value, 0)


def evaluation_function(
    parameterization: Mapping[str, TParamValue],
    coefficients: TCoefficients,
    weight: float = 1.0,
    batch_size: int = 10000,
    noise_var: float = 0.0,
    seed: Optional[int] = None,
) -> Tuple[float, float]:
    """``(success rate, sem)`` of one arm, simulated as :class:`FactorialMetric` does.

    For a :class:`~ax.core.simple_experiment.SimpleExperiment` whose evaluation function
    takes ``(parameterization, weight)``.

    Args:
        parameterization: The arm's ``{factor: level}``.
        coefficients: ``{factor: {level: coefficient}}``.
        weight: The arm's share of ``batch_size`` (in [0, 1]).
        batch_size: Total plays.
        noise_var: Variance of the logit's Gaussian noise.
        seed: Seed of the simulation (None: fresh draws).
    """
    metric = FactorialMetric(
        "factorial", coefficients, batch_size=batch_size, noise_var=noise_var, seed=seed
    )
    rng = np.random.default_rng(seed)
    mean, sem, _ = metric._simulate("arm", dict(parameterization), float(weight), rng)
    return mean, sem


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


__all__ = ["FactorialMetric", "TCoefficients", "evaluation_function"]
