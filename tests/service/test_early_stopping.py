"""Early stopping through the Scheduler, on every local executor (inline, threads,
processes, Dask): reports travel back, stop decisions travel out, a stopped worker
takes the next job. Functions are module-level (the workers import this module)."""

from __future__ import annotations

import time
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

import pytest

from ax.core.types import TParameterization, TrialStatus
from ax.early_stopping import EarlyStoppingOptions, MedianRule, ThresholdRule
from ax.exceptions import TrialStatusError, UserInputError
from ax.service.ax_client import AxClient
from ax.service.executors import InlineExecutor, dask_executor, process_pool_executor
from ax.service.managed_loop import optimize
from ax.service.scheduler import Scheduler
from ax.service.utils import reporting
from ax.service.utils.reporting import FileChannel, LocalChannel, Reporter, TrialStopped
from ax.storage.json_store.generation_strategy import load_experiment_and_generation_strategy
from tests.service.test_scheduler import (  # noqa: F401 (dask_client: a fixture)
    PARAMETERS,
    dask_client,
    experiment,
    options,
    quadratic,
    sobol,
)

STEPS = 100


def train(parameters: TParameterization, reporter: Reporter) -> float:
    """A learning curve that approaches quadratic(parameters); obeys should_stop()."""
    final = quadratic(parameters)
    loss = final
    for step in range(1, STEPS + 1):
        loss = final + 1.0 / step
        reporter.report(step, {"y": loss})
        if reporter.should_stop():
            return loss
        time.sleep(0.02 if step > 2 else 0.0)
    return loss


def train_ignoring(parameters: TParameterization) -> float:
    """Never asks should_stop(): the module-level report() raises at its next report."""
    final = quadratic(parameters)
    for step in range(1, STEPS + 1):
        reporting.report(step, {"y": final + 1.0 / step})
        time.sleep(0.02 if step > 2 else 0.0)
    return final


def train_fast(parameters: TParameterization, reporter: Reporter) -> float:
    final = quadratic(parameters)
    for step in range(1, 6):
        reporter.report(step, {"y": final + 1.0 / step})
        if reporter.should_stop():
            break
    return final


@pytest.fixture(params=["inline", "thread", "process", "dask"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    if request.param == "inline":
        yield InlineExecutor()
    elif request.param == "thread":
        with ThreadPoolExecutor(2) as pool:
            yield pool
    elif request.param == "process":
        pool = process_pool_executor(2)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    else:
        yield dask_executor(request.getfixturevalue("dask_client"))


@pytest.mark.parametrize("function", [train, train_ignoring])
def test_a_reporting_trial_is_stopped_on_every_executor(
    executor: Executor, function: Any, tmp_path: Path
) -> None:
    rule = ThresholdRule(-1.0, EarlyStoppingOptions(min_progression=2, min_curves=0))
    exp = experiment()
    path = tmp_path / "run.json"
    scheduler = Scheduler(
        exp, sobol(), function, executor, options(total_trials=4, persistence=str(path)),
        stopping_rule=rule,
    )  # fmt: skip
    scheduler.run_all_trials()
    # Every trial was stopped (4 trials on 2 workers: a stopped worker took the next job).
    assert [t.status for t in exp.trials.values()] == [TrialStatus.EARLY_STOPPED] * 4
    for trial in exp.trials.values():
        assert "ThresholdRule" in (trial.early_stopped_reason or "")
        steps, values = exp.progression_data.curve(trial.index, "y")
        assert 2 <= steps[-1] < STEPS
        if isinstance(executor, InlineExecutor):
            assert steps[-1] == 2  # decided between two inline reports
        # The model sees the last value (or what the function returned after the stop).
        assert len(trial.lookup_data()) == 1
    loaded, _ = load_experiment_and_generation_strategy(str(path))
    assert loaded.progression_data == exp.progression_data
    assert loaded.trials[0].status is TrialStatus.EARLY_STOPPED


def test_median_rule_inline_stops_some_and_completes_others() -> None:
    exp = experiment()
    rule = MedianRule(EarlyStoppingOptions(min_progression=3, min_curves=2))
    Scheduler(
        exp, sobol(), train_fast, InlineExecutor(), options(total_trials=8), stopping_rule=rule
    ).run_all_trials()
    statuses = [t.status for t in exp.trials.values()]
    assert TrialStatus.EARLY_STOPPED in statuses and TrialStatus.COMPLETED in statuses
    # Early-stopped trials count as finished and their data feeds the model.
    assert len(exp.lookup_data()) == 8
    best_stopped = min(
        quadratic(t.arms[0].parameters)
        for t in exp.trials.values()
        if t.status is TrialStatus.EARLY_STOPPED
    )
    assert best_stopped > min(quadratic(t.arms[0].parameters) for t in exp.trials.values())


def test_reports_are_recorded_without_a_rule() -> None:
    exp = experiment()
    Scheduler(exp, sobol(), train_fast, InlineExecutor(), options(total_trials=2)).run_all_trials()
    assert [t.status for t in exp.trials.values()] == [TrialStatus.COMPLETED] * 2
    assert exp.progression_data.curve(1, "y")[0] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_rule_on_a_metric_that_is_not_an_objective() -> None:
    exp = experiment()
    with pytest.raises(UserInputError, match="not an objective"):
        Scheduler(
            exp, sobol(), train, InlineExecutor(), options(),
            stopping_rule=MedianRule(EarlyStoppingOptions(metric_name="other")),
        )  # fmt: skip


def test_should_stop_outside_a_trial_is_an_error() -> None:
    with pytest.raises(UserInputError, match="outside a trial"):
        reporting.should_stop()
    with pytest.raises(UserInputError, match="outside a trial"):
        reporting.report(1, {"y": 1.0})
    reporter = Reporter(0, LocalChannel(), frozenset({"y"}))
    reporter.close()
    with pytest.raises(UserInputError, match="outside a trial"):
        reporter.should_stop()


@pytest.mark.parametrize(
    "step, values, match",
    [
        (1, {"y": 0.5}, "went backwards"),
        (3, {"z": 0.5}, "unknown metric 'z'"),
        (3, {"y": float("nan")}, "NaN"),
    ],
)
def test_bad_reports_raise_at_the_users_line(step: float, values: Any, match: str) -> None:
    reporter = Reporter(0, LocalChannel(), frozenset({"y"}))
    reporter.report(2, {"y": 1.0})
    with pytest.raises(UserInputError, match=match):
        reporter.report(step, values)


def test_a_bad_report_fails_the_trial_with_the_reason() -> None:
    exp = experiment()
    Scheduler(exp, sobol(), reports_nan, InlineExecutor(), options(total_trials=1)).run_all_trials()
    trial = exp.trials[0]
    assert trial.status is TrialStatus.FAILED and "NaN" in (trial.failed_reason or "")


def reports_nan(parameters: TParameterization, reporter: Reporter) -> float:
    reporter.report(1, {"y": float("nan")})
    return 0.0


def test_file_channel_round_trip_and_stop(tmp_path: Path) -> None:
    channel = FileChannel(str(tmp_path))
    import pickle

    worker_side = pickle.loads(pickle.dumps(channel))
    worker_side.send(3, 1.0, {"y": 0.5})
    worker_side.send(3, 2.0, {"y": 0.4})
    assert channel.drain() == [(3, 1.0, {"y": 0.5}), (3, 2.0, {"y": 0.4})]
    assert channel.drain() == []
    assert not worker_side.is_stopped(3)
    channel.stop(3)
    assert worker_side.is_stopped(3)
    reporter = Reporter(3, worker_side, frozenset({"y"}))
    with pytest.raises(TrialStopped):
        reporter.report(3, {"y": 0.3})


@pytest.mark.parametrize("run_async", [False, True])
def test_optimize_and_the_loop_accept_a_stopping_rule(run_async: bool) -> None:
    rule = MedianRule(EarlyStoppingOptions(min_progression=3, min_curves=2))
    best, _, exp, _ = optimize(
        parameters=PARAMETERS, evaluation_function=train_fast, objective_name="y",
        minimize=True, total_trials=8, generation_strategy=sobol(), stopping_rule=rule,
        run_async=run_async, max_workers=2,
    )  # fmt: skip
    statuses = [t.status for t in exp.trials.values()]
    assert len(statuses) == 8 and TrialStatus.EARLY_STOPPED in statuses
    assert len(exp.progression_data) > 0 and set(best) == {"x1", "x2"}
    with pytest.raises(UserInputError, match="not an objective"):
        optimize(
            parameters=PARAMETERS, evaluation_function=train_fast, objective_name="y",
            total_trials=2, stopping_rule=MedianRule(EarlyStoppingOptions(metric_name="q")),
        )  # fmt: skip


def test_a_loop_function_taking_a_reporter_runs_without_a_rule() -> None:
    _, _, exp, _ = optimize(
        parameters=PARAMETERS, evaluation_function=train_fast, objective_name="y",
        minimize=True, total_trials=2, generation_strategy=sobol(),
    )  # fmt: skip
    assert [t.status for t in exp.trials.values()] == [TrialStatus.COMPLETED] * 2
    assert exp.progression_data.curve(0, "y")[0] == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_ax_client_report_ask_and_stop() -> None:
    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(
        parameters=PARAMETERS, objective_name="y", minimize=True,
        choose_generation_strategy_kwargs={"num_initialization_trials": 10},
    )  # fmt: skip
    assert not client.should_stop_trial(client.get_next_trial()[1]).stop  # no rule yet
    client.abandon_trial(0)
    with pytest.raises(UserInputError, match="not an objective"):
        client.set_stopping_rule(MedianRule(EarlyStoppingOptions(metric_name="nope")))
    client.set_stopping_rule(MedianRule(EarlyStoppingOptions(min_progression=2, min_curves=2)))
    indices = []
    for offset in (0.0, 0.1, 0.2, 5.0):
        _, index = client.get_next_trial()
        indices.append(index)
        for step in (1, 2, 3):
            client.report_intermediate(index, step, {"y": offset + 1.0 / step})
    decision = client.should_stop_trial(indices[-1])
    assert decision.stop and "MedianRule" in decision.reason
    assert not client.should_stop_trial(indices[0]).stop
    client.stop_trial_early(indices[-1])
    trial = client.experiment.trials[indices[-1]]
    assert trial.status is TrialStatus.EARLY_STOPPED
    assert "MedianRule" in (trial.early_stopped_reason or "")
    assert trial.lookup_data().df["mean"].tolist() == [5.0 + 1.0 / 3]
    with pytest.raises(UserInputError, match="went backwards"):
        client.report_intermediate(indices[0], 2, {"y": 0.1})
    with pytest.raises(UserInputError, match="unknown metric"):
        client.report_intermediate(indices[0], 4, {"zz": 0.1})
    with pytest.raises(UserInputError, match="NaN"):
        client.report_intermediate(indices[0], 4, {"y": float("nan")})
    with pytest.raises(TrialStatusError):
        client.report_intermediate(indices[-1], 9, {"y": 0.1})
    for index in indices[:-1]:
        client.complete_trial(index, {"y": (0.5, 0.0)})
    # run_trials uses the client's rule.
    new = client.run_trials(train_fast, 3, executor=InlineExecutor())
    assert new == [5, 6, 7]
    assert all(len(client.experiment.progression_data.curve(i, "y")[0]) >= 2 for i in new)


def _send_reports(channel: Any) -> bool:
    channel.send(7, 1.0, {"y": 0.5})
    channel.send(7, 2.0, {"y": 0.4})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if channel.is_stopped(7):
            return True
        time.sleep(0.02)
    return False


def test_dask_channel_crosses_to_workers_and_back(dask_client: Any) -> None:  # noqa: F811
    from ax.service.dask_reports import DaskReportChannel, dask_client_of

    assert dask_client_of(dask_executor(dask_client)) is dask_client
    assert dask_client_of(InlineExecutor()) is None
    channel = DaskReportChannel(dask_client)
    future = dask_client.submit(_send_reports, channel, pure=False)
    reports: list = []
    deadline = time.monotonic() + 20
    while len(reports) < 2 and time.monotonic() < deadline:
        reports += channel.drain()
        time.sleep(0.02)
    assert reports == [(7, 1.0, {"y": 0.5}), (7, 2.0, {"y": 0.4})]
    channel.stop(7)
    assert future.result(timeout=30) is True
    channel.close()
