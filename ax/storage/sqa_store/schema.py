"""The tables of the SQL store (the current schema; migrations/ builds it).

- ``experiment``: one row per experiment; ``body`` is the experiment encoded by the JSON
  store without its trials and data, ``body_hash`` its hash; ``name`` is unique;
  ``time_created`` identifies the experiment (another experiment with the same name is
  refused); ``last_data_ts`` is the latest data storage time; ``revision`` counts the
  transactions that changed the experiment (its row is the per-experiment write lock).
- ``trial``: one row per trial, ``body`` the trial encoded in its experiment's context;
  ``(experiment_id, trial_index)`` is the primary key, so an index is taken once;
  ``version`` counts the writes of that trial (compare-and-swap on update) and
  ``revision`` is the experiment's revision that last wrote it.
- ``data_version``: one row per stored Data version ``(trial_index, storage_ts)``, ``body``
  the version as the JSON store's columnar ``ExperimentData`` table; ``revision`` as for
  trials. Versions are only ever added by other writers' saves, never replaced.
- ``generation_strategy``: at most one per experiment.
- ``progression``: a trial's intermediate observations, append-only: one row per saved
  chunk, ``seq`` the trial's row number where the chunk starts, ``body`` its columns
  (arm_name, metric_name, progression, value) as JSON text. A save writes only the rows
  reported since the previous save, so its cost does not grow with the curves.

Alembic's ``alembic_version`` table holds the schema version.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

experiment_table = Table(
    "experiment",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("time_created", String(64), nullable=False),
    Column("format_version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("last_data_ts", BigInteger, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("revision", BigInteger, nullable=False, server_default="0"),
)

trial_table = Table(
    "trial",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("trial_index", Integer, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("revision", BigInteger, nullable=False, server_default="0", index=True),
)

data_version_table = Table(
    "data_version",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("trial_index", Integer, primary_key=True, autoincrement=False),
    Column("storage_ts", BigInteger, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
    Column("revision", BigInteger, nullable=False, server_default="0", index=True),
)

generation_strategy_table = Table(
    "generation_strategy",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiment.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

progression_table = Table(
    "progression",
    metadata,
    Column(
        "experiment_id",
        Integer,
        ForeignKey("experiment.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("trial_index", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("body", Text, nullable=False),
    Column("revision", BigInteger, nullable=False, server_default="0", index=True),
)

TABLE_NAMES = ("experiment", "trial", "data_version", "generation_strategy", "progression")

__all__ = [
    "TABLE_NAMES",
    "data_version_table",
    "experiment_table",
    "generation_strategy_table",
    "metadata",
    "progression_table",
    "trial_table",
]
