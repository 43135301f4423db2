"""The ask/tell service API: ``AxClient`` with a SQLite database, then a resume by name.

You own the loop: the client proposes parameters (``get_next_trial``), you evaluate them
wherever you like and report back (``complete_trial``, or ``log_trial_failure`` when the
evaluation crashed). With ``db_settings`` the client saves to the database after every
call, so a new process picks the run up by the experiment's name.

The experiment tunes a toy "training" over a log-scale learning rate, an integer number of
layers, a dropout rate and a choice of optimizer, maximising ``accuracy``. The default
generation strategy is Sobol for 5 trials, then the GP (with more choice values than
range parameters it would stay with Sobol; the strategy is printed):

1. a first client creates the experiment in ``runs.db`` (a temporary directory) and runs
   8 trials; one of them "crashes" and is reported with ``log_trial_failure``;
2. a second client, sharing nothing with the first but the database file (as a new
   process would), reloads the experiment by name and runs 4 more trials;
3. the best parameters and the trials table are printed.

``complete_trial``'s ``raw_data`` may be ``{metric: (mean, sem)}``, a ``(mean, sem)``
tuple or a bare number for the objective. Report the SEM the same way for every trial of
a metric (all known, or all None).

Usage:
    python examples/service.py [--db PATH] [--seed S]   # PATH: default a temporary file
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

from ax.service.ax_client import AxClient
from ax.storage.sqa_store.structs import DBSettings

EXPERIMENT = "tuning"
PARAMETERS = [
    {"name": "lr", "type": "range", "bounds": [1e-4, 0.1], "log_scale": True},
    {"name": "layers", "type": "range", "bounds": [1, 8]},  # ints in, so an int parameter
    {"name": "dropout", "type": "range", "bounds": [0.0, 0.5]},
    {"name": "optimizer", "type": "choice", "values": ["adam", "sgd", "rmsprop"]},
]
FIRST_RUN, SECOND_RUN = 8, 4
CRASHING_TRIAL = 2  # the trial whose "training job" dies (to show log_trial_failure)


def train_and_score(lr: float, layers: int, dropout: float, optimizer: str) -> float:
    """A made-up, deterministic validation accuracy; best at lr=3e-3, 6 layers, dropout
    0.2, adam (0.93).

    Stand-in for your own training code.
    """
    bonus = {"adam": 0.03, "sgd": 0.0, "rmsprop": 0.015}[optimizer]
    return (
        0.9
        - 0.02 * (math.log10(lr) + 2.5) ** 2
        - 0.002 * (layers - 6) ** 2
        - 0.2 * (dropout - 0.2) ** 2
        + bonus
    )


def fmt(parameters: dict) -> str:
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in parameters.items()
    )


def run_trials(client: AxClient, n: int, label: str) -> None:
    """Ask for ``n`` trials one at a time, evaluate each, and tell the client."""
    for _ in range(n):
        parameters, trial_index = client.get_next_trial()
        if trial_index == CRASHING_TRIAL:
            # Your job died (out of memory, a lost machine...): say so, and go on.
            client.log_trial_failure(trial_index, reason="training crashed (simulated OOM)")
            print(f"[{label}] trial {trial_index}: {fmt(parameters)} -> FAILED")
            continue
        accuracy = train_and_score(**parameters)
        # (mean, sem): the SEM of a validation accuracy, known here and on every trial.
        client.complete_trial(trial_index, raw_data={"accuracy": (accuracy, 0.01)})
        print(f"[{label}] trial {trial_index}: {fmt(parameters)} -> accuracy {accuracy:.4f}")


def main(argv: list[str] | None = None) -> int:
    """Create, run, reload by name, continue; print the best parameters."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="SQLite file to use (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(args.db) if args.db else Path(tmp) / "runs.db"
        if db_path.exists():
            print(f"FAILED: {db_path} exists; pass a new file (this example creates it)")
            return 1
        settings = DBSettings(url=f"sqlite:///{db_path}")

        # 1. The first client creates the experiment (saved at once) and runs trials.
        client = AxClient(db_settings=settings, random_seed=args.seed, verbose_logging=False)
        client.create_experiment(
            name=EXPERIMENT,
            parameters=PARAMETERS,
            objective_name="accuracy",
            minimize=False,
        )
        print(f"created experiment {EXPERIMENT!r} in {db_path}")
        print(f"generation strategy: {client.generation_strategy}")
        run_trials(client, FIRST_RUN, "client 1")
        del client  # nothing carries over but the database

        # 2. Later, e.g. in another process: a new client resumes the run by name.
        client = AxClient(db_settings=settings, verbose_logging=False)
        client.load_experiment_from_database(EXPERIMENT)
        loaded = client.experiment
        statuses = sorted({t.status.name for t in loaded.trials.values()})
        print(f"reloaded {EXPERIMENT!r}: {len(loaded.trials)} trials ({', '.join(statuses)})")
        if len(loaded.trials) != FIRST_RUN:
            print(f"FAILED: expected {FIRST_RUN} trials in the database, got {len(loaded.trials)}")
            return 1
        run_trials(client, SECOND_RUN, "client 2")

        # 3. Results.
        best = client.get_best_parameters()
        if best is None:
            print("FAILED: get_best_parameters returned None (no completed trial)")
            return 1
        parameters, (means, _) = best
        table = client.get_trials_data_frame()
        where = db_path if args.db else f"{db_path} (temporary, removed)"
    print()
    print(table.to_string(index=False))
    print()
    failed = int((table["trial_status"] == "FAILED").sum())
    print(f"{len(table)} trials ({failed} failed), stored in {where}")
    print(f"best parameters: {fmt(parameters)}")
    print(f"predicted accuracy there: {means['accuracy']:.4f}")
    if len(table) != FIRST_RUN + SECOND_RUN or failed != 1:
        print(f"FAILED: expected {FIRST_RUN + SECOND_RUN} trials with 1 failure")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
