"""GeneratorRun: the arms (and weights) that one call of a generator produced."""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set

from ax.core.arm import Arm
from ax.core.base import Base
from ax.core.types import (
    TCandidateMetadata,
    TGenMetadata,
    TModelPredict,
    TModelPredictArm,
)
from ax.exceptions import ImmutabilityError, UserInputError, UserInputTypeError
from ax.utils.validation import check_int_at_least

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ax.core.optimization_config import OptimizationConfig
    from ax.core.search_space import SearchSpace


class GeneratorRun(Base):
    """The arms and weights produced by one run of a generator (or added by hand).

    Arms with the same signature are merged: their weights add up and the entry keeps the
    position of the first occurrence.

    Args:
        arms: The arms generated, length ``n``.
        weights: One positive weight per arm (length ``n``); all 1.0 when omitted.
        optimization_config: The optimization config the generator used.
        search_space: The search space the generator used.
        model_predictions: ``(means, covariances)`` predicted for the arms, each metric's
            list of length ``n``.
        best_arm_predictions: ``(best arm, its predictions)`` when the generator reports one.
        type: For runs made without a model, a ``GeneratorRunType`` member name such as
            ``"MANUAL"`` or ``"STATUS_QUO"``.
        fit_time: Seconds spent fitting the model.
        gen_time: Seconds spent generating.
        model_key: The ``Models`` registry key of the generator.
        model_kwargs: Keyword arguments the model was built with.
        bridge_kwargs: Keyword arguments the model bridge was built with.
        gen_metadata: Free-form metadata from the generator.
        model_state_after_gen: The generator's state after generating (e.g. a Sobol position),
            so that it can be resumed.
        generation_step_index: Index of the generation-strategy step that produced the run.
        candidate_metadata_by_arm_signature: Metadata per arm, keyed by arm signature.

    Example:
        >>> gr = GeneratorRun([Arm({"x": 0.1}), Arm({"x": 0.9})], type="MANUAL")
        >>> len(gr.arms)
        2
    """

    _eq_exclude = frozenset({"_arm_signatures_cache"})

    def __init__(
        self,
        arms: List[Arm],
        weights: Optional[List[float]] = None,
        optimization_config: Optional[OptimizationConfig] = None,
        search_space: Optional[SearchSpace] = None,
        model_predictions: Optional[TModelPredict] = None,
        best_arm_predictions: Optional[tuple[Arm, Optional[TModelPredictArm]]] = None,
        type: Optional[str] = None,  # noqa: A002 - the seed's argument name
        fit_time: Optional[float] = None,
        gen_time: Optional[float] = None,
        model_key: Optional[str] = None,
        model_kwargs: Optional[Dict[str, Any]] = None,
        bridge_kwargs: Optional[Dict[str, Any]] = None,
        gen_metadata: Optional[TGenMetadata] = None,
        model_state_after_gen: Optional[Dict[str, Any]] = None,
        generation_step_index: Optional[int] = None,
        candidate_metadata_by_arm_signature: Optional[Dict[str, TCandidateMetadata]] = None,
    ) -> None:
        arms = list(arms)
        for i, arm in enumerate(arms):
            if not isinstance(arm, Arm):
                raise UserInputTypeError(
                    f"GeneratorRun: arms[{i}] must be an Arm, got {type_name(arm)} {arm!r}"
                )
        if weights is None:
            weight_list = [1.0] * len(arms)
        else:
            weight_list = list(weights)
            if len(weight_list) != len(arms):
                raise UserInputError(
                    "GeneratorRun: weights and arms must have the same length, got "
                    f"{len(weight_list)} weights for {len(arms)} arms"
                )
            for i, w in enumerate(weight_list):
                if isinstance(w, bool) or not isinstance(w, (int, float)):
                    raise UserInputTypeError(
                        f"GeneratorRun: weights[{i}] must be a number, got {w!r}"
                    )
                if not math.isfinite(w) or w <= 0:
                    raise UserInputError(
                        f"GeneratorRun: weights[{i}] must be a finite number > 0, got {w!r}"
                    )
        if (model_kwargs is not None or bridge_kwargs is not None) and model_key is None:
            raise UserInputError(
                "GeneratorRun: model_key is required when model_kwargs or bridge_kwargs "
                "is given, got model_key=None"
            )
        if generation_step_index is not None:
            check_int_at_least(
                "GeneratorRun", "generation_step_index", generation_step_index, 0, none_allowed=True
            )
        merged: OrderedDict[str, tuple[Arm, float]] = OrderedDict()
        for arm, w in zip(arms, weight_list):
            sig = arm.signature
            if sig in merged:
                merged[sig] = (arm, merged[sig][1] + float(w))
            else:
                merged[sig] = (arm, float(w))
        if candidate_metadata_by_arm_signature is not None:
            unknown = sorted(set(candidate_metadata_by_arm_signature) - set(merged))
            if unknown:
                raise UserInputError(
                    "GeneratorRun: candidate_metadata_by_arm_signature has keys that are not "
                    f"signatures of this run's arms: {unknown}"
                )
        self._arm_weight_table = merged
        self._optimization_config = optimization_config
        self._search_space = search_space
        self._model_predictions = model_predictions
        self._best_arm_predictions = best_arm_predictions
        self._generator_run_type = type
        self._time_created = datetime.now()
        self._index: Optional[int] = None
        self._fit_time = fit_time
        self._gen_time = gen_time
        self._model_key = model_key
        self._model_kwargs = model_kwargs
        self._bridge_kwargs = bridge_kwargs
        self._gen_metadata = gen_metadata
        self._model_state_after_gen = model_state_after_gen
        self._generation_step_index = generation_step_index
        self._candidate_metadata_by_arm_signature = candidate_metadata_by_arm_signature

    # ------------------------------------------------------------------ arms and weights
    @property
    def arms(self) -> List[Arm]:
        """The arms, de-duplicated by signature, in the order first seen."""
        return [arm for arm, _ in self._arm_weight_table.values()]

    @property
    def weights(self) -> List[float]:
        """The weights, aligned with ``arms``."""
        return [w for _, w in self._arm_weight_table.values()]

    @property
    def arm_signatures(self) -> Set[str]:
        """The signatures of the arms."""
        return set(self._arm_weight_table)

    @property
    def arm_weights(self) -> OrderedDict[Arm, float]:
        """Mapping from arm to weight, in the order of ``arms``."""
        return OrderedDict(self._arm_weight_table.values())

    # ------------------------------------------------------------------ metadata
    @property
    def generator_run_type(self) -> Optional[str]:
        """The ``type`` given at construction (e.g. ``"MANUAL"``), or None."""
        return self._generator_run_type

    @property
    def time_created(self) -> datetime:
        """When the run was created."""
        return self._time_created

    @property
    def index(self) -> Optional[int]:
        """Position of this run within its trial; set once, when attached to a trial."""
        return self._index

    @index.setter
    def index(self, index: int) -> None:
        if self._index is not None and self._index != index:
            raise ImmutabilityError(
                f"GeneratorRun: index is immutable once set, got {index!r} (current {self._index})"
            )
        self._index = index

    @property
    def optimization_config(self) -> Optional[OptimizationConfig]:
        """The optimization config used during generation of this run."""
        return self._optimization_config

    @property
    def search_space(self) -> Optional[SearchSpace]:
        """The search space used during generation of this run."""
        return self._search_space

    @property
    def model_predictions(self) -> Optional[TModelPredict]:
        return self._model_predictions

    @property
    def best_arm_predictions(self) -> Optional[tuple[Arm, Optional[TModelPredictArm]]]:
        return self._best_arm_predictions

    @property
    def fit_time(self) -> Optional[float]:
        return self._fit_time

    @property
    def gen_time(self) -> Optional[float]:
        return self._gen_time

    @property
    def model_key(self) -> Optional[str]:
        return self._model_key

    @property
    def model_kwargs(self) -> Optional[Dict[str, Any]]:
        return self._model_kwargs

    @property
    def bridge_kwargs(self) -> Optional[Dict[str, Any]]:
        return self._bridge_kwargs

    @property
    def gen_metadata(self) -> Optional[TGenMetadata]:
        return self._gen_metadata

    @property
    def model_state_after_gen(self) -> Optional[Dict[str, Any]]:
        return self._model_state_after_gen

    @property
    def generation_step_index(self) -> Optional[int]:
        return self._generation_step_index

    @property
    def candidate_metadata_by_arm_signature(self) -> Optional[Dict[str, TCandidateMetadata]]:
        return self._candidate_metadata_by_arm_signature

    @property
    def model_predictions_by_arm(self) -> Optional[Dict[str, TModelPredictArm]]:
        """Predictions per arm signature: ``{signature: ({metric: mean}, {m: {m2: cov}})}``."""
        if self._model_predictions is None:
            return None
        means, covs = self._model_predictions
        out: Dict[str, TModelPredictArm] = {}
        for i, sig in enumerate(self._arm_weight_table):
            arm_means = {m: values[i] for m, values in means.items()}
            arm_covs = {
                m: {m2: values[i] for m2, values in inner.items()} for m, inner in covs.items()
            }
            out[sig] = (arm_means, arm_covs)
        return out

    @property
    def param_df(self) -> pd.DataFrame:
        """A DataFrame of the arms' parameters, indexed by ``name_or_short_signature``."""
        import pandas as pd

        arms = self.arms
        return pd.DataFrame(
            [arm.parameters for arm in arms],
            index=[arm.name_or_short_signature for arm in arms],
        )

    # ------------------------------------------------------------------ copies
    def clone(self) -> GeneratorRun:
        """A deep copy that keeps ``time_created`` and ``index``."""
        gr = GeneratorRun(
            arms=[arm.clone() for arm in self.arms],
            weights=self.weights,
            optimization_config=(
                self._optimization_config.clone() if self._optimization_config else None
            ),
            search_space=self._search_space.clone() if self._search_space else None,
            model_predictions=copy.deepcopy(self._model_predictions),
            best_arm_predictions=copy.deepcopy(self._best_arm_predictions),
            type=self._generator_run_type,
            fit_time=self._fit_time,
            gen_time=self._gen_time,
            model_key=self._model_key,
            model_kwargs=copy.deepcopy(self._model_kwargs),
            bridge_kwargs=copy.deepcopy(self._bridge_kwargs),
            gen_metadata=copy.deepcopy(self._gen_metadata),
            model_state_after_gen=copy.deepcopy(self._model_state_after_gen),
            generation_step_index=self._generation_step_index,
            candidate_metadata_by_arm_signature=copy.deepcopy(
                self._candidate_metadata_by_arm_signature
            ),
        )
        gr._time_created = self._time_created
        gr._index = self._index
        return gr

    def split_by_arm(self, populate_all_fields: bool = False) -> List[GeneratorRun]:
        """One generator run per arm.

        Args:
            populate_all_fields: Copy every field into each run. By default only the arm,
                weight, type, model key and generation step index are copied.

        Returns:
            A list of ``n`` single-arm generator runs.
        """
        runs = []
        for arm, weight in self._arm_weight_table.values():
            if populate_all_fields:
                meta = self._candidate_metadata_by_arm_signature
                gr = GeneratorRun(
                    arms=[arm],
                    weights=[weight],
                    optimization_config=self._optimization_config,
                    search_space=self._search_space,
                    model_predictions=self._model_predictions,
                    best_arm_predictions=self._best_arm_predictions,
                    type=self._generator_run_type,
                    fit_time=self._fit_time,
                    gen_time=self._gen_time,
                    model_key=self._model_key,
                    model_kwargs=self._model_kwargs,
                    bridge_kwargs=self._bridge_kwargs,
                    gen_metadata=self._gen_metadata,
                    model_state_after_gen=self._model_state_after_gen,
                    generation_step_index=self._generation_step_index,
                    candidate_metadata_by_arm_signature=(
                        {arm.signature: meta.get(arm.signature)} if meta else None
                    ),
                )
            else:
                gr = GeneratorRun(
                    arms=[arm],
                    weights=[weight],
                    type=self._generator_run_type,
                    model_key=self._model_key,
                    generation_step_index=self._generation_step_index,
                )
            runs.append(gr)
        return runs

    def __repr__(self) -> str:
        n = len(self._arm_weight_table)
        return f"GeneratorRun({n} arms, total weight {sum(self.weights)})"


def type_name(value: object) -> str:
    """The class name of a value, for error messages."""
    return type(value).__name__


__all__ = ["GeneratorRun"]
