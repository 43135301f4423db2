"""Successive halving and Hyperband (as Optuna's ``SuccessiveHalvingPruner`` and
``HyperbandPruner``, asynchronous).

Rungs sit at progressions ``min_resource * reduction_factor ** (k + min_early_stopping_rate)``
for ``k = 0, 1, ...``. At each report a trial is ranked at the highest rung it has reached,
by its best value so far there, among the trials that reached that rung (itself
included); it may go on only while it is in the best ``1 / reduction_factor`` of them
(at least the best one). Unlike Optuna's, the ranking is recomputed at each report, so a
trial promoted early can still be stopped before the next rung if better trials arrive;
this keeps the rule stateless (a resumed run decides as the interrupted one would).

Hyperband runs several successive-halving brackets side by side, from aggressive
(``min_early_stopping_rate = 0``) to lenient; each trial is assigned to one bracket
(``trial_index % n_brackets``) and compared only with the trials of its bracket.
"""

from __future__ import annotations

import math
from typing import List, Optional, Tuple

from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.early_stopping.base import StoppingRule, best_so_far, better
from ax.early_stopping.options import EarlyStoppingOptions, check_int, check_number


class SuccessiveHalvingRule(StoppingRule):
    """Asynchronous successive halving on the learning curves.

    Args:
        min_resource: The progression of the first rung (> 0).
        reduction_factor: Keep the best ``1 / reduction_factor`` at each rung (>= 2).
        min_early_stopping_rate: Skip this many rungs (>= 0).
        options: Minimum progression, minimum number of curves at a rung, patience.

    Raises:
        UserInputError / UserInputTypeError: An argument is out of range.

    Example:
        >>> SuccessiveHalvingRule(min_resource=1, reduction_factor=3)
    """

    def __init__(
        self,
        min_resource: float = 1.0,
        reduction_factor: int = 3,
        min_early_stopping_rate: int = 0,
        options: Optional[EarlyStoppingOptions] = None,
    ) -> None:
        super().__init__(options or EarlyStoppingOptions(min_curves=1))
        name = type(self).__name__
        self.min_resource = check_number(name, "min_resource", min_resource, low=0.0, strict=True)
        check_int(name, "reduction_factor", reduction_factor, low=2)
        check_int(name, "min_early_stopping_rate", min_early_stopping_rate, low=0)
        self.reduction_factor = reduction_factor
        self.min_early_stopping_rate = min_early_stopping_rate

    def judge(
        self, experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
    ) -> Tuple[bool, str]:
        return rung_judgement(
            self, experiment, trial_index, metric, minimize, step,
            self.min_early_stopping_rate, None, (self.min_resource, self.reduction_factor, 1),
        )  # fmt: skip


class HyperbandRule(StoppingRule):
    """Hyperband: successive-halving brackets of increasing leniency.

    Args:
        min_resource: The progression of the first rung of the most aggressive bracket.
        max_resource: The progression at which a trial ends (its full budget).
        reduction_factor: As for :class:`SuccessiveHalvingRule` (>= 2).
        options: Minimum progression, minimum number of curves at a rung, patience.

    Raises:
        UserInputError / UserInputTypeError: An argument is out of range, or
            ``max_resource < min_resource``.
    """

    def __init__(
        self,
        min_resource: float = 1.0,
        max_resource: float = 81.0,
        reduction_factor: int = 3,
        options: Optional[EarlyStoppingOptions] = None,
    ) -> None:
        super().__init__(options or EarlyStoppingOptions(min_curves=1))
        name = type(self).__name__
        self.min_resource = check_number(name, "min_resource", min_resource, low=0.0, strict=True)
        self.max_resource = check_number(name, "max_resource", max_resource, low=self.min_resource)
        check_int(name, "reduction_factor", reduction_factor, low=2)
        self.reduction_factor = reduction_factor
        ratio = self.max_resource / self.min_resource
        self.n_brackets = int(math.floor(math.log(ratio, reduction_factor) + 1e-9)) + 1

    def bracket(self, trial_index: int) -> int:
        """The bracket of a trial (its ``min_early_stopping_rate``)."""
        return trial_index % self.n_brackets

    def judge(
        self, experiment: Experiment, trial_index: int, metric: str, minimize: bool, step: float
    ) -> Tuple[bool, str]:
        bracket = self.bracket(trial_index)
        return rung_judgement(
            self, experiment, trial_index, metric, minimize, step, bracket, bracket,
            (self.min_resource, self.reduction_factor, self.n_brackets),
        )  # fmt: skip


def rung_judgement(
    rule: StoppingRule,
    experiment: Experiment,
    trial_index: int,
    metric: str,
    minimize: bool,
    step: float,
    rate: int,
    bracket: Optional[int],
    shape: Tuple[float, int, int],
) -> Tuple[bool, str]:
    """Rank the trial at the highest rung <= ``step`` among those that reached it.

    ``shape``: ``(min_resource, reduction_factor, n_brackets)``; ``bracket``: compare
    only with trials of this bracket (None: with all)."""
    min_resource, eta, n_brackets = shape
    data = experiment.progression_data
    key = data.progression_key
    first = min_resource * eta**rate
    if step < first:
        return False, f"{key} {step:g} is before the first rung at {first:g}"
    k = int(math.floor(math.log(step / first, eta) + 1e-9))
    rung = first * eta**k
    excluded = experiment.trial_indices_by_status
    skip = excluded[TrialStatus.FAILED] | excluded[TrialStatus.ABANDONED]
    others: List[float] = []
    for other, (steps, _) in data.curves(metric).items():
        if other == trial_index or other in skip or not steps or steps[-1] < rung:
            continue
        if bracket is not None and other % n_brackets != bracket:
            continue
        value = best_so_far(data, other, metric, minimize, rung)
        if value is not None:
            others.append(value)
    where = f"rung {k} ({key} {rung:g})" + ("" if bracket is None else f" of bracket {bracket}")
    if len(others) < max(1, rule.options.min_curves):
        return False, (
            f"too few curves at {where} ({len(others)} < min_curves {rule.options.min_curves})"
        )
    own = best_so_far(data, trial_index, metric, minimize, rung)
    assert own is not None
    n = len(others) + 1
    keep = max(1, n // eta)
    rank = 1 + sum(1 for v in others if better(v, own, minimize))
    bad = rank > keep
    verdict = "not in" if bad else "in"
    return bad, (f"{metric} = {own:.6g} ranks {rank} of {n} at {where}, {verdict} the best {keep}")


__all__ = ["HyperbandRule", "SuccessiveHalvingRule", "rung_judgement"]
