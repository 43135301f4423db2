"""Import cost of ``ax`` against ``optuna`` and an empty interpreter.

Each figure is the wall time of a fresh ``python -c "<statement>"`` subprocess (interpreter
start-up included), repeated ``--runs`` times after one untimed warm-up run; the table shows
the best and the median. It also counts the modules that ``import ax`` adds to
``sys.modules`` (beyond those of an empty interpreter) and lists any heavy library it loaded.

Usage:
    .venv/bin/python bench/bench_import.py [--runs 7] [--python PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "botorch", "gpytorch", "plotly", "sqlalchemy", "pika", "dask", "mpi4py", "pandas")
CASES = (
    ("python -c pass", "pass"),
    ("import ax", "import ax"),
    # What a user pays on first real use: the core model (numpy, no pandas, no torch).
    ("from ax import Experiment", "from ax import Experiment"),
    ("ax.load (json store)", "from ax import load"),
    ("import optuna", "import optuna"),
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env.pop("PYTHONSTARTUP", None)
    return env


def time_statement(python: str, statement: str, runs: int) -> list[float]:
    """Wall times in seconds of ``runs`` fresh interpreters running ``statement``.

    Args:
        python: The interpreter to run.
        statement: Python source passed to ``-c``.
        runs: Number of timed runs (one untimed warm-up run comes first).

    Returns:
        ``runs`` wall times, in seconds.

    Raises:
        RuntimeError: If the statement fails in the subprocess.
    """
    env = _env()
    times: list[float] = []
    for i in range(runs + 1):
        start = time.perf_counter()
        result = subprocess.run(
            [python, "-c", statement], capture_output=True, text=True, env=env, check=False
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"{statement!r} failed:\n{result.stderr}")
        if i > 0:
            times.append(elapsed)
    return times


def modules_loaded(python: str, statement: str) -> list[str]:
    """Names in ``sys.modules`` after ``statement`` in a fresh interpreter.

    Args:
        python: The interpreter to run.
        statement: Python source run before ``sys.modules`` is read.

    Returns:
        The sorted module names.
    """
    code = f"import sys\n{statement}\nimport json\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, env=_env(), check=True
    )
    names: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return names


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per statement")
    parser.add_argument("--python", default=sys.executable, help="interpreter to measure")
    args = parser.parse_args(argv)

    print(f"python: {args.python}  runs: {args.runs} (+1 warm-up)  cpus: {os.cpu_count()}")
    print(f"{'statement':<26} {'best (s)':>9} {'median (s)':>11} {'minus start-up':>15}")
    baseline_median = 0.0
    for label, statement in CASES:
        try:
            times = time_statement(args.python, statement, args.runs)
        except RuntimeError as err:
            print(f"{label:<26} unavailable ({str(err).splitlines()[-1]})")
            continue
        best, median = min(times), statistics.median(times)
        if statement == "pass":
            baseline_median = median
        print(f"{label:<26} {best:>9.3f} {median:>11.3f} {median - baseline_median:>15.3f}")

    base = set(modules_loaded(args.python, "pass"))
    after = modules_loaded(args.python, "import ax")
    added = [m for m in after if m not in base]
    heavy = sorted({m.split(".")[0] for m in after} & set(HEAVY))
    print(f"modules added by `import ax`: {len(added)} (total in sys.modules: {len(after)})")
    print(f"heavy libraries loaded by `import ax`: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
