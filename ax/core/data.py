"""Data: observations of metrics on arms, kept as typed columns.

Observations live in one numpy array per column (pandas only at the edges: a DataFrame
is built when :attr:`Data.df` is read, and accepted by the constructor). The known
columns, in canonical order, and how each is stored:

==============  =====================  ==========================================
column          stored as              notes
==============  =====================  ==========================================
arm_name        object (str)           required
metric_name     object (str)           required
mean            float64                required, finite
sem             float64                >= 0; NaN means unknown
trial_index     int64                  float64 with NaN when some rows lack it
start_time      datetime64[ms]         NaT when missing; integers are ms since epoch
end_time        datetime64[ms]         as start_time
n               int64                  as trial_index
frac_nonnull    float64
random_split    int64                  as trial_index
fidelities      object (str or None)   JSON text of the fidelity parameters
==============  =====================  ==========================================

Only the columns that are present are stored. Every array is read-only; treat a
:class:`Data` as immutable and derive new ones with :meth:`Data.filter`,
:meth:`Data.from_multiple_data` and the module helpers.
"""

from __future__ import annotations

import hashlib
import json
import math
from types import MappingProxyType
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

import numpy as np
import numpy.typing as npt

from ax.core.base import Base
from ax.core.data_columns import (
    COLUMN_DATA_TYPES,
    REQUIRED_COLUMNS,
    TArray,
    TColumnValues,
    arrays_equal,
    canonical_int,
    empty_columns,
    frame_to_columns,
    freeze,
    is_number,
    missing_like,
    validate_columns,
)
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.equality import same_value

if TYPE_CHECKING:
    import pandas as pd

TEvaluationValue = Union[Tuple[float, Optional[float]], float]
TData = TypeVar("TData", bound="Data")


class Data(Base):
    """Observations of metrics on arms: one row per (arm, metric[, trial, ...]).

    Args:
        df: A pandas DataFrame with at least the columns ``arm_name``, ``metric_name``
            and ``mean``, and no columns outside :meth:`column_data_types`. Rows that
            are entirely missing are dropped; values are cast to the column types
            (integer times are read as milliseconds since the epoch). None gives empty
            data with the required columns.
        description: Human-readable description of the data.

    Raises:
        UserInputError: A required column is missing, a column is unknown, a mean is not
            finite, a SEM is negative or infinite, or a value cannot be cast.
        UserInputTypeError: ``df`` is not a DataFrame, or a column holds values of the
            wrong type.

    Example:
        >>> data = Data.from_columns(
        ...     {"arm_name": ["0_0", "0_1"], "metric_name": ["m", "m"],
        ...      "mean": [1.0, 2.5], "sem": [0.1, float("nan")], "trial_index": [0, 0]})
        >>> len(data), data.metric_names, data.trial_indices
        (2, ['m'], [0])
    """

    def __init__(
        self, df: Optional[pd.DataFrame] = None, description: Optional[str] = None
    ) -> None:
        cls = type(self)
        types, required = cls.column_data_types(), cls.required_columns()
        if df is None:
            columns = empty_columns(types, required)
        else:
            columns = validate_columns(frame_to_columns(df), types, required)
        self._init(columns, description)

    def _init(self, columns: Dict[str, TArray], description: Optional[str]) -> None:
        if description is not None and not isinstance(description, str):
            raise UserInputTypeError(
                f"Data: description must be a string or None, got {description!r}"
            )
        self.description = description
        self._columns = {name: freeze(arr) for name, arr in columns.items()}
        self._df_cache: Optional[pd.DataFrame] = None

    @classmethod
    def _trusted(
        cls: Type[TData], columns: Dict[str, TArray], description: Optional[str] = None
    ) -> TData:
        """Wrap columns that are already canonical (no validation, no copy)."""
        data = cls.__new__(cls)
        data._init(columns, description)
        return data

    @classmethod
    def from_columns(
        cls: Type[TData],
        columns: Mapping[str, TColumnValues],
        description: Optional[str] = None,
    ) -> TData:
        """Build data from columns without pandas: the fast path.

        Args:
            columns: Column name -> values (a sequence or a 1-D array, all of one
                length ``n``). Missing values are ``None``/NaN/NaT.
            description: Human-readable description of the data.

        Returns:
            The data, validated and cast exactly as by the constructor.

        Raises:
            UserInputError: As for the constructor, or the lengths differ.
            UserInputTypeError: ``columns`` is not a mapping of sequences, or a column
                holds values of the wrong type.
        """
        if not isinstance(columns, Mapping):
            raise UserInputTypeError(
                f"Data: columns must be a mapping of column name to values, got "
                f"{type(columns).__name__}"
            )
        types, required = cls.column_data_types(), cls.required_columns()
        return cls._trusted(validate_columns(columns, types, required), description)

    @staticmethod
    def required_columns() -> FrozenSet[str]:
        """The columns every Data must have: ``arm_name``, ``metric_name``, ``mean``."""
        return REQUIRED_COLUMNS

    @staticmethod
    def column_data_types() -> Dict[str, str]:
        """Known column name -> kind (``str``, ``json``, ``float``, ``int``,
        ``datetime``), in canonical order. Subclasses may extend it."""
        return dict(COLUMN_DATA_TYPES)

    # ----------------------------------------------------------------- accessors

    @property
    def df(self) -> pd.DataFrame:
        """The data as a pandas DataFrame, in canonical column order.

        Built on first access and cached; each access returns a shallow copy, so
        changing the returned frame does not change this object.
        """
        if self._df_cache is None:
            import pandas as pd

            self._df_cache = pd.DataFrame(dict(self._columns))
        return self._df_cache.copy(deep=False)

    @property
    def columns(self) -> Mapping[str, TArray]:
        """Read-only mapping of column name -> read-only 1-D array of length ``n``."""
        return MappingProxyType(self._columns)

    @property
    def column_names(self) -> List[str]:
        """Names of the columns present, in canonical order."""
        return list(self._columns)

    def __len__(self) -> int:
        return len(self._columns["arm_name"])

    @property
    def empty(self) -> bool:
        """Whether there are no rows."""
        return len(self) == 0

    @property
    def metric_names(self) -> List[str]:
        """Sorted distinct metric names."""
        return sorted(set(self._columns["metric_name"].tolist()))

    @property
    def arm_names(self) -> List[str]:
        """Sorted distinct arm names."""
        return sorted(set(self._columns["arm_name"].tolist()))

    @property
    def trial_indices(self) -> List[int]:
        """Sorted distinct trial indices (rows without one are ignored)."""
        column = self._columns.get("trial_index")
        if column is None:
            return []
        if column.dtype.kind == "f":
            column = column[~np.isnan(column)]
        return [int(i) for i in np.unique(column)]

    @property
    def df_hash(self) -> str:
        """md5 hex digest of a stable serialisation of the columns (names, dtypes,
        values); equal data give equal hashes."""
        digest = hashlib.md5(usedforsecurity=False)
        for name, arr in self._columns.items():
            digest.update(f"{name}:{arr.dtype.str}:".encode())
            if arr.dtype.kind == "O":
                digest.update(json.dumps(arr.tolist()).encode())
            else:
                digest.update(np.ascontiguousarray(arr).tobytes())
        return digest.hexdigest()

    # -------------------------------------------------------------- derivations

    def filter(
        self: TData,
        trial_indices: Optional[Iterable[int]] = None,
        metric_names: Optional[Iterable[str]] = None,
        arm_names: Optional[Iterable[str]] = None,
    ) -> TData:
        """The rows matching every given criterion (None means no restriction).

        Args:
            trial_indices: Keep rows with one of these trial indices. Rows without a
                trial index (or data without the column) never match.
            metric_names: Keep rows of these metrics.
            arm_names: Keep rows of these arms.

        Returns:
            New data with the same description.

        Raises:
            UserInputTypeError: A criterion is a single string instead of a collection.
        """
        mask = np.ones(len(self), dtype=bool)
        if trial_indices is not None:
            wanted = _collection("trial_indices", trial_indices)
            column = self._columns.get("trial_index")
            if column is None:
                mask[:] = False
            else:
                mask &= np.isin(column, np.asarray(wanted, dtype=np.float64))
        if metric_names is not None:
            names = _collection("metric_names", metric_names)
            mask &= _isin_strings(self._columns["metric_name"], names)
        if arm_names is not None:
            names = _collection("arm_names", arm_names)
            mask &= _isin_strings(self._columns["arm_name"], names)
        return self._take(mask)

    def split_by_trial_index(self: TData) -> Dict[int, TData]:
        """The data of each trial, keyed by trial index in increasing order.

        Raises:
            UserInputError: There is no ``trial_index`` column, or it has missing values.
        """
        column = self._columns.get("trial_index")
        if column is None:
            raise UserInputError(
                "Data: cannot split by trial index: there is no trial_index column, "
                f"columns are {self.column_names}"
            )
        if column.dtype.kind == "f":
            raise UserInputError(
                "Data: cannot split by trial index: trial_index is missing (NaN) in "
                f"{int(np.isnan(column).sum())} of {len(column)} rows"
            )
        order = np.argsort(column, kind="stable")
        ordered = {name: arr[order] for name, arr in self._columns.items()}
        keys = ordered["trial_index"]
        cuts = (np.flatnonzero(np.diff(keys)) + 1).tolist()
        bounds = zip([0, *cuts], [*cuts, len(keys)])
        return {
            int(keys[start]): type(self)._trusted(
                {name: arr[start:stop] for name, arr in ordered.items()},
                self.description,
            )
            for start, stop in bounds
            if stop > start
        }

    def _take(self: TData, mask: npt.NDArray[np.bool_]) -> TData:
        types = self.column_data_types()
        columns = {}
        for name, arr in self._columns.items():
            taken = arr[mask]
            columns[name] = canonical_int(taken) if types.get(name) == "int" else taken
        return type(self)._trusted(columns, self.description)

    @classmethod
    def from_multiple_data(cls: Type[TData], data: Iterable[Data]) -> TData:
        """Concatenate several data objects (rows in the given order).

        A column present in only some parts is filled with NaN/None/NaT in the others;
        an integer column that thereby gains missing values is stored as float64.

        Args:
            data: The parts.

        Returns:
            The concatenation, without a description; ``cls()`` for no parts.

        Raises:
            UserInputTypeError: A part is not a Data.
        """
        parts = list(data)
        for position, part in enumerate(parts):
            if not isinstance(part, Data):
                raise UserInputTypeError(
                    f"Data.from_multiple_data: item {position} must be a Data, got "
                    f"{type(part).__name__}"
                )
        if not parts:
            return cls()
        types = cls.column_data_types()
        present: Dict[str, TArray] = {}
        for part in parts:
            for name, arr in part._columns.items():
                present.setdefault(name, arr)
        names = [n for n in types if n in present]
        names += sorted(n for n in present if n not in types)
        columns: Dict[str, TArray] = {}
        for name in names:
            template = present[name]
            merged = np.concatenate(
                [
                    part._columns[name]
                    if name in part._columns
                    else missing_like(template, len(part))
                    for part in parts
                ]
            )
            columns[name] = canonical_int(merged) if types.get(name) == "int" else merged
        return cls._trusted(columns)

    @classmethod
    def from_evaluations(
        cls: Type[TData],
        evaluations: Mapping[str, Mapping[str, TEvaluationValue]],
        trial_index: int,
        sample_sizes: Optional[Mapping[str, int]] = None,
        start_time: Optional[Any] = None,
        end_time: Optional[Any] = None,
    ) -> TData:
        """Build data from ``{arm_name: {metric_name: (mean, sem)}}``.

        Args:
            evaluations: Arm name -> metric name -> ``(mean, sem)``; ``sem`` may be None
                (unknown, stored as NaN), and a bare number is a mean with unknown SEM.
            trial_index: Trial the data belongs to.
            sample_sizes: Arm name -> sample size; when non-empty an ``n`` column is
                added (missing arms get NaN).
            start_time: Start of the run, in milliseconds since the epoch (or a
                datetime). When either time is given both time columns are added.
            end_time: End of the run, likewise.

        Returns:
            One row per (arm, metric) with ``arm_name, metric_name, mean, sem,
            trial_index`` and the optional columns.

        Raises:
            UserInputTypeError: A value is neither a number nor a ``(mean, sem)`` pair.
            UserInputError: A mean is not finite or a SEM is invalid.
        """
        rows: List[Tuple[Any, Any, Any, Optional[str]]] = [
            (arm, metric, value, None)
            for arm, outcomes in _items("evaluations", evaluations)
            for metric, value in _items(f"evaluations['{arm}']", outcomes)
        ]
        return cls._from_rows(rows, trial_index, sample_sizes, start_time, end_time)

    @classmethod
    def from_fidelity_evaluations(
        cls: Type[TData],
        evaluations: Mapping[
            str, Sequence[Tuple[Mapping[str, Any], Mapping[str, TEvaluationValue]]]
        ],
        trial_index: int,
        sample_sizes: Optional[Mapping[str, int]] = None,
        start_time: Optional[Any] = None,
        end_time: Optional[Any] = None,
    ) -> TData:
        """As :meth:`from_evaluations`, for ``{arm: [(fidelities, {metric: (mean,
        sem)}), ...]}``; each row also gets ``fidelities = json.dumps(fidelities)``.

        Raises:
            UserInputTypeError: As :meth:`from_evaluations`, or a fidelity dict is not
                JSON-serialisable.
        """
        rows: List[Tuple[Any, Any, Any, Optional[str]]] = []
        for arm, entries in _items("evaluations", evaluations):
            if isinstance(entries, (str, bytes, Mapping)) or not isinstance(entries, Sequence):
                raise UserInputTypeError(
                    f"Data.from_fidelity_evaluations: evaluations['{arm}'] must be a list of "
                    f"(fidelities, {{metric: (mean, sem)}}) pairs, got {entries!r}"
                )
            for position, entry in enumerate(entries):
                if not isinstance(entry, (tuple, list)) or len(entry) != 2:
                    raise UserInputTypeError(
                        f"Data.from_fidelity_evaluations: evaluations['{arm}'][{position}] must "
                        f"be a (fidelities, {{metric: (mean, sem)}}) pair, got {entry!r}"
                    )
                fidelity, outcomes = entry
                if not isinstance(fidelity, Mapping):
                    raise UserInputTypeError(
                        f"Data.from_fidelity_evaluations: arm '{arm}': fidelities must be a "
                        f"dict {{parameter: value}}, got {fidelity!r}"
                    )
                try:
                    text = json.dumps(dict(fidelity))
                except (TypeError, ValueError) as err:
                    raise UserInputTypeError(
                        f"Data.from_fidelity_evaluations: arm '{arm}': fidelities must "
                        f"be a JSON-serialisable dict, got {fidelity!r}"
                    ) from err
                for metric, value in _items(f"evaluations['{arm}']", outcomes):
                    rows.append((arm, metric, value, text))
        return cls._from_rows(rows, trial_index, sample_sizes, start_time, end_time)

    @classmethod
    def _from_rows(
        cls: Type[TData],
        rows: List[Tuple[Any, Any, Any, Optional[str]]],
        trial_index: int,
        sample_sizes: Optional[Mapping[str, int]],
        start_time: Optional[Any],
        end_time: Optional[Any],
    ) -> TData:
        if not isinstance(trial_index, (int, np.integer)) or isinstance(trial_index, bool):
            raise UserInputTypeError(
                f"Data.from_evaluations: trial_index must be an int, got {trial_index!r}"
            )
        arms = [row[0] for row in rows]
        values = [_mean_and_sem(row[0], row[1], row[2]) for row in rows]
        columns: Dict[str, TColumnValues] = {
            "arm_name": arms,
            "metric_name": [row[1] for row in rows],
            "mean": [v[0] for v in values],
            "sem": [v[1] for v in values],
            "trial_index": np.full(len(rows), int(trial_index), dtype=np.int64),
        }
        if start_time is not None or end_time is not None:
            columns["start_time"] = [start_time] * len(rows)
            columns["end_time"] = [end_time] * len(rows)
        if sample_sizes:
            columns["n"] = [sample_sizes.get(arm) for arm in arms]
        if any(row[3] is not None for row in rows):
            columns["fidelities"] = [row[3] for row in rows]
        return cls.from_columns(columns)

    # ------------------------------------------------------------------ dunders

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other) or not isinstance(other, Data):
            return False
        if self is other:
            return True
        if not same_value(self.description, other.description):
            return False
        if list(self._columns) != list(other._columns):
            return False
        return all(arrays_equal(arr, other._columns[name]) for name, arr in self._columns.items())

    __hash__ = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(rows={len(self)}, metrics={self.metric_names}, "
            f"columns={self.column_names}, description={self.description!r})"
        )

    def __copy__(self: TData) -> TData:
        return type(self)._trusted(dict(self._columns), self.description)

    def __deepcopy__(self: TData, memo: Dict[int, Any]) -> TData:
        # The arrays are read-only, so sharing them is safe.
        return self.__copy__()

    def __getstate__(self) -> Dict[str, Any]:
        return {"description": self.description, "columns": dict(self._columns)}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._init(state["columns"], state["description"])


# ------------------------------------------------------------------ module helpers


def set_single_trial(data: TData) -> TData:
    """A copy of ``data`` with every ``trial_index`` set to 0 (the column is added if
    absent)."""
    columns = dict(data._columns)
    columns["trial_index"] = np.zeros(len(data), dtype=np.int64)
    order = list(data.column_data_types())
    ordered = {n: columns[n] for n in order if n in columns}
    ordered.update({n: a for n, a in columns.items() if n not in ordered})
    return type(data)._trusted(ordered, data.description)


def clone_without_metrics(data: TData, excluded_metric_names: Iterable[str]) -> TData:
    """A copy of ``data`` without the rows of the given metrics."""
    names = _collection("excluded_metric_names", excluded_metric_names)
    return data._take(~_isin_strings(data._columns["metric_name"], names))


def _isin_strings(arr: TArray, names: Sequence[Any]) -> npt.NDArray[np.bool_]:
    wanted = set(names)
    if len(wanted) <= 8:
        mask = np.zeros(len(arr), dtype=bool)
        for name in wanted:
            mask |= np.asarray(arr == name, dtype=bool)
        return mask
    return np.fromiter((value in wanted for value in arr), dtype=bool, count=len(arr))


def _collection(field: str, values: Iterable[Any]) -> List[Any]:
    if isinstance(values, (str, bytes)):
        raise UserInputTypeError(
            f"Data: {field} must be a collection, not a single string, got {values!r}"
        )
    return list(values)


def _items(field: str, mapping: Any) -> List[Tuple[Any, Any]]:
    if not isinstance(mapping, Mapping):
        raise UserInputTypeError(
            f"Data.from_evaluations: {field} must be a dict, got {type(mapping).__name__}"
        )
    return list(mapping.items())


def _mean_and_sem(arm: Any, metric: Any, value: Any) -> Tuple[float, float]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        mean, sem = value
    elif is_number(value):
        mean, sem = value, None
    else:
        mean, sem = None, None
    if not is_number(mean) or not (sem is None or is_number(sem)):
        raise UserInputTypeError(
            f"Data.from_evaluations: arm '{arm}', metric '{metric}': value must be a "
            f"number or a (mean, sem) pair of numbers (sem may be None), got {value!r}"
        )
    return float(mean), (math.nan if sem is None else float(sem))


__all__ = ["Data", "clone_without_metrics", "set_single_trial"]
