"""The ``ax`` command (ax.cli): demo, report, show, and its error handling."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Tuple

import pytest

import ax
from ax.cli import main
from ax.demo import DEMO_OPTIMUM, run_demo
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> Tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _sobol(seed: int = 0) -> GenerationStrategy:
    return GenerationStrategy(
        [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={"seed": seed})]
    )


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved demo experiment (4 quasi-random trials: cheap)."""
    out = tmp_path_factory.mktemp("demo")
    result = run_demo(total_trials=4, out_dir=str(out), generation_strategy=_sobol())
    return Path(result.experiment_path)


def test_demo_command_optimises_saves_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = _run(
        capsys, "demo", "--trials", "6", "--seed", "1", "--out-dir", str(out_dir), "--no-progress"
    )
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Ran 6 trials of 'branin_demo'")
    assert lines[1].startswith("Best parameters: x1=") and "x2=" in lines[1]
    assert lines[2].startswith("Objective: branin = ") and str(DEMO_OPTIMUM) in lines[2]
    experiment_path = out_dir / "experiment.json"
    report_path = out_dir / "report.html"
    assert lines[3] == f"Experiment saved to: {experiment_path}"
    assert lines[4] == f"Report written to:   {report_path}"
    experiment = ax.load(experiment_path)
    assert len(experiment.trials) == 6
    assert all(t.status.is_completed for t in experiment.trials.values())
    for trial in experiment.trials.values():
        x1, x2 = trial.arm.parameters["x1"], trial.arm.parameters["x2"]  # type: ignore[union-attr]
        assert x1 + x2 <= 10.0 + 1e-9  # the parameter constraint holds
    text = report_path.read_text(encoding="utf-8")
    assert 'id="ax-trace"' in text and 'id="ax-contour"' in text


def test_run_demo_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    a = run_demo(total_trials=3, out_dir=str(tmp_path / "a"), generation_strategy=_sobol(5))
    b = run_demo(total_trials=3, out_dir=str(tmp_path / "b"), generation_strategy=_sobol(5))
    arms_a = [t.arm.parameters for t in a.experiment.trials.values()]  # type: ignore[union-attr]
    arms_b = [t.arm.parameters for t in b.experiment.trials.values()]  # type: ignore[union-attr]
    assert arms_a == arms_b
    assert a.best_parameters == b.best_parameters and a.best_value == b.best_value


def test_report_command(saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.html"
    code, out, err = _run(capsys, "report", str(saved), "-o", str(target), "--title", "Mine")
    assert code == 0, err
    assert out == f"Report written to: {target}\n"
    text = target.read_text(encoding="utf-8")
    assert "<title>Mine</title>" in text and 'id="ax-trace"' in text
    assert text.count("<tr") == 1 + 4  # header + one row per arm


def test_report_command_default_output_path(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.json"
    copy.write_bytes(saved.read_bytes())
    code, out, _ = _run(capsys, "report", str(copy))
    assert code == 0
    assert (tmp_path / "copy.html").is_file()
    assert out.strip().endswith("copy.html")


def test_show_command(saved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "show", str(saved))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "Experiment 'branin_demo': 4 trials (4 completed)"
    assert lines[1] == "Objective: branin (minimize)"
    header = lines[3].split()
    assert header == ["trial", "status", "arm", "generator", "x1", "x2", "branin"]
    rows = [line.split() for line in lines[5:9]]
    assert [r[0] for r in rows] == ["0", "1", "2", "3"]
    assert all(r[1] == "COMPLETED" and r[3] == "Sobol" for r in rows)
    best_value = min(float(r[6]) for r in rows)
    assert lines[10].startswith("Best point: x1=")
    assert lines[11].startswith("  branin = ")
    assert float(lines[11].split("=")[1].split()[0]) == pytest.approx(best_value, rel=1e-5)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["show", "{missing}"], "ax show: error: no such file: '{missing}'"),
        (["report", "{missing}"], "ax report: error: no such file: '{missing}'"),
        (["show", "{dir}"], "ax show: error: '{dir}' is a directory, not a saved experiment"),
        (["show", "{bad}"], "ax show: error: load '{bad}': not valid JSON"),
        (["show", "{other}"], "ax show: error: load '{other}': "),
        (["report", "{saved}", "-o", "{dir}"], "ax report: error: output '{dir}' is a directory"),
        (
            ["report", "{saved}", "-o", "{dir}/no/r.html"],
            "ax report: error: cannot write '{dir}/no/r.html': directory",
        ),
        (["demo", "--out-dir", "{bad}", "--trials", "1"], "ax demo: error: run_demo: out_dir"),
    ],
)
def test_errors_are_one_line_with_exit_status_2(
    argv: list,
    message: str,
    saved: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": 1, "experiment": ')
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"hello": "world"}))
    names = {
        "missing": str(tmp_path / "missing.json"),
        "dir": str(tmp_path),
        "bad": str(bad),
        "other": str(other),
        "saved": str(saved),
    }
    code, out, err = _run(capsys, *(a.format(**names) for a in argv))
    assert code == 2
    assert out == ""
    assert err.startswith(message.format(**names))
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, fragment",
    [
        ([], "the following arguments are required: COMMAND"),
        (["demo", "--trials", "0"], "expected a positive integer, got '0'"),
        (["demo", "--seed", "-3"], "expected an integer >= 0, got '-3'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["report"], "the following arguments are required: EXPERIMENT.json"),
    ],
)
def test_usage_errors_exit_2(argv: list, fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert fragment in err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--help")
    assert code == 0 and "demo" in out and "report" in out and "show" in out
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"ax-experiments {ax.__version__}"
    code, out, _ = _run(capsys, "demo", "--help")
    assert code == 0 and "--no-progress" in out


def _python(code: str) -> Any:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )


def test_cli_metrics_and_plot_imports_load_no_heavy_library() -> None:
    result = _python(
        "import sys, ax, ax.cli, ax.metrics, ax.metrics.branin, ax.metrics.hartmann6, "
        "ax.metrics.l2norm, ax.plot, ax.utils.notebook.plotting, "
        "ax.utils.measurement.synthetic_functions; "
        "print(sorted(m for m in ('torch', 'plotly', 'botorch', 'pandas') if m in sys.modules))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_python_dash_m_ax() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "ax", "--help"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert result.stdout.startswith("usage: ax ")


def test_show_exits_quietly_when_the_reader_closes_the_pipe(saved: Path) -> None:
    # `ax show X.json | head -1`: the reader is gone before ax writes. The read end is
    # closed up front, so the first write always meets a broken pipe.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ax", "show", str(saved)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
