"""Property tests of the JSON store: random experiments and values round-trip equal, and
randomly corrupted documents either load or raise JSONDecodeError, nothing else."""

from __future__ import annotations

import contextlib
import json
import math
from typing import Any, Dict, List, Tuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ax.core.arm import Arm
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TParamValue
from ax.exceptions import JSONDecodeError
from ax.storage.json_store.load import decode_document, loads, object_from_json
from ax.storage.json_store.save import dumps, object_to_json
from ax.utils.equality import same_value
from ax.utils.testing.core_stubs import get_experiment_with_everything

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
STATUSES = ["CANDIDATE", "STAGED", "RUNNING", "COMPLETED", "FAILED", "ABANDONED"]


@st.composite
def parameters(draw: st.DrawFn, name: str) -> Parameter:
    kind = draw(st.sampled_from(["float", "log", "int", "choice", "fixed"]))
    if kind in ("float", "log"):
        lower = draw(st.floats(min_value=1e-3, max_value=1e3) if kind == "log" else FINITE)
        width = draw(st.floats(min_value=1e-3, max_value=1e3))
        digits = draw(st.one_of(st.none(), st.integers(min_value=6, max_value=9)))
        if digits is not None:
            lower = round(lower, digits)
        return RangeParameter(
            name, ParameterType.FLOAT, lower, lower + width, log_scale=kind == "log", digits=digits
        )
    if kind == "int":
        lower = draw(st.integers(min_value=-100, max_value=100))
        upper = lower + draw(st.integers(min_value=1, max_value=50))
        fidelity = draw(st.booleans())
        return RangeParameter(
            name,
            ParameterType.INT,
            lower,
            upper,
            is_fidelity=fidelity,
            target_value=upper if fidelity else None,
        )
    if kind == "choice":
        values: List[TParamValue] = draw(
            st.one_of(
                st.lists(st.text(max_size=5), min_size=2, max_size=4, unique=True),
                st.lists(st.integers(-5, 5), min_size=2, max_size=4, unique=True),
                st.just([True, False]),
            )
        )
        ptype = {str: ParameterType.STRING, int: ParameterType.INT, bool: ParameterType.BOOL}[
            type(values[0])
        ]
        return ChoiceParameter(
            name, ptype, values, is_ordered=draw(st.booleans()), is_task=draw(st.booleans())
        )
    value = draw(st.one_of(st.text(max_size=5), st.integers(-5, 5), FINITE))
    ptype = {str: ParameterType.STRING, int: ParameterType.INT, float: ParameterType.FLOAT}[
        type(value)
    ]
    return FixedParameter(name, ptype, value)


def _value_in(draw: st.DrawFn, parameter: Parameter) -> TParamValue:
    if isinstance(parameter, RangeParameter):
        if parameter.parameter_type is ParameterType.INT:
            return draw(st.integers(int(parameter.lower), int(parameter.upper)))
        return draw(st.floats(min_value=parameter.lower, max_value=parameter.upper))
    if isinstance(parameter, ChoiceParameter):
        return draw(st.sampled_from(parameter.values))
    assert isinstance(parameter, FixedParameter)
    return parameter.value


def _mark(trial: Any, status: str, reason: str) -> None:
    if status == "STAGED":
        trial.mark_staged()
    elif status in ("RUNNING", "COMPLETED", "FAILED"):
        trial.mark_running(no_runner_required=True)
        if status == "COMPLETED":
            trial.mark_completed()
        elif status == "FAILED":
            trial.mark_failed(reason=reason)
    elif status == "ABANDONED":
        trial.mark_abandoned(reason=reason)


@st.composite
def experiments(draw: st.DrawFn) -> Experiment:
    count = draw(st.integers(min_value=1, max_value=4))
    space = SearchSpace([draw(parameters(f"p{i}")) for i in range(count)])
    experiment = Experiment(
        search_space=space,
        name=draw(st.one_of(st.none(), st.text(min_size=1, max_size=8))),
        optimization_config=OptimizationConfig(
            Objective(Metric("m"), minimize=draw(st.booleans()))
        ),
        description=draw(st.one_of(st.none(), st.text(max_size=20))),
    )

    def arm() -> Arm:
        return Arm({name: _value_in(draw, p) for name, p in space.parameters.items()})

    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        if draw(st.booleans()):
            trial: Any = experiment.new_trial(
                ttl_seconds=draw(st.one_of(st.none(), st.integers(10**5, 10**6)))
            )
            if draw(st.booleans()):
                trial.add_arm(arm())
        else:
            trial = experiment.new_batch_trial()
            arms = [arm() for _ in range(draw(st.integers(min_value=0, max_value=3)))]
            if arms:
                weights = [draw(st.floats(min_value=0.1, max_value=10.0)) for _ in arms]
                trial.add_arms_and_weights(arms, weights)
        trial.update_run_metadata({"note": draw(st.text(max_size=5))})
        _mark(trial, draw(st.sampled_from(STATUSES)), draw(st.text(max_size=5)))
        if trial.arms and draw(st.booleans()):
            for _ in range(draw(st.integers(min_value=1, max_value=2))):
                evaluations: Dict[str, Dict[str, Tuple[float, Any]]] = {
                    a.name: {
                        "m": (
                            draw(FINITE),
                            draw(st.one_of(st.none(), st.floats(min_value=0, max_value=10))),
                        )
                    }
                    for a in trial.arms
                }
                experiment.attach_data(Data.from_evaluations(evaluations, trial.index))
    return experiment


@SETTINGS
@given(experiments())
def test_random_experiments_round_trip_equal(experiment: Experiment) -> None:
    text = dumps(experiment)
    loaded = loads(text)
    assert loaded == experiment
    assert dumps(loaded) == text


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(),  # NaN and infinities included
    st.text(max_size=8),
)
VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
        st.dictionaries(st.one_of(st.integers(-9, 9), st.just("__type")), children, max_size=3),
    ),
    max_leaves=20,
)


@SETTINGS
@given(VALUES)
def test_free_form_values_round_trip(value: Any) -> None:
    text = json.dumps(object_to_json(value), allow_nan=False)
    decoded = object_from_json(json.loads(text))
    assert same_value(decoded, value)
    assert type(decoded) is type(value)


def _paths(node: Any, prefix: Tuple[Any, ...] = ()) -> List[Tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, child in node.items():
            out.extend(_paths(child, (*prefix, key)))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            out.extend(_paths(child, (*prefix, index)))
    return out


_BASE = json.loads(dumps(get_experiment_with_everything()))
_BASE_PATHS = [p for p in _paths(_BASE) if p]
REPLACEMENTS = st.one_of(
    JSON_LEAVES.filter(lambda v: not (isinstance(v, float) and not math.isfinite(v))),
    st.just([]),
    st.just({}),
    st.just({"__type": "os.system", "command": "echo hi"}),
    st.just({"__type": "ExperimentRef", "field": "search_space"}),
    st.just({"__type": "float", "value": "nan"}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_BASE_PATHS), REPLACEMENTS, st.booleans())
def test_corrupted_documents_load_or_raise_json_decode_error(
    path: Tuple[Any, ...], replacement: Any, delete: bool
) -> None:
    document = json.loads(json.dumps(_BASE))
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    with contextlib.suppress(JSONDecodeError):
        decode_document(document)
