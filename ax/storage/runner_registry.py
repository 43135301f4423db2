"""Registry of Runner classes that storage can write and read.

Custom :class:`~ax.core.runner.Runner` subclasses must be registered before an
experiment that uses them is saved or loaded::

    from ax.storage.runner_registry import register_runner

    register_runner(MyRunner)

A registered runner is stored by its constructor arguments (``serialize_init_args()``)
and rebuilt as ``MyRunner(**arguments)``. Each class also gets a stable integer id for the
SQL store: ``val`` if given, else ``zlib.crc32(class name) % 10**5``.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from ax.core.runner import Runner
from ax.runners.synthetic import SyntheticRunner
from ax.storage.json_store.registry import register_extension

RUNNER_REGISTRY: Dict[Type[Runner], int] = {SyntheticRunner: 0}
"""Runner class -> integer id (for the SQL store)."""

REVERSE_RUNNER_REGISTRY: Dict[int, Type[Runner]] = {0: SyntheticRunner}
"""Integer id -> Runner class."""


def register_runner(runner_cls: Type[Runner], val: Optional[int] = None) -> int:
    """Register a Runner subclass for storage (JSON now, SQL later).

    Registering the same class again is allowed and does nothing.

    Args:
        runner_cls: The Runner subclass.
        val: Its integer id for the SQL store; by default ``crc32(class name) % 10**5``
            (the same in every process).

    Returns:
        The class's integer id.

    Raises:
        UserInputTypeError: ``runner_cls`` is not a Runner subclass.
        UserInputError: Another class already uses the same class name or id, or
            ``val`` is invalid or differs from the id the class was registered with.

    Example:
        >>> class ClusterRunner(Runner):
        ...     def run(self, trial):
        ...         return {"name": f"job-{trial.index}"}
        >>> register_runner(ClusterRunner, val=77)
        77
    """
    return register_extension(
        runner_cls, Runner, val, RUNNER_REGISTRY, REVERSE_RUNNER_REGISTRY, "register_runner"
    )


__all__ = ["REVERSE_RUNNER_REGISTRY", "RUNNER_REGISTRY", "register_runner"]
