"""Tests for ax.core.data: the columnar Data and its helpers."""

from __future__ import annotations

import copy
import json
import math
import pickle
import subprocess
import sys
from datetime import datetime, timezone
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ax.core.data import Data, clone_without_metrics, set_single_trial
from ax.exceptions import UserInputError, UserInputTypeError

MS_2020 = 1577836800000  # 2020-01-01T00:00:00Z in milliseconds


def columns(**extra: Any) -> Dict[str, Any]:
    base: Dict[str, Any] = {
        "arm_name": ["0_0", "0_1", "1_0"],
        "metric_name": ["m", "m", "n"],
        "mean": [1.0, 2.0, 3.0],
        "sem": [0.1, float("nan"), 0.0],
        "trial_index": [0, 0, 1],
    }
    base.update(extra)
    return base


# ------------------------------------------------------------------ construction


def test_empty_data_has_required_columns() -> None:
    data = Data()
    assert data.empty and len(data) == 0
    assert data.column_names == ["arm_name", "metric_name", "mean"]
    assert list(data.df.columns) == ["arm_name", "metric_name", "mean"]
    assert data.df.empty
    assert data.metric_names == [] and data.trial_indices == [] and data.arm_names == []
    assert data.description is None
    assert Data() == Data()


def test_from_columns_canonical_order_and_dtypes() -> None:
    data = Data.from_columns(
        {
            "fidelities": ['{"f": 1}'] * 3,
            "random_split": [1, 2, 3],
            "frac_nonnull": [1.0, 1.0, 0.5],
            "n": [10, 20, 30],
            "end_time": [MS_2020 + 1, MS_2020 + 2, MS_2020 + 3],
            "start_time": [MS_2020, MS_2020, MS_2020],
            **columns(),
        },
        description="d",
    )
    assert data.column_names == list(Data.column_data_types())
    dtypes = {name: arr.dtype for name, arr in data.columns.items()}
    assert dtypes == {
        "arm_name": np.dtype(object),
        "metric_name": np.dtype(object),
        "mean": np.dtype("float64"),
        "sem": np.dtype("float64"),
        "trial_index": np.dtype("int64"),
        "start_time": np.dtype("datetime64[ms]"),
        "end_time": np.dtype("datetime64[ms]"),
        "n": np.dtype("int64"),
        "frac_nonnull": np.dtype("float64"),
        "random_split": np.dtype("int64"),
        "fidelities": np.dtype(object),
    }
    assert data.description == "d"
    assert len(data) == 3 and not data.empty


def test_static_column_sets() -> None:
    assert Data.required_columns() == {"arm_name", "metric_name", "mean"}
    types = Data.column_data_types()
    assert list(types)[:5] == ["arm_name", "metric_name", "mean", "sem", "trial_index"]
    types["x"] = "float"  # a copy: changing it changes nothing
    assert "x" not in Data.column_data_types()


def test_accessors() -> None:
    data = Data.from_columns(columns())
    assert data.metric_names == ["m", "n"]
    assert data.arm_names == ["0_0", "0_1", "1_0"]
    assert data.trial_indices == [0, 1]
    assert all(isinstance(i, int) for i in data.trial_indices)


def test_columns_are_read_only_and_copied_from_input() -> None:
    mean = np.array([1.0, 2.0, 3.0])
    data = Data.from_columns(columns(mean=mean))
    assert mean.flags.writeable  # the caller's array is untouched
    mean[0] = 100.0
    assert data.columns["mean"][0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        data.columns["mean"][0] = 5.0
    with pytest.raises(TypeError):
        data.columns["mean"] = np.zeros(3)  # type: ignore[index]


def test_numpy_and_tuple_inputs() -> None:
    data = Data.from_columns(
        {
            "arm_name": np.array(["a", "b"]),
            "metric_name": ("m", "m"),
            "mean": np.array([1, 2], dtype=np.int32),
            "trial_index": np.array([3.0, 4.0]),
        }
    )
    assert data.columns["arm_name"].tolist() == ["a", "b"]
    assert type(data.columns["arm_name"][0]) is str
    assert data.columns["mean"].dtype == np.float64
    assert data.columns["trial_index"].dtype == np.int64


def test_missing_values_in_int_column_kept_as_float_nan() -> None:
    data = Data.from_columns(columns(trial_index=[0, None, 1], n=[1.0, 2.0, float("nan")]))
    assert data.columns["trial_index"].dtype == np.float64
    assert np.isnan(data.columns["trial_index"][1])
    assert data.columns["n"].dtype == np.float64
    assert data.trial_indices == [0, 1]


def test_fully_missing_rows_are_dropped() -> None:
    data = Data.from_columns(
        {
            "arm_name": ["a", None, "b"],
            "metric_name": ["m", None, "m"],
            "mean": [1.0, float("nan"), 2.0],
            "trial_index": [0, None, 1],
            "start_time": [None, None, MS_2020],
        }
    )
    assert len(data) == 2
    assert data.columns["arm_name"].tolist() == ["a", "b"]
    assert data.columns["trial_index"].dtype == np.int64


def test_fidelities_accepts_dict_text_and_missing() -> None:
    data = Data.from_columns(columns(fidelities=[{"f": 0.5}, '{"f": 1}', None]))
    assert data.columns["fidelities"].tolist() == ['{"f": 0.5}', '{"f": 1}', None]


# ------------------------------------------------------------------ validation


def test_missing_required_columns_raise() -> None:
    with pytest.raises(UserInputError, match=r"missing required columns \['mean'\]"):
        Data.from_columns({"arm_name": ["a"], "metric_name": ["m"]})
    with pytest.raises(UserInputError, match=r"missing required columns \['arm_name', 'mean'\]"):
        Data(df=pd.DataFrame({"metric_name": ["m"]}))


def test_unknown_columns_raise() -> None:
    with pytest.raises(UserInputError, match=r"columns \['bogus', 'extra'\] are not supported"):
        Data.from_columns(columns(bogus=[1, 2, 3], extra=[1, 2, 3]))
    with pytest.raises(UserInputError, match=r"columns \['x'\] are not supported"):
        Data(df=pd.DataFrame(columns(x=[1, 2, 3])))


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(UserInputError, match=r"same length, got .*'mean': 2"):
        Data.from_columns(columns(mean=[1.0, 2.0]))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, None])
def test_non_finite_mean_raises_naming_arm_metric_value(bad: Any) -> None:
    shown = float("nan") if bad is None else bad
    pattern = rf"Data: mean must be finite, got mean={shown!r} for arm '0_1', metric 'm'"
    with pytest.raises(UserInputError, match=pattern):
        Data.from_columns(columns(mean=[1.0, bad, 3.0]))


def test_non_finite_mean_in_dataframe_raises() -> None:
    with pytest.raises(UserInputError, match=r"mean=inf for arm '1_0', metric 'n'"):
        Data(df=pd.DataFrame(columns(mean=[1.0, 2.0, math.inf])))


@pytest.mark.parametrize("bad", [-0.5, math.inf])
def test_bad_sem_raises(bad: float) -> None:
    with pytest.raises(
        UserInputError, match=rf"sem must be finite and >= 0.*sem={bad!r} for arm '0_0', metric 'm'"
    ):
        Data.from_columns(columns(sem=[bad, 0.1, 0.1]))


@pytest.mark.parametrize("column", ["arm_name", "metric_name"])
def test_name_columns_must_be_strings(column: str) -> None:
    bad = columns()
    bad[column] = ["a", 3, "c"]
    with pytest.raises(
        UserInputTypeError, match=rf"column '{column}' must hold strings, got 3 \(int\) at row 1"
    ):
        Data.from_columns(bad)


def test_missing_arm_name_in_otherwise_filled_row_raises() -> None:
    with pytest.raises(
        UserInputError, match="column 'arm_name' must not have missing values.*row 1"
    ):
        Data.from_columns(columns(arm_name=["a", None, "c"]))


@pytest.mark.parametrize(
    "column, values, error, fragment",
    [
        ("mean", ["1", "2", "3"], UserInputTypeError, "column 'mean' must hold numbers"),
        ("mean", [True, False, True], UserInputTypeError, "column 'mean' must hold numbers"),
        ("sem", [0.1, "x", 0.1], UserInputTypeError, "column 'sem' must hold numbers, got 'x'"),
        (
            "trial_index",
            [0, 1.5, 2],
            UserInputError,
            "column 'trial_index' must hold integers, got 1.5",
        ),
        ("n", [1, math.inf, 2], UserInputError, "column 'n' must hold integers, got inf"),
        (
            "start_time",
            [object(), None, None],
            UserInputTypeError,
            "column 'start_time' must hold times",
        ),
        (
            "start_time",
            ["not a date", None, None],
            UserInputError,
            "column 'start_time' must hold times",
        ),
        (
            "fidelities",
            [1, None, None],
            UserInputTypeError,
            "column 'fidelities' must hold strings",
        ),
    ],
)
def test_bad_column_values(column: str, values: List[Any], error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        Data.from_columns(columns(**{column: values}))


def test_bad_container_types() -> None:
    with pytest.raises(UserInputTypeError, match="columns must be a mapping"):
        Data.from_columns([("arm_name", ["a"])])  # type: ignore[arg-type]
    with pytest.raises(
        UserInputTypeError, match="column 'arm_name' must be a sequence or 1-D array, got 'abc'"
    ):
        Data.from_columns(columns(arm_name="abc"))
    with pytest.raises(
        UserInputTypeError, match="column 'mean' must be a sequence or 1-D array, got int"
    ):
        Data.from_columns(columns(mean=3))
    with pytest.raises(UserInputTypeError, match="column 'mean' must be a sequence or 1-D array"):
        Data.from_columns(columns(mean=np.ones((3, 1))))
    with pytest.raises(UserInputTypeError, match="df must be a pandas DataFrame, got dict"):
        Data(df=columns())  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="description must be a string or None, got 3"):
        Data(description=3)  # type: ignore[arg-type]


# ------------------------------------------------------------------ times


def test_integer_times_are_milliseconds() -> None:
    data = Data.from_columns(columns(start_time=[MS_2020] * 3, end_time=[MS_2020 + 1500] * 3))
    assert data.columns["start_time"][0] == np.datetime64("2020-01-01T00:00:00.000")
    assert data.columns["end_time"][0] == np.datetime64("2020-01-01T00:00:01.500")


def test_integer_times_in_dataframe_are_milliseconds() -> None:
    """The reference read integer times as nanoseconds; here they are milliseconds."""
    data = Data(df=pd.DataFrame(columns(start_time=[MS_2020] * 3)))
    assert data.df["start_time"][0] == pd.Timestamp("2020-01-01")


def test_datetime_inputs_accepted_as_is() -> None:
    aware = datetime(2020, 1, 1, 1, 0, tzinfo=timezone.utc)
    data = Data.from_columns(
        columns(
            start_time=[
                datetime(2020, 1, 1),
                pd.Timestamp("2020-01-01"),
                np.datetime64("2020-01-01"),
            ],
            end_time=[
                aware,
                pd.Timestamp("2020-01-01 02:00", tz="Europe/Paris"),
                "2020-01-01T01:00",
            ],
        )
    )
    assert (data.columns["start_time"] == np.datetime64("2020-01-01", "ms")).all()
    assert (data.columns["end_time"] == np.datetime64("2020-01-01T01:00", "ms")).all()
    frame = pd.DataFrame(columns(start_time=pd.to_datetime(["2020-01-01"] * 3)))
    assert (Data(df=frame).columns["start_time"] == np.datetime64("2020-01-01", "ms")).all()


def test_missing_times_are_nat() -> None:
    data = Data.from_columns(columns(start_time=[MS_2020, None, float("nan")]))
    assert np.isnat(data.columns["start_time"][1:]).all()
    assert data.columns["start_time"][0] == np.datetime64(MS_2020, "ms")


# ------------------------------------------------------------------ pandas edge


def test_df_round_trip() -> None:
    original = Data.from_columns(
        columns(
            start_time=[MS_2020, None, MS_2020],
            end_time=[MS_2020 + 1] * 3,
            n=[1, None, 3],
            fidelities=['{"a": 1}', None, None],
        ),
        description="round trip",
    )
    frame = original.df
    assert list(frame.columns) == original.column_names
    assert Data(df=frame, description="round trip") == original


def test_df_is_cached_and_protected() -> None:
    data = Data.from_columns(columns())
    first = data.df
    first["mean"] = 0.0
    first.loc[0, "sem"] = 9.0
    assert data.df["mean"].tolist() == [1.0, 2.0, 3.0]
    assert data.columns["sem"][0] == 0.1
    assert data._df_cache is not None


def test_dataframe_with_nullable_and_string_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "arm_name": pd.array(["a", "b", None], dtype="string"),
            "metric_name": pd.array(["m", "m", None], dtype="string"),
            "mean": pd.array([1.0, 2.0, None], dtype="Float64"),
            "trial_index": pd.array([1, 2, None], dtype="Int64"),
        }
    )
    data = Data(df=frame)
    assert len(data) == 2
    assert data.columns["trial_index"].dtype == np.int64


def test_dataframe_fully_nan_rows_dropped() -> None:
    frame = pd.DataFrame(
        {"arm_name": ["a", np.nan], "metric_name": ["m", np.nan], "mean": [1.0, np.nan]}
    )
    assert len(Data(df=frame)) == 1


def test_import_does_not_load_pandas_and_from_columns_stays_without_it() -> None:
    code = (
        "import sys\n"
        "from ax.core.data import Data\n"
        "d = Data.from_columns({'arm_name': ['a'], 'metric_name': ['m'], 'mean': [1.0]})\n"
        "d.filter(metric_names=['m']); Data.from_multiple_data([d, d]); d.df_hash\n"
        "d.split_by_trial_index() if False else None\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ derivations


def test_filter() -> None:
    data = Data.from_columns(columns(), description="d")
    assert data.filter(metric_names=["m"]).arm_names == ["0_0", "0_1"]
    assert data.filter(arm_names=["1_0", "nope"]).metric_names == ["n"]
    assert len(data.filter(trial_indices=[0])) == 2
    assert len(data.filter(trial_indices=[0], metric_names=["n"])) == 0
    assert data.filter() == data
    assert data.filter(metric_names=[]).empty
    assert data.filter(metric_names=["m"]).description == "d"
    many = [f"x{i}" for i in range(20)] + ["n"]
    assert data.filter(metric_names=many).arm_names == ["1_0"]


def test_filter_trial_indices_without_column_matches_nothing() -> None:
    data = Data.from_columns({"arm_name": ["a"], "metric_name": ["m"], "mean": [1.0]})
    assert data.filter(trial_indices=[0]).empty


def test_filter_rejects_single_string() -> None:
    with pytest.raises(
        UserInputTypeError, match="metric_names must be a collection, not a single string, got 'm'"
    ):
        Data.from_columns(columns()).filter(metric_names="m")


def test_filter_restores_int_dtype_when_nan_rows_removed() -> None:
    data = Data.from_columns(columns(n=[1, 2, None]))
    assert data.filter(metric_names=["m"]).columns["n"].dtype == np.int64


def test_split_by_trial_index() -> None:
    data = Data.from_columns(
        columns(trial_index=[2, 0, 2], arm_name=["2_0", "0_0", "2_1"]), description="d"
    )
    parts = data.split_by_trial_index()
    assert list(parts) == [0, 2]
    assert parts[2].arm_names == ["2_0", "2_1"]
    assert parts[2].columns["arm_name"].tolist() == ["2_0", "2_1"]  # row order kept
    assert parts[0].description == "d"
    assert Data.from_multiple_data(parts.values()).filter(trial_indices=[2]) == Data.from_columns(
        columns(
            trial_index=[2, 2],
            arm_name=["2_0", "2_1"],
            metric_name=["m", "n"],
            mean=[1.0, 3.0],
            sem=[0.1, 0.0],
        )
    )
    empty = Data.from_columns(columns(**{k: [] for k in columns()}))
    assert empty.split_by_trial_index() == {}


def test_split_by_trial_index_errors() -> None:
    with pytest.raises(UserInputError, match="there is no trial_index column"):
        Data().split_by_trial_index()
    with pytest.raises(UserInputError, match=r"trial_index is missing \(NaN\) in 1 of 3 rows"):
        Data.from_columns(columns(trial_index=[0, None, 1])).split_by_trial_index()


def test_from_multiple_data_with_mismatched_columns() -> None:
    first = Data.from_columns(
        {"arm_name": ["a"], "metric_name": ["m"], "mean": [1.0], "trial_index": [0]}
    )
    second = Data.from_columns(
        {
            "arm_name": ["b", "c"],
            "metric_name": ["m", "m"],
            "mean": [2.0, 3.0],
            "sem": [0.1, 0.2],
            "start_time": [MS_2020, MS_2020],
            "fidelities": ['{"x": 1}', None],
        }
    )
    merged = Data.from_multiple_data([first, second])
    assert merged.column_names == [
        "arm_name",
        "metric_name",
        "mean",
        "sem",
        "trial_index",
        "start_time",
        "fidelities",
    ]
    assert len(merged) == 3
    assert np.isnan(merged.columns["sem"][0])
    assert merged.columns["trial_index"].dtype == np.float64
    assert np.isnan(merged.columns["trial_index"][1:]).all()
    assert np.isnat(merged.columns["start_time"][0])
    assert merged.columns["fidelities"].tolist() == [None, '{"x": 1}', None]
    assert merged.description is None


def test_from_multiple_data_edge_cases() -> None:
    assert Data.from_multiple_data([]) == Data()
    data = Data.from_columns(columns())
    assert Data.from_multiple_data(iter([data])) == data
    assert Data.from_multiple_data([Data(), data, Data()]) == data
    assert Data.from_multiple_data([data, data]).columns["trial_index"].dtype == np.int64
    with pytest.raises(UserInputTypeError, match="item 1 must be a Data, got dict"):
        Data.from_multiple_data([data, {}])  # type: ignore[list-item]


def test_module_helpers() -> None:
    data = Data.from_columns(columns(), description="d")
    single = set_single_trial(data)
    assert single.trial_indices == [0] and single.description == "d"
    assert data.trial_indices == [0, 1]
    no_index = Data.from_columns(
        {"arm_name": ["a"], "metric_name": ["m"], "mean": [1.0], "sem": [0.0]}
    )
    assert set_single_trial(no_index).column_names == [
        "arm_name",
        "metric_name",
        "mean",
        "sem",
        "trial_index",
    ]
    assert clone_without_metrics(data, ["m"]).metric_names == ["n"]
    assert clone_without_metrics(data, []) == data


# ------------------------------------------------------------------ from_evaluations


def test_from_evaluations_basic() -> None:
    data = Data.from_evaluations(
        {"0_0": {"a": (1.0, 0.5), "b": (2.0, None)}, "0_1": {"a": 3}}, trial_index=4
    )
    assert data.column_names == ["arm_name", "metric_name", "mean", "sem", "trial_index"]
    assert data.columns["arm_name"].tolist() == ["0_0", "0_0", "0_1"]
    assert data.columns["metric_name"].tolist() == ["a", "b", "a"]
    assert data.columns["mean"].tolist() == [1.0, 2.0, 3.0]
    sem = data.columns["sem"]
    assert sem[0] == 0.5 and np.isnan(sem[1]) and np.isnan(sem[2])
    assert data.trial_indices == [4]


@pytest.mark.parametrize(
    "start, end, expected_start, expected_end",
    [
        (MS_2020, None, "2020-01-01T00:00:00", "NaT"),
        (None, MS_2020 + 2000, "NaT", "2020-01-01T00:00:02"),
        (MS_2020, MS_2020 + 1, "2020-01-01T00:00:00", "2020-01-01T00:00:00.001"),
    ],
)
def test_from_evaluations_times_add_both_columns(
    start: Any, end: Any, expected_start: str, expected_end: str
) -> None:
    data = Data.from_evaluations({"a": {"m": (1.0, 0.0)}}, 0, start_time=start, end_time=end)
    assert "start_time" in data.column_names and "end_time" in data.column_names
    got_start, got_end = data.columns["start_time"][0], data.columns["end_time"][0]
    assert str(got_start)[: len(expected_start)] == expected_start or (
        np.isnat(got_start) and expected_start == "NaT"
    )
    assert str(got_end)[: len(expected_end)] == expected_end or (
        np.isnat(got_end) and expected_end == "NaT"
    )


def test_from_evaluations_sample_sizes() -> None:
    evaluations = {"a": {"m": (1.0, 0.0)}, "b": {"m": (2.0, 0.0)}}
    assert "n" not in Data.from_evaluations(evaluations, 0, sample_sizes={}).column_names
    data = Data.from_evaluations(evaluations, 0, sample_sizes={"a": 10, "b": 20})
    assert data.columns["n"].tolist() == [10, 20] and data.columns["n"].dtype == np.int64
    partial = Data.from_evaluations(evaluations, 0, sample_sizes={"a": 10})
    assert partial.columns["n"][0] == 10 and np.isnan(partial.columns["n"][1])


@pytest.mark.parametrize(
    "value, error, fragment",
    [
        (
            "x",
            UserInputTypeError,
            "arm 'a', metric 'm': value must be a number or a \\(mean, sem\\) pair",
        ),
        ((1.0, "x"), UserInputTypeError, "arm 'a', metric 'm'"),
        ((1.0, 2.0, 3.0), UserInputTypeError, "got \\(1.0, 2.0, 3.0\\)"),
        (None, UserInputTypeError, "got None"),
        (
            (math.nan, 0.1),
            UserInputError,
            "mean must be finite, got mean=nan for arm 'a', metric 'm'",
        ),
        ((1.0, -1.0), UserInputError, "sem=-1.0 for arm 'a', metric 'm'"),
    ],
)
def test_from_evaluations_bad_values(value: Any, error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        Data.from_evaluations({"a": {"m": value}}, 0)


def test_from_evaluations_bad_structure() -> None:
    with pytest.raises(UserInputTypeError, match="evaluations\\['a'\\] must be a dict, got float"):
        Data.from_evaluations({"a": 1.0}, 0)  # type: ignore[dict-item]
    with pytest.raises(UserInputTypeError, match="trial_index must be an int, got '0'"):
        Data.from_evaluations({"a": {"m": 1.0}}, "0")  # type: ignore[arg-type]


def test_from_evaluations_empty() -> None:
    data = Data.from_evaluations({}, 0)
    assert data.empty
    assert "trial_index" in data.column_names


def test_from_fidelity_evaluations() -> None:
    data = Data.from_fidelity_evaluations(
        {"a": [({"f": 0.5}, {"m": (1.0, 0.1)}), ({"f": 1.0}, {"m": (2.0, None), "k": 3.0})]},
        trial_index=2,
        sample_sizes={"a": 5},
        start_time=MS_2020,
    )
    assert len(data) == 3
    assert [json.loads(f) for f in data.columns["fidelities"]] == [
        {"f": 0.5},
        {"f": 1.0},
        {"f": 1.0},
    ]
    assert data.columns["n"].tolist() == [5, 5, 5]
    assert np.isnat(data.columns["end_time"]).all()
    with pytest.raises(UserInputTypeError, match="fidelities must be a JSON-serialisable dict"):
        Data.from_fidelity_evaluations({"a": [({"f": object()}, {"m": 1.0})]}, 0)


# ------------------------------------------------------------------ equality, hash, copies


def test_equality_and_hash() -> None:
    a = Data.from_columns(columns())
    b = Data.from_columns(columns())
    assert a == b and a.df_hash == b.df_hash
    assert a != Data.from_columns(columns(mean=[1.0, 2.0, 4.0]))
    assert a.df_hash != Data.from_columns(columns(mean=[1.0, 2.0, 4.0])).df_hash
    assert a != Data.from_columns(columns(), description="x")
    assert a != Data.from_columns({k: v for k, v in columns().items() if k != "sem"})
    assert a != "not data"
    assert len(a.df_hash) == 32
    with pytest.raises(TypeError):
        hash(a)


def test_repr() -> None:
    data = Data.from_columns(columns(), description="d")
    assert repr(data) == (
        "Data(rows=3, metrics=['m', 'n'], columns=['arm_name', 'metric_name', 'mean', "
        "'sem', 'trial_index'], description='d')"
    )


def test_copy_deepcopy_pickle() -> None:
    data = Data.from_columns(columns(start_time=[MS_2020] * 3), description="d")
    _ = data.df
    for other in (copy.copy(data), copy.deepcopy(data), pickle.loads(pickle.dumps(data))):
        assert other == data
        assert not other.columns["mean"].flags.writeable
    clone = copy.deepcopy(data)
    clone.description = "changed"
    assert data.description == "d"


# ------------------------------------------------------------------ property test

_names = st.text(min_size=1, max_size=5)
_finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
_sem = st.one_of(st.just(math.nan), st.floats(min_value=0, max_value=1e6))


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _names,
            _names,
            _finite,
            _sem,
            st.integers(0, 10**6),
            st.one_of(st.none(), st.integers(0, 2**40)),
        ),
        max_size=20,
    )
)
def test_property_df_round_trip_and_split(rows: List[Any]) -> None:
    data = Data.from_columns(
        {
            "arm_name": [r[0] for r in rows],
            "metric_name": [r[1] for r in rows],
            "mean": [r[2] for r in rows],
            "sem": [r[3] for r in rows],
            "trial_index": [r[4] for r in rows],
            "start_time": [r[5] for r in rows],
        }
    )
    assert Data(df=data.df) == data
    assert Data(df=data.df).df_hash == data.df_hash
    parts = data.split_by_trial_index()
    assert sum(len(p) for p in parts.values()) == len(data)
    assert sorted(parts) == data.trial_indices
