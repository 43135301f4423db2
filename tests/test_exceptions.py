"""The error tree stays compatible with Ax 0.1's ``except ValueError`` and
``except NotImplementedError``."""

from __future__ import annotations

import pytest

from ax import ParameterType, RangeParameter, SearchSpace
from ax.exceptions import (
    AxError,
    JSONDecodeError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)


def _space() -> SearchSpace:
    return SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)])


def test_wrong_type_is_caught_by_except_value_error() -> None:
    caught = None
    try:
        RangeParameter("x", ParameterType.FLOAT, lower="a", upper=1.0)  # type: ignore[arg-type]
    except ValueError as err:  # what an Ax 0.1 script writes
        caught = err
    assert isinstance(caught, UserInputTypeError)
    assert isinstance(caught, TypeError)  # still a TypeError, as before
    assert "RangeParameter 'x'" in str(caught) and "'a'" in str(caught)


def test_wrong_type_in_check_types_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="value 'a' of parameter 'x' has type str"):
        _space().check_types({"x": "a"}, raise_error=True)


def test_attach_trial_wrong_type_is_a_value_error() -> None:
    from ax.service.ax_client import AxClient

    client = AxClient(random_seed=0, verbose_logging=False)
    client.create_experiment(
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}], objective_name="y"
    )
    with pytest.raises(ValueError, match="AxClient.attach_trial"):
        client.attach_trial({"x": "a"})


def test_unsupported_is_caught_by_except_not_implemented_error() -> None:
    from ax.service.ax_client import AxClient

    client = AxClient(random_seed=0, verbose_logging=False)
    caught = None
    try:
        client.save()
    except NotImplementedError as err:
        caught = err
    assert isinstance(caught, UnsupportedError)
    assert "save_to_json_file" in str(caught)


def test_model_that_cannot_predict_raises_not_implemented_error() -> None:
    from ax.models.discrete.full_factorial import FullFactorialGenerator

    with pytest.raises(NotImplementedError, match="FullFactorialGenerator does not support"):
        FullFactorialGenerator().predict([["a"]])


@pytest.mark.parametrize(
    "cls, bases",
    [
        (UserInputTypeError, (AxError, TypeError, ValueError)),
        (UserInputError, (AxError, ValueError)),
        (UnsupportedError, (AxError, NotImplementedError)),
        (JSONDecodeError, (AxError, ValueError)),
    ],
)
def test_hierarchy(cls: type, bases: tuple) -> None:
    for base in bases:
        assert issubclass(cls, base)
    err = cls("message", hint="do this")
    assert str(err) == "message (do this)"
