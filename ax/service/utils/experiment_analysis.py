"""What can be read from one experiment's model: predictions, feature importances,
the optimization trace and contour plots.

:class:`ExperimentAnalysis` is the part of :class:`~ax.service.ax_client.AxClient` that
reads models. It uses the generation strategy's model while that model saw the current
data, and otherwise a refit of the model of the last generator run (cached per data
version), never changing the strategy. The computations are the functions of
:mod:`ax.service.utils.ax_client_analysis`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Optional, Sequence, Tuple

from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.exceptions import UserInputError
from ax.modelbridge.generation_strategy import GenerationStrategy
from ax.service.utils import ax_client_analysis as analysis
from ax.service.utils.ax_client_utils import objective_name
from ax.service.utils.multi_objective_client import objective_names
from ax.utils.text import short_repr

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go

    from ax.modelbridge.base import ModelBridge

TRefit = Tuple[int, GeneratorRun, "ModelBridge"]
"""A refit model: (the data version it was fit on, the generator run, the bridge)."""


class ExperimentAnalysis:
    """Reads predictions and figures from the model of one experiment and strategy.

    Args:
        experiment: The experiment.
        generation_strategy: Its strategy (whose model is used while it is current).
    """

    def __init__(self, experiment: Experiment, generation_strategy: GenerationStrategy) -> None:
        self.experiment = experiment
        self.generation_strategy = generation_strategy
        self.model_data_version: Optional[int] = None
        """The experiment's data version the strategy's model was fit on (None: unknown)."""
        self.refit: Optional[TRefit] = None
        """The last refit model, reused while the data and the generator run are the same."""

    def model_fit_on(self, data_version: Optional[int]) -> None:
        """Note that the strategy's model was just fit on data version ``data_version``
        (None: unknown, e.g. after trials ran elsewhere)."""
        self.model_data_version = data_version

    @property
    def objective_name(self) -> str:
        """The objective metric's name."""
        return objective_name(self.experiment)

    def checked_metric(self, function: str, metric_name: Optional[str]) -> str:
        """``metric_name`` (default: the objective), checked to be the experiment's.

        Raises:
            UserInputError: An unknown metric (the message lists the known ones).
        """
        if metric_name is None:
            return objective_names(self.experiment, function)[0]
        known = self.experiment.metrics
        if metric_name not in known:
            raise UserInputError(
                f"{function}: unknown metric {short_repr(metric_name)}; the experiment's "
                f"metrics are {sorted(known)}"
            )
        return metric_name

    def fitted_model(self, function: str) -> ModelBridge:
        """The strategy's model if it saw the current data, else a refit of it (cached).

        Raises:
            UserInputError: No model has been fitted yet.
        """
        experiment, strategy = self.experiment, self.generation_strategy
        version = experiment._last_data_ts
        model = strategy.model
        if model is not None and self.model_data_version == version:
            return model
        run = strategy.last_generator_run or analysis.last_model_run(experiment)
        if run is None or run.model_key is None:
            raise UserInputError(
                f"{function}: no model has been fitted yet; complete some trials and call "
                "get_next_trial first"
            )
        if self.refit is not None and self.refit[0] == version and self.refit[1] is run:
            return self.refit[2]
        bridge = analysis.refit_model(run, experiment)
        self.refit = (version, run, bridge)
        return bridge

    def predictions(
        self, function: str, metric_names: Optional[Sequence[str]]
    ) -> analysis.TPredictions:
        """``{trial_index: {metric: (mean, sem)}}`` from the current model."""
        bridge = self.fitted_model(function)
        return analysis.predict_trials(function, bridge, self.experiment, metric_names)

    def feature_importances(
        self, function: str, metric_name: Optional[str], relative: bool
    ) -> Dict[str, float]:
        """``{parameter: importance}`` for a metric (default: the objective)."""
        metric = self.checked_metric(function, metric_name)
        bridge = self.fitted_model(function)
        return analysis.feature_importances(function, bridge, metric, relative)

    def optimization_trace(self, function: str, objective_optimum: Optional[float]) -> go.Figure:
        """The best objective so far against the number of completed trials."""
        return analysis.optimization_trace(function, self.experiment, objective_optimum)

    def contour_plot(
        self,
        function: str,
        param_x: Optional[str],
        param_y: Optional[str],
        metric_name: Optional[str],
    ) -> go.Figure:
        """The model's predicted metric over two range parameters."""
        metric = self.checked_metric(function, metric_name)
        x, y = analysis.contour_axes(function, self.experiment, param_x, param_y)
        bridge = self.fitted_model(function)
        return analysis.contour_plot(function, bridge, self.experiment, x, y, metric)


__all__ = ["ExperimentAnalysis", "TRefit"]
