"""The model bridge: core objects in, arrays to a model, arms out: :class:`ModelBridge`."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import (
    Any,
    Callable,
    ClassVar,
    Dict,
    Hashable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    Type,
)

import numpy as np

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.observation import (
    Observation,
    ObservationData,
    ObservationFeatures,
    observations_from_data,
    separate_observations,
)
from ax.core.optimization_config import OptimizationConfig
from ax.core.search_space import SearchSpace
from ax.core.types import (
    TCandidateMetadata,
    TConfig,
    TGenMetadata,
    TModelPredict,
    TModelPredictArm,
)
from ax.exceptions import (
    DataRequiredError,
    UnsupportedError,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.modelbridge_utils import (
    array_to_features,
    check_optimization_config,
    extract_objective_weights,
    extract_outcome_constraints,
    extract_parameter_constraints,
    features_to_array,
    fixed_features_by_index,
    observation_data_to_predict,
    single_prediction,
)
from ax.modelbridge.transforms.base import Transform
from ax.utils.logger import get_logger

logger = get_logger(__name__)

TRoundingFunc = Callable[[np.ndarray], np.ndarray]


@dataclass
class GenResults:
    """What a bridge subclass's ``_gen`` returns, in the transformed space.

    Attributes:
        features: The candidates.
        weights: One weight per candidate.
        best_features: The model's recommended point, if it has one.
        gen_metadata: JSON-safe metadata from the model.
        candidate_metadata: Per candidate, metadata (or None), if the model gives any.
    """

    features: List[ObservationFeatures]
    weights: List[float]
    best_features: Optional[ObservationFeatures] = None
    gen_metadata: TGenMetadata = field(default_factory=dict)
    candidate_metadata: Optional[List[TCandidateMetadata]] = None


class ModelBridge:
    """Translates between the core objects and a model, through transforms.

    Construction (in order): the search space is cloned into :attr:`model_space`; the
    optimization config defaults to the experiment's; the data becomes observations
    (:func:`~ax.core.observation.observations_from_data`), checking that every metric
    is known to the experiment or config; observations outside the model space are
    dropped from training (logged), unless ``fit_out_of_design``; the status quo is
    found; then each transform class is built in order on the already transformed
    space and data, and the subclass's :meth:`_fit` is called on the result.

    Subclasses implement :meth:`_fit`, :meth:`_gen` and, where the model supports them,
    :meth:`_predict`, :meth:`_cross_validate` and :meth:`_update`.

    Args:
        search_space: The space candidates must lie in (kept as given and referenced by
            the generator runs; a clone is what the bridge works on).
        model: The numeric model.
        transforms: Transform classes, applied in order.
        experiment: The experiment (arm names, metrics, status quo).
        data: Data to fit on (needs ``experiment`` when not empty).
        transform_configs: Transform class name -> config of that transform.
        status_quo_name: Name of the status quo arm.
        status_quo_features: Features of the status quo observation (exclusive with
            ``status_quo_name``).
        optimization_config: The config to generate for (default: the experiment's).
        fit_out_of_design: Whether to train on observations outside the search space.

    Raises:
        UserInputTypeError: An argument has the wrong type.
        UserInputError: Data for an unknown metric, data without an experiment, both
            status quo arguments, duplicate observations, or a config for a transform
            not in ``transforms``.
        UnsupportedError: The transformed search space is one the model cannot handle.

    Example:
        >>> bridge = RandomModelBridge(space, SobolGenerator(seed=0), transforms=Cont_X_trans)
        >>> generator_run = bridge.gen(3)
        >>> len(generator_run.arms)
        3
    """

    _needs_data: ClassVar[bool] = True
    """Whether the model learns from data (when False the data is not even read)."""

    def __init__(
        self,
        search_space: SearchSpace,
        model: Any,
        transforms: Optional[Sequence[Type[Transform]]] = None,
        experiment: Optional[Experiment] = None,
        data: Optional[Data] = None,
        transform_configs: Optional[Mapping[str, TConfig]] = None,
        status_quo_name: Optional[str] = None,
        status_quo_features: Optional[ObservationFeatures] = None,
        optimization_config: Optional[OptimizationConfig] = None,
        fit_out_of_design: bool = False,
    ) -> None:
        name = type(self).__name__
        if not isinstance(search_space, SearchSpace):
            raise UserInputTypeError(
                f"{name}: search_space must be a SearchSpace, got {type(search_space).__name__}"
            )
        if experiment is not None and not isinstance(experiment, Experiment):
            raise UserInputTypeError(
                f"{name}: experiment must be an Experiment, got {type(experiment).__name__}"
            )
        if optimization_config is not None and not isinstance(
            optimization_config, OptimizationConfig
        ):
            raise UserInputTypeError(
                f"{name}: optimization_config must be an OptimizationConfig, got "
                f"{type(optimization_config).__name__}"
            )
        self._transform_classes: List[Type[Transform]] = _checked_transforms(name, transforms)
        self._transform_configs: Dict[str, TConfig] = _checked_transform_configs(
            name, transform_configs, self._transform_classes
        )
        self._search_space = search_space
        self._model_space = search_space.clone()
        self.model = model
        self._experiment = experiment
        self._fit_out_of_design = bool(fit_out_of_design)
        self._optimization_config = optimization_config
        if optimization_config is None and experiment is not None:
            self._optimization_config = experiment.optimization_config
        self._arms_by_signature: Dict[str, Arm] = (
            experiment.arms_by_signature if experiment is not None else {}
        )
        # Set by the Models registry, passed on to every generator run.
        self._model_key: Optional[str] = None
        self._model_kwargs: Optional[Dict[str, Any]] = None
        self._bridge_kwargs: Optional[Dict[str, Any]] = None

        self.transforms: OrderedDict[str, Transform] = OrderedDict()
        self._transformed_space: SearchSpace = self._model_space
        self.fit_time = 0.0
        self._fit_time_since_gen = 0.0
        self._training_data: List[Observation] = []
        self._training_in_design: List[bool] = []
        # Features key (see ObservationFeatures.key) -> position in _training_data.
        self._training_index: Dict[Hashable, int] = {}
        self._metric_names: Set[str] = set()
        if self._needs_data:
            self._add_training_data(self._observations(experiment, data))
        self._status_quo = self._find_status_quo(status_quo_name, status_quo_features)
        self._fit_all(update=False)

    # ------------------------------------------------------------------ properties
    @property
    def model_space(self) -> SearchSpace:
        """The bridge's copy of the search space (training membership is checked on it)."""
        return self._model_space

    @property
    def status_quo(self) -> Optional[Observation]:
        """The status quo's training observation, if one was found."""
        return self._status_quo

    @property
    def metric_names(self) -> Set[str]:
        """The metrics in the training data."""
        return set(self._metric_names)

    @property
    def training_in_design(self) -> List[bool]:
        """Per training observation, whether it lies in :attr:`model_space`."""
        return list(self._training_in_design)

    @property
    def fit_out_of_design(self) -> bool:
        """Whether out-of-design observations are trained on too."""
        return self._fit_out_of_design

    def get_training_data(self) -> List[Observation]:
        """A copy of every training observation (in design or not)."""
        return [obs.clone() for obs in self._training_data]

    # ------------------------------------------------------------------ training data
    def _observations(
        self, experiment: Optional[Experiment], data: Optional[Data]
    ) -> List[Observation]:
        name = type(self).__name__
        if data is None or len(data) == 0:
            return []
        if not isinstance(data, Data):
            raise UserInputTypeError(f"{name}: data must be a Data, got {type(data).__name__}")
        if experiment is None:
            raise UserInputError(
                f"{name}: data with {len(data)} rows was given without an experiment; the "
                "experiment is needed to look up the arms' parameters"
            )
        known = set(experiment.metrics)
        if self._optimization_config is not None:
            known |= set(self._optimization_config.metrics)
        if known:
            unknown = sorted(set(data.metric_names) - known)
            if unknown:
                raise UserInputError(
                    f"{name}: data has metric(s) {unknown} that neither the experiment nor "
                    f"the optimization config knows; known metrics are {sorted(known)}",
                    hint="add them as tracking metrics, or filter the data",
                )
        return observations_from_data(experiment, data)

    def _add_training_data(self, observations: List[Observation]) -> None:
        """Add observations; one with the features of an existing one replaces it."""
        seen: Set[Hashable] = set()
        out_of_design: List[str] = []
        for obs in observations:
            key = obs.features.key()
            if key in seen:
                raise UserInputError(
                    f"{type(self).__name__}: duplicate observation features "
                    f"{obs.features!r} (arm {obs.arm_name!r}) in the data"
                )
            seen.add(key)
            in_design = self._model_space.check_membership(obs.features.parameters)
            if not in_design:
                out_of_design.append(str(obs.arm_name))
            position = self._training_index.get(key)
            if position is None:
                self._training_index[key] = len(self._training_data)
                self._training_data.append(obs)
                self._training_in_design.append(in_design)
            else:
                self._training_data[position] = obs
                self._training_in_design[position] = in_design
            self._metric_names.update(obs.data.metric_names)
        if out_of_design and not self._fit_out_of_design:
            logger.info(
                "%s: leaving %d out-of-design observation(s) out of training (arms %s)",
                type(self).__name__,
                len(out_of_design),
                sorted(set(out_of_design)),
            )

    def _training_observations(self) -> List[Observation]:
        if self._fit_out_of_design:
            return self._training_data
        return [o for o, ok in zip(self._training_data, self._training_in_design) if ok]

    def _find_status_quo(
        self,
        status_quo_name: Optional[str],
        status_quo_features: Optional[ObservationFeatures],
    ) -> Optional[Observation]:
        name = type(self).__name__
        if status_quo_name is not None and status_quo_features is not None:
            raise UserInputError(
                f"{name}: give status_quo_name or status_quo_features, not both (got "
                f"status_quo_name={status_quo_name!r})"
            )
        explicit = status_quo_name is not None or status_quo_features is not None
        experiment = self._experiment
        if not explicit and experiment is not None and experiment.status_quo is not None:
            status_quo_name = experiment.status_quo.name
        if status_quo_features is not None:
            matches = [o for o in self._training_data if o.features == status_quo_features]
        elif status_quo_name is not None:
            matches = [o for o in self._training_data if o.arm_name == status_quo_name]
        else:
            return None
        if not matches:
            if explicit and self._needs_data:
                logger.warning(
                    "%s: no training observation of the status quo (%s) was found",
                    name,
                    status_quo_name if status_quo_name is not None else status_quo_features,
                )
            return None
        # Several observations (one per trial): the latest trial's stands for it.
        return max(
            matches,
            key=lambda o: -1 if o.features.trial_index is None else o.features.trial_index,
        )

    # ------------------------------------------------------------------ fitting
    def _fit_all(self, update: bool) -> None:
        """Fit the transforms on the training data, then the model (or update it)."""
        start = time.monotonic()
        features, data = separate_observations(self._training_observations(), copy=True)
        space = self._model_space.clone()
        transforms: OrderedDict[str, Transform] = OrderedDict()
        for cls in self._transform_classes:
            transform = cls(
                search_space=space,
                observation_features=features,
                observation_data=data,
                config=self._transform_configs.get(cls.__name__),
            )
            space = transform.transform_search_space(space)
            features = transform.transform_observation_features(features)
            data = transform.transform_observation_data(data, features)
            transforms[cls.__name__] = transform
        self.transforms = transforms
        self._transformed_space = space
        if update:
            self._update(space, features, data)
        else:
            self._fit(space, features, data)
        elapsed = time.monotonic() - start
        self.fit_time += elapsed
        self._fit_time_since_gen += elapsed

    def update(self, new_data: Data, experiment: Experiment) -> None:
        """Add new data and refit.

        Observations whose features equal existing ones replace them (re-fetched data of
        a trial); the transforms are refit on all the training data and the model is
        given it through :meth:`_update`.

        Args:
            new_data: The new data.
            experiment: The experiment the data belongs to.

        Raises:
            UserInputError: The data has a metric the bridge was not trained on, or a
                metric the experiment does not know.
        """
        if not self._needs_data:
            return
        self._experiment = experiment
        observations = self._observations(experiment, new_data)
        if self._metric_names:
            new_metrics = sorted(
                {m for o in observations for m in o.data.metric_names} - self._metric_names
            )
            if new_metrics:
                raise UserInputError(
                    f"{type(self).__name__}.update: new data has metric(s) {new_metrics} the "
                    f"bridge was not trained on ({sorted(self._metric_names)})",
                    hint="build a new bridge to model new metrics",
                )
        self._arms_by_signature = experiment.arms_by_signature
        self._add_training_data(observations)
        if self._status_quo is None and experiment.status_quo is not None:
            self._status_quo = self._find_status_quo(None, None)
        self._fit_all(update=True)

    # ------------------------------------------------------------------ transforms
    def _model_state_to_record(self) -> Optional[Dict[str, Any]]:
        """The model state stored on each generator run (subclasses drop what they re-derive)."""
        get_state = getattr(self.model, "get_state", None)
        return get_state() if callable(get_state) else None

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        """Copies of the features, in the model's space."""
        features = [f.clone() for f in observation_features]
        for transform in self.transforms.values():
            features = transform.transform_observation_features(features)
        return features

    def _untransform_features(
        self, features: List[ObservationFeatures], search_space: SearchSpace
    ) -> List[ObservationFeatures]:
        for transform in reversed(self.transforms.values()):
            features = transform.untransform_observation_features(features)
        parameters = search_space.parameters
        for obsf in features:
            for name, value in obsf.parameters.items():
                p = parameters.get(name)
                if p is not None and value is not None:
                    obsf.parameters[name] = p.cast(value)
        return features

    def _untransform_data(
        self, data: List[ObservationData], features: List[ObservationFeatures]
    ) -> List[ObservationData]:
        """Untransform ``data`` through the transforms in reverse order, giving each one
        the features as they were at its stage (as in Ax): a transform that reads the
        features, such as ``StratifiedStandardizeY`` reading a task that a later
        ``TaskEncode`` encoded, sees the values it saw when transforming."""
        features = [f.clone() for f in features]
        for transform in reversed(self.transforms.values()):
            data = transform.untransform_observation_data(data, features)
            features = transform.untransform_observation_features(features)
        return data

    def rounding_func(self, names: Sequence[str], search_space: SearchSpace) -> TRoundingFunc:
        """A function that rounds a transformed point through the original space.

        The point (a `d` array over ``names``) is untransformed (integers rounded,
        one-hot columns decoded, ...), cast to ``search_space``'s types and transformed
        back.
        """
        names = list(names)

        def rounding(x: np.ndarray) -> np.ndarray:
            features = [ObservationFeatures(dict(zip(names, np.asarray(x).tolist())))]
            features = self._untransform_features(features, search_space)
            for transform in self.transforms.values():
                features = transform.transform_observation_features(features)
            parameters = features[0].parameters
            return np.array([parameters[n] for n in names], dtype=float)

        return rounding

    # ------------------------------------------------------------------ predict
    def predict(self, observation_features: List[ObservationFeatures]) -> TModelPredict:
        """The model's predictions at points of the original space.

        When transforming the whole batch fails (a point outside what the transforms
        accept), points are predicted one at a time, and a point that still fails gets
        its raw training observation, if it has one.

        Args:
            observation_features: The points.

        Returns:
            ``({metric: [mean per point]}, {metric: {metric: [cov per point]}})``.

        Raises:
            NotImplementedError: The bridge's model makes no predictions.
            UserInputError: The points do not all have the same metrics.
        """
        data = self._predict_observation_data(observation_features)
        return observation_data_to_predict(data)

    def _predict_observation_data(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationData]:
        try:
            return self._batch_predict(observation_features)
        except (TypeError, ValueError):
            if len(observation_features) == 0:
                raise
        results: List[ObservationData] = []
        for obsf in observation_features:
            try:
                results.extend(self._batch_predict([obsf]))
            except (TypeError, ValueError):
                position = self._training_index.get(obsf.key())
                if position is None:
                    raise
                results.append(self._training_data[position].data.clone())
        return results

    def _batch_predict(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationData]:
        features = self.transform_observation_features(observation_features)
        data = self._predict(features)
        return self._untransform_data(data, features)

    # ------------------------------------------------------------------ cross-validation
    def cross_validate(
        self,
        cv_training_data: List[Observation],
        cv_test_points: List[ObservationFeatures],
    ) -> List[ObservationData]:
        """Predictions at test points from a model fit on the given training data.

        The fitted transforms are reused (not refit).

        Args:
            cv_training_data: The training observations (original space).
            cv_test_points: The points to predict.

        Returns:
            One ObservationData per test point.

        Raises:
            NotImplementedError: The model does not support cross-validation.
        """
        features, data = separate_observations(cv_training_data, copy=True)
        for transform in self.transforms.values():
            features = transform.transform_observation_features(features)
            data = transform.transform_observation_data(data, features)
        test = self.transform_observation_features(cv_test_points)
        predictions = self._cross_validate(self._transformed_space, features, data, test)
        return self._untransform_data(predictions, test)

    def feature_importances(self, metric_name: str) -> Dict[str, float]:
        """Importance of each parameter for a metric.

        Raises:
            NotImplementedError: Always, unless a subclass supports it.
        """
        raise NotImplementedError(f"{type(self).__name__} does not support feature_importances")

    # ------------------------------------------------------------------ gen
    def gen(
        self,
        n: int,
        search_space: Optional[SearchSpace] = None,
        optimization_config: Optional[OptimizationConfig] = None,
        pending_observations: Optional[Mapping[str, List[ObservationFeatures]]] = None,
        fixed_features: Optional[ObservationFeatures] = None,
        model_gen_options: Optional[TConfig] = None,
    ) -> GeneratorRun:
        """Generate candidates.

        Args:
            n: Number of candidates (its meaning for ``n <= 0`` is the model's).
            search_space: The space to generate in (default: the bridge's). The
                generator run references this very object (or the space given at
                construction), so storage can de-duplicate it; it is never changed.
            optimization_config: The config to generate for (default: the bridge's),
                referenced by the generator run like ``search_space``.
            pending_observations: Metric name -> features of points being evaluated.
            fixed_features: Parameter values every candidate must have.
            model_gen_options: Options passed to the model.

        Returns:
            A GeneratorRun with the arms (cast to the search space's types, named like
            existing arms of the same parameters), weights, ``fit_time`` (fitting since
            the last gen), ``gen_time``, model predictions when the model makes them,
            the best arm's predictions when it recommends one, the model's metadata and
            ``model_state_after_gen``.
        """
        start = time.monotonic()
        given_space = search_space if search_space is not None else self._search_space
        given_config = (
            optimization_config if optimization_config is not None else self._optimization_config
        )
        base_space = self._model_space if search_space is None else search_space
        space = base_space.clone()
        config = given_config.clone() if given_config is not None else None
        pending = {
            metric: [f.clone() for f in features]
            for metric, features in (pending_observations or {}).items()
        }
        fixed = fixed_features.clone() if fixed_features is not None else None
        for transform in self.transforms.values():
            space = transform.transform_search_space(space)
            if config is not None:
                config = transform.transform_optimization_config(config, self, fixed)
            pending = {m: transform.transform_observation_features(f) for m, f in pending.items()}
            if fixed is not None:
                fixed = transform.transform_observation_features([fixed])[0]
        results = self._gen(
            n=n,
            search_space=space,
            pending_observations=pending,
            fixed_features=fixed,
            model_gen_options=model_gen_options,
            optimization_config=config,
            original_search_space=base_space,
        )
        features = self._untransform_features(results.features, base_space)
        best_features = None
        if results.best_features is not None:
            best_features = self._untransform_features([results.best_features], base_space)[0]
        gen_time = time.monotonic() - start

        arms = [self._arm(f) for f in features]
        model_predictions = self._try_predict(features)
        best_arm_predictions: Optional[Tuple[Arm, Optional[TModelPredictArm]]] = None
        if best_features is not None:
            best_arm = self._arm(best_features)
            best_prediction = self._try_predict([best_features])
            best_arm_predictions = (
                best_arm,
                None if best_prediction is None else single_prediction(best_prediction),
            )
        candidate_metadata: Optional[Dict[str, TCandidateMetadata]] = None
        if results.candidate_metadata is not None:
            candidate_metadata = {
                arm.signature: md
                for arm, md in zip(arms, results.candidate_metadata)
                if md is not None
            } or None
        generator_run = GeneratorRun(
            arms=arms,
            weights=[float(w) for w in results.weights],
            optimization_config=given_config,
            search_space=given_space,
            model_predictions=model_predictions,
            best_arm_predictions=best_arm_predictions,
            fit_time=self._fit_time_since_gen,
            gen_time=gen_time,
            model_key=self._model_key,
            model_kwargs=self._model_kwargs,
            bridge_kwargs=self._bridge_kwargs,
            gen_metadata=results.gen_metadata,
            model_state_after_gen=self._model_state_to_record(),
            candidate_metadata_by_arm_signature=candidate_metadata,
        )
        self._fit_time_since_gen = 0.0
        return generator_run

    def _arm(self, features: ObservationFeatures) -> Arm:
        arm = Arm(features.parameters)
        existing = self._arms_by_signature.get(arm.signature)
        if existing is not None and existing.has_name:
            return Arm(arm.parameters, name=existing.name)
        return arm

    def _try_predict(self, features: List[ObservationFeatures]) -> Optional[TModelPredict]:
        if not features:
            return None
        try:
            return self.predict(features)
        except (NotImplementedError, UnsupportedError, DataRequiredError):
            return None

    # ------------------------------------------------------------------ subclass hooks
    def _fit(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        """Fit the model on transformed data (nothing by default)."""

    def _update(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        """Give the model all transformed training data after an update (refits by default)."""
        self._fit(search_space, observation_features, observation_data)

    def _predict(self, observation_features: List[ObservationFeatures]) -> List[ObservationData]:
        """Predictions at transformed points."""
        raise NotImplementedError(f"{type(self).__name__} does not support predict")

    def _cross_validate(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        cv_test_points: List[ObservationFeatures],
    ) -> List[ObservationData]:
        """Predictions at transformed test points from a model fit on the given data."""
        raise NotImplementedError(f"{type(self).__name__} does not support cross_validate")

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
        """Candidates in the transformed space."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _gen")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(model={type(self.model).__name__}, "
            f"transforms={list(self.transforms)})"
        )


def _checked_transforms(
    owner: str, transforms: Optional[Sequence[Type[Transform]]]
) -> List[Type[Transform]]:
    if transforms is None:
        return []
    if isinstance(transforms, (str, bytes)) or not isinstance(transforms, Sequence):
        raise UserInputTypeError(
            f"{owner}: transforms must be a list of Transform classes, got {transforms!r}"
        )
    checked: List[Type[Transform]] = []
    for position, cls in enumerate(transforms):
        if not (isinstance(cls, type) and issubclass(cls, Transform)):
            raise UserInputTypeError(
                f"{owner}: transforms[{position}] must be a Transform subclass, got {cls!r}"
            )
        checked.append(cls)
    return checked


def _checked_transform_configs(
    owner: str,
    transform_configs: Optional[Mapping[str, TConfig]],
    transforms: Sequence[Type[Transform]],
) -> Dict[str, TConfig]:
    if transform_configs is None:
        return {}
    if not isinstance(transform_configs, Mapping):
        raise UserInputTypeError(
            f"{owner}: transform_configs must be a dict of transform name -> config, got "
            f"{transform_configs!r}"
        )
    names = {cls.__name__ for cls in transforms}
    unknown = sorted(str(key) for key in transform_configs if key not in names)
    if unknown:
        raise UserInputError(
            f"{owner}: transform_configs has keys {unknown} that are not transforms of this "
            f"bridge; its transforms are {sorted(names)}"
        )
    return dict(transform_configs)


__all__ = [
    "GenResults",
    "ModelBridge",
    "array_to_features",
    "check_optimization_config",
    "extract_objective_weights",
    "extract_outcome_constraints",
    "extract_parameter_constraints",
    "features_to_array",
    "fixed_features_by_index",
    "observation_data_to_predict",
]
