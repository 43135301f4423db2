"""A user's own classes for the SQAConfig tests (importable from a fresh process)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ax.core.data import Data
from ax.core.metric import Metric
from ax.core.runner import Runner


class Threshold:
    """A plain object a custom metric takes (stored through json_encoder_registry)."""

    def __init__(self, value: float, unit: str = "ms") -> None:
        self.value = value
        self.unit = unit

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Threshold) and (self.value, self.unit) == (other.value, other.unit)


class LatencyMetric(Metric):
    def __init__(
        self, name: str, threshold: Threshold, lower_is_better: Optional[bool] = True
    ) -> None:
        super().__init__(name=name, lower_is_better=lower_is_better)
        self.threshold = threshold

    def fetch_trial_data(self, trial: Any, **kwargs: Any) -> Data:
        return Data()


class ClusterRunner(Runner):
    def __init__(self, queue: str) -> None:
        self.queue = queue

    def run(self, trial: Any) -> Dict[str, Any]:
        return {"queue": self.queue}


def threshold_fields(threshold: Threshold) -> Dict[str, Any]:
    return {"value": threshold.value, "unit": threshold.unit}


def make_config() -> Any:
    from ax.storage.sqa_store.sqa_config import SQAConfig

    return SQAConfig(
        metric_registry={LatencyMetric: 4242},
        runner_registry={ClusterRunner: None},
        json_encoder_registry={Threshold: threshold_fields},
        json_decoder_registry={"Threshold": Threshold},
    )
