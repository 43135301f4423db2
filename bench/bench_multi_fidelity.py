"""Multi-fidelity BO against single-fidelity BO at equal total cost (issue 15).

Problem: augmented Hartmann6 (7-D: six inputs and a fidelity ``s`` in [0, 1], target 1)
or augmented Branin (3-D), minimised. One evaluation at fidelity ``s`` costs
``FIXED_COST + COST_PER_UNIT * s`` (0.1 + 0.9 s by default: the target fidelity costs 1,
the cheapest 0.1).

- ``mf`` (ours, multi-fidelity): ``choose_generation_strategy`` on the space with the
  fidelity parameter and the cost model, i.e. Sobol, then ``Models.GPKG``
  (multi-fidelity GP + cost-aware qMultiFidelityKnowledgeGradient), with cheaper
  knowledge-gradient settings (``--fantasies``, ``--restarts``, ``--raw-samples``).
- ``sf`` (ours, single-fidelity): ``choose_generation_strategy`` on the space without the
  fidelity parameter (Sobol, then GPEI); every evaluation is at the target fidelity
  and costs 1.

Both run through ``AxClient`` (ask/tell) with the same seed per pair; a run stops when its
total cost reaches its cap (``--budget`` for sf, ``--mf-budget`` for mf) or after
``--max-trials`` trials. At each model-based suggestion the recommendation is read
(``AxClient.get_best_parameters``: the model's best point, at the target fidelity), and
its simple regret is computed on the target-fidelity function (``f(x, s=1) - f_min``);
until a model recommends, the recommendation is the observed point with the best
observed value. Raw records go to ``bench/results/``.

Usage::

    nice python bench/bench_multi_fidelity.py --problem hartmann6 --seeds 20
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ax.benchmark.synthetic_functions import aug_branin, aug_hartmann6  # noqa: E402
from ax.modelbridge.dispatch_utils import choose_generation_strategy  # noqa: E402
from ax.service.ax_client import AxClient  # noqa: E402
from ax.service.utils.instantiation import make_search_space  # noqa: E402

FIXED_COST = 0.1
COST_PER_UNIT = 0.9

PROBLEMS: Dict[str, Dict[str, Any]] = {
    "hartmann6": {
        "function": aug_hartmann6,
        "inputs": [(f"x{i}", 0.0, 1.0) for i in range(1, 7)],
    },
    "branin": {
        "function": aug_branin,
        "inputs": [("x1", -5.0, 10.0), ("x2", 0.0, 15.0)],
    },
}


def _parameters(problem: str, fidelity: bool) -> List[Dict[str, Any]]:
    out: List[Dict[str, Any]] = [
        {"name": name, "type": "range", "bounds": [lo, hi]}
        for name, lo, hi in PROBLEMS[problem]["inputs"]
    ]
    if fidelity:
        out.append(
            {
                "name": "s",
                "type": "range",
                "bounds": [0.0, 1.0],
                "is_fidelity": True,
                "target_value": 1.0,
            }
        )
    return out


def _value(problem: str, params: Dict[str, Any], s: float) -> float:
    x = [float(params[name]) for name, _, _ in PROBLEMS[problem]["inputs"]]
    return float(PROBLEMS[problem]["function"](x + [s]))


def run_one(problem: str, method: str, seed: int, args: argparse.Namespace) -> Dict[str, Any]:
    """One optimisation run; returns its per-trial records."""
    fidelity = method == "mf"
    params = _parameters(problem, fidelity)
    space = make_search_space(params, None)
    kwargs: Dict[str, Any] = {"random_seed": seed}
    if fidelity:
        kwargs["fidelity_cost_model"] = {"fixed_cost": FIXED_COST, "cost_per_unit": COST_PER_UNIT}
    strategy = choose_generation_strategy(space, **kwargs)
    if fidelity:
        gp_step = strategy.steps[-1]
        assert gp_step.model_kwargs is not None
        gp_step.model_kwargs.update(
            {
                "num_fantasies": args.fantasies,
                "num_restarts": args.restarts,
                "raw_samples": args.raw_samples,
                "maxiter": args.maxiter,
                "linear_truncated": args.linear_truncated,
            }
        )
    client = AxClient(generation_strategy=strategy, verbose_logging=False)
    client.create_experiment(parameters=params, objective_name="f", minimize=True)
    fmin = PROBLEMS[problem]["function"].fmin
    total_cost = 0.0
    best_observed: Optional[Dict[str, Any]] = None
    best_observed_value = math.inf
    records: List[Dict[str, Any]] = []
    for index in range(args.max_trials):
        if total_cost >= (args.mf_budget if fidelity else args.budget) - 1e-9:
            break
        started = time.perf_counter()
        candidate, trial_index = client.get_next_trial()
        gen_seconds = time.perf_counter() - started
        recommended = None
        if index > 0:
            best = client.get_best_parameters()
            from_model = best is not None and trial_index > 0 and _model_made_last(client)
            recommended = best[0] if from_model and best is not None else best_observed
        regret = None if recommended is None else _value(problem, recommended, 1.0) - fmin
        s = float(candidate.get("s", 1.0))
        value = _value(problem, candidate, s)
        cost = FIXED_COST + COST_PER_UNIT * s if fidelity else 1.0
        client.complete_trial(trial_index, raw_data=(value, 0.0))
        if value < best_observed_value:
            best_observed_value, best_observed = value, dict(candidate)
        records.append(
            {
                "trial": trial_index,
                "cost_before": total_cost,
                "regret_before": regret,
                "fidelity": s,
                "cost": cost,
                "value": value,
                "gen_seconds": gen_seconds,
            }
        )
        total_cost += cost
    # The recommendation after the last evaluation, from one more model fit.
    final = client.get_next_trial()[1]
    best = client.get_best_parameters()
    recommended = best[0] if best is not None and _model_made_last(client) else best_observed
    records.append(
        {
            "trial": final,
            "cost_before": total_cost,
            "regret_before": None
            if recommended is None
            else _value(problem, recommended, 1.0) - fmin,
            "fidelity": None,
            "cost": 0.0,
            "value": None,
            "gen_seconds": None,
        }
    )
    return {"problem": problem, "method": method, "seed": seed, "records": records}


def _model_made_last(client: AxClient) -> bool:
    trials = client.experiment.trials
    last = trials[max(trials)]
    runs = last.generator_runs
    return bool(runs) and runs[0].best_arm_predictions is not None


def _cost_to_reach(records: List[Dict[str, Any]], level: float) -> float:
    """Total cost spent when the recommendation first has regret <= level (inf: never)."""
    for r in records:
        if r["regret_before"] is not None and r["regret_before"] <= level:
            return float(r["cost_before"])
    return math.inf


def _regret_at(records: List[Dict[str, Any]], budget: float) -> float:
    """Regret of the recommendation made with at most ``budget`` total cost spent."""
    if budget > records[-1]["cost_before"] + 1e-9:
        return math.nan  # the run stopped before spending that much
    regret = math.nan
    for r in records:
        if r["cost_before"] > budget + 1e-9:
            break
        if r["regret_before"] is not None:
            regret = float(r["regret_before"])
    return regret


def _quantile(values: List[float], q: float) -> float:
    """Quantile where ``inf`` (never reached) sorts last; inf when it is involved."""
    ordered = sorted(float(v) for v in values)
    position = q * (len(ordered) - 1)
    lo, hi = math.floor(position), math.ceil(position)
    if lo == hi or ordered[lo] == ordered[hi]:
        return ordered[lo]
    if math.isinf(ordered[hi]):
        return math.inf
    return ordered[lo] + (position - lo) * (ordered[hi] - ordered[lo])


def _fmt(value: float) -> str:
    return "not reached" if math.isinf(value) else f"{value:.3g}"


def _quartiles(values: List[float]) -> str:
    q1, q2, q3 = (_quantile(values, q) for q in (0.25, 0.5, 0.75))
    return f"{_fmt(q2)} [{_fmt(q1)}, {_fmt(q3)}]"


def summarize(paths: List[Path], levels: List[float], budgets: List[float]) -> str:
    """Markdown tables: cost to reach each regret level, regret at each budget."""
    runs: Dict[str, Dict[int, List[Dict[str, Any]]]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                result = json.loads(line)
                runs.setdefault(result["method"], {})[result["seed"]] = result["records"]
    seeds = sorted(set.intersection(*(set(v) for v in runs.values())))
    lines = [f"Paired seeds: {len(seeds)} ({', '.join(str(s) for s in seeds)})", ""]
    lines.append(
        "| regret level | sf: cost to reach, median [q1, q3] | mf: cost to reach | "
        "mf / sf (medians) | mf / sf per seed, median | reached (sf, mf) |"
    )
    lines.append("|---|---|---|---|---|---|")
    for level in levels:
        sf = [_cost_to_reach(runs["sf"][s], level) for s in seeds]
        mf = [_cost_to_reach(runs["mf"][s], level) for s in seeds]
        med_sf, med_mf = _quantile(sf, 0.5), _quantile(mf, 0.5)
        ratio = med_mf / med_sf if math.isfinite(med_sf) else math.nan
        per_seed = [m / f if f > 0 and math.isfinite(f) else math.nan for m, f in zip(mf, sf)]
        with np.errstate(invalid="ignore"):
            per_seed_median = _quantile([v for v in per_seed if not math.isnan(v)], 0.5)
        lines.append(
            f"| {level:g} | {_quartiles(sf)} | {_quartiles(mf)} | "
            f"{'> cap' if math.isinf(ratio) else f'{ratio:.2f}'} | "
            f"{'> cap' if math.isinf(per_seed_median) else f'{per_seed_median:.2f}'} | "
            f"{sum(np.isfinite(sf))}/{len(seeds)}, "
            f"{sum(np.isfinite(mf))}/{len(seeds)} |"
        )
    lines += ["", "| total cost | sf: regret, median [q1, q3] | mf: regret |", "|---|---|---|"]
    for budget in budgets:
        sf = [_regret_at(runs["sf"][s], budget) for s in seeds]
        mf = [_regret_at(runs["mf"][s], budget) for s in seeds]
        mf_text = _quartiles(mf) if not any(np.isnan(mf)) else "(runs stop at their cap)"
        lines.append(f"| {budget:g} | {_quartiles(sf)} | {mf_text} |")
    fidelities = [r["fidelity"] for s in seeds for r in runs["mf"][s] if r["fidelity"] is not None]
    evaluations = [len(runs["mf"][s]) - 1 for s in seeds]
    seconds = [r["gen_seconds"] for s in seeds for r in runs["mf"][s] if r["gen_seconds"]]
    lines += [
        "",
        f"mf: {np.median(evaluations):.0f} evaluations per run (median), fidelity "
        f"< 0.1 in {np.mean(np.asarray(fidelities) < 0.1):.0%} of them, = 1 in "
        f"{np.mean(np.asarray(fidelities) >= 1 - 1e-9):.0%}; suggestion time median "
        f"{np.median(seconds):.1f} s.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--problem", choices=sorted(PROBLEMS), default="hartmann6")
    parser.add_argument("--methods", default="sf,mf")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=50.0, help="cost cap of sf runs")
    parser.add_argument("--mf-budget", type=float, default=10.0, help="cost cap of mf runs")
    parser.add_argument("--max-trials", type=int, default=120)
    parser.add_argument("--fantasies", type=int, default=8)
    parser.add_argument("--restarts", type=int, default=2)
    parser.add_argument("--raw-samples", type=int, default=64)
    parser.add_argument("--maxiter", type=int, default=30)
    parser.add_argument("--out", default=None)
    parser.add_argument("--linear-truncated", action="store_true")
    parser.add_argument("--summarize", nargs="*", default=None, help="jsonl files to summarise")
    parser.add_argument("--levels", default="0.5,0.2,0.1,0.05")
    parser.add_argument("--budgets", default="2.5,5,10,20,50")
    args = parser.parse_args()
    if args.summarize is not None:
        print(
            summarize(
                [Path(p) for p in args.summarize],
                [float(v) for v in args.levels.split(",")],
                [float(v) for v in args.budgets.split(",")],
            )
        )
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    out = Path(args.out or ROOT / "bench" / "results" / f"mf_{args.problem}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    with out.open("a") as fh:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            for method in methods:
                started = time.perf_counter()
                result = run_one(args.problem, method, seed, args)
                result["seconds"] = time.perf_counter() - started
                result["settings"] = {
                    k: getattr(args, k)
                    for k in (
                        "budget",
                        "mf_budget",
                        "max_trials",
                        "fantasies",
                        "restarts",
                        "raw_samples",
                        "maxiter",
                        "linear_truncated",
                    )
                }
                result["cost_model"] = {"fixed_cost": FIXED_COST, "cost_per_unit": COST_PER_UNIT}
                fh.write(json.dumps(result) + "\n")
                fh.flush()
                last = result["records"][-1]
                print(
                    f"{args.problem} {method} seed={seed} trials={len(result['records']) - 1} "
                    f"cost={last['cost_before']:.2f} final_regret={last['regret_before']} "
                    f"({result['seconds']:.0f} s)",
                    flush=True,
                )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
