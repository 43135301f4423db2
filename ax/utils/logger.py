"""The library's logger: quiet by default, one public switch for verbosity.

Every module of the project that logs gets its logger from :func:`get_logger`, which hands
out children of the ``"ax"`` logger. Importing this module attaches one
:class:`logging.NullHandler` to ``"ax"``; that is not configuration, it only keeps Python's
last-resort handler from printing library records when the application set up no logging.
Nothing else is touched: no levels, formatters or handlers on the root logger.

Example:
    >>> import logging
    >>> from ax.utils.logger import get_logger, set_verbosity
    >>> logger = get_logger("ax.core.experiment")
    >>> set_verbosity(logging.INFO)  # show the library's INFO records on stderr
    >>> set_verbosity("WARNING")  # back to warnings and errors only
"""

from __future__ import annotations

import logging

LOGGER_NAME = "ax"
"""Name of the library's top logger; every project logger is one of its children."""

_LEVELS = {
    "CRITICAL": logging.CRITICAL,
    "ERROR": logging.ERROR,
    "WARNING": logging.WARNING,
    "INFO": logging.INFO,
    "DEBUG": logging.DEBUG,
    "NOTSET": logging.NOTSET,
}
_FORMAT = "[%(levelname)s %(asctime)s] %(name)s: %(message)s"

_root_logger = logging.getLogger(LOGGER_NAME)
if not any(isinstance(handler, logging.NullHandler) for handler in _root_logger.handlers):
    _root_logger.addHandler(logging.NullHandler())

_stderr_handler: logging.Handler | None = None


def get_logger(name: str) -> logging.Logger:
    """Return the project logger for a module.

    Args:
        name: Usually the caller's ``__name__``. A name outside the ``ax`` hierarchy is put
            under it (``"foo"`` becomes ``"ax.foo"``) so that :func:`set_verbosity` reaches it.

    Returns:
        The :class:`logging.Logger` named ``name`` (or ``"ax." + name``).
    """
    if name != LOGGER_NAME and not name.startswith(LOGGER_NAME + "."):
        name = f"{LOGGER_NAME}.{name}"
    return logging.getLogger(name)


def get_verbosity() -> int:
    """Return the effective level of the library's logger (e.g. ``logging.WARNING``)."""
    return _root_logger.getEffectiveLevel()


def set_verbosity(level: int | str) -> None:
    """Set how much the library logs; the one public switch.

    Sets the level of the ``"ax"`` logger. When the application has configured no logging
    of its own (the root logger has no handlers), a single stderr handler owned by this
    module is attached so that the records become visible; when the application has
    configured logging, records propagate to its handlers as usual and nothing is added.

    Args:
        level: A :mod:`logging` level (``logging.INFO``) or its name (``"info"``,
            case-insensitive).

    Raises:
        UserInputError: If ``level`` is a string that is not a level name, or a negative int.
        UserInputTypeError: If ``level`` is neither an int nor a string.
    """
    numeric = _to_level(level)
    global _stderr_handler
    _root_logger.setLevel(numeric)
    if _stderr_handler is None and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(_FORMAT))
        _root_logger.addHandler(handler)
        _stderr_handler = handler


def _to_level(level: int | str) -> int:
    # Errors are imported here, not at the top: this module must stay free to import.
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        from ax.exceptions import UserInputTypeError

        raise UserInputTypeError(
            f"set_verbosity: level must be an int or a level name, got {level!r} "
            f"of type {type(level).__name__}"
        )
    if isinstance(level, str):
        name = level.strip().upper()
        if name not in _LEVELS:
            from ax.exceptions import UserInputError

            raise UserInputError(
                f"set_verbosity: level must be one of {', '.join(_LEVELS)}, got level={level!r}"
            )
        return _LEVELS[name]
    if level < 0:
        from ax.exceptions import UserInputError

        raise UserInputError(f"set_verbosity: level must be >= 0, got level={level}")
    return level
