"""Time of one BoTorch suggestion: our BotorchModel against raw BoTorch and Ax's defaults.

Each suggestion = GP fit + acquisition optimisation for one point, on Hartmann6 (6-D) or
Branin (2-D) data in the unit cube, outcomes standardised, starting from ``N`` observed
points (30 and 100 by default) and adding one fresh random observation per step (the same
data sequence for every configuration, so only the code differs). Configurations:

- ``ours``: :class:`ax.models.torch.botorch_model.BotorchModel` with its defaults
  (warm-started fits capped at 100 L-BFGS iterations, log noisy EI with 128 quasi-MC
  baseline samples, 8 restarts / 512 raw samples / 100 iterations, starting points around
  the incumbent, lean likelihood, posterior and acquisition for the standard GP).
- ``ours-general``: the same, with ``fast_path=False`` (BoTorch's own likelihood and
  acquisition objects): the cost of our wrapper around identical computations.
- ``floor``: raw BoTorch written directly (no ax code), with the SAME settings as ``ours``:
  warm start by loading the previous hyperparameters, ``fit_gpytorch_mll`` capped at 100
  iterations, ``qLogNoisyExpectedImprovement`` (128 Sobol samples), ``optimize_acqf`` with
  8 restarts, 512 raw samples, maxiter 100, ``sample_around_best``.
- ``ax-like``: Ax's default, raw BoTorch: a fresh ``SingleTaskGP`` fit to convergence each
  step, ``qLogNoisyExpectedImprovement`` (512 samples), 20 restarts, 1,024 raw samples.

Every configuration runs in its own fresh interpreter with one torch thread; the first
suggestion (imports and first-call set-up) is reported separately from the median of the
next ``--repeats``. The load average is printed: timings on a busy 2-core machine vary.

``--quality SEEDS`` also runs short optimisation loops (5 Sobol points, then GP
suggestions up to ``--budget`` evaluations) with ``ours`` and ``ax-like`` and reports the
median log10 regret of the best observed value, paired by seed.

Usage:
    .venv/bin/python bench/bench_botorch_floor.py [--sizes 30 100] [--repeats 10]
        [--problem hartmann6|branin] [--quality 0] [--budget 30]
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ax.benchmark.synthetic_functions import branin as _branin_function  # noqa: E402
from ax.benchmark.synthetic_functions import hartmann6 as _hartmann6_function  # noqa: E402

CONFIGS = ("ours", "ours-general", "floor", "ax-like")

# ------------------------------------------------------------------ test functions
H6_MIN = _hartmann6_function.fmin  # -3.32237


def hartmann6(X: np.ndarray) -> np.ndarray:
    """Hartmann6 on ``[0, 1]^6`` (to minimise; minimum -3.32237); ``X`` is ``n x 6``."""
    return np.asarray(_hartmann6_function(X))


BRANIN_MIN = _branin_function.fmin  # 0.397887


def branin(X: np.ndarray) -> np.ndarray:
    """Branin on the unit square mapped to ``[-5, 10] x [0, 15]`` (to minimise); ``n x 2``."""
    return np.asarray(_branin_function(np.column_stack([X[:, 0] * 15.0 - 5.0, X[:, 1] * 15.0])))


PROBLEMS: Dict[str, Tuple[Callable[[np.ndarray], np.ndarray], int, float]] = {
    "hartmann6": (hartmann6, 6, H6_MIN),
    "branin": (branin, 2, BRANIN_MIN),
}


def standardise(y: np.ndarray) -> np.ndarray:
    """``-y`` standardised (the models maximise; the problems are minimised)."""
    z = -y
    sd = z.std()
    return (z - z.mean()) / (sd if sd > 0 else 1.0)


# ------------------------------------------------------------------ suggesters
class Ours:
    """Our BotorchModel, one fit + gen per suggestion."""

    def __init__(self, d: int, seed: int, fast: bool = True) -> None:
        from ax.models.torch.botorch_model import BotorchModel

        self.model = BotorchModel(seed=seed, fast_path=fast)
        self.d = d

    def suggest(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        bounds = [(0.0, 1.0)] * self.d
        self.model.fit(
            [X],
            [standardise(y)],
            [np.full(len(y), np.nan)],
            bounds,
            [f"x{i}" for i in range(self.d)],
            ["f"],
        )
        points, _, _, _ = self.model.gen(1, bounds, np.array([1.0]))
        return points[0]


class RawBotorch:
    """BoTorch written directly: ``floor`` (our settings) or ``ax-like`` (Ax's defaults)."""

    def __init__(self, d: int, seed: int, ax_like: bool) -> None:
        # Imported here, not in ``suggest``: the first timed call must not pay imports
        # (our BotorchModel's module imports them when the suggester is built, too).
        for module in (
            "botorch.acquisition.logei",
            "botorch.fit",
            "botorch.models",
            "botorch.optim",
            "botorch.sampling.normal",
            "gpytorch.mlls",
        ):
            importlib.import_module(module)

        self.d, self.seed, self.ax_like = d, seed, ax_like
        self.state: Optional[Dict[str, Any]] = None
        self.step = 0

    def suggest(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        import torch
        from botorch.acquisition.logei import qLogNoisyExpectedImprovement
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskGP
        from botorch.optim import optimize_acqf
        from botorch.sampling.normal import SobolQMCNormalSampler
        from gpytorch.mlls import ExactMarginalLogLikelihood

        Xt = torch.tensor(X, dtype=torch.float64)
        Yt = torch.tensor(standardise(y), dtype=torch.float64).unsqueeze(-1)
        model = SingleTaskGP(Xt, Yt, outcome_transform=None)
        options: Dict[str, Any] = {}
        if not self.ax_like and self.state is not None:
            with torch.no_grad():
                for name, param in model.named_parameters():
                    param.copy_(self.state[name])
            options = {"maxiter": 100}
        elif not self.ax_like:
            options = {"maxiter": 200}
        mll = ExactMarginalLogLikelihood(model.likelihood, model)
        fit_gpytorch_mll(mll, optimizer_kwargs={"options": options} if options else None)
        self.state = {n: p.detach().clone() for n, p in model.named_parameters()}
        samples = 512 if self.ax_like else 128
        acqf = qLogNoisyExpectedImprovement(
            model,
            X_baseline=Xt,
            sampler=SobolQMCNormalSampler(torch.Size([samples]), seed=self.seed),
            prune_baseline=True,
            cache_root=True,
        )
        bounds = torch.tensor([[0.0] * self.d, [1.0] * self.d], dtype=torch.float64)
        opt: Dict[str, bool | float | int | str]
        if self.ax_like:
            opt = {"seed": self.seed + self.step}
            restarts, raw = 20, 1024
        else:
            opt = {"seed": self.seed + self.step, "maxiter": 100, "sample_around_best": True}
            restarts, raw = 8, 512
        self.step += 1
        candidate, _ = optimize_acqf(
            acqf, bounds, q=1, num_restarts=restarts, raw_samples=raw, options=opt
        )
        return candidate.detach().numpy()[0]


def make_suggester(config: str, d: int, seed: int) -> Any:
    if config == "ours":
        return Ours(d, seed)
    if config == "ours-general":
        return Ours(d, seed, fast=False)
    return RawBotorch(d, seed, ax_like=config == "ax-like")


# ------------------------------------------------------------------ timing (one process)
def run_timing(config: str, problem: str, n0: int, repeats: int, seed: int) -> Dict[str, Any]:
    """First and following per-suggestion wall times of ``config`` (run in a subprocess)."""
    import torch

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    func, d, _ = PROBLEMS[problem]
    rng = np.random.default_rng(seed)
    X = rng.random((n0 + repeats + 1, d))
    y = func(X)
    suggester = make_suggester(config, d, seed)
    times: List[float] = []
    for step in range(repeats + 1):
        n = n0 + step
        start = time.perf_counter()
        suggester.suggest(X[:n], y[:n])
        times.append(time.perf_counter() - start)
    return {"first": times[0], "median": statistics.median(times[1:]), "best": min(times[1:])}


def run_quality(config: str, problem: str, seed: int, budget: int, n_init: int = 5) -> float:
    """log10 regret of the best value after ``budget`` evaluations of one BO run."""
    import torch
    from scipy.stats import qmc

    torch.set_num_threads(1)
    warnings.simplefilter("ignore")
    func, d, minimum = PROBLEMS[problem]
    X = qmc.Sobol(d, scramble=True, rng=seed).random(n_init)
    y = func(X)
    suggester = make_suggester(config, d, seed)
    while len(y) < budget:
        x = np.clip(suggester.suggest(X, y), 0.0, 1.0)
        X = np.vstack([X, x])
        y = np.append(y, func(x[None])[0])
    return math.log10(max(float(y.min()) - minimum, 1e-12))


def _subprocess(args: List[str]) -> Any:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 100])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--problem", choices=sorted(PROBLEMS), default="hartmann6")
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--quality", type=int, default=0, help="seeds of the quality check (0: skip)"
    )
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--_timing", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--_quality", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._timing:  # child process: one configuration, one size
        config, problem, n0 = args._timing
        print(json.dumps(run_timing(config, problem, int(n0), args.repeats, args.seed)))
        return
    if args._quality:
        config, problem = args._quality
        print(json.dumps(run_quality(config, problem, args.seed, args.budget)))
        return

    print(
        f"problem={args.problem} repeats={args.repeats} torch threads=1 "
        f"load average={os.getloadavg()[0]:.2f}"
    )
    results: Dict[Tuple[str, int], Dict[str, float]] = {}
    for n0 in args.sizes:
        for config in args.configs:
            results[(config, n0)] = _subprocess(
                [
                    "--_timing",
                    config,
                    args.problem,
                    str(n0),
                    "--repeats",
                    str(args.repeats),
                    "--seed",
                    str(args.seed),
                ]
            )
    print()
    print("| configuration | N | first call (s) | median per suggestion (s) | best (s) |")
    print("|---|---|---|---|---|")
    for n0 in args.sizes:
        for config in args.configs:
            r = results[(config, n0)]
            print(f"| {config} | {n0} | {r['first']:.3f} | {r['median']:.4f} | {r['best']:.4f} |")
    print()
    for n0 in args.sizes:
        line = [f"N={n0}:"]
        floor = results.get(("floor", n0))
        for config in ("ours", "ours-general", "ax-like"):
            if floor and (config, n0) in results:
                ratio = results[(config, n0)]["median"] / floor["median"]
                line.append(f"{config}/floor = {ratio:.2f}")
        print("  ".join(line))
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    if args.quality:
        print()
        print(
            f"quality: {args.quality} seeds, budget {args.budget}, median log10 regret "
            "(paired by seed)"
        )
        scores: Dict[str, List[float]] = {}
        for config in ("ours", "ax-like"):
            scores[config] = [
                _subprocess(
                    [
                        "--_quality",
                        config,
                        args.problem,
                        "--seed",
                        str(s),
                        "--budget",
                        str(args.budget),
                    ]
                )
                for s in range(args.quality)
            ]
        for config, values in scores.items():
            q1, q2, q3 = np.percentile(values, [25, 50, 75])
            print(f"  {config}: median {q2:.2f} (IQR {q1:.2f} .. {q3:.2f})")
        diffs = np.array(scores["ours"]) - np.array(scores["ax-like"])
        wins = int((diffs < 0).sum())
        print(
            f"  ours - ax-like: median {np.median(diffs):+.2f}; ours better on {wins} of "
            f"{len(diffs)} seeds"
        )


if __name__ == "__main__":
    main()
