"""Knowledge-gradient Bayesian optimisation: :class:`KnowledgeGradient`."""

from __future__ import annotations

from typing import ClassVar

import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.knowledge_gradient import qKnowledgeGradient
from botorch.sampling.normal import SobolQMCNormalSampler

from ax.models.torch.acquisition import AcquisitionProblem, scalarized_objective
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.options import BotorchOptions, KnowledgeGradientOptions


class KnowledgeGradient(BotorchModel):
    """A :class:`BotorchModel` that proposes points by one-shot knowledge gradient.

    The knowledge gradient values a point by how much observing it is expected to raise
    the maximum of the posterior mean; its candidates are informative rather than good
    in themselves, so :meth:`best_point` recommends the maximiser of the posterior mean
    over the box (out of sample). Outcome constraints are folded into the objective
    (infeasible samples get BoTorch's infeasible cost). The defaults are cheap
    (:class:`~ax.models.torch.options.KnowledgeGradientOptions`: 16 fantasies,
    4 restarts, 128 raw samples): the one-shot problem has ``(1 + num_fantasies) * d``
    dimensions. ``options.acquisition`` is not used. Several outcomes are modelled as a
    model list (BoTorch 0.18's knowledge gradient breaks on a batched multi-output GP
    when the optimiser evaluates a single restart).

    Args: as :class:`BotorchModel`; option fields include ``num_fantasies``.

    Example:
        >>> model = KnowledgeGradient(seed=0, num_fantasies=8)
        >>> model.options.num_fantasies
        8
    """

    options_class: ClassVar[type[BotorchOptions]] = KnowledgeGradientOptions
    best_point_out_of_sample: ClassVar[bool] = True
    batch_outputs: ClassVar[bool] = False  # BoTorch 0.18's KG fails on batched outputs

    def _acquisition(self, problem: AcquisitionProblem) -> AcquisitionFunction:
        opts = problem.options
        assert isinstance(opts, KnowledgeGradientOptions)
        problem.notes.setdefault("acquisition", []).append("qKG")
        sampler = SobolQMCNormalSampler(
            sample_shape=torch.Size([opts.num_fantasies]), seed=problem.seed
        )
        pending = problem.X_pending
        return qKnowledgeGradient(
            problem.model,
            num_fantasies=None,
            sampler=sampler,
            objective=scalarized_objective(problem),
            X_pending=pending if pending is not None and pending.shape[0] else None,
        )


__all__ = ["KnowledgeGradient"]
