"""Trials as a task parameter, for multi-task models: :class:`TrialAsTask`."""

from __future__ import annotations

from typing import Dict, List, Optional

from ax.core.observation import ObservationData, ObservationFeatures
from ax.core.parameter import ChoiceParameter, FixedParameter, Parameter
from ax.core.search_space import SearchSpace
from ax.core.types import ParameterType, TConfig
from ax.exceptions import UserInputError
from ax.modelbridge.transforms.base import Transform, rebuild_search_space

TRIAL_PARAM = "TRIAL_PARAM"
"""Name of the task parameter added when the config gives no ``trial_level_map``."""


class TrialAsTask(Transform):
    """Adds task parameters whose level is set by each observation's trial.

    By default one STRING task parameter :data:`TRIAL_PARAM` whose level is the trial
    index as text (``"0"``, ``"1"``, ...): observations from different trials (batches
    run at different times, say) are then modelled as related tasks. With the config
    ``trial_level_map = {parameter name: {trial index: level}}`` several trials can share
    a level. Features without a trial index (candidates at generation time) are left
    without the parameters unless they set them (fix one with ``fixed_features``), or,
    with the config ``target_trial``, get that trial's levels (the task a multi-task
    model generates and predicts for by default). The
    untransform removes the parameters, restoring ``trial_index`` from the default
    parameter when it was unset. With data from fewer than two trials (and no map) it
    does nothing.

    Config keys: ``trial_level_map``, ``target_trial``.

    Raises:
        UserInputError: The map is malformed, an observation's trial is not in it, or
            ``target_trial`` is not a trial of the map.
    """

    config_keys = frozenset({"trial_level_map", "target_trial"})

    def __init__(
        self,
        search_space: SearchSpace,
        observation_features: List[ObservationFeatures],
        observation_data: List[ObservationData],
        config: Optional[TConfig] = None,
    ) -> None:
        super().__init__(search_space, observation_features, observation_data, config)
        given = self.config.get("trial_level_map")
        self.trial_level_map: Dict[str, Dict[int, str]] = {}
        if given is not None:
            self.trial_level_map = self._checked_map(given, search_space)
        else:
            trials = sorted(
                {f.trial_index for f in observation_features if f.trial_index is not None}
            )
            if len(trials) > 1:
                if TRIAL_PARAM in search_space.parameters:
                    raise UserInputError(
                        f"TrialAsTask: the search space already has a parameter {TRIAL_PARAM!r}"
                    )
                self.trial_level_map = {TRIAL_PARAM: {int(t): str(t) for t in trials}}
        self.target_trial: Optional[int] = None
        target = self.config.get("target_trial")
        if target is not None and self.trial_level_map:
            if isinstance(target, bool) or not isinstance(target, int):
                raise UserInputError(
                    f"TrialAsTask: config['target_trial'] must be a trial index (int), got "
                    f"{target!r}"
                )
            for name, levels in self.trial_level_map.items():
                if target not in levels:
                    raise UserInputError(
                        f"TrialAsTask: config['target_trial']={target} is not a trial of "
                        f"{name!r} (trials with data: {sorted(levels)})"
                    )
            self.target_trial = target

    def transform_search_space(self, search_space: SearchSpace) -> SearchSpace:
        if not self.trial_level_map:
            return search_space
        parameters: List[Parameter] = list(search_space.parameters.values())
        for name, levels in self.trial_level_map.items():
            values = sorted(set(levels.values()))
            if len(values) == 1:  # every trial at one level: nothing to tell apart
                parameters.append(FixedParameter(name, ParameterType.STRING, values[0]))
                continue
            parameters.append(
                ChoiceParameter(name, ParameterType.STRING, values, is_ordered=False, is_task=True)
            )
        return rebuild_search_space(search_space, parameters)

    def transform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            trial = obsf.trial_index if obsf.trial_index is not None else self.target_trial
            if trial is None:
                continue
            for name, levels in self.trial_level_map.items():
                if obsf.trial_index is None and name in obsf.parameters:
                    continue  # set by the caller (e.g. fixed_features)
                level = levels.get(int(trial))
                if level is None:
                    raise UserInputError(
                        f"TrialAsTask: trial {trial} is not in the trial_level_map "
                        f"of {name!r} (trials {sorted(levels)})"
                    )
                obsf.parameters[name] = level
        return observation_features

    def untransform_observation_features(
        self, observation_features: List[ObservationFeatures]
    ) -> List[ObservationFeatures]:
        for obsf in observation_features:
            for name in self.trial_level_map:
                level = obsf.parameters.pop(name, None)
                if name == TRIAL_PARAM and obsf.trial_index is None and level is not None:
                    obsf.trial_index = int(str(level))
        return observation_features

    @staticmethod
    def _checked_map(given: object, search_space: SearchSpace) -> Dict[str, Dict[int, str]]:
        if not isinstance(given, dict) or not given:
            raise UserInputError(
                "TrialAsTask: config['trial_level_map'] must be a non-empty dict "
                f"{{parameter name: {{trial index: level}}}}, got {given!r}"
            )
        checked: Dict[str, Dict[int, str]] = {}
        for name, levels in given.items():
            if not isinstance(name, str) or name in search_space.parameters:
                raise UserInputError(
                    f"TrialAsTask: trial_level_map key {name!r} must be a new parameter name"
                )
            if not isinstance(levels, dict) or not levels:
                raise UserInputError(
                    f"TrialAsTask: trial_level_map[{name!r}] must be a non-empty dict "
                    f"{{trial index: level}}, got {levels!r}"
                )
            checked[name] = {int(t): str(level) for t, level in levels.items()}
        return checked


__all__ = ["TRIAL_PARAM", "TrialAsTask"]
