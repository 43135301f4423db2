"""Translation between core objects and arrays: observations in, arms out.

A model bridge (:mod:`ax.modelbridge.base`) turns an experiment's search space and data
into what a numeric generator of :mod:`ax.models` understands, through an ordered list of
transforms (:mod:`ax.modelbridge.transforms`), calls the generator, and turns its answer
back into arms inside a :class:`~ax.core.generator_run.GeneratorRun`. Bridges:
:mod:`ax.modelbridge.random` (quasi-random generators), :mod:`ax.modelbridge.discrete`
(factorial designs, Thompson sampling) and :mod:`ax.modelbridge.torch` (array models such as
BoTorch's). Imports ``ax.core`` and ``ax.models``; this package re-exports nothing, so
importing it costs nothing.
"""
