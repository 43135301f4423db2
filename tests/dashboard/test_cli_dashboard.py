"""``ax dashboard``: clear one-line errors, and a light ``import ax.cli``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ax.cli import main


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["sqlite:///{tmp}/absent.db"], "no such database file"),
        (["{tmp}/absent.json"], "no such file"),
        (["{tmp}/garbage.json"], "is not a readable saved experiment"),
        (["bogus://x/y"], "cannot use the store URL"),
        (["{tmp}/garbage.json", "--host", "0.0.0.0"], "refusing to bind '0.0.0.0' without a"),
        (["{tmp}/garbage.json", "--host", "0.0.0.0", "--token", "short"], "at least 8"),
    ],
)
def test_errors_are_one_line_with_exit_status_2(
    tmp_path: Path, argv: list, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "garbage.json").write_text("[1, 2")
    status = main(["dashboard", *(a.format(tmp=tmp_path) for a in argv)])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("ax dashboard: error: ")
    assert fragment in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""


def test_bad_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dashboard", "x.json", "--port", "99999"]) == 2
    assert "expected a port 0..65535" in capsys.readouterr().err


def test_a_busy_port_is_a_clear_error(json_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        status = main(["dashboard", str(json_path), "--port", str(port)])
    assert status == 2
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_import_ax_cli_loads_no_web_stack() -> None:
    code = (
        "import sys, ax, ax.cli; ax.cli.build_parser(); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'ax.dashboard') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
