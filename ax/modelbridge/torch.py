"""Bridge to array models with a numpy boundary (BoTorch's): :class:`TorchModelBridge`.

Nothing here imports torch: the model receives and returns numpy arrays.
"""

from __future__ import annotations

import inspect
from typing import (
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    Tuple,
    Type,
    runtime_checkable,
)

import numpy as np

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.modelbridge.base import GenResults, ModelBridge
from ax.modelbridge.mixed_space import discrete_structure
from ax.modelbridge.modelbridge_utils import (
    array_to_features,
    check_optimization_config,
    extract_objective_weights,
    extract_outcome_constraints,
    extract_parameter_constraints,
    features_to_array,
    fixed_features_by_index,
    is_multi_objective,
)
from ax.modelbridge.objective_thresholds import threshold_metadata, transformed_thresholds
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.one_hot import OH_PARAM_INFIX
from ax.utils.logger import get_logger

logger = get_logger(__name__)

TArrays = Tuple[List[np.ndarray], List[np.ndarray], List[np.ndarray]]


@runtime_checkable
class ArrayModel(Protocol):
    """What :class:`TorchModelBridge` needs of a model (numpy in, numpy out).

    Shapes: ``Xs[i]`` `n_i x d`, ``Ys[i]`` and ``Yvars[i]`` `n_i` (NaN variance =
    unknown noise), ``X`` `n x d`; ``bounds`` ``d`` pairs; ``objective_weights`` `m`;
    ``outcome_constraints`` ``(A k x m, b k x 1)``; ``linear_constraints``
    ``(A k x d, b k x 1)``; ``fixed_features`` ``{dimension: value}``;
    ``pending_observations`` a list of `p_i x d` arrays per outcome, or None.
    """

    def fit(
        self,
        Xs: List[np.ndarray],
        Ys: List[np.ndarray],
        Yvars: List[np.ndarray],
        bounds: List[Tuple[float, float]],
        feature_names: List[str],
        metric_names: List[str],
    ) -> Any: ...

    def predict(self, X: np.ndarray) -> Tuple[np.ndarray, np.ndarray]: ...

    def gen(
        self,
        n: int,
        bounds: List[Tuple[float, float]],
        objective_weights: np.ndarray,
        outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        linear_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        fixed_features: Optional[Dict[int, float]] = None,
        pending_observations: Optional[List[np.ndarray]] = None,
        model_gen_options: Optional[TConfig] = None,
        rounding_func: Optional[Callable[[np.ndarray], np.ndarray]] = None,
    ) -> Tuple[np.ndarray, np.ndarray, Dict[str, Any], Optional[List[Any]]]: ...

    def cross_validate(
        self,
        Xs_train: List[np.ndarray],
        Ys_train: List[np.ndarray],
        Yvars_train: List[np.ndarray],
        X_test: np.ndarray,
    ) -> Tuple[np.ndarray, np.ndarray]: ...

    def update(
        self, Xs: List[np.ndarray], Ys: List[np.ndarray], Yvars: List[np.ndarray]
    ) -> Any: ...


class TorchModelBridge(ModelBridge):
    """Drives an :class:`ArrayModel` such as ``BotorchModel``.

    After the transforms every parameter must be a numeric range (use the continuous
    transforms: a string choice needs OneHot, a log scale Log, ...). Outcomes are the
    sorted metric names of the training data; each outcome has its own points, so
    metrics may be observed at different arms. At generation the bridge passes:

    - ``objective_weights``: +1 (maximise) or -1 (minimise) on the objective's metric,
      0 elsewhere, in outcome order;
    - ``outcome_constraints`` ``(A, b)``: a row per constraint with ``A[i, j] = s`` and
      ``b[i] = s * bound`` (``s`` = +1 for LEQ, -1 for GEQ), on the transformed
      (standardised) bounds;
    - ``linear_constraints`` of the transformed search space, fixed features by
      dimension index, pending observations as arrays, and a rounding function through
      the original space.

    Args:
        torch_dtype: Kept for the registry's standard arguments; unused (the model
            chooses its own precision).
        torch_device: As ``torch_dtype``.
        (others): As :class:`~ax.modelbridge.base.ModelBridge`.

    Raises:
        UnsupportedError: A transformed parameter is not a numeric range (named).
        DataRequiredError: No training data, or (at generation) no data for a metric of
            the optimization config.
        UserInputError: Generation without an optimization config, or with a relative
            constraint left.

    Example:
        >>> bridge = TorchModelBridge(experiment.search_space, BotorchModel(),
        ...                           transforms=Cont_X_trans + Y_trans,
        ...                           experiment=experiment, data=experiment.lookup_data())
        >>> bridge.gen(1).arms
    """

    model: ArrayModel

    def __init__(
        self,
        search_space: SearchSpace,
        model: ArrayModel,
        transforms: Optional[Sequence[Type[Transform]]] = None,
        experiment: Optional[Experiment] = None,
        data: Optional[Data] = None,
        transform_configs: Optional[Mapping[str, TConfig]] = None,
        status_quo_name: Optional[str] = None,
        status_quo_features: Optional[ObservationFeatures] = None,
        optimization_config: Optional[OptimizationConfig] = None,
        fit_out_of_design: bool = False,
        torch_dtype: Optional[object] = None,
        torch_device: Optional[object] = None,
    ) -> None:
        self.torch_dtype = torch_dtype
        self.torch_device = torch_device
        self.parameters: List[str] = []
        self.outcomes: List[str] = []
        self._discrete_cache: Optional[Tuple[Any, SearchSpace, Any]] = None
        super().__init__(
            search_space=search_space,
            model=model,
            transforms=transforms,
            experiment=experiment,
            data=data,
            transform_configs=transform_configs,
            status_quo_name=status_quo_name,
            status_quo_features=status_quo_features,
            optimization_config=optimization_config,
            fit_out_of_design=fit_out_of_design,
        )

    # ------------------------------------------------------------------ arrays
    def _bounds(self, search_space: SearchSpace) -> Tuple[List[str], List[Tuple[float, float]]]:
        names: List[str] = []
        bounds: List[Tuple[float, float]] = []
        for name, p in search_space.parameters.items():
            if _is_task_index(p):
                # A task index 0 .. k-1 (TaskEncode): the model's task feature.
                assert isinstance(p, ChoiceParameter)
                names.append(name)
                bounds.append((0.0, float(len(p.values) - 1)))
                continue
            if not isinstance(p, RangeParameter):
                raise UnsupportedError(
                    f"{type(self).__name__}: parameter {name!r} ({p!r}) is not a numeric "
                    "range after the transforms; the model works on continuous inputs",
                    hint="use the continuous transforms (RemoveFixed, OrderedChoiceEncode, "
                    "OneHot, IntToFloat, Log, UnitX)",
                )
            names.append(name)
            bounds.append((float(p.lower), float(p.upper)))
        return names, bounds

    def _arrays(
        self,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        outcomes: Sequence[str],
    ) -> TArrays:
        rows: Dict[str, List[int]] = {m: [] for m in outcomes}
        ys: Dict[str, List[float]] = {m: [] for m in outcomes}
        yvars: Dict[str, List[float]] = {m: [] for m in outcomes}
        for i, obsd in enumerate(observation_data):
            for j, metric in enumerate(obsd.metric_names):
                if metric not in rows:
                    continue
                rows[metric].append(i)
                ys[metric].append(float(obsd.means[j]))
                yvars[metric].append(float(obsd.covariance[j, j]))
        X = features_to_array(observation_features, self.parameters)
        return (
            [X[rows[m]] for m in outcomes],
            [np.asarray(ys[m], dtype=float) for m in outcomes],
            [_infer_noise_where_mixed(m, np.asarray(yvars[m], dtype=float)) for m in outcomes],
        )

    # ------------------------------------------------------------------ hooks
    def _fit(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        self.parameters, bounds = self._bounds(search_space)
        if not observation_data:
            raise DataRequiredError(
                f"{type(self).__name__}: the model needs training data, got 0 observations",
                hint="attach data first, or start with a model that needs none (e.g. Sobol)",
            )
        self.outcomes = sorted({m for obsd in observation_data for m in obsd.metric_names})
        Xs, Ys, Yvars = self._arrays(observation_features, observation_data, self.outcomes)
        extra: Dict[str, Any] = {}
        if getattr(self.model, "supports_fidelities", False):
            fidelity = self._fidelity_features(search_space)
            if fidelity:
                extra["fidelity_features"] = fidelity
        tasks = [j for j, p in enumerate(search_space.parameters.values()) if _is_task_index(p)]
        if tasks:
            if not getattr(self.model, "supports_task_features", False):
                raise UnsupportedError(
                    f"{type(self).__name__}: {type(self.model).__name__} takes no task "
                    f"features, but the search space has task parameter(s) "
                    f"{[self.parameters[j] for j in tasks]}",
                    hint="use a BotorchModel (Models.BOTORCH) for multi-task models",
                )
            extra["task_features"] = tasks
        if getattr(self.model, "supports_discrete", False) and _takes(self.model.fit, "discrete"):
            structure = self._discrete_structure(self._model_space, list(self.parameters))
            if structure is not None:
                extra["discrete"] = structure
        self.model.fit(
            Xs=Xs,
            Ys=Ys,
            Yvars=Yvars,
            bounds=bounds,
            feature_names=list(self.parameters),
            metric_names=list(self.outcomes),
            **extra,
        )

    def _discrete_structure(self, search_space: SearchSpace, names: List[str]) -> Any:
        """The discrete columns of the model space (cached per space and columns)."""
        key = (id(search_space), tuple(names))
        cached = self._discrete_cache
        if cached is not None and cached[0] == key and cached[1] is search_space:
            return cached[2]
        structure = discrete_structure(self.transforms, search_space, names)
        self._discrete_cache = (key, search_space, structure)
        return structure

    def _fidelity_features(self, search_space: SearchSpace) -> List[Any]:
        """The fidelity parameters of the transformed space, for models that take them.

        Raises:
            UserInputError: A fidelity parameter has no target value, or its target is
                outside its range (named, in the user's units).
        """
        from ax.models.torch.fidelity import FidelityFeature

        out: List[Any] = []
        original = self._model_space.parameters
        for index, (name, p) in enumerate(search_space.parameters.items()):
            if not p.is_fidelity:
                continue
            user = original.get(name)
            if not isinstance(p, RangeParameter) or not isinstance(user, RangeParameter):
                raise UnsupportedError(
                    f"{type(self).__name__}: fidelity parameter {name!r} must be a "
                    f"RangeParameter, got {user!r}"
                )
            if p.target_value is None or user.target_value is None:
                raise UserInputError(
                    f"{type(self).__name__}: fidelity parameter {name!r} has no target_value",
                    hint="declare RangeParameter(..., is_fidelity=True, target_value=...)",
                )
            target = float(user.target_value)
            if not float(user.lower) <= target <= float(user.upper):
                raise UserInputError(
                    f"{type(self).__name__}: the target_value of fidelity parameter {name!r} "
                    f"must be inside its range [{user.lower}, {user.upper}], got {target}"
                )
            out.append(
                FidelityFeature(
                    index=index,
                    name=name,
                    target=float(p.target_value),
                    lower=float(user.lower),
                    upper=float(user.upper),
                    log_scale=bool(user.log_scale),
                    model_lower=float(p.lower),
                    model_upper=float(p.upper),
                    user_target=target,
                )
            )
        return out

    def _default_tasks(
        self, search_space: SearchSpace, names: List[str], fixed: Optional[Dict[int, float]]
    ) -> Optional[Dict[int, float]]:
        """``fixed`` with each unfixed task feature set to its default task, if any.

        The default is what the transforms give features without a trial index (e.g.
        ``TrialAsTask``'s ``target_trial``); a task left unset stays unfixed.
        """
        tasks = [j for j, p in enumerate(search_space.parameters.values()) if _is_task_index(p)]
        unfixed = [j for j in tasks if fixed is None or j not in fixed]
        if not unfixed:
            return fixed
        features = [ObservationFeatures(parameters={})]
        for transform in self.transforms.values():
            features = transform.transform_observation_features(features)
        out = dict(fixed or {})
        for j in unfixed:
            value = features[0].parameters.get(names[j])
            if value is not None:
                out[j] = float(value)
        return out or fixed

    def _update(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        names, _ = self._bounds(search_space)
        outcomes = sorted({m for obsd in observation_data for m in obsd.metric_names})
        if names != self.parameters or outcomes != self.outcomes:
            self._fit(search_space, observation_features, observation_data)
            return
        Xs, Ys, Yvars = self._arrays(observation_features, observation_data, self.outcomes)
        self.model.update(Xs=Xs, Ys=Ys, Yvars=Yvars)

    def _predict(self, observation_features: List[ObservationFeatures]) -> List[ObservationData]:
        predict = getattr(self.model, "predict", None)
        if predict is None:
            raise NotImplementedError(
                f"{type(self.model).__name__} makes no predictions (it has no predict method)"
            )
        X = features_to_array(observation_features, self.parameters)
        mean, cov = predict(X)
        return self._observation_data(mean, cov)

    def feature_importances(self, metric_name: str) -> Dict[str, float]:
        """Importance of each parameter for ``metric_name``, from the fitted model.

        The model gives one importance per encoded feature (for a GP, its inverse
        lengthscale in the unit cube); a one-hot encoded choice parameter gets the sum of
        its columns, and a fixed parameter does not appear.

        Raises:
            UserInputError: The model was not fitted on ``metric_name``.
            NotImplementedError: The model gives no feature importances.
        """
        importances = getattr(self.model, "feature_importances", None)
        if importances is None:
            raise NotImplementedError(f"{type(self.model).__name__} gives no feature importances")
        if metric_name not in self.outcomes:
            raise UserInputError(
                f"{type(self).__name__}.feature_importances: the model was not fitted on "
                f"metric {metric_name!r}; its metrics are {self.outcomes}"
            )
        row = np.asarray(importances(), dtype=float)[self.outcomes.index(metric_name)]
        out: Dict[str, float] = {}
        for feature, value in zip(self.parameters, row):
            name = feature.split(OH_PARAM_INFIX)[0]
            out[name] = out.get(name, 0.0) + float(value)
        return out

    def _observation_data(self, mean: np.ndarray, cov: np.ndarray) -> List[ObservationData]:
        mean = np.asarray(mean, dtype=float)
        cov = np.asarray(cov, dtype=float)
        return [ObservationData(list(self.outcomes), mean[i], cov[i]) for i in range(len(mean))]

    def _cross_validate(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        cv_test_points: List[ObservationFeatures],
    ) -> List[ObservationData]:
        Xs, Ys, Yvars = self._arrays(observation_features, observation_data, self.outcomes)
        X_test = features_to_array(cv_test_points, self.parameters)
        mean, cov = self.model.cross_validate(
            Xs_train=Xs, Ys_train=Ys, Yvars_train=Yvars, X_test=X_test
        )
        return self._observation_data(mean, cov)

    def _gen(
        self,
        n: int,
        search_space: SearchSpace,
        pending_observations: Dict[str, List[ObservationFeatures]],
        fixed_features: Optional[ObservationFeatures],
        model_gen_options: Optional[TConfig],
        optimization_config: Optional[OptimizationConfig],
        original_search_space: SearchSpace,
    ) -> GenResults:
        owner = type(self).__name__
        names, bounds = self._bounds(search_space)
        if names != self.parameters:
            raise UnsupportedError(
                f"{owner}: the search space to generate in has parameters {names} after the "
                f"transforms, but the model was fit on {self.parameters}"
            )
        if optimization_config is None:
            raise UserInputError(
                f"{owner}: generation needs an optimization config, got None",
                hint="set one on the experiment or pass optimization_config",
            )
        check_optimization_config(owner, optimization_config, self.outcomes)
        objective_weights = extract_objective_weights(optimization_config.objective, self.outcomes)
        outcome_constraints = extract_outcome_constraints(
            optimization_config.outcome_constraints, self.outcomes
        )
        linear_constraints = extract_parameter_constraints(
            search_space.parameter_constraints, names
        )
        fixed = fixed_features_by_index(owner, fixed_features, names)
        fixed_floats = None if fixed is None else {j: float(v) for j, v in fixed.items()}
        fixed_floats = self._default_tasks(search_space, names, fixed_floats)
        pending = None
        if any(pending_observations.values()):
            pending = [
                features_to_array(pending_observations.get(metric, []), names)
                for metric in self.outcomes
            ]
        extra: Dict[str, Any] = {}
        if is_multi_objective(optimization_config) and _takes(
            self.model.gen, "objective_thresholds"
        ):
            # Thresholds are still in the metrics' units here: the transforms rewrite
            # outcome constraints only, so they are passed through them the same way.
            extra["objective_thresholds"] = transformed_thresholds(
                optimization_config, self.transforms.values(), self.outcomes, self
            )
        if getattr(self.model, "supports_discrete", False):
            structure = self._discrete_structure(original_search_space, names)
            if structure is not None:
                extra["discrete"] = structure
        X, weights, gen_metadata, candidate_metadata = self.model.gen(
            n=n,
            bounds=bounds,
            objective_weights=objective_weights,
            outcome_constraints=outcome_constraints,
            linear_constraints=linear_constraints,
            fixed_features=fixed_floats,
            pending_observations=pending,
            model_gen_options=model_gen_options,
            rounding_func=self.rounding_func(names, original_search_space),
            **extra,
        )
        if extra:
            gen_metadata = threshold_metadata(
                gen_metadata or {}, list(self.transforms.values()), self.outcomes
            )
        best_features = None
        best_point = getattr(self.model, "best_point", None)
        if callable(best_point):
            try:
                best = best_point(
                    bounds=bounds,
                    objective_weights=objective_weights,
                    outcome_constraints=outcome_constraints,
                    linear_constraints=linear_constraints,
                    fixed_features=fixed_floats,
                    model_gen_options=model_gen_options,
                )
            except NotImplementedError:
                best = None
            if best is not None:
                best_features = array_to_features(np.asarray(best).reshape(1, -1), names)[0]
        return GenResults(
            features=array_to_features(X, names),
            weights=[float(w) for w in np.asarray(weights).reshape(-1)],
            best_features=best_features,
            gen_metadata=dict(gen_metadata or {}),
            candidate_metadata=None if candidate_metadata is None else list(candidate_metadata),
        )


def _takes(function: Callable[..., Any], name: str) -> bool:
    """Whether ``function`` has a parameter ``name`` (a multi-objective model's ``gen``
    takes ``objective_thresholds``; other models get the objectives as weights only)."""
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _is_task_index(parameter: object) -> bool:
    """An INT task choice parameter with values ``0 .. k-1`` (as ``TaskEncode`` makes)."""
    return (
        isinstance(parameter, ChoiceParameter)
        and parameter.is_task
        and parameter.parameter_type == ParameterType.INT
        and list(parameter.values) == list(range(len(parameter.values)))
    )


def _infer_noise_where_mixed(metric: str, yvars: np.ndarray) -> np.ndarray:
    """``yvars`` (shape `n`), all NaN (noise to infer) when known and unknown are mixed.

    A metric observed sometimes with a standard error and sometimes without (say a few
    hand-recorded trials with an SEM, then trials recorded with ``None``) has one noise
    level to learn, not two: the GP infers it from every observation of the metric, and
    the known variances are not used for that fit. All known, or all unknown, is passed
    through unchanged.
    """
    unknown = np.isnan(yvars)
    if not unknown.any() or unknown.all():
        return yvars
    logger.info(
        "Metric %r: %d of %d observations have no known noise (SEM None or NaN); "
        "the model infers the noise level from all %d instead of using the known ones.",
        metric,
        int(unknown.sum()),
        yvars.size,
        yvars.size,
    )
    return np.full_like(yvars, np.nan)


__all__ = ["ArrayModel", "TorchModelBridge"]
