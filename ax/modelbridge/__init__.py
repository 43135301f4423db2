"""Translation between core objects and arrays: observations in, arms out.

A model bridge (:mod:`ax.modelbridge.base`) turns an experiment's search space and data
into what a numeric generator of :mod:`ax.models` understands, through an ordered list of
transforms (:mod:`ax.modelbridge.transforms`), calls the generator, and turns its answer
back into arms inside a :class:`~ax.core.generator_run.GeneratorRun`. Bridges:
:mod:`ax.modelbridge.random` (quasi-random generators), :mod:`ax.modelbridge.discrete`
(factorial designs, Thompson sampling) and :mod:`ax.modelbridge.torch` (array models such as
BoTorch's). Imports ``ax.core`` and ``ax.models``.

As in Ax 0.1, the model factories of :mod:`ax.modelbridge.factory` (``get_sobol``,
``get_GPEI``, ...) and ``Models`` can be imported from here; they are loaded lazily
(PEP 562), so importing this package costs nothing.
"""

from __future__ import annotations

from ax.utils.lazy import lazy_exports

_FACTORIES = (
    "get_GPEI",
    "get_GPKG",
    "get_GPMES",
    "get_MOO_NEHVI",
    "get_MOO_PAREGO",
    "get_MTGP",
    "get_botorch",
    "get_empirical_bayes_thompson",
    "get_factorial",
    "get_sobol",
    "get_thompson",
    "get_uniform",
)

_EXPORTS: dict[str, str] = {
    "Models": "ax.modelbridge.registry",
    **{name: "ax.modelbridge.factory" for name in _FACTORIES},
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports("ax.modelbridge", _EXPORTS, globals())
