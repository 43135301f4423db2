"""The executor seam: the inline executor and the optional capacity signal."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, List

import pytest

from ax.core.types import TParameterization, TrialStatus
from ax.exceptions import ExecutorError
from ax.service.executors import CapacityReporting, InlineExecutor, idle_capacity
from ax.service.scheduler import Scheduler
from tests.service.test_scheduler import experiment, options, quadratic, sobol


def test_inline_executor_runs_the_call_in_submit() -> None:
    executor = InlineExecutor()
    caller = threading.get_ident()
    future = executor.submit(lambda a, b=0: (threading.get_ident(), a + b), 2, b=3)
    assert future.done()
    assert future.result() == (caller, 5)
    assert isinstance(executor, CapacityReporting) and executor.idle_capacity() == 1


def test_inline_executor_keeps_the_exception_in_the_future_and_refuses_after_shutdown() -> None:
    def boom() -> None:
        raise ValueError("boom")

    with InlineExecutor() as executor:
        future = executor.submit(boom)
        with pytest.raises(ValueError, match="boom"):
            future.result()
    assert executor.idle_capacity() == 0
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(boom)


def test_a_scheduler_with_an_inline_executor_runs_trials_in_this_thread() -> None:
    threads: List[int] = []

    def evaluate(parameters: TParameterization) -> float:  # a closure: never pickled inline
        threads.append(threading.get_ident())
        return quadratic(parameters)

    exp = experiment()
    Scheduler(exp, sobol(), evaluate, InlineExecutor(), options(total_trials=4)).run_all_trials()
    assert [t.status for t in exp.trials.values()] == [TrialStatus.COMPLETED] * 4
    assert set(threads) == {threading.get_ident()}


class _PullPool(ThreadPoolExecutor):
    """Two threads, but says it has only ``idle`` workers free (a pull-style pool)."""

    def __init__(self, idle: Callable[[], int]) -> None:
        super().__init__(max_workers=2)
        self.idle = idle
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()

    def idle_capacity(self) -> int:
        return self.idle()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return super().submit(run)


def test_the_scheduler_generates_only_for_the_capacity_the_executor_reports() -> None:
    pool: _PullPool
    calls: List[int] = []

    def one_free_worker() -> int:
        calls.append(1)
        return 1 - pool.in_flight  # one worker that becomes free when its trial ends

    pool = _PullPool(one_free_worker)
    with pool:
        exp = experiment()
        Scheduler(exp, sobol(), quadratic, pool, options(max_parallelism=4)).run_all_trials()
    assert len(exp.trials) == 6
    assert all(t.status is TrialStatus.COMPLETED for t in exp.trials.values())
    assert pool.most_in_flight == 1  # never more than the capacity, although 4 were allowed
    assert calls


def test_idle_capacity_is_none_without_a_signal_and_checked_when_given() -> None:
    with ThreadPoolExecutor(1) as pool:
        assert idle_capacity(pool) is None
    with _PullPool(lambda: -3) as pool:
        assert idle_capacity(pool) == 0
    bad = _PullPool(lambda: "many")  # type: ignore[arg-type,return-value]
    with bad, pytest.raises(ExecutorError, match=r"idle_capacity\(\) must return an int"):
        idle_capacity(bad)
