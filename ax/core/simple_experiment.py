"""SimpleExperiment: an experiment whose trials are evaluated by a Python function."""

from __future__ import annotations

import inspect
import numbers
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple

from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.metric import Metric
from ax.core.objective import Objective
from ax.core.optimization_config import OptimizationConfig
from ax.core.types import TEvaluationOutcome, TParameterization, TrialStatus, TTrialEvaluation
from ax.exceptions import UnsupportedError, UserInputError, UserInputTypeError

if TYPE_CHECKING:  # pragma: no cover
    from ax.core.arm import Arm
    from ax.core.base_trial import BaseTrial
    from ax.core.outcome_constraint import OutcomeConstraint
    from ax.core.search_space import SearchSpace

TEvaluationFunction = Callable[..., TEvaluationOutcome]


def unimplemented_evaluation_function(
    parameterization: TParameterization, weight: Optional[float] = None
) -> TEvaluationOutcome:
    """Placeholder evaluation function: raises until a real one is set."""
    raise UserInputError(
        "SimpleExperiment: the evaluation function has not been set yet; assign "
        "experiment.evaluation_function"
    )


class SimpleExperiment(Experiment):
    """An experiment evaluated synchronously by ``evaluation_function``.

    The function takes ``(parameterization)`` or ``(parameterization, weight)`` and returns
    one of: ``{metric: (mean, sem)}``; ``(mean, sem)`` for the objective; a bare number for
    the objective (SEM unknown, as everywhere else in the project); or a list of
    ``(fidelity parameters, {metric: (mean, sem)})`` pairs.

    Trials follow the normal lifecycle: evaluation moves a CANDIDATE trial to RUNNING and
    then COMPLETED (or FAILED when the function raises or returns an invalid value);
    ABANDONED and FAILED trials are never evaluated.

    Args:
        search_space: The parameters and constraints.
        name: Experiment name.
        objective_name: Name of the objective metric (default ``"objective"``).
        evaluation_function: The function that evaluates one arm.
        minimize: Whether to minimise the objective.
        outcome_constraints: Constraints on other metrics the function returns.
        status_quo: The control arm.

    Example:
        >>> exp = SimpleExperiment(space, evaluation_function=lambda p: (p["x"] ** 2, 0.0))
        >>> exp.new_trial().add_arm(Arm({"x": 0.5}))
        >>> exp.eval().df["mean"].tolist()
        [0.25]
    """

    def __init__(
        self,
        search_space: SearchSpace,
        name: Optional[str] = None,
        objective_name: Optional[str] = None,
        evaluation_function: TEvaluationFunction = unimplemented_evaluation_function,
        minimize: bool = False,
        outcome_constraints: Optional[List[OutcomeConstraint]] = None,
        status_quo: Optional[Arm] = None,
    ) -> None:
        optimization_config = OptimizationConfig(
            objective=Objective(
                metric=Metric(name=objective_name or "objective"), minimize=minimize
            ),
            outcome_constraints=outcome_constraints,
        )
        super().__init__(
            search_space=search_space,
            name=name,
            optimization_config=optimization_config,
            status_quo=status_quo,
        )
        self._evaluation_function: TEvaluationFunction = unimplemented_evaluation_function
        self.evaluation_function = evaluation_function

    _eq_exclude = frozenset({"_evaluation_function"})

    @property
    def is_simple_experiment(self) -> bool:
        return True

    @property
    def evaluation_function(self) -> TEvaluationFunction:
        """The function that evaluates one parameterization."""
        return self._evaluation_function

    @evaluation_function.setter
    def evaluation_function(self, evaluation_function: TEvaluationFunction) -> None:
        if not callable(evaluation_function):
            raise UserInputTypeError(
                f"SimpleExperiment {self._name!r}: evaluation_function must be callable, got "
                f"{type(evaluation_function).__name__}"
            )
        num_positional(evaluation_function, self._name)
        self._evaluation_function = evaluation_function

    @property
    def has_evaluation_function(self) -> bool:
        return self._evaluation_function is not unimplemented_evaluation_function

    @property
    def _objective_name(self) -> str:
        config = self.optimization_config
        if config is None:  # pragma: no cover - always set by the constructor
            raise UserInputError(f"SimpleExperiment {self._name!r}: no optimization config")
        names = [m.name for m in config.objective.metrics]
        if len(names) != 1:
            raise UserInputTypeError(
                f"SimpleExperiment {self._name!r}: the objective has several metrics "
                f"{names}; the evaluation function must return a {{metric: (mean, sem)}} "
                "dict with each of them, not a bare number or tuple"
            )
        return names[0]

    # ------------------------------------------------------------------ evaluation
    def evaluation_function_outer(
        self, parameterization: TParameterization, weight: Optional[float] = None
    ) -> Any:
        """Call the evaluation function and normalise its result.

        Returns:
            ``{metric: (mean, sem)}`` or, for a fidelity evaluation, the list of
            ``(fidelities, {metric: (mean, sem)})`` pairs.

        Raises:
            UserInputTypeError: The function returned a value of an unsupported form.
        """
        fn = self._evaluation_function
        if num_positional(fn, self._name) == 1:
            result = fn(parameterization)
        else:
            result = fn(parameterization, weight)
        return self._normalise(result)

    def _normalise(self, result: Any) -> Any:
        if isinstance(result, dict):
            return {str(k): _mean_sem(v, str(k), self._name) for k, v in result.items()}
        if isinstance(result, tuple):
            objective = self._objective_name
            return {objective: _mean_sem(result, objective, self._name)}
        if isinstance(result, list):
            return [
                (dict(fid), {str(k): _mean_sem(v, str(k), self._name) for k, v in ev.items()})
                for fid, ev in result
            ]
        if isinstance(result, numbers.Real) and not isinstance(result, bool):
            return {self._objective_name: (float(result), None)}
        raise UserInputTypeError(
            f"SimpleExperiment {self._name!r}: evaluation_function returned "
            f"{type(result).__name__} {result!r}; expected a number, a (mean, sem) tuple, a "
            "{metric: (mean, sem)} dict, or a list of (fidelities, {metric: (mean, sem)})"
        )

    def eval_trial(self, trial: BaseTrial) -> Data:
        """Evaluate one trial (or return its data if it already has some).

        CANDIDATE or STAGED trials are marked RUNNING, evaluated, and marked COMPLETED with
        the data attached. When the function raises or returns an invalid value, the trial
        is marked FAILED with the reason and the error propagates. ABANDONED and FAILED
        trials return empty data.
        """
        cached, _ = self.lookup_data_for_trial(trial.index)
        if len(cached):
            return cached
        if trial.status in (TrialStatus.ABANDONED, TrialStatus.FAILED):
            return Data()
        if not self.has_evaluation_function:
            raise UserInputError(
                f"SimpleExperiment {self._name!r}: no evaluation_function is set; cannot "
                f"evaluate trial {trial.index}"
            )
        arms = trial.arms
        if not arms:
            return Data()
        if trial.status is not TrialStatus.RUNNING:
            trial.mark_running(no_runner_required=True)
        try:
            if len(arms) == 1 and not hasattr(trial, "normalized_arm_weights"):
                evaluations = {arms[0].name: self.evaluation_function_outer(arms[0].parameters)}
            else:
                weights = trial.normalized_arm_weights()  # type: ignore[attr-defined]
                evaluations = {
                    arm.name: self.evaluation_function_outer(arm.parameters, weight)
                    for arm, weight in weights.items()
                }
            data = _to_data(evaluations, trial.index)
        except Exception as err:
            trial.mark_failed(reason=f"{type(err).__name__}: {err}")
            raise
        trial.mark_completed()
        if len(data):
            self.attach_data(data)
        return data

    def eval(self) -> Data:
        """Evaluate every trial that is not FAILED or ABANDONED; return all their data."""
        parts = [
            self.eval_trial(trial)
            for trial in self.trials.values()
            if trial.status not in (TrialStatus.FAILED, TrialStatus.ABANDONED)
        ]
        return Data.from_multiple_data([p for p in parts if len(p)])

    def fetch_data(self, metrics: Optional[List[Metric]] = None, **kwargs: Any) -> Data:
        """Evaluate pending trials and return all data (``metrics`` filters the result)."""
        data = self.eval()
        if metrics is not None:
            data = data.filter(metric_names=[m.name for m in metrics])
        return data

    def _fetch_trial_data(
        self, trial_index: int, metrics: Optional[List[Metric]] = None, **kwargs: Any
    ) -> Data:
        data = self.eval_trial(self.get_trials_by_indices([trial_index])[0])
        if metrics is not None:
            data = data.filter(metric_names=[m.name for m in metrics])
        return data

    def add_tracking_metric(self, metric: Metric) -> SimpleExperiment:
        """Unsupported: a SimpleExperiment's metrics come from its evaluation function."""
        raise UnsupportedError(
            f"SimpleExperiment {self._name!r}: tracking metrics are not supported (got "
            f"{metric!r}); return extra metrics from the evaluation function instead"
        )

    def update_tracking_metric(self, metric: Metric) -> SimpleExperiment:
        """Unsupported: a SimpleExperiment's metrics come from its evaluation function."""
        raise UnsupportedError(
            f"SimpleExperiment {self._name!r}: tracking metrics are not supported (got {metric!r})"
        )


def num_positional(fn: Callable[..., Any], experiment_name: Optional[str]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: assume one argument
        return 1
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        and p.name != "reporter"  # intermediate results, passed by keyword by the Scheduler
    ]
    if len(positional) not in (1, 2):
        raise UserInputError(
            f"SimpleExperiment {experiment_name!r}: evaluation_function must take "
            f"(parameterization) or (parameterization, weight), got {len(positional)} "
            f"positional parameters"
        )
    return len(positional)


def _mean_sem(
    value: Any, metric: str, experiment_name: Optional[str]
) -> Tuple[float, Optional[float]]:
    if isinstance(value, tuple) and len(value) == 2:
        mean, sem = value
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        mean, sem = value, None
    else:
        raise UserInputTypeError(
            f"SimpleExperiment {experiment_name!r}: metric {metric!r} evaluated to "
            f"{value!r}; expected a number or a (mean, sem) tuple"
        )
    if isinstance(mean, bool) or not isinstance(mean, numbers.Real):
        raise UserInputTypeError(
            f"SimpleExperiment {experiment_name!r}: metric {metric!r} mean must be a number, "
            f"got {mean!r}"
        )
    if sem is not None and (isinstance(sem, bool) or not isinstance(sem, numbers.Real)):
        raise UserInputTypeError(
            f"SimpleExperiment {experiment_name!r}: metric {metric!r} sem must be a number or "
            f"None, got {sem!r}"
        )
    return float(mean), None if sem is None else float(sem)


def _to_data(evaluations: Dict[str, Any], trial_index: int) -> Data:
    if any(isinstance(v, list) for v in evaluations.values()):
        return Data.from_fidelity_evaluations(evaluations, trial_index)
    plain: Dict[str, TTrialEvaluation] = evaluations
    return Data.from_evaluations(plain, trial_index)


__all__ = ["SimpleExperiment", "unimplemented_evaluation_function"]
