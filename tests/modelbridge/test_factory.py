"""ax.modelbridge.factory: Ax 0.1's get_* functions over the Models registry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ax.core.data import Data
from ax.core.parameter import ChoiceParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UnsupportedError, UserInputError
from ax.modelbridge import factory
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from tests.modelbridge.test_registry import CHEAP, _experiment_with_data


def test_importing_factory_does_not_import_torch() -> None:
    code = (
        "import sys; from ax.modelbridge import get_sobol, get_GPEI; print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_get_sobol_and_uniform() -> None:
    exp = _experiment_with_data(0)
    sobol = factory.get_sobol(exp.search_space, seed=0, init_position=3, scramble=True)
    run = sobol.gen(2)
    assert run.model_key == "Sobol" and run.model_kwargs["init_position"] == 3
    again = factory.get_sobol(exp.search_space, seed=0, init_position=3).gen(2)
    assert [a.parameters for a in run.arms] == [a.parameters for a in again.arms]
    uniform = factory.get_uniform(exp.search_space, deduplicate=True, seed=1).gen(3)
    assert uniform.model_key == "Uniform" and len(uniform.arms) == 3
    for arm in run.arms + uniform.arms:
        assert exp.search_space.check_membership(arm.parameters)


@pytest.mark.parametrize(
    "function, key, kwargs",
    [
        (factory.get_GPEI, "GPEI", {}),
        (factory.get_botorch, "BO", {"options": CHEAP, "seed": 0}),
        (factory.get_GPKG, "GPKG", {"options": {**CHEAP, "num_fantasies": 4}, "seed": 0}),
        (factory.get_GPMES, "GPMES", {"options": {**CHEAP, "num_candidates": 64}, "seed": 0}),
    ],
)
def test_model_based_factories(function: object, key: str, kwargs: dict) -> None:
    import torch

    exp = _experiment_with_data(5)
    bridge = function(
        exp, exp.lookup_data(), dtype=torch.double, device=torch.device("cpu"), **kwargs
    )  # type: ignore[operator]
    run = bridge.gen(1)
    assert run.model_key == key
    assert exp.search_space.check_membership(run.arms[0].parameters)


def test_model_based_factories_refuse_empty_data_and_other_settings() -> None:
    import torch

    exp = _experiment_with_data(3)
    with pytest.raises(ValueError, match="get_GPEI: BotorchModel requires non-empty data"):
        factory.get_GPEI(exp, Data())
    with pytest.raises(UnsupportedError, match="dtype=torch.float32 is not supported"):
        factory.get_GPEI(exp, exp.lookup_data(), dtype=torch.float32)
    with pytest.raises(UnsupportedError, match="device='cuda' is not supported"):
        factory.get_GPEI(exp, exp.lookup_data(), device="cuda")
    with pytest.raises(NotImplementedError, match=r"callable hooks \['acqf_constructor'\]"):
        factory.get_botorch(exp, exp.lookup_data(), acqf_constructor=lambda *a: None)
    with pytest.raises(UnsupportedError, match="refit_on_cv=True"):
        factory.get_botorch(exp, exp.lookup_data(), refit_on_cv=True)
    with pytest.raises(UserInputError, match="unknown keyword"):
        factory.get_botorch(exp, exp.lookup_data(), no_such_option=1)


def test_factorial_and_bandit_factories() -> None:
    space = SearchSpace(
        [
            ChoiceParameter("a", ParameterType.STRING, ["x", "y"]),
            ChoiceParameter("b", ParameterType.INT, [1, 2, 3]),
        ]
    )
    factorial = factory.get_factorial(space).gen(n=-1)
    assert factorial.model_key == "Factorial" and len(factorial.arms) == 6
    exp = _experiment_with_data(4)
    data = exp.lookup_data()
    for function, key in (
        (factory.get_thompson, "Thompson"),
        (factory.get_empirical_bayes_thompson, "EB"),
    ):
        bridge = function(exp, data, num_samples=500, min_weight=0.0)
        run = bridge.gen(n=-1)
        assert run.model_key == key
        assert sum(run.weights) == pytest.approx(1.0)
        assert bridge.fit_out_of_design is True
    with pytest.raises(UserInputError, match="requires non-empty data"):
        factory.get_thompson(exp, Data())


def test_factories_as_generation_steps() -> None:
    exp = _experiment_with_data(0)
    strategy = GenerationStrategy(
        [GenerationStep(model=factory.get_sobol, num_trials=-1, model_kwargs={"seed": 0})]
    )
    assert strategy.name == "sobol"
    run = strategy.gen(exp, n=1)
    assert run.model_key == "Sobol"


@pytest.mark.slow
def test_get_gpkg_on_a_fidelity_space_is_multi_fidelity() -> None:
    # Ax 0.1's get_GPKG(experiment, data, cost_intercept=...) on a space with a fidelity
    # parameter: a multi-fidelity knowledge gradient whose candidates stay in the space
    # and may sit below the target fidelity.
    from tests.stubs import get_augmented_branin_experiment

    experiment = get_augmented_branin_experiment()
    sobol = factory.get_sobol(experiment.search_space, seed=0)
    for _ in range(5):
        trial = experiment.new_trial(generator_run=sobol.gen(1))
        trial.run()
        trial.mark_completed()
    model = factory.get_GPKG(
        experiment,
        experiment.fetch_data(),
        cost_intercept=0.1,
        num_fantasies=4,
        num_restarts=2,
        raw_samples=64,
    )
    parameters = model.gen(1).arms[0].parameters
    assert experiment.search_space.check_membership(parameters)
    assert 0.0 <= parameters["s"] <= 1.0  # type: ignore[operator]
    with pytest.raises(UserInputError, match="cost"):
        factory.get_GPKG(experiment, experiment.fetch_data(), cost_intercept=-1.0)
