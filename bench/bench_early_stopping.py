"""Early stopping on real learning curves: our rules against no stopping, Optuna's median
and Hyperband pruners and ax-platform's percentile strategy.

The learning curves are made here: scikit-learn's ``SGDClassifier`` trained epoch by epoch
(``partial_fit``, one pass over the training split per epoch, up to ``EPOCHS`` epochs) on
the digits data set that ships with scikit-learn, the validation loss (log loss on a held
out quarter) measured after each epoch. The search space is mixed: ``alpha`` and ``eta0``
(log-uniform), ``learning_rate`` (4 choices), ``loss`` (2), ``penalty`` (3) and
``average`` (bool). Per seed, ``TRIALS`` configurations are drawn and trained once to the
end (training is deterministic: ``random_state`` is fixed), so every method sees the very
same trials in the same order (paired), one trial at a time; a method "trains" a trial
by consuming its curve epoch by epoch, reports each epoch and stops when its rule says
so. A method's cost is the epochs it consumed (training steps); its result the best
validation loss over its trials (a stopped trial counts with its last value).

Methods: ours through the public ask/tell API (``AxClient.attach_trial``,
``report_intermediate``, ``should_stop_trial``, ``stop_trial_early``); Optuna 5
(``trial.report``/``should_prune``) and ax-platform 1.3.1 (``Client.attach_data`` with
progressions, ``should_stop_trial_early``) in their own virtual environments
(``bash bench/setup_peers.sh``), through ``bench/es_peer.py``.

Run from the repository root: ``python bench/bench_early_stopping.py [--seeds 10]
[--trials 30]``. Results go to ``bench/results/early_stopping_latest.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

EPOCHS = 27
TRIALS = 30
LOSS_CAP = 10.0  # a diverged model's loss (log loss of a uniform guess is 2.3)
PEERS = {
    "optuna": REPO_ROOT / ".bench-venvs" / "optuna" / "bin" / "python",
    "ax-platform": REPO_ROOT / ".bench-venvs" / "ax-platform" / "bin" / "python",
}

PARAMETERS: List[Dict[str, Any]] = [
    {"name": "alpha", "type": "range", "bounds": [1e-6, 1e-1], "log_scale": True},
    {"name": "eta0", "type": "range", "bounds": [1e-4, 1.0], "log_scale": True},
    {
        "name": "learning_rate",
        "type": "choice",
        "values": ["constant", "invscaling", "adaptive", "optimal"],
    },
    {"name": "loss", "type": "choice", "values": ["log_loss", "modified_huber"]},
    {"name": "penalty", "type": "choice", "values": ["l2", "l1", "elasticnet"]},
    {"name": "average", "type": "choice", "values": [False, True]},
]


# ---------------------------------------------------------------------- learning curves
def draw_configs(seed: int, n: int) -> List[Dict[str, Any]]:
    import numpy as np

    rng = np.random.default_rng(seed)
    configs = []
    for _ in range(n):
        configs.append(
            {
                "alpha": float(10 ** rng.uniform(-6, -1)),
                "eta0": float(10 ** rng.uniform(-4, 0)),
                "learning_rate": str(rng.choice(["constant", "invscaling", "adaptive", "optimal"])),
                "loss": str(rng.choice(["log_loss", "modified_huber"])),
                "penalty": str(rng.choice(["l2", "l1", "elasticnet"])),
                "average": bool(rng.integers(2)),
            }
        )
    return configs


def learning_curve(config: Dict[str, Any], seed: int) -> List[float]:
    """Validation log loss after each of ``EPOCHS`` epochs of ``partial_fit``."""
    import numpy as np
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier
    from sklearn.metrics import log_loss
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=seed)
    scaler = StandardScaler().fit(X_train)
    X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
    classes = np.unique(y)
    model = SGDClassifier(random_state=seed, **config)
    rng = np.random.default_rng(seed)
    curve = []
    for _ in range(EPOCHS):
        order = rng.permutation(len(y_train))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            model.partial_fit(X_train[order], y_train[order], classes=classes)
            proba = model.predict_proba(X_val)
        proba = np.nan_to_num(proba, nan=0.0)
        proba = np.clip(proba, 1e-7, 1.0)
        proba /= proba.sum(axis=1, keepdims=True)
        loss = float(log_loss(y_val, proba, labels=classes))
        curve.append(min(loss, LOSS_CAP) if math.isfinite(loss) else LOSS_CAP)
    return curve


def make_study(seed: int, n: int) -> Dict[str, Any]:
    configs = draw_configs(seed, n)
    return {
        "seed": seed,
        "configs": configs,
        "curves": [learning_curve(c, seed) for c in configs],
    }


# ---------------------------------------------------------------------- our rules
def our_methods() -> Dict[str, Callable[[], Any]]:
    from ax.early_stopping import (
        EarlyStoppingOptions,
        HyperbandRule,
        MedianRule,
        PercentileRule,
        SuccessiveHalvingRule,
    )

    return {
        "ours: none": lambda: None,
        "ours: median": lambda: MedianRule(EarlyStoppingOptions(min_progression=3, min_curves=5)),
        "ours: percentile 70": lambda: PercentileRule(
            70, EarlyStoppingOptions(min_progression=3, min_curves=5)
        ),
        "ours: percentile 70, patience 1": lambda: PercentileRule(
            70, EarlyStoppingOptions(min_progression=2, min_curves=5, patience=1)
        ),
        "ours: successive halving": lambda: SuccessiveHalvingRule(
            min_resource=1, reduction_factor=3, options=EarlyStoppingOptions(min_curves=3)
        ),
        "ours: hyperband": lambda: HyperbandRule(
            min_resource=1,
            max_resource=EPOCHS,
            reduction_factor=3,
            options=EarlyStoppingOptions(min_curves=3),
        ),  # fmt: skip
    }


def run_ours(study: Dict[str, Any], make_rule: Callable[[], Any]) -> Tuple[int, float]:
    from ax.service.ax_client import AxClient

    client = AxClient(random_seed=study["seed"], verbose_logging=False)
    client.create_experiment(
        name="es", parameters=PARAMETERS, objective_name="val_loss", minimize=True
    )
    rule = make_rule()
    if rule is not None:
        client.set_stopping_rule(rule)
    steps, best = 0, math.inf
    for config, curve in zip(study["configs"], study["curves"]):
        _, index = client.attach_trial(config)
        last = math.inf
        for epoch, loss in enumerate(curve, start=1):
            steps += 1
            last = loss
            client.report_intermediate(index, epoch, {"val_loss": loss})
            if rule is not None and epoch < len(curve):
                decision = client.should_stop_trial(index)
                if decision.stop:
                    client.stop_trial_early(index, reason=decision.reason)
                    break
        else:
            client.complete_trial(index, {"val_loss": (last, 0.0)})
        best = min(best, last)
    return steps, best


def run_peer(peer: str, method: str, paths: List[str]) -> List[Tuple[int, float]]:
    python = PEERS[peer]
    if not python.exists():
        raise FileNotFoundError(f"{python} (run: bash bench/setup_peers.sh)")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(python), str(REPO_ROOT / "bench" / "es_peer.py"), method, *paths],
        check=True, capture_output=True, text=True, env=env, cwd="/tmp",
    )  # fmt: skip
    return [tuple(row) for row in json.loads(out.stdout.strip().splitlines()[-1])]  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--trials", type=int, default=TRIALS)
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--curves", help="cache of the learning curves (made if missing)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    t0 = time.time()
    cache = Path(args.curves) if args.curves else None
    if cache is not None and cache.exists():
        studies = json.loads(cache.read_text())[: args.seeds]
    else:
        studies = [make_study(seed, args.trials) for seed in range(args.seeds)]
        if cache is not None:
            cache.write_text(json.dumps(studies))
    print(f"curves: {args.seeds} seeds x {args.trials} trials x {EPOCHS} epochs in "
          f"{time.time() - t0:.1f} s", flush=True)  # fmt: skip
    results: Dict[str, List[Tuple[int, float]]] = {}
    for name, make_rule in our_methods().items():
        t1 = time.time()
        results[name] = [run_ours(study, make_rule) for study in studies]
        print(f"{name}: {time.time() - t1:.1f} s", flush=True)
    if not args.no_peers:
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for study in studies:
                path = Path(tmp) / f"study{study['seed']}.json"
                path.write_text(json.dumps(study))
                paths.append(str(path))
            for peer, method in [
                ("optuna", "optuna: median"),
                ("optuna", "optuna: hyperband"),
                ("optuna", "optuna: successive halving"),
                ("ax-platform", "ax-platform: percentile 50"),
            ]:
                t1 = time.time()
                try:
                    results[method] = run_peer(peer, method, paths)
                except (FileNotFoundError, subprocess.CalledProcessError) as err:
                    detail = getattr(err, "stderr", "") or ""
                    print(f"{method}: skipped ({err}) {detail[-2000:]}", flush=True)
                    continue
                print(f"{method}: {time.time() - t1:.1f} s", flush=True)
    report(results, args)


def report(results: Dict[str, List[Tuple[int, float]]], args: Any) -> None:
    base = results["ours: none"]
    rows = []
    print()
    print("| method | median training steps | steps saved | median best val. loss | "
          "seeds no worse than no stopping |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        steps = statistics.median(s for s, _ in runs)
        best = statistics.median(b for _, b in runs)
        saved = 1 - steps / statistics.median(s for s, _ in base)
        no_worse = sum(1 for (_, b), (_, b0) in zip(runs, base) if b <= b0 + 1e-12)
        rows.append({"method": name, "median_steps": steps, "saved": saved,
                     "median_best": best, "no_worse": no_worse, "runs": runs})  # fmt: skip
        print(f"| {name} | {steps:.0f} | {saved:.0%} | {best:.4f} | {no_worse}/{len(runs)} |")
    out = REPO_ROOT / "bench" / "results" / "early_stopping_latest.json"
    out.write_text(json.dumps({"seeds": args.seeds, "trials": args.trials, "epochs": EPOCHS,
                               "rows": rows}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
