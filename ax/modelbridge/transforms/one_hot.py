"""Unordered choices as one-hot float columns: :class:`OneHot`."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import ChoiceParameter, Parameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig, TParamValue
from ax.exceptions import UnsupportedError, UserInputError
from ax.modelbridge.transforms.base import (
    Transform,
    check_unconstrained,
    config_choice,
    config_int,
    rebuild_search_space,
)

OH_PARAM_INFIX = "_OH_PARAM_"
"""Infix of the encoded parameter names: ``<name>_OH_PARAM_`` or ``<name>_OH_PARAM__<i>``."""


class OneHotEncoder:
    """One-hot encoding of a fixed set of classes, kept in sorted order.

    With two classes there is a single column (1.0 for the second class); otherwise one
    column per class.

    Args:
        values: The classes (at least two, of one sortable type).

    Example:
        >>> enc = OneHotEncoder(["b", "a", "c"])
        >>> enc.classes, enc.encode("c")
        (['a', 'b', 'c'], [0.0, 0.0, 1.0])
    """

    def __init__(self, values: List[TParamValue]) -> None:
        self.classes: List[TParamValue] = sorted(values)  # type: ignore[type-var]
        self._index: Dict[TParamValue, int] = {v: i for i, v in enumerate(self.classes)}

    @property
    def width(self) -> int:
        """Number of columns: 1 for two classes, else the number of classes."""
        return 1 if len(self.classes) == 2 else len(self.classes)

    def encode(self, value: TParamValue) -> List[float]:
        """The columns of ``value``.

        Raises:
            KeyError: ``value`` is not a class.
        """
        i = self._index[value]
        if len(self.classes) == 2:
            return [float(i)]
        row = [0.0] * len(self.classes)
        row[i] = 1.0
        return row

    def decode(self, row: List[float], rng: np.random.Generator, randomized: bool) -> TParamValue:
        """The class of a row of (possibly fractional) column values.

        ``strict`` rounding picks the largest column, breaking ties at random;
        ``randomized`` samples a class with probability proportional to its column
        (clipped at 0; uniform when all are 0).
        """
        x = np.asarray(row, dtype=float)
        if len(self.classes) == 2:
            p1 = float(np.clip(x[0], 0.0, 1.0))
            if randomized:
                return self.classes[int(rng.random() < p1)]
            if p1 == 0.5:
                return self.classes[int(rng.integers(2))]
            return self.classes[int(p1 > 0.5)]
        if randomized:
            weights = np.clip(x, 0.0, None)
            total = weights.sum()
            probabilities = weights / total if total > 0 else None
            return self.classes[int(rng.choice(len(self.classes), p=probabilities))]
        best = np.flatnonzero(x == x.max())
        return self.classes[int(best[0] if len(best) == 1 else rng.choice(best))]


class OneHot(Transform):
    """An unordered, non-task choice parameter becomes FLOAT ranges ``[0, 1]``.

    Classes are sorted. Two classes give one parameter ``<name>_OH_PARAM_`` (1.0 for the
    second class); more give ``<name>_OH_PARAM__<i>`` per class ``i``. The untransform
    rounds with ``config["rounding"]``: ``"strict"`` (default, argmax with random
    tie-breaking) or ``"randomized"`` (sample in proportion to the values). Random
    choices use ``numpy.random.default_rng(config["seed"])`` (default seed 0).

    Config keys: ``rounding``, ``seed``.

    Raises:
        UnsupportedError: An encoded parameter is a fidelity parameter, is used in a
            parameter constraint, or an encoded name is already taken.

    Example:
        >>> # ChoiceParameter("opt", STRING, ["sgd", "adam"]) -> "opt_OH_PARAM_" in [0, 1]
        >>> t.transform_observation_features([ObservationFeatures({"opt": "sgd"})])
        [ObservationFeatures(parameters={'opt_OH_PARAM_': 1.0})]
    """

    config_keys = frozenset({"rounding", "seed"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        self.rounding = config_choice(
            "OneHot", self.config, "rounding", "strict", ["strict", "randomized"]
        )
        self._rng = np.random.default_rng(config_int("OneHot", self.config, "seed", 0, 0))
        self.encoders: Dict[str, OneHotEncoder] = {}
        self.encoded_names: Dict[str, List[str]] = {}
        for name, p in search_space.parameters.items():
            if isinstance(p, ChoiceParameter) and not p.is_ordered and not p.is_task:
                if p.is_fidelity:
                    raise UnsupportedError(f"OneHot: cannot encode fidelity parameter {name!r}")
                encoder = OneHotEncoder(p.values)
                self.encoders[name] = encoder
                if encoder.width == 1:
                    self.encoded_names[name] = [name + OH_PARAM_INFIX]
                else:
                    self.encoded_names[name] = [
                        f"{name}{OH_PARAM_INFIX}_{i}" for i in range(encoder.width)
                    ]
        check_unconstrained("OneHot", search_space, self.encoders)
        taken = set(search_space.parameters)
        for names in self.encoded_names.values():
            for encoded in names:
                if encoded in taken:
                    raise UnsupportedError(
                        f"OneHot: encoded parameter name {encoded!r} is already a parameter"
                    )
                taken.add(encoded)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.encoders:
            return search_space
        parameters: List[Parameter] = []
        for name, p in search_space.parameters.items():
            if name in self.encoders:
                parameters.extend(
                    RangeParameter(encoded, ParameterType.FLOAT, 0.0, 1.0)
                    for encoded in self.encoded_names[name]
                )
            else:
                parameters.append(p)
        return rebuild_search_space(search_space, parameters)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name, encoder in self.encoders.items():
                if name not in obsf.parameters:
                    continue
                value = obsf.parameters.pop(name)
                if value is None:
                    continue
                try:
                    row = encoder.encode(value)
                except KeyError:
                    raise UserInputError(
                        f"OneHot: value {value!r} of parameter {name!r} is not one of its "
                        f"values {encoder.classes}"
                    ) from None
                obsf.parameters.update(zip(self.encoded_names[name], row))
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        randomized = self.rounding == "randomized"
        for obsf in observation_features:
            for name, encoder in self.encoders.items():
                names = self.encoded_names[name]
                if not all(encoded in obsf.parameters for encoded in names):
                    continue
                row: List[Any] = [obsf.parameters.pop(encoded) for encoded in names]
                obsf.parameters[name] = encoder.decode(row, self._rng, randomized)
        return observation_features


__all__ = ["OH_PARAM_INFIX", "OneHot", "OneHotEncoder"]
