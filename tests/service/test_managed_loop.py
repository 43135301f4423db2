"""The managed loop: OptimizationLoop and optimize, end to end on Branin."""

from __future__ import annotations

import logging
import math
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import ax
from ax.benchmark import branin as benchmark_branin
from ax.core.arm import Arm
from ax.core.batch_trial import BatchTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.runner import Runner
from ax.core.simple_experiment import SimpleExperiment
from ax.core.trial import Trial
from ax.core.types import TParameterization, TrialStatus, TTrialEvaluation
from ax.exceptions import NoDataError, UserInputError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.managed_loop import OptimizationAbortedError, OptimizationLoop, optimize
from ax.service.utils.instantiation import make_experiment, make_simple_experiment
from ax.service.utils.pending import get_pending_observation_features

PARAMETERS: List[Dict[str, Any]] = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]
CHEAP_GP = {"num_restarts": 2, "raw_samples": 32}
HERE = "tests.service.test_managed_loop"


def branin_value(x1: float, x2: float) -> float:
    """Branin (ax.benchmark): minimum 0.397887 at (-pi, 12.275), (pi, 2.275), (9.42478, 2.475)."""
    return float(benchmark_branin(x1, x2))


def branin(parameters: TParameterization) -> TTrialEvaluation:
    x1, x2 = float(parameters["x1"]), float(parameters["x2"])  # type: ignore[arg-type]
    return {"branin": (branin_value(x1, x2), 0.0), "l2norm": (math.hypot(x1, x2), 0.0)}


def sobol_then_gp(num_sobol: int = 4, seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL,
                num_trials=num_sobol,
                min_trials_observed=2,
                model_kwargs={"seed": seed},
            ),
            GenerationStep(
                Models.GPEI,
                num_trials=-1,
                max_parallelism=3,
                model_kwargs={"seed": seed, "options": CHEAP_GP},
            ),
        ]
    )


def sobol_only(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


def arms_of(experiment: Experiment) -> List[TParameterization]:
    return [arm.parameters for trial in experiment.trials.values() for arm in trial.arms]


# ---------------------------------------------------------------------------- end to end


def test_optimize_branin_with_constraints() -> None:
    best, (means, covariances), experiment, model = optimize(
        parameters=PARAMETERS,
        evaluation_function=branin,
        experiment_name="branin",
        objective_name="branin",
        minimize=True,
        parameter_constraints=["x1 + x2 <= 15"],
        outcome_constraints=["l2norm <= 12"],
        total_trials=8,
        generation_strategy=sobol_then_gp(),
    )
    assert isinstance(experiment, SimpleExperiment)
    assert [t.status for t in experiment.trials.values()] == [TrialStatus.COMPLETED] * 8
    assert all(isinstance(t, Trial) for t in experiment.trials.values())
    for parameters in arms_of(experiment):
        assert parameters["x1"] + parameters["x2"] <= 15 + 1e-6  # type: ignore[operator]
    assert set(best) == {"x1", "x2"}
    assert best["x1"] + best["x2"] <= 15 + 1e-6  # type: ignore[operator]
    assert set(means) == {"branin", "l2norm"}
    assert covariances is not None and set(covariances["branin"]) == {"branin", "l2norm"}
    # The GP ran, so the best point is its recommendation, and the model is the GP bridge.
    assert model is not None and model._model_key == "GPEI"
    last = experiment.trials[7].generator_runs[0].best_arm_predictions
    assert last is not None and last[0].parameters == best
    assert experiment.optimization_config is not None
    assert experiment.optimization_config.objective.metric.lower_is_better is True


def test_sobol_only_best_point_is_the_best_observation() -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        branin,
        objective_name="branin",
        minimize=True,
        total_trials=6,
        generation_strategy=sobol_only(),
    )
    assert loop.get_current_model() is None
    loop.full_run()
    best, (means, covariances) = loop.get_best_point()
    observed = {
        t.index: branin(t.arm.parameters)["branin"][0]  # type: ignore[union-attr]
        for t in loop.experiment.trials.values()
        if isinstance(t, Trial)
    }
    assert means["branin"] == min(observed.values())
    assert covariances == {"branin": {"branin": 0.0}, "l2norm": {"l2norm": 0.0}}
    assert loop.get_current_model() is loop.generation_strategy.model is not None
    with pytest.raises(UserInputError, match=r"optimization is complete \(6 trials"):
        loop.run_trial()


def test_batch_trials_with_the_default_strategy() -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, branin, objective_name="branin", minimize=True, total_trials=3, arms_per_trial=3
    )
    # use_batch_trials=True: a single Sobol batch before the GP.
    assert loop.generation_strategy.steps[0].num_trials == 1
    loop.full_run()
    trials = list(loop.experiment.trials.values())
    assert all(isinstance(t, BatchTrial) and len(t.arms) == 3 for t in trials)
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert len(loop.experiment.lookup_data().filter(metric_names=["branin"])) == 9
    assert loop.get_best_point()[0] in arms_of(loop.experiment)  # an observed arm


def test_same_seed_same_arms() -> None:
    def run(seed: int) -> List[TParameterization]:
        _, _, experiment, _ = optimize(
            PARAMETERS,
            branin,
            objective_name="branin",
            minimize=True,
            total_trials=7,
            random_seed=seed,
        )
        return arms_of(experiment)

    first = run(5)
    assert run(5) == first
    assert run(6) != first


# ---------------------------------------------------------------------------- concurrency


class _Concurrency:
    def __init__(self, delay: float = 0.02) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.threads: set = set()
        self.delay = delay

    def __call__(self, parameters: TParameterization) -> float:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
            self.threads.add(threading.get_ident())
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
        return branin(parameters)["branin"][0]


def test_run_async_evaluates_concurrently() -> None:
    evaluate = _Concurrency()
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        evaluate,
        minimize=True,
        total_trials=8,
        run_async=True,
        max_workers=4,
        generation_strategy=sobol_only(),
    )
    loop.full_run()
    assert evaluate.peak >= 2
    assert threading.get_ident() not in evaluate.threads
    trials = list(loop.experiment.trials.values())
    assert len(trials) == 8 and all(t.status is TrialStatus.COMPLETED for t in trials)
    assert len({tuple(sorted(p.items())) for p in arms_of(loop.experiment)}) == 8


def test_run_async_waits_for_data_and_parallelism_limits() -> None:
    strategy = GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL, num_trials=2, min_trials_observed=2, model_kwargs={"seed": 1}
            ),
            GenerationStep(
                Models.SOBOL, num_trials=-1, max_parallelism=2, model_kwargs={"seed": 2}
            ),
        ]
    )
    evaluate = _Concurrency(delay=0.01)
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, evaluate, total_trials=7, run_async=True, generation_strategy=strategy
    )
    loop.full_run()
    assert loop.experiment.num_trials == 7
    assert all(t.status is TrialStatus.COMPLETED for t in loop.experiment.trials.values())
    assert evaluate.peak <= 2


def test_run_async_with_the_gp() -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        branin,
        objective_name="branin",
        minimize=True,
        total_trials=7,
        run_async=True,
        max_workers=3,
        generation_strategy=sobol_then_gp(),
    )
    loop.full_run()
    assert all(t.status is TrialStatus.COMPLETED for t in loop.experiment.trials.values())
    assert loop.generation_strategy.current_step_index == 1
    # Running trials are passed as pending points, so concurrent GP candidates differ.
    assert len({tuple(sorted(p.items())) for p in arms_of(loop.experiment)}) == 7


# ---------------------------------------------------------------------------- failures


def _raises_right_half(parameters: TParameterization) -> float:
    if parameters["x1"] > 2.5:  # type: ignore[operator]
        raise ValueError(f"bad x1={parameters['x1']}")
    return branin(parameters)["branin"][0]


@pytest.mark.parametrize("run_async", [False, True])
def test_failing_trials_are_recorded_and_the_loop_goes_on(
    run_async: bool, caplog: pytest.LogCaptureFixture
) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        _raises_right_half,
        total_trials=10,
        max_consecutive_failures=10,
        run_async=run_async,
        generation_strategy=sobol_only(),
    )
    with caplog.at_level(logging.WARNING, logger="ax.service.managed_loop"):
        loop.full_run()
    trials = list(loop.experiment.trials.values())
    assert len(trials) == 10
    failed = [t for t in trials if t.status is TrialStatus.FAILED]
    assert failed and len(failed) < 10
    for trial in failed:
        assert trial.failed_reason is not None
        assert trial.failed_reason.startswith("ValueError: bad x1=")
        assert trial.arms[0].parameters["x1"] > 2.5  # type: ignore[operator]
    assert "failed" in caplog.text
    assert loop.num_failed_trials == len(failed)
    assert loop.get_best_point()[0]["x1"] <= 2.5  # type: ignore[operator]


def _always_raises(parameters: TParameterization) -> float:
    raise RuntimeError("simulator crashed")


@pytest.mark.parametrize("run_async", [False, True])
def test_consecutive_failures_abort_with_a_clear_error(run_async: bool) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        _always_raises,
        total_trials=20,
        max_consecutive_failures=3,
        run_async=run_async,
        max_workers=2,
        generation_strategy=sobol_only(),
    )
    with pytest.raises(
        OptimizationAbortedError,
        match=r"3 trials failed in a row \(max_consecutive_failures=3\); the last, trial \d+, "
        r"failed with: RuntimeError: simulator crashed",
    ) as info:
        loop.full_run()
    assert info.value.num_failures == 3
    trials = list(loop.experiment.trials.values())
    assert 3 <= len(trials) < 20
    crashed = "RuntimeError: simulator crashed"
    # In async mode a trial still queued when the loop stops is cancelled, never left RUNNING.
    cancelled = "cancelled: the optimization loop stopped"
    for trial in trials:
        assert trial.status is TrialStatus.FAILED
        assert trial.failed_reason in ((crashed, cancelled) if run_async else (crashed,))
    assert sum(t.failed_reason == crashed for t in trials) >= 3


@pytest.mark.parametrize(
    "bad", [math.nan, math.inf, (math.nan, 0.0), {"objective": (math.inf, 1.0)}]
)
@pytest.mark.parametrize("run_async", [False, True])
def test_non_finite_results_fail_the_trial(bad: Any, run_async: bool) -> None:
    calls = iter(range(100))

    def evaluate(parameters: TParameterization) -> Any:
        return bad if next(calls) % 2 == 0 else 1.0

    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        evaluate,
        total_trials=4,
        run_async=run_async,
        max_workers=1,
        generation_strategy=sobol_only(),
    )
    loop.full_run()
    statuses = [t.status for t in loop.experiment.trials.values()]
    assert statuses.count(TrialStatus.FAILED) == 2
    for trial in loop.experiment.trials.values():
        if trial.status is TrialStatus.FAILED:
            assert trial.failed_reason is not None and "finite" in trial.failed_reason


def test_no_completed_trial_gives_no_best_point() -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS, _always_raises, total_trials=2, generation_strategy=sobol_only()
    )
    loop.full_run()
    with pytest.raises(NoDataError, match=r"no trial .*completed.*2 trial\(s\) failed.*simulator"):
        loop.get_best_point()


# ---------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"total_trials": 0}, UserInputError, r"total_trials must be >= 1, got 0"),
        ({"total_trials": 2.0}, UserInputTypeError, r"total_trials must be an int, got 2.0"),
        ({"arms_per_trial": 0}, UserInputError, r"arms_per_trial must be >= 1, got 0"),
        ({"random_seed": -1}, UserInputError, r"random_seed must be >= 0, got -1"),
        ({"wait_time": -1}, UserInputError, r"wait_time must be finite and >= 0, got -1"),
        ({"wait_time": "1"}, UserInputTypeError, r"wait_time must be a number"),
        ({"run_async": 1}, UserInputTypeError, r"run_async must be a bool, got 1"),
        ({"max_consecutive_failures": 0}, UserInputError, r"max_consecutive_failures must be >= 1"),
        ({"max_workers": 0}, UserInputError, r"max_workers must be >= 1, got 0"),
        ({"show_progress": None}, UserInputTypeError, r"show_progress must be a bool, got None"),
        ({"generation_strategy": "sobol"}, UserInputTypeError, r"generation_strategy must be a"),
        ({"trial_ttl_seconds": 0}, UserInputError, r"trial_ttl_seconds must be >= 1, got 0"),
    ],
)
def test_constructor_validates_arguments(kwargs: Dict[str, Any], error: type, message: str) -> None:
    experiment = make_simple_experiment(PARAMETERS, branin, name="v")
    with pytest.raises(error, match=message):
        OptimizationLoop(experiment, **kwargs)


def test_constructor_validates_the_experiment() -> None:
    with pytest.raises(UserInputTypeError, match=r"experiment must be an Experiment, got str"):
        OptimizationLoop("exp")  # type: ignore[arg-type]
    no_function = SimpleExperiment(make_experiment(PARAMETERS).search_space, name="nofn")
    with pytest.raises(UserInputError, match=r"'nofn' is a SimpleExperiment without an evaluation"):
        OptimizationLoop(no_function)


def test_an_experiment_with_trials_is_continued() -> None:
    used = make_simple_experiment(PARAMETERS, branin, name="used")
    done = used.new_trial().add_arm(Arm({"x1": 0.0, "x2": 0.0}))
    used.eval_trial(done)
    left_running = used.new_trial().add_arm(Arm({"x1": 1.0, "x2": 1.0}))
    left_running.mark_running(no_runner_required=True)
    loop = OptimizationLoop(used, total_trials=4, generation_strategy=sobol_only())
    assert loop.current_trial == 1  # the completed trial counts; the unfinished one is dropped
    assert left_running.status is TrialStatus.ABANDONED
    assert (
        left_running.abandoned_reason is not None and "interrupted" in left_running.abandoned_reason
    )
    loop.full_run()
    by_status = used.trial_indices_by_status
    assert len(by_status[TrialStatus.COMPLETED]) == 4
    with pytest.raises(UserInputError, match=r"experiment 'plain' needs a runner"):
        OptimizationLoop(make_experiment(PARAMETERS, name="plain"))


def test_parsing_errors_surface_through_optimize() -> None:
    with pytest.raises(UserInputError, match=r"'x1 \+ z <= 1': unknown parameter 'z'"):
        optimize(PARAMETERS, branin, parameter_constraints=["x1 + z <= 1"])
    with pytest.raises(UserInputError, match=r"parameter 'x1': unknown key 'bound'"):
        optimize([{"name": "x1", "type": "range", "bound": [0, 1]}], branin)


def test_default_strategy_uses_the_seed_and_the_budget() -> None:
    loop = OptimizationLoop.with_evaluation_function(PARAMETERS, branin, random_seed=3)
    steps = loop.generation_strategy.steps
    assert [s.model for s in steps] == [Models.SOBOL, Models.GPEI]
    assert steps[0].model_kwargs == {"deduplicate": True, "seed": 3, "center_first": True}
    # A tiny discrete space that the budget covers is searched quasi-randomly only.
    small = OptimizationLoop.with_evaluation_function(
        [{"name": "k", "type": "choice", "values": [1, 2, 3]}],
        lambda p: float(p["k"]),
        total_trials=5,
    )
    assert [s.model for s in small.generation_strategy.steps] == [Models.SOBOL]


# ---------------------------------------------------------------------------- progress, logs


def test_quiet_by_default_and_progress_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    optimize(
        PARAMETERS,
        branin,
        objective_name="branin",
        total_trials=3,
        generation_strategy=sobol_only(),
    )
    out, err = capsys.readouterr()
    assert (out, err) == ("", "")
    optimize(
        PARAMETERS,
        branin,
        objective_name="branin",
        total_trials=3,
        generation_strategy=sobol_only(),
        show_progress=True,
    )
    _, err = capsys.readouterr()
    assert "3/3" in err and "trial" in err


# ---------------------------------------------------------------------------- storage


def test_save_and_reload(tmp_path: Path) -> None:
    loop = OptimizationLoop.with_evaluation_function(
        PARAMETERS,
        _raises_right_half,
        experiment_name="saved",
        total_trials=6,
        max_consecutive_failures=6,
        generation_strategy=sobol_only(),
    )
    loop.full_run()
    path = tmp_path / "experiment.json"
    ax.save(loop.experiment, str(path))
    loaded = ax.load(str(path))
    assert isinstance(loaded, SimpleExperiment)
    assert not loaded.has_evaluation_function  # functions are not stored
    assert loaded == loop.experiment
    assert [t.status for t in loaded.trials.values()] == [
        t.status for t in loop.experiment.trials.values()
    ]
    assert [t.failed_reason for t in loaded.trials.values()] == [
        t.failed_reason for t in loop.experiment.trials.values()
    ]


# ---------------------------------------------------------------------------- pending


def test_pending_observation_features() -> None:
    experiment = make_experiment(
        PARAMETERS, name="p", objective_name="f", outcome_constraints=["c <= 1"]
    )
    assert get_pending_observation_features(experiment) is None
    running = experiment.new_trial().add_arm(Arm({"x1": 0.0, "x2": 1.0}))
    running.mark_running(no_runner_required=True)
    experiment.attach_data(Data.from_evaluations({"0_0": {"f": (1.0, 0.0)}}, 0))
    failed = experiment.new_trial().add_arm(Arm({"x1": 1.0, "x2": 1.0}))
    failed.mark_running(no_runner_required=True).mark_failed(reason="x")
    experiment.new_trial().add_arm(Arm({"x1": 2.0, "x2": 1.0}))  # CANDIDATE: not pending
    pending = get_pending_observation_features(experiment)
    assert pending is not None
    assert pending["f"] == []
    assert [(f.parameters, f.trial_index) for f in pending["c"]] == [({"x1": 0.0, "x2": 1.0}, 0)]
    with_failed = get_pending_observation_features(experiment, include_failed_as_pending=True)
    assert with_failed is not None
    assert [f.trial_index for f in with_failed["f"]] == [1]
    assert [f.trial_index for f in with_failed["c"]] == [0, 1]


# ---------------------------------------------------------------------------- runners


class LocalRunner(Runner):
    """Deploys nothing; records the trials it was asked to run."""

    deployed: List[int] = []

    def run(self, trial: Any) -> Dict[str, Any]:
        LocalRunner.deployed.append(trial.index)
        return {"name": f"job-{trial.index}"}


class SlowBraninMetric(Metric):
    """Branin, available from the second poll of each trial on."""

    def __init__(self, name: str, lower_is_better: Optional[bool] = None) -> None:
        super().__init__(name, lower_is_better)
        self.polls: Dict[int, int] = {}

    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        self.polls[trial.index] = self.polls.get(trial.index, 0) + 1
        if self.polls[trial.index] < 2:
            return Data()
        values = {
            arm.name: {self.name: (branin(arm.parameters)["branin"][0], 0.0)} for arm in trial.arms
        }
        return Data.from_evaluations(values, trial.index)


class NormMetric(Metric):
    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        values = {
            arm.name: {self.name: (branin(arm.parameters)["l2norm"][0], 0.0)} for arm in trial.arms
        }
        return Data.from_evaluations(values, trial.index)


class BrokenMetric(Metric):
    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        raise ConnectionError("metrics service down")


class NeverReadyMetric(Metric):
    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        return Data()


class NeedsArgsRunner(Runner):
    def __init__(self, host: str) -> None:
        self.host = host

    def run(self, trial: Any) -> Dict[str, Any]:
        return {}


@pytest.mark.parametrize("run_async", [False, True])
def test_runners_and_metrics(run_async: bool) -> None:
    LocalRunner.deployed = []
    loop = OptimizationLoop.with_runners_and_metrics(
        parameters=PARAMETERS,
        path_to_runner=f"{HERE}:LocalRunner",
        paths_to_metrics=[f"{HERE}:SlowBraninMetric", f"{HERE}.NormMetric"],
        experiment_name="deployed",
        objective_name="branin",
        minimize=True,
        outcome_constraints=["NormMetric <= 12"],
        total_trials=5,
        generation_strategy=sobol_only(),
        run_async=run_async,
        max_workers=3,
    )
    experiment = loop.experiment
    assert type(experiment) is Experiment
    assert isinstance(experiment.runner, LocalRunner)
    assert isinstance(experiment.metrics["branin"], SlowBraninMetric)
    assert experiment.metrics["branin"].lower_is_better is True
    loop.full_run()
    trials = list(experiment.trials.values())
    assert LocalRunner.deployed == [0, 1, 2, 3, 4]
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert [t.run_metadata["name"] for t in trials] == [f"job-{i}" for i in range(5)]
    assert len(experiment.lookup_data().filter(metric_names=["branin"])) == 5
    best, (means, _) = loop.get_best_point()
    assert means["NormMetric"] <= 12


def test_runners_and_metrics_by_name_mapping_and_failures() -> None:
    loop = OptimizationLoop.with_runners_and_metrics(
        PARAMETERS,
        f"{HERE}:LocalRunner",
        {"loss": f"{HERE}:BrokenMetric"},
        total_trials=4,
        max_consecutive_failures=2,
    )
    assert list(loop.experiment.metrics) == ["loss"]
    with pytest.raises(OptimizationAbortedError, match=r"fetching data failed: ConnectionError"):
        loop.full_run()
    assert all(t.status is TrialStatus.FAILED for t in loop.experiment.trials.values())


def test_runner_trial_ttl_fails_trials_that_never_report() -> None:
    loop = OptimizationLoop.with_runners_and_metrics(
        PARAMETERS,
        f"{HERE}:LocalRunner",
        [f"{HERE}:NeverReadyMetric"],
        total_trials=1,
        wait_time=0.05,
        trial_ttl_seconds=1,
        generation_strategy=sobol_only(),
    )
    trial = loop.run_trial()
    assert trial.status is TrialStatus.FAILED
    assert trial.failed_reason is not None and "TTL" in trial.failed_reason


@pytest.mark.parametrize(
    "runner, metrics, message",
    [
        (3, [f"{HERE}:NormMetric"], r"path_to_runner must be a string .*got 3"),
        ("nodots", [f"{HERE}:NormMetric"], r"path_to_runner 'nodots': expected 'package.module"),
        ("a b:C", [f"{HERE}:NormMetric"], r"path_to_runner 'a b:C': expected"),
        ("no_such_module_xyz:R", [f"{HERE}:NormMetric"], r"cannot import module 'no_such_mod"),
        (f"{HERE}:Missing", [f"{HERE}:NormMetric"], r"has no attribute 'Missing'"),
        (f"{HERE}:NormMetric", [f"{HERE}:NormMetric"], r"'NormMetric' is not a subclass of Runner"),
        (
            f"{HERE}:NeedsArgsRunner",
            [f"{HERE}:NormMetric"],
            r"NeedsArgsRunner\(\) failed: TypeError",
        ),
        (
            f"{HERE}:LocalRunner",
            [f"{HERE}:LocalRunner"],
            r"'LocalRunner' is not a subclass of Metric",
        ),
        (f"{HERE}:LocalRunner", [], r"paths_to_metrics must name at least one metric"),
        (f"{HERE}:LocalRunner", f"{HERE}:NormMetric", r"paths_to_metrics must be a list"),
    ],
)
def test_runner_and_metric_paths_are_checked(runner: Any, metrics: Any, message: str) -> None:
    with pytest.raises(UserInputError, match=message):
        OptimizationLoop.with_runners_and_metrics(PARAMETERS, runner, metrics)


def test_constraints_must_name_provided_metrics() -> None:
    with pytest.raises(UserInputError, match=r"metric\(s\) \['cost'\] that paths_to_metrics"):
        OptimizationLoop.with_runners_and_metrics(
            PARAMETERS,
            f"{HERE}:LocalRunner",
            [f"{HERE}:NormMetric"],
            outcome_constraints=["cost <= 1"],
        )


@pytest.mark.parametrize(
    ("name", "label"),
    [(None, "unnamed experiment of quadratic_loss()"), ("tuning", "experiment 'tuning'")],
)
def test_logs_name_the_experiment(
    name: Optional[str], label: str, caplog: pytest.LogCaptureFixture
) -> None:
    def quadratic_loss(p: TParameterization) -> float:
        return float(p["x"]) ** 2  # type: ignore[arg-type]

    sobol = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    with caplog.at_level(logging.INFO, logger="ax.service.managed_loop"):
        optimize(
            [{"name": "x", "type": "range", "bounds": [-1.0, 1.0]}],
            quadratic_loss,
            experiment_name=name,
            total_trials=2,
            generation_strategy=sobol,
        )
    assert f"Starting optimization of {label}: 2 trials" in caplog.text
    assert "None" not in caplog.text
