"""Tests for ax.modelbridge.base (ModelBridge), through a small bridge with a mean model."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.exceptions import UserInputError, UserInputTypeError
from ax.modelbridge.base import GenResults, ModelBridge
from ax.modelbridge.modelbridge_utils import (
    extract_objective_weights,
    extract_outcome_constraints,
    extract_parameter_constraints,
    observation_data_to_predict,
)
from ax.modelbridge.transforms.base import Transform
from ax.modelbridge.transforms.one_hot import OneHot
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.modelbridge.transforms.unit_x import UnitX
from tests.modelbridge import float_experiment, float_search_space, make_config


class MeanModel:
    """Predicts each metric's training mean everywhere."""

    def __init__(self) -> None:
        self.fits = 0
        self.updates = 0
        self.means: Dict[str, float] = {}
        self.n_train = 0

    def get_state(self) -> Dict[str, Any]:
        return {"fits": self.fits}


class MeanBridge(ModelBridge):
    model: MeanModel

    def _fit(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        self.model.fits += 1
        self.model.n_train = len(observation_data)
        self.model.means = _means(observation_data)
        self.names = list(search_space.parameters)

    def _update(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
    ) -> None:
        self.model.updates += 1
        self.model.n_train = len(observation_data)
        self.model.means = _means(observation_data)

    def _predict(self, observation_features: List[ObservationFeatures]) -> List[ObservationData]:
        names = sorted(self.model.means)
        means = [self.model.means[m] for m in names]
        return [ObservationData(names, means, np.eye(len(names))) for _ in observation_features]

    def _cross_validate(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        cv_test_points: List[ObservationFeatures],
    ) -> List[ObservationData]:
        means = _means(observation_data)
        names = sorted(means)
        values = [means[m] for m in names]
        return [ObservationData(names, values, np.eye(len(names))) for _ in cv_test_points]

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
        self.last_config = optimization_config
        self.last_pending = pending_observations
        centre: Dict[str, Any] = {
            name: (p.lower + p.upper) / 2
            for name, p in search_space.parameters.items()
            if isinstance(p, RangeParameter)
        }
        if fixed_features is not None:
            centre.update(fixed_features.parameters)
        features = [ObservationFeatures(dict(centre)) for _ in range(n)]
        return GenResults(
            features=features,
            weights=[1.0] * n,
            best_features=ObservationFeatures(dict(centre)),
            gen_metadata={"n": n},
            candidate_metadata=[{"i": i} for i in range(n)],
        )


def _means(data: List[ObservationData]) -> Dict[str, float]:
    values: Dict[str, List[float]] = {}
    for obsd in data:
        for name, mean in zip(obsd.metric_names, obsd.means):
            values.setdefault(name, []).append(float(mean))
    return {name: float(np.mean(v)) for name, v in values.items()}


class RejectLarge(Transform):
    """Refuses points with x1 > 1 (to exercise the predict fallback)."""

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            x1 = obsf.parameters.get("x1")
            if isinstance(x1, float) and x1 > 1.0:
                raise UserInputError(f"RejectLarge: x1={x1}")
        return observation_features


def make_bridge(**kwargs: Any) -> MeanBridge:
    exp, data = float_experiment()
    defaults: Dict[str, Any] = {
        "search_space": exp.search_space,
        "model": MeanModel(),
        "transforms": [UnitX, StandardizeY],
        "experiment": exp,
        "data": data,
    }
    defaults.update(kwargs)
    return MeanBridge(**defaults)


def wide_experiment() -> Experiment:
    """x1 in [0, 10] on the experiment: arms with x1 > 1 are out of the bridge's design."""
    space = SearchSpace(
        [
            RangeParameter("x1", ParameterType.FLOAT, 0.0, 10.0),
            RangeParameter("x2", ParameterType.FLOAT, 0.0, 10.0),
        ]
    )
    exp = Experiment(search_space=space, name="wide", optimization_config=make_config())
    for i, x1 in enumerate([0.2, 0.4, 5.0]):
        exp.new_trial().add_arm(Arm({"x1": x1, "x2": 1.0}))
        exp.attach_data(Data.from_evaluations({f"{i}_0": {"m1": (x1, 0.1), "m2": (1.0, 0.1)}}, i))
    return exp


# ----------------------------------------------------------------------------- construction


def test_fits_transforms_in_order_on_transformed_data() -> None:
    bridge = make_bridge()
    assert list(bridge.transforms) == ["UnitX", "StandardizeY"]
    assert bridge.model.fits == 1 and bridge.model.n_train == 5
    assert bridge.model.means == pytest.approx({"m1": 0.0, "m2": 0.0})  # standardised
    assert bridge.fit_time > 0
    assert bridge.metric_names == {"m1", "m2"}
    assert bridge.training_in_design == [True] * 5
    assert (
        bridge.model_space == bridge._search_space
        and bridge.model_space is not bridge._search_space
    )
    training = bridge.get_training_data()
    training[0].features.parameters["x1"] = 99.0
    assert bridge.get_training_data()[0].features.parameters["x1"] != 99.0
    assert "MeanBridge(model=MeanModel" in repr(bridge)
    with pytest.raises(NotImplementedError, match="feature_importances"):
        bridge.feature_importances("m1")


def test_transform_configs_reach_transforms() -> None:
    bridge = make_bridge(
        transforms=[OneHot, UnitX], transform_configs={"OneHot": {"rounding": "randomized"}}
    )
    assert bridge.transforms["OneHot"].rounding == "randomized"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"search_space": "space"},
            UserInputTypeError,
            "search_space must be a SearchSpace, got str",
        ),
        ({"experiment": 3}, UserInputTypeError, "experiment must be an Experiment, got int"),
        (
            {"optimization_config": "cfg"},
            UserInputTypeError,
            "optimization_config must be an OptimizationConfig, got str",
        ),
        ({"transforms": [UnitX, 3]}, UserInputTypeError, r"transforms\[1\] must be a Transform"),
        ({"transforms": UnitX}, UserInputTypeError, "transforms must be a list"),
        (
            {"transform_configs": {"Log": {}}},
            UserInputError,
            r"transform_configs has keys \['Log'\] that are not transforms of this bridge",
        ),
        (
            {"transform_configs": {"UnitX": {"x": 1}}},
            UserInputError,
            r"UnitX: unknown config keys \['x'\]",
        ),
        (
            {"status_quo_name": "a", "status_quo_features": ObservationFeatures({})},
            UserInputError,
            "give status_quo_name or status_quo_features, not both",
        ),
        ({"experiment": None}, UserInputError, "data with 10 rows was given without an experiment"),
    ],
)
def test_constructor_errors(kwargs: Dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make_bridge(**kwargs)


def test_data_for_unknown_metric_is_rejected_naming_it() -> None:
    exp, data = float_experiment()
    extra = Data.from_evaluations({"0_0": {"mystery": (1.0, 0.1)}}, 0)
    both = Data.from_multiple_data([data, extra])
    with pytest.raises(UserInputError, match=r"data has metric\(s\) \['mystery'\] that neither"):
        MeanBridge(exp.search_space, MeanModel(), experiment=exp, data=both)
    exp.add_tracking_metric(Metric("mystery"))
    bridge = MeanBridge(exp.search_space, MeanModel(), experiment=exp, data=both)
    assert "mystery" in bridge.metric_names


def test_out_of_design_observations_are_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    exp = wide_experiment()
    space = float_search_space()
    with caplog.at_level(logging.INFO, logger="ax.modelbridge.base"):
        bridge = MeanBridge(space, MeanModel(), experiment=exp, data=exp.lookup_data())
    assert bridge.training_in_design == [True, True, False]
    assert bridge.model.n_train == 2
    assert "leaving 1 out-of-design observation(s) out of training (arms ['2_0'])" in caplog.text
    kept = MeanBridge(
        space, MeanModel(), experiment=exp, data=exp.lookup_data(), fit_out_of_design=True
    )
    assert kept.model.n_train == 3


def test_duplicate_observations_are_rejected() -> None:
    exp, data = float_experiment(n_trials=1)
    doubled = Data.from_columns(
        {
            "arm_name": ["0_0", "0_0"],
            "metric_name": ["m1", "m1"],
            "mean": [1.0, 2.0],
            "trial_index": [0, 0],
        }
    )
    # Same arm and trial in one group: a single observation with a repeated metric.
    bridge = MeanBridge(exp.search_space, MeanModel(), experiment=exp, data=doubled)
    assert bridge.get_training_data()[0].data.metric_names == ["m1", "m1"]
    obs = bridge.get_training_data()[0]
    with pytest.raises(UserInputError, match="duplicate observation features"):
        bridge._add_training_data([obs, obs.clone()])


# ----------------------------------------------------------------------------- status quo


def test_status_quo_from_experiment_takes_latest_trial() -> None:
    exp, data = float_experiment(n_trials=3, status_quo={"x1": 0.1, "x2": 1.0})
    bridge = MeanBridge(exp.search_space, MeanModel(), experiment=exp, data=data)
    assert bridge.status_quo is not None
    assert bridge.status_quo.arm_name == "status_quo"
    assert bridge.status_quo.features.trial_index == 2
    by_features = MeanBridge(
        exp.search_space,
        MeanModel(),
        experiment=exp,
        data=data,
        status_quo_features=bridge.get_training_data()[0].features,
    )
    assert by_features.status_quo == bridge.get_training_data()[0]
    by_name = MeanBridge(
        exp.search_space, MeanModel(), experiment=exp, data=data, status_quo_name="1_0"
    )
    assert by_name.status_quo is not None and by_name.status_quo.arm_name == "1_0"


def test_missing_status_quo_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="ax.modelbridge.base"):
        bridge = make_bridge(status_quo_name="nobody")
    assert bridge.status_quo is None
    assert "no training observation of the status quo (nobody)" in caplog.text


# ----------------------------------------------------------------------------- gen


def test_gen_builds_generator_run() -> None:
    bridge = make_bridge()
    exp = bridge._experiment
    assert exp is not None
    gr = bridge.gen(2)
    assert gr.search_space is exp.search_space  # the same object: storage de-duplicates
    assert gr.optimization_config is exp.optimization_config
    assert [arm.parameters for arm in gr.arms] == [{"x1": 0.5, "x2": 5.0}]  # merged duplicates
    assert gr.weights == [2.0]
    assert gr.fit_time is not None and gr.fit_time > 0
    assert gr.gen_time is not None and gr.gen_time >= 0
    assert gr.gen_metadata == {"n": 2}
    assert gr.model_state_after_gen == {"fits": 1}
    assert gr.model_key is None and gr.model_kwargs is None and gr.bridge_kwargs is None
    assert gr.candidate_metadata_by_arm_signature == {gr.arms[0].signature: {"i": 1}}
    assert gr.model_predictions is not None
    means, covs = gr.model_predictions
    assert means["m1"][0] == pytest.approx(np.mean([f["m1"][0] for f in _raw_means(bridge)]))
    assert covs["m1"]["m2"] == [0.0, 0.0]
    assert gr.best_arm_predictions is not None
    best_arm, best_predictions = gr.best_arm_predictions
    assert best_arm.parameters == {"x1": 0.5, "x2": 5.0} and best_predictions is not None
    # The transformed config reached the model; the caller's config did not change.
    assert bridge.last_config is not None and bridge.last_config is not exp.optimization_config
    assert exp.optimization_config.outcome_constraints[0].bound == 5.0  # type: ignore[union-attr]
    assert bridge.last_config.outcome_constraints[0].bound != 5.0
    second = bridge.gen(1)
    assert second.fit_time == 0.0  # no fitting since the last gen


def _raw_means(bridge: ModelBridge) -> List[Dict[str, List[float]]]:
    return [
        {m: [float(v)] for m, v in zip(o.data.metric_names, o.data.means)}
        for o in bridge.get_training_data()
    ]


def test_gen_with_explicit_space_config_fixed_and_pending() -> None:
    bridge = make_bridge()
    space = float_search_space()
    config = make_config()
    pending = {"m1": [ObservationFeatures({"x1": 1.0, "x2": 10.0})]}
    gr = bridge.gen(
        1,
        search_space=space,
        optimization_config=config,
        pending_observations=pending,
        fixed_features=ObservationFeatures({"x2": 2.0}),
    )
    assert gr.search_space is space and gr.optimization_config is config
    assert gr.arms[0].parameters == {"x1": 0.5, "x2": 2.0}
    assert bridge.last_pending["m1"][0].parameters == {"x1": 1.0, "x2": 1.0}  # unit cube
    assert pending["m1"][0].parameters == {"x1": 1.0, "x2": 10.0}  # caller's copy untouched


def test_gen_reuses_names_of_existing_arms() -> None:
    exp, data = float_experiment(n_trials=2)
    exp.new_trial().add_arm(Arm({"x1": 0.5, "x2": 5.0}))
    bridge = MeanBridge(exp.search_space, MeanModel(), [UnitX], experiment=exp, data=data)
    gr = bridge.gen(1)
    assert gr.arms[0].name == "2_0"


# ----------------------------------------------------------------------------- predict / cv


def test_predict_untransforms_and_checks_metrics() -> None:
    bridge = make_bridge()
    means, covs = bridge.predict([ObservationFeatures({"x1": 0.1, "x2": 1.0})] * 2)
    raw = [o.data.means_dict for o in bridge.get_training_data()]
    assert means["m1"] == pytest.approx([np.mean([r["m1"] for r in raw])] * 2)
    assert set(covs) == {"m1", "m2"} and covs["m1"]["m1"][0] > 0
    bad = [
        ObservationData(["a"], [1.0], [[1.0]]),
        ObservationData(["b"], [1.0], [[1.0]]),
    ]
    with pytest.raises(UserInputError, match=r"point 1 has metrics \['b'\], point 0 has \['a'\]"):
        observation_data_to_predict(bad)
    assert observation_data_to_predict([]) == ({}, {})


def test_predict_falls_back_to_raw_training_data() -> None:
    exp = wide_experiment()
    bridge = MeanBridge(
        float_search_space(), MeanModel(), [RejectLarge], experiment=exp, data=exp.lookup_data()
    )
    out_of_design = bridge.get_training_data()[2].features
    inside = ObservationFeatures({"x1": 0.3, "x2": 1.0})
    means, _ = bridge.predict([inside, out_of_design])
    assert means["m1"][1] == 5.0  # the raw observation
    assert means["m1"][0] == pytest.approx(np.mean([0.2, 0.4]))
    with pytest.raises(UserInputError, match="RejectLarge: x1=7.0"):
        bridge.predict([ObservationFeatures({"x1": 7.0, "x2": 1.0})])


def test_cross_validate_uses_fitted_transforms() -> None:
    bridge = make_bridge()
    training = bridge.get_training_data()
    result = bridge.cross_validate(training[:3], [training[4].features])
    assert len(result) == 1
    expected = np.mean([o.data.means_dict["m1"] for o in training[:3]])
    assert result[0].means_dict["m1"] == pytest.approx(expected)


# ----------------------------------------------------------------------------- update


def test_update_adds_replaces_and_rejects_new_metrics() -> None:
    exp, data = float_experiment(n_trials=3)
    bridge = MeanBridge(exp.search_space, MeanModel(), [UnitX], experiment=exp, data=data)
    trial = exp.new_trial().add_arm(Arm({"x1": 0.05, "x2": 0.5}))
    new = Data.from_evaluations({"3_0": {"m1": (10.0, 0.1), "m2": (1.0, 0.1)}}, trial.index)
    exp.attach_data(new)
    bridge.update(new, exp)
    assert bridge.model.updates == 1 and bridge.model.n_train == 4
    refetched = Data.from_evaluations({"3_0": {"m1": (20.0, 0.1), "m2": (1.0, 0.1)}}, trial.index)
    bridge.update(refetched, exp)
    assert bridge.model.n_train == 4  # same features: replaced, not added
    assert bridge.get_training_data()[3].data.means_dict["m1"] == 20.0
    exp.add_tracking_metric(Metric("m3"))
    extra = Data.from_evaluations({"3_0": {"m3": (1.0, 0.1)}}, trial.index)
    with pytest.raises(UserInputError, match=r"new data has metric\(s\) \['m3'\] the bridge"):
        bridge.update(extra, exp)


# ----------------------------------------------------------------------------- array helpers


def test_array_helpers() -> None:
    config = make_config()
    outcomes = ["m1", "m2"]
    np.testing.assert_array_equal(extract_objective_weights(config.objective, outcomes), [-1, 0])
    A, b = extract_outcome_constraints(config.outcome_constraints, outcomes)  # type: ignore[misc]
    np.testing.assert_array_equal(A, [[0.0, 1.0]])
    np.testing.assert_array_equal(b, [[5.0]])
    assert extract_outcome_constraints([], outcomes) is None
    space = float_search_space()
    A, b = extract_parameter_constraints(space.parameter_constraints, ["x1", "x2"])  # type: ignore[misc]
    np.testing.assert_array_equal(A, [[1.0, 0.1]])
    np.testing.assert_array_equal(b, [[1.5]])
    assert extract_parameter_constraints([], ["x1"]) is None
