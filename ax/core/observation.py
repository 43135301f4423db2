"""Observations: what the model bridges see of an experiment's data.

An :class:`Observation` pairs the features of a point (its parameters, and the trial
and time it was measured in: :class:`ObservationFeatures`) with the metrics measured
there (means and covariance: :class:`ObservationData`).
:func:`observations_from_data` turns an experiment's columnar :class:`~ax.core.data.Data`
into observations with numpy grouping (no pandas).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Dict,
    Hashable,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import numpy as np
import numpy.typing as npt

from ax.core.arm import Arm
from ax.core.types import TCandidateMetadata, TParameterization, TParamValue
from ax.exceptions import UserInputError, UserInputTypeError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.data import Data
    from ax.core.experiment import Experiment

FEATURE_COLUMNS: Tuple[str, ...] = (
    "trial_index",
    "start_time",
    "end_time",
    "random_split",
    "fidelities",
)
"""Data columns that, with ``arm_name``, identify an observation (when present)."""


class ObservationFeatures:
    """The features of an observed (or to-be-observed) point.

    Two features are equal when their parameters, trial index, times and random split
    are equal (``metadata`` is not compared); the hash is consistent with that, so
    features can key dicts and sets. The hash is computed from the current values:
    do not change features while they are stored in a set or used as a key.

    Args:
        parameters: Parameter name -> value. Transforms change this dict in place.
        trial_index: The trial the point was (or will be) evaluated in.
        start_time: Start of the measurement.
        end_time: End of the measurement.
        random_split: The random split the measurement belongs to.
        metadata: Free-form metadata (e.g. a generator's candidate metadata).

    Raises:
        UserInputTypeError: ``parameters`` is not a mapping with str keys.

    Example:
        >>> f = ObservationFeatures({"x": 0.5}, trial_index=0)
        >>> f == ObservationFeatures({"x": 0.5}, trial_index=0)
        True
        >>> len({f, f.clone()})
        1
    """

    def __init__(
        self,
        parameters: Mapping[str, TParamValue],
        trial_index: Optional[int] = None,
        start_time: Optional[datetime] = None,
        end_time: Optional[datetime] = None,
        random_split: Optional[int] = None,
        metadata: TCandidateMetadata = None,
    ) -> None:
        if type(parameters) is not dict and not isinstance(parameters, Mapping):
            raise UserInputTypeError(
                f"ObservationFeatures: parameters must be a mapping from name to value, got "
                f"{parameters!r}"
            )
        self.parameters: TParameterization = dict(parameters)
        self.trial_index = trial_index
        self.start_time = start_time
        self.end_time = end_time
        self.random_split = random_split
        self.metadata = metadata

    @staticmethod
    def from_arm(
        arm: Arm,
        trial_index: Optional[int] = None,
        start_time: Optional[datetime] = None,
        end_time: Optional[datetime] = None,
        random_split: Optional[int] = None,
        metadata: TCandidateMetadata = None,
    ) -> ObservationFeatures:
        """Features holding a copy of an arm's parameters (other fields as given)."""
        return ObservationFeatures(
            parameters=arm.parameters,
            trial_index=trial_index,
            start_time=start_time,
            end_time=end_time,
            random_split=random_split,
            metadata=metadata,
        )

    def update_features(self, new_features: ObservationFeatures) -> ObservationFeatures:
        """Overwrite with the parameters and the non-None fields of ``new_features``.

        Returns:
            These features (changed in place).
        """
        self.parameters.update(new_features.parameters)
        for field in ("trial_index", "start_time", "end_time", "random_split", "metadata"):
            value = getattr(new_features, field)
            if value is not None:
                setattr(self, field, value)
        return self

    def clone(self) -> ObservationFeatures:
        """A copy with its own parameter dict (metadata is shared)."""
        clone = ObservationFeatures.__new__(ObservationFeatures)
        clone.__dict__.update(self.__dict__)
        clone.parameters = dict(self.parameters)
        return clone

    def key(self) -> Tuple[Hashable, ...]:
        """A hashable key; equal features have equal keys (cheaper than hashing twice)."""
        return (
            frozenset(self.parameters.items()),
            self.trial_index,
            self.start_time,
            self.end_time,
            self.random_split,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObservationFeatures):
            return False
        return (
            self.parameters == other.parameters
            and self.trial_index == other.trial_index
            and self.start_time == other.start_time
            and self.end_time == other.end_time
            and self.random_split == other.random_split
        )

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        extras = "".join(
            f", {field}={getattr(self, field)!r}"
            for field in ("trial_index", "start_time", "end_time", "random_split", "metadata")
            if getattr(self, field) is not None
        )
        return f"ObservationFeatures(parameters={self.parameters!r}{extras})"


class ObservationData:
    """Means and covariance of ``k`` metrics measured at one point.

    A metric may appear more than once (repeated measurements); the IVW transform
    merges them. A NaN variance means the noise is unknown.

    Args:
        metric_names: The ``k`` metric names.
        means: `k` means.
        covariance: `k x k` covariance matrix.

    Raises:
        UserInputError: The shapes do not match ``k``.
        UserInputTypeError: A metric name is not a str, or the arrays are not numeric.

    Example:
        >>> d = ObservationData(["m"], np.array([1.0]), np.array([[0.01]]))
        >>> d.means_dict
        {'m': 1.0}
    """

    def __init__(
        self,
        metric_names: Sequence[str],
        means: npt.ArrayLike,
        covariance: npt.ArrayLike,
    ) -> None:
        names = list(metric_names)
        for name in names:
            if type(name) is not str and not isinstance(name, str):
                raise UserInputTypeError(
                    f"ObservationData: metric_names must be str, got {name!r} in {names!r}"
                )
        try:
            mean_array = np.asarray(means, dtype=np.float64)
            cov_array = np.asarray(covariance, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise UserInputTypeError(
                f"ObservationData: means and covariance must be numeric arrays, got "
                f"means={means!r}, covariance={covariance!r}"
            ) from err
        k = len(names)
        if mean_array.shape != (k,):
            raise UserInputError(
                f"ObservationData: means must have shape ({k},) for {k} metrics, got "
                f"shape {mean_array.shape}"
            )
        if cov_array.shape != (k, k):
            raise UserInputError(
                f"ObservationData: covariance must have shape ({k}, {k}) for {k} metrics, "
                f"got shape {cov_array.shape}"
            )
        self.metric_names: List[str] = names
        self.means: npt.NDArray[np.float64] = mean_array
        self.covariance: npt.NDArray[np.float64] = cov_array

    @property
    def means_dict(self) -> Dict[str, float]:
        """Metric name -> mean (the last one, for a repeated metric)."""
        return {name: float(mean) for name, mean in zip(self.metric_names, self.means)}

    @property
    def covariance_matrix(self) -> Dict[str, Dict[str, float]]:
        """Metric name -> metric name -> covariance."""
        return {
            m1: {m2: float(self.covariance[i, j]) for j, m2 in enumerate(self.metric_names)}
            for i, m1 in enumerate(self.metric_names)
        }

    def clone(self) -> ObservationData:
        """A copy with its own arrays."""
        clone = ObservationData.__new__(ObservationData)
        clone.metric_names = list(self.metric_names)
        clone.means = self.means.copy()
        clone.covariance = self.covariance.copy()
        return clone

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ObservationData):
            return False
        return (
            self.metric_names == other.metric_names
            and np.array_equal(self.means, other.means, equal_nan=True)
            and np.array_equal(self.covariance, other.covariance, equal_nan=True)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"ObservationData(metric_names={self.metric_names!r}, means={self.means!r}, "
            f"covariance={self.covariance!r})"
        )


class Observation:
    """Features and data of one observed point.

    Args:
        features: Where (and when) it was observed.
        data: What was measured.
        arm_name: Name of the arm observed, if any.

    Example:
        >>> obs = Observation(ObservationFeatures({"x": 0.5}),
        ...                   ObservationData(["m"], [1.0], [[0.0]]), arm_name="0_0")
        >>> obs.arm_name
        '0_0'
    """

    def __init__(
        self,
        features: ObservationFeatures,
        data: ObservationData,
        arm_name: Optional[str] = None,
    ) -> None:
        if not isinstance(features, ObservationFeatures):
            raise UserInputTypeError(
                f"Observation: features must be ObservationFeatures, got {type(features).__name__}"
            )
        if not isinstance(data, ObservationData):
            raise UserInputTypeError(
                f"Observation: data must be ObservationData, got {type(data).__name__}"
            )
        self.features = features
        self.data = data
        self.arm_name = arm_name

    def clone(self) -> Observation:
        """A copy with cloned features and data."""
        return Observation(self.features.clone(), self.data.clone(), self.arm_name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Observation):
            return False
        return (
            self.features == other.features
            and self.data == other.data
            and self.arm_name == other.arm_name
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Observation(arm_name={self.arm_name!r}, features={self.features!r}, "
            f"data={self.data!r})"
        )


# ----------------------------------------------------------------------------- data


def observations_from_data(experiment: Experiment, data: Data) -> List[Observation]:
    """Group an experiment's data into observations, one per distinct feature set.

    Rows are grouped by ``arm_name`` and by each of :data:`FEATURE_COLUMNS` present in
    the data; a missing value is a value of its own, so complete and incomplete rows
    fall in different groups. Each group becomes an observation whose parameters are
    the arm's (overridden by the ``fidelities`` JSON when present), whose metadata is
    the candidate metadata of the arm in its trial's generator runs, and whose
    covariance is ``diag(sem**2)`` (NaN where the SEM is unknown or absent).
    Observations come in the order of each group's first row. The work is
    ``O(rows log rows)`` with numpy; no DataFrame is built.

    Args:
        experiment: The experiment the data belongs to (arms are looked up by name).
        data: The data.

    Returns:
        The observations.

    Raises:
        UserInputError: The data names an arm the experiment does not have, or a
            ``fidelities`` value that is not a JSON object.
    """
    n = len(data)
    if n == 0:
        return []
    columns = data.columns
    keys = ["arm_name"] + [name for name in FEATURE_COLUMNS if name in columns]
    factorized = [_factorize(columns[name]) for name in keys]
    codes = np.stack([codes for codes, _ in factorized], axis=1)
    _, first_rows, group_of_row = np.unique(codes, axis=0, return_index=True, return_inverse=True)
    group_of_row = group_of_row.reshape(-1)
    # Renumber groups by first appearance, then sort rows by group (stable).
    order_of_groups = np.argsort(first_rows, kind="stable")
    rank = np.empty_like(order_of_groups)
    rank[order_of_groups] = np.arange(len(order_of_groups))
    group_of_row = rank[group_of_row]
    row_order = np.argsort(group_of_row, kind="stable")
    cuts = np.flatnonzero(np.diff(group_of_row[row_order])) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [n]])

    metric_names = columns["metric_name"][row_order]
    means = np.asarray(columns["mean"], dtype=np.float64)[row_order]
    if "sem" in columns:
        variances = np.square(np.asarray(columns["sem"], dtype=np.float64)[row_order])
    else:
        variances = np.full(n, np.nan)
    key_values = {
        name: [_plain(value, name) for value in uniques]
        for name, (_, uniques) in zip(keys, factorized)
    }
    key_codes = {name: codes[row_order, i] for i, name in enumerate(keys)}

    arms_by_name = experiment.arms_by_name
    metadata_by_trial: Dict[Any, Dict[str, TCandidateMetadata]] = {}
    observations: List[Observation] = []
    for start, stop in zip(starts.tolist(), stops.tolist()):
        values = {name: key_values[name][int(key_codes[name][start])] for name in keys}
        arm_name = values["arm_name"]
        arm = arms_by_name.get(arm_name)
        if arm is None:
            raise UserInputError(
                f"observations_from_data: data names arm {arm_name!r}, which experiment "
                f"{experiment._name!r} does not have"
            )
        parameters = arm.parameters
        fidelities = values.get("fidelities")
        if fidelities is not None:
            parameters.update(_fidelity_parameters(arm_name, fidelities))
        trial_index = values.get("trial_index")
        metadata = None
        if trial_index is not None:
            trial_metadata = metadata_by_trial.get(trial_index)
            if trial_metadata is None:
                trial_metadata = _candidate_metadata(experiment, trial_index)
                metadata_by_trial[trial_index] = trial_metadata
            metadata = trial_metadata.get(arm.signature)
        features = ObservationFeatures(
            parameters=parameters,
            trial_index=trial_index,
            start_time=values.get("start_time"),
            end_time=values.get("end_time"),
            random_split=values.get("random_split"),
            metadata=metadata,
        )
        obs_data = ObservationData(
            metric_names=metric_names[start:stop].tolist(),
            means=means[start:stop],
            covariance=np.diag(variances[start:stop]),
        )
        observations.append(Observation(features, obs_data, arm_name=arm_name))
    return observations


def _factorize(column: npt.NDArray[Any]) -> Tuple[npt.NDArray[np.int64], List[Any]]:
    """Integer codes of a column's values (a missing value gets a code of its own)."""
    kind = column.dtype.kind
    if kind == "O":
        mapping: Dict[Any, int] = {}
        codes = np.fromiter(
            (mapping.setdefault(value, len(mapping)) for value in column),
            dtype=np.int64,
            count=len(column),
        )
        return codes, list(mapping)
    if kind == "M":
        ints = column.view(np.int64)
        uniques, inverse = np.unique(ints, return_inverse=True)
        return inverse.reshape(-1).astype(np.int64), list(uniques.view(column.dtype))
    uniques, inverse = np.unique(column, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), list(uniques)


def _plain(value: Any, column: str) -> Any:
    """A column value as a plain Python value; missing values become None."""
    if value is None:
        return None
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return None
        return value.astype("datetime64[ms]").astype(datetime)
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return None
        return int(value) if column in ("trial_index", "random_split") else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _fidelity_parameters(arm_name: str, text: str) -> Dict[str, TParamValue]:
    try:
        parsed = json.loads(text)
    except (TypeError, ValueError) as err:
        raise UserInputError(
            f"observations_from_data: fidelities of arm {arm_name!r} must be a JSON object, "
            f"got {text!r}"
        ) from err
    if not isinstance(parsed, dict):
        raise UserInputError(
            f"observations_from_data: fidelities of arm {arm_name!r} must be a JSON object, "
            f"got {text!r}"
        )
    return parsed


def _candidate_metadata(experiment: Experiment, trial_index: int) -> Dict[str, TCandidateMetadata]:
    """Arm signature -> candidate metadata over the trial's generator runs."""
    trial = experiment._trials.get(trial_index)
    if trial is None:
        return {}
    merged: Dict[str, TCandidateMetadata] = {}
    for generator_run in trial.generator_runs:
        by_signature = generator_run.candidate_metadata_by_arm_signature
        if by_signature:
            merged.update(by_signature)
    return merged


def separate_observations(
    observations: Sequence[Observation], copy: bool = False
) -> Tuple[List[ObservationFeatures], List[ObservationData]]:
    """The features and the data of observations, as two aligned lists.

    Args:
        observations: The observations.
        copy: Whether to clone the features and data (transforms change them in place).
    """
    if copy:
        return (
            [obs.features.clone() for obs in observations],
            [obs.data.clone() for obs in observations],
        )
    return [obs.features for obs in observations], [obs.data for obs in observations]


__all__ = [
    "FEATURE_COLUMNS",
    "Observation",
    "ObservationData",
    "ObservationFeatures",
    "observations_from_data",
    "separate_observations",
]
