"""Fuzzing the front doors (hypothesis): what a careless or hostile user passes to
``AxClient.create_experiment`` (parameter dicts, constraint strings) and to
``complete_trial`` (``raw_data``) is accepted, or refused with one of the project's own
errors (:class:`~ax.exceptions.AxError`: ``UserInputError`` is also a ``ValueError``);
never a raw ``ValueError``, ``KeyError``, ``IndexError``, ``TypeError``,
``RecursionError`` or ``OverflowError`` from deep inside. What is accepted works: the
client proposes a trial inside the search space; a refused report leaves the trial as
it was.

Every run is deterministic (``derandomize=True``) and bounded (``max_examples``); the
figures are in ``docs/reliability.md``.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List

from hypothesis import event, given
from hypothesis import strategies as st

from ax.core.types import TrialStatus
from ax.exceptions import AxError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.service.ax_client import AxClient
from tests.fuzzing import fuzz_settings


def _client() -> AxClient:
    strategy = GenerationStrategy([GenerationStep(Models.SOBOL, num_trials=-1)])
    return AxClient(generation_strategy=strategy, verbose_logging=False)


ODD_NUMBERS = st.sampled_from(
    [0, 1, -1, 0.5, 1e-300, 1.7e308, -1.7e308, 10**400, -(10**400), 2**63, float("nan"),
     float("inf"), -float("inf"), True, False]
)  # fmt: skip
ODD = st.one_of(
    st.none(),
    ODD_NUMBERS,
    st.integers(min_value=-100, max_value=100),
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
    st.text(max_size=8),
    st.just("x" * 5000),
    st.sampled_from(["range", "choice", "fixed", "float", "int", "str", "bool", "x", "y"]),
)
VALUES = st.one_of(
    ODD,
    st.lists(ODD, max_size=4),
    st.tuples(ODD, ODD),
    st.dictionaries(st.text(max_size=4), ODD, max_size=2),
)
KEYS = [
    "name", "type", "bounds", "values", "value", "value_type", "log_scale", "digits",
    "is_ordered", "is_task", "is_fidelity", "target_value", "junk",
]  # fmt: skip


@st.composite
def parameter_dicts(draw: st.DrawFn, name: str) -> Any:
    """A plausible parameter dict with a few keys broken, or noise."""
    kind = draw(st.sampled_from(["range", "range_int", "log", "choice", "fixed", "noise"]))
    if kind == "noise":
        return draw(st.one_of(VALUES, st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)))
    if kind in ("range", "log"):
        low = draw(st.floats(min_value=1e-3 if kind == "log" else -1e3, max_value=1e3))
        spec: Dict[str, Any] = {"name": name, "type": "range", "bounds": [low, low + 1.0]}
        if kind == "log":
            spec["log_scale"] = True
    elif kind == "range_int":
        low = draw(st.integers(min_value=-50, max_value=50))
        spec = {"name": name, "type": "range", "bounds": [low, low + draw(st.integers(1, 9))]}
    elif kind == "choice":
        spec = {"name": name, "type": "choice", "values": ["a", "b", "c"]}
    else:
        spec = {"name": name, "type": "fixed", "value": 1.0}
    for key, value in draw(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=2)).items():
        spec[key] = value
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=1)):
        spec.pop(key, None)
    return spec


def _accepted(make: Any, **kwargs: Any) -> bool:
    """Whether ``make(**kwargs)`` succeeded; a project error counts as refused (events for
    ``--hypothesis-show-statistics``), any other error fails the test."""
    try:
        make(**kwargs)
    except AxError as err:
        event(f"refused: {type(err).__name__}")
        return False
    event("accepted")
    return True


def _check_proposal(client: AxClient) -> None:
    try:
        parameters, index = client.get_next_trial()
    except AxError as err:
        event(f"accepted, no proposal: {type(err).__name__}")
        return
    client.experiment.search_space.check_types(parameters, raise_error=True)
    assert client.experiment.trials[index].status == TrialStatus.RUNNING


@fuzz_settings(500)
@given(st.lists(st.integers(0, 2), min_size=1, max_size=3).flatmap(
    lambda names: st.tuples(*[parameter_dicts(f"p{i}") for i in names])
))  # fmt: skip
def test_parameter_dicts_are_accepted_or_refused_with_a_project_error(specs: Any) -> None:
    client = _client()
    if _accepted(client.create_experiment, parameters=list(specs), objective_name="obj"):
        _check_proposal(client)


NAMES = ["x1", "x2", "k", "x3", "", "x1x2", "X1"]
TOKENS = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(["+", "-", "*", "/", "<=", ">=", "<", ">", "=", "==", "(", ")", " ", "e"]),
    st.sampled_from(["1", "0.5", "-2", "1e308", "1e999", "nan", "inf", "9" * 400, "2*x1"]),
    st.text(max_size=3),
)
CONSTRAINTS = st.one_of(
    st.lists(TOKENS, min_size=1, max_size=8).map(" ".join),
    st.builds(
        lambda a, op, b, bound: f"{a} {op} {b} <= {bound}",
        st.sampled_from(NAMES),
        st.sampled_from(["+", "-"]),
        st.sampled_from(NAMES),
        st.sampled_from(["1", "0.5", "-100", "100", "1e308", "nan"]),
    ),
    ODD,
)


@fuzz_settings(400)
@given(st.lists(CONSTRAINTS, min_size=1, max_size=3))
def test_constraint_strings_are_accepted_or_refused_with_a_project_error(
    constraints: List[Any],
) -> None:
    client = _client()
    if _accepted(
        client.create_experiment,
        parameters=[
            {"name": "x1", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "x2", "type": "range", "bounds": [0.0, 1.0]},
            {"name": "k", "type": "range", "bounds": [0, 5]},
        ],
        objective_name="obj",
        parameter_constraints=constraints,
    ):
        _check_proposal(client)


REPORTS = st.one_of(
    ODD,
    st.tuples(ODD, ODD),
    st.tuples(ODD, ODD, ODD),
    st.dictionaries(st.sampled_from(["obj", "m2", "other", "", "x" * 300]), VALUES, max_size=3),
    st.dictionaries(st.sampled_from(["obj", "m2"]), st.tuples(ODD, ODD), min_size=1),
    st.lists(st.tuples(st.dictionaries(st.sampled_from(["x", "k"]), ODD), VALUES), max_size=2),
    st.lists(VALUES, max_size=3),
)


@fuzz_settings(500)
@given(REPORTS, st.one_of(st.none(), st.dictionaries(st.text(max_size=3), ODD, max_size=2)))
def test_reports_are_recorded_or_refused_leaving_the_trial_unchanged(
    raw_data: Any, metadata: Any
) -> None:
    client = _client()
    client.create_experiment(
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
        objective_name="obj",
        tracking_metric_names=["m2"],
    )
    _, index = client.get_next_trial()
    experiment = client.experiment
    if not _accepted(
        client.complete_trial, trial_index=index, raw_data=raw_data, metadata=metadata
    ):
        assert experiment.trials[index].status == TrialStatus.RUNNING
        assert len(experiment.lookup_data([index])) == 0
        return
    assert experiment.trials[index].status == TrialStatus.COMPLETED
    data = experiment.lookup_data([index])
    assert "obj" in set(data.columns["metric_name"])
    assert all(math.isfinite(float(m)) for m in data.columns["mean"])
