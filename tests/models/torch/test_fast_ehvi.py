"""Lean log NEHVI (ax.models.torch.fast_ehvi): posterior, boxes and values against BoTorch."""

from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np
import pytest
import torch
from botorch.acquisition.logei import qLogNoisyExpectedImprovement
from botorch.acquisition.multi_objective.logei import qLogNoisyExpectedHypervolumeImprovement
from botorch.acquisition.multi_objective.objective import WeightedMCMultiOutputObjective
from botorch.acquisition.objective import LinearMCObjective
from botorch.models import SingleTaskGP
from botorch.models.transforms.outcome import Standardize
from botorch.sampling.normal import SobolQMCNormalSampler

from ax.models.torch.fast_acqf import log_h as numpy_log_h
from ax.models.torch.fast_ehvi import BatchedPosterior, FastLogNEHVI, box_bounds, log_h
from ax.models.torch.moo import MultiObjectiveBotorchModel

DTYPE = torch.float64


def _outcomes(X: np.ndarray) -> np.ndarray:
    """Three smooth outcomes of three inputs, standardised."""
    Y = np.stack(
        [
            np.sin(3.0 * X[:, 0]) + X[:, 2],
            1.0 - X[:, 0] ** 2 + X[:, 1],
            X[:, 2] - 0.5 + X[:, 1] * X[:, 0],
        ],
        axis=1,
    )
    return (Y - Y.mean(0)) / Y.std(0)


def _gp(
    n: int = 10, noise: float = 1e-6, seed: int = 0, kernel: str = "rbf"
) -> tuple[SingleTaskGP, torch.Tensor]:
    """The batched GP the multi-objective model fits, on `n` points of a 3-D box."""
    X = np.random.default_rng(seed).random((n, 3))
    Y = _outcomes(X)
    model = MultiObjectiveBotorchModel(seed=0, kernel=kernel)
    model.fit(
        [X] * 3,
        [Y[:, j] for j in range(3)],
        [np.full(n, noise)] * 3,
        bounds=[(0.0, 1.0)] * 3,
        feature_names=["a", "b", "c"],
        metric_names=["y0", "y1", "y2"],
    )
    assert isinstance(model.model, SingleTaskGP)
    return model.model, torch.as_tensor(X, dtype=DTYPE)


def _acqfs(
    k: int,
    constrained: bool,
    noise: float = 1e-6,
    mc_samples: int = 128,
    kernel: str = "rbf",
    reference_samples: int = 4096,
) -> tuple[FastLogNEHVI, Optional[qLogNoisyExpectedHypervolumeImprovement]]:
    """Our acquisition function and BoTorch's with ``reference_samples`` samples (none when
    0: building BoTorch's partitions every sample's front, which is slow)."""
    gp, X = _gp(noise=noise, kernel=kernel)
    post = BatchedPosterior.from_model(gp)
    assert post is not None
    weights = torch.tensor([1.0, -1.0, 1.0][:k], dtype=DTYPE)
    objective = WeightedMCMultiOutputObjective(weights=weights, outcomes=list(range(k)))
    ref = torch.full((k,), -1.5, dtype=DTYPE)
    A = b = None
    callables = None
    if constrained:  # y2 <= 0.3 (the third outcome, not an objective when k == 2)
        A = torch.tensor([[0.0, 0.0, 1.0]], dtype=DTYPE)
        b = torch.tensor([[0.3]], dtype=DTYPE)
        callables = [lambda Z: Z[..., 2] - 0.3]
    lean = FastLogNEHVI(
        gp, post, objective, ref, X, None, None if A is None else (A, b), callables, mc_samples, 0
    )
    if not reference_samples:
        return lean, None
    reference = qLogNoisyExpectedHypervolumeImprovement(
        gp,
        ref_point=ref,
        X_baseline=X,
        sampler=SobolQMCNormalSampler(sample_shape=torch.Size([reference_samples]), seed=0),
        objective=objective,
        constraints=callables,
        prune_baseline=False,
    )
    return lean, reference


def _agree_where_it_matters(
    lean: FastLogNEHVI, reference: torch.nn.Module, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Both acquisition values at 24 random points; they agree to 0.1 wherever BoTorch's
    is above -6. BoTorch smooths its indicators, which floors its log values around -40;
    where the improvement is not negligible both estimate the same expectation."""
    Xq = torch.rand(24, 1, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        ours, theirs = lean(Xq), reference(Xq)
    relevant = theirs > -6.0
    assert int(relevant.sum()) >= 4
    torch.testing.assert_close(ours[relevant], theirs[relevant], rtol=0.0, atol=0.1)
    return ours, theirs


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_batched_posterior_matches_gpytorch(kernel: str) -> None:
    gp, X = _gp(noise=float("nan"), kernel=kernel)  # inferred noise
    post = BatchedPosterior.from_model(gp)
    assert post is not None and post.m == 3
    Xq = torch.rand(7, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(1))
    mean, var = post.mean_var(Xq)
    reference = gp.posterior(Xq)
    torch.testing.assert_close(mean, reference.mean.T, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(var, reference.variance.T, rtol=1e-6, atol=1e-8)
    joint_mean, cov = post.joint(Xq)
    torch.testing.assert_close(joint_mean, mean)
    torch.testing.assert_close(cov.diagonal(dim1=-2, dim2=-1), var, rtol=1e-6, atol=1e-8)


def test_batched_posterior_declines_models_it_does_not_know() -> None:
    X = torch.rand(6, 2, dtype=DTYPE, generator=torch.Generator().manual_seed(0))
    Y = torch.stack([X.sum(-1), X[:, 0] - X[:, 1]], dim=-1)
    assert BatchedPosterior.from_model(SingleTaskGP(X, Y[:, :1])) is None  # one output
    assert BatchedPosterior.from_model(SingleTaskGP(X, Y, outcome_transform=Standardize(2))) is None
    assert BatchedPosterior.from_model(object()) is None


def test_log_h_matches_the_numpy_form_with_finite_gradients() -> None:
    u = torch.linspace(-400.0, 60.0, 4001, dtype=DTYPE, requires_grad=True)
    value = log_h(u)
    expected, slope = numpy_log_h(u.detach().numpy())
    np.testing.assert_allclose(value.detach().numpy(), expected, rtol=1e-10, atol=1e-12)
    (grad,) = torch.autograd.grad(value.sum(), u)
    assert slope is not None and bool(torch.isfinite(grad).all())
    np.testing.assert_allclose(grad.numpy(), slope, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_boxes_cover_exactly_the_region_no_point_dominates(k: int) -> None:
    gen = torch.Generator().manual_seed(k)
    Y = torch.randn(3, 9, k, dtype=DTYPE, generator=gen)
    ref = torch.full((k,), -1.0, dtype=DTYPE)
    lower, upper = box_bounds(Y, ref)
    assert lower.shape == upper.shape and lower.shape[0] == 3 and lower.shape[-1] == k
    Z = ref + 4.0 * torch.rand(2000, k, dtype=DTYPE, generator=gen)  # above the ref point
    for s in range(3):
        dominated = (Y[s].unsqueeze(0) >= Z.unsqueeze(1)).all(-1).any(-1)
        inside = ((Z.unsqueeze(1) > lower[s]) & (Z.unsqueeze(1) < upper[s])).all(-1)
        count = inside.sum(-1)
        assert bool((count[dominated] == 0).all())
        assert bool((count[~dominated] == 1).all())


def test_boxes_when_no_point_beats_the_reference_point() -> None:
    for k in (2, 3):
        ref = torch.zeros(k, dtype=DTYPE)
        for Y in (-torch.rand(2, 4, k, dtype=DTYPE), torch.zeros(2, 0, k, dtype=DTYPE)):
            lower, upper = box_bounds(Y, ref)
            inside = (lower < upper).all(-1)
            assert bool((inside.sum(-1) == 1).all())  # one open box per sample
            assert bool(torch.isinf(upper[inside]).all())
            torch.testing.assert_close(lower[inside], ref.expand(2, k))


@pytest.mark.parametrize(
    ("k", "constrained", "kernel", "reference_samples"),
    # BoTorch partitions the front of each of its samples when it is built: with three
    # objectives 4,096 samples take about 12 s here, 1,024 about 3 s (and agree to 0.03).
    [
        (2, False, "rbf", 4096),
        (3, False, "rbf", 1024),
        (2, True, "rbf", 4096),
        (2, True, "matern52", 4096),
    ],
)
def test_value_agrees_with_botorch_where_it_matters(
    k: int, constrained: bool, kernel: str, reference_samples: int
) -> None:
    lean, reference = _acqfs(k, constrained, kernel=kernel, reference_samples=reference_samples)
    assert reference is not None
    ours, theirs = _agree_where_it_matters(lean, reference, seed=3)
    assert bool((ours[theirs <= -6.0] < -4.0).all())


def assert_gradient_matches_finite_differences(lean: FastLogNEHVI, X: torch.Tensor) -> None:
    """The optimiser's gradient of ``lean`` at `b x 1 x d` points ``X`` is the central
    difference of its values."""
    X = X.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(lean(X).sum(), X)
    eps = 1e-6
    for i in range(X.shape[-1]):
        step = torch.zeros_like(X)
        step[..., i] = eps
        with torch.no_grad():
            numeric = (lean(X + step) - lean(X - step)) / (2 * eps)
        torch.testing.assert_close(grad[:, 0, i], numeric, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_gradient_matches_finite_differences(kernel: str) -> None:
    lean, _ = _acqfs(3, True, kernel=kernel, reference_samples=0)
    X = torch.rand(4, 1, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(4))
    assert_gradient_matches_finite_differences(lean, X)


def test_a_pending_point_leaves_no_improvement_there() -> None:
    lean, _ = _acqfs(2, False, reference_samples=0)
    point = torch.tensor([[0.3, 0.9, 0.2]], dtype=DTYPE)
    before = float(lean(point.unsqueeze(0)))
    lean.set_X_pending(point)
    assert lean.X_pending is not None and lean.kernel.base.shape[0] == 11
    after = float(lean(point.unsqueeze(0)))
    nearby = float(lean((point + 0.05).unsqueeze(0)))
    assert after < before - 3.0 and after < nearby - 3.0
    assert math.isfinite(after)
    with pytest.raises(ValueError, match="one point per batch"):
        lean(torch.rand(2, 2, 3, dtype=DTYPE))


def test_one_sample_is_the_posterior_mean_of_the_baseline() -> None:
    gp, X = _gp()
    post = BatchedPosterior.from_model(gp)
    assert post is not None
    objective = WeightedMCMultiOutputObjective(
        weights=torch.tensor([1.0, -1.0], dtype=DTYPE), outcomes=[0, 1]
    )
    ref = torch.full((2,), -1.5, dtype=DTYPE)
    mean_front = FastLogNEHVI(gp, post, objective, ref, X, None, None, None, 1, 0)
    assert mean_front.kernel.Z.shape == (3, 1, 10) and bool((mean_front.kernel.Z == 0).all())
    # Nearly noiseless data: the mean front is the observed front, and the value is the
    # analytic EHVI over it, close to the many-sample estimate.
    many = FastLogNEHVI(gp, post, objective, ref, X, None, None, None, 256, 0)
    Xq = torch.rand(16, 1, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        a, b = mean_front(Xq), many(Xq)
    relevant = b > -6.0
    torch.testing.assert_close(a[relevant], b[relevant], rtol=0.0, atol=0.05)


def _one_constrained_objective() -> tuple[Any, ...]:
    """The first outcome maximised subject to the third <= 0.3, on the batched GP:
    ``(gp, X, post, objective, floor, (A, b), callables)``."""
    gp, X = _gp()
    post = BatchedPosterior.from_model(gp)
    assert post is not None
    objective = LinearMCObjective(torch.tensor([1.0, 0.0, 0.0], dtype=DTYPE))
    A = torch.tensor([[0.0, 0.0, 1.0]], dtype=DTYPE)
    b = torch.tensor([[0.3]], dtype=DTYPE)
    callables = [lambda Z: Z[..., 2] - 0.3]
    floor = torch.tensor([-10.0], dtype=DTYPE)
    return gp, X, post, objective, floor, (A, b), callables


def test_one_objective_is_the_constrained_noisy_expected_improvement() -> None:
    gp, X, post, objective, floor, (A, b), callables = _one_constrained_objective()
    lean = FastLogNEHVI(gp, post, objective, floor, X, None, (A, b), callables, 256, 0)
    lower = lean.kernel.lower
    assert lower.shape == (256, 1, 1) and bool(lean.kernel.open.all())
    reference = qLogNoisyExpectedImprovement(
        gp,
        X_baseline=X,
        sampler=SobolQMCNormalSampler(sample_shape=torch.Size([4096]), seed=0),
        objective=objective,
        constraints=callables,
        prune_baseline=False,
    )
    _agree_where_it_matters(lean, reference, seed=7)


def test_stand_in_is_the_same_function_on_the_posterior_mean_of_the_baseline() -> None:
    gp, X, post, objective, floor, (A, b), callables = _one_constrained_objective()
    pending = X[:2] + 0.05
    args = (gp, post, objective, floor, X, pending, (A, b), callables, 128, 0)
    lean = FastLogNEHVI(*args, initial_mc_samples=1)
    stand_in = lean.stand_in()
    assert stand_in is not None and stand_in.mc_samples == 1
    assert stand_in.stand_in() is None  # one sample is not fewer than one
    torch.testing.assert_close(stand_in.X_pending, lean.X_pending)
    assert bool((stand_in.kernel.Z == 0).all()) and stand_in.kernel.Z.shape[-1] == 12
    # Built directly with one sample it is the same function.
    direct = FastLogNEHVI(*args[:-2], 1, 1)
    Xq = torch.rand(16, 1, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(8))
    with torch.no_grad():
        torch.testing.assert_close(stand_in(Xq), direct(Xq))
    assert FastLogNEHVI(*args).stand_in() is None  # not asked for
    assert FastLogNEHVI(*args, initial_mc_samples=128).stand_in() is None  # not cheaper
