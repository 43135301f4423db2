"""Sobol' and uniform generators: the shared conformance suite plus their own details."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

from ax.exceptions import UserInputError
from ax.models.base import Generator
from ax.models.random.base import RandomModel
from ax.models.random.sobol import SobolGenerator
from ax.models.random.uniform import UniformGenerator
from tests.models.conformance import CHECKS, Factory

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT2 = [(0.0, 1.0)] * 2

FACTORIES: Dict[str, Factory] = {
    "sobol": lambda seed, **kwargs: SobolGenerator(seed=seed, **kwargs),
    "uniform": lambda seed, **kwargs: UniformGenerator(seed=seed, **kwargs),
}
"""Every random generator, as ``make(seed, **kwargs)``; each runs the whole suite.

Unscrambled Sobol' is left out: it ignores the seed by design.
"""


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("make", list(FACTORIES.values()), ids=list(FACTORIES))
def test_conformance(make: Factory, check: Callable[[Factory], None]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no generator may warn in normal use
        check(make)


# ------------------------------------------------------------------------- Sobol
def test_sobol_matches_scipy_sequence() -> None:
    from scipy.stats import qmc

    expected = qmc.Sobol(2, scramble=True, rng=42).random(8)
    points, _ = SobolGenerator(seed=42).gen(8, UNIT2)
    np.testing.assert_array_equal(points, expected)


@pytest.mark.filterwarnings("ignore:The balance properties:UserWarning")
def test_sobol_init_position_counts_draws_including_rejected() -> None:
    g = SobolGenerator(seed=0)
    g.gen(3, UNIT2)
    assert g.init_position == 3
    a = np.array([[1.0, 0.0]])
    b = np.array([[0.1]])
    points, _ = g.gen(2, UNIT2, linear_constraints=(a, b))
    from scipy.stats import qmc

    sequence = qmc.Sobol(2, scramble=True, rng=0).random(g.init_position)
    assert np.all(sequence[-1] == points[-1])  # the last draw consumed was the last accepted
    assert int(np.sum(sequence[3:, 0] <= 0.1)) == 2


def test_sobol_unscrambled_starts_at_origin_and_ignores_seed() -> None:
    a, _ = SobolGenerator(seed=1, scramble=False).gen(4, UNIT2)
    b, _ = SobolGenerator(seed=2, scramble=False).gen(4, UNIT2)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a[0], [0.0, 0.0])


def test_sobol_state_keys_and_round_trip() -> None:
    g = SobolGenerator(seed=5, scramble=False, deduplicate=True)
    g.gen(2, UNIT2)
    state = g.get_state()
    assert set(state) == {
        "seed",
        "init_position",
        "scramble",
        "deduplicate",
        "center_first",
        "generated_points",
    }
    assert state["scramble"] is False and state["init_position"] == 2
    assert SobolGenerator(**state).get_state() == state


@pytest.mark.parametrize("make", list(FACTORIES.values()), ids=list(FACTORIES))
def test_center_first_starts_with_the_centre_then_the_stream(make: Factory) -> None:
    plain, _ = make(3).gen(2, UNIT2)
    g = make(3, center_first=True)
    points, _ = g.gen(3, UNIT2)
    np.testing.assert_array_equal(points[0], [0.5, 0.5])
    np.testing.assert_array_equal(points[1:], plain)  # the stream is not shifted
    assert g.get_state()["center_first"] is False
    # Split calls give the same points, and a rebuilt generator does not repeat it.
    first = make(3, center_first=True)
    a, _ = first.gen(1, UNIT2)
    rebuilt = type(first)(**first.get_state())
    b, _ = rebuilt.gen(2, UNIT2)
    np.testing.assert_array_equal(np.vstack([a, b]), points)


def test_center_first_is_rounded_and_keeps_fixed_features() -> None:
    g = SobolGenerator(seed=0, center_first=True)
    points, _ = g.gen(
        1,
        [(0.0, 1.0), (0.25, 0.25), (0.0, 1.0)],
        fixed_features={1: 0.25},
        rounding_func=lambda x: np.floor(x * 3) / 3,
    )
    np.testing.assert_array_equal(points[0], [1 / 3, 0.25, 1 / 3])


def test_center_first_is_skipped_when_infeasible_or_a_duplicate() -> None:
    # x0 + x1 <= 0.8 excludes the centre (sum 1.0): Sobol points only.
    A, b = np.array([[1.0, 1.0]]), np.array([[0.8]])
    points, _ = SobolGenerator(seed=1, center_first=True).gen(3, UNIT2, linear_constraints=(A, b))
    assert not np.any(np.all(points == 0.5, axis=1))
    assert np.all(points @ A.T <= b.T)
    # Already generated (deduplication memory): skipped, the stream starts at once.
    g = SobolGenerator(seed=1, center_first=True, deduplicate=True, generated_points=[[0.5, 0.5]])
    points, _ = g.gen(2, UNIT2)
    np.testing.assert_array_equal(points, SobolGenerator(seed=1).gen(2, UNIT2)[0])


def test_center_first_must_be_a_bool() -> None:
    with pytest.raises(UserInputError, match="center_first"):
        SobolGenerator(seed=0, center_first="yes")  # type: ignore[arg-type]


def test_sobol_dimension_must_stay_the_same() -> None:
    g = SobolGenerator(seed=0)
    g.gen(1, [(0.0, 1.0)] * 3)
    with pytest.raises(UserInputError, match="samples 3 non-fixed dimensions, got 2"):
        g.gen(1, [(0.0, 1.0)] * 3, fixed_features={0: 0.5})


def test_importing_sobol_does_not_import_torch_or_scipy_stats() -> None:
    code = (
        "import sys, ax.models.random.sobol, ax.models.random.uniform, "
        "ax.models.discrete.thompson, ax.models.discrete.eb_thompson, "
        "ax.models.discrete.full_factorial\n"
        "print(sorted(m for m in ('torch', 'scipy.stats', 'ax.core') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------------- Uniform
def test_uniform_matches_pcg64_stream() -> None:
    expected = np.random.Generator(np.random.PCG64(9)).random((4, 2))
    points, _ = UniformGenerator(seed=9).gen(4, UNIT2)
    np.testing.assert_array_equal(points, expected)


def test_uniform_init_position_counts_doubles_and_does_not_touch_global_state() -> None:
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    g = UniformGenerator(seed=1)
    g.gen(5, [(0.0, 1.0)] * 3)
    assert g.init_position == 15
    assert np.random.random() == before


# ------------------------------------------------------------------------- both
@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
def test_all_dimensions_fixed(cls: type[RandomModel]) -> None:
    g = cls(seed=0)
    points, _ = g.gen(3, UNIT2, fixed_features={0: 0.1, 1: 0.2})
    np.testing.assert_array_equal(points, [[0.1, 0.2]] * 3)
    assert g.init_position == 0


@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"seed": -1}, r"seed must be >= 0, got seed=-1"),
        ({"seed": 1.5}, r"seed must be an integer, got 1.5"),
        ({"deduplicate": 1}, r"deduplicate must be a bool, got 1"),
        ({"init_position": -2}, r"init_position must be >= 0, got init_position=-2"),
        ({"generated_points": [1.0, 2.0]}, r"generated_points must be an m x d array"),
        ({"generated_points": [["a"]]}, r"generated_points must be an m x d array"),
    ],
)
def test_constructor_validates(cls: type[RandomModel], kwargs: Dict[str, Any], match: str) -> None:
    with pytest.raises(UserInputError, match=match):
        cls(**kwargs)


def test_sobol_scramble_must_be_bool() -> None:
    with pytest.raises(UserInputError, match=r"SobolGenerator: scramble must be a bool, got 'yes'"):
        SobolGenerator(scramble="yes")  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
def test_rounding_func_must_return_a_point(cls: type[RandomModel]) -> None:
    g = cls(seed=0)
    with pytest.raises(UserInputError, match=r"rounding_func must return a point of 2 finite"):
        g.gen(1, UNIT2, rounding_func=lambda x: x[:1])
    with pytest.raises(UserInputError, match=r"rounding_func must return a point of 2 finite"):
        g.gen(1, UNIT2, rounding_func=lambda x: x * np.nan)
    assert g.init_position == 0


@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
def test_generated_points_must_match_dimension(cls: type[RandomModel]) -> None:
    g = cls(seed=0, deduplicate=True, generated_points=[[0.5, 0.5, 0.5]])
    with pytest.raises(UserInputError, match=r"generated_points have 3 dimensions .* d=2"):
        g.gen(1, UNIT2)


@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
def test_generated_points_given_are_avoided(cls: type[RandomModel]) -> None:
    first, _ = cls(seed=4).gen(1, UNIT2, rounding_func=np.round)
    g = cls(seed=4, deduplicate=True, generated_points=first.tolist())
    points, _ = g.gen(1, UNIT2, rounding_func=np.round)
    assert not np.array_equal(points, first)


@pytest.mark.parametrize("cls", [SobolGenerator, UniformGenerator])
def test_generator_base_helpers(cls: type[RandomModel]) -> None:
    g = cls(seed=3)
    g.gen(2, UNIT2)
    state = g.get_state()
    assert isinstance(g, Generator)
    assert g._get_state() == state
    assert Generator.deserialize_state(Generator.serialize_state(state)) == state
    json.dumps(Generator.serialize_state(state))
    rebuilt = cls.from_state(state, deduplicate=True)
    assert rebuilt.deduplicate and rebuilt.init_position == g.init_position
    assert repr(g).startswith(f"{cls.__name__}(seed=3, init_position=")
    with pytest.raises(UserInputError, match=r"from_state: state must be a dict"):
        cls.from_state([1, 2])  # type: ignore[arg-type]
