"""Property-based fuzzing of the Polaris checkpoint loader (hypothesis, derandomized).

Whatever the file holds, :func:`polaris.checkpoint.load_checkpoint` returns records that
:class:`~polaris.Trials` accepts, or raises the project's clear error
(:class:`~ax.exceptions.JSONDecodeError` / :class:`~ax.exceptions.StorageError`, both
:class:`~ax.exceptions.AxError`), never a raw ``ValueError``, ``IndexError``,
``KeyError``, ``TypeError`` or ``RecursionError``. A record changed without its digest
being recomputed is always detected. Example counts are in docs/reliability.md.
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ax.exceptions import AxError, JSONDecodeError
from polaris import STATUS_FAILURE, STATUS_SUCCESS, Bounds, Polaris, Trials
from polaris.checkpoint import checkpoint_path, load_checkpoint
from polaris.records import RECORD_KEYS, records_digest, validate_record

FUZZ: Dict[str, Any] = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([10**400, -(10**309)])  # beyond a float
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from([{"__float__": "inf"}, {"__float__": "nan"}, {"__float__": "x"}])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted(RECORD_KEYS) + ["extra", ""])
record_values = (  # cheaper than json_values, and closer to what a record holds
    json_scalars
    | st.dictionaries(st.sampled_from(["x", "y", "loss", "status", ""]), json_scalars, max_size=3)
    | st.lists(json_scalars, max_size=2)
)
record_dicts = st.fixed_dictionaries({k: record_values for k in sorted(RECORD_KEYS)})


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Dict[str, Any], Path]]:
    """A real checkpoint of 4 evaluations (one failed) and a scratch file path."""
    folder = tmp_path_factory.mktemp("fuzz")

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
        if exp_info["eval_count"] == 2:
            return {"status": STATUS_FAILURE, "why": ["nested", {"a": 1}]}
        return {"loss": params["x"] ** 2 + params["y"], "status": STATUS_SUCCESS}

    bounds = [Bounds("x", 0.0, 1.0), Bounds("y", 0, 3, q=1)]
    Polaris(
        fn, bounds, "random", Trials(), 4, exp_key="f", checkpoint_dir=str(folder), seed=0
    ).run()
    path = Path(checkpoint_path(str(folder), "f"))
    yield json.loads(path.read_text()), path


def _load(path: Path, text: str) -> Any:
    """Load ``text`` as the checkpoint; the records must then feed a Trials."""
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        records, _, _ = load_checkpoint(str(path), "f")
    except AxError as err:
        assert isinstance(err, (JSONDecodeError,)), repr(err)
        assert str(path) in str(err)  # names the file
        return err
    trials = Trials()
    for record in records:
        trials._append(record)
    return records


def _rehash(document: Dict[str, Any]) -> None:
    records = document["trials"]
    document["num_trials"] = len(records) if isinstance(records, list) else 0
    if isinstance(records, list):
        with contextlib.suppress(ValueError):  # e.g. an int beyond Python's str limit
            document["trials_sha256"] = records_digest(records)
    document["ax_sha256"] = records_digest(document["ax"])


@settings(max_examples=300, **FUZZ)
@given(
    index=st.integers(0, 3),
    field=field_names,
    value=json_values,
    delete=st.booleans(),
    rehash=st.booleans(),
)
def test_mutated_record_field_loads_or_fails_clearly(
    base: Tuple[Dict[str, Any], Path],
    index: int,
    field: str,
    value: Any,
    delete: bool,
    rehash: bool,
) -> None:
    original, path = base
    document = copy.deepcopy(original)
    record = document["trials"][index]
    if delete:
        record.pop(field, None)
    else:
        record[field] = value
    changed = document["trials"] != original["trials"]
    if rehash:
        _rehash(document)
    try:
        text = json.dumps(document)
    except ValueError:  # an int too long for json.dumps: the saver never writes one
        return
    outcome = _load(path, text)
    if changed and not rehash:  # edited behind the digest's back: always detected
        assert isinstance(outcome, JSONDecodeError)


@settings(max_examples=250, **FUZZ)
@given(records=st.lists(record_values | record_dicts, max_size=4), rehash=st.booleans())
def test_arbitrary_records_load_or_fail_clearly(
    base: Tuple[Dict[str, Any], Path], records: Any, rehash: bool
) -> None:
    original, path = base
    document = copy.deepcopy(original)
    document["trials"] = records
    if rehash:
        _rehash(document)
    try:
        text = json.dumps(document)
    except ValueError:
        return
    _load(path, text)


@settings(max_examples=400, **FUZZ)
@given(data=st.data())
def test_mutated_file_text_loads_or_fails_clearly(
    base: Tuple[Dict[str, Any], Path], data: st.DataObject
) -> None:
    original, path = base
    text = json.dumps(original)
    kind = data.draw(st.sampled_from(["truncate", "replace", "insert", "nest", "digits"]))
    at = data.draw(st.integers(0, len(text)))
    if kind == "truncate":
        text = text[:at]
    elif kind == "replace":
        size = data.draw(st.integers(1, 20))
        text = text[:at] + data.draw(st.text(min_size=1, max_size=size)) + text[at + size :]
    elif kind == "insert":
        text = (
            text[:at]
            + data.draw(st.text(alphabet='{}[]":,0123456789.-eE ', max_size=20))
            + text[at:]
        )
    elif kind == "nest":
        depth = data.draw(st.sampled_from([50, 99, 101, 1_000, 100_000]))
        text = text[:-1] + ',"deep":' + "[" * depth + "]" * depth + "}"
    else:
        text = text[:-1] + ',"n":' + "7" * data.draw(st.integers(4_000, 6_000)) + "}"
    if not isinstance(_load(path, text), JSONDecodeError):  # loaded: it means the same
        assert json.loads(text) == original


@settings(max_examples=500, **FUZZ)
@given(record=record_values | record_dicts)
def test_validate_record_accepts_only_usable_records(record: Any) -> None:
    try:
        checked = validate_record(record, 0, "fuzz")
    except JSONDecodeError as err:
        assert "fuzz: trials[0]" in str(err)
        return
    Trials()._append(checked)  # usable as is
