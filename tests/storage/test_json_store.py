"""Tests of the JSON store: round trips, the file format, hostile files, atomic writes."""

from __future__ import annotations

import builtins
import copy
import importlib
import json
import os
import pickle
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.batch_trial import AbandonedArm, BatchTrial, GeneratorRunStruct
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment, unimplemented_evaluation_function
from ax.core.trial import Trial
from ax.core.types import ComparisonOp, GeneratorRunType, ParameterType, TrialStatus
from ax.exceptions import (
    JSONDecodeError,
    JSONEncodeError,
    StorageError,
    UserInputError,
    UserInputTypeError,
)
from ax.runners.synthetic import SyntheticRunner
from ax.storage.json_store import save as save_module
from ax.storage.json_store.load import (
    decode_document,
    load,
    load_experiment,
    loads,
    object_from_json,
)
from ax.storage.json_store.save import dumps, object_to_json, save, save_experiment
from ax.utils.equality import same_value
from ax.utils.testing.core_stubs import (
    get_experiment_with_everything,
    get_experiment_with_trials,
    get_optimization_config,
    get_search_space,
    get_simple_experiment,
)


def _document(experiment: Experiment) -> Dict[str, Any]:
    return json.loads(dumps(experiment))


def _roundtrip(experiment: Experiment) -> Experiment:
    return loads(dumps(experiment))


def _object_roundtrip(obj: Any) -> Any:
    text = json.dumps(object_to_json(obj), allow_nan=False)
    return object_from_json(json.loads(text))


def _diff(a: Any, b: Any) -> List[str]:
    return [k for k in a.__dict__ if not same_value(a.__dict__[k], b.__dict__.get(k))]


# ---------------------------------------------------------------------- round trips
def test_round_trip_of_experiment_with_everything(tmp_path: Path) -> None:
    experiment = get_experiment_with_everything()
    path = tmp_path / "experiment.json"
    save(experiment, path)
    loaded = load(path)
    assert type(loaded) is Experiment
    assert _diff(loaded, experiment) == []
    assert loaded == experiment
    # And it is stable: saving the loaded experiment gives the same document.
    assert dumps(loaded) == dumps(experiment)


def test_round_trip_restores_every_trial_field() -> None:
    experiment = get_experiment_with_everything()
    loaded = _roundtrip(experiment)
    for index, trial in experiment._trials.items():
        twin = loaded._trials[index]
        assert type(twin) is type(trial)
        assert _diff(twin, trial) == []
        assert twin._status is trial._status
        assert twin.time_created == trial.time_created
        assert twin.time_run_started == trial.time_run_started
        assert twin.ttl_seconds == trial.ttl_seconds
        assert twin.run_metadata == trial.run_metadata or same_value(
            twin.run_metadata, trial.run_metadata
        )
        assert twin._num_arms_created == trial._num_arms_created
        assert [a.name for a in twin.arms] == [a.name for a in trial.arms]
    assert {s.name for s in {t._status for t in loaded._trials.values()}} == {
        "CANDIDATE",
        "STAGED",
        "RUNNING",
        "COMPLETED",
        "FAILED",
        "ABANDONED",
    }
    assert loaded._trial_indices_by_status == experiment._trial_indices_by_status
    assert loaded._trials_have_ttl is True
    assert loaded._last_data_ts == experiment._last_data_ts
    assert loaded.time_created == experiment.time_created


def test_round_trip_of_batch_trial_state() -> None:
    experiment = get_experiment_with_everything()
    loaded = _roundtrip(experiment)
    batch = loaded._trials[6]
    original = experiment._trials[6]
    assert isinstance(batch, BatchTrial) and isinstance(original, BatchTrial)
    assert batch.status_quo == original.status_quo
    assert batch.status_quo is loaded.status_quo  # the experiment's own arm, not a copy
    assert batch.status_quo_weight_override == 1.5
    assert [s.weight for s in batch.generator_run_structs] == [2.0, 1.0]
    assert batch.abandoned_arms_metadata == original.abandoned_arms_metadata
    assert [a.name for a in batch.abandoned_arms] == [a.name for a in original.abandoned_arms]
    assert batch.arm_weights == original.arm_weights
    power = loaded._trials[7]
    assert isinstance(power, BatchTrial)
    assert power.optimize_for_power is True
    assert power.status_quo_weight_override == experiment._trials[7].status_quo_weight_override


def test_round_trip_keeps_the_arms_registry_identical() -> None:
    experiment = get_experiment_with_everything()
    loaded = _roundtrip(experiment)
    assert loaded._arms_by_name.keys() == experiment._arms_by_name.keys()
    assert loaded._arms_by_signature.keys() == experiment._arms_by_signature.keys()
    # The batch status quo that was set and then unset stays registered.
    assert "status_quo_8" in loaded.arms_by_name
    assert loaded.status_quo is not None and loaded.status_quo.name == "status_quo"


def test_round_trip_of_generator_run_fields() -> None:
    experiment = get_experiment_with_everything()
    loaded = _roundtrip(experiment)
    original = experiment._trials[1].generator_runs[0]
    gr = loaded._trials[1].generator_runs[0]
    assert _diff(gr, original) == []
    assert gr.time_created == original.time_created
    assert gr.model_key == "GPEI"
    assert gr.model_kwargs == {"num_restarts": 4, "acqf": ("qNEI", 2)}
    means, covariances = gr.model_predictions  # type: ignore[misc]
    assert np.isnan(means["latency"][0])
    assert covariances["latency"]["latency"] == [float("inf")]
    assert gr.best_arm_predictions is not None
    assert gr.best_arm_predictions[1] == ({"accuracy": 0.7}, {"accuracy": {"accuracy": 0.1}})
    assert np.isnan(gr.gen_metadata["score"])  # type: ignore[index]
    assert gr.gen_metadata["bound"] == float("-inf")  # type: ignore[index]
    assert gr.model_state_after_gen == original.model_state_after_gen
    assert gr.candidate_metadata_by_arm_signature == original.candidate_metadata_by_arm_signature
    assert gr.generation_step_index == 1 and gr.index == 0


def test_round_trip_of_data_versions() -> None:
    experiment = get_experiment_with_everything()
    loaded = _roundtrip(experiment)
    assert list(loaded._data_by_trial) == sorted(experiment._data_by_trial)
    for index, versions in experiment._data_by_trial.items():
        twin = loaded._data_by_trial[index]
        assert list(twin) == list(versions)  # storage times, oldest first
        for ts, data in versions.items():
            assert twin[ts] == data
            assert twin[ts].column_names == data.column_names
            for name, column in data.columns.items():
                assert twin[ts].columns[name].dtype == column.dtype
    data, ts = loaded.lookup_data_for_trial(3)
    assert ts == list(experiment._data_by_trial[3])[-1]
    assert data.columns["n"].tolist() == [100, 100]
    assert np.isnan(data.columns["sem"][1])


def test_round_trip_of_simple_experiment() -> None:
    experiment = get_simple_experiment()
    loaded = _roundtrip(experiment)
    assert type(loaded) is SimpleExperiment
    assert loaded == experiment
    # The evaluation function cannot be saved: it comes back unimplemented.
    assert not loaded.has_evaluation_function
    assert loaded.evaluation_function is unimplemented_evaluation_function
    loaded.evaluation_function = experiment.evaluation_function
    loaded.new_trial().add_arm(Arm({"x": 0.3, "c": "a"}))
    assert len(loaded.eval()) == len(experiment.eval()) + 1


def test_generator_runs_reference_the_experiments_objects_instead_of_copies() -> None:
    experiment = get_experiment_with_trials(3)
    document = _document(experiment)
    gr = document["experiment"]["trials"][0]["generator_run"]
    assert gr["search_space"] == {"__type": "ExperimentRef", "field": "search_space"}
    assert dumps(experiment).count('"__type":"SearchSpace"') == 1
    loaded = loads(json.dumps(document))
    for trial in loaded.trials.values():
        assert trial.generator_runs[0].search_space is loaded.search_space


def test_copied_objects_are_written_in_full() -> None:
    experiment = get_experiment_with_everything()
    document = _document(experiment)
    # BatchTrial.add_generator_run clones the run, so its search space is a copy.
    struct = document["experiment"]["trials"][6]["generator_run_structs"][0]
    assert struct["generator_run"]["search_space"]["__type"] == "SearchSpace"
    loaded = loads(json.dumps(document))
    gr = loaded._trials[6].generator_runs[0]
    assert gr.search_space == loaded.search_space
    assert gr.search_space is not loaded.search_space


def test_document_layout() -> None:
    document = _document(get_experiment_with_trials(2))
    assert list(document) == ["format_version", "experiment"]
    assert document["format_version"] == 1
    body = document["experiment"]
    assert body["__type"] == "Experiment"
    data = body["data"]
    assert data["__type"] == "ExperimentData"
    assert list(data["columns"])[:2] == ["trial_index", "storage_ts"]
    assert data["columns"]["trial_index"] == [0, 0, 1, 1]
    assert data["columns"]["metric_name"] == ["f", "g", "f", "g"]
    assert data["columns"]["sem"][1] is None  # NaN as null inside a float column


def test_output_is_strict_json_with_explicit_non_finite_floats() -> None:
    experiment = get_experiment_with_everything()
    text = dumps(experiment)
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda token: pytest.fail(f"bare {token}"))
    assert '{"__type":"float","value":"nan"}' in text
    assert '{"__type":"float","value":"-inf"}' in text


def test_non_finite_floats_in_metadata_and_sem_round_trip() -> None:
    experiment = get_experiment_with_trials(1)
    trial = experiment.trials[0]
    trial.update_run_metadata({"nan": float("nan"), "inf": float("inf"), "ninf": -np.inf})
    experiment.attach_data(
        Data.from_columns(
            {
                "arm_name": ["0_0"],
                "metric_name": ["h"],
                "mean": [1.0],
                "sem": [float("nan")],
                "trial_index": [0],
                "frac_nonnull": [float("inf")],
            }
        )
    )
    loaded = _roundtrip(experiment)
    assert loaded == experiment
    metadata = loaded.trials[0].run_metadata
    assert np.isnan(metadata["nan"]) and metadata["inf"] == np.inf and metadata["ninf"] == -np.inf
    data, _ = loaded.lookup_data_for_trial(0)
    assert np.isnan(data.columns["sem"][0]) and data.columns["frac_nonnull"][0] == np.inf


@pytest.mark.parametrize(
    "obj",
    [
        Arm({"x": 0.5, "s": "a", "b": True, "i": 3, "none": None}, name="0_0"),
        Arm({"x": float("nan"), "y": float("-inf")}),
        RangeParameter("lr", ParameterType.FLOAT, 1e-2, 1.0, log_scale=True, digits=3),
        RangeParameter("n", ParameterType.INT, 1, 9, is_fidelity=True, target_value=9),
        ChoiceParameter("c", ParameterType.INT, [1, 2, 3], is_ordered=True, is_task=True),
        ChoiceParameter("b", ParameterType.BOOL, [True, False]),
        FixedParameter("f", ParameterType.STRING, "v", is_fidelity=True, target_value="v"),
        ParameterConstraint({"x": 1.0, "y": -2.0}, bound=0.5),
        OrderConstraint(
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.FLOAT, 0.0, 1.0),
        ),
        SumConstraint(
            [
                RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
                RangeParameter("y", ParameterType.INT, 0, 4),
            ],
            is_upper_bound=False,
            bound=1.5,
        ),
        get_search_space(),
        Metric("m", lower_is_better=True),
        Objective(Metric("m"), minimize=True),
        OutcomeConstraint(Metric("c"), ComparisonOp.GEQ, -3.0, relative=True),
        get_optimization_config(),
        SyntheticRunner(),
        SyntheticRunner(dummy_metadata={"k": [1, (2, 3)]}),
        GeneratorRun([Arm({"x": 1.0}), Arm({"x": 2.0})], weights=[1.0, 3.0], type="MANUAL"),
        Data.from_evaluations({"0_0": {"m": (1.0, None)}}, 0, start_time=5, end_time=6),
        Data(),
        AbandonedArm("0_1", datetime(2020, 1, 1, 12), "bad"),
        datetime(2021, 5, 6, 7, 8, 9, 10),
        TrialStatus.COMPLETED,
        ParameterType.BOOL,
        ComparisonOp.LEQ,
        GeneratorRunType.STATUS_QUO,
        (1, "a", (None, 2.5)),
        {1: "int key", (1, 2): "tuple key", "__type": "not a type"},
        [float("nan"), float("inf"), {"a": [True, None]}],
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([0.5, np.nan]),
        np.float32(1.5),
    ],
    ids=lambda obj: type(obj).__name__,
)
def test_each_object_kind_round_trips_on_its_own(obj: Any) -> None:
    decoded = _object_roundtrip(obj)
    if isinstance(obj, np.ndarray):
        assert decoded.dtype == obj.dtype
        np.testing.assert_array_equal(decoded, obj)
    else:
        assert same_value(decoded, obj)
        if not isinstance(obj, (list, np.generic)):
            assert type(decoded) is type(obj)


def test_generator_run_struct_round_trips() -> None:
    struct = GeneratorRunStruct(GeneratorRun([Arm({"x": 1.0})]), 2.5)
    decoded = _object_roundtrip(struct)
    assert type(decoded) is GeneratorRunStruct
    assert decoded == struct


def test_constraints_inside_a_search_space_hold_the_spaces_parameters() -> None:
    space = get_search_space()
    encoded = object_to_json(space)
    order = encoded["parameter_constraints"][1]
    assert order == {"__type": "OrderConstraint", "lower_parameter": "x", "upper_parameter": "y"}
    decoded = object_from_json(encoded)
    assert decoded == space
    held = decoded.parameter_constraints[1]
    assert held.lower_parameter is decoded.parameters["x"] or (
        held.lower_parameter == decoded.parameters["x"]
    )


def test_dispatched_status_is_read_as_running() -> None:
    experiment = get_experiment_with_trials(1)
    document = _document(experiment)
    document["experiment"]["trials"][0]["status"]["name"] = "DISPATCHED"
    loaded = decode_document(document)
    assert loaded.trials[0].status is TrialStatus.RUNNING
    assert loaded.trial_indices_by_status[TrialStatus.RUNNING] == {0}


def test_arm_outside_a_narrowed_search_space_still_loads() -> None:
    experiment = get_experiment_with_trials(3)
    experiment.search_space = SearchSpace(
        [RangeParameter(f"x{i}", ParameterType.FLOAT, 0.0, 1e-9) for i in range(6)]
    )
    loaded = _roundtrip(experiment)
    assert loaded == experiment
    arm = loaded.trials[0].arms[0]
    assert not loaded.search_space.check_membership(arm.parameters)


def test_saving_does_not_apply_trial_ttls() -> None:
    experiment = get_experiment_with_trials(1)
    trial = experiment.new_trial(ttl_seconds=1).add_arm(Arm({f"x{i}": 0.5 for i in range(6)}))
    trial.mark_running(no_runner_required=True)
    trial._time_run_started = datetime.now() - timedelta(hours=1)
    text = dumps(experiment)
    assert trial._status is TrialStatus.RUNNING  # saving changed nothing
    loaded = loads(text)
    assert loaded._trials[1]._status is TrialStatus.RUNNING
    assert loaded.trials[1].status is TrialStatus.FAILED  # the TTL applies on first read


def test_data_rows_in_any_order_decode_to_the_same_experiment() -> None:
    experiment = get_experiment_with_everything()
    document = _document(experiment)
    columns = document["experiment"]["data"]["columns"]
    # Interleave the versions (rows of one version keep their relative order).
    keys = list(zip(columns["trial_index"], columns["storage_ts"]))
    position = [keys[:i].count(key) for i, key in enumerate(keys)]
    order = sorted(range(len(keys)), key=lambda i: (-keys[i][0], position[i], -keys[i][1]))
    for name, values in columns.items():
        columns[name] = [values[i] for i in order]
    assert [keys[i] for i in order] != sorted(keys)
    assert decode_document(document) == experiment


def test_empty_data_versions_and_absent_columns_round_trip() -> None:
    experiment = get_experiment_with_trials(2)
    versions = experiment._data_by_trial[1]
    full = versions[next(iter(versions))]
    no_sem = Data.from_columns(
        {k: v for k, v in full.columns.items() if k != "sem"}, description="no sem"
    )
    experiment._data_by_trial[1][experiment._last_data_ts + 1] = no_sem
    experiment._data_by_trial[1][experiment._last_data_ts + 2] = full.filter(metric_names=[])
    experiment._last_data_ts += 2
    loaded = _roundtrip(experiment)
    assert loaded == experiment
    assert list(loaded._data_by_trial[1].values())[1].description == "no sem"
    assert len(list(loaded._data_by_trial[1].values())[2]) == 0


def test_experiment_without_data_trials_or_config_round_trips() -> None:
    experiment = Experiment(SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]))
    loaded = _roundtrip(experiment)
    assert loaded == experiment
    assert loaded.has_name is False


def test_save_and_load_aliases(tmp_path: Path) -> None:
    experiment = get_experiment_with_trials(1)
    save_experiment(experiment, str(tmp_path / "e.json"))
    assert load_experiment(str(tmp_path / "e.json")) == experiment


def test_load_path_uses_no_pandas(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    save(get_experiment_with_everything(), path)
    code = (
        "import sys\n"
        "from ax.storage.json_store.load import load\n"
        f"experiment = load({str(path)!r})\n"
        "assert len(experiment.trials) == 9\n"
        "print('pandas' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------- save validation
def test_save_rejects_a_non_experiment(tmp_path: Path) -> None:
    with pytest.raises(UserInputTypeError, match="experiment must be an Experiment, got dict"):
        save({"name": "x"}, tmp_path / "e.json")  # type: ignore[arg-type]


def test_save_rejects_a_path_without_json_suffix(tmp_path: Path) -> None:
    path = str(tmp_path / "e.txt")
    with pytest.raises(UserInputError, match=r"must end in '\.json', got .*e\.txt"):
        save(get_experiment_with_trials(1), path)
    assert not os.path.exists(path)


def test_save_rejects_a_path_of_the_wrong_type() -> None:
    with pytest.raises(UserInputTypeError, match="filepath must be a str or os.PathLike, got int"):
        save(get_experiment_with_trials(1), 42)  # type: ignore[arg-type]


def test_load_of_a_missing_file_raises_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.json")


def test_save_into_a_missing_directory_raises_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="could not write .*nowhere"):
        save(get_experiment_with_trials(1), tmp_path / "nowhere" / "e.json")


# ---------------------------------------------------------------------- atomic writes
@pytest.fixture()
def saved_file(tmp_path: Path) -> Path:
    path = tmp_path / "e.json"
    save(get_experiment_with_trials(2), path)
    return path


def _assert_untouched(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert len(load(path).trials) == 2


def test_failed_rename_leaves_the_old_file_and_no_temporary_file(
    saved_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = saved_file.read_bytes()

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(StorageError, match="No space left on device") as info:
        save(get_experiment_with_trials(5), saved_file)
    assert isinstance(info.value.__cause__, OSError)
    monkeypatch.undo()
    _assert_untouched(saved_file, before)


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError(5, "Input/output error")])
def test_interrupted_write_leaves_the_old_file_and_no_temporary_file(
    saved_file: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    before = saved_file.read_bytes()
    real_write = os.write

    def partial_write(fd: int, data: Any) -> int:
        real_write(fd, bytes(data[:100]))
        raise error

    monkeypatch.setattr(save_module, "_write_all", lambda fd, data: partial_write(fd, data))
    expected = KeyboardInterrupt if error is KeyboardInterrupt else StorageError
    with pytest.raises(expected):
        save(get_experiment_with_trials(5), saved_file)
    monkeypatch.undo()
    _assert_untouched(saved_file, before)


def test_encode_error_leaves_the_old_file_and_writes_nothing(saved_file: Path) -> None:
    before = saved_file.read_bytes()

    class UnsavableMetric(Metric):
        pass

    experiment = get_experiment_with_trials(1)
    experiment.add_tracking_metric(UnsavableMetric("u"))
    with pytest.raises(JSONEncodeError, match="UnsavableMetric"):
        save(experiment, saved_file)
    _assert_untouched(saved_file, before)


def test_save_keeps_the_permissions_of_the_replaced_file(saved_file: Path) -> None:
    os.chmod(saved_file, 0o640)
    save(get_experiment_with_trials(3), saved_file)
    assert stat.S_IMODE(os.stat(saved_file).st_mode) == 0o640
    assert len(load(saved_file).trials) == 3


# ---------------------------------------------------------------------- format version
@pytest.mark.parametrize(
    "version, message",
    [
        (None, r"missing 'format_version' \(found none; supported versions: \[1\]\)"),
        (2, r"newer format_version 2 \(supported versions: \[1\]\).*upgrade"),
        (0, r"unknown format_version 0 \(supported versions: \[1\]\)"),
        ("1", r"format_version must be an int, found str '1' \(supported versions: \[1\]\)"),
        (True, r"format_version must be an int, found bool True"),
    ],
)
def test_format_version_is_checked(version: Any, message: str) -> None:
    document = _document(get_experiment_with_trials(1))
    if version is None:
        del document["format_version"]
    else:
        document["format_version"] = version
    with pytest.raises(JSONDecodeError, match=message):
        loads(json.dumps(document))


def test_unexpected_top_level_field_is_rejected() -> None:
    document = _document(get_experiment_with_trials(1))
    document["extra"] = 1
    with pytest.raises(JSONDecodeError, match=r"unexpected \['extra'\]"):
        loads(json.dumps(document))


def test_load_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"format_version": 9, "experiment": {}}')
    with pytest.raises(JSONDecodeError, match=r"load '.*bad\.json': newer format_version 9"):
        load(path)


# ---------------------------------------------------------------------- hostile files
def _mutated(mutate: Callable[[Dict[str, Any]], None]) -> str:
    document = _document(get_experiment_with_everything())
    mutate(document["experiment"])
    return json.dumps(document)


def _set_arm_type(e: Dict[str, Any]) -> None:
    e["trials"][1]["generator_run"]["arms"][0]["__type"] = "os.system"


HOSTILE_DOCUMENTS = {
    "unknown type deep inside": (
        lambda: _mutated(_set_arm_type),
        r"experiment\.trials\[1\]\.generator_run\.arms\[0\]: unknown type 'os\.system'",
    ),
    "wrong field type": (
        lambda: _mutated(lambda e: e["trials"][2].update(index="2")),
        r"experiment\.trials\[2\]\.index: must be an int, got str '2'",
    ),
    "missing field": (
        lambda: _mutated(lambda e: e["trials"][0].pop("status")),
        r"experiment\.trials\[0\]: malformed Trial: missing field\(s\) \['status'\]",
    ),
    "extra field": (
        lambda: _mutated(lambda e: e["search_space"]["parameters"][0].update(evil=1)),
        r"experiment\.search_space\.parameters\[0\]: .*unexpected field\(s\) \['evil'\]",
    ),
    "wrong type of a nested value": (
        lambda: _mutated(lambda e: e["trials"][1]["generator_run"].update(weights="heavy")),
        r"experiment\.trials\[1\]\.generator_run\.weights: must be a list, got str",
    ),
    "type name not a string": (
        lambda: _mutated(lambda e: e["runner"].update(__type=["SyntheticRunner"])),
        r"experiment\.runner: '__type' must be a str, got list",
    ),
    "constructor rejects the values": (
        lambda: _mutated(lambda e: e["search_space"]["parameters"][0].update(lower=5.0)),
        r"experiment\.search_space\.parameters\[0\]: could not build RangeParameter: "
        r"UserInputError: RangeParameter 'x': lower must be < upper",
    ),
    "enum member that does not exist": (
        lambda: _mutated(lambda e: e["trials"][0]["status"].update(name="__class__")),
        r"experiment\.trials\[0\]\.status\.name: TrialStatus has no member '__class__'",
    ),
    "trial out of order": (
        lambda: _mutated(lambda e: e["trials"].reverse()),
        r"experiment\.trials\[0\]\.index: trials must be saved in index order",
    ),
    "trial hidden in metadata": (
        lambda: _mutated(
            lambda e: e["trials"][0].update(run_metadata={"t": copy.deepcopy(e["trials"][0])})
        ),
        r"experiment\.trials\[0\]\.run_metadata\['t'\]: a Trial may only appear",
    ),
    "reference outside the trials": (
        lambda: _mutated(lambda e: e.update(runner={"__type": "ExperimentRef", "field": "runner"})),
        r"experiment\.runner: an ExperimentRef may only appear inside an experiment's trials",
    ),
    "data table out of place": (
        lambda: _mutated(lambda e: e["trials"][0].update(run_metadata={"d": e["data"]})),
        r"run_metadata\['d'\]: an ExperimentData table may only appear",
    ),
    "data of an unknown trial": (
        lambda: _mutated(
            lambda e: e["data"]["columns"].update(
                trial_index=[99] * len(e["data"]["columns"]["trial_index"])
            )
        ),
        r"experiment\.data\.columns\['trial_index'\]: data names trial 99",
    ),
    "data column with wrong values": (
        lambda: _mutated(lambda e: e["data"]["columns"]["mean"].__setitem__(0, "1.0")),
        r"experiment\.data\.columns\['mean'\]: must hold numbers or null, got str '1\.0' at row 0",
    ),
    "invalid data values": (
        lambda: _mutated(lambda e: e["data"]["columns"]["sem"].__setitem__(0, -1.0)),
        r"experiment\.data\.columns: invalid data: .*sem must be finite and >= 0",
    ),
    "unregistered metric class": (
        lambda: _mutated(lambda e: e["tracking_metrics"][0].update(__type="MyMetric")),
        r"experiment\.tracking_metrics\[0\]: unknown type 'MyMetric'.*register_metric",
    ),
    "metric with an unexpected argument": (
        lambda: _mutated(lambda e: e["tracking_metrics"][0].update(command="rm -rf /")),
        r"experiment\.tracking_metrics\[0\]: could not build Metric: TypeError: .*command",
    ),
    "arm name reused for other parameters": (
        lambda: _mutated(lambda e: e["trials"][1]["generator_run"]["arms"][0].update(name="0_0")),
        r"experiment\.trials\[1\]\.generator_run\.arms\[0\]: arm name '0_0' is used by another",
    ),
    "special float spelled wrong": (
        lambda: _mutated(
            lambda e: e["search_space"]["parameters"][0].update(
                lower={"__type": "float", "value": "NaN"}
            )
        ),
        r"experiment\.search_space\.parameters\[0\]\.lower: a special float must be",
    ),
    "truncated file": (
        lambda: dumps(get_experiment_with_everything())[:5000],
        r"not valid JSON: .*line 1, column \d+ \(the file may be truncated",
    ),
    "bare NaN": (
        lambda: '{"format_version": 1, "experiment": {"x": NaN}}',
        r"non-standard constant NaN",
    ),
    "bare Infinity": (lambda: "[-Infinity]", r"non-standard constant -Infinity"),
    "pickle blob": (
        lambda: pickle.dumps(get_experiment_with_trials(1)),
        r"not (valid UTF-8|valid JSON)",
    ),
    "deeply nested garbage": (lambda: "[" * 200_000 + "]" * 200_000, r"nested too deeply"),
    "deeply nested values": (
        lambda: _mutated(lambda e: e["trials"][0].update(run_metadata="DEEP")).replace(
            '"DEEP"', '{"a":' * 3000 + "1" + "}" * 3000
        ),
        r"nested too deeply",
    ),
    "non-object top level": (lambda: "[1, 2, 3]", r"the top level must be an object .*list"),
    "empty file": (lambda: "", r"not valid JSON"),
    "experiment of another type": (
        lambda: json.dumps({"format_version": 1, "experiment": {"__type": "os.system"}}),
        r"experiment: must be an object of type 'Experiment' or 'SimpleExperiment', got an "
        r"object of type 'os\.system'",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_DOCUMENTS))
def test_hostile_or_broken_files_raise_a_storage_error_naming_the_path(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make, message = HOSTILE_DOCUMENTS[case]
    content = make()
    path = tmp_path / "hostile.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    _forbid_code_execution(monkeypatch)
    with pytest.raises(JSONDecodeError, match=message) as info:
        load(path)
    assert isinstance(info.value, StorageError)


def _forbid_code_execution(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("loading must not import, eval or unpickle")

    monkeypatch.setattr(importlib, "import_module", forbidden)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)


def test_loading_never_imports_evaluates_or_unpickles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "e.json"
    experiment = get_experiment_with_everything()
    save(experiment, path)
    _forbid_code_execution(monkeypatch)
    modules = set(sys.modules)
    assert load(path) == experiment
    assert set(sys.modules) == modules


def test_constructor_errors_are_chained() -> None:
    text = _mutated(lambda e: e["search_space"]["parameters"][0].update(lower=5.0))
    with pytest.raises(JSONDecodeError) as info:
        loads(text)
    assert isinstance(info.value.__cause__, UserInputError)


def test_decoding_rejects_misused_building_blocks() -> None:
    with pytest.raises(
        JSONDecodeError, match=r"value\.lower_parameter: names parameter 'x', but the constraint"
    ):
        object_from_json(
            {"__type": "OrderConstraint", "lower_parameter": "x", "upper_parameter": "y"}
        )
    with pytest.raises(JSONDecodeError, match=r"value\.items\[0\]: must be a \[key, value\]"):
        object_from_json({"__type": "dict", "items": [[1, 2, 3]]})
    with pytest.raises(JSONDecodeError, match=r"value\.dtype: must be one of"):
        object_from_json({"__type": "ndarray", "dtype": "object", "shape": [0], "value": []})
    with pytest.raises(JSONDecodeError, match=r"has shape \[2\], but the shape field says \[3\]"):
        object_from_json({"__type": "ndarray", "dtype": "int64", "shape": [3], "value": [1, 2]})
    with pytest.raises(JSONDecodeError, match=r"value\.value: must be an ISO 8601 datetime"):
        object_from_json({"__type": "datetime", "value": "yesterday"})
    with pytest.raises(JSONDecodeError, match=r"a Trial may only appear in an experiment"):
        object_from_json(object_to_json(get_experiment_with_trials(1).trials[0]))


# ---------------------------------------------------------------------- encode errors
def test_unencodable_value_names_its_path() -> None:
    experiment = get_experiment_with_trials(2)
    experiment.trials[1].update_run_metadata({"handle": object()})
    with pytest.raises(
        JSONEncodeError,
        match=r"experiment\.trials\[1\]\.run_metadata\['handle'\]: cannot encode an object of "
        r"class builtins\.object",
    ):
        dumps(experiment)


def test_unencodable_array_dtype_is_named() -> None:
    with pytest.raises(JSONEncodeError, match=r"numpy array of dtype <U1"):
        object_to_json({"a": np.array(["x"])})


def test_trial_and_batch_types_are_registered() -> None:
    experiment = get_experiment_with_everything()
    document = _document(experiment)
    types = [t["__type"] for t in document["experiment"]["trials"]]
    assert types.count("Trial") == 6 and types.count("BatchTrial") == 3
    assert isinstance(_roundtrip(experiment)._trials[0], Trial)


def test_status_quo_history_round_trips() -> None:
    space = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])
    experiment = Experiment(space, name="sq", status_quo=Arm({"x": 0.5}))
    batch = experiment.new_batch_trial()  # records the first status quo, without a weight
    batch.add_arm(Arm({"x": 0.1}))
    experiment.new_trial().add_arm(Arm({"x": 0.5}))  # reuses the status quo's name
    experiment.status_quo = Arm({"x": 0.9})  # the first one stays: a trial holds it
    experiment.new_batch_trial().add_arm(Arm({"x": 0.2}))
    loaded = _roundtrip(experiment)
    assert loaded == experiment
    assert loaded._trials[1].arms[0].name == "status_quo"
    assert loaded.status_quo is not None and loaded.status_quo.name == "status_quo_e0"
    first = loaded._trials[0]
    assert isinstance(first, BatchTrial) and first.status_quo == Arm({"x": 0.5}, "status_quo")
    assert loaded.arms_by_name.keys() == experiment.arms_by_name.keys()


def test_status_quo_outside_a_replaced_search_space_still_loads() -> None:
    experiment = Experiment(
        SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]),
        status_quo=Arm({"x": 0.5}),
    )
    # With no trials yet, the search space may change completely.
    experiment.search_space = SearchSpace([ChoiceParameter("c", ParameterType.STRING, ["a", "b"])])
    assert _roundtrip(experiment) == experiment


def test_top_level_save_and_load(tmp_path: Path) -> None:
    import ax

    experiment = get_experiment_with_everything()
    ax.save(experiment, str(tmp_path / "e.json"))
    assert ax.load(str(tmp_path / "e.json")) == experiment


@pytest.mark.parametrize("enabled", [True, False])
def test_garbage_collector_state_is_restored(enabled: bool) -> None:
    import gc

    experiment = get_experiment_with_trials(2)
    was_enabled = gc.isenabled()
    try:
        if not enabled:
            gc.disable()
        loads(dumps(experiment))
        assert gc.isenabled() is enabled
        with pytest.raises(JSONDecodeError):
            loads(dumps(experiment).replace('"Arm"', '"os.system"'))
        assert gc.isenabled() is enabled
    finally:
        if was_enabled:
            gc.enable()


def test_saving_through_a_symlink_replaces_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    link = tmp_path / "link.json"
    save(get_experiment_with_trials(1), target)
    link.symlink_to(target)
    save(get_experiment_with_trials(2), link)
    assert link.is_symlink()
    assert len(load(target).trials) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_container_subclasses_are_written_as_plain_containers() -> None:
    from collections import OrderedDict, namedtuple

    point = namedtuple("point", ["x", "y"])
    value = {"ordered": OrderedDict([("b", 1), ("a", 2)]), "point": point(1, 2.5)}
    decoded = _object_roundtrip(value)
    assert decoded == {"ordered": {"b": 1, "a": 2}, "point": (1, 2.5)}
    assert type(decoded["point"]) is tuple
    with pytest.raises(JSONEncodeError, match=r"dict\['s'\]: cannot encode .*builtins\.set"):
        object_to_json({"s": {1, 2}})
