"""The numpy constrained log NEI kernel against the torch form it replaces in the optimiser."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pytest
import torch
from botorch.acquisition.objective import LinearMCObjective

from ax.models.torch.fast_cnei import ConstrainedNEIKernel
from ax.models.torch.fast_ehvi import BatchedPosterior, FastLogNEHVI
from tests.models.torch.test_fast_ehvi import (
    DTYPE,
    _gp,
    assert_gradient_matches_finite_differences,
)

CONSTRAINTS = {
    "none": None,
    "one": ([[0.0, 0.0, 1.0]], [0.3]),
    # Two rows, one of them a combination of two outputs (one the objective's).
    "two": ([[0.0, 0.0, 1.0], [0.5, 1.0, 0.0]], [0.3, -0.2]),
}


def _lean(
    kernel: str, noise: float, constraints: str, weight: float, mc_samples: int = 128
) -> tuple[FastLogNEHVI, torch.Tensor]:
    """One objective (the second output, weighted) under ``constraints``, with two
    pending points beside observed ones."""
    gp, X = _gp(noise=noise, kernel=kernel)
    post = BatchedPosterior.from_model(gp)
    assert post is not None
    objective = LinearMCObjective(torch.tensor([0.0, weight, 0.0], dtype=DTYPE))
    spec = CONSTRAINTS[constraints]
    cons: Optional[tuple[torch.Tensor, torch.Tensor]] = None
    if spec is not None:
        cons = (torch.tensor(spec[0], dtype=DTYPE), torch.tensor(spec[1], dtype=DTYPE))
    floor = torch.tensor([-10.0], dtype=DTYPE)
    lean = FastLogNEHVI(gp, post, objective, floor, X, X[:2] + 0.03, cons, None, mc_samples, 0)
    return lean, X


def _torch_form(lean: FastLogNEHVI, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Value and autograd gradient of the kernel's torch form (``log_value``)."""
    X = torch.from_numpy(Xq.copy()).requires_grad_(True)
    value = lean.kernel.log_value(X)
    (grad,) = torch.autograd.grad(value.sum(), X)
    return value.detach().numpy(), grad.numpy()


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
@pytest.mark.parametrize("noise", [1e-6, float("nan")])
@pytest.mark.parametrize("constraints", sorted(CONSTRAINTS))
@pytest.mark.parametrize("weight", [1.0, -2.0])
def test_numpy_kernel_is_the_torch_form_with_its_autograd_gradient(
    kernel: str, noise: float, constraints: str, weight: float
) -> None:
    lean, X = _lean(kernel, noise, constraints, weight)
    assert isinstance(lean.kernel.one_objective, ConstrainedNEIKernel)
    rng = np.random.default_rng(1)
    # Random points, and observed ones, where the conditional variance is at its floor.
    Xq = np.concatenate([rng.random((6, 3)), X[:2].numpy(), X[:1].numpy() + 1e-9])
    value, grad = lean.kernel(Xq, need_grad=True)
    assert grad is not None
    expected, expected_grad = _torch_form(lean, Xq)
    assert np.isfinite(value).all() and np.isfinite(grad).all()
    np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-6)
    scale = 1.0 + np.abs(expected_grad).max(axis=1, keepdims=True)
    # Random points: the same gradient to rounding. At observed points (values near
    # -1e11, the variance at its floor) the two differ in the fourth digit, as finite
    # differences there do from both.
    np.testing.assert_allclose(grad[:6] / scale[:6], expected_grad[:6] / scale[:6], atol=1e-9)
    np.testing.assert_allclose(grad / scale, expected_grad / scale, rtol=0.0, atol=1e-3)
    no_grad_value, none = lean.kernel(Xq, need_grad=False)
    assert none is None
    np.testing.assert_array_equal(no_grad_value, value)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_the_optimisers_gradient_matches_finite_differences(kernel: str) -> None:
    lean, _ = _lean(kernel, float("nan"), "two", 1.0)
    X = torch.rand(5, 1, 3, dtype=DTYPE, generator=torch.Generator().manual_seed(4))
    assert lean.kernel.one_objective is not None  # the gradient comes from the numpy form
    assert_gradient_matches_finite_differences(lean, X)


def test_one_sample_and_samples_without_a_box_are_handled() -> None:
    lean, _ = _lean("rbf", float("nan"), "one", 1.0, mc_samples=1)
    Xq = np.random.default_rng(2).random((4, 3))
    value, grad = lean.kernel(Xq, need_grad=True)
    expected, expected_grad = _torch_form(lean, Xq)
    np.testing.assert_allclose(value, expected, rtol=1e-9)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-7, atol=1e-10)
    # A sample with an empty box counts for nothing (value -inf in it): the mean is over
    # the others, and a point where every sample's box is empty has value -inf and no
    # gradient.
    numpy_kernel = lean.kernel.one_objective
    assert numpy_kernel is not None
    numpy_kernel.log_valid[:] = -np.inf
    value, grad = numpy_kernel(Xq, need_grad=True)
    assert grad is not None
    assert np.isneginf(value).all() and (grad == 0.0).all()


def test_several_objectives_keep_the_torch_form() -> None:
    gp, X = _gp()
    post = BatchedPosterior.from_model(gp)
    assert post is not None
    from botorch.acquisition.multi_objective.objective import WeightedMCMultiOutputObjective

    objective = WeightedMCMultiOutputObjective(
        weights=torch.tensor([1.0, -1.0], dtype=DTYPE), outcomes=[0, 1]
    )
    lean = FastLogNEHVI(
        gp, post, objective, torch.full((2,), -1.5, dtype=DTYPE), X, None, None, None, 16, 0
    )
    assert lean.kernel.one_objective is None
