"""Type aliases and small enums shared by the whole domain model.

The aliases describe the data shapes at every boundary (prefixed with ``T``); the enums
are plain, picklable and JSON-encodable by member name.
"""

from __future__ import annotations

from enum import Enum, IntEnum
from typing import Any, Dict, List, Optional, Tuple, Union

TParamValue = Optional[Union[str, bool, float, int]]
TParameterization = Dict[str, TParamValue]
TBounds = Optional[Tuple[float, float]]
TTrialEvaluation = Dict[str, Tuple[float, Optional[float]]]
TFidelityTrialEvaluation = List[Tuple[TParameterization, TTrialEvaluation]]
TEvaluationOutcome = Union[
    TTrialEvaluation, Tuple[float, Optional[float]], float, TFidelityTrialEvaluation
]
TModelMean = Dict[str, List[float]]
TModelCov = Dict[str, Dict[str, List[float]]]
TModelPredict = Tuple[TModelMean, TModelCov]
TModelPredictArm = Tuple[Dict[str, float], Optional[Dict[str, Dict[str, float]]]]
TConfig = Dict[str, Any]
TGenMetadata = Dict[str, Any]
TCandidateMetadata = Optional[Dict[str, Any]]


class ComparisonOp(Enum):
    """Direction of an inequality: ``GEQ`` is ``>=``, ``LEQ`` is ``<=``."""

    GEQ = 0
    LEQ = 1

    @property
    def symbol(self) -> str:
        """The operator as text, ``">="`` or ``"<="``."""
        return ">=" if self is ComparisonOp.GEQ else "<="


class ParameterType(Enum):
    """The value type of a parameter."""

    BOOL = 0
    INT = 1
    FLOAT = 2
    STRING = 3

    @property
    def is_numeric(self) -> bool:
        """True for INT and FLOAT."""
        return self in (ParameterType.INT, ParameterType.FLOAT)

    @property
    def python_type(self) -> type:
        """The Python type that values of this parameter type have."""
        return _PYTHON_TYPES[self]


_PYTHON_TYPES = {
    ParameterType.BOOL: bool,
    ParameterType.INT: int,
    ParameterType.FLOAT: float,
    ParameterType.STRING: str,
}


class TrialStatus(IntEnum):
    """Lifecycle status of a trial.

    Allowed moves (anything else raises :class:`ax.exceptions.TrialStatusError`)::

        CANDIDATE -> STAGED -> RUNNING -> COMPLETED | FAILED
        CANDIDATE -> RUNNING            (when the runner needs no staging)
        RUNNING -> EARLY_STOPPED        (a stopping rule stopped it; it keeps its data)
        any non-terminal status -> ABANDONED

    ``DISPATCHED`` is kept only so that old files decode; it is read as RUNNING.
    """

    CANDIDATE = 0
    STAGED = 1
    FAILED = 2
    COMPLETED = 3
    RUNNING = 4
    ABANDONED = 5
    DISPATCHED = 6
    EARLY_STOPPED = 7

    @property
    def is_terminal(self) -> bool:
        """ABANDONED, COMPLETED, FAILED or EARLY_STOPPED: no further move is allowed."""
        return self in (
            TrialStatus.ABANDONED,
            TrialStatus.COMPLETED,
            TrialStatus.FAILED,
            TrialStatus.EARLY_STOPPED,
        )

    @property
    def expecting_data(self) -> bool:
        """RUNNING, COMPLETED or EARLY_STOPPED: data has arrived or is expected."""
        return self in (TrialStatus.RUNNING, TrialStatus.COMPLETED, TrialStatus.EARLY_STOPPED)

    @property
    def is_deployed(self) -> bool:
        """STAGED or RUNNING."""
        return self in (TrialStatus.STAGED, TrialStatus.RUNNING)

    @property
    def is_failed(self) -> bool:
        return self is TrialStatus.FAILED

    @property
    def is_abandoned(self) -> bool:
        return self is TrialStatus.ABANDONED

    @property
    def is_early_stopped(self) -> bool:
        return self is TrialStatus.EARLY_STOPPED

    @property
    def is_candidate(self) -> bool:
        return self is TrialStatus.CANDIDATE

    @property
    def is_completed(self) -> bool:
        return self is TrialStatus.COMPLETED

    @property
    def is_running(self) -> bool:
        return self is TrialStatus.RUNNING

    def __format__(self, format_spec: str) -> str:
        return f"{self!s}"

    def __str__(self) -> str:
        return f"TrialStatus.{self.name}"


class GeneratorRunType(Enum):
    """How a generator run was made when no model made it."""

    STATUS_QUO = 0
    MANUAL = 1


__all__ = [
    "ComparisonOp",
    "GeneratorRunType",
    "ParameterType",
    "TBounds",
    "TCandidateMetadata",
    "TConfig",
    "TEvaluationOutcome",
    "TFidelityTrialEvaluation",
    "TGenMetadata",
    "TModelCov",
    "TModelMean",
    "TModelPredict",
    "TModelPredictArm",
    "TParamValue",
    "TParameterization",
    "TTrialEvaluation",
    "TrialStatus",
]
