"""PEP 562 lazy re-exports for packages whose public names live in heavier submodules.

(``ax/__init__`` keeps its own copy so that ``import ax`` loads that one module alone.)
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, MutableMapping, Tuple


def lazy_exports(
    package: str, exports: Dict[str, str], namespace: MutableMapping[str, Any]
) -> Tuple[Callable[[str], Any], Callable[[], List[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` resolving ``exports`` on first access.

    Args:
        package: The package's name, for the error message.
        exports: Public name -> module defining it (under the same name).
        namespace: The package's ``globals()``; resolved names are cached there.

    Returns:
        ``(__getattr__, __dir__)`` to assign in the package's ``__init__``.
    """

    def __getattr__(name: str) -> Any:
        module_name = exports.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module_name), name)
        namespace[name] = value
        return value

    def __dir__() -> List[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__


__all__ = ["lazy_exports"]
