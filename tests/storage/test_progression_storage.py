"""Intermediate (progression) data and EARLY_STOPPED trials round-trip in both stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ax.core.types import TrialStatus
from ax.exceptions import JSONDecodeError
from ax.storage.json_store.load import load, loads
from ax.storage.json_store.save import dumps, save
from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.save import save_experiment, save_or_update_trial
from ax.storage.sqa_store.schema import progression_table
from tests.core.test_progression import make_experiment
from tests.storage.test_sqa_store import Writes


def _with_curves():
    experiment = make_experiment(3)
    data = experiment.progression_data
    for step in range(1, 4):
        data.append(experiment, 0, step, {"loss": 1.0 / step, "acc": step / 10})
        data.append(experiment, 1, step * 2, {"loss": 2.0 / step})
    experiment.trials[1].mark_early_stopped(reason="worse than the median at step 6", progression=6)
    return experiment


def test_json_round_trip(tmp_path: Path) -> None:
    experiment = _with_curves()
    path = tmp_path / "e.json"
    save(experiment, path)
    loaded = load(path)
    assert loaded.progression_data == experiment.progression_data
    assert loaded.trials[1].status is TrialStatus.EARLY_STOPPED
    assert loaded.trials[1].early_stopped_reason == "worse than the median at step 6"
    assert loaded == experiment


def test_json_rejects_rows_of_unknown_trials() -> None:
    experiment = _with_curves()
    text = dumps(experiment).replace('"trial_index":[0,0,1', '"trial_index":[9,0,1')
    assert text != dumps(experiment)
    with pytest.raises(JSONDecodeError, match="progression_data"):
        loads(text)


def test_sql_round_trip_and_append_only_saves(tmp_path: Path) -> None:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'e.db'}")
    create_all_tables(engine)
    experiment = _with_curves()
    save_experiment(experiment, engine=engine)
    loaded = load_experiment(experiment.name, engine=engine)
    assert loaded.progression_data == experiment.progression_data
    assert loaded.trials[1].early_stopped_reason == "worse than the median at step 6"
    # Later reports: each save writes one new chunk for the trial, never the old rows.
    writes = Writes(engine)
    data = loaded.progression_data
    for step in range(4, 40):
        writes.reset()
        data.append(loaded, 0, step, {"loss": 1.0 / step})
        save_or_update_trial(loaded, loaded.trials[0], engine=engine)
        assert writes.rows.get("progression") == 1
    writes.close()
    again = load_experiment(experiment.name, engine=engine)
    assert again.progression_data == loaded.progression_data
    assert again.progression_data.curve(0, "loss")[0] == [float(s) for s in range(1, 40)]
    with engine.connect() as conn:
        chunks = conn.execute(select(func.count()).select_from(progression_table)).scalar()
    assert chunks == 2 + 36
    engine.dispose()
