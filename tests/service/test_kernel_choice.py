"""The GP's kernel through the front door: Matérn-5/2 by default, the RBF on request, and
the choice kept across a save and load."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import pytest

from ax.exceptions import UserInputError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient

pytestmark = pytest.mark.timeout(120)

FAST: Dict[str, Any] = {"num_restarts": 2, "raw_samples": 64, "initial_fit_maxiter": 50}


def _client(model_kwargs: Optional[Dict[str, Any]]) -> AxClient:
    strategy = GenerationStrategy(
        [
            GenerationStep(Models.SOBOL, num_trials=4, model_kwargs={"seed": 0}),
            GenerationStep(
                Models.GPEI, num_trials=-1, model_kwargs={"seed": 0, **FAST, **(model_kwargs or {})}
            ),
        ]
    )
    client = AxClient(generation_strategy=strategy, verbose_logging=False)
    client.create_experiment(
        name="kernel",
        parameters=[
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "y", "type": "range", "bounds": [0.0, 1.0]},
        ],
        objective_name="f",
        minimize=True,
    )
    return client


def _run(client: AxClient, trials: int) -> None:
    for _ in range(trials):
        params, index = client.get_next_trial()
        value = (params["x"] - 0.3) ** 2 + (params["y"] - 0.6) ** 2
        client.complete_trial(index, raw_data={"f": (value, 0.0)})


def _kernel(client: AxClient) -> str:
    gp = client.generation_strategy.model.model  # type: ignore[union-attr]
    return type(gp.model.covar_module).__name__


@pytest.mark.parametrize(
    ("model_kwargs", "expected"),
    [(None, "MaternKernel"), ({"kernel": "rbf"}, "RBFKernel")],
    ids=["default", "rbf"],
)
def test_the_kernel_is_chosen_by_model_kwargs_and_survives_save_and_load(
    tmp_path: Path, model_kwargs: Optional[Dict[str, Any]], expected: str
) -> None:
    client = _client(model_kwargs)
    _run(client, 6)
    assert _kernel(client) == expected
    path = tmp_path / "snapshot.json"
    client.save_to_json_file(str(path))
    loaded = AxClient.load_from_json_file(str(path), verbose_logging=False)
    _run(loaded, 1)
    assert _kernel(loaded) == expected
    arms = loaded.experiment.trials[6].arms
    assert len(arms) == 1 and 0.0 <= arms[0].parameters["x"] <= 1.0


def test_an_unknown_kernel_is_refused_by_name() -> None:
    client = _client({"kernel": "periodic"})
    with pytest.raises(UserInputError, match=r"kernel: .*got 'periodic'"):
        _run(client, 5)
