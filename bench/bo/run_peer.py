"""Run one optimiser on one problem for several seeds, in this interpreter, and write JSON.

Meant to run inside the optimiser's own virtualenv (``bench/bench_bo.py`` starts it so),
because ax-platform and this project both import as ``ax``:

    .bench-venvs/ax-platform/bin/python bench/bo/run_peer.py --optimizer ax_platform \\
        --problem branin --seeds 0-9 --out results.json

One thread for torch and the BLAS libraries (``OMP_NUM_THREADS=1`` etc., set here before
any import unless already set, and ``torch.set_num_threads(1)``); INFO logging is off.
The optimiser's modules are imported first and timed apart (``import_s``), so that each
run's wall time covers the run only. The first run in the process still pays the
first-call costs (lazy imports, kernels warming up): the driver reports its first
model-based suggestion separately.

Output (``--out``): ``{"optimizer", "problem", "n_evals", "python", "versions",
"import_s", "torch_threads", "loadavg_start", "loadavg_end", "started", "runs": [{"seed",
"values", "suggest_s", "model_based", "wall_s", "info"}]}``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    # One thread, set before numpy or torch load their thread pools.
    for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    # Import ``bo`` from bench/, never from the repository root: in a peer's venv ``ax``
    # must stay ax-platform. Python put this file's folder (bench/bo) first; replace it.
    _BENCH = str(Path(__file__).resolve().parents[1])
    if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
        sys.path[0] = _BENCH
    else:
        sys.path.insert(0, _BENCH)

import argparse  # noqa: E402
import importlib  # noqa: E402
import importlib.metadata as metadata  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from typing import Any  # noqa: E402

from bo.adapters import ADAPTERS, DISTRIBUTIONS, IMPORTS, run  # noqa: E402
from bo.problems import PROBLEMS  # noqa: E402


def parse_seeds(text: str) -> list[int]:
    """Seeds from ``"0-9"``, ``"3"``, ``"0,2,5-7"`` (ranges inclusive, order kept, no repeats).

    Raises:
        ValueError: A malformed item or an empty range.
    """
    seeds: list[int] = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        lo, sep, hi = item.partition("-")
        try:
            first, last = int(lo), int(hi if sep else lo)
        except ValueError:
            raise ValueError(f"--seeds: expected N, N-M or a comma list, got {item!r}") from None
        if first < 0 or last < first:
            raise ValueError(f"--seeds: range {item!r} must be 0 <= N <= M")
        seeds.extend(s for s in range(first, last + 1) if s not in seeds)
    if not seeds:
        raise ValueError(f"--seeds: no seed in {text!r}")
    return seeds


def versions(names: tuple[str, ...]) -> dict[str, str]:
    """Installed version of each distribution (``"-"`` when absent)."""
    out: dict[str, str] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "-"
    return out


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the seeds, write the JSON; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Checked below: the class suite has optimisers of its own (HEBO).
    parser.add_argument("--optimizer", required=True, help=f"one of {sorted(ADAPTERS)} (+ suite)")
    parser.add_argument("--problem", required=True, help=f"one of {sorted(PROBLEMS)}")
    parser.add_argument(
        "--suite",
        action="store_true",
        help="a problem of the class suite (ax/benchmark/suite.py) and its typed adapters",
    )
    parser.add_argument("--seeds", default="0-9", help="e.g. 0-9 or 0,3,5-7 (default 0-9)")
    parser.add_argument("--n-evals", type=int, default=30)
    parser.add_argument("--out", required=True, type=Path, help="JSON file to write")
    args = parser.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    if args.suite:
        from bo.suite_adapters import SUITE_ADAPTERS, load_suite, run_suite

        suite = load_suite()
        if args.problem not in suite.SUITE or args.optimizer not in SUITE_ADAPTERS:
            parser.error(f"--suite: unknown problem {args.problem!r} or {args.optimizer!r}")
        problem: Any = suite.get_problem(args.problem)
        runner: Any = run_suite
    elif args.optimizer not in ADAPTERS:
        parser.error(f"--optimizer must be one of {sorted(ADAPTERS)}, got {args.optimizer!r}")
    elif args.problem not in PROBLEMS:
        parser.error(f"--problem must be one of {sorted(PROBLEMS)}, got {args.problem!r}")
    else:
        problem, runner = PROBLEMS[args.problem], run
    if args.n_evals < 1:
        parser.error(f"--n-evals must be >= 1, got {args.n_evals}")

    logging.disable(logging.INFO)
    loadavg_start = list(os.getloadavg())
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    start = time.perf_counter()
    for module in IMPORTS[args.optimizer]:
        importlib.import_module(module)
    torch_threads = None
    try:
        import torch
    except ImportError:
        pass
    else:
        torch.set_num_threads(1)
        torch_threads = torch.get_num_threads()
    import_s = time.perf_counter() - start

    runs: list[dict[str, Any]] = []
    for seed in seeds:
        trace = runner(args.optimizer, problem, seed, args.n_evals)
        runs.append(
            {
                "seed": seed,
                "values": trace.values,
                "suggest_s": trace.suggest_s,
                "model_based": trace.model_based,
                "wall_s": trace.wall_s,
                "info": trace.info,
            }
        )
        best = min(trace.values)
        print(
            f"{args.optimizer} {args.problem} seed {seed}: best {best:.6g} "
            f"(log10 regret {problem.log10_regret(best):.2f}) in {trace.wall_s:.2f} s",
            file=sys.stderr,
            flush=True,
        )
    result = {
        "optimizer": args.optimizer,
        "problem": args.problem,
        "n_evals": args.n_evals,
        "python": sys.version.split()[0],
        "versions": versions(DISTRIBUTIONS[args.optimizer]),
        "import_s": import_s,
        "torch_threads": torch_threads,
        "loadavg_start": loadavg_start,
        "loadavg_end": list(os.getloadavg()),
        "started": started,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
