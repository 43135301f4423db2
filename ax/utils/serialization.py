"""Reading an object's constructor arguments back from its attributes.

Extension classes (metrics, runners) are cloned and stored by their constructor keyword
arguments. Rather than make every subclass list them by hand, the arguments are read from
attributes named after the parameters of ``__init__``: for a parameter ``x`` the
attribute ``x`` is used if present, else ``_x``.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict

from ax.exceptions import UnsupportedError

_MISSING = object()


def init_args_from_attributes(obj: object) -> Dict[str, Any]:
    """The keyword arguments that would rebuild ``obj`` through its constructor.

    Every named parameter of ``type(obj).__init__`` (``*args`` and ``**kwargs`` are
    skipped) is looked up on ``obj`` as attribute ``name``, then ``_name``.

    Args:
        obj: Any object whose constructor arguments are kept as attributes.

    Returns:
        A dict ``{parameter name: attribute value}`` in signature order.

    Raises:
        UnsupportedError: A parameter has no matching attribute; the message names the
            class and the parameter. Override ``serialize_init_args`` on that class.

    Example:
        >>> class Thing:
        ...     def __init__(self, size: int) -> None:
        ...         self._size = size
        >>> init_args_from_attributes(Thing(3))
        {'size': 3}
    """
    cls = type(obj)
    signature = inspect.signature(cls.__init__)
    args: Dict[str, Any] = {}
    for index, (name, parameter) in enumerate(signature.parameters.items()):
        if index == 0 or parameter.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ):
            continue  # ``self``, ``*args`` and ``**kwargs`` carry no stored state.
        value = getattr(obj, name, _MISSING)
        if value is _MISSING:
            value = getattr(obj, f"_{name}", _MISSING)
        if value is _MISSING:
            raise UnsupportedError(
                f"{cls.__name__}: cannot read constructor argument '{name}' back from "
                f"the object: it has no attribute '{name}' or '_{name}'",
                hint=f"override {cls.__name__}.serialize_init_args to return it",
            )
        args[name] = value
    return args


__all__ = ["init_args_from_attributes"]
