"""Data.from_fidelity_evaluations: the fidelity form of evaluations, and its errors."""

from __future__ import annotations

import json

import pytest

from ax.core.data import Data
from ax.exceptions import UserInputTypeError


def test_rows_carry_their_fidelities_as_json() -> None:
    data = Data.from_fidelity_evaluations(
        {
            "0_0": [({"s": 0.5}, {"f": (1.0, 0.1)}), ({"s": 1.0}, {"f": (2.0, 0.1), "g": 3.0})],
            "1_0": [({"s": 0.25, "epochs": 10}, {"f": (4.0, None)})],
        },
        trial_index=3,
        sample_sizes={"0_0": 7},
    )
    df = data.df
    assert list(df["arm_name"]) == ["0_0", "0_0", "0_0", "1_0"]
    assert [json.loads(f) for f in df["fidelities"]] == [
        {"s": 0.5},
        {"s": 1.0},
        {"s": 1.0},
        {"s": 0.25, "epochs": 10},
    ]
    assert list(df["mean"]) == [1.0, 2.0, 3.0, 4.0] and set(df["trial_index"]) == {3}
    assert Data.from_fidelity_evaluations({}, 0) == Data.from_evaluations({}, 0)


@pytest.mark.parametrize(
    "evaluations, match",
    [
        ({"a": {"s": 1.0}}, r"evaluations\['a'\] must be a list of \(fidelities"),
        ({"a": "s=1"}, r"evaluations\['a'\] must be a list of \(fidelities"),
        ({"a": [(1, 2, 3)]}, r"evaluations\['a'\]\[0\] must be a \(fidelities, .*got \(1, 2, 3\)"),
        ({"a": [({"s": 1.0},)]}, r"evaluations\['a'\]\[0\] must be a \(fidelities"),
        ({"a": [("s", {"f": 1.0})]}, r"arm 'a': fidelities must be a dict .*got 's'"),
        ({"a": [({"s": object()}, {"f": 1.0})]}, "JSON-serialisable"),
        ({"a": [({"s": 1.0}, 5.0)]}, r"evaluations\['a'\] must be a dict, got float"),
    ],
)
def test_malformed_fidelity_evaluations_get_clear_errors(evaluations: dict, match: str) -> None:
    with pytest.raises(UserInputTypeError, match=match):
        Data.from_fidelity_evaluations(evaluations, 0)
