"""Out-of-design arms at the user's level: attach_trial's guard, best point, models, plots,
JSON and SQL storage."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.exceptions import NoDataError, UserInputError
from ax.service.ax_client import AxClient
from ax.service.utils.best_point import get_best_parameters, get_best_raw_objective_point

PARAMETERS = [
    {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
    {"name": "y", "type": "range", "bounds": [0.0, 1.0]},
]


def _client() -> AxClient:
    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(name="ood", parameters=PARAMETERS, objective_name="f", minimize=True)
    return client


def _f(p: dict) -> float:
    return float((p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2)


def test_attach_trial_refuses_out_of_design_and_names_the_option() -> None:
    client = _client()
    with pytest.raises(UserInputError, match="allow_out_of_design=True") as info:
        client.attach_trial({"x": 1.5, "y": 0.5})
    assert "value 1.5 of parameter 'x' is out of the domain" in str(info.value)
    assert client.experiment.num_trials == 0
    params, index = client.attach_trial({"x": 1.5, "y": 0.5}, allow_out_of_design=True)
    assert params == {"x": 1.5, "y": 0.5} and index == 0
    with pytest.raises(ValueError, match="parameter 'x'"):  # types are always checked
        client.attach_trial({"x": "far", "y": 0.5}, allow_out_of_design=True)


def _client_with_baseline() -> AxClient:
    client = _client()
    _, index = client.attach_trial({"x": -1.0, "y": 0.6}, allow_out_of_design=True)
    client.complete_trial(index, {"f": (-5.0, 0.0)})  # the best value, but out of design
    for point in ({"x": 0.1, "y": 0.1}, {"x": 0.3, "y": 0.5}, {"x": 0.9, "y": 0.9}):
        _, index = client.attach_trial(point)
        client.complete_trial(index, {"f": (_f(point), 0.0)})
    return client


def test_best_point_ignores_out_of_design_arms_unless_asked() -> None:
    client = _client_with_baseline()
    best, (means, _) = client.get_best_parameters()  # type: ignore[misc]
    assert best == {"x": 0.3, "y": 0.5}
    assert means["f"] == pytest.approx(0.01)
    params, values = get_best_raw_objective_point(client.experiment, include_out_of_design=True)
    assert params == {"x": -1.0, "y": 0.6} and values["f"][0] == -5.0
    result = get_best_parameters(client.experiment, include_out_of_design=True)
    assert result is not None and result[0] == {"x": -1.0, "y": 0.6}


def test_best_point_with_only_out_of_design_data() -> None:
    client = _client()
    _, index = client.attach_trial({"x": 2.0, "y": 0.5}, allow_out_of_design=True)
    client.complete_trial(index, {"f": (1.0, 0.0)})
    assert client.get_best_parameters() is None
    with pytest.raises(NoDataError, match="include_out_of_design=True"):
        get_best_raw_objective_point(client.experiment)


def test_models_leave_out_of_design_points_out_of_fitting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from ax.modelbridge.registry import Models

    client = _client_with_baseline()
    experiment = client.experiment
    data = experiment.fetch_data()
    with caplog.at_level(logging.INFO, logger="ax.modelbridge.base"):
        bridge = Models.GPEI(experiment=experiment, data=data)
    assert bridge.training_in_design == [False, True, True, True]
    assert "out-of-design observation(s) out of training (arms ['0_0'])" in caplog.text
    with pytest.warns(Warning):  # BoTorch: a point outside the unit cube
        kept = Models.GPEI(experiment=experiment, data=data, fit_out_of_design=True)
    assert kept.training_in_design == [False, True, True, True]
    run = bridge.gen(1)
    assert experiment.search_space.check_membership(run.arms[0].parameters)
    # The fitted GP has 3 training points without the baseline and 4 with it.
    assert bridge.model.data.Xs[0].shape[0] == 3  # type: ignore[attr-defined]
    assert kept.model.data.Xs[0].shape[0] == 4  # type: ignore[attr-defined]


def test_plots_show_out_of_design_points_apart() -> None:
    from ax.modelbridge.registry import Models
    from ax.plot.contour import plot_contour
    from ax.plot.slice import plot_slice

    client = _client_with_baseline()
    bridge = Models.GPEI(experiment=client.experiment, data=client.experiment.fetch_data())
    figure = plot_slice(bridge, "x", "f", density=10)
    observed = [t for t in figure.data if t.name == "observed arms"][0]
    assert list(observed.x) == [-1.0, 0.1, 0.3, 0.9]
    assert list(observed.marker.symbol) == ["x", "circle", "circle", "circle"]
    assert observed.text[0] == "0_0 (out of design)"
    contour = plot_contour(bridge, "x", "y", "f", density=5)
    arms = [t for t in contour.data if t.name == "observed arms"][0]
    assert list(arms.marker.symbol) == ["x", "circle-open", "circle-open", "circle-open"]


def test_out_of_design_arms_round_trip_json_and_sql(tmp_path: Path) -> None:
    from ax.storage.json_store.load import load
    from ax.storage.json_store.save import save
    from ax.storage.sqa_store.db import create_all_tables, engine_for_url
    from ax.storage.sqa_store.load import load_experiment
    from ax.storage.sqa_store.save import save_experiment

    client = _client_with_baseline()
    experiment = client.experiment
    batch = experiment.new_batch_trial()
    batch.add_arm(experiment.search_space.out_of_design_arm())
    batch.add_arm(Arm({"x": 3.0, "y": 0.0}, name="far"), weight=2.0)
    experiment.attach_data(
        Data.from_evaluations({"far": {"f": (np.float64(9.0), 0.1)}}, trial_index=batch.index)
    )
    save(experiment, tmp_path / "e.json")
    loaded = load(tmp_path / "e.json")
    assert loaded == experiment
    assert loaded.trials[4].arms[0].parameters == {"x": None, "y": None}
    assert loaded.arms_by_name["far"].parameters == {"x": 3.0, "y": 0.0}
    engine = engine_for_url(f"sqlite:///{tmp_path / 'e.db'}")
    create_all_tables(engine)
    save_experiment(experiment, engine=engine)
    from_sql = load_experiment("ood", engine=engine)
    assert from_sql == experiment
    assert from_sql.arms_by_name["0_0"].parameters == {"x": -1.0, "y": 0.6}
