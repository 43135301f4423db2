"""The README runs as written: every Python block, in order, in one fresh directory.

Each ``python`` block of README.md is written to its own script and run in a fresh
interpreter, in the order the README gives them, in one temporary directory (so a block
may use the files an earlier one wrote, as a reader following along would). A block that
talks to RabbitMQ (``RABBITMQ_URL`` or ``run_parallel``) runs against the suite's own
throwaway broker, with the workers that the ``bash`` block just before it starts
(``ax worker ...`` / ``polaris-worker ...`` lines; ``mpirun`` lines are left to the MPI
tests). The demo's sample output is compared with what ``ax demo`` prints, and every
script in ``examples/`` runs too. A README example can then never go stale.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
EXAMPLES = sorted((REPO / "examples").glob("*.py"))
BLOCK_TIMEOUT_S = 300
WORKER_EXIT_TIMEOUT_S = 60

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@dataclass(frozen=True)
class Block:
    """One fenced code block of the README."""

    lang: str
    code: str
    line: int  # 1-based line of the opening fence


def readme_blocks(text: str) -> List[Block]:
    """The fenced code blocks of ``text`` in order (``lang`` as written after the fence)."""
    blocks: List[Block] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = re.match(r"^```(\w*)\s*$", lines[i])
        if match is None:
            i += 1
            continue
        start = i
        i += 1
        body: List[str] = []
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        blocks.append(Block(match.group(1), "\n".join(body) + "\n", start + 1))
        i += 1
    return blocks


def _env(**extra: str) -> Dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1", **extra)
    env.pop("AX_WORKER_SECRET", None)  # the README's workers derive the key from the URL
    return env


def _worker_commands(bash: Optional[Block]) -> List[List[str]]:
    """The worker commands of a bash block (without their comments), runnable here."""
    if bash is None:
        return []
    bin_dir = Path(sys.executable).parent
    commands = []
    for raw in bash.code.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("ax worker"):
            commands.append([sys.executable, "-m", "ax", *shlex.split(line)[1:]])
        elif line.startswith("polaris-worker"):
            commands.append([str(bin_dir / "polaris-worker"), *shlex.split(line)[1:]])
    return commands


def _needs_broker(block: Block) -> bool:
    return "RABBITMQ_URL" in block.code or "run_parallel" in block.code


def _tail(text: str, n: int = 3000) -> str:
    return text[-n:]


def test_readme_blocks_parse() -> None:
    blocks = readme_blocks(README.read_text())
    python = [b for b in blocks if b.lang == "python"]
    assert len(python) >= 8
    # Every block that needs workers has a bash block before it that starts them.
    for i, block in enumerate(blocks):
        if block.lang == "python" and _needs_broker(block):
            bash = next((b for b in reversed(blocks[:i]) if b.lang == "bash"), None)
            assert _worker_commands(bash), f"README line {block.line}: no worker command"


@pytest.mark.timeout(1800)
def test_every_python_block_of_the_readme_runs_in_order(rabbitmq_url: str, tmp_path: Path) -> None:
    blocks = readme_blocks(README.read_text())
    ran = 0
    for i, block in enumerate(blocks):
        if block.lang != "python":
            continue
        script = tmp_path / f"readme_block_{ran:02d}_line{block.line}.py"
        script.write_text(block.code)
        workers: List[subprocess.Popen[str]] = []
        if _needs_broker(block):
            bash = next((b for b in reversed(blocks[:i]) if b.lang == "bash"), None)
            for command in _worker_commands(bash):
                workers.append(
                    subprocess.Popen(
                        command,
                        cwd=tmp_path,
                        env=_env(RABBITMQ_URL=rabbitmq_url),
                        stdout=subprocess.PIPE,
                        stderr=subprocess.STDOUT,
                        text=True,
                    )
                )
        try:
            done = subprocess.run(
                [sys.executable, script.name],
                cwd=tmp_path,
                env=_env(RABBITMQ_URL=rabbitmq_url),
                capture_output=True,
                text=True,
                timeout=BLOCK_TIMEOUT_S,
            )
        finally:
            worker_output = []
            for proc in workers:
                try:
                    out, _ = proc.communicate(timeout=WORKER_EXIT_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out, _ = proc.communicate()
                worker_output.append((proc.returncode, out))
        assert done.returncode == 0, (
            f"README block at line {block.line} failed (exit {done.returncode}):\n"
            f"{_tail(done.stderr)}"
        )
        assert done.stdout.strip(), f"README block at line {block.line} printed nothing"
        for code, out in worker_output:
            assert code == 0, f"worker for README line {block.line} exited {code}:\n{_tail(out)}"
        ran += 1
    assert ran >= 8


def test_demo_sample_output_matches_what_the_demo_prints(tmp_path: Path) -> None:
    blocks = readme_blocks(README.read_text())
    demo = next(i for i, b in enumerate(blocks) if "scripts/demo.sh" in b.code)
    shown = blocks[demo + 1]
    assert shown.lang == "text"
    done = subprocess.run(
        [sys.executable, "-m", "ax", "demo", "--out-dir", str(tmp_path), "--no-progress"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
    )
    assert done.returncode == 0, _tail(done.stderr)
    printed = done.stdout.splitlines()
    # The figures can differ between machines and library releases (a BO run carries a
    # last-digit difference in floating point into other trials): the lines must have
    # the README's form, and both the README's best value and the demo's must be within
    # 0.1 of Branin's minimum.
    number = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
    for prefix in ("Best parameters:", "Objective:"):
        want = [line for line in shown.code.splitlines() if line.startswith(prefix)]
        got = [line for line in printed if line.startswith(prefix)]
        assert len(want) == 1 and len(got) == 1, f"README shows {want}, ax demo prints {got}"
        form = number.join(re.escape(part) for part in re.split(number, want[0]))
        assert re.fullmatch(form, got[0]), f"README shows {want[0]!r}, ax demo prints {got[0]!r}"
        if prefix == "Objective:":
            assert got[0].endswith("(known minimum 0.397887)")
            for line in (want[0], got[0]):
                found = re.search(r"= (" + number + ")", line)
                assert found is not None and abs(float(found.group(1)) - 0.397887) < 0.1, line


def test_readme_test_command_is_what_ci_runs() -> None:
    text = README.read_text()
    assert "bash scripts/test.sh" in text
    assert "bash scripts/test.sh" in (REPO / ".ci" / "run").read_text()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_script_runs(script: Path, rabbitmq_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(RABBITMQ_URL=rabbitmq_url),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
    )
    assert done.returncode == 0, f"{script.name} failed:\n{_tail(done.stderr)}"
    assert done.stdout.strip(), f"{script.name} printed nothing"
