"""The extension point every generator of ``ax.models`` implements: :class:`Generator`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, Dict, TypeVar

from ax.exceptions import UserInputError

_G = TypeVar("_G", bound="Generator")


class Generator(ABC):
    """A numeric candidate generator with a resumable, JSON-safe state.

    Subclasses add the methods of their family (``gen`` for
    :class:`~ax.models.random.base.RandomModel`; ``fit``, ``gen`` and ``predict`` for
    :class:`~ax.models.discrete.base.DiscreteModel`); the only abstract method here is
    :meth:`get_state`.

    Lifecycle (who calls what, and what it may change):

    1. ``__init__(**config, **state)``: called by a bridge or by :meth:`from_state`.
       Validates every argument and raises :class:`~ax.exceptions.UserInputError` on a
       bad one. Draws no random numbers and imports nothing heavy.
    2. ``fit(...)`` (data-driven generators only): called whenever the observed data
       change, before ``gen``. Replaces the fitted data; never touches the random stream.
    3. ``gen(...)``: called once per request for candidates. It is the only method that
       advances the random stream (positions consumed, points remembered for
       deduplication). When it raises, the generator is left exactly as it was.
    4. :meth:`get_state`: called after ``gen`` by whoever persists the run. Pure; returns
       plain JSON types (ints, floats, bools, strings, lists, dicts, None) that are
       keyword arguments of ``__init__``.
    5. Rebuild: ``type(g)(**g.get_state())`` (or ``type(g).from_state(state, **other)``)
       continues exactly where ``g`` stopped: its next ``gen`` returns what ``g``'s next
       ``gen`` would have returned.

    Thread safety: none. A generator belongs to one bridge; calls must not overlap.

    Example:
        >>> from ax.models.random.sobol import SobolGenerator
        >>> g = SobolGenerator(seed=0)
        >>> first, _ = g.gen(2, bounds=[(0.0, 1.0)] * 3)
        >>> resumed = SobolGenerator(**g.get_state())
        >>> bool((resumed.gen(2, [(0.0, 1.0)] * 3)[0] == g.gen(2, [(0.0, 1.0)] * 3)[0]).all())
        True
    """

    @abstractmethod
    def get_state(self) -> Dict[str, Any]:
        """The keyword arguments of ``__init__`` that rebuild this generator as it is now.

        Returns:
            A dict of plain JSON types (numpy arrays converted to lists).
        """

    @classmethod
    def from_state(cls: type[_G], state: Mapping[str, Any], **overrides: Any) -> _G:
        """A generator rebuilt from a state returned by :meth:`get_state`.

        Args:
            state: The saved state.
            overrides: Constructor arguments that replace or complete the state.

        Returns:
            ``cls(**{**state, **overrides})``.

        Raises:
            UserInputError: ``state`` is not a mapping with string keys.
        """
        if not isinstance(state, Mapping) or not all(isinstance(k, str) for k in state):
            raise UserInputError(
                f"{cls.__name__}.from_state: state must be a dict with string keys, got {state!r}"
            )
        return cls(**{**state, **overrides})

    # ---------------------------------------------------------------- compatibility
    def _get_state(self) -> Dict[str, Any]:
        """Reference-compatible name of :meth:`get_state`."""
        return self.get_state()

    @staticmethod
    def serialize_state(raw_state: Mapping[str, Any]) -> Dict[str, Any]:
        """Reference-compatible hook: the state is already JSON-safe, so this copies it."""
        return dict(raw_state)

    @staticmethod
    def deserialize_state(serialized_state: Mapping[str, Any]) -> Dict[str, Any]:
        """Reference-compatible hook: the inverse of :meth:`serialize_state` (a copy)."""
        return dict(serialized_state)


__all__ = ["Generator"]
