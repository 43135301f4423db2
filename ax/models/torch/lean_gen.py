"""Multi-start L-BFGS-B on the lean acquisition functions, without autograd.

BoTorch's :func:`~botorch.generation.gen.gen_candidates_scipy` runs one independent
L-BFGS-B per starting point (``fmin_l_bfgs_b_batched``) and, at each step, turns the numpy
iterate into a tensor, evaluates the acquisition function, and back-propagates through
autograd to get the gradient; it also re-scans the process's BLAS libraries on every call
(``threadpool_limits``). For :class:`~ax.models.torch.fast_acqf.FastLogEI` and
:class:`~ax.models.torch.fast_acqf.FastLogNEI` the value and gradient are already computed
in closed form with numpy, so :func:`lean_gen_candidates` calls the same batched L-BFGS-B
on them directly: same algorithm, same options, same iterates (up to rounding), a fraction
of the overhead per step.

Anything else (other acquisition functions, fixed features, constraints, a timeout) goes
to ``gen_candidates_scipy`` unchanged.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple, Union

import numpy as np
import torch
from botorch.exceptions.errors import OptimizationGradientError
from botorch.generation.gen import gen_candidates_scipy
from botorch.optim.batched_lbfgs_b import fmin_l_bfgs_b_batched, translate_bounds_for_lbfgsb
from botorch.optim.utils import columnwise_clamp
from torch import Tensor

from ax.models.torch.fast_acqf import FastAcquisition

_SCIPY_ONLY_OPTIONS = (
    "method",
    "callback",
    "with_grad",
    "max_optimization_problem_aggregation_size",
)
_CONSTRAINT_KWARGS = (
    "inequality_constraints",
    "equality_constraints",
    "nonlinear_inequality_constraints",
)

_process_scipy_result: Optional[Callable[..., None]]
try:  # BoTorch's logging of unconverged restarts (private; optional)
    from botorch.generation.gen import _process_scipy_result
except ImportError:  # pragma: no cover - another BoTorch version
    _process_scipy_result = None


def lean_gen_candidates(
    initial_conditions: Tensor,
    acquisition_function: Any,
    lower_bounds: Optional[Union[float, Tensor]] = None,
    upper_bounds: Optional[Union[float, Tensor]] = None,
    options: Optional[Dict[str, Any]] = None,
    fixed_features: Optional[Dict[int, Any]] = None,
    timeout_sec: Optional[float] = None,
    **kwargs: Any,
) -> Tuple[Tensor, Tensor]:
    """Optimise ``acquisition_function`` from each starting point (BoTorch's signature).

    Args:
        initial_conditions: `b x 1 x d` starting points.
        acquisition_function: The acquisition function (lean ones are optimised here).
        lower_bounds: `d` lower bounds (or a float, or None).
        upper_bounds: `d` upper bounds (or a float, or None).
        options: L-BFGS-B options (``maxiter`` and those of ``fmin_l_bfgs_b_batched``).
        fixed_features: Features held fixed (sent to BoTorch's generator).
        timeout_sec: A time limit (sent to BoTorch's generator).
        **kwargs: Constraints (sent to BoTorch's generator).

    Returns:
        ``(candidates b x 1 x d, acquisition values b)``, as ``gen_candidates_scipy``.
    """
    lean = (
        isinstance(acquisition_function, FastAcquisition)
        and not fixed_features
        and timeout_sec is None
        and not any(kwargs.get(name) for name in _CONSTRAINT_KWARGS)
        and initial_conditions.ndim == 3
        and initial_conditions.shape[1] == 1
        and (options or {}).get("method", "L-BFGS-B") == "L-BFGS-B"
        and (options or {}).get("with_grad", True)
    )
    if not lean:
        return gen_candidates_scipy(
            initial_conditions,
            acquisition_function,
            lower_bounds=lower_bounds,
            upper_bounds=upper_bounds,
            options=options,
            fixed_features=fixed_features,
            timeout_sec=timeout_sec,
            **kwargs,
        )
    options = dict(options or {})
    options.setdefault("maxiter", 2000)
    minimize_options = {k: v for k, v in options.items() if k not in _SCIPY_ONLY_OPTIONS}
    kernel = acquisition_function.kernel
    b, _, d = initial_conditions.shape
    start = columnwise_clamp(
        X=initial_conditions, lower=lower_bounds, upper=upper_bounds, raise_on_violation=True
    )
    x0 = start.detach().reshape(b, d).cpu().numpy().astype(np.float64, copy=True)

    def negative_value_and_grad(
        x: np.ndarray, batch_indices: Optional[Any] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        if np.isnan(x).any():
            raise RuntimeError(
                f"{np.isnan(x).sum()} elements of the {x.size} element array `x` are NaN."
            )
        value, grad = kernel(x.reshape(-1, d), need_grad=True)
        assert grad is not None
        if np.isnan(grad).any():
            raise OptimizationGradientError(
                f"{np.isnan(grad).sum()} elements of the {grad.size} element gradient array "
                "are NaN. This often indicates numerical issues.",
                current_x=x,
            )
        return -value, -grad.reshape(x.shape)

    xs, _, results = fmin_l_bfgs_b_batched(
        func=negative_value_and_grad,
        x0=x0,
        bounds=translate_bounds_for_lbfgsb(
            lower_bounds=_plain(lower_bounds),
            upper_bounds=_plain(upper_bounds),
            num_features=d,
            q=1,
        ),
        callback=options.get("callback"),
        pass_batch_indices=True,
        **minimize_options,
    )
    if _process_scipy_result is not None:
        for result in results:
            _process_scipy_result(res=result, options=options)
    candidates = torch.from_numpy(np.asarray(xs)).reshape(b, 1, d).to(initial_conditions)
    candidates = columnwise_clamp(
        X=candidates, lower=lower_bounds, upper=upper_bounds, raise_on_violation=True
    )
    with torch.no_grad():
        values = acquisition_function(candidates)
    return candidates, values


def _plain(bound: Optional[Union[float, Tensor]]) -> Optional[Union[float, list]]:
    """A bound as L-BFGS-B's helper takes it: None, a float, or a list of floats."""
    if isinstance(bound, Tensor):
        values: list = bound.detach().reshape(-1).tolist()
        return values
    return bound


__all__ = ["lean_gen_candidates"]
