"""Reporting from inside an evaluation: intermediate results out, stop decisions in.

An evaluation function that takes a ``reporter`` argument gets a :class:`Reporter` for its
trial (one that does not can use the module functions :func:`report` and
:func:`should_stop`, which find the trial being evaluated in this thread)::

    def train(parameters, reporter):
        for epoch in range(1, 51):
            loss = fit_one_epoch(parameters)
            reporter.report(epoch, {"loss": loss})
            if reporter.should_stop():
                break
        return {"loss": (loss, 0.0)}

``report(step, {metric: value})`` checks its input where the function runs (a step that
goes backwards, an unknown metric or a NaN value raise :class:`~ax.exceptions.UserInputError`
at the user's line) and sends it through a :class:`ReportChannel` to the Scheduler, which
alone decides stops (through its stopping rule) and sends them back on the same channel.
A function that ignores ``should_stop()`` gets :class:`TrialStopped` raised from its next
``report``; the trial is recorded EARLY_STOPPED either way.

Channels (what carries reports and stops between the worker and the Scheduler):

- :class:`LocalChannel`: in the same process (the inline executor and thread pools); a
  report made in the Scheduler's own thread is decided at once.
- :class:`FileChannel`: a directory of append-only JSON-lines files, one per trial, and
  one ``.stop`` file per stopped trial; for process pools (and any executor on the
  machine, or on a file system shared with the Scheduler).
- :class:`~ax.service.dask_reports.DaskReportChannel`: a Dask ``Queue`` and ``Event``
  objects on the Dask scheduler, for Dask executors (workers on any machine).
- Executors that carry messages themselves (the RabbitMQ executor) provide their own
  through a ``report_channel()`` method.

This module imports only the standard library and two small project modules (it runs
in fresh worker processes).
"""

from __future__ import annotations

import contextvars
import json
import os
import queue
import shutil
import tempfile
import threading
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Protocol, Tuple

from ax.core.progression import finite_number
from ax.exceptions import UserInputError

# One report as it travels: (trial index, progression, {metric: value}).
TReport = Tuple[int, float, Dict[str, float]]


class TrialStopped(Exception):
    """Raised from :meth:`Reporter.report` when the Scheduler stopped the trial.

    A function may raise it itself, too (as Optuna's ``TrialPruned``); the trial is then
    recorded EARLY_STOPPED with its last reported values.
    """


class ReportChannel(Protocol):
    """Carries reports from a worker to the Scheduler and stop decisions back.

    Worker side (any thread or process that holds the channel): :meth:`send` and
    :meth:`is_stopped`. Scheduler side, in the Scheduler's thread only: :meth:`drain`
    (the reports that arrived, in order per trial), :meth:`stop` and :meth:`close`.
    """

    def send(self, trial_index: int, progression: float, values: Dict[str, float]) -> None:
        """Deliver one validated report (worker side)."""
        ...  # pragma: no cover - a protocol

    def is_stopped(self, trial_index: int) -> bool:
        """Whether the Scheduler stopped the trial (worker side)."""
        ...  # pragma: no cover - a protocol

    def drain(self) -> List[TReport]:
        """The reports that arrived since the last call (Scheduler side)."""
        ...  # pragma: no cover - a protocol

    def stop(self, trial_index: int) -> None:
        """Tell the trial's worker to stop (Scheduler side)."""
        ...  # pragma: no cover - a protocol

    def close(self) -> None:
        """Release what the channel holds (Scheduler side)."""
        ...  # pragma: no cover - a protocol


class LocalChannel:
    """A channel inside one process (inline executor, thread pools).

    Args:
        on_report: Called with each report made in the thread that built the channel
            (the Scheduler's), at once, so that an inline evaluation is judged between
            its reports; reports from other threads are queued for :meth:`drain`.
    """

    def __init__(self, on_report: Optional[Callable[[TReport], None]] = None) -> None:
        self._queue: queue.SimpleQueue[TReport] = queue.SimpleQueue()
        self._stopped: set[int] = set()
        self._lock = threading.Lock()
        self._owner = threading.get_ident()
        self._on_report = on_report

    def send(self, trial_index: int, progression: float, values: Dict[str, float]) -> None:
        report = (trial_index, progression, dict(values))
        if self._on_report is not None and threading.get_ident() == self._owner:
            self._on_report(report)
        else:
            self._queue.put(report)

    def is_stopped(self, trial_index: int) -> bool:
        with self._lock:
            return trial_index in self._stopped

    def drain(self) -> List[TReport]:
        out: List[TReport] = []
        while True:
            try:
                out.append(self._queue.get_nowait())
            except queue.Empty:
                return out

    def stop(self, trial_index: int) -> None:
        with self._lock:
            self._stopped.add(trial_index)

    def close(self) -> None:
        return None

    def __reduce__(self) -> Any:
        raise TypeError(
            "LocalChannel cannot be sent to another process; a process pool or Dask uses "
            "a FileChannel"
        )


class FileChannel:
    """A channel through a directory: ``<trial>.jsonl`` (reports, append-only) and
    ``<trial>.stop`` (the stop decision). Picklable: it is just the path.

    Each report is one line written with one ``write`` on a file opened in append mode,
    so a reader never sees half a report (a partial last line is left for the next
    :meth:`drain`).

    Args:
        directory: The directory (None: a new temporary one, removed by :meth:`close`).
    """

    def __init__(self, directory: Optional[str] = None) -> None:
        self._owned = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="ax-reports-")
        self._offsets: Dict[str, int] = {}

    def __getstate__(self) -> Dict[str, Any]:
        return {"directory": self.directory}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.directory = state["directory"]
        self._owned = False
        self._offsets = {}

    def _path(self, trial_index: int, suffix: str) -> str:
        return os.path.join(self.directory, f"{int(trial_index)}{suffix}")

    def send(self, trial_index: int, progression: float, values: Dict[str, float]) -> None:
        line = json.dumps({"t": int(trial_index), "p": progression, "v": values}) + "\n"
        with open(self._path(trial_index, ".jsonl"), "a", encoding="utf-8") as handle:
            handle.write(line)

    def is_stopped(self, trial_index: int) -> bool:
        return os.path.exists(self._path(trial_index, ".stop"))

    def drain(self) -> List[TReport]:
        out: List[TReport] = []
        try:
            names = sorted(n for n in os.listdir(self.directory) if n.endswith(".jsonl"))
        except FileNotFoundError:
            return out
        for name in names:
            path = os.path.join(self.directory, name)
            start = self._offsets.get(name, 0)
            if os.path.getsize(path) <= start:
                continue
            with open(path, "rb") as handle:
                handle.seek(start)
                chunk = handle.read()
            end = chunk.rfind(b"\n") + 1
            self._offsets[name] = start + end
            for line in chunk[:end].splitlines():
                item = json.loads(line)
                out.append((int(item["t"]), float(item["p"]), dict(item["v"])))
        return out

    def stop(self, trial_index: int) -> None:
        with open(self._path(trial_index, ".stop"), "w", encoding="utf-8"):
            pass

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.directory, ignore_errors=True)


class Reporter:
    """What an evaluation function uses to report intermediate results for its trial.

    Args:
        trial_index: The trial being evaluated.
        channel: Where reports go and stop decisions come from.
        metric_names: The experiment's metrics (a report of another metric raises).
        progression_key: What the progression counts (for messages).
    """

    def __init__(
        self,
        trial_index: int,
        channel: Any,
        metric_names: FrozenSet[str],
        progression_key: str = "step",
    ) -> None:
        self.trial_index = trial_index
        self.channel = channel
        self.metric_names = frozenset(metric_names)
        self.progression_key = progression_key
        self._last: Optional[float] = None
        self._open = True

    def report(self, step: float, values: Mapping[str, float]) -> None:
        """Report metric values at progression ``step``.

        Raises:
            TrialStopped: The Scheduler stopped this trial (at an earlier report); the
                trial is recorded EARLY_STOPPED. Let it propagate (or return).
            UserInputError: ``step`` does not increase, a metric is unknown, a value is
                NaN or infinite, ``values`` is empty, or the trial is over.
            UserInputTypeError: ``step`` or a value is not a number.
        """
        where = f"Reporter (trial {self.trial_index}).report"
        if not self._open:
            raise UserInputError(f"{where}: the trial's evaluation is over")
        progression = finite_number(step, f"{where}: {self.progression_key}")
        if self._last is not None and progression <= self._last:
            raise UserInputError(
                f"{where}: {self.progression_key} went backwards: got {step!r} after "
                f"{self._last:g} (progressions must increase)"
            )
        if not isinstance(values, Mapping) or not values:
            raise UserInputError(f"{where}: values must be a non-empty {{metric: value}} dict")
        checked: Dict[str, float] = {}
        for name, value in values.items():
            if name not in self.metric_names:
                raise UserInputError(
                    f"{where}: unknown metric {name!r} (the experiment's metrics: "
                    f"{sorted(self.metric_names)})"
                )
            checked[name] = finite_number(value, f"{where}: metric {name!r}")
        if self.channel.is_stopped(self.trial_index):
            raise TrialStopped(
                f"trial {self.trial_index} was stopped early by the Scheduler; return, or "
                "let this exception propagate"
            )
        self._last = progression
        self.channel.send(self.trial_index, progression, checked)

    def should_stop(self) -> bool:
        """Whether the Scheduler decided to stop this trial (then return soon).

        Raises:
            UserInputError: Called after the trial's evaluation ended.
        """
        if not self._open:
            raise UserInputError(
                f"should_stop() called outside a trial: trial {self.trial_index}'s "
                "evaluation is over"
            )
        return bool(self.channel.is_stopped(self.trial_index))

    def close(self) -> None:
        """End the reporter (called when the evaluation returns)."""
        self._open = False

    def __repr__(self) -> str:
        return f"Reporter(trial_index={self.trial_index})"


_CURRENT: contextvars.ContextVar[Optional[Reporter]] = contextvars.ContextVar(
    "ax_current_reporter", default=None
)


def current_reporter() -> Reporter:
    """The reporter of the trial being evaluated in this thread.

    Raises:
        UserInputError: No trial is being evaluated here.
    """
    reporter = _CURRENT.get()
    if reporter is None:
        raise UserInputError(
            "should_stop()/report() called outside a trial: no evaluation is running in "
            "this thread",
            hint="call them from inside the evaluation function the Scheduler runs, or take "
            "a `reporter` argument",
        )
    return reporter


def report(step: float, values: Mapping[str, float]) -> None:
    """:meth:`Reporter.report` on the trial being evaluated in this thread."""
    current_reporter().report(step, values)


def should_stop() -> bool:
    """:meth:`Reporter.should_stop` on the trial being evaluated in this thread.

    Raises:
        UserInputError: Called outside a trial.
    """
    return current_reporter().should_stop()


def set_current(reporter: Optional[Reporter]) -> contextvars.Token[Optional[Reporter]]:
    """Make ``reporter`` the current one (for :func:`run_evaluation`)."""
    return _CURRENT.set(reporter)


def reset_current(token: contextvars.Token[Optional[Reporter]]) -> None:
    """Undo :func:`set_current`."""
    _CURRENT.reset(token)


def accepts_reporter(function: Any) -> bool:
    """Whether ``function`` takes a ``reporter`` argument (by name)."""
    flag = getattr(function, "accepts_reporter", None)
    if isinstance(flag, bool):
        return flag
    import inspect

    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False
    return "reporter" in parameters


__all__ = [
    "FileChannel",
    "LocalChannel",
    "ReportChannel",
    "Reporter",
    "TReport",
    "TrialStopped",
    "accepts_reporter",
    "current_reporter",
    "report",
    "should_stop",
]
