"""The SAAS lengthscale prior, at its mode in log coordinates.

The sparse axis-aligned subspace (SAAS) prior of Eriksson & Jankowiak (2021, "High-
dimensional Bayesian optimization with sparse axis-aligned subspaces") puts a half-Cauchy
prior on each inverse squared lengthscale, around a global shrinkage ``tau`` that is
itself half-Cauchy::

    tau ~ HalfCauchy(alpha),  alpha = 0.1
    rho_i = 1 / lengthscale_i**2 ~ HalfCauchy(tau)     (each input i)

SAASBO samples the posterior of ``(log rho, log tau)`` with NUTS. Here the hyperparameters
are its mode in those coordinates, found by the same L-BFGS-B as the other
hyperparameters: the densities are those of ``log rho_i`` and ``log tau`` (the half-Cauchy
densities times ``rho_i`` and ``tau``). In those coordinates ``log(rho_i / tau)`` has a
hyperbolic secant density: the lengthscales are pooled around a scale learned from the
data (``tau``), with exponential rather than Gaussian tails in the log, so that one input
can be much more or much less relevant than the rest.

The mode in the natural coordinates (without the factors ``rho_i`` and ``tau``) is
degenerate: the density of ``rho_i`` is largest at 0, so the fit sends most lengthscales
to their upper end and explains the data with one or two very short ones. On Hartmann6 in
20 dimensions (seeds 0-19) it stalled at the initial design's value.

The prior is registered on a GPyTorch kernel by :func:`add_saas_prior` (the global
shrinkage becomes the kernel parameter ``saas_log_tau``), so BoTorch's general fit and
GPyTorch's marginal log likelihood see it; :func:`saas_terms` and :func:`tau_terms` are
the same log densities with their derivatives, in numpy, for the lean fit
(:mod:`ax.models.torch.fast`).
"""

from __future__ import annotations

import math
from typing import Tuple, Union

import numpy as np
import torch
from gpytorch.kernels import Kernel
from gpytorch.priors import HalfCauchyPrior
from torch import Tensor

SAAS_ALPHA = 0.1
"""Scale of the half-Cauchy prior on the global shrinkage ``tau`` (SAASBO's value)."""

TAU_PARAMETER = "saas_log_tau"
"""Name of the kernel parameter holding ``log tau``."""

INVERSE_LENGTHSCALE_PRIOR = "saas_inverse_lengthscale_prior"
"""Name of the prior on ``rho_i / tau`` (each input)."""

TAU_PRIOR = "saas_tau_prior"
"""Name of the prior on ``tau / alpha``."""

_LOG_2_OVER_PI = math.log(2.0 / math.pi)


class LogHalfCauchyPrior(HalfCauchyPrior):
    """A unit half-Cauchy prior on ``x`` whose density is taken on ``log x``.

    ``log_prob(x) = log(2 / pi) + log x - log(1 + x**2)``: the half-Cauchy log density of
    ``x`` plus ``log x``, the density of ``log x`` (a hyperbolic secant density). Samples
    are those of the half-Cauchy distribution.
    """

    def __init__(self) -> None:
        super().__init__(torch.tensor(1.0, dtype=torch.float64))

    def log_prob(self, x: Tensor) -> Tensor:
        log_x = torch.log(x)
        return _LOG_2_OVER_PI + log_x - torch.logaddexp(torch.zeros_like(x), 2 * log_x)

    def expand(self, batch_shape: torch.Size) -> LogHalfCauchyPrior:  # noqa: ARG002
        return LogHalfCauchyPrior()


def _tau(kernel: Kernel) -> Tensor:
    """``tau`` of each batch, shaped to broadcast against the `... x 1 x d` lengthscales."""
    return getattr(kernel, TAU_PARAMETER).exp()[..., None, None]


def _rho_over_tau(kernel: Kernel) -> Tensor:
    return 1.0 / (kernel.lengthscale**2 * _tau(kernel))


def _set_rho_over_tau(kernel: Kernel, value: Union[Tensor, float]) -> None:
    value = torch.as_tensor(value).to(kernel.lengthscale)
    kernel._set_lengthscale(1.0 / torch.sqrt(value * _tau(kernel)))


def _tau_over_alpha(kernel: Kernel) -> Tensor:
    return getattr(kernel, TAU_PARAMETER).exp() / SAAS_ALPHA


def _set_tau_over_alpha(kernel: Kernel, value: Union[Tensor, float]) -> None:
    parameter = getattr(kernel, TAU_PARAMETER)
    with torch.no_grad():
        parameter.copy_(torch.log(torch.as_tensor(value).to(parameter) * SAAS_ALPHA))


def add_saas_prior(kernel: Kernel) -> Kernel:
    """Replace the lengthscale prior of an ARD ``kernel`` by the SAAS prior (in place).

    The kernel's lengthscales keep their values and constraint (they start where the
    previous prior put them); ``tau`` starts at ``alpha``.

    Args:
        kernel: A GPyTorch kernel with one lengthscale per input.

    Returns:
        ``kernel``.

    Raises:
        ValueError: The kernel has no ARD lengthscales, or already has the SAAS prior.
    """
    lengthscale = getattr(kernel, "lengthscale", None)
    if lengthscale is None:
        raise ValueError(f"add_saas_prior: {type(kernel).__name__} has no lengthscales")
    if hasattr(kernel, TAU_PARAMETER):
        raise ValueError(f"add_saas_prior: {type(kernel).__name__} already has the SAAS prior")
    kernel._priors.pop("lengthscale_prior", None)
    kernel._modules.pop("lengthscale_prior", None)
    batch_shape = lengthscale.shape[:-2]
    kernel.register_parameter(
        TAU_PARAMETER,
        torch.nn.Parameter(torch.full(batch_shape, math.log(SAAS_ALPHA)).to(lengthscale)),
    )
    kernel.register_prior(
        INVERSE_LENGTHSCALE_PRIOR, LogHalfCauchyPrior(), _rho_over_tau, _set_rho_over_tau
    )
    kernel.register_prior(TAU_PRIOR, LogHalfCauchyPrior(), _tau_over_alpha, _set_tau_over_alpha)
    return kernel


def has_saas_prior(kernel: object) -> bool:
    """Whether ``kernel`` carries exactly the priors :func:`add_saas_prior` registers."""
    if not isinstance(kernel, Kernel) or not isinstance(
        getattr(kernel, TAU_PARAMETER, None), torch.nn.Parameter
    ):
        return False
    priors = {name: prior for name, _, prior, _, _ in kernel.named_priors()}
    return set(priors) == {INVERSE_LENGTHSCALE_PRIOR, TAU_PRIOR} and all(
        type(prior) is LogHalfCauchyPrior for prior in priors.values()
    )


def saas_terms(
    ls: np.ndarray, log_tau: float, shift: Union[float, np.ndarray] = 0.0
) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Log density of each lengthscale under the SAAS prior, with its derivatives.

    Args:
        ls: `k` lengthscales.
        log_tau: ``log tau``.
        shift: ``log`` of a factor each lengthscale is divided by first (scalar or `k`):
            the categorical scale of a one-hot group
            (:func:`~ax.models.torch.fast.categorical_lengthscale_factor`).

    Returns:
        ``(log densities, derivatives in ls, derivatives in log tau)``, each `k`.
    """
    log_x = -2.0 * (np.log(ls) - shift) - log_tau  # log(rho / tau)
    value = _LOG_2_OVER_PI + log_x - np.logaddexp(0.0, 2.0 * log_x)
    slope = np.tanh(log_x)  # minus the derivative of the value in log_x
    return value, 2.0 * slope / ls, slope


def tau_terms(log_tau: float) -> Tuple[float, float]:
    """Log density of ``log tau`` and its derivative."""
    log_y = log_tau - math.log(SAAS_ALPHA)
    value = _LOG_2_OVER_PI + log_y - float(np.logaddexp(0.0, 2.0 * log_y))
    return value, -math.tanh(log_y)


__all__ = [
    "INVERSE_LENGTHSCALE_PRIOR",
    "SAAS_ALPHA",
    "TAU_PARAMETER",
    "TAU_PRIOR",
    "LogHalfCauchyPrior",
    "add_saas_prior",
    "has_saas_prior",
    "saas_terms",
    "tau_terms",
]
