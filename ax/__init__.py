"""Adaptive experimentation, Ax-style.

Describe what can be tried (a :class:`SearchSpace` of typed parameters and constraints) and
what is measured (:class:`Metric`, :class:`Objective`, :class:`OutcomeConstraint`), record
trials and their :class:`Data` on an :class:`Experiment`, and persist it with :func:`save`
and :func:`load`.

Importing :mod:`ax` costs next to nothing: the public names below are re-exported lazily
(PEP 562). ``import ax`` loads only this module; ``ax.Experiment`` (or
``from ax import Experiment``) imports :mod:`ax.core.experiment` on first use and caches it.
No torch, pandas or other heavy library is loaded, nothing is printed or logged, and no
global setting of another library is changed.

Example:
    >>> import ax
    >>> space = ax.SearchSpace(
    ...     [ax.RangeParameter("x", ax.ParameterType.FLOAT, lower=0.0, upper=1.0)]
    ... )
    >>> experiment = ax.Experiment(space, name="demo")
"""

from __future__ import annotations

import importlib

# ``typing.TYPE_CHECKING`` without importing ``typing`` (about half of this module's import
# time); type checkers treat any constant named TYPE_CHECKING as true.
TYPE_CHECKING = False

__version__ = "0.1.0"

# Public name -> module that defines it (the attribute has the same name there).
_EXPORTS: dict[str, str] = {
    "Arm": "ax.core.arm",
    "BatchTrial": "ax.core.batch_trial",
    "ChoiceParameter": "ax.core.parameter",
    "ComparisonOp": "ax.core.types",
    "Data": "ax.core.data",
    "Experiment": "ax.core.experiment",
    "FixedParameter": "ax.core.parameter",
    "GenerationStep": "ax.modelbridge.generation_strategy",
    "GenerationStrategy": "ax.modelbridge.generation_strategy",
    "GeneratorRun": "ax.core.generator_run",
    "Metric": "ax.core.metric",
    "Models": "ax.modelbridge.registry",
    "MultiObjective": "ax.core.objective",
    "MultiObjectiveOptimizationConfig": "ax.core.optimization_config",
    "Objective": "ax.core.objective",
    "ObjectiveProperties": "ax.service.utils.objective_properties",
    "ObjectiveThreshold": "ax.core.outcome_constraint",
    "OptimizationConfig": "ax.core.optimization_config",
    "OptimizationLoop": "ax.service.managed_loop",
    "OrderConstraint": "ax.core.parameter_constraint",
    "OutcomeConstraint": "ax.core.outcome_constraint",
    "Parameter": "ax.core.parameter",
    "ParameterConstraint": "ax.core.parameter_constraint",
    "ParameterType": "ax.core.types",
    "RangeParameter": "ax.core.parameter",
    "Runner": "ax.core.runner",
    "ScalarizedObjective": "ax.core.objective",
    "SearchSpace": "ax.core.search_space",
    "SimpleExperiment": "ax.core.simple_experiment",
    "SumConstraint": "ax.core.parameter_constraint",
    "Trial": "ax.core.trial",
    "load": "ax.storage.json_store.load",
    "optimize": "ax.service.managed_loop",
    "save": "ax.storage.json_store.save",
}

# ``__all__`` is Ax 0.1's list (what ``from ax import *`` gives); the generation strategy
# classes are importable from ``ax`` too, as the README names them there, and so are the
# multi-objective classes (MultiObjective, ScalarizedObjective, ObjectiveThreshold,
# MultiObjectiveOptimizationConfig, ObjectiveProperties), which later Ax releases export.

__all__ = [
    "Arm",
    "BatchTrial",
    "ChoiceParameter",
    "ComparisonOp",
    "Data",
    "Experiment",
    "FixedParameter",
    "GeneratorRun",
    "Metric",
    "Models",
    "Objective",
    "OptimizationConfig",
    "OptimizationLoop",
    "OrderConstraint",
    "OutcomeConstraint",
    "Parameter",
    "ParameterConstraint",
    "ParameterType",
    "RangeParameter",
    "Runner",
    "SearchSpace",
    "SimpleExperiment",
    "SumConstraint",
    "Trial",
    "load",
    "optimize",
    "save",
]

if TYPE_CHECKING:  # pragma: no cover - seen by type checkers and IDEs only
    from typing import Any

    from ax.core.arm import Arm
    from ax.core.batch_trial import BatchTrial
    from ax.core.data import Data
    from ax.core.experiment import Experiment
    from ax.core.generator_run import GeneratorRun
    from ax.core.metric import Metric
    from ax.core.objective import MultiObjective as MultiObjective
    from ax.core.objective import Objective
    from ax.core.objective import ScalarizedObjective as ScalarizedObjective
    from ax.core.optimization_config import (
        MultiObjectiveOptimizationConfig as MultiObjectiveOptimizationConfig,
    )
    from ax.core.optimization_config import OptimizationConfig
    from ax.core.outcome_constraint import ObjectiveThreshold as ObjectiveThreshold
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter, RangeParameter
    from ax.core.parameter_constraint import (
        OrderConstraint,
        ParameterConstraint,
        SumConstraint,
    )
    from ax.core.runner import Runner
    from ax.core.search_space import SearchSpace
    from ax.core.simple_experiment import SimpleExperiment
    from ax.core.trial import Trial
    from ax.core.types import ComparisonOp, ParameterType
    from ax.modelbridge.generation_strategy import GenerationStep as GenerationStep
    from ax.modelbridge.generation_strategy import GenerationStrategy as GenerationStrategy
    from ax.modelbridge.registry import Models
    from ax.service.managed_loop import OptimizationLoop, optimize
    from ax.service.utils.objective_properties import (
        ObjectiveProperties as ObjectiveProperties,
    )
    from ax.storage.json_store.load import load
    from ax.storage.json_store.save import save


def __getattr__(name: str) -> Any:
    """Resolve a public name on first access (PEP 562) and cache it in the module globals.

    Args:
        name: The attribute asked for, e.g. ``"Experiment"``.

    Returns:
        The object named ``name`` in its defining module.

    Raises:
        AttributeError: If ``name`` is not a public name of :mod:`ax`.
    """
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'ax' has no attribute {name!r}")
    # Make sure the library logger is quiet (NullHandler) before any public class is used.
    importlib.import_module("ax.utils.logger")
    module = importlib.import_module(module_name)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names (resolved or not) and ``__version__``; no import helpers."""
    return sorted({*_EXPORTS, "__version__"})
