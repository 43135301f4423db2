"""Tests of the closed JSON registry and the metric/runner registries."""

from __future__ import annotations

import inspect
import json
import zlib
from typing import Any, Dict, Optional

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.runner import Runner
from ax.exceptions import JSONDecodeError, JSONEncodeError, UserInputError, UserInputTypeError
from ax.runners.synthetic import SyntheticRunner
from ax.storage import metric_registry, runner_registry
from ax.storage.json_store import data_table, decoder, experiment_decoder, registry
from ax.storage.json_store.load import loads
from ax.storage.json_store.save import dumps
from ax.storage.metric_registry import METRIC_REGISTRY, REVERSE_METRIC_REGISTRY, register_metric
from ax.storage.runner_registry import REVERSE_RUNNER_REGISTRY, RUNNER_REGISTRY, register_runner
from ax.utils.testing.core_stubs import get_experiment_with_trials


class ThresholdMetric(Metric):
    """A custom metric with an extra constructor argument."""

    def __init__(
        self,
        name: str,
        threshold: float,
        tags: Optional[Dict[str, Any]] = None,
        lower_is_better: Optional[bool] = None,
    ) -> None:
        super().__init__(name, lower_is_better=lower_is_better)
        self.threshold = threshold
        self.tags = tags


class QueueRunner(Runner):
    """A custom runner with constructor arguments."""

    def __init__(self, queue: str, priority: int = 0) -> None:
        self.queue = queue
        self.priority = priority

    def run(self, trial: Any) -> Dict[str, Any]:
        return {"name": f"{self.queue}-{trial.index}"}


class NeverRegisteredMetric(Metric):
    pass


class NeverRegisteredRunner(Runner):
    def run(self, trial: Any) -> Dict[str, Any]:
        return {}


def _experiment_with(metric: Metric, runner: Runner) -> Experiment:
    experiment = get_experiment_with_trials(2)
    experiment.add_tracking_metric(metric)
    experiment.runner = runner
    trial = experiment.new_trial().add_arm(Arm({f"x{i}": 0.25 for i in range(6)}))
    trial.run()
    return experiment


def test_registered_custom_metric_and_runner_round_trip() -> None:
    assert register_metric(ThresholdMetric) == zlib.crc32(b"ThresholdMetric") % 10**5
    assert register_runner(QueueRunner, val=4242) == 4242
    experiment = _experiment_with(
        ThresholdMetric("t", threshold=0.5, tags={"team": ("a", 1)}, lower_is_better=True),
        QueueRunner("gpu", priority=3),
    )
    text = dumps(experiment)
    document = json.loads(text)
    metric = document["experiment"]["tracking_metrics"][-1]
    assert metric == {
        "__type": "ThresholdMetric",
        "name": "t",
        "threshold": 0.5,
        "tags": {"team": {"__type": "tuple", "value": ["a", 1]}},
        "lower_is_better": True,
    }
    loaded = loads(text)
    assert loaded == experiment
    assert type(loaded.metrics["t"]) is ThresholdMetric
    assert type(loaded.runner) is QueueRunner and loaded.runner.priority == 3
    assert loaded.trials[2].runner is loaded.runner  # ExperimentRef


def test_registering_records_stable_integer_ids() -> None:
    register_metric(ThresholdMetric)
    expected = zlib.crc32(b"ThresholdMetric") % 10**5
    assert METRIC_REGISTRY[ThresholdMetric] == expected
    assert REVERSE_METRIC_REGISTRY[expected] is ThresholdMetric
    assert METRIC_REGISTRY[Metric] == 0
    assert RUNNER_REGISTRY[SyntheticRunner] == 0 and REVERSE_RUNNER_REGISTRY[0] is SyntheticRunner
    assert registry.stable_type_id(ThresholdMetric) == expected


def test_registering_again_is_idempotent() -> None:
    first = register_metric(ThresholdMetric)
    assert register_metric(ThresholdMetric) == first
    assert register_metric(ThresholdMetric, val=first) == first


def test_registering_with_another_id_is_rejected() -> None:
    current = register_metric(ThresholdMetric)
    with pytest.raises(UserInputError, match=rf"already registered with id {current}, got val=7"):
        register_metric(ThresholdMetric, val=7)


def test_a_name_clash_with_another_class_is_rejected() -> None:
    register_metric(ThresholdMetric)
    clash = type("ThresholdMetric", (Metric,), {})
    with pytest.raises(
        UserInputError,
        match=r"as 'ThresholdMetric': that name is already used by .*ThresholdMetric",
    ):
        register_metric(clash, val=99901)
    assert METRIC_REGISTRY.get(clash) is None and 99901 not in REVERSE_METRIC_REGISTRY


def test_a_clash_with_a_core_type_name_is_rejected() -> None:
    impostor = type("Arm", (Metric,), {})
    with pytest.raises(UserInputError, match=r"as 'Arm': that name is already used by ax\.core"):
        register_metric(impostor, val=99902)


def test_an_id_clash_is_rejected() -> None:
    register_runner(QueueRunner, val=4242)
    other = type("OtherQueueRunner", (QueueRunner,), {})
    with pytest.raises(UserInputError, match=r"id 4242 is already used by .*QueueRunner"):
        register_runner(other, val=4242)
    assert "OtherQueueRunner" not in registry.REGISTRY


@pytest.mark.parametrize(
    "function, cls, message",
    [
        (register_metric, QueueRunner, r"register_metric: expected a subclass of Metric, got"),
        (register_runner, ThresholdMetric, r"register_runner: expected a subclass of Runner"),
        (register_metric, "ThresholdMetric", r"expected a subclass of Metric, got 'Threshold"),
    ],
)
def test_registering_a_non_subclass_is_rejected(function: Any, cls: Any, message: str) -> None:
    with pytest.raises(UserInputTypeError, match=message):
        function(cls)


@pytest.mark.parametrize("val", [-1, 1.5, True, "3"])
def test_an_invalid_id_is_rejected(val: Any) -> None:
    with pytest.raises(UserInputError, match=r"val must be a non-negative int or None, got val="):
        register_metric(ThresholdMetric, val=val)


def test_unregistered_metric_error_says_how_to_register() -> None:
    experiment = get_experiment_with_trials(1)
    experiment.add_tracking_metric(NeverRegisteredMetric("n"))
    with pytest.raises(JSONEncodeError) as info:
        dumps(experiment)
    message = str(info.value)
    assert "experiment.tracking_metrics[1]" in message
    assert "NeverRegisteredMetric" in message
    assert "ax.storage.metric_registry.register_metric(NeverRegisteredMetric)" in message


def test_unregistered_runner_error_says_how_to_register() -> None:
    experiment = get_experiment_with_trials(1)
    experiment.trials[0]._runner = NeverRegisteredRunner()
    with pytest.raises(
        JSONEncodeError,
        match=r"experiment\.trials\[0\]\.runner: cannot encode an object of class "
        r".*NeverRegisteredRunner.*register_runner\(NeverRegisteredRunner\)",
    ):
        dumps(experiment)


def test_loading_an_unregistered_class_fails_with_the_type_name() -> None:
    register_metric(ThresholdMetric)
    experiment = get_experiment_with_trials(1)
    experiment.add_tracking_metric(ThresholdMetric("t", threshold=1.0))
    text = dumps(experiment).replace('"ThresholdMetric"', '"NotRegisteredAnywhere"')
    with pytest.raises(
        JSONDecodeError,
        match=r"experiment\.tracking_metrics\[1\]: unknown type 'NotRegisteredAnywhere'",
    ):
        loads(text)


def test_every_core_class_is_registered() -> None:
    names = set(registry.REGISTRY)
    expected = {
        "Arm", "RangeParameter", "ChoiceParameter", "FixedParameter", "ParameterConstraint",
        "OrderConstraint", "SumConstraint", "SearchSpace", "Metric", "Objective",
        "OutcomeConstraint", "OptimizationConfig", "Data", "GeneratorRun",
        "GeneratorRunStruct", "AbandonedArm", "Trial", "BatchTrial", "Experiment",
        "SimpleExperiment", "SyntheticRunner", "ParameterType", "ComparisonOp", "TrialStatus",
        "GeneratorRunType", "datetime", "float", "tuple", "dict", "ndarray", "ExperimentRef",
        "ExperimentData",
    }  # fmt: skip
    assert expected <= names
    for name, entry in registry.REGISTRY.items():
        if entry.cls is not None and name in expected:
            assert entry.cls.__name__ == name


def test_decoding_code_never_imports_by_name_or_evaluates() -> None:
    for module in (
        decoder,
        experiment_decoder,
        data_table,
        registry,
        metric_registry,
        runner_registry,
    ):
        source = inspect.getsource(module)
        for forbidden in ("import_module", "__import__", "eval(", "exec(", "pickle.", "getattr("):
            assert forbidden not in source, f"{module.__name__} uses {forbidden}"
