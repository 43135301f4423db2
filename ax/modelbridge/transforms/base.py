"""The transform extension point: :class:`Transform`.

A transform maps the search space, observation features, observation data and
optimization config into the space a model works in, and maps the model's answers back.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    ClassVar,
    FrozenSet,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
)

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import Parameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import TConfig
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError
from ax.utils.validation import check_int_at_least

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge


class Transform:
    """Base of all transforms; every method defaults to the identity.

    Lifecycle:

    1. ``__init__(search_space, observation_features, observation_data, config)``: called
       once by the bridge at fit time, with the search space and training data as
       already transformed by the transforms before this one. The transform learns what
       it needs (ranges, means, classes) here and keeps it; it must not change its
       arguments.
    2. ``transform_*``: called on every forward pass (fit, predict, gen,
       cross-validation), in the order of the bridge's transform list.
    3. ``untransform_*``: called on the way back, in reverse order.

    The ``transform_observation_*`` and ``untransform_observation_*`` methods may change
    the objects they are given in place and return them (the bridge hands them copies).
    ``transform_search_space`` and ``transform_optimization_config`` return new objects
    or their (already copied) argument. Not thread-safe: a transform belongs to one
    bridge.

    Subclasses list the ``config`` keys they understand in :attr:`config_keys`; any
    other key raises :class:`~ax.exceptions.UserInputError`.

    Args:
        search_space: The search space at this point of the transform list.
        observation_features: The training features at this point.
        observation_data: The training data at this point (aligned with the features).
        config: Options of this transform.

    Raises:
        UserInputError: ``config`` has keys this transform does not know.
    """

    config_keys: ClassVar[FrozenSet[str]] = frozenset()

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        self.config: TConfig = self._checked_config(config)

    @classmethod
    def _checked_config(cls, config: Optional[Mapping[str, Any]]) -> TConfig:
        if config is None:
            return {}
        if not isinstance(config, Mapping):
            raise UserInputTypeError(
                f"{cls.__name__}: config must be a dict, got {config!r} ({type(config).__name__})"
            )
        unknown = sorted(str(key) for key in config if key not in cls.config_keys)
        if unknown:
            raise UserInputError(
                f"{cls.__name__}: unknown config keys {unknown}; known keys are "
                f"{sorted(cls.config_keys)}"
            )
        return dict(config)

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        """The search space in the transformed space."""
        return search_space

    def transform_optimization_config(
        self,
        optimization_config: OptimizationConfig,
        modelbridge: Optional[ModelBridge],
        fixed_features: Optional[ObservationFeatures],
    ) -> OptimizationConfig:
        """The optimization config in the transformed space.

        Args:
            optimization_config: The config (a copy owned by the caller).
            modelbridge: The bridge, for transforms that need its predictions.
            fixed_features: Features fixed for this generation, if any.
        """
        return optimization_config

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        """Features in the transformed space (may change them in place)."""
        return observation_features

    def transform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        """Data in the transformed space (may change them in place)."""
        return observation_data

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        """Features back in the untransformed space (may change them in place)."""
        return observation_features

    def untransform_observation_data(
        self,
        observation_data: List[ObservationData],
        observation_features: List[ObservationFeatures],
    ) -> List[ObservationData]:
        """Data back in the untransformed space (may change them in place)."""
        return observation_data

    def __repr__(self) -> str:
        return f"{type(self).__name__}(config={self.config!r})"


def config_number(
    owner: str, config: Mapping[str, Any], key: str, default: float, low: float, high: float
) -> float:
    """``config[key]`` (or ``default``) checked to be a number in ``[low, high)``.

    Raises:
        UserInputError: The value is not a number in the range.
    """
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UserInputError(f"{owner}: config[{key!r}] must be a number, got {value!r}")
    number = float(value)
    if not low <= number < high:
        raise UserInputError(
            f"{owner}: config[{key!r}] must be in [{low}, {high}), got {key}={value!r}"
        )
    return number


def config_int(owner: str, config: Mapping[str, Any], key: str, default: int, low: int) -> int:
    """``config[key]`` (or ``default``) checked to be an int ``>= low``.

    Raises:
        UserInputError: The value is not such an int.
    """
    return check_int_at_least(owner, f"config[{key!r}]", config.get(key, default), low)


def config_choice(
    owner: str, config: Mapping[str, Any], key: str, default: str, allowed: List[str]
) -> str:
    """``config[key]`` (or ``default``) checked to be one of ``allowed``.

    Raises:
        UserInputError: The value is not allowed.
    """
    value = config.get(key, default)
    if value not in allowed:
        raise UserInputError(f"{owner}: config[{key!r}] must be one of {allowed}, got {value!r}")
    return str(value)


def config_metrics(owner: str, config: Mapping[str, Any]) -> Optional[List[str]]:
    """``config["metrics"]`` checked to be a non-empty list of metric names, or None.

    Raises:
        UserInputError: The value is not such a list.
    """
    value = config.get("metrics")
    if value is None:
        return None
    if (
        isinstance(value, str)
        or not isinstance(value, (list, tuple))
        or not value
        or not all(isinstance(v, str) and v for v in value)
    ):
        raise UserInputError(
            f"{owner}: config['metrics'] must be a non-empty list of metric names, got {value!r}"
        )
    return list(value)


def metric_indices(obsd: ObservationData, applies: Callable[[str], bool]) -> List[int]:
    """Positions in ``obsd.metric_names`` of the metrics a Y transform applies to."""
    return [i for i, name in enumerate(obsd.metric_names) if applies(name)]


def map_constraint_bounds(
    owner: str,
    optimization_config: OptimizationConfig,
    applies: Callable[[str], bool],
    new_bound: Callable[[OutcomeConstraint], float],
) -> OptimizationConfig:
    """``optimization_config`` with the bounds of some outcome constraints mapped.

    Args:
        owner: The transform's name, for messages.
        optimization_config: The config (a copy owned by the caller; changed in place).
        applies: Whether a metric's constraints are mapped.
        new_bound: The mapped bound of a constraint (may raise for a bound it cannot map).

    Raises:
        UserInputError: A mapped constraint is relative.
    """
    constraints = []
    for constraint in optimization_config.outcome_constraints:
        if applies(constraint.metric.name):
            if constraint.relative:
                raise UserInputError(
                    f"{owner}: outcome constraint {constraint!r} is relative; it must be made "
                    "absolute first",
                    hint=f"put Derelativize before {owner} in the transforms",
                )
            mapped = constraint.clone()
            mapped.bound = new_bound(constraint)
            constraint = mapped
        constraints.append(constraint)
    optimization_config.outcome_constraints = constraints
    return optimization_config


def rebuild_search_space(
    search_space: SearchSpace,
    parameters: Sequence[Parameter],
    constraints: Optional[Sequence[ParameterConstraint]] = None,
) -> SearchSpace:
    """A new search space with ``parameters`` and the constraints re-bound to them.

    Args:
        search_space: The space being transformed (its constraints are used when
            ``constraints`` is None).
        parameters: The parameters of the new space, in order.
        constraints: The constraints of the new space; Order and Sum constraints are
            rebuilt to hold the new parameters of the same names.
    """
    by_name = {p.name: p for p in parameters}
    chosen = search_space.parameter_constraints if constraints is None else constraints
    return SearchSpace(
        list(parameters), [c.clone_with_transformed_parameters(by_name) for c in chosen]
    )


def check_unconstrained(owner: str, search_space: SearchSpace, names: Iterable[str]) -> None:
    """Raise if a parameter constraint involves one of ``names``.

    Raises:
        UnsupportedError: Naming the constraint and the parameter.
    """
    wanted = set(names)
    for constraint in search_space.parameter_constraints:
        for name in constraint.parameter_names:
            if name in wanted:
                raise UnsupportedError(
                    f"{owner}: parameter {name!r} is used in parameter constraint "
                    f"{constraint!r}, which this transform cannot carry over"
                )


__all__ = [
    "Transform",
    "check_unconstrained",
    "config_choice",
    "config_int",
    "config_metrics",
    "map_constraint_bounds",
    "config_number",
    "rebuild_search_space",
]
