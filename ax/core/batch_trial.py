"""BatchTrial: several arms deployed and evaluated together, with weights."""

from __future__ import annotations

import math
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.generator_run import GeneratorRun
from ax.core.types import GeneratorRunType
from ax.exceptions import UserInputError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.experiment import Experiment


class GeneratorRunStruct(NamedTuple):
    """A generator run attached to a batch, with the multiplier applied to its weights."""

    generator_run: GeneratorRun
    weight: float


class AbandonedArm(NamedTuple):
    """An arm abandoned within a batch: its name, when, and why."""

    name: str
    time: datetime
    reason: Optional[str] = None


class BatchTrial(BaseTrial):
    """A trial whose arms must be evaluated together (e.g. an A/B test), with weights.

    Args:
        experiment: The experiment the trial belongs to.
        generator_run: A first generator run to add (more can be added while CANDIDATE).
        trial_type: Type of the trial, if the experiment supports types.
        optimize_for_power: Re-weight the status quo for statistical power; needs a status
            quo on the experiment.
        ttl_seconds: If set, a RUNNING trial older than this is marked FAILED.

    Example:
        >>> batch = experiment.new_batch_trial()
        >>> batch.add_arms_and_weights([Arm({"x": 0.1}), Arm({"x": 0.9})], [2.0, 1.0])
        >>> batch.normalized_arm_weights()  # {Arm 0_0: 0.667, Arm 0_1: 0.333}
    """

    def __init__(
        self,
        experiment: Experiment,
        generator_run: Optional[GeneratorRun] = None,
        trial_type: Optional[str] = None,
        optimize_for_power: Optional[bool] = False,
        ttl_seconds: Optional[int] = None,
    ) -> None:
        super().__init__(experiment=experiment, trial_type=trial_type, ttl_seconds=ttl_seconds)
        if optimize_for_power and experiment.status_quo is None:
            raise UserInputError(
                f"{self._label}: optimize_for_power=True needs a status quo on the experiment"
            )
        self._generator_run_structs: List[GeneratorRunStruct] = []
        self._abandoned_arms_metadata: Dict[str, AbandonedArm] = {}
        self._status_quo: Optional[Arm] = experiment.status_quo
        self._status_quo_weight_override: Optional[float] = None
        self.optimize_for_power = bool(optimize_for_power)
        if generator_run is not None:
            self._validate_generator_run(generator_run, 1.0)
        self._register()
        if generator_run is not None:
            self._attach_generator_run(generator_run.clone(), 1.0)
        if self.optimize_for_power and self._status_quo is not None:
            self.set_status_quo_and_optimize_power(self._status_quo)

    # ------------------------------------------------------------------ adding arms
    def add_arm(self, arm: Arm, weight: float = 1.0) -> BatchTrial:
        """Add one arm with a weight."""
        return self.add_arms_and_weights([arm], [weight])

    def add_arms_and_weights(
        self, arms: List[Arm], weights: Optional[List[float]] = None, multiplier: float = 1.0
    ) -> BatchTrial:
        """Add arms (and weights) as one MANUAL generator run."""
        generator_run = GeneratorRun(arms=arms, weights=weights, type=GeneratorRunType.MANUAL.name)
        return self.add_generator_run(generator_run, multiplier=multiplier)

    def add_generator_run(self, generator_run: GeneratorRun, multiplier: float = 1.0) -> BatchTrial:
        """Add a clone of ``generator_run``, its weights scaled by ``multiplier``.

        Raises:
            ImmutabilityError: The trial has run.
            UserInputError: An arm does not name exactly the search space's parameters or
                its name conflicts, the multiplier is not a positive number, or the run
                comes from another step.
            UserInputTypeError: An arm has a value of the wrong type.

        An arm outside the search space (out of design) is accepted, with a logged note.
        """
        self._validate_generator_run(generator_run, multiplier)
        self._attach_generator_run(generator_run.clone(), multiplier)
        if self.optimize_for_power and self._status_quo is not None:
            self.set_status_quo_and_optimize_power(self._status_quo)
        return self

    def _validate_generator_run(self, generator_run: GeneratorRun, multiplier: float) -> None:
        if not isinstance(generator_run, GeneratorRun):
            raise UserInputError(
                f"{self._label}: generator_run must be a GeneratorRun, got "
                f"{type(generator_run).__name__}"
            )
        self._check_candidate("the arms")
        self._check_positive("multiplier", multiplier)
        self._check_generation_step(generator_run)
        self._validate_new_arms(generator_run.arms)

    def _attach_generator_run(self, generator_run: GeneratorRun, multiplier: float) -> None:
        for arm in generator_run.arms:
            self._name_and_register_arm(arm)
        generator_run.index = len(self._generator_run_structs)
        self._generator_run_structs.append(GeneratorRunStruct(generator_run, float(multiplier)))
        if generator_run.generation_step_index is not None:
            self._generation_step_index = generator_run.generation_step_index

    @property
    def generator_run_structs(self) -> List[GeneratorRunStruct]:
        """The attached generator runs with their multipliers."""
        return list(self._generator_run_structs)

    @property
    def generator_runs(self) -> List[GeneratorRun]:
        return [s.generator_run for s in self._generator_run_structs]

    # ------------------------------------------------------------------ arms and weights
    @property
    def arm_weights(self) -> OrderedDict[Arm, float]:
        """Each arm's weight: summed over runs, times each run's multiplier.

        The status quo appears only when a weight override is set, with exactly that weight.
        """
        by_sig: OrderedDict[str, tuple[Arm, float]] = OrderedDict()
        for struct in self._generator_run_structs:
            for arm, weight in struct.generator_run.arm_weights.items():
                w = weight * struct.weight
                if arm.signature in by_sig:
                    by_sig[arm.signature] = (by_sig[arm.signature][0], by_sig[arm.signature][1] + w)
                else:
                    by_sig[arm.signature] = (arm, w)
        if self._status_quo is not None and self._status_quo_weight_override is not None:
            by_sig[self._status_quo.signature] = (
                self._status_quo,
                self._status_quo_weight_override,
            )
        return OrderedDict(by_sig.values())

    @property
    def arms(self) -> List[Arm]:
        return list(self.arm_weights.keys())

    @property
    def weights(self) -> List[float]:
        return list(self.arm_weights.values())

    @property
    def arms_by_name(self) -> Dict[str, Arm]:
        return {arm.name: arm for arm in self.arm_weights}

    def normalized_arm_weights(
        self, total: float = 1, trunc_digits: Optional[int] = None
    ) -> OrderedDict[Arm, float]:
        """The arms' weights scaled to sum to ``total``, without changing the trial.

        Args:
            total: The total the weights sum to.
            trunc_digits: Quantise to units of ``10**-trunc_digits``; whole units are
                floored and the leftover units go one each to the first arms.

        Returns:
            Mapping from arm to normalised weight.
        """
        weights = self.arm_weights
        wsum = sum(weights.values())
        if wsum <= 0:
            return OrderedDict((arm, 0.0) for arm in weights)
        scaled = [w * total / wsum for w in weights.values()]
        if trunc_digits is not None:
            unit = 10.0 ** (-trunc_digits)
            units = [math.floor(w / unit + 1e-9) for w in scaled]
            leftover = int(round(total / unit)) - sum(units)
            for i in range(max(leftover, 0)):
                units[i % len(units)] += 1
            scaled = [round(u * unit, trunc_digits) for u in units]
        return OrderedDict(zip(weights.keys(), scaled))

    @property
    def is_factorial(self) -> bool:
        """Whether the arms form a full factorial design over their parameters."""
        arms = self.arms
        if not arms or any(len(arm.parameters) < 2 for arm in arms):
            return False
        distinct: Dict[str, set] = {}
        for arm in arms:
            for name, value in arm.parameters.items():
                distinct.setdefault(name, set()).add(value)
        product = 1
        for values in distinct.values():
            product *= len(values)
        return product == len(arms)

    # ------------------------------------------------------------------ status quo
    @property
    def status_quo(self) -> Optional[Arm]:
        """The batch's status quo (recorded from the experiment at construction)."""
        return self._status_quo

    @status_quo.setter
    def status_quo(self, status_quo: Optional[Arm]) -> None:
        raise UserInputError(
            f"{self._label}: use set_status_quo_with_weight() or unset_status_quo() to change "
            f"the status quo (got {status_quo!r})"
        )

    @property
    def status_quo_weight_override(self) -> Optional[float]:
        return self._status_quo_weight_override

    def set_status_quo_with_weight(self, status_quo: Arm, weight: float) -> BatchTrial:
        """Set the status quo arm with an explicit weight (> 0) in this batch."""
        self._check_candidate("the status quo")
        self._check_positive("status quo weight", weight)
        self._experiment.search_space.check_types(
            status_quo.parameters, allow_none=True, raise_error=True
        )
        existing = self._experiment._arms_by_signature.get(status_quo.signature)
        if existing is not None:
            if not status_quo.has_name:
                status_quo.name = existing.name
        else:
            if not status_quo.has_name:
                status_quo.name = f"status_quo_{self._index}"
            self._experiment._register_arm(status_quo)
        self._status_quo = status_quo
        self._status_quo_weight_override = float(weight)
        return self

    def set_status_quo_and_optimize_power(self, status_quo: Arm) -> BatchTrial:
        """Set the status quo with weight ``sqrt(sum of the other arms' weights)`` (1 if none)."""
        others = list(self._weights_without_status_quo(status_quo).values())
        weight = math.sqrt(sum(others)) if others else 1.0
        return self.set_status_quo_with_weight(status_quo, weight)

    def reweight_status_quo(self, weight: float) -> BatchTrial:
        """Add ``weight`` to the status quo's weight from this batch's generator runs.

        As in the Ax 0.1 factorial tutorial: a full factorial run already holds the status
        quo with weight 1, and ``reweight_status_quo(4)`` gives it 5 in all (about
        ``sqrt(k)`` times a treatment arm's weight for ``k`` treatment arms, for power).

        Args:
            weight: The weight to add; a finite number > 0.

        Raises:
            UserInputError: The batch has no status quo (set one on the experiment first),
                the weight is not a finite number > 0, or the trial has run.
        """
        if self._status_quo is None:
            raise UserInputError(
                f"{self._label}: cannot reweight the status quo: the batch has none; set "
                "experiment.status_quo before creating the batch"
            )
        self._check_positive("status quo weight", weight)
        signature = self._status_quo.signature
        in_runs = sum(
            w * struct.weight
            for struct in self._generator_run_structs
            for arm, w in struct.generator_run.arm_weights.items()
            if arm.signature == signature
        )
        return self.set_status_quo_with_weight(self._status_quo, in_runs + float(weight))

    def _check_positive(self, field: str, value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or value <= 0
        ):
            raise UserInputError(
                f"{self._label}: {field} must be a finite number > 0, got {value!r}"
            )

    def _weights_without_status_quo(self, status_quo: Arm) -> OrderedDict[Arm, float]:
        weights: OrderedDict[Arm, float] = OrderedDict()
        for struct in self._generator_run_structs:
            for arm, w in struct.generator_run.arm_weights.items():
                if arm.signature != status_quo.signature:
                    weights[arm] = weights.get(arm, 0.0) + w * struct.weight
        return weights

    def unset_status_quo(self) -> BatchTrial:
        """Remove the status quo from this batch."""
        self._check_candidate("the status quo")
        self._status_quo = None
        self._status_quo_weight_override = None
        return self

    # ------------------------------------------------------------------ abandoning arms
    def mark_arm_abandoned(self, arm_name: str, reason: Optional[str] = None) -> BatchTrial:
        """Mark one arm of the batch abandoned (allowed in any status)."""
        if arm_name not in self.arms_by_name:
            raise UserInputError(
                f"{self._label}: arm {arm_name!r} is not in the batch; its arms are "
                f"{sorted(self.arms_by_name)}"
            )
        self._abandoned_arms_metadata[arm_name] = AbandonedArm(
            name=arm_name, time=datetime.now(), reason=reason
        )
        return self

    @property
    def abandoned_arms(self) -> List[Arm]:
        by_name = self.arms_by_name
        return [by_name[name] for name in self._abandoned_arms_metadata if name in by_name]

    @property
    def abandoned_arms_metadata(self) -> List[AbandonedArm]:
        return list(self._abandoned_arms_metadata.values())

    # ------------------------------------------------------------------ copies
    def clone(self) -> BatchTrial:
        """A new CANDIDATE batch on the same experiment with the same runs and settings."""
        new = self._experiment.new_batch_trial(trial_type=self._trial_type)
        for struct in self._generator_run_structs:
            new.add_generator_run(struct.generator_run, multiplier=struct.weight)
        if self._status_quo is not None and self._status_quo_weight_override is not None:
            new.set_status_quo_with_weight(
                self._status_quo.clone(), self._status_quo_weight_override
            )
        if self._runner is not None:
            new.runner = self._runner.clone()
        return new

    def __repr__(self) -> str:
        return (
            f"BatchTrial(experiment_name={self._experiment._name!r}, index={self._index}, "
            f"status={self._status})"
        )


__all__ = ["AbandonedArm", "BatchTrial", "GeneratorRunStruct"]
