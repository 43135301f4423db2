"""The SAAS lengthscale prior: its densities, the lean fit under it, and the option."""

from __future__ import annotations

import copy
import json
import math
import warnings
from typing import Optional, Tuple

import numpy as np
import pytest
import torch
from botorch.models import ModelListGP, SingleTaskGP
from gpytorch.kernels import LinearKernel, MaternKernel
from scipy.stats import halfcauchy

from ax.exceptions import UserInputError
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.defaults import build_model, fit_model, validate_training_data
from ax.models.torch.fast import (
    _gpytorch_loss,
    _Objective,
    _read_theta,
    _TiedObjective,
    _write_theta,
    categorical_lengthscale_factor,
    fast_fit,
    standard_parts,
)
from ax.models.torch.options import BotorchOptions, MultiObjectiveOptions
from ax.models.torch.saas_prior import (
    SAAS_ALPHA,
    TAU_PARAMETER,
    LogHalfCauchyPrior,
    add_saas_prior,
    has_saas_prior,
    saas_terms,
    tau_terms,
)
from tests.models.torch.test_botorch_model import assert_gradient_is_central_difference


def _gp(
    d: int = 6,
    n: int = 14,
    relevant: int = 2,
    noise: Optional[float] = None,
    kernel: str = "matern52",
    outputs: int = 1,
    seed: int = 0,
) -> Tuple[SingleTaskGP, np.ndarray]:
    """A GP with the SAAS prior on `n` points of the `d`-cube; the outcomes depend on the
    first ``relevant`` inputs only."""
    X = np.random.default_rng(seed).random((n, d))
    ys = []
    for k in range(outputs):
        y = np.sin(3.0 * X[:, 0] + k) + (X[:, 1 : max(relevant, 2)] ** 2).sum(axis=1)
        ys.append((y - y.mean()) / y.std())
    data = validate_training_data(
        "test",
        [X] * outputs,
        ys,
        [np.full(n, np.nan if noise is None else noise)] * outputs,
        [(0.0, 1.0)] * d,
        [f"x{i}" for i in range(d)],
        [f"f{k}" for k in range(outputs)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = build_model(data, kernel=kernel, lengthscale_prior="saas")
    assert isinstance(model, SingleTaskGP)
    return model, X


# ------------------------------------------------------------------------ densities
def test_log_half_cauchy_is_the_density_of_the_log() -> None:
    prior = LogHalfCauchyPrior()
    x = torch.logspace(-4, 4, 9, dtype=torch.float64)
    expected = halfcauchy.logpdf(x.numpy()) + np.log(x.numpy())
    np.testing.assert_allclose(prior.log_prob(x).numpy(), expected, rtol=1e-12)
    # a density over log x: it integrates to 1 there
    s = np.linspace(-40.0, 40.0, 200_001)
    density = np.exp(prior.log_prob(torch.tensor(np.exp(s))).numpy())
    assert float(np.sum(density) * (s[1] - s[0])) == pytest.approx(1.0, abs=1e-6)
    assert prior.sample(torch.Size([5])).shape == (5,)


def test_numpy_terms_are_the_kernels_priors_with_their_derivatives() -> None:
    kernel = add_saas_prior(MaternKernel(nu=2.5, ard_num_dims=4).double())
    ls = np.array([0.1, 0.5, 2.0, 30.0])
    log_tau = -1.3
    kernel.lengthscale = torch.tensor(ls)
    with torch.no_grad():
        getattr(kernel, TAU_PARAMETER).fill_(log_tau)
    priors = {name: (prior, closure) for name, _, prior, closure, _ in kernel.named_priors()}
    prior, closure = priors["saas_inverse_lengthscale_prior"]
    value, d_ls, d_tau = saas_terms(ls, log_tau)
    np.testing.assert_allclose(value, prior.log_prob(closure(kernel)).detach().reshape(-1).numpy())
    # rho_i = 1 / ls_i**2 ~ HalfCauchy(tau), density of log rho_i
    rho = 1.0 / ls**2
    tau = math.exp(log_tau)
    np.testing.assert_allclose(value, halfcauchy.logpdf(rho, scale=tau) + np.log(rho), rtol=1e-10)
    tau_prior, tau_closure = priors["saas_tau_prior"]
    t_value, t_grad = tau_terms(log_tau)
    assert t_value == pytest.approx(
        float(tau_prior.log_prob(tau_closure(kernel)).detach()), rel=1e-12
    )
    assert t_value == pytest.approx(halfcauchy.logpdf(tau, scale=SAAS_ALPHA) + log_tau)
    eps = 1e-6
    for i in range(ls.size):
        step = np.zeros_like(ls)
        step[i] = eps
        numeric = (saas_terms(ls + step, log_tau)[0] - saas_terms(ls - step, log_tau)[0]) / (
            2 * eps
        )
        assert d_ls[i] == pytest.approx(numeric[i], rel=1e-6)
    numeric_tau = (saas_terms(ls, log_tau + eps)[0] - saas_terms(ls, log_tau - eps)[0]) / (2 * eps)
    np.testing.assert_allclose(d_tau, numeric_tau, rtol=1e-6)
    assert t_grad == pytest.approx(
        (tau_terms(log_tau + eps)[0] - tau_terms(log_tau - eps)[0]) / (2 * eps), rel=1e-6
    )
    # a shift divides the lengthscales by exp(shift) first
    shifted = saas_terms(ls, log_tau, math.log(3.0))[0]
    np.testing.assert_allclose(shifted, saas_terms(ls / 3.0, log_tau)[0])


def test_add_saas_prior_replaces_the_lengthscale_prior_and_refuses_what_it_cannot_take() -> None:
    model, _ = _gp()
    covar = model.covar_module
    assert has_saas_prior(covar) and not hasattr(covar, "lengthscale_prior")
    assert float(getattr(covar, TAU_PARAMETER).detach().exp()) == pytest.approx(SAAS_ALPHA)
    with pytest.raises(ValueError, match="MaternKernel already has the SAAS prior"):
        add_saas_prior(covar)
    with pytest.raises(ValueError, match="LinearKernel has no lengthscales"):
        add_saas_prior(LinearKernel())
    assert not has_saas_prior(MaternKernel(nu=2.5, ard_num_dims=3))


def test_build_model_names_an_unknown_prior() -> None:
    X = np.random.default_rng(0).random((5, 2))
    data = validate_training_data(
        "test", [X], [X[:, 0]], [np.full(5, np.nan)], [(0.0, 1.0)] * 2, ["a", "b"], ["f"]
    )
    with pytest.raises(UserInputError, match="unknown lengthscale_prior 'horseshoe'"):
        build_model(data, lengthscale_prior="horseshoe")


# ------------------------------------------------------------------------ the lean fit
@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
@pytest.mark.parametrize("noise", [None, 1e-4], ids=["inferred-noise", "fixed-noise"])
@pytest.mark.parametrize("outputs", [1, 2])
def test_lean_objective_is_gpytorchs_with_the_saas_prior(
    kernel: str, noise: Optional[float], outputs: int
) -> None:
    model, _ = _gp(noise=noise, kernel=kernel, outputs=outputs)
    parts = standard_parts(model)
    assert parts is not None and parts.saas and parts.ls_prior is None
    rng = np.random.default_rng(1)
    for j in range(parts.m):
        objective = _Objective(
            parts.X.numpy(),
            parts.Y.numpy()[j],
            None if parts.fixed_noise is None else parts.fixed_noise.numpy()[j],
            parts,
        )
        theta = _read_theta(model, parts, j)
        assert theta.size == parts.d + (noise is None) + 2  # lengthscales, [noise], c, tau
        assert theta[-1] == pytest.approx(math.log(SAAS_ALPHA))
        theta[: parts.d] = np.exp(rng.normal(0.0, 1.0, parts.d))
        theta[-1] = -2.5
        _write_theta(model, parts, j, theta)
        assert objective(theta)[0] == pytest.approx(float(_gpytorch_loss(model)[j]), rel=1e-9)
        assert_gradient_is_central_difference(objective, theta)


@pytest.mark.parametrize("kernel", ["rbf", "matern52"])
def test_lean_and_botorch_fits_reach_the_same_optimum(kernel: str) -> None:
    lean, _ = _gp(kernel=kernel, outputs=2)
    general = copy.deepcopy(lean)
    assert fit_model(lean, maxiter=500) == "fast"
    assert fit_model(general, maxiter=500, fast=False) == "botorch"
    np.testing.assert_allclose(_gpytorch_loss(lean), _gpytorch_loss(general), atol=1e-4)
    for model in (lean, general):
        assert has_saas_prior(model.covar_module)
    np.testing.assert_allclose(
        lean.covar_module.lengthscale.detach().numpy(),
        general.covar_module.lengthscale.detach().numpy(),
        rtol=0.05,
    )


def test_the_fitted_lengthscales_single_out_the_inputs_that_matter() -> None:
    """The mode in log coordinates is not degenerate: the two inputs the outcome depends
    on get the shortest lengthscales, no lengthscale sits at a bound, and ``tau`` stays
    inside its prior's bulk. (In the natural coordinates the mode sends most lengthscales
    to infinity and explains the data with one or two tiny ones.)"""
    model, _ = _gp(d=10, n=20, relevant=2)
    assert fast_fit(model, maxiter=500)
    ls = model.covar_module.lengthscale.detach().numpy().reshape(-1)
    assert set(np.argsort(ls)[:2]) == {0, 1}
    assert float(ls[2:].min()) > 2.0 * float(ls[:2].max())
    assert float(ls.max()) < 100.0 and float(ls.min()) > 0.05
    assert 1e-3 < float(getattr(model.covar_module, TAU_PARAMETER).detach().exp()) < 10.0


def test_tied_groups_count_the_saas_prior_once_on_the_categorical_scale() -> None:
    model, _ = _gp(d=4)
    parts = standard_parts(model)
    assert parts is not None
    full = _Objective(parts.X.numpy(), parts.Y.numpy()[0], None, parts)
    tied = _TiedObjective(full, [[0, 2]])
    # shared (dims 0, 2), dim 1, dim 3, noise, constant, log tau
    u = np.array([0.7, 0.3, 2.0, 0.05, 0.1, -1.7])
    np.testing.assert_array_equal(tied.expand(u), [0.7, 0.3, 0.7, 2.0, 0.05, 0.1, -1.7])
    column = saas_terms(np.array([0.7]), -1.7)[0][0]
    group = saas_terms(np.array([0.7]), -1.7, math.log(categorical_lengthscale_factor(2)))[0][0]
    expected = full(tied.expand(u))[0] + (2 * column - group) / full.n
    assert tied(u)[0] == pytest.approx(expected, rel=1e-12)
    assert_gradient_is_central_difference(tied, u)
    assert fast_fit(model, maxiter=200, shared_lengthscales=[[0, 2]])
    ls = model.covar_module.lengthscale.detach().numpy().reshape(-1)
    assert ls[0] == ls[2]


def test_botorchs_retry_can_sample_the_saas_priors() -> None:
    """BoTorch's fit draws hyperparameters from the priors after a failed attempt: the
    SAAS priors can be sampled and set."""
    from botorch.optim.utils import sample_all_priors

    model, _ = _gp()
    torch.manual_seed(0)
    sample_all_priors(model)
    ls = model.covar_module.lengthscale.detach()
    assert bool(torch.isfinite(ls).all()) and bool((ls > 0).all())
    assert math.isfinite(float(_gpytorch_loss(model)[0]))


# ------------------------------------------------------------------------ the option
def test_the_option_defaults_to_saas_for_one_objective_and_is_stored() -> None:
    assert BotorchOptions().lengthscale_prior == "auto"
    assert MultiObjectiveOptions().lengthscale_prior == "dim_scaled"
    assert BotorchOptions.ax_like().lengthscale_prior == "dim_scaled"
    X = np.random.default_rng(3).random((12, 2))
    y = -((X - 0.4) ** 2).sum(axis=1)
    y = (y - y.mean()) / y.std()
    args = ([X], [y], [np.full(12, np.nan)], [(0.0, 1.0)] * 2, ["x0", "x1"], ["f"])
    fast = {"num_restarts": 2, "raw_samples": 32, "fit_maxiter": 10, "initial_fit_maxiter": 50}
    model = BotorchModel(seed=1, **fast)
    model.fit(*args)
    assert model.lengthscale_prior == "saas"  # no categorical input
    assert model.fit_path == "fast" and has_saas_prior(model.model.covar_module)  # type: ignore[union-attr]
    state = json.loads(json.dumps(model.get_state()))
    assert state["options"]["lengthscale_prior"] == "auto"
    assert set(state["hyperparameters"]["f"]) >= {f"covar_module.{TAU_PARAMETER}"}
    resumed = BotorchModel(**state)
    resumed.fit(*args)
    bounds = [(0.0, 1.0)] * 2
    np.testing.assert_array_equal(
        model.gen(1, bounds, np.array([1.0]))[0], resumed.gen(1, bounds, np.array([1.0]))[0]
    )
    # a state stored before the option existed resumes with the dimension-scaled prior
    del state["options"]["lengthscale_prior"]
    old = BotorchModel(**state)
    assert old.options.lengthscale_prior == "dim_scaled"
    old.fit(*args)
    assert not has_saas_prior(old.model.covar_module)  # type: ignore[union-attr]
    with pytest.raises(UserInputError, match="lengthscale_prior"):
        BotorchModel(lengthscale_prior="horseshoe")


def test_a_model_list_gets_the_prior_on_each_outcome() -> None:
    rng = np.random.default_rng(4)
    X1, X2 = rng.random((8, 3)), rng.random((9, 3))
    data = validate_training_data(
        "test",
        [X1, X2],
        [X1[:, 0] - 0.5, X2[:, 1] - 0.5],
        [np.full(8, np.nan), np.full(9, np.nan)],
        [(0.0, 1.0)] * 3,
        ["a", "b", "c"],
        ["f", "g"],
    )
    model = build_model(data, lengthscale_prior="saas")
    assert isinstance(model, ModelListGP)
    assert all(has_saas_prior(sub.covar_module) for sub in model.models)
    assert fit_model(model, maxiter=100) == "fast"


@pytest.mark.parametrize("option", ["auto", "saas", "dim_scaled"])
def test_auto_keeps_the_dimension_scaled_prior_for_categorical_inputs(option: str) -> None:
    """With a one-hot group "auto" is the dimension-scaled prior (SAAS was worse on the
    suite's categorical Ackley); either prior can be asked for, and SAAS works with the
    group's shared lengthscale."""
    from ax.models.discrete_structure import DiscreteStructure

    rng = np.random.default_rng(4)
    levels = rng.integers(3, size=16)
    X = np.column_stack([rng.random(16), np.eye(3)[levels]])
    y = (X[:, 0] - 0.3) ** 2 + np.array([0.0, 0.5, 1.0])[levels]
    y = (y - y.mean()) / y.std()
    fast = {"num_restarts": 2, "raw_samples": 32, "fit_maxiter": 10, "initial_fit_maxiter": 50}
    model = BotorchModel(seed=0, lengthscale_prior=option, **fast)
    structure = DiscreteStructure(d=4, groups=[[1, 2, 3]])
    names = ["x", "c0", "c1", "c2"]
    model.fit([X], [y], [np.zeros(16)], [(0.0, 1.0)] * 4, names, ["f"], discrete=structure)
    expected = "dim_scaled" if option == "auto" else option
    assert model.lengthscale_prior == expected
    covar = model.model.covar_module  # type: ignore[union-attr]
    assert has_saas_prior(covar) is (expected == "saas")
    assert model.fit_path == "fast"
    ls = covar.lengthscale.detach().numpy().reshape(-1)
    assert len(set(ls[1:].tolist())) == 1
