"""Fidelity parameters and their cost, as the BoTorch generators see them (no torch here).

- :class:`FidelityCostModel` is the user's cost of one evaluation, in the units of the
  fidelity parameters: ``fixed_cost + sum_p cost_per_unit[p] * value_p``. It is typed and
  validated (every cost > 0) and stored as plain data with the generator's options.
- :class:`FidelityFeature` is what the bridge tells a model about one fidelity
  parameter: its input dimension, its target in model coordinates, and how model
  coordinates map back to the user's units (the bridge's transforms are affine on a
  fidelity parameter that is not on a log scale).
- :func:`affine_cost` turns the two into BoTorch's affine cost in model coordinates.

Example:
    >>> cost = FidelityCostModel(fixed_cost=0.1, cost_per_unit=0.9)
    >>> feature = FidelityFeature(index=2, name="s", target=1.0, lower=0.0, upper=1.0)
    >>> affine_cost("KnowledgeGradient", cost, [feature])
    (0.1, {2: 0.9})
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple, Union

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ax.exceptions import UnsupportedError, UserInputError


class FidelityCostModel(BaseModel):
    """The cost of one evaluation: ``fixed_cost + sum_p cost_per_unit[p] * value_p``.

    ``value_p`` is the value of fidelity parameter ``p`` in the user's units (e.g. the
    number of epochs). The multi-fidelity knowledge gradient divides the expected gain of
    an evaluation by this cost, so cheaper fidelities are chosen while they are worth
    their price.

    Attributes:
        fixed_cost: Cost of any evaluation, whatever its fidelity (> 0, finite); the
            cost of an evaluation at fidelity 0.
        cost_per_unit: Cost of one unit of fidelity (> 0, finite): one number for every
            fidelity parameter, or ``{parameter name: cost}`` naming each of them.

    Raises:
        UserInputError: A cost is not a finite number > 0 (the message names the field
            and the value), or an unknown field is given.

    Example:
        >>> FidelityCostModel(fixed_cost=5.0, cost_per_unit={"epochs": 0.5}).fixed_cost
        5.0
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fixed_cost: float = 1.0
    cost_per_unit: Union[float, Dict[str, float]] = 1.0

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise UserInputError(
                f"FidelityCostModel: {describe_validation_error(err)}",
                hint="fixed_cost and cost_per_unit must be finite numbers > 0",
            ) from None

    @field_validator("fixed_cost", mode="before")
    @classmethod
    def _check_fixed_cost(cls, value: Any) -> float:
        return _positive("fixed_cost", value)

    @field_validator("cost_per_unit", mode="before")
    @classmethod
    def _check_cost_per_unit(cls, value: Any) -> Union[float, Dict[str, float]]:
        if isinstance(value, Mapping):
            if not value:
                raise ValueError("cost_per_unit must name at least one parameter, got {}")
            out: Dict[str, float] = {}
            for key, cost in value.items():
                if not isinstance(key, str):
                    raise ValueError(f"cost_per_unit keys must be parameter names, got {key!r}")
                out[key] = _positive(f"cost_per_unit[{key!r}]", cost)
            return out
        return _positive("cost_per_unit", value)

    def unit_cost(self, name: str) -> float:
        """The cost of one unit of fidelity parameter ``name``.

        Raises:
            UserInputError: ``cost_per_unit`` is a dict that does not name ``name``.
        """
        if isinstance(self.cost_per_unit, dict):
            if name not in self.cost_per_unit:
                raise UserInputError(
                    f"FidelityCostModel: cost_per_unit has no cost for fidelity parameter "
                    f"{name!r}; it names {sorted(self.cost_per_unit)}"
                )
            return self.cost_per_unit[name]
        return float(self.cost_per_unit)


def _positive(field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{field} must be a number > 0, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or number <= 0.0:
        raise ValueError(f"{field} must be a finite number > 0, got {value!r}")
    return number


def describe_validation_error(err: ValidationError) -> str:
    """A pydantic error as ``field: message, got value`` parts joined by ``;``."""
    parts = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        msg = str(e["msg"]).removeprefix("Value error, ")
        parts.append(f"{where + ': ' if where else ''}{msg}")
    return "; ".join(parts)


@dataclass(frozen=True)
class FidelityFeature:
    """One fidelity parameter as a model input.

    Attributes:
        index: The input dimension (column of the model's `n x d` points).
        name: The parameter's name.
        target: The target fidelity in model coordinates (where recommendations are
            made).
        lower: The parameter's lower bound in the user's units.
        upper: The parameter's upper bound in the user's units.
        log_scale: Whether the parameter is on a log scale (then its cost is not affine
            in model coordinates).
        model_lower: The lower bound in model coordinates.
        model_upper: The upper bound in model coordinates.
        user_target: The target in the user's units (for reports), when known.
    """

    index: int
    name: str
    target: float
    lower: float
    upper: float
    log_scale: bool = False
    model_lower: float = 0.0
    model_upper: float = 1.0
    user_target: Optional[float] = None

    @property
    def reported_target(self) -> float:
        """The target in the user's units when known, else in model coordinates."""
        return self.target if self.user_target is None else self.user_target

    def to_user_units(self, value: float) -> float:
        """A model coordinate in the user's units (affine; not for log-scale parameters)."""
        span = self.model_upper - self.model_lower
        fraction = 0.0 if span == 0 else (value - self.model_lower) / span
        return self.lower + fraction * (self.upper - self.lower)


def target_fidelities(features: Sequence[FidelityFeature]) -> Dict[int, float]:
    """``{input dimension: target in model coordinates}``."""
    return {f.index: f.target for f in features}


def affine_cost(
    owner: str, cost_model: FidelityCostModel, features: Sequence[FidelityFeature]
) -> Tuple[float, Dict[int, float]]:
    """The cost model in model coordinates: ``(fixed cost, {dimension: weight})``.

    ``cost(z) = fixed + sum_j weight_j * z_j`` equals ``cost_model`` at the point whose
    fidelity values in the user's units correspond to ``z``.

    Raises:
        UnsupportedError: A fidelity parameter is on a log scale.
        UserInputError: ``cost_per_unit`` names a parameter that is not a fidelity
            parameter, or misses one; or the cost at the lowest fidelities is not > 0
            (possible when a fidelity parameter's lower bound is negative).
    """
    names = [f.name for f in features]
    if isinstance(cost_model.cost_per_unit, dict):
        unknown = sorted(set(cost_model.cost_per_unit) - set(names))
        if unknown:
            raise UserInputError(
                f"{owner}: cost_model.cost_per_unit names {unknown}, which are not fidelity "
                f"parameters; the fidelity parameters are {names}"
            )
    fixed = cost_model.fixed_cost
    weights: Dict[int, float] = {}
    for f in features:
        if f.log_scale:
            raise UnsupportedError(
                f"{owner}: fidelity parameter {f.name!r} is on a log scale; the cost model "
                "is affine in the fidelity values, which needs a linear parameter",
                hint="declare the fidelity parameter with log_scale=False",
            )
        unit = cost_model.unit_cost(f.name)
        # value in user units = lower + slope * (z - model_lower)
        slope = f.to_user_units(f.model_lower + 1.0) - f.lower
        fixed += unit * (f.lower - slope * f.model_lower)
        weights[f.index] = unit * slope
    lowest = fixed + sum(w * f.model_lower for f, w in zip(features, weights.values()))
    if not lowest > 0:
        raise UserInputError(
            f"{owner}: the cost at the lowest fidelities "
            f"({', '.join(f'{f.name}={f.lower}' for f in features)}) is {lowest}, not > 0",
            hint="raise cost_model.fixed_cost, or use fidelity ranges that start at >= 0",
        )
    return fixed, weights


__all__ = [
    "FidelityCostModel",
    "FidelityFeature",
    "affine_cost",
    "describe_validation_error",
    "target_fidelities",
]
