"""The public face of ``ax``: a light, quiet import and lazily re-exported names.

The import-cost checks run in a fresh interpreter (a subprocess), because the test process
has long since imported pandas, numpy and friends.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import ax

REPO_ROOT = Path(__file__).resolve().parents[1]

HEAVY_MODULES = (
    "torch",
    "botorch",
    "gpytorch",
    "plotly",
    "sqlalchemy",
    "pika",
    "dask",
    "distributed",
    "mpi4py",
    "pandas",
)

IMPLEMENTED = {
    "Arm": "ax.core.arm",
    "BatchTrial": "ax.core.batch_trial",
    "ChoiceParameter": "ax.core.parameter",
    "ComparisonOp": "ax.core.types",
    "Data": "ax.core.data",
    "Experiment": "ax.core.experiment",
    "FixedParameter": "ax.core.parameter",
    "GeneratorRun": "ax.core.generator_run",
    "Metric": "ax.core.metric",
    "Objective": "ax.core.objective",
    "OptimizationConfig": "ax.core.optimization_config",
    "OrderConstraint": "ax.core.parameter_constraint",
    "OutcomeConstraint": "ax.core.outcome_constraint",
    "Parameter": "ax.core.parameter",
    "ParameterConstraint": "ax.core.parameter_constraint",
    "ParameterType": "ax.core.types",
    "RangeParameter": "ax.core.parameter",
    "Runner": "ax.core.runner",
    "SearchSpace": "ax.core.search_space",
    "SimpleExperiment": "ax.core.simple_experiment",
    "SumConstraint": "ax.core.parameter_constraint",
    "Trial": "ax.core.trial",
    "load": "ax.storage.json_store.load",
    "save": "ax.storage.json_store.save",
    "Models": "ax.modelbridge.registry",
    "OptimizationLoop": "ax.service.managed_loop",
    "optimize": "ax.service.managed_loop",
}


REQUIRED = inspect.Parameter.empty


class _AnyDefault:
    """Marker: the parameter must have a default, whatever it is."""

    def __repr__(self) -> str:
        return "<any default>"


ANY_DEFAULT = _AnyDefault()

# Seed signatures (seeds/ax_api.txt): parameter names in order with their defaults.
SEED_SIGNATURES: dict[str, list[tuple[str, Any]]] = {
    "Arm": [("parameters", REQUIRED), ("name", None)],
    "BatchTrial": [
        ("experiment", REQUIRED),
        ("generator_run", None),
        ("trial_type", None),
        ("optimize_for_power", False),
        ("ttl_seconds", None),
    ],
    "ChoiceParameter": [
        ("name", REQUIRED),
        ("parameter_type", REQUIRED),
        ("values", REQUIRED),
        ("is_ordered", False),
        ("is_task", False),
        ("is_fidelity", False),
        ("target_value", None),
    ],
    "Data": [("df", None), ("description", None)],
    "Experiment": [
        ("search_space", REQUIRED),
        ("name", None),
        ("optimization_config", None),
        ("tracking_metrics", None),
        ("runner", None),
        ("status_quo", None),
        ("description", None),
        ("is_test", False),
        ("experiment_type", None),
    ],
    "FixedParameter": [
        ("name", REQUIRED),
        ("parameter_type", REQUIRED),
        ("value", REQUIRED),
        ("is_fidelity", False),
        ("target_value", None),
    ],
    "GeneratorRun": [
        ("arms", REQUIRED),
        ("weights", None),
        ("optimization_config", None),
        ("search_space", None),
        ("model_predictions", None),
        ("best_arm_predictions", None),
        ("type", None),
        ("fit_time", None),
        ("gen_time", None),
        ("model_key", None),
        ("model_kwargs", None),
        ("bridge_kwargs", None),
        ("gen_metadata", None),
        ("model_state_after_gen", None),
        ("generation_step_index", None),
        ("candidate_metadata_by_arm_signature", None),
    ],
    "Metric": [("name", REQUIRED), ("lower_is_better", None)],
    "Objective": [("metric", REQUIRED), ("minimize", None)],
    "OptimizationConfig": [("objective", REQUIRED), ("outcome_constraints", None)],
    "OrderConstraint": [("lower_parameter", REQUIRED), ("upper_parameter", REQUIRED)],
    "OutcomeConstraint": [
        ("metric", REQUIRED),
        ("op", REQUIRED),
        ("bound", REQUIRED),
        ("relative", True),
    ],
    "ParameterConstraint": [("constraint_dict", REQUIRED), ("bound", REQUIRED)],
    "RangeParameter": [
        ("name", REQUIRED),
        ("parameter_type", REQUIRED),
        ("lower", REQUIRED),
        ("upper", REQUIRED),
        ("log_scale", False),
        ("digits", None),
        ("is_fidelity", False),
        ("target_value", None),
    ],
    "SearchSpace": [("parameters", REQUIRED), ("parameter_constraints", None)],
    "SimpleExperiment": [
        ("search_space", REQUIRED),
        ("name", None),
        ("objective_name", None),
        ("evaluation_function", ANY_DEFAULT),
        ("minimize", False),
        ("outcome_constraints", None),
        ("status_quo", None),
    ],
    "SumConstraint": [("parameters", REQUIRED), ("is_upper_bound", REQUIRED), ("bound", REQUIRED)],
    "Trial": [
        ("experiment", REQUIRED),
        ("generator_run", None),
        ("trial_type", None),
        ("ttl_seconds", None),
    ],
    "save": [("experiment", REQUIRED), ("filepath", REQUIRED)],
    "load": [("filepath", REQUIRED)],
}


def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter that imports ``ax`` from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    for var in ("PYTHONSTARTUP", "PYTHONWARNINGS", "PYTHONVERBOSE", "PYTHONDEVMODE"):
        env.pop(var, None)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )


def _loaded_after(statement: str) -> dict[str, Any]:
    code = (
        "import sys, logging\n"
        "root_handlers = list(logging.getLogger().handlers)\n"
        "root_level = logging.getLogger().level\n"
        f"{statement}\n"
        "import json\n"
        "print(json.dumps({\n"
        "    'modules': sorted(sys.modules),\n"
        "    'root_handlers_unchanged': logging.getLogger().handlers == root_handlers,\n"
        "    'root_level_unchanged': logging.getLogger().level == root_level,\n"
        "}))\n"
    )
    result = _run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_import_ax_prints_nothing() -> None:
    result = _run_python("import ax")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""


def test_import_ax_loads_no_heavy_module_and_no_pandas() -> None:
    modules = set(_loaded_after("import ax")["modules"])
    assert sorted(modules & set(HEAVY_MODULES)) == []
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY_MODULES) == []


def test_import_ax_is_lazy() -> None:
    modules = _loaded_after("import ax")["modules"]
    assert [m for m in modules if m == "ax" or m.startswith("ax.")] == ["ax"]


def test_import_ax_changes_no_logging_configuration() -> None:
    report = _loaded_after("import ax\nimport ax.utils.logger")
    assert report["root_handlers_unchanged"]
    assert report["root_level_unchanged"]


def test_using_the_domain_model_loads_no_heavy_module() -> None:
    statement = (
        "import ax\n"
        "for name in ('Experiment', 'SearchSpace', 'RangeParameter', 'Trial', 'BatchTrial',"
        " 'GeneratorRun', 'Metric', 'Objective', 'OptimizationConfig', 'OutcomeConstraint',"
        " 'SumConstraint', 'Runner', 'Arm'):\n"
        "    getattr(ax, name)"
    )
    modules = set(_loaded_after(statement)["modules"])
    heavy = [m for m in modules if m.split(".")[0] in HEAVY_MODULES and m != "pandas"]
    assert sorted(heavy) == []


def test_version_is_a_literal_matching_the_distribution() -> None:
    assert ax.__version__ == "0.1.0"
    try:
        installed = importlib.metadata.version("ax-experiments")
    except importlib.metadata.PackageNotFoundError:
        installed = ax.__version__  # running from a checkout without an install
    assert installed == ax.__version__


def test_py_typed_marker_ships_with_the_package() -> None:
    assert (Path(ax.__file__).parent / "py.typed").is_file()


def test_all_lists_the_public_names() -> None:
    assert len(ax.__all__) == 27
    assert len(set(ax.__all__)) == 27
    assert set(ax.__all__) == set(IMPLEMENTED)


def test_dir_lists_every_public_name_before_first_use() -> None:
    listed = set(dir(ax))
    assert set(ax.__all__) <= listed
    assert "__version__" in listed


@pytest.mark.parametrize("name", sorted(IMPLEMENTED))
def test_public_name_resolves_lazily_and_is_cached(name: str) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from ax import {name}", namespace)
    expected = getattr(importlib.import_module(IMPLEMENTED[name]), name)
    assert namespace[name] is expected
    assert vars(ax)[name] is expected  # cached: the next access skips __getattr__
    assert getattr(ax, name) is expected


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        ax.NoSuchThing  # noqa: B018
    assert not hasattr(ax, "no_such_thing")


@pytest.mark.parametrize("name", sorted(SEED_SIGNATURES))
def test_seed_signature(name: str) -> None:
    obj = getattr(ax, name)
    params = list(inspect.signature(obj).parameters.values())
    expected = SEED_SIGNATURES[name]
    seed_part, extra = params[: len(expected)], params[len(expected) :]
    assert [p.name for p in seed_part] == [n for n, _ in expected]
    for param, (pname, default) in zip(seed_part, expected):
        assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, pname
        if default is ANY_DEFAULT:
            assert param.default is not inspect.Parameter.empty, pname
        elif default is REQUIRED:
            assert param.default is inspect.Parameter.empty, pname
        else:
            assert param.default == default and type(param.default) is type(default), pname
    # Extensions beyond the seed are allowed only as optional keyword-only parameters.
    for param in extra:
        assert param.kind is inspect.Parameter.KEYWORD_ONLY, param.name
        assert param.default is not inspect.Parameter.empty, param.name


def test_dir_lists_only_public_names() -> None:
    listed = set(dir(ax))
    assert not {"TYPE_CHECKING", "annotations", "importlib"} & listed
    assert all(not name.startswith("_") for name in listed - {"__version__"})
    assert {"GenerationStrategy", "GenerationStep"} <= listed


def test_generation_strategy_is_importable_from_ax() -> None:
    from ax import GenerationStep, GenerationStrategy
    from ax.modelbridge import generation_strategy

    assert GenerationStrategy is generation_strategy.GenerationStrategy
    assert GenerationStep is generation_strategy.GenerationStep


def test_optimization_aborted_error_lives_in_exceptions_and_keeps_its_old_path() -> None:
    from ax.exceptions import AxError, OptimizationAbortedError
    from ax.service import managed_loop

    assert managed_loop.OptimizationAbortedError is OptimizationAbortedError
    assert issubclass(OptimizationAbortedError, AxError)
