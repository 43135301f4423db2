"""experiment_report_html / save_report: one self-contained, escaped HTML page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType
from ax.exceptions import StorageError, UserInputTypeError
from ax.plot.report import (
    CONTOUR_DIV_ID,
    PARAMETERS_DIV_ID,
    TABLE_ID,
    TRACE_DIV_ID,
    experiment_report_html,
    save_report,
)
from tests.plot import POINTS, NoPredictBridge, make_bridge, make_experiment, quadratic

PLOTLY_BUNDLE_MARKER = "plotly.js v"  # the licence banner at the top of the inlined bundle


def _tbody_rows(text: str) -> list:
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body)


def test_report_is_self_contained_with_trace_parameters_and_table() -> None:
    experiment = make_experiment(name="demo")
    text = experiment_report_html(experiment)
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert text.count(PLOTLY_BUNDLE_MARKER) == 1  # plotly.js inlined exactly once
    assert '<script src="http' not in text and "<link " not in text
    assert f'id="{TRACE_DIV_ID}"' in text and f'id="{PARAMETERS_DIV_ID}"' in text
    assert CONTOUR_DIV_ID not in text  # no model given
    assert f'<table id="{TABLE_ID}">' in text
    rows = _tbody_rows(text)
    assert len(rows) == len(POINTS)
    assert '<th scope="col">x1</th>' in text and '<th scope="col">other</th>' in text
    # The best arm (minimum of the quadratic: POINTS[2]) is highlighted and summarised.
    best = [r for r in rows if 'class="best"' in r]
    assert len(best) == 1 and "<td>2_0</td>" in best[0]
    assert f"m = {quadratic(POINTS[2]):g} at arm 2_0 (trial 2)" in text
    assert "<title>Experiment demo</title>" in text


def test_report_trace_respects_direction() -> None:
    from ax.plot.exp_utils import objective_trace

    minimize = objective_trace(make_experiment(minimize=True))
    maximize = objective_trace(make_experiment(minimize=False))
    values = [quadratic(p) for p in POINTS]
    assert [p.value for p in minimize] == pytest.approx(values)
    running_min = [min(values[: i + 1]) for i in range(len(values))]
    running_max = [max(values[: i + 1]) for i in range(len(values))]
    assert [p.best_so_far for p in minimize] == pytest.approx(running_min)
    assert [p.best_so_far for p in maximize] == pytest.approx(running_max)
    assert "Best m so far (maximize)" in experiment_report_html(make_experiment(minimize=False))


def test_report_escapes_names_and_values() -> None:
    evil = "<script>alert('x')</script>"
    space = SearchSpace(
        [
            RangeParameter("x<1>", ParameterType.FLOAT, 0.0, 1.0),
            ChoiceParameter("kind", ParameterType.STRING, [evil, "b&b"]),
        ]
    )
    experiment = Experiment(
        space,
        name="exp <b>&",
        optimization_config=OptimizationConfig(Objective(Metric("m<&>"), minimize=True)),
    )
    for x, kind in [(0.1, evil), (0.9, "b&b")]:
        trial = experiment.new_trial().add_arm(Arm({"x<1>": x, "kind": kind}, name=f"arm{evil}{x}"))
        trial.mark_running(no_runner_required=True)
        experiment.attach_data(
            Data.from_evaluations({trial.arm.name: {"m<&>": (x, 0.0)}}, trial_index=trial.index)  # type: ignore[union-attr]
        )
        trial.mark_completed()
    text = experiment_report_html(experiment, title="T <i>")
    assert evil not in text and "<b>&" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "<td>b&amp;b</td>" in text
    assert '<th scope="col">x&lt;1&gt;</th>' in text
    assert "<h1>T &lt;i&gt;</h1>" in text
    assert "exp &lt;b&gt;&amp;" in text
    assert len(_tbody_rows(text)) == 2


def test_report_shows_every_status_and_handles_missing_data() -> None:
    experiment = make_experiment(points=POINTS[:2])
    running = experiment.new_trial().add_arm(Arm({"x1": 5.0, "x2": 5.0, "x3": 5, "c": "b"}))
    running.mark_running(no_runner_required=True)
    failed = experiment.new_trial().add_arm(Arm({"x1": 6.0, "x2": 5.0, "x3": 5, "c": "b"}))
    failed.mark_running(no_runner_required=True).mark_failed(reason="boom")
    batch = experiment.new_batch_trial().add_arms_and_weights(
        [
            Arm({"x1": 1.0, "x2": 1.0, "x3": 1, "c": "a"}),
            Arm({"x1": 2.0, "x2": 1.0, "x3": 1, "c": "a"}),
        ]
    )
    batch.mark_running(no_runner_required=True)
    experiment.attach_data(
        Data.from_evaluations(
            {"4_0": {"m": (3.0, 0.0)}, "4_1": {"m": (-1.0, 0.0)}}, trial_index=batch.index
        )
    )
    batch.mark_completed()
    text = experiment_report_html(experiment)
    rows = _tbody_rows(text)
    assert len(rows) == 6
    for status in ("COMPLETED", "RUNNING", "FAILED"):
        assert f"<td>{status}</td>" in text
    assert "<dt>Trials</dt><dd>5 (3 completed, 1 failed, 1 running)</dd>" in text
    best = [r for r in rows if 'class="best"' in r]
    assert len(best) == 1 and "<td>4_1</td>" in best[0]


def test_report_without_optimization_config_or_data() -> None:
    bare = Experiment(make_experiment().search_space, name="bare")
    text = experiment_report_html(bare)
    assert "no optimization config" in text
    assert TRACE_DIV_ID + '"' not in text and PLOTLY_BUNDLE_MARKER not in text
    assert "The experiment has no trials yet." in text
    empty = make_experiment(points=[])
    assert "No completed trial has data for the objective yet." in experiment_report_html(empty)


def test_report_with_model_has_contour_or_a_note() -> None:
    experiment = make_experiment()
    text = experiment_report_html(experiment, model=make_bridge(experiment))
    assert f'id="{CONTOUR_DIV_ID}"' in text
    assert text.count(PLOTLY_BUNDLE_MARKER) == 1
    noted = experiment_report_html(experiment, model=make_bridge(experiment, cls=NoPredictBridge))
    assert "Model plots are unavailable: plot_contour: NoPredictBridge cannot predict" in noted


def test_report_type_errors() -> None:
    with pytest.raises(UserInputTypeError, match="experiment must be an Experiment, got str"):
        experiment_report_html("x")  # type: ignore[arg-type]
    with pytest.raises(UserInputTypeError, match="title must be a str or None, got 3"):
        experiment_report_html(make_experiment(), title=3)  # type: ignore[arg-type]


def test_save_report_writes_atomically(tmp_path: Path) -> None:
    experiment = make_experiment()
    target = tmp_path / "report.html"
    target.write_text("old")
    written = save_report(experiment, target)
    assert written == str(target.resolve())
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(os.listdir(tmp_path)) == ["report.html"]  # no temporary file left
    with pytest.raises(StorageError, match="save_report: could not write"):
        save_report(experiment, tmp_path / "missing" / "r.html")
    with pytest.raises(UserInputTypeError, match="path must be a str or os.PathLike, got int"):
        save_report(experiment, 3)  # type: ignore[arg-type]
