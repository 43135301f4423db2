"""Intermediate (progression) data in the SQL store: append-only chunks per trial.

A save writes, for each trial it considers, only the rows of
:class:`~ax.core.progression.ProgressionData` reported since the previous save of this
copy (one ``progression`` row holding them as columnar JSON), so that the cost of a save
does not grow with the length of the learning curves. Loading reads the chunks in
``(trial_index, seq)`` order and appends them.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Set

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ax.core.experiment import Experiment
from ax.core.progression import ProgressionData
from ax.exceptions import JSONDecodeError, UserInputError
from ax.storage.sqa_store.schema import progression_table
from ax.storage.sqa_store.sync import Tracker


def write_progression(
    conn: Connection,
    experiment: Experiment,
    staged: Tracker,
    targets: Optional[Set[int]],
    revision: int,
) -> int:
    """Insert the rows reported since this copy's last save.

    Args:
        conn: The open transaction.
        experiment: The experiment.
        staged: What this copy will know after the commit (updated in place).
        targets: The trials to consider (None: every trial with intermediate data).
        revision: The experiment's revision of this save.

    Returns:
        The number of ``progression`` rows inserted.
    """
    data: Optional[ProgressionData] = experiment.__dict__.get("_progression_data")
    if data is None or not len(data):
        return 0
    known = staged.progression
    scope = data.trial_indices if targets is None else sorted(targets)
    rows = []
    for index in scope:
        total = data.num_rows_of(index)
        start = known.get(index, 0)
        if total <= start:
            continue
        chunk = {"progression_key": data.progression_key, **data.rows_of(index, start)}
        body = json.dumps(chunk, separators=(",", ":"))
        rows.append(
            {
                "experiment_id": staged.experiment_id,
                "trial_index": index,
                "seq": start,
                "body": body,
                "revision": revision,
            }
        )
        known[index] = total
    if rows:
        conn.execute(insert(progression_table), rows)
    return len(rows)


def read_progression(
    conn: Connection, experiment: Experiment, experiment_id: int, tracker: Tracker
) -> None:
    """Load the stored chunks into ``experiment.progression_data`` (and the tracker).

    Raises:
        JSONDecodeError: A stored chunk is malformed.
    """
    p = progression_table
    chunks = conn.execute(
        select(p.c.trial_index, p.c.seq, p.c.body)
        .where(p.c.experiment_id == experiment_id)
        .order_by(p.c.trial_index, p.c.seq)
    ).all()
    if not chunks:
        return
    data = experiment.progression_data
    counts: Dict[int, int] = {}
    for chunk in chunks:
        index = int(chunk.trial_index)
        try:
            if int(chunk.seq) != counts.get(index, 0):
                raise UserInputError(
                    f"chunk starts at row {chunk.seq}, expected {counts.get(index, 0)}"
                )
            columns: Any = json.loads(chunk.body)
            if not isinstance(columns, dict):
                raise UserInputError(f"a chunk must be a JSON object, got {chunk.body[:80]!r}")
            data.progression_key = str(columns.get("progression_key", data.progression_key))
            data.extend_trial(index, columns)
        except (ValueError, UserInputError) as err:
            raise JSONDecodeError(
                f"load: the stored progression data of trial {index} of experiment "
                f"{experiment._name!r} is invalid: {err}"
            ) from err
        counts[index] = data.num_rows_of(index)
    tracker.progression = counts


__all__ = ["read_progression", "write_progression"]
