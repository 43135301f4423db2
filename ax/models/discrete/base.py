"""Generators over finite sets of parameter values: :class:`DiscreteModel`."""

from __future__ import annotations

import math
import numbers
from abc import abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.base import Generator
from ax.utils import validation

TPoint = Tuple[Hashable, ...]
"""One point: a value per parameter (any hashable values: numbers, strings, bools, None)."""


@dataclass(frozen=True)
class FitData:
    """Validated training data of a discrete model.

    Attributes:
        Xs: Per outcome, the points observed (tuples of parameter values).
        Ys: Per outcome, the observed means (1-D float arrays aligned with ``Xs``).
        Yvars: Per outcome, the variances of those means (1-D float arrays, >= 0).
        parameter_values: Per parameter, the values it can take.
        outcome_names: Name of each outcome.
    """

    Xs: List[List[TPoint]]
    Ys: List[np.ndarray]
    Yvars: List[np.ndarray]
    parameter_values: List[List[Hashable]]
    outcome_names: List[str]


class DiscreteModel(Generator):
    """Base of the generators whose candidates are combinations of given values.

    Lifecycle (see :class:`~ax.models.base.Generator`): ``fit`` is called with all the
    data whenever it changes (it validates, then hands the data to :meth:`_fit`);
    ``gen`` proposes points with weights; ``predict`` gives the fitted means where the
    model has them. Generators that learn nothing (a full factorial design) may be used
    without ``fit``.

    Subclasses implement :meth:`gen` and :meth:`get_state`, and override :meth:`_fit`
    and :meth:`predict` when they use data.
    """

    def fit(
        self,
        Xs: Sequence[Sequence[Sequence[Hashable]]],
        Ys: Sequence[Sequence[float]],
        Yvars: Sequence[Sequence[float]],
        parameter_values: Sequence[Sequence[Hashable]],
        outcome_names: Sequence[str],
    ) -> None:
        """Fit the model to observations.

        Args:
            Xs: Per outcome, a list of points; each point is a list with one value per
                parameter.
            Ys: Per outcome, the observed means, aligned with ``Xs``.
            Yvars: Per outcome, the variances of the means (>= 0), aligned with ``Xs``.
            parameter_values: Per parameter, the list of values it can take.
            outcome_names: Name of each outcome, aligned with ``Xs``.

        Raises:
            UserInputError: Mismatched lengths, a point of the wrong length or with an
                unhashable value, a non-finite mean, or a negative or non-finite
                variance; the message names the outcome index and position.
        """
        self._fit(
            validate_fit_data(type(self).__name__, Xs, Ys, Yvars, parameter_values, outcome_names)
        )

    def _fit(self, data: FitData) -> None:
        """Learn from validated data. Does nothing by default."""

    @abstractmethod
    def gen(
        self,
        n: int,
        parameter_values: Sequence[Sequence[Hashable]],
        objective_weights: Optional[np.ndarray] = None,
        outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        fixed_features: Optional[Mapping[int, Hashable]] = None,
        pending_observations: Optional[Sequence[Sequence[Sequence[Hashable]]]] = None,
        model_gen_options: Optional[Mapping[str, Any]] = None,
    ) -> Tuple[List[List[Hashable]], List[float], Dict[str, Any]]:
        """Propose points.

        Args:
            n: Number of points wanted (meaning of ``n <= 0`` depends on the model).
            parameter_values: Per parameter, the values it can take.
            objective_weights: `m` weights; the objective is ``Y @ objective_weights``
                (to be maximised).
            outcome_constraints: ``(A, b)``, `A` `k x m`, `b` `k x 1`: ``A @ y <= b``.
            fixed_features: ``{parameter index: value}`` that every point must have.
            pending_observations: Per outcome, points being evaluated.
            model_gen_options: Model-specific options.

        Returns:
            ``(points, weights, gen_metadata)``: a list of points (lists of values), one
            weight per point, and a dict of JSON-safe metadata.
        """

    def predict(self, X: Sequence[Sequence[Hashable]]) -> Tuple[np.ndarray, np.ndarray]:
        """Predicted means (`n x m`) and covariances (`n x m x m`) of points ``X``.

        Raises:
            UnsupportedError: This model makes no predictions (the default).
        """
        raise UnsupportedError(f"{type(self).__name__} does not support predict")


def validate_fit_data(
    name: str,
    Xs: Sequence[Sequence[Sequence[Hashable]]],
    Ys: Sequence[Sequence[float]],
    Yvars: Sequence[Sequence[float]],
    parameter_values: Sequence[Sequence[Hashable]],
    outcome_names: Sequence[str],
) -> FitData:
    """Check the arguments of :meth:`DiscreteModel.fit` and return them as :class:`FitData`.

    Raises:
        UserInputError: See :meth:`DiscreteModel.fit`.
    """
    where = f"{name}.fit"
    values = check_parameter_values(where, parameter_values)
    lists = {"Xs": Xs, "Ys": Ys, "Yvars": Yvars, "outcome_names": outcome_names}
    for field, value in lists.items():
        if not is_list_like(value):
            raise UserInputError(f"{where}: {field} must be a list, got {value!r}")
    m = len(outcome_names)
    lengths = {field: len(value) for field, value in lists.items()}
    if len(set(lengths.values())) != 1:
        raise UserInputError(
            f"{where}: Xs, Ys, Yvars and outcome_names must have one entry per outcome, "
            f"got lengths {lengths}"
        )
    names: List[str] = []
    for i, outcome in enumerate(outcome_names):
        if not isinstance(outcome, str):
            raise UserInputError(f"{where}: outcome_names[{i}] must be a str, got {outcome!r}")
        names.append(outcome)
    points_per_outcome: List[List[TPoint]] = []
    means: List[np.ndarray] = []
    variances: List[np.ndarray] = []
    for i in range(m):
        entries: Tuple[Tuple[str, object], ...] = (
            ("Xs", Xs[i]),
            ("Ys", Ys[i]),
            ("Yvars", Yvars[i]),
        )
        for field, entry in entries:
            if not is_list_like(entry):
                raise UserInputError(
                    f"{where}: {field}[{i}] (outcome {i}) must be a list, got {entry!r}"
                )
        if not (len(Xs[i]) == len(Ys[i]) == len(Yvars[i])):
            raise UserInputError(
                f"{where}: outcome {i} ('{names[i]}') has {len(Xs[i])} points, "
                f"{len(Ys[i])} Ys and {len(Yvars[i])} Yvars; they must match"
            )
        points = [
            _check_point(f"{where}: Xs[{i}][{j}] (outcome {i})", x, len(values))
            for j, x in enumerate(Xs[i])
        ]
        Y = np.empty(len(points))
        Yvar = np.empty(len(points))
        for j, (y, yvar) in enumerate(zip(Ys[i], Yvars[i])):
            Y[j] = _check_number(where, f"Ys[{i}][{j}] (outcome {i} '{names[i]}')", y)
            Yvar[j] = _check_number(where, f"Yvars[{i}][{j}] (outcome {i} '{names[i]}')", yvar)
            if Yvar[j] < 0:
                raise UserInputError(
                    f"{where}: Yvars[{i}][{j}] (outcome {i} '{names[i]}') must be >= 0, "
                    f"got {Yvar[j]}"
                )
        points_per_outcome.append(points)
        means.append(Y)
        variances.append(Yvar)
    return FitData(points_per_outcome, means, variances, values, names)


def is_list_like(value: object) -> bool:
    """Whether ``value`` is a sequence (list, tuple, numpy array) and not a string."""
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))


def check_parameter_values(
    where: str, parameter_values: Sequence[Sequence[Hashable]]
) -> List[List[Hashable]]:
    if not is_list_like(parameter_values):
        raise UserInputError(
            f"{where}: parameter_values must be a list of value lists, got {parameter_values!r}"
        )
    result: List[List[Hashable]] = []
    for i, values in enumerate(parameter_values):
        if not is_list_like(values):
            raise UserInputError(
                f"{where}: parameter_values[{i}] must be a list of values, got {values!r}"
            )
        result.append(list(values))
    return result


def _check_point(where: str, point: Sequence[Hashable], d: int) -> TPoint:
    if not is_list_like(point) or len(point) != d:
        raise UserInputError(f"{where}: must be a list of {d} parameter values, got {point!r}")
    for value in point:
        if not isinstance(value, Hashable):
            raise UserInputError(f"{where}: values must be hashable, got {value!r}")
    return tuple(point)


def _check_number(where: str, field: str, value: object) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise UserInputError(f"{where}: {field} must be a real number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise UserInputError(f"{where}: {field} must be finite, got {result}")
    return result


def check_fixed_features(
    where: str, fixed_features: Optional[Mapping[int, Hashable]], d: int
) -> Dict[int, Hashable]:
    """``fixed_features`` checked: int keys in ``[0, d)``, values kept; a plain dict.

    Raises:
        UserInputError: Not a mapping, or a key that is not a parameter index.
    """
    return validation.check_fixed_features(
        where, fixed_features, d, finite_values=False, index_name="parameter", size_name=""
    )


def check_no_options(where: str, model_gen_options: Optional[Mapping[str, Any]]) -> None:
    """Raise :class:`UserInputError` for any option: these models take none."""
    if model_gen_options is None:
        return
    if not isinstance(model_gen_options, Mapping):
        raise UserInputError(
            f"{where}: model_gen_options must be a dict, got {model_gen_options!r}"
        )
    if model_gen_options:
        raise UserInputError(
            f"{where}: unknown model_gen_options {sorted(map(str, model_gen_options))}; "
            "this model takes none"
        )


__all__ = ["DiscreteModel", "FitData", "TPoint", "validate_fit_data"]
