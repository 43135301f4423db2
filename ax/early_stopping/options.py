"""Typed options shared by the stopping rules (validated at construction)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ax.exceptions import UserInputError, UserInputTypeError


@dataclass(frozen=True)
class EarlyStoppingOptions:
    """When a stopping rule may judge a trial at all.

    Attributes:
        metric_name: The metric the rule watches; it must be an objective of the
            experiment (None: the experiment's objective, or its only objective metric).
        min_progression: No trial is judged before it reports a progression >= this.
        min_curves: How many *other* trials must have reached a progression before a
            trial is compared against them there (ignored by the threshold rule when 0).
        patience: How many reports in a row may look bad before the trial is stopped
            (0: stop at the first bad report). Noisy curves want 1-3.
        respect_constraints: Also stop a trial whose reported value of an
            outcome-constraint metric violates the constraint (with the same patience).

    Raises:
        UserInputTypeError / UserInputError: A field has the wrong type or range (the
            message names the field and the value).

    Example:
        >>> EarlyStoppingOptions(min_progression=3, min_curves=5, patience=1)
    """

    metric_name: Optional[str] = None
    min_progression: float = 0.0
    min_curves: int = 3
    patience: int = 0
    respect_constraints: bool = True

    def __post_init__(self) -> None:
        name = "EarlyStoppingOptions"
        if self.metric_name is not None and not isinstance(self.metric_name, str):
            raise UserInputTypeError(
                f"{name}: metric_name must be a str or None, got {self.metric_name!r}"
            )
        check_number(name, "min_progression", self.min_progression, low=0.0)
        check_int(name, "min_curves", self.min_curves, low=0)
        check_int(name, "patience", self.patience, low=0)
        if not isinstance(self.respect_constraints, bool):
            raise UserInputTypeError(
                f"{name}: respect_constraints must be a bool, got {self.respect_constraints!r}"
            )


def check_int(owner: str, field: str, value: object, low: int) -> None:
    """Raise unless ``value`` is an int >= ``low`` (the message names owner and field)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserInputTypeError(f"{owner}: {field} must be an int, got {value!r}")
    if value < low:
        raise UserInputError(f"{owner}: {field} must be >= {low}, got {value}")


def check_number(
    owner: str,
    field: str,
    value: object,
    low: Optional[float] = None,
    high: Optional[float] = None,
    strict: bool = False,
) -> float:
    """``value`` as a finite float within ``[low, high]`` (open if ``strict``), or raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserInputTypeError(f"{owner}: {field} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise UserInputError(f"{owner}: {field} must be finite, got {value!r}")
    too_low = low is not None and (number <= low if strict else number < low)
    too_high = high is not None and (number >= high if strict else number > high)
    if too_low or too_high:
        sign = ("<", ">") if strict else ("<=", ">=")
        lo = "" if low is None else f"{low:g} {sign[0]} "
        hi = "" if high is None else f" {sign[0]} {high:g}"
        raise UserInputError(f"{owner}: {field} must be {lo}{field}{hi}, got {value!r}")
    return number


__all__ = ["EarlyStoppingOptions", "check_int", "check_number"]
