"""The learning-curves figure, the compute saved, the report section and ``ax show``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ax.cli import main
from ax.plot.learning_curves import compute_saved, learning_curves_figure
from ax.plot.report import experiment_report_html
from ax.storage.json_store.save import save
from tests.early_stopping.test_rules import curves_experiment


def stopped_experiment():  # type: ignore[no-untyped-def]
    experiment = curves_experiment([1.0, 2.0, 3.0], steps=4)
    experiment.progression_data.append(experiment, 0, 5, {"score": 1.1})
    experiment.trials[0].mark_completed()
    experiment.trials[1].mark_completed()
    experiment.trials[2].mark_early_stopped(reason="MedianRule: worse <b>", progression=4)
    return experiment


def test_compute_saved() -> None:
    saved = compute_saved(stopped_experiment())
    assert (saved.key, saved.spent, saved.stopped, saved.full, saved.saved) == (
        "step", 13.0, 1, 5.0, 1.0,
    )  # fmt: skip
    assert saved.fraction == pytest.approx(1 / 14)
    assert "1 trial(s) stopped, 1 steps saved of 14 (7%)" in saved.describe()


def test_figure_marks_stopped_curves_and_escapes_reasons() -> None:
    result = learning_curves_figure(stopped_experiment())
    assert result.figure is not None and result.kind == "learning_curves"
    traces = result.figure.data
    assert len(traces) == 4  # three curves and the stop marker
    assert [t.line.dash for t in traces[:3]] == ["solid", "solid", "dash"]
    assert "&lt;b&gt;" in traces[3].hovertemplate
    empty = curves_experiment([], steps=1)
    assert learning_curves_figure(empty).figure is None


def test_report_and_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    experiment = stopped_experiment()
    assert 'id="ax-learning-curves"' in experiment_report_html(experiment)
    path = tmp_path / "e.json"
    save(experiment, path)
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Early stopping: 1 trial(s) stopped" in out and "early_stopped" in out
