"""Metric: a named outcome that trials are measured on."""

from __future__ import annotations

import copy
from typing import Any, Dict, Iterable, Optional, Type

import numpy as np

from ax.core.base import Base
from ax.core.data import Data
from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.serialization import init_args_from_attributes


class Metric(Base):
    """A named outcome, and how to fetch its data for a trial.

    The base class fetches nothing live: :meth:`fetch_trial_data` returns the data
    already attached to the trial for this metric. Subclasses that measure something
    (call a service, evaluate a function) override :meth:`fetch_trial_data`, and may
    override :meth:`fetch_experiment_data_multi` to batch work across trials and metrics.

    Trials and experiments are duck-typed here (the core's trial modules sit above this
    one): a trial needs ``lookup_data() -> Data`` (its latest attached data) and
    ``status.expecting_data``; an experiment needs ``trials_expecting_data``.

    Subclasses are cloned and stored through :meth:`serialize_init_args`, which by
    default reads each constructor parameter ``x`` back from attribute ``x`` or ``_x``.

    Args:
        name: Unique, non-empty name of the metric.
        lower_is_better: True if lower values are better, False if higher values are
            better, None if unknown. Objectives and constraints check their direction
            against it.

    Raises:
        UserInputError: ``name`` is not a non-empty string.
        UserInputTypeError: ``lower_is_better`` is not a bool or None.

    Example:
        >>> m = Metric("latency", lower_is_better=True)
        >>> m
        Metric('latency')
        >>> m.clone() == m
        True
    """

    def __init__(self, name: str, lower_is_better: Optional[bool] = None) -> None:
        if not isinstance(name, str) or not name:
            raise UserInputError(
                f"{type(self).__name__}: name must be a non-empty string, got name={name!r}"
            )
        self._name = name
        self._lower_is_better = _check_lower_is_better(self, lower_is_better)

    @property
    def name(self) -> str:
        """The metric's name (read-only)."""
        return self._name

    @property
    def lower_is_better(self) -> Optional[bool]:
        """True if lower values are better, False if higher, None if not stated."""
        return self._lower_is_better

    @lower_is_better.setter
    def lower_is_better(self, value: Optional[bool]) -> None:
        self._lower_is_better = _check_lower_is_better(self, value)

    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        """This metric's data for one trial.

        The base class returns the rows for this metric in the data already attached to
        the trial (``trial.lookup_data()``). Subclasses override it to fetch live.

        Args:
            trial: The trial (a ``BaseTrial``).
            **kwargs: Passed on by the caller; unused by the base class.

        Returns:
            The data of this metric for the trial (possibly empty).
        """
        data: Data = trial.lookup_data()
        return data.filter(metric_names=[self.name])

    def fetch_experiment_data(self, experiment: Any, **kwargs: Any) -> Data:
        """This metric's data for every trial of ``experiment`` that expects data.

        Args:
            experiment: The experiment (an ``Experiment``), read for
                ``trials_expecting_data``.
            **kwargs: Passed on to :meth:`fetch_trial_data`.

        Returns:
            The concatenation of :meth:`fetch_trial_data` over those trials.
        """
        return Data.from_multiple_data(
            self.fetch_trial_data(trial, **kwargs) for trial in experiment.trials_expecting_data
        )

    @classmethod
    def fetch_trial_data_multi(cls, trial: Any, metrics: Iterable[Metric], **kwargs: Any) -> Data:
        """Data of several metrics for one trial.

        Args:
            trial: The trial (a ``BaseTrial``).
            metrics: The metrics to fetch.
            **kwargs: Passed on to each metric's :meth:`fetch_trial_data`.

        Returns:
            The concatenation of each metric's :meth:`fetch_trial_data`.
        """
        return Data.from_multiple_data(
            metric.fetch_trial_data(trial, **kwargs) for metric in metrics
        )

    @classmethod
    def fetch_experiment_data_multi(
        cls,
        experiment: Any,
        metrics: Iterable[Metric],
        trials: Optional[Iterable[Any]] = None,
        **kwargs: Any,
    ) -> Data:
        """Data of several metrics for several trials.

        Subclasses may override it to batch computation across trials and metrics.

        Args:
            experiment: The experiment (an ``Experiment``).
            metrics: The metrics to fetch.
            trials: The trials to fetch, used as given (the caller chooses; the
                reference skipped those not expecting data). None means the
                experiment's ``trials_expecting_data`` (RUNNING or COMPLETED).
            **kwargs: Passed on to :meth:`fetch_trial_data_multi`.

        Returns:
            The concatenation of :meth:`fetch_trial_data_multi` over the trials.
        """
        metrics = list(metrics)
        selected = list(experiment.trials_expecting_data if trials is None else trials)
        if _reads_attached_data(cls):
            # Attached data only: one lookup and one filter, not one pass per trial.
            return experiment.lookup_data(trial_indices=[t.index for t in selected]).filter(
                metric_names=[m.name for m in metrics]
            )
        return Data.from_multiple_data(
            cls.fetch_trial_data_multi(trial, metrics, **kwargs) for trial in selected
        )

    def serialize_init_args(self) -> Dict[str, Any]:
        """The constructor keyword arguments that rebuild this metric.

        Used by :meth:`clone` and by storage. The default reads each parameter ``x``
        of ``type(self).__init__`` from attribute ``x`` or ``_x``; a subclass whose
        constructor arguments are not kept that way overrides this method.

        Returns:
            ``{argument name: value}``; for the base class ``name`` and
            ``lower_is_better``.

        Raises:
            UnsupportedError: A constructor argument cannot be found on the object.
        """
        return init_args_from_attributes(self)

    def clone(self) -> Metric:
        """A new metric of the same class built from deep copies of its arguments."""
        return type(self)(**copy.deepcopy(self.serialize_init_args()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def _reads_attached_data(cls: Type[Metric]) -> bool:
    """Whether ``cls`` fetches exactly as the base Metric does (attached data only)."""
    base_multi = Metric.__dict__["fetch_trial_data_multi"]
    return cls.fetch_trial_data is Metric.fetch_trial_data and all(
        klass.__dict__.get("fetch_trial_data_multi", base_multi) is base_multi
        for klass in cls.__mro__
    )


def _check_lower_is_better(metric: Metric, value: Any) -> Optional[bool]:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    raise UserInputTypeError(
        f"{type(metric).__name__} '{metric.name}': lower_is_better must be a bool or "
        f"None, got lower_is_better={value!r}"
    )


__all__ = ["Metric"]
