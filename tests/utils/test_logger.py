"""The library logger: quiet by default, one switch for verbosity."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ax.exceptions import UserInputError, UserInputTypeError
from ax.utils.logger import LOGGER_NAME, get_logger, get_verbosity, set_verbosity

REPO_ROOT = Path(__file__).resolve().parents[2]


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ax", "ax"), ("ax.core.experiment", "ax.core.experiment"), ("plugin", "ax.plugin")],
)
def test_get_logger_stays_under_the_library_logger(name: str, expected: str) -> None:
    assert get_logger(name).name == expected


def test_library_logger_has_a_null_handler() -> None:
    handlers = logging.getLogger(LOGGER_NAME).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_quiet_by_default() -> None:
    result = _run_python(
        "from ax.utils.logger import get_logger\n"
        "get_logger('ax.test').warning('should not be printed')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_set_verbosity_makes_records_visible_on_stderr() -> None:
    result = _run_python(
        "from ax.utils.logger import get_logger, set_verbosity, get_verbosity\n"
        "set_verbosity('info')\n"
        "assert get_verbosity() == 20\n"
        "get_logger('ax.test').info('hello from ax')\n"
        "get_logger('ax.test').debug('not shown')\n"
        "set_verbosity('INFO')  # idempotent: still one handler\n"
        "get_logger('ax.test').info('second line')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr.count("hello from ax") == 1
    assert result.stderr.count("second line") == 1
    assert "not shown" not in result.stderr


def test_set_verbosity_defers_to_the_application_logging() -> None:
    result = _run_python(
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, format='APP %(message)s')\n"
        "from ax.utils.logger import get_logger, set_verbosity\n"
        "set_verbosity(logging.INFO)\n"
        "get_logger('ax.test').info('via the app handler')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "APP via the app handler\n"
    assert result.stderr == ""


@pytest.mark.parametrize("level", ["loud", "", "INFOO"])
def test_set_verbosity_rejects_unknown_level_names(level: str) -> None:
    before = get_verbosity()
    with pytest.raises(UserInputError, match=rf"set_verbosity: level must be one of .*{level!r}"):
        set_verbosity(level)
    assert get_verbosity() == before


def test_set_verbosity_rejects_negative_levels() -> None:
    with pytest.raises(UserInputError, match="level must be >= 0, got level=-1"):
        set_verbosity(-1)


@pytest.mark.parametrize("level", [1.5, None, True])
def test_set_verbosity_rejects_wrong_types(level: object) -> None:
    with pytest.raises(UserInputTypeError, match=r"level must be an int or a level name, got"):
        set_verbosity(level)  # type: ignore[arg-type]
