"""ax.benchmark: the lazy index, BenchmarkProblem and the bundled problems."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

import ax.benchmark
from ax.benchmark import (
    AUG_BRANIN,
    AUG_HARTMANN6,
    BRANIN,
    HARTMANN6,
    PROBLEMS,
    BenchmarkProblem,
    branin,
    get_problem,
    hartmann6,
)
from ax.exceptions import UserInputError, UserInputTypeError
from ax.metrics.branin import BraninMetric
from ax.utils.measurement import synthetic_functions


def test_importing_the_index_loads_no_submodule_and_no_torch() -> None:
    code = (
        "import sys, ax.benchmark; "
        "print(sorted(m for m in sys.modules if m.startswith('ax.benchmark.') "
        "or m in ('torch', 'botorch', 'pandas')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_every_exported_name_resolves() -> None:
    for name in ax.benchmark.__all__:
        assert getattr(ax.benchmark, name) is not None
    assert set(ax.benchmark.__all__) <= set(dir(ax.benchmark))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ax.benchmark.nope  # noqa: B018


def test_one_home_for_the_functions() -> None:
    assert synthetic_functions.branin is branin
    assert synthetic_functions.hartmann6 is hartmann6
    metric = BraninMetric("b", ["x1", "x2"])
    x = np.array([1.0, 2.0])
    assert metric.f(x) == branin(x)


@pytest.mark.parametrize("problem", [BRANIN, HARTMANN6, AUG_BRANIN, AUG_HARTMANN6])
def test_problem_optimum_matches_its_optimizers(problem: BenchmarkProblem) -> None:
    assert PROBLEMS[problem.name] is problem
    assert len(problem.bounds) == problem.dim == len(problem.param_names)
    for point in problem.optimizers:
        assert problem.evaluate(point) == pytest.approx(problem.optimal_value, abs=1e-5)


def test_batch_evaluation_has_shape_n() -> None:
    X = np.random.default_rng(0).uniform(size=(5, 6))
    values = HARTMANN6.evaluate(X)
    assert isinstance(values, np.ndarray) and values.shape == (5,)
    assert values.tolist() == [HARTMANN6.evaluate(x) for x in X]


def test_parameters_describe_the_search_space() -> None:
    assert BRANIN.parameters() == [
        {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
        {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
    ]
    assert AUG_BRANIN.param_names == ("x1", "x2", "s")


def test_noise_is_seeded() -> None:
    noisy = BenchmarkProblem("noisy_branin", branin, noise_sd=0.5)
    x = [math.pi, 2.275]
    first, again = noisy.evaluate_noisy(x, seed=3), noisy.evaluate_noisy(x, seed=3)
    assert first == again and first != noisy.evaluate(x)
    assert BRANIN.evaluate_noisy(x, seed=3) == BRANIN.evaluate(x)


def test_bad_problems_raise_naming_field_and_value() -> None:
    with pytest.raises(UserInputError, match=r"'p'.*noise_sd must be finite and >= 0.*-1"):
        BenchmarkProblem("p", branin, noise_sd=-1.0)
    with pytest.raises(UserInputTypeError, match=r"'p'.*noise_sd.*'a'"):
        BenchmarkProblem("p", branin, noise_sd="a")  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match=r"'p'.*param_names must be 2 distinct"):
        BenchmarkProblem("p", branin, param_names=("a", "a"))
    with pytest.raises(UserInputTypeError, match=r"'p'.*function must be a SyntheticFunction"):
        BenchmarkProblem("p", len)  # type: ignore[arg-type]
    with pytest.raises(UserInputError, match=r"no problem named 'nope'.*branin"):
        get_problem("nope")
