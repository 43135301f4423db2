"""BotorchModel: fitting, prediction, generation, state, errors, and the lean fast paths."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest
import torch
from botorch.acquisition.analytic import LogExpectedImprovement, _log_ei_helper
from botorch.acquisition.logei import qLogNoisyExpectedImprovement
from botorch.acquisition.objective import LinearMCObjective, ScalarizedPosteriorTransform
from botorch.models import ModelListGP, SingleTaskGP
from botorch.sampling.normal import SobolQMCNormalSampler
from gpytorch.likelihoods import FixedNoiseGaussianLikelihood, GaussianLikelihood

import ax.models.torch.botorch_model as botorch_model_module
from ax.exceptions import DataRequiredError, UserInputError
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.defaults import (
    MIN_VARIANCE,
    build_model,
    get_hyperparameters,
    validate_training_data,
)
from ax.models.torch.fast import FastPosterior, _gpytorch_loss, fast_fit
from ax.models.torch.fast_acqf import FastLogEI, FastLogNEI, log_h
from ax.models.torch.options import BotorchOptions, MultiObjectiveOptions

pytestmark = pytest.mark.timeout(60)

FAST: Dict[str, Any] = {
    "num_restarts": 2,
    "raw_samples": 32,
    "maxiter": 25,
    "mc_samples": 32,
    "fit_maxiter": 10,
    "initial_fit_maxiter": 50,
}
"""Small optimisation settings: every test here runs in well under a second."""

UNIT2 = [(0.0, 1.0), (0.0, 1.0)]
NAMES2 = ["x0", "x1"]
W1 = np.array([1.0])


def quadratic(X: np.ndarray) -> np.ndarray:
    """A smooth function with its maximum at (0.3, 0.7) (and 0.5 in further dimensions)."""
    centre = np.full(X.shape[1], 0.5)
    centre[:2] = [0.3, 0.7][: X.shape[1]]
    return -((X - centre) ** 2).sum(axis=1)


def standardise(y: np.ndarray) -> np.ndarray:
    return (y - y.mean()) / (y.std() if y.std() > 0 else 1.0)


def data(n: int = 10, d: int = 2, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(seed).random((n, d))
    return X, standardise(quadratic(X))


def fitted(n: int = 10, seed: int = 0, **options: Any) -> BotorchModel:
    X, y = data(n, seed=seed)
    model = BotorchModel(seed=0, **{**FAST, **options})
    model.fit([X], [y], [np.full(n, np.nan)], UNIT2, NAMES2, ["f"])
    return model


# ------------------------------------------------------------------------ fit / predict
def test_fit_predict_shapes_single_output() -> None:
    model = fitted()
    assert isinstance(model.model, SingleTaskGP)
    mean, cov = model.predict(np.array([[0.3, 0.7], [0.9, 0.1], [0.5, 0.5]]))
    assert mean.shape == (3, 1) and cov.shape == (3, 1, 1)
    assert mean.dtype == np.float64 and np.all(cov >= 0)
    assert mean[0, 0] > mean[1, 0]  # near the maximum vs far from it


def test_shared_points_give_one_batched_model_with_diagonal_covariance() -> None:
    X, y = data(12)
    model = BotorchModel(seed=0, **FAST)
    model.fit(
        [X, X], [y, standardise(X[:, 0])], [np.full(12, np.nan)] * 2, UNIT2, NAMES2, ["a", "b"]
    )
    assert isinstance(model.model, SingleTaskGP) and model.model.num_outputs == 2
    mean, cov = model.predict(X[:4])
    assert mean.shape == (4, 2) and cov.shape == (4, 2, 2)
    assert np.all(cov[:, 0, 1] == 0) and np.all(cov[:, 1, 0] == 0)


def test_different_points_give_a_model_list() -> None:
    X, y = data(12)
    model = BotorchModel(seed=0, **FAST)
    model.fit(
        [X, X[:7]],
        [y, standardise(X[:7, 1])],
        [np.full(12, np.nan), np.full(7, np.nan)],
        UNIT2,
        NAMES2,
        ["a", "b"],
    )
    assert isinstance(model.model, ModelListGP)
    mean, cov = model.predict(X[:3])
    assert mean.shape == (3, 2) and cov.shape == (3, 2, 2)


def test_known_noise_gives_fixed_noise_gp_and_unknown_infers_it() -> None:
    X, y = data(10)
    known = BotorchModel(seed=0, **FAST)
    known.fit([X], [y], [np.full(10, 0.01)], UNIT2, NAMES2, ["f"])
    assert isinstance(known.model.likelihood, FixedNoiseGaussianLikelihood)  # type: ignore[union-attr]
    unknown = fitted()
    assert isinstance(unknown.model.likelihood, GaussianLikelihood)  # type: ignore[union-attr]
    assert not isinstance(unknown.model.likelihood, FixedNoiseGaussianLikelihood)  # type: ignore[union-attr]
    # Known zero variances are clamped at MIN_VARIANCE (1e-9, below GPyTorch's own floor
    # of 1e-6, which build_model lowers) rather than breaking the Cholesky factor, without
    # GPyTorch's warning.
    zero = BotorchModel(seed=0, **FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero.fit([X], [y], [np.zeros(10)], UNIT2, NAMES2, ["f"])
    likelihood: Any = getattr(zero.model, "likelihood", None)
    assert float(likelihood.noise_covar.noise.min()) == pytest.approx(MIN_VARIANCE, rel=1e-9)
    assert MIN_VARIANCE == 1e-9
    assert zero.fit_path == "fast"


def test_mixed_known_and_unknown_noise_raises_naming_metric() -> None:
    X, y = data(4)
    with pytest.raises(
        UserInputError, match=r"Yvars for metric 'loss' mix known variances and NaN"
    ):
        BotorchModel().fit([X], [y], [np.array([0.1, np.nan, 0.1, 0.1])], UNIT2, NAMES2, ["loss"])


@pytest.mark.parametrize(
    ("X", "Y", "Yvar", "match"),
    [
        (
            np.empty((0, 2)),
            np.empty(0),
            np.empty(0),
            r"metric 'f' has no observations \(Xs shape \(0, 2\)\)",
        ),
        (
            np.ones((3, 2)),
            np.full(3, np.nan),
            np.full(3, np.nan),
            r"Ys for metric 'f' contain all NaN \(shape \(3,\)\)",
        ),
        (
            np.ones((3, 2)),
            np.array([1.0, np.inf, 0.0]),
            np.full(3, np.nan),
            r"Ys for metric 'f' contain non-finite values",
        ),
        (
            np.ones((3, 2)),
            np.ones(4),
            np.full(3, np.nan),
            r"metric 'f' must have shape \(3,\).*got Ys \(4,\)",
        ),
        (
            np.ones((3, 3)),
            np.ones(3),
            np.full(3, np.nan),
            r"Xs for metric 'f' must be n x d with d=2, got shape \(3, 3\)",
        ),
        (
            np.ones((3, 2)),
            np.ones(3),
            np.array([0.1, -1.0, 0.1]),
            r"Yvars for metric 'f' must be >= 0 and finite, got -1.0",
        ),
    ],
    ids=["empty", "all-nan", "non-finite", "y-shape", "x-shape", "negative-var"],
)
def test_bad_data_raises_naming_metric_and_shape(X: Any, Y: Any, Yvar: Any, match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        BotorchModel().fit([X], [Y], [Yvar], UNIT2, NAMES2, ["f"])


def test_mismatched_lists_and_names_raise() -> None:
    X, y = data(3)
    with pytest.raises(UserInputError, match=r"one entry per metric, got lengths"):
        BotorchModel().fit([X, X], [y], [y], UNIT2, NAMES2, ["f"])
    with pytest.raises(
        UserInputError, match=r"feature_names must have one name per dimension \(d=2\)"
    ):
        BotorchModel().fit([X], [y], [np.full(3, np.nan)], UNIT2, ["x0"], ["f"])


def test_constant_outcome_fits_and_generates() -> None:
    X = np.random.default_rng(1).random((6, 2))
    model = BotorchModel(seed=0, **FAST)
    model.fit([X], [np.zeros(6)], [np.full(6, np.nan)], UNIT2, NAMES2, ["f"])
    points, _, _, _ = model.gen(1, UNIT2, W1)
    assert points.shape == (1, 2) and np.all((points >= 0) & (points <= 1))
    mean, _ = model.predict(X)
    assert np.allclose(mean, 0.0, atol=1e-3)


def test_unknown_keyword_raises_naming_it() -> None:
    with pytest.raises(
        UserInputError, match=r"unknown keyword argument\(s\) \['acqf_optimizer', 'foo'\]"
    ):
        BotorchModel(foo=1, acqf_optimizer=None)


def test_bad_option_value_raises_naming_field() -> None:
    with pytest.raises(
        UserInputError, match=r"num_restarts: Input should be greater than or equal to 1, got 0"
    ):
        BotorchModel(num_restarts=0)
    with pytest.raises(UserInputError, match=r"acquisition: .*got 'EI'"):
        BotorchModel(options={"acquisition": "EI"})
    with pytest.raises(UserInputError, match=r"kernel: .*got 'matern'"):
        BotorchModel(kernel="matern")


def test_gen_before_fit_raises() -> None:
    with pytest.raises(DataRequiredError, match=r"BotorchModel.gen: the model is not fitted"):
        BotorchModel().gen(1, UNIT2, W1)


# ------------------------------------------------------------------------ gen
def test_gen_in_bounds_with_metadata() -> None:
    model = fitted()
    bounds = [(0.0, 1.0), (0.2, 0.5)]
    points, weights, meta, cand_meta = model.gen(3, bounds, W1)
    assert points.shape == (3, 2) and points.dtype == np.float64
    assert np.all(points[:, 0] >= 0) and np.all(points[:, 0] <= 1)
    assert np.all(points[:, 1] >= 0.2 - 1e-9) and np.all(points[:, 1] <= 0.5 + 1e-9)
    np.testing.assert_array_equal(weights, np.ones(3))
    assert cand_meta is None
    assert meta["acquisition"] == ["qLogNEI"] * 3 and meta["fast_acquisition"] == [True] * 3
    json.dumps(meta)


@pytest.mark.parametrize("acquisition", ["qLogNEI", "LogEI", "qLogEI", "qNEI", "qEI"])
def test_every_acquisition_generates_valid_points(acquisition: str) -> None:
    model = fitted(acquisition=acquisition)
    points, _, meta, _ = model.gen(2, UNIT2, W1)
    assert points.shape == (2, 2) and np.all((points >= 0) & (points <= 1))
    assert meta["acquisition"][0] == acquisition
    # Analytic LogEI cannot take pending points: later batch members use qLogEI.
    assert meta["acquisition"][1] == ("qLogEI" if acquisition == "LogEI" else acquisition)


def test_gen_respects_linear_constraints() -> None:
    model = fitted()
    A = np.array([[1.0, 1.0]])
    b = np.array([[0.6]])
    points, _, _, _ = model.gen(3, UNIT2, W1, linear_constraints=(A, b))
    assert np.all(points @ A.T <= b.T + 1e-6)


def test_gen_handles_a_tiny_feasible_region_and_fixed_features_with_constraints() -> None:
    model = fitted()
    A = np.array([[1.0, 1.0], [-1.0, 0.0]])
    b = np.array([[0.03], [-0.01]])  # x0 + x1 <= 0.03 and x0 >= 0.01: rejection rarely hits
    points, _, _, _ = model.gen(2, UNIT2, W1, linear_constraints=(A, b))
    assert np.all(points @ A.T <= b.T + 1e-6)
    points, _, _, _ = model.gen(
        2, UNIT2, W1, linear_constraints=(A[:1], np.array([[0.5]])), fixed_features={0: 0.2}
    )
    np.testing.assert_array_equal(points[:, 0], [0.2, 0.2])
    assert np.all(points[:, 1] <= 0.3 + 1e-6)


def test_gen_respects_fixed_features_and_rounding() -> None:
    model = fitted()
    points, _, _, _ = model.gen(
        2, UNIT2, W1, fixed_features={1: 0.25}, rounding_func=lambda x: np.round(x, 1)
    )
    np.testing.assert_array_equal(points[:, 1], [0.25, 0.25])  # re-imposed after rounding
    np.testing.assert_allclose(points[:, 0], np.round(points[:, 0], 1))


def test_batch_points_are_distinct() -> None:
    points, _, _, _ = fitted().gen(4, UNIT2, W1)
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    assert distances[np.triu_indices(4, 1)].min() > 1e-3


def test_pending_points_are_avoided() -> None:
    model = fitted(n=15)
    first, _, _, _ = model.gen(1, UNIT2, W1)
    for pending in (first, [first]):  # one array, or one per metric
        again, _, _, _ = fitted(n=15).gen(1, UNIT2, W1, pending_observations=pending)
        assert np.linalg.norm(again - first) > 0.02


@pytest.mark.parametrize("acquisition", ["qLogNEI", "LogEI"])
def test_outcome_constraints_steer_away_from_infeasible_region(acquisition: str) -> None:
    # Objective grows with x0 (maximum at x0 = 1); the constraint metric c = x0 must stay
    # <= 0.4, so feasible candidates lie left of 0.4.
    X = np.random.default_rng(3).random((14, 2))
    f, c = standardise(X[:, 0]), X[:, 0] - 0.4
    model = BotorchModel(seed=0, **{**FAST, "acquisition": acquisition})
    model.fit([X, X], [f, c], [np.full(14, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
    free, _, _, _ = model.gen(1, UNIT2, np.array([1.0, 0.0]))
    assert free[0, 0] > 0.8
    constrained, _, meta, _ = model.gen(
        2,
        UNIT2,
        np.array([1.0, 0.0]),
        outcome_constraints=(np.array([[0.0, 1.0]]), np.array([[0.0]])),
    )
    assert np.all(constrained[:, 0] < 0.5)
    # qLogNEI under outcome constraints takes the lean constrained NEI (batched GP);
    # LogEI falls back to BoTorch's qLogEI there.
    assert meta["fast_acquisition"] == [acquisition == "qLogNEI"] * 2
    assert meta["acquisition"] == ["qLogNEI" if acquisition == "qLogNEI" else "qLogEI"] * 2


def test_constrained_nei_takes_its_own_optimiser_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # The constrained NEI costs about ten times an unconstrained lean evaluation: it is
    # optimised with constrained_num_restarts / constrained_maxiter instead.
    import ax.models.torch.botorch_model as module

    seen: list[tuple[int, int]] = []
    real = module.optimize_sequential

    def spy(*args: Any, **kwargs: Any) -> Any:
        opts = args[3]
        seen.append((opts.num_restarts, opts.maxiter))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "optimize_sequential", spy)
    X = np.random.default_rng(3).random((14, 2))
    f, c = standardise(X[:, 0]), X[:, 0] - 0.4
    model = BotorchModel(seed=0, num_restarts=6, maxiter=30, constrained_num_restarts=2)
    model.fit([X, X], [f, c], [np.full(14, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
    model.gen(1, UNIT2, np.array([1.0, 0.0]))
    model.gen(
        1,
        UNIT2,
        np.array([1.0, 0.0]),
        outcome_constraints=(np.array([[0.0, 1.0]]), np.zeros((1, 1))),
    )
    assert seen == [(6, 30), (2, 50)]
    assert (BotorchOptions().constrained_num_restarts, BotorchOptions().constrained_maxiter) == (
        4,
        50,
    )
    with pytest.raises(UserInputError, match=r"constrained_num_restarts: Input should be greater"):
        BotorchModel(seed=0, constrained_num_restarts=0)


def test_constrained_nei_on_botorch_path_agrees_on_the_region() -> None:
    X = np.random.default_rng(3).random((14, 2))
    f, c = standardise(X[:, 0]), X[:, 0] - 0.4
    model = BotorchModel(seed=0, **{**FAST, "fast_path": False})
    model.fit([X, X], [f, c], [np.full(14, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
    points, _, meta, _ = model.gen(
        2,
        UNIT2,
        np.array([1.0, 0.0]),
        outcome_constraints=(np.array([[0.0, 1.0]]), np.zeros((1, 1))),
    )
    assert np.all(points[:, 0] < 0.5)
    assert meta["fast_acquisition"] == [False, False]


def test_lean_constrained_nei_seeks_feasibility_when_nothing_observed_is_feasible() -> None:
    # c = x0 - 0.4 <= -0.3 needs x0 <= 0.1; every observed point has x0 >= 0.3.
    rng = np.random.default_rng(5)
    X = np.column_stack([0.3 + 0.7 * rng.random(12), rng.random(12)])
    f, c = standardise(X[:, 0] + X[:, 1]), X[:, 0] - 0.4
    model = BotorchModel(seed=0, **FAST)
    model.fit([X, X], [f, c], [np.full(12, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
    points, _, meta, _ = model.gen(
        1,
        UNIT2,
        np.array([1.0, 0.0]),
        outcome_constraints=(np.array([[0.0, 1.0]]), np.array([[-0.3]])),
    )
    assert meta["fast_acquisition"] == [True]
    assert points[0, 0] < 0.2


def test_lean_constrained_nei_scores_starting_points_with_its_stand_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ax.models.torch import fast_ehvi

    X = np.random.default_rng(3).random((14, 2))
    f, c = standardise(X[:, 0]), X[:, 0] - 0.4
    built: list[int] = []
    original = fast_ehvi.FastLogNEHVI.stand_in

    def spy(self: fast_ehvi.FastLogNEHVI) -> Any:
        result = original(self)
        built.append(-1 if result is None else result.mc_samples)
        return result

    monkeypatch.setattr(fast_ehvi.FastLogNEHVI, "stand_in", spy)
    constraint = (np.array([[0.0, 1.0]]), np.array([[0.0]]))
    for few, expected in ((1, [1, 1]), (None, [-1, -1])):
        model = BotorchModel(seed=0, **{**FAST, "initial_mc_samples": few})
        model.fit([X, X], [f, c], [np.full(14, np.nan)] * 2, UNIT2, NAMES2, ["f", "c"])
        built.clear()
        points, _, meta, _ = model.gen(
            2, UNIT2, np.array([1.0, 0.0]), outcome_constraints=constraint
        )
        assert built == expected  # one stand-in per point of the batch
        assert meta["fast_acquisition"] == [True, True]
        assert np.all(points[:, 0] < 0.5)


def test_negative_weight_minimises() -> None:
    X, y = data(12)
    model = BotorchModel(seed=0, **FAST)
    model.fit([X], [-y], [np.full(12, np.nan)], UNIT2, NAMES2, ["loss"])
    points, _, _, _ = model.gen(1, UNIT2, np.array([-1.0]))
    assert np.linalg.norm(points[0] - [0.3, 0.7]) < 0.3


def test_seeded_reproducibility_and_no_global_side_effects() -> None:
    torch.manual_seed(1234)
    rng_before = torch.get_rng_state()
    threads_before = torch.get_num_threads()
    a, _, _, _ = fitted(seed=2).gen(2, UNIT2, W1)
    b, _, _, _ = fitted(seed=2).gen(2, UNIT2, W1)
    np.testing.assert_array_equal(a, b)
    assert torch.equal(torch.get_rng_state(), rng_before)
    assert torch.get_num_threads() == threads_before
    model = fitted(seed=2)
    model.seed = 99
    c, _, _, _ = model.gen(2, UNIT2, W1)
    assert not np.array_equal(a, c)


def test_model_gen_options_override_and_validation() -> None:
    model = fitted()
    _, _, meta, _ = model.gen(1, UNIT2, W1, model_gen_options={"acquisition": "qLogEI"})
    assert meta["acquisition"] == ["qLogEI"]
    _, _, meta, _ = model.gen(
        1, UNIT2, W1, model_gen_options={"optimizer_kwargs": {"num_restarts": 1, "raw_samples": 8}}
    )
    with pytest.raises(UserInputError, match=r"unknown model_gen_options \['fit_maxiter'\]"):
        model.gen(1, UNIT2, W1, model_gen_options={"fit_maxiter": 3})
    with pytest.raises(UserInputError, match=r"raw_samples: Input should be a valid integer"):
        model.gen(1, UNIT2, W1, model_gen_options={"raw_samples": "many"})
    with pytest.raises(UserInputError, match=r"initial_mc_samples: Input should be greater"):
        model.gen(1, UNIT2, W1, model_gen_options={"initial_mc_samples": 0})
    with pytest.raises(UserInputError, match=r"global_restarts: Input should be greater"):
        BotorchModel(seed=0, global_restarts=-1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"objective_weights": np.array([1.0, 2.0])},
            r"objective_weights must be 1 finite numbers",
        ),
        ({"objective_weights": np.array([0.0])}, r"not all zero"),
        (
            {"outcome_constraints": (np.ones((1, 2)), np.ones((1, 1)))},
            r"outcome_constraints A must be k x m with m=1, got shape \(1, 2\)",
        ),
        (
            {"linear_constraints": (np.ones((1, 3)), np.ones((1, 1)))},
            r"linear_constraints A must be k x d with d=2, got shape \(1, 3\)",
        ),
        ({"fixed_features": {5: 0.1}}, r"fixed_features key must be < d=2, got 5"),
        ({"n": 0}, r"n must be >= 1, got n=0"),
        ({"bounds": [(0.0, 1.0)]}, r"bounds must have d=2 pairs, got 1"),
    ],
)
def test_gen_argument_errors(kwargs: Dict[str, Any], match: str) -> None:
    args: Dict[str, Any] = {"n": 1, "bounds": UNIT2, "objective_weights": W1, **kwargs}
    model = fitted()
    with pytest.raises(UserInputError, match=match):
        model.gen(**args)
    assert model.gen_count == 0  # a failed call changes nothing


# ------------------------------------------------------------------------ warm start / state
def test_warm_start_reuses_previous_hyperparameters(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Tuple[Dict[str, Any], int]] = []
    real_fit = botorch_model_module.fit_model

    def spy(model: Any, maxiter: int, fast: bool = True, **kwargs: Any) -> str:
        calls.append((get_hyperparameters(model, ["f"]), maxiter))
        return real_fit(model, maxiter=maxiter, fast=fast, **kwargs)

    monkeypatch.setattr(botorch_model_module, "fit_model", spy)
    X, y = data(12)
    model = BotorchModel(seed=0, **FAST)
    model.fit([X[:10]], [y[:10]], [np.full(10, np.nan)], UNIT2, NAMES2, ["f"])
    after_first = model.hyperparameters
    model.update([X], [y], [np.full(12, np.nan)])
    (start_1, maxiter_1), (start_2, maxiter_2) = calls
    assert maxiter_1 == FAST["initial_fit_maxiter"] and maxiter_2 == FAST["fit_maxiter"]
    assert start_2 == after_first  # the second fit started where the first ended
    assert start_1 != after_first
    # Without warm start, every fit starts from the prior's mode.
    calls.clear()
    cold = BotorchModel(seed=0, warm_start=False, **FAST)
    cold.fit([X[:10]], [y[:10]], [np.full(10, np.nan)], UNIT2, NAMES2, ["f"])
    cold.fit([X], [y], [np.full(12, np.nan)], UNIT2, NAMES2, ["f"])
    assert calls[0][0] == calls[1][0] and calls[1][1] == FAST["initial_fit_maxiter"]


def test_refit_every_skips_optimisation_in_between() -> None:
    X, y = data(12)
    model = BotorchModel(seed=0, refit_every=2, **FAST)
    paths = []
    for n in (8, 10, 12):
        model.fit([X[:n]], [y[:n]], [np.full(n, np.nan)], UNIT2, NAMES2, ["f"])
        paths.append(model.fit_path)
    assert paths == ["fast", "reused", "fast"]


def test_a_state_stored_before_the_kernel_option_resumes_with_the_rbf_kernel() -> None:
    """States written before ``kernel`` existed hold every other field: they were RBF
    models and stay so; a user's partial options take today's default (Matérn-5/2)."""
    from gpytorch.kernels import MaternKernel, RBFKernel

    X, y = data(10)
    args = ([X], [y], [np.full(10, np.nan)], UNIT2, NAMES2, ["f"])
    old = BotorchModel(seed=5, kernel="rbf", **FAST)
    old.fit(*args)
    state = json.loads(json.dumps(old.get_state()))
    del state["options"]["kernel"]  # as written before the option existed
    resumed = BotorchModel(**state)
    assert resumed.options.kernel == "rbf"
    resumed.fit(*args)
    assert type(resumed.model.covar_module) is RBFKernel  # type: ignore[union-attr]
    np.testing.assert_array_equal(old.gen(1, UNIT2, W1)[0], resumed.gen(1, UNIT2, W1)[0])
    user = BotorchModel(options={"num_restarts": 4, "fast_path": True})
    assert user.options.kernel == "matern52"
    user.fit(*args)
    assert type(user.model.covar_module) is MaternKernel  # type: ignore[union-attr]


def test_state_is_json_and_resumes_exactly() -> None:
    X, y = data(10)
    args = ([X], [y], [np.full(10, np.nan)], UNIT2, NAMES2, ["f"])
    original = BotorchModel(seed=5, **FAST)
    original.fit(*args)
    original.gen(1, UNIT2, W1)
    state = json.loads(json.dumps(original.get_state()))
    assert state["seed"] == 5 and state["gen_count"] == 1 and state["fit_count"] == 1
    assert state["options"]["num_restarts"] == 2 and set(state["hyperparameters"]) == {"f"}
    resumed = BotorchModel(**state)
    assert resumed.options == original.options
    original.fit(*args)
    resumed.fit(*args)
    np.testing.assert_array_equal(original.gen(2, UNIT2, W1)[0], resumed.gen(2, UNIT2, W1)[0])


def test_cross_validate_uses_fitted_hyperparameters_without_refit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = fitted(n=12)
    X, y = data(12)

    def no_fit(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("cross_validate must not refit")

    monkeypatch.setattr(botorch_model_module, "fit_model", no_fit)
    mean, cov = model.cross_validate([X[:9]], [y[:9]], [np.full(9, np.nan)], X[9:])
    assert mean.shape == (3, 1) and cov.shape == (3, 1, 1)
    assert np.corrcoef(mean[:, 0], y[9:])[0, 1] > 0.5
    assert model.fit_count == 1


def test_best_point_is_best_observed_and_respects_constraints() -> None:
    X = np.array([[0.3, 0.7], [0.9, 0.1], [0.5, 0.5], [0.1, 0.9], [0.7, 0.3], [0.2, 0.2]])
    y = standardise(quadratic(X))
    model = BotorchModel(seed=0, **FAST)
    model.fit([X, X], [y, X[:, 0] - 0.4], [np.full(6, 1e-4)] * 2, UNIT2, NAMES2, ["f", "c"])
    w = np.array([1.0, 0.0])
    np.testing.assert_array_equal(model.best_point(UNIT2, w), X[0])
    # c = x0 - 0.4 <= -0.15 rules out x0 >= 0.25: the best remaining point is (0.1, 0.9).
    constrained = model.best_point(
        UNIT2, w, outcome_constraints=(np.array([[0.0, 1.0]]), np.array([[-0.15]]))
    )
    np.testing.assert_array_equal(constrained, X[3])
    np.testing.assert_array_equal(model.best_point(UNIT2, w, fixed_features={0: 0.9}), X[1])
    assert model.best_point(UNIT2, w, fixed_features={0: 0.42}) is None


# ------------------------------------------------------------------------ lean fast paths
def _toy_gp(
    n: int = 25, fixed: bool = False, kernel: str = "matern52"
) -> Tuple[SingleTaskGP, torch.Tensor]:
    """The standard GP (as ``build_model`` makes it) on `n` points of a 3-D box."""
    X = np.random.default_rng(7).random((n, 3))
    y = standardise(quadratic(X))
    data = validate_training_data(
        "test",
        [X],
        [y],
        [np.full(n, 0.01 if fixed else np.nan)],
        [(0.0, 1.0)] * 3,
        ["a", "b", "c"],
        ["f"],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_model(data, kernel=kernel)
    assert isinstance(model, SingleTaskGP)
    return model, torch.tensor(X)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
@pytest.mark.parametrize("fixed", [False, True], ids=["inferred-noise", "fixed-noise"])
def test_fast_fit_matches_botorch_objective_and_optimum(fixed: bool, kernel: str) -> None:
    fast_model, _ = _toy_gp(fixed=fixed, kernel=kernel)
    general, _ = _toy_gp(fixed=fixed, kernel=kernel)
    assert fast_fit(fast_model, maxiter=500)
    from botorch.fit import fit_gpytorch_mll
    from gpytorch.mlls import ExactMarginalLogLikelihood

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit_gpytorch_mll(ExactMarginalLogLikelihood(general.likelihood, general))
    assert _gpytorch_loss(fast_model)[0] == pytest.approx(_gpytorch_loss(general)[0], abs=1e-5)
    np.testing.assert_allclose(
        fast_model.covar_module.lengthscale.detach().numpy(),
        general.covar_module.lengthscale.detach().numpy(),
        rtol=2e-2,
    )


def test_fast_fit_objective_steps_back_from_overflowing_hyperparameters_silently() -> None:
    from ax.models.torch.fast import _LogSpace, _Objective, standard_parts

    model, _ = _toy_gp()
    parts = standard_parts(model)
    assert parts is not None
    objective = _Objective(parts.X.numpy(), parts.Y.numpy()[0], None, parts)
    log_space = _LogSpace(objective)
    in_log_space = log_space.wrap(objective)
    start = log_space.to_u(np.array([0.5, 0.5, 0.5, 0.01, 0.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning reaches the user
        assert math.isfinite(in_log_space(start)[0])
        for far in (-800.0, 800.0):  # lengthscale exp(-800): 1 / ls**2 overflows
            u = start.copy()
            u[0] = far
            value, grad = in_log_space(u)
            assert value == math.inf and not grad.any()
        assert fast_fit(model, maxiter=50)


@pytest.mark.parametrize("nu", [1.5, 0.5])
def test_fast_paths_decline_a_non_standard_model(nu: float) -> None:
    from gpytorch.kernels import MaternKernel

    X = torch.rand(8, 2, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SingleTaskGP(
            X,
            X.sum(-1, keepdim=True),
            covar_module=MaternKernel(nu=nu, ard_num_dims=2),  # only nu = 2.5 is lean
            outcome_transform=None,
        )
    assert not fast_fit(model, maxiter=5)
    model.eval()
    assert FastPosterior.from_model(model) is None


def test_kernel_matrices_match_gpytorch_with_finite_gradients_at_coincident_points() -> None:
    from gpytorch.kernels import MaternKernel, RBFKernel

    from ax.models.torch.fast import kernel_matrix, np_kernel

    X = torch.rand(6, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ls = torch.tensor([[0.3, 0.8, 1.5]], dtype=torch.float64)
    for name, module in (
        ("rbf", RBFKernel(ard_num_dims=3)),
        ("matern52", MaternKernel(ard_num_dims=3)),
    ):
        module = module.to(torch.float64)
        module.lengthscale = ls
        with torch.no_grad():
            reference = module(X, X).to_dense()
        ours = kernel_matrix(X, X, 1.0 / ls, name)
        torch.testing.assert_close(ours, reference, rtol=1e-10, atol=1e-12)
        sq = ((X[:, None, :] - X[None, :, :]) ** 2 / ls**2).sum(-1).numpy()
        np.testing.assert_allclose(
            np_kernel(sq, name)[0], reference.numpy(), rtol=1e-10, atol=1e-12
        )
        # The gradient with respect to a point at the same place as a training point
        # (distance 0) is finite and zero: the kernel is flat at its peak.
        x = X[:1].clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(kernel_matrix(x, X, 1.0 / ls, name)[0, 0], x)
        assert bool(torch.isfinite(grad).all()) and float(grad.abs().max()) == 0.0
        # Elsewhere autograd through the kernel matches finite differences.
        x = (X[:1] + 0.05).clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(kernel_matrix(x, X, 1.0 / ls, name).sum(), x)
        for j in range(3):
            step = torch.zeros_like(x)
            step[0, j] = 1e-6
            with torch.no_grad():
                numeric = (
                    kernel_matrix(x + step, X, 1.0 / ls, name).sum()
                    - kernel_matrix(x - step, X, 1.0 / ls, name).sum()
                ) / 2e-6
            assert float(grad[0, j]) == pytest.approx(float(numeric), rel=1e-5, abs=1e-8)
    with pytest.raises(ValueError, match="unknown kernel 'matern32'"):
        kernel_matrix(X, X, 1.0 / ls, "matern32")


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_the_kernel_option_builds_that_kernel_on_the_lean_path_and_is_stored(kernel: str) -> None:
    from gpytorch.kernels import MaternKernel, RBFKernel

    X, y = data(12, seed=2)
    args = ([X], [y], [np.full(12, np.nan)], UNIT2, NAMES2, ["f"])
    model = BotorchModel(seed=1, kernel=kernel, lengthscale_prior="dim_scaled", **FAST)
    model.fit(*args)
    covar = model.model.covar_module  # type: ignore[union-attr]
    assert type(covar) is (RBFKernel if kernel == "rbf" else MaternKernel)
    assert model.fit_path == "fast"
    prior = covar.lengthscale_prior  # BoTorch's dimension-scaled prior either way
    assert float(prior.loc) == pytest.approx(math.sqrt(2) + 0.5 * math.log(2))
    X_new, _, meta, _ = model.gen(3, UNIT2, W1)
    assert meta["fast_acquisition"] == [True] * 3
    assert X_new.shape == (3, 2) and len({tuple(row) for row in X_new.tolist()}) == 3
    state = json.loads(json.dumps(model.get_state()))
    assert state["options"]["kernel"] == kernel
    resumed = BotorchModel(**state)
    resumed.fit(*args)
    model.fit(*args)
    np.testing.assert_array_equal(model.gen(1, UNIT2, W1)[0], resumed.gen(1, UNIT2, W1)[0])


def assert_gradient_is_central_difference(
    objective: Callable[[np.ndarray], Tuple[float, np.ndarray]], u: np.ndarray
) -> None:
    """The gradient ``objective`` returns at ``u`` is the central difference of its
    values (steps of 1e-6 relative to each coordinate, at least 1e-6)."""
    grad = objective(u)[1]
    for k in range(u.size):
        step = np.zeros_like(u)
        step[k] = 1e-6 * max(1.0, abs(u[k]))
        numeric = (objective(u + step)[0] - objective(u - step)[0]) / (2 * step[k])
        assert grad[k] == pytest.approx(numeric, rel=1e-4, abs=1e-7)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_tied_objective_counts_each_groups_prior_once_on_the_categorical_scale(
    kernel: str,
) -> None:
    from scipy.stats import lognorm

    from ax.models.torch.fast import _Objective, _TiedObjective, standard_parts

    model, _ = _toy_gp(kernel=kernel)
    parts = standard_parts(model)
    assert parts is not None and parts.ls_prior is not None
    loc, scale = parts.ls_prior
    full = _Objective(parts.X.numpy(), parts.Y.numpy()[0], None, parts)
    tied = _TiedObjective(full, [[0, 2]])
    u = np.array([0.7, 0.3, 0.05, 0.1])  # shared (dims 0, 2), dim 1, noise, constant
    np.testing.assert_array_equal(tied.expand(u), [0.7, 0.3, 0.7, 0.05, 0.1])
    # The full objective is -(log likelihood + log priors) / n with the prior on each of
    # the group's 2 columns; the tied one has it once, on 0.7 / sqrt(12 (1 - 1/2)).
    column_prior = lognorm.logpdf(0.7, s=scale, scale=math.exp(loc))
    group_prior = lognorm.logpdf(0.7, s=scale, scale=math.exp(loc) * math.sqrt(6.0))
    expected = full(tied.expand(u))[0] + (2 * column_prior - group_prior) / full.n
    assert tied(u)[0] == pytest.approx(expected, rel=1e-12)
    assert_gradient_is_central_difference(tied, u)
    # the tied start is each group's geometric mean
    start = tied.tie(np.array([0.2, 0.3, 0.8, 0.05, 0.1]))
    np.testing.assert_allclose(start, [0.4, 0.3, 0.05, 0.1])


def test_categorical_lengthscale_factor_equates_mean_squared_distances() -> None:
    """Scaled by the factor, a random pair's squared one-hot distance averages a unit
    input's."""
    from ax.models.torch.fast import categorical_lengthscale_factor

    rng = np.random.default_rng(0)
    unit = np.mean((rng.random(200_000) - rng.random(200_000)) ** 2)  # 1/6
    for k in (2, 3, 50):
        a, b = rng.integers(k, size=(2, 200_000))
        one_hot = 2.0 * np.mean(a != b)  # a category change moves a one-hot vector by 2
        factor = categorical_lengthscale_factor(k)
        assert one_hot / factor**2 == pytest.approx(unit, rel=0.02)
    assert categorical_lengthscale_factor(2) == pytest.approx(math.sqrt(6.0))
    with pytest.raises(ValueError, match=r"k=1; a choice has at least 2 categories"):
        categorical_lengthscale_factor(1)


def test_a_many_valued_choices_lengthscale_follows_the_data_not_its_prior() -> None:
    """A 50-category group had the prior once per column (50 times): its lengthscale sat
    at the prior's mode whatever the data. Counted once, it follows the data: long when
    the category does not matter, short when it does."""
    from ax.models.torch.fast import _lognormal, categorical_lengthscale_factor

    rng = np.random.default_rng(3)
    n, k = 30, 50
    levels = rng.integers(k, size=n)
    x = rng.random(n)
    X = np.column_stack([x, np.eye(k)[levels]])
    fitted = {}
    for effect in (0.0, 2.0):
        y = standardise(np.sin(6 * x) + effect * rng.standard_normal(k)[levels])
        data = validate_training_data(
            "test",
            [X],
            [y],
            [np.full(n, np.nan)],
            [(0.0, 1.0)] * (k + 1),
            ["x"] + [f"c{j}" for j in range(k)],
            ["f"],
        )
        model = build_model(data)
        assert fast_fit(model, maxiter=500, shared_lengthscales=[list(range(1, k + 1))])
        ls = model.covar_module.lengthscale.detach().numpy().reshape(-1)
        assert np.all(ls[1:] == ls[1])
        fitted[effect] = float(ls[1])
    prior = _lognormal(model.covar_module.lengthscale_prior)
    assert prior is not None
    mode = math.exp(prior[0] - prior[1] ** 2) * categorical_lengthscale_factor(k)
    assert fitted[2.0] < 0.5 * mode < 2.0 * mode < fitted[0.0]


def test_fast_fit_shares_lengthscales_within_groups_at_the_tied_optimum() -> None:
    model, _ = _toy_gp()
    assert fast_fit(model, maxiter=500, shared_lengthscales=[[0, 2]])
    ls = model.covar_module.lengthscale.detach().numpy().reshape(-1)
    assert ls[0] == ls[2] and ls[1] != ls[0]
    best = _gpytorch_loss(model)[0]
    raw = model.covar_module.raw_lengthscale
    for factor in (0.98, 1.02):  # moving the shared lengthscale either way is worse
        with torch.no_grad():
            saved = raw.clone()
            raw[..., [0, 2]] = raw[..., [0, 2]] + math.log(factor)
        assert _gpytorch_loss(model)[0] > best
        with torch.no_grad():
            raw.copy_(saved)
    untied, _ = _toy_gp()
    assert fast_fit(untied, maxiter=500)
    assert _gpytorch_loss(untied)[0] <= best + 1e-9  # a constraint cannot beat the free fit


def test_fast_fit_declines_a_group_outside_the_inputs() -> None:
    model, _ = _toy_gp()
    before = model.covar_module.raw_lengthscale.detach().clone()
    assert not fast_fit(model, maxiter=50, shared_lengthscales=[[1, 3]])
    torch.testing.assert_close(model.covar_module.raw_lengthscale.detach(), before)


@pytest.mark.parametrize("shared", [True, False])
def test_one_hot_columns_share_a_lengthscale_when_fit_is_given_the_structure(
    shared: bool,
) -> None:
    from ax.models.discrete_structure import DiscreteStructure

    rng = np.random.default_rng(4)
    levels = rng.integers(3, size=16)
    X = np.column_stack([rng.random(16), np.eye(3)[levels]])
    y = standardise((X[:, 0] - 0.3) ** 2 + np.array([0.0, 0.5, 1.0])[levels])
    model = BotorchModel(seed=0, shared_categorical_lengthscales=shared, **FAST)
    structure = DiscreteStructure(d=4, groups=[[1, 2, 3]])
    names = ["x", "c0", "c1", "c2"]
    model.fit([X], [y], [np.zeros(16)], [(0.0, 1.0)] * 4, names, ["f"], discrete=structure)
    assert model.fit_path == "fast"
    assert model.shared_lengthscales == ([[1, 2, 3]] if shared else [])
    ls = model.model.covar_module.lengthscale.detach().numpy().reshape(-1)  # type: ignore[union-attr]
    assert (len(set(ls[1:].tolist())) == 1) is shared
    model.update([X[:12]], [y[:12]], [np.zeros(12)])  # the groups are kept on update
    assert model.shared_lengthscales == ([[1, 2, 3]] if shared else [])
    with pytest.raises(UserInputError, match=r"BotorchModel.fit: discrete describes d=3"):
        model.fit(
            [X],
            [y],
            [np.zeros(16)],
            [(0.0, 1.0)] * 4,
            names,
            ["f"],
            discrete=DiscreteStructure(d=3, groups=[[0, 1, 2]]),
        )


def test_log_h_matches_botorch_log_ei_helper() -> None:
    u = np.array([-1e8, -1e4, -150.0, -99.0, -30.0, -5.0, -1.0001, -0.999, 0.0, 3.0, 40.0])
    value, grad = log_h(u)
    ut = torch.tensor(u, requires_grad=True)
    reference = _log_ei_helper(ut)
    reference.sum().backward()
    np.testing.assert_allclose(value, reference.detach().numpy(), rtol=1e-12)
    assert ut.grad is not None and grad is not None
    np.testing.assert_allclose(grad, ut.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
@pytest.mark.parametrize("weight", [1.0, -1.0])
def test_fast_log_ei_matches_botorch_and_has_exact_gradient(weight: float, kernel: str) -> None:
    model, X = _toy_gp(kernel=kernel)
    assert fast_fit(model, maxiter=200)
    fast = FastPosterior.from_model(model)
    assert fast is not None
    best_f = float((weight * model.posterior(X).mean).max().detach())
    ours = FastLogEI(model, fast, weight, best_f, X)
    theirs = LogExpectedImprovement(
        model,
        best_f=best_f,
        posterior_transform=ScalarizedPosteriorTransform(
            torch.tensor([weight], dtype=torch.float64)
        ),
    )
    Xt = torch.tensor(np.random.default_rng(1).random((6, 1, 3)))
    torch.testing.assert_close(ours(Xt), theirs(Xt), atol=1e-5, rtol=1e-6)
    _check_gradient(ours, Xt)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_fast_log_nei_matches_botorch_qlognei_and_has_exact_gradient(kernel: str) -> None:
    model, X = _toy_gp(kernel=kernel)
    assert fast_fit(model, maxiter=200)
    fast = FastPosterior.from_model(model)
    assert fast is not None
    pending = torch.tensor([[0.9, 0.1, 0.9]], dtype=torch.float64)
    ours = FastLogNEI(model, fast, 1.0, X, pending, mc_samples=2048, seed=0)
    theirs = qLogNoisyExpectedImprovement(
        model,
        X,
        sampler=SobolQMCNormalSampler(torch.Size([4096]), seed=0),
        objective=LinearMCObjective(torch.tensor([1.0], dtype=torch.float64)),
        X_pending=pending,
    )
    # Points around the maximum, where the improvement is not negligible.
    Xt = torch.tensor([0.3, 0.7, 0.5] + 0.3 * (np.random.default_rng(2).random((40, 1, 3)) - 0.5))
    a, b = ours(Xt), theirs(Xt).detach()
    good = b > -8  # where the MC estimate of BoTorch is not floored by its smoothing
    assert int(good.sum()) >= 5
    torch.testing.assert_close(a[good], b[good], atol=0.1, rtol=0.0)
    assert float(torch.corrcoef(torch.stack([a[good], b[good]]))[0, 1]) > 0.99
    _check_gradient(ours, Xt[:4])


def _check_gradient(acqf: Any, X: torch.Tensor) -> None:
    x = X.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(acqf(x).sum(), x)
    numeric = torch.zeros_like(x)
    h = 1e-6
    for j in range(x.shape[-1]):
        step = torch.zeros_like(x)
        step[..., j] = h
        numeric[..., j] = ((acqf(X + step) - acqf(X - step)) / (2 * h)).reshape(-1, 1)
    torch.testing.assert_close(grad, numeric, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_fast_and_general_paths_agree_on_the_fit(kernel: str) -> None:
    X, y = data(15, d=3, seed=4)
    fits = []
    for fast in (True, False):
        model = BotorchModel(
            seed=0, fast_path=fast, kernel=kernel, **{**FAST, "initial_fit_maxiter": 500}
        )
        model.fit([X], [y], [np.full(15, np.nan)], [(0.0, 1.0)] * 3, ["a", "b", "c"], ["f"])
        assert model.fit_path == ("fast" if fast else "botorch")
        fits.append(model.predict(X)[0])
    np.testing.assert_allclose(fits[0], fits[1], atol=1e-3)


def test_options_defaults_follow_the_speed_study() -> None:
    options = BotorchOptions()
    assert options.acquisition == "qLogNEI" and options.warm_start and options.sample_around_best
    assert (options.num_restarts, options.raw_samples, options.fit_maxiter) == (8, 512, 100)
    assert options.torch_threads == 1
    assert (options.initial_mc_samples, options.global_restarts) == (1, 0)
    assert options.kernel == "matern52"
    ax_like = BotorchOptions.ax_like()
    assert (ax_like.num_restarts, ax_like.raw_samples, ax_like.warm_start) == (20, 1024, False)
    assert ax_like.kernel == "rbf"
    assert MultiObjectiveOptions().kernel == "rbf"  # measured per model (options docstring)


def test_a_failed_botorch_fit_keeps_the_starting_hyperparameters_and_the_run_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """BoTorch's general fit gives up (every attempt ended with an optimiser warning):
    the GP keeps its starting hyperparameters, the log says so, and gen still works."""
    import logging

    from botorch.exceptions.errors import ModelFittingError

    import ax.models.torch.defaults as defaults_module

    model = fitted(fast_path=False)
    before = get_hyperparameters(model.model, ["f"])

    def failing_fit(mll: Any, **kwargs: Any) -> Any:
        raise ModelFittingError("All attempts to fit the model have failed.")

    monkeypatch.setattr(defaults_module, "fit_gpytorch_mll", failing_fit)
    X, y = data(12)
    with caplog.at_level(logging.WARNING, logger="ax.models.torch.defaults"):
        model.update([X], [y], [np.full(12, np.nan)])
    assert model.fit_path == "kept"
    assert "could not fit SingleTaskGP" in caplog.text
    # Warm-started, so it keeps the previous fit's values (a new model, same numbers).
    assert get_hyperparameters(model.model, ["f"]) == before
    points, _, meta, _ = model.gen(1, UNIT2, W1)
    assert points.shape == (1, 2) and meta["fit_path"] == "kept"
    # The lean path does not go through BoTorch's fit at all.
    lean = fitted()
    lean.update([X], [y], [np.full(12, np.nan)])
    assert lean.fit_path == "fast"
