"""Experiment: a search space, what is measured, the trials run, and their data."""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Set, Tuple, Type

from ax.core.arm import Arm
from ax.core.base import Base
from ax.core.data import Data
from ax.core.metric import Metric
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import Parameter
from ax.core.progression import ProgressionData
from ax.core.search_space import SearchSpace
from ax.core.types import TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.base_trial import BaseTrial
    from ax.core.batch_trial import BatchTrial
    from ax.core.generator_run import GeneratorRun
    from ax.core.runner import Runner
    from ax.core.trial import Trial


class Experiment(Base):
    """An experiment: what can be tried, what is measured, and what was run.

    Data attached to the experiment is kept per trial and per attachment time (in ms, strictly
    increasing, so that two attachments never overwrite each other).

    Args:
        search_space: The parameters and constraints that arms must satisfy.
        name: A unique name (required to save to SQL storage).
        optimization_config: The objective and outcome constraints.
        tracking_metrics: Extra metrics that are recorded but not optimised.
        runner: Default runner that deploys trials.
        status_quo: The control arm that others are compared against.
        description: Free text.
        is_test: Whether this is a test experiment.
        experiment_type: Free-form type label.

    Example:
        >>> exp = Experiment(search_space=space, name="demo", optimization_config=config)
        >>> trial = exp.new_trial().add_arm(Arm({"x": 0.5}))
        >>> trial.mark_running(no_runner_required=True).mark_completed()
        >>> exp.attach_data(Data.from_evaluations({"0_0": {"m": (1.0, 0.1)}}, trial.index))
    """

    def __init__(
        self,
        search_space: SearchSpace,
        name: Optional[str] = None,
        optimization_config: Optional[OptimizationConfig] = None,
        tracking_metrics: Optional[List[Metric]] = None,
        runner: Optional[Runner] = None,
        status_quo: Optional[Arm] = None,
        description: Optional[str] = None,
        is_test: bool = False,
        experiment_type: Optional[str] = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or not name):
            raise UserInputError(
                f"Experiment: name must be a non-empty string or None, got {name!r}"
            )
        self._name = name
        self.description = description
        self.runner = runner
        self.is_test = is_test
        self._experiment_type = experiment_type
        self._tracking_metrics: Dict[str, Metric] = {}
        self._optimization_config: Optional[OptimizationConfig] = None
        self._status_quo: Optional[Arm] = None
        self._trials: Dict[int, BaseTrial] = {}
        self._trial_indices_by_status: Dict[TrialStatus, Set[int]] = {
            status: set() for status in TrialStatus
        }
        self._arms_by_signature: Dict[str, Arm] = {}
        self._arms_by_name: Dict[str, Arm] = {}
        self._data_by_trial: Dict[int, OrderedDict[int, Data]] = {}
        self._progression_data = ProgressionData()
        self._last_data_ts = 0
        self._trials_have_ttl = False
        self._time_created = datetime.now()

        for metric in tracking_metrics or []:
            self.add_tracking_metric(metric)
        self._search_space = self._checked_search_space(search_space)
        self.status_quo = status_quo
        if optimization_config is not None:
            self.optimization_config = optimization_config

    # ------------------------------------------------------------------ progression data
    @property
    def progression_data(self) -> ProgressionData:
        """The trials' intermediate observations (learning curves), one columnar table
        beside the final data (see
        :class:`~ax.core.progression.ProgressionData`)."""
        data: Optional[ProgressionData] = self.__dict__.get("_progression_data")
        if data is None:
            data = ProgressionData()
            self._progression_data = data
        return data

    @progression_data.setter
    def progression_data(self, data: ProgressionData) -> None:
        if not isinstance(data, ProgressionData):
            raise UserInputTypeError(
                f"Experiment {self._name!r}: progression_data must be a ProgressionData, "
                f"got {type(data).__name__}"
            )
        self._progression_data = data

    # ------------------------------------------------------------------ identity
    @property
    def name(self) -> str:
        """The experiment's name; raises when it has none."""
        if self._name is None:
            raise UserInputError("Experiment: name is None; set experiment.name first")
        return self._name

    @name.setter
    def name(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise UserInputError(f"Experiment: name must be a non-empty string, got {name!r}")
        self._name = name

    @property
    def has_name(self) -> bool:
        return self._name is not None

    @property
    def experiment_type(self) -> Optional[str]:
        return self._experiment_type

    @experiment_type.setter
    def experiment_type(self, experiment_type: Optional[str]) -> None:
        self._experiment_type = experiment_type

    @property
    def time_created(self) -> datetime:
        return self._time_created

    @property
    def is_simple_experiment(self) -> bool:
        """Whether this is a SimpleExperiment (evaluated by a function)."""
        return False

    # ------------------------------------------------------------------ search space
    @property
    def search_space(self) -> SearchSpace:
        """The search space.

        A new space must keep every existing parameter's name and type once the experiment
        has trials; with no trials, anything goes.
        """
        return self._search_space

    @search_space.setter
    def search_space(self, search_space: SearchSpace) -> None:
        self._search_space = self._checked_search_space(search_space)

    def _checked_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not isinstance(search_space, SearchSpace):
            raise UserInputTypeError(
                f"Experiment {self._name!r}: search_space must be a SearchSpace, got "
                f"{type(search_space).__name__}"
            )
        if self._trials:
            old = self._search_space.parameters
            new = search_space.parameters
            if set(old) != set(new):
                raise UserInputError(
                    f"Experiment {self._name!r}: a new search space must keep the parameters "
                    f"{sorted(old)} once trials exist, got {sorted(new)}"
                )
            for pname, param in old.items():
                if new[pname].parameter_type != param.parameter_type:
                    raise UserInputError(
                        f"Experiment {self._name!r}: parameter {pname!r} must keep type "
                        f"{param.parameter_type.name}, got {new[pname].parameter_type.name}"
                    )
        return search_space

    @property
    def parameters(self) -> Dict[str, Parameter]:
        """The search space's parameters by name."""
        return self._search_space.parameters

    # ------------------------------------------------------------------ status quo
    @property
    def status_quo(self) -> Optional[Arm]:
        """The control arm that new arms are compared against."""
        return self._status_quo

    @status_quo.setter
    def status_quo(self, status_quo: Optional[Arm]) -> None:
        previous = self._status_quo
        drop_previous = (
            previous is not None
            and (status_quo is None or previous.signature != status_quo.signature)
            and not any(previous.name in t.arms_by_name for t in self._trials.values())
        )
        by_sig = dict(self._arms_by_signature)
        by_name = dict(self._arms_by_name)
        if drop_previous and previous is not None:
            by_sig.pop(previous.signature, None)
            by_name.pop(previous.name, None)
        if status_quo is not None:
            if not isinstance(status_quo, Arm):
                raise UserInputTypeError(
                    f"Experiment {self._name!r}: status_quo must be an Arm, got "
                    f"{type(status_quo).__name__}"
                )
            self._search_space.check_types(status_quo.parameters, allow_none=True, raise_error=True)
            existing = by_sig.get(status_quo.signature)
            if status_quo.has_name:
                named = by_name.get(status_quo.name)
                if named is not None and named.signature != status_quo.signature:
                    raise UserInputError(
                        f"Experiment {self._name!r}: status quo name {status_quo.name!r} is "
                        "already used by an arm with other parameters"
                    )
            elif existing is not None:
                status_quo.name = existing.name
            else:
                name = "status_quo"
                i = 0
                while name in by_name:
                    name = f"status_quo_e{i}"
                    i += 1
                status_quo.name = name
        if drop_previous and previous is not None:
            self._arms_by_signature.pop(previous.signature, None)
            self._arms_by_name.pop(previous.name, None)
        if status_quo is not None:
            self._register_arm(status_quo)
        self._status_quo = status_quo

    # ------------------------------------------------------------------ metrics
    @property
    def optimization_config(self) -> Optional[OptimizationConfig]:
        """The objective and outcome constraints.

        Setting it removes its metrics from the tracking metrics (they are now part of the
        config).
        """
        return self._optimization_config

    @optimization_config.setter
    def optimization_config(self, optimization_config: Optional[OptimizationConfig]) -> None:
        if optimization_config is not None and not isinstance(
            optimization_config, OptimizationConfig
        ):
            raise UserInputTypeError(
                f"Experiment {self._name!r}: optimization_config must be an "
                f"OptimizationConfig, got {type(optimization_config).__name__}"
            )
        if optimization_config is not None:
            for metric_name in optimization_config.metrics:
                self._tracking_metrics.pop(metric_name, None)
        self._optimization_config = optimization_config

    @property
    def tracking_metrics(self) -> List[Metric]:
        return list(self._tracking_metrics.values())

    @property
    def metrics(self) -> Dict[str, Metric]:
        """All metrics: tracking metrics, then the optimization config's."""
        metrics = dict(self._tracking_metrics)
        if self._optimization_config is not None:
            metrics.update(self._optimization_config.metrics)
        return metrics

    def _check_new_metric(self, metric: Metric) -> None:
        if not isinstance(metric, Metric):
            raise UserInputTypeError(
                f"Experiment {self._name!r}: tracking metric must be a Metric, got "
                f"{type(metric).__name__}"
            )
        if metric.name in self._tracking_metrics:
            raise UserInputError(
                f"Experiment {self._name!r}: metric {metric.name!r} is already tracked; use "
                "update_tracking_metric"
            )
        if (
            self._optimization_config is not None
            and metric.name in self._optimization_config.metrics
        ):
            raise UserInputError(
                f"Experiment {self._name!r}: metric {metric.name!r} is already in the "
                "optimization config"
            )

    def add_tracking_metric(self, metric: Metric) -> Experiment:
        """Track one more metric."""
        self._check_new_metric(metric)
        self._tracking_metrics[metric.name] = metric
        return self

    def add_tracking_metrics(self, metrics: List[Metric]) -> Experiment:
        """Track several metrics; if any is invalid, none is added."""
        seen: Set[str] = set()
        for metric in metrics:
            self._check_new_metric(metric)
            if metric.name in seen:
                raise UserInputError(
                    f"Experiment {self._name!r}: metric {metric.name!r} is given twice"
                )
            seen.add(metric.name)
        for metric in metrics:
            self._tracking_metrics[metric.name] = metric
        return self

    def update_tracking_metric(self, metric: Metric) -> Experiment:
        """Replace the tracking metric of the same name."""
        if metric.name not in self._tracking_metrics:
            raise UserInputError(
                f"Experiment {self._name!r}: metric {metric.name!r} is not tracked; tracked "
                f"metrics are {sorted(self._tracking_metrics)}"
            )
        self._tracking_metrics[metric.name] = metric
        return self

    def remove_tracking_metric(self, metric_name: str) -> Experiment:
        """Stop tracking the named metric."""
        if metric_name not in self._tracking_metrics:
            raise UserInputError(
                f"Experiment {self._name!r}: metric {metric_name!r} is not tracked; tracked "
                f"metrics are {sorted(self._tracking_metrics)}"
            )
        del self._tracking_metrics[metric_name]
        return self

    # ------------------------------------------------------------------ arms
    @property
    def arms_by_name(self) -> Dict[str, Arm]:
        """Every arm of the experiment (trials and status quo) by name."""
        return dict(self._arms_by_name)

    @property
    def arms_by_signature(self) -> Dict[str, Arm]:
        """Every arm of the experiment by signature."""
        return dict(self._arms_by_signature)

    def _register_arm(self, arm: Arm) -> None:
        self._arms_by_signature[arm.signature] = arm
        self._arms_by_name[arm.name] = arm

    # ------------------------------------------------------------------ trials
    @property
    def _next_trial_index(self) -> int:
        return len(self._trials)

    def _attach_trial(self, trial: BaseTrial) -> None:
        if trial.index in self._trials:
            raise UserInputError(
                f"Experiment {self._name!r}: trial index {trial.index} is already taken"
            )
        self._trials[trial.index] = trial
        self._trial_indices_by_status[trial._status].add(trial.index)
        if trial.ttl_seconds is not None:
            self._trials_have_ttl = True

    def _discard_newest_trial(self, trial: BaseTrial) -> None:
        """Forget ``trial``, the newest trial, as if it had never been created.

        For front doors whose save of a new trial failed: the user never got it, so the
        experiment must not keep it. Arms it registered (and no other trial holds) and
        its data go with it.

        Raises:
            UserInputError: ``trial`` is not this experiment's newest trial.
        """
        index = trial.index
        if self._trials.get(index) is not trial or index != len(self._trials) - 1:
            raise UserInputError(
                f"Experiment {self._name!r}: only the newest trial can be discarded, got "
                f"trial {index} of {len(self._trials)}"
            )
        del self._trials[index]
        self._trial_indices_by_status[trial._status].discard(index)
        self._data_by_trial.pop(index, None)
        for arm in trial.arms:
            if self._arms_by_name.get(arm.name) is arm:
                del self._arms_by_name[arm.name]
                self._arms_by_signature.pop(arm.signature, None)

    def _update_trial_status(self, index: int, old: TrialStatus, new: TrialStatus) -> None:
        self._trial_indices_by_status[old].discard(index)
        self._trial_indices_by_status[new].add(index)

    def _check_ttls(self) -> None:
        if self._trials_have_ttl:
            for index in list(self._trial_indices_by_status[TrialStatus.RUNNING]):
                self._trials[index]._check_ttl()

    def new_trial(
        self,
        generator_run: Optional[GeneratorRun] = None,
        trial_type: Optional[str] = None,
        ttl_seconds: Optional[int] = None,
    ) -> Trial:
        """Create a one-arm trial on this experiment."""
        from ax.core.trial import Trial

        return Trial(
            experiment=self,
            generator_run=generator_run,
            trial_type=trial_type,
            ttl_seconds=ttl_seconds,
        )

    def new_batch_trial(
        self,
        generator_run: Optional[GeneratorRun] = None,
        trial_type: Optional[str] = None,
        optimize_for_power: Optional[bool] = False,
        ttl_seconds: Optional[int] = None,
    ) -> BatchTrial:
        """Create a batch trial on this experiment."""
        from ax.core.batch_trial import BatchTrial

        return BatchTrial(
            experiment=self,
            generator_run=generator_run,
            trial_type=trial_type,
            optimize_for_power=optimize_for_power,
            ttl_seconds=ttl_seconds,
        )

    @property
    def trials(self) -> Dict[int, BaseTrial]:
        """The trials by index (RUNNING trials past their TTL are marked FAILED first)."""
        self._check_ttls()
        return dict(self._trials)

    @property
    def num_trials(self) -> int:
        return len(self._trials)

    @property
    def trials_by_status(self) -> Dict[TrialStatus, List[BaseTrial]]:
        """The trials grouped by status."""
        return {
            status: [self._trials[i] for i in sorted(indices)]
            for status, indices in self.trial_indices_by_status.items()
        }

    @property
    def trial_indices_by_status(self) -> Dict[TrialStatus, Set[int]]:
        """The trial indices grouped by status."""
        self._check_ttls()
        return {status: set(indices) for status, indices in self._trial_indices_by_status.items()}

    @property
    def trials_expecting_data(self) -> List[BaseTrial]:
        """The RUNNING and COMPLETED trials, by index."""
        self._check_ttls()
        indices = (
            self._trial_indices_by_status[TrialStatus.RUNNING]
            | self._trial_indices_by_status[TrialStatus.COMPLETED]
        )
        return [self._trials[i] for i in sorted(indices)]

    def get_trials_by_indices(self, trial_indices: Iterable[int]) -> List[BaseTrial]:
        """The trials with the given indices, in that order."""
        indices = list(trial_indices)
        missing = [i for i in indices if i not in self._trials]
        if missing:
            raise UserInputError(
                f"Experiment {self._name!r}: no trials with indices {missing}; it has "
                f"{len(self._trials)} trials (indices 0..{len(self._trials) - 1})"
            )
        return [self._trials[i] for i in indices]

    @property
    def sum_trial_sizes(self) -> int:
        """Total number of arms over all trials."""
        return sum(len(t.arms_by_name) for t in self._trials.values())

    @property
    def num_abandoned_arms(self) -> int:
        """Number of distinct arms abandoned in any trial."""
        return len({arm.name for t in self._trials.values() for arm in t.abandoned_arms})

    def reset_runners(self, runner: Runner) -> None:
        """Set ``runner`` on the experiment and on every CANDIDATE trial."""
        for index in self._trial_indices_by_status[TrialStatus.CANDIDATE]:
            self._trials[index].runner = runner
        self.runner = runner

    @property
    def default_trial_type(self) -> Optional[str]:
        return None

    def runner_for_trial(self, trial: BaseTrial) -> Optional[Runner]:
        """The runner used for ``trial`` when it has none of its own."""
        return self.runner

    def supports_trial_type(self, trial_type: Optional[str]) -> bool:
        return trial_type is None

    # ------------------------------------------------------------------ data
    def attach_data(self, data: Data, combine_with_last_data: bool = False) -> int:
        """Store ``data`` for the trials it names.

        Args:
            data: Data with a ``trial_index`` column; every trial index and arm name must
                belong to this experiment.
            combine_with_last_data: Merge into each trial's latest data instead of adding a
                new version; a row for an (arm, metric) pair already present raises.

        Returns:
            The storage timestamp in ms, strictly greater than any earlier one.

        Raises:
            UserInputError: The data is empty, names an unknown trial or an arm that is not
                in its trial, or (when combining) repeats an existing row. Nothing is stored.
        """
        if not isinstance(data, Data):
            raise UserInputTypeError(
                f"Experiment {self._name!r}: attach_data needs a Data, got {type(data).__name__}"
            )
        if len(data) == 0:
            raise UserInputError(f"Experiment {self._name!r}: data to attach is empty")
        by_trial = data.split_by_trial_index()
        for index, part in by_trial.items():
            trial = self._trials.get(index)
            if trial is None:
                raise UserInputError(
                    f"Experiment {self._name!r}: data names trial_index {index}, which the "
                    f"experiment does not have ({len(self._trials)} trials)"
                )
            allowed = set(trial.arms_by_name)
            status_quo = getattr(trial, "status_quo", None) or self._status_quo
            if status_quo is not None:
                allowed.add(status_quo.name)
            unknown = sorted(set(part.arm_names) - allowed)
            if unknown:
                raise UserInputError(
                    f"Experiment {self._name!r}: data names arm(s) {unknown} for trial "
                    f"{index}, whose arms are {sorted(allowed)}"
                )
        if combine_with_last_data:
            merged: Dict[int, Data] = {}
            for index, part in by_trial.items():
                last, _ = self.lookup_data_for_trial(index)
                if len(last):
                    old_pairs = set(zip(last.columns["arm_name"], last.columns["metric_name"]))
                    new_pairs = set(zip(part.columns["arm_name"], part.columns["metric_name"]))
                    overlap = sorted(old_pairs & new_pairs)
                    if overlap:
                        raise UserInputError(
                            f"Experiment {self._name!r}: combine_with_last_data would repeat "
                            f"(arm, metric) rows {overlap} of trial {index}"
                        )
                    part = Data.from_multiple_data([last, part])
                merged[index] = part
            by_trial = merged
        ts = max(int(time.time() * 1000), self._last_data_ts + 1)
        self._last_data_ts = ts
        for index, part in by_trial.items():
            versions = self._data_by_trial.setdefault(index, OrderedDict())
            if combine_with_last_data and versions:
                versions.popitem(last=True)
            versions[ts] = part
        return ts

    @property
    def data_by_trial(self) -> Dict[int, OrderedDict[int, Data]]:
        """Stored data by trial index, then by storage time (ms), oldest first."""
        return {i: OrderedDict(v) for i, v in self._data_by_trial.items()}

    def lookup_data_for_trial(self, trial_index: int) -> Tuple[Data, int]:
        """The latest data stored for a trial and its storage time; ``(Data(), -1)`` if none."""
        versions = self._data_by_trial.get(trial_index)
        if not versions:
            return Data(), -1
        ts = next(reversed(versions))
        return versions[ts], ts

    def lookup_data_for_ts(self, timestamp: int) -> Data:
        """All trials' data stored at ``timestamp``."""
        parts = [v[timestamp] for v in self._data_by_trial.values() if timestamp in v]
        return Data.from_multiple_data(parts)

    def lookup_data(self, trial_indices: Optional[Iterable[int]] = None) -> Data:
        """The latest stored data of the given trials (all trials by default), concatenated."""
        indices = sorted(self._data_by_trial) if trial_indices is None else list(trial_indices)
        parts = [self.lookup_data_for_trial(i)[0] for i in indices]
        return Data.from_multiple_data([p for p in parts if len(p)])

    def fetch_data(self, metrics: Optional[List[Metric]] = None, **kwargs: Any) -> Data:
        """Fetch data for ``metrics`` (all the experiment's by default) over all trials.

        Each metric class fetches its metrics at once (``fetch_experiment_data_multi``); the
        base ``Metric`` returns the data attached to the experiment.
        """
        return self._fetch(None, metrics, **kwargs)

    def fetch_trials_data(
        self, trial_indices: Iterable[int], metrics: Optional[List[Metric]] = None, **kwargs: Any
    ) -> Data:
        """Fetch data for ``metrics`` over the given trials."""
        trials = self.get_trials_by_indices(trial_indices)
        return self._fetch(trials, metrics, **kwargs)

    def _fetch_trial_data(
        self, trial_index: int, metrics: Optional[List[Metric]] = None, **kwargs: Any
    ) -> Data:
        return self._fetch(self.get_trials_by_indices([trial_index]), metrics, **kwargs)

    def _fetch(
        self, trials: Optional[List[BaseTrial]], metrics: Optional[List[Metric]], **kwargs: Any
    ) -> Data:
        metric_list = list(self.metrics.values()) if metrics is None else list(metrics)
        if not metric_list:
            raise UserInputError(
                f"Experiment {self._name!r}: no metrics to fetch; add an optimization config "
                "or tracking metrics, or pass metrics="
            )
        by_class: Dict[Type[Metric], List[Metric]] = defaultdict(list)
        for metric in metric_list:
            by_class[type(metric)].append(metric)
        all_trials = list(self._trials.values()) if trials is None else trials
        live_trials = [t for t in all_trials if t.status.expecting_data]
        parts = []
        for cls, group in by_class.items():
            # The base Metric reads attached data, which any trial may have; other metrics
            # fetch live, only for trials that are running or completed.
            scope = all_trials if cls is Metric else live_trials
            parts.append(cls.fetch_experiment_data_multi(self, group, trials=scope, **kwargs))
        return Data.from_multiple_data([p for p in parts if len(p)])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name})"


__all__ = ["Experiment"]
