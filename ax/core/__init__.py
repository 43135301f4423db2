"""The domain model: parameters, search spaces, arms, metrics, data, trials, experiments.

Pure Python plus numpy (pandas only inside the functions that build frames). Nothing here
imports from ``models``, ``modelbridge``, ``storage``, ``service`` or ``plot``.
"""
