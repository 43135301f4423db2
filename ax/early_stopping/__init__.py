"""Early stopping: rules that stop unpromising trials from their learning curves.

A trial reports intermediate values (see :class:`~ax.core.progression.ProgressionData`);
a :class:`StoppingRule` decides from them whether it should stop. The Scheduler (and
``AxClient.should_stop_trial``) alone asks the rule and marks stopped trials
EARLY_STOPPED with the reason.

Rules: :class:`PercentileRule` and :class:`ThresholdRule` (as in ax-platform),
:class:`MedianRule`, :class:`SuccessiveHalvingRule` and :class:`HyperbandRule` (as in
Optuna), all with :class:`EarlyStoppingOptions` (minimum progression, minimum number of
curves, patience).
"""

from __future__ import annotations

from ax.early_stopping.base import StopDecision, StoppingRule
from ax.early_stopping.options import EarlyStoppingOptions
from ax.early_stopping.percentile import MedianRule, PercentileRule
from ax.early_stopping.successive_halving import HyperbandRule, SuccessiveHalvingRule
from ax.early_stopping.threshold import ThresholdRule

__all__ = [
    "EarlyStoppingOptions",
    "HyperbandRule",
    "MedianRule",
    "PercentileRule",
    "StopDecision",
    "StoppingRule",
    "SuccessiveHalvingRule",
    "ThresholdRule",
]
