"""Showing figures in a notebook: :func:`render` and :func:`init_notebook_plotting`."""

from __future__ import annotations

import importlib
from typing import Any


def render(fig: Any) -> None:
    """Display a figure in a Jupyter notebook (or, outside one, with ``fig.show()``).

    In IPython/Jupyter the figure is handed to ``IPython.display.display``, which shows
    it with plotly's current renderer (see :func:`init_notebook_plotting`). Without
    IPython installed, ``fig.show()`` opens it the way plotly does by default (e.g. in a
    browser).

    Args:
        fig: A plotly ``go.Figure``, as returned by the functions of :mod:`ax.plot`.

    Raises:
        UserInputTypeError: ``fig`` is not a figure (it has no ``show`` method).

    Example:
        >>> render(plot_contour(model, "x1", "x2", "branin"))
    """
    from ax.exceptions import UserInputTypeError

    if not callable(getattr(fig, "show", None)):
        raise UserInputTypeError(f"render: fig must be a plotly figure, got {type(fig).__name__}")
    try:
        # Through importlib: IPython is optional and ships no type information.
        display = importlib.import_module("IPython.display").display
    except ImportError:
        fig.show()
        return
    display(fig)


def init_notebook_plotting(offline: bool = True) -> None:
    """Make plotly draw figures inline in Jupyter notebooks; prints nothing.

    Args:
        offline: Embed plotly.js in the notebook (works without a network); False loads
            it from a CDN when the notebook is opened (a smaller notebook file).

    Example:
        >>> init_notebook_plotting()
    """
    import plotly.io as pio

    pio.renderers.default = "notebook" if offline else "notebook_connected"


__all__ = ["init_notebook_plotting", "render"]
