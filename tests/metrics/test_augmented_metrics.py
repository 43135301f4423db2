"""AugmentedBraninMetric and AugmentedHartmann6Metric: values, and storage round trip."""

from __future__ import annotations

import numpy as np
import pytest

from ax.benchmark.synthetic_functions import branin, hartmann6
from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.exceptions import UserInputError
from ax.metrics.branin import AugmentedBraninMetric
from ax.metrics.hartmann6 import AugmentedHartmann6Metric
from ax.storage.json_store.load import loads
from ax.storage.json_store.save import dumps
from tests.stubs import get_augmented_branin_experiment


def test_values_at_the_target_fidelity_are_the_originals() -> None:
    names = [f"x{i}" for i in range(1, 7)] + ["s"]
    h = AugmentedHartmann6Metric("h", param_names=names)
    x = np.array(hartmann6.minimums[0])
    assert h.f(np.append(x, 1.0)) == pytest.approx(hartmann6(x))
    assert h.f(np.append(x, 0.0)) > h.f(np.append(x, 1.0))  # cheaper fidelity: biased up
    b = AugmentedBraninMetric("b", param_names=["x1", "x2", "s"])
    assert b.f(np.array([1.0, 2.0, 1.0])) == pytest.approx(branin(1.0, 2.0))
    with pytest.raises(UserInputError):
        AugmentedBraninMetric("b", param_names=["x1", "x2"])


def test_fetch_and_json_round_trip() -> None:
    experiment: Experiment = get_augmented_branin_experiment()
    names = [f"x{i}" for i in range(1, 7)] + ["s"]
    experiment.add_tracking_metric(AugmentedHartmann6Metric("h", param_names=names))
    trial = experiment.new_trial().add_arm(Arm({"x1": 1.0, "x2": 2.0, "s": 0.5}))
    trial.run()
    data = experiment.fetch_trials_data([trial.index], metrics=[experiment.metrics["f"]])
    assert data.df["mean"].iloc[0] == pytest.approx(
        float(AugmentedBraninMetric("f", ["x1", "x2", "s"]).f(np.array([1.0, 2.0, 0.5])))
    )
    loaded = loads(dumps(experiment))
    assert type(loaded.metrics["f"]) is AugmentedBraninMetric
    assert type(loaded.metrics["h"]) is AugmentedHartmann6Metric
    assert loaded.metrics["h"].param_names == names  # type: ignore[attr-defined]
