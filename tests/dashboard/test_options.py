from __future__ import annotations

import pytest

from ax.dashboard.options import DashboardOptions, is_loopback
from ax.exceptions import UserInputError, UserInputTypeError


@pytest.mark.parametrize(
    "host, expected",
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_defaults_are_loopback_and_read_only() -> None:
    options = DashboardOptions(store="sqlite:///runs.db")
    assert options.host == "127.0.0.1"
    assert options.token is None
    assert options.allow_actions is False


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.com"])
def test_non_loopback_without_token_is_refused(host: str) -> None:
    with pytest.raises(UserInputError, match="refusing to bind .* without a token"):
        DashboardOptions(store="sqlite:///runs.db", host=host)


def test_non_loopback_with_token_is_accepted() -> None:
    options = DashboardOptions(store="x.json", host="0.0.0.0", token="s3cret-token")
    assert options.token == "s3cret-token"


@pytest.mark.parametrize(
    "kwargs, error, fragment",
    [
        ({"store": ""}, UserInputError, "store must be a non-empty str"),
        ({"port": 70000}, UserInputError, "port must be in 0..65535, got 70000"),
        ({"port": "80"}, UserInputTypeError, "port must be an int"),
        ({"token": "short"}, UserInputError, "at least 8 characters"),
        ({"allow_actions": "yes"}, UserInputTypeError, "allow_actions must be a bool"),
        ({"poll_interval_s": 0.0}, UserInputError, "poll_interval_s must be in"),
    ],
)
def test_bad_options_name_the_field(kwargs: dict, error: type, fragment: str) -> None:
    arguments = {"store": "runs.json", **kwargs}
    with pytest.raises(error, match=fragment):
        DashboardOptions(**arguments)
