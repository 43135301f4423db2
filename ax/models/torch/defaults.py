"""Training data checks, GP construction and warm-started fitting for the BoTorch generators.

- :func:`validate_training_data` turns the ``fit`` arguments into checked float64 arrays
  (:class:`TrainingData`), raising :class:`~ax.exceptions.UserInputError` naming the metric
  and the shape instead of letting torch fail deep inside.
- :func:`build_model` makes one batched multi-output ``SingleTaskGP`` when every outcome
  has the same points and the same kind of noise, otherwise a ``ModelListGP``; known
  variances give a fixed-noise GP (variances clamped at ``MIN_VARIANCE``), unknown ones an
  inferred-noise GP. The bridge has already standardised the outcomes, so no outcome
  transform is added; BoTorch's own input and outcome scaling checks still run and warn.
- :func:`get_hyperparameters` / :func:`set_hyperparameters` move hyperparameters in and out
  as plain lists (the warm start and the saved state).
- :func:`fit_model` fits with L-BFGS-B from the current hyperparameters, through the lean
  marginal likelihood of :mod:`ax.models.torch.fast` when the model is the standard one
  (checked numerically at every fit), else through BoTorch's ``fit_gpytorch_mll``.
- :func:`torch_context` runs a block with a given number of torch threads and, optionally,
  a private random stream, restoring both afterwards.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
from botorch.exceptions.errors import ModelFittingError
from botorch.exceptions.warnings import InputDataWarning
from botorch.fit import fit_gpytorch_mll
from botorch.models import ModelListGP, SingleTaskGP
from botorch.models.model import Model
from botorch.models.utils.gpytorch_modules import get_covar_module_with_dim_scaled_prior
from gpytorch.mlls import ExactMarginalLogLikelihood
from gpytorch.settings import min_fixed_noise
from torch import Tensor

from ax.exceptions import UnsupportedError, UserInputError
from ax.models.torch.fast import KERNELS, fast_fit
from ax.models.torch.saas_prior import add_saas_prior

logger = logging.getLogger(__name__)

DTYPE = torch.float64
"""Every tensor of these generators is float64 on the CPU."""

LENGTHSCALE_PRIORS = ("dim_scaled", "saas")
"""Lengthscale priors of the single-task GP: BoTorch's dimension-scaled log-normal, and
the SAAS prior (:mod:`ax.models.torch.saas_prior`)."""

MIN_VARIANCE = 1e-9
"""Known observation variances (of the standardised outcomes) are clamped at this value
(exact zeros break Cholesky); :func:`build_model` lowers GPyTorch's own floor for fixed
noise (1e-6 in float64) to it, so that the stored noise is the noise GPyTorch uses.

Ax clamped at 1e-7 and GPyTorch at 1e-6. For a noiseless metric (variance 0) such a floor
is a noise of sd 0.1 % of the outcome's spread, which blurs the model exactly where a run
is converging: on the suite (issue 10, 20 seeds) 1e-9 took Branin from -3.92 to -5.88 and
Gramacy from -8.88 to -12 (the optimum) at 50 evaluations. Cholesky factors get jitter
where the points crowd (GPyTorch's and :func:`~ax.models.torch.fast.safe_cholesky`)."""

TBounds = Sequence[Tuple[float, float]]


@dataclass(frozen=True)
class TrainingData:
    """Checked training data of a GP model.

    Attributes:
        Xs: Per outcome, `n_i x d` float64 points.
        Ys: Per outcome, `n_i` float64 observed means (finite).
        Yvars: Per outcome, `n_i` float64 variances (>= 0), or None when unknown.
        metric_names: Name of each outcome.
        feature_names: Name of each of the ``d`` input dimensions.
        bounds: ``d`` pairs ``(lower, upper)``.
    """

    Xs: List[np.ndarray]
    Ys: List[np.ndarray]
    Yvars: List[Optional[np.ndarray]]
    metric_names: List[str]
    feature_names: List[str]
    bounds: List[Tuple[float, float]]

    @property
    def shared_X(self) -> bool:
        """Whether every outcome was observed at the very same points."""
        first = self.Xs[0]
        return all(X.shape == first.shape and np.array_equal(X, first) for X in self.Xs[1:])

    @property
    def all_X(self) -> np.ndarray:
        """The distinct observed points of all outcomes, `N x d`, in first-seen order."""
        stacked = np.concatenate(self.Xs, axis=0)
        _, index = np.unique(stacked, axis=0, return_index=True)
        return stacked[np.sort(index)]


def check_bounds(owner: str, bounds: object) -> List[Tuple[float, float]]:
    """``bounds`` as a list of finite ``(lower, upper)`` float pairs with lower <= upper.

    Raises:
        UserInputError: Not a non-empty sequence of such pairs.
    """
    try:
        array = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError) as err:
        raise UserInputError(
            f"{owner}: bounds must be a list of (lower, upper) pairs, got {bounds!r}"
        ) from err
    if array.ndim != 2 or array.shape[1] != 2 or array.shape[0] == 0:
        raise UserInputError(
            f"{owner}: bounds must be a non-empty d x 2 list of (lower, upper) pairs, got "
            f"shape {array.shape}"
        )
    if not np.all(np.isfinite(array)) or np.any(array[:, 0] > array[:, 1]):
        bad = int(np.flatnonzero(~np.isfinite(array).all(axis=1) | (array[:, 0] > array[:, 1]))[0])
        raise UserInputError(
            f"{owner}: bounds[{bad}] must be finite with lower <= upper, got "
            f"{tuple(array[bad].tolist())}"
        )
    return [(float(lo), float(hi)) for lo, hi in array]


def validate_training_data(
    owner: str,
    Xs: Sequence[Any],
    Ys: Sequence[Any],
    Yvars: Sequence[Any],
    bounds: TBounds,
    feature_names: Sequence[str],
    metric_names: Sequence[str],
) -> TrainingData:
    """Check the arguments of ``fit`` and return them as :class:`TrainingData`.

    Raises:
        UserInputError: Mismatched list lengths; a metric with no points, points of the
            wrong shape, non-finite points or means, negative or infinite variances, or
            a mix of known and unknown (NaN) variances. The message names the metric
            and the shape or value.
    """
    where = f"{owner}.fit"
    bounds_list = check_bounds(where, bounds)
    d = len(bounds_list)
    names = list(metric_names)
    if not names or not all(isinstance(n, str) for n in names):
        raise UserInputError(
            f"{where}: metric_names must be a non-empty list of str, got {metric_names!r}"
        )
    features = list(feature_names)
    if len(features) != d:
        raise UserInputError(
            f"{where}: feature_names must have one name per dimension (d={d}), got "
            f"{len(features)}: {features!r}"
        )
    lengths = {"Xs": len(Xs), "Ys": len(Ys), "Yvars": len(Yvars), "metric_names": len(names)}
    if len(set(lengths.values())) != 1:
        raise UserInputError(
            f"{where}: Xs, Ys, Yvars and metric_names must have one entry per metric, got "
            f"lengths {lengths}"
        )
    out_X: List[np.ndarray] = []
    out_Y: List[np.ndarray] = []
    out_V: List[Optional[np.ndarray]] = []
    for name, X_raw, Y_raw, V_raw in zip(names, Xs, Ys, Yvars):
        X = _as_float_array(where, f"Xs for metric '{name}'", X_raw)
        Y = _as_float_array(where, f"Ys for metric '{name}'", Y_raw)
        V = _as_float_array(where, f"Yvars for metric '{name}'", V_raw)
        if X.ndim != 2 or X.shape[1] != d:
            raise UserInputError(
                f"{where}: Xs for metric '{name}' must be n x d with d={d}, got shape {X.shape}"
            )
        n = X.shape[0]
        if n == 0:
            raise UserInputError(
                f"{where}: metric '{name}' has no observations (Xs shape {X.shape})",
                hint="fit needs at least one observed point per metric",
            )
        Y = Y.reshape(-1) if Y.ndim == 2 and Y.shape[1] == 1 else Y
        V = V.reshape(-1) if V.ndim == 2 and V.shape[1] == 1 else V
        if Y.shape != (n,) or V.shape != (n,):
            raise UserInputError(
                f"{where}: Ys and Yvars for metric '{name}' must have shape ({n},) like its "
                f"Xs {X.shape}, got Ys {Y.shape} and Yvars {V.shape}"
            )
        if not np.all(np.isfinite(X)):
            raise UserInputError(f"{where}: Xs for metric '{name}' contain non-finite values")
        if not np.all(np.isfinite(Y)):
            kind = "all NaN" if np.all(np.isnan(Y)) else "non-finite values"
            raise UserInputError(
                f"{where}: Ys for metric '{name}' contain {kind} (shape {Y.shape}); "
                "every observed mean must be finite"
            )
        unknown = np.isnan(V)
        if unknown.all():
            out_V.append(None)
        elif unknown.any():
            raise UserInputError(
                f"{where}: Yvars for metric '{name}' mix known variances and NaN (unknown) "
                f"ones ({int(unknown.sum())} of {n} NaN)",
                hint="give every observation of a metric a variance, or none (all NaN)",
            )
        elif np.any(V < 0) or not np.all(np.isfinite(V)):
            bad = float(V[(V < 0) | ~np.isfinite(V)][0])
            raise UserInputError(
                f"{where}: Yvars for metric '{name}' must be >= 0 and finite, got {bad}"
            )
        else:
            out_V.append(np.maximum(V, MIN_VARIANCE))
        out_X.append(X)
        out_Y.append(Y)
    return TrainingData(out_X, out_Y, out_V, names, [str(f) for f in features], bounds_list)


def _as_float_array(where: str, what: str, value: Any) -> np.ndarray:
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise UserInputError(f"{where}: {what} must be an array of numbers: {err}") from err


# ------------------------------------------------------------------------ models
def to_tensor(array: Any) -> Tensor:
    """``array`` as a float64 CPU tensor (a copy)."""
    return torch.as_tensor(np.asarray(array, dtype=np.float64), dtype=DTYPE).clone()


def build_model(
    data: TrainingData,
    allow_batched: bool = True,
    fidelity_features: Sequence[int] = (),
    linear_truncated: bool = False,
    task_features: Sequence[int] = (),
    kernel: str = "matern52",
    lengthscale_prior: str = "dim_scaled",
) -> Model:
    """A GP on ``data``, not yet fitted (hyperparameters at the priors' modes).

    Args:
        data: Checked training data.
        allow_batched: Allow one batched multi-output model (else always a model list
            for several outcomes).
        fidelity_features: Input dimensions that are fidelities (in ``[0, 1]``): each
            outcome then gets a ``SingleTaskMultiFidelityGP`` (one per outcome, in a
            model list when there are several).
        linear_truncated: Multi-fidelity kernel: linear truncated (one fidelity
            dimension only) or exponential decay.
        task_features: Input dimensions that are tasks (integers ``0 .. k-1``, bounds
            ``(0, k-1)``): each outcome then gets a BoTorch ``MultiTaskGP`` over that task
            column (one task feature at most; not combined with fidelities).
        kernel: Kernel of the single-task GPs: ``"rbf"`` or ``"matern52"`` (ARD, with
            BoTorch's dimension-scaled lengthscale prior either way). Multi-fidelity and
            multi-task GPs keep BoTorch's kernels.
        lengthscale_prior: Lengthscale prior of the single-task GPs: ``"dim_scaled"``
            (BoTorch's log-normal) or ``"saas"`` (the SAAS prior at its mode in log
            coordinates, :mod:`~ax.models.torch.saas_prior`; the lengthscales start at
            the dimension-scaled prior's mode either way).

    Returns:
        A ``SingleTaskGP`` with ``m`` batched outputs when every outcome shares its
        points and kind of noise (and ``allow_batched``), a single-output
        ``SingleTaskGP`` for one outcome, otherwise a ``ModelListGP``; multi-fidelity
        GPs as above when ``fidelity_features`` is not empty, multi-task GPs when
        ``task_features`` is not empty.

    Raises:
        UnsupportedError: Several task features, or task and fidelity features together.
    """
    with warnings.catch_warnings(), min_fixed_noise(double_value=MIN_VARIANCE):
        # Standardising the outcomes is the bridge's job, and subsets of standardised
        # data (cross-validation folds, outcomes observed at different points, a
        # population rather than sample standard deviation) are legitimately not
        # exactly standardised: BoTorch's outcome-scaling warning would only be noise.
        # Its input checks (NaN, points outside the unit cube) still run.
        warnings.filterwarnings(
            "ignore",
            message=r".*outcome observations\) is not standardized",
            category=InputDataWarning,
        )
        if task_features:
            return _build_multi_task_model(data, list(task_features), list(fidelity_features))
        if fidelity_features:
            return _build_multi_fidelity_model(data, list(fidelity_features), linear_truncated)
        return _build_model(data, allow_batched, kernel, lengthscale_prior)


def _build_multi_fidelity_model(
    data: TrainingData, fidelity_features: List[int], linear_truncated: bool
) -> Model:
    from botorch.models import SingleTaskMultiFidelityGP

    # BoTorch's linear truncated kernel takes one data fidelity; several need the
    # exponential decay kernel.
    truncated = linear_truncated and len(fidelity_features) == 1
    models = [
        SingleTaskMultiFidelityGP(
            to_tensor(X),
            to_tensor(Y).unsqueeze(-1),
            train_Yvar=None if V is None else to_tensor(V).unsqueeze(-1),
            data_fidelities=fidelity_features,
            linear_truncated=truncated,
            outcome_transform=None,
        )
        for X, Y, V in zip(data.Xs, data.Ys, data.Yvars)
    ]
    return models[0] if len(models) == 1 else ModelListGP(*models)


def _build_multi_task_model(
    data: TrainingData, task_features: List[int], fidelity_features: List[int]
) -> Model:
    from botorch.models import MultiTaskGP

    if len(task_features) > 1 or fidelity_features:
        raise UnsupportedError(
            f"build_model: a multi-task GP takes one task feature and no fidelity features, "
            f"got task features {task_features} and fidelity features {fidelity_features}"
        )
    column = task_features[0]
    lower, upper = data.bounds[column]
    all_tasks = list(range(int(round(lower)), int(round(upper)) + 1))
    models = [
        MultiTaskGP(
            to_tensor(X),
            to_tensor(Y).unsqueeze(-1),
            task_feature=column,
            train_Yvar=None if V is None else to_tensor(V).unsqueeze(-1),
            # One output (the task comes from the task column of X at prediction).
            output_tasks=[all_tasks[-1]],
            all_tasks=all_tasks,
            outcome_transform=None,
        )
        for X, Y, V in zip(data.Xs, data.Ys, data.Yvars)
    ]
    return models[0] if len(models) == 1 else ModelListGP(*models)


def _build_model(
    data: TrainingData, allow_batched: bool, kernel: str, lengthscale_prior: str
) -> Model:
    known = [V is not None for V in data.Yvars]
    single = len(data.Ys) == 1
    if single or (allow_batched and data.shared_X and len(set(known)) == 1):
        X = to_tensor(data.Xs[0])
        Y = to_tensor(np.stack(data.Ys, axis=-1))
        Yvar = None if not known[0] else to_tensor(np.stack(data.Yvars, axis=-1))  # type: ignore[arg-type]
        return _with_kernel(
            SingleTaskGP(X, Y, train_Yvar=Yvar, outcome_transform=None), kernel, lengthscale_prior
        )
    models = [
        _with_kernel(
            SingleTaskGP(
                to_tensor(X),
                to_tensor(Y).unsqueeze(-1),
                train_Yvar=None if V is None else to_tensor(V).unsqueeze(-1),
                outcome_transform=None,
            ),
            kernel,
            lengthscale_prior,
        )
        for X, Y, V in zip(data.Xs, data.Ys, data.Yvars)
    ]
    return ModelListGP(*models)


def _with_kernel(model: SingleTaskGP, kernel: str, lengthscale_prior: str) -> SingleTaskGP:
    """``model`` with BoTorch's default kernel (ARD, dimension-scaled log-normal
    lengthscale prior, no output scale) as RBF or Matérn-5/2, the prior replaced by the
    SAAS prior if asked.

    The model is built with BoTorch's default (RBF) kernel, which also sets up its
    output subsetting; the Matérn kernel of the same construction replaces it, with
    the same parameter names.
    """
    if kernel not in KERNELS:
        raise UserInputError(f"build_model: unknown kernel {kernel!r}", hint=f"known: {KERNELS}")
    if lengthscale_prior not in LENGTHSCALE_PRIORS:
        raise UserInputError(
            f"build_model: unknown lengthscale_prior {lengthscale_prior!r}",
            hint=f"known: {LENGTHSCALE_PRIORS}",
        )
    if kernel != "rbf":
        model.covar_module = get_covar_module_with_dim_scaled_prior(
            ard_num_dims=model.train_inputs[0].shape[-1],
            batch_shape=model._aug_batch_shape,
            use_rbf_kernel=False,
        ).to(model.train_inputs[0])
    if lengthscale_prior == "saas":
        add_saas_prior(model.covar_module)
    return model


def _per_output(model: Model) -> List[Tuple[torch.nn.Module, Optional[int]]]:
    """Per outcome, the module holding its parameters and its batch index (or None)."""
    if isinstance(model, ModelListGP):
        return [(sub, None) for sub in model.models]
    if model.num_outputs > 1:
        return [(model, j) for j in range(model.num_outputs)]
    return [(model, None)]


def inverse_lengthscales(model: Model) -> Optional[np.ndarray]:
    """`m x d` inverse lengthscales of each outcome's kernel, or None if a kernel has none.

    A short lengthscale means the outcome changes quickly along that input, so the inverse
    lengthscale is the usual GP measure of a feature's importance.
    """
    rows = []
    for module, j in _per_output(model):
        kernel = getattr(module, "covar_module", None)
        lengthscale = getattr(kernel, "lengthscale", None)
        if lengthscale is None:
            lengthscale = getattr(getattr(kernel, "base_kernel", None), "lengthscale", None)
        if lengthscale is None:
            return None
        values = lengthscale.detach()
        if j is not None:
            values = values[j]
        rows.append(1.0 / values.reshape(-1).cpu().numpy())
    return np.stack(rows)


def get_hyperparameters(model: Model, metric_names: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """The trainable parameters of each outcome as plain nested lists.

    Returns:
        ``{metric name: {parameter name: nested list}}`` in the shapes of a single-output
        GP, whether the model is batched or a model list, so that they can warm-start a
        model of either structure.
    """
    out: Dict[str, Dict[str, Any]] = {}
    for name, (module, j) in zip(metric_names, _per_output(model)):
        out[name] = {
            pname: (p if j is None else p[j]).detach().tolist()
            for pname, p in module.named_parameters()
            if p.requires_grad
        }
    return out


def set_hyperparameters(
    model: Model, metric_names: Sequence[str], values: Mapping[str, Mapping[str, Any]]
) -> Tuple[int, int]:
    """Load saved hyperparameters into ``model`` where metric, name and shape match.

    Args:
        model: The model to update in place.
        metric_names: Name of each outcome of ``model``.
        values: As returned by :func:`get_hyperparameters`.

    Returns:
        ``(loaded, total)``: the number of (outcome, parameter) pairs loaded, and of
        those the model has; ``loaded == total`` means a complete warm start.
    """
    loaded = total = 0
    with torch.no_grad():
        for name, (module, j) in zip(metric_names, _per_output(model)):
            saved = values.get(name)
            for pname, param in module.named_parameters():
                if not param.requires_grad:
                    continue
                total += 1
                if not isinstance(saved, Mapping) or pname not in saved:
                    continue
                target = param if j is None else param[j]
                try:
                    value = torch.as_tensor(saved[pname], dtype=param.dtype)
                except (TypeError, ValueError, RuntimeError):
                    continue
                if value.shape == target.shape and bool(torch.isfinite(value).all()):
                    target.copy_(value)
                    loaded += 1
    return loaded, total


def fit_model(
    model: Model,
    maxiter: int,
    fast: bool = True,
    shared_lengthscales: Sequence[Sequence[int]] = (),
) -> str:
    """Fit the hyperparameters by maximum a posteriori from their current values.

    Args:
        model: A model from :func:`build_model`.
        maxiter: Most L-BFGS-B iterations (per sub-model).
        fast: Try the lean marginal likelihood for the standard model first.
        shared_lengthscales: Groups of input dimensions fitted with one lengthscale
            each, under a prior of its own (the one-hot columns of categorical
            parameters: :class:`~ax.models.torch.fast._TiedObjective`), on the lean
            path; BoTorch's general fit keeps one per dimension, each under the
            model's prior.

    Returns:
        ``"fast"`` when every sub-model went through the lean path, ``"kept"`` when
        BoTorch's fit of a sub-model failed every attempt (that sub-model keeps the
        hyperparameters it started from: the previous fit's when warm-started, else
        the priors' modes; a warning is logged), else ``"botorch"``.
    """
    submodels = list(model.models) if isinstance(model, ModelListGP) else [model]
    paths = []
    for sub in submodels:
        if fast and fast_fit(sub, maxiter, shared_lengthscales):
            paths.append("fast")
            continue
        mll = ExactMarginalLogLikelihood(sub.likelihood, sub)
        try:
            with warnings.catch_warnings():
                # Hitting maxiter is the point of a capped fit, not a problem to report.
                warnings.filterwarnings("ignore", message=".*(ITERATIONS|maxiter|MAXITER).*")
                fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": maxiter}})
        except ModelFittingError as err:
            # BoTorch restores the starting values after each failed attempt (an
            # optimiser warning, such as an abnormal line-search end on nearly
            # noiseless data, counts as a failure): those are a valid GP, so the run
            # goes on with them rather than stopping.
            logger.warning(
                "fit_model: BoTorch could not fit %s (%s); it keeps its starting "
                "hyperparameters (the previous fit's when warm-started, else the "
                "priors' modes)",
                type(sub).__name__,
                err,
            )
            paths.append("kept")
            continue
        paths.append("botorch")
    model.eval()
    if all(p == "fast" for p in paths):
        return "fast"
    return "kept" if "kept" in paths else "botorch"


def posterior_mean_var(model: Model, X: Tensor) -> Tuple[Tensor, Tensor]:
    """Latent posterior means and variances at `n x d` points: two `n x m` tensors."""
    with torch.no_grad():
        posterior = model.posterior(X)
        mean: Tensor = posterior.mean  # type: ignore[attr-defined]
        var: Tensor = posterior.variance  # type: ignore[attr-defined]
    return mean.reshape(X.shape[0], -1), var.reshape(X.shape[0], -1)


# ------------------------------------------------------------------------ torch context
_BLAS: List[Any] = []  # the threadpoolctl controller, created at first use


@contextmanager
def torch_context(threads: int, seed: Optional[int] = None) -> Iterator[None]:
    """Run a block with ``threads`` torch (and BLAS) threads and, given ``seed``, a
    private random stream.

    The global thread counts and (with ``seed``) torch's global random state are
    restored on exit, so nothing leaks to the caller. BLAS is limited too: the lean
    paths call numpy/scipy linear algebra, and idle BLAS threads spinning next to torch's
    made small solves 50 times slower on a 2-core machine.
    """
    if not _BLAS:
        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped, unused-ignore]

        _BLAS.append(ThreadpoolController())
    previous = torch.get_num_threads()
    if previous != threads:
        torch.set_num_threads(threads)
    try:
        with _BLAS[0].limit(limits=threads, user_api="blas"):
            if seed is None:
                yield
            else:
                with torch.random.fork_rng(devices=[]):
                    torch.manual_seed(seed)
                    yield
    finally:
        if torch.get_num_threads() != previous:
            torch.set_num_threads(previous)


__all__ = [
    "DTYPE",
    "MIN_VARIANCE",
    "TrainingData",
    "build_model",
    "check_bounds",
    "fit_model",
    "get_hyperparameters",
    "posterior_mean_var",
    "set_hyperparameters",
    "to_tensor",
    "torch_context",
    "validate_training_data",
]
