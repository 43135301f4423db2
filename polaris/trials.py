"""The history of a Polaris experiment: :class:`Trials` and the status codes.

Fixes against the original: a failed trial never becomes ``best_params``; a "success"
without a finite loss is recorded as a failure (it would put ``inf`` into the training
data); ``exp_info`` is optional; an unknown status is an error, not a silent failure.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np

from ax.exceptions import UserInputError, UserInputTypeError

STATUS_FAILURE = 1
STATUS_SUCCESS = 2
STATUSES = (STATUS_FAILURE, STATUS_SUCCESS)


def finite_loss(result: Mapping[str, Any]) -> Optional[float]:
    """``result['loss']`` as a float when it is a finite real number, else None (also
    when it does not fit a float, e.g. ``10**400``)."""
    loss = result.get("loss")
    if isinstance(loss, bool) or not isinstance(loss, Real):
        return None
    try:
        value = float(loss)
    except (OverflowError, ValueError, TypeError, ArithmeticError):
        return None
    return value if math.isfinite(value) else None


def safe_repr(value: Any, limit: int = 200) -> str:
    """``repr(value)`` cut to ``limit`` characters; never raises (an int too long for
    ``repr`` or a raising ``__repr__`` gives a description instead)."""
    try:
        text = repr(value)
    except Exception as err:  # e.g. ValueError: int too large to convert to str
        if isinstance(value, int):
            return f"<int of {value.bit_length()} bits>"
        return f"<{type(value).__name__}: repr failed: {type(err).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Trials:
    """Results of the evaluations so far, in the order they were added.

    Each record of :attr:`trials` is ``{'result', 'loss', 'params', 'exp_key',
    'eval_count', 'status'}``. ``len(trials)`` counts successes and failures.

    Attributes:
        trials: The records.
        lowest_loss: The lowest loss of a successful trial (``inf`` before any).
        best_params: The params of that trial (None before any success).
        last_params: The params of the last record, as a 1-D array in label order.

    Example:
        >>> trials = Trials()
        >>> trials.add({"loss": 0.5, "status": STATUS_SUCCESS}, {"b": 1.0, "a": 2.0})
        >>> X, y = trials.get_train_data()
        >>> X.tolist(), y.tolist()
        ([[2.0, 1.0]], [0.5])
    """

    def __init__(self) -> None:
        self.trials: List[Dict[str, Any]] = []
        self.lowest_loss: float = math.inf
        self.best_params: Optional[Dict[str, Any]] = None
        self.last_params: Optional[np.ndarray] = None
        self._train_x: List[List[float]] = []
        self._train_y: List[float] = []

    def _reset(self) -> None:
        """Forget every record (used when a checkpoint is loaded into this object)."""
        self.__init__()  # type: ignore[misc]

    def __len__(self) -> int:
        return len(self.trials)

    def add(
        self,
        result: Mapping[str, Any],
        params: Mapping[str, Any],
        exp_info: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """Record one evaluation.

        Args:
            result: ``{'status': STATUS_SUCCESS | STATUS_FAILURE, 'loss': float, ...}``;
                a missing status means success when a loss is given, else failure. A
                success without a finite ``loss`` is stored as a failure. Extra keys are
                kept.
            params: ``{label: value}`` of the evaluation.
            exp_info: ``{'exp_key': ..., 'eval_count': ...}``; by default exp_key None and
                eval_count ``len(self) + 1``.

        Raises:
            UserInputTypeError: ``result`` or ``params`` is not a mapping.
            UserInputError: ``result['status']`` is not a known status.
        """
        if not isinstance(result, Mapping):
            raise UserInputTypeError(
                f"Trials.add: result must be a dict, got {type(result).__name__} {result!r}"
            )
        if not isinstance(params, Mapping):
            raise UserInputTypeError(
                f"Trials.add: params must be a dict, got {type(params).__name__} {params!r}"
            )
        loss = finite_loss(result)
        status = result.get("status", STATUS_SUCCESS if loss is not None else STATUS_FAILURE)
        if isinstance(status, bool) or status not in STATUSES:
            raise UserInputError(
                f"Trials.add: result['status'] must be STATUS_SUCCESS ({STATUS_SUCCESS}) or "
                f"STATUS_FAILURE ({STATUS_FAILURE}), got status={status!r}"
            )
        if status == STATUS_SUCCESS and loss is None:
            status = STATUS_FAILURE
        info = dict(exp_info or {})
        record: Dict[str, Any] = {
            "result": dict(result),
            "loss": loss if loss is not None else math.inf,
            "params": dict(params),
            "exp_key": info.get("exp_key"),
            "eval_count": info.get("eval_count", len(self.trials) + 1),
            "status": int(status),
        }
        self._append(record)

    def _append(self, record: Dict[str, Any]) -> None:
        params = record["params"]
        row = [float(params[key]) for key in sorted(params)]
        self.trials.append(record)
        self.last_params = np.asarray(row, dtype=float)
        if record["status"] != STATUS_SUCCESS:
            return
        self._train_x.append(row)
        self._train_y.append(float(record["loss"]))
        if record["loss"] < self.lowest_loss:
            self.lowest_loss = float(record["loss"])
            self.best_params = dict(params)

    def get_train_data(self) -> Tuple[Optional[np.ndarray], Optional[np.ndarray]]:
        """The successful trials as training data.

        Returns:
            ``(X, y)``: X of shape (number of successes, number of params), columns in
            alphabetical order of the parameter labels; y of shape (number of
            successes,), the losses. ``(None, None)`` before the first success.
        """
        if not self._train_y:
            return None, None
        return np.asarray(self._train_x, dtype=float), np.asarray(self._train_y, dtype=float)

    @property
    def num_successes(self) -> int:
        return len(self._train_y)

    def __repr__(self) -> str:
        return (
            f"Trials(n={len(self)}, successes={self.num_successes}, lowest_loss={self.lowest_loss})"
        )


__all__ = ["STATUS_FAILURE", "STATUS_SUCCESS", "Trials", "finite_loss", "safe_repr"]
