"""Settings of the SQL store, as accepted by ``AxClient(db_settings=...)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from ax.exceptions import UserInputError, UserInputTypeError
from ax.storage.sqa_store.sqa_config import SQAConfig

DEFAULT_LOCK_TIMEOUT_S = 60.0
"""How long a write waits for another connection's lock, by default (seconds)."""


def check_lock_timeout(function: str, value: Any) -> float:
    """``value`` as a float if it is a finite number > 0.

    Raises:
        UserInputTypeError: Not a number.
        UserInputError: Not finite and > 0 (the message names ``function``).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserInputTypeError(
            f"{function}: lock_timeout_s must be a number of seconds, got {value!r}"
        )
    if not 0 < value < float("inf"):
        raise UserInputError(f"{function}: lock_timeout_s must be > 0 and finite, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class DBSettings:
    """Where experiments are stored.

    Args:
        url: A SQLAlchemy database URL, e.g. ``"sqlite:///experiments.db"`` (the embedded
            default: one file, created if missing) or
            ``"postgresql+psycopg://user@host/db"``.
        echo: Log every SQL statement (SQLAlchemy's ``echo``).
        config: Custom classes (metrics, runners, ...) to register before saving and
            loading (see :class:`~ax.storage.sqa_store.sqa_config.SQAConfig`).
        lock_timeout_s: How long a write waits for another connection's lock (another
            process saving, a SQLite file held by another program) before it fails with
            :class:`~ax.exceptions.DatabaseLockedError` naming the database.

    Raises:
        UserInputTypeError: ``url`` is not a str, ``config`` is not an SQAConfig, or
            ``lock_timeout_s`` not a number.
        UserInputError: ``url`` is empty, or ``lock_timeout_s`` is not > 0.

    Example:
        >>> client = AxClient(db_settings=DBSettings(url="sqlite:///ax.db"))
    """

    url: str
    echo: bool = False
    config: Optional[SQAConfig] = None
    lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S

    def __post_init__(self) -> None:
        if not isinstance(self.url, str):
            raise UserInputTypeError(
                f"DBSettings: url must be a str (a SQLAlchemy URL), got "
                f"{type(self.url).__name__} {self.url!r}"
            )
        if not self.url.strip():
            raise UserInputError(f"DBSettings: url must not be empty, got {self.url!r}")
        if not isinstance(self.echo, bool):
            raise UserInputTypeError(f"DBSettings: echo must be a bool, got {self.echo!r}")
        if self.config is not None and not isinstance(self.config, SQAConfig):
            raise UserInputTypeError(
                f"DBSettings: config must be an SQAConfig, got {type(self.config).__name__}"
            )
        check_lock_timeout("DBSettings", self.lock_timeout_s)


__all__ = ["DEFAULT_LOCK_TIMEOUT_S", "DBSettings", "check_lock_timeout"]
