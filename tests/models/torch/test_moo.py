"""MultiObjectiveBotorchModel: hypervolume BO on arrays (small, seeded, fast settings)."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from botorch.utils.multi_objective.hypervolume import infer_reference_point
from botorch.utils.multi_objective.pareto import is_non_dominated

from ax.benchmark.multi_objective import hypervolume
from ax.exceptions import DataRequiredError, UserInputError
from ax.models.discrete_structure import DiscreteStructure
from ax.models.torch.fast_ehvi import FastLogNEHVI
from ax.models.torch.moo import MultiObjectiveBotorchModel

FAST = {"num_restarts": 2, "raw_samples": 32, "mc_samples": 16, "maxiter": 20}
BOX = [(0.0, 1.0)] * 2
NAMES = ["x1", "x2"]


def _toy(X: np.ndarray) -> np.ndarray:
    """Two conflicting objectives to MINIMISE and one constraint outcome (``x1 - 0.5``)."""
    f1 = X[:, 0] + 0.1 * X[:, 1] ** 2
    f2 = (1.0 - X[:, 0]) ** 2 + 0.1 * X[:, 1]
    return np.stack([f1, f2, X[:, 0] - 0.5], axis=1)


def _fit(model: MultiObjectiveBotorchModel, X: np.ndarray, Y: np.ndarray) -> tuple:
    mean, std = Y.mean(0), Y.std(0)
    Ys = (Y - mean) / std
    m = Y.shape[1]
    model.fit(
        [X] * m,
        [Ys[:, j] for j in range(m)],
        [np.full(len(X), np.nan)] * m,
        bounds=BOX[: X.shape[1]] if X.shape[1] == 2 else [(0.0, 1.0)] * X.shape[1],
        feature_names=NAMES if X.shape[1] == 2 else [f"x{i}" for i in range(X.shape[1])],
        metric_names=[f"y{j}" for j in range(m)],
    )
    return mean, std


def _fitted(seed: int = 0, n: int = 8, **options: object) -> MultiObjectiveBotorchModel:
    X = np.random.default_rng(seed).random((n, 2))
    model = MultiObjectiveBotorchModel(seed=seed, **{**FAST, **options})
    _fit(model, X, _toy(X))
    return model


def test_candidates_improve_hypervolume_over_random() -> None:
    ref = np.array([1.1, 1.1])
    rng = np.random.default_rng(3)
    X0 = rng.random((5, 2))
    X_rand = np.concatenate([X0, rng.random((6, 2))])
    hv_random = hypervolume(_toy(X_rand)[:, :2], ref)
    model = MultiObjectiveBotorchModel(seed=0, **FAST)
    X = X0.copy()
    for _ in range(6):
        Y = _toy(X)[:, :2]
        mean, std = _fit(model, X, Y)
        point, _, meta, _ = model.gen(
            1, BOX, np.array([-1.0, -1.0]), objective_thresholds=(ref - mean) / std
        )
        assert meta["acquisition"] == "qLogNEHVI"
        X = np.concatenate([X, point])
    hv_bo = hypervolume(_toy(X)[:, :2], ref)
    assert hv_bo > hv_random


@pytest.mark.parametrize("fast_path", [True, False])
def test_outcome_constraints_are_respected(fast_path: bool) -> None:
    rng = np.random.default_rng(1)
    X = rng.random((12, 2))
    Y = _toy(X)
    model = MultiObjectiveBotorchModel(seed=1, fast_path=fast_path, **FAST)
    mean, std = _fit(model, X, Y)
    # x1 - 0.5 >= 0.2, i.e. -y2 <= -0.2 in the standardised units of y2.
    A = np.array([[0.0, 0.0, -1.0]])
    b = np.array([[-(0.2 - mean[2]) / std[2]]])
    points, _, meta, _ = model.gen(3, BOX, np.array([-1.0, -1.0, 0.0]), outcome_constraints=(A, b))
    assert meta["fast_acquisition"] is fast_path
    assert points.shape == (3, 2)
    assert np.all(points[:, 0] >= 0.6)


@pytest.mark.parametrize("fast_path", [True, False])
def test_batches_and_pending_points_give_distinct_candidates(fast_path: bool) -> None:
    model = _fitted(fast_path=fast_path)
    weights = np.array([-1.0, -1.0, 0.0])
    batch, _, meta, _ = model.gen(3, BOX, weights)
    assert meta["fast_acquisition"] is fast_path
    assert batch.shape == (3, 2)
    assert len(meta["acquisition_values"]) == 3
    distances = np.linalg.norm(batch[:, None] - batch[None], axis=-1)
    assert distances[np.triu_indices(3, 1)].min() > 1e-3
    first, _, _, _ = model.gen(1, BOX, weights)
    again, _, _, _ = model.gen(1, BOX, weights, pending_observations=[first] * 3)
    assert np.linalg.norm(again - first) > 1e-3


def test_nehvi_is_reused_on_the_same_model_when_pending_points_only_grow() -> None:
    model = _fitted(fast_path=False)  # BoTorch's NEHVI (the lean one is rebuilt per call)
    weights = np.array([-1.0, -1.0, 0.0])
    first, _, _, _ = model.gen(1, BOX, weights)
    assert model._cache is not None
    cached = model._cache[1]
    model.gen(1, BOX, weights, pending_observations=first)
    assert model._cache[1] is cached  # box decompositions updated, not rebuilt
    model.gen(1, BOX, weights)  # a pending point disappeared: rebuilt
    assert model._cache[1] is not cached
    X = np.random.default_rng(5).random((9, 2))
    _fit(model, X, _toy(X))
    assert model._cache is None  # a new fit invalidates it


def test_reference_point_is_inferred_from_the_predicted_pareto_set(
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = _fitted()
    weights = np.array([-1.0, -1.0, 0.0])
    with caplog.at_level(logging.INFO, logger="ax.models.torch.moo"):
        _, _, meta, _ = model.gen(1, BOX, weights)
    assert "inferred objective thresholds" in caplog.text
    assert meta["objective_thresholds_inferred"] == [True, True, False]
    assert meta["objective_thresholds"][2] is None
    assert model.data is not None
    with torch.no_grad():
        mean = model.model.posterior(torch.tensor(model.data.all_X)).mean  # type: ignore[union-attr]
    Y = -mean[:, :2]
    expected = infer_reference_point(Y[is_non_dominated(Y)], scale=0.1).numpy()
    np.testing.assert_allclose(meta["reference_point"], expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(meta["objective_thresholds"][:2], -expected, rtol=1e-9)
    # the nadir of the predicted frontier, minus 10 % of its range: worse than every point
    assert np.all(np.asarray(meta["reference_point"]) < Y.max(0).values.numpy())


def test_thresholds_override_the_inferred_reference_point() -> None:
    model = _fitted()
    weights = np.array([-1.0, -1.0, 0.0])
    _, _, meta, _ = model.gen(1, BOX, weights, objective_thresholds=np.array([1.5, 2.0, np.nan]))
    assert meta["objective_thresholds"] == [1.5, 2.0, None]
    assert meta["objective_thresholds_inferred"] == [False, False, False]
    assert meta["reference_point"] == [-1.5, -2.0]
    partial = model.reference_point(weights, np.array([np.nan, 2.0, np.nan]))
    assert partial.inferred.tolist() == [True, False, False]
    assert partial.thresholds[1] == 2.0 and np.isfinite(partial.thresholds[0])


def test_parego_for_many_objectives_or_by_option() -> None:
    rng = np.random.default_rng(2)
    X = rng.random((8, 2))
    Y = np.concatenate([_toy(X)[:, :2], np.stack([X[:, 1], 1 - X[:, 1]], 1)], axis=1)
    model = MultiObjectiveBotorchModel(seed=2, **FAST)
    _fit(model, X, Y)
    points, _, meta, _ = model.gen(1, BOX, -np.ones(4))
    assert meta["acquisition"] == "qLogNParEGO"  # 4 objectives > max_nehvi_objectives
    assert points.shape == (1, 2)
    small = _fitted(moo_acquisition="qLogNParEGO")
    _, _, meta, _ = small.gen(1, BOX, np.array([-1.0, -1.0, 0.0]))
    assert meta["acquisition"] == "qLogNParEGO"
    _, _, meta, _ = small.gen(
        1, BOX, np.array([-1.0, -1.0, 0.0]), model_gen_options={"moo_acquisition": "qLogNEHVI"}
    )
    assert meta["acquisition"] == "qLogNEHVI"


def test_same_seed_same_candidates() -> None:
    weights = np.array([-1.0, -1.0, 0.0])
    a, _, _, _ = _fitted(seed=4).gen(2, BOX, weights)
    b, _, _, _ = _fitted(seed=4).gen(2, BOX, weights)
    np.testing.assert_array_equal(a, b)


def test_pareto_frontier_of_observed_points() -> None:
    model = _fitted(n=10)
    X, mean = model.pareto_frontier(np.array([-1.0, -1.0, 0.0]))
    assert X.shape[0] == mean.shape[0] >= 1
    Y = -torch.tensor(mean[:, :2])
    assert bool(is_non_dominated(Y).all())
    none, _ = model.pareto_frontier(
        np.array([-1.0, -1.0, 0.0]), objective_thresholds=np.array([-50.0, -50.0, np.nan])
    )
    assert none.shape[0] == 0
    assert model.best_point(BOX, np.array([-1.0, -1.0, 0.0])) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"objective_weights": np.array([-1.0, 0.0, 0.0])}, "at least two objectives"),
        (
            {"objective_thresholds": np.array([1.0, 1.0, 0.5])},
            "metric 'y2', which is not an objective",
        ),
        ({"objective_thresholds": np.array([1.0, 1.0])}, "must be 3 numbers"),
        ({"objective_thresholds": np.array([1.0, np.inf, np.nan])}, "never infinite"),
        ({"model_gen_options": {"moo_acquisition": "EHVI"}}, "moo_acquisition"),
        ({"n": 0}, "n"),
    ],
)
def test_bad_input_is_named(kwargs: dict, message: str) -> None:
    model = _fitted()
    args = {"n": 1, "bounds": BOX, "objective_weights": np.array([-1.0, -1.0, 0.0]), **kwargs}
    with pytest.raises(UserInputError, match=message):
        model.gen(**args)


def test_gen_before_fit_and_bad_options() -> None:
    with pytest.raises(DataRequiredError, match="not fitted"):
        MultiObjectiveBotorchModel(seed=0).gen(1, BOX, np.array([1.0, 1.0]))
    with pytest.raises(UserInputError, match="ref_point_scale"):
        MultiObjectiveBotorchModel(seed=0, ref_point_scale=-1.0)
    with pytest.raises(UserInputError, match="max_nehvi_objectives"):
        MultiObjectiveBotorchModel(seed=0, max_nehvi_objectives=1)


def test_a_cheaper_nehvi_scores_the_starting_points_and_follows_the_pending_points() -> None:
    model = _fitted(mc_samples=32, initial_mc_samples=8, fast_path=False)
    weights = np.array([-1.0, -1.0, 0.0])
    first, _, meta, _ = model.gen(1, BOX, weights)
    assert meta["fast_acquisition"] is False
    assert model._cache is not None
    _, acqf, proxy = model._cache
    assert proxy is not None and proxy.sampler.sample_shape == torch.Size([8])
    assert acqf.sampler.sample_shape == torch.Size([32])
    torch.testing.assert_close(proxy.X_baseline, acqf.X_baseline)  # one pruned baseline
    again, _, _, _ = model.gen(1, BOX, weights, pending_observations=first)
    torch.testing.assert_close(proxy.X_pending, acqf.X_pending)
    assert np.linalg.norm(again - first) > 1e-3
    # None (or as many samples as NEHVI has) scores them with NEHVI itself.
    for options in ({"initial_mc_samples": None}, {"mc_samples": 8, "initial_mc_samples": 8}):
        plain = _fitted(**options, fast_path=False)
        points, _, _, _ = plain.gen(1, BOX, weights)
        assert plain._cache is not None and plain._cache[2] is None
        assert np.all((points >= 0) & (points <= 1))


def test_lean_nehvi_shares_the_pruned_baseline_and_follows_the_pending_points() -> None:
    model = _fitted(mc_samples=32, initial_mc_samples=8)
    weights = np.array([-1.0, -1.0, 0.0])
    first, _, meta, _ = model.gen(1, BOX, weights)
    assert meta["fast_acquisition"] is True
    assert model._cache is not None
    _, acqf, proxy = model._cache
    assert isinstance(acqf, FastLogNEHVI) and isinstance(proxy, FastLogNEHVI)
    assert (acqf.mc_samples, proxy.mc_samples) == (32, 8)
    torch.testing.assert_close(proxy.X_baseline, acqf.X_baseline)
    again, _, _, _ = model.gen(1, BOX, weights, pending_observations=first)
    _, acqf, proxy = model._cache
    torch.testing.assert_close(acqf.X_pending, torch.as_tensor(first))
    torch.testing.assert_close(proxy.X_pending, acqf.X_pending)
    assert np.linalg.norm(again - first) > 1e-3


def test_lean_nehvi_declines_a_model_it_does_not_know() -> None:
    # Outcomes observed at different points: not one batched GP on shared inputs.
    rng = np.random.default_rng(0)
    X = rng.random((8, 2))
    Y = (_toy(X) - _toy(X).mean(0)) / _toy(X).std(0)
    model = MultiObjectiveBotorchModel(seed=0, **FAST)
    model.fit(
        [X, X[:6], X],
        [Y[:, 0], Y[:6, 1], Y[:, 2]],
        [np.full(8, np.nan), np.full(6, np.nan), np.full(8, np.nan)],
        bounds=BOX,
        feature_names=NAMES,
        metric_names=["y0", "y1", "y2"],
    )
    points, _, meta, _ = model.gen(1, BOX, np.array([-1.0, -1.0, 0.0]))
    assert meta["fast_acquisition"] is False
    assert points.shape == (1, 2)


def test_global_restarts_choose_starting_points_away_from_the_pareto_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ax.models.torch.acquisition as acquisition_module

    calls: list[tuple[int, bool]] = []
    original = acquisition_module.gen_batch_initial_conditions

    def spy(**kwargs: object) -> torch.Tensor:
        options = kwargs["options"]
        assert isinstance(options, dict)
        calls.append((int(kwargs["num_restarts"]), bool(options["sample_around_best"])))  # type: ignore[call-overload]
        return original(**kwargs)

    monkeypatch.setattr(acquisition_module, "gen_batch_initial_conditions", spy)
    assert MultiObjectiveBotorchModel(seed=0).options.global_restarts == 0  # off by default
    model = _fitted(num_restarts=4, global_restarts=2)
    assert model.options.sample_around_best
    points, _, _, _ = model.gen(1, BOX, np.array([-1.0, -1.0, 0.0]))
    assert calls == [(2, False), (2, True)]
    assert np.all((points >= 0) & (points <= 1))


def _mixed_points(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n x 5` valid points: x0 free, x1 on a 5-value lattice, x2..x4 one-hot."""
    X = np.zeros((n, 5))
    X[:, 0] = rng.random(n)
    X[:, 1] = rng.integers(0, 5, n) / 4.0
    X[np.arange(n), 2 + rng.integers(0, 3, n)] = 1.0
    return X


def _mixed_toy(X: np.ndarray) -> np.ndarray:
    """Two objectives to minimise; the one-hot level sets an offset shared by both."""
    offset = X[:, 2:] @ np.array([0.5, 0.0, 1.0])
    f1 = X[:, 0] + 0.3 * (X[:, 1] - 0.25) ** 2 + offset
    f2 = (1.0 - X[:, 0]) ** 2 + 0.3 * (X[:, 1] - 0.75) ** 2 + offset
    return np.stack([f1, f2], axis=1)


@pytest.mark.parametrize("fast_path", [True, False])
def test_discrete_dimensions_are_searched_on_their_values(fast_path: bool) -> None:
    lattice = [0.0, 0.25, 0.5, 0.75, 1.0]
    structure = DiscreteStructure(d=5, lattices={1: lattice}, groups=[[2, 3, 4]])
    X = _mixed_points(np.random.default_rng(0), 10)
    Y = _mixed_toy(X)
    Ys = (Y - Y.mean(0)) / Y.std(0)
    model = MultiObjectiveBotorchModel(seed=0, fast_path=fast_path, **FAST)
    model.fit(
        [X, X],
        [Ys[:, 0], Ys[:, 1]],
        [np.full(10, np.nan)] * 2,
        bounds=[(0.0, 1.0)] * 5,
        feature_names=[f"x{i}" for i in range(5)],
        metric_names=["y0", "y1"],
        discrete=structure,
    )
    assert model.supports_discrete and model.shared_lengthscales == [[2, 3, 4]]
    if fast_path:  # the lean fit ties the one-hot columns' lengthscales, per outcome
        lengthscales = model.model.covar_module.lengthscale.detach().reshape(2, 5).numpy()
        for row in lengthscales:
            np.testing.assert_allclose(row[2:], row[2], rtol=1e-9)
    # No rounding function: the points are valid because the search is on the values.
    points, _, meta, _ = model.gen(
        3,
        [(0.0, 1.0)] * 5,
        np.array([-1.0, -1.0]),
        discrete=structure,
        model_gen_options={"search_lattices": True},
    )
    assert points.shape == (3, 5)
    np.testing.assert_array_equal(points[:, 1] * 4.0, np.round(points[:, 1] * 4.0))
    np.testing.assert_array_equal(np.sort(points[:, 2:], axis=1), [[0.0, 0.0, 1.0]] * 3)
    assert len({tuple(p) for p in points.round(9)}) == 3  # each chosen point is pending
    assert meta["discrete_search"] == {"lattice_dims": 1, "one_hot_groups": 1, "configurations": 15}
    # By default the categories are searched and the lattice is relaxed for the rounding.
    seen: list = []
    points, _, meta, _ = model.gen(
        1,
        [(0.0, 1.0)] * 5,
        np.array([-1.0, -1.0]),
        discrete=structure,
        rounding_func=lambda x: seen.append(x.copy()) or x,
    )
    np.testing.assert_array_equal(np.sort(points[0, 2:]), [0.0, 0.0, 1.0])
    assert len(seen) == 1 and 0.0 <= seen[0][1] <= 1.0
    assert meta["discrete_search"] == {"lattice_dims": 0, "one_hot_groups": 1, "configurations": 3}
    # Without a structure every dimension is relaxed: no discrete search is reported.
    _, _, relaxed_meta, _ = model.gen(1, [(0.0, 1.0)] * 5, np.array([-1.0, -1.0]))
    assert "discrete_search" not in relaxed_meta
    with pytest.raises(UserInputError, match="discrete describes d=3"):
        model.gen(1, [(0.0, 1.0)] * 5, np.array([-1.0, -1.0]), discrete=DiscreteStructure(d=3))
