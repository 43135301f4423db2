"""MPIGroupExecutor and serve_calls on a stand-in group (the real mpirun runs are in
tests/service/test_mpi_worker.py and tests/polaris/test_parallel.py)."""

from __future__ import annotations

import pickle
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from ax.exceptions import UnsupportedError, UserInputError
from ax.service.utils.mpi_group import MPIGroup, MPIGroupExecutor, dumps_call, serve_calls
from ax.service.utils.scheduler_worker import run_evaluation


class FakeGroup(MPIGroup):
    """Rank ``rank`` of a group of ``size``: ranks 1.. run each broadcast call at once."""

    def __init__(self, size: int, rank: int = 0, fail_on: Optional[int] = None) -> None:
        self.size, self.rank = size, rank
        self.sent: List[Any] = []
        self.reports: Dict[int, Any] = {}
        self.fail_on = fail_on
        self.jobs: List[Any] = []

    def broadcast(self, job: Any) -> None:
        self.sent.append(job)
        for rank in range(1, self.size):
            self.reports[rank] = "ValueError: rank is broken" if rank == self.fail_on else None

    def collect(
        self, job_id: Any, service: Any = None, timeout_s: Optional[float] = None
    ) -> Dict[int, Any]:
        return dict(self.reports)

    def serve(self, handle: Callable[[Any], Tuple[Any, Any]]) -> Any:
        outcomes = [handle(job) for job in self.jobs]
        return outcomes


def square(parameters: Dict[str, Any]) -> float:
    return float(parameters["x"]) ** 2


def test_each_call_goes_to_the_other_ranks_and_their_failure_marks_the_value() -> None:
    group = FakeGroup(3)
    executor = MPIGroupExecutor(group)
    ok = executor.submit(run_evaluation, square, {"x": 3.0}).result()
    assert ok["ok"] and ok["value"] == 9.0
    assert len(group.sent) == 1 and group.sent[0][0] == 1
    failing = FakeGroup(3, fail_on=2)
    marked = MPIGroupExecutor(failing).submit(run_evaluation, square, {"x": 1.0}).result()
    assert marked["ok"] is False
    assert marked["error"] == "MPI rank 2 failed: ValueError: rank is broken"


def test_a_group_of_one_sends_nothing_and_other_ranks_cannot_make_one() -> None:
    group = FakeGroup(1)
    assert MPIGroupExecutor(group).submit(square, {"x": 2.0}).result() == 4.0
    assert group.sent == []
    with pytest.raises(UnsupportedError, match="only rank 0"):
        MPIGroupExecutor(FakeGroup(2, rank=1))


def test_serve_calls_runs_each_call_and_reports_its_failure() -> None:
    group = FakeGroup(2, rank=1)
    group.jobs = [
        (1, dumps_call(run_evaluation, (square, {"x": 2.0}), {})),
        (2, dumps_call(run_evaluation, (square, {"y": 2.0}), {})),
    ]
    outcomes = serve_calls(group)
    assert outcomes[0] == (1, None)
    assert outcomes[1][0] == 2 and outcomes[1][1].startswith("KeyError")


def test_calls_that_plain_pickle_cannot_send_go_by_cloudpickle_or_are_named() -> None:
    pytest.importorskip("cloudpickle")
    body = dumps_call(lambda p: 1.0, ({},), {})  # a lambda: by value
    fn, args, _ = pickle.loads(body)
    assert fn(*args) == 1.0

    class Unpicklable:
        def __reduce__(self) -> Any:
            raise TypeError("no")

    with pytest.raises(UserInputError, match="cannot pickle the call to square"):
        dumps_call(square, (Unpicklable(),), {})
