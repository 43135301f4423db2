"""Fuzzing the decoders (hypothesis): hostile or damaged documents load, or raise the
project's own :class:`~ax.exceptions.JSONDecodeError`; never a raw ``ValueError``,
``KeyError``, ``IndexError``, ``TypeError``, ``RecursionError`` or ``OverflowError``.

Four suites (figures in ``docs/reliability.md``):

- text: bytes of a saved experiment flipped, cut, duplicated or spliced with hostile
  tokens (huge integers, deep nesting, non-standard constants);
- structure: one to three values of a parsed experiment replaced by hostile values;
- snapshot: an ``AxClient`` snapshot mutated the same way; when it loads, the client
  must still propose a trial or refuse with a project error;
- SQL: a stored trial's row mutated; ``load_experiment`` loads or raises JSONDecodeError.

Every run is deterministic (``derandomize=True``) and bounded (``max_examples``).
"""

from __future__ import annotations

import copy
import json
from typing import Any, Iterator, List, Tuple

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from ax.exceptions import AxError, JSONDecodeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from ax.storage.json_store.load import decode_document, loads
from ax.storage.json_store.save import dumps
from ax.storage.sqa_store.db import create_all_tables, create_engine_for_url
from ax.storage.sqa_store.load import load_experiment
from ax.storage.sqa_store.save import save_experiment
from ax.utils.testing.core_stubs import get_experiment_with_trials
from tests.fuzzing import fuzz_settings

_BASE_TEXT = dumps(get_experiment_with_trials(3)).encode("utf-8")
_BASE = json.loads(_BASE_TEXT)

HOSTILE_TOKENS = [
    b"9" * 4301,
    b"-" + b"9" * 5000,
    b"1e999999",
    b"NaN",
    b"Infinity",
    b"[" * 3000 + b"]" * 3000,
    b'{"a":' * 2000 + b"1" + b"}" * 2000,
    b'"\\ud800"',
    b"\xff\xfe",
    b"null",
    b'{"__type": "os.system"}',
    b'"' + b"x" * 100_000 + b'"',
]

HOSTILE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**400), 10**15, -1, 2**63, 2**31]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.just("x" * 10_000),
    st.just([]),
    st.just({}),
    st.just([1]),
    st.just({"__type": "os.system", "command": "echo hi"}),
    st.just({"__type": "ExperimentRef", "field": "search_space"}),
    st.just({"__type": "float", "value": "nan"}),
    st.just({"__type": "Arm", "name": "a", "parameters": {"x0": "abc"}}),
    st.just({"__type": "datetime", "value": "not a time"}),
    st.just(json.loads("[" * 200 + "]" * 200)),
)


def _paths(node: Any, prefix: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out.extend(_paths(child, (*prefix, index)))
    return out


def _mutate(document: Any, paths: List[Tuple[Any, ...]], edits: List[Tuple[int, Any, bool]]) -> Any:
    """A copy of ``document`` with each edit (path number, value, delete?) applied."""
    document = json.loads(json.dumps(document))
    for number, value, delete in edits:
        parent = document
        path = paths[number % len(paths)]
        try:
            for key in path[:-1]:
                parent = parent[key]
            if delete:
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(value)  # st.just values are shared
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    return document


def _outcome(load: Any, *args: Any, **kwargs: Any) -> Any:
    """``load(*args, **kwargs)``, or None if it raised JSONDecodeError (counted as events
    for ``--hypothesis-show-statistics``); any other error fails the test."""
    try:
        loaded = load(*args, **kwargs)
    except JSONDecodeError:
        event("refused: JSONDecodeError")
        return None
    event("loaded")
    return loaded


EDITS = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**6), HOSTILE_VALUES, st.booleans()),
    min_size=1,
    max_size=3,
)


# ---------------------------------------------------------------------- text
@fuzz_settings(800)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["flip", "cut", "insert", "duplicate"]),
            st.integers(min_value=0, max_value=len(_BASE_TEXT)),
            st.integers(min_value=0, max_value=255),
            st.sampled_from(HOSTILE_TOKENS),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_damaged_text_loads_or_raises_json_decode_error(
    mutations: List[Tuple[str, int, int, bytes]],
) -> None:
    data = bytearray(_BASE_TEXT)
    for kind, at, byte, token in mutations:
        at = min(at, len(data))
        if kind == "flip" and at < len(data):
            data[at] = byte
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = token
        elif kind == "duplicate":
            data[at:at] = data[max(0, at - 50) : at]
    _outcome(loads, bytes(data))


# ---------------------------------------------------------------------- structure
_PATHS = [p for p in _paths(_BASE) if p]


@fuzz_settings(700)
@given(EDITS)
def test_hostile_values_load_or_raise_json_decode_error(
    edits: List[Tuple[int, Any, bool]],
) -> None:
    _outcome(decode_document, _mutate(_BASE, _PATHS, edits))


# ---------------------------------------------------------------------- snapshots
def _snapshot() -> Any:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs={})])
    client = AxClient(generation_strategy=strategy, verbose_logging=False)
    client.create_experiment(
        name="fuzz",
        parameters=[
            {"name": "x", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "k", "type": "choice", "values": ["a", "b", "c"]},
        ],
        objective_name="obj",
        parameter_constraints=None,
    )
    for value in (1.0, 2.0):
        _, index = client.get_next_trial()
        client.complete_trial(index, raw_data={"obj": (value, 0.1)})
    client.get_next_trial()
    return json.loads(json.dumps(client.to_json_snapshot()))


_SNAPSHOT = _snapshot()
_SNAPSHOT_PATHS = [p for p in _paths(_SNAPSHOT) if p]


@fuzz_settings(300)
@given(EDITS)
def test_hostile_snapshots_load_and_work_or_raise_project_errors(
    edits: List[Tuple[int, Any, bool]],
) -> None:
    document = _mutate(_SNAPSHOT, _SNAPSHOT_PATHS, edits)
    client = _outcome(AxClient.from_json_snapshot, document)
    if client is None:
        return
    try:  # a loaded snapshot proposes, or refuses with a project error
        client.get_next_trial()
        event("proposed a trial")
    except AxError as err:
        event(f"refused to propose: {type(err).__name__}")


# ---------------------------------------------------------------------- SQL rows
@pytest.fixture(scope="module")
def stored() -> Iterator[Tuple[Engine, str]]:
    engine = create_engine_for_url("sqlite://")
    create_all_tables(engine)
    experiment = get_experiment_with_trials(3)
    save_experiment(experiment, engine=engine)
    with engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM trial WHERE trial_index = 1")).scalar()
    yield engine, str(body)
    engine.dispose()


@fuzz_settings(200)
@given(edits=EDITS)
def test_hostile_stored_trials_load_or_raise_json_decode_error(
    stored: Tuple[Engine, str], edits: List[Tuple[int, Any, bool]]
) -> None:
    engine, body = stored
    trial = json.loads(body)
    mutated = json.dumps(_mutate(trial, [p for p in _paths(trial) if p], edits))
    with engine.begin() as conn:
        conn.execute(text("UPDATE trial SET body = :body WHERE trial_index = 1"), {"body": mutated})
    try:
        _outcome(load_experiment, "bench_3", engine=engine)
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE trial SET body = :body WHERE trial_index = 1"), {"body": body}
            )
