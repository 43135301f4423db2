"""GenerationStep and GenerationStrategy: which model proposes the next trials, and when to move on.

A strategy is a list of steps, each a model from the :class:`~ax.modelbridge.registry.Models`
registry (or a factory function) and how many trials it produces. ``gen`` picks the current
step, (re)builds its model on the experiment's data with the state its last run left (a
Sobol position, warm-start hyperparameters), and asks it for candidates. A step ends when it
has produced its trials and enough of them have been observed.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Union

from ax.core.base import Base
from ax.core.data import Data
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.types import TrialStatus
from ax.exceptions import (
    DataRequiredError,
    GenerationStrategyCompleted,
    MaxParallelismReachedException,
    UserInputError,
    UserInputTypeError,
)
from ax.modelbridge.registry import Models
from ax.utils.validation import check_int_at_least, is_int

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ax.modelbridge.base import ModelBridge

TModelFactory = Callable[..., "ModelBridge"]

# Keyword arguments that ``gen`` passes on to the model bridge's ``gen``.
_GEN_KWARGS = frozenset(
    {
        "search_space",
        "optimization_config",
        "pending_observations",
        "fixed_features",
        "model_gen_options",
    }
)


@dataclass(frozen=True)
class GenerationStep:
    """One step of a generation strategy.

    Args:
        model: A ``Models`` member, or a factory ``f(experiment, data, search_space, ...)``
            returning a model bridge (such a strategy cannot be saved).
        num_trials: Trials this step produces; -1 (only on the last step) for no limit.
        min_trials_observed: Trials of this step that must be COMPLETED before the next
            step starts.
        max_parallelism: At most this many trials of this step may be RUNNING at once.
        use_update: Update the fitted model with new data instead of refitting it.
        enforce_num_trials: When the step has produced its trials but too few are observed,
            raise ``DataRequiredError`` (True) or keep generating from this step (False).
        model_kwargs: Keyword arguments for the model and bridge (e.g. ``{"seed": 0}``).
        model_gen_kwargs: Keyword arguments for each ``gen`` call of the bridge.
        index: Position in the strategy (set by the strategy).

    Example:
        >>> GenerationStep(model=Models.SOBOL, num_trials=5, model_kwargs={"seed": 0})
    """

    model: Union[Models, TModelFactory]
    num_trials: int
    min_trials_observed: int = 0
    max_parallelism: Optional[int] = None
    use_update: bool = False
    enforce_num_trials: bool = True
    model_kwargs: Optional[Dict[str, Any]] = None
    model_gen_kwargs: Optional[Dict[str, Any]] = None
    index: int = -1

    def __post_init__(self) -> None:
        label = f"GenerationStep({self.model_name})"
        if not isinstance(self.model, Models) and not callable(self.model):
            raise UserInputTypeError(
                f"{label}: model must be a Models member or a factory function, got "
                f"{type(self.model).__name__}"
            )
        if not is_int(self.num_trials) or (self.num_trials < 1 and self.num_trials != -1):
            raise UserInputError(
                f"{label}: num_trials must be an int >= 1, or -1 for no limit, got "
                f"{self.num_trials!r}"
            )
        check_int_at_least(label, "min_trials_observed", self.min_trials_observed, 0)
        if self.num_trials != -1 and self.min_trials_observed > self.num_trials:
            raise UserInputError(
                f"{label}: min_trials_observed ({self.min_trials_observed}) cannot exceed "
                f"num_trials ({self.num_trials})"
            )
        if self.max_parallelism is not None:
            check_int_at_least(label, "max_parallelism", self.max_parallelism, 1, none_allowed=True)
        for field in ("model_kwargs", "model_gen_kwargs"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, dict):
                raise UserInputTypeError(
                    f"{label}: {field} must be a dict or None, got {type(value).__name__}"
                )
        if self.model_gen_kwargs:
            unknown = sorted(set(self.model_gen_kwargs) - _GEN_KWARGS)
            if unknown:
                raise UserInputError(
                    f"{label}: unknown model_gen_kwargs {unknown}; allowed: {sorted(_GEN_KWARGS)}"
                )

    @property
    def model_name(self) -> str:
        """The registry key (``"Sobol"``) or the factory's name without a ``get_`` prefix."""
        if isinstance(self.model, Models):
            return self.model.value
        name = getattr(self.model, "__name__", type(self.model).__name__)
        return name[4:] if name.startswith("get_") else name

    def __repr__(self) -> str:
        count = "subsequent" if self.num_trials == -1 else str(self.num_trials)
        return f"{self.model_name} for {count} trials"


class GenerationStrategy(Base):
    """Chooses the model that proposes each generator run, step by step.

    Args:
        steps: The steps, in order; only the last may have ``num_trials=-1``.
        name: A name; by default the steps' model names joined with ``+``.

    Example:
        >>> gs = GenerationStrategy([
        ...     GenerationStep(Models.SOBOL, num_trials=5, min_trials_observed=3),
        ...     GenerationStep(Models.GPEI, num_trials=-1, max_parallelism=3),
        ... ])
        >>> generator_run = gs.gen(experiment, n=1)
    """

    _eq_exclude = frozenset({"_model", "_experiment"})

    def __init__(self, steps: List[GenerationStep], name: Optional[str] = None) -> None:
        if not isinstance(steps, list) or not steps:
            raise UserInputError(
                f"GenerationStrategy: steps must be a non-empty list of GenerationStep, got "
                f"{steps!r}"
            )
        for i, step in enumerate(steps):
            if not isinstance(step, GenerationStep):
                raise UserInputTypeError(
                    f"GenerationStrategy: steps[{i}] must be a GenerationStep, got "
                    f"{type(step).__name__}"
                )
            if step.num_trials == -1 and i < len(steps) - 1:
                raise UserInputError(
                    f"GenerationStrategy: only the last step may have num_trials=-1, but "
                    f"step {i} ({step.model_name}) has it"
                )
        self._steps = [replace(step, index=i) for i, step in enumerate(steps)]
        self._name = name or "+".join(step.model_name for step in self._steps)
        self._curr_index = 0
        self._generator_runs: List[GeneratorRun] = []
        self._model: Optional[ModelBridge] = None
        self._model_step_index: Optional[int] = None
        self._experiment: Optional[Experiment] = None

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        return self._name

    @property
    def steps(self) -> List[GenerationStep]:
        return list(self._steps)

    @property
    def current_step(self) -> GenerationStep:
        return self._steps[self._curr_index]

    @property
    def current_step_index(self) -> int:
        return self._curr_index

    @property
    def model(self) -> Optional[ModelBridge]:
        """The model bridge that made the last generator run, or None."""
        return self._model

    @property
    def uses_non_registered_models(self) -> bool:
        """Whether a step uses a factory function (such a strategy cannot be saved)."""
        return any(not isinstance(step.model, Models) for step in self._steps)

    @property
    def experiment(self) -> Optional[Experiment]:
        return self._experiment

    @experiment.setter
    def experiment(self, experiment: Experiment) -> None:
        if not isinstance(experiment, Experiment):
            raise UserInputTypeError(
                f"GenerationStrategy {self._name!r}: experiment must be an Experiment, got "
                f"{type(experiment).__name__}"
            )
        current = self._experiment
        if current is not None and current is not experiment and current._name != experiment._name:
            raise UserInputError(
                f"GenerationStrategy {self._name!r} is bound to experiment {current._name!r}; "
                f"it cannot generate for experiment {experiment._name!r} (use clone_reset())"
            )
        self._experiment = experiment

    @property
    def generator_runs(self) -> List[GeneratorRun]:
        return list(self._generator_runs)

    @property
    def last_generator_run(self) -> Optional[GeneratorRun]:
        return self._generator_runs[-1] if self._generator_runs else None

    @property
    def model_transitions(self) -> List[int]:
        """Trial counts at which the strategy moves to the next step."""
        transitions, total = [], 0
        for step in self._steps[:-1]:
            total += step.num_trials
            transitions.append(total)
        return transitions

    @property
    def trial_indices_by_step(self) -> Dict[int, List[int]]:
        """The experiment's trial indices, grouped by the step that generated them."""
        by_step: Dict[int, List[int]] = {step.index: [] for step in self._steps}
        if self._experiment is not None:
            for index, trial in self._experiment._trials.items():
                step_index = trial.generation_step_index
                if step_index is not None and step_index in by_step:
                    by_step[step_index].append(index)
        return by_step

    @property
    def num_running_trials_for_current_step(self) -> int:
        if self._experiment is None:
            return 0
        running = self._experiment._trial_indices_by_status[TrialStatus.RUNNING]
        return len(set(self.trial_indices_by_step[self._curr_index]) & running)

    @property
    def trials_as_df(self) -> Optional[pd.DataFrame]:
        """One row per trial: step, model, index, status, arm parameterizations."""
        if self._experiment is None or not self._experiment._trials:
            return None
        import pandas as pd

        rows = []
        for step_index, indices in self.trial_indices_by_step.items():
            for index in indices:
                trial = self._experiment._trials[index]
                rows.append(
                    {
                        "Generation Step": step_index,
                        "Generation Model": self._steps[step_index].model_name,
                        "Trial Index": index,
                        "Trial Status": trial.status.name,
                        "Arm Parameterizations": {a.name: a.parameters for a in trial.arms},
                    }
                )
        return pd.DataFrame(rows).sort_values("Trial Index").reset_index(drop=True)

    # ------------------------------------------------------------------ generation
    def gen(
        self,
        experiment: Experiment,
        data: Optional[Data] = None,
        n: int = 1,
        **kwargs: Any,
    ) -> GeneratorRun:
        """Produce the next generator run of ``n`` arms from the current step's model.

        Args:
            experiment: The experiment to generate for (bound on first use).
            data: Data to fit on; by default the experiment's data.
            n: Number of arms.
            kwargs: Passed to the bridge's ``gen``: ``pending_observations``,
                ``fixed_features``, ``search_space``, ``optimization_config``,
                ``model_gen_options``.

        Raises:
            DataRequiredError: The current step has produced its trials and waits for data.
            MaxParallelismReachedException: The step's max_parallelism trials are running.
            GenerationStrategyCompleted: Every step has produced all its trials.
            UserInputError: ``n`` or a keyword argument is invalid.
        """
        unknown = sorted(set(kwargs) - _GEN_KWARGS)
        if unknown:
            raise UserInputError(
                f"GenerationStrategy {self._name!r}: unknown gen arguments {unknown}; "
                f"allowed: {sorted(_GEN_KWARGS)}"
            )
        check_int_at_least(f"GenerationStrategy {self._name!r}", "n", n, 1)
        self.experiment = experiment
        self._advance_if_done(experiment)
        step = self.current_step
        if step.max_parallelism is not None:
            running = self.num_running_trials_for_current_step
            if running >= step.max_parallelism:
                raise MaxParallelismReachedException(
                    step_index=step.index, model_name=step.model_name, num_running=running
                )
        self._model = self._build_model(experiment, data, step)
        gen_kwargs = dict(step.model_gen_kwargs or {})
        gen_kwargs.update(kwargs)
        generator_run = self._model.gen(n=n, **gen_kwargs)
        generator_run._generation_step_index = step.index
        self._generator_runs.append(generator_run)
        return generator_run

    def _advance_if_done(self, experiment: Experiment) -> None:
        while True:
            step = self.current_step
            if step.num_trials == -1:
                return
            indices = self.trial_indices_by_step[step.index]
            by_status = experiment._trial_indices_by_status
            completed = len(
                (
                    by_status[TrialStatus.COMPLETED] | by_status[TrialStatus.EARLY_STOPPED]
                ).intersection(indices)
            )
            will_not_complete = len(
                (by_status[TrialStatus.FAILED] | by_status[TrialStatus.ABANDONED]).intersection(
                    indices
                )
            )
            enough_generated = len(indices) - will_not_complete >= step.num_trials
            enough_observed = completed >= step.min_trials_observed
            if not enough_generated:
                return
            if not enough_observed:
                if step.enforce_num_trials:
                    raise DataRequiredError(
                        f"GenerationStrategy {self._name!r}: step {step.index} "
                        f"({step.model_name}) has produced its {step.num_trials} trials but "
                        f"only {completed} of the {step.min_trials_observed} it needs are "
                        "completed; complete more trials, then generate again"
                    )
                return
            if self._curr_index == len(self._steps) - 1:
                raise GenerationStrategyCompleted(
                    f"GenerationStrategy {self._name!r}: all steps are done ({self._describe()}); "
                    f"it produced {sum(s.num_trials for s in self._steps)} trials and cannot "
                    "produce more",
                    hint="add a last step with num_trials=-1 for an open-ended run",
                )
            self._curr_index += 1
            self._model = None

    def _build_model(
        self, experiment: Experiment, data: Optional[Data], step: GenerationStep
    ) -> ModelBridge:
        kwargs = dict(step.model_kwargs or {})
        last = self._last_run_of_step(step.index)
        if last is not None and last.model_state_after_gen:
            kwargs.update(last.model_state_after_gen)
        if data is None:
            needs_data = (
                bool(getattr(step.model.model_bridge_class, "_needs_data", True))
                if isinstance(step.model, Models)
                else True
            )
            # Quasi-random steps read no data: skip fetching it (flat cost per trial).
            data = experiment.fetch_data() if needs_data and experiment.metrics else Data()
        if isinstance(step.model, Models):
            return step.model(experiment=experiment, data=data, **kwargs)
        factory = step.model
        offered: Dict[str, Any] = {
            "experiment": experiment,
            "data": data,
            "search_space": experiment.search_space,
            **kwargs,
        }
        params = inspect.signature(factory).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            return factory(**offered)
        return factory(**{k: v for k, v in offered.items() if k in params})

    def _last_run_of_step(self, step_index: int) -> Optional[GeneratorRun]:
        for generator_run in reversed(self._generator_runs):
            if generator_run.generation_step_index == step_index:
                return generator_run
        if self._experiment is not None:
            for index in sorted(self._experiment._trials, reverse=True):
                trial = self._experiment._trials[index]
                if trial.generation_step_index == step_index:
                    runs = trial.generator_runs
                    if runs:
                        return runs[-1]
        return None

    def check_model_states(self) -> None:
        """Check that each quasi-random step can continue from the state its newest run
        stored (e.g. Sobol's ``init_position``), so a loaded strategy fails now, not at
        its next ``gen``. Model-based steps are checked when they are fitted.

        Raises:
            UserInputError: A stored state is invalid; the message names the step, the
                trial and the offending value.
        """
        from ax.models.random.base import RandomModel

        for step in self._steps:
            if not isinstance(step.model, Models):
                continue
            model_class = step.model.model_class
            if not issubclass(model_class, RandomModel):
                continue
            last = self._last_run_of_step(step.index)
            if last is None or not last.model_state_after_gen:
                continue
            kwargs = dict(step.model_kwargs or {})
            kwargs.update(last.model_state_after_gen)
            accepted = inspect.signature(model_class).parameters
            try:
                model_class(**{k: v for k, v in kwargs.items() if k in accepted})
            except (UserInputError, UserInputTypeError) as err:
                raise UserInputError(
                    f"GenerationStrategy {self._name!r}: step {step.index} ({step.model_name}) "
                    f"cannot continue from the model state stored by its newest generator "
                    f"run (model_state_after_gen): {err.message}"
                ) from err

    def resync(self) -> None:
        """Continue from the experiment's trials, forgetting the runs this strategy made.

        Call it after trials made elsewhere (other clients of one stored experiment) were
        merged into the experiment: each step then continues from the state of the
        newest trial it made (e.g. Sobol's position), whoever made it.
        """
        self._generator_runs = []
        self._model = None

    def discard_generator_run(self, generator_run: GeneratorRun) -> None:
        """Forget ``generator_run`` (its trial was never created or was discarded)."""
        if self._generator_runs and self._generator_runs[-1] is generator_run:
            self._generator_runs.pop()

    # ------------------------------------------------------------------ copies
    def clone_reset(self) -> GenerationStrategy:
        """A fresh strategy with the same name and steps, bound to no experiment."""
        return GenerationStrategy(steps=self.steps, name=self._name)

    def _describe(self) -> str:
        if len(self._steps) == 1:
            only = self._steps[0]
            count = "all" if only.num_trials == -1 else str(only.num_trials)
            return f"{only.model_name} for {count} trials"
        return ", ".join(repr(step) for step in self._steps)

    def __repr__(self) -> str:
        return f"GenerationStrategy(name={self._name!r}, steps=[{self._describe()}])"


def min_trials_observed_for(num_trials: int) -> int:
    """Half of a step's trials, rounded up: the default number to observe before moving on."""
    return math.ceil(num_trials / 2)


__all__ = ["GenerationStep", "GenerationStrategy", "min_trials_observed_for"]
