"""Constraint strings of the service API: parameter and outcome constraints from text.

A small tokenizer reads linear parameter constraints such as ``"x1 + 2*x2 <= 3"``
(:func:`constraint_from_str`); a regular expression reads outcome constraints such as
``"l2norm <= 1.25"`` or ``"m >= -5%"`` (:func:`outcome_constraint_from_str`). Every
problem raises :class:`~ax.exceptions.UserInputError` quoting the constraint text.

Example:
    >>> outcome_constraint_from_str("l2norm <= 1.25")
    OutcomeConstraint(l2norm <= 1.25)
"""

from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ax.core.metric import Metric
from ax.core.outcome_constraint import OutcomeConstraint
from ax.core.parameter import Parameter, RangeParameter
from ax.core.parameter_constraint import OrderConstraint, ParameterConstraint
from ax.core.types import ComparisonOp
from ax.exceptions import AxError, UserInputError
from ax.service.utils.parameter_specs import did_you_mean

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r"|(?P<op><=|>=|==|=<|=>|<|>|=|\+|-|\*))"
)


def _tokenize(text: str, what: str) -> List[Tuple[str, str]]:
    tokens: List[Tuple[str, str]] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            rest = stripped[position:]
            at = position + len(rest) - len(rest.lstrip())
            raise UserInputError(
                f"{what} {text!r}: unexpected character {stripped[at]!r} at position {at}"
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _parse_linear(
    tokens: List[Tuple[str, str]], text: str, what: str
) -> Tuple[Dict[str, float], float, int]:
    """``sum(w * name) + constant`` from tokens; returns (weights, constant, term count)."""
    weights: Dict[str, float] = {}
    constant = 0.0
    i, terms = 0, 0
    if not tokens:
        raise UserInputError(f"{what} {text!r}: a side of the inequality is empty")
    while i < len(tokens):
        sign = 1.0
        if terms > 0 and tokens[i][1] not in ("+", "-"):
            raise UserInputError(
                f"{what} {text!r}: expected '+' or '-' between terms, got {tokens[i][1]!r}"
            )
        while i < len(tokens) and tokens[i][1] in ("+", "-"):
            sign = -sign if tokens[i][1] == "-" else sign
            i += 1
        if i >= len(tokens):
            raise UserInputError(f"{what} {text!r}: a term is missing after the last sign")
        kind, value = tokens[i]
        coefficient, name = 1.0, None
        if kind == "number":
            coefficient = float(value)
            if i + 1 < len(tokens) and tokens[i + 1][1] == "*":
                if i + 2 >= len(tokens) or tokens[i + 2][0] != "name":
                    raise UserInputError(
                        f"{what} {text!r}: '*' after {value!r} must be followed by a parameter name"
                    )
                name = tokens[i + 2][1]
                i += 3
            elif i + 1 < len(tokens) and tokens[i + 1][0] == "name":
                raise UserInputError(
                    f"{what} {text!r}: write {value}*{tokens[i + 1][1]} (with '*') for a "
                    "scaled term"
                )
            else:
                i += 1
        elif kind == "name":
            name = value
            if i + 1 < len(tokens) and tokens[i + 1][1] == "*":
                if i + 2 >= len(tokens) or tokens[i + 2][0] != "number":
                    raise UserInputError(
                        f"{what} {text!r}: '*' after {value!r} must be followed by a number"
                    )
                coefficient = float(tokens[i + 2][1])
                i += 3
            else:
                i += 1
        else:
            raise UserInputError(f"{what} {text!r}: unexpected {value!r}")
        terms += 1
        if name is None:
            constant += sign * coefficient
        else:
            weights[name] = weights.get(name, 0.0) + sign * coefficient
    return weights, constant, terms


def _split_comparison(
    tokens: List[Tuple[str, str]], text: str, what: str
) -> Tuple[List[Tuple[str, str]], ComparisonOp, List[Tuple[str, str]]]:
    comparisons = [
        i for i, (kind, value) in enumerate(tokens) if kind == "op" and value not in ("+", "-", "*")
    ]
    if len(comparisons) != 1:
        raise UserInputError(
            f"{what} {text!r}: expected exactly one '<=' or '>=', found {len(comparisons)}"
        )
    at = comparisons[0]
    op_text = tokens[at][1]
    if op_text not in ("<=", ">="):
        raise UserInputError(
            f"{what} {text!r}: comparison {op_text!r} is not supported; use '<=' or '>='"
        )
    op = ComparisonOp.LEQ if op_text == "<=" else ComparisonOp.GEQ
    return tokens[:at], op, tokens[at + 1 :]


def constraint_from_str(
    representation: str, parameters: Mapping[str, Parameter]
) -> ParameterConstraint:
    """Parse a linear parameter constraint.

    Accepted forms (spaces optional): ``"x1 <= x2"`` and ``"x1 >= x2"`` (an
    :class:`OrderConstraint`), and any linear inequality such as ``"x1 + x2 <= 2"``,
    ``"-x3 + 2*x4 - 3.5*x5 >= 2"``, ``"x - y >= 1"`` or ``"2*x1 + x2 <= 3"`` (a
    :class:`ParameterConstraint` ``sum(w * x) <= bound``; a ``>=`` constraint is stored
    with every weight and the bound negated). Terms may appear on both sides.

    Args:
        representation: The constraint text.
        parameters: The search space's parameters by name.

    Returns:
        The constraint.

    Raises:
        UserInputError: The text is malformed, names an unknown parameter, or constrains
            a parameter that cannot be constrained; the message quotes the text.
    """
    what = "parameter constraint"
    if not isinstance(representation, str):
        raise UserInputError(
            f"{what} must be a string such as 'x1 + x2 <= 1', got {representation!r} "
            f"({type(representation).__name__})"
        )
    text = representation
    left, op, right = _split_comparison(_tokenize(text, what), text, what)
    lw, lc, lterms = _parse_linear(left, text, what)
    rw, rc, rterms = _parse_linear(right, text, what)
    for name in list(lw) + list(rw):
        if name not in parameters:
            raise UserInputError(
                f"{what} {text!r}: unknown parameter {name!r}"
                f"{did_you_mean(name, list(parameters))}; parameters are {sorted(parameters)}"
            )
        parameter = parameters[name]
        if not isinstance(parameter, RangeParameter) or parameter.log_scale:
            raise UserInputError(
                f"{what} {text!r}: parameter {name!r} cannot be constrained; only range "
                "parameters without log_scale can"
            )
    is_order = (
        lterms == 1
        and rterms == 1
        and lc == 0.0
        and rc == 0.0
        and list(lw.values()) == [1.0]
        and list(rw.values()) == [1.0]
        and set(lw) != set(rw)
    )
    weights = dict(lw)
    for name, weight in rw.items():
        weights[name] = weights.get(name, 0.0) - weight
    sign = 1.0 if op is ComparisonOp.LEQ else -1.0
    weights = {k: sign * w for k, w in weights.items() if w != 0.0}
    if not weights:
        raise UserInputError(f"{what} {text!r}: no parameter is left once terms cancel")
    try:
        if is_order:
            (a,), (b,) = lw, rw
            lower, upper = (a, b) if op is ComparisonOp.LEQ else (b, a)
            return OrderConstraint(parameters[lower], parameters[upper])
        return ParameterConstraint(weights, bound=sign * (rc - lc) + 0.0)
    except AxError as err:
        raise UserInputError(f"{what} {text!r}: {err.message}", hint=err.hint) from err


_OUTCOME = re.compile(
    r"^\s*(?P<metric>[^\s<>=]+)\s*(?P<op><=|>=)\s*"
    r"(?P<bound>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<pct>%)?\s*$"
)


def outcome_constraint_from_str(representation: str) -> OutcomeConstraint:
    """Parse an outcome constraint ``"metric <= bound"`` or ``"metric >= bound%"``.

    A trailing ``%`` makes the bound relative to the status quo (a percentage change).
    The metric is a plain :class:`Metric` of that name.

    Raises:
        UserInputError: The text is not of that form; the message quotes it.

    Example:
        >>> outcome_constraint_from_str("l2norm <= 1.25")
        OutcomeConstraint(l2norm <= 1.25)
    """
    what = "outcome constraint"
    if not isinstance(representation, str):
        raise UserInputError(
            f"{what} must be a string such as 'm <= 1.5', got {representation!r} "
            f"({type(representation).__name__})"
        )
    match = _OUTCOME.match(representation)
    if match is None:
        raise UserInputError(
            f"{what} {representation!r}: expected 'metric <= bound' or 'metric >= bound', "
            "with an optional '%' after the bound for a relative constraint"
        )
    op = ComparisonOp.LEQ if match.group("op") == "<=" else ComparisonOp.GEQ
    try:
        return OutcomeConstraint(
            metric=Metric(name=match.group("metric")),
            op=op,
            bound=float(match.group("bound")),
            relative=match.group("pct") is not None,
        )
    except AxError as err:
        raise UserInputError(f"{what} {representation!r}: {err.message}") from err


def parse_outcome_constraints(
    outcome_constraints: Optional[Sequence[str]],
    objective_names: Sequence[str],
    status_quo_defined: bool = False,
    metrics: Optional[Mapping[str, Metric]] = None,
) -> List[OutcomeConstraint]:
    """Outcome constraints from strings, none of them on an objective metric.

    Args:
        outcome_constraints: Constraint strings (see :func:`outcome_constraint_from_str`).
        objective_names: The objective metrics' names (they cannot be constrained).
        status_quo_defined: Whether the experiment has a status quo (relative constraints
            need one).
        metrics: Metric objects to use by name instead of plain :class:`Metric` ones.

    Raises:
        UserInputError: A constraint is malformed, relative without a status quo, or on
            an objective.
    """
    if outcome_constraints is not None and (
        isinstance(outcome_constraints, str) or not isinstance(outcome_constraints, Sequence)
    ):
        raise UserInputError(
            f"outcome_constraints must be a list of strings, got {outcome_constraints!r}"
        )
    known = dict(metrics or {})
    constraints: List[OutcomeConstraint] = []
    for text in outcome_constraints or []:
        constraint = outcome_constraint_from_str(text)
        if constraint.relative and not status_quo_defined:
            raise UserInputError(
                f"outcome constraint {text!r}: a relative constraint ('%') needs a status "
                "quo; pass status_quo or give an absolute bound"
            )
        name = constraint.metric.name
        if name in objective_names:
            raise UserInputError(
                f"outcome constraint {text!r}: metric {name!r} is the objective; constrain "
                "other metrics"
            )
        if name in known:
            constraint.metric = known[name]
        constraints.append(constraint)
    return constraints


__all__ = [
    "constraint_from_str",
    "outcome_constraint_from_str",
    "parse_outcome_constraints",
]
