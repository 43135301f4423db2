"""JSON form of a GenerationStrategy, and files holding an experiment with its strategy.

A strategy is written as its steps (models by ``Models`` member name), its name and its
current step. The models' state (a Sobol position, seeds, warm-start hyperparameters)
lives on the generator runs of the experiment's trials, so a strategy loaded next to its
experiment continues exactly where it stopped; nothing is stored twice.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ax.core.experiment import Experiment
from ax.exceptions import JSONDecodeError, JSONEncodeError, UserInputTypeError
from ax.modelbridge.generation_strategy import GenerationStep, GenerationStrategy
from ax.modelbridge.registry import TRANSFORM_REGISTRY, Models
from ax.modelbridge.transforms.base import Transform
from ax.storage.json_store.load import decode_document, object_from_json, read_document
from ax.storage.json_store.save import TPath, encode_document, object_to_json, write_document

_STEP_FIELDS = (
    "model",
    "num_trials",
    "min_trials_observed",
    "max_parallelism",
    "use_update",
    "enforce_num_trials",
    "model_kwargs",
    "model_gen_kwargs",
    "index",
)
_STRATEGY_FIELDS = frozenset({"__type", "name", "steps", "curr_index"})


def generation_strategy_to_json(generation_strategy: GenerationStrategy) -> Dict[str, Any]:
    """A strategy as JSON-ready values.

    Raises:
        JSONEncodeError: A step uses a factory function instead of a ``Models`` member.
    """
    if not isinstance(generation_strategy, GenerationStrategy):
        raise UserInputTypeError(
            "generation_strategy_to_json: expected a GenerationStrategy, got "
            f"{type(generation_strategy).__name__}"
        )
    steps = []
    for step in generation_strategy.steps:
        if not isinstance(step.model, Models):
            raise JSONEncodeError(
                f"generation_strategy.steps[{step.index}]: model {step.model_name!r} is a "
                "factory function, which cannot be saved",
                hint="use a Models member (e.g. Models.SOBOL) in steps that must be saved",
            )
        encoded: Dict[str, Any] = {"__type": "GenerationStep"}
        for field in _STEP_FIELDS:
            value = getattr(step, field)
            if field == "model":
                value = step.model.name
            elif field == "model_kwargs" and value is not None:
                value = _kwargs_with_transform_names(value)
            encoded[field] = object_to_json(value)
        steps.append(encoded)
    return {
        "__type": "GenerationStrategy",
        "name": generation_strategy.name,
        "steps": steps,
        "curr_index": generation_strategy.current_step_index,
    }


def generation_strategy_from_json(
    document: Any, experiment: Optional[Experiment] = None
) -> GenerationStrategy:
    """The strategy encoded by :func:`generation_strategy_to_json`.

    Args:
        document: The JSON value.
        experiment: The experiment to bind the strategy to (its trials hold the models'
            state).

    Raises:
        JSONDecodeError: The value is malformed; the message names the field.
    """
    if type(document) is not dict or document.get("__type") != "GenerationStrategy":
        raise JSONDecodeError(
            "generation_strategy: expected an object of type 'GenerationStrategy', got "
            f"{type(document).__name__}"
        )
    if document.keys() != _STRATEGY_FIELDS:
        raise JSONDecodeError(
            f"generation_strategy: fields must be {sorted(_STRATEGY_FIELDS)}, got "
            f"{sorted(document)}"
        )
    raw_steps = document["steps"]
    if type(raw_steps) is not list or not raw_steps:
        raise JSONDecodeError("generation_strategy.steps: expected a non-empty list")
    steps = [_decode_step(raw, i) for i, raw in enumerate(raw_steps)]
    name = document["name"]
    if not isinstance(name, str):
        raise JSONDecodeError(f"generation_strategy.name: expected a string, got {name!r}")
    try:
        strategy = GenerationStrategy(steps=steps, name=name)
    except (ValueError, TypeError) as err:
        raise JSONDecodeError(f"generation_strategy: {err}") from err
    curr_index = document["curr_index"]
    if type(curr_index) is not int or not 0 <= curr_index < len(steps):
        raise JSONDecodeError(
            f"generation_strategy.curr_index: expected an int in [0, {len(steps) - 1}], got "
            f"{curr_index!r}"
        )
    strategy._curr_index = curr_index
    if experiment is not None:
        strategy.experiment = experiment
        try:
            strategy.check_model_states()
        except (ValueError, TypeError) as err:
            raise JSONDecodeError(f"generation_strategy: {err}") from err
    return strategy


def _decode_step(raw: Any, i: int) -> GenerationStep:
    where = f"generation_strategy.steps[{i}]"
    if type(raw) is not dict or raw.get("__type") != "GenerationStep":
        raise JSONDecodeError(f"{where}: expected an object of type 'GenerationStep'")
    expected = set(_STEP_FIELDS) | {"__type"}
    if raw.keys() != expected:
        raise JSONDecodeError(f"{where}: fields must be {sorted(expected)}, got {sorted(raw)}")
    model_name = raw["model"]
    if not isinstance(model_name, str) or model_name not in Models.__members__:
        raise JSONDecodeError(
            f"{where}.model: unknown model {model_name!r}; known: {list(Models.__members__)}"
        )
    kwargs = {field: object_from_json(raw[field]) for field in _STEP_FIELDS if field != "model"}
    if kwargs["model_kwargs"] is not None:
        kwargs["model_kwargs"] = _kwargs_with_transform_classes(kwargs["model_kwargs"], where)
    try:
        return GenerationStep(model=Models[model_name], **kwargs)
    except (ValueError, TypeError) as err:
        raise JSONDecodeError(f"{where}: {err}") from err


def _kwargs_with_transform_names(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    # Typed model options (pydantic, e.g. a FidelityCostModel) are stored as their
    # fields; the model parses them back from the dict.
    out = {
        key: value.model_dump() if callable(getattr(value, "model_dump", None)) else value
        for key, value in kwargs.items()
    }
    transforms = out.get("transforms")
    if isinstance(transforms, (list, tuple)):
        names: List[str] = []
        for t in transforms:
            if isinstance(t, type) and issubclass(t, Transform):
                if TRANSFORM_REGISTRY.get(t.__name__) is not t:
                    raise JSONEncodeError(
                        f"model_kwargs.transforms: {t.__name__} is not a registered transform; "
                        f"known: {sorted(TRANSFORM_REGISTRY)}"
                    )
                names.append(t.__name__)
            else:
                names.append(t)
        out["transforms"] = names
    return out


def _kwargs_with_transform_classes(kwargs: Any, where: str) -> Dict[str, Any]:
    if type(kwargs) is not dict:
        raise JSONDecodeError(f"{where}.model_kwargs: expected an object")
    out = dict(kwargs)
    transforms = out.get("transforms")
    if transforms is not None:
        if type(transforms) is not list:
            raise JSONDecodeError(f"{where}.model_kwargs.transforms: expected a list")
        classes = []
        for name in transforms:
            cls = TRANSFORM_REGISTRY.get(name) if isinstance(name, str) else None
            if cls is None:
                raise JSONDecodeError(
                    f"{where}.model_kwargs.transforms: unknown transform {name!r}; known: "
                    f"{sorted(TRANSFORM_REGISTRY)}"
                )
            classes.append(cls)
        out["transforms"] = classes
    return out


def save_experiment_and_generation_strategy(
    experiment: Experiment, generation_strategy: GenerationStrategy, filepath: TPath
) -> None:
    """Save an experiment with its generation strategy to one JSON file, atomically.

    ``ax.load`` reads the experiment from such a file too.

    Raises:
        UserInputTypeError / UserInputError: Bad arguments (type, path not ``.json``).
        JSONEncodeError: Something cannot be encoded.
        StorageError: The file could not be written (the previous file is untouched).
    """
    document = encode_document(experiment)
    document["generation_strategy"] = generation_strategy_to_json(generation_strategy)
    write_document(document, filepath, "save_experiment_and_generation_strategy")


def load_experiment_and_generation_strategy(
    filepath: TPath,
) -> Tuple[Experiment, Optional[GenerationStrategy]]:
    """Load an experiment and, if the file has one, its generation strategy (bound to it).

    Raises:
        JSONDecodeError: The file is not a valid document; the message names the field.
    """
    document = read_document(filepath, "load_experiment_and_generation_strategy")
    experiment = decode_document(document)
    raw = document.get("generation_strategy")
    if raw is None:
        return experiment, None
    return experiment, generation_strategy_from_json(raw, experiment=experiment)


__all__ = [
    "generation_strategy_from_json",
    "generation_strategy_to_json",
    "load_experiment_and_generation_strategy",
    "save_experiment_and_generation_strategy",
]
