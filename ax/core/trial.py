"""Trial: a trial with exactly one arm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from ax.core.base_trial import BaseTrial
from ax.core.generator_run import GeneratorRun
from ax.core.types import GeneratorRunType, TrialStatus
from ax.exceptions import ImmutabilityError, NoDataError, UserInputError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.arm import Arm
    from ax.core.experiment import Experiment


class Trial(BaseTrial):
    """A trial that evaluates one arm.

    Args:
        experiment: The experiment the trial belongs to.
        generator_run: A generator run of exactly one arm; can also be set later through
            ``add_arm``/``add_generator_run``, once.
        trial_type: Type of the trial, if the experiment supports types.
        ttl_seconds: If set, a RUNNING trial older than this is marked FAILED.

    Example:
        >>> trial = experiment.new_trial().add_arm(Arm({"x": 0.5}))
        >>> trial.arm.name
        '0_0'
    """

    def __init__(
        self,
        experiment: Experiment,
        generator_run: Optional[GeneratorRun] = None,
        trial_type: Optional[str] = None,
        ttl_seconds: Optional[int] = None,
    ) -> None:
        super().__init__(experiment=experiment, trial_type=trial_type, ttl_seconds=ttl_seconds)
        self._generator_run: Optional[GeneratorRun] = None
        if generator_run is not None:
            self._validate_generator_run(generator_run)
        self._register()
        if generator_run is not None:
            self._attach_generator_run(generator_run)

    # ------------------------------------------------------------------ arms
    def add_arm(self, arm: Arm) -> Trial:
        """Add the trial's arm, wrapped in a MANUAL generator run."""
        return self.add_generator_run(GeneratorRun(arms=[arm], type=GeneratorRunType.MANUAL.name))

    def add_generator_run(self, generator_run: GeneratorRun, multiplier: float = 1.0) -> Trial:
        """Attach a one-arm generator run (stored as is, not cloned).

        Args:
            generator_run: A generator run with exactly one arm.
            multiplier: Ignored for single-arm trials; kept for a common signature.

        Raises:
            ImmutabilityError: The trial already has a generator run or has run.
            UserInputError: The run has more than one arm, or its arm does not name exactly
                the search space's parameters or conflicts with an existing arm's name.
            UserInputTypeError: The arm has a value of the wrong type.

        An arm outside the search space (out of design) is accepted, with a logged note.
        """
        self._validate_generator_run(generator_run)
        self._attach_generator_run(generator_run)
        return self

    def _validate_generator_run(self, generator_run: GeneratorRun) -> None:
        if not isinstance(generator_run, GeneratorRun):
            raise UserInputError(
                f"{self._label}: generator_run must be a GeneratorRun, got "
                f"{type(generator_run).__name__}"
            )
        self._check_candidate("the arm")
        if self._generator_run is not None:
            raise ImmutabilityError(
                f"{self._label}: the trial already has a generator run; a Trial holds one arm"
            )
        if len(generator_run.arms) > 1:
            raise UserInputError(
                f"{self._label}: a Trial holds one arm, but the generator run has "
                f"{len(generator_run.arms)}; use a BatchTrial"
            )
        self._check_generation_step(generator_run)
        self._validate_new_arms(generator_run.arms)

    def _attach_generator_run(self, generator_run: GeneratorRun) -> None:
        for arm in generator_run.arms:
            self._name_and_register_arm(arm)
        generator_run.index = 0
        self._generator_run = generator_run
        if generator_run.generation_step_index is not None:
            self._generation_step_index = generator_run.generation_step_index

    @property
    def generator_run(self) -> Optional[GeneratorRun]:
        """The trial's generator run, or None."""
        return self._generator_run

    @property
    def generator_runs(self) -> List[GeneratorRun]:
        return [] if self._generator_run is None else [self._generator_run]

    @property
    def arm(self) -> Optional[Arm]:
        """The trial's arm, or None."""
        if self._generator_run is None or not self._generator_run.arms:
            return None
        return self._generator_run.arms[0]

    @property
    def arms(self) -> List[Arm]:
        arm = self.arm
        return [] if arm is None else [arm]

    @property
    def arms_by_name(self) -> Dict[str, Arm]:
        arm = self.arm
        return {} if arm is None else {arm.name: arm}

    @property
    def abandoned_arms(self) -> List[Arm]:
        """``[arm]`` when the trial is abandoned, else ``[]``."""
        return self.arms if self._status is TrialStatus.ABANDONED else []

    # ------------------------------------------------------------------ data
    @property
    def objective_mean(self) -> float:
        """Mean of the experiment's current objective for this trial's arm.

        Raises:
            UserInputError: The experiment has no optimization config.
            NoDataError: The trial has no data for the objective.
        """
        config = self._experiment.optimization_config
        if config is None:
            raise UserInputError(
                f"{self._label}: objective_mean needs an optimization config on the experiment"
            )
        return self.get_metric_mean(config.objective.metric.name)

    def get_metric_mean(self, metric_name: str) -> float:
        """Mean of ``metric_name`` for this trial's arm, from the latest fetched data.

        Raises:
            NoDataError: The trial has no data for that metric.
        """
        data = self.fetch_data().filter(metric_names=[metric_name])
        if len(data) == 0:
            raise NoDataError(f"{self._label}: no data for metric {metric_name!r}")
        return float(data.columns["mean"][0])

    def __repr__(self) -> str:
        return (
            f"Trial(experiment_name={self._experiment._name!r}, index={self._index}, "
            f"status={self._status}, arm={self.arm})"
        )


__all__ = ["Trial"]
