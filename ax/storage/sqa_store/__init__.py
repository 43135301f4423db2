"""SQL storage of experiments and generation strategies (SQLAlchemy 2; SQLite or PostgreSQL).

Each experiment is stored as JSON pieces produced by the JSON store's encoder (so both
stores round-trip exactly the same objects, custom metrics and runners included through
the same registries): the experiment's own settings in one row, one row per trial, one
row per data version and one row for the generation strategy. Saving writes only the
pieces that changed, each save in one transaction.

Many processes may work on one stored experiment (see :mod:`.sync`): each save locks
the experiment, merges what the others committed, and writes with a compare-and-swap on
each trial's version, so indices are taken once, nothing stored is overwritten by a
stale copy (:class:`~ax.exceptions.WriteConflictError`) and data is only ever added.

Example:
    >>> from ax.storage.sqa_store.db import create_all_tables, init_engine_and_session_factory
    >>> from ax.storage.sqa_store.load import load_experiment
    >>> from ax.storage.sqa_store.save import save_experiment
    >>> init_engine_and_session_factory(url="sqlite:///experiments.db")
    >>> create_all_tables()
    >>> save_experiment(experiment)
    >>> load_experiment(experiment.name) == experiment
    True
"""
