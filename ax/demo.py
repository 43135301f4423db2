"""The embedded default problem behind ``ax demo``: Branin with a linear constraint.

Minimise the Branin function of ``x1 in [-5, 10]`` and ``x2 in [0, 15]`` subject to
``x1 + x2 <= 10``, which keeps two of Branin's three global minimisers, ``(-pi, 12.275)``
and ``(pi, 2.275)``, where the minimum is ``0.397887``. Trials are deployed by a
:class:`~ax.runners.synthetic.SyntheticRunner` and measured by a
:class:`~ax.metrics.branin.BraninMetric`, run by an
:class:`~ax.service.managed_loop.OptimizationLoop` with the default, seeded generation
strategy (Sobol, then GP-based Bayesian optimisation). The experiment is saved as JSON
and the HTML report written next to it.

Example:
    >>> result = run_demo(total_trials=20, seed=0, out_dir="ax-demo")
    >>> result.best_parameters, result.best_value, result.report_path
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ax.core.experiment import Experiment
from ax.core.types import TParameterization
from ax.exceptions import StorageError, UserInputError

if TYPE_CHECKING:  # pragma: no cover
    from ax.modelbridge.base import ModelBridge
    from ax.modelbridge.generation_strategy import GenerationStrategy

DEMO_NAME = "branin_demo"
DEMO_METRIC = "branin"
DEMO_PARAMETERS: List[Dict[str, Any]] = [
    {"name": "x1", "type": "range", "bounds": [-5.0, 10.0]},
    {"name": "x2", "type": "range", "bounds": [0.0, 15.0]},
]
DEMO_CONSTRAINTS = ["x1 + x2 <= 10.0"]
DEMO_OPTIMUM = 0.397887
EXPERIMENT_FILE = "experiment.json"
REPORT_FILE = "report.html"


@dataclass(frozen=True)
class DemoResult:
    """What :func:`run_demo` did and where it wrote."""

    experiment: Experiment
    model: Optional[ModelBridge]
    """The last model bridge (None when no trial was generated)."""
    best_parameters: TParameterization
    """The best observed arm's parameters (feasible for the outcome constraints)."""
    best_value: float
    """That arm's observed objective."""
    best_trial_index: int
    experiment_path: str
    """Absolute path of the saved experiment (JSON)."""
    report_path: str
    """Absolute path of the HTML report."""
    seconds: float
    """Wall-clock time of the optimisation loop alone."""


def make_demo_experiment() -> Experiment:
    """The demo's experiment: Branin (minimised), ``x1 + x2 <= 10``, a synthetic runner."""
    from ax.metrics.branin import BraninMetric
    from ax.runners.synthetic import SyntheticRunner
    from ax.service.utils.instantiation import make_experiment

    return make_experiment(
        parameters=DEMO_PARAMETERS,
        name=DEMO_NAME,
        minimize=True,
        parameter_constraints=DEMO_CONSTRAINTS,
        runner=SyntheticRunner(),
        metrics=[BraninMetric(DEMO_METRIC, param_names=["x1", "x2"], lower_is_better=True)],
    )


def run_demo(
    total_trials: int = 20,
    seed: Optional[int] = 0,
    out_dir: str = "ax-demo",
    show_progress: bool = False,
    generation_strategy: Optional[GenerationStrategy] = None,
) -> DemoResult:
    """Optimise the demo problem, save the experiment and write the report.

    Args:
        total_trials: Number of trials (>= 1).
        seed: Seed of the default generation strategy (the same seed gives the same run).
        out_dir: Directory for ``experiment.json`` and ``report.html`` (created if missing).
        show_progress: Show a progress bar (on stderr) while the loop runs.
        generation_strategy: Use this strategy instead of the default one.

    Returns:
        The experiment, the model, the best observed point and the paths written.

    Raises:
        UserInputError: ``total_trials`` or ``seed`` is invalid, or ``out_dir`` is not a
            directory.
        StorageError: The output directory or a file could not be written.
    """
    from ax.plot.exp_utils import best_observed
    from ax.plot.report import save_report
    from ax.service.managed_loop import OptimizationLoop
    from ax.storage.json_store.save import save

    directory = os.path.abspath(out_dir)
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise UserInputError(f"run_demo: out_dir {out_dir!r} exists and is not a directory")
    loop = OptimizationLoop(
        make_demo_experiment(),
        total_trials=total_trials,
        random_seed=seed,
        generation_strategy=generation_strategy,
        show_progress=show_progress,
    )
    start = time.perf_counter()
    loop.full_run()
    seconds = time.perf_counter() - start
    experiment = loop.experiment
    model = loop.get_current_model()
    best = best_observed(experiment)
    if best is None:  # pragma: no cover - the Branin metric always yields data
        raise UserInputError("run_demo: no trial completed with data for the objective")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as err:
        raise StorageError(f"run_demo: cannot create out_dir {out_dir!r}: {err}") from err
    experiment_path = os.path.join(directory, EXPERIMENT_FILE)
    save(experiment, experiment_path)
    report_path = save_report(
        experiment,
        os.path.join(directory, REPORT_FILE),
        model=model,
        title=f"ax demo: Branin subject to {DEMO_CONSTRAINTS[0]}",
    )
    return DemoResult(
        experiment=experiment,
        model=model,
        best_parameters=best.parameters,
        best_value=best.means[DEMO_METRIC],
        best_trial_index=best.trial_index,
        experiment_path=experiment_path,
        report_path=report_path,
        seconds=seconds,
    )


__all__ = [
    "DEMO_CONSTRAINTS",
    "DEMO_NAME",
    "DEMO_OPTIMUM",
    "DEMO_PARAMETERS",
    "DemoResult",
    "make_demo_experiment",
    "run_demo",
]
