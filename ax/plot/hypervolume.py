"""Pareto sets and hypervolumes of observed values, in numpy (no torch).

Everything here works in the *maximisation space*: each column of ``Y`` is an objective
to maximise (multiply a minimised objective by -1 first, and its threshold too). The
hypervolume of a set is the volume of the region it dominates that is also better than
the reference point ``ref`` (`m`): exact for any number of objectives, by slicing along
the last objective (fast for the 2-3 objectives and few hundred points of an
experiment; the cost grows as `n^(m-1)`).

Example:
    >>> import numpy as np
    >>> Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.2]])
    >>> pareto_mask(Y).tolist()
    [True, True, True, False]
    >>> hypervolume(Y, np.array([0.0, 0.0]))
    0.25
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
import numpy.typing as npt

from ax.exceptions import UserInputError

FloatArray = npt.NDArray[np.float64]


def _checked(Y: object, function: str) -> FloatArray:
    array = np.asarray(Y, dtype=np.float64)
    if array.ndim != 2:
        raise UserInputError(f"{function}: Y must be an n x m array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise UserInputError(f"{function}: Y must be finite, got {array.tolist()!r}")
    return array


def pareto_mask(Y: object) -> npt.NDArray[np.bool_]:
    """Which rows of ``Y`` (`n x m`, maximised) no other row dominates.

    A row dominates another when it is at least as good in every column and better in
    one. Duplicated rows are all kept.

    Returns:
        A boolean array of `n`.
    """
    array = _checked(Y, "pareto_mask")
    n = array.shape[0]
    if array.shape[1] == 2:
        return _pareto_mask_2d(array)
    mask = np.ones(n, dtype=bool)
    # Compare blocks of rows against all rows at once (bounded memory: block x n x m).
    block = max(1, 2_000_000 // max(1, n * array.shape[1]))
    for start in range(0, n, block):
        rows = array[start : start + block, None, :]
        at_least = np.all(array[None, :, :] >= rows, axis=2)
        better = np.any(array[None, :, :] > rows, axis=2)
        mask[start : start + block] = ~np.any(at_least & better, axis=1)
    return mask


def _pareto_mask_2d(Y: FloatArray) -> npt.NDArray[np.bool_]:
    """:func:`pareto_mask` for two columns in `n log n`: sweep by the first column
    (best first); a row survives when its second column beats every earlier row's, or it
    repeats the last surviving row."""
    order = np.lexsort((-Y[:, 1], -Y[:, 0]))
    mask = np.zeros(Y.shape[0], dtype=bool)
    best = -np.inf
    last: Optional[Tuple[float, float]] = None
    for i in order.tolist():
        x, y = float(Y[i, 0]), float(Y[i, 1])
        if y > best or (x, y) == last:
            mask[i] = True
            best, last = y, (x, y)
    return mask


def add_to_front(front: FloatArray, point: FloatArray) -> Tuple[FloatArray, bool]:
    """The frontier ``front`` (`k x m`, maximised, mutually non-dominated) with ``point``
    (`m`) added: ``(new front, whether the point joined it)``."""
    if front.shape[0]:
        dominated = np.all(front >= point, axis=1) & np.any(front > point, axis=1)
        if dominated.any():
            return front, False
        beaten = np.all(point >= front, axis=1) & np.any(point > front, axis=1)
        front = front[~beaten]
    return np.vstack([front, point[None, :]]), True


def hypervolume(Y: object, ref: npt.ArrayLike) -> float:
    """The hypervolume that the rows of ``Y`` (`n x m`, maximised) dominate above ``ref``.

    Rows not strictly better than ``ref`` in every column add nothing.

    Args:
        Y: `n x m` values (n may be 0).
        ref: `m` reference point.

    Raises:
        UserInputError: Shapes disagree or a value is not finite.
    """
    array = _checked(Y, "hypervolume")
    point = np.asarray(ref, dtype=np.float64).reshape(-1)
    if array.shape[1] != point.shape[0] and array.shape[0] > 0:
        raise UserInputError(
            f"hypervolume: ref has {point.shape[0]} values but Y has {array.shape[1]} columns"
        )
    if not np.all(np.isfinite(point)):
        raise UserInputError(f"hypervolume: ref must be finite, got {point.tolist()!r}")
    if array.shape[0] == 0:
        return 0.0
    kept = array[np.all(array > point, axis=1)]
    if kept.shape[0] == 0:
        return 0.0
    kept = kept[pareto_mask(kept)]
    return float(_slice_volume(kept - point))


def _slice_volume(Y: FloatArray) -> float:
    """Volume dominated by the rows of ``Y`` (all > 0) above the origin."""
    m = Y.shape[1]
    if m == 1:
        return float(Y[:, 0].max())
    if m == 2:
        order = np.argsort(-Y[:, 0])
        x, y = Y[order, 0], Y[order, 1]
        best_y = np.maximum.accumulate(y)
        widths = x - np.append(x[1:], 0.0)
        return float(np.sum(widths * best_y))
    levels = np.unique(Y[:, -1])[::-1]
    volume = 0.0
    for k, level in enumerate(levels):
        below = levels[k + 1] if k + 1 < len(levels) else 0.0
        slab = Y[Y[:, -1] >= level, :-1]
        volume += (level - below) * _slice_volume(slab[pareto_mask(slab)])
    return volume


def hypervolume_trace(Y: object, ref: npt.ArrayLike) -> FloatArray:
    """The hypervolume of the first `i` rows of ``Y``, for `i = 1 .. n`.

    Returns:
        `n` non-decreasing values.
    """
    array = _checked(Y, "hypervolume_trace")
    out = np.zeros(array.shape[0])
    for i in range(array.shape[0]):
        out[i] = hypervolume(array[: i + 1], ref)
    return out


def infer_reference_point(Y: object, scale: float = 0.1) -> FloatArray:
    """A reference point below the worst observed values: the nadir of the Pareto set
    minus ``scale`` times its range per objective (``scale`` of the nadir's magnitude,
    or ``scale``, where the range is zero), as BoTorch's ``infer_reference_point`` does.

    Args:
        Y: `n x m` maximised values (n >= 1).
        scale: Fraction of the range to step below the nadir.

    Raises:
        UserInputError: ``Y`` is empty.
    """
    array = _checked(Y, "infer_reference_point")
    if array.shape[0] == 0:
        raise UserInputError("infer_reference_point: Y has no rows; no point to infer from")
    front = array[pareto_mask(array)]
    nadir = front.min(axis=0)
    span = front.max(axis=0) - nadir
    fallback = np.where(nadir != 0.0, np.abs(nadir), 1.0)
    step = np.where(span > 0.0, span, fallback) * scale
    return nadir - step


__all__ = [
    "add_to_front",
    "hypervolume",
    "hypervolume_trace",
    "infer_reference_point",
    "pareto_mask",
]
