"""Relative outcome constraints made absolute: :class:`Derelativize`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional

from ax.core.observation import ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.exceptions import DataRequiredError, UserInputError
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.ivw import ivw_metric_merge

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge


class Derelativize(Transform):
    """Turns each relative outcome constraint into an absolute one.

    A relative bound ``b`` (a percentage of the status quo) becomes
    ``(1 + b / 100) * f_sq``, where ``f_sq`` is the bridge's prediction of the metric at
    the status quo; when the status quo is outside the model's search space, its
    observed (IVW-merged) mean is used instead. Only
    :meth:`transform_optimization_config` does anything.

    Raises:
        UserInputError: There is a relative constraint and the bridge has no status quo
            (the message names the constraint).
        DataRequiredError: The status quo has no value for a constrained metric.

    Example:
        >>> # status quo predicted at 10.0; "m >= -5%" becomes "m >= 9.5"
        >>> t.transform_optimization_config(config, bridge, None).outcome_constraints
        [OutcomeConstraint(m >= 9.5)]
    """

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        constraints = optimization_config.outcome_constraints
        relative = [c for c in constraints if c.relative]
        if not relative:
            return optimization_config
        status_quo = None if modelbridge is None else modelbridge.status_quo
        if modelbridge is None or status_quo is None:
            raise UserInputError(
                f"Derelativize: outcome constraint {relative[0]!r} is relative to the status "
                "quo, but the model bridge has no status quo",
                hint="set a status quo arm with data on the experiment, or make the "
                "constraint absolute (relative=False)",
            )
        in_design = modelbridge.model_space.check_membership(status_quo.features.parameters)
        sq_values: Dict[str, float]
        if in_design:
            means, _ = modelbridge.predict([status_quo.features.clone()])
            sq_values = {metric: values[0] for metric, values in means.items()}
        else:
            sq_values = ivw_metric_merge(status_quo.data.clone(), "ignore").means_dict
        new_constraints = []
        for constraint in constraints:
            if not constraint.relative:
                new_constraints.append(constraint)
                continue
            name = constraint.metric.name
            if name not in sq_values:
                raise DataRequiredError(
                    f"Derelativize: the status quo {status_quo.arm_name!r} has no value for "
                    f"metric {name!r} of relative constraint {constraint!r}"
                )
            absolute = constraint.clone()
            absolute.bound = (1.0 + constraint.bound / 100.0) * sq_values[name]
            absolute.relative = False
            new_constraints.append(absolute)
        optimization_config.outcome_constraints = new_constraints
        return optimization_config


__all__ = ["Derelativize"]
