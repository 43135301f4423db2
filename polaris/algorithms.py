"""The Polaris algorithms as ax generation strategies.

=================  ==================================================================
``'random'``       scrambled Sobol points for every trial (seeded).
``'bayesian_opt'`` Sobol for the first ``num_initial_trials`` (default 6, as Polaris's
                   six random warm-up points), then the project's BoTorch GP with
                   Expected Improvement (``Models.GPEI``).
``'tpe'``          Sobol for the first ``num_initial_trials`` (default 10), then the
                   project's tree-structured Parzen estimator (``Models.TPE``).
=================  ==================================================================

Failed trials do not count towards the warm-up (the Sobol step keeps going until it has
that many trials that did not fail) and never enter a model's training data.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Tuple

from ax.exceptions import UserInputError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import Models
from ax.utils.validation import check_int_at_least

ALGORITHMS: Tuple[str, ...] = ("random", "bayesian_opt", "tpe")

DEFAULT_INITIAL_TRIALS: Dict[str, int] = {"bayesian_opt": 6, "tpe": 10}


def make_generation_strategy(
    algo: str,
    seed: Optional[int] = None,
    num_initial_trials: Optional[int] = None,
    model_kwargs: Optional[Mapping[str, Any]] = None,
) -> GenerationStrategy:
    """The generation strategy of a Polaris algorithm.

    Args:
        algo: ``'random'``, ``'bayesian_opt'`` or ``'tpe'``.
        seed: Seed of the Sobol sequence and of the model (None: random).
        num_initial_trials: Quasi-random trials before the model takes over (ignored by
            ``'random'``); default ``DEFAULT_INITIAL_TRIALS[algo]``.
        model_kwargs: Extra keyword arguments of the model step, e.g.
            ``{"options": {"num_restarts": 2, "raw_samples": 32}}`` for ``'bayesian_opt'``
            or ``{"n_ei_candidates": 24}`` for ``'tpe'``.

    Returns:
        A fresh, savable :class:`~ax.modelbridge.generation_strategy.GenerationStrategy`.

    Raises:
        UserInputError: An unknown algorithm or ``num_initial_trials < 1``.

    Example:
        >>> make_generation_strategy("tpe", seed=0, num_initial_trials=5).name
        'polaris-tpe'
    """
    if algo not in ALGORITHMS:
        raise UserInputError(
            f"make_generation_strategy: algo must be one of {list(ALGORITHMS)}, got algo={algo!r}"
        )
    sobol_kwargs: Dict[str, Any] = {"seed": seed}
    if algo == "random":
        return GenerationStrategy(
            [GenerationStep(Models.SOBOL, num_trials=-1, model_kwargs=sobol_kwargs)],
            name="polaris-random",
        )
    n_init = DEFAULT_INITIAL_TRIALS[algo] if num_initial_trials is None else num_initial_trials
    check_int_at_least("make_generation_strategy", "num_initial_trials", n_init, 1)
    kwargs: Dict[str, Any] = {"seed": seed}
    if algo == "tpe":
        # The TPE step starts once the warm-up is observed; it needs no further warm-up.
        kwargs["n_startup"] = min(n_init, 10)
    kwargs.update(model_kwargs or {})
    model = Models.GPEI if algo == "bayesian_opt" else Models.TPE
    return GenerationStrategy(
        [
            GenerationStep(
                Models.SOBOL, num_trials=n_init, min_trials_observed=1, model_kwargs=sobol_kwargs
            ),
            GenerationStep(model, num_trials=-1, model_kwargs=kwargs),
        ],
        name=f"polaris-{algo}",
    )


__all__ = ["ALGORITHMS", "DEFAULT_INITIAL_TRIALS", "make_generation_strategy"]
