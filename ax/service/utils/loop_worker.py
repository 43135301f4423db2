"""What an executor's worker runs for the optimization loop: the user's function, adapted.

:class:`OptimizationLoop <ax.service.managed_loop.OptimizationLoop>` evaluation functions
take ``(parameterization)`` or ``(parameterization, weight)``; the Scheduler calls
``f(parameters)``. :class:`LoopEvaluation` bridges the two. It is a module-level class
(a closure could not be pickled for a process pool or Dask) and this module imports
nothing but the standard library, so a fresh worker process unpickles it cheaply.
"""

from __future__ import annotations

from typing import Any, Callable, Dict


class LoopEvaluation:
    """``f(parameters)`` for the Scheduler, calling ``function(parameters[, None])``.

    Args:
        function: The loop's evaluation function.
        num_positional: 1 for ``f(parameterization)``, 2 for ``f(parameterization,
            weight)`` (weight is None: a one-arm trial has no arm weight).
    """

    def __init__(self, function: Callable[..., Any], num_positional: int) -> None:
        self.function = function
        self.num_positional = num_positional

    def __call__(self, parameters: Dict[str, Any]) -> Any:
        if self.num_positional == 1:
            return self.function(parameters)
        return self.function(parameters, None)

    def __repr__(self) -> str:
        name = getattr(self.function, "__qualname__", None) or repr(self.function)
        return f"LoopEvaluation({name})"


__all__ = ["LoopEvaluation"]
