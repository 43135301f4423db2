"""The SQL store's configuration of custom classes: :class:`SQAConfig`.

Ax 0.1 passed an ``SQAConfig`` (through ``Encoder``/``Decoder`` or ``DBSettings``) to tell
the store about the user's own Metric and Runner subclasses and other classes held by
them. Here it is a small typed object given to ``save_experiment(..., config=...)``,
``load_experiment(..., config=...)`` and ``DBSettings(config=...)``; it registers its
classes with the store's closed registries (:mod:`ax.storage.metric_registry`,
:mod:`ax.storage.runner_registry`, :mod:`ax.storage.json_store.registry`), which the
JSON and SQL stores share. Registering is idempotent; a class whose name or id is already
taken by another class is refused with a clear error. Importing this module does not
import SQLAlchemy.

Example:
    >>> config = SQAConfig(metric_registry={MyMetric: None}, runner_registry={MyRunner: 7})
    >>> save_experiment(experiment, config=config)
    >>> load_experiment(experiment.name, config=config)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional

from ax.exceptions import UserInputError, UserInputTypeError

TClassEncoder = Callable[[Any], Dict[str, Any]]
"""``obj -> {field: value}``: the constructor keyword arguments that rebuild ``obj``."""


@dataclass(frozen=True)
class SQAConfig:
    """Custom classes the SQL (and JSON) store must know to save and load an experiment.

    Args:
        metric_registry: ``{Metric subclass: integer id or None}`` (None derives a stable
            id from the class name), as for ``register_metric``.
        runner_registry: ``{Runner subclass: integer id or None}``, as for
            ``register_runner``.
        json_encoder_registry: ``{class: encoder}`` for other classes stored inside
            metrics or runners (e.g. a config object a custom metric takes): the encoder
            returns the constructor keyword arguments of an object. The class is stored
            under its name.
        json_decoder_registry: ``{type name: class}``: each class must also be in
            ``json_encoder_registry``; it is rebuilt as ``cls(**arguments)``.

    Raises:
        UserInputTypeError: A registry is not a dict, or holds something other than
            classes (and callables for encoders).
        UserInputError: A decoder names a class without an encoder, or a name that is not
            the class's name.
    """

    metric_registry: Mapping[type, Optional[int]] = field(default_factory=dict)
    runner_registry: Mapping[type, Optional[int]] = field(default_factory=dict)
    json_encoder_registry: Mapping[type, TClassEncoder] = field(default_factory=dict)
    json_decoder_registry: Mapping[str, type] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in (
            "metric_registry",
            "runner_registry",
            "json_encoder_registry",
            "json_decoder_registry",
        ):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise UserInputTypeError(
                    f"SQAConfig: {name} must be a dict, got {type(value).__name__} {value!r}"
                )
        for cls, encode in self.json_encoder_registry.items():
            if not isinstance(cls, type) or not callable(encode):
                raise UserInputTypeError(
                    "SQAConfig: json_encoder_registry must map classes to encoder functions, "
                    f"got {cls!r}: {encode!r}"
                )
        for type_name, cls in self.json_decoder_registry.items():
            if not isinstance(cls, type):
                raise UserInputTypeError(
                    f"SQAConfig: json_decoder_registry[{type_name!r}] must be a class, got {cls!r}"
                )
            if cls not in self.json_encoder_registry or type_name != cls.__name__:
                raise UserInputError(
                    f"SQAConfig: json_decoder_registry[{type_name!r}] = {cls.__name__}: every "
                    "decoded class must be keyed by its own name and also have an encoder "
                    "in json_encoder_registry"
                )

    def register(self) -> None:
        """Register every class with the store's registries (done by save and load).

        Raises:
            UserInputError: A name or id is already used by another class.
            UserInputTypeError: A metric or runner entry is not a subclass of Metric /
                Runner.
        """
        from ax.storage.json_store.decoder import decode_init_args
        from ax.storage.json_store.registry import register_class
        from ax.storage.metric_registry import register_metric
        from ax.storage.runner_registry import register_runner

        for cls, encode in self.json_encoder_registry.items():
            register_class(cls, _encoder(encode), decode_init_args)
        for metric_cls, metric_id in self.metric_registry.items():
            register_metric(metric_cls, val=metric_id)
        for runner_cls, runner_id in self.runner_registry.items():
            register_runner(runner_cls, val=runner_id)


def _encoder(encode: TClassEncoder) -> Callable[[Any, Any, str], Dict[str, Any]]:
    """A registry encoder around a user's ``obj -> {field: value}`` function."""
    from ax.storage.json_store.encoder import encode_arguments

    def encode_fields(obj: Any, enc: Any, name: str) -> Dict[str, Any]:
        source = f"the json_encoder_registry function of {type(obj).__name__}"
        return encode_arguments(encode(obj), enc, name, source)

    return encode_fields


def apply_config(config: Optional[SQAConfig], function: str) -> None:
    """Register ``config``'s classes (nothing for None).

    Raises:
        UserInputTypeError: ``config`` is not an SQAConfig.
    """
    if config is None:
        return
    if not isinstance(config, SQAConfig):
        raise UserInputTypeError(
            f"{function}: config must be an ax.storage.sqa_store.sqa_config.SQAConfig, got "
            f"{type(config).__name__}"
        )
    config.register()


__all__ = ["SQAConfig", "TClassEncoder", "apply_config"]
