from __future__ import annotations

from typing import Any

import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from tests.core.conftest import make_config, make_search_space, params


def _run(exp: Experiment, x: float) -> Any:
    trial = exp.new_trial().add_arm(Arm(params(x)))
    trial.mark_running(no_runner_required=True)
    return trial


def test_basic_properties(experiment: Experiment) -> None:
    assert experiment.name == "exp" and experiment.has_name
    assert set(experiment.parameters) == {"x", "y", "c", "f"}
    assert list(experiment.metrics) == ["m1", "m2"] or set(experiment.metrics) == {"m1", "m2"}
    assert experiment.is_simple_experiment is False
    assert repr(experiment) == "Experiment(exp)"
    nameless = Experiment(make_search_space())
    with pytest.raises(UserInputError, match="name is None"):
        _ = nameless.name
    with pytest.raises(UserInputError, match="name must be a non-empty string"):
        nameless.name = ""


def test_search_space_type_checked() -> None:
    with pytest.raises(UserInputTypeError, match="search_space must be a SearchSpace, got dict"):
        Experiment({"x": 1})  # type: ignore[arg-type]


def test_search_space_change_rules(experiment: Experiment) -> None:
    narrower = SearchSpace([RangeParameter("x", ParameterType.FLOAT, 0.0, 0.5)])
    experiment.search_space = narrower  # allowed: no trials yet
    experiment.search_space = make_search_space()
    _run(experiment, 0.1)
    with pytest.raises(UserInputError, match="must keep the parameters"):
        experiment.search_space = narrower
    changed_type = SearchSpace(
        [
            RangeParameter("x", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("y", ParameterType.FLOAT, 0.0, 10.0),
            ChoiceParameter("c", ParameterType.STRING, ["a", "b", "c"]),
            FixedParameter("f", ParameterType.BOOL, True),
        ]
    )
    with pytest.raises(UserInputError, match="parameter 'y' must keep type INT, got FLOAT"):
        experiment.search_space = changed_type
    assert experiment.search_space.parameters["y"].parameter_type is ParameterType.INT


def test_tracking_metrics(experiment: Experiment) -> None:
    experiment.add_tracking_metric(Metric("t1"))
    with pytest.raises(UserInputError, match="metric 't1' is already tracked"):
        experiment.add_tracking_metric(Metric("t1"))
    with pytest.raises(UserInputError, match="metric 'm1' is already in the optimization config"):
        experiment.add_tracking_metric(Metric("m1"))
    with pytest.raises(UserInputError, match="metric 't1' is already tracked"):
        experiment.add_tracking_metrics([Metric("t2"), Metric("t1")])
    assert [m.name for m in experiment.tracking_metrics] == ["t1"]  # t2 not added either
    experiment.update_tracking_metric(Metric("t1", lower_is_better=True))
    assert experiment.metrics["t1"].lower_is_better is True
    with pytest.raises(UserInputError, match="metric 'zz' is not tracked"):
        experiment.remove_tracking_metric("zz")
    experiment.remove_tracking_metric("t1")
    assert "t1" not in experiment.metrics


def test_optimization_config_absorbs_tracking_metric() -> None:
    exp = Experiment(make_search_space(), name="e", tracking_metrics=[Metric("m1"), Metric("t")])
    exp.optimization_config = make_config()
    assert [m.name for m in exp.tracking_metrics] == ["t"]
    with pytest.raises(
        UserInputTypeError, match="optimization_config must be an OptimizationConfig"
    ):
        exp.optimization_config = Objective(Metric("m"))  # type: ignore[assignment]


def test_status_quo_naming_and_registration() -> None:
    exp = Experiment(make_search_space(), name="e", status_quo=Arm(params(0.5)))
    assert exp.status_quo is not None and exp.status_quo.name == "status_quo"
    assert "status_quo" in exp.arms_by_name
    exp.status_quo = Arm(params(0.6))
    assert exp.status_quo.name == "status_quo"  # the old one was unregistered
    exp.new_trial().add_arm(exp.status_quo)
    exp.status_quo = Arm(params(0.7))
    assert exp.status_quo.name == "status_quo_e0"  # the old one is used by a trial
    with pytest.raises(UserInputError):
        exp.status_quo = Arm({**params(), "zz": 1})


def test_out_of_design_status_quo_allowed() -> None:
    exp = Experiment(make_search_space(), name="e")
    exp.status_quo = exp.search_space.out_of_design_arm()
    assert exp.status_quo is not None and exp.status_quo.name == "status_quo"


def test_trial_queries(experiment: Experiment) -> None:
    t0 = _run(experiment, 0.1)
    t1 = experiment.new_trial().add_arm(Arm(params(0.2)))
    t2 = _run(experiment, 0.3)
    t2.mark_completed()
    assert experiment.num_trials == 3
    assert set(experiment.trials) == {0, 1, 2}
    assert experiment.trial_indices_by_status[TrialStatus.RUNNING] == {0}
    assert experiment.trials_by_status[TrialStatus.CANDIDATE] == [t1]
    assert experiment.trials_expecting_data == [t0, t2]
    assert experiment.get_trials_by_indices([2, 0]) == [t2, t0]
    with pytest.raises(UserInputError, match=r"no trials with indices \[7\]"):
        experiment.get_trials_by_indices([7])
    assert experiment.sum_trial_sizes == 3


def test_attach_and_lookup_data_versions(experiment: Experiment) -> None:
    _run(experiment, 0.1)
    d1 = Data.from_evaluations({"0_0": {"m1": (1.0, 0.1)}}, trial_index=0)
    d2 = Data.from_evaluations({"0_0": {"m1": (2.0, 0.1)}}, trial_index=0)
    ts1 = experiment.attach_data(d1)
    ts2 = experiment.attach_data(d2)
    assert ts2 > ts1  # never overwritten, even within one millisecond
    assert list(experiment.data_by_trial[0]) == [ts1, ts2]
    latest, ts = experiment.lookup_data_for_trial(0)
    assert ts == ts2 and latest == d2
    assert experiment.lookup_data_for_ts(ts1) == d1
    empty, missing_ts = experiment.lookup_data_for_trial(5)
    assert len(empty) == 0 and missing_ts == -1


def test_attach_data_combine_with_last(experiment: Experiment) -> None:
    _run(experiment, 0.1)
    experiment.attach_data(Data.from_evaluations({"0_0": {"m1": (1.0, 0.1)}}, trial_index=0))
    experiment.attach_data(
        Data.from_evaluations({"0_0": {"m2": (5.0, 0.1)}}, trial_index=0),
        combine_with_last_data=True,
    )
    latest, _ = experiment.lookup_data_for_trial(0)
    assert sorted(latest.metric_names) == ["m1", "m2"]
    assert len(experiment.data_by_trial[0]) == 1
    with pytest.raises(UserInputError, match=r"would repeat \(arm, metric\) rows"):
        experiment.attach_data(
            Data.from_evaluations({"0_0": {"m2": (6.0, 0.1)}}, trial_index=0),
            combine_with_last_data=True,
        )
    assert experiment.lookup_data_for_trial(0)[0] == latest


@pytest.mark.parametrize(
    "evaluations, trial_index, match",
    [
        ({"0_0": {"m1": (1.0, 0.1)}}, 3, "trial_index 3, which the experiment does not have"),
        ({"9_9": {"m1": (1.0, 0.1)}}, 0, r"arm\(s\) \['9_9'\] for trial 0"),
    ],
)
def test_attach_data_for_unknown_trial_or_arm_rejected(
    experiment: Experiment, evaluations: dict, trial_index: int, match: str
) -> None:
    _run(experiment, 0.1)
    with pytest.raises(UserInputError, match=match):
        experiment.attach_data(Data.from_evaluations(evaluations, trial_index=trial_index))
    assert experiment.data_by_trial == {}


def test_attach_empty_data_rejected(experiment: Experiment) -> None:
    with pytest.raises(UserInputError, match="data to attach is empty"):
        experiment.attach_data(Data())


def test_nan_mean_rejected_before_reaching_experiment(experiment: Experiment) -> None:
    _run(experiment, 0.1)
    with pytest.raises(UserInputError, match="mean"):
        experiment.attach_data(
            Data.from_evaluations({"0_0": {"m1": (float("nan"), 0.1)}}, trial_index=0)
        )
    with pytest.raises(UserInputError, match="mean"):
        Data.from_evaluations({"0_0": {"m1": (float("inf"), 0.1)}}, trial_index=0)
    assert experiment.data_by_trial == {}


def test_fetch_data_uses_attached_data_and_custom_metrics(experiment: Experiment) -> None:
    t0 = _run(experiment, 0.1)
    experiment.attach_data(
        Data.from_evaluations({"0_0": {"m1": (1.0, 0.1), "m2": (2.0, 0.2)}}, trial_index=0)
    )

    class Constant(Metric):
        def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
            return Data.from_evaluations(
                {arm.name: {self.name: (42.0, 0.0)} for arm in trial.arms}, trial.index
            )

    experiment.add_tracking_metric(Constant("const"))
    data = experiment.fetch_data()
    assert sorted(data.metric_names) == ["const", "m1", "m2"]
    only = experiment.fetch_trials_data([0], metrics=[Metric("m1")])
    assert only.metric_names == ["m1"]
    assert t0.fetch_data(metrics=[Metric("m2")]).columns["mean"].tolist() == [2.0]
    # A candidate trial is not fetched live.
    experiment.new_trial().add_arm(Arm(params(0.2)))
    assert sorted(experiment.fetch_data().trial_indices) == [0]


def test_fetch_without_metrics_raises() -> None:
    exp = Experiment(make_search_space(), name="e")
    with pytest.raises(UserInputError, match="no metrics to fetch"):
        exp.fetch_data()


def test_reset_runners(experiment: Experiment) -> None:
    from tests.core.test_trial import RecordingRunner

    t0 = experiment.new_trial()
    t1 = _run(experiment, 0.2)
    runner = RecordingRunner()
    experiment.reset_runners(runner)
    assert t0.runner is runner and t1.runner is None and experiment.runner is runner


def test_equality_is_structural() -> None:
    a = Experiment(make_search_space(), name="e", optimization_config=make_config())
    b = Experiment(make_search_space(), name="e", optimization_config=make_config())
    b._time_created = a._time_created
    assert a == b
    b.description = "different"
    assert a != b
    c = Experiment(
        make_search_space(),
        name="e",
        optimization_config=OptimizationConfig(Objective(Metric("other"))),
    )
    c._time_created = a._time_created
    assert a != c
