"""Tests for ax.core.observation."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.observation import (
    Observation,
    ObservationData,
    ObservationFeatures,
    observations_from_data,
    separate_observations,
)
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError, UserInputTypeError


def make_experiment() -> Experiment:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("fid", ParameterType.FLOAT, 0.0, 1.0),
        ]
    )
    exp = Experiment(
        search_space=space,
        name="obs",
        optimization_config=OptimizationConfig(Objective(Metric("m1"), minimize=True)),
        tracking_metrics=[Metric("m2")],
    )
    arm0 = Arm({"x": 0.1, "fid": 1.0})
    gr = GeneratorRun([arm0], candidate_metadata_by_arm_signature={arm0.signature: {"acq": 1.5}})
    exp.new_trial(generator_run=gr)
    exp.new_trial().add_arm(Arm({"x": 0.2, "fid": 1.0}))
    batch = exp.new_batch_trial()
    batch.add_arms_and_weights([Arm({"x": 0.3, "fid": 1.0}), Arm({"x": 0.1, "fid": 1.0})])
    return exp


# ----------------------------------------------------------------------------- features


def test_features_equality_and_hash() -> None:
    a = ObservationFeatures({"x": 1, "y": "a"}, trial_index=0, random_split=2)
    b = ObservationFeatures({"y": "a", "x": 1}, trial_index=0, random_split=2, metadata={"m": 1})
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != ObservationFeatures({"x": 1, "y": "a"}, trial_index=1, random_split=2)
    assert a != ObservationFeatures({"x": 2, "y": "a"}, trial_index=0, random_split=2)
    assert a != "not features"
    # 1 == 1.0 in Python, and the hash agrees with equality.
    c = ObservationFeatures({"x": 1.0, "y": "a"}, trial_index=0, random_split=2)
    assert a == c and hash(a) == hash(c)


def test_features_from_arm_clone_update_and_repr() -> None:
    arm = Arm({"x": 0.5}, name="0_0")
    start = datetime(2020, 1, 1)
    f = ObservationFeatures.from_arm(arm, trial_index=3, start_time=start)
    assert f.parameters == {"x": 0.5} and f.trial_index == 3 and f.start_time == start
    clone = f.clone()
    clone.parameters["x"] = 0.7
    assert f.parameters == {"x": 0.5}
    f.update_features(ObservationFeatures({"y": 1}, trial_index=4, random_split=1))
    assert f.parameters == {"x": 0.5, "y": 1}
    assert f.trial_index == 4 and f.random_split == 1 and f.start_time == start
    assert "trial_index=4" in repr(f)


def test_features_reject_non_mapping() -> None:
    with pytest.raises(UserInputTypeError, match="parameters must be a mapping"):
        ObservationFeatures([("x", 1)])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- data


def test_observation_data_shapes_and_views() -> None:
    d = ObservationData(["a", "b"], [1.0, 2.0], [[1.0, 0.5], [0.5, 4.0]])
    assert d.means_dict == {"a": 1.0, "b": 2.0}
    assert d.covariance_matrix == {"a": {"a": 1.0, "b": 0.5}, "b": {"a": 0.5, "b": 4.0}}
    clone = d.clone()
    clone.means[0] = 9.0
    assert d.means[0] == 1.0
    assert d == ObservationData(["a", "b"], np.array([1.0, 2.0]), np.array([[1, 0.5], [0.5, 4]]))
    nan = ObservationData(["a"], [1.0], [[np.nan]])
    assert nan == ObservationData(["a"], [1.0], [[np.nan]])
    assert "metric_names=['a']" in repr(nan)


@pytest.mark.parametrize(
    ("means", "cov", "match"),
    [
        (
            [1.0],
            [[1.0, 0.0], [0.0, 1.0]],
            r"means must have shape \(2,\) for 2 metrics, got shape \(1,\)",
        ),
        (
            [1.0, 2.0],
            [[1.0]],
            r"covariance must have shape \(2, 2\) for 2 metrics, got shape \(1, 1\)",
        ),
    ],
)
def test_observation_data_rejects_bad_shapes(means: list, cov: list, match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        ObservationData(["a", "b"], means, cov)


def test_observation_data_rejects_bad_types() -> None:
    with pytest.raises(UserInputTypeError, match="metric_names must be str, got 1"):
        ObservationData([1], [1.0], [[1.0]])  # type: ignore[list-item]
    with pytest.raises(UserInputTypeError, match="must be numeric arrays"):
        ObservationData(["a"], ["x"], [[1.0]])


def test_observation_checks_types_and_compares() -> None:
    f = ObservationFeatures({"x": 1.0})
    d = ObservationData(["m"], [1.0], [[0.1]])
    obs = Observation(f, d, arm_name="0_0")
    assert obs == obs.clone() and obs.clone() is not obs
    assert "arm_name='0_0'" in repr(obs)
    with pytest.raises(UserInputTypeError, match="features must be ObservationFeatures, got dict"):
        Observation({"x": 1.0}, d)  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="data must be ObservationData, got dict"):
        Observation(f, {"m": 1.0})  # type: ignore[arg-type]
    features, data = separate_observations([obs], copy=True)
    assert features == [f] and features[0] is not f and data == [d]


# ----------------------------------------------------------------------------- from data


def test_observations_group_by_arm_and_trial() -> None:
    exp = make_experiment()
    data = Data.from_columns(
        {
            "arm_name": ["0_0", "0_0", "1_0", "2_0", "0_0", "1_0"],
            "metric_name": ["m1", "m2", "m1", "m1", "m1", "m2"],
            "mean": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "sem": [0.1, np.nan, 0.2, 0.3, 0.0, 0.5],
            "trial_index": [0, 0, 1, 2, 2, 1],
        }
    )
    observations = observations_from_data(exp, data)
    assert [o.arm_name for o in observations] == ["0_0", "1_0", "2_0", "0_0"]
    first = observations[0]
    assert first.features.parameters == {"x": 0.1, "fid": 1.0}
    assert first.features.trial_index == 0
    assert first.features.metadata == {"acq": 1.5}
    assert first.data.metric_names == ["m1", "m2"]
    np.testing.assert_allclose(first.data.means, [1.0, 2.0])
    assert first.data.covariance[0, 0] == pytest.approx(0.01)
    assert np.isnan(first.data.covariance[1, 1])  # NaN SEM -> unknown variance
    assert first.data.covariance[0, 1] == 0.0
    second = observations[1]
    assert second.data.metric_names == ["m1", "m2"]
    np.testing.assert_allclose(second.data.means, [3.0, 6.0])
    # "0_0" is also in the batch trial (same parameters): a separate observation there.
    last = observations[3]
    assert last.features.trial_index == 2 and last.data.covariance[0, 0] == 0.0
    assert last.features.metadata is None


def test_observations_without_sem_and_with_missing_trial_index() -> None:
    exp = make_experiment()
    data = Data.from_columns(
        {
            "arm_name": ["0_0", "0_0", "0_0"],
            "metric_name": ["m1", "m1", "m2"],
            "mean": [1.0, 2.0, 3.0],
            "trial_index": [0, None, 0],
        }
    )
    observations = observations_from_data(exp, data)
    assert len(observations) == 2  # complete and incomplete rows are grouped apart
    complete, incomplete = observations
    assert complete.features.trial_index == 0 and complete.data.metric_names == ["m1", "m2"]
    assert incomplete.features.trial_index is None and incomplete.data.metric_names == ["m1"]
    assert np.isnan(np.diag(complete.data.covariance)).all()


def test_observations_times_random_split_and_fidelities() -> None:
    exp = make_experiment()
    data = Data.from_columns(
        {
            "arm_name": ["0_0", "0_0", "0_0"],
            "metric_name": ["m1", "m1", "m2"],
            "mean": [1.0, 2.0, 3.0],
            "sem": [0.1, 0.1, 0.1],
            "trial_index": [0, 0, 0],
            "start_time": [1_000, 1_000, 1_000],
            "end_time": [2_000, 2_000, 2_000],
            "random_split": [0, 1, 0],
            "fidelities": [json.dumps({"fid": 0.5}), json.dumps({"fid": 0.5}), None],
        }
    )
    observations = observations_from_data(exp, data)
    assert len(observations) == 3
    a, b, c = observations
    assert a.features.parameters == {"x": 0.1, "fid": 0.5}
    assert a.features.random_split == 0 and b.features.random_split == 1
    assert a.features.start_time == datetime(1970, 1, 1, 0, 0, 1)
    assert a.features.end_time == datetime(1970, 1, 1, 0, 0, 2)
    assert c.features.parameters == {"x": 0.1, "fid": 1.0}


def test_observations_reject_unknown_arm_and_bad_fidelities() -> None:
    exp = make_experiment()
    unknown = Data.from_columns({"arm_name": ["nope"], "metric_name": ["m1"], "mean": [1.0]})
    with pytest.raises(UserInputError, match="data names arm 'nope', which experiment 'obs'"):
        observations_from_data(exp, unknown)
    bad = Data.from_columns(
        {"arm_name": ["0_0"], "metric_name": ["m1"], "mean": [1.0], "fidelities": ["[1, 2]"]}
    )
    with pytest.raises(UserInputError, match="fidelities of arm '0_0' must be a JSON object"):
        observations_from_data(exp, bad)
    assert observations_from_data(exp, Data()) == []


def test_observations_from_data_does_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "from tests.core.test_observation import make_experiment\n"
        "from ax.core.data import Data\n"
        "from ax.core.observation import observations_from_data\n"
        "exp = make_experiment()\n"
        "d = Data.from_columns({'arm_name': ['0_0', '1_0'], 'metric_name': ['m1', 'm1'],\n"
        "    'mean': [1.0, 2.0], 'sem': [0.1, 0.1], 'trial_index': [0, 1]})\n"
        "assert len(observations_from_data(exp, d)) == 2\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"
