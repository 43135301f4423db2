"""Typed options of the :class:`~ax.service.scheduler.Scheduler`, checked when built."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union

from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.validation import check_bool, check_float, check_int

if TYPE_CHECKING:  # pragma: no cover
    from ax.storage.sqa_store.structs import DBSettings
    from ax.storage.store import ExperimentStore

TPersistence = Union[str, "os.PathLike[str]", "DBSettings", "ExperimentStore", None]


def _check_int(field_name: str, value: Any, minimum: int) -> None:
    check_int("SchedulerOptions", field_name, value, minimum, repeat_field=False)


def _check_seconds(field_name: str, value: Any, positive: bool) -> None:
    check_float(
        "SchedulerOptions",
        field_name,
        value,
        0,
        strict=positive,
        noun="a number of seconds",
        repeat_field=False,
    )


@dataclass(frozen=True)
class SchedulerOptions:
    """How a Scheduler runs its trials.

    Args:
        max_parallelism: Trials in flight at once (and the size of the default pool).
        total_trials: The budget: COMPLETED and FAILED trials count, those of a resumed
            run included. None: no budget (only :meth:`Scheduler.run_n_trials` then).
        timeout_s: A trial still running this many seconds after it was submitted is
            marked FAILED ("timed out after N s") and its future cancelled if possible (a
            call already running in a process cannot be interrupted; its late result is
            ignored). None: no limit.
        max_consecutive_failures: Stop with
            :class:`~ax.service.managed_loop.OptimizationAbortedError` after this many
            FAILED trials in a row.
        persistence: Where to save after every change: an
            :class:`~ax.storage.store.ExperimentStore`, or as a shortcut a JSON file path
            (experiment and strategy, atomically), a database URL (``sqlite:///...``,
            ``postgresql://...``) or a :class:`~ax.storage.sqa_store.structs.DBSettings`
            (only the changed trial, and the strategy, are written). None: not saved.
            (``Scheduler(store=...)`` is the same.)
        poll_interval: The longest the Scheduler blocks waiting for a result before it
            checks timeouts again, in seconds.
        shared: Several workers, one study: other processes (Schedulers or AxClients) run
            trials of the same experiment in the database of ``persistence`` (a
            DBSettings) at the same time. Trials found RUNNING at start are theirs, not
            left over by a crash, so they are not abandoned; every trial this Scheduler
            makes is generated under the database lock, after merging the others'
            trials (their RUNNING points are pending, so no point is proposed twice).
            Needs a store several processes can write (a database), as ``persistence``
            or as the Scheduler's ``store``.

    Raises:
        UserInputTypeError / UserInputError: A field has the wrong type or is out of range
            (the message names the field and the value).

    Example:
        >>> SchedulerOptions(max_parallelism=4, total_trials=20, persistence="run.json")
    """

    max_parallelism: int = 2
    total_trials: Optional[int] = 10
    timeout_s: Optional[float] = None
    max_consecutive_failures: int = 5
    persistence: TPersistence = field(default=None)
    poll_interval: float = 0.05
    shared: bool = False

    def __post_init__(self) -> None:
        check_bool("SchedulerOptions", "shared", self.shared)
        _check_int("max_parallelism", self.max_parallelism, 1)
        if self.total_trials is not None:
            _check_int("total_trials", self.total_trials, 1)
        if self.timeout_s is not None:
            _check_seconds("timeout_s", self.timeout_s, positive=True)
        _check_int("max_consecutive_failures", self.max_consecutive_failures, 1)
        _check_seconds("poll_interval", self.poll_interval, positive=True)
        persistence = self.persistence
        if isinstance(persistence, str) and "://" in persistence:
            return  # a database URL
        from ax.storage.store import ExperimentStore

        if isinstance(persistence, ExperimentStore):
            if self.shared and not persistence.shared:
                raise UserInputError(
                    "SchedulerOptions: shared=True needs a store several processes can write "
                    f"(a database), got persistence={persistence!r}"
                )
            return
        if persistence is None or isinstance(persistence, (str, os.PathLike)):
            if self.shared and persistence is not None:  # (None: Scheduler(store=...) decides)
                raise UserInputError(
                    "SchedulerOptions: shared=True needs persistence=DBSettings(url=...), the "
                    f"database the workers share, got persistence={persistence!r}"
                )
            if persistence is not None and not str(Path(persistence)).endswith(".json"):
                raise UserInputError(
                    f"SchedulerOptions: persistence path must end with '.json', got "
                    f"{str(persistence)!r}"
                )
            return
        from ax.storage.sqa_store.structs import DBSettings

        if not isinstance(persistence, DBSettings):
            raise UserInputTypeError(
                "SchedulerOptions: persistence must be a JSON file path, a database URL, a "
                f"DBSettings, an ExperimentStore or None, got {type(persistence).__name__} "
                f"{persistence!r}"
            )


__all__ = ["SchedulerOptions", "TPersistence"]
