"""Pending observations: the points of trials being evaluated, so new candidates differ."""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional

from ax.core.experiment import Experiment
from ax.core.observation import ObservationFeatures
from ax.core.types import TrialStatus

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.generator_run import GeneratorRun
    from ax.modelbridge.generation_strategy import GenerationStrategy


def get_pending_observation_features(
    experiment: Experiment, include_failed_as_pending: bool = False
) -> Optional[Dict[str, List[ObservationFeatures]]]:
    """The features of arms still awaiting data, for each metric of the experiment.

    Covers every arm of every trial that is deployed (STAGED or RUNNING), and of FAILED
    trials when ``include_failed_as_pending``, whose attached data lacks the metric. Only
    data already attached is read (the reference fetched it, which evaluates the trials
    of a SimpleExperiment on the spot: not what a caller asking "what is pending?" wants,
    and unsafe while those trials are being evaluated elsewhere).

    Args:
        experiment: The experiment.
        include_failed_as_pending: Also count arms of FAILED trials as pending, so that
            they are not proposed again.

    Returns:
        ``{metric name: [ObservationFeatures.from_arm(arm, trial_index), ...]}``, or None
        when nothing is pending (which ``ModelBridge.gen`` reads as no pending points).

    Example:
        >>> pending = get_pending_observation_features(experiment)
        >>> generation_strategy.gen(experiment, pending_observations=pending)
    """
    statuses = {TrialStatus.STAGED, TrialStatus.RUNNING}
    if include_failed_as_pending:
        statuses.add(TrialStatus.FAILED)
    by_status = experiment.trial_indices_by_status
    indices = sorted(set().union(*(by_status[s] for s in statuses)))
    metric_names = list(experiment.metrics)
    pending: Dict[str, List[ObservationFeatures]] = {name: [] for name in metric_names}
    for trial in experiment.get_trials_by_indices(indices):
        data = trial.lookup_data()
        present = set()
        if len(data):
            present = set(zip(data.columns["arm_name"], data.columns["metric_name"]))
        for arm in trial.arms:
            for name in metric_names:
                if (arm.name, name) not in present:
                    pending[name].append(ObservationFeatures.from_arm(arm, trial.index))
    if not any(pending.values()):
        return None
    return pending


def gen_on_recorded_data(
    experiment: Experiment, generation_strategy: GenerationStrategy, n: int = 1
) -> GeneratorRun:
    """``n`` new arms from ``generation_strategy``, aware of the trials in flight.

    The strategy gets the COMPLETED and EARLY_STOPPED trials' recorded data for the
    experiment's metrics (an early-stopped trial's final data is its last reported
    value of each metric, attached when it was stopped: the model sees it as a
    finished, poor, observation, which steers it away from that region)
    (never ``fetch_data``, which would make a SimpleExperiment evaluate its running trials
    on the spot, a second time; extra metrics an evaluation function returned stay on the
    experiment, unmodelled) and the arms still awaiting data as pending points
    (:func:`get_pending_observation_features`).
    """
    by_status = experiment.trial_indices_by_status
    completed = sorted(by_status[TrialStatus.COMPLETED] | by_status[TrialStatus.EARLY_STOPPED])
    data = experiment.lookup_data(completed)
    if len(data):
        data = data.filter(metric_names=list(experiment.metrics))
    return generation_strategy.gen(
        experiment,
        data=data,
        n=n,
        pending_observations=get_pending_observation_features(experiment),
    )


__all__ = ["gen_on_recorded_data", "get_pending_observation_features"]
