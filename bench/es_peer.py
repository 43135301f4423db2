"""Peer side of bench/bench_early_stopping.py, run in a peer's virtual environment.

``python es_peer.py METHOD study0.json study1.json ...`` replays each study's learning
curves (trials in order, one at a time) under the peer's pruner / early-stopping
strategy and prints one JSON line: ``[[training_steps, best_val_loss], ...]`` per study.
Settings match ours: judge from epoch 3 on, with at least 5 other curves (median,
percentile); Hyperband and successive halving with min_resource 1, reduction factor 3.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from typing import Any, Dict, List, Tuple

EPOCHS = 27


def run_optuna(method: str, study: Dict[str, Any]) -> Tuple[int, float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if method == "optuna: median":
        pruner: Any = optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    elif method == "optuna: hyperband":
        pruner = optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=EPOCHS, reduction_factor=3
        )
    else:
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    sampler = optuna.samplers.RandomSampler(seed=study["seed"])
    opt = optuna.create_study(direction="minimize", pruner=pruner, sampler=sampler,
                              study_name=f"es{study['seed']}")  # fmt: skip
    steps, best = 0, math.inf
    for curve in study["curves"]:
        trial = opt.ask()
        last = math.inf
        pruned = False
        for epoch, loss in enumerate(curve, start=1):
            steps += 1
            last = loss
            trial.report(loss, epoch)
            if epoch < len(curve) and trial.should_prune():
                opt.tell(trial, state=optuna.trial.TrialState.PRUNED)
                pruned = True
                break
        if not pruned:
            opt.tell(trial, last)
        best = min(best, last)
    return steps, best


def run_ax(method: str, study: Dict[str, Any]) -> Tuple[int, float]:
    from ax.api.client import Client
    from ax.api.configs import ChoiceParameterConfig, RangeParameterConfig
    from ax.early_stopping.strategies import PercentileEarlyStoppingStrategy

    logging.disable(logging.WARNING)
    client = Client(random_seed=study["seed"])
    client.configure_experiment(
        parameters=[
            RangeParameterConfig("alpha", (1e-6, 1e-1), "float", scaling="log"),
            RangeParameterConfig("eta0", (1e-4, 1.0), "float", scaling="log"),
            ChoiceParameterConfig(
                "learning_rate", ["constant", "invscaling", "adaptive", "optimal"], "str"
            ),
            ChoiceParameterConfig("loss", ["log_loss", "modified_huber"], "str"),
            ChoiceParameterConfig("penalty", ["l2", "l1", "elasticnet"], "str"),
            ChoiceParameterConfig("average", [False, True], "bool"),
        ],
        name=f"es{study['seed']}",
    )
    client.configure_optimization(objective="-val_loss")
    client.set_early_stopping_strategy(
        PercentileEarlyStoppingStrategy(
            percentile_threshold=50.0, min_progression=3, min_curves=5
        )  # fmt: skip
    )
    steps, best = 0, math.inf
    for config, curve in zip(study["configs"], study["curves"]):
        index = client.attach_trial(config)
        last = math.inf
        stopped = False
        for epoch, loss in enumerate(curve, start=1):
            steps += 1
            last = loss
            client.attach_data(index, {"val_loss": loss}, progression=epoch)
            if epoch < len(curve) and client.should_stop_trial_early(index):
                client.mark_trial_early_stopped(index)
                stopped = True
                break
        if not stopped:
            client.complete_trial(index)
        best = min(best, last)
    return steps, best


def main() -> None:
    method, paths = sys.argv[1], sys.argv[2:]
    out: List[Tuple[int, float]] = []
    for path in paths:
        with open(path) as handle:
            study = json.load(handle)
        run = run_optuna if method.startswith("optuna") else run_ax
        out.append(run(method, study))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
