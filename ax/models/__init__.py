"""Numeric generators on arrays in the unit cube: they know no core object.

A generator sees arrays, bounds, weights and plain parameter values only; the bridges in
``ax.modelbridge`` translate core objects to and from them. Nothing here imports
``ax.core`` (checked by import-linter), and nothing here imports torch.

Subpackages (import the module you need; this package re-exports nothing, so importing it
costs nothing):

- :mod:`ax.models.base`: the :class:`~ax.models.base.Generator` extension point and its
  lifecycle (state for exact resume).
- :mod:`ax.models.random`: quasi-random and random generators on ``[0, 1]^d``
  (:class:`~ax.models.random.sobol.SobolGenerator`,
  :class:`~ax.models.random.uniform.UniformGenerator`) with rejection sampling for linear
  constraints.
- :mod:`ax.models.discrete`: generators over finite sets of parameter values
  (:class:`~ax.models.discrete.full_factorial.FullFactorialGenerator`,
  :class:`~ax.models.discrete.thompson.ThompsonSampler`,
  :class:`~ax.models.discrete.eb_thompson.EmpiricalBayesThompsonSampler`).
"""
