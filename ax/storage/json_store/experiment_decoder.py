"""Decoding generator runs, trials and experiments (see :mod:`ax.storage.json_store.decoder`).

Trials are rebuilt in index order through ``Trial(experiment)``/``BatchTrial(experiment)``;
their generator runs are attached with the private, non-validating
``_attach_generator_run`` (a saved arm may lie outside a search space that was narrowed
since, and loading must never fail on a valid file), and their saved state is set with
``BaseTrial._restore``. Saved arms keep their names; the experiment's arm registry ends up
identical to the saved one (arms that only the registry held are saved as
``extra_arms``). Data is restored from the columnar table of
:mod:`ax.storage.json_store.data_table`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.batch_trial import AbandonedArm, BatchTrial, GeneratorRunStruct
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.metric import Metric
from ax.core.optimization_config import OptimizationConfig
from ax.core.progression import ProgressionData
from ax.core.runner import Runner
from ax.core.search_space import SearchSpace
from ax.core.simple_experiment import SimpleExperiment
from ax.core.trial import Trial
from ax.core.types import TrialStatus
from ax.exceptions import UserInputError, UserInputTypeError
from ax.storage.json_store.data_table import decode_experiment_data
from ax.storage.json_store.decoder import (
    Decoder,
    fail,
    get_bool,
    get_datetime,
    get_enum,
    get_float,
    get_int,
    get_optional_datetime,
    get_optional_float,
    get_optional_int,
    get_optional_str,
    get_str,
    number,
)
from ax.storage.json_store.schema import DecodeFailure, check_fields, describe

# ---------------------------------------------------------------------- generator runs
_GENERATOR_RUN_FIELDS = frozenset(
    {
        "__type", "arms", "weights", "optimization_config", "search_space",
        "model_predictions", "best_arm_predictions", "type", "time_created", "index",
        "fit_time", "gen_time", "model_key", "model_kwargs", "bridge_kwargs",
        "gen_metadata", "model_state_after_gen", "generation_step_index",
        "candidate_metadata_by_arm_signature",
    }
)  # fmt: skip


def decode_generator_run(cls: Any, d: Dict[str, Any], dec: Decoder) -> GeneratorRun:
    check_fields(d, _GENERATOR_RUN_FIELDS, "GeneratorRun")
    weights = d["weights"]
    if type(weights) is not list:
        raise fail(f"must be a list, got {describe(weights)}", ".weights")
    model_predictions = dec.child(d["model_predictions"], ".model_predictions")
    if model_predictions is not None and not isinstance(model_predictions, tuple):
        raise fail(
            f"must be a tuple or null, got {describe(d['model_predictions'])}", ".model_predictions"
        )
    best = dec.child(d["best_arm_predictions"], ".best_arm_predictions")
    if best is not None and not isinstance(best, tuple):
        raise fail(
            f"must be a tuple or null, got {describe(d['best_arm_predictions'])}",
            ".best_arm_predictions",
        )
    gr = GeneratorRun(
        arms=dec.list_of(d, "arms", Arm),
        weights=[float(number(w, f".weights[{i}]")) for i, w in enumerate(weights)],
        optimization_config=dec.optional(d, "optimization_config", OptimizationConfig),
        search_space=dec.optional(d, "search_space", SearchSpace),
        model_predictions=model_predictions,
        best_arm_predictions=best,
        type=get_optional_str(d, "type"),
        fit_time=get_optional_float(d, "fit_time"),
        gen_time=get_optional_float(d, "gen_time"),
        model_key=get_optional_str(d, "model_key"),
        model_kwargs=dec.mapping(d, "model_kwargs"),
        bridge_kwargs=dec.mapping(d, "bridge_kwargs"),
        gen_metadata=dec.mapping(d, "gen_metadata"),
        model_state_after_gen=dec.mapping(d, "model_state_after_gen"),
        generation_step_index=get_optional_int(d, "generation_step_index"),
        candidate_metadata_by_arm_signature=dec.mapping(d, "candidate_metadata_by_arm_signature"),
    )
    gr._time_created = get_datetime(d, "time_created", dec)
    index = get_optional_int(d, "index")
    if index is not None:
        gr.index = index
    return gr


def decode_generator_run_struct(cls: Any, d: Dict[str, Any], dec: Decoder) -> GeneratorRunStruct:
    check_fields(d, frozenset({"__type", "generator_run", "weight"}), "GeneratorRunStruct")
    weight = get_float(d, "weight")
    if not 0 < weight < float("inf"):
        raise fail(f"must be a finite number > 0, got {weight!r}", ".weight")
    return GeneratorRunStruct(
        generator_run=dec.instance(d, "generator_run", GeneratorRun), weight=weight
    )


def decode_abandoned_arm(cls: Any, d: Dict[str, Any], dec: Decoder) -> AbandonedArm:
    check_fields(d, frozenset({"__type", "name", "time", "reason"}), "AbandonedArm")
    return AbandonedArm(
        name=get_str(d, "name"),
        time=get_datetime(d, "time", dec),
        reason=get_optional_str(d, "reason"),
    )


# ---------------------------------------------------------------------- trials
_TRIAL_COMMON = frozenset(
    {
        "__type", "index", "trial_type", "ttl_seconds", "status", "time_created",
        "time_staged", "time_run_started", "time_completed", "abandoned_reason",
        "failed_reason", "run_metadata", "runner", "num_arms_created",
        "generation_step_index",
    }
)  # fmt: skip
_TRIAL_FIELDS = _TRIAL_COMMON | {"generator_run"}
_BATCH_FIELDS = _TRIAL_COMMON | {
    "generator_run_structs",
    "status_quo",
    "status_quo_weight_override",
    "abandoned_arms_metadata",
    "optimize_for_power",
}


def _trial_experiment(d: Dict[str, Any], dec: Decoder, name: str) -> Experiment:
    experiment = dec.experiment
    if experiment is None or not dec.trial_slot:
        raise fail(f"a {name} may only appear in an experiment's 'trials'")
    dec.trial_slot = False
    index = get_int(d, "index")
    expected = experiment._next_trial_index
    if index != expected:
        raise fail(
            f"trials must be saved in index order: expected index {expected}, got {index}", ".index"
        )
    return experiment


def _trial_state(d: Dict[str, Any], dec: Decoder) -> Dict[str, Any]:
    """The keyword arguments of ``BaseTrial._restore``, decoded and checked."""
    num_arms_created = get_int(d, "num_arms_created")
    if num_arms_created < 0:
        raise fail(f"must be >= 0, got {num_arms_created}", ".num_arms_created")
    return {
        "status": get_enum(d, "status", TrialStatus, dec),
        "time_created": get_datetime(d, "time_created", dec),
        "time_staged": get_optional_datetime(d, "time_staged", dec),
        "time_run_started": get_optional_datetime(d, "time_run_started", dec),
        "time_completed": get_optional_datetime(d, "time_completed", dec),
        "abandoned_reason": get_optional_str(d, "abandoned_reason"),
        "failed_reason": get_optional_str(d, "failed_reason"),
        "run_metadata": dec.mapping(d, "run_metadata", optional=False),
        "runner": dec.optional(d, "runner", Runner),
        "num_arms_created": num_arms_created,
        "generation_step_index": get_optional_int(d, "generation_step_index"),
    }


def _check_arms(experiment: Experiment, arms: List[Arm], segment: str) -> None:
    """Check that saved arms are named and agree with the arms already registered."""
    by_signature = experiment._arms_by_signature
    by_name = experiment._arms_by_name
    search_space = experiment._search_space
    for i, arm in enumerate(arms):
        name = arm._name
        if name is None:
            raise fail("an arm of a trial must have a name", f"{segment}[{i}]")
        try:  # names and types only: the bounds may have been narrowed since
            search_space.check_types(arm.parameters, raise_error=True)
        except (UserInputError, UserInputTypeError) as err:
            raise fail(
                f"arm {name!r} does not fit the search space: {err.message}",
                f"{segment}[{i}].parameters",
            ) from None
        existing = by_signature.get(arm.signature)
        if existing is not None and existing._name != name:
            raise fail(
                f"arm {name!r} has the same parameters as arm {existing._name!r}",
                f"{segment}[{i}]",
            )
        named = by_name.get(name)
        if named is not None and named.signature != arm.signature:
            raise fail(
                f"arm name {name!r} is used by another arm with other parameters",
                f"{segment}[{i}]",
            )


def decode_trial(cls: Any, d: Dict[str, Any], dec: Decoder) -> Trial:
    check_fields(d, _TRIAL_FIELDS, "Trial")
    experiment = _trial_experiment(d, dec, "Trial")
    trial_type = get_optional_str(d, "trial_type")
    ttl_seconds = get_optional_int(d, "ttl_seconds")
    generator_run = dec.optional(d, "generator_run", GeneratorRun)
    state = _trial_state(d, dec)
    if generator_run is not None:
        if len(generator_run.arms) > 1:
            raise fail(
                f"a Trial holds one arm, got {len(generator_run.arms)}", ".generator_run.arms"
            )
        _check_arms(experiment, generator_run.arms, ".generator_run.arms")
    trial = Trial(experiment, trial_type=trial_type, ttl_seconds=ttl_seconds)
    if generator_run is not None:
        trial._attach_generator_run(generator_run)
    trial._restore(**state)
    return trial


def decode_batch_trial(cls: Any, d: Dict[str, Any], dec: Decoder) -> BatchTrial:
    check_fields(d, _BATCH_FIELDS, "BatchTrial")
    experiment = _trial_experiment(d, dec, "BatchTrial")
    trial_type = get_optional_str(d, "trial_type")
    ttl_seconds = get_optional_int(d, "ttl_seconds")
    structs = dec.list_of(d, "generator_run_structs", GeneratorRunStruct)
    status_quo = dec.optional(d, "status_quo", Arm)
    override = get_optional_float(d, "status_quo_weight_override")
    if override is not None and not 0 < override < float("inf"):
        raise fail(f"must be a finite number > 0, got {override!r}", ".status_quo_weight_override")
    abandoned = dec.list_of(d, "abandoned_arms_metadata", AbandonedArm)
    optimize_for_power = get_bool(d, "optimize_for_power")
    state = _trial_state(d, dec)
    batch = BatchTrial(experiment, trial_type=trial_type, ttl_seconds=ttl_seconds)
    for i, struct in enumerate(structs):
        _check_arms(
            experiment, struct.generator_run.arms, f".generator_run_structs[{i}].generator_run.arms"
        )
        batch._attach_generator_run(struct.generator_run, struct.weight)
    if status_quo is not None and override is not None:
        _check_arms(experiment, [status_quo], ".status_quo")
        if status_quo.signature not in experiment._arms_by_signature:
            experiment._register_arm(status_quo)
    batch._status_quo = status_quo
    batch._status_quo_weight_override = override
    batch._abandoned_arms_metadata = {arm.name: arm for arm in abandoned}
    batch.optimize_for_power = optimize_for_power
    batch._restore(**state)
    return batch


def restore_trial(trial: BaseTrial, d: Any, dec: Decoder) -> None:
    """Apply a stored version of ``trial`` to it in place (status, times, metadata...).

    Used to bring in another writer's change of a trial this copy already holds. The
    stored version must be the same kind of trial, with the same index and arms.

    Args:
        trial: The trial to update; ``dec.experiment`` must be its experiment.
        d: The stored trial (a parsed ``Trial``/``BatchTrial`` object).
        dec: The decoder.

    Raises:
        DecodeFailure: The stored version is malformed, or is not a version of ``trial``.
    """
    name = type(trial).__name__
    if type(d) is not dict or d.get("__type") != name:
        raise fail(f"must be an object of type {name!r}, got {describe(d)}")
    check_fields(d, _BATCH_FIELDS if isinstance(trial, BatchTrial) else _TRIAL_FIELDS, name)
    index = get_int(d, "index")
    if index != trial.index:
        raise fail(f"is trial {index}, not trial {trial.index}", ".index")
    if isinstance(trial, BatchTrial):
        runs = [
            s.generator_run for s in dec.list_of(d, "generator_run_structs", GeneratorRunStruct)
        ]
    else:
        run = dec.optional(d, "generator_run", GeneratorRun)
        runs = [] if run is None else [run]
    stored = sorted(arm.name for gr in runs for arm in gr.arms)
    held = sorted(arm.name for gr in trial.generator_runs for arm in gr.arms)
    if stored != held:
        raise fail(f"has arms {stored}, but this copy of the trial has arms {held}")
    state = _trial_state(d, dec)
    if isinstance(trial, BatchTrial):
        abandoned = dec.list_of(d, "abandoned_arms_metadata", AbandonedArm)
        trial._abandoned_arms_metadata = {arm.name: arm for arm in abandoned}
    trial._restore(**state)


# ---------------------------------------------------------------------- experiment
_EXPERIMENT_FIELDS = frozenset(
    {
        "__type", "name", "description", "experiment_type", "is_test", "time_created",
        "search_space", "optimization_config", "tracking_metrics", "runner", "status_quo",
        "trials", "extra_arms", "data", "last_data_ts", "trials_have_ttl",
    }
)  # fmt: skip


def decode_experiment(cls: Any, d: Dict[str, Any], dec: Decoder) -> Experiment:
    """An Experiment or SimpleExperiment, its trials (in index order) and its data.

    A SimpleExperiment comes back with the unimplemented evaluation function: set
    ``experiment.evaluation_function`` again before evaluating new trials.
    """
    # progression_data is written only when there is some (older files have none).
    expected = _EXPERIMENT_FIELDS | ({"progression_data"} if "progression_data" in d else set())
    check_fields(d, expected, cls.__name__)
    if dec.building_experiment:
        raise fail("an experiment cannot be nested inside another experiment")
    dec.building_experiment = True
    try:
        return _decode_experiment(cls, d, dec)
    finally:
        dec.building_experiment = False


def _decode_experiment(cls: Any, d: Dict[str, Any], dec: Decoder) -> Experiment:
    name = get_optional_str(d, "name")
    description = get_optional_str(d, "description")
    experiment_type = get_optional_str(d, "experiment_type")
    is_test = get_bool(d, "is_test")
    time_created = get_datetime(d, "time_created", dec)
    search_space = dec.instance(d, "search_space", SearchSpace)
    optimization_config = dec.optional(d, "optimization_config", OptimizationConfig)
    tracking_metrics = dec.list_of(d, "tracking_metrics", Metric)
    runner = dec.optional(d, "runner", Runner)  # type: ignore[type-abstract]
    status_quo = dec.optional(d, "status_quo", Arm)
    last_data_ts = get_int(d, "last_data_ts")
    trials_have_ttl = get_bool(d, "trials_have_ttl")
    if type(d["trials"]) is not list:
        raise fail(f"must be a list, got {describe(d['trials'])}", ".trials")
    if status_quo is not None and not status_quo.has_name:
        raise fail("the status quo arm must have a name", ".status_quo")
    experiment: Experiment
    if cls is SimpleExperiment:
        experiment = SimpleExperiment(search_space=search_space, name=name)
        experiment.optimization_config = optimization_config
        experiment.add_tracking_metrics(tracking_metrics)
        experiment.description = description
        experiment.is_test = is_test
        experiment.experiment_type = experiment_type
        experiment.runner = runner
    else:
        experiment = cls(
            search_space=search_space,
            name=name,
            optimization_config=optimization_config,
            tracking_metrics=tracking_metrics,
            runner=runner,
            description=description,
            is_test=is_test,
            experiment_type=experiment_type,
        )
    if status_quo is not None:
        # Set directly: the status quo was checked when it was set, and the search space
        # may have been replaced since (which is allowed while there are no trials).
        experiment._status_quo = status_quo
        experiment._register_arm(status_quo)
    dec.experiment = experiment
    try:
        for i, item in enumerate(d["trials"]):
            dec.trial_slot = True
            trial = dec.child(item, f".trials[{i}]")
            if not isinstance(trial, BaseTrial) or trial.experiment is not experiment:
                raise fail(f"must be a Trial or BatchTrial, got {describe(item)}", f".trials[{i}]")
    finally:
        dec.experiment = None
        dec.trial_slot = False
    extra_arms = dec.list_of(d, "extra_arms", Arm)
    _check_arms(experiment, extra_arms, ".extra_arms")
    for arm in extra_arms:
        experiment._register_arm(arm)
    try:
        data_by_trial, max_ts = decode_experiment_data(d["data"], experiment._trials)
    except DecodeFailure as failure:
        raise failure.at(".data") from failure.__cause__
    if last_data_ts < max_ts:
        raise fail(
            f"must be >= the latest data storage time {max_ts}, got {last_data_ts}",
            ".last_data_ts",
        )
    experiment._data_by_trial = data_by_trial
    if d.get("progression_data") is not None:
        experiment.progression_data = _decode_progression(d["progression_data"], experiment)
    experiment._last_data_ts = last_data_ts
    experiment._trials_have_ttl = trials_have_ttl
    experiment._time_created = time_created
    return experiment


def _decode_progression(columns: Any, experiment: Experiment) -> ProgressionData:
    """The experiment's intermediate observations (see :class:`ProgressionData`)."""
    if type(columns) is not dict:
        raise fail(f"must be an object, got {describe(columns)}", ".progression_data")
    try:
        data = ProgressionData.from_columns(columns)
    except (UserInputError, TypeError, ValueError) as err:
        raise fail(str(err), ".progression_data") from err
    unknown = sorted(set(data.trial_indices) - set(experiment._trials))
    if unknown:
        raise fail(f"rows of unknown trials {unknown[:10]}", ".progression_data")
    return data


__all__ = [
    "decode_abandoned_arm",
    "decode_batch_trial",
    "decode_experiment",
    "decode_generator_run",
    "decode_generator_run_struct",
    "decode_trial",
    "restore_trial",
]
