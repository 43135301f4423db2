"""Knowledge-gradient Bayesian optimisation, single- and multi-fidelity:
:class:`KnowledgeGradient`."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import ClassVar

import torch
from botorch.acquisition import AcquisitionFunction
from botorch.acquisition.cost_aware import InverseCostWeightedUtility
from botorch.acquisition.knowledge_gradient import (
    qKnowledgeGradient,
    qMultiFidelityKnowledgeGradient,
)
from botorch.acquisition.utils import project_to_target_fidelity
from botorch.models.cost import AffineFidelityCostModel
from botorch.sampling.normal import SobolQMCNormalSampler

from ax.models.torch.acquisition import (
    AcquisitionProblem,
    optimize_sequential,
    posterior_mean_acquisition,
    scalarized_objective,
)
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.defaults import DTYPE
from ax.models.torch.fidelity import affine_cost, target_fidelities
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

    **Multi-fidelity.** When ``fit`` is given fidelity features (the bridge does so for
    ``RangeParameter(..., is_fidelity=True, target_value=...)``), each outcome is
    modelled by a ``SingleTaskMultiFidelityGP`` and candidates are chosen by BoTorch's
    ``qMultiFidelityKnowledgeGradient``: the expected gain in the best posterior mean
    *at the target fidelities* (``project_to_target_fidelity``) over its current value,
    divided by the evaluation's cost (``InverseCostWeightedUtility`` on the affine
    ``options.cost_model``). Candidates are at cheaper fidelities while that pays; the
    recommended point (:meth:`best_point`) is at the target fidelities.

    Args: as :class:`BotorchModel`; option fields include ``num_fantasies``,
        ``cost_model`` (:class:`~ax.models.torch.fidelity.FidelityCostModel`),
        ``cost_intercept`` and ``linear_truncated``.

    Example:
        >>> model = KnowledgeGradient(seed=0, num_fantasies=8)
        >>> model.options.num_fantasies
        8
        >>> cheap = KnowledgeGradient(cost_model={"fixed_cost": 0.1, "cost_per_unit": 0.9})
        >>> cheap.options.cost_model
        FidelityCostModel(fixed_cost=0.1, cost_per_unit=0.9)
    """

    options_class: ClassVar[type[BotorchOptions]] = KnowledgeGradientOptions
    best_point_out_of_sample: ClassVar[bool] = True
    batch_outputs: ClassVar[bool] = False  # BoTorch 0.18's KG fails on batched outputs
    explores_fidelities: ClassVar[bool] = True

    def _acquisition(self, problem: AcquisitionProblem) -> AcquisitionFunction:
        opts = problem.options
        assert isinstance(opts, KnowledgeGradientOptions)
        if self.fidelity_features:
            return self._multi_fidelity_acquisition(problem, opts)
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

    def _multi_fidelity_acquisition(
        self, problem: AcquisitionProblem, opts: KnowledgeGradientOptions
    ) -> AcquisitionFunction:
        """Cost-aware multi-fidelity knowledge gradient (one sequential step).

        The current value is the maximum over the box of the posterior mean of the
        objective at the target fidelities (linear constraints and fixed features are
        not applied to it); it is computed once per ``gen`` and recorded in the
        metadata as ``current_value``.
        """
        name = type(self).__name__
        features = self.fidelity_features
        targets = target_fidelities(features)
        fixed_cost, weights = affine_cost(name, opts.effective_cost_model, features)
        problem.notes.setdefault("acquisition", []).append("qMFKG")
        names = {f.index: f.name for f in features}
        problem.notes["fidelity_cost"] = {
            "fixed_cost": fixed_cost,
            "weights": {names[j]: w for j, w in weights.items()},
        }
        current = problem.notes.get("current_value")
        if current is None:
            assert problem.bounds is not None
            plain = replace(problem, X_pending=None)
            _, values = optimize_sequential(
                lambda _pending: posterior_mean_acquisition(plain),
                1,
                problem.bounds,
                opts,
                seed=problem.seed,
                fixed_features=targets,
            )
            current = values[0]
            problem.notes["current_value"] = current
        cost_model = AffineFidelityCostModel(fidelity_weights=weights, fixed_cost=fixed_cost)
        sampler = SobolQMCNormalSampler(
            sample_shape=torch.Size([opts.num_fantasies]), seed=problem.seed
        )
        pending = problem.X_pending
        return qMultiFidelityKnowledgeGradient(
            problem.model,
            num_fantasies=None,
            sampler=sampler,
            objective=scalarized_objective(problem),
            current_value=torch.tensor(float(current), dtype=DTYPE),
            cost_aware_utility=InverseCostWeightedUtility(cost_model=cost_model),
            project=partial(
                project_to_target_fidelity,
                target_fidelities=targets,
                d=problem.X_observed.shape[-1],
            ),
            X_pending=pending if pending is not None and pending.shape[0] else None,
        )


__all__ = ["KnowledgeGradient"]
