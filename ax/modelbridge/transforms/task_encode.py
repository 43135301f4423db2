"""Task parameters encoded as integers ``0 .. k-1``: :class:`TaskEncode`."""

from __future__ import annotations

from ax.core.parameter import ChoiceParameter, Parameter
from ax.core.types import ParameterType
from ax.modelbridge.transforms.ordered_choice_encode import OrderedChoiceEncode


class TaskEncode(OrderedChoiceEncode):
    """A task choice parameter (``is_task=True``) becomes an INT choice of indices.

    Its values map to ``0, 1, ..., k-1`` in the order of the parameter's values; the new
    parameter is a choice that keeps ``is_task`` (a multi-task model reads it as the task
    feature). The untransform maps indices back to values. As in Ax, this is
    :class:`~ax.modelbridge.transforms.ordered_choice_encode.OrderedChoiceEncode` applied
    to task parameters.

    Raises:
        UserInputError: A value is not one of the parameter's values (forward) or an
            index is out of range (back).
        UnsupportedError: A task parameter is a fidelity parameter or is used in a
            parameter constraint.

    Example:
        >>> # ChoiceParameter("task", STRING, ["a", "b"], is_task=True) -> INT choice [0, 1]
        >>> t.transform_observation_features([ObservationFeatures({"task": "b"})])
        [ObservationFeatures(parameters={'task': 1})]
    """

    @staticmethod
    def _encodes(parameter: ChoiceParameter) -> bool:
        return parameter.is_task

    @staticmethod
    def _encoded(name: str, parameter: ChoiceParameter) -> Parameter:
        return ChoiceParameter(
            name,
            ParameterType.INT,
            list(range(len(parameter.values))),
            is_ordered=False,
            is_task=True,
        )


__all__ = ["TaskEncode"]
