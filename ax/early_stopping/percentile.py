"""Percentile and median rules: stop a trial that is worse than most others at its step.

As ax-platform's ``PercentileEarlyStoppingStrategy`` and Optuna's ``MedianPruner`` /
``PercentilePruner``: at each progression a trial reported, its best value so far is
compared with the best-so-far values of the other trials that reached that progression
(``min_curves`` of them at least). The trial looks bad if it ranks in the worst
``percentile`` per cent of them.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from ax.core.experiment import Experiment
from ax.early_stopping.base import StoppingRule, best_so_far, values_at
from ax.early_stopping.options import EarlyStoppingOptions, check_number


class PercentileRule(StoppingRule):
    """Stop a trial whose best value so far is in the worst ``percentile`` % at its step.

    Args:
        percentile: In (0, 100): 50 stops trials worse than the median, 75 stops those
            worse than three quarters of the others (the more, the more aggressive).
        options: Minimum progression, minimum number of curves, patience.

    Raises:
        UserInputError / UserInputTypeError: ``percentile`` is outside (0, 100).

    Example:
        >>> rule = PercentileRule(50, EarlyStoppingOptions(min_progression=2, min_curves=4))
        >>> rule.should_stop(experiment, trial_index=7)
        StopDecision(stop=True, reason='PercentileRule: loss = 0.91 at step 3 is worse ...')
    """

    def __init__(
        self, percentile: float = 50.0, options: Optional[EarlyStoppingOptions] = None
    ) -> None:
        super().__init__(options)
        self.percentile = check_number(
            type(self).__name__, "percentile", percentile, low=0.0, high=100.0, strict=True
        )

    def judge(
        self, experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
    ) -> Tuple[bool, str]:
        data = experiment.progression_data
        key = data.progression_key
        own = best_so_far(data, trial_index, metric, minimize, step)
        assert own is not None  # the trial reported at ``step``
        others = values_at(experiment, trial_index, metric, minimize, step)
        if len(others) < max(1, self.options.min_curves):
            return False, (
                f"too few curves at {key} {step:g} ({len(others)} < min_curves "
                f"{self.options.min_curves})"
            )
        # The value below which (maximise) / above which (minimise) a trial is in the
        # worst ``percentile`` per cent.
        q = self.percentile if not minimize else 100.0 - self.percentile
        cut = float(np.percentile(np.asarray(others, dtype=float), q))
        bad = own > cut if minimize else own < cut
        word = "worse" if bad else "not worse"
        return bad, (
            f"{metric} = {own:.6g} at {key} {step:g} is {word} than the "
            f"{self.percentile:g}th-percentile cut {cut:.6g} of {len(others)} other curves"
        )


class MedianRule(PercentileRule):
    """Stop a trial whose best value so far is worse than the median of the others
    at its step (Optuna's ``MedianPruner``): a :class:`PercentileRule` at 50.

    Args:
        options: Minimum progression, minimum number of curves, patience.
    """

    def __init__(self, options: Optional[EarlyStoppingOptions] = None) -> None:
        super().__init__(50.0, options)


__all__ = ["MedianRule", "PercentileRule"]
