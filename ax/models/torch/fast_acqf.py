"""Lean log-EI and log-NEI acquisition functions on :class:`~ax.models.torch.fast.FastPosterior`.

For the standard single-output GP without outcome constraints, the acquisition value and
its gradient are computed in closed form with numpy (a few dozen array operations per
batch of points) and handed to BoTorch's optimiser through a custom autograd function,
instead of through a GPyTorch posterior and an autograd graph of a hundred small torch
operations: this is most of the time of a suggestion.

- :class:`FastLogEI`: ``log EI(x)`` of the objective ``w f(x)`` over ``best_f`` (same value
  as BoTorch's ``LogExpectedImprovement``).
- :class:`FastLogNEI`: the log noisy expected improvement of one new point. The baseline
  (observed points that are the best in some joint posterior sample, plus the pending
  points) is sampled once with quasi-MC base samples; given each baseline sample ``s``,
  ``f(x)`` is Gaussian and its improvement over ``max_b w f_s(b)`` has a closed-form
  expectation, so ``log NEI(x) = log mean_s EI_s(x)``. This is the noisy EI of Letham et
  al. (2019) with the inner expectation exact: the same quantity as BoTorch's
  ``qLogNoisyExpectedImprovement`` for ``q = 1`` (which also samples ``f(x)``), with less
  Monte-Carlo noise for the same number of samples.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np
import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.objective import LinearMCObjective
from botorch.models.model import Model
from botorch.utils.sampling import draw_sobol_normal_samples
from scipy.linalg import solve_triangular
from scipy.special import erfcx, ndtr
from torch import Tensor

from ax.models.torch.fast import (
    FastPosterior,
    np_cross_kernel,
    np_cross_kernel_grad,
    safe_cholesky,
)

PRUNE_SAMPLES = 1024
"""Joint posterior samples used to prune the NEI baseline."""

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
_MIN_VAR = 1e-12


def log_h(u: np.ndarray, need_grad: bool = True) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """``log(phi(u) + u Phi(u))`` and its derivative ``Phi(u) / (phi(u) + u Phi(u))``.

    Accurate for all finite ``u``: direct for ``u >= -1``; below, through the scaled
    complementary error function, with an asymptotic series for ``u < -100``. Each
    branch is computed on its own elements only.

    Returns:
        ``(value, derivative)``; the derivative is None unless ``need_grad``.
    """
    u = np.maximum(u, -1e100)
    value = np.empty_like(u)
    grad = np.empty_like(u) if need_grad else None
    upper = u >= -1.0
    uu = u[upper]
    Phi = ndtr(uu)
    h = np.exp(-0.5 * uu * uu) / math.sqrt(2.0 * math.pi) + uu * Phi
    value[upper] = np.log(h)
    if grad is not None:
        grad[upper] = Phi / h
    lower = ~upper
    ul = u[lower]
    r = _SQRT_PI_2 * erfcx(-ul / math.sqrt(2.0))  # Phi(u) / phi(u)
    one_plus = 1.0 + ul * r
    far = ul < -100.0
    if far.any():  # 1 + u r cancels: use its asymptotic series
        inv2 = 1.0 / (ul[far] * ul[far])
        one_plus[far] = inv2 * (1.0 - 3.0 * inv2 + 15.0 * inv2 * inv2)
    value[lower] = -0.5 * ul * ul - _LOG_SQRT_2PI + np.log(one_plus)
    if grad is not None:
        grad[lower] = r / one_plus
    return value, grad


class _Kernel:
    """Numpy value and gradient of log (N)EI at a batch of points.

    Without a baseline (``Z`` None) this is log EI over the fixed ``best``; with one, the
    log of the mean over the baseline samples of the conditional EI.
    """

    def __init__(
        self,
        fast: FastPosterior,
        weight: float,
        best: np.ndarray,
        X_base: Optional[np.ndarray] = None,
        L_base: Optional[np.ndarray] = None,
        Z: Optional[np.ndarray] = None,
    ) -> None:
        self.X = fast.X.numpy()
        self.inv_ls = fast.inv_ls.reshape(-1).numpy()
        self.inv_ls2 = self.inv_ls**2
        self.kind = fast.kernel
        self.const = float(fast.const)
        # Explicit inverses of the triangular factors: a matmul per call instead of a
        # triangular solve through scipy's wrappers (which cost more than the solve).
        self.L_inv = fast.L_inv_numpy()
        self.alpha = fast.alpha.numpy()
        self.weight = weight
        self.best = best  # S
        self.X_base = X_base
        self.Z = Z  # S x b
        if X_base is not None:
            assert L_base is not None
            self.L_base_inv = solve_triangular(L_base, np.eye(L_base.shape[0]), lower=True)
            k_b = self._kernel(X_base)[0].T  # n x b
            self.M_base = self.L_inv.T @ (self.L_inv @ k_b)  # K^{-1} k(X, X_base)

    def _kernel(
        self, Xq: np.ndarray, Xt: Optional[np.ndarray] = None, slope: bool = False
    ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """``k(Xq, Xt)``, `B x n` (``Xt`` defaults to the training points), and with
        ``slope`` its slope ``G`` (see :func:`~ax.models.torch.fast.np_kernel`)."""
        return np_cross_kernel(Xq, self.X if Xt is None else Xt, self.inv_ls, self.kind, slope)

    def _dkernel(self, G: np.ndarray, Xq: np.ndarray, Xt: np.ndarray) -> np.ndarray:
        """Gradient of ``k(Xq, Xt)`` with respect to ``Xq``, `B x n x d`, from the slope
        ``G`` (`B x n`) of :meth:`_kernel`."""
        return np_cross_kernel_grad(G, Xq, Xt, self.inv_ls2)

    def __call__(self, Xq: np.ndarray, need_grad: bool) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Values (`B`) and gradients (`B x d`, or None) at `B x d` points ``Xq``."""
        k, G = self._kernel(Xq, slope=need_grad)
        v = self.L_inv @ k.T  # n x B
        mean = self.const + k @ self.alpha
        var = 1.0 - (v * v).sum(0)
        if self.X_base is None:
            a = None
            cond_var = var
        else:
            k_b, G_b = self._kernel(Xq, self.X_base, slope=need_grad)
            cross = k_b - k @ self.M_base  # B x b
            a = self.L_base_inv @ cross.T  # b x B
            cond_var = var - (a * a).sum(0)
        clamped = cond_var < _MIN_VAR
        sd = np.sqrt(np.where(clamped, _MIN_VAR, cond_var))
        w, aw = self.weight, abs(self.weight)
        m = mean[None, :] if a is None else mean[None, :] + self.Z @ a  # S x B
        u = (w * m - self.best[:, None]) / (aw * sd)
        lh, g = log_h(u, need_grad)
        log_ei = lh + np.log(aw * sd)  # S x B
        top = log_ei.max(axis=0)
        weights = np.exp(log_ei - top)
        total = weights.sum(axis=0)
        value = top + np.log(total / log_ei.shape[0])
        if not need_grad:
            return value, None
        weights /= total
        # Gradients of the posterior pieces with respect to the B points.
        assert g is not None
        assert G is not None
        dk = self._dkernel(G, Xq, self.X)  # B x n x d
        dmean = np.einsum("bnd,n->bd", dk, self.alpha)
        Kinv_k = self.L_inv.T @ v  # n x B
        dvar = -2.0 * np.einsum("bnd,nb->bd", dk, Kinv_k)
        if a is None:
            dcond = dvar
            dm = dmean[None]
        else:
            assert self.X_base is not None and self.Z is not None
            assert G_b is not None
            dk_b = self._dkernel(G_b, Xq, self.X_base)  # B x b x d
            dcross = dk_b - np.einsum("bnd,nj->bjd", dk, self.M_base)
            B, nb, d = dcross.shape
            da = (self.L_base_inv @ dcross.transpose(1, 0, 2).reshape(nb, B * d)).reshape(nb, B, d)
            dcond = dvar - 2.0 * np.einsum("jb,jbd->bd", a, da)
            dm = dmean[None] + np.einsum("sj,jbd->sbd", self.Z, da)  # S x B x d
        dsd = np.where(clamped, 0.0, 0.5 / sd)[:, None] * dcond  # B x d
        dlog_sd = dsd / sd[:, None]
        # d log EI_s = dlog_sd + g * (w dm / (|w| sd) - u dlog_sd)
        coef = weights * g  # S x B
        grad = dlog_sd * (1.0 - (coef * u).sum(0))[:, None]
        grad = grad + (w / aw) * np.einsum("sb,sbd->bd", coef, dm) / sd[:, None]
        return value, grad


class _KernelFunction(torch.autograd.Function):
    """Autograd bridge: the value from a :class:`_Kernel`, the saved gradient backward."""

    @staticmethod
    def forward(ctx: Any, X: Tensor, kernel: _Kernel) -> Tensor:
        points = X.detach().reshape(-1, X.shape[-1]).numpy()
        value, grad = kernel(points, need_grad=bool(ctx.needs_input_grad[0]))
        if grad is not None:
            ctx.save_for_backward(torch.from_numpy(grad).reshape(X.shape))
        return torch.from_numpy(value).reshape(X.shape[:-2])

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tuple[Tensor, None]:
        (grad,) = ctx.saved_tensors
        return grad_output[..., None, None] * grad, None


class FastAcquisition(AcquisitionFunction):
    """Base: a lean acquisition over one point per batch (`batch x 1 x d` inputs)."""

    kernel: _Kernel

    def __init__(self, model: Model, weight: float, X_baseline: Tensor) -> None:
        super().__init__(model=model)
        self.weight = weight
        # For BoTorch's starting points around the incumbent: observed points and the
        # objective that ranks them.
        self.X_baseline = X_baseline
        self.objective = LinearMCObjective(torch.tensor([weight], dtype=X_baseline.dtype))

    def forward(self, X: Tensor) -> Tensor:
        """Log (N)EI at `batch x 1 x d` points; returns `batch` values."""
        if X.shape[-2] != 1:
            raise ValueError(
                f"{type(self).__name__} evaluates one point per batch, got q={X.shape[-2]}"
            )
        return _KernelFunction.apply(X, self.kernel)


class FastLogEI(FastAcquisition):
    """Analytic log expected improvement on the lean posterior.

    Args:
        model: The model (kept for BoTorch's optimiser helpers).
        fast: Its lean posterior.
        weight: Objective weight ``w`` (its sign sets the direction).
        best_f: Incumbent value of the objective ``w f``.
        X_baseline: Observed points.
    """

    def __init__(
        self, model: Model, fast: FastPosterior, weight: float, best_f: float, X_baseline: Tensor
    ) -> None:
        super().__init__(model, weight, X_baseline)
        self.kernel = _Kernel(fast, weight, np.array([best_f], dtype=np.float64))


class FastLogNEI(FastAcquisition):
    """Log noisy expected improvement of one new point on the lean posterior.

    Args:
        model: The model (kept for BoTorch's optimiser helpers).
        fast: Its lean posterior.
        weight: Objective weight ``w``.
        X_observed: `N x d` observed points.
        X_pending: `p x d` pending points (added to the baseline), or None.
        mc_samples: Quasi-MC samples of the baseline.
        seed: Seed of the base samples.
        prune: Keep only observed points that are the best in some posterior sample.
    """

    def __init__(
        self,
        model: Model,
        fast: FastPosterior,
        weight: float,
        X_observed: Tensor,
        X_pending: Optional[Tensor],
        mc_samples: int,
        seed: int,
        prune: bool = True,
    ) -> None:
        super().__init__(model, weight, X_observed)
        with torch.no_grad():
            base = prune_baseline(fast, weight, X_observed, seed) if prune else X_observed
            if X_pending is not None and X_pending.shape[0]:
                base = torch.cat([base, X_pending])
            mean_b, cov_b, _ = fast.joint(base)
            L_b = safe_cholesky(cov_b)
            Z = draw_sobol_normal_samples(
                d=base.shape[0], n=mc_samples, dtype=base.dtype, seed=seed
            )
            best = (weight * (mean_b + Z @ L_b.T)).max(dim=-1).values
        self.X_base = base
        self.kernel = _Kernel(
            fast, weight, best.numpy(), X_base=base.numpy(), L_base=L_b.numpy(), Z=Z.numpy()
        )


def prune_baseline(fast: FastPosterior, weight: float, X: Tensor, seed: int) -> Tensor:
    """Points of ``X`` that are the best (by ``weight * f``) in some joint posterior sample.

    Points whose mean plus 6 standard deviations falls below the best mean minus 6
    standard deviations cannot win any realistic sample and are dropped first, so the
    joint sampling runs on a handful of contenders.
    """
    if X.shape[0] <= 1:
        return X
    mean, var = fast.mean_var(X)
    obj, sd = weight * mean, abs(weight) * var.sqrt()
    contenders = X[obj + 6.0 * sd >= (obj - 6.0 * sd).max()]
    if contenders.shape[0] <= 1:
        return contenders
    mean, cov, _ = fast.joint(contenders)
    L = safe_cholesky(cov)
    Z = draw_sobol_normal_samples(
        d=contenders.shape[0], n=PRUNE_SAMPLES, dtype=X.dtype, seed=seed + 1
    )
    best = (weight * (mean + Z @ L.T)).argmax(dim=-1)
    return contenders[torch.unique(best)]


__all__ = ["FastAcquisition", "FastLogEI", "FastLogNEI", "log_h", "prune_baseline"]
