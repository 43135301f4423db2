"""Many writers, one stored experiment, nothing lost (SQLite and a real PostgreSQL).

Several ``AxClient`` s (in this process, and in N real processes) work on one experiment
through one database: trial indices are taken once, every acknowledged result is stored,
a stale copy cannot overwrite a newer trial, and no two RUNNING trials share a point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List

import pytest

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.types import TrialStatus
from ax.exceptions import UserInputError, WriteConflictError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url, engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.save import save_experiment, save_or_update_trial
from ax.storage.sqa_store.structs import DBSettings
from tests.storage import REPO_ROOT
from tests.storage import UNIT_SQUARE as PARAMETERS


def _sobol() -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )


def _client(url: str) -> AxClient:
    return AxClient(
        generation_strategy=_sobol(), db_settings=DBSettings(url=url), verbose_logging=False
    )


def _create(client: AxClient, name: str = "shared") -> None:
    client.create_experiment(
        name=name, parameters=PARAMETERS, objective_name="obj", load_if_exists=True
    )


def _complete(experiment: Experiment, index: int, value: float) -> None:
    arm = experiment.trials[index].arms[0]
    experiment.attach_data(Data.from_evaluations({arm.name: {"obj": (value, 0.0)}}, index))
    experiment.trials[index].mark_completed()


# ---------------------------------------------------------------------- in one process
def test_two_clients_of_the_issue_get_two_trials_and_keep_both_results(url: str) -> None:
    a, b = _client(url), _client(url)
    _create(a)
    b.load_experiment_from_database("shared")
    pa, ia = a.get_next_trial()
    a.complete_trial(ia, raw_data={"obj": (1.0, 0.0)})
    pb, ib = b.get_next_trial()
    b.complete_trial(ib, raw_data={"obj": (2.0, 0.0)})
    assert (ia, ib) == (0, 1)
    assert pa != pb
    stored = load_experiment("shared", engine=engine_for_url(url))
    assert sorted(stored.trials) == [0, 1]
    means = {i: float(stored.lookup_data([i]).columns["mean"][0]) for i in (0, 1)}
    assert means == {0: 1.0, 1: 2.0}


def test_a_client_sees_the_others_running_trials_as_pending(url: str) -> None:
    a, b = _client(url), _client(url)
    _create(a)
    _create(b)  # load_if_exists: the same experiment
    _, ia = a.get_next_trial()
    _, ib = b.get_next_trial()
    # b merged a's RUNNING trial before generating, and a sees b's on its next call.
    assert b.experiment.trials[ia].status == TrialStatus.RUNNING
    b.complete_trial(ia, raw_data={"obj": (3.0, 0.0)})  # a trial made by another client
    _, ic = a.get_next_trial()
    assert (ia, ib, ic) == (0, 1, 2)
    assert a.experiment.trials[ia].status == TrialStatus.COMPLETED
    assert a.experiment.trials[ib].status == TrialStatus.RUNNING
    points = [tuple(a.get_trial_parameters(i).values()) for i in (ia, ib, ic)]
    assert len(set(points)) == 3


def test_a_stale_copy_cannot_overwrite_a_newer_trial(url: str) -> None:
    engine = create_engine_for_url(url)
    create_all_tables(engine)
    a = _client(url)
    _create(a)
    _, index = a.get_next_trial()
    first = load_experiment("shared", engine=engine)
    second = load_experiment("shared", engine=engine)
    _complete(first, index, 1.0)
    save_or_update_trial(first, first.trials[index], engine=engine)
    second.trials[index].mark_abandoned(reason="stale")
    with pytest.raises(WriteConflictError, match=rf"trial {index} of experiment 'shared'.*changed"):
        save_or_update_trial(second, second.trials[index], engine=engine)
    with pytest.raises(WriteConflictError, match=rf"trial {index} of experiment 'shared'"):
        save_experiment(second, engine=engine)
    stored = load_experiment("shared", engine=engine)
    assert stored.trials[index].status == TrialStatus.COMPLETED
    assert len(stored.lookup_data([index])) == 1
    engine.dispose()


def test_copies_changing_different_trials_merge(url: str) -> None:
    engine = create_engine_for_url(url)
    create_all_tables(engine)
    a = _client(url)
    _create(a)
    _, i0 = a.get_next_trial()
    _, i1 = a.get_next_trial()
    first = load_experiment("shared", engine=engine)
    second = load_experiment("shared", engine=engine)
    _complete(first, i0, 1.0)
    _complete(second, i1, 2.0)
    save_experiment(first, engine=engine)
    save_experiment(second, engine=engine)  # merges first's change, then writes its own
    assert second.trials[i0].status == TrialStatus.COMPLETED
    stored = load_experiment("shared", engine=engine)
    assert stored == second
    assert {int(i) for i in stored.lookup_data().columns["trial_index"]} == {i0, i1}
    engine.dispose()


def test_load_if_exists_refuses_another_study_under_the_same_name(url: str) -> None:
    _create(_client(url))
    other = _client(url)
    with pytest.raises(UserInputError, match="stored experiment 'shared' has other parameters"):
        other.create_experiment(
            name="shared",
            parameters=[{"name": "z", "type": "range", "bounds": [0.0, 1.0]}],
            objective_name="obj",
            load_if_exists=True,
        )


# ---------------------------------------------------------------------- N processes
WORKER = textwrap.dedent(
    """
    import json, sys
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.ax_client import AxClient
    from ax.storage.sqa_store.structs import DBSettings

    url, worker, trials, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    client = AxClient(generation_strategy=strategy, db_settings=DBSettings(url=url),
                      verbose_logging=False)
    client.create_experiment(
        name="many", objective_name="obj", load_if_exists=True,
        parameters=[{"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
                    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]}],
    )
    reported, clashes = {}, []
    for _ in range(trials):
        parameters, index = client.get_next_trial()
        experiment = client.experiment
        running = [t for t in experiment.trials.values()
                   if t.status.name == "RUNNING" and t.index != index]
        point = (parameters["x1"], parameters["x2"])
        clashes += [t.index for t in running
                    if (t.arms[0].parameters["x1"], t.arms[0].parameters["x2"]) == point]
        mean = 100.0 * worker + parameters["x1"] + 10.0 * parameters["x2"]
        client.complete_trial(index, raw_data={"obj": (mean, 0.0)})
        reported[index] = [mean, parameters["x1"], parameters["x2"]]
    with open(out, "w") as handle:
        json.dump({"reported": reported, "clashes": clashes}, handle)
    """
)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_four_processes_of_25_trials_make_100_trials_and_lose_nothing(
    url: str, tmp_path: Path
) -> None:
    workers, per_worker = 4, 25
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    outs = [tmp_path / f"worker{w}.json" for w in range(workers)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(w), str(per_worker), str(outs[w])],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for w in range(workers)
    ]
    logs = [p.communicate(timeout=280)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * workers, "\n".join(logs)[-4000:]
    reported: Dict[int, List[float]] = {}
    for out in outs:
        result: Dict[str, Any] = json.loads(out.read_text())
        assert result["clashes"] == []  # no RUNNING trial shared the new trial's point
        for index, values in result["reported"].items():
            assert int(index) not in reported  # each index was acknowledged to one worker
            reported[int(index)] = values
    assert sorted(reported) == list(range(workers * per_worker))
    engine = create_engine_for_url(url)
    stored = load_experiment("many", engine=engine)
    engine.dispose()
    assert sorted(stored.trials) == list(range(workers * per_worker))
    assert all(t.status == TrialStatus.COMPLETED for t in stored.trials.values())
    for index, (mean, x1, x2) in reported.items():
        trial = stored.trials[index]
        assert trial.arms[0].parameters == {"x1": x1, "x2": x2}
        versions = stored._data_by_trial[index]
        assert len(versions) == 1
        assert [float(m) for m in next(iter(versions.values())).columns["mean"]] == [mean]
    points = {tuple(t.arms[0].parameters.values()) for t in stored.trials.values()}
    assert len(points) == workers * per_worker


SCHEDULER_WORKER = textwrap.dedent(
    """
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.ax_client import AxClient
    from ax.service.scheduler import Scheduler
    from ax.service.utils.scheduler_options import SchedulerOptions
    from ax.storage.sqa_store.structs import DBSettings

    url, trials = sys.argv[1], int(sys.argv[2])
    strategy = GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": 0})]
    )
    client = AxClient(generation_strategy=strategy, db_settings=DBSettings(url=url),
                      verbose_logging=False)
    client.create_experiment(
        name="scheduled", objective_name="objective", load_if_exists=True,
        parameters=[{"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
                    {"name": "x2", "type": "range", "bounds": [0.0, 1.0]}],
    )

    def evaluate(parameters):
        return parameters["x1"] + 10.0 * parameters["x2"]

    options = SchedulerOptions(max_parallelism=2, total_trials=None,
                               persistence=DBSettings(url=url), shared=True)
    with ThreadPoolExecutor(2) as pool:
        Scheduler.from_ax_client(client, evaluate, pool, options).run_n_trials(trials)
    """
)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_schedulers_in_several_processes_share_one_study(url: str) -> None:
    workers, per_worker = 3, 6
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", SCHEDULER_WORKER, url, str(per_worker)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(workers)
    ]
    logs = [p.communicate(timeout=280)[0] for p in processes]
    assert [p.returncode for p in processes] == [0] * workers, "\n".join(logs)[-4000:]
    engine = create_engine_for_url(url)
    stored = load_experiment("scheduled", engine=engine)
    engine.dispose()
    total = workers * per_worker
    assert sorted(stored.trials) == list(range(total))
    assert all(t.status == TrialStatus.COMPLETED for t in stored.trials.values())
    points = {tuple(t.arms[0].parameters.values()) for t in stored.trials.values()}
    assert len(points) == total
    for index, trial in stored.trials.items():
        x = trial.arms[0].parameters
        means = [float(m) for m in stored.lookup_data([index]).columns["mean"]]
        assert means == [pytest.approx(x["x1"] + 10.0 * x["x2"])]
