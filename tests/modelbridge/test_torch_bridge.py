"""Tests for ax.modelbridge.torch (TorchModelBridge) with a fake numpy-boundary model."""

from __future__ import annotations

import math
import subprocess
import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.observation import ObservationFeatures
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import DataRequiredError, UnsupportedError, UserInputError
from ax.modelbridge.torch import ArrayModel, TorchModelBridge
from ax.modelbridge.transforms.unit_x import UnitX
from tests.modelbridge import (
    CONT_X_TRANS,
    Y_TRANS,
    f1,
    float_experiment,
    make_config,
    mixed_parameters,
    mixed_search_space,
)


class FakeArrayModel:
    """Implements the numpy boundary: linear predictions, centre-of-the-box candidates."""

    def __init__(self, best: bool = False) -> None:
        self.calls: Dict[str, Dict[str, Any]] = {}
        self.n_fits = 0
        if best:
            self.best_point = self._best_point

    def fit(
        self,
        Xs: List[np.ndarray],
        Ys: List[np.ndarray],
        Yvars: List[np.ndarray],
        bounds: List[Tuple[float, float]],
        feature_names: List[str],
        metric_names: List[str],
    ) -> None:
        self.n_fits += 1
        self.calls["fit"] = {
            "Xs": Xs,
            "Ys": Ys,
            "Yvars": Yvars,
            "bounds": bounds,
            "feature_names": feature_names,
            "metric_names": metric_names,
        }
        self.means = np.array([float(np.mean(Y)) for Y in Ys])

    def predict(self, X: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        self.calls["predict"] = {"X": X}
        n, m = len(X), len(self.means)
        mean = np.tile(self.means, (n, 1)) + X.sum(axis=1, keepdims=True)
        cov = np.tile(np.eye(m) * 0.5, (n, 1, 1))
        return mean, cov

    def gen(
        self,
        n: int,
        bounds: List[Tuple[float, float]],
        objective_weights: np.ndarray,
        outcome_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        linear_constraints: Optional[Tuple[np.ndarray, np.ndarray]] = None,
        fixed_features: Optional[Dict[int, float]] = None,
        pending_observations: Optional[List[np.ndarray]] = None,
        model_gen_options: Optional[Dict[str, Any]] = None,
        rounding_func: Optional[Callable[[np.ndarray], np.ndarray]] = None,
    ) -> Tuple[np.ndarray, np.ndarray, Dict[str, Any], Optional[List[Any]]]:
        self.calls["gen"] = dict(locals())
        rng = np.random.default_rng(0)
        X = np.array([[rng.uniform(lo, hi) for lo, hi in bounds] for _ in range(n)])
        for j, v in (fixed_features or {}).items():
            X[:, j] = v
        if rounding_func is not None:
            X = np.array([rounding_func(x) for x in X])
        return X, np.ones(n), {"acq": "fake"}, [{"i": i} for i in range(n)]

    def cross_validate(
        self,
        Xs_train: List[np.ndarray],
        Ys_train: List[np.ndarray],
        Yvars_train: List[np.ndarray],
        X_test: np.ndarray,
    ) -> Tuple[np.ndarray, np.ndarray]:
        self.calls["cross_validate"] = {"Xs": Xs_train, "X_test": X_test}
        means = np.array([float(np.mean(Y)) for Y in Ys_train])
        m = len(means)
        return np.tile(means, (len(X_test), 1)), np.tile(np.eye(m), (len(X_test), 1, 1))

    def update(self, Xs: List[np.ndarray], Ys: List[np.ndarray], Yvars: List[np.ndarray]) -> None:
        self.calls["update"] = {"Xs": Xs, "Ys": Ys}
        self.means = np.array([float(np.mean(Y)) for Y in Ys])

    def get_state(self) -> Dict[str, Any]:
        return {"n_fits": self.n_fits}

    def _best_point(self, **kwargs: Any) -> np.ndarray:
        self.calls["best_point"] = kwargs
        return np.array([lo for lo, _ in kwargs["bounds"]])


def torch_bridge(n_trials: int = 6, **kwargs: Any) -> TorchModelBridge:
    exp, data = float_experiment(n_trials=n_trials, **kwargs)
    return TorchModelBridge(
        exp.search_space,
        FakeArrayModel(),
        transforms=[*CONT_X_TRANS, *Y_TRANS],
        experiment=exp,
        data=data,
        torch_dtype="double",
        torch_device="cpu",
    )


def test_fake_model_satisfies_the_protocol() -> None:
    assert isinstance(FakeArrayModel(), ArrayModel)


def test_fit_passes_per_outcome_arrays() -> None:
    bridge = torch_bridge()
    fit = bridge.model.calls["fit"]  # type: ignore[attr-defined]
    assert fit["feature_names"] == ["x1", "x2"] and fit["metric_names"] == ["m1", "m2"]
    assert fit["bounds"] == [(0.0, 1.0), (0.0, 1.0)]
    assert [X.shape for X in fit["Xs"]] == [(6, 2), (6, 2)]
    assert all(Y.shape == (6,) for Y in fit["Ys"])
    assert np.mean(fit["Ys"][0]) == pytest.approx(0.0)  # standardised
    assert np.all(fit["Xs"][0] >= 0) and np.all(fit["Xs"][0] <= 1)  # unit cube
    assert bridge.torch_dtype == "double"


def test_gen_builds_arrays_from_the_config() -> None:
    bridge = torch_bridge()
    sy = bridge.transforms["StandardizeY"]
    gr = bridge.gen(
        2,
        fixed_features=ObservationFeatures({"x2": 5.0}),
        pending_observations={"m1": [ObservationFeatures({"x1": 0.5, "x2": 10.0})]},
        model_gen_options={"opt": 1},
    )
    call = bridge.model.calls["gen"]  # type: ignore[attr-defined]
    np.testing.assert_array_equal(call["objective_weights"], [-1.0, 0.0])  # minimise m1
    A, b = call["outcome_constraints"]
    np.testing.assert_array_equal(A, [[0.0, 1.0]])  # m2 <= 5: LEQ row +1
    expected = (5.0 - sy.Ymean["m2"]) / sy.Ystd["m2"]  # type: ignore[attr-defined]
    assert b[0, 0] == pytest.approx(expected)  # on the standardised bound
    A, b = call["linear_constraints"]
    # x1 + 0.1 x2 <= 1.5 in the unit cube: w' = w (u - l) = [1, 1], b' = 1.5.
    np.testing.assert_allclose(A, [[1.0, 1.0]])
    np.testing.assert_allclose(b, [[1.5]])
    assert call["fixed_features"] == {1: 0.5}
    pending = call["pending_observations"]
    np.testing.assert_allclose(pending[0], [[0.5, 1.0]])
    assert pending[1].shape == (0, 2)
    assert call["model_gen_options"] == {"opt": 1}
    for arm in gr.arms:
        bridge.model_space.check_membership(arm.parameters, raise_error=True)
        assert arm.parameters["x2"] == 5.0
    assert gr.gen_metadata == {"acq": "fake"}
    assert gr.model_state_after_gen == {"n_fits": 1}
    assert gr.candidate_metadata_by_arm_signature == {
        arm.signature: {"i": i} for i, arm in enumerate(gr.arms)
    }
    assert gr.model_predictions is not None and set(gr.model_predictions[0]) == {"m1", "m2"}


def test_gen_with_geq_constraint_and_maximisation() -> None:
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.types import ComparisonOp

    bridge = torch_bridge()
    config = OptimizationConfig(
        Objective(Metric("m2"), minimize=False),
        [OutcomeConstraint(Metric("m1"), ComparisonOp.GEQ, 0.2, relative=False)],
    )
    bridge.gen(1, optimization_config=config)
    call = bridge.model.calls["gen"]  # type: ignore[attr-defined]
    np.testing.assert_array_equal(call["objective_weights"], [0.0, 1.0])
    A, b = call["outcome_constraints"]
    sy = bridge.transforms["StandardizeY"]
    np.testing.assert_array_equal(A, [[-1.0, 0.0]])  # GEQ row -1
    assert b[0, 0] == pytest.approx(-(0.2 - sy.Ymean["m1"]) / sy.Ystd["m1"])  # type: ignore[attr-defined]


def test_best_point_is_reported_when_the_model_has_one() -> None:
    exp, data = float_experiment()
    bridge = TorchModelBridge(
        exp.search_space, FakeArrayModel(best=True), [UnitX], experiment=exp, data=data
    )
    gr = bridge.gen(1)
    assert gr.best_arm_predictions is not None
    best_arm, predictions = gr.best_arm_predictions
    assert best_arm.parameters == {"x1": 0.0, "x2": 0.0}
    assert predictions is not None and set(predictions[0]) == {"m1", "m2"}


def test_predict_cross_validate_and_update() -> None:
    bridge = torch_bridge()
    means, covs = bridge.predict([ObservationFeatures({"x1": 0.0, "x2": 0.0})])
    raw = [o.data.means_dict["m1"] for o in bridge.get_training_data()]
    assert means["m1"][0] == pytest.approx(np.mean(raw))  # standardised 0 -> mean
    assert covs["m1"]["m1"][0] == pytest.approx(0.5 * np.std(raw) ** 2)
    training = bridge.get_training_data()
    cv = bridge.cross_validate(training[:4], [training[5].features])
    assert len(cv) == 1 and set(cv[0].metric_names) == {"m1", "m2"}
    assert bridge.model.calls["cross_validate"]["X_test"].shape == (1, 2)  # type: ignore[attr-defined]
    exp = bridge._experiment
    assert exp is not None
    trial = exp.new_trial().add_arm(Arm({"x1": 0.9, "x2": 0.1}))
    new = Data.from_evaluations(
        {"6_0": {"m1": (f1({"x1": 0.9, "x2": 0.1}), 0.1), "m2": (1.0, 0.1)}}, trial.index
    )
    exp.attach_data(new)
    bridge.update(new, exp)
    assert [X.shape for X in bridge.model.calls["update"]["Xs"]] == [(7, 2), (7, 2)]  # type: ignore[attr-defined]


def test_mixed_space_with_continuous_transforms() -> None:
    from ax.core.experiment import Experiment
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig

    space = mixed_search_space(constrained=False)  # the fake model ignores constraints
    exp = Experiment(
        search_space=space,
        name="mixed",
        optimization_config=OptimizationConfig(Objective(Metric("y"), minimize=True)),
    )
    for i in range(6):
        exp.new_trial().add_arm(Arm(mixed_parameters(i)))
        exp.attach_data(Data.from_evaluations({f"{i}_0": {"y": (float(i), 0.1)}}, i))
    bridge = TorchModelBridge(
        space, FakeArrayModel(), [*CONT_X_TRANS, *Y_TRANS], experiment=exp, data=exp.lookup_data()
    )
    assert len(bridge.parameters) == 9  # x, n, lr, k, size, 3 x opt, flag
    gr = bridge.gen(5)
    for arm in gr.arms:
        space.check_membership(arm.parameters, raise_error=True)


def test_string_choice_without_one_hot_is_unsupported() -> None:
    space = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            ChoiceParameter("opt", ParameterType.STRING, ["a", "b"]),
        ]
    )
    with pytest.raises(UnsupportedError, match="parameter 'opt' .* is not a numeric range"):
        TorchModelBridge(space, FakeArrayModel(), [UnitX])


def test_generation_errors() -> None:
    with pytest.raises(DataRequiredError, match="the model needs training data, got 0"):
        TorchModelBridge(
            SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0)]),
            FakeArrayModel(),
            [UnitX],
        )
    exp, data = float_experiment()
    bridge = TorchModelBridge(
        exp.search_space, FakeArrayModel(), [UnitX], experiment=exp, data=data
    )
    with pytest.raises(
        UserInputError, match=r"constraint OutcomeConstraint\(m2 <= 10.0%\) is relative"
    ):
        bridge.gen(1, optimization_config=make_config(relative=True))
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig

    with pytest.raises(DataRequiredError, match=r"no training data for metric\(s\) \['m9'\]"):
        bridge.gen(1, optimization_config=OptimizationConfig(Objective(Metric("m9"))))
    bridge._optimization_config = None
    with pytest.raises(UserInputError, match="generation needs an optimization config, got None"):
        bridge.gen(1)


def test_relative_constraints_need_a_status_quo() -> None:
    exp, data = float_experiment(relative=True)
    bridge = TorchModelBridge(
        exp.search_space, FakeArrayModel(), [*CONT_X_TRANS, *Y_TRANS], experiment=exp, data=data
    )
    with pytest.raises(
        UserInputError, match=r"Derelativize: outcome constraint OutcomeConstraint\(m2 <= 10.0%\)"
    ):
        bridge.gen(1)


def test_relative_constraints_with_a_status_quo() -> None:
    exp, data = float_experiment(relative=True, status_quo={"x1": 0.2, "x2": 1.0})
    bridge = TorchModelBridge(
        exp.search_space, FakeArrayModel(), [*CONT_X_TRANS, *Y_TRANS], experiment=exp, data=data
    )
    assert bridge.status_quo is not None
    sq_means, _ = bridge.predict([bridge.status_quo.features])
    bridge.gen(1)
    _, b = bridge.model.calls["gen"]["outcome_constraints"]  # type: ignore[attr-defined]
    sy = bridge.transforms["StandardizeY"]
    absolute = 1.1 * sq_means["m2"][0]
    assert b[0, 0] == pytest.approx((absolute - sy.Ymean["m2"]) / sy.Ystd["m2"])  # type: ignore[attr-defined]


def test_torch_bridge_module_does_not_import_torch() -> None:
    code = "import sys, ax.modelbridge.torch, ax.modelbridge.base; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_gp_feature_importances_rank_the_inputs_that_matter() -> None:
    """Inverse lengthscales of the GP, mapped back to parameters (one-hot columns summed)."""
    from ax.core.arm import Arm
    from ax.core.data import Data
    from ax.core.experiment import Experiment
    from ax.core.metric import Metric
    from ax.core.objective import Objective
    from ax.core.optimization_config import OptimizationConfig
    from ax.core.parameter import ChoiceParameter, RangeParameter
    from ax.core.search_space import SearchSpace
    from ax.core.types import ParameterType
    from ax.modelbridge.registry import Models

    space = SearchSpace(
        [
            RangeParameter("fast", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("slow", ParameterType.FLOAT, 0.0, 1.0),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b", "c"]),
        ]
    )
    exp = Experiment(
        space, name="fi", optimization_config=OptimizationConfig(Objective(Metric("m")))
    )
    rng = np.random.default_rng(0)
    for i in range(24):
        params = {"fast": float(rng.random()), "slow": float(rng.random()), "c": "abc"[i % 3]}
        trial = exp.new_trial().add_arm(Arm(params))
        trial.mark_running(no_runner_required=True)
        value = math.sin(12 * params["fast"]) + 0.01 * params["slow"]
        exp.attach_data(Data.from_evaluations({trial.arm.name: {"m": (value, 0.0)}}, trial.index))  # type: ignore[union-attr]
        trial.mark_completed()
    bridge = Models.GPEI(experiment=exp, data=exp.lookup_data(), options={"num_restarts": 2})
    importances = bridge.feature_importances("m")
    assert set(importances) == {"fast", "slow", "c"}
    assert importances["fast"] > 5 * importances["slow"]
    with pytest.raises(UserInputError, match="not fitted on metric 'other'"):
        bridge.feature_importances("other")


def test_mixed_known_and_unknown_noise_is_inferred_for_the_metric(caplog: Any) -> None:
    # A metric recorded first with an SEM, then with None (the README's developer-API
    # walk-through): the bridge hands the model all-NaN variances for that metric (noise
    # inferred from every point), logs why, and leaves a fully known metric alone.
    exp, _ = float_experiment(n_trials=4)
    rows = []
    for trial in exp.trials.values():
        arm = trial.arms[0]
        sem_m1 = 0.1 if trial.index == 0 else None
        rows.append({arm.name: {"m1": (f1(arm.parameters), sem_m1), "m2": (1.0, 0.2)}})
    data = Data.from_multiple_data(
        [Data.from_evaluations(r, trial_index=i) for i, r in enumerate(rows)]
    )
    with caplog.at_level("INFO", logger="ax"):
        bridge = TorchModelBridge(
            exp.search_space,
            FakeArrayModel(),
            transforms=CONT_X_TRANS + Y_TRANS,
            experiment=exp,
            data=data,
            optimization_config=make_config(),
        )
    fit = bridge.model.calls["fit"]  # type: ignore[attr-defined]
    m1, m2 = fit["Yvars"]
    assert np.isnan(m1).all() and m1.shape == (4,)
    assert np.isfinite(m2).all() and (m2 > 0).all()
    assert any(
        "'m1': 3 of 4 observations have no known noise" in r.getMessage() for r in caplog.records
    )


def test_gp_step_after_known_then_unknown_noise_generates() -> None:
    # End to end with the real GP: one trial with an SEM, then Sobol trials recorded with
    # None; the GP step used to fail with "mix known variances and NaN".
    from ax.core.experiment import Experiment
    from ax.modelbridge.dispatch_utils import choose_generation_strategy
    from tests.modelbridge import float_search_space

    exp = Experiment(float_search_space(), name="noise", optimization_config=make_config())
    strategy = choose_generation_strategy(exp.search_space, random_seed=0)
    for i in range(7):
        trial = exp.new_trial(generator_run=strategy.gen(exp))
        trial.mark_running(no_runner_required=True)
        arm = trial.arms[0]
        sem = 0.01 if i == 0 else None
        exp.attach_data(
            Data.from_evaluations(
                {arm.name: {"m1": (f1(arm.parameters), sem), "m2": (1.0, sem)}}, trial.index
            )
        )
        trial.mark_completed()
    keys = [t.generator_run.model_key for t in exp.trials.values()]  # type: ignore[union-attr]
    assert keys[:5] == ["Sobol"] * 5 and keys[5:] == ["GPEI", "GPEI"]
