"""ax.plot.pareto and the multi-objective parts of the report and of ``ax show``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import ax
from ax.cli import main
from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.generator_run import GeneratorRun
from ax.plot.hypervolume import hypervolume
from ax.plot.pareto import (
    REFERENCE_FROM_DATA,
    REFERENCE_FROM_MODEL,
    REFERENCE_FROM_THRESHOLD,
    observed_frontier,
    tradeoff_table,
)
from ax.plot.pareto_figures import NO_FRONTIER, hypervolume_figure, pareto_figure
from ax.plot.report import (
    HYPERVOLUME_DIV_ID,
    PARETO_DIV_ID,
    TRACE_DIV_ID,
    TRADEOFF_TABLE_ID,
    experiment_report_html,
)
from ax.utils.testing.core_stubs import get_experiment_with_trials
from ax.utils.testing.multi_objective_stubs import (
    get_multi_objective_experiment,
    get_multi_objective_optimization_config,
    multi_objective_values,
)


def _add(experiment: ax.Experiment, x: float, y: float, values: dict) -> None:
    arm = Arm({"x": x, "y": y})
    gr = GeneratorRun(arms=[arm], search_space=experiment.search_space, model_key="Sobol")
    trial = experiment.new_trial(generator_run=gr)
    trial.mark_running(no_runner_required=True).mark_completed()
    experiment.attach_data(Data.from_evaluations({arm.name: values}, trial.index))


def _empty() -> ax.Experiment:
    return get_multi_objective_experiment(0)


def test_frontier_marks_feasible_thresholded_and_pareto_points() -> None:
    experiment = _empty()
    _add(experiment, 0.1, 0.1, {"acc": (0.9, 0.0), "latency": (1.0, 0.0), "cost": (0.1, 0.0)})
    _add(experiment, 0.2, 0.1, {"acc": (0.5, 0.0), "latency": (0.6, 0.0), "cost": (0.1, 0.0)})
    _add(experiment, 0.3, 0.1, {"acc": (0.4, 0.0), "latency": (0.9, 0.0), "cost": (0.1, 0.0)})
    # Better than all, but breaks the outcome constraint cost <= 0.9.
    _add(experiment, 0.4, 0.1, {"acc": (1.0, 0.0), "latency": (0.1, 0.0), "cost": (2.0, 0.0)})
    # Feasible but misses the latency threshold (<= 1.5).
    _add(experiment, 0.5, 0.1, {"acc": (0.95, 0.0), "latency": (3.0, 0.0), "cost": (0.1, 0.0)})
    frontier = observed_frontier(experiment)
    assert frontier is not None
    assert frontier.objectives == ["acc", "latency"] and frontier.minimize == [False, True]
    by_trial = {p.trial_index: p for p in frontier.points}
    assert [by_trial[i].pareto for i in range(5)] == [True, True, False, False, False]
    assert not by_trial[3].feasible and by_trial[3].within_thresholds
    assert by_trial[4].feasible and not by_trial[4].within_thresholds
    assert [p.trial_index for p in frontier.pareto_points] == [0, 1]  # best acc first
    assert frontier.reference_point == {"acc": 0.2, "latency": 1.5}
    assert set(frontier.reference_source.values()) == {REFERENCE_FROM_THRESHOLD}
    # Hypervolume in the maximisation space (latency negated) above the thresholds.
    expected = hypervolume(np.array([[0.9, -1.0], [0.5, -0.6]]), [0.2, -1.5])
    assert frontier.hypervolume == pytest.approx(expected)
    assert [t for t, _ in frontier.trace] == [0, 1, 2, 3, 4]
    assert frontier.trace[0][1] == pytest.approx(0.7 * 0.5)
    header, rows = tradeoff_table(frontier)
    assert header == ["trial", "arm", "acc", "latency", "x", "y"]
    assert [r[0] for r in rows] == [0, 1] and rows[0][2] == 0.9


def test_reference_point_from_model_metadata_then_data() -> None:
    experiment = get_multi_objective_experiment(6)
    config = get_multi_objective_optimization_config(thresholds=False)
    experiment.optimization_config = config
    frontier = observed_frontier(experiment)
    assert frontier is not None
    assert set(frontier.reference_source.values()) == {REFERENCE_FROM_DATA}
    assert frontier.hypervolume > 0.0
    # A model run that reports the reference point it used wins over the data.
    arm = Arm({"x": 0.5, "y": 0.5})
    run = GeneratorRun(
        arms=[arm],
        search_space=experiment.search_space,
        model_key="MOO",
        gen_metadata={"objective_thresholds_original": {"acc": 0.05, "latency": 2.5}},
    )
    experiment.new_trial(generator_run=run)
    frontier = observed_frontier(experiment)
    assert frontier is not None
    assert frontier.reference_point == {"acc": 0.05, "latency": 2.5}
    assert set(frontier.reference_source.values()) == {REFERENCE_FROM_MODEL}


def test_single_objective_experiment_has_no_frontier() -> None:
    assert observed_frontier(get_experiment_with_trials(2)) is None
    assert pareto_figure(None).figure is None


def test_figures_and_notes() -> None:
    assert pareto_figure(observed_frontier(_empty())).note.startswith("No completed trial")
    assert hypervolume_figure(observed_frontier(_empty())).figure is None
    frontier = observed_frontier(get_multi_objective_experiment(8))
    result = pareto_figure(frontier)
    assert result.figure is not None and result.note == ""
    names = {trace.name for trace in result.figure.data}
    assert "Pareto frontier" in names
    assert hypervolume_figure(frontier).figure is not None
    # Everything infeasible: the points are drawn, and the note says there is no frontier.
    experiment = _empty()
    _add(experiment, 0.1, 0.1, {"acc": (0.9, 0.0), "latency": (1.0, 0.0), "cost": (5.0, 0.0)})
    result = pareto_figure(observed_frontier(experiment))
    assert result.figure is not None and result.note == NO_FRONTIER


def test_three_objectives_get_one_panel_per_pair() -> None:
    experiment = get_multi_objective_experiment(0)
    config = ax.MultiObjectiveOptimizationConfig(
        ax.MultiObjective(
            [
                ax.Objective(ax.Metric("acc"), minimize=False),
                ax.Objective(ax.Metric("latency"), minimize=True),
                ax.Objective(ax.Metric("cost"), minimize=True),
            ]
        )
    )
    experiment.optimization_config = config
    rng = np.random.default_rng(1)
    for x, y in rng.random((6, 2)).tolist():
        _add(experiment, x, y, multi_objective_values(x, y))
    frontier = observed_frontier(experiment)
    assert frontier is not None and frontier.hypervolume > 0
    result = pareto_figure(frontier)
    assert result.figure is not None
    assert len(result.figure.layout.annotations) == 3  # three subplot titles


def test_report_has_pareto_tradeoffs_and_hypervolume(tmp_path: Path) -> None:
    experiment = get_multi_objective_experiment(8)
    text = experiment_report_html(experiment)
    for marker in (PARETO_DIV_ID, HYPERVOLUME_DIV_ID, TRADEOFF_TABLE_ID):
        assert f'id="{marker}"' in text
    assert TRACE_DIV_ID not in text
    assert "acc (maximize), threshold acc &gt;= 0.2; latency (minimize)" in text
    assert "Hypervolume of the observed frontier" in text
    frontier = observed_frontier(experiment)
    assert frontier is not None
    tradeoff = text.split(f'id="{TRADEOFF_TABLE_ID}"', 1)[1].split("</table>", 1)[0]
    assert tradeoff.count("<tr>") == len(frontier.pareto_points) + 1
    # Pareto rows are highlighted in the trials table.
    trials = text.split('id="ax-trials"', 1)[1]
    assert trials.count('class="best"') == len(frontier.pareto_points)


def test_report_of_scalarized_objective_names_the_weights() -> None:
    text = experiment_report_html(get_multi_objective_experiment(3, scalarized=True))
    assert "maximize 1 * acc + -0.5 * latency" in text
    assert "several metrics: no single objective to trace" in text


def test_cli_show_and_report_of_a_multi_objective_experiment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "moo.json"
    ax.save(get_multi_objective_experiment(8), str(path))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Objectives: acc (maximize), threshold 0.2, latency (minimize), threshold 1.5" in out
    assert "Reference point: acc=0.2 (threshold), latency=1.5 (threshold)" in out
    assert "Hypervolume: " in out and "Pareto frontier (" in out
    report = tmp_path / "moo.html"
    assert main(["report", str(path), "-o", str(report)]) == 0
    assert f'id="{PARETO_DIV_ID}"' in report.read_text()


def test_plot_functions_return_figures_or_say_why_not() -> None:
    from ax.exceptions import NoDataError, UnsupportedError
    from ax.plot import plot_hypervolume_trace, plot_pareto_frontier

    experiment = get_multi_objective_experiment(5)
    assert plot_pareto_frontier(experiment).data
    assert plot_hypervolume_trace(experiment).data
    with pytest.raises(NoDataError, match="plot_pareto_frontier: No completed trial"):
        plot_pareto_frontier(_empty())
    with pytest.raises(UnsupportedError, match="is not multi-objective"):
        plot_hypervolume_trace(get_experiment_with_trials(2))


def test_relative_threshold_is_resolved_against_the_status_quo() -> None:
    from ax.core.metric import Metric
    from ax.core.outcome_constraint import ObjectiveThreshold
    from ax.core.types import ComparisonOp

    experiment = _empty()
    config = get_multi_objective_optimization_config(thresholds=False, constraint=False)
    config.objective_thresholds = [
        ObjectiveThreshold(Metric("acc"), -50.0, relative=True, op=ComparisonOp.GEQ)
    ]
    experiment.optimization_config = config
    experiment.status_quo = Arm({"x": 0.5, "y": 0.5}, name="status_quo")
    trial = experiment.new_trial().add_arm(experiment.status_quo)
    trial.mark_running(no_runner_required=True).mark_completed()
    experiment.attach_data(
        Data.from_evaluations({"status_quo": {"acc": (0.8, 0.0), "latency": (1.0, 0.0)}}, 0)
    )
    _add(experiment, 0.1, 0.1, {"acc": (0.3, 0.0), "latency": (0.2, 0.0)})  # below 0.4
    frontier = observed_frontier(experiment)
    assert frontier is not None
    assert frontier.thresholds == {"acc": pytest.approx(0.4)}
    assert frontier.reference_source["acc"] == REFERENCE_FROM_THRESHOLD
    by_arm = {p.arm_name: p for p in frontier.points}
    assert by_arm["status_quo"].pareto and not by_arm["1_0"].within_thresholds


def test_is_satisfied_by() -> None:
    from ax.core.metric import Metric
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.types import ComparisonOp

    absolute = OutcomeConstraint(Metric("c"), ComparisonOp.LEQ, 1.0, relative=False)
    assert absolute.is_satisfied_by(1.0) and not absolute.is_satisfied_by(1.5)
    relative = OutcomeConstraint(Metric("c"), ComparisonOp.GEQ, -10.0, relative=True)
    assert relative.is_satisfied_by(9.5, 10.0) and not relative.is_satisfied_by(8.0, 10.0)
    assert not relative.is_satisfied_by(9.5) and not relative.is_satisfied_by(9.5, 0.0)


def test_cli_show_of_a_scalarized_objective(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "scalarized.json"
    ax.save(get_multi_objective_experiment(4, scalarized=True), str(path))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Objective: maximize 1 * acc + -0.5 * latency" in out
    assert "Best point: x=" in out
