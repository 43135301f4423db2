"""Tests of ax.modelbridge, with the small builders they share."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from ax.core.arm import Arm
from ax.core.base_trial import BaseTrial
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import ChoiceParameter, FixedParameter, RangeParameter
from ax.core.parameter_constraint import ParameterConstraint
from ax.core.search_space import SearchSpace
from ax.core.types import ComparisonOp, ParameterType
from ax.modelbridge.transforms.derelativize import Derelativize
from ax.modelbridge.transforms.int_to_float import IntToFloat
from ax.modelbridge.transforms.ivw import IVW
from ax.modelbridge.transforms.log import Log
from ax.modelbridge.transforms.one_hot import OneHot
from ax.modelbridge.transforms.ordered_choice_encode import OrderedChoiceEncode
from ax.modelbridge.transforms.remove_fixed import RemoveFixed
from ax.modelbridge.transforms.search_space_to_choice import SearchSpaceToChoice
from ax.modelbridge.transforms.standardize_y import StandardizeY
from ax.modelbridge.transforms.unit_x import UnitX

CONT_X_TRANS = [RemoveFixed, OrderedChoiceEncode, OneHot, IntToFloat, Log, UnitX]
Y_TRANS = [IVW, Derelativize, StandardizeY]
TS_TRANS = [*Y_TRANS, SearchSpaceToChoice]


def mixed_search_space(constrained: bool = True) -> SearchSpace:
    """Float, int, log float, log int, ordered and unordered choices, a bool, a fixed."""
    x = RangeParameter("x", ParameterType.FLOAT, -1.0, 3.0)
    n = RangeParameter("n", ParameterType.INT, 1, 10)
    parameters = [
        x,
        n,
        RangeParameter("lr", ParameterType.FLOAT, 1e-4, 0.3, log_scale=True),
        RangeParameter("k", ParameterType.INT, 1, 1000, log_scale=True),
        ChoiceParameter("size", ParameterType.INT, [8, 16, 32], is_ordered=True),
        ChoiceParameter("opt", ParameterType.STRING, ["sgd", "adam", "rms"]),
        ChoiceParameter("flag", ParameterType.BOOL, [True, False]),
        FixedParameter("mode", ParameterType.STRING, "fast"),
    ]
    constraints = [ParameterConstraint({"x": 1.0, "n": 0.5}, bound=4.0)] if constrained else []
    return SearchSpace(parameters, constraints)


def mixed_parameters(i: int = 0) -> Dict[str, Any]:
    """A member of :func:`mixed_search_space` (varying with ``i``)."""
    return {
        "x": -1.0 + 0.25 * (i % 8),
        "n": 1 + i % 4,
        "lr": 10.0 ** (-3 + (i % 3) * 0.5),
        "k": [1, 10, 100, 1000][i % 4],
        "size": [8, 16, 32][i % 3],
        "opt": ["sgd", "adam", "rms"][i % 3],
        "flag": bool(i % 2),
        "mode": "fast",
    }


def float_search_space() -> SearchSpace:
    """Two floats on different ranges and a linear constraint."""
    return SearchSpace(
        [
            RangeParameter("x1", ParameterType.FLOAT, 0.0, 1.0),
            RangeParameter("x2", ParameterType.FLOAT, 0.0, 10.0),
        ],
        [ParameterConstraint({"x1": 1.0, "x2": 0.1}, bound=1.5)],
    )


def make_config(relative: bool = False) -> OptimizationConfig:
    """Minimise m1 subject to m2 <= 5 (or <= +10% of the status quo when relative)."""
    bound = 10.0 if relative else 5.0
    return OptimizationConfig(
        Objective(Metric("m1"), minimize=True),
        [OutcomeConstraint(Metric("m2"), ComparisonOp.LEQ, bound, relative=relative)],
    )


def f1(p: Dict[str, Any]) -> float:
    return float((p["x1"] - 0.3) ** 2 + 0.1 * p["x2"])


def f2(p: Dict[str, Any]) -> float:
    return float(p["x1"] + p["x2"])


def float_experiment(
    n_trials: int = 5,
    relative: bool = False,
    status_quo: Optional[Dict[str, float]] = None,
    batch: bool = False,
) -> Tuple[Experiment, Data]:
    """An experiment on :func:`float_search_space` with data for m1 and m2 (SEM 0.1).

    With ``status_quo``, the status quo arm is in every trial (batch trials).
    """
    exp = Experiment(
        search_space=float_search_space(),
        name="bridge_test",
        optimization_config=make_config(relative),
        status_quo=None if status_quo is None else Arm(status_quo, name="status_quo"),
    )
    rng = np.random.default_rng(0)
    parts = []
    for _ in range(n_trials):
        params = {"x1": float(rng.uniform(0, 0.5)), "x2": float(rng.uniform(0, 5))}
        trial: BaseTrial
        if batch or status_quo is not None:
            batch_trial = exp.new_batch_trial()
            batch_trial.add_arm(Arm(params))
            if exp.status_quo is not None:
                batch_trial.set_status_quo_with_weight(exp.status_quo, 1.0)
            trial = batch_trial
        else:
            trial = exp.new_trial().add_arm(Arm(params))
        evaluations = {
            arm.name: {"m1": (f1(arm.parameters), 0.1), "m2": (f2(arm.parameters), 0.1)}
            for arm in trial.arms
        }
        parts.append(Data.from_evaluations(evaluations, trial.index))
        trial.mark_running(no_runner_required=True).mark_completed()
    data = Data.from_multiple_data(parts)
    exp.attach_data(data)
    return exp, data


def observed_arms(exp: Experiment) -> List[Arm]:
    """Every arm of every trial, in order."""
    return [arm for trial in exp.trials.values() for arm in trial.arms]
