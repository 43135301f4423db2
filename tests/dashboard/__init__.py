"""Builders shared by the dashboard tests: small runs written to a SQLite or JSON store.

The experiment carries hostile text where a user's data could: a choice parameter value
and a failure reason that contain ``<script>``, so every test that renders it is also an
escaping test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from ax.benchmark import branin
from ax.service.ax_client import AxClient

HOSTILE_VALUE = "<script>window.__axPwned = 1</script>"
HOSTILE_REASON = "<script>window.__axPwned = 2</script><img src=x onerror=alert(1)>"
NAME = "dash <test> & co"


def new_client(db_url: Optional[str] = None, name: str = NAME, seed: int = 0) -> AxClient:
    """An AxClient (SQLite-backed when ``db_url`` is given) with a hostile choice value."""
    from ax.storage.sqa_store.structs import DBSettings

    client = AxClient(
        db_settings=DBSettings(url=db_url) if db_url else None,
        random_seed=seed,
        verbose_logging=False,
    )
    client.create_experiment(
        name=name,
        parameters=[
            {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
            {"name": "c", "type": "choice", "values": [HOSTILE_VALUE, "plain"]},
        ],
        objective_name="branin",
        minimize=True,
    )
    return client


def run_trials(client: AxClient, completed: int, failed: bool = True, running: bool = True) -> None:
    """Complete ``completed`` trials, then fail one (hostile reason) and leave one RUNNING."""
    for _ in range(completed):
        parameters, index = client.get_next_trial()
        value = branin(float(parameters["x1"]), float(parameters["x2"]))  # type: ignore[arg-type]
        client.complete_trial(index, raw_data={"branin": (value, 0.0)})
    if failed:
        _, index = client.get_next_trial()
        client.log_trial_failure(index, reason=HOSTILE_REASON)
    if running:
        client.get_next_trial()


def sqlite_store(tmp_path: Path, completed: int = 4) -> str:
    """A SQLite store holding one small run; returns its URL."""
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    run_trials(new_client(url), completed)
    return url


def json_store(tmp_path: Path, completed: int = 4) -> Path:
    """A JSON file (experiment and generation strategy) holding one small run."""
    from ax.storage.json_store.generation_strategy import save_experiment_and_generation_strategy

    client = new_client()
    run_trials(client, completed)
    path = tmp_path / "run.json"
    save_experiment_and_generation_strategy(client.experiment, client.generation_strategy, path)
    return path


MOO_NAME = "tradeoff"


def moo_sqlite_store(tmp_path: Path, completed: int = 6) -> str:
    """A SQLite store holding a two-objective run (acc max, latency min, with thresholds)."""
    from ax.service.ax_client import ObjectiveProperties
    from ax.storage.sqa_store.structs import DBSettings

    url = f"sqlite:///{tmp_path / 'moo.db'}"
    client = AxClient(db_settings=DBSettings(url=url), random_seed=0, verbose_logging=False)
    client.create_experiment(
        name=MOO_NAME,
        parameters=[
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "y", "type": "range", "bounds": [0.0, 1.0]},
        ],
        objectives={
            "acc": ObjectiveProperties(minimize=False, threshold=0.05),
            "latency": ObjectiveProperties(minimize=True, threshold=1.9),
        },
    )
    for _ in range(completed):
        p, index = client.get_next_trial()
        x, y = float(p["x"]), float(p["y"])  # type: ignore[arg-type]
        client.complete_trial(
            index, raw_data={"acc": (x * (1.0 - 0.3 * y), 0.0), "latency": (0.5 + x * x, 0.0)}
        )
    return url


CURVES_NAME = "curves"


def curves_sqlite_store(tmp_path: Path, trials: int = 5) -> str:
    """A SQLite store of an ask/tell run whose trials reported learning curves; the
    worse ones are stopped early (the last trial is left RUNNING mid-curve)."""
    from ax.early_stopping import EarlyStoppingOptions, MedianRule
    from ax.storage.sqa_store.structs import DBSettings

    url = f"sqlite:///{tmp_path / 'curves.db'}"
    client = AxClient(db_settings=DBSettings(url=url), random_seed=0, verbose_logging=False)
    client.create_experiment(
        name=CURVES_NAME,
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        objective_name="loss",
        minimize=True,
    )
    client.set_stopping_rule(MedianRule(EarlyStoppingOptions(min_progression=2, min_curves=2)))
    for n in range(trials):
        parameters, index = client.get_next_trial()
        x = float(parameters["x"])  # type: ignore[arg-type]
        loss = 0.0
        for epoch in range(1, 7):
            loss = (x - 0.3) ** 2 + 1.0 / epoch
            client.report_intermediate(index, epoch, {"loss": loss})
            if n == trials - 1 and epoch == 3:
                return url  # the last trial stays RUNNING
            if client.should_stop_trial(index).stop:
                client.stop_trial_early(index)
                break
        else:
            client.complete_trial(index, raw_data={"loss": (loss, 0.0)})
    return url
