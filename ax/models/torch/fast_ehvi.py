"""Lean log noisy expected hypervolume improvement of one new point, on a batched GP.

BoTorch's ``qLogNoisyExpectedHypervolumeImprovement`` spends most of an evaluation in
GPyTorch's joint posterior of the new point and the baseline (about 60 % of the time of a
multi-objective suggestion), and it samples the new point's outcomes too. For the model
that :func:`~ax.models.torch.defaults.build_model` builds with several outputs (a batched
``SingleTaskGP``, one standard GP per outcome on shared inputs, outcomes independent),
:class:`FastLogNEHVI` computes the same acquisition for ``q = 1`` in a few dozen torch
operations:

- The baseline (observed points, pruned, plus the pending points) is sampled once, jointly
  per outcome, with quasi-MC base samples; in each sample the feasible baseline points
  have a Pareto front, whose non-dominated region is split into boxes (BoTorch's box
  decompositions).
- Given a baseline sample, the new point's outcomes are independent Gaussians (the
  conditional posterior). Its hypervolume improvement is a sum over the boxes of products
  over the objectives of a clipped outcome, so its expectation is exact: per box and
  objective ``sigma * (h((mu - l) / sigma) - h((mu - u) / sigma))`` with
  ``h(z) = phi(z) + z Phi(z)``. Outcome constraints multiply it by the probability of
  feasibility, also exact given the sample.
- ``log NEHVI(x) = log mean_s [EHVI_s(x) P_s(feasible at x)]``, computed in log space.

With one objective the boxes reduce to the region above the best feasible baseline value,
and this is the constrained log noisy expected improvement of Letham et al. (2019) for one
point (:func:`~ax.models.torch.acquisition.build_acquisition` uses it so for outcome
constraints). This is the expected hypervolume improvement of Daulton et al. (2021) with
the inner expectation exact (BoTorch samples it, and smooths feasibility with a sigmoid): the same
quantity with less Monte-Carlo noise for the same number of samples. Gradients come from
torch's autograd on these operations, except with one objective, where the optimiser
calls the closed form of :class:`~ax.models.torch.fast_cnei.ConstrainedNEIKernel`.
:class:`BatchedPosterior` checks its numbers against GPyTorch once per fitted model, and
the caller takes BoTorch's path when it declines.
"""

from __future__ import annotations

import math
from typing import Callable, List, Optional, Tuple, cast

import numpy as np
import torch
from botorch.acquisition.multi_objective.objective import WeightedMCMultiOutputObjective
from botorch.acquisition.objective import LinearMCObjective
from botorch.models import SingleTaskGP
from botorch.models.model import Model
from botorch.utils.multi_objective.box_decompositions.non_dominated import (
    FastNondominatedPartitioning,
)
from botorch.utils.safe_math import log1mexp
from botorch.utils.sampling import draw_sobol_normal_samples
from torch import Tensor

from ax.models.torch.fast import (
    MAX_POSTERIOR_N,
    StandardParts,
    agrees_with_gpytorch,
    kernel_matrix,
    safe_cholesky,
    standard_parts,
)
from ax.models.torch.fast_acqf import FastAcquisition, _KernelFunction
from ax.models.torch.fast_cnei import ConstrainedNEIKernel

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
_SQRT_PI_2 = math.sqrt(math.pi / 2.0)
_MIN_VAR = 1e-12
CHUNK_ELEMENTS = 2_000_000
"""Largest ``points x samples x boxes x objectives`` array built at once (the raw starting
points are scored in chunks of this size)."""


class BatchedPosterior:
    """Latent posterior of a fitted batched multi-output standard GP (`m` outputs on shared
    inputs, each with its own hyperparameters), Cholesky factors cached.

    Build it with :meth:`from_model`, which returns None when it does not apply or
    disagrees with GPyTorch.

    Attributes:
        X: `n x d` training inputs.
        inv_ls: `m x 1 x d` inverse lengthscales.
        const: `m` constant means.
        L_inv: `m x n x n` inverses of the Cholesky factors of the training covariances.
        alpha: `m x n` ``K^{-1} (y - const)``.
    """

    def __init__(self, model: SingleTaskGP, parts: StandardParts) -> None:
        m, n = parts.m, parts.X.shape[0]
        with torch.no_grad():
            self.X = parts.X
            self.inv_ls = 1.0 / model.covar_module.lengthscale.detach().reshape(m, 1, -1)
            self.const = model.mean_module.constant.detach().reshape(m)
            self.kernel = parts.kernel
            K = kernel_matrix(
                self.X.expand(m, n, -1), self.X.expand(m, n, -1), self.inv_ls, self.kernel
            )
            if parts.fixed_noise is not None:
                K = K + torch.diag_embed(parts.fixed_noise.reshape(m, n))
            else:
                noise = model.likelihood.noise.detach().reshape(m, 1, 1)
                K = K + noise * torch.eye(n, dtype=K.dtype)
            L = safe_cholesky(K)
            eye = torch.eye(n, dtype=K.dtype).expand(m, n, n)
            self.L_inv = torch.linalg.solve_triangular(L, eye, upper=False)
            resid = (parts.Y.reshape(m, n) - self.const[:, None]).unsqueeze(-1)
            self.alpha = torch.cholesky_solve(resid, L).squeeze(-1)

    @property
    def m(self) -> int:
        return int(self.const.shape[0])

    @classmethod
    def from_model(cls, model: object) -> Optional[BatchedPosterior]:
        """The lean posterior of ``model``, or None when it is not a standard GP with at
        least two outputs or its numbers differ from GPyTorch's."""
        parts = standard_parts(model, max_n=MAX_POSTERIOR_N)
        if parts is None or parts.m < 2:
            return None
        assert isinstance(model, SingleTaskGP)
        try:
            post = cls(model, parts)
        except (RuntimeError, ValueError):
            return None
        return post if agrees_with_gpytorch(model, parts, post.mean_var) else None

    def cross(self, Xq: Tensor, Xt: Optional[Tensor] = None) -> Tensor:
        """`m x b x t` kernel values between `b x d` points and `t x d` points ``Xt``
        (default: the training points)."""
        Xt = self.X if Xt is None else Xt
        return kernel_matrix(Xq.unsqueeze(0), Xt.unsqueeze(0), self.inv_ls, self.kernel)

    def mean_whitened(self, Xq: Tensor) -> Tuple[Tensor, Tensor]:
        """`m x b` means at `b x d` points and the `m x n x b` whitened cross-kernel."""
        k = self.cross(Xq)
        mean = self.const[:, None] + (k @ self.alpha.unsqueeze(-1)).squeeze(-1)
        return mean, self.L_inv @ k.transpose(-1, -2)

    def mean_var(self, Xq: Tensor) -> Tuple[Tensor, Tensor]:
        """Latent posterior means and variances (`m x b` each) at `b x d` points."""
        mean, v = self.mean_whitened(Xq)
        return mean, (1.0 - (v * v).sum(-2)).clamp_min(_MIN_VAR)

    def joint(self, Xq: Tensor) -> Tuple[Tensor, Tensor]:
        """Joint latent posterior per output at `b x d` points: `m x b` means and
        `m x b x b` covariances."""
        mean, v = self.mean_whitened(Xq)
        return mean, self.cross(Xq, Xq) - v.transpose(-1, -2) @ v


def log_h(u: Tensor) -> Tensor:
    """``log(phi(u) + u Phi(u))``, accurate for every finite ``u`` and differentiable.

    Direct for ``u >= -1``; below, through the scaled complementary error function, with
    an asymptotic series for ``u < -100``. Every branch is computed on all elements, each
    at inputs that are safe for it (a fixed value where the branch is not used), and the
    results are selected with ``torch.where``: no NaN gradients from an unused branch,
    and no boolean indexing (a few small operations fewer per evaluation, which is what
    an evaluation costs here).
    """
    upper = u >= -1.0
    uu = torch.where(upper, u, -1.0)
    direct = torch.log(
        torch.exp(-0.5 * uu * uu) / math.sqrt(2.0 * math.pi) + uu * torch.special.ndtr(uu)
    )
    ul = torch.where(upper, -2.0, u).clamp_min(-1e100)
    far = ul < -100.0
    un = torch.where(far, -2.0, ul)
    one_plus = 1.0 + un * _SQRT_PI_2 * torch.special.erfcx(-un / math.sqrt(2.0))
    # Far out, 1 + u r cancels: its asymptotic series instead.
    uf = torch.where(far, ul, -200.0)
    inv2 = 1.0 / (uf * uf)
    one_plus = torch.where(far, inv2 * (1.0 - 3.0 * inv2 + 15.0 * inv2 * inv2), one_plus)
    below = -0.5 * ul * ul - _LOG_SQRT_2PI + torch.log(one_plus)
    return torch.where(upper, direct, below)


def box_bounds(Y: Tensor, ref_point: Tensor) -> Tuple[Tensor, Tensor]:
    """Boxes covering the region above ``ref_point`` that no point of ``Y`` dominates.

    Args:
        Y: `S x b x k` objective values (maximised), one set per sample; rows at or below
            the reference point in some objective count for nothing.
        ref_point: `k` reference point.

    Returns:
        ``(lower, upper)``, each `S x C x k`: `C` boxes per sample (upper bounds may be
        infinite); samples with fewer boxes are padded with empty ones (``lower ==
        upper``).
    """
    S, b, k = Y.shape
    if b == 0:  # nothing observed counts: the whole region above the reference point
        lower = ref_point.expand(S, 1, k).clone()
        return lower, torch.full_like(lower, math.inf)
    if k == 1:  # one objective: everything above the best value (expected improvement)
        lower = torch.maximum(Y.max(dim=1).values, ref_point).unsqueeze(1)
        return lower, torch.full_like(lower, math.inf)
    if k == 2:  # BoTorch partitions a batch of fronts at once for two objectives
        bounds = FastNondominatedPartitioning(ref_point=ref_point, Y=Y).get_hypercell_bounds()
        return bounds[0], bounds[1]
    if k == 3:
        return _slab_boxes(Y, ref_point)
    cells = [
        FastNondominatedPartitioning(ref_point=ref_point, Y=Y[s]).get_hypercell_bounds()
        for s in range(S)
    ]
    C = max(c.shape[1] for c in cells)
    lower = ref_point.expand(S, C, k).clone()
    upper = lower.clone()
    for s, c in enumerate(cells):
        lower[s, : c.shape[1]] = c[0]
        upper[s, : c.shape[1]] = c[1]
    return lower, upper


def _next_index(flags: Tensor, dim: int) -> Tensor:
    """For each position along ``dim``, the index of the next set flag after it (the
    size of ``dim`` where none follows)."""
    n = flags.shape[dim]
    shape = [1] * flags.ndim
    shape[dim] = n
    index = torch.arange(n).reshape(shape).expand_as(flags)
    marked = torch.where(flags, index, torch.full_like(index, n))
    # smallest marked index strictly after each position: reverse cumulative minimum
    after = torch.cat(
        [marked.narrow(dim, 1, n - 1), torch.full_like(marked.narrow(dim, 0, 1), n)], dim=dim
    )
    return after.flip(dim).cummin(dim).values.flip(dim)


def _slab_boxes(Y: Tensor, ref_point: Tensor) -> Tuple[Tensor, Tensor]:
    """:func:`box_bounds` for three objectives, for all samples at once.

    The Pareto-optimal points of each sample (`p` at most) cut the first objective into
    `p + 1` slabs and the second into `p + 1` strips. In slab ``i`` and strip ``j`` the
    non-dominated part is everything above the highest third objective among the points
    that reach past both (or above the reference point where none does): one box with an
    open top per (slab, strip). Empty boxes are dropped, and samples padded to the same
    count.
    """
    S, b, _ = Y.shape
    above = (ref_point < Y).all(dim=-1)
    front = above.clone()
    if b > 1:
        dominated = (
            (Y.unsqueeze(1) >= Y.unsqueeze(2)).all(-1) & (Y.unsqueeze(1) > Y.unsqueeze(2)).any(-1)
        ).any(dim=2)  # S x b: some other point dominates it
        front &= ~dominated
    P = torch.where(front.unsqueeze(-1), Y, ref_point.expand_as(Y))  # others at the ref
    inf = torch.full((S, 1), math.inf, dtype=Y.dtype)

    def edges(j: int) -> Tensor:  # S x (b + 2): ref, sorted coordinates, inf
        start = ref_point[j].expand(S, 1)
        return torch.cat([start, P[..., j].sort(dim=-1).values, inf], dim=-1)

    e1, e2 = edges(0), edges(1)
    # Points reaching past slab i's top in objective 1 and strip j's top in objective 2.
    past1 = P[..., 0].unsqueeze(1) >= e1[:, 1:].unsqueeze(-1)  # S x (b+1) x b
    past2 = P[..., 1].unsqueeze(1) >= e2[:, 1:].unsqueeze(-1)  # S x (b+1) x b
    both = past1.unsqueeze(2) & past2.unsqueeze(1)  # S x slab x strip x b
    floor = torch.where(both, P[..., 2].reshape(S, 1, 1, b), ref_point[2])
    t = floor.max(dim=-1).values.clamp_min(ref_point[2])  # S x (b+1) x (b+1)
    n1 = e1.shape[1] - 1
    # Merge the strips of a slab with the same floor (runs along j), then the boxes that
    # repeat from slab to slab (runs along i): O(p) boxes instead of (p + 1)^2.
    cells = torch.arange(n1)
    starts = torch.ones_like(t, dtype=torch.bool)
    starts[:, :, 1:] = t[:, :, 1:] != t[:, :, :-1]
    strip_end = _next_index(starts, dim=2)  # S x slab x strip
    repeat = torch.zeros_like(starts)
    repeat[:, 1:] = (
        starts[:, 1:]
        & starts[:, :-1]
        & (t[:, 1:] == t[:, :-1])
        & (strip_end[:, 1:] == strip_end[:, :-1])
    )
    origin = starts & ~repeat
    slab_end = _next_index(~repeat, dim=1)
    i = cells.reshape(1, n1, 1).expand_as(t)
    j = cells.reshape(1, 1, n1).expand_as(t)
    lower = torch.stack(
        [e1.gather(1, i.reshape(S, -1)), e2.gather(1, j.reshape(S, -1)), t.reshape(S, -1)], -1
    )
    upper = torch.stack(
        [
            e1.gather(1, slab_end.reshape(S, -1)),
            e2.gather(1, strip_end.reshape(S, -1)),
            torch.full((S, n1 * n1), math.inf, dtype=Y.dtype),
        ],
        dim=-1,
    )
    valid = origin.reshape(S, -1) & (upper > lower).all(dim=-1)  # S x C
    C = max(1, int(valid.sum(dim=-1).max()))
    order = torch.argsort((~valid).to(torch.int8), dim=-1, stable=True)[:, :C]
    index = order.unsqueeze(-1).expand(S, C, 3)
    lower, upper = lower.gather(1, index), upper.gather(1, index)
    keep = valid.gather(1, order).unsqueeze(-1)
    return lower, torch.where(keep, upper, lower)


class _NEHVIKernel:
    """Value (and, through autograd, gradient) of the lean log NEHVI at a batch of points.

    Called with a `B x d` numpy array as :class:`~ax.models.torch.fast_acqf._Kernel`
    is, so that :func:`~ax.models.torch.lean_gen.lean_gen_candidates` optimises it
    without BoTorch's per-step overhead.
    """

    def __init__(
        self,
        post: BatchedPosterior,
        objectives: List[int],
        weights: Tensor,
        ref_point: Tensor,
        base: Tensor,
        constraints: Optional[Tuple[Tensor, Tensor]],
        mc_samples: int,
        seed: int,
    ) -> None:
        self.post = post
        self.objectives = objectives
        self.weights = weights  # k
        self.constraints = constraints
        m, b = post.m, base.shape[0]
        with torch.no_grad():
            self.base = base
            mean_b, cov_b = post.joint(base)
            L_b = safe_cholesky(cov_b)  # m x b x b
            eye = torch.eye(b, dtype=base.dtype).expand(m, b, b)
            self.L_b_inv = torch.linalg.solve_triangular(L_b, eye, upper=False)
            # L^{-1} k(X, base), per output: m x n x b
            self.W_base = post.L_inv @ post.cross(base).transpose(-1, -2)
            if b == 0 or mc_samples == 1:  # the posterior mean (one sample: its median)
                self.Z = torch.zeros(m, 1, b, dtype=base.dtype)
            else:
                Z = draw_sobol_normal_samples(d=m * b, n=mc_samples, dtype=base.dtype, seed=seed)
                self.Z = Z.reshape(mc_samples, m, b).permute(1, 0, 2).contiguous()  # m x S x b
            F = mean_b.unsqueeze(1) + self.Z @ L_b.transpose(-1, -2)  # m x S x b
            Yb = (weights[:, None, None] * F[objectives]).permute(1, 2, 0)  # S x b x k
            if constraints is not None:
                A, c = constraints
                slack = torch.einsum("rm,msb->rsb", A, F) - c.reshape(-1, 1, 1)
                infeasible = (slack > 0).any(dim=0)  # S x b
                Yb = torch.where(infeasible.unsqueeze(-1), ref_point - 1.0, Yb)
            lower, upper = box_bounds(Yb, ref_point)
        self.valid = (upper > lower).all(dim=-1)  # S x C
        self.open = torch.isinf(upper)  # S x C x k
        self.lower = lower
        # Finite stand-ins where the box is open or empty (those terms are masked).
        self.upper = torch.where(self.open | ~self.valid.unsqueeze(-1), lower + 1.0, upper)
        # Objectives along which some box is closed (the others need no upper term).
        ignored = self.open | ~self.valid.unsqueeze(-1)
        self.closed_dims = torch.nonzero(~ignored.all(dim=1).all(dim=0)).reshape(-1)
        # One objective (the constrained NEI): value and gradient in closed form.
        self.one_objective: Optional[ConstrainedNEIKernel] = None
        if len(objectives) == 1 and lower.shape[1] == 1:
            self.one_objective = ConstrainedNEIKernel(
                post.X.numpy(),
                post.inv_ls.reshape(m, -1).numpy(),
                post.kernel,
                post.const.numpy(),
                post.L_inv.numpy(),
                post.alpha.numpy(),
                base.numpy(),
                self.W_base.numpy(),
                self.L_b_inv.numpy(),
                self.Z.numpy(),
                objectives[0],
                float(weights[0]),
                lower[:, 0, 0].numpy(),
                self.valid[:, 0].numpy(),
                None
                if constraints is None
                else (constraints[0].numpy(), constraints[1].reshape(-1).numpy()),
            )

    def log_value(self, X: Tensor) -> Tensor:
        """Log NEHVI at `B x d` points (torch, differentiable): `B` values."""
        B = X.shape[0]
        S, C, k = self.lower.shape
        step = max(1, CHUNK_ELEMENTS // max(1, S * C * k))
        if step < B:
            return torch.cat([self.log_value(X[i : i + step]) for i in range(0, B, step)])
        post = self.post
        mean, v = post.mean_whitened(X)  # m x B, m x n x B
        var = 1.0 - (v * v).sum(-2)
        cross = post.cross(X, self.base) - v.transpose(-1, -2) @ self.W_base  # m x B x b
        a = self.L_b_inv @ cross.transpose(-1, -2)  # m x b x B
        cond_var = (var - (a * a).sum(-2)).clamp_min(_MIN_VAR)  # m x B
        mean_s = mean.unsqueeze(1) + self.Z @ a  # m x S x B
        w = self.weights
        mu = (w[:, None, None] * mean_s[self.objectives]).permute(2, 1, 0)  # B x S x k
        sd = (w.abs() * cond_var[self.objectives].T.sqrt()).reshape(B, 1, 1, k)
        mu = mu.unsqueeze(2)  # B x S x 1 x k
        h_low = log_h((mu - self.lower) / sd)  # B x S x C x k
        # log(h(z_l) - h(z_u)) where the box is closed, log h(z_l) where it is open
        dims = self.closed_dims
        if dims.numel():
            h_l = h_low[..., dims]
            h_up = log_h((mu[..., dims] - self.upper[..., dims]) / sd[..., dims])
            closed = h_l + log1mexp((h_up - h_l).clamp_max(-1e-300))
            part = torch.where(self.open[..., dims], h_l, closed)
            if dims.numel() < k:
                h_low = h_low.index_copy(-1, dims, part)
            else:
                h_low = part
        log_box = h_low + torch.log(sd)
        log_box = log_box.sum(-1)  # B x S x C
        log_box = torch.where(self.valid, log_box, torch.full_like(log_box, -math.inf))
        # B x S (one box per sample, as with one objective: nothing to sum)
        log_s = log_box[..., 0] if C == 1 else torch.logsumexp(log_box, dim=-1)
        if self.constraints is not None:
            A, c = self.constraints
            c_mean = torch.einsum("rm,msb->rsb", A, mean_s) - c.reshape(-1, 1, 1)  # r x S x B
            c_sd = ((A * A) @ cond_var).clamp_min(_MIN_VAR).sqrt()  # r x B
            log_s = log_s + torch.special.log_ndtr(-c_mean / c_sd.unsqueeze(1)).sum(0).T
        return torch.logsumexp(log_s, dim=-1) - math.log(S)

    def __call__(self, Xq: np.ndarray, need_grad: bool) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """Values (`B`) and gradients (`B x d`, or None) at `B x d` points ``Xq``."""
        if self.one_objective is not None:
            return self.one_objective(np.ascontiguousarray(Xq, dtype=np.float64), need_grad)
        X = torch.from_numpy(np.ascontiguousarray(Xq, dtype=np.float64))
        if not need_grad:
            with torch.no_grad():
                return self.log_value(X).numpy(), None
        X.requires_grad_(True)
        with torch.enable_grad():
            value = self.log_value(X)
            (grad,) = torch.autograd.grad(value.sum(), X)
        return value.detach().numpy(), grad.numpy()


class FastLogNEHVI(FastAcquisition):
    """Log noisy expected hypervolume improvement of one new point on the lean posterior.

    Args:
        model: The model (kept for BoTorch's optimiser helpers).
        post: Its lean posterior.
        objective: The objectives (outputs and weights, maximised): several outputs, or
            one output as the nonzero weight of a linear objective.
        ref_point: `k` reference point in maximisation space.
        X_baseline: `N x d` baseline points (already pruned).
        X_pending: `p x d` pending points (added to the baseline), or None.
        outcome_constraints: ``(A r x m, b r)`` meaning ``A f <= b``, or None.
        constraint_callables: The same constraints as BoTorch callables (for its
            sampling of starting points around the Pareto-optimal points).
        mc_samples: Quasi-MC samples of the baseline.
        seed: Seed of the base samples.
        initial_mc_samples: Samples of the cheaper stand-in that :meth:`stand_in` builds
            to score candidate starting points, or None for none.
    """

    def __init__(
        self,
        model: Model,
        post: BatchedPosterior,
        objective: WeightedMCMultiOutputObjective | LinearMCObjective,
        ref_point: Tensor,
        X_baseline: Tensor,
        X_pending: Optional[Tensor],
        outcome_constraints: Optional[Tuple[Tensor, Tensor]],
        constraint_callables: Optional[List[Callable[[Tensor], Tensor]]],
        mc_samples: int,
        seed: int,
        initial_mc_samples: Optional[int] = None,
    ) -> None:
        super(FastAcquisition, self).__init__(model=model)
        self.initial_mc_samples = initial_mc_samples
        self.X_baseline = X_baseline
        self.objective = objective  # type: ignore[assignment]
        self.constraints = constraint_callables
        self.ref_point = ref_point
        self.mc_samples = mc_samples
        outcomes, weights = _outcomes_and_weights(objective)
        self._parts = (
            post,
            outcomes,
            weights.to(ref_point),
            None
            if outcome_constraints is None
            else (outcome_constraints[0], outcome_constraints[1].reshape(-1)),
            seed,
        )
        self.X_pending = None  # type: ignore[assignment]
        self.set_X_pending(X_pending)

    def stand_in(self) -> Optional[FastLogNEHVI]:
        """The same acquisition function with ``initial_mc_samples`` samples of the same
        baseline and pending points (1: the posterior mean of the baseline), to score
        candidate starting points cheaply; None when ``initial_mc_samples`` is None or
        not fewer than ``mc_samples``."""
        few = self.initial_mc_samples
        if few is None or few >= self.mc_samples:
            return None
        post, _, _, constraints, seed = self._parts
        return FastLogNEHVI(
            self.model,
            post,
            self.objective,
            self.ref_point,
            self.X_baseline,
            self.X_pending,
            constraints,
            self.constraints,
            few,
            seed + 1,
        )

    def set_X_pending(self, X_pending: Optional[Tensor] = None) -> None:
        """Make ``X_pending`` (`p x d`, or None) the pending points: the baseline with
        them is sampled afresh (a sequential greedy batch adds one point at a time)."""
        if X_pending is not None and X_pending.shape[0] == 0:
            X_pending = None
        if hasattr(self, "kernel") and _same(X_pending, self.X_pending):
            return
        pending = None if X_pending is None else X_pending.detach().clone()
        self.X_pending = pending  # type: ignore[assignment]
        base = self.X_baseline if pending is None else torch.cat([self.X_baseline, pending])
        post, objectives, weights, constraints, seed = self._parts
        self.kernel = _NEHVIKernel(  # type: ignore[assignment]
            post, objectives, weights, self.ref_point, base, constraints, self.mc_samples, seed
        )

    def forward(self, X: Tensor) -> Tensor:
        """Log NEHVI at `batch x 1 x d` points; returns `batch` values."""
        if X.shape[-2] != 1:
            raise ValueError(
                f"{type(self).__name__} evaluates one point per batch, got q={X.shape[-2]}"
            )
        if X.requires_grad:
            return _KernelFunction.apply(X, self.kernel)
        with torch.no_grad():
            flat = X.detach().reshape(-1, X.shape[-1])
            return self.kernel.log_value(flat).reshape(X.shape[:-2])  # type: ignore[attr-defined]


def _outcomes_and_weights(
    objective: WeightedMCMultiOutputObjective | LinearMCObjective,
) -> Tuple[List[int], Tensor]:
    """The objective outputs and their weights: a multi-output objective's ``outcomes``,
    or the nonzero entries of a linear objective's `m` weights (one objective)."""
    if isinstance(objective, LinearMCObjective):
        weights = cast(Tensor, objective.weights).reshape(-1)
        outcomes = torch.nonzero(weights).reshape(-1)
        return [int(j) for j in outcomes.tolist()], weights[outcomes]
    return (
        [int(j) for j in cast(Tensor, objective.outcomes).tolist()],
        cast(Tensor, objective.weights),
    )


def _same(a: Optional[Tensor], b: Optional[Tensor]) -> bool:
    """Whether two optional point sets are the same."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(torch.equal(a, b))


__all__ = ["BatchedPosterior", "FastLogNEHVI", "box_bounds", "log_h"]
