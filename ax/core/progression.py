"""Progression data: intermediate observations of trials (learning curves).

A trial that trains a model reports metric values at increasing *progressions* (a step,
an epoch, seconds, samples seen) long before its final result. :class:`ProgressionData`
holds all of an experiment's intermediate observations in one columnar table (five
parallel lists: trial index, arm name, metric name, progression, value), beside the
experiment's final :class:`~ax.core.data.Data`; it never builds one DataFrame per trial.
Rows are only ever appended, so that a store can save the rows it has not saved yet
(:meth:`ProgressionData.num_rows_of` per trial) and incremental saves stay flat in cost.

Every appended report is validated: the trial must exist, metric names must be metrics
of the experiment, values must be finite numbers, and a trial's progression may not go
backwards for a metric it already reported (a repeated progression replaces nothing and
is refused as well).

Example:
    >>> data = experiment.progression_data
    >>> data.append(experiment, trial_index=0, progression=1, values={"loss": 0.9})
    >>> data.append(experiment, trial_index=0, progression=2, values={"loss": 0.7})
    >>> data.curve(0, "loss")
    ([1.0, 2.0], [0.9, 0.7])
"""

from __future__ import annotations

import math
from numbers import Real
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from ax.exceptions import UserInputError, UserInputTypeError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ax.core.experiment import Experiment

PROGRESSION_KEYS = ("step", "epoch", "seconds", "samples", "iteration")

COLUMNS = ("trial_index", "arm_name", "metric_name", "progression", "value")


class ProgressionData:
    """All intermediate observations of one experiment, as one append-only columnar table.

    Args:
        progression_key: What the progression counts (``"step"``, ``"epoch"``,
            ``"seconds"``, ``"samples"`` or ``"iteration"``).

    Raises:
        UserInputError: ``progression_key`` is not one of those.
    """

    def __init__(self, progression_key: str = "step") -> None:
        if progression_key not in PROGRESSION_KEYS:
            raise UserInputError(
                f"ProgressionData: progression_key must be one of {list(PROGRESSION_KEYS)}, "
                f"got {progression_key!r}"
            )
        self.progression_key = progression_key
        self.trial_index: List[int] = []
        self.arm_name: List[str] = []
        self.metric_name: List[str] = []
        self.progression: List[float] = []
        self.value: List[float] = []
        # (trial index, metric) -> row numbers, in order of progression
        self._rows: Dict[Tuple[int, str], List[int]] = {}
        self._rows_of_trial: Dict[int, List[int]] = {}

    # ------------------------------------------------------------------ writing
    def append(
        self,
        experiment: Experiment,
        trial_index: int,
        progression: float,
        values: Mapping[str, float],
        arm_name: Optional[str] = None,
    ) -> None:
        """Append one report: ``values`` of metrics at ``progression`` for a trial.

        Args:
            experiment: The experiment (for the trial and its metric names).
            trial_index: The trial that reported.
            progression: The step/epoch/... of the report (a finite number >= 0).
            values: ``{metric name: value}``, at least one, every value finite.
            arm_name: The arm (None: the trial's only arm).

        Raises:
            UserInputError: Unknown trial, arm or metric; empty ``values``; a NaN or
                infinite value; a progression that is negative, not finite, or not past
                the trial's last progression for one of the metrics. Nothing is appended
                then.
            UserInputTypeError: ``progression`` or a value is not a number.
        """
        where = f"ProgressionData: trial {trial_index}"
        trial = experiment.trials.get(trial_index) if isinstance(trial_index, int) else None
        if trial is None:
            raise UserInputError(
                f"ProgressionData: no trial with index {trial_index!r} in experiment "
                f"{experiment._name!r}"
            )
        if arm_name is None:
            if len(trial.arms) != 1:
                raise UserInputError(
                    f"{where} has {len(trial.arms)} arms; give arm_name for its report"
                )
            arm_name = trial.arms[0].name
        elif arm_name not in trial.arms_by_name:
            raise UserInputError(f"{where} has no arm named {arm_name!r}")
        step = finite_number(progression, f"{where}: {self.progression_key}")
        if step < 0:
            raise UserInputError(
                f"{where}: {self.progression_key} must be >= 0, got {progression!r}"
            )
        if not isinstance(values, Mapping) or not values:
            raise UserInputError(
                f"{where}: a report needs a non-empty {{metric: value}} dict, got {values!r}"
            )
        known = experiment.metrics
        checked: List[Tuple[str, float]] = []
        for name, raw in values.items():
            if name not in known:
                raise UserInputError(
                    f"{where}: unknown metric {name!r} in a report (the experiment's "
                    f"metrics: {sorted(known)})"
                )
            value = finite_number(
                raw, f"{where}: metric {name!r} at {self.progression_key} {step:g}"
            )
            last = self.last(trial_index, name)
            if last is not None and step <= last[0]:
                raise UserInputError(
                    f"{where}: {self.progression_key} went backwards for metric {name!r}: "
                    f"got {step:g} after {last[0]:g} (progressions must increase)"
                )
            checked.append((name, value))
        for name, value in checked:
            self._append_row(trial_index, arm_name, name, step, value)

    def _append_row(
        self, trial_index: int, arm_name: str, metric_name: str, progression: float, value: float
    ) -> None:
        row = len(self.value)
        self.trial_index.append(trial_index)
        self.arm_name.append(arm_name)
        self.metric_name.append(metric_name)
        self.progression.append(progression)
        self.value.append(value)
        self._rows.setdefault((trial_index, metric_name), []).append(row)
        self._rows_of_trial.setdefault(trial_index, []).append(row)

    # ------------------------------------------------------------------ reading
    def __len__(self) -> int:
        return len(self.value)

    @property
    def trial_indices(self) -> List[int]:
        """Trials with at least one report, in increasing order."""
        return sorted(self._rows_of_trial)

    def num_rows_of(self, trial_index: int) -> int:
        """How many rows the trial has (rows are only appended: a store saves the rest)."""
        return len(self._rows_of_trial.get(trial_index, ()))

    def rows_of(self, trial_index: int, start: int = 0) -> Dict[str, List[Any]]:
        """The trial's rows from its ``start``-th on, as columns (see :data:`COLUMNS`)."""
        rows = self._rows_of_trial.get(trial_index, [])[start:]
        return {
            "arm_name": [self.arm_name[r] for r in rows],
            "metric_name": [self.metric_name[r] for r in rows],
            "progression": [self.progression[r] for r in rows],
            "value": [self.value[r] for r in rows],
        }

    def extend_trial(self, trial_index: int, columns: Mapping[str, List[Any]]) -> None:
        """Append rows stored by :meth:`rows_of` (for the stores: no validation beyond
        shapes, the rows were validated when they were reported).

        Raises:
            UserInputError: The columns are missing or of different lengths.
        """
        try:
            names = [columns[c] for c in ("arm_name", "metric_name", "progression", "value")]
        except (KeyError, TypeError) as err:
            raise UserInputError(f"ProgressionData: stored rows lack a column ({err})") from err
        if len({len(c) for c in names}) > 1:
            raise UserInputError(
                f"ProgressionData: stored rows of trial {trial_index} have columns of "
                f"different lengths {[len(c) for c in names]}"
            )
        for arm, metric, step, value in zip(*names):
            self._append_row(int(trial_index), str(arm), str(metric), float(step), float(value))

    def curve(self, trial_index: int, metric_name: str) -> Tuple[List[float], List[float]]:
        """The trial's learning curve for a metric: ``(progressions, values)``, each of
        length ``n`` (the number of reports), progressions increasing."""
        rows = self._rows.get((trial_index, metric_name), [])
        return [self.progression[r] for r in rows], [self.value[r] for r in rows]

    def curves(self, metric_name: str) -> Dict[int, Tuple[List[float], List[float]]]:
        """Every trial's curve for a metric, by trial index (trials without one left out)."""
        return {
            index: self.curve(index, name)
            for (index, name) in sorted(self._rows)
            if name == metric_name
        }

    def last(self, trial_index: int, metric_name: str) -> Optional[Tuple[float, float]]:
        """The trial's last ``(progression, value)`` for a metric, or None."""
        rows = self._rows.get((trial_index, metric_name))
        if not rows:
            return None
        return self.progression[rows[-1]], self.value[rows[-1]]

    def max_progression(self, trial_index: int) -> Optional[float]:
        """The furthest progression the trial reported (any metric), or None."""
        rows = self._rows_of_trial.get(trial_index)
        if not rows:
            return None
        return max(self.progression[r] for r in rows)

    def to_columns(self) -> Dict[str, Any]:
        """The whole table as plain lists (for the JSON store)."""
        return {
            "progression_key": self.progression_key,
            "trial_index": list(self.trial_index),
            "arm_name": list(self.arm_name),
            "metric_name": list(self.metric_name),
            "progression": list(self.progression),
            "value": list(self.value),
        }

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any]) -> ProgressionData:
        """Rebuild a table from :meth:`to_columns`.

        Raises:
            UserInputError: A column is missing or the columns differ in length.
        """
        data = cls(str(columns.get("progression_key", "step")))
        try:
            cols = [columns[c] for c in COLUMNS]
        except KeyError as err:
            raise UserInputError(f"ProgressionData: stored table lacks column {err}") from err
        if len({len(c) for c in cols}) > 1:
            raise UserInputError(
                f"ProgressionData: stored columns differ in length {[len(c) for c in cols]}"
            )
        for index, arm, metric, step, value in zip(*cols):
            data._append_row(int(index), str(arm), str(metric), float(step), float(value))
        return data

    def to_df(self) -> pd.DataFrame:
        """A DataFrame with :data:`COLUMNS` (built only on request)."""
        import pandas as pd

        return pd.DataFrame({c: getattr(self, c) for c in COLUMNS}, columns=list(COLUMNS))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ProgressionData):
            return NotImplemented
        # Same key and the same rows per trial (stores may group rows by trial).
        return (
            self.progression_key == other.progression_key
            and self.trial_indices == other.trial_indices
            and all(self.rows_of(i) == other.rows_of(i) for i in self.trial_indices)
        )

    def __repr__(self) -> str:
        return (
            f"ProgressionData(progression_key={self.progression_key!r}, rows={len(self)}, "
            f"trials={len(self._rows_of_trial)})"
        )


def finite_number(value: Any, what: str) -> float:
    """``value`` as a finite float; ``what`` names it in the error.

    Raises:
        UserInputTypeError: Not a number. UserInputError: NaN or infinite.
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise UserInputTypeError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise UserInputError(f"{what} must be finite, got {value!r} (a NaN or infinite report)")
    return number


__all__ = ["COLUMNS", "PROGRESSION_KEYS", "ProgressionData", "finite_number"]
