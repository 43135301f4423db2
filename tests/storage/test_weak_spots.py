"""The storage reproductions of issue 11 ("weaker spots"), each now a clear error.

- a JSON file with an integer of 4,301 digits;
- a snapshot whose Sobol ``init_position`` is 10^15;
- an arm whose parameter has the wrong type, or is missing (JSON and SQL);
- an ``alembic_version`` newer than the code;
- a "not found" message for a 100,000-character name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from sqlalchemy import Engine, text, update

from ax.exceptions import JSONDecodeError, StorageError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.json_store.load import load, loads
from ax.storage.json_store.save import dumps
from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
from ax.storage.sqa_store.load import ExperimentNotFoundError, load_experiment
from ax.storage.sqa_store.save import save_experiment
from ax.storage.sqa_store.schema import trial_table
from ax.utils.testing.core_stubs import get_experiment_with_trials


def _client_snapshot() -> Dict[str, Any]:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    client = AxClient(generation_strategy=strategy, verbose_logging=False)
    client.create_experiment(
        name="snap",
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        objective_name="obj",
    )
    client.get_next_trial()
    return client.to_json_snapshot()


# ---------------------------------------------------------------------- huge numbers
def test_an_integer_of_4301_digits_is_a_decode_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    document = json.loads(dumps(get_experiment_with_trials(1)))
    document["experiment"]["last_data_ts"] = "HUGE"
    path.write_text(json.dumps(document).replace('"HUGE"', "9" * 4301))
    with pytest.raises(JSONDecodeError, match=rf"load '{path}'.*4300 digits"):
        load(path)
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text('{"format_version": ' + "1" * 4301 + "}")
    with pytest.raises(JSONDecodeError, match=rf"load_from_json_file '{snapshot}'.*digits"):
        AxClient.load_from_json_file(snapshot)


def test_a_sobol_position_of_1e15_is_refused_at_load(tmp_path: Path) -> None:
    snapshot = _client_snapshot()
    state = snapshot["experiment"]["trials"][0]["generator_run"]["model_state_after_gen"]
    state["init_position"] = 10**15
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    with pytest.raises(JSONDecodeError, match=r"init_position must be < 2\*\*30.*1000000000000000"):
        AxClient.load_from_json_file(path)
    with pytest.raises(JSONDecodeError, match="step 0 \\(Sobol\\).*model_state_after_gen"):
        AxClient.from_json_snapshot(snapshot)


# ---------------------------------------------------------------------- arms
@pytest.mark.parametrize(
    "parameters, expected",
    [
        ({"x0": "abc"}, r"value 'abc' of parameter 'x0' has type str"),
        ({"x0": None, "drop": True}, r"missing parameter\(s\) \['x0'\]"),
        ({"zz": 0.5}, r"unknown parameter\(s\) \['zz'\]"),
    ],
)
def test_an_arm_with_a_bad_parameter_is_refused_by_json_load(
    parameters: Dict[str, Any], expected: str
) -> None:
    document = json.loads(dumps(get_experiment_with_trials(2)))
    arm = document["experiment"]["trials"][1]["generator_run"]["arms"][0]
    if parameters.pop("drop", False):
        for name in parameters:
            del arm["parameters"][name]
    else:
        arm["parameters"].update(parameters)
    with pytest.raises(JSONDecodeError, match=rf"trials\[1\].*arm '1_0'.*{expected}"):
        loads(json.dumps(document))


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"x3": "abc"}, r"value 'abc' of parameter 'x3' has type str"),
        ({"x4": None}, r"missing parameter\(s\) \['x4'\]"),
    ],
)
def test_an_arm_with_a_bad_parameter_is_refused_by_sql_load(
    engine: Engine, change: Dict[str, Any], expected: str
) -> None:
    experiment = get_experiment_with_trials(2)
    save_experiment(experiment, engine=engine)
    with engine.connect() as conn:
        body = json.loads(
            conn.execute(text("SELECT body FROM trial WHERE trial_index = 1")).scalar()
        )
    parameters = body["generator_run"]["arms"][0]["parameters"]
    for name, value in change.items():
        if value is None:
            del parameters[name]
        else:
            parameters[name] = value
    with engine.begin() as conn:
        conn.execute(
            update(trial_table).where(trial_table.c.trial_index == 1).values(body=json.dumps(body))
        )
    with pytest.raises(JSONDecodeError, match=rf"trials\[1\].*arm '1_0'.*{expected}"):
        load_experiment(experiment.name, engine=engine)


# ---------------------------------------------------------------------- schema version
def test_a_database_of_a_newer_version_is_refused_clearly(engine: Engine) -> None:
    experiment = get_experiment_with_trials(1)
    save_experiment(experiment, engine=engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(StorageError, match=r"revision '9999_future'.*newer version.*unchanged"):
        create_all_tables(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "9999_future"
        )


def test_the_previous_schema_is_migrated_and_its_data_still_loads(tmp_path: Path) -> None:
    from ax.storage.sqa_store.migrations.runner import current_revision, upgrade

    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0001")
    experiment = get_experiment_with_trials(3)
    document = json.loads(dumps(experiment))
    with engine.begin() as conn:  # rows as the previous version wrote them
        from ax.storage.sqa_store.encode import ExperimentEncoder, text_hash

        pieces = ExperimentEncoder(experiment)
        header = pieces.header()
        conn.execute(
            text(
                "INSERT INTO experiment (id, name, type, time_created, format_version, body, "
                "body_hash, last_data_ts, updated_at) VALUES (1, :name, 'Experiment', "
                ":created, :version, :body, :hash, :ts, '2026-01-01 00:00:00')"
            ),
            {
                "name": experiment.name,
                "created": experiment.time_created.isoformat(),
                "version": document["format_version"],
                "body": header,
                "hash": text_hash(header),
                "ts": experiment._last_data_ts,
            },
        )
        for index, trial in experiment.trials.items():
            body = pieces.trial(trial)
            conn.execute(
                text(
                    "INSERT INTO trial (experiment_id, trial_index, body, body_hash) "
                    "VALUES (1, :index, :body, :hash)"
                ),
                {"index": index, "body": body, "hash": text_hash(body)},
            )
        for index, versions in experiment._data_by_trial.items():
            for ts, data in versions.items():
                conn.execute(
                    text(
                        "INSERT INTO data_version (experiment_id, trial_index, storage_ts, body) "
                        "VALUES (1, :index, :ts, :body)"
                    ),
                    {"index": index, "ts": ts, "body": pieces.data_version(index, ts, data)},
                )
    create_all_tables(engine)
    assert current_revision(engine) == "0003"
    loaded = load_experiment(experiment.name, engine=engine)
    assert loaded == experiment
    loaded.trials[0].update_run_metadata({"after": "upgrade"})
    save_experiment(loaded, engine=engine)
    assert load_experiment(experiment.name, engine=engine) == loaded
    engine.dispose()


# ---------------------------------------------------------------------- long names
def test_not_found_messages_cut_long_names(engine: Engine) -> None:
    save_experiment(get_experiment_with_trials(0), engine=engine)
    name = "n" * 100_000
    with pytest.raises(ExperimentNotFoundError) as info:
        load_experiment(name, engine=engine)
    message = str(info.value)
    assert len(message) < 500
    assert "'nnnn" in message and "(100002 characters)" in message
