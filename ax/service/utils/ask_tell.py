"""Ask/tell on one experiment: generate or attach trials, record what the caller reports.

:class:`AskTell` is the part of :class:`~ax.service.ax_client.AxClient` that changes
trials. Every change runs inside :meth:`ExperimentPersistence.locked
<ax.service.utils.experiment_persistence.ExperimentPersistence.locked>`: with a shared
store the other writers' trials are merged in first, and if the save fails the in-memory
change is undone, so the store and the client always agree.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.trial import Trial
from ax.core.types import GeneratorRunType, TParameterization, TrialStatus
from ax.exceptions import ModelError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.utils import ax_client_utils as utils
from ax.service.utils.experiment_persistence import (
    ExperimentPersistence,
    TrialSnapshot,
    discard_new_trial,
)
from ax.service.utils.multi_objective_client import objective_names
from ax.service.utils.pending import get_pending_observation_features

TChange = Callable[[Experiment, Trial], None]


class AskTell:
    """Generates trials and records their results for one experiment and strategy.

    Not thread-safe: one caller thread changes the experiment.

    Args:
        experiment: The experiment (its objective is the first metric reported).
        generation_strategy: Proposes the arms of new trials.
        persistence: Saves every change (a no-op without a store).
    """

    def __init__(
        self,
        experiment: Experiment,
        generation_strategy: GenerationStrategy,
        persistence: ExperimentPersistence,
    ) -> None:
        self.experiment = experiment
        self.generation_strategy = generation_strategy
        self.persistence = persistence

    # ------------------------------------------------------------------ ask
    def get_next_trial(self, function: str) -> Tuple[TParameterization, int, Optional[int]]:
        """Generate one trial (pending points: the running trials) and mark it RUNNING.

        Returns:
            ``(parameters, trial_index, data_version)``: ``data_version`` is the
            experiment's data version the strategy's model was fit on.

        Raises:
            As :meth:`AxClient.get_next_trial <ax.service.ax_client.AxClient.get_next_trial>`;
            nothing is kept if the generation or the save fails.
        """
        experiment, strategy = self.experiment, self.generation_strategy
        trial: Optional[BaseTrial] = None
        generator_run: Optional[GeneratorRun] = None
        try:
            with self.persistence.locked(experiment, strategy, function) as store:
                pending = get_pending_observation_features(experiment)
                data_version = experiment._last_data_ts
                generator_run = strategy.gen(experiment, n=1, pending_observations=pending)
                if len(generator_run.arms) != 1:
                    raise ModelError(
                        f"{function}: the model made {len(generator_run.arms)} arms instead of "
                        "1; the search space may be exhausted",
                        hint="widen the search space, or stop the optimization",
                    )
                trial = experiment.new_trial(generator_run=generator_run)
                trial.mark_running(no_runner_required=True)
                store.save([trial], strategy)
        except BaseException:
            # Nothing was stored: the user never gets this trial, so nothing keeps it.
            discard_new_trial(experiment, trial, strategy, generator_run)
            raise
        assert trial is not None and generator_run is not None
        return dict(generator_run.arms[0].parameters), trial.index, data_version

    def attach_trial(self, function: str, parameters: TParameterization) -> int:
        """Add a RUNNING trial with ``parameters`` (already checked and cast); its index."""
        experiment = self.experiment
        generator_run = GeneratorRun(
            arms=[Arm(parameters=parameters)], type=GeneratorRunType.MANUAL.name
        )
        trial: Optional[BaseTrial] = None
        try:
            with self.persistence.locked(experiment, self.generation_strategy, function) as store:
                trial = experiment.new_trial(generator_run=generator_run)
                trial.mark_running(no_runner_required=True)
                store.save([trial], None)
        except BaseException:
            discard_new_trial(experiment, trial, None, None)
            raise
        assert trial is not None
        return trial.index

    # ------------------------------------------------------------------ tell
    def report(
        self,
        function: str,
        trial_index: int,
        raw_data: Any,
        metadata: Optional[Dict[str, Any]],
        sample_size: Optional[int],
        complete: bool,
    ) -> Trial:
        """Record reported data on a trial.

        ``complete=True``: attach the data of a RUNNING trial and mark it COMPLETED (the
        objective must be reported). ``complete=False``: attach a new version of a
        COMPLETED trial's data (the metrics reported replace the previous values).
        """
        status = TrialStatus.RUNNING if complete else TrialStatus.COMPLETED

        def change(experiment: Experiment, trial: Trial) -> None:
            utils.require_status(function, trial, (status,))
            meta = utils.check_metadata(function, metadata)
            data = utils.raw_data_to_trial_data(
                function,
                experiment,
                trial,
                raw_data,
                objective_names(experiment, function),
                meta,
                sample_size,
                require_objective=complete,
            )
            if complete:
                experiment.attach_data(data)
            else:
                experiment.attach_data(utils.merge_new_data(trial.lookup_data(), data))
            trial.update_run_metadata(meta)
            if complete:
                trial.mark_completed()

        return self.change_trial(function, trial_index, change)

    def fail(
        self,
        function: str,
        trial_index: int,
        metadata: Optional[Dict[str, Any]],
        reason: Optional[str],
    ) -> Trial:
        """Mark a RUNNING (or STAGED) trial FAILED."""

        def change(experiment: Experiment, trial: Trial) -> None:
            utils.require_status(function, trial, (TrialStatus.RUNNING, TrialStatus.STAGED))
            meta = utils.check_metadata(function, metadata)
            _check_reason(function, reason)
            trial.mark_failed(reason=reason)
            trial.update_run_metadata(meta)

        return self.change_trial(function, trial_index, change)

    def abandon(self, function: str, trial_index: int, reason: Optional[str]) -> Trial:
        """Mark a trial that has not finished ABANDONED."""

        def change(experiment: Experiment, trial: Trial) -> None:
            utils.require_status(
                function, trial, (TrialStatus.RUNNING, TrialStatus.STAGED, TrialStatus.CANDIDATE)
            )
            _check_reason(function, reason)
            trial.mark_abandoned(reason=reason)

        return self.change_trial(function, trial_index, change)

    def change_trial(self, function: str, trial_index: int, change: TChange) -> Trial:
        """Apply ``change`` to a trial and save it, under the lock; undone if it fails.

        The trial is looked up after the other writers' changes are merged, so a trial
        made (or finished) by another client is seen as it is stored.
        """
        experiment = self.experiment
        snapshot: Optional[TrialSnapshot] = None
        try:
            with self.persistence.locked(experiment, self.generation_strategy, function) as store:
                trial = utils.get_trial(function, experiment, trial_index)
                snapshot = TrialSnapshot(experiment, trial)
                change(experiment, trial)
                store.save([trial], None)
        except BaseException:
            if snapshot is not None:
                snapshot.restore()
            raise
        return trial


def _check_reason(function: str, reason: Optional[str]) -> None:
    if reason is not None and not isinstance(reason, str):
        raise UserInputTypeError(f"{function}: reason must be a str or None, got {reason!r}")


__all__ = ["AskTell"]
