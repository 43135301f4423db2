"""Settings of the SQL store, as accepted by ``AxClient(db_settings=...)``."""

from __future__ import annotations

from dataclasses import dataclass

from ax.exceptions import UserInputError, UserInputTypeError


@dataclass(frozen=True)
class DBSettings:
    """Where experiments are stored.

    Args:
        url: A SQLAlchemy database URL, e.g. ``"sqlite:///experiments.db"`` (the embedded
            default: one file, created if missing) or
            ``"postgresql+psycopg://user@host/db"``.
        echo: Log every SQL statement (SQLAlchemy's ``echo``).

    Raises:
        UserInputTypeError: ``url`` is not a str.
        UserInputError: ``url`` is empty.

    Example:
        >>> client = AxClient(db_settings=DBSettings(url="sqlite:///ax.db"))
    """

    url: str
    echo: bool = False

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


__all__ = ["DBSettings"]
