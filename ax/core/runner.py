"""Runner: the extension point that deploys trials."""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any, Dict

from ax.core.base import Base
from ax.utils.serialization import init_args_from_attributes


class Runner(Base, ABC):
    """Deploys trials to wherever they are evaluated, and stops them.

    Lifecycle:

    - :meth:`run` is called once per trial, by ``trial.run()``, when the trial leaves
      CANDIDATE. It deploys the trial (starts a job, launches an A/B test, evaluates in
      process, ...) and returns run metadata, which the trial stores; by convention the
      key ``"name"`` holds the deployed name. It must not change the trial's status or
      arms (the trial moves itself to RUNNING, or to STAGED when
      :attr:`staging_required`), and should raise if deployment fails, in which case
      the trial is left unchanged.
    - :meth:`stop` is called when a deployed trial is to be halted early (stopped or
      abandoned while RUNNING). It must be idempotent; the default does nothing.

    Thread-safety: one runner instance serves every trial of an experiment, and a
    scheduler may call :meth:`run` and :meth:`stop` for different trials from several
    threads at once. Keep per-trial state out of the runner (or guard it with a lock);
    the base class holds none.

    Runners are cloned and stored through :meth:`serialize_init_args`, which by
    default reads each constructor parameter ``x`` back from attribute ``x`` or ``_x``.

    Example:
        >>> class PrintRunner(Runner):
        ...     def run(self, trial):
        ...         return {"name": f"job-{trial.index}"}
    """

    @abstractmethod
    def run(self, trial: Any) -> Dict[str, Any]:
        """Deploy ``trial`` (a ``BaseTrial``) and return its run metadata.

        Args:
            trial: The trial to deploy; read its ``index``, ``arms`` and
                ``experiment``, do not change it.

        Returns:
            Run metadata to store on the trial; ``"name"`` is the deployed name.
        """

    def stop(self, trial: Any) -> None:
        """Halt a deployed ``trial`` (a ``BaseTrial``). The default does nothing.

        Args:
            trial: The trial to stop.
        """
        return None

    @property
    def staging_required(self) -> bool:
        """Whether ``trial.run()`` moves trials to STAGED rather than RUNNING."""
        return False

    def serialize_init_args(self) -> Dict[str, Any]:
        """The constructor keyword arguments that rebuild this runner.

        Raises:
            UnsupportedError: A constructor argument cannot be found on the object;
                override this method in that subclass.
        """
        return init_args_from_attributes(self)

    def clone(self) -> Runner:
        """A new runner of the same class built from deep copies of its arguments."""
        return type(self)(**copy.deepcopy(self.serialize_init_args()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


__all__ = ["Runner"]
