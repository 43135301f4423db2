"""Threshold rule: stop a trial whose best value so far is worse than a fixed bound.

As ax-platform's ``ThresholdEarlyStoppingStrategy``. It needs no other curves (set
``min_curves`` to require some completed trials first, e.g. to wait out a warm-up).
"""

from __future__ import annotations

from typing import Optional, Tuple

from ax.core.experiment import Experiment
from ax.early_stopping.base import StoppingRule, best_so_far, values_at
from ax.early_stopping.options import EarlyStoppingOptions, check_number


class ThresholdRule(StoppingRule):
    """Stop a trial whose best value so far is worse than ``threshold``.

    Args:
        threshold: The bound: above it is bad when minimising, below it when maximising.
        options: Minimum progression, minimum number of curves (other trials that
            reached the step; 0 by default here), patience.

    Raises:
        UserInputError / UserInputTypeError: ``threshold`` is not a finite number.

    Example:
        >>> ThresholdRule(0.5, EarlyStoppingOptions(min_progression=5, min_curves=0))
    """

    def __init__(self, threshold: float, options: Optional[EarlyStoppingOptions] = None) -> None:
        super().__init__(options or EarlyStoppingOptions(min_curves=0))
        self.threshold = check_number(type(self).__name__, "threshold", threshold)

    def judge(
        self, experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
    ) -> Tuple[bool, str]:
        data = experiment.progression_data
        key = data.progression_key
        if self.options.min_curves:
            others = values_at(experiment, trial_index, metric, minimize, step)
            if len(others) < self.options.min_curves:
                return False, (
                    f"too few curves at {key} {step:g} ({len(others)} < min_curves "
                    f"{self.options.min_curves})"
                )
        own = best_so_far(data, trial_index, metric, minimize, step)
        assert own is not None
        bad = own > self.threshold if minimize else own < self.threshold
        sign = ">" if minimize else "<"
        if not bad:
            sign = "<=" if minimize else ">="
        return bad, f"{metric} = {own:.6g} at {key} {step:g} {sign} threshold {self.threshold:g}"


__all__ = ["ThresholdRule"]
