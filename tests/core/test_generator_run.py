from __future__ import annotations

import pytest

from ax.core.arm import Arm
from ax.core.generator_run import GeneratorRun
from ax.exceptions import ImmutabilityError, UserInputError, UserInputTypeError


def test_defaults_and_weights() -> None:
    gr = GeneratorRun([Arm({"x": 1.0}), Arm({"x": 2.0})])
    assert gr.weights == [1.0, 1.0]
    assert [a.parameters for a in gr.arms] == [{"x": 1.0}, {"x": 2.0}]
    assert gr.index is None
    assert repr(gr) == "GeneratorRun(2 arms, total weight 2.0)"


def test_duplicate_signatures_merge_weights_keeping_order() -> None:
    gr = GeneratorRun([Arm({"x": 1.0}), Arm({"x": 2.0}), Arm({"x": 1.0})], weights=[1.0, 2.0, 3.0])
    assert [a.parameters["x"] for a in gr.arms] == [1.0, 2.0]
    assert gr.weights == [4.0, 2.0]
    assert len(gr.arm_signatures) == 2


@pytest.mark.parametrize(
    "kwargs, err, match",
    [
        ({"weights": [1.0]}, UserInputError, "same length, got 1 weights for 2 arms"),
        ({"weights": [1.0, -1.0]}, UserInputError, r"weights\[1\] must be a finite number > 0"),
        ({"weights": [1.0, float("nan")]}, UserInputError, r"weights\[1\]"),
        ({"weights": [1.0, "a"]}, UserInputTypeError, r"weights\[1\] must be a number, got 'a'"),
        ({"model_kwargs": {"a": 1}}, UserInputError, "model_key is required"),
        ({"generation_step_index": -1}, UserInputError, "generation_step_index .* got -1"),
        ({"candidate_metadata_by_arm_signature": {"nope": {}}}, UserInputError, "nope"),
    ],
)
def test_invalid_arguments(kwargs: dict, err: type, match: str) -> None:
    with pytest.raises(err, match=match):
        GeneratorRun([Arm({"x": 1.0}), Arm({"x": 2.0})], **kwargs)


def test_non_arm_rejected() -> None:
    with pytest.raises(UserInputTypeError, match=r"arms\[0\] must be an Arm"):
        GeneratorRun([{"x": 1.0}])  # type: ignore[list-item]


def test_index_is_write_once() -> None:
    gr = GeneratorRun([Arm({"x": 1.0})])
    gr.index = 0
    gr.index = 0
    with pytest.raises(ImmutabilityError, match="index is immutable"):
        gr.index = 1


def test_model_predictions_by_arm_and_param_df() -> None:
    arms = [Arm({"x": 1.0}, name="a"), Arm({"x": 2.0})]
    gr = GeneratorRun(
        arms,
        model_predictions=({"m": [1.0, 2.0]}, {"m": {"m": [0.1, 0.2]}}),
    )
    by_arm = gr.model_predictions_by_arm
    assert by_arm is not None
    assert by_arm[arms[1].signature] == ({"m": 2.0}, {"m": {"m": 0.2}})
    df = gr.param_df
    assert list(df.index) == ["a", arms[1].signature[-4:]]
    assert df["x"].tolist() == [1.0, 2.0]


def test_clone_is_deep_and_equal() -> None:
    gr = GeneratorRun(
        [Arm({"x": 1.0})],
        model_key="Sobol",
        model_kwargs={"seed": 1},
        bridge_kwargs={},
        gen_metadata={"a": [1]},
    )
    gr.index = 2
    clone = gr.clone()
    assert clone == gr
    assert clone.time_created == gr.time_created and clone.index == 2
    assert clone.gen_metadata is not gr.gen_metadata
    assert clone.arms[0] is not gr.arms[0]


def test_split_by_arm() -> None:
    gr = GeneratorRun(
        [Arm({"x": 1.0}), Arm({"x": 2.0})],
        weights=[1.0, 3.0],
        model_key="Sobol",
        generation_step_index=0,
        gen_metadata={"k": 1},
    )
    light = gr.split_by_arm()
    assert [g.weights for g in light] == [[1.0], [3.0]]
    assert all(g.model_key == "Sobol" and g.generation_step_index == 0 for g in light)
    assert light[0].gen_metadata is None
    full = gr.split_by_arm(populate_all_fields=True)
    assert full[1].gen_metadata == {"k": 1}
