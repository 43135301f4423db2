"""Encoding project objects into JSON-ready values (dicts, lists, str, numbers, None).

Every object becomes a dict whose ``"__type"`` names its entry in the closed registry
(:mod:`ax.storage.json_store.registry`), followed by the object's fields. Plain values
stay plain, with three exceptions that keep the output strict JSON and lossless:

- a non-finite float becomes ``{"__type": "float", "value": "nan" | "inf" | "-inf"}``;
- a tuple becomes ``{"__type": "tuple", "value": [...]}``;
- a dict whose keys are not all strings, or which has a ``"__type"`` key of its own,
  becomes ``{"__type": "dict", "items": [[key, value], ...]}``.

Numpy scalars become Python scalars; numpy arrays of booleans and numbers become
``{"__type": "ndarray", "dtype": ..., "shape": [...], "value": nested list}``.

Objects the experiment already holds are not repeated: inside the experiment's trials,
a generator run's ``search_space``/``optimization_config``, a trial's ``runner`` and a
batch's ``status_quo`` that *are* (identity) the experiment's own are written as
``{"__type": "ExperimentRef", "field": "search_space"}``. Data is written once for the
whole experiment as one columnar table (:func:`encode_experiment_data`).

An object of an unregistered class raises :class:`ax.exceptions.JSONEncodeError`
naming the class, where it was found (``experiment.trials[3].runner``) and how to
register it.

Fields of each type (every field is always present; absent values are ``null``):

- ``Experiment``/``SimpleExperiment``: name, description, experiment_type, is_test,
  time_created, search_space, optimization_config, tracking_metrics, runner, status_quo,
  trials (list, in index order), extra_arms (registered arms no trial or status quo
  holds), data (``ExperimentData``), last_data_ts, trials_have_ttl.
- ``Trial``: index, trial_type, ttl_seconds, status, time_created, time_staged,
  time_run_started, time_completed, abandoned_reason, failed_reason, run_metadata,
  runner, num_arms_created, generation_step_index, generator_run. ``BatchTrial``: the same
  without generator_run, plus generator_run_structs, status_quo,
  status_quo_weight_override, abandoned_arms_metadata, optimize_for_power.
- ``GeneratorRun``: arms, weights, optimization_config, search_space, model_predictions,
  best_arm_predictions, type, time_created, index, fit_time, gen_time, model_key,
  model_kwargs, bridge_kwargs, gen_metadata, model_state_after_gen,
  generation_step_index, candidate_metadata_by_arm_signature.
  ``GeneratorRunStruct``: generator_run, weight. ``AbandonedArm``: name, time, reason.
- ``Arm``: name, parameters. ``SearchSpace``: parameters, parameter_constraints.
  ``RangeParameter``: name, parameter_type, lower, upper, log_scale, digits,
  is_fidelity, target_value. ``ChoiceParameter``: name, parameter_type, values,
  is_ordered, is_task, is_fidelity, target_value. ``FixedParameter``: name,
  parameter_type, value, is_fidelity, target_value.
- ``ParameterConstraint``: constraint_dict, bound. ``OrderConstraint``: lower_parameter,
  upper_parameter. ``SumConstraint``: parameters, is_upper_bound, bound (as written,
  e.g. ``0.5`` for ``x + y >= 0.5``). Inside a search space, a constrained parameter
  equal to the space's own is written as its name.
- ``OptimizationConfig``: objective, outcome_constraints. ``Objective``: metric,
  minimize. ``OutcomeConstraint`` and ``ObjectiveThreshold``: metric, op, bound, relative.
  ``MultiObjective``: objectives. ``ScalarizedObjective``: metrics, weights, minimize.
  ``MultiObjectiveOptimizationConfig``: objective, outcome_constraints,
  objective_thresholds.
- ``Metric``, ``SyntheticRunner`` and registered custom classes: the constructor
  arguments from ``serialize_init_args()``.
- Enums: name. ``datetime``: value (ISO 8601). ``Data``: columns, description.
"""

from __future__ import annotations

from datetime import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

import numpy as np

from ax.core.metric import Metric
from ax.core.runner import Runner
from ax.storage.json_store.data_table import encode_experiment_data
from ax.storage.json_store.schema import EncodeFailure, encode_float, special_float

if TYPE_CHECKING:  # pragma: no cover
    from enum import Enum

    from ax.core.arm import Arm
    from ax.core.base_trial import BaseTrial
    from ax.core.batch_trial import AbandonedArm, BatchTrial, GeneratorRunStruct
    from ax.core.experiment import Experiment
    from ax.core.generator_run import GeneratorRun
    from ax.core.objective import MultiObjective, Objective, ScalarizedObjective
    from ax.core.optimization_config import (
        MultiObjectiveOptimizationConfig,
        OptimizationConfig,
    )
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
    from ax.core.parameter_constraint import (
        OrderConstraint,
        ParameterConstraint,
        SumConstraint,
    )
    from ax.core.search_space import SearchSpace
    from ax.core.trial import Trial

TJson = Any
"""A JSON-ready value: dict (str keys), list, str, int, float (finite), bool or None."""

TEncodeFn = Callable[[Any, "Encoder", str], Dict[str, TJson]]
"""Encodes one object: ``(obj, encoder, type name) -> {"__type": name, ...fields}``."""

_NDARRAY_KINDS = "biuf"


def _optional_float(value: Optional[float]) -> TJson:
    return None if value is None else encode_float(value)


def _optional_time(value: Optional[datetime]) -> TJson:
    return None if value is None else {"__type": "datetime", "value": value.isoformat()}


class Encoder:
    """Turns objects into JSON-ready values through the registry's encoders.

    Args:
        by_class: Exact class -> ``(type name, encode function)``, from the registry.
    """

    def __init__(self, by_class: Mapping[type, Tuple[str, TEncodeFn]]) -> None:
        self._by_class = by_class
        # id(object) -> experiment field it is, for ExperimentRef (set while encoding trials).
        self._refs: Dict[int, str] = {}
        # Parameters of the search space whose constraints are being encoded, by name.
        self.parameter_scope: Optional[Dict[str, Parameter]] = None
        self.building_experiment = False

    # ------------------------------------------------------------------ generic values
    def value(self, obj: Any) -> TJson:
        """Encode any supported value (plain, container, numpy or registered object).

        Raises:
            EncodeFailure: A value of an unsupported or unregistered type was found.
        """
        t = type(obj)
        if t is str or t is int or t is bool or obj is None:
            return obj
        if t is float:
            return obj if obj - obj == 0 else special_float(obj)
        if t is list:
            return self.sequence(obj, "")
        if t is dict:
            return self._dict(obj)
        entry = self._by_class.get(t)
        if entry is not None:
            return entry[1](obj, self, entry[0])
        if isinstance(obj, np.generic) and obj.dtype.kind in _NDARRAY_KINDS:
            return self.value(obj.item())
        if isinstance(obj, np.ndarray):
            return self._ndarray(obj)
        # Other mappings and sequences (OrderedDict, user NamedTuples, ...) are written as
        # the plain container: they come back as dict, list or tuple, with equal values.
        if isinstance(obj, dict):
            return self._dict(obj)
        if isinstance(obj, list):
            return self.sequence(obj, "")
        if isinstance(obj, tuple):
            return {"__type": "tuple", "value": self.sequence(obj, "")}
        raise _unregistered(obj)

    def field(self, obj: Any, segment: str) -> TJson:
        """Encode ``obj``, naming ``segment`` (e.g. ``".runner"``) in the path on failure."""
        try:
            return self.value(obj)
        except EncodeFailure as failure:
            raise failure.at(segment) from failure.__cause__

    def sequence(self, items: Sequence[Any], segment: str) -> List[TJson]:
        """Encode each item of a sequence, naming ``segment[i]`` on failure."""
        out = []
        for i, item in enumerate(items):
            try:
                out.append(self.value(item))
            except EncodeFailure as failure:
                raise failure.at(f"{segment}[{i}]") from failure.__cause__
        return out

    def _dict(self, obj: Dict[Any, Any]) -> TJson:
        if not obj:
            return {}
        if "__type" not in obj and all(type(k) is str for k in obj):
            out = {}
            for key, item in obj.items():
                try:
                    out[key] = self.value(item)
                except EncodeFailure as failure:
                    raise failure.at(f"[{key!r}]") from failure.__cause__
            return out
        return {"__type": "dict", "items": self.sequence([[k, v] for k, v in obj.items()], "")}

    def _ndarray(self, arr: np.ndarray) -> TJson:
        if arr.dtype.kind not in _NDARRAY_KINDS:
            raise EncodeFailure(
                f"cannot encode a numpy array of dtype {arr.dtype}: only bool, int and float "
                "arrays are supported"
            )
        return {
            "__type": "ndarray",
            "dtype": arr.dtype.name,
            "shape": list(arr.shape),
            "value": self.value(arr.tolist()),
        }

    # ------------------------------------------------------------------ experiment refs
    def ref(self, obj: Any, field: str) -> TJson:
        """``obj`` as an ExperimentRef if it is the experiment's own ``field``, else in full."""
        if obj is not None and self._refs.get(id(obj)) == field:
            return {"__type": "ExperimentRef", "field": field}
        return self.field(obj, f".{field}")

    def enable_refs(self, experiment: Experiment) -> Dict[int, str]:
        """Start writing the experiment's own objects as references; returns the old table."""
        previous = self._refs
        fields = {
            "search_space": experiment._search_space,
            "optimization_config": experiment._optimization_config,
            "runner": experiment.runner,
            "status_quo": experiment._status_quo,
        }
        self._refs = {id(obj): name for name, obj in fields.items() if obj is not None}
        return previous

    def restore_refs(self, previous: Dict[int, str]) -> None:
        """Undo :meth:`enable_refs`."""
        self._refs = previous


def _unregistered(obj: Any) -> EncodeFailure:
    cls = type(obj)
    name = cls.__name__
    if isinstance(obj, Metric):
        hint = f"register it with ax.storage.metric_registry.register_metric({name})"
    elif isinstance(obj, Runner):
        hint = f"register it with ax.storage.runner_registry.register_runner({name})"
    else:
        hint = (
            "only the registered project classes, plain JSON values, tuples, dicts, "
            "datetimes and numpy numbers/arrays can be saved"
        )
    return EncodeFailure(
        f"cannot encode an object of class {cls.__module__}.{cls.__qualname__}: the class "
        "is not registered for JSON storage",
        hint=hint,
    )


# ---------------------------------------------------------------------- plain types
def encode_tuple(obj: Tuple[Any, ...], enc: Encoder, name: str) -> Dict[str, TJson]:
    return {"__type": name, "value": enc.sequence(obj, "")}


def encode_datetime(obj: datetime, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {"__type": name, "value": obj.isoformat()}


def encode_enum(obj: Enum, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {"__type": name, "name": obj.name}


def encode_init_args(obj: Any, enc: Encoder, name: str) -> Dict[str, TJson]:
    """A Metric or Runner by the constructor arguments from ``serialize_init_args()``."""
    try:
        args = obj.serialize_init_args()
    except Exception as err:
        failure = EncodeFailure(
            f"{type(obj).__name__}.serialize_init_args() failed: {err}",
            hint=f"override {type(obj).__name__}.serialize_init_args to return the "
            "constructor arguments",
        )
        raise failure from err
    return encode_arguments(args, enc, name, f"{type(obj).__name__}.serialize_init_args()")


def encode_arguments(args: Any, enc: Encoder, name: str, source: str) -> Dict[str, TJson]:
    """``{"__type": name, **args}`` with each argument encoded.

    Args:
        args: ``{constructor argument: value}``.
        enc: The encoder.
        name: The type name.
        source: What produced ``args``, for messages.

    Raises:
        EncodeFailure: ``args`` is not a dict, or has a key that is not a name.
    """
    if not isinstance(args, Mapping):
        raise EncodeFailure(f"{source} returned {type(args).__name__}, not a dict of arguments")
    out: Dict[str, TJson] = {"__type": name}
    for key, value in args.items():
        if type(key) is not str or key == "__type":
            raise EncodeFailure(f"{source} returned an invalid argument name {key!r}")
        out[key] = enc.field(value, f".{key}")
    return out


# ---------------------------------------------------------------------- search space
def encode_arm(arm: Arm, enc: Encoder, name: str) -> Dict[str, TJson]:
    params = arm._parameters
    return {
        "__type": name,
        "name": arm._name,
        "parameters": {
            k: (v if type(v) is not float or v - v == 0 else special_float(v))
            for k, v in params.items()
        },
    }


def _parameter_common(p: Parameter, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {
        "__type": name,
        "name": p.name,
        "parameter_type": enc.value(p.parameter_type),
    }


def encode_range_parameter(p: RangeParameter, enc: Encoder, name: str) -> Dict[str, TJson]:
    out = _parameter_common(p, enc, name)
    out.update(
        lower=encode_float(p.lower),
        upper=encode_float(p.upper),
        log_scale=p.log_scale,
        digits=p.digits,
        is_fidelity=p.is_fidelity,
        target_value=enc.field(p.target_value, ".target_value"),
    )
    return out


def encode_choice_parameter(p: ChoiceParameter, enc: Encoder, name: str) -> Dict[str, TJson]:
    out = _parameter_common(p, enc, name)
    out.update(
        values=enc.sequence(p.values, ".values"),
        is_ordered=p.is_ordered,
        is_task=p.is_task,
        is_fidelity=p.is_fidelity,
        target_value=enc.field(p.target_value, ".target_value"),
    )
    return out


def encode_fixed_parameter(p: FixedParameter, enc: Encoder, name: str) -> Dict[str, TJson]:
    out = _parameter_common(p, enc, name)
    out.update(
        value=enc.field(p.value, ".value"),
        is_fidelity=p.is_fidelity,
        target_value=enc.field(p.target_value, ".target_value"),
    )
    return out


def encode_parameter_constraint(
    c: ParameterConstraint, enc: Encoder, name: str
) -> Dict[str, TJson]:
    return {
        "__type": name,
        "constraint_dict": {k: encode_float(w) for k, w in c.constraint_dict.items()},
        "bound": encode_float(c.bound),
    }


def _held_parameter(p: Parameter, enc: Encoder, segment: str) -> TJson:
    """A constrained parameter: its name when the enclosing search space defines it
    identically, else the full parameter."""
    scope = enc.parameter_scope
    if scope is not None:
        defined = scope.get(p.name)
        if defined is not None and (defined is p or defined == p):
            return p.name
    return enc.field(p, segment)


def encode_order_constraint(c: OrderConstraint, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {
        "__type": name,
        "lower_parameter": _held_parameter(c.lower_parameter, enc, ".lower_parameter"),
        "upper_parameter": _held_parameter(c.upper_parameter, enc, ".upper_parameter"),
    }


def encode_sum_constraint(c: SumConstraint, enc: Encoder, name: str) -> Dict[str, TJson]:
    sign = 1.0 if c.is_upper_bound else -1.0
    return {
        "__type": name,
        "parameters": [
            _held_parameter(p, enc, f".parameters[{i}]") for i, p in enumerate(c.parameters)
        ],
        "is_upper_bound": c.is_upper_bound,
        "bound": encode_float(sign * c.bound),
    }


def encode_search_space(space: SearchSpace, enc: Encoder, name: str) -> Dict[str, TJson]:
    parameters = space._parameters
    previous = enc.parameter_scope
    enc.parameter_scope = parameters
    try:
        constraints = enc.sequence(space._parameter_constraints, ".parameter_constraints")
    finally:
        enc.parameter_scope = previous
    return {
        "__type": name,
        "parameters": enc.sequence(list(parameters.values()), ".parameters"),
        "parameter_constraints": constraints,
    }


# ---------------------------------------------------------------------- optimization config
def encode_objective(obj: Objective, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {"__type": name, "metric": enc.field(obj.metric, ".metric"), "minimize": obj.minimize}


def encode_multi_objective(obj: MultiObjective, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {"__type": name, "objectives": enc.sequence(obj.objectives, ".objectives")}


def encode_scalarized_objective(
    obj: ScalarizedObjective, enc: Encoder, name: str
) -> Dict[str, TJson]:
    return {
        "__type": name,
        "metrics": enc.sequence(obj.metrics, ".metrics"),
        "weights": [encode_float(w) for w in obj.weights],
        "minimize": obj.minimize,
    }


def encode_outcome_constraint(c: OutcomeConstraint, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {
        "__type": name,
        "metric": enc.field(c.metric, ".metric"),
        "op": enc.value(c.op),
        "bound": encode_float(c.bound),
        "relative": c.relative,
    }


def encode_optimization_config(
    config: OptimizationConfig, enc: Encoder, name: str
) -> Dict[str, TJson]:
    return {
        "__type": name,
        "objective": enc.field(config.objective, ".objective"),
        "outcome_constraints": enc.sequence(config.outcome_constraints, ".outcome_constraints"),
    }


def encode_multi_objective_optimization_config(
    config: MultiObjectiveOptimizationConfig, enc: Encoder, name: str
) -> Dict[str, TJson]:
    return {
        **encode_optimization_config(config, enc, name),
        "objective_thresholds": enc.sequence(config.objective_thresholds, ".objective_thresholds"),
    }


# ---------------------------------------------------------------------- generator runs
def encode_generator_run(gr: GeneratorRun, enc: Encoder, name: str) -> Dict[str, TJson]:
    table = gr._arm_weight_table
    return {
        "__type": name,
        "arms": enc.sequence([arm for arm, _ in table.values()], ".arms"),
        "weights": [encode_float(w) for _, w in table.values()],
        "optimization_config": enc.ref(gr._optimization_config, "optimization_config"),
        "search_space": enc.ref(gr._search_space, "search_space"),
        "model_predictions": enc.field(gr._model_predictions, ".model_predictions"),
        "best_arm_predictions": enc.field(gr._best_arm_predictions, ".best_arm_predictions"),
        "type": enc.field(gr._generator_run_type, ".type"),
        "time_created": _optional_time(gr._time_created),
        "index": gr._index,
        "fit_time": _optional_float(gr._fit_time),
        "gen_time": _optional_float(gr._gen_time),
        "model_key": enc.field(gr._model_key, ".model_key"),
        "model_kwargs": enc.field(gr._model_kwargs, ".model_kwargs"),
        "bridge_kwargs": enc.field(gr._bridge_kwargs, ".bridge_kwargs"),
        "gen_metadata": enc.field(gr._gen_metadata, ".gen_metadata"),
        "model_state_after_gen": enc.field(gr._model_state_after_gen, ".model_state_after_gen"),
        "generation_step_index": gr._generation_step_index,
        "candidate_metadata_by_arm_signature": enc.field(
            gr._candidate_metadata_by_arm_signature, ".candidate_metadata_by_arm_signature"
        ),
    }


def encode_generator_run_struct(
    struct: GeneratorRunStruct, enc: Encoder, name: str
) -> Dict[str, TJson]:
    return {
        "__type": name,
        "generator_run": enc.field(struct.generator_run, ".generator_run"),
        "weight": encode_float(struct.weight),
    }


def encode_abandoned_arm(arm: AbandonedArm, enc: Encoder, name: str) -> Dict[str, TJson]:
    return {
        "__type": name,
        "name": arm.name,
        "time": _optional_time(arm.time),
        "reason": enc.field(arm.reason, ".reason"),
    }


# ---------------------------------------------------------------------- trials
def _trial_fields(trial: BaseTrial, enc: Encoder, name: str) -> Dict[str, TJson]:
    # Private fields: reading ``trial.status`` would apply the TTL (and change the trial).
    return {
        "__type": name,
        "index": trial._index,
        "trial_type": enc.field(trial._trial_type, ".trial_type"),
        "ttl_seconds": trial._ttl_seconds,
        "status": enc.value(trial._status),
        "time_created": _optional_time(trial._time_created),
        "time_staged": _optional_time(trial._time_staged),
        "time_run_started": _optional_time(trial._time_run_started),
        "time_completed": _optional_time(trial._time_completed),
        "abandoned_reason": enc.field(trial._abandoned_reason, ".abandoned_reason"),
        "failed_reason": enc.field(trial._failed_reason, ".failed_reason"),
        "run_metadata": enc.field(trial._run_metadata, ".run_metadata"),
        "runner": enc.ref(trial._runner, "runner"),
        "num_arms_created": trial._num_arms_created,
        "generation_step_index": trial._generation_step_index,
    }


def encode_trial(trial: Trial, enc: Encoder, name: str) -> Dict[str, TJson]:
    out = _trial_fields(trial, enc, name)
    out["generator_run"] = enc.field(trial._generator_run, ".generator_run")
    return out


def encode_batch_trial(batch: BatchTrial, enc: Encoder, name: str) -> Dict[str, TJson]:
    out = _trial_fields(batch, enc, name)
    out.update(
        generator_run_structs=enc.sequence(batch._generator_run_structs, ".generator_run_structs"),
        status_quo=enc.ref(batch._status_quo, "status_quo"),
        status_quo_weight_override=_optional_float(batch._status_quo_weight_override),
        abandoned_arms_metadata=enc.sequence(
            list(batch._abandoned_arms_metadata.values()), ".abandoned_arms_metadata"
        ),
        optimize_for_power=batch.optimize_for_power,
    )
    return out


# ---------------------------------------------------------------------- experiment
def replayed_arm_names(experiment: Experiment) -> set[str]:
    """Names of the arms that decoding registers by rebuilding the trials.

    These are the experiment's status quo, every arm of every generator run, and each
    batch's status quo that has a weight override. Any other registered arm (e.g. a
    batch status quo that was unset) is saved separately as an "extra arm".
    """
    from ax.core.batch_trial import BatchTrial

    names = set()
    if experiment._status_quo is not None:
        names.add(experiment._status_quo.name)
    for trial in experiment._trials.values():
        for gr in trial.generator_runs:
            names.update(arm.name for arm, _ in gr._arm_weight_table.values())
        if (
            isinstance(trial, BatchTrial)
            and trial._status_quo is not None
            and trial._status_quo_weight_override is not None
        ):
            names.add(trial._status_quo.name)
    return names


def encode_experiment(experiment: Experiment, enc: Encoder, name: str) -> Dict[str, TJson]:
    if enc.building_experiment:
        raise EncodeFailure("an experiment cannot be saved inside another experiment")
    enc.building_experiment = True
    try:
        return _encode_experiment(experiment, enc, name)
    finally:
        enc.building_experiment = False


def _encode_experiment(experiment: Experiment, enc: Encoder, name: str) -> Dict[str, TJson]:
    out: Dict[str, TJson] = {
        "__type": name,
        "name": experiment._name,
        "description": enc.field(experiment.description, ".description"),
        "experiment_type": enc.field(experiment._experiment_type, ".experiment_type"),
        "is_test": enc.field(experiment.is_test, ".is_test"),
        "time_created": _optional_time(experiment._time_created),
        "search_space": enc.field(experiment._search_space, ".search_space"),
        "optimization_config": enc.field(experiment._optimization_config, ".optimization_config"),
        "tracking_metrics": enc.sequence(
            list(experiment._tracking_metrics.values()), ".tracking_metrics"
        ),
        "runner": enc.field(experiment.runner, ".runner"),
        "status_quo": enc.field(experiment._status_quo, ".status_quo"),
    }
    previous = enc.enable_refs(experiment)
    try:
        trials = experiment._trials
        out["trials"] = enc.sequence([trials[i] for i in sorted(trials)], ".trials")
    finally:
        enc.restore_refs(previous)
    replayed = replayed_arm_names(experiment)
    extra = [arm for arm_name, arm in experiment._arms_by_name.items() if arm_name not in replayed]
    out["extra_arms"] = enc.sequence(extra, ".extra_arms")
    try:
        out["data"] = encode_experiment_data(experiment._data_by_trial)
    except EncodeFailure as failure:
        raise failure.at(".data") from failure.__cause__
    out["last_data_ts"] = experiment._last_data_ts
    out["trials_have_ttl"] = experiment._trials_have_ttl
    progression = experiment.__dict__.get("_progression_data")
    if progression is not None and len(progression):
        out["progression_data"] = progression.to_columns()  # columnar, validated finite
    return out


__all__ = [
    "Encoder",
    "TEncodeFn",
    "TJson",
    "replayed_arm_names",
]
