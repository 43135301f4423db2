"""Structural equality shared by the domain model's value and lifecycle classes."""

from __future__ import annotations

from typing import Any, ClassVar, FrozenSet

from ax.utils.equality import same_value


class Base:
    """Mixin giving structural ``==``: same class and equal attributes.

    Attributes named in ``_eq_exclude`` (caches, back-references) are skipped. An
    attribute named ``_experiment`` is compared by the experiment's name only, which
    avoids recursion between an experiment and its trials.
    """

    _eq_exclude: ClassVar[FrozenSet[str]] = frozenset()

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return False
        if self is other:
            return True
        mine = {k: v for k, v in self.__dict__.items() if k not in self._eq_exclude}
        theirs = {k: v for k, v in other.__dict__.items() if k not in self._eq_exclude}
        if mine.keys() != theirs.keys():
            return False
        for key, value in mine.items():
            if key == "_experiment":
                if _experiment_name(value) != _experiment_name(theirs[key]):
                    return False
            elif not same_value(value, theirs[key]):
                return False
        return True

    __hash__ = None  # type: ignore[assignment]


def _experiment_name(experiment: Any) -> Any:
    if experiment is None:
        return None
    return getattr(experiment, "_name", None)


__all__ = ["Base"]
