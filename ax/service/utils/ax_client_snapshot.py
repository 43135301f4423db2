"""The JSON snapshot of an :class:`~ax.service.ax_client.AxClient`.

A snapshot is one JSON object::

    {
        "format_version": 1,
        "experiment": {...},           # the experiment, stored once
        "generation_strategy": {...},  # steps and current step; no experiment inside
        "ax_client": {"__type": "AxClient", "enforce_sequential_optimization": ...,
                      "random_seed": ..., "verbose_logging": ...},
    }

The generation strategy's model state (Sobol position, seeds, GP hyperparameters) lives on
the experiment's generator runs, so a reloaded client continues exactly where it stopped.
The experiment and strategy parts are those of :mod:`ax.storage.json_store` (strict,
closed-registry decoding: a hostile file cannot run code).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Tuple

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError
from ax.modelbridge.generation_strategy import GenerationStrategy

SNAPSHOT_TYPE = "AxClient"
"""The ``__type`` of the client settings inside a snapshot."""

SNAPSHOT_KEYS = frozenset({"format_version", "experiment", "generation_strategy", "ax_client"})
"""Top-level keys of a client snapshot."""

SETTINGS = ("enforce_sequential_optimization", "random_seed", "verbose_logging")
"""The client settings a snapshot keeps."""


def encode_snapshot(
    experiment: Experiment, generation_strategy: GenerationStrategy, settings: Mapping[str, Any]
) -> Dict[str, Any]:
    """The snapshot of a client (JSON-ready values).

    Args:
        experiment: The client's experiment.
        generation_strategy: The client's strategy.
        settings: The values of :data:`SETTINGS`.

    Raises:
        JSONEncodeError: Something cannot be encoded (e.g. a strategy step made by a
            factory function, or an unregistered metric class).
    """
    from ax.storage.json_store.generation_strategy import generation_strategy_to_json
    from ax.storage.json_store.save import encode_document

    document = encode_document(experiment)
    document["generation_strategy"] = generation_strategy_to_json(generation_strategy)
    document["ax_client"] = {"__type": SNAPSHOT_TYPE, **{k: settings[k] for k in SETTINGS}}
    return document


def decode_snapshot(
    function: str, snapshot: object
) -> Tuple[Experiment, GenerationStrategy, Dict[str, Any]]:
    """The experiment, the strategy (bound to it) and the settings in a snapshot.

    Raises:
        JSONDecodeError: The value is not a client snapshot; the message names the key.
    """
    from ax.storage.json_store.generation_strategy import generation_strategy_from_json
    from ax.storage.json_store.load import decode_document

    document = _checked(function, snapshot)
    experiment = decode_document(
        {"format_version": document["format_version"], "experiment": document["experiment"]}
    )
    strategy = generation_strategy_from_json(document["generation_strategy"], experiment=experiment)
    settings = {k: document["ax_client"][k] for k in SETTINGS}
    return experiment, strategy, settings


def _checked(function: str, snapshot: object) -> Dict[str, Any]:
    if type(snapshot) is not dict:
        raise JSONDecodeError(
            f"{function}: a snapshot must be a dict with keys {sorted(SNAPSHOT_KEYS)}, got "
            f"{type(snapshot).__name__}"
        )
    keys = set(snapshot)
    if keys != SNAPSHOT_KEYS:
        raise JSONDecodeError(
            f"{function}: a snapshot has the keys {sorted(SNAPSHOT_KEYS)}; missing "
            f"{sorted(SNAPSHOT_KEYS - keys)}, unexpected {sorted(keys - SNAPSHOT_KEYS)}",
            hint="is this a file written by AxClient.save_to_json_file?",
        )
    settings = snapshot["ax_client"]
    if type(settings) is not dict or settings.get("__type") != SNAPSHOT_TYPE:
        raise JSONDecodeError(
            f"{function}: ax_client must be an object of type {SNAPSHOT_TYPE!r}, got {settings!r}"
        )
    fields = {"__type", *SETTINGS}
    if set(settings) != fields:
        raise JSONDecodeError(
            f"{function}: ax_client must have the fields {sorted(fields)}, got {sorted(settings)}"
        )
    for field in ("enforce_sequential_optimization", "verbose_logging"):
        if type(settings[field]) is not bool:
            raise JSONDecodeError(
                f"{function}: ax_client.{field} must be a bool, got {settings[field]!r}"
            )
    seed = settings["random_seed"]
    if seed is not None and (type(seed) is not int or seed < 0):
        raise JSONDecodeError(
            f"{function}: ax_client.random_seed must be an int >= 0 or null, got {seed!r}"
        )
    return snapshot


__all__ = ["SETTINGS", "SNAPSHOT_KEYS", "SNAPSHOT_TYPE", "decode_snapshot", "encode_snapshot"]
