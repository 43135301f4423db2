"""BotorchModel with a task feature: a BoTorch MultiTaskGP, generation in one task."""

from __future__ import annotations

import numpy as np
import pytest
from botorch.models import MultiTaskGP

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.fidelity import FidelityFeature

pytestmark = pytest.mark.timeout(60)

BOX = [(0.0, 1.0), (0.0, 1.0), (0.0, 2.0)]
NAMES = ["x0", "x1", "task"]
CHEAP = {"num_restarts": 1, "raw_samples": 16}
LEVELS = np.array([0.0, 2.0, -1.0])


def _data(n_per_task: int = 6) -> tuple:
    rng = np.random.default_rng(0)
    X = np.vstack(
        [np.column_stack([rng.random((n_per_task, 2)), np.full(n_per_task, t)]) for t in range(3)]
    )
    y = -((X[:, 0] - 0.3) ** 2 + (X[:, 1] - 0.7) ** 2) + LEVELS[X[:, 2].astype(int)]
    return X, (y - y.mean()) / y.std()


def _fit(model: BotorchModel, task_features: object = (2,), bounds: object = BOX) -> BotorchModel:
    X, y = _data()
    model.fit(
        [X], [y], [np.full(len(y), np.nan)], bounds, NAMES, ["m"], task_features=task_features
    )  # type: ignore[arg-type]
    return model


def test_task_feature_gives_a_multi_task_gp_and_generates_in_the_fixed_task() -> None:
    model = _fit(BotorchModel(seed=0, **CHEAP))
    assert isinstance(model.model, MultiTaskGP)
    points, weights, _, _ = model.gen(2, BOX, np.array([1.0]), fixed_features={2: 1.0})
    assert points.shape == (2, 3) and np.all(points[:, 2] == 1.0)
    assert np.all((points[:, :2] >= 0.0) & (points[:, :2] <= 1.0))
    # The tasks' levels are learnt: task 1 is predicted higher than task 2 at one point.
    mean, _ = model.predict(np.array([[0.3, 0.7, 1.0], [0.3, 0.7, 2.0]]))
    assert mean[0, 0] > mean[1, 0] + 0.5
    # The task features survive an update.
    X, y = _data()
    model.update([X], [y], [np.full(len(y), np.nan)])
    assert isinstance(model.model, MultiTaskGP) and model.task_features == [2]


def test_task_features_are_checked() -> None:
    model = _fit(BotorchModel(seed=0, **CHEAP))
    with pytest.raises(UserInputError, match=r"task feature\(s\) \[2\].*must be fixed"):
        model.gen(1, BOX, np.array([1.0]))
    with pytest.raises(UserInputError, match="task feature 5"):
        _fit(BotorchModel(seed=0), task_features=[5])
    with pytest.raises(UserInputError, match=r"bounds \(0, k-1\)"):
        _fit(BotorchModel(seed=0), task_features=[1], bounds=[(0.0, 1.0), (0.0, 1.5), (0.0, 2.0)])
    with pytest.raises(UnsupportedError, match="one task feature"):
        _fit(BotorchModel(seed=0), task_features=[2], bounds=BOX).fit(
            *_as_fit_args(),
            fidelity_features=[FidelityFeature(0, "x0", 1.0, 0.0, 1.0)],
            task_features=[2],
        )


def _as_fit_args() -> tuple:
    X, y = _data()
    return [X], [y], [np.full(len(y), np.nan)], BOX, NAMES, ["m"]
