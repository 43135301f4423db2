"""The engine's seams for pull-style and restartable executors: adopting trials an earlier
run left in flight, leaving them on an interrupt, waking for freed capacity, and telling
the executor when a result is recorded."""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

import pytest

from ax.core.base_trial import BaseTrial
from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.service.executors import InlineExecutor, capacity_future, idle_capacity
from ax.service.scheduler import Scheduler
from ax.service.utils.scheduler_options import SchedulerOptions
from ax.service.utils.trial_evaluation import LEAVE, TrialEvaluation, TStopAction
from tests.service.test_scheduler import experiment, quadratic, sobol


def options(**kwargs: Any) -> SchedulerOptions:
    kwargs.setdefault("max_parallelism", 2)
    kwargs.setdefault("total_trials", None)
    return SchedulerOptions(**kwargs)


class Recorded(Future[Any]):
    """A done future that counts how often the Scheduler acknowledged it."""

    def __init__(self, value: float, log: List[str]) -> None:
        super().__init__()
        self.log = log
        self.set_result(value)

    def acknowledge(self) -> None:
        self.log.append("ack")


class ValueEvaluation(TrialEvaluation):
    """Each trial's future is made by ``make(trial)``; its result is the objective."""

    def __init__(self, make: Callable[[BaseTrial], Future[Any]]) -> None:
        self.make = make
        self.adoptable: Dict[int, Future[Any]] = {}
        self.stopped: List[int] = []

    def submit(self, executor: Executor, trial: BaseTrial) -> Future[Any]:
        return self.make(trial)

    def read(self, experiment: Experiment, trial: BaseTrial, future: Future[Any]) -> Optional[str]:
        from ax.core.data import Data

        arm = trial.arms[0]
        value = float(future.result())
        experiment.attach_data(Data.from_evaluations({arm.name: {"y": (value, 0.0)}}, trial.index))
        return None

    def adopt(self, executor: Executor, trial: BaseTrial) -> Optional[Future[Any]]:
        return self.adoptable.get(trial.index)

    def stop(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        self.stopped.append(trial.index)
        return super().stop(trial, future)

    def interrupt(self, trial: BaseTrial, future: Future[Any]) -> TStopAction:
        return (LEAVE, None) if trial.index % 2 else self.stop(trial, future)


def running_trials(exp: Experiment, n: int) -> List[BaseTrial]:
    strategy = sobol()
    trials = []
    for _ in range(n):
        trial = exp.new_trial(strategy.gen(exp, n=1))
        trial.mark_running(no_runner_required=True)
        trials.append(trial)
    return trials


def test_trials_left_in_flight_are_adopted_when_the_evaluation_can_and_count_in_the_budget() -> (
    None
):
    exp = experiment()
    kept, lost = running_trials(exp, 2)
    log: List[str] = []
    evaluation = ValueEvaluation(lambda trial: Recorded(1.0, log))
    evaluation.adoptable[kept.index] = Recorded(0.5, log)
    scheduler = Scheduler(
        exp, sobol(), None, InlineExecutor(), options(), trial_evaluation=evaluation
    )
    assert scheduler.num_in_flight == 1
    assert lost.status is TrialStatus.ABANDONED and kept.status is TrialStatus.RUNNING
    scheduler.run_n_trials(3)  # the adopted trial and two new ones
    assert kept.status is TrialStatus.COMPLETED
    assert len(exp.trials) == 4 and scheduler.num_trials_finished == 3
    assert log == ["ack", "ack", "ack"]  # every recorded result was acknowledged


def test_without_an_executor_nothing_is_adopted() -> None:
    exp = experiment()
    (trial,) = running_trials(exp, 1)
    evaluation = ValueEvaluation(lambda trial: Recorded(1.0, []))
    evaluation.adoptable[trial.index] = Recorded(0.5, [])
    Scheduler(exp, sobol(), None, None, options(), trial_evaluation=evaluation)
    assert trial.status is TrialStatus.ABANDONED


def test_an_interrupt_leaves_what_the_evaluation_says_and_abandons_the_rest() -> None:
    exp = experiment()
    pending: List[Future[Any]] = []

    def make(trial: BaseTrial) -> Future[Any]:
        if trial.index == 0:
            return Recorded(1.0, [])
        future: Future[Any] = Future()  # never done
        pending.append(future)
        return future

    def interrupt_after_the_first(trial: BaseTrial, failures_in_a_row: int) -> None:
        raise KeyboardInterrupt

    evaluation = ValueEvaluation(make)
    with ThreadPoolExecutor(1) as pool:  # (unused: the evaluation makes the futures)
        scheduler = Scheduler(
            exp,
            sobol(),
            None,
            pool,
            options(max_parallelism=3),
            trial_evaluation=evaluation,
            on_trial_finished=interrupt_after_the_first,
        )
        with pytest.raises(KeyboardInterrupt):
            scheduler.run_n_trials(5)
    assert exp.trials[0].status is TrialStatus.COMPLETED
    assert exp.trials[1].status is TrialStatus.RUNNING  # left for a later run to adopt
    assert exp.trials[2].status is TrialStatus.ABANDONED
    assert evaluation.stopped == [2]


class _GatedPool(ThreadPoolExecutor):
    """No capacity until a gate opens; ``capacity_future`` says when it does."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.gate = threading.Event()
        self.asked = 0

    def idle_capacity(self) -> int:
        return 1 if self.gate.is_set() else 0

    def capacity_future(self) -> Future[None]:
        self.asked += 1
        future: Future[None] = Future()
        threading.Thread(target=lambda: (self.gate.set(), future.set_result(None))).start()
        return future


def test_the_scheduler_wakes_when_capacity_frees_up_instead_of_polling(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ax.service.scheduler as scheduler_module

    def no_sleep(seconds: float) -> None:
        raise AssertionError("the Scheduler polled instead of waiting for capacity")

    monkeypatch.setattr(scheduler_module.time, "sleep", no_sleep)
    exp = experiment()
    with _GatedPool() as pool:
        Scheduler(
            exp, sobol(), quadratic, pool, options(total_trials=2, poll_interval=60.0)
        ).run_all_trials()
        assert pool.asked >= 1
    assert [t.status for t in exp.trials.values()] == [TrialStatus.COMPLETED] * 2


def test_capacity_probes_are_none_without_a_signal_and_checked_when_given() -> None:
    from ax.exceptions import ExecutorError

    class Unknown(InlineExecutor):
        def idle_capacity(self) -> Optional[int]:  # type: ignore[override]
            return None

        def capacity_future(self) -> Any:
            return "soon"

    with ThreadPoolExecutor(1) as pool:
        assert capacity_future(pool) is None
    assert idle_capacity(Unknown()) is None
    with pytest.raises(ExecutorError, match=r"capacity_future\(\) must return a Future"):
        capacity_future(Unknown())
