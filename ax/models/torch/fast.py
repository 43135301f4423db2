"""Lean marginal likelihood and posterior of the standard GP, checked against GPyTorch.

Most of the time of a small BoTorch suggestion is Python overhead around GPyTorch's
marginal likelihood and posterior, not arithmetic. For the model that
:func:`~ax.models.torch.defaults.build_model` builds (a ``SingleTaskGP`` with an ARD
Matérn-5/2 or RBF kernel without output scale, a constant mean, inferred or fixed
Gaussian noise, log-normal priors or the SAAS lengthscale prior
(:mod:`ax.models.torch.saas_prior`), unconstrained-transform bounds, no input or outcome
transform), this module computes the same quantities with a handful of torch operations:

- :func:`fast_fit` maximises the same objective as BoTorch's ``fit_gpytorch_mll`` (the
  exact marginal log likelihood plus the log priors, divided by ``n``) with scipy's
  L-BFGS-B under the same bounds, then writes the result back into the model. The
  one-hot columns of a categorical parameter may share one lengthscale, with its own
  prior (see :class:`_TiedObjective`).
- :class:`FastPosterior` caches the Cholesky factor of the training covariance once per
  suggestion and returns latent means, variances and joint covariances.

Both check that the model is the one they assume (:func:`standard_parts`) and compare
their numbers with GPyTorch's once per use (tolerance :data:`CHECK_TOL`); on any
mismatch they decline, and the caller takes BoTorch's general path.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, List, Optional, Sequence, Tuple

import gpytorch
import numpy as np
import torch
from botorch.models import SingleTaskGP
from gpytorch.constraints import GreaterThan
from gpytorch.kernels import MaternKernel, RBFKernel
from gpytorch.likelihoods import FixedNoiseGaussianLikelihood, GaussianLikelihood
from gpytorch.means import ConstantMean
from gpytorch.mlls import ExactMarginalLogLikelihood
from gpytorch.priors import LogNormalPrior
from scipy.linalg import solve_triangular
from scipy.linalg.lapack import dpotrf, dpotri
from scipy.optimize import minimize
from torch import Tensor

from ax.models.torch.saas_prior import TAU_PARAMETER, has_saas_prior, saas_terms, tau_terms

CHECK_TOL = 1e-6
"""Largest relative difference from GPyTorch accepted by the numerical checks."""

MAX_N = 800
"""Above this many points GPyTorch leaves Cholesky for iterative solvers: the lean fit
is not used there."""

MAX_POSTERIOR_N = 2000
"""Most training points of the lean posterior (checked against GPyTorch's Cholesky-based
posterior, forced for the check above :data:`MAX_N`)."""

TRAIN_SHORTCUT_N = 800
"""From this many training points on, posterior statistics at the training points are
computed once per posterior by closed-form identities (see :meth:`FastPosterior.mean_var`)."""

JITTERS = (0.0, 1e-8, 1e-7, 1e-6, 1e-5)
"""Diagonal jitter tried in turn when a Cholesky factorisation fails (as GPyTorch does)."""

_LOG_2PI = math.log(2.0 * math.pi)
_SQRT5 = math.sqrt(5.0)

KERNELS = ("rbf", "matern52")
"""Stationary kernels of the lean path: ``"rbf"`` (``exp(-r^2 / 2)``) and ``"matern52"``
(``(1 + a + a^2 / 3) exp(-a)`` with ``a = sqrt(5) r``), ``r`` the distance of the inputs
scaled by the lengthscales."""


@dataclass(frozen=True)
class StandardParts:
    """The pieces of a standard GP that the lean computations need.

    Attributes:
        X: `n x d` training inputs.
        Y: `m x n` training targets (one row per batched output).
        fixed_noise: `m x n` known noise variances, or None when the noise is inferred.
        ls_prior: ``(loc, scale)`` of the log-normal lengthscale prior, or None.
        saas: Whether the lengthscales have the SAAS prior instead (then ``ls_prior``
            is None and ``log tau`` is one more hyperparameter).
        noise_prior: ``(loc, scale)`` of the log-normal noise prior, or None.
        ls_lower: Lower bound of the lengthscales.
        noise_lower: Lower bound of the inferred noise (unused for fixed noise).
        kernel: The stationary kernel, one of :data:`KERNELS`.
    """

    X: Tensor
    Y: Tensor
    fixed_noise: Optional[Tensor]
    ls_prior: Optional[Tuple[float, float]]
    noise_prior: Optional[Tuple[float, float]]
    ls_lower: float
    noise_lower: float
    kernel: str
    saas: bool = False

    @property
    def m(self) -> int:
        return int(self.Y.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[-1])


def _lognormal(prior: object) -> Optional[Tuple[float, float]]:
    """``(loc, scale)`` of a scalar log-normal prior; raises ValueError for anything else."""
    if prior is None:
        return None
    if type(prior) is not LogNormalPrior:
        raise ValueError("not a log-normal prior")
    loc, scale = prior.loc, prior.scale  # type: ignore[attr-defined]
    if loc.numel() != 1 or scale.numel() != 1:
        raise ValueError("not a scalar prior")
    return float(loc), float(scale)


def _lower(constraint: object) -> float:
    """Lower bound of an untransformed ``GreaterThan``; raises ValueError otherwise."""
    if type(constraint) is not GreaterThan or constraint.enforced:  # type: ignore[attr-defined]
        raise ValueError("not an untransformed lower bound")
    return float(constraint.lower_bound)  # type: ignore[attr-defined]


def standard_parts(model: object, max_n: int = MAX_N) -> Optional[StandardParts]:
    """The model's :class:`StandardParts`, or None when it is not the standard GP (or
    has more than ``max_n`` training points)."""
    if type(model) is not SingleTaskGP:
        return None
    try:
        if getattr(model, "outcome_transform", None) is not None:
            return None
        if getattr(model, "input_transform", None) is not None:
            return None
        covar, mean, lik = model.covar_module, model.mean_module, model.likelihood
        kernel = _kernel_name(covar)
        if kernel is None or type(mean) is not ConstantMean:
            return None
        if covar.active_dims is not None or list(mean.named_priors()):
            return None
        saas = has_saas_prior(covar)
        if (not saas and len(list(covar.named_priors())) > 1) or len(list(lik.named_priors())) > 1:
            return None
        X = model.train_inputs[0]
        Y = model.train_targets
        if X.ndim == 3:  # batched outputs share X
            if not bool((X[:1] == X).all()):
                return None
            X = X[0]
        Y = Y.reshape(-1, X.shape[0])
        if X.ndim != 2 or X.shape[0] > max_n or covar.lengthscale.shape[-1] != X.shape[-1]:
            return None
        fixed = None
        noise_prior = None
        noise_lower = 0.0
        if type(lik) is FixedNoiseGaussianLikelihood:
            if getattr(lik, "second_noise_covar", None) is not None:
                return None
            fixed = lik.noise_covar.noise.reshape(Y.shape)
        elif type(lik) is GaussianLikelihood:
            noise_lower = _lower(lik.noise_covar.raw_noise_constraint)
            noise_prior = _lognormal(getattr(lik.noise_covar, "noise_prior", None))
        else:
            return None
        return StandardParts(
            X=X.detach(),
            Y=Y.detach(),
            fixed_noise=None if fixed is None else fixed.detach(),
            ls_prior=None if saas else _lognormal(getattr(covar, "lengthscale_prior", None)),
            noise_prior=noise_prior,
            ls_lower=_lower(covar.raw_lengthscale_constraint),
            noise_lower=noise_lower,
            kernel=kernel,
            saas=saas,
        )
    except (AttributeError, ValueError, RuntimeError):
        return None


def _kernel_name(covar: object) -> Optional[str]:
    """The :data:`KERNELS` name of a GPyTorch kernel, or None when the lean path has none."""
    if type(covar) is RBFKernel:
        return "rbf"
    if type(covar) is MaternKernel and covar.nu == 2.5:  # type: ignore[attr-defined]
        return "matern52"
    return None


def _same_hyperparameters(a: object, b: object) -> bool:
    """Whether two standard GPs have identical parameters (names and values)."""
    pa = dict(a.named_parameters())  # type: ignore[attr-defined]
    pb = dict(b.named_parameters())  # type: ignore[attr-defined]
    return pa.keys() == pb.keys() and all(
        pa[k].shape == pb[k].shape and bool(torch.equal(pa[k], pb[k])) for k in pa
    )


def scaled_sq_dist(X1: Tensor, X2: Tensor, inv_ls: Tensor) -> Tensor:
    """Squared distances of the inputs scaled by ``inv_ls``, clamped at 0.

    Args:
        X1: `... x a x d` inputs.
        X2: `... x b x d` inputs.
        inv_ls: `... x 1 x d` inverse lengthscales.

    Returns:
        `... x a x b` squared distances.
    """
    A = X1 * inv_ls
    B = X2 * inv_ls
    sq = (
        (A * A).sum(-1, keepdim=True)
        - 2.0 * A @ B.transpose(-1, -2)
        + (B * B).sum(-1).unsqueeze(-2)
    )
    return sq.clamp_min(0.0)


class _Matern52OfSq(torch.autograd.Function):
    """Matérn-5/2 as a function of the squared scaled distance, with the closed-form
    derivative ``-5/6 (1 + a) exp(-a)``: finite at 0, where autograd through the square
    root would give 0 * inf."""

    @staticmethod
    def forward(ctx: Any, sq: Tensor) -> Tensor:
        a = _SQRT5 * sq.sqrt()
        e = torch.exp(-a)
        ctx.save_for_backward(a, e)
        return (1.0 + a + (5.0 / 3.0) * sq) * e

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        a, e = ctx.saved_tensors
        return grad * (-(5.0 / 6.0) * (1.0 + a) * e)


def kernel_matrix(X1: Tensor, X2: Tensor, inv_ls: Tensor, kernel: str) -> Tensor:
    """Stationary kernel matrix (unit output scale) on inputs scaled by ``inv_ls``.

    Args:
        X1: `... x a x d` inputs.
        X2: `... x b x d` inputs.
        inv_ls: `... x 1 x d` inverse lengthscales.
        kernel: One of :data:`KERNELS`.

    Returns:
        `... x a x b` kernel matrix.
    """
    sq = scaled_sq_dist(X1, X2, inv_ls)
    if kernel == "rbf":
        return torch.exp(-0.5 * sq)
    if kernel == "matern52":
        return _Matern52OfSq.apply(sq)
    raise ValueError(f"kernel_matrix: unknown kernel {kernel!r}, known: {list(KERNELS)}")


def np_kernel(
    sq: np.ndarray, kernel: str, slope: bool = False
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Kernel values from squared scaled distances, in numpy, and optionally their slope.

    Args:
        sq: Squared scaled distances (any shape, non-negative).
        kernel: One of :data:`KERNELS`.
        slope: Also return ``G = -2 dk / d sq``, so that the derivative of ``k`` with
            respect to a lengthscale ``l_i`` is ``G * sq_i / l_i^3`` and with respect to
            an input ``x_i`` is ``-G * (x_i - x'_i) / l_i^2`` (``sq_i`` the unscaled
            squared difference along ``i``). For the RBF ``G = k``.

    Returns:
        ``(k, G)``, each of the shape of ``sq`` (``G`` None unless ``slope``).
    """
    if kernel == "rbf":
        k = np.exp(-0.5 * sq)
        return k, (k if slope else None)
    if kernel == "matern52":
        a = _SQRT5 * np.sqrt(sq)
        e = np.exp(-a)
        k = (1.0 + a + (5.0 / 3.0) * sq) * e
        return k, ((5.0 / 3.0) * (1.0 + a) * e if slope else None)
    raise ValueError(f"np_kernel: unknown kernel {kernel!r}, known: {list(KERNELS)}")


def np_cross_kernel(
    Xq: np.ndarray, Xt: np.ndarray, inv_ls: np.ndarray, kernel: str, slope: bool = False
) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """``k(Xq, Xt)`` in numpy, and optionally its slope (:func:`np_kernel`).

    Args:
        Xq: `B x d` points.
        Xt: `t x d` points.
        inv_ls: `d` inverse lengthscales, or `m x d` (one kernel per output).
        kernel: One of :data:`KERNELS`.
        slope: Also return the slope ``G``.

    Returns:
        ``(k, G)``, each `B x t` (`m x B x t` for `m x d` ``inv_ls``).
    """
    scale = inv_ls[..., None, :]
    A = Xq * scale
    T = Xt * scale
    sq = (
        (A * A).sum(-1)[..., None]
        + (T * T).sum(-1)[..., None, :]
        - 2.0 * (A @ np.swapaxes(T, -1, -2))
    )
    return np_kernel(np.maximum(sq, 0.0), kernel, slope)


def np_cross_kernel_grad(
    G: np.ndarray, Xq: np.ndarray, Xt: np.ndarray, inv_ls2: np.ndarray
) -> np.ndarray:
    """Gradient of ``k(Xq, Xt)`` with respect to ``Xq`` from the slope ``G`` of
    :func:`np_cross_kernel` (`B x t`, or `m x B x t`) and the squared inverse
    lengthscales (`d`, or `m x d`): `B x t x d` (or `m x B x t x d`)."""
    return -(G[..., None] * (Xq[:, None, :] - Xt[None, :, :])) * inv_ls2[..., None, None, :]


def safe_cholesky(K: Tensor) -> Tensor:
    """Cholesky factor of ``K`` with growing diagonal jitter where needed.

    Raises:
        torch.linalg.LinAlgError: ``K`` is not positive definite even with jitter.
    """
    eye = torch.eye(K.shape[-1], dtype=K.dtype)
    for jitter in JITTERS:
        L, info = torch.linalg.cholesky_ex(K + jitter * eye if jitter else K)
        if not bool((info > 0).any()):
            return L
    raise torch.linalg.LinAlgError("matrix is not positive definite, even with jitter")


def _lognormal_each(
    x: np.ndarray, loc: float | np.ndarray, scale: float
) -> Tuple[np.ndarray, np.ndarray]:
    """Log density of a log-normal prior at each entry of ``x``, and its derivative."""
    logx = np.log(x)
    z = (logx - loc) / scale
    return -logx - math.log(scale) - 0.5 * _LOG_2PI - 0.5 * z * z, (-1.0 - z / scale) / x


def _lognormal_terms(x: np.ndarray, prior: Tuple[float, float]) -> Tuple[float, np.ndarray]:
    """Log density of a log-normal prior at ``x`` (summed) and its gradient."""
    value, grad = _lognormal_each(x, *prior)
    return float(np.sum(value)), grad


def categorical_lengthscale_factor(k: int) -> float:
    """Scale of the lengthscale prior of a ``k``-category one-hot group, relative to a
    unit-interval input's.

    BoTorch's dimension-scaled prior grows the lengthscales with the square root of the
    number of inputs because each input adds, on average, the same squared distance
    between two random points: ``1/6`` for a uniform input on ``[0, 1]``. A category
    change moves a one-hot vector by a squared distance of 2, and two random points
    differ in category with probability ``1 - 1/k``: ``2 (1 - 1/k)`` on average, 8 times
    a continuous input's for ``k = 3``. With the lengthscale scaled by
    ``sqrt(12 (1 - 1/k))`` a categorical parameter counts, at the prior, as much as a
    continuous one. Unscaled, a category change correlated about 0.27 at the prior's
    mode (Matérn-5/2): the model saw categories as nearly unrelated and, on the suite's
    categorical Ackley, tuned the continuous inputs for about 20 trials before trying
    another category.

    Raises:
        ValueError: ``k`` below 2 (a choice needs two categories).

    Example:
        >>> round(categorical_lengthscale_factor(3), 4)
        2.8284
    """
    if k < 2:
        raise ValueError(
            f"categorical_lengthscale_factor: k={k}; a choice has at least 2 categories"
        )
    return math.sqrt(12.0 * (1.0 - 1.0 / k))


class _Objective:
    """Negative MAP objective of one output of the standard GP, with analytic gradient.

    ``-(log N(y | c, K + noise) + log priors) / n`` on the flat vector
    ``(lengthscales (d), [noise (inferred noise only)], constant, [log tau (SAAS prior
    only)])``: the objective of BoTorch's ``fit_gpytorch_mll`` for this model, in numpy
    (a few BLAS calls per evaluation instead of a GPyTorch graph).
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        fixed_noise: Optional[np.ndarray],
        parts: StandardParts,
    ) -> None:
        n, d = X.shape
        self.n, self.d = n, d
        self.y = y
        self.fixed_noise = fixed_noise
        self.ls_prior = parts.ls_prior
        self.saas = parts.saas
        self.noise_prior = parts.noise_prior if fixed_noise is None else None
        self.sq = ((X[:, None, :] - X[None, :, :]) ** 2).reshape(n * n, d)
        self.kernel = parts.kernel
        self.eye = np.eye(n)
        noise_bounds: List[Tuple[Optional[float], None]] = (
            [] if fixed_noise is not None else [(parts.noise_lower, None)]
        )
        tau_bounds: List[Tuple[Optional[float], None]] = [(None, None)] if self.saas else []
        self.bounds = [(parts.ls_lower, None)] * d + noise_bounds + [(None, None)] + tau_bounds
        self.positive = np.array([True] * (d + len(noise_bounds)) + [False] * (1 + self.saas))
        self.i_const = d + len(noise_bounds)

    def ls_prior_each(
        self, ls: np.ndarray, theta: np.ndarray, shift: float | np.ndarray = 0.0
    ) -> Optional[Tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]]:
        """The lengthscale prior's log density at each of ``ls`` (each divided by
        ``exp(shift)`` first), its derivatives in ``ls`` and, for the SAAS prior, in
        ``log tau`` (read from ``theta``, a full or tied parameter vector: it is last);
        None without a lengthscale prior."""
        if self.saas:
            return saas_terms(ls, float(theta[-1]), shift)
        if self.ls_prior is None:
            return None
        loc, scale = self.ls_prior
        value, grad = _lognormal_each(ls, loc + shift, scale)
        return value, grad, None

    def __call__(self, theta: np.ndarray) -> Tuple[float, np.ndarray]:
        n, d = self.n, self.d
        ls = theta[:d]
        const = theta[self.i_const]
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            Kr, G = np_kernel((self.sq @ (1.0 / (ls * ls))).reshape(n, n), self.kernel, True)
        if not np.all(np.isfinite(Kr)):
            # A lengthscale so small that 1 / ls**2 overflowed (a line-search step far
            # out): an infinite loss makes L-BFGS-B step back.
            return math.inf, np.zeros_like(theta)
        if self.fixed_noise is not None:
            K = Kr + np.diag(self.fixed_noise)
        else:
            K = Kr + theta[d] * self.eye
        L = _np_cholesky(K)
        if L is None:
            return math.inf, np.zeros_like(theta)
        K_inv, info = dpotri(L, lower=1)
        if info != 0:
            return math.inf, np.zeros_like(theta)
        K_inv = np.tril(K_inv) + np.tril(K_inv, -1).T  # dpotri fills the lower triangle
        r = self.y - const
        alpha = K_inv @ r
        mll = -0.5 * float(r @ alpha) - float(np.log(np.diagonal(L)).sum()) - 0.5 * n * _LOG_2PI
        W = np.outer(alpha, alpha) - K_inv
        grad = np.empty_like(theta)
        # A nearly singular K makes W huge: treat an overflowing gradient like a failed
        # Cholesky (infinite loss), so that the line search steps back.
        with np.errstate(over="ignore", invalid="ignore"):
            grad[:d] = 0.5 * ((W * G).reshape(-1) @ self.sq) / (ls * ls * ls)
        if not np.all(np.isfinite(grad[:d])):
            return math.inf, np.zeros_like(theta)
        grad[self.i_const] = float(alpha.sum())
        prior = self.ls_prior_each(ls, theta)
        if prior is not None:
            ls_value, g, g_tau = prior
            mll += float(np.sum(ls_value))
            grad[:d] += g
            if g_tau is not None:
                tau_value, tau_grad = tau_terms(float(theta[-1]))
                mll += tau_value
                grad[-1] = float(np.sum(g_tau)) + tau_grad
        if self.fixed_noise is None:
            noise = theta[d : d + 1]
            grad[d] = 0.5 * float(np.trace(W))
            if self.noise_prior is not None:
                value, g = _lognormal_terms(noise, self.noise_prior)
                mll += value
                grad[d] += float(g[0])
        if not math.isfinite(mll):
            return math.inf, np.zeros_like(theta)
        return -mll / n, -grad / n


class _TiedObjective:
    """:class:`_Objective` with the lengthscales of each one-hot group equal, each group's
    lengthscale prior counted once and on the categorical scale.

    For the one-hot columns of an unordered choice this makes the kernel a function
    of whether two points have the same category (for the RBF ``exp(-[a != b] / l**2)``,
    the overlap or Hamming kernel of categorical BO), with one lengthscale per parameter
    instead of one per category: the same model family, fewer hyperparameters to fit
    from few points.

    The likelihood is the full objective's at the expanded point. The lengthscale prior
    is not: the full objective has it once per column, so a ``k``-category group would
    have it ``k`` times, pinning a 50-category parameter's lengthscale at the prior's
    mode. Here each group has it once, on the lengthscale divided by
    :func:`categorical_lengthscale_factor`. The gradient is summed over each group.

    Args:
        objective: The untied objective (``d`` lengthscales first).
        groups: Disjoint lists of dimensions sharing a lengthscale: the one-hot columns
            of one unordered choice each.
    """

    def __init__(self, objective: _Objective, groups: Sequence[Sequence[int]]) -> None:
        d = objective.d
        grouped = {j for group in groups for j in group}
        columns = [list(group) for group in groups] + [[j] for j in range(d) if j not in grouped]
        self.expansion = np.zeros((d, len(columns)))
        for c, dims in enumerate(columns):
            self.expansion[dims, c] = 1.0
        self.objective, self.d, self.columns = objective, d, columns
        r = len(columns)
        self.bounds = [objective.bounds[0]] * r + objective.bounds[d:]
        self.positive = np.concatenate([np.ones(r, dtype=bool), objective.positive[d:]])
        self.group_sizes = np.array([len(group) for group in groups], dtype=float)
        self.group_shift = np.log([categorical_lengthscale_factor(len(g)) for g in groups])

    def expand(self, u: np.ndarray) -> np.ndarray:
        """The full parameter vector of the tied one ``u``."""
        r = len(self.columns)
        return np.concatenate([self.expansion @ u[:r], u[r:]])

    def tie(self, theta: np.ndarray) -> np.ndarray:
        """A tied vector from a full one: each group's geometric mean lengthscale."""
        ls = theta[: self.d]
        shared = [math.exp(float(np.mean(np.log(ls[dims])))) for dims in self.columns]
        return np.concatenate([np.array(shared), theta[self.d :]])

    def __call__(self, u: np.ndarray) -> Tuple[float, np.ndarray]:
        value, grad = self.objective(self.expand(u))
        grad = np.concatenate([self.expansion.T @ grad[: self.d], grad[self.d :]])
        g = len(self.group_sizes)
        if not g or not math.isfinite(value):
            return value, grad
        # The objective is -(log likelihood + log priors) / n: take out each group's k
        # per-column prior terms and put in its one categorical term.
        ls = u[:g]  # the groups come first in ``columns``
        per_column = self.objective.ls_prior_each(ls, u)
        own = self.objective.ls_prior_each(ls, u, self.group_shift)
        if per_column is None or own is None:
            return value, grad
        n = self.objective.n
        value += float(np.sum(self.group_sizes * per_column[0] - own[0])) / n
        grad[:g] += (self.group_sizes * per_column[1] - own[1]) / n
        if per_column[2] is not None and own[2] is not None:
            grad[-1] += float(np.sum(self.group_sizes * per_column[2] - own[2])) / n
        return value, grad


def _np_cholesky(K: np.ndarray) -> Optional[np.ndarray]:
    """Lower Cholesky factor of ``K`` with growing jitter, or None if it fails."""
    for jitter in JITTERS:
        L, info = dpotrf(K + jitter * np.eye(K.shape[0]) if jitter else K, lower=1, clean=1)
        if info == 0:
            return L
    return None


def _params(model: SingleTaskGP, parts: StandardParts) -> List[Tensor]:
    """The raw parameters in objective order: lengthscale, [noise], constant, [log tau]."""
    params = [model.covar_module.raw_lengthscale]
    if parts.fixed_noise is None:
        params.append(model.likelihood.noise_covar.raw_noise)
    params.append(model.mean_module.raw_constant)
    if parts.saas:
        params.append(getattr(model.covar_module, TAU_PARAMETER))
    return params


def _read_theta(model: SingleTaskGP, parts: StandardParts, j: int) -> np.ndarray:
    """Output ``j``'s parameters as one flat float64 vector."""
    m = parts.m
    return np.concatenate(
        [p.detach().reshape(m, -1)[j].numpy().astype(np.float64) for p in _params(model, parts)]
    )


def _write_theta(model: SingleTaskGP, parts: StandardParts, j: int, theta: np.ndarray) -> None:
    m, start = parts.m, 0
    with torch.no_grad():
        for param in _params(model, parts):
            view = param.view(m, -1)
            size = view.shape[1]
            view[j] = torch.as_tensor(theta[start : start + size], dtype=param.dtype)
            start += size


class _LogSpace:
    """The positive parameters (lengthscales, noise) optimised through their logarithms.

    Same objective and bounds as BoTorch's fit, reparametrised: scale-free steps make
    L-BFGS-B converge in fewer iterations from a warm start.
    """

    def __init__(self, objective: _Objective | _TiedObjective) -> None:
        self.pos = objective.positive
        self.bounds = [
            (math.log(lo) if p and lo is not None and lo > 0 else (None if p else lo), hi)
            for p, (lo, hi) in zip(self.pos, objective.bounds)
        ]

    def to_u(self, theta: np.ndarray) -> np.ndarray:
        u = theta.astype(np.float64).copy()
        u[self.pos] = np.log(theta[self.pos])
        return u

    def from_u(self, u: np.ndarray) -> np.ndarray:
        theta = u.copy()
        theta[self.pos] = np.exp(u[self.pos])
        return theta

    def wrap(
        self, f: Callable[[np.ndarray], Tuple[float, np.ndarray]]
    ) -> Callable[[np.ndarray], Tuple[float, np.ndarray]]:
        def in_log_space(u: np.ndarray) -> Tuple[float, np.ndarray]:
            with np.errstate(over="ignore"):
                theta = self.from_u(u)
            if not np.all(np.isfinite(theta)) or np.any(theta[self.pos] <= 0.0):
                # A line-search step far out (exp overflowed or underflowed): an
                # infinite loss makes L-BFGS-B step back.
                return math.inf, np.zeros_like(u)
            value, grad = f(theta)
            grad = grad.copy()
            grad[self.pos] *= theta[self.pos]
            return value, grad

        return in_log_space


class _Best:
    """The best point an optimisation has evaluated (L-BFGS-B may end elsewhere)."""

    def __init__(self, value: float, x: np.ndarray) -> None:
        self.value, self.x = value, x

    def track(
        self, objective: _Objective | _TiedObjective
    ) -> Callable[[np.ndarray], Tuple[float, np.ndarray]]:
        def tracked(x: np.ndarray) -> Tuple[float, np.ndarray]:
            value, grad = objective(x)
            if value < self.value:
                self.value, self.x = value, x.copy()
            return value, grad

        return tracked


def _gpytorch_loss(model: SingleTaskGP) -> np.ndarray:
    """BoTorch's fitting loss per output (``m``): ``-mll`` of GPyTorch."""
    mll = ExactMarginalLogLikelihood(model.likelihood, model)
    model.train()
    with torch.no_grad():
        output = model(*model.train_inputs)
        return -mll(output, model.train_targets).reshape(-1).numpy()


def fast_fit(
    model: object, maxiter: int, shared_lengthscales: Sequence[Sequence[int]] = ()
) -> bool:
    """Fit a standard GP's hyperparameters with the lean objective, if it applies.

    Each batched output is fitted on its own (they are independent), as BoTorch does.

    Args:
        model: The model (fitted in place on success).
        maxiter: Most L-BFGS-B iterations per output.
        shared_lengthscales: The one-hot column groups of unordered choices (disjoint):
            each group's lengthscales are fitted as one, under its own prior (see
            :class:`_TiedObjective`), starting from their geometric mean; dimensions in
            no group keep their own. A group with a dimension outside the inputs makes
            the fit decline.

    Returns:
        True when the model was fitted here; False (model unchanged) when it is not the
        standard GP or the lean objective disagrees with GPyTorch's at the start point.
    """
    parts = standard_parts(model)
    if parts is None:
        return False
    assert isinstance(model, SingleTaskGP)  # standard_parts checked it
    X = parts.X.numpy().astype(np.float64)
    groups = [list(group) for group in shared_lengthscales if len(group) > 1]
    if any(not 0 <= j < X.shape[1] for group in groups for j in group):
        return False
    Y = parts.Y.numpy().astype(np.float64)
    noise = None if parts.fixed_noise is None else parts.fixed_noise.numpy().astype(np.float64)
    objectives = [
        _Objective(X, Y[j], None if noise is None else noise[j], parts) for j in range(parts.m)
    ]
    starts = [_read_theta(model, parts, j) for j in range(parts.m)]
    try:
        reference = _gpytorch_loss(model)
    except (RuntimeError, ValueError):
        return False
    for objective, theta, ref in zip(objectives, starts, reference):
        value, _ = objective(theta)
        if not abs(value - float(ref)) <= CHECK_TOL * max(1.0, abs(float(ref))):
            return False
    for j, (full, theta0) in enumerate(zip(objectives, starts)):
        tied = _TiedObjective(full, groups) if groups else None
        target: _Objective | _TiedObjective = full if tied is None else tied
        start = theta0 if tied is None else tied.tie(theta0)
        best = _Best(target(start)[0], start)
        log_space = _LogSpace(target)
        minimize(
            log_space.wrap(best.track(target)),
            log_space.to_u(start),
            jac=True,
            method="L-BFGS-B",
            bounds=log_space.bounds,
            options={"maxiter": maxiter},
        )
        _write_theta(model, parts, j, best.x if tied is None else tied.expand(best.x))
    model.eval()
    return True


def agrees_with_gpytorch(
    model: SingleTaskGP, parts: StandardParts, mean_var: Callable[[Tensor], Tuple[Tensor, Tensor]]
) -> bool:
    """Whether lean posterior means and variances agree with GPyTorch's (to
    :data:`CHECK_TOL`) at six probe points: three training points and three inside them.

    Args:
        model: The standard GP.
        parts: Its :class:`StandardParts`.
        mean_var: The lean posterior: `b x d` points to means and variances, each of
            shape `b` (one output) or `m x b` (one row per output).
    """
    probe = torch.cat([parts.X[:3], parts.X[:3] * 0.7 + 0.15])
    try:
        with torch.no_grad(), gpytorch.settings.max_cholesky_size(MAX_POSTERIOR_N):
            mean, var = mean_var(probe)
            reference = model.posterior(probe)
            ref_mean = reference.mean.T.reshape(mean.shape)
            ref_var = reference.variance.T.reshape(var.shape)
    except (RuntimeError, ValueError):
        return False
    scale = max(1.0, float(ref_mean.abs().max()))
    return (
        float((mean - ref_mean).abs().max()) <= CHECK_TOL * scale
        and float((var - ref_var).abs().max()) <= CHECK_TOL
    )


class FastPosterior:
    """Latent posterior of a fitted single-output standard GP, Cholesky factor cached.

    Build it with :meth:`from_model`, which returns None when the lean path does not
    apply or disagrees with GPyTorch.

    Attributes:
        X: `n x d` training inputs.
    """

    def __init__(self, model: SingleTaskGP, parts: StandardParts) -> None:
        self.X = parts.X
        with torch.no_grad():
            self.inv_ls = 1.0 / model.covar_module.lengthscale.detach().reshape(1, -1)
            self.const = model.mean_module.constant.detach().reshape(())
            self.kernel = parts.kernel
            K = kernel_matrix(self.X, self.X, self.inv_ls, self.kernel)
            if parts.fixed_noise is not None:
                K = K + torch.diag(parts.fixed_noise.reshape(-1))
            else:
                noise = model.likelihood.noise.detach().reshape(())
                K = K + noise * torch.eye(K.shape[0], dtype=K.dtype)
            self.L = safe_cholesky(K)
            r = (parts.Y.reshape(-1) - self.const).unsqueeze(-1)
            self.alpha = torch.cholesky_solve(r, self.L).squeeze(-1)
            self.y = parts.Y.reshape(-1)
            self.noise = (K.diagonal() - 1.0).clone()
        self._train_stats: Optional[Tuple[Tensor, Tensor]] = None
        self._L_inv: Optional[np.ndarray] = None

    def L_inv_numpy(self) -> np.ndarray:
        """`n x n` inverse of the Cholesky factor (numpy, computed once)."""
        if self._L_inv is None:
            self._L_inv = solve_triangular(self.L.numpy(), np.eye(self.L.shape[0]), lower=True)
        return self._L_inv

    @classmethod
    def from_model(cls, model: object, reference: object = None) -> Optional[FastPosterior]:
        """The lean posterior of ``model``, or None when it does not apply.

        Args:
            model: The fitted model.
            reference: A smaller model of the same structure and hyperparameters (the
                large-N path's subset model). When given, the numerical check against
                GPyTorch runs on it, not on ``model``, whose own GPyTorch posterior would
                cost another factorisation of its full covariance.
        """
        parts = standard_parts(model, max_n=MAX_POSTERIOR_N)
        if parts is None or parts.m != 1:
            return None
        assert isinstance(model, SingleTaskGP)
        if reference is not None:
            checked = cls.from_model(reference)
            if checked is None or not _same_hyperparameters(model, reference):
                return None
            try:
                return cls(model, parts)
            except (RuntimeError, ValueError):
                return None
        try:
            post = cls(model, parts)
        except (RuntimeError, ValueError):
            return None
        return post if agrees_with_gpytorch(model, parts, post.mean_var) else None

    def cross(self, Xq: Tensor) -> Tuple[Tensor, Tensor]:
        """Kernel against the training points and its whitened form.

        Args:
            Xq: `b x d` points.

        Returns:
            ``(k, v)``: `b x n` kernel values and `n x b` ``L^{-1} k^T``.
        """
        k = kernel_matrix(Xq, self.X, self.inv_ls, self.kernel)
        v = torch.linalg.solve_triangular(self.L, k.transpose(-1, -2), upper=False)
        return k, v

    def mean_var(self, Xq: Tensor) -> Tuple[Tensor, Tensor]:
        """Latent posterior means and variances (`b` each) at `b x d` points ``Xq``.

        At the training points themselves, when there are at least
        :data:`TRAIN_SHORTCUT_N` of them, the result is computed once and cached, by the
        identities ``mean = y - s * alpha`` and ``var = s - s^2 diag(K^-1)`` (``s`` the
        noise variances), which need no cross-kernel solve per call.
        """
        if (
            Xq.shape[0] >= TRAIN_SHORTCUT_N
            and Xq.shape == self.X.shape
            and bool(torch.equal(Xq, self.X))
        ):
            if self._train_stats is None:
                L_inv = torch.from_numpy(self.L_inv_numpy())
                k_inv_diag = (L_inv * L_inv).sum(0)
                mean = self.y - self.noise * self.alpha
                var = (self.noise - self.noise**2 * k_inv_diag).clamp_min(1e-12)
                self._train_stats = (mean, var)
            return self._train_stats
        k, v = self.cross(Xq)
        mean = self.const + k @ self.alpha
        var = (1.0 - (v * v).sum(0)).clamp_min(1e-12)
        return mean, var

    def joint(self, Xq: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Joint latent posterior at `b x d` points ``Xq``.

        Returns:
            ``(mean, cov, v)``: `b` means, `b x b` covariance, and `n x b` whitened
            cross-kernel (reused by callers that add points later).
        """
        k, v = self.cross(Xq)
        mean = self.const + k @ self.alpha
        cov = kernel_matrix(Xq, Xq, self.inv_ls, self.kernel) - v.transpose(-1, -2) @ v
        return mean, cov, v


__all__ = [
    "FastPosterior",
    "KERNELS",
    "agrees_with_gpytorch",
    "kernel_matrix",
    "np_kernel",
    "StandardParts",
    "fast_fit",
    "safe_cholesky",
    "scaled_sq_dist",
    "standard_parts",
]
