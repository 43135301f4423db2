"""The seed's public members (ax_api.txt) exist on the classes exported by ``ax``."""

from __future__ import annotations

from typing import List

import pytest

import ax

# Members documented for each class in the seed document (methods, properties, attributes).
SEED_MEMBERS = {
    "Arm": ["name_or_short_signature", "parameters"],
    "BatchTrial": [
        "abandoned_arms",
        "arm_weights",
        "arms_by_name",
        "experiment",
        "generator_run_structs",
        "is_factorial",
        "mark_arm_abandoned",
        "normalized_arm_weights",
        "run",
    ],
    "ChoiceParameter": ["add_values"],
    "Data": ["description", "df", "df_hash", "from_evaluations", "from_fidelity_evaluations"],
    "Experiment": [
        "add_tracking_metric",
        "add_tracking_metrics",
        "arms_by_name",
        "arms_by_signature",
        "attach_data",
        "data_by_trial",
        "default_trial_type",
        "fetch_data",
        "fetch_trials_data",
        "is_simple_experiment",
        "lookup_data_for_trial",
        "lookup_data_for_ts",
        "new_batch_trial",
        "new_trial",
        "num_abandoned_arms",
        "optimization_config",
        "parameters",
        "remove_tracking_metric",
        "reset_runners",
        "runner_for_trial",
        "search_space",
        "status_quo",
        "sum_trial_sizes",
        "supports_trial_type",
        "trial_indices_by_status",
        "trials",
        "trials_by_status",
        "trials_expecting_data",
    ],
    "FixedParameter": [],
    "GeneratorRun": [
        "arm_weights",
        "candidate_metadata_by_arm_signature",
        "index",
        "optimization_config",
        "param_df",
        "search_space",
        "split_by_arm",
    ],
    "Models": ["model_bridge_class", "view_defaults"],
    "Metric": ["fetch_experiment_data", "fetch_experiment_data_multi", "lower_is_better"],
    "Objective": ["minimize"],
    "OptimizationConfig": ["outcome_constraints"],
    "OrderConstraint": ["clone_with_transformed_parameters", "constraint_dict"],
    "OutcomeConstraint": ["bound", "metric", "op", "relative"],
    "Parameter": [],
    "ParameterConstraint": ["check"],
    "RangeParameter": ["digits", "is_valid_type", "log_scale", "lower", "update_range", "upper"],
    "Runner": ["staging_required"],
    "SearchSpace": [
        "cast_arm",
        "check_membership",
        "check_types",
        "construct_arm",
        "out_of_design_arm",
    ],
    "SimpleExperiment": [
        "add_tracking_metric",
        "eval",
        "evaluation_function",
        "fetch_data",
        "has_evaluation_function",
        "is_simple_experiment",
    ],
    "SumConstraint": ["clone", "clone_with_transformed_parameters", "constraint_dict", "op"],
    "Trial": ["arms", "arms_by_name", "generator_run", "get_metric_mean", "objective_mean"],
}

# Documented as instance attributes rather than class members.
INSTANCE_ATTRIBUTES = {("Data", "description")}


@pytest.mark.parametrize("class_name, members", sorted(SEED_MEMBERS.items()))
def test_seed_members_exist(class_name: str, members: List[str]) -> None:
    cls = getattr(ax, class_name)
    missing = [
        m for m in members if not hasattr(cls, m) and (class_name, m) not in INSTANCE_ATTRIBUTES
    ]
    assert missing == [], f"{class_name} lacks seed members {missing}"


def test_data_description_attribute() -> None:
    assert ax.Data(description="d").description == "d"
