"""Random and quasi-random generators on ``[0, 1]^d`` with rejection sampling.

Modules: :mod:`~ax.models.random.base` (:class:`RandomModel`),
:mod:`~ax.models.random.sobol` (:class:`SobolGenerator`) and
:mod:`~ax.models.random.uniform` (:class:`UniformGenerator`). Nothing is re-exported here,
so importing this package loads neither scipy.stats nor anything heavier.
"""
