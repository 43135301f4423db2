"""Short renderings of user-given values for error messages.

A name echoed in an error ("no experiment named ...") is cut to its first
:data:`MAX_SHOWN` characters, with its length, so a 100,000-character name does not
flood a log.

Example:
    >>> short_repr("x" * 1000)[-30:]
    "xxxxxxxxx... (1002 characters)"
"""

from __future__ import annotations

from typing import Any, Iterable, List

MAX_SHOWN = 100
"""The most characters of a value shown in a message."""


def short_repr(value: Any, limit: int = MAX_SHOWN) -> str:
    """``repr(value)``, cut to ``limit`` characters followed by its length when longer."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def short_reprs(values: Iterable[Any], limit: int = MAX_SHOWN, most: int = 20) -> str:
    """A list of values as ``[...]`` with each value cut (see :func:`short_repr`) and at
    most ``most`` of them, then how many more there are."""
    items: List[str] = []
    extra = 0
    for value in values:
        if len(items) < most:
            items.append(short_repr(value, limit))
        else:
            extra += 1
    more = f", and {extra} more" if extra else ""
    return f"[{', '.join(items)}{more}]"


__all__ = ["MAX_SHOWN", "short_repr", "short_reprs"]
