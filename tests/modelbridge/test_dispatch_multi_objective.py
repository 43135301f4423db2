"""choose_generation_strategy with a multi-objective optimization config."""

from __future__ import annotations

import logging

import pytest

from ax.exceptions import UserInputError
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.registry import Models
from ax.utils.testing.multi_objective_stubs import (
    get_multi_objective_experiment,
    get_multi_objective_optimization_config,
)


def test_multi_objective_config_picks_the_multi_objective_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    experiment = get_multi_objective_experiment()
    config = get_multi_objective_optimization_config()
    with caplog.at_level(logging.INFO, logger="ax.modelbridge.dispatch_utils"):
        strategy = choose_generation_strategy(
            experiment.search_space, random_seed=3, optimization_config=config
        )
    steps = strategy.steps
    assert steps[0].model is Models.SOBOL
    moo = getattr(Models, "MOO", None)
    if moo is not None:
        assert [s.model for s in steps] == [Models.SOBOL, moo]
        assert "2 objectives ['acc', 'latency']" in caplog.text and "qLogNEHVI" in caplog.text
    else:  # before the multi-objective model is registered: quasi-random only, said so
        assert len(steps) == 1 and steps[0].num_trials == -1
        assert "no multi-objective model is registered" in caplog.text


def test_single_objective_config_keeps_gpei() -> None:
    experiment = get_multi_objective_experiment(scalarized=True)
    strategy = choose_generation_strategy(
        experiment.search_space, optimization_config=experiment.optimization_config
    )
    assert [s.model for s in strategy.steps] == [Models.SOBOL, Models.GPEI]


def test_fidelity_parameters_with_several_objectives_are_refused() -> None:
    from ax.core.parameter import RangeParameter
    from ax.core.search_space import SearchSpace
    from ax.core.types import ParameterType

    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("s", ParameterType.FLOAT, 0.0, 1.0, is_fidelity=True, target_value=1.0),
        ]
    )
    with pytest.raises(UserInputError, match=r"fidelity parameters \['s'\] with several"):
        choose_generation_strategy(
            space, optimization_config=get_multi_objective_optimization_config()
        )


def test_multi_objective_power_transforms_its_constraint_metrics_only() -> None:
    from ax.modelbridge.registry import Cont_X_trans, GP_Y_trans
    from ax.modelbridge.transforms.winsorize import Winsorize

    experiment = get_multi_objective_experiment()
    moo_step = choose_generation_strategy(
        experiment.search_space, optimization_config=get_multi_objective_optimization_config()
    ).steps[-1]
    assert moo_step.model_kwargs["transforms"] == Cont_X_trans + GP_Y_trans
    assert moo_step.model_kwargs["transform_configs"] == {"PowerTransformY": {"metrics": ["cost"]}}
    # no outcome constraint: the registry's defaults, nothing power-transformed
    plain = choose_generation_strategy(
        experiment.search_space,
        optimization_config=get_multi_objective_optimization_config(constraint=False),
    ).steps[-1]
    assert "transforms" not in plain.model_kwargs
    assert "transform_configs" not in plain.model_kwargs
    # with winsorization both apply, winsorization first
    both = choose_generation_strategy(
        experiment.search_space,
        optimization_config=get_multi_objective_optimization_config(),
        winsorize_botorch_model=True,
        winsorization_limits=(0.0, 0.1),
    ).steps[-1]
    assert both.model_kwargs["transforms"] == [Winsorize] + Cont_X_trans + GP_Y_trans
    assert set(both.model_kwargs["transform_configs"]) == {"PowerTransformY", "Winsorize"}
