"""What the report and ``ax show`` read from an experiment: rows, best point, text table."""

from __future__ import annotations

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.metric import Metric
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.types import ComparisonOp
from ax.plot.exp_utils import (
    arm_rows,
    best_observed,
    format_text_table,
    format_value,
    trials_table,
)
from tests.plot import POINTS, make_experiment, quadratic


def test_arm_rows_and_table() -> None:
    experiment = make_experiment()
    rows = arm_rows(experiment)
    assert [r.arm_name for r in rows] == [f"{i}_0" for i in range(len(POINTS))]
    assert rows[0].means == {"m": quadratic(POINTS[0]), "other": -quadratic(POINTS[0])}
    header, body = trials_table(experiment)
    assert header == ["trial", "status", "arm", "generator", "x1", "x2", "x3", "c", "m", "other"]
    assert body[0][:4] == ["0", "COMPLETED", "0_0", ""]
    assert body[0][4:8] == ["-4", "1", "2", "a"]


def test_best_observed_prefers_feasible_arms() -> None:
    experiment = make_experiment()
    assert best_observed(experiment).arm_name == "2_0"  # type: ignore[union-attr]
    config = experiment.optimization_config
    assert config is not None
    # other = -m, so "other >= -5" excludes every arm with m > 5: arm 2_0 (m=1) stays best;
    # "other <= -10" keeps only arms with m >= 10, the best of which is 4_0 (m=13.5).
    config.outcome_constraints = [
        OutcomeConstraint(Metric("other"), ComparisonOp.LEQ, -10.0, relative=False)
    ]
    assert best_observed(experiment).arm_name == "4_0"  # type: ignore[union-attr]
    # No arm is feasible: the best overall is returned.
    config.outcome_constraints = [
        OutcomeConstraint(Metric("other"), ComparisonOp.GEQ, 100.0, relative=False)
    ]
    assert best_observed(experiment).arm_name == "2_0"  # type: ignore[union-attr]


def test_best_observed_relative_constraint_uses_status_quo_of_the_trial() -> None:
    experiment = make_experiment(points=[])
    experiment.status_quo = Arm({"x1": 0.0, "x2": 0.0, "x3": 1, "c": "a"}, name="sq")
    batch = experiment.new_batch_trial().add_arms_and_weights(
        [
            Arm({"x1": 1.0, "x2": 1.0, "x3": 1, "c": "a"}, name="a"),
            Arm({"x1": 2.0, "x2": 2.0, "x3": 1, "c": "a"}, name="b"),
        ]
    )
    batch.set_status_quo_with_weight(experiment.status_quo, 1.0)
    batch.mark_running(no_runner_required=True)
    experiment.attach_data(
        Data.from_evaluations(
            {
                "sq": {"m": (10.0, 0.0), "other": (10.0, 0.0)},
                "a": {"m": (1.0, 0.0), "other": (20.0, 0.0)},  # other +100 %: infeasible
                "b": {"m": (2.0, 0.0), "other": (10.5, 0.0)},  # other +5 %: feasible
            },
            trial_index=batch.index,
        )
    )
    batch.mark_completed()
    config = experiment.optimization_config
    assert config is not None
    config.outcome_constraints = [
        OutcomeConstraint(Metric("other"), ComparisonOp.LEQ, 10.0, relative=True)
    ]
    assert best_observed(experiment).arm_name == "b"  # type: ignore[union-attr]


def test_format_text_table_aligns_columns() -> None:
    text = format_text_table(["name", "value"], [["a", "1.5"], ["long name", "-10"]])
    lines = text.splitlines()
    assert lines[0] == "name       value"
    assert lines[1] == "---------  -----"
    assert lines[2] == "a            1.5"
    assert lines[3] == "long name    -10"
    assert (
        format_value(None) == "" and format_value(1 / 3) == "0.333333" and format_value("s") == "s"
    )
