"""Property-based tests of casting, membership, constraints and arm signatures."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ax.core.arm import Arm
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint, SumConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import UserInputError

FLOAT = ParameterType.FLOAT
INT = ParameterType.INT

# Deterministic (no example database, fixed seed) and quick.
PROPERTY = settings(derandomize=True, max_examples=150, deadline=None, database=None)

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def float_bounds(draw: st.DrawFn) -> tuple[float, float]:
    lower = draw(finite)
    upper = draw(finite)
    assume(lower < upper)
    return lower, upper


@st.composite
def int_bounds(draw: st.DrawFn) -> tuple[int, int]:
    lower = draw(st.integers(min_value=-10_000, max_value=10_000))
    width = draw(st.integers(min_value=1, max_value=10_000))
    return lower, lower + width


def inside(lower: float, upper: float, fraction: float) -> float:
    return min(max(lower + fraction * (upper - lower), lower), upper)


# ----------------------------------------------------------------------------- casting


@PROPERTY
@given(float_bounds(), unit)
def test_float_cast_then_validate(bounds: tuple[float, float], fraction: float) -> None:
    p = RangeParameter("x", FLOAT, *bounds)
    value = inside(p.lower, p.upper, fraction)
    assert p.validate(value)
    assert p.validate(p.cast(value))


@PROPERTY
@given(float_bounds(), unit, st.integers(min_value=0, max_value=6))
def test_float_cast_with_digits_stays_valid(
    bounds: tuple[float, float], fraction: float, digits: int
) -> None:
    assume(round(bounds[0], digits) < round(bounds[1], digits))
    p = RangeParameter("x", FLOAT, *bounds, digits=digits)
    cast = p.cast(inside(p.lower, p.upper, fraction))
    assert cast == round(cast, digits)  # type: ignore[arg-type]
    assert p.validate(cast)


@PROPERTY
@given(int_bounds(), st.floats(min_value=-0.5, max_value=1.5))
def test_int_cast_rounds_to_nearest(bounds: tuple[int, int], fraction: float) -> None:
    lower, upper = bounds
    p = RangeParameter("n", INT, lower, upper)
    value = lower + fraction * (upper - lower)
    cast = p.cast(value)
    assert type(cast) is int
    assert cast == int(round(value))
    assert abs(cast - value) <= 0.5
    if lower <= value <= upper:
        assert p.validate(cast)
    assert p.validate(value) == (lower <= value <= upper and float(value).is_integer())


@PROPERTY
@given(st.lists(st.integers(min_value=-1000, max_value=1000), min_size=2, max_size=8, unique=True))
def test_int_choice_validate(values: list[int]) -> None:
    p = ChoiceParameter("c", INT, values)
    for v in values:
        assert p.validate(v)
        assert p.validate(float(v))
        assert p.cast(float(v) + 0.25) == v
    assert not p.validate(max(values) + 1)
    assert not p.validate(True) and not p.validate(False)


# ----------------------------------------------------------------------------- membership


@st.composite
def spaces_and_fractions(draw: st.DrawFn) -> tuple[SearchSpace, list[float]]:
    k = draw(st.integers(min_value=1, max_value=6))
    parameters = []
    for i in range(k):
        if draw(st.booleans()):
            parameters.append(RangeParameter(f"x{i}", FLOAT, *draw(float_bounds())))
        else:
            parameters.append(RangeParameter(f"x{i}", INT, *draw(int_bounds())))
    fractions = draw(st.lists(unit, min_size=k, max_size=k))
    return SearchSpace(parameters), fractions


def sample(space: SearchSpace, fractions: list[float]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for fraction, p in zip(fractions, space.parameters.values()):
        assert isinstance(p, RangeParameter)
        values[p.name] = p.cast(inside(p.lower, p.upper, fraction))
    return values


@PROPERTY
@given(spaces_and_fractions())
def test_points_inside_bounds_are_members(case: tuple[SearchSpace, list[float]]) -> None:
    space, fractions = case
    values = sample(space, fractions)
    assert space.check_membership(values)
    space.validate_arm(Arm(values))


@PROPERTY
@given(spaces_and_fractions(), st.data())
def test_points_outside_bounds_are_not_members(
    case: tuple[SearchSpace, list[float]], data: st.DataObject
) -> None:
    space, fractions = case
    values = sample(space, fractions)
    names = list(values)
    name = data.draw(st.sampled_from(names))
    p = space.parameters[name]
    assert isinstance(p, RangeParameter)
    above = data.draw(st.booleans())
    step = data.draw(st.integers(min_value=1, max_value=1000))
    values[name] = p.upper + step if above else p.lower - step
    assert not space.check_membership(values)
    with pytest.raises(UserInputError, match=f"parameter '{name}' is out of the domain"):
        space.check_membership(values, raise_error=True)


# ----------------------------------------------------------------------------- constraints

NAMES = ["a", "b", "c", "d"]
weights = st.floats(min_value=-100, max_value=100, allow_nan=False)
values_st = st.fixed_dictionaries({n: st.floats(min_value=-100, max_value=100) for n in NAMES})


def far_from(total: float, bound: float, scale: float) -> bool:
    return abs(total - bound) > 1e-6 * max(1.0, abs(bound), scale)


@PROPERTY
@given(
    st.dictionaries(st.sampled_from(NAMES), weights, min_size=1),
    st.floats(min_value=-1e4, max_value=1e4),
    values_st,
)
def test_check_agrees_with_weighted_sum(
    constraint_dict: dict[str, float], bound: float, values: dict[str, float]
) -> None:
    c = ParameterConstraint(constraint_dict, bound)
    terms = [w * values[n] for n, w in constraint_dict.items()]
    total = math.fsum(terms)
    assert c.weighted_sum(values) == pytest.approx(total, abs=1e-9 * (1 + sum(map(abs, terms))))
    if far_from(total, bound, sum(map(abs, terms))):
        assert c.check(values) == (total <= bound)
    if total <= bound:
        assert c.check(values)  # never rejects a point that satisfies the exact math


@PROPERTY
@given(
    st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True),
    st.booleans(),
    st.floats(min_value=-400, max_value=400),
    values_st,
)
def test_sum_constraint_forms(
    names: list[str], is_upper_bound: bool, bound: float, values: dict[str, float]
) -> None:
    parameters = [RangeParameter(n, FLOAT, -100.0, 100.0) for n in names]
    c = SumConstraint(parameters, is_upper_bound=is_upper_bound, bound=bound)
    total = math.fsum(values[n] for n in names)
    if far_from(total, bound, sum(abs(values[n]) for n in names)):
        assert c.check(values) == (total <= bound if is_upper_bound else total >= bound)
    # The general form says the same thing.
    general = ParameterConstraint(c.constraint_dict, c.bound)
    assert general.check(values) == c.check(values)
    assert c.op.symbol in repr(c) and repr(c).endswith(f" {float(bound)})")


@PROPERTY
@given(st.floats(min_value=-100, max_value=100), st.floats(min_value=-100, max_value=100))
def test_order_constraint_matches_comparison(lo: float, hi: float) -> None:
    c = OrderConstraint(
        RangeParameter("lo", FLOAT, -100.0, 100.0), RangeParameter("hi", FLOAT, -100.0, 100.0)
    )
    values = {"lo": lo, "hi": hi}
    if far_from(lo, hi, abs(lo) + abs(hi)):
        assert c.check(values) == (lo <= hi)
    if lo <= hi:
        assert c.check(values)


# ----------------------------------------------------------------------------- arm signature

param_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)


@PROPERTY
@given(st.dictionaries(st.text(min_size=1, max_size=6), param_values, max_size=8), st.randoms())
def test_arm_signature_is_stable_under_key_order(parameters: dict[str, Any], rng: Any) -> None:
    items = list(parameters.items())
    rng.shuffle(items)
    shuffled = dict(items)
    a, b = Arm(parameters), Arm(shuffled)
    assert a.signature == b.signature == Arm.md5hash(shuffled)
    assert a == b and hash(a) == hash(b)
    assert a.clone().signature == a.signature
