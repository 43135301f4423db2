"""Hostile and damaged Polaris checkpoints, odd results of ``fn``, and bad ``exp_key``s:
each gives a clear error (naming file, record and field) or a recorded failed trial."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from ax.exceptions import JSONDecodeError, UserInputError
from polaris import STATUS_FAILURE, STATUS_SUCCESS, Bounds, Polaris, Trials
from polaris.checkpoint import checkpoint_path, load_checkpoint
from polaris.records import records_digest
from polaris.trials import finite_loss

BOUNDS = [Bounds("x", -1.0, 1.0), Bounds("y", -1.0, 1.0)]


def quadratic(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Dict[str, Any]:
    return {"loss": params["x"] ** 2 + params["y"] ** 2, "status": STATUS_SUCCESS}


def make(tmp_path: Path, fn: Callable[..., Any] = quadratic, **kwargs: Any) -> Polaris:
    kwargs.setdefault("exp_key", "exp")
    kwargs.setdefault("max_evals", 3)
    return Polaris(fn, BOUNDS, "random", Trials(), checkpoint_dir=str(tmp_path), seed=0, **kwargs)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    """A checkpoint of 3 evaluations."""
    make(tmp_path).run()
    return Path(checkpoint_path(str(tmp_path), "exp"))


def edit(path: Path, change: Callable[[Dict[str, Any]], None], rehash: bool = True) -> None:
    """Change the document; by default recompute its count and digest (so that the
    record checks, not the digest, are what must catch it)."""
    document = json.loads(path.read_text())
    change(document)
    if rehash and isinstance(document.get("trials"), list):
        document["num_trials"] = len(document["trials"])
        document["trials_sha256"] = records_digest(document["trials"])
    if rehash and isinstance(document.get("ax"), dict):
        document["ax_sha256"] = records_digest(document["ax"])
    path.write_text(json.dumps(document))


def set_field(index: int, field: str, value: Any) -> Callable[[Dict[str, Any]], None]:
    def change(document: Dict[str, Any]) -> None:
        document["trials"][index][field] = value

    return change


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("loss", "abc", r"trials\[1\] field 'loss' must be a real number, got 'abc'"),
        ("params", [1], r"trials\[1\] field 'params' must be an object, got \[1\]"),
        ("params", {"x": "a", "y": 0}, r"trials\[1\] field 'params.x' must be a real number"),
        ("params", {"x": True, "y": 0}, r"field 'params.x' must be a real number, got True"),
        ("result", None, r"trials\[1\] field 'result' must be an object, got None"),
        ("status", 7, r"trials\[1\] field 'status' must be one of \[1, 2\], got 7"),
        ("status", 2.0, r"field 'status' must be one of \[1, 2\], got 2.0"),
        ("eval_count", "2", r"field 'eval_count' must be an int >= 0, got '2'"),
        ("exp_key", 5, r"field 'exp_key' must be a string or null, got 5"),
        ("loss", {"__float__": "inf"}, r"field 'loss' of a success must be finite, got inf"),
        ("loss", 10**400, r"field 'loss' must be a number that fits a float"),
    ],
    ids=lambda v: str(v)[:20],
)
def test_bad_record_fields_name_file_record_and_field(
    saved: Path, tmp_path: Path, field: str, value: Any, match: str
) -> None:
    edit(saved, set_field(1, field, value))
    with pytest.raises(JSONDecodeError, match=match) as info:
        make(tmp_path)
    assert str(saved) in str(info.value)


def test_missing_or_extra_record_fields(saved: Path, tmp_path: Path) -> None:
    edit(saved, lambda d: d["trials"][0].pop("params"))
    with pytest.raises(JSONDecodeError, match=r"trials\[0\] must have the fields .* missing"):
        make(tmp_path)
    edit(saved, lambda d: d["trials"][0].update(params={"x": 0.0, "y": 0.0}, evil=1))
    with pytest.raises(JSONDecodeError, match=r"unexpected \['evil'\]"):
        make(tmp_path)
    edit(saved, lambda d: d["trials"].__setitem__(0, [1, 2]))
    with pytest.raises(JSONDecodeError, match=r"trials\[0\] must be an object, got list"):
        make(tmp_path)


@pytest.mark.parametrize("where", ["result", "document"])
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(
    saved: Path, tmp_path: Path, where: str
) -> None:
    text = saved.read_text()
    deep = "[" * 100_000 + "]" * 100_000
    if where == "result":  # within Python's parser limits, beyond ours
        edit(saved, set_field(0, "result", {"a": json.loads("[" * 500 + "]" * 500)}))
        match = r"nested deeper than 100 levels at trials\[0\].result.a"
    else:  # beyond the parser's own limit
        saved.write_text(text[:-1] + ',"extra":' + deep + "}")
        match = r"not valid JSON: nested too deeply"
    with pytest.raises(JSONDecodeError, match=match):
        make(tmp_path)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d["trials"].pop(), r"holds 2 records but 'num_trials' says 3"),
        (lambda d: d["trials"].append(dict(d["trials"][0])), r"holds 4 records .* says 3"),
        (lambda d: d["trials"].reverse(), r"do not match their digest"),
        (lambda d: d["trials"][0].update(loss=-5.0), r"do not match their digest"),
        (lambda d: d.pop("trials_sha256"), r"do not match their digest .*got None"),
        (lambda d: d.update(num_trials="3"), r"'num_trials' must be an int, got '3'"),
        (
            lambda d: d["ax"]["experiment"]["trials"][0]["status"].update(name="FAILED"),
            r"the experiment does not match its digest 'ax_sha256'",
        ),
    ],
)
def test_added_removed_or_edited_records_are_detected(
    saved: Path, tmp_path: Path, change: Callable[[Dict[str, Any]], None], match: str
) -> None:
    edit(saved, change, rehash=False)
    with pytest.raises(JSONDecodeError, match=match):
        make(tmp_path, max_evals=5)


def test_version_1_checkpoint_without_digest_still_loads(saved: Path, tmp_path: Path) -> None:
    def downgrade(document: Dict[str, Any]) -> None:
        document["format_version"] = 1
        del document["num_trials"], document["trials_sha256"]

    edit(saved, downgrade, rehash=False)
    polaris = make(tmp_path, max_evals=4)
    assert len(polaris.trials) == 3
    polaris.run()
    records, _, _ = load_checkpoint(str(saved), "exp")
    assert len(records) == 4 and json.loads(saved.read_text())["format_version"] == 2


def test_damaged_ax_part_is_a_clear_error(saved: Path, tmp_path: Path) -> None:
    edit(saved, lambda d: d["ax"].update(experiment=[1, 2]))
    with pytest.raises(
        JSONDecodeError,
        match=r"Polaris checkpoint .*field 'ax' cannot be decoded: experiment: must be",
    ):
        make(tmp_path)


def test_a_huge_integer_in_the_file_is_a_clear_error(saved: Path, tmp_path: Path) -> None:
    text = saved.read_text()
    saved.write_text(text[:-1] + ',"extra":' + "9" * 5000 + "}")
    with pytest.raises(JSONDecodeError, match=r"not valid JSON: .*digits"):
        make(tmp_path)


# --------------------------------------------------------------------- fn's odd results
@pytest.mark.parametrize(
    "loss",
    [10**400, -(10**400), 10**5000, math.inf, -math.inf, math.nan, "abc", [1], None, {"a": 1}],
    ids=["1e400", "-1e400", "1e5000", "inf", "-inf", "nan", "str", "list", "None", "dict"],
)
def test_unusable_loss_is_a_failed_trial_with_a_reason(tmp_path: Path, loss: Any) -> None:
    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Any:
        if exp_info["eval_count"] == 1:
            return {"loss": loss, "status": STATUS_SUCCESS}
        return quadratic(params, exp_info)

    trials = Trials()
    polaris = Polaris(fn, BOUNDS, "random", trials, 3, exp_key="odd", checkpoint_dir=str(tmp_path))
    polaris.run()
    assert [r["status"] for r in trials.trials] == [STATUS_FAILURE, STATUS_SUCCESS, STATUS_SUCCESS]
    assert "without a finite loss" in trials.trials[0]["result"]["error"]
    assert "fits a float" in trials.trials[0]["result"]["error"]
    reloaded = Trials()  # the failed trial was checkpointed and loads back
    Polaris(fn, BOUNDS, "random", reloaded, 3, exp_key="odd", checkpoint_dir=str(tmp_path))
    assert [r["status"] for r in reloaded.trials] == [r["status"] for r in trials.trials]


def test_bare_huge_number_is_a_failed_trial(tmp_path: Path) -> None:
    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Any:
        return 10**400 if exp_info["eval_count"] == 1 else 1.0

    assert finite_loss({"loss": 10**400}) is None
    polaris = make(tmp_path, fn, exp_key="bare", max_evals=2)
    polaris.run()
    trials = polaris.trials
    assert [r["status"] for r in trials.trials] == [STATUS_FAILURE, STATUS_SUCCESS]
    assert "without a finite loss (loss=1000" in trials.trials[0]["result"]["error"]


# --------------------------------------------------------------------- exp_key
@pytest.mark.parametrize("key", ["abc\n", "..\n", ".", "..", "a" * 201, "", "a/b", "é"])
def test_bad_exp_key_is_refused_before_fn_runs(tmp_path: Path, key: str) -> None:
    calls = []

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Any:
        calls.append(1)
        return 0.0

    with pytest.raises(UserInputError, match=r"exp_key must be 1-200 letters"):
        make(tmp_path, fn, exp_key=key)
    assert calls == []


def test_longest_exp_key_and_long_default_key_work(tmp_path: Path) -> None:
    polaris = make(tmp_path, exp_key="k" * 200, max_evals=1)
    polaris.run()
    assert len(polaris.trials) == 1

    def fn(params: Dict[str, Any], exp_info: Dict[str, Any]) -> Any:
        return 0.0

    fn.__name__ = "f" * 300
    polaris = Polaris(fn, BOUNDS, "random", Trials(), 1, checkpoint_dir=str(tmp_path))
    assert polaris.exp_key == "f" * 200
    polaris.run()


def test_run_parallel_validates_job_timeout_before_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RABBITMQ_URL", "amqp://u:p@127.0.0.1:9/v")
    polaris = make(tmp_path)
    for bad in (0, -1.0, "10", True, math.nan):
        with pytest.raises(
            UserInputError, match="run_parallel: job_timeout_s must be a number > 0"
        ):
            polaris.run_parallel(job_timeout_s=bad)  # type: ignore[arg-type]
