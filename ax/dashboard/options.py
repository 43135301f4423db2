"""The dashboard's options, validated when built."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Optional

from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.validation import check_bool, check_int

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_POLL_INTERVAL_S = 2.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or ``localhost``) only accepts local connections."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


@dataclass(frozen=True)
class DashboardOptions:
    """How the dashboard serves a store.

    Args:
        store: ``sqlite:///runs.db``, a PostgreSQL URL, or the path of a JSON file saved
            by ``ax.save`` / ``save_experiment_and_generation_strategy``.
        host: Address to bind (default loopback ``127.0.0.1``).
        port: TCP port (0 for any free port).
        token: A shared secret every request must carry (header ``X-Ax-Token`` or query
            parameter ``token``); required to bind a non-loopback address.
        allow_actions: Allow writes (mark a trial abandoned, add a note); read-only
            otherwise.
        poll_interval_s: How often an open page asks whether the store changed.

    Raises:
        UserInputTypeError: A field has the wrong type.
        UserInputError: An empty store, a port out of range, a short token, or a
            non-loopback host without a token.

    Example:
        >>> DashboardOptions(store="sqlite:///runs.db", port=8080)
    """

    store: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: Optional[str] = None
    allow_actions: bool = False
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S

    def __post_init__(self) -> None:
        if not isinstance(self.store, str) or not self.store.strip():
            raise UserInputError(
                f"DashboardOptions: store must be a non-empty str, got {self.store!r}"
            )
        if not isinstance(self.host, str) or not self.host.strip():
            raise UserInputError(
                f"DashboardOptions: host must be a non-empty str, got {self.host!r}"
            )
        check_int("DashboardOptions", "port", self.port)
        if not 0 <= self.port <= 65535:
            raise UserInputError(f"DashboardOptions: port must be in 0..65535, got {self.port!r}")
        if self.token is not None:
            if not isinstance(self.token, str):
                raise UserInputTypeError(
                    f"DashboardOptions: token must be a str, got {type(self.token).__name__}"
                )
            if len(self.token) < 8:
                raise UserInputError(
                    "DashboardOptions: token must be at least 8 characters long, got "
                    f"{len(self.token)}"
                )
        check_bool("DashboardOptions", "allow_actions", self.allow_actions)
        if isinstance(self.poll_interval_s, bool) or not isinstance(
            self.poll_interval_s, (int, float)
        ):
            raise UserInputTypeError(
                f"DashboardOptions: poll_interval_s must be a number, got {self.poll_interval_s!r}"
            )
        if not 0.1 <= float(self.poll_interval_s) <= 3600:
            raise UserInputError(
                "DashboardOptions: poll_interval_s must be in 0.1..3600, got "
                f"{self.poll_interval_s!r}"
            )
        if self.token is None and not is_loopback(self.host):
            raise UserInputError(
                f"DashboardOptions: refusing to bind {self.host!r} without a token: a "
                "non-loopback address is reachable from other machines",
                hint="give --token SECRET (every request must then carry it), or bind 127.0.0.1",
            )


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "DashboardOptions", "is_loopback"]
