"""Max-value entropy search: :class:`MaxValueEntropySearch`."""

from __future__ import annotations

from typing import ClassVar

import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.max_value_entropy_search import (
    qLowerBoundMaxValueEntropy,
    qMaxValueEntropy,
)
from torch.quasirandom import SobolEngine

from ax.exceptions import UnsupportedError
from ax.models.torch.acquisition import AcquisitionProblem
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.defaults import DTYPE
from ax.models.torch.options import BotorchOptions, MaxValueEntropyOptions


class MaxValueEntropySearch(BotorchModel):
    """A :class:`BotorchModel` that proposes points by max-value entropy search.

    Points are valued by how much observing them is expected to reduce the entropy of
    the maximum of the objective ``weights @ f``, whose samples are drawn on
    ``num_candidates`` quasi-random points of the box (Gumbel approximation). With
    ``lower_bound`` the cheaper GIBBON lower bound (``qLowerBoundMaxValueEntropy``) is
    used instead of ``qMaxValueEntropy``. Like the knowledge gradient, :meth:`best_point`
    recommends the maximiser of the posterior mean (out of sample).
    ``options.acquisition`` is not used.

    Entropy search works on one outcome: the objective must weight one metric (the
    others are ignored), and outcome constraints are not supported; ``gen`` raises
    :class:`~ax.exceptions.UnsupportedError` otherwise.

    Args: as :class:`BotorchModel`; option fields include ``num_candidates``,
        ``num_mv_samples`` and ``lower_bound``.

    Example:
        >>> MaxValueEntropySearch(seed=0, lower_bound=True).options.lower_bound
        True
    """

    options_class: ClassVar[type[BotorchOptions]] = MaxValueEntropyOptions
    best_point_out_of_sample: ClassVar[bool] = True

    def _acquisition(self, problem: AcquisitionProblem) -> AcquisitionFunction:
        opts = problem.options
        assert isinstance(opts, MaxValueEntropyOptions)
        if problem.outcome_constraints is not None:
            raise UnsupportedError(
                f"{type(self).__name__}: outcome constraints are not supported by max-value "
                f"entropy search, got {problem.outcome_constraints[0].shape[0]} constraint(s)",
                hint="use BotorchModel (constrained qLogNEI) or KnowledgeGradient",
            )
        name = "qLowerBoundMaxValueEntropy" if opts.lower_bound else "qMaxValueEntropy"
        problem.notes.setdefault("acquisition", []).append(name)
        X = problem.X_observed
        engine = SobolEngine(X.shape[-1], scramble=True, seed=problem.seed)
        candidates = engine.draw(opts.num_candidates, dtype=DTYPE)
        if problem.bounds is not None:
            lower, upper = problem.bounds[0], problem.bounds[1]
            candidates = lower + (upper - lower) * candidates
        candidates = torch.cat([candidates, X])  # the observed points can hold the max
        # BoTorch's entropy search needs a single-output model: keep the objective's
        # metric. The information gain is invariant to rescaling it, so only the sign
        # of its weight matters (``maximize``).
        model, weights = problem.model, problem.weights
        active = torch.nonzero(weights).reshape(-1).tolist()
        if len(active) != 1:
            raise UnsupportedError(
                f"{type(self).__name__}: max-value entropy search needs an objective on one "
                f"metric, got objective_weights {weights.tolist()}",
                hint="use BotorchModel or KnowledgeGradient for scalarised objectives",
            )
        if weights.numel() > 1:
            model = model.subset_output(active)
        maximize = bool(weights[active[0]] > 0)
        pending = problem.X_pending
        pending = pending if pending is not None and pending.shape[0] else None
        if opts.lower_bound:
            return qLowerBoundMaxValueEntropy(
                model,
                candidate_set=candidates,
                num_mv_samples=opts.num_mv_samples,
                maximize=maximize,
                X_pending=pending,
            )
        return qMaxValueEntropy(
            model,
            candidate_set=candidates,
            num_mv_samples=opts.num_mv_samples,
            maximize=maximize,
            X_pending=pending,
        )


__all__ = ["MaxValueEntropySearch"]
