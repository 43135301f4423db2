"""Settings of the SQL store, as accepted by ``AxClient(db_settings=...)``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ax.exceptions import UserInputError, UserInputTypeError
from ax.storage.sqa_store.sqa_config import SQAConfig


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

    Raises:
        UserInputTypeError: ``url`` is not a str, or ``config`` is not an SQAConfig.
        UserInputError: ``url`` is empty.

    Example:
        >>> client = AxClient(db_settings=DBSettings(url="sqlite:///ax.db"))
    """

    url: str
    echo: bool = False
    config: Optional[SQAConfig] = None

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


__all__ = ["DBSettings"]
