"""A multi-fidelity experiment (fidelity data, augmented metrics, a cost model in the
strategy) round-trips through the JSON and the SQL stores."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Tuple

import pytest
from sqlalchemy import Engine

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.metrics.branin import AugmentedBraninMetric
from ax.modelbridge.dispatch_utils import choose_generation_strategy
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.models.torch.fidelity import FidelityCostModel
from ax.storage.json_store.generation_strategy import (
    load_experiment_and_generation_strategy,
    save_experiment_and_generation_strategy,
)
from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
from ax.storage.sqa_store.load import load_experiment, load_generation_strategy_by_experiment_name
from ax.storage.sqa_store.save import save_experiment, save_generation_strategy
from tests.stubs import get_augmented_branin_experiment

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    """A throwaway SQLite store with the schema."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    made = create_engine_for_url(url)
    create_all_tables(made)
    yield made
    made.dispose()


def mf_experiment() -> Tuple[Experiment, GenerationStrategy]:
    exp = get_augmented_branin_experiment("mf_store")
    space = exp.search_space
    strategy = choose_generation_strategy(
        space,
        random_seed=0,
        num_initialization_trials=3,
        fidelity_cost_model=FidelityCostModel(fixed_cost=0.5, cost_per_unit=2.0),
    )
    for _ in range(3):
        trial = exp.new_trial(generator_run=strategy.gen(exp))
        trial.run()
        trial.mark_completed()
    # one trial also evaluated at another fidelity (the fidelity form of Data)
    arm = exp.trials[0].arm
    assert arm is not None
    exp.attach_data(
        Data.from_fidelity_evaluations({arm.name: [({"s": 0.25}, {"f": (7.5, 0.0)})]}, 0)
    )
    return exp, strategy


def check_same(exp: Experiment, loaded: Experiment) -> None:
    assert loaded.search_space == exp.search_space
    assert loaded.search_space.parameters["s"].is_fidelity
    assert loaded.search_space.parameters["s"].target_value == 1.0
    assert loaded.lookup_data() == exp.lookup_data()
    assert '{"s": 0.25}' in list(loaded.lookup_data().df["fidelities"])
    assert type(loaded.optimization_config.objective.metric) is AugmentedBraninMetric  # type: ignore[union-attr]


def check_resumes(strategy: GenerationStrategy, exp: Experiment) -> None:
    step = strategy.steps[-1]
    assert step.model == Models.GPKG
    assert step.model_kwargs is not None
    assert step.model_kwargs["cost_model"] == {"fixed_cost": 0.5, "cost_per_unit": 2.0}


def test_json_round_trip(tmp_path: Path) -> None:
    exp, strategy = mf_experiment()
    path = tmp_path / "mf.json"
    save_experiment_and_generation_strategy(exp, strategy, path)
    loaded, loaded_strategy = load_experiment_and_generation_strategy(path)
    check_same(exp, loaded)
    assert loaded_strategy is not None
    check_resumes(loaded_strategy, loaded)


def test_sql_round_trip(store: Engine) -> None:
    engine = store
    exp, strategy = mf_experiment()
    save_experiment(exp, engine=engine)
    save_generation_strategy(strategy, engine=engine)
    loaded = load_experiment(exp.name, engine=engine)
    check_same(exp, loaded)
    loaded_strategy = load_generation_strategy_by_experiment_name(
        exp.name, experiment=loaded, engine=engine
    )
    check_resumes(loaded_strategy, loaded)


def test_a_cost_model_object_in_step_kwargs_round_trips(tmp_path: Path) -> None:
    exp, _ = mf_experiment()
    strategy = GenerationStrategy(
        [
            GenerationStep(
                Models.GPKG,
                num_trials=-1,
                model_kwargs={"cost_model": FidelityCostModel(fixed_cost=3.0)},
            )
        ]
    )
    path = tmp_path / "mf.json"
    save_experiment_and_generation_strategy(exp, strategy, path)
    _, loaded = load_experiment_and_generation_strategy(path)
    assert loaded is not None and loaded.steps[0].model_kwargs is not None
    assert FidelityCostModel(**loaded.steps[0].model_kwargs["cost_model"]) == FidelityCostModel(
        fixed_cost=3.0
    )
