"""Models.MOO, get_MOO_NEHVI and get_MOO_PAREGO through the torch bridge (thresholds and
outcome constraints passed in the transformed space)."""

from __future__ import annotations

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.modelbridge import Models, get_MOO_NEHVI, get_MOO_PAREGO
from ax.modelbridge.modelbridge_utils import extract_objective_weights
from ax.utils.testing.multi_objective_stubs import (
    get_multi_objective_experiment,
    get_multi_objective_optimization_config,
)

FAST = {"num_restarts": 2, "raw_samples": 32, "mc_samples": 16, "maxiter": 20}


def test_get_moo_nehvi_passes_thresholds_in_model_space_and_reports_them() -> None:
    experiment = get_multi_objective_experiment(num_trials=8, seed=0)
    bridge = get_MOO_NEHVI(experiment, experiment.fetch_data(), seed=0, **FAST)
    gr = bridge.gen(2)
    assert len(gr.arms) == 2
    meta = gr.gen_metadata
    assert meta["acquisition"] == "qLogNEHVI"
    outcomes = bridge.outcomes
    assert sorted(outcomes) == ["acc", "cost", "latency"]
    # given thresholds, standardised by the bridge, come back in the metrics' units
    assert meta["objective_thresholds_inferred"] == [False, False, False]
    original = meta["objective_thresholds_original"]
    assert original["acc"] == pytest.approx(0.2)
    assert original["latency"] == pytest.approx(1.5)
    assert "cost" not in original
    for arm in gr.arms:
        assert 0.0 <= arm.parameters["x"] <= 1.0


def test_thresholds_not_given_are_inferred_and_shown_in_metric_units() -> None:
    experiment = get_multi_objective_experiment(num_trials=8, seed=1)
    experiment.optimization_config = get_multi_objective_optimization_config(thresholds=False)
    bridge = Models.MOO(experiment=experiment, data=experiment.fetch_data(), seed=1, **FAST)
    meta = bridge.gen(1).gen_metadata
    index = {name: j for j, name in enumerate(bridge.outcomes)}
    assert meta["objective_thresholds_inferred"][index["acc"]] is True
    original = meta["objective_thresholds_original"]
    data = experiment.fetch_data().df
    acc = data[data.metric_name == "acc"]["mean"]
    latency = data[data.metric_name == "latency"]["mean"]
    assert original["acc"] < acc.max()  # below the best accuracy seen
    assert original["latency"] > latency.min()  # above the best latency seen


def test_get_moo_parego() -> None:
    experiment = get_multi_objective_experiment(num_trials=8, seed=2)
    bridge = get_MOO_PAREGO(experiment, experiment.fetch_data(), seed=2, **FAST)
    gr = bridge.gen(1)
    assert gr.gen_metadata["acquisition"] == "qLogNParEGO"


def test_objective_weights_of_a_multi_objective() -> None:
    config = get_multi_objective_optimization_config()
    weights = extract_objective_weights(config.objective, ["acc", "cost", "latency"])
    np.testing.assert_array_equal(weights, [1.0, 0.0, -1.0])


def test_empty_data_is_refused() -> None:
    experiment = get_multi_objective_experiment(num_trials=0)
    with pytest.raises(UserInputError, match="non-empty data"):
        get_MOO_NEHVI(experiment, experiment.fetch_data())
