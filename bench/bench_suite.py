"""The problem-class suite against the peers, and the cost of a suggestion against N.

Problems: ``ax/benchmark/suite.py`` (low-D continuous, 10-20-D, mixed/categorical, integer,
noisy, constrained; standard problems from the literature). Optimisers: ours, ax-platform
1.3.1, Optuna's GP and TPE samplers, and HEBO (skipped until ``bash bench/setup_peers.sh
hebo`` made its venv), each in the virtualenv ``bench_bo`` uses (the peers'
from ``bash bench/setup_peers.sh``), one process per optimiser and problem, one thread,
through ``bench/bo/run_peer.py --suite`` (the machinery of ``bench_bo``).

Figures per optimiser and problem, over paired seeds: the median log10 regret of the best
score (noise-free value of a feasible evaluated point) after 10/20/30/50 evaluations with
its quartiles; the wall time per run *with* the imports of a fresh process (import time +
run); the median time of one model-based suggestion.

    .venv/bin/python bench/bench_suite.py --seeds 20                # the full run
    nice -n 10 .venv/bin/python bench/bench_suite.py --seeds 0-1 --problems branin,levy10
    .venv/bin/python bench/bench_suite.py --cost-n 1000,2000,5000   # ours, cost against N
    .venv/bin/python bench/bench_suite.py --table                   # print the stored table

``--seeds 20`` means seeds 0-19. Raw results: ``bench/results/suite_latest.json`` (per
problem and optimiser: the aggregates and each seed's run); drivers may run side by side
(one per core), each job's entry is merged under a file lock.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_bo import (  # noqa: E402
    REPO_ROOT,
    VENV_OF,
    Job,
    _env,
    _median,
    _quartiles,
    check_available,
    run_job,
)
from bo.run_peer import parse_seeds  # noqa: E402
from bo.suite_adapters import SUITE_ADAPTERS, load_suite  # noqa: E402

RESULTS = REPO_ROOT / "bench" / "results" / "suite_latest.json"
CHECKPOINTS = (10, 20, 30, 50)
OPTIMIZERS = ("ours", "ax_platform", "optuna_gp", "optuna_tpe", "hebo")


def summarise(problem: Any, result: dict[str, Any]) -> dict[str, Any]:
    """Aggregates of one optimiser/problem process's runs."""
    runs = result["runs"]
    out: dict[str, Any] = {"seeds": [r["seed"] for r in runs], "import_s": result["import_s"]}
    for k in CHECKPOINTS:
        if k > result["n_evals"]:
            continue
        regrets = [problem.log10_regret(min(r["values"][:k])) for r in runs]
        q25, q75 = _quartiles(regrets)
        out[f"regret@{k}"] = [_median(regrets), q25, q75]
    out["run_with_imports_s"] = _median(
        [r["wall_s"] + r.get("import_s", result["import_s"]) for r in runs]
    )
    model_times = [s for r in runs for s, m in zip(r["suggest_s"][1:], r["model_based"][1:]) if m]
    out["suggest_s"] = _median(model_times)
    out["loadavg"] = [result["loadavg_start"][0], result["loadavg_end"][0]]
    return out


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    suite = load_suite()
    store: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    store.setdefault("results", {})
    seeds = tuple(args.seeds)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.problems:
            problem = suite.get_problem(name)
            for optimizer in args.optimizers:
                venv = VENV_OF.get(optimizer)
                python = venv / "bin" / "python" if venv is not None else Path(sys.executable)
                why = check_available(optimizer, python)
                if why is not None:
                    print(f"skip {optimizer}: {why}", file=sys.stderr)
                    continue
                job = Job(optimizer, name, seeds, python)
                start = time.perf_counter()
                try:
                    result = run_job(job, args.n_evals, args.timeout, Path(tmp), ["--suite"])
                except RuntimeError as err:
                    print(f"FAILED {job.label}: {err}", file=sys.stderr)
                    continue
                store, entry = merge_entry(problem, optimizer, result)
                print(
                    f"{optimizer:12s} {name:16s} {time.perf_counter() - start:7.1f} s  "
                    + "  ".join(
                        f"@{k} {entry[f'regret@{k}'][0]:.2f}"
                        for k in CHECKPOINTS
                        if f"regret@{k}" in entry
                    ),
                    file=sys.stderr,
                    flush=True,
                )
    return store


def merge_entry(
    problem: Any, optimizer: str, result: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Store one job's runs in :data:`RESULTS` and return ``(store, entry)``.

    The stored runs of ``optimizer`` on ``problem`` are merged with the job's by seed (a
    seed run again replaces its old run; the other seeds are kept, so a long peer can be
    run a few seeds at a time) and the aggregates are recomputed over all of them. After
    a change to an optimiser's code, run all its seeds again. The store is re-read under
    an exclusive lock on a sibling lock file, so that drivers run side by side (one per
    core) never lose each other's results.
    """
    import fcntl

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS.with_name(RESULTS.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        store: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        by_problem = store.setdefault("results", {}).setdefault(problem.name, {})
        runs: dict[str, Any] = dict(by_problem.get(optimizer, {}).get("runs", {}))
        for run in result["runs"]:
            run.setdefault("import_s", result["import_s"])  # per process, kept per run
            runs[str(run["seed"])] = run
        merged = {**result, "runs": sorted(runs.values(), key=lambda r: int(r["seed"]))}
        entry = summarise(problem, merged)
        entry["class"] = problem.problem_class
        entry["runs"] = {str(r["seed"]): r for r in merged["runs"]}
        by_problem[optimizer] = entry
        tmp = RESULTS.with_name(RESULTS.name + ".tmp")
        tmp.write_text(json.dumps(store, indent=1))
        tmp.replace(RESULTS)
    return store, entry


def table(store: dict[str, Any]) -> str:
    """The markdown table of the stored suite results."""
    suite = load_suite()
    lines = [
        "| class | problem | optimizer | seeds | "
        + " | ".join(f"@{k} median [q25, q75]" for k in CHECKPOINTS)
        + " | run with imports (s) | suggestion (s) |",
        "|---|---|---|---|" + "---|" * len(CHECKPOINTS) + "---|---|",
    ]
    for name in suite.SUITE:
        for optimizer, e in store.get("results", {}).get(name, {}).items():
            cells = []
            for k in CHECKPOINTS:
                m = e.get(f"regret@{k}")
                cells.append("" if m is None else f"{m[0]:.2f} [{m[1]:.2f}, {m[2]:.2f}]")
            label = f"**{optimizer}**" if optimizer == "ours" else optimizer
            suggest = "" if math.isnan(e["suggest_s"]) else f"{e['suggest_s']:.3f}"
            lines.append(
                f"| {e['class']} | {name} | {label} | {len(e['seeds'])} | "
                + " | ".join(cells)
                + f" | {e['run_with_imports_s']:.2f} | {suggest} |"
            )
    if store.get("cost_n"):
        lines += [
            "",
            "| N | fit (s) | gen (s) | suggestion (s) | CPU (s) | peak RSS (MB) | path |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in store["cost_n"]:
            lines.append(
                f"| {row['n']:,} | {row['fit_s']:.3f} | {row['gen_s']:.3f} | "
                f"{row['total_s']:.3f} | {row['cpu_s']:.3f} | {row['peak_rss_mb']:.0f} | "
                f"{row['path']} |"
            )
    return "\n".join(lines)


# ------------------------------------------------------------------------ cost against N
COST_N_CHILD = r"""
import json, resource, sys, time
import numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, sys.argv[2])
from bo.suite_adapters import load_suite
from ax.models.torch.botorch_model import BotorchModel
N, repeats = int(sys.argv[1]), int(sys.argv[3])
rng = np.random.default_rng(0)
X = rng.random((N + repeats, 6))
y = load_suite().hartmann6(X) + 0.01 * rng.standard_normal(N + repeats)
model = BotorchModel(seed=0)
rows = []
for k in range(N, N + repeats + 1):
    Xk, yk = X[:k], y[:k]
    c0, t0 = time.process_time(), time.perf_counter()
    model.fit([Xk], [-(yk - yk.mean()) / yk.std()], [np.full(k, np.nan)],
              bounds=[(0.0, 1.0)] * 6, feature_names=list("abcdef"), metric_names=["m"])
    t1 = time.perf_counter()
    _, _, meta, _ = model.gen(1, [(0.0, 1.0)] * 6, np.array([1.0]))
    t2, c2 = time.perf_counter(), time.process_time()
    rows.append({"fit_s": t1 - t0, "gen_s": t2 - t1, "total_s": t2 - t0, "cpu_s": c2 - c0,
                 "large_n": meta.get("large_n"), "fit_path": meta.get("fit_path")})
rest = rows[1:]  # the first call in a fresh process pays one-time costs
med = lambda key: float(np.median([r[key] for r in rest]))
print(json.dumps({"n": N, "fit_s": med("fit_s"), "gen_s": med("gen_s"), "total_s": med("total_s"),
    "cpu_s": med("cpu_s"), "first_call_s": rows[0]["total_s"],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "path": "exact" if rest[-1]["large_n"] is None else
        "fit on %(hyperparameters_fitted_on)d, condition on %(conditioned_on)d"
        % rest[-1]["large_n"]}))
"""


def cost_n(sizes: Sequence[int], repeats: int) -> list[dict[str, Any]]:
    """One fresh process per N: median fit + suggestion time (wall and CPU), peak RSS."""
    rows = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, "-c", COST_N_CHILD, str(n), str(REPO_ROOT / "bench"), str(repeats)],
            env=_env("ours"),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            print(f"cost-n {n} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
            continue
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["loadavg"] = os.getloadavg()[0]
        print(row, file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def _seeds(text: str) -> list[int]:
    return list(range(int(text))) if text.isdigit() else parse_seeds(text)


def main(argv: list[str] | None = None) -> int:
    suite = load_suite()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="20", help="a count (20: seeds 0-19) or a list")
    parser.add_argument("--problems", default=",".join(suite.SUITE))
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    parser.add_argument("--n-evals", type=int, default=50)
    parser.add_argument("--timeout", type=float, default=7200.0)
    parser.add_argument("--cost-n", default="", help="e.g. 100,500,1000,2000,5000")
    parser.add_argument("--cost-repeats", type=int, default=3)
    parser.add_argument("--table", action="store_true")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(RESULTS.read_text())))
        return 0
    if args.cost_n:
        store = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        store["cost_n"] = cost_n([int(n) for n in args.cost_n.split(",")], args.cost_repeats)
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(store, indent=1))
        print(table(store))
        return 0
    args.seeds = _seeds(args.seeds)
    args.problems = [p for p in args.problems.split(",") if p]
    args.optimizers = [o for o in args.optimizers.split(",") if o]
    unknown = [p for p in args.problems if p not in suite.SUITE] + [
        o for o in args.optimizers if o not in SUITE_ADAPTERS
    ]
    if unknown:
        parser.error(f"unknown problems/optimizers: {unknown}")
    print(table(run_suite(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
