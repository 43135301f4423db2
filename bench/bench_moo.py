"""Multi-objective benchmark (issue 13): ours beside ax-platform 1.3.1 and Optuna.

Problems (``ax/benchmark/multi_objective.py``, all minimised): Branin-Currin (2-D, 2
objectives), DTLZ2 (6-D, 2 objectives), C2-DTLZ2 (6-D, 2 objectives, 1 constraint) and
DTLZ2 with 3 objectives (6-D). Optimisers (``bench/bo/moo_adapters.py``): ours
(``AxClient(objectives=...)``, default strategy: qLogNEHVI), ax-platform 1.3.1, Optuna's NSGA-II,
multi-objective TPE and GP samplers. Each runs in a subprocess of its own virtualenv, as
in ``bench/bench_bo.py`` (whose machinery this reuses): ``.bench-venvs/ax-platform`` and
``.bench-venvs/optuna`` (``bash bench/setup_peers.sh``), ours in the project's
interpreter with the repository on ``PYTHONPATH``; one process at a time, one thread.

Reported per optimiser and problem: median and quartiles over seeds of ``log10`` of the
hypervolume regret (true frontier's hypervolume minus that of the feasible observed
points, w.r.t. the problem's fixed reference point) after 20, 30 and 50 evaluations; the
wall time of a run including the optimiser's imports (the process's import time is added
to each run); the time of one model-based suggestion (median over seeds of each run's
median, the first model-based suggestion of a process left out).

Usage:
    python bench/bench_moo.py --seeds 20                  # seeds 0-19, everything
    nice -n 10 python bench/bench_moo.py --seeds 0-2 --optimizers ours,optuna_tpe
    python bench/bench_moo.py --table                     # the stored results only

Results merge into ``bench/results/moo_latest.json`` (per optimiser, problem, seed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __name__ == "__main__" and "--worker" in sys.argv:
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

from bench_bo import REPO_ROOT, VENVS, _env, _seeds_text  # noqa: E402
from bo.run_peer import parse_seeds, versions  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "moo_latest.json"
OPTIMIZERS = ("ours", "ax_platform", "optuna_nsga2", "optuna_tpe", "optuna_gp")
PROBLEM_NAMES = ("branin_currin", "dtlz2", "c2dtlz2", "dtlz2_3")
VENV_OF = {
    "ax_platform": VENVS / "ax-platform",
    "optuna_nsga2": VENVS / "optuna",
    "optuna_tpe": VENVS / "optuna",
    "optuna_gp": VENVS / "optuna",
}
DISTRIBUTIONS = {
    "ours": ("ax-experiments", "botorch", "torch"),
    "ax_platform": ("ax-platform", "botorch", "torch"),
    "optuna_nsga2": ("optuna",),
    "optuna_tpe": ("optuna",),
    "optuna_gp": ("optuna", "torch"),
}
CHECKPOINTS = (20, 30, 50)


# ------------------------------------------------------------------------ worker
def worker(args: argparse.Namespace) -> int:
    """Run one optimiser on one problem for some seeds in this interpreter; write JSON."""
    import importlib
    import logging

    from bo.moo_adapters import MO_IMPORTS, load_problems, run_mo

    logging.disable(logging.INFO)
    start = time.perf_counter()
    for module in MO_IMPORTS[args.optimizer]:
        importlib.import_module(module)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    import_s = time.perf_counter() - start
    problem = load_problems()[args.problem]
    runs = []
    for seed in parse_seeds(args.seeds):
        trace = run_mo(args.optimizer, problem, seed, args.n_evals)
        runs.append(
            {
                "seed": seed,
                "Y": trace.Y,
                "slacks": trace.slacks,
                "suggest_s": trace.suggest_s,
                "model_based": trace.model_based,
                "wall_s": trace.wall_s,
                "info": trace.info,
            }
        )
        print(f"{args.optimizer} {args.problem} seed {seed}: {trace.wall_s:.1f} s", file=sys.stderr)
    out = {
        "optimizer": args.optimizer,
        "problem": args.problem,
        "n_evals": args.n_evals,
        "import_s": import_s,
        "versions": versions(DISTRIBUTIONS[args.optimizer]),
        "loadavg_end": list(os.getloadavg()),
        "runs": runs,
    }
    Path(args.out).write_text(json.dumps(out))
    return 0


# ------------------------------------------------------------------------ driver
def python_of(optimizer: str) -> Path:
    """The interpreter that runs ``optimizer``."""
    venv = VENV_OF.get(optimizer)
    return venv / "bin" / "python" if venv else Path(sys.executable)


def run_job(optimizer: str, problem: str, seeds: list[int], n_evals: int) -> dict[str, Any]:
    """One subprocess: ``optimizer`` on ``problem`` for ``seeds``; its JSON result."""
    python = python_of(optimizer)
    if not python.exists():
        raise FileNotFoundError(f"{python} does not exist; run `bash bench/setup_peers.sh`")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [
            str(python),
            str(Path(__file__).resolve()),
            "--worker",
            "--optimizer",
            optimizer,
            "--problem",
            problem,
            "--seeds",
            _seeds_text(seeds),
            "--n-evals",
            str(n_evals),
            "--out",
            str(out),
        ]
        env = _env("ax_platform" if optimizer == "ax_platform" else "ours")
        # BoTorch JIT-compiles its fused qLogNEHVI kernel into TORCH_EXTENSIONS_DIR; the
        # venvs have different torch builds, so one shared folder would make each venv
        # recompile it (about a minute) whenever the other ran last.
        env["TORCH_EXTENSIONS_DIR"] = str(
            Path.home() / ".cache" / f"torch_extensions_{python.parent.parent.name}"
        )
        subprocess.run(cmd, env=env, check=True, cwd=REPO_ROOT)
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def merge(result: dict[str, Any]) -> None:
    """Merge a job's runs into :data:`RESULTS` (per optimiser, problem and seed).

    Holds an exclusive lock on a sibling lock file, so that drivers run side by side
    (for example one per core) never lose each other's results.
    """
    import fcntl

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS.with_name(RESULTS.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _merge_locked(result)


def _merge_locked(result: dict[str, Any]) -> None:
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    key = f"{result['optimizer']}/{result['problem']}"
    entry = stored.setdefault(key, {"runs": {}})
    entry.update({k: v for k, v in result.items() if k != "runs"})
    per_run_import = result["import_s"]
    for i, run in enumerate(result["runs"]):
        run["import_s"] = per_run_import
        run["first_in_process"] = i == 0
        entry["runs"][str(run["seed"])] = run
    tmp = RESULTS.with_name(RESULTS.name + ".tmp")
    tmp.write_text(json.dumps(stored))
    tmp.replace(RESULTS)


def _quartiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[1], q[0], q[2]


def _suggestion_time(runs: list[dict[str, Any]], up_to: int) -> str:
    """Median over runs of each run's median model-based suggestion time among its first
    ``up_to`` evaluations (the first model-based one of a process left out)."""
    per_run = []
    for r in runs:
        index = [i for i, mb in enumerate(r["model_based"]) if mb]
        if r.get("first_in_process"):
            index = index[1:]
        times = [r["suggest_s"][i] for i in index if i < up_to]
        if times:
            per_run.append(statistics.median(times))
    return f"{statistics.median(per_run):.3f}" if per_run else "-"


def summarize(stored: dict[str, Any], seeds: list[int] | None = None) -> str:
    """The markdown table of everything in ``stored`` (restricted to ``seeds`` if given)."""
    sys.path.insert(0, str(REPO_ROOT / "bench"))
    from bo.moo_adapters import load_problems

    problems = load_problems()
    header = (
        "| problem | optimizer | seeds | log10 HV regret @20 [q25, q75] | @30 | @50 "
        "| wall/run incl. imports (s) | suggestion (s) | suggestion, evals <= 30 (s) |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    lines = [header]
    for pname in PROBLEM_NAMES:
        problem = problems[pname]
        for opt in OPTIMIZERS:
            entry = stored.get(f"{opt}/{pname}")
            if not entry:
                continue
            runs = [r for s, r in sorted(entry["runs"].items(), key=lambda kv: int(kv[0]))]
            if seeds is not None:
                runs = [r for r in runs if r["seed"] in seeds]
            if not runs:
                continue
            cells = []
            for k in CHECKPOINTS:
                regrets = []
                for r in runs:
                    if len(r["Y"]) < k:
                        continue
                    hv = problem.hypervolume(
                        r["Y"][:k], r["slacks"][:k] if problem.num_constraints else None
                    )
                    regrets.append(problem.log10_regret(hv))
                if regrets:
                    med, q1, q3 = _quartiles(regrets)
                    cells.append(f"{med:.2f} [{q1:.2f}, {q3:.2f}]")
                else:
                    cells.append("-")
            wall = statistics.median(r["wall_s"] + r["import_s"] for r in runs)
            suggestion = _suggestion_time(runs, len(runs[0]["Y"]))
            early = _suggestion_time(runs, 30)
            name = "**ours**" if opt == "ours" else opt
            lines.append(
                f"| {pname} | {name} | {len(runs)} | {cells[0]} | {cells[1]} | {cells[2]} "
                f"| {wall:.1f} | {suggestion} | {early} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments; run the jobs (or the worker); print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--optimizer", help=argparse.SUPPRESS)
    parser.add_argument("--problem", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", default="20", help="N (seeds 0..N-1) or a list: 0-4, 0,3 (20)")
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--problems", default=",".join(PROBLEM_NAMES))
    parser.add_argument("--n-evals", type=int, default=50)
    parser.add_argument("--table", action="store_true", help="print the stored table only")
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    text = args.seeds.strip()
    seeds = list(range(int(text))) if text.isdigit() else parse_seeds(text)
    if not seeds:
        parser.error("--seeds: N must be >= 1 (for seed 0 alone, write 0-0)")
    if not args.table:
        optimizers = [o for o in args.optimizers.split(",") if o]
        problems = [p for p in args.problems.split(",") if p]
        for o in optimizers:
            if o not in OPTIMIZERS:
                parser.error(f"unknown optimizer {o!r}; known: {OPTIMIZERS}")
        for p in problems:
            if p not in PROBLEM_NAMES:
                parser.error(f"unknown problem {p!r}; known: {PROBLEM_NAMES}")
        print(f"load average at start: {os.getloadavg()}", file=sys.stderr)
        for p in problems:
            for o in optimizers:
                start = time.perf_counter()
                merge(run_job(o, p, seeds, args.n_evals))
                print(f"{o}/{p}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
        print(f"load average at end: {os.getloadavg()}", file=sys.stderr)
    stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    print(summarize(stored, None if args.table else seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
