"""Tests for ax.modelbridge.random (RandomModelBridge) with Sobol and uniform generators."""

from __future__ import annotations

from typing import Any, Dict, List, Set, Type

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.observation import ObservationFeatures
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UnsupportedError
from ax.modelbridge.random import RandomModelBridge
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.int_to_float import IntToFloat
from ax.modelbridge.transforms.remove_fixed import RemoveFixed
from ax.modelbridge.transforms.unit_x import UnitX
from ax.models.random.sobol import SobolGenerator
from ax.models.random.uniform import UniformGenerator
from tests.modelbridge import CONT_X_TRANS, float_experiment, mixed_search_space


def sobol_bridge(space: SearchSpace, seed: int = 0, **kwargs: object) -> RandomModelBridge:
    return RandomModelBridge(space, SobolGenerator(seed=seed), transforms=CONT_X_TRANS, **kwargs)  # type: ignore[arg-type]


def test_sobol_on_mixed_space_stays_in_the_search_space() -> None:
    space = mixed_search_space()
    bridge = sobol_bridge(space)
    gr = bridge.gen(40)
    assert len(gr.arms) == 40
    for arm in gr.arms:
        space.check_membership(arm.parameters, raise_error=True)
        assert type(arm.parameters["n"]) is int and type(arm.parameters["k"]) is int
        assert arm.parameters["mode"] == "fast"
    values: Dict[str, Set[Any]] = {
        name: {arm.parameters[name] for arm in gr.arms} for name in space.parameters
    }
    assert values["opt"] == {"sgd", "adam", "rms"}
    assert values["size"] == {8, 16, 32}
    assert values["flag"] == {True, False}
    assert max(values["k"]) > 100 and min(values["k"]) < 10  # log scale covered
    assert gr.model_predictions is None and gr.best_arm_predictions is None
    assert gr.search_space is space
    assert gr.model_state_after_gen == bridge.model.get_state()
    assert gr.model_state_after_gen is not None
    assert gr.model_state_after_gen["init_position"] >= 40


def test_sobol_is_reproducible_and_resumable() -> None:
    space = mixed_search_space()
    first = [a.parameters for a in sobol_bridge(space, seed=5).gen(6).arms]
    again = [a.parameters for a in sobol_bridge(space, seed=5).gen(6).arms]
    assert first == again
    bridge = sobol_bridge(space, seed=5)
    split = [a.parameters for a in bridge.gen(3).arms]
    state = bridge.model.get_state()
    resumed = RandomModelBridge(space, SobolGenerator(**state), transforms=CONT_X_TRANS)
    split += [a.parameters for a in resumed.gen(3).arms]
    assert split == first


def test_uniform_generator_and_fixed_features() -> None:
    space = mixed_search_space()
    bridge = RandomModelBridge(space, UniformGenerator(seed=1), transforms=CONT_X_TRANS)
    gr = bridge.gen(10, fixed_features=ObservationFeatures({"opt": "adam", "n": 2}))
    for arm in gr.arms:
        space.check_membership(arm.parameters, raise_error=True)
        assert arm.parameters["opt"] == "adam" and arm.parameters["n"] == 2


def test_linear_constraint_with_integers_is_respected() -> None:
    a = RangeParameter("a", ParameterType.INT, 0, 10)
    b = RangeParameter("b", ParameterType.INT, 0, 10)
    x = RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)
    space = SearchSpace([a, b, x], [ParameterConstraint({"a": 1.0, "b": 1.0, "x": 2.0}, 6.0)])
    gr = sobol_bridge(space, seed=2).gen(30)
    for arm in gr.arms:
        space.check_membership(arm.parameters, raise_error=True)


def test_data_is_not_needed_or_read() -> None:
    exp, data = float_experiment()
    bridge = RandomModelBridge(
        exp.search_space, SobolGenerator(seed=0), CONT_X_TRANS, experiment=exp, data=data
    )
    assert bridge.get_training_data() == [] and bridge.status_quo is None
    with pytest.raises(NotImplementedError, match="RandomModelBridge does not support predict"):
        bridge.predict([ObservationFeatures({"x1": 0.1, "x2": 0.1})])
    with pytest.raises(NotImplementedError, match="does not support cross_validate"):
        bridge.cross_validate([], [])
    bridge.update(data, exp)  # nothing to do
    assert len(bridge.gen(2).arms) == 2


def test_arms_keep_existing_names() -> None:
    exp = Experiment(search_space=SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]))
    first = RandomModelBridge(exp.search_space, SobolGenerator(seed=3), [UnitX]).gen(1).arms[0]
    exp.new_trial().add_arm(Arm(first.parameters))
    again = RandomModelBridge(exp.search_space, SobolGenerator(seed=3), [UnitX], experiment=exp)
    assert again.gen(1).arms[0].name == "0_0"


@pytest.mark.parametrize(
    ("parameters", "transforms", "match"),
    [
        (
            [RangeParameter("x", ParameterType.FLOAT, 0.0, 5.0)],
            [],
            r"parameter 'x' has bounds \[0.0, 5.0\] after the transforms",
        ),
        (
            [ChoiceParameter("opt", ParameterType.STRING, ["a", "b"])],
            [UnitX],
            "parameter 'opt' .* cannot be sampled after the transforms",
        ),
        (
            [RangeParameter("lr", ParameterType.FLOAT, 0.1, 1.0, log_scale=True)],
            [UnitX],
            "parameter 'lr' .* cannot be sampled",
        ),
        (
            [RangeParameter("n", ParameterType.INT, 0, 3)],
            [UnitX],
            r"parameter 'n' has bounds \[0.0, 3.0\]",
        ),
        (
            [FixedParameter("f", ParameterType.STRING, "z")],
            [IntToFloat, UnitX],
            "parameter 'f' .* cannot be sampled",
        ),
    ],
)
def test_unsupported_spaces_name_the_parameter(
    parameters: List[Parameter], transforms: List[Type[Transform]], match: str
) -> None:
    space = SearchSpace(parameters)
    with pytest.raises(UnsupportedError, match=match):
        RandomModelBridge(space, SobolGenerator(seed=0), transforms=transforms)


def test_fixed_numeric_parameter_without_remove_fixed() -> None:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 2.0),
            FixedParameter("f", ParameterType.FLOAT, 3.5),
        ]
    )
    gr = RandomModelBridge(space, SobolGenerator(seed=0), transforms=[UnitX]).gen(3)
    assert all(arm.parameters["f"] == 3.5 for arm in gr.arms)
    assert len({arm.parameters["x"] for arm in gr.arms}) == 3


def test_remove_fixed_then_unit_cube_only() -> None:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 10.0, 20.0),
            FixedParameter("f", ParameterType.INT, 1),
        ]
    )
    bridge = RandomModelBridge(space, SobolGenerator(seed=4), transforms=[RemoveFixed, UnitX])
    xs = np.array([arm.parameters["x"] for arm in bridge.gen(16).arms])
    assert xs.min() >= 10.0 and xs.max() <= 20.0


def test_deduplication_uses_experiment_arms_not_stored_points() -> None:
    """Dedup memory comes from the experiment, so runs do not store every earlier point."""
    from ax.core.experiment import Experiment
    from ax.core.parameter import ChoiceParameter, RangeParameter
    from ax.core.search_space import SearchSpace
    from ax.core.types import ParameterType
    from ax.modelbridge.registry import Models

    space = SearchSpace(
        [
            RangeParameter("a", ParameterType.INT, 0, 2),
            ChoiceParameter("b", ParameterType.STRING, ["x", "y"]),
        ]
    )
    exp = Experiment(space, name="dedup")
    seen = set()
    for _ in range(6):  # exactly the 6 distinct points, each once
        gr = Models.SOBOL(experiment=exp, seed=0, deduplicate=True).gen(1)
        assert gr.model_state_after_gen is not None
        assert "generated_points" not in gr.model_state_after_gen
        arm = exp.new_trial(generator_run=gr).arm
        assert arm is not None
        key = (arm.parameters["a"], arm.parameters["b"])
        assert key not in seen
        seen.add(key)
    assert len(seen) == 6
