"""What the pages show, and the caches that keep polling cheap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ax.dashboard import views
from ax.dashboard.security import escape_json_text, host_allowed, json_for_html, same_secret
from ax.dashboard.store import open_store
from tests.dashboard import NAME


def test_optional_views_are_absent_until_their_data_exists(json_path: Path) -> None:
    snapshot = open_store(str(json_path)).snapshot(NAME)
    experiment = snapshot.experiment
    assert views.has_pareto_view(experiment) is False
    assert views.has_learning_curves(experiment) is False
    assert views.pareto_figures(views.frontier_of(snapshot)) == {}
    view = json.loads(views.experiment_view_json(snapshot, False))
    assert not {"pareto", "hypervolume", "curves"} & set(view["figures"])
    assert view["summary"]["objectives"] is None and view["summary"]["frontier"] is None


def test_a_multi_objective_experiment_has_the_pareto_and_hypervolume_views(
    tmp_path: Path,
) -> None:
    from tests.dashboard import MOO_NAME, moo_sqlite_store

    reader = open_store(moo_sqlite_store(tmp_path))
    with reader.reading(MOO_NAME) as snapshot:
        assert views.has_pareto_view(snapshot.experiment)
        view = json.loads(views.experiment_view_json(snapshot, False))
        frontier = views.frontier_of(snapshot)
    assert frontier is not None and frontier.objectives == ["acc", "latency"]
    summary = view["summary"]
    assert summary["objectives"] == [
        {"name": "acc", "minimize": False},
        {"name": "latency", "minimize": True},
    ]
    assert summary["frontier"]["points"] == len(frontier.pareto_points) >= 1
    assert summary["frontier"]["hypervolume"] == pytest.approx(frontier.hypervolume)
    assert summary["best"] is None  # a frontier has no single best point
    pareto, hypervolume = view["figures"]["pareto"], view["figures"]["hypervolume"]
    assert "Pareto frontier" in {t.get("name") for t in pareto["data"]}
    assert [t.get("name") for t in hypervolume["data"]] == ["hypervolume"]


def test_learning_curves_view_shows_every_curve_and_the_compute_saved(tmp_path: Path) -> None:
    from tests.dashboard import CURVES_NAME, curves_sqlite_store

    reader = open_store(curves_sqlite_store(tmp_path))
    with reader.reading(CURVES_NAME) as snapshot:
        experiment = snapshot.experiment
        assert views.has_learning_curves(experiment)
        view = json.loads(views.experiment_view_json(snapshot, False))
    curves = experiment.progression_data.curves("loss")
    assert len(curves) == len(experiment.trials) == 5
    figure = view["figures"]["curves"]
    assert len([t for t in figure["data"] if t.get("mode") != "markers"]) >= len(curves)
    stopped = [t.index for t in experiment.trials.values() if t.status.name == "EARLY_STOPPED"]
    assert stopped, "the median rule stopped no trial"
    line = view["summary"]["early_stopping"]
    assert line.startswith(f"Early stopping: {len(stopped)} trial(s) stopped")
    statuses = {row[0]: row[1] for row in view["trials"]["rows"]}
    assert {i for i, s in statuses.items() if s == "EARLY_STOPPED"} == set(stopped)


def test_view_is_cached_by_marker(json_path: Path) -> None:
    reader = open_store(str(json_path))
    cache = views.ViewCache()
    snapshot = reader.snapshot(NAME)
    first = cache.experiment_json(snapshot, False)
    assert cache.experiment_json(snapshot, False) is first  # unchanged: not rebuilt
    changed = reader._read(NAME)  # a new snapshot of the same state, new object
    object.__setattr__(changed, "marker", "moved")
    assert cache.experiment_json(changed, False) is not first


def test_model_is_refitted_at_most_once_per_period(json_path: Path) -> None:
    reader = open_store(str(json_path))
    cache = views.ViewCache(model_refresh_s=3600.0)
    snapshot = reader.snapshot(NAME)
    first = cache.model_json(snapshot)
    changed = reader._read(NAME)
    object.__setattr__(changed, "marker", "moved")
    assert cache.model_json(changed) is first  # within the period: the last fit is kept
    cache.model_refresh_s = 0.0
    assert cache.model_json(changed) is not first


def test_no_model_above_the_limit(json_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "MODEL_MAX_POINTS", 2)
    snapshot = open_store(str(json_path)).snapshot(NAME)
    model = json.loads(views.model_view_json(snapshot))
    assert model["figures"] == {"contour": None, "slice": None, "importances": None}
    assert "No model is fitted above 2 completed trials (4 here)" in model["notes"]["model"]


def test_status_and_summary(json_path: Path) -> None:
    snapshot = open_store(str(json_path)).snapshot(NAME)
    summary = views.summary(snapshot)
    assert summary["status"] == "running"
    assert summary["trials"] == 6
    assert summary["objective"] == {"name": "branin", "minimize": True}
    assert summary["best"]["trial"] in range(4)
    assert summary["updated_at"].endswith("+00:00")


def test_json_for_html_escapes_markup() -> None:
    text = json_for_html({"v": "</script><script>alert(1)</script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"v": "</script><script>alert(1)</script> & \u2028"}
    assert escape_json_text('"a<b"') == '"a\\u003cb"'


def test_secrets_and_hosts() -> None:
    assert same_secret("abc", "abc")
    assert not same_secret("abd", "abc")
    assert not same_secret(None, "abc")
    assert host_allowed("127.0.0.1:8080", {"127.0.0.1"})
    assert host_allowed("[::1]:8080", {"[::1]"})
    assert host_allowed("LOCALHOST", {"localhost"})
    assert not host_allowed("evil.example:8080", {"127.0.0.1", "localhost"})
    assert not host_allowed(None, {"127.0.0.1"})
