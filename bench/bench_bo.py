"""Bayesian-optimisation benchmark (issue 3): our default strategy beside the peers.

Every optimiser minimises Branin (2-D) and Hartmann6 (6-D) for ``--n-evals`` evaluations
(30) and ``--seeds`` seeds, each in a subprocess of ITS OWN virtualenv
(``bench/bo/run_peer.py``): ax-platform 1.3.1 imports as ``ax`` like this project, so it
lives in ``.bench-venvs/ax-platform``; optuna and hyperopt in ``.bench-venvs/optuna``
(``bash bench/setup_peers.sh`` makes both); ``ours`` and ``botorch_floor`` run in the
project's ``.venv`` with the repository on ``PYTHONPATH``. One process per optimiser,
problem and block of ``--seeds-per-process`` seeds, one at a time by default: on this
2-core machine two at once (``--jobs 2``, the most allowed) saved little time (5 min instead
of 6 for ten seeds) but made suggestions 1.5-2x slower, so take timings from ``--jobs 1``
(quality is the same either way: every run is seeded).
torch and BLAS run on one thread everywhere; the load average is logged at start and end.

Reported per optimiser and problem (medians over seeds): the best value after 10, 20 and
30 evaluations; ``log10(best - fmin)`` at the end, with its quartiles; the wall time of a
run (imports excluded); the time of one model-based suggestion (median over seeds of each
run's median), leaving out the first one in each fresh process, which is reported apart
("first call"), like the import time.

Results merge into ``bench/results/bo_latest.json`` (per optimiser, problem and seed, so
that pieces can be run separately and rerun; a piece run with another ``--n-evals``
replaces the entry), and the markdown table of everything in it is printed.

Usage:
    .venv/bin/python bench/bench_bo.py                       # everything, seeds 0-9
    .venv/bin/python bench/bench_bo.py --optimizers ax_platform,optuna_gp \\
        --problems branin --seeds 0-4
    .venv/bin/python bench/bench_bo.py --table               # print the stored table only
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bo.problems import PROBLEMS
from bo.run_peer import parse_seeds

REPO_ROOT = Path(__file__).resolve().parents[1]
RUN_PEER = REPO_ROOT / "bench" / "bo" / "run_peer.py"
RESULTS = REPO_ROOT / "bench" / "results" / "bo_latest.json"
VENVS = REPO_ROOT / ".bench-venvs"

OPTIMIZERS = ("ours", "botorch_floor", "ax_platform", "optuna_gp", "optuna_tpe", "hyperopt")
"""Every optimiser, in the order of the table."""

VENV_OF = {
    "ax_platform": VENVS / "ax-platform",
    "optuna_gp": VENVS / "optuna",
    "optuna_tpe": VENVS / "optuna",
    "hyperopt": VENVS / "optuna",
    "hebo": VENVS / "hebo",
}
"""Peers and their virtualenvs; the others run in the project's ``.venv``."""

COST = {"ax_platform": 10.0, "ours": 3.0, "botorch_floor": 3.0, "optuna_gp": 1.5}
"""Rough seconds per run, to start the longest processes first (others: 0.2)."""

CHECKPOINTS = (10, 20, 30)


@dataclass(frozen=True)
class Job:
    """One subprocess: an optimiser on a problem for some seeds."""

    optimizer: str
    problem: str
    seeds: tuple[int, ...]
    python: Path

    @property
    def label(self) -> str:
        """``optimizer/problem seeds a-b`` for messages."""
        return f"{self.optimizer}/{self.problem} seeds {_seeds_text(self.seeds)}"


def _seeds_text(seeds: Sequence[int]) -> str:
    """Compact text of a seed list: ``0-9`` or ``0,3,5``."""
    seeds = sorted(seeds)
    if seeds and seeds == list(range(seeds[0], seeds[-1] + 1)) and len(seeds) > 1:
        return f"{seeds[0]}-{seeds[-1]}"
    return ",".join(str(s) for s in seeds)


def _env(optimizer: str) -> dict[str, str]:
    """The subprocess environment: one thread; the repository on the path only for ours."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = "1"
    env["PYTHONNOUSERSITE"] = "1"
    env.pop("PYTHONSTARTUP", None)
    if optimizer in VENV_OF:
        env.pop("PYTHONPATH", None)  # a peer's `ax` must be ax-platform, not the repository's
    else:
        env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def check_available(optimizer: str, python: Path) -> str | None:
    """None when ``optimizer`` can run with ``python``, else why not (one line)."""
    if not python.exists():
        return f"{python} does not exist; run `bash bench/setup_peers.sh`"
    probe = {
        "ours": "import ax.modelbridge.dispatch_utils",
        "botorch_floor": "import botorch, gpytorch",
        "ax_platform": "import ax.api.client",
        "optuna_gp": "import optuna, torch, scipy",
        "optuna_tpe": "import optuna",
        "hyperopt": "import hyperopt",
        "hebo": "import hebo.optimizers.hebo",
    }[optimizer]
    proc = subprocess.run(
        [str(python), "-c", probe],
        env=_env(optimizer),
        # Not the repository: `python -c` puts the working directory first on the path,
        # where this project's `ax` would shadow ax-platform.
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
    )
    if proc.returncode == 0:
        return None
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    reason = f"`{probe}` failed: {lines[-1] if lines else f'exit {proc.returncode}'}"
    if optimizer == "ours":
        reason = f"our default strategy (choose_generation_strategy) is not available: {reason}"
    return reason


def run_job(
    job: Job, n_evals: int, timeout_s: float, workdir: Path, extra: Sequence[str] = ()
) -> dict[str, Any]:
    """Run one job's subprocess (``extra``: more arguments of ``run_peer``); return its
    JSON (raises RuntimeError on failure)."""
    out = workdir / f"{job.optimizer}__{job.problem}__{job.seeds[0]}.json"
    cmd = [
        str(job.python),
        str(RUN_PEER),
        "--optimizer",
        job.optimizer,
        "--problem",
        job.problem,
        "--seeds",
        ",".join(str(s) for s in job.seeds),
        "--n-evals",
        str(n_evals),
        "--out",
        str(out),
        *extra,
    ]
    try:
        proc = subprocess.run(
            cmd,
            env=_env(job.optimizer),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{job.label}: timed out after {timeout_s:.0f} s") from None
    if proc.returncode != 0 or not out.exists():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"{job.label}: exit {proc.returncode}\n{tail}")
    result: dict[str, Any] = json.loads(out.read_text())
    return result


# ------------------------------------------------------------------------ summaries
def summarise_run(problem: str, run: dict[str, Any], first_in_process: bool) -> dict[str, Any]:
    """The stored record of one run (small: no traces, no per-call times).

    Args:
        problem: Problem name.
        run: One entry of ``run_peer``'s ``runs``.
        first_in_process: Whether the run was the first of its process; its first
            model-based suggestion is then stored apart as ``first_call_s``.
    """
    values: list[float] = run["values"]
    n = len(values)
    best = {str(k): min(values[:k]) for k in (*CHECKPOINTS, n) if k <= n}
    model_s = [s for s, m in zip(run["suggest_s"], run["model_based"]) if m]
    first_call = None
    if first_in_process and model_s:
        first_call, model_s = model_s[0], model_s[1:]
    record: dict[str, Any] = {
        "best": {k: float(f"{v:.6g}") for k, v in best.items()},
        "log10_regret": round(PROBLEMS[problem].log10_regret(min(values)), 4),
        "wall_s": round(run["wall_s"], 4),
        # Model-based suggestions, the process's first one left out (see first_call_s).
        "n_model": len(model_s),
        "suggest_median_s": round(statistics.median(model_s), 5) if model_s else None,
    }
    if first_call is not None:
        record["first_call_s"] = round(first_call, 4)
    return record


def merge(store: dict[str, Any], result: dict[str, Any]) -> None:
    """Merge one ``run_peer`` result into the store, replacing the same seeds."""
    key = f"{result['optimizer']}/{result['problem']}"
    entries = store.setdefault("results", {})
    entry = entries.get(key)
    if entry is None or entry.get("n_evals") != result["n_evals"]:
        entry = {"optimizer": result["optimizer"], "problem": result["problem"]}
        entry.update({"n_evals": result["n_evals"], "processes": [], "runs": {}})
        entries[key] = entry
    seeds = [run["seed"] for run in result["runs"]]
    for process in entry["processes"]:
        process["seeds"] = [s for s in process["seeds"] if s not in seeds]
    entry["processes"] = [p for p in entry["processes"] if p["seeds"]]
    entry["processes"].append(
        {
            "seeds": seeds,
            "started": result["started"],
            "python": result["python"],
            "versions": result["versions"],
            "torch_threads": result["torch_threads"],
            "import_s": round(result["import_s"], 3),
            "loadavg_start": [round(x, 2) for x in result["loadavg_start"]],
            "loadavg_end": [round(x, 2) for x in result["loadavg_end"]],
            # What the optimiser reported about itself (e.g. the floor's settings).
            "info": result["runs"][0].get("info") or {},
        }
    )
    for i, run in enumerate(result["runs"]):
        entry["runs"][str(run["seed"])] = summarise_run(result["problem"], run, i == 0)
    entry["versions"] = result["versions"]


def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def _quartiles(values: Sequence[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (math.nan, math.nan)
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def aggregate(entry: dict[str, Any]) -> dict[str, Any]:
    """Medians over the seeds of one optimiser/problem entry."""
    runs = list(entry["runs"].values())
    regrets = [r["log10_regret"] for r in runs]
    q25, q75 = _quartiles(regrets)
    best = {
        k: _median([r["best"][k] for r in runs if k in r["best"]])
        for k in sorted({k for r in runs for k in r["best"]}, key=int)
    }
    return {
        "seeds": len(runs),
        "best": best,
        "log10_regret": _median(regrets),
        "log10_regret_q25": q25,
        "log10_regret_q75": q75,
        "wall_s": _median([r["wall_s"] for r in runs]),
        "suggest_s": _median(
            [r["suggest_median_s"] for r in runs if r["suggest_median_s"] is not None]
        ),
        "first_call_s": _median([r["first_call_s"] for r in runs if "first_call_s" in r]),
        "import_s": _median([p["import_s"] for p in entry["processes"]]),
    }


def table(store: dict[str, Any]) -> str:
    """The markdown table of every entry in the store."""
    order = {name: i for i, name in enumerate(OPTIMIZERS)}
    probs = {name: i for i, name in enumerate(PROBLEMS)}
    keys = sorted(
        store.get("results", {}),
        key=lambda k: (probs.get(k.split("/")[1], 99), order.get(k.split("/")[0], 99), k),
    )
    head = (
        "| optimizer | problem | seeds | best@10 | best@20 | best@30 | log10 regret@30 "
        "[q25, q75] | wall/run (s) | suggestion (s) | first call (s) | import (s) |"
    )
    lines = [head, "|" + "---|" * 11]

    def fmt(x: float, spec: str) -> str:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)

    for key in keys:
        entry = store["results"][key]
        agg = aggregate(entry)
        best = [agg["best"].get(str(k), math.nan) for k in CHECKPOINTS]
        lines.append(
            f"| {entry['optimizer']} | {entry['problem']} | {agg['seeds']} | "
            + " | ".join(fmt(b, ".4g") for b in best)
            + f" | {fmt(agg['log10_regret'], '.2f')} [{fmt(agg['log10_regret_q25'], '.2f')}, "
            f"{fmt(agg['log10_regret_q75'], '.2f')}] | {fmt(agg['wall_s'], '.2f')} | "
            f"{fmt(agg['suggest_s'], '.3f')} | {fmt(agg['first_call_s'], '.2f')} | "
            f"{fmt(agg['import_s'], '.2f')} |"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------ driver
def load_store(path: Path) -> dict[str, Any]:
    """The stored results (an empty store when the file is missing)."""
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text())
        return data
    return {"results": {}}


def save_store(store: dict[str, Any], path: Path) -> None:
    """Write the store atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    text = _dumps(store)
    tmp.write_text(text + "\n")
    tmp.replace(path)


def _dumps(obj: Any, depth: int = 0) -> str:
    """JSON, indented down to one line per run or process record (a small, diffable file)."""
    flat = not isinstance(obj, (dict, list)) or not obj or depth >= 4
    if flat or (isinstance(obj, list) and not any(isinstance(x, (dict, list)) for x in obj)):
        return json.dumps(obj, sort_keys=True)
    pad = " " * (depth + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {_dumps(obj[k], depth + 1)}" for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [pad + _dumps(x, depth + 1) for x in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"


def _names(text: str, known: Sequence[str], flag: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise SystemExit(f"{flag}: unknown or empty {unknown or text!r}; known: {list(known)}")
    return names


def main(argv: list[str] | None = None) -> int:
    """Run the requested pieces, merge them into the results file, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,5-7 (default 0-9)")
    parser.add_argument("--n-evals", type=int, default=30)
    parser.add_argument(
        "--jobs", type=int, default=1, choices=(1, 2), help="processes at once (default 1)"
    )
    parser.add_argument("--seeds-per-process", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=1800.0, help="per process, seconds")
    parser.add_argument("--main-python", type=Path, default=REPO_ROOT / ".venv" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--table", action="store_true", help="print the stored table and exit")
    args = parser.parse_args(argv)

    store = load_store(args.out)
    if args.table:
        print(table(store))
        return 0
    optimizers = _names(args.optimizers, OPTIMIZERS, "--optimizers")
    problems = _names(args.problems, tuple(PROBLEMS), "--problems")
    try:
        seeds = parse_seeds(args.seeds)
    except ValueError as err:
        raise SystemExit(str(err)) from None
    if args.n_evals < 1 or args.seeds_per_process < 1:
        raise SystemExit("--n-evals and --seeds-per-process must be >= 1")

    jobs: list[Job] = []
    skipped: dict[str, str] = {}
    for optimizer in optimizers:
        venv = VENV_OF.get(optimizer)
        python = venv / "bin" / "python" if venv is not None else args.main_python
        reason = check_available(optimizer, python)
        if reason is not None:
            skipped[optimizer] = reason
            print(f"SKIP {optimizer}: {reason}", file=sys.stderr)
            continue
        for problem in problems:
            for i in range(0, len(seeds), args.seeds_per_process):
                chunk = tuple(seeds[i : i + args.seeds_per_process])
                jobs.append(Job(optimizer, problem, chunk, python))
    jobs.sort(key=lambda j: -COST.get(j.optimizer, 0.2) * len(j.seeds) * PROBLEMS[j.problem].dim)

    loadavg_start = list(os.getloadavg())
    print(
        f"{len(jobs)} processes, {args.jobs} at a time; load average at start: "
        + " ".join(f"{x:.2f}" for x in loadavg_start),
        file=sys.stderr,
    )
    start = time.perf_counter()
    failures: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench_bo_") as tmp,
        ThreadPoolExecutor(max_workers=args.jobs) as pool,
    ):
        futures: dict[Future[dict[str, Any]], Job] = {
            pool.submit(run_job, job, args.n_evals, args.timeout, Path(tmp)): job for job in jobs
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                result = future.result()
            except RuntimeError as err:
                failures.append(str(err))
                print(f"FAIL {err}", file=sys.stderr)
                continue
            merge(store, result)
            store["meta"] = _meta(loadavg_start, None, skipped)
            save_store(store, args.out)
            walls = [r["wall_s"] for r in result["runs"]]
            print(
                f"done {job.label}: median wall {statistics.median(walls):.2f} s "
                f"({time.perf_counter() - start:.0f} s elapsed)",
                file=sys.stderr,
            )
    loadavg_end = list(os.getloadavg())
    store["meta"] = _meta(loadavg_start, loadavg_end, skipped)
    save_store(store, args.out)
    print(
        f"load average at end: {' '.join(f'{x:.2f}' for x in loadavg_end)}; "
        f"total {time.perf_counter() - start:.0f} s",
        file=sys.stderr,
    )
    for optimizer, reason in skipped.items():
        print(f"skipped {optimizer}: {reason}", file=sys.stderr)
    print(table(store))
    return 1 if failures else 0


def _meta(
    loadavg_start: list[float], loadavg_end: list[float] | None, skipped: dict[str, str]
) -> dict[str, Any]:
    """Facts about the last driver run."""
    return {
        "updated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "loadavg_start": [round(x, 2) for x in loadavg_start],
        "loadavg_end": None if loadavg_end is None else [round(x, 2) for x in loadavg_end],
        "skipped": skipped,
        "fmin": {name: p.fmin for name, p in PROBLEMS.items()},
    }


if __name__ == "__main__":
    sys.exit(main())
