"""BaseTrial: the lifecycle shared by Trial and BatchTrial.

A trial moves through its statuses only through the ``mark_*`` methods::

    CANDIDATE -> STAGED -> RUNNING -> COMPLETED | FAILED
    CANDIDATE -> RUNNING                 (when the runner needs no staging)
    RUNNING -> EARLY_STOPPED             (stopped by a stopping rule; keeps its data)
    STAGED -> FAILED                     (deployment failed)
    any non-terminal status -> ABANDONED

Any other move raises :class:`ax.exceptions.TrialStatusError` and changes nothing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, List, Optional

from ax.core.base import Base
from ax.core.types import TrialStatus
from ax.exceptions import (
    ImmutabilityError,
    TrialStatusError,
    UnsupportedError,
    UserInputError,
)
from ax.utils.logger import get_logger

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.arm import Arm
    from ax.core.data import Data
    from ax.core.experiment import Experiment
    from ax.core.generator_run import GeneratorRun
    from ax.core.metric import Metric
    from ax.core.runner import Runner

logger = get_logger(__name__)

# Statuses from which each status may be reached.
_ALLOWED_FROM: Dict[TrialStatus, FrozenSet[TrialStatus]] = {
    TrialStatus.STAGED: frozenset({TrialStatus.CANDIDATE}),
    TrialStatus.RUNNING: frozenset({TrialStatus.CANDIDATE, TrialStatus.STAGED}),
    TrialStatus.COMPLETED: frozenset({TrialStatus.RUNNING}),
    TrialStatus.FAILED: frozenset({TrialStatus.STAGED, TrialStatus.RUNNING}),
    TrialStatus.EARLY_STOPPED: frozenset({TrialStatus.RUNNING}),
    TrialStatus.ABANDONED: frozenset(
        {TrialStatus.CANDIDATE, TrialStatus.STAGED, TrialStatus.RUNNING}
    ),
}


class BaseTrial(Base, ABC):
    """Common lifecycle of a trial: status, timestamps, runner, TTL and arm naming.

    Args:
        experiment: The experiment the trial belongs to; the trial registers itself there
            and takes the next free index.
        trial_type: Type of the trial; must be supported by the experiment.
        ttl_seconds: If set, a RUNNING trial older than this many seconds is marked FAILED
            the next time its status is read.
    """

    def __init__(
        self,
        experiment: Experiment,
        trial_type: Optional[str] = None,
        ttl_seconds: Optional[int] = None,
    ) -> None:
        from ax.core.experiment import Experiment

        if not isinstance(experiment, Experiment):
            raise UserInputError(
                f"{type(self).__name__}: experiment must be an Experiment, got "
                f"{type(experiment).__name__}"
            )
        if ttl_seconds is not None and (
            isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0
        ):
            raise UserInputError(
                f"{type(self).__name__}: ttl_seconds must be a positive integer or None, "
                f"got {ttl_seconds!r}"
            )
        if trial_type is None:
            trial_type = experiment.default_trial_type
        elif not experiment.supports_trial_type(trial_type):
            raise UserInputError(
                f"{type(self).__name__}: trial_type {trial_type!r} is not supported by "
                f"experiment {experiment._name!r}"
            )
        self._experiment = experiment
        self._index = experiment._next_trial_index
        self._trial_type = trial_type
        self._ttl_seconds = ttl_seconds
        self._status = TrialStatus.CANDIDATE
        self._time_created = datetime.now()
        self._time_staged: Optional[datetime] = None
        self._time_run_started: Optional[datetime] = None
        self._time_completed: Optional[datetime] = None
        self._abandoned_reason: Optional[str] = None
        self._failed_reason: Optional[str] = None
        self._run_metadata: Dict[str, Any] = {}
        self._runner: Optional[Runner] = None
        self._num_arms_created = 0
        self._generation_step_index: Optional[int] = None

    def _restore(
        self,
        *,
        status: TrialStatus,
        time_created: datetime,
        time_staged: Optional[datetime] = None,
        time_run_started: Optional[datetime] = None,
        time_completed: Optional[datetime] = None,
        abandoned_reason: Optional[str] = None,
        failed_reason: Optional[str] = None,
        run_metadata: Optional[Dict[str, Any]] = None,
        runner: Optional[Runner] = None,
        num_arms_created: int = 0,
        generation_step_index: Optional[int] = None,
    ) -> None:
        """Set the persisted state of a trial that storage has just rebuilt.

        For the storage layer only: it bypasses the status machine, since a saved trial's
        history was validated when it happened.
        """
        if status is TrialStatus.DISPATCHED:
            status = TrialStatus.RUNNING
        self._experiment._update_trial_status(self._index, self._status, status)
        self._status = status
        self._time_created = time_created
        self._time_staged = time_staged
        self._time_run_started = time_run_started
        self._time_completed = time_completed
        self._abandoned_reason = abandoned_reason
        self._failed_reason = failed_reason
        self._run_metadata = dict(run_metadata or {})
        self._runner = runner
        self._num_arms_created = num_arms_created
        self._generation_step_index = generation_step_index

    def _register(self) -> None:
        """Attach this trial to its experiment (called once the trial is valid)."""
        self._experiment._attach_trial(self)

    # ------------------------------------------------------------------ identity
    @property
    def experiment(self) -> Experiment:
        """The experiment this trial belongs to."""
        return self._experiment

    @property
    def index(self) -> int:
        """The trial's index within its experiment."""
        return self._index

    @property
    def trial_type(self) -> Optional[str]:
        return self._trial_type

    @trial_type.setter
    def trial_type(self, trial_type: Optional[str]) -> None:
        self._check_candidate("trial_type")
        if trial_type is not None and not self._experiment.supports_trial_type(trial_type):
            raise UserInputError(
                f"{self._label}: trial_type {trial_type!r} is not supported by the experiment"
            )
        self._trial_type = trial_type

    @property
    def ttl_seconds(self) -> Optional[int]:
        return self._ttl_seconds

    @property
    def runner(self) -> Optional[Runner]:
        """The runner that deploys this trial (defaults to the experiment's on ``run``)."""
        return self._runner

    @runner.setter
    def runner(self, runner: Optional[Runner]) -> None:
        if self._experiment.is_simple_experiment:
            raise UnsupportedError(
                f"{self._label}: a SimpleExperiment's trials are evaluated by its "
                "evaluation_function and take no runner"
            )
        self._check_candidate("runner")
        self._runner = runner

    @property
    def run_metadata(self) -> Dict[str, Any]:
        """Metadata returned by the runner when the trial was deployed."""
        return self._run_metadata

    @property
    def deployed_name(self) -> Optional[str]:
        """The name the trial was deployed under (``run_metadata["name"]``)."""
        name = self._run_metadata.get("name")
        return None if name is None else str(name)

    def update_run_metadata(self, metadata: Dict[str, Any]) -> BaseTrial:
        """Merge ``metadata`` into the run metadata."""
        self._run_metadata.update(metadata)
        return self

    @property
    def generation_step_index(self) -> Optional[int]:
        """The generation-strategy step that produced this trial's arms, if any."""
        return self._generation_step_index

    # ------------------------------------------------------------------ status
    @property
    def status(self) -> TrialStatus:
        """The trial's status; a RUNNING trial past its TTL is marked FAILED first."""
        self._check_ttl()
        return self._status

    @status.setter
    def status(self, status: TrialStatus) -> None:
        raise UnsupportedError(
            f"{self._label}: status cannot be set directly (got {status!r}); "
            "use mark_staged/mark_running/mark_completed/mark_failed/mark_abandoned"
        )

    def _check_ttl(self) -> None:
        if (
            self._ttl_seconds is not None
            and self._status is TrialStatus.RUNNING
            and self._time_run_started is not None
            and datetime.now() - self._time_run_started > timedelta(seconds=self._ttl_seconds)
        ):
            self.mark_failed(reason=f"TTL of {self._ttl_seconds} s elapsed")

    def _move_to(self, new: TrialStatus) -> None:
        current = self._status
        allowed = _ALLOWED_FROM[new]
        if current not in allowed:
            names = ", ".join(sorted(s.name for s in allowed))
            raise TrialStatusError(
                f"{self._label}: cannot move status from {current.name} to {new.name}; "
                f"{new.name} is reachable only from {names}"
            )
        self._experiment._update_trial_status(self._index, current, new)
        self._status = new

    def mark_staged(self) -> BaseTrial:
        """Mark the trial STAGED (from CANDIDATE)."""
        self._move_to(TrialStatus.STAGED)
        self._time_staged = datetime.now()
        return self

    def mark_running(self, no_runner_required: bool = False) -> BaseTrial:
        """Mark the trial RUNNING.

        Args:
            no_runner_required: Allow running without a runner (the trial is deployed by
                other means). A SimpleExperiment never requires a runner.

        Raises:
            UserInputError: No runner is set and one is required.
            TrialStatusError: The runner requires staging and the trial is not STAGED, or
                the trial is not CANDIDATE or STAGED.
        """
        if (
            self._runner is None
            and not no_runner_required
            and not self._experiment.is_simple_experiment
        ):
            raise UserInputError(
                f"{self._label}: cannot mark RUNNING without a runner; set trial.runner or "
                "pass no_runner_required=True"
            )
        if (
            self._runner is not None
            and self._runner.staging_required
            and self._status is TrialStatus.CANDIDATE
        ):
            raise TrialStatusError(
                f"{self._label}: runner {type(self._runner).__name__} requires staging; "
                "call mark_staged() before mark_running()"
            )
        self._move_to(TrialStatus.RUNNING)
        self._time_run_started = datetime.now()
        if self._ttl_seconds is not None:
            self._experiment._trials_have_ttl = True
        return self

    def mark_completed(self) -> BaseTrial:
        """Mark the trial COMPLETED (from RUNNING)."""
        self._move_to(TrialStatus.COMPLETED)
        self._time_completed = datetime.now()
        return self

    def mark_failed(self, reason: Optional[str] = None) -> BaseTrial:
        """Mark the trial FAILED (from STAGED or RUNNING), recording ``reason``."""
        self._move_to(TrialStatus.FAILED)
        self._time_completed = datetime.now()
        self._failed_reason = reason
        return self

    def mark_early_stopped(self, reason: str, progression: Optional[float] = None) -> BaseTrial:
        """Mark the trial EARLY_STOPPED (from RUNNING): a stopping rule stopped it.

        The trial keeps its intermediate and final data. ``reason`` (and the progression
        it was stopped at) are stored in ``run_metadata["early_stopping"]``, so that
        both stores keep them.

        Raises:
            TrialStatusError: The trial is not RUNNING.
        """
        self._move_to(TrialStatus.EARLY_STOPPED)
        self._time_completed = datetime.now()
        self._run_metadata["early_stopping"] = {"reason": reason, "progression": progression}
        return self

    @property
    def early_stopped_reason(self) -> Optional[str]:
        """Why a stopping rule stopped the trial (None if it was not stopped)."""
        record = self._run_metadata.get("early_stopping")
        return record.get("reason") if isinstance(record, dict) else None

    def mark_abandoned(self, reason: Optional[str] = None) -> BaseTrial:
        """Mark the trial ABANDONED (from any non-terminal status), recording ``reason``."""
        self._move_to(TrialStatus.ABANDONED)
        self._time_completed = datetime.now()
        self._abandoned_reason = reason
        return self

    def mark_as(self, status: TrialStatus, **kwargs: Any) -> BaseTrial:
        """Move to ``status`` through the matching ``mark_*`` method.

        Args:
            status: The target status.
            kwargs: ``no_runner_required`` (RUNNING) or ``reason`` (FAILED, ABANDONED).
        """
        if status is TrialStatus.STAGED:
            return self.mark_staged()
        if status is TrialStatus.RUNNING:
            return self.mark_running(no_runner_required=kwargs.get("no_runner_required", False))
        if status is TrialStatus.COMPLETED:
            return self.mark_completed()
        if status is TrialStatus.EARLY_STOPPED:
            return self.mark_early_stopped(reason=kwargs.get("reason") or "stopped early")
        if status is TrialStatus.FAILED:
            return self.mark_failed(reason=kwargs.get("reason"))
        if status is TrialStatus.ABANDONED:
            return self.mark_abandoned(reason=kwargs.get("reason"))
        raise TrialStatusError(f"{self._label}: cannot mark a trial as {status!r}")

    @property
    def is_abandoned(self) -> bool:
        return self._status is TrialStatus.ABANDONED

    @property
    def abandoned_reason(self) -> Optional[str]:
        return self._abandoned_reason

    @property
    def failed_reason(self) -> Optional[str]:
        """Why the trial failed, when a reason was recorded."""
        return self._failed_reason

    @property
    def completed_successfully(self) -> bool:
        return self.status is TrialStatus.COMPLETED

    @property
    def did_not_complete(self) -> bool:
        status = self.status
        return status.is_terminal and status is not TrialStatus.COMPLETED

    # ------------------------------------------------------------------ times
    @property
    def time_created(self) -> datetime:
        return self._time_created

    @property
    def time_staged(self) -> Optional[datetime]:
        return self._time_staged

    @property
    def time_run_started(self) -> Optional[datetime]:
        return self._time_run_started

    @property
    def time_completed(self) -> Optional[datetime]:
        return self._time_completed

    # ------------------------------------------------------------------ deployment
    def run(self) -> BaseTrial:
        """Deploy the trial with its runner (the experiment's when the trial has none).

        The runner's returned metadata is stored; the trial becomes STAGED when the runner
        requires staging and RUNNING otherwise. When the runner raises, the trial is left
        as it was.
        """
        if self._status is not TrialStatus.CANDIDATE:
            raise TrialStatusError(
                f"{self._label}: only a CANDIDATE trial can be run, status is {self._status.name}"
            )
        runner = self._runner or self._experiment.runner_for_trial(self)
        if runner is None:
            raise UserInputError(
                f"{self._label}: no runner set on the trial or on experiment "
                f"{self._experiment._name!r}"
            )
        previous = self._runner
        self._runner = runner
        try:
            metadata = runner.run(self)
        except BaseException:
            self._runner = previous
            raise
        self._run_metadata = dict(metadata or {})
        if runner.staging_required:
            self.mark_staged()
        else:
            self.mark_running()
        return self

    def complete(self) -> BaseTrial:
        """Stop the trial through its runner and mark it COMPLETED (from RUNNING)."""
        if self._status is not TrialStatus.RUNNING:
            raise TrialStatusError(
                f"{self._label}: only a RUNNING trial can be completed, status is "
                f"{self._status.name}"
            )
        if self._runner is not None:
            self._runner.stop(self)
        return self.mark_completed()

    # ------------------------------------------------------------------ data
    def fetch_data(self, metrics: Optional[List[Metric]] = None, **kwargs: Any) -> Data:
        """Fetch this trial's data for ``metrics`` (all experiment metrics by default)."""
        return self._experiment._fetch_trial_data(self._index, metrics=metrics, **kwargs)

    def lookup_data(self) -> Data:
        """The latest data attached to this trial (empty when none is)."""
        return self._experiment.lookup_data_for_trial(self._index)[0]

    # ------------------------------------------------------------------ arms
    @property
    @abstractmethod
    def arms(self) -> List[Arm]:
        """The arms of this trial."""

    @property
    @abstractmethod
    def arms_by_name(self) -> Dict[str, Arm]:
        """The arms of this trial by name."""

    @property
    @abstractmethod
    def abandoned_arms(self) -> List[Arm]:
        """The arms of this trial that were abandoned."""

    @property
    @abstractmethod
    def generator_runs(self) -> List[GeneratorRun]:
        """The generator runs attached to this trial."""

    @abstractmethod
    def add_arm(self, arm: Arm) -> BaseTrial:
        """Add an arm (wrapped in a MANUAL generator run)."""

    @abstractmethod
    def add_generator_run(self, generator_run: GeneratorRun, multiplier: float = 1.0) -> BaseTrial:
        """Add the arms of a generator run."""

    def _check_candidate(self, what: str) -> None:
        if self._status is not TrialStatus.CANDIDATE:
            raise ImmutabilityError(
                f"{self._label}: {what} cannot be changed once the trial has run "
                f"(status {self._status.name})"
            )

    def _check_generation_step(self, generator_run: GeneratorRun) -> None:
        step = generator_run.generation_step_index
        if (
            step is not None
            and self._generation_step_index is not None
            and step != self._generation_step_index
        ):
            raise UserInputError(
                f"{self._label}: generator runs from different generation steps cannot share "
                f"a trial, got step {step} after step {self._generation_step_index}"
            )

    def _validate_new_arms(self, arms: List[Arm]) -> None:
        """Check arms against the search space and the experiment's naming, changing nothing.

        An arm must name exactly the search space's parameters, with values of valid types
        (None allowed, as in :meth:`SearchSpace.out_of_design_arm`). It may lie outside the
        space (out of its bounds, choices or constraints): such an *out-of-design* arm is
        accepted, with a logged note; models leave it out of fitting unless built with
        ``fit_out_of_design=True``.
        """
        space = self._experiment.search_space
        by_sig = self._experiment._arms_by_signature
        by_name = self._experiment._arms_by_name
        for arm in arms:
            space.check_types(arm.parameters, allow_none=True, raise_error=True)
            if not space.check_membership(arm.parameters):
                logger.info(
                    "%s: arm %s%s is out of design (outside the search space); it is kept, "
                    "and models leave it out of fitting unless fit_out_of_design=True",
                    self._label,
                    f"{arm.name!r} " if arm.has_name else "",
                    arm.parameters,
                )
            existing = by_sig.get(arm.signature)
            if arm.has_name:
                if existing is not None and existing.name != arm.name:
                    raise UserInputError(
                        f"{self._label}: arm {arm.name!r} has the same parameters as existing "
                        f"arm {existing.name!r}; an arm's name must match its parameters"
                    )
                named = by_name.get(arm.name)
                if named is not None and named.signature != arm.signature:
                    raise UserInputError(
                        f"{self._label}: arm name {arm.name!r} is already used by an arm with "
                        f"other parameters {named.parameters}"
                    )

    def _name_and_register_arm(self, arm: Arm) -> None:
        """Give ``arm`` its name (reusing the existing one for a known signature)."""
        existing = self._experiment._arms_by_signature.get(arm.signature)
        if existing is not None:
            if not arm.has_name:
                arm.name = existing.name
            return
        if not arm.has_name:
            arm.name = f"{self._index}_{self._num_arms_created}"
            self._num_arms_created += 1
        self._experiment._register_arm(arm)

    @property
    def _label(self) -> str:
        return f"{type(self).__name__} {self._index} of experiment {self._experiment._name!r}"


__all__ = ["BaseTrial"]
