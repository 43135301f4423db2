"""Generators over finite sets of parameter values (factorial designs, bandits).

Modules: :mod:`~ax.models.discrete.base` (:class:`DiscreteModel`),
:mod:`~ax.models.discrete.full_factorial` (:class:`FullFactorialGenerator`),
:mod:`~ax.models.discrete.thompson` (:class:`ThompsonSampler`) and
:mod:`~ax.models.discrete.eb_thompson` (:class:`EmpiricalBayesThompsonSampler`). Nothing
is re-exported here.
"""
