"""SyntheticRunner: a runner that deploys nothing, for tests and in-process loops."""

from __future__ import annotations

import copy
from typing import Any, Dict, Mapping, Optional

from ax.core.runner import Runner
from ax.exceptions import UserInputError, UserInputTypeError


class SyntheticRunner(Runner):
    """Pretends to deploy a trial and returns a deployed name.

    :meth:`run` returns ``{"name": "<experiment name>_<trial index>"}`` (just
    ``"<trial index>"`` when the experiment has no name), plus ``dummy_metadata``.

    Args:
        dummy_metadata: Extra run metadata added to every trial's; it may not use the
            key ``"name"``.

    Raises:
        UserInputTypeError: ``dummy_metadata`` is not a mapping.
        UserInputError: ``dummy_metadata`` has the key ``"name"``.

    Example:
        >>> SyntheticRunner(dummy_metadata={"cluster": "local"})
        SyntheticRunner(dummy_metadata={'cluster': 'local'})
    """

    def __init__(self, dummy_metadata: Optional[Mapping[str, Any]] = None) -> None:
        if dummy_metadata is not None:
            if not isinstance(dummy_metadata, Mapping):
                raise UserInputTypeError(
                    "SyntheticRunner: dummy_metadata must be a dict or None, got "
                    f"dummy_metadata={dummy_metadata!r}"
                )
            if "name" in dummy_metadata:
                raise UserInputError(
                    "SyntheticRunner: dummy_metadata may not set the key 'name' (it is "
                    f"the deployed name), got dummy_metadata={dict(dummy_metadata)!r}"
                )
            dummy_metadata = dict(dummy_metadata)
        self.dummy_metadata: Optional[Dict[str, Any]] = dummy_metadata

    def run(self, trial: Any) -> Dict[str, Any]:
        """Return ``{"name": ...}`` plus a copy of ``dummy_metadata``.

        Args:
            trial: The trial; ``trial.index`` and ``trial.experiment`` (its ``has_name``
                and ``name``) are read.
        """
        experiment = trial.experiment
        index = trial.index
        name = f"{experiment.name}_{index}" if experiment.has_name else str(index)
        return {"name": name, **copy.deepcopy(self.dummy_metadata or {})}

    def __repr__(self) -> str:
        if self.dummy_metadata is None:
            return "SyntheticRunner()"
        return f"SyntheticRunner(dummy_metadata={self.dummy_metadata!r})"


__all__ = ["SyntheticRunner"]
