"""Tests of the sequential Polaris-style client (polaris package)."""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import warnings
from typing import Any, Dict, List, Optional

import numpy as np
import pytest

from ax.core.types import TrialStatus
from ax.exceptions import (
    GenerationStrategyCompleted,
    JSONDecodeError,
    OptimizationAbortedError,
    UserInputError,
    UserInputTypeError,
)
from polaris import STATUS_FAILURE, STATUS_SUCCESS, Bounds, Domain, Polaris, Trials
from polaris.algorithms import make_generation_strategy
from polaris.checkpoint import checkpoint_path, from_jsonable, to_jsonable

ALGOS = ["random", "bayesian_opt", "tpe"]
CHEAP_GP = {"options": {"num_restarts": 2, "raw_samples": 32}}


def strategy(algo: str, n_init: int = 4, seed: int = 0) -> Any:
    kwargs = CHEAP_GP if algo == "bayesian_opt" else None
    return make_generation_strategy(algo, seed=seed, num_initial_trials=n_init, model_kwargs=kwargs)


def quadratic(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
    loss = (params["x"] - 0.3) ** 2 + (params["y"] + 0.2) ** 2
    return {"loss": loss, "status": STATUS_SUCCESS}


def make(
    fn: Any,
    bounds: List[Bounds],
    algo: str,
    tmp_path: Any,
    trials: Optional[Trials] = None,
    **kwargs: Any,
) -> Polaris:
    kwargs.setdefault("exp_key", "exp")
    kwargs.setdefault("generation_strategy", strategy(algo))
    return Polaris(
        fn,
        bounds,
        algo,
        trials if trials is not None else Trials(),
        checkpoint_dir=str(tmp_path),
        **kwargs,
    )


BOUNDS_2D = [Bounds("x", -1.0, 1.0), Bounds("y", -1.0, 1.0)]


# ---------------------------------------------------------------------- Bounds / Domain
def test_bounds_grid_is_inside_and_on_the_step() -> None:
    assert Bounds("n", 30, 80, 10).grid() == [30, 40, 50, 60, 70, 80]
    assert Bounds("n", 0, 10, q=3).grid() == [0, 3, 6, 9]
    assert all(isinstance(v, int) for v in Bounds("n", 0, 10, q=3).grid())
    grid = Bounds("a", 0.1, 0.9, q=0.1).grid()
    assert grid[-1] == 0.9 and len(grid) == 9 and grid[2] == 0.3
    assert Bounds("a", 0.001, 0.0095, q=0.002).grid() == [0.001, 0.003, 0.005, 0.007, 0.009]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (("a", 1.0, 0.0), UserInputError, r"Bounds 'a': low must be < high, got low=1.0, high=0.0"),
        (("a", 0.0, 1.0, 0.0), UserInputError, r"q must be a finite number > 0, got q=0.0"),
        (("a", 0.0, 1.0, 2.0), UserInputError, r"q must be at most high - low .* got q=2.0"),
        (("a", 0.0, math.inf), UserInputError, r"high must be finite, got high=inf"),
        (("a", "0", 1.0), UserInputTypeError, r"low must be a real number, got str '0'"),
        ((3, 0.0, 1.0), UserInputTypeError, r"label must be a str, got int 3"),
        (("", 0.0, 1.0), UserInputError, r"label must be a non-empty string"),
    ],
)
def test_bounds_validation(args: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Bounds(*args)


def test_domain_sorts_and_validates() -> None:
    domain = Domain([Bounds("y", 0.0, 1.0), Bounds("x", 0, 10, q=2)], algo="tpe")
    assert domain.fieldnames == ["x", "y"]
    assert domain.bounds == [(0, 10), (0.0, 1.0)]
    draw = domain.random(np.random.default_rng(0))
    assert draw.shape == (2,) and draw[0] in {0, 2, 4, 6, 8, 10} and 0 <= draw[1] <= 1
    with pytest.raises(UserInputError, match=r"algo must be one of .* got algo='bayesian'"):
        Domain([Bounds("x", 0.0, 1.0)], algo="bayesian")
    with pytest.raises(UserInputError, match=r"labels must be unique, got repeated \['x'\]"):
        Domain([Bounds("x", 0.0, 1.0), Bounds("x", 0.0, 2.0)])
    with pytest.raises(UserInputTypeError, match=r"bounds\[0\] must be a Bounds, got tuple"):
        Domain([("x", 0.0, 1.0)])  # type: ignore[list-item]


# ---------------------------------------------------------------------- Trials
def test_trials_add_and_train_data_in_label_order() -> None:
    trials = Trials()
    assert trials.get_train_data() == (None, None)
    trials.add({"loss": 0.5, "status": STATUS_SUCCESS, "acc": 0.9}, {"b": 1.0, "a": 2.0})
    trials.add({"loss": -9.0, "status": STATUS_FAILURE}, {"b": 5.0, "a": 5.0})
    trials.add({"status": STATUS_SUCCESS}, {"b": 3.0, "a": 3.0})  # no loss: a failure
    trials.add({"loss": 0.1, "status": STATUS_SUCCESS}, {"b": 0.0, "a": 1.0}, {"exp_key": "k"})
    X, y = trials.get_train_data()
    assert X is not None and y is not None
    assert X.tolist() == [[2.0, 1.0], [1.0, 0.0]] and y.tolist() == [0.5, 0.1]
    assert len(trials) == 4
    assert [r["status"] for r in trials.trials] == [2, 1, 1, 2]
    assert trials.best_params == {"b": 0.0, "a": 1.0} and trials.lowest_loss == 0.1
    assert trials.trials[0]["result"]["acc"] == 0.9
    assert trials.trials[3]["exp_key"] == "k" and trials.trials[3]["eval_count"] == 4
    with pytest.raises(UserInputError, match=r"result\['status'\] must be .* got status=7"):
        trials.add({"loss": 1.0, "status": 7}, {"a": 1.0, "b": 1.0})


def test_failed_trial_with_low_loss_never_becomes_best() -> None:
    trials = Trials()
    trials.add({"loss": 1.0, "status": STATUS_SUCCESS}, {"x": 1.0})
    trials.add({"loss": -100.0, "status": STATUS_FAILURE}, {"x": 2.0})
    assert trials.best_params == {"x": 1.0} and trials.lowest_loss == 1.0


# ---------------------------------------------------------------------- algorithms
@pytest.mark.parametrize("algo", ALGOS)
def test_each_algorithm_improves_on_a_quadratic(algo: str, tmp_path: Any) -> None:
    trials = Trials()
    polaris = make(quadratic, BOUNDS_2D, algo, tmp_path, trials, max_evals=14)
    best = polaris.run()
    assert len(trials) == 14
    losses = [r["loss"] for r in trials.trials]
    assert best == trials.best_params and best is not None
    assert min(losses) == trials.lowest_loss
    assert min(losses[4:]) < min(losses[:4])  # better than the quasi-random start
    assert quadratic(best, {})["loss"] == pytest.approx(trials.lowest_loss)


@pytest.mark.parametrize("algo", ALGOS)
def test_q_grid_is_respected_by_every_algorithm(algo: str, tmp_path: Any) -> None:
    bounds = [Bounds("n", 3, 17, q=4), Bounds("r", 0.001, 0.0095, q=0.002), Bounds("x", 0.0, 1.0)]

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> float:
        return (params["n"] - 11) ** 2 + 1e4 * (params["r"] - 0.005) ** 2 + params["x"]

    trials = Trials()
    make(fn, bounds, algo, tmp_path, trials, max_evals=10).run()
    for record in trials.trials:
        params = record["params"]
        assert params["n"] in {3, 7, 11, 15} and isinstance(params["n"], int)
        assert params["r"] in {0.001, 0.003, 0.005, 0.007, 0.009}
        assert 0.0 <= params["x"] <= 1.0


# ---------------------------------------------------------------------- failures
@pytest.mark.parametrize("algo", ALGOS)
def test_failures_are_recorded_and_never_best(algo: str, tmp_path: Any) -> None:
    calls: List[int] = []

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Any:
        calls.append(exp_info["eval_count"])
        n = exp_info["eval_count"]
        if n % 3 == 0:
            raise RuntimeError("boom")
        if n % 3 == 1 and n > 1:
            return {"loss": -1e9, "status": STATUS_FAILURE}
        return quadratic(params, exp_info)

    trials = Trials()
    polaris = make(fn, BOUNDS_2D, algo, tmp_path, trials, max_evals=9)
    best = polaris.run()
    assert calls == list(range(1, 10))
    statuses = [r["status"] for r in trials.trials]
    assert statuses.count(STATUS_FAILURE) == 5
    assert "RuntimeError: boom" in trials.trials[2]["result"]["error"]
    assert trials.lowest_loss >= 0 and best == trials.best_params
    experiment = polaris.experiment
    assert len(experiment.trial_indices_by_status[TrialStatus.FAILED]) == 5
    assert len(experiment.trial_indices_by_status[TrialStatus.COMPLETED]) == 4


@pytest.mark.parametrize(
    ("returned", "reason"),
    [
        ({"status": STATUS_SUCCESS}, "without a finite loss"),
        ({"loss": math.nan, "status": STATUS_SUCCESS}, "without a finite loss"),
        ({"loss": 1.0, "status": 5}, "unknown status 5"),
        ("bad", "fn returned str 'bad'"),
    ],
)
def test_bad_results_are_failures(returned: Any, reason: str, tmp_path: Any) -> None:
    trials = Trials()
    # No evaluation succeeded: run() names the last failure instead of returning None.
    with pytest.raises(OptimizationAbortedError, match=f"none of the 2 evaluations.*{reason}"):
        make(lambda p, e: returned, BOUNDS_2D, "random", tmp_path, trials, max_evals=2).run()
    assert [r["status"] for r in trials.trials] == [STATUS_FAILURE] * 2
    assert reason in trials.trials[0]["result"]["error"]
    assert trials.best_params is None


def test_float_return_args_and_exp_info(tmp_path: Any) -> None:
    seen: List[Any] = []

    def objective(params: Dict[str, Any], exp_info: Dict[str, Any], scale: float) -> float:
        seen.append(dict(exp_info))
        exp_info["eval_count"] = 999  # a copy: must not leak into Polaris
        return scale * params["x"] ** 2

    trials = Trials()
    polaris = Polaris(
        objective,
        [Bounds("x", -1.0, 1.0)],
        "random",
        trials,
        max_evals=3,
        args=(2.0,),
        checkpoint_dir=str(tmp_path),
        seed=0,
    )
    best = polaris.run()
    assert polaris.exp_key == "objective"
    assert seen == [{"exp_key": "objective", "eval_count": i} for i in (1, 2, 3)]
    assert [r["eval_count"] for r in trials.trials] == [1, 2, 3]
    assert best is not None and trials.lowest_loss == pytest.approx(2.0 * best["x"] ** 2)
    assert polaris.exp_info == {"exp_key": "objective", "eval_count": 4}


# ---------------------------------------------------------------------- checkpoints
@pytest.mark.parametrize("algo", ALGOS)
def test_resume_from_checkpoint_continues_without_repeating(algo: str, tmp_path: Any) -> None:
    calls: List[int] = []

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        calls.append(exp_info["eval_count"])
        return quadratic(params, exp_info)

    first = make(fn, BOUNDS_2D, algo, tmp_path, max_evals=7, run_once=True)
    first.run()
    first.run()
    assert calls == [1, 2]
    path = checkpoint_path(str(tmp_path), "exp")
    assert os.path.isfile(path) and os.listdir(tmp_path / "exp") == ["checkpoint.json"]
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    assert document["format"] == "polaris-checkpoint" and len(document["trials"]) == 2
    done = [r["params"] for r in first.trials.trials]

    trials = Trials()
    second = make(fn, BOUNDS_2D, algo, tmp_path, trials, max_evals=7)
    assert len(trials) == 2 and [r["params"] for r in trials.trials] == done
    assert second.exp_info["eval_count"] == 3
    second.run()
    assert calls == list(range(1, 8))
    assert [r["eval_count"] for r in trials.trials] == list(range(1, 8))
    params = [tuple(sorted(r["params"].items())) for r in trials.trials]
    assert len(set(params)) == 7  # the quasi-random sequence went on, not restarted
    assert len(second.experiment.trials) == 7
    # A finished run does nothing more.
    assert make(fn, BOUNDS_2D, algo, tmp_path, max_evals=7).run() == trials.best_params
    assert len(calls) == 7


def test_resume_matches_an_uninterrupted_run(tmp_path: Any) -> None:
    straight = Trials()
    make(quadratic, BOUNDS_2D, "random", tmp_path / "a", straight, max_evals=5).run()
    make(quadratic, BOUNDS_2D, "random", tmp_path / "b", max_evals=3).run()
    resumed = Trials()
    make(quadratic, BOUNDS_2D, "random", tmp_path / "b", resumed, max_evals=5).run()
    assert [r["params"] for r in resumed.trials] == [r["params"] for r in straight.trials]


def test_checkpoint_for_other_bounds_or_trials_is_rejected(tmp_path: Any) -> None:
    make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=2).run()
    with pytest.raises(UserInputError, match=r"checkpoint .* was made for other bounds"):
        make(quadratic, [Bounds("x", 0.0, 1.0)], "random", tmp_path, max_evals=3)
    busy = Trials()
    busy.add({"loss": 1.0, "status": STATUS_SUCCESS}, {"x": 0.0, "y": 0.0})
    with pytest.raises(UserInputError, match=r"trials holds 1 records but the checkpoint"):
        make(quadratic, BOUNDS_2D, "random", tmp_path, busy, max_evals=3)
    path = checkpoint_path(str(tmp_path), "exp")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"format": "pickle"}')
    with pytest.raises(JSONDecodeError, match=r"field 'format' must be 'polaris-checkpoint'"):
        make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=3)


def test_prepopulated_trials_are_observed_without_checkpoint(tmp_path: Any) -> None:
    trials = Trials()
    trials.add({"loss": 0.0, "status": STATUS_SUCCESS}, {"x": 0.3, "y": -0.2})
    trials.add({"status": STATUS_FAILURE}, {"x": 0.0, "y": 0.0})
    polaris = make(quadratic, BOUNDS_2D, "random", tmp_path, trials, max_evals=4)
    assert polaris.exp_info["eval_count"] == 3
    assert len(polaris.experiment.trials) == 2
    polaris.run()
    assert len(trials) == 4 and trials.best_params == {"x": 0.3, "y": -0.2}


def test_results_with_odd_values_survive_the_checkpoint(tmp_path: Any) -> None:
    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        return {
            "loss": np.float64(1.5),
            "status": STATUS_SUCCESS,
            "curve": np.arange(3),
            "inf": math.inf,
            "obj": object(),
        }

    make(fn, BOUNDS_2D, "random", tmp_path, max_evals=1).run()
    trials = Trials()
    make(fn, BOUNDS_2D, "random", tmp_path, trials, max_evals=1)
    result = trials.trials[0]["result"]
    assert result["curve"] == [0, 1, 2] and result["inf"] == math.inf
    assert result["obj"].startswith("<object object")
    assert from_jsonable(to_jsonable({"a": -math.inf}))["a"] == -math.inf


def test_no_checkpoint_when_disabled(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Polaris(quadratic, BOUNDS_2D, "random", Trials(), max_evals=2, checkpoint_dir=None).run()
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------- front door
def test_run_parallel_names_a_bad_or_unreachable_broker(tmp_path: Any, monkeypatch: Any) -> None:
    from ax.service.rabbitmq.protocol import BrokerConnectionError

    polaris = make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=2)
    monkeypatch.setenv("RABBITMQ_URL", "http://u:p@127.0.0.1:9/v")
    with pytest.raises(UserInputError, match="scheme must be amqp or amqps, got 'http'"):
        polaris.run_parallel()
    monkeypatch.setenv("RABBITMQ_URL", "amqp://127.0.0.1:9/v")
    monkeypatch.delenv("RABBITMQ_USER", raising=False)
    with pytest.raises(UserInputError, match="no credentials.*guest is never assumed"):
        polaris.run_parallel()
    monkeypatch.setenv("RABBITMQ_URL", "ampq://u:p@127.0.0.1:9/v")  # the docs' typo is read
    with pytest.raises(BrokerConnectionError, match=r"broker 'amqp://u:\*\*\*@127.0.0.1:9/v'"):
        polaris.run_parallel()
    from polaris.rabbitmq import JobClient

    with pytest.raises(UserInputError, match="JobClient: job_timeout_s must be a number > 0"):
        JobClient(polaris, "amqp://u:p@127.0.0.1:9/v", job_timeout_s=0)
    assert len(polaris.trials) == 0


def test_always_failing_fn_stops_after_max_consecutive_failures(tmp_path: Any) -> None:
    from ax.service.managed_loop import OptimizationAbortedError

    def broken(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        raise RuntimeError("no GPU")

    polaris = make(broken, BOUNDS_2D, "random", tmp_path, max_evals=20, max_consecutive_failures=3)
    with pytest.raises(OptimizationAbortedError, match=r"3 trials failed in a row.*no GPU"):
        polaris.run()
    assert [r["status"] for r in polaris.trials.trials] == [STATUS_FAILURE] * 3
    with pytest.raises(UserInputError, match="max_consecutive_failures must be an int >= 1"):
        make(broken, BOUNDS_2D, "random", tmp_path, max_consecutive_failures=0)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"max_evals": 0}, UserInputError, r"max_evals must be an int >= 1, got 0"),
        ({"exp_key": "../x"}, UserInputError, r"exp_key must be .* got exp_key='../x'"),
        ({"run_once": 1}, UserInputTypeError, r"run_once must be a bool, got 1"),
        ({"args": "ab"}, UserInputTypeError, r"args must be a tuple .* got 'ab'"),
    ],
)
def test_polaris_validation(kwargs: Any, error: type, match: str, tmp_path: Any) -> None:
    with pytest.raises(error, match=match):
        Polaris(quadratic, BOUNDS_2D, "random", Trials(), checkpoint_dir=str(tmp_path), **kwargs)
    with pytest.raises(UserInputTypeError, match=r"trials must be a Trials, got list"):
        Polaris(quadratic, BOUNDS_2D, "random", [], checkpoint_dir=str(tmp_path))  # type: ignore[arg-type]


def test_no_warning_filters_and_no_handler_pile_up(tmp_path: Any) -> None:
    filters_before = list(warnings.filters)
    logger = logging.getLogger("polaris")
    for i in range(4):
        make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=1, exp_key=f"k{i}").run()
    handlers = list(logger.handlers)
    for i in range(3):
        make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=1, exp_key=f"j{i}").run()
    assert logger.handlers == handlers and len(handlers) <= 1
    assert warnings.filters == filters_before
    custom = logging.getLogger("polaris.test.custom")
    polaris = make(
        quadratic, BOUNDS_2D, "random", tmp_path, max_evals=1, exp_key="c", logger=custom
    )
    assert polaris.logger is custom and custom.handlers == []


def test_logs_start_and_failures(tmp_path: Any, caplog: Any) -> None:
    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> float:
        raise ValueError("nope")

    with (
        caplog.at_level(logging.DEBUG, logger="polaris"),
        pytest.raises(OptimizationAbortedError, match="none of the 1 evaluations succeeded"),
    ):
        make(fn, BOUNDS_2D, "random", tmp_path, max_evals=1).run()
    messages = [r.getMessage() for r in caplog.records]
    assert "Start searching..." in messages
    assert any("failed: fn raised ValueError: nope" in m for m in messages)


def test_import_polaris_is_light() -> None:
    # The ax layers polaris builds on are imported first: the check is on polaris's own code
    # (numpy/scipy internals imported by ax storage add a few filters of their own).
    code = (
        "import sys, warnings\n"
        "import polaris\n"
        "assert 'ax' not in sys.modules, 'import polaris alone must stay lazy'\n"
        "import ax.modelbridge.generation_strategy, ax.storage.json_store.generation_strategy\n"
        "before = list(warnings.filters)\n"
        "from polaris import Bounds, Domain, Polaris, Trials\n"
        "import polaris.checkpoint, polaris.algorithms\n"
        "assert warnings.filters == before, 'polaris touched the warning filters'\n"
        "assert 'torch' not in sys.modules and 'pandas' not in sys.modules, 'heavy import'\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)


def test_strategy_validation() -> None:
    with pytest.raises(UserInputError, match=r"algo must be one of .* got algo='grid'"):
        make_generation_strategy("grid")
    with pytest.raises(UserInputError, match=r"num_initial_trials must be an int >= 1, got 0"):
        make_generation_strategy("tpe", num_initial_trials=0)
    assert make_generation_strategy("random").name == "polaris-random"
    assert GenerationStrategyCompleted is not None


def test_no_success_raises_naming_the_last_failure_never_none(tmp_path: Any) -> None:
    # The README's natural first guess, fn(params) -> float, fails every trial: run()
    # says so (with the TypeError) instead of returning None.
    def pseudo_train(params: Dict[str, Any]) -> float:
        return 1.0

    polaris = make(pseudo_train, BOUNDS_2D, "random", tmp_path, max_evals=3)
    with pytest.raises(OptimizationAbortedError) as info:
        polaris.run()
    assert "none of the 3 evaluations succeeded" in str(info.value)
    assert "last failure: eval 3: fn raised TypeError" in str(info.value)
    assert info.value.num_failures == 3 and "TypeError" in info.value.last_reason
    # run_once on a run with no success yet raises too; so does asking before any trial.
    once = make(
        pseudo_train, BOUNDS_2D, "random", tmp_path, max_evals=3, exp_key="once", run_once=True
    )
    with pytest.raises(OptimizationAbortedError, match="none of the 1 evaluations"):
        once.run()
    fresh = make(quadratic, BOUNDS_2D, "random", tmp_path, max_evals=3, exp_key="fresh")
    with pytest.raises(OptimizationAbortedError, match="no trial has been evaluated yet"):
        fresh.best_params_or_raise()
    assert fresh.run() == fresh.best_params_or_raise() == fresh.best_params


def test_a_success_after_failures_is_returned(tmp_path: Any) -> None:
    calls: List[int] = []

    def flaky(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("warming up")
        return quadratic(params, exp_info)

    best = make(flaky, BOUNDS_2D, "random", tmp_path, max_evals=4).run()
    assert set(best) == {"x", "y"}
